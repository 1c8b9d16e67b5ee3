package ui

import (
	"bytes"
	"errors"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"

	"github.com/rbdtui/rbdtui/ui/uitest"
)

// Goldens compare the settled FinalModel().View(), not the output stream:
// the renderer's byte stream depends on frame timing (tui-anchors §3).
// Regenerate with: go test ./ui -run TestGolden -update

type goldenCase struct {
	name    string
	w, h    int
	fixture func() *uitest.Fixture
	keys    []string
	wait    string // text that proves the screen has settled
}

func unreachableLab() *uitest.Fixture {
	f := lab()
	f.Fail("site-b", errors.New("error connecting to the cluster: rados_connect timed out after 10s; check mon_host in /etc/ceph/site-b.conf"))
	return f
}

func TestGolden(t *testing.T) {
	cases := []goldenCase{
		{name: "site_80x24", w: 80, h: 24, fixture: lab},
		{name: "site_160x48", w: 160, h: 48, fixture: lab},
		{name: "pool_80x24", w: 80, h: 24, fixture: lab, keys: []string{"j"}},
		{name: "pool_160x48", w: 160, h: 48, fixture: lab, keys: []string{"j", "j"}},
		{name: "unreachable_80x24", w: 80, h: 24, fixture: unreachableLab, keys: []string{"G"}},
		{name: "unreachable_160x48", w: 160, h: 48, fixture: unreachableLab, keys: []string{"G"}},
		{name: "help_80x24", w: 80, h: 24, fixture: lab, keys: []string{"?"}},
		{name: "too_small_50x14", w: 50, h: 14, fixture: lab, wait: "too small"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			clk := newClock()
			a := New(Common{Backend: tc.fixture(), Now: clk.Now, Refresh: 30 * time.Second, Timeout: 5 * time.Second})
			// No timers: no clock redraws, no flash expiry, no periodic
			// refresh; the settled screen depends on the keys alone.
			a.after = func(time.Duration, func(time.Time) tea.Msg) tea.Cmd { return nil }

			tm := teatest.NewTestModel(t, a, teatest.WithInitialTermSize(tc.w, tc.h))
			wait := tc.wait
			if wait == "" {
				wait = "updated 0s ago"
			}
			teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte(wait)) },
				teatest.WithDuration(5*time.Second), teatest.WithCheckInterval(10*time.Millisecond))
			for _, k := range tc.keys {
				tm.Send(keyMsg(k))
			}
			tm.Send(keyMsg("q"))
			fm := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second))

			clk.Advance(3 * time.Second)
			teatest.RequireEqualOutput(t, []byte(fm.View()))
		})
	}
}
