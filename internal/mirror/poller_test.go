package mirror

import (
	"testing"
	"time"

	"github.com/rbdtui/rbdtui/model"
)

// TestPollerEventsAndHistory drives the poller's bookkeeping with views, as
// refreshes of two sites would produce them, without a cluster.
func TestPollerEventsAndHistory(t *testing.T) {
	p := NewPoller("rbd")
	p.MaxEvents = 4
	at := time.Date(2025, 3, 14, 9, 30, 0, 0, time.UTC)
	behind := func(n int64) *model.SiteImageStatus {
		return &model.SiteImageStatus{Up: true, State: model.StateReplaying, Replay: &model.Replay{EntriesBehindPrimary: &n}}
	}
	img := func(primary bool, st *model.SiteImageStatus) model.Image {
		return model.Image{Name: "vol1", MirrorState: model.MirrorEnabled, Primary: primary, Local: st}
	}
	view := func(sec int, a, b *SiteView) *View {
		v := &View{At: at.Add(time.Duration(sec) * time.Second)}
		for _, sv := range []*SiteView{a, b} {
			sv.At = v.At
			v.Sites = append(v.Sites, *sv)
		}
		return v
	}
	primary := &model.SiteImageStatus{Up: true, State: model.StateStopped, Description: "local image is primary"}
	p.record(view(0, &SiteView{Site: "site-a", Images: []model.Image{img(true, primary)}, Daemons: &DaemonInfo{Leader: "4100"}},
		&SiteView{Site: "site-b", Images: []model.Image{img(false, behind(5))}}))
	if evs, n := p.EventsAfter(0); len(evs) != 0 || n != 0 {
		t.Fatalf("first refresh made events: %v (n=%d)", evs, n)
	}
	p.record(view(1, &SiteView{Site: "site-a", Err: errTest("rados_connect timed out")},
		&SiteView{Site: "site-b", Images: []model.Image{img(false, behind(9))}}))
	if since, down := p.DownSince("site-a"); !down || !since.Equal(at.Add(time.Second)) {
		t.Fatalf("DownSince = %v %v", since, down)
	}
	p.record(view(2, &SiteView{Site: "site-a", Images: []model.Image{img(false, behind(0))}, Daemons: &DaemonInfo{Leader: "4200"}},
		&SiteView{Site: "site-b", Images: []model.Image{img(true, primary)}}))
	evs, n := p.EventsAfter(0)
	var kinds []string
	for _, e := range evs {
		kinds = append(kinds, e.Site+":"+e.Kind)
	}
	// site-a: down, up, leader 4100 -> 4200, demoted, state; site-b:
	// promoted, state. MaxEvents 4 keeps the last four.
	want := []string{"site-a:demoted", "site-a:state", "site-b:promoted", "site-b:state"}
	if n != 7 || len(kinds) != 4 || kinds[0] != want[0] || kinds[3] != want[3] {
		t.Fatalf("events %v (n=%d), want %v of 7", kinds, n, want)
	}
	if _, down := p.DownSince("site-a"); down {
		t.Fatal("site-a still down after it answered")
	}
	if more, m := p.EventsAfter(n); len(more) != 0 || m != n {
		t.Fatalf("EventsAfter(%d) = %v, %d", n, more, m)
	}
	if evs, _ := p.EventsAfter(5); len(evs) != 2 || evs[0].Kind != "promoted" {
		t.Fatalf("EventsAfter(5) = %v", evs)
	}
	if got := p.Lags("site-b", "vol1", 2); len(got) != 2 || got[0] != 9 || got[1] != 0 {
		t.Fatalf("Lags = %v, want [9 0]", got)
	}
	if got := p.Leader("site-a"); got != "4200" {
		t.Fatalf("Leader = %q", got)
	}
}

type errTest string

func (e errTest) Error() string { return string(e) }

// In a refresh of more images than ExactMax, the images Focus names (at
// most ExactMax of them) are the ones read exactly; merge puts what was
// read in their place and leaves every other image as listed.
func TestPollerFocusedAndMerge(t *testing.T) {
	var imgs []model.Image
	for _, n := range []string{"a", "b", "c", "d", "e"} {
		imgs = append(imgs, model.Image{Name: n})
	}
	p := &Poller{ExactMax: 2}
	if got := p.focused(imgs); got != nil {
		t.Errorf("no Focus: %v", got)
	}
	// Names the refresh does not have are skipped; at most ExactMax,
	// in the order the screen shows them.
	p.Focus = func() []string { return []string{"d", "zz", "d", "b", "e"} }
	got := p.focused(imgs)
	if len(got) != 2 || got[0].Name != "d" || got[1].Name != "b" {
		t.Fatalf("focused: %v", got)
	}
	read := []model.Image{{Name: "b", Primary: true}, {Name: "d", Primary: true}}
	m := merge(imgs, read)
	for i, img := range m {
		if img.Name != imgs[i].Name || img.Primary != (img.Name == "b" || img.Name == "d") {
			t.Errorf("merged %d: %+v", i, img)
		}
	}
}

// The lag kept per refresh: the live journal lag when read, else the
// entries behind in the status, else the snapshot-mode copy's seconds
// behind, else 0.
func TestReplayLag(t *testing.T) {
	n := func(v int64) *int64 { return &v }
	withReplay := func(r model.Replay) model.Image {
		return model.Image{Local: &model.SiteImageStatus{Replay: &r}}
	}
	for _, c := range []struct {
		name string
		img  model.Image
		live *LiveLag
		want int64
	}{
		{"live lag first", withReplay(model.Replay{EntriesBehindPrimary: n(7)}), &LiveLag{Lag: 12}, 12},
		{"entries behind", withReplay(model.Replay{EntriesBehindPrimary: n(7)}), nil, 7},
		{"snapshot seconds behind", withReplay(model.Replay{RemoteSnapshotTimestamp: n(1000), LocalSnapshotTimestamp: n(940)}), nil, 60},
		{"no replay state", model.Image{Local: &model.SiteImageStatus{}}, nil, 0},
		{"no local status", model.Image{}, nil, 0},
	} {
		if got := replayLag(c.img, c.live); got != c.want {
			t.Errorf("%s: %d, want %d", c.name, got, c.want)
		}
	}
}
