package ui

import (
	"context"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/rbdtui/rbdtui/internal/grammar"
)

// A Screen takes over the body of the console, between the crumbs and the
// status line, for a task bigger than a pane: the live failover watch, the
// failover wizard, the guided journal inspector. Screens stack: the wizard
// ends by replacing itself with the watch; esc on a screen that does not
// use it pops back to what was below (in the end, the tree).
//
// The App keeps the header, crumbs, status line, hints, palette, help and
// command log around every screen, routes keys through the one key registry
// (the screen's own scope first, see Binding.Scope), and hands every
// message it does not own to every open screen, so a screen's background
// loads keep landing while another screen is on top.
type Screen interface {
	// Name is the key scope of the screen's own bindings (ScopeWatch,
	// ScopeWizard, ScopeInspector).
	Name() string
	// Title is the screen's crumb ("watch rbd", "failover wizard").
	Title() string
	// Init starts the screen's first loads; called once when it opens.
	Init() tea.Cmd
	// Key sees every key press first, so a screen with a text field
	// (a typed confirmation, a file name) can take raw keys; it returns
	// false for keys it leaves to the registry.
	Key(k tea.KeyMsg) (tea.Cmd, bool)
	// Action runs a registry binding: the screen's own scope, or a shared
	// navigation action (up, down, page-up, expand, back, ...). It returns
	// false for actions it does not use; the App then applies the global
	// ones (palette, help, log, quit; back closes the screen) and flashes
	// that anything else does not apply here.
	Action(b Binding) (tea.Cmd, bool)
	// Update handles the screen's own messages (and may look at others,
	// such as its jobs' progress); it must ignore what is not its own.
	Update(msg tea.Msg) tea.Cmd
	// View renders exactly h lines, none wider than w cells.
	View(w, h int) []string
}

// actionUser is implemented by a screen that uses only some of the shared
// actions (the watch has no use for expand): hints and help list just
// those. A screen without it is offered every shared action.
type actionUser interface {
	Uses(action string) bool
}

// Key scopes of the screens' own bindings.
const (
	ScopeWatch     = "watch"
	ScopeWizard    = "wizard"
	ScopeInspector = "inspector"
)

// screenEnv is what a screen may use of the App: the shared settings, the
// App's context (cancelled on quit), timers that tests fire by hand, jobs
// that run commands of the grammar through Backend.Exec with the command
// log and its rbd equivalents, and the flash line.
type screenEnv struct {
	c   *Common
	ctx context.Context
	// after schedules a timer message (tea.Tick in production).
	after func(time.Duration, func(time.Time) tea.Msg) tea.Cmd
	// startJob runs argvs one after the other as one logged job; its
	// jobProgressMsg, jobStepMsg and jobDoneMsg carry the returned id and
	// reach the screens as well as the App.
	startJob func(label string, argvs [][]string) (uint64, tea.Cmd)
	// flash shows a message on the status line.
	flash func(kind flashKind, text string) tea.Cmd
}

// Messages a screen returns (as Cmds) to change the stack.
type (
	pushScreenMsg    struct{ s Screen }
	replaceScreenMsg struct {
		s Screen
		// started: s has run its Init already (a screen shown inside
		// another, now taking the whole body).
		started bool
	}
	popScreenMsg struct{ s Screen }
)

// pushScreen opens s on top of the current screen (or the tree).
func pushScreen(s Screen) tea.Cmd { return func() tea.Msg { return pushScreenMsg{s} } }

// replaceScreen closes the top screen and opens s in its place.
func replaceScreen(s Screen) tea.Cmd { return func() tea.Msg { return replaceScreenMsg{s: s} } }

// replaceStartedScreen is replaceScreen for a screen already initialised
// (the wizard's live watch): it is not started again.
func replaceStartedScreen(s Screen) tea.Cmd {
	return func() tea.Msg { return replaceScreenMsg{s: s, started: true} }
}

// popScreen closes s (if it is open).
func popScreen(s Screen) tea.Cmd { return func() tea.Msg { return popScreenMsg{s} } }

// env returns the screenEnv of the App.
func (a *App) env() *screenEnv {
	return &screenEnv{
		c: &a.c, ctx: a.ctx,
		after: func(d time.Duration, fn func(time.Time) tea.Msg) tea.Cmd { return a.after(d, fn) },
		startJob: func(label string, argvs [][]string) (uint64, tea.Cmd) {
			cmd := a.startJob(label, argvs, false)
			return a.jobSeq, cmd
		},
		flash: a.setFlash,
	}
}

