package ui

import (
	"strconv"
	"strings"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"

	"github.com/rbdtui/rbdtui/internal/termsafe"
)

// The layout code works in lines of known width rather than in lipgloss
// blocks: every component returns exactly the lines it was sized for, so the
// screen adds up to the terminal size by construction and the layout sweep
// test can check it.

// safe is the console's one guard for text from outside (names from a
// cluster, a file, command output, errors): every control character and
// escape sequence is shown visibly before the text is measured, so a name
// can neither drive the terminal nor break the layout. The colour escapes
// the console's own styles put in a line are kept when it draws in colour
// (SGR only: they cannot move the cursor, clear or retitle); without
// colour (NO_COLOR, goldens) every escape is shown.
func safe(s string) string {
	return termsafe.Line(s, lipgloss.ColorProfile() != termenv.Ascii)
}

// text quotes a string from outside (a name, a description, an error)
// before the console styles it: every escape, colour included, is shown
// visibly, so a name cannot recolour itself or its neighbours. safe, the
// guard of whole styled lines, must keep the console's own colour.
func text(s string) string { return termsafe.Text(s) }

// fit truncates s to width w (adding "…") and pads it with spaces to exactly
// w cells. It is ANSI-aware, so styled text keeps its escapes.
func fit(s string, w int) string {
	if w <= 0 {
		return ""
	}
	s = safe(s)
	if ansi.StringWidth(s) > w {
		s = ansi.Truncate(s, w, "…")
	}
	if pad := w - ansi.StringWidth(s); pad > 0 {
		s += strings.Repeat(" ", pad)
	}
	return s
}

// clip truncates s to at most w cells without padding.
func clip(s string, w int) string {
	if w <= 0 {
		return ""
	}
	s = safe(s)
	if ansi.StringWidth(s) > w {
		return ansi.Truncate(s, w, "…")
	}
	return s
}

// block makes lines exactly h lines of exactly w cells, dropping extra lines
// and padding missing ones.
func block(lines []string, w, h int) []string {
	out := make([]string, h)
	for i := range out {
		if i < len(lines) {
			out[i] = fit(lines[i], w)
		} else {
			out[i] = strings.Repeat(" ", max(w, 0))
		}
	}
	return out
}

// box draws lines inside a rounded border with the title set into the top
// edge. The result is exactly h lines of exactly w cells; content gets
// w-4 columns (border plus one space of padding each side) and h-2 rows.
func box(s *Styles, title string, lines []string, w, h int) []string {
	if w < 4 || h < 2 {
		return block(nil, w, h)
	}
	inner := w - 4
	out := make([]string, 0, h)
	if title != "" && w >= 7 {
		t := clip(text(title), w-6)         // titles name clusters' objects
		fill := w - 5 - ansi.StringWidth(t) // "╭─ " + title + " " + fill + "╮"
		out = append(out, s.Border.Render("╭─ ")+s.PaneTitle.Render(t)+s.Border.Render(" "+strings.Repeat("─", fill)+"╮"))
	} else {
		out = append(out, s.Border.Render("╭"+strings.Repeat("─", w-2)+"╮"))
	}
	side := s.Border.Render("│")
	for _, l := range block(lines, inner, h-2) {
		out = append(out, side+" "+l+" "+side)
	}
	out = append(out, s.Border.Render("╰"+strings.Repeat("─", w-2)+"╯"))
	return out
}

func itoa(n int) string { return strconv.Itoa(n) }
