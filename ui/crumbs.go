package ui

import (
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// crumbs is the line under the header: where the cursor is on the left and
// how fresh the data is on the right.
type crumbs struct {
	c     *Common
	width int
}

// SetSize sets the line width; it is always one line high.
func (b *crumbs) SetSize(w, _ int) { b.width = w }

func (b *crumbs) render(parts []string, status string) string {
	s := &b.c.Styles
	styled := make([]string, len(parts))
	for i, p := range parts {
		styled[i] = s.Crumb.Render(text(p))
	}
	left := " " + strings.Join(styled, s.CrumbSep.Render(" › "))
	right := s.Muted.Render(status) + " "
	room := b.width - ansi.StringWidth(right)
	if room < ansi.StringWidth(left)+1 {
		// Where the cursor is matters more than the age of the data.
		return fit(left, b.width)
	}
	return fit(left, room) + right
}
