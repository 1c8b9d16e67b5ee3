package ui

import (
	"strconv"
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// The layout code works in lines of known width rather than in lipgloss
// blocks: every component returns exactly the lines it was sized for, so the
// screen adds up to the terminal size by construction and the layout sweep
// test can check it.

// fit truncates s to width w (adding "…") and pads it with spaces to exactly
// w cells. It is ANSI-aware, so styled text keeps its escapes.
func fit(s string, w int) string {
	if w <= 0 {
		return ""
	}
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
		t := clip(title, w-6)
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
