package ui

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/rbdtui/rbdtui/model"
	"github.com/rbdtui/rbdtui/ui/uitest"
)

// watchLab is fullLab with what a watch shows beyond the tree: rbd-mirror
// leaders, lag histories, throughput, a snapshot-mode copy behind and
// syncing, and a few timeline events.
func watchLab() *uitest.Fixture {
	f := fullLab()
	for _, st := range []model.SiteStatus{
		{Site: "site-a", Reachable: true, Health: model.HealthOK, MirrorDaemons: 1, MirrorLeader: "4123", CheckedAt: t0},
		{Site: "site-b", Reachable: true, Health: model.HealthOK, MirrorDaemons: 1, MirrorLeader: "4177", CheckedAt: t0},
	} {
		f.SetStatus(st)
	}
	db := replaying("site-b", 42)
	db.Replay.BytesPerSecond, db.Replay.SecondsUntilSynced = ptr(1.5*1024*1024), ptr(3.4)
	imgs := []model.Image{
		{Site: "site-b", Pool: "rbd", Name: "db-1", MirrorMode: model.ModeJournal, MirrorState: model.MirrorEnabled, Local: &db},
		{Site: "site-b", Pool: "rbd", Name: "vol1", MirrorMode: model.ModeJournal, MirrorState: model.MirrorEnabled, Local: ptr(replaying("site-b", 0))},
		{Site: "site-b", Pool: "rbd", Name: "vol2", MirrorMode: model.ModeSnapshot, MirrorState: model.MirrorEnabled, Local: &model.SiteImageStatus{
			SiteName: "site-b", Up: true, State: model.StateReplaying, LastUpdate: t0.Add(-7 * time.Second),
			Description: `replaying, {"replay_state":"syncing","syncing_percent":45}`,
			Replay: &model.Replay{ReplayState: "syncing", SyncingPercent: ptr(45.0), BytesPerSecond: ptr(8.0 * 1024 * 1024),
				RemoteSnapshotTimestamp: ptr(t0.Unix() - 10), LocalSnapshotTimestamp: ptr(t0.Unix() - 95)}}},
		{Site: "site-b", Pool: "rbd", Name: "web-3", MirrorMode: model.ModeJournal, MirrorState: model.MirrorEnabled, Local: &model.SiteImageStatus{
			SiteName: "site-b", Up: true, State: model.StateError, Description: "split-brain", SplitBrain: true, LastUpdate: t0.Add(-time.Second)}},
		{Site: "site-b", Pool: "rbd", Name: "logs", MirrorMode: model.ModeJournal, MirrorState: model.MirrorEnabled, Local: &model.SiteImageStatus{
			SiteName: "site-b", Up: true, State: model.StateStopped, Description: "stopped", LastUpdate: t0.Add(-4 * time.Second)}},
	}
	f.SetImages("site-b", "rbd", imgs...)
	a := func(name, mode string) model.Image {
		return model.Image{Site: "site-a", Pool: "rbd", Name: name, MirrorMode: mode, MirrorState: model.MirrorEnabled, Primary: true, Local: ptr(primaryStatus("site-a"))}
	}
	f.SetImages("site-a", "rbd", a("db-1", model.ModeJournal), a("vol1", model.ModeJournal), a("vol2", model.ModeSnapshot),
		a("web-3", model.ModeJournal), a("logs", model.ModeJournal),
		model.Image{Site: "site-a", Pool: "rbd", Name: "scratch", MirrorState: model.MirrorDisabled})
	f.SetLagHistory("site-b", "rbd/db-1", 0, 3, 8, 20, 55, 90, 120, 80, 61, 50, 44)
	f.SetLagHistory("site-b", "rbd/vol2", 30, 35, 40, 45, 50, 60, 70, 85)
	f.AddWatchEvents(
		model.WatchEvent{At: t0.Add(-50 * time.Second), Site: "site-b", Kind: model.EventLeader, From: "4101", To: "4177"},
		model.WatchEvent{At: t0.Add(-40 * time.Second), Site: "site-b", Image: "rbd/web-3", Kind: model.EventSplitBrain, Detail: "split-brain"},
		model.WatchEvent{At: t0.Add(-20 * time.Second), Site: "site-b", Image: "rbd/logs", Kind: model.EventState, From: "up+replaying", To: "up+stopped", Detail: "stopped"},
	)
	return f
}

