package ui

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/rbdtui/rbdtui/model"
)

// App is the root model. It owns the Common every component shares, the
// store of backend answers, and the refresh state machine; components only
// render and move their cursors.
type App struct {
	c Common

	// ctx is cancelled on quit so Backend calls still running give up.
	ctx    context.Context
	cancel context.CancelFunc

	store  *store
	header *header
	crumbs *crumbs
	tree   *tree
	detail *detail
	footer *footer
	help   *help

	// overlay replaces the panes (help, a dialog, the actions menu, a
	// command's output); the palette and the filter input take the
	// bottom lines instead. Each sees keys before the global bindings.
	overlay   overlayKind
	dialog    *dialog
	menu      *menu
	output    outputView
	palette   *palette
	history   []string   // palette history, oldest first
	filterIn  *lineInput // the filter being typed; nil when not typing
	filterJmp bool       // the cursor follows the best match while typing

	flash    flash
	flashSeq uint64

	gen          uint64           // current refresh generation
	pending      map[request]bool // outstanding calls of generation gen
	tickID       uint64           // id of the one live refresh tick chain
	updatedAt    time.Time        // when the last refresh completed
	refreshAgain bool             // refresh once more when the current one ends

	seq     uint64 // request ids of on-demand loads (pools, details)
	lastSel string // row id the detail was last loaded for

	// screens stack over the tree (see Screen); the last is on top.
	screens []Screen

	jobs      []*job
	jobSeq    uint64
	log       []logEntry
	showLog   bool
	spinning  bool
	spinID    uint64
	spinFrame int

	// Layout, computed on resize.
	treeW, detailW, bodyH, logH int

	// after schedules a timer message; tea.Tick in production. Tests swap
	// it to fire timers by hand, so they never sleep.
	after func(time.Duration, func(time.Time) tea.Msg) tea.Cmd
}

// New builds the console. Zero fields of c get their defaults (see Common);
// c.Backend is required.
func New(c Common) *App {
	if c.Backend == nil {
		panic("ui.New: Common.Backend is nil")
	}
	a := &App{c: c.withDefaults(), store: newStore(), after: tea.Tick, showLog: true}
	a.ctx, a.cancel = context.WithCancel(context.Background())
	a.header = newHeader(&a.c, a.store)
	a.crumbs = &crumbs{c: &a.c}
	a.tree = newTree(&a.c, a.store)
	a.detail = newDetail(&a.c, a.store)
	a.footer = &footer{c: &a.c}
	a.help = &help{c: &a.c}

	a.store.setSites(a.c.Backend.Sites())
	a.tree.rebuild()
	a.layout()
	return a
}

// Run starts the console full screen and returns when the operator quits.
func Run(c Common) error {
	opts := []tea.ProgramOption{tea.WithAltScreen()}
	if c.Mouse {
		opts = append(opts, tea.WithMouseCellMotion())
	}
	_, err := tea.NewProgram(New(c), opts...).Run()
	return err
}

// Init starts the first refresh and the clock that keeps data ages current.
func (a *App) Init() tea.Cmd {
	return tea.Batch(a.startRefresh(), a.clockTick(), a.openStart())
}

// Update handles one message. It never blocks: anything that talks to Ceph
// is returned as a Cmd.
func (a *App) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		a.c.Width, a.c.Height = msg.Width, msg.Height
		a.layout()
	case tea.MouseMsg:
		return a, tea.Batch(a.mouse(msg), a.selectionChanged(false))
	case tea.KeyMsg:
		// Keys typed faster than the input is read (or sent by tmux)
		// arrive as one message with several runes; each is its own
		// key press, unless it is a paste into a text input.
		if msg.Type == tea.KeyRunes && len(msg.Runes) > 1 && !(msg.Paste && a.inputFocused()) {
			var cmds []tea.Cmd
			for _, r := range msg.Runes {
				cmds = append(cmds, a.handleKey(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}, Alt: msg.Alt}))
			}
			return a, tea.Batch(append(cmds, a.selectionChanged(false))...)
		}
		cmd := a.handleKey(msg)
		return a, tea.Batch(cmd, a.selectionChanged(false))
	case SiteStatusMsg:
		return a, a.onSiteStatus(msg)
	case PoolsMsg:
		return a, a.onPools(msg)
	case ImagesMsg:
		return a, a.onImages(msg)
	case DetailMsg:
		a.onDetail(msg)
	case JournalMsg:
		a.onJournal(msg)
	case jobProgressMsg:
		return a, tea.Batch(a.onJobProgress(msg), a.toScreens(msg))
	case jobStepMsg:
		return a, tea.Batch(a.onJobStep(msg), a.toScreens(msg))
	case jobDoneMsg:
		return a, tea.Batch(a.onJobDone(msg), a.toScreens(msg))
	case pushScreenMsg, replaceScreenMsg, popScreenMsg:
		return a, a.onScreenMsg(msg)
	case spinnerTickMsg:
		return a, a.onSpinner(msg)
	case refreshTickMsg:
		return a, a.onRefreshTick(msg)
	case clockTickMsg:
		return a, a.clockTick()
	case clearFlashMsg:
		if msg.id == a.flash.id {
			a.flash.text = ""
		}
	default:
		return a, a.toScreens(msg)
	}
	return a, nil
}

