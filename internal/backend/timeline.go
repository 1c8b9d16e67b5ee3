package backend

import (
	"strings"
	"sync"
	"time"

	"github.com/rbdtui/rbdtui/internal/mirror"
	"github.com/rbdtui/rbdtui/model"
)

// TimelineKeep is how far back a watch opened now starts its timeline.
const TimelineKeep = 15 * time.Minute

// timelineMax bounds the events kept, whatever their age.
const timelineMax = 5000

// timeline is every transition the backend saw, from any source: the
// console's own listings (each refresh of a pool is diffed against the
// previous one), every watch session's poller, and the progress of the
// commands it runs (a failover's demotions and promotions, a resync
// request). A watch opens with its last TimelineKeep, not empty, and then
// reads what is added after.
type timeline struct {
	mu     sync.Mutex
	events []model.WatchEvent // oldest first
	seq    uint64             // events ever added; events[len-1] is number seq
	last   map[string]model.Image
	now    func() time.Time
}

func newTimeline() *timeline {
	return &timeline{last: map[string]model.Image{}, now: time.Now}
}

// add records events, skipping one that repeats what another source saw
// for the same site and image less than a minute before (a failover's
// demotion is seen by its job and again by every poller).
func (t *timeline) add(evs ...model.WatchEvent) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, e := range evs {
		if t.repeats(e) {
			continue
		}
		t.seq++
		t.events = append(t.events, e)
	}
	cut := 0
	old := t.now().Add(-TimelineKeep)
	for cut < len(t.events) && (len(t.events)-cut > timelineMax || t.events[cut].At.Before(old)) {
		cut++
	}
	if cut > 0 {
		t.events = append([]model.WatchEvent(nil), t.events[cut:]...)
	}
}

// repeats reports whether the newest event of the same kind for the same
// site and image, within a minute, is the same transition: then e is
// that transition seen by another source. A flap (A→B, B→A, A→B) is not
// a repeat, since B→A comes between.
func (t *timeline) repeats(e model.WatchEvent) bool {
	for i := len(t.events) - 1; i >= 0; i-- {
		p := t.events[i]
		if d := e.At.Sub(p.At); d > time.Minute || d < -time.Minute {
			continue
		}
		if p.Site != e.Site || p.Image != e.Image || family(p.Kind) != family(e.Kind) {
			continue
		}
		return p.Kind == e.Kind && p.From == e.From && p.To == e.To
	}
	return false
}

// family groups kinds that undo each other, for repeats.
func family(kind string) string {
	switch kind {
	case model.EventDemoted, model.EventPromoted:
		return "role"
	case model.EventSiteDown, model.EventSiteUp:
		return "site"
	}
	return kind
}

// after returns the events added after the n-th, and the number of the
// newest; n = 0 returns every event kept (the last TimelineKeep).
func (t *timeline) after(n uint64) ([]model.WatchEvent, uint64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	first := t.seq - uint64(len(t.events))
	if n < first {
		n = first
	}
	if n >= t.seq {
		return nil, t.seq
	}
	return append([]model.WatchEvent(nil), t.events[n-first:]...), t.seq
}

// listed diffs a listing of a pool on a site against the previous one.
func (t *timeline) listed(site, pool string, imgs []model.Image, at time.Time) {
	var evs []model.WatchEvent
	t.mu.Lock()
	for _, img := range imgs {
		key := site + "/" + pool + "/" + img.Name
		prev, seen := t.last[key]
		t.last[key] = img
		if seen {
			for _, e := range mirror.Diff(site, at, prev, img) {
				evs = append(evs, fromMirrorEvent(pool, e))
			}
		}
	}
	t.mu.Unlock()
	t.add(evs...)
}

func fromMirrorEvent(pool string, e mirror.Event) model.WatchEvent {
	img := ""
	if e.Image != "" {
		img = pool + "/" + e.Image
	}
	return model.WatchEvent{At: e.At, Site: e.Site, Image: img, Kind: e.Kind, From: e.From, To: e.To, Detail: e.Detail}
}

// progressEvents turns a command's progress into timeline events: a
// failover's demotions and promotions as they are done. argv is the
// command, for the pool of an image name.
func progressEvents(argv []string, p model.Progress, at time.Time) []model.WatchEvent {
	if len(argv) == 0 || argv[0] != "failover" || p.Object == "" || p.Site == "" {
		return nil
	}
	pool := ""
	for i := 1; i+1 < len(argv); i++ {
		switch argv[i] {
		case "--pool":
			pool = argv[i+1]
		case "--image":
			pool, _, _ = strings.Cut(argv[i+1], "/")
		}
	}
	img := p.Object
	if pool != "" && !strings.Contains(img, "/") {
		img = pool + "/" + img
	}
	e := model.WatchEvent{At: at, Site: p.Site, Image: img, Detail: "by rbdtui " + strings.Join(argv, " ")}
	switch {
	case p.Step == "demote" && p.State == "non-primary":
		e.Kind, e.From, e.To = model.EventDemoted, "primary", "non-primary"
	case (p.Step == "promote" || p.Step == "force-promote") && p.State == "primary":
		e.Kind, e.From, e.To = model.EventPromoted, "non-primary", "primary"
	default:
		return nil
	}
	return []model.WatchEvent{e}
}
