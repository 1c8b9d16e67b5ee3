package ui

import (
	tea "github.com/charmbracelet/bubbletea"

	"github.com/rbdtui/rbdtui/internal/grammar"
)

// The live failover watch. (Being built: see issue #7.)

// watchBindings are the watch screen's own key bindings.
func watchBindings() []Binding { return nil }

// openWatchOn opens the watch on the selection (`w`).
func (a *App) openWatchOn(ctx KeyContext) tea.Cmd {
	return a.setFlash(flashWarn, "the watch screen is not in this build yet")
}

// openWatchCommand opens the watch a `watch` command names.
func (a *App) openWatchCommand(inv *grammar.Invocation) tea.Cmd {
	return a.setFlash(flashWarn, "the watch screen is not in this build yet")
}
