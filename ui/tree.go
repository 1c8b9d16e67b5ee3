package ui

import (
	"strconv"
	"strings"

	"github.com/rbdtui/rbdtui/model"
)

// treeRow is one line of the tree. Rows are rebuilt from the store on every
// change; the cursor survives rebuilds because it is kept as a row id, never
// as an index (pug table.Model).
type treeRow struct {
	// id is stable across refreshes: "site-a" for a site, "site-a/rbd"
	// for a pool, "site-a/rbd/vol1" for an image (model.Image.Key),
	// "site-a/rbd/@grp" for a group, "site-a/rbd/vol1#journal" for a
	// journal.
	id   string
	kind NodeKind // NodeNone marks a note row, which the cursor skips
	site string
	pool string
	name string // image or group name; the image of a journal
	idx  int    // index into the pool's images or groups

	depth     int
	note      string // text of a note row ("loading pools…", an error)
	noteLevel level
}

func (r treeRow) selectable() bool { return r.kind != NodeNone }

func poolID(site, pool string) string { return site + "/" + pool }

func imageID(site, pool, name string) string { return site + "/" + pool + "/" + name }

func groupID(site, pool, name string) string { return site + "/" + pool + "/@" + name }

func journalID(site, pool, name string) string { return imageID(site, pool, name) + "#journal" }

// tree is the navigable site → pool → image/group → journal tree in the
// left pane.
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
	// lost is the row the cursor was on when that row vanished (an image
	// deleted and re-created by a resync, say); the cursor returns to it
	// if it comes back before the operator moves.
	lost string

	// collapsed rather than expanded for sites, so that sites are open by
	// default, including sites added by a later reload; pools and images
	// open on demand, because opening one costs a round trip.
	collapsed map[string]bool
	open      map[string]bool

	// filter is the active filter ("" for none); marks are the ids of
	// marked rows.
	filter string
	marks  map[string]bool
	// best is the id of the best match of the last filter change, where
	// the cursor jumps while the operator types.
	best string
}

func newTree(c *Common, st *store) *tree {
	return &tree{c: c, store: st, collapsed: map[string]bool{}, open: map[string]bool{}, marks: map[string]bool{}}
}

// SetSize sets the content area, in cells, the tree renders into.
func (t *tree) SetSize(w, h int) {
	t.width, t.height = w, h
	t.scroll()
}

// poolShown reports whether a pool's children are listed: it is open, or a
// filter is active and its loaded contents have matches.
func (t *tree) poolShown(site, pool string) bool {
	if t.open[poolID(site, pool)] {
		return true
	}
	if t.filter == "" {
		return false
	}
	ps := t.store.poolState(site, pool)
	if ps == nil || !ps.loaded {
		return false
	}
	imgs, grps := ps.filtered(t.filter)
	return len(imgs)+len(grps) > 0
}

// rebuild derives the rows from the store and puts the cursor back on the
// same id: a refresh that reorders or adds nodes must not move it.
func (t *tree) rebuild() {
	rows := t.rows[:0]
	bestScore, best := 0, ""
	for _, ss := range t.store.each() {
		name := ss.site.Name
		rows = append(rows, treeRow{id: name, kind: NodeSite, site: name})
		if t.collapsed[name] {
			continue
		}
		note := func(id, text string, depth int, l level) {
			rows = append(rows, treeRow{id: id, site: name, depth: depth, note: text, noteLevel: l})
		}
		switch {
		case ss.poolsErr != "" && ss.unreachable():
			// The detail pane and the flash line carry the error.
			note(name+"/", "✖ site unreachable", 1, levelErr)
			continue
		case ss.poolsErr != "":
			note(name+"/", "✖ no pools: "+ss.poolsErr, 1, levelErr)
			continue
		case !ss.poolsLoaded:
			note(name+"/", "loading pools…", 1, levelUnknown)
			continue
		case len(ss.pools) == 0:
			note(name+"/", "no rbd pools", 1, levelUnknown)
			continue
		}
		for _, p := range ss.pools {
			pid := poolID(name, p.Name)
			rows = append(rows, treeRow{id: pid, kind: NodePool, site: name, pool: p.Name, depth: 1})
			if !t.poolShown(name, p.Name) {
				continue
			}
			ps := t.store.poolState(name, p.Name)
			switch {
			case ps == nil || (!ps.loaded && ps.err == ""):
				note(pid+"/", "loading images…", 2, levelUnknown)
				continue
			case ps.err != "" && !ps.loaded:
				note(pid+"/", "✖ "+ps.err, 2, levelErr)
				continue
			}
			imgs, grps := ps.filtered(t.filter)
			if t.filter != "" && ps.fBest >= 0 && (best == "" || ps.fScore > bestScore) {
				best, bestScore = imageID(name, p.Name, ps.images[ps.fBest].Name), ps.fScore
			}
			for _, i := range grps {
				g := &ps.groups[i]
				rows = append(rows, treeRow{id: groupID(name, p.Name, g.Name), kind: NodeGroup, site: name, pool: p.Name, name: g.Name, idx: i, depth: 2})
			}
			for _, i := range imgs {
				img := &ps.images[i]
				id := imageID(name, p.Name, img.Name)
				rows = append(rows, treeRow{id: id, kind: NodeImage, site: name, pool: p.Name, name: img.Name, idx: i, depth: 2})
				if t.open[id] && t.hasJournal(img) {
					rows = append(rows, treeRow{id: journalID(name, p.Name, img.Name), kind: NodeJournal, site: name, pool: p.Name, name: img.Name, idx: i, depth: 3})
				}
			}
			switch {
			case len(ps.images)+len(ps.groups) == 0:
				note(pid+"/", "no images", 2, levelUnknown)
			case len(imgs)+len(grps) == 0:
				note(pid+"/", "no match for the filter", 2, levelUnknown)
			}
		}
	}
	if len(rows) == 0 {
		rows = append(rows, treeRow{note: "no sites configured", noteLevel: levelWarn})
	}
	t.rows = rows
	t.best = best
	t.restoreCursor()
}

