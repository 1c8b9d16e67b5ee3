package ui

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/rbdtui/rbdtui/model"
	"github.com/rbdtui/rbdtui/ui/uitest"
)

func TestInitialLoad(t *testing.T) {
	h := newHarness(t, lab())
	h.wantView("○ site-a CHECKING", "loading pools…")
	h.init()

	if h.a.refreshing() {
		t.Fatal("refresh still in flight after every answer arrived")
	}
	if !h.a.updatedAt.Equal(t0) {
		t.Errorf("updatedAt = %v, want %v", h.a.updatedAt, t0)
	}
	want := []string{"site-a", "site-a/rbd", "site-a/vms", "site-a/backup", "site-b", "site-b/rbd", "site-b/vms"}
	if got := h.selectableIDs(); !slices.Equal(got, want) {
		t.Errorf("tree ids = %v, want %v", got, want)
	}
	if h.cursor() != "site-a" {
		t.Errorf("cursor = %q, want site-a", h.cursor())
	}
	h.wantView("● site-a HEALTH_OK rbd-mirror:1", "▲ site-b HEALTH_WARN", "rbd  mirror:image",
		"Site site-a", "client.rbdtui", "3f6a8d2e-5b1c-4e7a-9d0f-2c4b6a8e1f30", "1.8 ms", "1 daemon",
		"updated 0s ago", "auto-refresh off")
	for _, s := range []string{"site-a", "site-b"} {
		if n := h.f.Calls("SiteStatus", s); n != 1 {
			t.Errorf("SiteStatus(%s) called %d times, want 1", s, n)
		}
	}
}

func TestNavigation(t *testing.T) {
	tests := []struct {
		keys []string
		want string
	}{
		{nil, "site-a"},
		{[]string{"j"}, "site-a/rbd"},
		{[]string{"down", "down"}, "site-a/vms"},
		{[]string{"j", "j", "j", "j"}, "site-b"},
		{[]string{"k"}, "site-a"}, // already at the top
		{[]string{"j", "j", "up"}, "site-a/rbd"},
		{[]string{"G"}, "site-b/vms"},
		{[]string{"end", "j"}, "site-b/vms"}, // already at the bottom
		{[]string{"G", "g"}, "site-a"},
		{[]string{"G", "home"}, "site-a"},
		{[]string{"pgdown"}, "site-b/vms"},
		{[]string{"G", "pgup"}, "site-a"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.keys, ","), func(t *testing.T) {
			h := newHarness(t, lab())
			h.init()
			h.press(tt.keys...)
			if h.cursor() != tt.want {
				t.Errorf("after %v cursor = %q, want %q", tt.keys, h.cursor(), tt.want)
			}
		})
	}
}

func TestSelectionDrivesDetailAndCrumbs(t *testing.T) {
	h := newHarness(t, lab())
	h.init()
	h.press("j", "j")
	h.wantView("Pool vms", " site-a › vms", "Mirror mode pool", "Images      40", "Peers       1")
}

func TestExpandCollapse(t *testing.T) {
	h := newHarness(t, lab())
	h.init()

	h.do(ActionCollapse)
	if got := h.selectableIDs(); slices.Contains(got, "site-a/rbd") {
		t.Fatalf("site-a collapsed but its pools are still listed: %v", got)
	}
	h.wantView("▌ ▸ ● site-a")

	h.do(ActionCollapse)
	h.wantView("site-a is already collapsed")

	h.do(ActionExpand)
	if got := h.selectableIDs(); !slices.Contains(got, "site-a/rbd") {
		t.Fatalf("site-a expanded but its pools are missing: %v", got)
	}
	if h.cursor() != "site-a" {
		t.Fatalf("expanding moved the cursor to %q", h.cursor())
	}

	h.do(ActionExpand) // on an open site: step into it
	if h.cursor() != "site-a/rbd" {
		t.Fatalf("expand on an open site: cursor = %q, want site-a/rbd", h.cursor())
	}

	h.do(ActionExpand) // on a pool: open it, keep the cursor
	if h.cursor() != "site-a/rbd" || !h.a.tree.expanded("site-a/rbd") {
		t.Fatalf("expand on a pool: cursor = %q, open %v", h.cursor(), h.a.tree.expanded("site-a/rbd"))
	}
	h.press("h") // on an open pool: close it
	if h.cursor() != "site-a/rbd" || h.a.tree.expanded("site-a/rbd") {
		t.Fatalf("collapse on an open pool: cursor = %q, open %v", h.cursor(), h.a.tree.expanded("site-a/rbd"))
	}

	h.press("h") // on a closed pool: go to its site, keep the site open
	if h.cursor() != "site-a" || !h.a.tree.expanded("site-a") {
		t.Fatalf("collapse on a pool: cursor %q, expanded %v", h.cursor(), h.a.tree.expanded("site-a"))
	}
	h.press("left")
	if h.a.tree.expanded("site-a") {
		t.Fatal("left did not collapse site-a")
	}
	h.press("enter")
	h.press("right")
	if h.cursor() != "site-a/rbd" {
		t.Fatalf("enter, right: cursor = %q", h.cursor())
	}
}