// inputFocused reports whether typed text goes to a text input.
func (a *App) inputFocused() bool {
	return a.palette != nil || a.filterIn != nil || a.overlay == overlayDialog
}

// keyName is how the registry spells a key press.
func keyName(k tea.KeyMsg) string {
	if k.Type == tea.KeySpace {
		return "space"
	}
	return k.String()
}

// handleKey routes a key: to the open dialog, palette, filter input or
// overlay first (so typing "q" in the filter does not quit), then through
// the registry.
func (a *App) handleKey(k tea.KeyMsg) tea.Cmd {
	switch {
	case a.overlay == overlayDialog:
		return a.dialogKey(k)
	case a.palette != nil:
		return a.paletteKey(k)
	case a.filterIn != nil:
		return a.filterKey(k)
	case a.overlay == overlayMenu:
		return a.menuKey(k)
	case a.overlay == overlayOutput:
		if keyName(k) == "ctrl+c" {
			return a.quit()
		}
		return a.outputKey(k)
	case a.overlay == overlayNone && a.topScreen() != nil:
		return a.screenKey(a.topScreen(), k)
	}
	b, ok := a.c.Keys.MatchIn(a.screenName(), keyName(k))
	if !ok {
		return nil
	}
	if a.overlay == overlayHelp {
		switch b.Action {
		case ActionHelp, ActionBack, ActionCollapse:
			a.overlay = overlayNone
		case ActionUp:
			a.help.scroll(-1)
		case ActionDown:
			a.help.scroll(1)
		case ActionPageUp:
			a.help.scroll(-a.bodyH)
		case ActionPageDown:
			a.help.scroll(a.bodyH)
		case ActionQuit:
			return a.quit()
		}
		return nil
	}
	return a.runBinding(b)
}

// runBinding runs a binding's action unless it is disabled now, in which
// case the reason is flashed.
func (a *App) runBinding(b Binding) tea.Cmd {
	ctx := a.keyContext()
	if why := b.DisabledReason(ctx); why != "" {
		return a.setFlash(flashWarn, why)
	}
	switch b.Action {
	case ActionUp:
		a.tree.move(-1)
	case ActionDown:
		a.tree.move(1)
	case ActionTop:
		a.tree.top()
	case ActionBottom:
		a.tree.bottom()
	case ActionPageUp:
		a.tree.move(-a.tree.page())
	case ActionPageDown:
		a.tree.move(a.tree.page())
	case ActionExpand:
		if pid := a.tree.expand(); pid != "" {
			r, _ := a.tree.selected()
			if ps := a.store.poolState(r.site, r.pool); ps == nil || (!ps.loaded && !ps.loading) {
				return a.loadPool(r.site, r.pool, 0)
			}
		}
	case ActionCollapse:
		a.tree.collapse()
	case ActionBack:
		switch {
		case a.tree.filter != "":
			return a.setFilter("")
		case len(a.tree.marks) > 0:
			n := len(a.tree.marks)
			clear(a.tree.marks)
			return a.setFlash(flashInfo, fmt.Sprintf("%d marks cleared", n))
		default:
			a.tree.collapse()
		}
	case ActionMark:
		a.tree.toggleMark()
	case ActionFilter:
		return a.openFilter()
	case ActionPalette:
		a.openPalette()
	case ActionMenu:
		return a.openMenu(ctx)
	case ActionLog:
		a.showLog = !a.showLog
		a.layout()
	case ActionOutput:
		a.overlay = overlayOutput
	case ActionRefresh:
		return a.startRefresh()
	case ActionHelp:
		a.overlay = overlayHelp
		a.help.reset()
	case ActionQuit:
		return a.quit()
	case ActionWatch:
		return a.openWatchOn(ctx)
	case ActionFailover:
		return a.openWizardOn(ctx)
	case ActionInspect:
		return a.openInspectorOn(ctx)
	default:
		if spec := specByAction(b.Action); spec != nil {
			return a.beginAction(spec, ctx)
		}
	}
	return nil
}

