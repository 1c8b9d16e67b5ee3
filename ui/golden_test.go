package ui

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
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
	wait    string // text that proves the first screen has settled
	steps   []step
}

// step sends keys, then waits for text that proves their effect landed
// (an async load, for instance) before the next step.
type step struct {
	keys []string
	wait string
	// waitRE, when set, are waited for too, with wait, in one wait:
	// regular expressions, for states whose text only a pattern pins (a
	// row whose columns move with the width), which may come in any order.
	waitRE []string
	// settled waits, with the rest, until no refresh is in flight: a
	// "refreshing…" seen is followed by a crumb without it.
	settled bool
}

func keys(ks ...string) []step { return []step{{keys: ks}} }

func unreachableLab() *uitest.Fixture {
	f := lab()
	f.Fail("site-b", errors.New("error connecting to the cluster: rados_connect timed out after 10s; check mon_host in /etc/ceph/site-b.conf"))
	return f
}

// watchLabSiteBDown is the watch lab with site-b not answering from the
// start: its column says so and the rows show what site-a alone knows.
func watchLabSiteBDown() *uitest.Fixture {
	f := watchLab()
	f.Fail("site-b", errors.New("rados_connect timed out after 10s; check mon_host in /etc/ceph/site-b.conf"))
	return f
}

