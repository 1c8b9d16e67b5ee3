package ui

import (
	"unicode"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/mattn/go-runewidth"
)

// lineInput is the one-line text editor of the filter, the palette and
// the dialogs. Editing is bubbles' textinput (readline keys: ←/→, home/end,
// ctrl+a/e, ctrl+u/k, ctrl+w and alt+backspace, alt+←/→ and ctrl+←/→ by
// word, alt+d, bracketed paste); the drawing is ours (see view), because
// the console shows the cursor as a character that survives a terminal
// without colour, and the goldens pin it. Its zero value is ready to use.
type lineInput struct {
	ti textinput.Model
	ok bool
}

// model returns the editor, creating it on first use.
func (in *lineInput) model() *textinput.Model {
	if !in.ok {
		in.ti = textinput.New()
		in.ti.Prompt = ""
		// Tab, ↑/↓ belong to the palette (completion, history), and the
		// clipboard is the terminal's business (its paste arrives as
		// bracketed paste): not the editor's.
		for _, b := range []*key.Binding{&in.ti.KeyMap.AcceptSuggestion, &in.ti.KeyMap.NextSuggestion,
			&in.ti.KeyMap.PrevSuggestion, &in.ti.KeyMap.Paste} {
			b.SetEnabled(false)
		}
		in.ti.Focus()
		in.ok = true
	}
	return &in.ti
}

func (in *lineInput) String() string { return in.model().Value() }

func (in *lineInput) set(s string) {
	m := in.model()
	m.SetValue(s)
	m.CursorEnd()
}

// update applies an editing key and reports whether it was one.
func (in *lineInput) update(k tea.KeyMsg) bool {
	m := in.model()
	switch k.Type {
	case tea.KeySpace:
		k = tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{' '}}
	case tea.KeyRunes:
		// Typed or pasted text: newlines and tabs become spaces, and
		// control characters never enter the line.
		k.Runes = printable(k.Runes)
	default:
		if !editingKey(m.KeyMap, k) {
			return false
		}
	}
	*m, _ = m.Update(k)
	return true
}

// editingKey reports whether k is one of the editor's enabled keys.
func editingKey(km textinput.KeyMap, k tea.KeyMsg) bool {
	for _, b := range []key.Binding{km.CharacterForward, km.CharacterBackward, km.WordForward, km.WordBackward,
		km.DeleteWordBackward, km.DeleteWordForward, km.DeleteAfterCursor, km.DeleteBeforeCursor,
		km.DeleteCharacterBackward, km.DeleteCharacterForward, km.LineStart, km.LineEnd} {
		if key.Matches(k, b) {
			return true
		}
	}
	return false
}

func printable(rs []rune) []rune {
	clean := make([]rune, 0, len(rs))
	for _, r := range rs {
		if r == '\n' || r == '\r' || r == '\t' {
			r = ' '
		}
		if unicode.IsPrint(r) {
			clean = append(clean, r)
		}
	}
	return clean
}

// view renders the text with a visible cursor, drawn as characters (a
// block at the end, a "▏" before the character under it) so it shows
// without colour too. It scrolls to keep the cursor within w cells,
// counting wide characters as two.
func (in *lineInput) view(s *Styles, w int) string {
	if w <= 1 {
		return ""
	}
	m := in.model()
	text := []rune(m.Value())
	pos := min(m.Position(), len(text))
	// Scroll so the cursor (one cell) stays visible: from the cursor
	// back, as many characters as fit.
	start, cells := pos, 1
	for start > 0 && cells+runewidth.RuneWidth(text[start-1]) <= w-1 {
		start--
		cells += runewidth.RuneWidth(text[start])
	}
	before := string(text[start:pos])
	if pos >= len(text) {
		return s.Text.Render(before) + s.Accent.Render("█")
	}
	// The "▏" takes a cell of its own: the line is w cells in all.
	end := pos
	for end < len(text) && cells+runewidth.RuneWidth(text[end]) <= w {
		cells += runewidth.RuneWidth(text[end])
		end++
	}
	return s.Text.Render(before) + s.Accent.Render("▏") + s.Text.Render(string(text[pos:end]))
}