// watchHarness is a harness on watchLab with the build's own grammar (it
// has the watch commands) and the fixture's watch clock on the test clock.
func watchHarness(t testing.TB, f *uitest.Fixture, opts ...func(*Common)) *harness {
	h := newHarness(t, f, append([]func(*Common){func(c *Common) { c.Width, c.Height = 160, 48; c.Refresh = 30 * time.Second }}, opts...)...)
	f.SetWatchClock(h.clock.Now)
	h.init()
	return h
}

func (h *harness) watch() *watch {
	h.t.Helper()
	w, ok := h.a.topScreen().(*watch)
	if !ok {
		h.t.Fatalf("the watch is not on top (top: %v; flash %q)", h.a.topScreen(), h.a.flash.text)
	}
	return w
}

// firePoll fires the watch's pending poll timer.
func (h *harness) firePoll() int {
	return h.fire(func(m tea.Msg) bool { _, ok := m.(watchTickMsg); return ok })
}

func TestWatchRowsSummarySparklineTimeline(t *testing.T) {
	f := watchLab()
	h := watchHarness(t, f)
	h.press(":")
	h.typeText("watch rbd")
	h.press("enter")
	w := h.watch()
	if w.Title() != "watch rbd" || len(w.rows) != 6 {
		t.Fatalf("title %q, %d rows", w.Title(), len(w.rows))
	}
	h.wantView("watch rbd",
		"● 3 replaying", "▲ 0 syncing", "■ 1 stopped", "✖ 1 error", "○ 1 not mirrored", "of 6 images",
		"site-a ● up · rbd-mirror leader 4123", "site-b ● up · rbd-mirror leader 4177",
		"@site-a", "@site-b", "LAG TREND", "SYNC IN")
	line := func(id string) string {
		for _, l := range strings.Split(h.view(), "\n") {
			if strings.Contains(l, id+" ") {
				return l
			}
		}
		t.Fatalf("no row for %s:\n%s", id, h.view())
		return ""
	}
	for id, want := range map[string][]string{
		"rbd/db-1":    {"site-a", "◆ primary", "● up+replaying", "42 entries", "1.5 MiB/s", "3.4s", "2s ago", "▁▂▂▃▄▆█▆▅▄▄▄"},
		"rbd/vol1":    {"● up+replaying", "0 entries", "synced"},
		"rbd/vol2":    {"snap 1m25s 45%", "8 MiB/s", "7s ago", "▄▄▄▅▅▆▆██"},
		"rbd/web-3":   {"✖ split-brain"},
		"rbd/logs":    {"■ up+stopped"}, // the summary's stopped symbol
		"rbd/scratch": {"○ not mirrored", "— absent"},
	} {
		l := line(id)
		for _, s := range want {
			if !strings.Contains(l, s) {
				t.Errorf("row %s lacks %q: %q", id, s, l)
			}
		}
	}
	// The timeline, newest first.
	v := h.view()
	iState, iSplit, iLeader := strings.Index(v, "● state"), strings.Index(v, "✖ split-brain rbd/web-3"), strings.Index(v, "★ leader")
	if iState < 0 || iSplit < 0 || iLeader < 0 || !(iState < iSplit && iSplit < iLeader) {
		t.Errorf("timeline not newest first (%d %d %d):\n%s", iState, iSplit, iLeader, v)
	}
	h.wantView("09:29:40  site-b  ● state       rbd/logs  up+replaying → up+stopped", "4101 → 4177")

	// A poll every 2 s (Refresh 30 s is too slow for a live watch), by
	// the timer the screen asked for; new events join the timeline.
	if got := len(h.timers); got == 0 {
		t.Fatal("no poll timer pending")
	}
	calls := f.Calls("Watch", "site-a")
	f.AddWatchEvents(model.WatchEvent{At: t0.Add(2 * time.Second), Site: "site-b", Image: "rbd/vol1", Kind: model.EventPromoted, From: "non-primary", To: "primary"})
	h.clock.Advance(2 * time.Second)
	if h.firePoll() != 1 || f.Calls("Watch", "site-a") != calls+1 {
		t.Fatalf("the tick did not poll once (calls %d -> %d)", calls, f.Calls("Watch", "site-a"))
	}
	h.wantView("09:30:02  site-b  ◆ promoted    rbd/vol1  non-primary → primary", "Events: 4")
	// Every poll appends to the trend.
	if got := line("rbd/db-1"); !strings.Contains(got, "▁▂▂▃▄▆█▆▅▄▄▄▄") {
		t.Errorf("trend did not grow: %q", got)
	}
}

