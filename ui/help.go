package ui

import (
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// help is the "?" overlay. It is generated from the KeyMap, so it lists
// exactly the keys that dispatch would honour, rebinds included, and says
// why a binding is disabled right now. It flows into columns when the
// terminal is wide and scrolls (↑/↓) when it is short.
type help struct {
	c *Common

	width, height int
	pager         // the rows shown when the help is longer than the screen
}

// SetSize sets the area the overlay is centred in.
func (h *help) SetSize(w, hh int) { h.width, h.height = w, hh }

// lines returns the help entries, grouped: moving about, views, actions.
func (h *help) lines(ctx KeyContext) []string {
	s := &h.c.Styles
	bindings := h.c.Keys.Bindings()
	keyCol := 0
	for _, b := range bindings {
		if b.OnScreen(ctx.Screen) { // other screens' keys do not widen this one
			keyCol = max(keyCol, ansi.StringWidth(keysLabel(b.Keys)))
		}
	}
	keyCol = min(keyCol, 20) + 2

	var nav, acts []string
	for _, b := range bindings {
		if !ctx.offers(b) {
			continue
		}
		keys := keysLabel(b.Keys)
		if keys == "" {
			keys = "a …" // reachable through the actions menu
		}
		spec := specByAction(b.Action)
		// Two spaces always part the keys from the text, even when a long
		// key list is cut to the column.
		line := s.HintKey.Render(fit(keys, keyCol-2)) + "  "
		if spec != nil {
			// Actions are named: configs rebind them by these names.
			line += s.Accent.Render(fit(b.Action, 19))
		}
		line += s.Text.Render(b.Help)
		if why := ctx.reason(b); why != "" {
			if on, ok := strings.CutPrefix(why, "applies to "); ok {
				why = "on " + strings.SplitN(on, ",", 2)[0]
			} else {
				why = "now: " + why
			}
			line += s.Muted.Render("  (" + why + ")")
		}
		if spec != nil {
			acts = append(acts, line)
		} else {
			nav = append(nav, line)
		}
	}
	lines := append([]string{s.PaneTitle.Render("Keys")}, nav...)
	if len(acts) > 0 {
		lines = append(lines, "", s.PaneTitle.Render("Actions on the selection (or on every marked row)"))
		lines = append(lines, acts...)
	}
	if h.c.ReadOnly {
		lines = append(lines, "", s.status(levelWarn).Render("read-only: actions that change the cluster are hidden"))
	}
	return lines
}

// render returns exactly height lines of width cells with the help box
// centred in them.
func (h *help) render(ctx KeyContext) []string {
	s := &h.c.Styles
	lines := h.lines(ctx)
	footer := s.Muted.Render("? or esc closes this help · ↑↓ scroll")

	colW := 0
	for _, l := range lines {
		colW = max(colW, ansi.StringWidth(l))
	}
	avail := max(h.width-4, 10)
	colW = min(colW, avail)
	rows := max(h.height-3, 1) // border and footer
	// Flow into as many columns as fit side by side when the lines do not
	// fit in one.
	cols := 1
	for cols*rows < len(lines) && (cols+1)*colW+cols*3 <= avail {
		cols++
	}
	per := (len(lines) + cols - 1) / cols
	var all []string
	for r := 0; r < per; r++ {
		var b strings.Builder
		for c := range cols {
			i := c*per + r
			if i >= len(lines) {
				break
			}
			if c > 0 {
				b.WriteString("   ")
			}
			b.WriteString(fit(lines[i], colW))
		}
		all = append(all, b.String())
	}
	body := h.window(all, cols*colW+(cols-1)*3, rows)
	if per > rows {
		off := h.offset()
		footer = s.Muted.Render("? or esc closes this help · ↑↓ scroll (" + itoa(off+1) + "-" + itoa(min(off+rows, per)) + " of " + itoa(per) + ")")
	}
	body = append(body, footer)
	return centreBox(s, "Help", body, h.width, h.height)
}