func TestCollapsedSiteStaysCollapsedAcrossRefresh(t *testing.T) {
	h := newHarness(t, lab())
	h.init()
	h.press("G", "h", "h") // site-b/vms → site-b → collapsed
	h.do(ActionRefresh)
	if h.a.tree.expanded("site-b") || h.cursor() != "site-b" {
		t.Fatalf("after refresh: expanded %v, cursor %q", h.a.tree.expanded("site-b"), h.cursor())
	}
}

func TestStaleGenerationIsIgnored(t *testing.T) {
	h := newHarness(t, lab())
	h.init()
	old := h.a.gen

	// Start a new refresh but hold its answers back.
	_, cmd := h.a.Update(keyMsg("r"))
	if h.a.gen != old+1 || !h.a.refreshing() {
		t.Fatalf("refresh did not start a new generation: gen %d, refreshing %v", h.a.gen, h.a.refreshing())
	}
	pending := len(h.a.pending)

	// A late answer from the previous generation must change nothing.
	h.send(SiteStatusMsg{Site: "site-a", Gen: old, Status: model.SiteStatus{Site: "site-a", Reachable: true, Health: model.HealthErr}})
	h.send(PoolsMsg{Site: "site-a", Gen: old, Pools: nil, Err: errors.New("stale failure")})
	h.send(SiteStatusMsg{Site: "site-b", Gen: old, Err: errors.New("stale timeout")})
	h.wantView("● site-a HEALTH_OK", "▲ site-b HEALTH_WARN", "rbd  mirror:image")
	h.wantNoView("HEALTH_ERR", "stale", "UNREACHABLE")
	if len(h.a.pending) != pending {
		t.Fatalf("stale answers changed the pending set: %d → %d", pending, len(h.a.pending))
	}

	// The current generation's answers land.
	h.f.SetStatus(model.SiteStatus{Site: "site-a", Reachable: true, Health: model.HealthErr})
	h.run(cmd)
	h.wantView("◆ site-a HEALTH_ERR")
	if h.a.refreshing() {
		t.Fatal("refresh did not complete")
	}
}

func TestDuplicateAnswerIsIgnored(t *testing.T) {
	h := newHarness(t, lab())
	h.init()
	h.send(SiteStatusMsg{Site: "site-a", Gen: h.a.gen, Err: errors.New("late duplicate")})
	h.wantNoView("UNREACHABLE")
}

func TestCursorStaysOnIDAfterReorderedRefresh(t *testing.T) {
	f := lab()
	h := newHarness(t, f)
	h.init()
	h.press("j", "j")
	if h.cursor() != "site-a/vms" || h.a.tree.cursorIdx != 2 {
		t.Fatalf("setup: cursor %q at %d", h.cursor(), h.a.tree.cursorIdx)
	}

	f.SetPools("site-a",
		model.Pool{Site: "site-a", Name: "aaa", ID: 9, MirrorMode: "image"},
		model.Pool{Site: "site-a", Name: "backup", ID: 4, MirrorMode: "disabled"},
		model.Pool{Site: "site-a", Name: "vms", ID: 3, MirrorMode: "pool", Images: 41},
		model.Pool{Site: "site-a", Name: "rbd", ID: 2, MirrorMode: "image"},
	)
	h.do(ActionRefresh)

	if h.cursor() != "site-a/vms" {
		t.Fatalf("cursor moved to %q after a reordering refresh", h.cursor())
	}
	if h.a.tree.cursorIdx != 3 {
		t.Errorf("cursor row = %d, want 3 (vms is now the third pool)", h.a.tree.cursorIdx)
	}
	h.wantView("Pool vms", "Images      41")
}

