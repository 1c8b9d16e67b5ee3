package cgroup_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/ceph/go-ceph/rados"
	"github.com/ceph/go-ceph/rbd"
	"github.com/rbdtui/rbdtui/internal/cgroup"
	"github.com/rbdtui/rbdtui/internal/lab"
	"github.com/rbdtui/rbdtui/internal/labtest"
	"github.com/rbdtui/rbdtui/internal/site"
	"github.com/rbdtui/rbdtui/model"
)

// fixture is the lab seen by the console user (engine calls) and by the
// admin (writing and checking data, cleaning up).
type fixture struct {
	st     *lab.State
	m      *site.Manager
	a, b   *site.Conn
	adminA *labtest.Admin
	adminB *labtest.Admin
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	st := labtest.Require(t)
	f := &fixture{st: st, m: site.NewManager(labtest.Config(t, st))}
	t.Cleanup(f.m.Close)
	var err error
	if f.a, err = f.m.Site(lab.SiteA); err != nil {
		t.Fatal(err)
	}
	if f.b, err = f.m.Site(lab.SiteB); err != nil {
		t.Fatal(err)
	}
	// Registered before the test's own cleanups, so they run after them.
	f.adminA = labtest.NewAdmin(t, st.Site(lab.SiteA))
	f.adminB = labtest.NewAdmin(t, st.Site(lab.SiteB))
	return f
}

func uniq(prefix string) string { return fmt.Sprintf("%s%d", prefix, time.Now().UnixNano()%1e9) }

// waitFor polls cond until it holds or the timeout passes.
func waitFor(t testing.TB, what string, timeout time.Duration, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	last := ""
	for time.Now().Before(deadline) {
		ok, why := cond()
		if ok {
			return
		}
		last = why
		time.Sleep(500 * time.Millisecond)
	}
	t.Fatalf("timed out after %s waiting for %s (last: %s)", timeout, what, last)
}

// replaying waits until every image is non-primary and replaying on site-b
// with nothing behind.
func (f *fixture) waitReplaying(t testing.TB, names []string, timeout time.Duration) {
	io := f.adminB.IO
	waitFor(t, "members replaying on site-b", timeout, func() (bool, string) {
		for _, n := range names {
			img, err := rbd.OpenImageReadOnly(io, n, rbd.NoSnapshot)
			if err != nil {
				return false, n + ": " + err.Error()
			}
			gs, err := img.GetGlobalMirrorStatus()
			img.Close()
			if err != nil {
				return false, n + ": " + err.Error()
			}
			ls, err := gs.LocalStatus()
			if err != nil || ls.State != rbd.MirrorImageStatusStateReplaying {
				return false, fmt.Sprintf("%s: %v %s", n, ls.State, ls.Description)
			}
		}
		return true, ""
	})
}

func createImages(t testing.TB, io *rados.IOContext, size uint64, names ...string) {
	t.Helper()
	for _, n := range names {
		opts := rbd.NewRbdImageOptions()
		if err := opts.SetUint64(rbd.ImageOptionFeatures, rbd.FeatureLayering|rbd.FeatureExclusiveLock|rbd.FeatureObjectMap|rbd.FeatureFastDiff|rbd.FeatureDeepFlatten); err != nil {
			t.Fatal(err)
		}
		if err := rbd.CreateImage(io, n, size, opts); err != nil {
			t.Fatalf("create %s: %v", n, err)
		}
		opts.Destroy()
	}
}

// cleanup removes a group and its images on both sites, whatever their
// state, as the admin.
func (f *fixture) cleanup(t testing.TB, group string, names []string) {
	for _, ad := range []*labtest.Admin{f.adminA, f.adminB} {
		io := ad.IO
		for _, n := range names {
			if img, err := rbd.OpenImage(io, n, rbd.NoSnapshot); err == nil {
				_ = rbd.GroupImageRemove(io, group, io, n)
				_ = img.MirrorDisable(true)
				if snaps, err := img.GetSnapshotNames(); err == nil {
					for _, s := range snaps {
						_ = img.GetSnapshot(s.Name).Remove()
					}
				}
				img.Close()
				_ = rbd.RemoveImage(io, n)
			}
		}
		_ = rbd.GroupRemove(io, group)
		_ = rbd.RemovePoolMetadata(io, "rbdtui.cgroup."+group)
	}
}

