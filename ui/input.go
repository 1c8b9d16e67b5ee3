package ui

import (
	"unicode"

	tea "github.com/charmbracelet/bubbletea"
)

// lineInput is a one-line text editor for the filter, the palette and the
// dialogs: runes insert at the cursor; backspace, delete, ←/→, home/end,
// ctrl+a/e, ctrl+u (clear to start) and ctrl+w (delete word) edit.
type lineInput struct {
	text []rune
	pos  int
}

func (in *lineInput) String() string { return string(in.text) }

func (in *lineInput) set(s string) {
	in.text = []rune(s)
	in.pos = len(in.text)
}

// update applies an editing key and reports whether it was one.
func (in *lineInput) update(k tea.KeyMsg) bool {
	switch k.Type {
	case tea.KeyRunes:
		if k.Paste || len(k.Runes) > 0 {
			in.insert(k.Runes)
		}
	case tea.KeySpace:
		in.insert([]rune{' '})
	case tea.KeyBackspace:
		if in.pos > 0 {
			in.text = append(in.text[:in.pos-1], in.text[in.pos:]...)
			in.pos--
		}
	case tea.KeyDelete:
		if in.pos < len(in.text) {
			in.text = append(in.text[:in.pos], in.text[in.pos+1:]...)
		}
	case tea.KeyLeft:
		in.pos = max(in.pos-1, 0)
	case tea.KeyRight:
		in.pos = min(in.pos+1, len(in.text))
	case tea.KeyHome, tea.KeyCtrlA:
		in.pos = 0
	case tea.KeyEnd, tea.KeyCtrlE:
		in.pos = len(in.text)
	case tea.KeyCtrlU:
		in.text = append([]rune(nil), in.text[in.pos:]...)
		in.pos = 0
	case tea.KeyCtrlW:
		i := in.pos
		for i > 0 && unicode.IsSpace(in.text[i-1]) {
			i--
		}
		for i > 0 && !unicode.IsSpace(in.text[i-1]) {
			i--
		}
		in.text = append(in.text[:i], in.text[in.pos:]...)
		in.pos = i
	default:
		return false
	}
	return true
}

func (in *lineInput) insert(rs []rune) {
	clean := make([]rune, 0, len(rs))
	for _, r := range rs {
		if r == '\n' || r == '\r' || r == '\t' {
			r = ' '
		}
		if unicode.IsPrint(r) {
			clean = append(clean, r)
		}
	}
	in.text = append(in.text[:in.pos], append(clean, in.text[in.pos:]...)...)
	in.pos += len(clean)
}

// view renders the text with a visible cursor, drawn as characters (a
// block at the end, a "▏" before the character under it) so it shows
// without colour too. It scrolls to keep the cursor within w cells.
func (in *lineInput) view(s *Styles, w int) string {
	if w <= 1 {
		return ""
	}
	text := in.text
	pos := in.pos
	// Scroll so the cursor stays visible.
	start := 0
	if pos >= w-1 {
		start = pos - (w - 2)
	}
	end := min(len(text), start+w-1)
	before := string(text[start:pos])
	if pos >= len(text) {
		return s.Text.Render(before) + s.Accent.Render("█")
	}
	return s.Text.Render(before) + s.Accent.Render("▏") + s.Text.Render(string(text[pos:end]))
}