// topScreen is the screen on top, or nil when the tree shows.
func (a *App) topScreen() Screen {
	if len(a.screens) == 0 {
		return nil
	}
	return a.screens[len(a.screens)-1]
}

// onScreenMsg changes the stack.
func (a *App) onScreenMsg(msg tea.Msg) tea.Cmd {
	switch m := msg.(type) {
	case pushScreenMsg:
		a.screens = append(a.screens, m.s)
		return m.s.Init()
	case replaceScreenMsg:
		if len(a.screens) > 0 {
			a.screens = a.screens[:len(a.screens)-1]
		}
		a.screens = append(a.screens, m.s)
		if m.started {
			return nil
		}
		return m.s.Init()
	case popScreenMsg:
		for i, s := range a.screens {
			if s == m.s {
				a.screens = append(a.screens[:i:i], a.screens[i+1:]...)
				break
			}
		}
	}
	return nil
}

// toScreens hands a message to every open screen.
func (a *App) toScreens(msg tea.Msg) tea.Cmd {
	var cmds []tea.Cmd
	for _, s := range a.screens {
		cmds = append(cmds, s.Update(msg))
	}
	return tea.Batch(cmds...)
}

// screenKey routes a key press while a screen is on top: raw to the screen,
// then through the registry in the screen's scope, then the global actions.
func (a *App) screenKey(s Screen, k tea.KeyMsg) tea.Cmd {
	if keyName(k) == "ctrl+c" {
		return a.quit()
	}
	if cmd, ok := s.Key(k); ok {
		return cmd
	}
	b, ok := a.c.Keys.MatchIn(s.Name(), keyName(k))
	if !ok {
		if tb, onTree := a.c.Keys.Match(keyName(k)); onTree {
			return a.setFlash(flashWarn, tb.Help+": not on the "+s.Title()+" screen (esc goes back)")
		}
		return nil
	}
	if cmd, ok := s.Action(b); ok {
		return cmd
	}
	switch b.Action {
	case ActionBack:
		a.screens = a.screens[:len(a.screens)-1]
		return nil
	case ActionPalette:
		a.openPalette()
		return nil
	case ActionHelp:
		a.overlay = overlayHelp
		a.help.reset()
		return nil
	case ActionLog:
		a.showLog = !a.showLog
		a.layout()
		return nil
	case ActionOutput:
		if len(a.output.lines) > 0 {
			a.overlay = overlayOutput
		}
		return nil
	case ActionQuit:
		return a.quit()
	}
	return a.setFlash(flashWarn, b.Help+": not on the "+s.Title()+" screen (esc goes back)")
}

// renderScreen draws the top screen in the body, above the command log.
func (a *App) renderScreen(s Screen, w int) []string {
	h := a.bodyH - a.logH
	lines := s.View(w, h)
	// A screen must fill its area exactly; guard the layout anyway.
	for len(lines) < h {
		lines = append(lines, "")
	}
	lines = lines[:h]
	for i, l := range lines {
		lines[i] = clip(l, w)
	}
	if a.logH > 0 {
		lines = append(lines, a.renderLog(w, a.logH)...)
	}
	return lines
}

// screenName is the Name of the screen on top, "" for the tree.
func (a *App) screenName() string {
	if s := a.topScreen(); s != nil {
		return s.Name()
	}
	return ""
}

// screenBindings are the screens' own bindings, in the registry after the
// tree's.
func screenBindings() []Binding {
	var out []Binding
	out = append(out, watchBindings()...)
	out = append(out, wizardBindings()...)
	out = append(out, inspectorBindings()...)
	return out
}

// openStart opens the screen the console was started on (`rbdtui watch
// rbd` puts "watch rbd" in Common.Start), as if typed in the palette.
func (a *App) openStart() tea.Cmd {
	if len(a.c.Start) == 0 {
		return nil
	}
	inv, err := a.c.Commands.Parse(a.c.Start)
	if err != nil {
		return a.setFlash(flashErr, oneLine(err.Error()))
	}
	return a.openScreenCommand(inv)
}

// openScreenCommand opens the screen a Screen command of the grammar names.
func (a *App) openScreenCommand(inv *grammar.Invocation) tea.Cmd {
	switch inv.Cmd.Screen {
	case ScopeWatch:
		return a.openWatchCommand(inv)
	case "inspect":
		return a.openInspectorCommand(inv)
	}
	return a.setFlash(flashErr, "'"+inv.Cmd.Name()+"' opens a screen this console does not have")
}