// openFilter starts typing a filter. Filtering is over names, so it loads
// the images of every pool not loaded yet (of the sites that answer).
func (a *App) openFilter() tea.Cmd {
	in := &lineInput{}
	in.set(a.tree.filter)
	a.filterIn = in
	a.filterJmp = true
	var cmds []tea.Cmd
	for _, ss := range a.store.each() {
		if ss.unreachable() {
			continue
		}
		for _, p := range ss.pools {
			if ps := a.store.poolState(ss.site.Name, p.Name); ps == nil || (!ps.loaded && !ps.loading) {
				cmds = append(cmds, a.loadPool(ss.site.Name, p.Name, 0))
			}
		}
	}
	return tea.Batch(cmds...)
}

func (a *App) filterKey(k tea.KeyMsg) tea.Cmd {
	switch k.String() {
	case "esc", "ctrl+c":
		a.filterIn, a.filterJmp = nil, false
		return a.setFilter("")
	case "enter":
		a.filterIn, a.filterJmp = nil, false
		return nil
	case "up":
		a.filterJmp = false
		a.tree.move(-1)
		return nil
	case "down":
		a.filterJmp = false
		a.tree.move(1)
		return nil
	}
	if a.filterIn.update(k) {
		a.filterJmp = true
		return a.setFilter(a.filterIn.String())
	}
	return nil
}

// setFilter applies a filter to the tree and, while the operator types,
// puts the cursor on the best match.
func (a *App) setFilter(f string) tea.Cmd {
	if f == "" && a.tree.filter != "" {
		// Clearing the filter keeps the operator where it brought them:
		// the pool holding the cursor stays open.
		if r, ok := a.tree.selected(); ok && r.kind != NodeSite && r.kind != NodePool {
			a.tree.open[poolID(r.site, r.pool)] = true
		}
	}
	a.tree.filter = f
	a.tree.rebuild()
	if f != "" && a.filterJmp {
		a.tree.jumpToBest()
	}
	return nil
}

func (a *App) quit() tea.Cmd {
	a.cancel()
	return tea.Quit
}

// keyContext describes the current state for Binding.Disabled.
func (a *App) keyContext() KeyContext {
	ctx := KeyContext{Refreshing: a.refreshing(), ReadOnly: a.c.ReadOnly, Filter: a.tree.filter,
		Marks: len(a.tree.marks), HasOutput: len(a.output.lines) > 0, Available: a.available,
		Screen: a.screenName()}
	if u, ok := a.topScreen().(actionUser); ok {
		ctx.ScreenUses = u.Uses
	}
	if r, ok := a.tree.selected(); ok {
		ctx.Node, ctx.ID = r.kind, r.id
		ctx.Expanded = a.tree.expanded(r.id)
		ctx.HasChildren = a.tree.hasChildren(r)
	}
	ctx.Targets = a.targets()
	return ctx
}

// available reports whether the grammar of this build has a command.
func (a *App) available(cmd string) bool {
	for _, c := range a.c.Commands.Commands() {
		if c.Name() == cmd {
			return true
		}
	}
	return false
}

