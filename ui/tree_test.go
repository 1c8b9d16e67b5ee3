package ui

import (
	"slices"
	"strings"
	"testing"

	"github.com/rbdtui/rbdtui/model"
)

func TestImagesLoadWhenPoolOpensAndRefreshWithIt(t *testing.T) {
	f := fullLab()
	h := newHarness(t, f)
	h.init()
	if n := f.Calls("Images", "site-a"); n != 0 {
		t.Fatalf("images loaded before any pool was opened: %d calls", n)
	}
	h.press("j")
	h.do(ActionExpand)
	if n := f.Calls("Images", "site-a"); n != 1 {
		t.Fatalf("opening the pool made %d Images calls, want 1", n)
	}
	want := []string{"site-a/rbd/@app", "site-a/rbd/db-1", "site-a/rbd/scratch", "site-a/rbd/vol1", "site-a/rbd/vol2"}
	ids := h.selectableIDs()
	for _, id := range want {
		if !slices.Contains(ids, id) {
			t.Fatalf("tree lacks %s: %v", id, ids)
		}
	}
	h.wantView("◆ vol1  primary", "app  group · 2 images", "○ scratch  not-mirrored")

	h.do(ActionRefresh)
	if n := f.Calls("Images", "site-a"); n != 2 {
		t.Fatalf("an open pool did not refresh with its site: %d calls", n)
	}
	if n := f.Calls("Images", "site-b"); n != 0 {
		t.Fatalf("a closed pool was refreshed: %d calls", n)
	}

	// Closed again, it no longer refreshes.
	h.do(ActionCollapse)
	h.do(ActionRefresh)
	if n := f.Calls("Images", "site-a"); n != 2 {
		t.Fatalf("a closed pool refreshed: %d calls", n)
	}
}

func TestImageStateChangeShowsAfterRefresh(t *testing.T) {
	f := fullLab()
	h := newHarness(t, f)
	h.init()
	openSiteBPool(h)
	gotoRow(h, "site-b/rbd/vol1")
	h.wantView("● vol1  up+replaying")
	imgs, _ := f.Images(h.a.ctx, "site-b", "rbd")
	for i := range imgs {
		if imgs[i].Name == "vol1" {
			imgs[i].Local = &model.SiteImageStatus{SiteName: "site-b", Up: true, State: model.StateSyncing,
				Description: "bootstrapping, IMAGE_SYNC/COPY_IMAGE 12%", BootstrapPercent: ptr(12)}
		}
	}
	f.SetImages("site-b", "rbd", imgs...)
	// The image itself says so too (the pane shows the image's own
	// answer, reloaded with the refresh, over the listing).
	det, err := f.ImageDetail(h.a.ctx, "site-b", model.ImageSpec{Pool: "rbd", Image: "vol1"})
	if err != nil {
		t.Fatal(err)
	}
	for _, img := range imgs {
		if img.Name == "vol1" {
			det.Local = img.Local
		}
	}
	f.SetDetail(det)
	h.do(ActionRefresh)
	h.wantView("▲ vol1  up+syncing 12%", "bootstrapping 12%")
	if h.cursor() != "site-b/rbd/vol1" {
		t.Fatalf("refresh moved the cursor to %q", h.cursor())
	}
}

func TestDetailLoadsOnSelectionAndDropsStaleAnswers(t *testing.T) {
	f := fullLab()
	h := newHarness(t, f)
	h.init()
	h.press("j")
	h.do(ActionExpand)
	gotoRow(h, "site-a/rbd/vol1")
	if n := f.Calls("ImageDetail", "site-a"); n == 0 {
		t.Fatal("selecting an image did not load its detail")
	}
	h.wantView("Features    exclusive-lock, journaling, layering", "192.0.2.10:0/123456", "rbd/app")

	// An answer to a superseded request is dropped.
	key := "site-a/rbd/vol1"
	d := h.a.store.details[key]
	stale := DetailMsg{Key: key, Seq: d.seq - 1, Detail: model.ImageDetail{Features: []string{"STALE"}}}
	h.send(stale)
	h.wantNoView("STALE")

	// An error is shown in place of the detail, not as a crash.
	h.a.loadDetail("site-a", "rbd", "vol1", true) // a new request, whose answer fails
	h.send(DetailMsg{Key: key, Seq: h.a.store.details[key].seq, Err: errTest("ENOENT: image rbd/vol1 does not exist on site site-a")})
	// The last good detail stays, marked as not refreshed.
	h.wantView("Features    exclusive-lock", "▲ not refreshed: ENOENT")
}

type errTest string

func (e errTest) Error() string { return string(e) }

