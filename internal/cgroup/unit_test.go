package cgroup

import (
	"strings"
	"testing"
	"time"

	"github.com/rbdtui/rbdtui/model"
)

func TestParseJournalOption(t *testing.T) {
	for _, c := range []struct{ in, key, val, err string }{
		{in: "commit_age=5", key: "rbd_journal_commit_age", val: "5"},
		{in: "commit-age=0.5", key: "rbd_journal_commit_age", val: "0.5"},
		{in: "rbd_journal_max_payload_bytes=16384", key: "rbd_journal_max_payload_bytes", val: "16384"},
		{in: "object_writethrough_until_flush=true", key: "rbd_journal_object_writethrough_until_flush", val: "true"},
		{in: "colour=blue", err: "not a journal setting"},
		{in: "commit_age", err: "expected key=value"},
		{in: "max_payload_bytes=lots", err: "not a whole number"},
		{in: "commit_age=soon", err: "not a number of seconds"},
	} {
		k, v, err := ParseJournalOption(c.in)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%s: error %v, want %q", c.in, err, c.err)
			}
			continue
		}
		if err != nil || k != c.key || v != c.val {
			t.Errorf("%s: %s=%s %v", c.in, k, v, err)
		}
	}
}

func TestOrderOf(t *testing.T) {
	for size, want := range map[uint64]int{4 << 10: 12, 1 << 20: 20, 64 << 20: 26} {
		if got, err := OrderOf(size); err != nil || got != want {
			t.Errorf("%d: %d %v", size, got, err)
		}
	}
	for _, bad := range []uint64{0, 2048, 3 << 10, 128 << 20} {
		if _, err := OrderOf(bad); err == nil {
			t.Errorf("%d accepted", bad)
		}
	}
}

func TestParseSpec(t *testing.T) {
	s, err := ParseSpec("g", false)
	if err != nil || s.String() != "rbd/g" {
		t.Errorf("%v %v", s, err)
	}
	s, err = ParseSpec("p/ns/g@cp-1", true)
	if err != nil || s.Pool != "p" || s.Namespace != "ns" || s.Group != "g" || s.Snap != "cp-1" || s.WithoutSnap().String() != "p/ns/g" {
		t.Errorf("%+v %v", s, err)
	}
	if _, err := ParseSpec("p/g@s", false); err == nil || !strings.Contains(err.Error(), "group spec") {
		t.Errorf("snapshot accepted: %v", err)
	}
}

func view(snaps ...memberSnap) memberView {
	v := memberView{snaps: map[string]memberSnap{}}
	for _, s := range snaps {
		v.snaps[s.Key] = s
	}
	return v
}

// The recovery point is the newest point held by every member, ordered by
// snapshot id (replay stamps replayed snapshots with their replay time).
func TestCommonPoints(t *testing.T) {
	t0 := time.Unix(1000, 0)
	a := view(memberSnap{ID: 4, Key: "k1", Time: t0.Add(9 * time.Second)}, memberSnap{ID: 6, Key: "k2", Time: t0.Add(2 * time.Second)}, memberSnap{ID: 8, Key: "k3", Time: t0.Add(3 * time.Second)})
	b := view(memberSnap{ID: 5, Key: "k1"}, memberSnap{ID: 7, Key: "k2"})
	pts := commonPoints([]memberView{a, b}, map[string]PointMeta{"k2": {Name: "cp-2", Time: t0}})
	if len(pts) != 2 || pts[0].Key != "k2" || pts[0].Name != "cp-2" || !pts[0].Time.Equal(t0) || pts[1].Key != "k1" {
		t.Fatalf("%+v", pts)
	}
	if pts := commonPoints([]memberView{a, view()}, nil); len(pts) != 0 {
		t.Errorf("a member without points: %+v", pts)
	}
}

func TestCaughtUp(t *testing.T) {
	demote := time.Unix(2000, 500e6)
	st := func(state, desc string, at time.Time) memberView {
		return memberView{local: &model.SiteImageStatus{State: state, Description: desc, LastUpdate: at}}
	}
	for _, c := range []struct {
		v    memberView
		want bool
	}{
		{st(model.StateUnknown, "remote image is not primary", demote.Add(2*time.Second)), true},
		{st(model.StateUnknown, "remote image demoted", demote.Add(time.Second)), true},
		// Published before (or in the second of) the demotion: stale.
		{st(model.StateUnknown, "remote image is not primary", demote.Truncate(time.Second)), false},
		// Stopped alone is not enough.
		{st(model.StateStopped, "stopped", demote.Add(5*time.Second)), false},
		{st(model.StateReplaying, "replaying, {}", demote.Add(5*time.Second)), false},
		{memberView{}, false},
	} {
		if got, _ := caughtUp(c.v, demote); got != c.want {
			t.Errorf("%+v: %v, want %v", c.v.local, got, c.want)
		}
	}
}
