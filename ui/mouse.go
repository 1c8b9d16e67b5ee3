package ui

import tea "github.com/charmbracelet/bubbletea"

// wheelStep is how many rows one wheel notch scrolls, as k9s does.
const wheelStep = 3

// treeTop is the screen row of the tree's first row: the header, the
// breadcrumbs and the pane's top border are above it.
const treeTop = 3

// mouse handles the opt-in mouse (ui.mouse: true): the wheel moves through
// whatever the keys' up and down would, a left click on a tree row selects
// it. While the operator types (palette, filter, dialog) the mouse does
// nothing, so a stray click never changes what a confirmation is about.
func (a *App) mouse(m tea.MouseMsg) tea.Cmd {
	if !a.c.Mouse || m.Action != tea.MouseActionPress {
		return nil
	}
	if a.palette != nil || a.filterIn != nil || a.overlay == overlayDialog || a.overlay == overlayMenu {
		return nil
	}
	switch m.Button {
	case tea.MouseButtonWheelUp:
		return a.wheel(-wheelStep)
	case tea.MouseButtonWheelDown:
		return a.wheel(wheelStep)
	case tea.MouseButtonLeft:
		if a.overlay != overlayNone || a.topScreen() != nil || m.X >= a.treeW {
			return nil
		}
		i := a.tree.offset + m.Y - treeTop
		if m.Y < treeTop || m.Y-treeTop >= a.tree.height || i < 0 || i >= len(a.tree.rows) || !a.tree.rows[i].selectable() {
			return nil
		}
		a.tree.setCursor(i)
	}
	return nil
}

// wheel scrolls the view on top by n rows (up when negative).
func (a *App) wheel(n int) tea.Cmd {
	switch {
	case a.overlay == overlayHelp:
		a.help.scroll(n)
	case a.overlay == overlayOutput:
		a.output.scroll(n)
	case a.topScreen() != nil:
		action := ActionDown
		if n < 0 {
			action, n = ActionUp, -n
		}
		b, _ := a.c.Keys.Lookup(action)
		var cmds []tea.Cmd
		for range n {
			if cmd, ok := a.topScreen().Action(b); ok {
				cmds = append(cmds, cmd)
			}
		}
		return tea.Batch(cmds...)
	default:
		a.tree.move(n)
	}
	return nil
}
