package ui

import (
	"strings"

	tea "github.com/charmbracelet/bubbletea"
)

// TEMPORARY, branch ui-wizard only: the live watch lands with ui-watch,
// whose ui/watch.go defines watchScope and newWatch with exactly these
// shapes. This stand-in lets the wizard hand off to the watch until then;
// delete this file when ui-watch is merged.

// watchScope is what a watch follows.
type watchScope struct {
	Pool   string
	Group  string   // "pool/group"
	Images []string // "pool/image"
}

// newWatch opens the watch on scope.
func newWatch(env *screenEnv, scope watchScope) Screen { return &watchStub{env: env, scope: scope} }

type watchStub struct {
	env   *screenEnv
	scope watchScope
}

func (w *watchStub) what() string {
	switch {
	case w.scope.Pool != "":
		return w.scope.Pool
	case w.scope.Group != "":
		return "group " + w.scope.Group
	}
	return strings.Join(w.scope.Images, " ")
}

func (w *watchStub) Name() string                   { return ScopeWatch }
func (w *watchStub) Title() string                  { return "watch " + w.what() }
func (w *watchStub) Init() tea.Cmd                  { return nil }
func (w *watchStub) Key(tea.KeyMsg) (tea.Cmd, bool) { return nil, false }
func (w *watchStub) Action(Binding) (tea.Cmd, bool) { return nil, false }
func (w *watchStub) Update(tea.Msg) tea.Cmd         { return nil }
func (w *watchStub) View(width, h int) []string {
	s := &w.env.c.Styles
	return box(s, "Watch "+w.what(), []string{s.Text.Render("watching " + w.what()),
		s.Muted.Render("(the live watch screen lands with the ui-watch branch)")}, width, h)
}
