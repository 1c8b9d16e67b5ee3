package ui

import (
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// help is the "?" overlay. It is generated from the KeyMap, so it lists
// exactly the keys that dispatch would honour, rebinds included, and says
// why a binding is disabled right now.
type help struct {
	c *Common

	width, height int
}

// SetSize sets the area the overlay is centred in.
func (h *help) SetSize(w, hh int) { h.width, h.height = w, hh }

// render returns exactly height lines of width cells with the help box
// centred in them.
func (h *help) render(ctx KeyContext) []string {
	s := &h.c.Styles
	bindings := h.c.Keys.Bindings()

	keyCol := 0
	for _, b := range bindings {
		keyCol = max(keyCol, ansi.StringWidth(keysLabel(b.Keys)))
	}
	keyCol = min(keyCol, 18) + 2

	var lines []string
	for _, b := range bindings {
		line := s.HintKey.Render(fit(keysLabel(b.Keys), keyCol)) + s.Text.Render(b.Help)
		if why := b.DisabledReason(ctx); why != "" {
			line += s.Muted.Render("  (now: " + why + ")")
		}
		lines = append(lines, line)
	}
	lines = append(lines, "")
	if h.c.ReadOnly {
		lines = append(lines, s.status(levelWarn).Render("read-only: actions that change the cluster are hidden"))
	}
	lines = append(lines, s.Muted.Render("? or esc closes this help"))

	inner := 0
	for _, l := range lines {
		inner = max(inner, ansi.StringWidth(l))
	}
	bw := min(inner+4, h.width)
	bh := min(len(lines)+2, h.height)
	boxed := box(s, "Keys", lines, bw, bh)

	top := (h.height - bh) / 2
	left := strings.Repeat(" ", (h.width-bw)/2)
	out := make([]string, 0, h.height)
	for range top {
		out = append(out, "")
	}
	for _, l := range boxed {
		out = append(out, left+l)
	}
	return block(out, h.width, h.height)
}
