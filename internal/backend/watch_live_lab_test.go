package backend_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"sync"
	"testing"
	"time"

	"github.com/rbdtui/rbdtui/internal/labtest"
	"github.com/rbdtui/rbdtui/model"
)

// Under `lab load` the watch shows a journal copy's lag live, from the
// primary journal's header, not rbd-mirror's 30-second report: non-zero
// soon after the writes start, a moving trend, back to 0 after the load.
// The figures are checked against `rbd journal status` read right after
// a poll (the writer may have gone on in between: the CLI's lag may only
// be larger or equal within the same tag). Times are logged, never
// asserted.
func TestWatchLiveJournalLagUnderLoad(t *testing.T) {
	st := labtest.Require(t)
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	// An image of its own (other tests leave theirs in the pool),
	// journal-mirrored and replaying.
	a := st.Site("site-a")
	spec := fmt.Sprintf("rbd/livelag-%d", time.Now().UnixNano()%1_000_000_000)
	mustRBD(t, ctx, a.Conf, "create", "--size", "64M", "--image-feature", "layering,exclusive-lock,journaling", spec)
	removeAfter(t, a.Conf, spec)
	mustRBD(t, ctx, a.Conf, "mirror", "image", "enable", spec, "journal")
	_, sess := labWatch(t, st, model.WatchScope{Images: []string{spec}})
	poll := func() *model.WatchCell {
		t.Helper()
		return cellOf(pollFrame(t, ctx, sess), spec, "site-b")
	}
	// Caught up before the load.
	deadline := time.Now().Add(90 * time.Second)
	for {
		c := poll()
		if c != nil && c.LagLive && *c.Lag == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s on site-b: no live lag of 0 before the load (%+v)", spec, c)
		}
		time.Sleep(500 * time.Millisecond)
	}

	var wg sync.WaitGroup
	wg.Add(1)
	start := time.Now()
	go func() {
		defer wg.Done()
		// About 2,000 4 KiB writes, one at a time, as `lab load` does.
		out, err := exec.CommandContext(ctx, "rbd", "-c", a.Conf, "--id", "admin", "bench", "--io-type", "write", "--io-size", "4K",
			"--io-total", "8M", "--io-threads", "1", "--io-pattern", "rand", spec).CombinedOutput()
		if err != nil {
			t.Errorf("rbd bench: %v %s", err, out)
		}
	}()
	var firstLag time.Duration
	var maxLag int64
	var compared int
	var last *model.WatchCell
	for time.Since(start) < 15*time.Second {
		c := poll()
		if c == nil || !c.LagLive {
			t.Fatalf("no live lag during the load: %+v", c)
		}
		last = c
		if *c.Lag > 0 && firstLag == 0 {
			firstLag = time.Since(start)
			// rbd-mirror's own status may not be published yet (nil).
			reported := "no status from rbd-mirror yet"
			if c.Status != nil {
				reported = fmt.Sprintf("rbd-mirror's status said %v, updated %s ago", deref(c.ReportedLag), time.Since(c.Status.LastUpdate).Round(time.Second))
			}
			t.Logf("first non-zero live lag %d entries after %s (%s)", *c.Lag, firstLag.Round(time.Millisecond), reported)
		}
		maxLag = max(maxLag, *c.Lag)
		if *c.Lag > 0 && (c.LagBytes == nil || *c.LagBytes <= 0) {
			// The tails read hold at least the newest entry, which the
			// peer has not committed.
			t.Errorf("%d entries behind but no journal bytes behind (%v)", *c.Lag, c.LagBytes)
		}
		if *c.Lag > 0 && compared < 3 {
			compared++
			master, peer := journalStatus(t, st.Site("site-a").Conf, spec)
			t.Logf("watch: %d entries (%d journal bytes%s) behind; rbd journal status just after: writer %v, peer %v",
				*c.Lag, deref(c.LagBytes), map[bool]string{true: ", estimated", false: ""}[c.LagBytesEstimated], master, peer)
		}
		time.Sleep(250 * time.Millisecond)
	}
	wg.Wait()
	if firstLag == 0 {
		t.Fatalf("the live lag never left 0 during the load (last cell %+v)", last)
	}
	if len(last.History) < 2 || flat(last.History) {
		t.Errorf("the lag trend did not move: %v", last.History)
	}
	t.Logf("max live lag %d entries; trend %v", maxLag, last.History)
	deadline = time.Now().Add(90 * time.Second)
	for {
		c := poll()
		if c != nil && c.LagLive && *c.Lag == 0 {
			t.Logf("back to 0 entries %s after the polling under load ended", time.Since(start.Add(15*time.Second)).Round(time.Second))
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the live lag did not return to 0 after the load: %+v", c)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

func deref(p *int64) any {
	if p == nil {
		return "nothing"
	}
	return *p
}

func flat(h []int64) bool {
	for _, v := range h {
		if v != h[0] {
			return false
		}
	}
	return true
}

type jpos struct {
	ObjectNumber uint64 `json:"object_number"`
	TagTID       uint64 `json:"tag_tid"`
	EntryTID     uint64 `json:"entry_tid"`
}

// journalStatus reads the writer's (master client's) and the mirror peer's
// commit positions with the rbd CLI.
func journalStatus(t *testing.T, conf, spec string) (master, peer jpos) {
	t.Helper()
	out, err := exec.Command("rbd", "-c", conf, "--id", "admin", "journal", "status", "--image", spec, "--format", "json").Output()
	if err != nil {
		t.Fatalf("rbd journal status %s: %v", spec, err)
	}
	var js struct {
		Clients []struct {
			ID     string `json:"id"`
			Commit struct {
				Positions []jpos `json:"object_positions"`
			} `json:"commit_position"`
		} `json:"registered_clients"`
	}
	if err := json.Unmarshal(out, &js); err != nil {
		t.Fatal(err)
	}
	best := func(ps []jpos) jpos {
		var b jpos
		for _, p := range ps {
			if p.TagTID > b.TagTID || (p.TagTID == b.TagTID && p.EntryTID > b.EntryTID) {
				b = p
			}
		}
		return b
	}
	for _, c := range js.Clients {
		if c.ID == "" {
			master = best(c.Commit.Positions)
		} else {
			peer = best(c.Commit.Positions)
		}
	}
	return master, peer
}

// A snapshot-mode copy's lag is read from the mirror snapshots on both
// sites: 0 while it holds the primary's newest, above 0 (with its copy
// progress) after a new mirror snapshot of changed data, 0 again once
// copied. Times are logged, never asserted.
func TestWatchLiveSnapshotLag(t *testing.T) {
	st := labtest.Require(t)
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	a := st.Site("site-a")
	name := fmt.Sprintf("snaplag-%d", time.Now().UnixNano()%1_000_000_000)
	spec := "rbd/" + name
	mustRBD(t, ctx, a.Conf, "create", "--size", "64M", spec)
	removeAfter(t, a.Conf, spec)
	mustRBD(t, ctx, a.Conf, "mirror", "image", "enable", spec, "snapshot")
	_, sess := labWatch(t, st, model.WatchScope{Images: []string{spec}})
	poll := func() *model.WatchCell {
		t.Helper()
		return presentCell(pollFrame(t, ctx, sess), spec, "site-b")
	}
	until := func(what string, cond func(*model.WatchCell) bool) time.Duration {
		t.Helper()
		start := time.Now()
		for time.Since(start) < 2*time.Minute {
			if c := poll(); c != nil && cond(c) {
				return time.Since(start)
			}
			time.Sleep(250 * time.Millisecond)
		}
		t.Fatalf("%s: not seen in 2 minutes", what)
		return 0
	}
	synced := func(c *model.WatchCell) bool { return c.LagLive && c.Lag != nil && *c.Lag == 0 }
	t.Logf("initial copy synced after %s", until("initial sync", synced).Round(time.Millisecond))
	time.Sleep(1100 * time.Millisecond) // the next snapshot's time differs by a second at least
	mustRBD(t, ctx, a.Conf, "bench", "--io-type", "write", "--io-size", "1M", "--io-total", "32M", spec)
	mustRBD(t, ctx, a.Conf, "mirror", "image", "snapshot", spec)
	var seen *model.WatchCell
	d := until("lag after a new mirror snapshot", func(c *model.WatchCell) bool {
		if c.LagLive && c.Lag != nil && *c.Lag > 0 {
			seen = c
			return true
		}
		return false
	})
	pct := "none"
	if seen.SyncPercent != nil {
		pct = fmt.Sprintf("%.0f%%", *seen.SyncPercent)
	}
	t.Logf("new mirror snapshot: lag %d s seen after %s (copy progress %s)", *seen.Lag, d.Round(time.Millisecond), pct)
	t.Logf("copied again after %s", until("synced again", synced).Round(time.Millisecond))
}

// A resync is watched to the end: after `mirror image resync` through the
// backend, the watch's timeline has the request, the copy is seen
// resyncing (bootstrap percent or a state other than replaying), and
// then replaying again. Times and figures are logged, never asserted.
func TestWatchFollowsAResyncToTheEnd(t *testing.T) {
	st := labtest.Require(t)
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	a := st.Site("site-a")
	spec := fmt.Sprintf("rbd/resync-%d", time.Now().UnixNano()%1_000_000_000)
	mustRBD(t, ctx, a.Conf, "create", "--size", "64M", "--image-feature", "layering,exclusive-lock,journaling", spec)
	removeAfter(t, a.Conf, spec)
	mustRBD(t, ctx, a.Conf, "bench", "--io-type", "write", "--io-size", "1M", "--io-total", "48M", spec)
	mustRBD(t, ctx, a.Conf, "mirror", "image", "enable", spec, "journal")
	bk, sess := labWatch(t, st, model.WatchScope{Images: []string{spec}})
	var events []model.WatchEvent
	poll := func() *model.WatchCell {
		t.Helper()
		f := pollFrame(t, ctx, sess)
		events = append(events, f.Events...)
		return presentCell(f, spec, "site-b")
	}
	replaying := func(c *model.WatchCell) bool {
		return c != nil && !c.Primary && c.Status != nil && c.Status.FullState() == "up+replaying"
	}
	deadline := time.Now().Add(2 * time.Minute)
	for c := poll(); !replaying(c); c = poll() {
		if time.Now().After(deadline) {
			t.Fatalf("%s never replayed on site-b", spec)
		}
		time.Sleep(500 * time.Millisecond)
	}
	start := time.Now()
	if _, err := bk.Exec(ctx, []string{"mirror", "image", "resync", spec, "--site", "site-b", "--yes"}, nil); err != nil {
		t.Fatal(err)
	}
	var states []string
	var pcts []float64
	left := false
	deadline = time.Now().Add(2 * time.Minute)
	for {
		c := poll()
		if c != nil && c.Status != nil {
			s := c.Status.FullState()
			if len(states) == 0 || states[len(states)-1] != s {
				states = append(states, s)
			}
			if c.SyncPercent != nil && (len(pcts) == 0 || pcts[len(pcts)-1] != *c.SyncPercent) {
				pcts = append(pcts, *c.SyncPercent)
			}
			if !replaying(c) || c.Status.ResyncRequested || c.SyncPercent != nil {
				left = true
			}
		}
		if left && replaying(c) && c.SyncPercent == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the resync was not seen to end in 2 minutes: states %v, percents %v", states, pcts)
		}
		time.Sleep(250 * time.Millisecond)
	}
	t.Logf("resync of %s watched to the end in %s: states %v, sync percents %v", spec, time.Since(start).Round(time.Millisecond), states, pcts)
	found := false
	for _, e := range events {
		if e.Kind == model.EventResync && e.Image == spec {
			found = true
		}
	}
	if !found {
		t.Errorf("the timeline has no resync request: %+v", events)
	}
}