func TestGolden(t *testing.T) {
	openB := step{keys: []string{"j", "j", "j", "j", "j", "enter"}, wait: "split-brain"}
	openA := step{keys: []string{"j", "enter"}, wait: "By state"}
	bVol1 := step{keys: []string{"j", "j"}, wait: "MiB (objects"}
	openWatch := step{keys: []string{"j", "w"}, wait: "Events:"}
	filter := step{keys: []string{"/", "!", "r", "e", "p", "l", "a", "y"}, wait: "match"}
	cases := []goldenCase{
		{name: "site_80x24", w: 80, h: 24, fixture: fullLab},
		{name: "site_160x48", w: 160, h: 48, fixture: fullLab},
		{name: "pool_80x24", w: 80, h: 24, fixture: fullLab, steps: []step{openA}},
		{name: "pool_160x48", w: 160, h: 48, fixture: fullLab, steps: []step{openA}},
		{name: "image_80x24", w: 80, h: 24, fixture: fullLab, steps: []step{openB, bVol1}},
		{name: "image_160x48", w: 160, h: 48, fixture: fullLab, steps: []step{openB, bVol1}},
		{name: "group_160x48", w: 160, h: 48, fixture: fullLab, steps: []step{openA, {keys: []string{"j"}, wait: "cp-0925"}}},
		{name: "journal_160x48", w: 160, h: 48, fixture: fullLab, steps: []step{openA,
			{keys: []string{"j", "j", "j", "j"}, wait: "journaling"}, {keys: []string{"enter", "j"}, wait: "b7c1e2"}}},
		{name: "filter_80x24", w: 80, h: 24, fixture: fullLab, steps: []step{filter}},
		{name: "filter_160x48", w: 160, h: 48, fixture: fullLab, steps: []step{filter}},
		{name: "confirm_80x24", w: 80, h: 24, fixture: fullLab, steps: []step{openB, bVol1, {keys: []string{"R"}, wait: "Type"}}},
		{name: "confirm_160x48", w: 160, h: 48, fixture: fullLab, steps: []step{openB, bVol1, {keys: []string{"R"}, wait: "Type"}}},
		{name: "palette_80x24", w: 80, h: 24, fixture: fullLab, steps: keys(":", "m", "i", "r", "tab", "i", "tab", "r", "e", "s")},
		{name: "menu_80x24", w: 80, h: 24, fixture: fullLab, steps: []step{openB, bVol1, {keys: []string{"a"}, wait: "Actions on"}}},
		{name: "unreachable_80x24", w: 80, h: 24, fixture: unreachableLab, steps: keys("G")},
		{name: "unreachable_160x48", w: 160, h: 48, fixture: unreachableLab, steps: keys("G")},
		{name: "help_80x24", w: 80, h: 24, fixture: fullLab, steps: keys("?")},
		{name: "help_160x48", w: 160, h: 48, fixture: fullLab, steps: keys("?")},
		{name: "too_small_50x14", w: 50, h: 14, fixture: lab, wait: "too small"},
		{name: "watch_80x24", w: 80, h: 24, fixture: watchLab, steps: []step{openWatch}},
		{name: "watch_160x48", w: 160, h: 48, fixture: watchLab, steps: []step{openWatch}},
		{name: "watch_site_down_160x48", w: 160, h: 48, fixture: watchLabSiteBDown, steps: []step{openWatch}},
	}
	// The journal inspector, each step at both sizes.
	openInsp := step{keys: append(append([]string{":"}, strings.Split("inspect rbd/vol1", "")...), "enter"), wait: "entries in 12"}
	clean := func() *uitest.Fixture { return inspectLab(inspectScan()) }
	corrupt := func() *uitest.Fixture { return inspectLab(corruptScan()) }
	for _, sz := range [][2]int{{80, 24}, {160, 48}} {
		for _, ic := range []struct {
			name    string
			fixture func() *uitest.Fixture
			steps   []step
		}{
			{"inspect_header", clean, nil},
			{"inspect_clients", clean, []step{{keys: []string{"tab"}, wait: "is 31 entries"}}},
			{"inspect_scan_clean", clean, []step{{keys: []string{"tab", "tab"}, wait: "clean"}}},
			{"inspect_scan_findings", corrupt, []step{{keys: []string{"tab", "tab"}, wait: "crc-mismatch"}}},
			{"inspect_entries_filter", clean, []step{{keys: []string{"tab", "tab", "tab", "t"}, wait: "Type: AioWrite"}}},
			// "Entry tid" is also the table's column: wait for the decoded
			// detail's object name (it said "decoding…" in 1 of 20 -race runs).
			{"inspect_entry_detail", corrupt, []step{{keys: []string{"tab", "tab", "tab", "enter"}, wait: "journal_data.2.1a2b3c.12"}}},
			{"inspect_export", clean, []step{{keys: []string{"e"}, wait: "Export to file"}}},
			{"inspect_import_confirm", clean, []step{{keys: []string{"i", "enter"}, wait: "Cancel"}}},
		} {
			cases = append(cases, goldenCase{name: fmt.Sprintf("%s_%dx%d", ic.name, sz[0], sz[1]), w: sz[0], h: sz[1],
				fixture: ic.fixture, steps: append([]step{openInsp}, ic.steps...)})
		}
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			clk := newClock()
			f := tc.fixture()
			f.SetWatchClock(clk.Now)
			a := New(Common{Backend: f, Now: clk.Now, Refresh: 30 * time.Second, Timeout: 5 * time.Second, Commands: testRegistry()})
			// No timers: no clock redraws, no flash expiry, no periodic
			// refresh; the settled screen depends on the keys alone.
			a.after = func(time.Duration, func(time.Time) tea.Msg) tea.Cmd { return nil }

			tm := teatest.NewTestModel(t, a, teatest.WithInitialTermSize(tc.w, tc.h))
			waitFor := func(s string) {
				teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte(s)) },
					teatest.WithDuration(5*time.Second), teatest.WithCheckInterval(10*time.Millisecond))
			}
			wait := tc.wait
			if wait == "" {
				wait = "updated 0s ago"
			}
			waitFor(wait)
			for _, st := range tc.steps {
				for _, k := range st.keys {
					tm.Send(keyMsg(k))
				}
				if st.wait != "" {
					waitFor(st.wait)
				}
			}
			tm.Send(tea.QuitMsg{})
			fm := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second))

			clk.Advance(3 * time.Second)
			teatest.RequireEqualOutput(t, []byte(fm.View()))
		})
	}
}