func TestWatchStaleAnswerNeverOverwritesNewer(t *testing.T) {
	h := watchHarness(t, watchLab())
	h.run(pushScreen(newWatch(h.a.env(), watchScope{Pool: "rbd"})))
	w := h.watch()
	frame := func(n int) model.WatchFrame {
		rows := make([]model.WatchRow, n)
		for i := range rows {
			rows[i] = model.WatchRow{Image: fmt.Sprintf("rbd/img-%d", i), Cells: []model.WatchCell{{Present: true, MirrorState: model.MirrorEnabled, Primary: true}}}
		}
		return model.WatchFrame{At: t0, Sites: []model.WatchSite{{Site: "site-a"}}, Rows: rows}
	}
	w.seq = 9
	h.send(watchFrameMsg{w: w, seq: 9, frame: frame(3)})
	h.send(watchFrameMsg{w: w, seq: 8, frame: frame(1)})
	if len(w.rows) != 3 || w.applied != 9 {
		t.Fatalf("an older answer replaced a newer one: %d rows, applied %d", len(w.rows), w.applied)
	}
	// Another screen's answer is not this one's.
	other := &watch{}
	h.send(watchFrameMsg{w: other, seq: 10, frame: frame(1)})
	if len(w.rows) != 3 {
		t.Fatal("a frame for another watch landed here")
	}
	// One poll in flight at a time: a refresh while one runs queues one.
	cmd := w.poll()
	if cmd == nil || !w.inFlight {
		t.Fatal("no poll sent")
	}
	if again := w.poll(); again != nil || !w.again {
		t.Fatal("a second poll was sent while one is in flight")
	}
	h.send(cmd())
	if w.inFlight || w.again || h.f.Calls("Watch", "site-a") != 3 {
		t.Fatalf("the queued poll did not follow the answer: inFlight %v again %v calls %d", w.inFlight, w.again, h.f.Calls("Watch", "site-a"))
	}
	// Stale ticks die: only the newest tick id polls.
	calls := h.f.Calls("Watch", "site-a")
	h.send(watchTickMsg{w: w, id: w.tickID - 1})
	if h.f.Calls("Watch", "site-a") != calls {
		t.Fatal("a retired tick polled")
	}
}

func TestWatchSiteUnreachableThenBack(t *testing.T) {
	f := watchLab()
	h := watchHarness(t, f)
	h.press("j") // site-a/rbd
	h.do(ActionWatch)
	w := h.watch()
	h.wantView("site-a ● up")

	f.Fail("site-a", errors.New("rados_mon_command timed out after 5s"))
	f.AddWatchEvents(model.WatchEvent{At: t0.Add(3 * time.Second), Site: "site-a", Kind: model.EventSiteDown, Detail: "rados_mon_command timed out after 5s"})
	h.clock.Advance(3 * time.Second)
	h.firePoll()
	h.wantView("site-a ✖ unreachable since 09:30:03", "rados_mon_command timed out", "last data, 09:30:00",
		"site-b ● up", "? was primary", "✖ site-down")
	if row := w.rows[w.shown[0]]; row.primary != "site-a?" {
		t.Errorf("primary of %s while site-a is down = %q, want the last known site-a?", row.id, row.primary)
	}
	// The screen keeps answering keys while the site is down, and keeps
	// polling.
	h.press("j", "j")
	if w.cursor != "rbd/scratch" {
		t.Errorf("cursor on %q after j j", w.cursor)
	}
	h.press("s")
	if w.sortBy != sortByLag || w.cursor != "rbd/scratch" {
		t.Errorf("sort: by %v, cursor %q (it must stay on its image)", w.sortBy, w.cursor)
	}
	h.clock.Advance(2 * time.Second)
	h.firePoll()
	h.wantView("site-a ✖ unreachable since 09:30:03")

	f.Fail("site-a", nil)
	f.AddWatchEvents(model.WatchEvent{At: t0.Add(7 * time.Second), Site: "site-a", Kind: model.EventSiteUp})
	h.clock.Advance(2 * time.Second)
	if h.firePoll() != 1 {
		t.Fatal("the watch stopped polling while the site was down")
	}
	h.wantView("site-a ● up", "● site-up", "◆ primary")
	h.wantNoView("unreachable since", "? was primary")
}

