package ui

import (
	tea "github.com/charmbracelet/bubbletea"

	"github.com/rbdtui/rbdtui/internal/grammar"
)

// The failover wizard. (Being built: see issue #7.)

// wizardBindings are the wizard's own key bindings.
func wizardBindings() []Binding { return nil }

// openWizardOn opens the wizard with the selection as its scope (`F`).
func (a *App) openWizardOn(ctx KeyContext) tea.Cmd {
	return a.setFlash(flashWarn, "the failover wizard is not in this build yet")
}

// wizardWanted reports whether a parsed `failover` lacks a scope, so the
// palette opens the wizard to ask for it.
func wizardWanted(inv *grammar.Invocation) bool { return false }

// openWizardCommand opens the wizard prefilled from a `failover` command.
func (a *App) openWizardCommand(inv *grammar.Invocation) tea.Cmd {
	return a.setFlash(flashWarn, "the failover wizard is not in this build yet")
}
