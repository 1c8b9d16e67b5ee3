package ui

import (
	"context"
	"fmt"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
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

	showHelp bool
	flash    flash
	flashSeq uint64

	gen       uint64           // current refresh generation
	pending   map[request]bool // outstanding calls of generation gen
	tickID    uint64           // id of the one live refresh tick chain
	updatedAt time.Time        // when the last refresh completed

	// Layout, computed on resize.
	treeW, detailW, bodyH int

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
	a := &App{c: c.withDefaults(), store: newStore(), after: tea.Tick}
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
	_, err := tea.NewProgram(New(c), tea.WithAltScreen()).Run()
	return err
}

// Init starts the first refresh and the clock that keeps data ages current.
func (a *App) Init() tea.Cmd {
	return tea.Batch(a.startRefresh(), a.clockTick())
}

// Update handles one message. It never blocks: anything that talks to Ceph
// is returned as a Cmd.
func (a *App) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		a.c.Width, a.c.Height = msg.Width, msg.Height
		a.layout()
	case tea.KeyMsg:
		return a, a.handleKey(msg.String())
	case SiteStatusMsg:
		return a, a.onSiteStatus(msg)
	case PoolsMsg:
		return a, a.onPools(msg)
	case refreshTickMsg:
		return a, a.onRefreshTick(msg)
	case clockTickMsg:
		return a, a.clockTick()
	case clearFlashMsg:
		if msg.id == a.flash.id {
			a.flash.text = ""
		}
	}
	return a, nil
}

// handleKey dispatches a key through the registry. The help overlay, when
// open, sees keys first and swallows all but closing and quitting, so a
// navigation key pressed while reading help does not move the cursor
// behind it.
func (a *App) handleKey(key string) tea.Cmd {
	b, ok := a.c.Keys.Match(key)
	if !ok {
		return nil
	}
	if a.showHelp {
		switch b.Action {
		case ActionHelp, ActionCollapse:
			a.showHelp = false
		case ActionQuit:
			return a.quit()
		}
		return nil
	}
	if why := b.DisabledReason(a.keyContext()); why != "" {
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
		a.tree.expand()
	case ActionCollapse:
		a.tree.collapse()
	case ActionRefresh:
		return a.startRefresh()
	case ActionHelp:
		a.showHelp = true
	case ActionQuit:
		return a.quit()
	}
	return nil
}

func (a *App) quit() tea.Cmd {
	a.cancel()
	return tea.Quit
}

// keyContext describes the current state for Binding.Disabled.
func (a *App) keyContext() KeyContext {
	ctx := KeyContext{Refreshing: a.refreshing(), ReadOnly: a.c.ReadOnly}
	if r, ok := a.tree.selected(); ok {
		ctx.Node, ctx.ID = r.kind, r.id
		if r.kind == NodeSite {
			ctx.Expanded = a.tree.expanded(r.id)
			ctx.HasChildren = a.tree.hasChildren(r.id)
		}
	}
	return ctx
}

// Fixed lines around the body: header, crumbs, flash, hints.
const chromeLines = 4

// layout hands every component its size. The tree gets two fifths of the
// width, within bounds that keep a site row with its health word whole and
// leave the detail pane the rest.
func (a *App) layout() {
	w, h := max(a.c.Width, 0), max(a.c.Height, 0)
	a.bodyH = max(h-chromeLines, 0)
	a.treeW = min(max(w*2/5, 26), 44)
	a.detailW = max(w-a.treeW, 0)

	a.header.SetSize(w, 1)
	a.crumbs.SetSize(w, 1)
	a.footer.SetSize(w, 2)
	// Panes lose two columns and two rows to the border and two columns
	// to padding; see box.
	a.tree.SetSize(max(a.treeW-4, 0), max(a.bodyH-2, 0))
	a.detail.SetSize(max(a.detailW-4, 0), max(a.bodyH-2, 0))
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
	lines = append(lines, a.header.render(), a.crumbs.render(sel, ok, a.dataStatus()))
	if a.showHelp {
		lines = append(lines, a.help.render(ctx)...)
	} else {
		left := box(s, "Sites", a.tree.render(), a.treeW, a.bodyH)
		right := box(s, a.detail.title(sel, ok), a.detail.render(sel, ok), a.detailW, a.bodyH)
		for i := range left {
			lines = append(lines, left[i]+right[i])
		}
	}
	lines = append(lines, a.footer.renderFlash(a.flash), a.footer.renderHints(ctx))
	return strings.Join(lines, "\n")
}

// dataStatus says how fresh the data is and whether it will refresh itself.
func (a *App) dataStatus() string {
	var parts []string
	if a.refreshing() {
		parts = append(parts, "refreshing…")
	}
	if !a.updatedAt.IsZero() {
		parts = append(parts, "updated "+ago(a.c.Now().Sub(a.updatedAt)))
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
