package ui

import (
	"strings"
)

// treeRow is one line of the tree. Rows are rebuilt from the store on every
// change; the cursor survives rebuilds because it is kept as a row id, never
// as an index (pug table.Model).
type treeRow struct {
	// id is stable across refreshes: "site-a" for a site, "site-a/rbd"
	// for a pool.
	id   string
	kind NodeKind // NodeNone marks a note row, which the cursor skips
	site string
	pool string

	depth     int
	note      string // text of a note row ("loading pools…", an error)
	noteLevel level
}

func (r treeRow) selectable() bool { return r.kind != NodeNone }

func poolID(site, pool string) string { return site + "/" + pool }

// tree is the navigable site → pool tree in the left pane.
type tree struct {
	c     *Common
	store *store

	width, height int

	rows []treeRow
	// cursor is the id of the selected row; cursorIdx and cursorParent
	// remember where it was so the cursor lands somewhere sensible when its
	// row disappears.
	cursor       string
	cursorIdx    int
	cursorParent string
	offset       int // first visible row

	// collapsed rather than expanded, so that sites are open by default,
	// including sites added by a later reload.
	collapsed map[string]bool
}

func newTree(c *Common, st *store) *tree {
	return &tree{c: c, store: st, collapsed: map[string]bool{}}
}

// SetSize sets the content area, in cells, the tree renders into.
func (t *tree) SetSize(w, h int) {
	t.width, t.height = w, h
	t.scroll()
}

// rebuild derives the rows from the store and puts the cursor back on the
// same id: a refresh that reorders or adds pools must not move it.
func (t *tree) rebuild() {
	var rows []treeRow
	for _, ss := range t.store.each() {
		name := ss.site.Name
		rows = append(rows, treeRow{id: name, kind: NodeSite, site: name})
		if t.collapsed[name] {
			continue
		}
		note := func(text string, l level) {
			rows = append(rows, treeRow{id: name + "/", site: name, depth: 1, note: text, noteLevel: l})
		}
		switch {
		case ss.poolsErr != "" && ss.unreachable():
			// The detail pane and the flash line carry the error.
			note("✖ site unreachable", levelErr)
		case ss.poolsErr != "":
			note("✖ no pools: "+ss.poolsErr, levelErr)
		case !ss.poolsLoaded:
			note("loading pools…", levelUnknown)
		case len(ss.pools) == 0:
			note("no rbd pools", levelUnknown)
		default:
			for _, p := range ss.pools {
				rows = append(rows, treeRow{id: poolID(name, p.Name), kind: NodePool, site: name, pool: p.Name, depth: 1})
			}
		}
	}
	if len(rows) == 0 {
		rows = append(rows, treeRow{note: "no sites configured", noteLevel: levelWarn})
	}
	t.rows = rows
	t.restoreCursor()
}

func (t *tree) index(id string) int {
	if id == "" {
		return -1
	}
	for i, r := range t.rows {
		if r.id == id && r.selectable() {
			return i
		}
	}
	return -1
}

// restoreCursor finds the cursor's id again, else its parent, else the
// nearest selectable row to where it was.
func (t *tree) restoreCursor() {
	if i := t.index(t.cursor); i >= 0 {
		t.setCursor(i)
		return
	}
	if i := t.index(t.cursorParent); i >= 0 {
		t.setCursor(i)
		return
	}
	from := min(max(t.cursorIdx, 0), len(t.rows)-1)
	if i := t.nearest(from, 1); i >= 0 {
		t.setCursor(i)
		return
	}
	if i := t.nearest(from, -1); i >= 0 {
		t.setCursor(i)
		return
	}
	t.cursor, t.cursorParent, t.cursorIdx = "", "", 0
	t.scroll()
}

// nearest returns the first selectable row from i (inclusive) in direction
// dir, or -1.
func (t *tree) nearest(i, dir int) int {
	for ; i >= 0 && i < len(t.rows); i += dir {
		if t.rows[i].selectable() {
			return i
		}
	}
	return -1
}

func (t *tree) setCursor(i int) {
	r := t.rows[i]
	t.cursor, t.cursorIdx = r.id, i
	t.cursorParent = ""
	if r.kind == NodePool {
		t.cursorParent = r.site
	}
	t.scroll()
}

// selected returns the row under the cursor.
func (t *tree) selected() (treeRow, bool) {
	if t.cursor == "" || t.cursorIdx >= len(t.rows) {
		return treeRow{}, false
	}
	return t.rows[t.cursorIdx], true
}

