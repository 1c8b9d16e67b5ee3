package ui

import (
	"slices"
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// flashKind picks a flash message's symbol and colour.
type flashKind int

const (
	flashInfo flashKind = iota
	flashWarn
	flashErr
)

// flash is a one-line message that clears itself after flashTTL. id lets a
// clear timer know whether its message is still the one on screen.
type flash struct {
	text string
	kind flashKind
	id   uint64
}

// footer is the flash line and the hint line at the bottom of the screen.
type footer struct {
	c     *Common
	width int
}

// SetSize sets the footer width; it is always two lines high.
func (f *footer) SetSize(w, _ int) { f.width = w }

func (f *footer) renderFlash(fl flash) string {
	if fl.text == "" {
		return ""
	}
	s := &f.c.Styles
	switch fl.kind {
	case flashWarn:
		return clip(" "+s.status(levelWarn).Render("▲ "+fl.text), f.width)
	case flashErr:
		return clip(" "+s.status(levelErr).Render("✖ "+fl.text), f.width)
	}
	return clip(" "+s.Accent.Render("• "+fl.text), f.width)
}

// renderHints draws the bindings marked Hint from the registry. When they do
// not fit it drops them from the right, keeping help and quit.
// Disabled bindings stay in place, dimmed, so the line does not jump about
// as the cursor moves.
func (f *footer) renderHints(ctx KeyContext) string {
	s := &f.c.Styles
	type item struct {
		text   string
		action string
		act    bool // a cluster action: kept longer than navigation hints
	}
	var items []item
	for _, b := range f.c.Keys.Bindings() {
		if !b.Hint || len(b.Keys) == 0 || !ctx.offers(b) {
			continue
		}
		if own, ok := f.c.Keys.MatchIn(ctx.Screen, b.Keys[0]); ok && own.Action != b.Action {
			// A screen's own binding of the key wins over the shared one
			// (enter on the wizard is "next", not "expand").
			continue
		}
		key, desc := keyLabel(b.Keys[0]), b.Action
		var text string
		why := ctx.reason(b)
		if why != "" && b.Dangerous {
			// Actions are hinted only where they apply: a cluster
			// action that cannot run here is noise on this line.
			continue
		}
		if why != "" {
			text = s.HintDisabled.Render(key + " " + desc)
		} else {
			text = s.HintKey.Render(key) + " " + s.HintDesc.Render(desc)
		}
		items = append(items, item{text, b.Action, b.Dangerous})
	}
	join := func(items []item) string {
		texts := make([]string, len(items))
		for i, it := range items {
			texts[i] = it.text
		}
		return " " + strings.Join(texts, s.Muted.Render(" · "))
	}
	line := join(items)
	// Help and quit are the ways out and the way to the rest, so they are
	// the last to go; the actions that apply to the selection go after
	// the navigation hints.
	keep := func(it item) bool { return it.action == ActionHelp || it.action == ActionQuit }
	for ansi.StringWidth(line) > f.width {
		drop := -1
		for i := len(items) - 1; i >= 0; i-- {
			if !keep(items[i]) && !items[i].act {
				drop = i
				break
			}
		}
		for i := len(items) - 1; drop < 0 && i >= 0; i-- {
			if !keep(items[i]) {
				drop = i
			}
		}
		if drop < 0 {
			break
		}
		items = slices.Delete(items, drop, drop+1)
		line = join(items)
	}
	return clip(line, f.width)
}