func TestCursorFallsBackToParentWhenItsNodeGoes(t *testing.T) {
	f := lab()
	h := newHarness(t, f)
	h.init()
	h.press("j", "j") // site-a/vms
	f.SetPools("site-a", model.Pool{Site: "site-a", Name: "rbd", ID: 2, MirrorMode: "image"})
	h.do(ActionRefresh)
	if h.cursor() != "site-a" {
		t.Fatalf("cursor = %q, want the parent site-a", h.cursor())
	}
}

func TestCursorSurvivesItsSiteLeavingConfig(t *testing.T) {
	f := lab()
	h := newHarness(t, f)
	h.init()
	h.press("G") // site-b/vms
	f.SetSites(model.Site{Name: "site-a"})
	h.do(ActionRefresh)
	if h.cursor() == "" || !strings.HasPrefix(h.cursor(), "site-a") {
		t.Fatalf("cursor = %q, want a site-a node", h.cursor())
	}
	h.wantNoView("site-b")
}

func TestUnreachableSite(t *testing.T) {
	f := lab()
	f.Fail("site-b", errors.New("error connecting to the cluster: timed out\nafter 5s"))
	h := newHarness(t, f)
	h.init()

	h.wantView("● site-a HEALTH_OK", "✖ site-b UNREACHABLE", "✖ site-b unreachable: error connecting to the cluster: timed out after 5s")
	if got := h.selectableIDs(); !slices.Contains(got, "site-a/vms") || slices.Contains(got, "site-b/rbd") {
		t.Fatalf("tree ids %v: site-a should keep its pools, site-b has none", got)
	}
	h.press("G")
	if h.cursor() != "site-b" {
		t.Fatalf("cursor = %q, want site-b (its error note is not selectable)", h.cursor())
	}
	h.wantView("Site site-b", "Health      ✖ UNREACHABLE", "Error       error connecting to the cluster", "/etc/ceph/site-b.conf")

	// It recovers on the next good answer, and the cursor stays put.
	f.Fail("site-b", nil)
	h.do(ActionRefresh)
	h.wantView("▲ site-b HEALTH_WARN", "• site-b is reachable again")
	h.wantNoView("UNREACHABLE")
	if h.cursor() != "site-b" {
		t.Fatalf("cursor = %q after recovery, want site-b", h.cursor())
	}
}

func TestUnreachableReportedByProbe(t *testing.T) {
	f := lab()
	f.SetStatus(model.SiteStatus{Site: "site-b", Reachable: false, Err: "EACCES: client.rbdtui lacks mon 'allow r'", MirrorDaemons: -1})
	h := newHarness(t, f)
	h.init()
	h.press("G", "k", "k")
	if h.cursor() != "site-b" {
		t.Fatalf("cursor = %q", h.cursor())
	}
	h.wantView("✖ site-b UNREACHABLE", "EACCES: client.rbdtui lacks mon 'allow r'")
}

func TestDaemonCountShownInHeaderAndDetail(t *testing.T) {
	f := lab()
	f.SetStatus(model.SiteStatus{Site: "site-b", Reachable: true, Health: model.HealthOK, MirrorDaemons: -1})
	f.SetStatus(model.SiteStatus{Site: "site-a", Reachable: true, Health: model.HealthOK, MirrorDaemons: 0})
	h := newHarness(t, f, func(c *Common) { c.Width = 160 })
	h.init()
	h.wantView("site-a HEALTH_OK rbd-mirror:0", "site-b HEALTH_OK rbd-mirror:?", "0: nothing replicates into this site")
}