// hasJournal reports whether an image has a journal to show: it mirrors in
// journal mode, or its detail says journaling is on.
func (t *tree) hasJournal(img *model.Image) bool {
	if img.MirrorMode == model.ModeJournal && img.MirrorState == model.MirrorEnabled {
		return true
	}
	d := t.store.details[img.Key()]
	return d != nil && d.ok && d.v.Journal != nil
}

func (t *tree) index(id string) int {
	if id == "" {
		return -1
	}
	// The cursor's old position is the likely place: a refresh rarely
	// moves it far, and this keeps a 10,000-row tree cheap to rebuild.
	if i := t.cursorIdx; i < len(t.rows) && t.rows[i].id == id && t.rows[i].selectable() {
		return i
	}
	for i := range t.rows {
		if t.rows[i].id == id && t.rows[i].selectable() {
			return i
		}
	}
	return -1
}

// jumpToBest puts the cursor on the best match of the filter, if any.
func (t *tree) jumpToBest() {
	t.lost = ""
	if i := t.index(t.best); i >= 0 {
		t.setCursor(i)
	}
}

// restoreCursor finds the cursor's id again, else its parent, else the
// nearest selectable row to where it was.
func (t *tree) restoreCursor() {
	if i := t.index(t.lost); i >= 0 {
		t.lost = ""
		t.setCursor(i)
		return
	}
	if i := t.index(t.cursor); i >= 0 {
		t.setCursor(i)
		return
	}
	if t.lost == "" {
		t.lost = t.cursor
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
	t.cursorParent = parentID(r)
	t.scroll()
}

// selected returns the row under the cursor.
func (t *tree) selected() (treeRow, bool) {
	if t.cursor == "" || t.cursorIdx >= len(t.rows) {
		return treeRow{}, false
	}
	return t.rows[t.cursorIdx], true
}

// parentID is the id of the node a row hangs under ("" for a site).
func parentID(r treeRow) string {
	switch r.kind {
	case NodePool:
		return r.site
	case NodeImage, NodeGroup:
		return poolID(r.site, r.pool)
	case NodeJournal:
		return imageID(r.site, r.pool, r.name)
	}
	return ""
}

// expanded reports whether the node with id is open.
func (t *tree) expanded(id string) bool {
	if i := t.index(id); i >= 0 && t.rows[i].kind != NodeSite {
		return t.open[id]
	}
	return !t.collapsed[id]
}

// hasChildren reports whether the row under the cursor has (or may have,
// once loaded) children.
func (t *tree) hasChildren(r treeRow) bool {
	switch r.kind {
	case NodeSite:
		ss := t.store.site(r.site)
		return ss != nil && len(ss.pools) > 0
	case NodePool:
		return true
	case NodeImage:
		img, ok := t.store.image(r.site, r.pool, r.name)
		return ok && t.hasJournal(img)
	}
	return false
}

// move steps the cursor n selectable rows down (n < 0: up), stopping at the
// ends.
func (t *tree) move(n int) {
	t.lost = ""
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
	t.lost = ""
	if i := t.nearest(0, 1); i >= 0 {
		t.setCursor(i)
	}
}

func (t *tree) bottom() {
	t.lost = ""
	if i := t.nearest(len(t.rows)-1, -1); i >= 0 {
		t.setCursor(i)
	}
}

// page is one screenful, less one row of overlap for context.
func (t *tree) page() int { return max(t.height-1, 1) }

// expand opens the node under the cursor, or steps into an open one. It
// reports the pool it opened, whose images the App then loads.
func (t *tree) expand() (openedPool string) {
	t.lost = ""
	r, ok := t.selected()
	if !ok || !t.hasChildren(r) {
		return ""
	}
	if !t.expanded(r.id) {
		if r.kind == NodeSite {
			delete(t.collapsed, r.id)
		} else {
			t.open[r.id] = true
		}
		t.rebuild()
		if r.kind == NodePool {
			return r.id
		}
		return ""
	}
	if i := t.cursorIdx + 1; i < len(t.rows) && t.rows[i].selectable() && t.rows[i].depth > r.depth {
		t.setCursor(i)
	}
	return ""
}

// collapse closes an open node, or steps up to the parent of a closed one.
func (t *tree) collapse() {
	t.lost = ""
	r, ok := t.selected()
	if !ok {
		return
	}
	if t.hasChildren(r) && t.expanded(r.id) && !(r.kind == NodePool && t.filter != "" && !t.open[r.id]) {
		if r.kind == NodeSite {
			t.collapsed[r.id] = true
		} else {
			delete(t.open, r.id)
		}
		t.rebuild()
		return
	}
	if i := t.index(parentID(r)); i >= 0 {
		t.setCursor(i)
	}
}

// toggleMark marks or unmarks the row under the cursor and steps down, so
// space pressed repeatedly marks a run of rows.
func (t *tree) toggleMark() {
	r, ok := t.selected()
	if !ok {
		return
	}
	if t.marks[r.id] {
		delete(t.marks, r.id)
	} else {
		t.marks[r.id] = true
	}
	t.move(1)
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
	// The markers make the cursor and the marks visible without colour
	// (NO_COLOR, monochrome terminals, goldens).
	marker := " "
	if selected {
		marker = "▌"
	}
	mark := " "
	if t.marks[r.id] {
		mark = "✓"
	}
	indent := strings.Repeat("  ", r.depth)
	arrow := func(open bool) string {
		if open {
			return "▾"
		}
		return "▸"
	}
	var plain, styled string
	switch r.kind {
	case NodeSite:
		h := siteHealth(t.store.site(r.site))
		a := arrow(!t.collapsed[r.site])
		plain = a + " " + h.symbol + " " + text(r.site) + "  " + h.word
		styled = s.Muted.Render(a) + " " + s.status(h.level).Render(h.symbol) + " " + s.Text.Render(text(r.site)) + "  " + s.Muted.Render(h.word)
	case NodePool:
		p, _ := t.store.pool(r.site, r.pool)
		a := arrow(t.poolShown(r.site, r.pool))
		info := "mirror:" + orDash(p.MirrorMode)
		if ps := t.store.poolState(r.site, r.pool); ps != nil && ps.loaded && t.filter != "" {
			imgs, grps := ps.filtered(t.filter)
			info = strconv.Itoa(len(imgs)+len(grps)) + "/" + strconv.Itoa(len(ps.images)+len(ps.groups)) + " match"
		}
		plain = a + " " + text(r.pool) + "  " + info
		styled = s.Muted.Render(a) + " " + s.Text.Render(text(r.pool)) + "  " + s.Muted.Render(info)
	case NodeImage:
		ps := t.store.poolState(r.site, r.pool)
		img := &ps.images[r.idx]
		h := imageStatus(img)
		a := " "
		if t.hasJournal(img) {
			a = arrow(t.open[r.id])
		}
		plain = a + " " + h.symbol + " " + text(r.name) + "  " + h.word
		styled = s.Muted.Render(a) + " " + s.status(h.level).Render(h.symbol) + " " + s.Text.Render(text(r.name)) + "  " + s.Muted.Render(h.word)
	case NodeGroup:
		ps := t.store.poolState(r.site, r.pool)
		g := &ps.groups[r.idx]
		h := groupStatus(g)
		info := "group · " + strconv.Itoa(len(g.Members)) + " images · " + h.word
		plain = "  " + h.symbol + " " + text(r.name) + "  " + info
		styled = "  " + s.status(h.level).Render(h.symbol) + " " + s.Accent.Render(text(r.name)) + "  " + s.Muted.Render(info)
	case NodeJournal:
		plain = "  ≡ journal"
		if j := t.store.journals[imageID(r.site, r.pool, r.name)]; j != nil && j.ok {
			plain += "  " + strconv.Itoa(len(j.v.Clients)) + " clients"
		}
		styled = s.Muted.Render(plain)
	default:
		st := s.Muted
		if r.noteLevel != levelUnknown {
			st = s.status(r.noteLevel)
		}
		return marker + mark + indent + st.Render(text(r.note))
	}
	if selected {
		return s.Selected.Render(fit(marker+mark+indent+plain, t.width))
	}
	return marker + s.Accent.Render(mark) + indent + styled
}

// orDash shows an absent value as "—" rather than as nothing, so an empty
// field reads as "not set" and not as a rendering bug.
func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}