func TestFilterFuzzyAndInverted(t *testing.T) {
	f := fullLab()
	h := newHarness(t, f)
	h.init()
	h.do(ActionFilter)
	if n := f.Calls("Images", "site-a") + f.Calls("Images", "site-b"); n < 2 {
		t.Fatalf("the filter did not load the pools' images: %d calls", n)
	}
	h.typeText("vol2")
	ids := h.selectableIDs()
	for _, id := range []string{"site-a/rbd/vol2", "site-b/rbd/vol2"} {
		if !slices.Contains(ids, id) {
			t.Fatalf("filter vol2 lacks %s: %v", id, ids)
		}
	}
	for _, id := range []string{"site-a/rbd/db-1", "site-b/rbd/db-1", "site-a/rbd/scratch"} {
		if slices.Contains(ids, id) {
			t.Fatalf("filter vol2 kept %s", id)
		}
	}
	if !strings.HasSuffix(h.cursor(), "/vol2") {
		t.Fatalf("cursor did not follow the best match: %q", h.cursor())
	}
	// Typing q in the filter types it; it does not quit.
	h.typeText("q")
	if h.quit || h.a.tree.filter != "vol2q" {
		t.Fatalf("q in the filter: quit %v, filter %q", h.quit, h.a.tree.filter)
	}
	h.press("backspace")

	h.press("ctrl+u")
	h.typeText("!replaying")
	ids = h.selectableIDs()
	if slices.Contains(ids, "site-b/rbd/vol1") {
		t.Fatal("!replaying kept a replaying image")
	}
	for _, id := range []string{"site-b/rbd/vol2", "site-b/rbd/db-1", "site-a/rbd/scratch"} {
		if !slices.Contains(ids, id) {
			t.Fatalf("!replaying lacks %s: %v", id, ids)
		}
	}
	h.press("enter")
	if h.a.filterIn != nil || h.a.tree.filter != "!replaying" {
		t.Fatal("enter did not keep the filter")
	}
	h.wantView("Sites · /!replaying")

	// Filter by id and by state word.
	h.do(ActionFilter)
	h.press("ctrl+u")
	h.typeText("7a8b9c")
	if !strings.HasSuffix(h.cursor(), "/vol2") {
		t.Fatalf("filter by id: cursor %q", h.cursor())
	}
	h.press("ctrl+u")
	h.typeText("split-brain")
	if h.cursor() != "site-b/rbd/db-1" {
		t.Fatalf("filter by state: cursor %q", h.cursor())
	}
	h.press("esc")
	if h.a.tree.filter != "" || h.a.filterIn != nil {
		t.Fatal("esc did not clear the filter")
	}
	// Back (esc) outside the input clears a kept filter first.
	h.do(ActionFilter)
	h.typeText("vol")
	h.press("enter")
	h.do(ActionBack)
	if h.a.tree.filter != "" {
		t.Fatal("back did not clear the filter")
	}
}

func TestFilteredPoolRefreshes(t *testing.T) {
	f := fullLab()
	h := newHarness(t, f)
	h.init()
	h.do(ActionFilter)
	h.typeText("vol")
	h.press("enter")
	before := f.Calls("Images", "site-b")
	h.do(ActionRefresh)
	if f.Calls("Images", "site-b") <= before {
		t.Fatal("pools shown by the filter did not refresh")
	}
}

func TestGroupAndJournalNodes(t *testing.T) {
	h := newHarness(t, fullLab())
	h.init()
	h.press("j")
	h.do(ActionExpand)
	gotoRow(h, "site-a/rbd/@app")
	h.wantView("Group rbd/app", "· rbd/db-1", "cp-0900", "INCOMPLETE", " site-a › rbd › group app")
	gotoRow(h, "site-a/rbd/scratch")
	h.do(ActionExpand)
	h.wantView("this image has no journal to open")
	gotoRow(h, "site-a/rbd/vol1")
	h.do(ActionExpand)
	h.do(ActionExpand) // step into the journal
	if h.cursor() != "site-a/rbd/vol1#journal" {
		t.Fatalf("cursor = %q", h.cursor())
	}
	h.wantView("Journal of rbd/vol1", "minimum 3, active 5", "object 21, tag 2, entry 1830", "lag 42 entries")
	h.do(ActionCollapse) // back to the image
	if h.cursor() != "site-a/rbd/vol1" {
		t.Fatalf("collapse from the journal: cursor %q", h.cursor())
	}
}

func TestBackendWithoutOptionalInterfaces(t *testing.T) {
	// hungBackend implements only model.Backend; the console must still
	// work: no groups, journal nodes saying they cannot be read.
	var _ model.Backend = plainBackend{}
	if _, ok := any(plainBackend{}).(model.GroupLister); ok {
		t.Fatal("plainBackend should not list groups")
	}
	h := newHarness(t, fullLab(), func(c *Common) { c.Backend = plainBackend{fullLab()} })
	h.init()
	h.press("j")
	h.do(ActionExpand)
	if slices.Contains(h.selectableIDs(), "site-a/rbd/@app") {
		t.Fatal("groups listed by a backend that cannot list them")
	}
	gotoRow(h, "site-a/rbd/vol1")
	h.do(ActionExpand)
	h.do(ActionExpand)
	h.wantView("this backend cannot read journals yet")
}