func TestHungBackendIsAbandonedAtDeadline(t *testing.T) {
	hang := make(chan struct{})
	t.Cleanup(func() { close(hang) })
	b := hungBackend{hang: hang}
	h := newHarness(t, lab(), func(c *Common) { c.Backend = b; c.Timeout = 20 * time.Millisecond })

	start := time.Now()
	msg := h.a.fetchStatus("site-a", h.a.gen)()
	if took := time.Since(start); took > 2*time.Second {
		t.Fatalf("fetch took %v despite a 20ms deadline", took)
	}
	sm, ok := msg.(SiteStatusMsg)
	if !ok || sm.Err == nil || !strings.Contains(sm.Err.Error(), "no answer within 20ms") {
		t.Fatalf("got %#v, want a deadline error", msg)
	}
}

// hungBackend ignores its context, as a call stuck in cgo would.
type hungBackend struct{ hang chan struct{} }

func (b hungBackend) Sites() []model.Site { return []model.Site{{Name: "site-a"}} }
func (b hungBackend) SiteStatus(context.Context, string) (model.SiteStatus, error) {
	<-b.hang
	return model.SiteStatus{}, nil
}
func (b hungBackend) Pools(context.Context, string) ([]model.Pool, error) {
	<-b.hang
	return nil, nil
}

func TestFixtureDelayHonoursTimeout(t *testing.T) {
	f := lab()
	f.SetDelay("site-b", time.Hour)
	h := newHarness(t, f, func(c *Common) { c.Timeout = 20 * time.Millisecond })
	h.init()
	h.wantView("● site-a HEALTH_OK", "✖ site-b UNREACHABLE")
}

func TestHelpOverlay(t *testing.T) {
	h := newHarness(t, lab())
	h.init()

	h.do(ActionHelp)
	if !(h.a.overlay == overlayHelp) {
		t.Fatal("help did not open")
	}
	h.wantView("Keys", "refresh all sites now", "? or esc closes this help", "↑ k", "q ctrl+c")
	h.wantNoView("Site site-a") // the overlay replaces the panes

	h.press("j") // swallowed while help is open
	if h.cursor() != "site-a" {
		t.Fatalf("j moved the cursor behind the help overlay to %q", h.cursor())
	}
	h.press("?")
	if h.a.overlay == overlayHelp {
		t.Fatal("? did not close help")
	}
	h.press("?", "esc")
	if h.a.overlay == overlayHelp {
		t.Fatal("esc did not close help")
	}
	if !h.a.tree.expanded("site-a") {
		t.Fatal("esc that closed help also collapsed the site behind it")
	}
	h.press("?", "q")
	if !h.quit {
		t.Fatal("q did not quit from the help overlay")
	}
}

func TestHelpShowsDisabledReason(t *testing.T) {
	h := newHarness(t, lab())
	h.init()
	h.press("h", "?")
	h.wantView("(now: site-a is already collapsed)")
}

func TestQuit(t *testing.T) {
	for _, k := range []string{"q", "ctrl+c"} {
		h := newHarness(t, lab())
		h.init()
		h.press(k)
		if !h.quit {
			t.Errorf("%s did not quit", k)
		}
		if h.a.ctx.Err() == nil {
			t.Errorf("%s left backend calls running", k)
		}
	}
}

