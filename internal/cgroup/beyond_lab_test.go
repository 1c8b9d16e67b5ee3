package cgroup_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ceph/go-ceph/rbd"
	"github.com/rbdtui/rbdtui/internal/cgroup"
	"github.com/rbdtui/rbdtui/internal/journal"
	"github.com/rbdtui/rbdtui/internal/lab"
	"github.com/rbdtui/rbdtui/model"
)

// A forced failover's plan says, per member, how many journal entries the
// target replayed after the point it rolls back to. It is computed on
// site-b from the point's position recorded at checkpoint time, site-b's
// replay status and the tag chain of site-b's journal; the test checks it
// against site-a's journal, read entry by entry. Both sites stay up: a
// dry run of a forced failover does not contact the old primary.
//
// Member A gets N writes, each from a fresh open of the image, so each
// starts a new journal tag (librbd starts one at every exclusive lock
// acquisition) and the count crosses tags. Member B gets M writes from a
// writer that holds it open across the checkpoint, as a VM would (the
// group snapshot still takes the lock away from it for a moment, so its
// snapshot lands in a tag of its own too). A point whose record predates
// journal positions shows "unknown".
func TestForcedPlanCountsEntriesBeyondThePoint(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	group := uniq("eb")
	names := []string{group + "-a", group + "-b"}
	t.Cleanup(func() { f.cleanup(t, group, names) })
	createImages(t, f.adminA.IO, 4<<20, names...)
	spec := cgroup.Spec{Pool: lab.Pool, Group: group}
	if _, err := cgroup.Create(ctx, f.m, f.a, spec, model.GroupJournal{SplayWidth: 2, Order: 20}); err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		if _, err := cgroup.Attach(ctx, f.m, f.a, model.ImageSpec{Pool: lab.Pool, Image: n}, spec); err != nil {
			t.Fatal(err)
		}
	}
	f.waitReplaying(t, names, 60*time.Second)
	// plan is the dry run's plan; until site-b holds a point every member
	// shares, the plan refuses, and an empty plan is returned.
	plan := func() *model.GroupFailoverPlan {
		t.Helper()
		p, err := cgroup.Plan(ctx, f.m, f.a, f.b, spec, cgroup.Options{Force: true})
		if cgroup.IsRefusal(err) {
			return &model.GroupFailoverPlan{}
		}
		if err != nil {
			t.Fatalf("forced plan: %v", err)
		}
		return p
	}

	// A point recorded the way rbdtui did before it kept journal
	// positions: site-b's record of it has a name and a time only.
	old, err := cgroup.Checkpoint(ctx, f.m, f.a, spec, 0, time.Now())
	if err != nil || len(old.Warnings) > 0 {
		t.Fatalf("checkpoint: %v %v", err, old)
	}
	key := "rbdtui.cgroup." + group
	raw, err := rbd.GetPoolMetadata(f.adminB.IO, key)
	if err != nil {
		t.Fatal(err)
	}
	var rec cgroup.Record
	if err := json.Unmarshal([]byte(raw), &rec); err != nil {
		t.Fatal(err)
	}
	stripped := 0
	for k, pm := range rec.Points {
		if pm.Name == old.Created && len(pm.Journal) == len(names) {
			pm.Journal = nil
			rec.Points[k] = pm
			stripped++
		}
	}
	if stripped != 1 {
		t.Fatalf("site-b's record has no journal positions for %s: %s", old.Created, raw)
	}
	data, _ := json.Marshal(rec)
	if err := rbd.SetPoolMetadata(f.adminB.IO, key, string(data)); err != nil {
		t.Fatal(err)
	}
	var p *model.GroupFailoverPlan
	waitFor(t, "site-b to hold "+old.Created, 30*time.Second, func() (bool, string) {
		p = plan()
		return p.Point != nil && p.Point.Name == old.Created, fmt.Sprintf("%+v", p.Point)
	})
	for _, r := range p.Rollback {
		if r.EntriesBeyond != -1 || !strings.Contains(r.EntriesBeyondUnknown, "recorded before rbdtui kept journal positions") {
			t.Errorf("%s: entries beyond a point recorded without positions: %d (%q)", r.Image, r.EntriesBeyond, r.EntriesBeyondUnknown)
		}
	}

	// Member B is held open across the point.
	held, err := f.adminA.Open(names[1], false)
	if err != nil {
		t.Fatal(err)
	}
	write := func(img *rbd.Image, off int64) {
		t.Helper()
		if _, err := img.WriteAt(pattern(uint64(off), 4096), off); err != nil {
			t.Fatal(err)
		}
	}
	write(held, 0)
	if err := held.Flush(); err != nil {
		t.Fatal(err)
	}
	cp, err := cgroup.Checkpoint(ctx, f.m, f.a, spec, 0, time.Now())
	if err != nil || len(cp.Warnings) > 0 {
		t.Fatalf("checkpoint: %v %+v", err, cp)
	}
	const n, m = 3, 5
	for i := range n {
		f.adminA.WriteAt(t, names[0], int64(i)*65536, pattern(uint64(i), 4096))
	}
	for i := range m {
		write(held, int64(i+1)*65536)
	}
	if err := held.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := held.Close(); err != nil {
		t.Fatal(err)
	}

	// What site-a's journal holds after each member's share of the point:
	// every entry after its SnapCreate, but the OpFinish of that snapshot.
	type truth struct {
		beyond, writes int
		last           model.Position
	}
	want := map[string]truth{}
	for _, name := range names {
		js, err := journal.SpecOfImage(ctx, f.a, model.ImageSpec{Pool: lab.Pool, Image: name})
		if err != nil {
			t.Fatal(err)
		}
		j, err := journal.Open(ctx, f.a, js)
		if err != nil {
			t.Fatal(err)
		}
		entries, _, err := j.Entries(ctx, true)
		if err != nil {
			t.Fatal(err)
		}
		var tr truth
		snapAt, op := -1, uint64(0)
		for i, e := range entries {
			ev, err := journal.DecodeEvent(e.Data)
			if err != nil {
				t.Fatalf("%s: entry %d/%d: %v", name, e.TagTID, e.EntryTID, err)
			}
			switch {
			case ev.Type == journal.EventSnapCreate && strings.HasPrefix(ev.SnapName, ".group.") && isPoint(t, f, name, ev.SnapName, cp.Created):
				snapAt, op, tr = i, ev.OpTID, truth{}
			case snapAt < 0:
			case ev.Type == journal.EventOpFinish && ev.OpTID == op && e.TagTID == entries[snapAt].TagTID:
			default:
				tr.beyond++
				if ev.Type == journal.EventAioWrite {
					tr.writes++
				}
			}
			tr.last = model.Position{ObjectNumber: e.Object, TagTID: e.TagTID, EntryTID: e.EntryTID}
		}
		if snapAt < 0 {
			t.Fatalf("%s: no SnapCreate of %s in site-a's journal", name, cp.Created)
		}
		want["rbd/"+name] = tr
	}
	if w := want["rbd/"+names[0]].writes; w != n {
		t.Fatalf("site-a's journal of %s holds %d writes after the point, not %d", names[0], w, n)
	}
	if w := want["rbd/"+names[1]].writes; w != m {
		t.Fatalf("site-a's journal of %s holds %d writes after the point, not %d", names[1], w, m)
	}

	// site-b publishes its replay position every 30 s or so.
	waitFor(t, "site-b's replay status to reach the end of site-a's journals", 50*time.Second, func() (bool, string) {
		p = plan()
		if p.Point == nil || p.Point.Name != cp.Created {
			return false, fmt.Sprintf("point %+v", p.Point)
		}
		for _, r := range p.Rollback {
			if r.ReplayedPosition == nil || *r.ReplayedPosition != want[r.Image].last {
				return false, fmt.Sprintf("%s replayed %+v, site-a's last entry %+v (%s)", r.Image, r.ReplayedPosition, want[r.Image].last, r.EntriesBeyondUnknown)
			}
		}
		return true, ""
	})
	for _, r := range p.Rollback {
		w := want[r.Image]
		t.Logf("%s: %d entries beyond %s (%d writes); point %+v, replayed %+v", r.Image, r.EntriesBeyond, r.Snapshot, w.writes, *r.PointPosition, *r.ReplayedPosition)
		if r.EntriesBeyond != int64(w.beyond) {
			t.Errorf("%s: the plan says %d entries beyond the point (%q), site-a's journal holds %d", r.Image, r.EntriesBeyond, r.EntriesBeyondUnknown, w.beyond)
		}
	}
	if a := p.Rollback[0]; a.PointPosition.TagTID+n > a.ReplayedPosition.TagTID {
		t.Errorf("%s: point in tag %d, replay in tag %d; %d opens after the point should have started %d tags", a.Image, a.PointPosition.TagTID, a.ReplayedPosition.TagTID, n, n)
	}
}

// isPoint says whether a member snapshot on site-a belongs to the group
// snapshot named point.
func isPoint(t *testing.T, f *fixture, image, snap, point string) bool {
	t.Helper()
	img, err := f.adminA.Open(image, true)
	if err != nil {
		t.Fatal(err)
	}
	defer img.Close()
	snaps, err := img.GetSnapshotNames()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range snaps {
		if s.Name != snap {
			continue
		}
		ns, err := img.GetSnapGroupNamespace(s.Id)
		return err == nil && ns != nil && ns.GroupSnapName == point
	}
	return false
}
