package ui

import (
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
	"github.com/rbdtui/rbdtui/themes"
)

// The line editor (bubbles' textinput underneath): word motions, paste of
// several lines, control characters dropped, wide characters drawn in
// their cells.
func TestLineInputEditing(t *testing.T) {
	var in lineInput
	in.update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("mirror image\nstatus\x1b[2J"), Paste: true})
	if got := in.String(); got != "mirror image status[2J" {
		t.Fatalf("paste: %q", got)
	}
	in.set("mirror image status rbd/vol1")
	in.update(tea.KeyMsg{Type: tea.KeyLeft, Alt: true}) // word back
	in.update(tea.KeyMsg{Type: tea.KeyCtrlW})           // delete the word before
	if got := in.String(); got != "mirror image rbd/vol1" {
		t.Errorf("alt+← then ctrl+w: %q", got)
	}
	in.update(tea.KeyMsg{Type: tea.KeyCtrlK}) // delete to the end
	if got := in.String(); got != "mirror image " {
		t.Errorf("ctrl+k: %q", got)
	}
	in.update(tea.KeyMsg{Type: tea.KeyCtrlA})
	in.update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("d"), Alt: true}) // alt+d deletes a word forward
	if got := in.String(); got != " image " {
		t.Errorf("alt+d: %q", got)
	}
	if in.update(tea.KeyMsg{Type: tea.KeyTab}) || in.update(tea.KeyMsg{Type: tea.KeyUp}) || in.update(tea.KeyMsg{Type: tea.KeyEnter}) {
		t.Error("tab, ↑ or enter taken by the editor: they belong to the palette")
	}

	th, _ := themes.Load("dark")
	s := NewStyles(th)
	in.set("日本語のイメージ名")
	for _, w := range []int{6, 9, 30} {
		if got := ansi.StringWidth(in.view(&s, w)); got > w {
			t.Errorf("wide text in %d cells drawn %d wide", w, got)
		}
	}
}

// The editor's share of a keystroke (the filter benchmark adds the
// filtering of 10,000 images on top).
func BenchmarkLineInputKey(b *testing.B) {
	var in lineInput
	in.set("mirror image status rbd/vol-0000")
	k := tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("x")}
	bs := tea.KeyMsg{Type: tea.KeyBackspace}
	for b.Loop() {
		in.update(k)
		in.update(bs)
	}
}