func TestRefreshTicks(t *testing.T) {
	f := lab()
	h := newHarness(t, f, func(c *Common) { c.Refresh = 5 * time.Second })
	h.init()
	h.wantView("every 5s")

	ticks := h.refreshTicks()
	if len(ticks) != 1 {
		t.Fatalf("after the first refresh %d ticks are scheduled, want 1", len(ticks))
	}
	if h.timers[slices.IndexFunc(h.timers, func(tm timerMsg) bool { _, ok := tm.msg.(refreshTickMsg); return ok })].d != 5*time.Second {
		t.Error("tick not scheduled at the refresh interval")
	}
	first := ticks[0]

	// The tick refreshes and schedules the next one under a new id.
	h.fire(isRefreshTick)
	if n := f.Calls("SiteStatus", "site-a"); n != 2 {
		t.Fatalf("tick did not refresh: SiteStatus called %d times", n)
	}
	ticks = h.refreshTicks()
	if len(ticks) != 1 || ticks[0].id == first.id {
		t.Fatalf("next ticks %v; want exactly one, with a new id", ticks)
	}

	// A tick from the retired chain does nothing.
	gen := h.a.gen
	h.send(first)
	if h.a.gen != gen || len(h.refreshTicks()) != 1 {
		t.Fatal("a stale tick started a refresh or a second tick chain")
	}

	// A refresh in flight blocks the current tick, and a second manual
	// refresh.
	_, cmd := h.a.Update(keyMsg("r"))
	gen = h.a.gen
	h.send(ticks[0])
	if h.a.gen != gen {
		t.Fatal("a tick started a refresh while one was in flight")
	}
	h.press("r")
	if h.a.gen != gen {
		t.Fatal("r started a refresh while one was in flight")
	}
	h.wantView("a refresh is already running", "refreshing…")

	h.run(cmd)
	after := h.refreshTicks()
	if len(after) != 2 || after[1].id == ticks[0].id {
		t.Fatalf("ticks %v: completing the manual refresh should schedule a new chain", after)
	}
	h.send(ticks[0]) // overtaken by the manual refresh
	if h.a.gen != gen {
		t.Fatal("the overtaken tick chain is still alive")
	}
}

func isRefreshTick(m tea.Msg) bool { _, ok := m.(refreshTickMsg); return ok }

func TestRefreshOff(t *testing.T) {
	h := newHarness(t, lab())
	h.init()
	if ticks := h.refreshTicks(); len(ticks) != 0 {
		t.Fatalf("refresh interval 0 scheduled ticks %v", ticks)
	}
	h.wantView("auto-refresh off")
}

func TestRefreshFloor(t *testing.T) {
	h := newHarness(t, lab(), func(c *Common) { c.Refresh = 10 * time.Millisecond })
	if h.a.c.Refresh != MinRefresh {
		t.Fatalf("Refresh = %v, want the floor %v", h.a.c.Refresh, MinRefresh)
	}
}

func TestDataAge(t *testing.T) {
	h := newHarness(t, lab())
	h.init()
	h.clock.Advance(3 * time.Second)
	h.wantView("updated 3s ago", "09:30:00 (3s ago)")
	h.clock.Advance(2 * time.Minute)
	h.fire(func(m tea.Msg) bool { _, ok := m.(clockTickMsg); return ok })
	h.wantView("updated 2m ago")
	if len(h.timers) == 0 {
		t.Fatal("the clock stopped ticking")
	}
}

func TestFlashClearsItself(t *testing.T) {
	h := newHarness(t, lab())
	h.init()
	h.press("h", "h")
	h.wantView("▲ site-a is already collapsed")
	h.do(ActionOutput)
	h.wantView("▲ no command has printed anything yet")

	isClear := func(m tea.Msg) bool { _, ok := m.(clearFlashMsg); return ok }
	var clears []clearFlashMsg
	for _, tm := range h.timers {
		if m, ok := tm.msg.(clearFlashMsg); ok {
			clears = append(clears, m)
			if tm.d != flashTTL {
				t.Errorf("flash clears after %v, want %v", tm.d, flashTTL)
			}
		}
	}
	if len(clears) < 2 {
		t.Fatalf("clears %v", clears)
	}
	h.send(clears[0]) // the older message's timer must not clear the newer one
	h.wantView("no command has printed anything yet")
	h.fire(isClear)
	h.wantNoView("no command has printed anything yet")
}

