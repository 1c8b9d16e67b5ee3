package ui

import (
	tea "github.com/charmbracelet/bubbletea"

	"github.com/rbdtui/rbdtui/internal/grammar"
)

// The guided journal inspector. (Being built: see issue #7.)

// inspectorBindings are the inspector's own key bindings.
func inspectorBindings() []Binding { return nil }

// openInspectorOn opens the inspector on the selected image's journal (`J`).
func (a *App) openInspectorOn(ctx KeyContext) tea.Cmd {
	return a.setFlash(flashWarn, "the journal inspector is not in this build yet")
}

// openInspectorCommand opens the inspector an `inspect` command names.
func (a *App) openInspectorCommand(inv *grammar.Invocation) tea.Cmd {
	return a.setFlash(flashWarn, "the journal inspector is not in this build yet")
}