func TestWatchScopes(t *testing.T) {
	cases := []struct {
		name  string
		open  func(h *harness)
		title string
		rows  []string
	}{
		{"pool key", func(h *harness) { h.press("j", "w") }, "watch rbd", nil},
		{"group key", func(h *harness) { h.press("j", "enter", "j", "w") }, "watch group rbd/app", []string{"rbd/db-1", "rbd/vol1"}},
		{"image key", func(h *harness) { h.press("j", "enter"); gotoRow(h, "site-a/rbd/vol2"); h.press("w") }, "watch rbd/vol2", []string{"rbd/vol2"}},
		{"marked images", func(h *harness) {
			h.press("j", "enter")
			gotoRow(h, "site-a/rbd/vol2")
			h.press("space")
			gotoRow(h, "site-a/rbd/db-1")
			h.press("space", "w")
		}, "watch 2 images", []string{"rbd/db-1", "rbd/vol2"}},
		{"palette group", func(h *harness) { h.press(":"); h.typeText("watch group rbd/app"); h.press("enter") }, "watch group rbd/app", []string{"rbd/db-1", "rbd/vol1"}},
		{"palette images", func(h *harness) { h.press(":"); h.typeText("watch image rbd/vol1 logs"); h.press("enter") }, "watch 2 images", []string{"rbd/logs", "rbd/vol1"}},
		{"shell start", func(h *harness) {}, "watch rbd", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var opts []func(*Common)
			if tc.name == "shell start" {
				opts = append(opts, func(c *Common) { c.Start = []string{"watch", "rbd"} })
			}
			h := watchHarness(t, watchLab(), opts...)
			tc.open(h)
			w := h.watch()
			if w.Title() != tc.title {
				t.Errorf("title %q, want %q", w.Title(), tc.title)
			}
			h.wantView(tc.title)
			if tc.rows != nil {
				var got []string
				for _, r := range w.rows {
					got = append(got, r.id)
				}
				if strings.Join(got, ",") != strings.Join(tc.rows, ",") {
					t.Errorf("rows %v, want %v", got, tc.rows)
				}
			}
			h.press("esc")
			if h.a.topScreen() != nil {
				t.Error("esc did not close the watch")
			}
		})
	}
	h := watchHarness(t, watchLab())
	h.press(":")
	h.typeText("watch group a/b/c/d")
	h.press("enter")
	if h.a.topScreen() != nil || !strings.Contains(h.a.flash.text, "watch group") {
		t.Errorf("a bad group spec opened a watch (flash %q)", h.a.flash.text)
	}
}

func TestWatchKeys(t *testing.T) {
	f := watchLab()
	h := watchHarness(t, f)
	h.press("j", "w")
	w := h.watch()
	order := func() string {
		var ids []string
		for _, i := range w.shown {
			ids = append(ids, strings.TrimPrefix(w.rows[i].id, "rbd/"))
		}
		return strings.Join(ids, ",")
	}
	if got := order(); got != "db-1,logs,scratch,vol1,vol2,web-3" {
		t.Fatalf("by name: %s", got)
	}
	h.do(ActionWatchSort)
	if got := order(); got != "vol2,db-1,vol1,logs,scratch,web-3" {
		t.Errorf("by lag: %s", got)
	}
	h.wantView("sorted by lag", "by lag")
	h.do(ActionWatchSort)
	if got := order(); got != "web-3,logs,db-1,vol1,vol2,scratch" {
		t.Errorf("problems first: %s", got)
	}
	h.do(ActionWatchSort) // back to names
	h.do(ActionWatchFaults)
	// Faults are what needs attention (model.Attention): not a primary
	// whose copy replays, nor an image that is not mirrored.
	if got := order(); got != "logs,web-3" {
		t.Errorf("faults only: %s", got)
	}
	h.wantView("faults only", "▲ 2 need attention")
	h.do(ActionWatchFaults)

	h.do(ActionBottom)
	if w.cursor != "rbd/web-3" {
		t.Errorf("bottom: cursor %q", w.cursor)
	}
	h.do(ActionTop)
	if w.cursor != "rbd/db-1" {
		t.Errorf("top: cursor %q", w.cursor)
	}

	// tab moves the cursor to the timeline; ↓ scrolls it.
	h.do(ActionWatchFocus)
	h.do(ActionDown)
	if !w.onTimel || w.evOff != 1 || w.cursor != "rbd/db-1" {
		t.Errorf("timeline focus: on %v off %d cursor %q", w.onTimel, w.evOff, w.cursor)
	}
	h.wantView("↑↓ scroll")
	h.do(ActionWatchFocus)

	// Pause: the tick does not poll, the screen says so; resume polls.
	calls := f.Calls("Watch", "site-a")
	h.do(ActionWatchPause)
	h.wantView("PAUSED")
	h.firePoll()
	h.do(ActionRefresh)
	if f.Calls("Watch", "site-a") != calls {
		t.Error("a paused watch polled")
	}
	h.do(ActionWatchPause)
	if f.Calls("Watch", "site-a") != calls+1 {
		t.Error("resuming did not poll at once")
	}
	h.do(ActionRefresh)
	if f.Calls("Watch", "site-a") != calls+2 {
		t.Error("r did not poll")
	}
	// A tree key is refused on the screen, not run.
	h.press("/")
	if h.a.filterIn != nil {
		t.Error("the tree's filter opened on the watch")
	}
}

