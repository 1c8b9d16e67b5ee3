// Package progress is rbdtui's one progress bar and one spinner, drawn the
// same way by the console and the CLI: both come from bubbles (progress,
// spinner), so a journal export looks alike in a terminal and in a
// console job. It does no I/O but writing the CLI's line to a terminal.
package progress

import (
	"fmt"
	"io"
	"strings"
	"time"

	bprogress "github.com/charmbracelet/bubbles/progress"
	"github.com/charmbracelet/bubbles/spinner"
	"github.com/muesli/termenv"
)

// Spinner is the one spinner: its frames and their rate.
var Spinner = spinner.MiniDot

// Frame is the spinner's frame for tick i.
func Frame(i int) string {
	return Spinner.Frames[(i%len(Spinner.Frames)+len(Spinner.Frames))%len(Spinner.Frames)]
}

// Fill and Empty are the bar's characters.
const (
	Fill  = '█'
	Empty = '░'
)

// Bar draws done of total as a bar w cells wide, uncoloured (the caller
// styles it: the console with its theme, the CLI as is).
func Bar(done, total int64, w int) string {
	if w <= 0 {
		return ""
	}
	frac := 0.0
	if total > 0 {
		frac = float64(min(max(done, 0), total)) / float64(total)
	}
	m := bprogress.New(bprogress.WithWidth(w), bprogress.WithoutPercentage(),
		bprogress.WithFillCharacters(Fill, Empty), bprogress.WithColorProfile(termenv.Ascii))
	// bubbles rounds to the nearest cell; a bar is full only when done.
	bar := m.ViewAs(frac)
	if done < total && strings.Count(bar, string(Fill)) == w {
		bar = strings.Repeat(string(Fill), w-1) + string(Empty)
	}
	return bar
}

// Bytes formats a byte count in binary units, as rbd does.
func Bytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}

// Counts is how far a transfer is: entries and bytes done, of a total
// when it is known (0: unknown, a spinner instead of a bar).
type Counts struct {
	Entries, TotalEntries int64
	Bytes                 int64
	Elapsed               time.Duration
}

// Describe is the figures beside the bar: "1,024/4,096 entries · 3.2 MiB
// · 1.1 MiB/s".
func (c Counts) Describe() string {
	s := thousands(c.Entries)
	if c.TotalEntries > 0 {
		s += "/" + thousands(c.TotalEntries)
	}
	s += " entries · " + Bytes(c.Bytes)
	if secs := c.Elapsed.Seconds(); secs > 0.05 {
		s += " · " + Bytes(int64(float64(c.Bytes)/secs)) + "/s"
	}
	return s
}

func thousands(n int64) string {
	s := fmt.Sprint(n)
	if n < 0 {
		return s
	}
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Line is the CLI's progress on a terminal: one line redrawn in place
// (carriage return), at most every Interval, and ended by Done. Off a
// terminal use nothing: scripts get no progress noise.
type Line struct {
	W     io.Writer
	Label string // "exporting rbd/1234abcd", after the figures
	Width int    // of the terminal; the line never wraps
	start time.Time
	last  time.Time
	tick  int
	drawn bool
}

// Interval is how often the line is redrawn at most.
const Interval = 100 * time.Millisecond

// Update redraws the line unless it was drawn less than Interval ago.
func (l *Line) Update(c Counts) {
	now := time.Now()
	if l.start.IsZero() {
		l.start = now
	}
	if l.drawn && now.Sub(l.last) < Interval {
		return
	}
	l.last, l.drawn = now, true
	l.tick++
	if c.Elapsed == 0 {
		c.Elapsed = now.Sub(l.start)
	}
	l.draw(c)
}

// Done draws the final figures and ends the line.
func (l *Line) Done(c Counts) {
	if l.start.IsZero() {
		l.start = time.Now()
	}
	if c.Elapsed == 0 {
		c.Elapsed = time.Since(l.start)
	}
	if c.TotalEntries > 0 {
		c.Entries = min(c.Entries, c.TotalEntries)
	}
	l.draw(c)
	fmt.Fprintln(l.W)
}

func (l *Line) draw(c Counts) {
	width := l.Width
	if width <= 0 {
		width = 80
	}
	var head string
	if c.TotalEntries > 0 {
		head = Bar(c.Entries, c.TotalEntries, 20) + " "
	} else {
		head = Frame(l.tick) + " "
	}
	// The figures first: on a narrow terminal the label is what is cut.
	line := head + c.Describe() + "  " + l.Label
	if r := []rune(line); len(r) > width-1 {
		line = string(r[:width-1])
	}
	// \r and erase to the end of the line: a shorter line leaves nothing.
	fmt.Fprint(l.W, "\r"+line+"\x1b[K")
}