func (t *tree) expanded(site string) bool { return !t.collapsed[site] }

// hasChildren reports whether a site row has pool rows under it.
func (t *tree) hasChildren(site string) bool {
	ss := t.store.site(site)
	return ss != nil && len(ss.pools) > 0
}

// move steps the cursor n selectable rows down (n < 0: up), stopping at the
// ends.
func (t *tree) move(n int) {
	dir := 1
	if n < 0 {
		dir, n = -1, -n
	}
	i := t.cursorIdx
	for ; n > 0; n-- {
		next := t.nearest(i+dir, dir)
		if next < 0 {
			break
		}
		i = next
	}
	if i != t.cursorIdx {
		t.setCursor(i)
	}
}

func (t *tree) top() {
	if i := t.nearest(0, 1); i >= 0 {
		t.setCursor(i)
	}
}

func (t *tree) bottom() {
	if i := t.nearest(len(t.rows)-1, -1); i >= 0 {
		t.setCursor(i)
	}
}

// page is one screenful, less one row of overlap for context.
func (t *tree) page() int { return max(t.height-1, 1) }

// expand opens a collapsed site, or steps into an open one.
func (t *tree) expand() {
	r, ok := t.selected()
	if !ok || r.kind != NodeSite {
		return
	}
	if t.collapsed[r.id] {
		delete(t.collapsed, r.id)
		t.rebuild()
		return
	}
	if i := t.cursorIdx + 1; i < len(t.rows) && t.rows[i].kind == NodePool {
		t.setCursor(i)
	}
}

// collapse closes an open site, or steps from a pool up to its site.
func (t *tree) collapse() {
	r, ok := t.selected()
	if !ok {
		return
	}
	switch r.kind {
	case NodePool:
		if i := t.index(r.site); i >= 0 {
			t.setCursor(i)
		}
	case NodeSite:
		t.collapsed[r.id] = true
		t.rebuild()
	}
}

// scroll keeps the cursor inside the visible window.
func (t *tree) scroll() {
	h := t.height
	if h <= 0 {
		return
	}
	if t.cursorIdx < t.offset {
		t.offset = t.cursorIdx
	}
	if t.cursorIdx >= t.offset+h {
		t.offset = t.cursorIdx - h + 1
	}
	t.offset = min(max(t.offset, 0), max(len(t.rows)-h, 0))
}

// render returns exactly height lines of width cells. Only the rows in the
// scroll window are formatted, so a tree of thousands of rows costs no more
// to draw than a screenful.
func (t *tree) render() []string {
	lines := make([]string, 0, t.height)
	for i := t.offset; i < len(t.rows) && len(lines) < t.height; i++ {
		r := t.rows[i]
		lines = append(lines, t.renderRow(r, r.selectable() && i == t.cursorIdx))
	}
	return block(lines, t.width, t.height)
}

func (t *tree) renderRow(r treeRow, selected bool) string {
	s := &t.c.Styles
	// The marker makes the cursor visible without colour (NO_COLOR,
	// monochrome terminals, goldens).
	marker := " "
	if selected {
		marker = "▌"
	}
	indent := strings.Repeat("    ", r.depth)

	switch r.kind {
	case NodeSite:
		h := siteHealth(t.store.site(r.site))
		arrow := "▾"
		if t.collapsed[r.site] {
			arrow = "▸"
		}
		if selected {
			return s.Selected.Render(fit(marker+" "+arrow+" "+h.symbol+" "+r.site+"  "+h.word, t.width))
		}
		return marker + " " + s.Muted.Render(arrow) + " " + s.status(h.level).Render(h.symbol) + " " +
			s.Text.Render(r.site) + "  " + s.Muted.Render(h.word)
	case NodePool:
		p, _ := t.store.pool(r.site, r.pool)
		mode := "mirror:" + orDash(p.MirrorMode)
		if selected {
			return s.Selected.Render(fit(marker+" "+indent+r.pool+"  "+mode, t.width))
		}
		return marker + " " + indent + s.Text.Render(r.pool) + "  " + s.Muted.Render(mode)
	}
	st := s.Muted
	if r.noteLevel != levelUnknown {
		st = s.status(r.noteLevel)
	}
	return marker + " " + indent + st.Render(r.note)
}

// orDash shows an absent value as "—" rather than as nothing, so an empty
// field reads as "not set" and not as a rendering bug.
func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}
