package backend

import (
	"testing"
	"time"

	"github.com/rbdtui/rbdtui/model"
)

func TestTimelineKeepsEveryTransitionOnce(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 10, 0, 0, 0, time.UTC)
	now := t0
	tl := newTimeline()
	tl.now = func() time.Time { return now }
	demoted := model.WatchEvent{At: t0, Site: "site-a", Image: "rbd/vol1", Kind: model.EventDemoted, From: "primary", To: "non-primary"}
	tl.add(demoted)
	// The poller sees the same demotion a second later: one event.
	again := demoted
	again.At = t0.Add(time.Second)
	tl.add(again)
	// A failback promotes and demotes again within the minute: kept.
	tl.add(model.WatchEvent{At: t0.Add(20 * time.Second), Site: "site-a", Image: "rbd/vol1", Kind: model.EventPromoted, From: "non-primary", To: "primary"})
	second := demoted
	second.At = t0.Add(40 * time.Second)
	tl.add(second)
	// A state flap is kept whole.
	for i, to := range []string{"up+stopped", "up+replaying", "up+stopped"} {
		tl.add(model.WatchEvent{At: t0.Add(time.Duration(41+i) * time.Second), Site: "site-b", Image: "rbd/vol1", Kind: model.EventState, To: to})
	}
	evs, n := tl.after(0)
	if len(evs) != 6 || n != 6 {
		t.Fatalf("%d events (seq %d), want 6: %+v", len(evs), n, evs)
	}
	if more, m := tl.after(n); len(more) != 0 || m != n {
		t.Fatalf("after the newest: %v %d", more, m)
	}
	// Older than TimelineKeep goes.
	now = t0.Add(TimelineKeep + 30*time.Second)
	tl.add(model.WatchEvent{At: now, Site: "site-b", Kind: model.EventSiteDown})
	evs, _ = tl.after(0)
	if len(evs) != 5 || !evs[0].At.Equal(second.At) {
		t.Fatalf("after %s: %+v", TimelineKeep, evs)
	}
	// progressEvents: a failover's demote and promote, with the pool.
	got := progressEvents([]string{"failover", "--pool", "rbd", "--from", "site-a", "--to", "site-b", "--yes"},
		model.Progress{Step: "demote", Object: "vol1", Site: "site-a", State: "non-primary"}, t0)
	if len(got) != 1 || got[0].Kind != model.EventDemoted || got[0].Image != "rbd/vol1" || got[0].Site != "site-a" {
		t.Fatalf("progress events %+v", got)
	}
	if got := progressEvents([]string{"failover", "--image", "rbd/vol1"}, model.Progress{Step: "demote", Object: "vol1", Site: "site-a"}, t0); len(got) != 0 {
		t.Fatalf("a demote not yet done made %+v", got)
	}
}