func pattern(seed uint64, n int) []byte {
	r := rand.New(rand.NewPCG(seed, 99))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// Planned failover and failback keep every byte: known patterns written on
// site-a are byte-for-byte on site-b after failover, and what was written
// on site-b is byte-for-byte on site-a after failback.
func TestPlannedFailoverAndFailbackKeepEveryByte(t *testing.T) {
	f := newFixture(t)

	ctx := context.Background()
	group := uniq("pf")
	names := []string{group + "-a", group + "-b", group + "-c"}
	t.Cleanup(func() { f.cleanup(t, group, names) })
	ioA, ioB := f.adminA.IO, f.adminB.IO
	const size = 8 << 20
	createImages(t, ioA, size, names...)
	want := map[string][]byte{}
	for i, n := range names {
		want[n] = make([]byte, size)
		// Before journaling (copied by the initial sync) ...
		p := pattern(uint64(i), 1<<20)
		f.adminA.WriteAt(t, n, 0, p)
		copy(want[n], p)
	}
	spec := cgroup.Spec{Pool: lab.Pool, Group: group}
	if _, err := cgroup.Create(ctx, f.m, f.a, spec, model.GroupJournal{SplayWidth: 2, Order: 20}); err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		if _, err := cgroup.Attach(ctx, f.m, f.a, model.ImageSpec{Pool: lab.Pool, Image: n}, spec); err != nil {
			t.Fatal(err)
		}
	}
	f.waitReplaying(t, names, 90*time.Second)
	// ... and through the journal, at several offsets.
	for i, n := range names {
		for k, off := range []int64{3 << 20, 5<<20 + 4096, size - 65536} {
			p := pattern(uint64(100+10*i+k), 65536)
			f.adminA.WriteAt(t, n, off, p)
			copy(want[n][off:], p)
		}
	}
	var events []model.Progress
	progress := func(p model.Progress) { events = append(events, p) }
	if err := cgroup.Failover(ctx, f.m, f.a, f.b, spec, cgroup.Options{}, progress); err != nil {
		t.Fatalf("failover to site-b: %v", err)
	}
	checkPrimary(t, ioB, names, true)
	checkPrimary(t, ioA, names, false)
	for _, n := range names {
		if got := f.adminB.ReadAll(t, n); !bytes.Equal(got, want[n]) {
			t.Fatalf("%s on site-b differs from what was written on site-a (first difference at %d)", n, firstDiff(got, want[n]))
		}
	}
	// No member was promoted before every member had caught up.
	lastCaught, firstPromote := -1, -1
	for i, e := range events {
		if e.Step == "caught up" {
			lastCaught = i
		}
		if e.Step == "promote" && firstPromote < 0 {
			firstPromote = i
		}
	}
	if lastCaught < 0 || firstPromote < lastCaught {
		t.Errorf("a member was promoted before all had caught up: %+v", events)
	}
	// The group exists on site-b now, with every member.
	gl, err := cgroup.ImageList(ctx, f.b, spec)
	if err != nil || len(gl) != len(names) {
		t.Fatalf("group on site-b: %v %+v", err, gl)
	}
	// Write on site-b, fail back, check on site-a.
	f.waitReplayingOn(t, ioA, names, 90*time.Second)
	for i, n := range names {
		p := pattern(uint64(200+i), 131072)
		off := int64(1<<20 + 8192*i)
		f.adminB.WriteAt(t, n, off, p)
		copy(want[n][off:], p)
	}
	if err := cgroup.Failover(ctx, f.m, f.b, f.a, spec, cgroup.Options{}, nil); err != nil {
		t.Fatalf("failback to site-a: %v", err)
	}
	checkPrimary(t, ioA, names, true)
	for _, n := range names {
		if got := f.adminA.ReadAll(t, n); !bytes.Equal(got, want[n]) {
			t.Fatalf("%s on site-a after failback differs from what was written (first difference at %d)", n, firstDiff(got, want[n]))
		}
	}
}

func (f *fixture) waitReplayingOn(t testing.TB, io *rados.IOContext, names []string, timeout time.Duration) {
	waitFor(t, "members replaying", timeout, func() (bool, string) {
		for _, n := range names {
			img, err := rbd.OpenImageReadOnly(io, n, rbd.NoSnapshot)
			if err != nil {
				return false, err.Error()
			}
			gs, err := img.GetGlobalMirrorStatus()
			img.Close()
			if err != nil {
				return false, err.Error()
			}
			ls, err := gs.LocalStatus()
			if err != nil || ls.State != rbd.MirrorImageStatusStateReplaying {
				return false, fmt.Sprintf("%s: %s", n, ls.Description)
			}
		}
		return true, ""
	})
}

func checkPrimary(t testing.TB, io *rados.IOContext, names []string, want bool) {
	t.Helper()
	for _, n := range names {
		img, err := rbd.OpenImageReadOnly(io, n, rbd.NoSnapshot)
		if err != nil {
			t.Fatal(err)
		}
		mi, err := img.GetMirrorImageInfo()
		img.Close()
		if err != nil || mi.Primary != want {
			t.Fatalf("%s: primary=%v, want %v (%v)", n, mi.Primary, want, err)
		}
	}
}

func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// seq reads the workload's sequence number from the start of an image.
func seq(t testing.TB, ad *labtest.Admin, name string) uint64 {
	t.Helper()
	return binary.LittleEndian.Uint64(ad.ReadAt(t, name, 0, 8))
}
