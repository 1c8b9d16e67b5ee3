package ui

import (
	"strings"

	"github.com/charmbracelet/bubbles/viewport"
)

// pager is the scroll state of a long pane (help, a command's output):
// bubbles' viewport holds the offset, clamps it to the content and cuts
// the window of lines. Keys reach it through the key registry (with its
// reasons and scopes), never through viewport's own key map, and the lines
// are fitted to the width before, so the layout stays ours.
type pager struct {
	vp viewport.Model
}

// window sets the content and the visible height, and returns the lines
// on screen: at most rows, never padded below the content.
func (p *pager) window(lines []string, width, rows int) []string {
	fitted := make([]string, len(lines))
	for i, l := range lines {
		fitted[i] = fit(l, width)
	}
	off := p.vp.YOffset
	p.vp.Width, p.vp.Height = width, max(min(rows, len(fitted)), 1)
	p.vp.SetContent(strings.Join(fitted, "\n"))
	p.vp.SetYOffset(off)
	if len(fitted) == 0 {
		return nil
	}
	return strings.Split(p.vp.View(), "\n")
}

// scroll moves the window by n lines (up when negative), within the
// content as last drawn.
func (p *pager) scroll(n int) {
	if n < 0 {
		p.vp.ScrollUp(-n)
	} else {
		p.vp.ScrollDown(n)
	}
}

func (p *pager) top()        { p.vp.GotoTop() }
func (p *pager) bottom()     { p.vp.GotoBottom() }
func (p *pager) offset() int { return p.vp.YOffset }

// reset puts the window back at the top, for new content.
func (p *pager) reset() { p.vp.SetYOffset(0) }