func TestWatchWithoutWatcherBackend(t *testing.T) {
	h := newHarness(t, lab(), func(c *Common) { c.Backend = plainBackend{lab()} })
	h.init()
	h.press("j", "w")
	h.watch()
	h.wantView("cannot watch: this backend cannot watch mirroring live")
}

// A frame older than two polls is marked stale in words (the summary, the
// site lines, a "?" before every lag), not by colour alone; the next poll
// clears the mark.
func TestWatchMarksOldDataStale(t *testing.T) {
	f := watchLab()
	h := watchHarness(t, f)
	h.press(":")
	h.typeText("watch rbd")
	h.press("enter")
	w := h.watch()
	h.wantNoView("STALE", "stale data")
	// The poll is stuck (its timer never fires): 5 s pass at a 2 s interval.
	h.clock.Advance(5 * time.Second)
	h.wantView("▲ STALE: polled 09:30:00 (5s ago", "▲ stale data, 5s ago", "? 42 entries")
	h.firePoll()
	if !w.polled {
		t.Fatal("no poll")
	}
	h.wantNoView("STALE", "stale data", "? 42 entries")
	// The console's own refresh: older than two refresh intervals.
	h.press("esc")
	h.clock.Advance(61 * time.Second)
	h.wantView("▲ STALE: updated 1m ago")
}

// The image pane says when its listing is older than two refreshes.
func TestDetailMarksAnOldListingStale(t *testing.T) {
	h := newHarness(t, fullLab(), func(c *Common) { c.Width, c.Height = 160, 48; c.Refresh = 30 * time.Second })
	h.init()
	h.press("j")
	h.do(ActionExpand)
	for i := 0; i < 8 && !strings.HasSuffix(h.cursor(), "/vol1"); i++ {
		h.do(ActionDown)
	}
	if !strings.HasSuffix(h.cursor(), "/vol1") {
		t.Fatalf("cursor %q", h.cursor())
	}
	h.wantView("Status      ◆ primary")
	h.wantNoView("STALE")
	h.clock.Advance(61 * time.Second)
	h.wantView("? primary · ▲ STALE: read 1m ago", "▲ STALE: updated 1m ago")
}

// The image pane shows the image's own answer (the detail opens it) over
// the pool's listing: a demotion the listing has not caught up with shows.
func TestDetailShowsTheImagesOwnRole(t *testing.T) {
	f := fullLab()
	det, err := f.ImageDetail(t.Context(), "site-a", model.ImageSpec{Pool: "rbd", Image: "vol1"})
	if err != nil {
		t.Fatal(err)
	}
	det.Primary = false
	det.Local = &model.SiteImageStatus{SiteName: "site-a", Up: true, State: model.StateUnknown, Description: "remote image is not primary"}
	f.SetDetail(det)
	h := newHarness(t, f, func(c *Common) { c.Width, c.Height = 160, 48 })
	h.init()
	h.press("j")
	h.do(ActionExpand)
	gotoRow(h, "site-a/rbd/vol1")
	h.wantView("◆ vol1  primary", "Mirroring   journal, enabled, non-primary", "remote image is not primary")
}