func TestScrollWindowRendersOnlyVisibleRows(t *testing.T) {
	f := lab()
	var pools []model.Pool
	for i := range 500 {
		pools = append(pools, model.Pool{Site: "site-a", Name: fmt.Sprintf("pool-%03d", i), ID: int64(i), MirrorMode: "image"})
	}
	f.SetPools("site-a", pools...)
	h := newHarness(t, f, func(c *Common) { c.Height = 20 })
	h.init()

	treeH := h.a.tree.height
	if got := len(h.a.tree.render()); got != treeH {
		t.Fatalf("tree rendered %d lines for a %d-line pane", got, treeH)
	}
	h.wantView("pool-000")
	h.wantNoView("pool-100")

	h.press("j")
	for range 300 {
		h.press("j")
	}
	if h.cursor() != "site-a/pool-300" {
		t.Fatalf("cursor = %q", h.cursor())
	}
	h.wantView("▌   ▸ pool-300")
	h.wantNoView("pool-000")

	h.do(ActionRefresh) // keeps the window on the cursor
	h.wantView("▌   ▸ pool-300")
	h.press("g")
	h.wantView("pool-000")
	h.wantNoView("pool-300")
}

func TestNoSites(t *testing.T) {
	h := newHarness(t, uitest.New())
	h.init()
	h.wantView("no sites configured", "nothing selected")
	if h.a.refreshing() {
		t.Fatal("a refresh with nothing to ask never completes")
	}
	h.press("j", "l", "h", "G")
}

func TestReadOnlyDropsDangerousBindings(t *testing.T) {
	km := DefaultKeyMap()
	km.bindings = append(km.bindings, Binding{Action: "demote", Keys: []string{"D"}, Help: "demote the image", Hint: true, Dangerous: true})

	rw := newHarness(t, lab(), func(c *Common) { c.Keys = km })
	if _, ok := rw.a.c.Keys.Match("D"); !ok {
		t.Fatal("dangerous binding missing in read-write mode")
	}

	ro := newHarness(t, lab(), func(c *Common) { c.Keys = km; c.ReadOnly = true })
	ro.init()
	if _, ok := ro.a.c.Keys.Match("D"); ok {
		t.Fatal("read-only mode kept a dangerous binding")
	}
	ro.wantView("[RO]")
	ro.press("?")
	ro.wantView("read-only: actions that change the cluster are hidden")
	ro.wantNoView("demote")
	if _, ok := km.Match("D"); !ok {
		t.Fatal("New altered the caller's KeyMap")
	}
}

func TestRebindReachesDispatchHintsAndHelp(t *testing.T) {
	km := DefaultKeyMap()
	if err := km.Rebind(map[string][]string{ActionDown: {"n", "down"}, ActionRefresh: {"ctrl+r"}}); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, lab(), func(c *Common) { c.Keys = km })
	h.init()
	h.press("j")
	if h.cursor() != "site-a" {
		t.Fatal("the old key still works after a rebind")
	}
	h.press("n")
	if h.cursor() != "site-a/rbd" {
		t.Fatalf("the new key does not work: cursor %q", h.cursor())
	}
	h.wantView("ctrl+r refresh")
	h.press("?")
	h.wantView("n ↓")
}

func (b hungBackend) Images(context.Context, string, string) ([]model.Image, error) {
	<-b.hang
	return nil, nil
}

func (b hungBackend) ImageDetail(context.Context, string, model.ImageSpec) (model.ImageDetail, error) {
	<-b.hang
	return model.ImageDetail{}, nil
}

func (b hungBackend) Exec(context.Context, []string, func(model.Progress)) (model.ExecResult, error) {
	<-b.hang
	return model.ExecResult{}, nil
}

// TestKeyBurstIsSplit: runes that arrive together (fast typing, tmux
// send-keys) are separate key presses; a paste into an input stays whole.
func TestKeyBurstIsSplit(t *testing.T) {
	h := newHarness(t, fullLab(), withCommands)
	h.init()
	h.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("jj")})
	if h.cursor() != "site-a/vms" {
		t.Fatalf("jj as one message: cursor %q", h.cursor())
	}
	h.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(":sites")})
	if h.a.palette == nil || h.a.palette.in.String() != "sites" {
		t.Fatalf("':sites' as one message did not open the palette with 'sites'")
	}
	h.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(" --format json"), Paste: true})
	if got := h.a.palette.in.String(); got != "sites --format json" {
		t.Fatalf("paste into the palette: %q", got)
	}
}