// plainBackend hides the fixture's optional interfaces.
type plainBackend struct{ model.Backend }

func TestPoolDetailCountsByState(t *testing.T) {
	h := newHarness(t, fullLab())
	h.init()
	openSiteBPool(h)
	h.wantView("Health      ✖ ERROR", "1  ✖ split-brain", "1  ● up+replaying", "1  ▲ up+syncing 45%")
}

func TestHeaderShowsLeader(t *testing.T) {
	f := fullLab()
	f.SetStatus(model.SiteStatus{Site: "site-a", Reachable: true, Health: model.HealthOK, MirrorDaemons: 2, MirrorLeader: "4123"})
	h := newHarness(t, f, func(c *Common) { c.Width = 160 })
	h.init()
	h.wantView("site-a HEALTH_OK rbd-mirror:2 leader:4123", "Leader      4123")
}

func TestClearingTheFilterKeepsTheCursorRow(t *testing.T) {
	h := newHarness(t, fullLab())
	h.init()
	h.do(ActionFilter)
	h.typeText("split")
	h.press("enter")
	if h.cursor() != "site-b/rbd/db-1" {
		t.Fatalf("cursor = %q", h.cursor())
	}
	h.do(ActionBack)
	if h.a.tree.filter != "" || h.cursor() != "site-b/rbd/db-1" {
		t.Fatalf("after clearing the filter: filter %q, cursor %q", h.a.tree.filter, h.cursor())
	}
}

// TestPoolShrinksUnderTheCursor is the case the lab found: during a resync
// the image disappears from the non-primary site for a moment. The cached
// filter result must not outlive the data it indexes.
func TestPoolShrinksUnderTheCursor(t *testing.T) {
	f := fullLab()
	h := newHarness(t, f)
	h.init()
	openSiteBPool(h)
	gotoRow(h, "site-b/rbd/vol2")
	imgs, _ := f.Images(h.a.ctx, "site-b", "rbd")
	f.SetImages("site-b", "rbd", imgs[0])
	h.do(ActionRefresh)
	if slices.Contains(h.selectableIDs(), "site-b/rbd/vol2") {
		t.Fatal("a vanished image is still listed")
	}
	if h.cursor() != "site-b/rbd" {
		t.Fatalf("cursor = %q, want the pool", h.cursor())
	}
	f.SetImages("site-b", "rbd", imgs...)
	h.do(ActionRefresh)
	h.wantView("vol2  up+syncing 45%")
	if h.cursor() != "site-b/rbd/vol2" {
		t.Fatalf("the cursor did not return to the image when it came back: %q", h.cursor())
	}

	// Once the operator moves, the lost row no longer pulls the cursor.
	f.SetImages("site-b", "rbd", imgs[0])
	h.do(ActionRefresh)
	h.do(ActionUp)
	f.SetImages("site-b", "rbd", imgs...)
	h.do(ActionRefresh)
	if h.cursor() == "site-b/rbd/vol2" {
		t.Fatal("the cursor jumped back after the operator moved")
	}
}

func TestSpinnerTurnsOnlyWhileJobsRun(t *testing.T) {
	f := fullLab()
	h := newHarness(t, f, withCommands)
	h.init()
	openSiteBPool(h)
	gotoRow(h, "site-b/rbd/vol1")
	h.timers = nil
	h.press("P")
	_, cmd := h.a.Update(keyMsg("y"))
	if !h.a.spinning {
		t.Fatal("no spinner while a job runs")
	}
	frame := h.a.spinFrame
	h.send(spinnerTickMsg{h.a.spinID})
	if h.a.spinFrame == frame {
		t.Fatal("the spinner did not turn")
	}
	h.send(spinnerTickMsg{h.a.spinID - 1}) // a stale chain
	h.run(cmd)
	h.send(spinnerTickMsg{h.a.spinID})
	if h.a.spinning {
		t.Fatal("the spinner still turns with no job")
	}
}

// TestHeaderWarnsOfUntestedRelease: a site on a Ceph release outside the
// tested ones is marked in the header in words, and its detail says why.
func TestHeaderWarnsOfUntestedRelease(t *testing.T) {
	f := fullLab()
	f.SetStatus(model.SiteStatus{Site: "site-a", Reachable: true, Health: model.HealthOK, MirrorDaemons: 1,
		Release: "19.2.0 squid", ReleaseWarning: "Ceph 19.2.0 squid is not a release rbdtui is tested against (16 pacific, 18 reef, 20 tentacle)"})
	h := newHarness(t, f, func(c *Common) { c.Width = 160 })
	h.init()
	h.wantView("untested:ceph-19.2.0 squid", "Ceph        19.2.0 squid", "Release     Ceph 19.2.0 squid is not a release")
}