// targets are the marked rows, or the row under the cursor.
func (a *App) targets() []Target {
	if len(a.tree.marks) > 0 {
		ids := make([]string, 0, len(a.tree.marks))
		for id := range a.tree.marks {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		out := make([]Target, 0, len(ids))
		for _, id := range ids {
			if t, ok := a.targetOf(id); ok {
				out = append(out, t)
			}
		}
		return out
	}
	if r, ok := a.tree.selected(); ok {
		if t, ok := a.targetOf(r.id); ok {
			return []Target{t}
		}
	}
	return nil
}

// targetOf resolves a row id to a Target with copies of what is known.
func (a *App) targetOf(id string) (Target, bool) {
	parts := strings.SplitN(id, "/", 3)
	ss := a.store.site(parts[0])
	if ss == nil {
		return Target{}, false
	}
	t := Target{Site: parts[0], ID: id, ReadOnly: ss.site.ReadOnly, Kind: NodeSite, Name: parts[0]}
	if len(parts) == 1 {
		return t, true
	}
	t.Pool = parts[1]
	if p, ok := a.store.pool(t.Site, t.Pool); ok {
		t.PoolInfo = &p
	}
	if len(parts) == 2 {
		t.Kind, t.Name = NodePool, t.Pool
		return t, t.PoolInfo != nil
	}
	name := parts[2]
	switch {
	case strings.HasPrefix(name, "@"):
		t.Kind, t.Name = NodeGroup, name[1:]
		g, ok := a.store.group(t.Site, t.Pool, t.Name)
		if !ok {
			return t, false
		}
		gc := *g
		t.Group = &gc
		return t, true
	case strings.HasSuffix(name, "#journal"):
		t.Kind, t.Name = NodeJournal, strings.TrimSuffix(name, "#journal")
		if j := a.store.journals[imageID(t.Site, t.Pool, t.Name)]; j != nil && j.ok {
			jc := j.v
			t.Journal = &jc
		}
	default:
		t.Kind, t.Name = NodeImage, name
	}
	img, ok := a.store.image(t.Site, t.Pool, t.Name)
	if !ok {
		return t, false
	}
	ic := *img
	t.Image = &ic
	if d := a.store.details[img.Key()]; d != nil && d.ok {
		dc := d.v
		t.Detail = &dc
	}
	return t, true
}

// Fixed lines around the body: header, crumbs, flash, hints.
const chromeLines = 4

// layout hands every component its size. The tree gets two fifths of the
// width, within bounds that keep a site row with its health word whole and
// leave the detail pane the rest; the command log, when shown and when
// there is room, takes the bottom of the body.
func (a *App) layout() {
	w, h := max(a.c.Width, 0), max(a.c.Height, 0)
	a.bodyH = max(h-chromeLines, 0)
	a.treeW = min(max(w*2/5, 26), 56)
	a.detailW = max(w-a.treeW, 0)
	a.logH = 0
	if a.showLog && a.bodyH >= 14 {
		a.logH = min(max(a.bodyH/5, 2), 8) + 2
	}
	paneH := a.bodyH - a.logH

	a.header.SetSize(w, 1)
	a.crumbs.SetSize(w, 1)
	a.footer.SetSize(w, 2)
	// Panes lose two columns and two rows to the border and two columns
	// to padding; see box.
	a.tree.SetSize(max(a.treeW-4, 0), max(paneH-2, 0))
	a.detail.SetSize(max(a.detailW-4, 0), max(paneH-2, 0))
	a.help.SetSize(w, a.bodyH)
}

// View renders exactly Height lines, none wider than Width.
func (a *App) View() string {
	w, h := a.c.Width, a.c.Height
	if w <= 0 || h <= 0 {
		// No size yet: a stable placeholder rather than a layout for 0x0.
		return ""
	}
	if w < MinWidth || h < MinHeight {
		return a.tooSmall()
	}
	s := &a.c.Styles
	sel, ok := a.tree.selected()
	ctx := a.keyContext()

	lines := make([]string, 0, h)
	lines = append(lines, a.header.render(), a.crumbs.render(a.crumbParts(sel, ok), a.dataStatus()))
	switch a.overlay {
	case overlayHelp:
		lines = append(lines, a.help.render(ctx)...)
	case overlayDialog:
		lines = append(lines, a.renderDialog(w, a.bodyH)...)
	case overlayMenu:
		lines = append(lines, a.renderMenu(ctx, w, a.bodyH)...)
	case overlayOutput:
		lines = append(lines, a.renderOutput(w, a.bodyH)...)
	default:
		if s := a.topScreen(); s != nil {
			lines = append(lines, a.renderScreen(s, w)...)
			break
		}
		paneH := a.bodyH - a.logH
		title := "Sites"
		if a.tree.filter != "" {
			title = "Sites · /" + a.tree.filter
		}
		left := box(s, title, a.tree.render(), a.treeW, paneH)
		right := box(s, a.detail.title(sel, ok), a.detail.render(sel, ok), a.detailW, paneH)
		for i := range left {
			lines = append(lines, left[i]+right[i])
		}
		if a.logH > 0 {
			lines = append(lines, a.renderLog(w, a.logH)...)
		}
	}
	switch {
	case a.palette != nil:
		in, hint := a.renderPalette(w)
		lines = append(lines, in, hint)
	case a.filterIn != nil:
		lines = append(lines, a.renderFilterInput(w), a.footer.renderHints(ctx))
	default:
		lines = append(lines, a.statusLine(w), a.footer.renderHints(ctx))
	}
	// Whatever a component drew without fit or clip still goes through
	// the guard; a line it changed is fitted again to keep the layout.
	for i, l := range lines {
		if g := safe(l); g != l {
			lines[i] = fit(g, w)
		}
	}
	return strings.Join(lines, "\n")
}

// statusLine is the flash message, else the running jobs with a spinner.
func (a *App) statusLine(w int) string {
	if a.flash.text != "" || len(a.jobs) == 0 {
		return a.footer.renderFlash(a.flash)
	}
	s := &a.c.Styles
	j := a.jobs[len(a.jobs)-1]
	text := spinnerFrame(a.spinFrame) + " " + j.label + "…"
	if len(j.argvs) > 1 {
		text += fmt.Sprintf(" %d/%d", j.step+1, len(j.argvs))
	}
	if p := j.progress; p != nil {
		text += " " + progressText(p)
	}
	if len(a.jobs) > 1 {
		text += fmt.Sprintf(" (+%d more running)", len(a.jobs)-1)
	}
	return clip(" "+s.Accent.Render(text), w)
}

// progressText shows a progress event as a bar when it has a total.
func progressText(p *model.Progress) string {
	var parts []string
	if p.Step != "" {
		parts = append(parts, p.Step)
	}
	if p.Total > 0 {
		pct := min(max(float64(p.Done)/float64(p.Total), 0), 1)
		n := int(pct * 20)
		parts = append(parts, "["+strings.Repeat("#", n)+strings.Repeat(".", 20-n)+"]"+fmt.Sprintf(" %3.0f%%", pct*100))
	}
	if p.State != "" {
		parts = append(parts, p.State)
	}
	if p.Message != "" {
		parts = append(parts, p.Message)
	}
	return strings.Join(parts, " ")
}

func (a *App) renderFilterInput(w int) string {
	s := &a.c.Styles
	n := 0
	for _, r := range a.tree.rows {
		if r.kind == NodeImage || r.kind == NodeGroup {
			n++
		}
	}
	count := s.Muted.Render(fmt.Sprintf("  %d shown · enter keeps · esc clears", n))
	room := max(w-3-ansi.StringWidth(count), 4)
	return clip(" "+s.HintKey.Render("/")+a.filterIn.view(s, room)+count, w)
}

// crumbParts is the path of the node under the cursor.
func (a *App) crumbParts(r treeRow, ok bool) []string {
	if s := a.topScreen(); s != nil {
		// A screen is about its own scope, not the row under the cursor.
		return []string{s.Title()}
	}
	if !ok {
		return nil
	}
	parts := []string{r.site}
	if r.pool != "" {
		parts = append(parts, r.pool)
	}
	switch r.kind {
	case NodeImage:
		parts = append(parts, r.name)
	case NodeGroup:
		parts = append(parts, "group "+r.name)
	case NodeJournal:
		parts = append(parts, r.name, "journal")
	}
	if n := len(a.tree.marks); n > 0 {
		parts = append(parts, fmt.Sprintf("[%d marked]", n))
	}
	return parts
}

// dataStatus says how fresh the data is and whether it will refresh itself.
func (a *App) dataStatus() string {
	var parts []string
	if a.refreshing() {
		parts = append(parts, "refreshing…")
	}
	if !a.updatedAt.IsZero() {
		age := a.c.Now().Sub(a.updatedAt)
		if stale(age, a.c.Refresh) {
			// Older than two refreshes: said in words, not by colour.
			parts = append(parts, a.c.Styles.status(levelWarn).Render("▲ STALE: updated "+ago(age)))
		} else {
			parts = append(parts, "updated "+ago(age))
		}
	}
	if a.c.Refresh > 0 {
		parts = append(parts, "every "+shortDuration(a.c.Refresh))
	} else {
		parts = append(parts, "auto-refresh off")
	}
	return strings.Join(parts, " · ")
}

// tooSmall replaces the layout when the terminal cannot hold it; a clear
// message beats a garbled screen.
func (a *App) tooSmall() string {
	w, h := a.c.Width, a.c.Height
	s := &a.c.Styles
	quit := "q"
	if b, ok := a.c.Keys.Lookup(ActionQuit); ok && len(b.Keys) > 0 {
		quit = keyLabel(b.Keys[0])
	}
	msg := []string{
		s.TooSmall.Render(clip("terminal too small", w)),
		s.Muted.Render(clip(fmt.Sprintf("%dx%d, need at least %dx%d", w, h, MinWidth, MinHeight), w)),
		s.Muted.Render(clip("enlarge it, or press "+quit+" to quit", w)),
	}
	msg = msg[:min(len(msg), h)]
	return lipgloss.Place(w, h, lipgloss.Center, lipgloss.Center, strings.Join(msg, "\n"))
}

// shortDuration prints 5s, 2m, 1m30s rather than time.Duration's 2m0s.
func shortDuration(d time.Duration) string {
	switch {
	case d%time.Hour == 0:
		return fmt.Sprintf("%dh", d/time.Hour)
	case d%time.Minute == 0:
		return fmt.Sprintf("%dm", d/time.Minute)
	}
	return d.String()
}
