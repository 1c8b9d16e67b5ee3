package progress

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestBar(t *testing.T) {
	for _, tc := range []struct {
		done, total int64
		want        string
	}{
		{0, 10, "░░░░░░░░░░"},
		{5, 10, "█████░░░░░"},
		{10, 10, "██████████"},
		{999, 1000, "█████████░"}, // never full before the end
		{3, 0, "░░░░░░░░░░"},
	} {
		if got := Bar(tc.done, tc.total, 10); got != tc.want {
			t.Errorf("Bar(%d, %d) = %q, want %q", tc.done, tc.total, got, tc.want)
		}
	}
}

func TestLine(t *testing.T) {
	var b bytes.Buffer
	l := &Line{W: &b, Label: "importing rbd/abc", Width: 100}
	l.Update(Counts{Entries: 1, TotalEntries: 4, Bytes: 2048})
	l.Update(Counts{Entries: 2, TotalEntries: 4, Bytes: 4096}) // within Interval: not drawn
	l.Done(Counts{Entries: 4, TotalEntries: 4, Bytes: 3 << 20, Elapsed: 2 * time.Second})
	out := b.String()
	if strings.Count(out, "\r") != 2 || !strings.HasSuffix(out, "\n") {
		t.Errorf("redraws: %q", out)
	}
	if !strings.Contains(out, "1/4 entries · 2.0 KiB") || !strings.Contains(out, "4/4 entries · 3.0 MiB · 1.5 MiB/s") {
		t.Errorf("figures: %q", out)
	}
	if Describe := (Counts{Entries: 1234567}).Describe(); !strings.HasPrefix(Describe, "1,234,567 entries") {
		t.Errorf("thousands: %q", Describe)
	}
}