// The watch tells its session which rows are on screen before every poll,
// so a pool of thousands still shows ground truth where the operator
// looks: the first screenful, then the rows paged to.
func TestWatchFocusesTheRowsOnScreen(t *testing.T) {
	f := watchLab()
	var many []model.Image
	for i := range 300 {
		many = append(many, model.Image{Site: "site-a", Pool: "big", Name: fmt.Sprintf("img-%03d", i), MirrorMode: model.ModeSnapshot,
			MirrorState: model.MirrorEnabled, Primary: true, Local: ptr(primaryStatus("site-a"))})
	}
	f.SetImages("site-a", "big", many...)
	h := watchHarness(t, f)
	h.run(pushScreen(newWatch(h.a.env(), watchScope{Pool: "big"})))
	w := h.watch()
	_ = h.view() // the screen lays its rows out
	h.firePoll()
	if len(w.rows) != 300 {
		t.Fatalf("rows: %d", len(w.rows))
	}
	focus := f.WatchFocus()
	if len(focus) == 0 || len(focus) != w.lastRows || focus[0] != "big/img-000" {
		t.Fatalf("first screenful: focus %d rows from %v, the screen shows %d", len(focus), first(focus), w.lastRows)
	}
	h.do(ActionPageDown)
	h.do(ActionPageDown)
	_ = h.view() // as bubbletea renders after every message
	h.firePoll()
	focus = f.WatchFocus()
	want := w.rows[w.shown[w.off]].id
	if len(focus) == 0 || focus[0] != want || focus[0] == "big/img-000" {
		t.Errorf("after paging: focus starts at %v, the screen at %s", first(focus), want)
	}
}

func first(s []string) string {
	if len(s) == 0 {
		return "(none)"
	}
	return s[0]
}

// A live lag is shown beside rbd-mirror's own figure (REPORTED), whose
// age is the STATUS column's; a lag taken from rbd-mirror says "same".
func TestWatchShowsReportedLagBesideTheLiveOne(t *testing.T) {
	h := watchHarness(t, watchLab())
	h.press("j", "w")
	w := h.watch()
	zero, three := int64(0), int64(3)
	st := &model.SiteImageStatus{SiteName: "site-b", Up: true, State: model.StateReplaying, LastUpdate: t0.Add(-25 * time.Second)}
	row := model.WatchRow{Image: "rbd/x", Mode: model.ModeJournal, Cells: []model.WatchCell{
		{Present: true, Primary: true, MirrorState: model.MirrorEnabled},
		{Present: true, MirrorState: model.MirrorEnabled, Status: st, Lag: &zero, LagLive: true, LagAt: t0, ReportedLag: &three},
	}}
	if r := w.rowOf(&row); r.lagText != "0 entries" || r.reported != "3 entries" {
		t.Errorf("live lag %q, reported %q; want 0 entries beside 3 entries", r.lagText, r.reported)
	}
	row.Cells[1].LagLive, row.Cells[1].ReportedLag, row.Cells[1].Lag = false, nil, &three
	if r := w.rowOf(&row); r.lagText != "3 entries" || r.reported != "" {
		t.Errorf("rbd-mirror's lag: %q, reported %q", r.lagText, r.reported)
	}
	h.wantView("REPORTED", "same")
}

// A live journal lag says how many journal bytes are behind, "~" when the
// figure is estimated.
func TestWatchLagInBytes(t *testing.T) {
	h := watchHarness(t, watchLab())
	h.press("j", "w")
	w := h.watch()
	lag, bytes := int64(940), int64(3_900_000)
	row := model.WatchRow{Image: "rbd/x", Mode: model.ModeJournal, Cells: []model.WatchCell{
		{Present: true, Primary: true, MirrorState: model.MirrorEnabled},
		{Present: true, MirrorState: model.MirrorEnabled, Lag: &lag, LagLive: true, LagAt: t0, LagBytes: &bytes},
	}}
	if r := w.rowOf(&row); r.lagText != "940 entries "+humanBytes(uint64(bytes)) {
		t.Errorf("lag %q", r.lagText)
	}
	row.Cells[1].LagBytesEstimated = true
	if r := w.rowOf(&row); r.lagText != "940 entries ~"+humanBytes(uint64(bytes)) {
		t.Errorf("estimated: %q", r.lagText)
	}
	zero := int64(0)
	row.Cells[1].Lag, row.Cells[1].LagBytes = &zero, &zero
	if r := w.rowOf(&row); r.lagText != "0 entries" {
		t.Errorf("caught up: %q", r.lagText)
	}
}
