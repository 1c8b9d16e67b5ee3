package ui

import (
	"fmt"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
)

// :q and :quit in the palette quit the console, as in vim and k9s.
func TestPaletteQuit(t *testing.T) {
	for _, word := range []string{"q", "quit"} {
		h := newHarness(t, fullLab(), withCommands)
		h.init()
		h.press(":")
		h.typeText(word)
		h.press("enter")
		if !h.quit {
			t.Errorf(":%s did not quit; view:\n%s", word, h.view())
		}
	}
	h := newHarness(t, fullLab(), withCommands)
	h.init()
	h.press(":")
	h.typeText("qu")
	h.press("tab")
	if got := h.a.palette.in.String(); got != "quit " {
		t.Errorf(":qu<tab> completes to %q", got)
	}
}

// ctrl+f/ctrl+d page down and ctrl+b/ctrl+u page up, beside pgdown/pgup.
func TestCtrlPageKeys(t *testing.T) {
	at := func(keys ...string) string {
		h := openBig(t, 200, func(c *Common) { c.Height = 20 })
		h.press(keys...)
		return h.cursor()
	}
	for _, pair := range [][2]string{{"ctrl+f", "pgdown"}, {"ctrl+d", "pgdown"}} {
		got, want := at(pair[0]), at(pair[1])
		if got != want || got == at() {
			t.Errorf("%s: cursor %q, %s: %q (start %q)", pair[0], got, pair[1], want, at())
		}
	}
	for _, pair := range [][2]string{{"ctrl+b", "pgup"}, {"ctrl+u", "pgup"}} {
		got, want := at("G", pair[0]), at("G", pair[1])
		if got != want || got == at("G") {
			t.Errorf("%s: cursor %q, %s: %q", pair[0], got, pair[1], want)
		}
	}
}

// The mouse is opt-in: off, the wheel does nothing; on, the wheel moves
// the cursor three rows and a click selects the row under it.
func TestMouse(t *testing.T) {
	wheel := tea.MouseMsg{Action: tea.MouseActionPress, Button: tea.MouseButtonWheelDown}
	h := openBig(t, 50)
	start := h.cursor()
	h.send(wheel)
	if h.cursor() != start {
		t.Errorf("mouse off: the wheel moved the cursor to %q", h.cursor())
	}

	h = openBig(t, 50, func(c *Common) { c.Mouse = true })
	h.send(wheel)
	h3 := openBig(t, 50)
	h3.press("j", "j", "j")
	if h.cursor() != h3.cursor() {
		t.Errorf("wheel down: cursor %q, want %q (three rows)", h.cursor(), h3.cursor())
	}
	// Click on the fifth row of the tree.
	want := h.a.tree.rows[h.a.tree.offset+4]
	h.send(tea.MouseMsg{Action: tea.MouseActionPress, Button: tea.MouseButtonLeft, X: 5, Y: treeTop + 4})
	if want.selectable() && h.cursor() != want.id {
		t.Errorf("click: cursor %q, want %q", h.cursor(), want.id)
	}
	// A click outside the tree (on the detail pane) selects nothing.
	before := h.cursor()
	h.send(tea.MouseMsg{Action: tea.MouseActionPress, Button: tea.MouseButtonLeft, X: h.a.treeW + 3, Y: treeTop + 1})
	if h.cursor() != before {
		t.Errorf("click on the detail pane moved the cursor to %q", h.cursor())
	}
	// While the palette is open the mouse does nothing.
	h.press(":")
	h.send(wheel)
	if h.cursor() != before {
		t.Errorf("wheel under the palette moved the cursor to %q", h.cursor())
	}
}

// openBig opens the console on a pool of n images, expanded.
func openBig(t *testing.T, n int, opts ...func(*Common)) *harness {
	h := newHarness(t, bigPool(n), append([]func(*Common){withCommands}, opts...)...)
	h.init()
	h.press("j")
	h.do(ActionExpand)
	if len(h.a.tree.rows) < n {
		t.Fatalf("pool not expanded: %d rows", len(h.a.tree.rows))
	}
	return h
}

// The output overlay pages with the registry's page keys, and its window
// (bubbles' viewport) never scrolls past the last line.
func TestOutputPaging(t *testing.T) {
	h := openBig(t, 10, func(c *Common) { c.Height = 24 })
	var lines []string
	for i := range 100 {
		lines = append(lines, fmt.Sprintf("line %03d", i))
	}
	h.a.output = outputView{title: "x", lines: lines}
	h.a.overlay = overlayOutput
	h.view()
	h.press("ctrl+f")
	if h.a.output.offset() == 0 {
		t.Fatalf("ctrl+f did not page the output")
	}
	h.wantView(fmt.Sprintf("line %03d", h.a.output.offset()))
	h.press("G")
	h.view()
	h.press("ctrl+f")
	h.wantView("line 099", "of 100")
	h.wantNoView("line 000")
	h.press("ctrl+b", "g")
	h.view()
	h.wantView("line 000", "lines 1-")
}
