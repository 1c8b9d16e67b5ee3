package mirror_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	mrand "math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rbdtui/rbdtui/internal/lab"
	"github.com/rbdtui/rbdtui/internal/labtest"
	"github.com/rbdtui/rbdtui/internal/mirror"
	"github.com/rbdtui/rbdtui/internal/site"
	"github.com/rbdtui/rbdtui/model"
)

// TestPlannedFailoverSoak fails freshly imported, freshly synced images
// over and back, in journal and snapshot mode, with and without a writer
// running until the demotion, and compares every byte of both sites after
// each failover (and against what the writer was told it wrote). It counts
// split-brains, which must be 0: issue 11 saw 1 in 7 planned failovers of
// fresh journal images split the brain, because the wait took rbd-mirror's
// `stopped` as proof of replay.
//
// make test runs the short form (one round of two variants); make soak sets
// RBDTUI_SOAK=20 (rounds per variant, every variant, 48 MiB images).
func TestPlannedFailoverSoak(t *testing.T) {
	st := labtest.Require(t)
	rounds, size := 1, int64(16<<20)
	// The short form leaves out snapshot+writer: a writer racing a
	// snapshot-mode demotion can land an acknowledged write after the
	// demotion snapshot (a Pacific race the failover narrows but cannot
	// close; see DEVELOPERS.md), which make soak counts and reports.
	variants := []soakVariant{{mode: model.ModeJournal, writer: true}, {mode: model.ModeSnapshot}}
	if n, err := strconv.Atoi(os.Getenv("RBDTUI_SOAK")); err == nil && n > 0 {
		rounds, size = n, 48<<20
		variants = []soakVariant{{mode: model.ModeJournal}, {mode: model.ModeJournal, writer: true}, {mode: model.ModeSnapshot}, {mode: model.ModeSnapshot, writer: true}}
	}
	m := site.NewManager(labtest.Config(t, st))
	t.Cleanup(m.Close)
	ca, _ := m.Site(lab.SiteA)
	cb, _ := m.Site(lab.SiteB)
	dir := t.TempDir()
	var mu sync.Mutex
	var results []soakResult
	t.Run("variants", func(t *testing.T) {
		for _, v := range variants {
			v := v
			t.Run(v.String(), func(t *testing.T) {
				t.Parallel()
				r := soakVariantRun(t, st, ca, cb, v, rounds, size, dir)
				mu.Lock()
				results = append(results, r)
				mu.Unlock()
			})
		}
	})
	splits := 0
	for _, r := range results {
		splits += r.splits
		t.Logf("soak %-20s rounds %d/%d failovers %d ok, %d stopped, %d stopped safely on a write after the demotion, %d split-brains; bytes compared %d MiB; failover time median %s max %s; writer wrote %d",
			r.v, r.rounds, rounds, r.ok, r.stopped, r.fenced, r.splits, r.compared>>20, median(r.times), maxDur(r.times), r.writes)
	}
	if splits != 0 {
		t.Errorf("%d split-brains in planned failovers", splits)
	}
}

type soakVariant struct {
	mode   string
	writer bool
}

func (v soakVariant) String() string {
	if v.writer {
		return v.mode + "+writer"
	}
	return v.mode
}

type soakResult struct {
	v                   soakVariant
	rounds, ok, stopped int
	splits              int
	fenced              int
	compared            int64
	writes              int
	times               []time.Duration
}

func soakVariantRun(t *testing.T, st *lab.State, ca, cb *site.Conn, v soakVariant, rounds int, size int64, dir string) soakResult {
	a, b := st.Site(lab.SiteA), st.Site(lab.SiteB)
	adA, adB := labtest.NewAdmin(t, a), labtest.NewAdmin(t, b)
	conns := map[string]*site.Conn{lab.SiteA: ca, lab.SiteB: cb}
	admins := map[string]*labtest.Admin{lab.SiteA: adA, lab.SiteB: adB}
	res := soakResult{v: v}
	ctx := context.Background()
	for round := 0; round < rounds; round++ {
		name := fmt.Sprintf("soak-%s-%d-%d", strings.ReplaceAll(v.String(), "+", "-"), round, time.Now().UnixNano()%1_000_000)
		want := make([]byte, size)
		if _, err := rand.Read(want); err != nil {
			t.Fatal(err)
		}
		file := filepath.Join(dir, name)
		if err := os.WriteFile(file, want, 0o600); err != nil {
			t.Fatal(err)
		}
		spec := model.ImageSpec{Pool: lab.Pool, Image: name}
		if _, err := rbdCLI(a, "import", "--no-progress", file, spec.String()); err != nil {
			t.Fatal(err)
		}
		os.Remove(file)
		if _, err := rbdCLI(a, "mirror", "image", "enable", spec.String(), v.mode); err != nil {
			t.Fatal(err)
		}
		// Freshly synced: fail over as soon as site-b replays.
		waitStatus(t, b, spec, "up+replaying", 3*time.Minute)
		primary, other := lab.SiteA, lab.SiteB
		ok := true
		for leg := 0; leg < 2 && ok; leg++ {
			var w *soakWriter
			if v.writer {
				w = startWriter(t, admins[primary], name, want)
				time.Sleep(500 * time.Millisecond)
			}
			start := time.Now()
			_, err := mirror.Run(ctx, mirror.FailoverOptions{From: conns[primary], To: conns[other], Pool: lab.Pool, Images: []string{name}})
			took := time.Since(start)
			if w != nil {
				res.writes += w.stop(t)
			}
			split := splitBrain(ctx, t, conns, spec, err)
			var lost *mirror.WriteAfterDemotionError
			switch {
			case split:
				res.splits++
				t.Errorf("round %d leg %d: %s split the brain: %v", round, leg, spec, err)
				ok = false
			case errors.As(err, &lost):
				// The writer raced a snapshot-mode demotion and landed a
				// write after the demotion snapshot: the failover stopped
				// before promoting, so nothing was lost. Counted, not failed.
				res.fenced++
				t.Logf("%s round %d leg %d: stopped before promoting: %v", v, round, leg, err)
				ok = false
			case err != nil:
				// Stopped before promoting (no proof in time) is safe, but
				// the soak expects every planned failover to finish.
				res.stopped++
				t.Errorf("round %d leg %d: failover %s -> %s of %s stopped: %v", round, leg, primary, other, spec, err)
				ok = false
			default:
				res.ok++
				res.times = append(res.times, took)
				t.Logf("%s round %d leg %d: %s -> %s in %s", v, round, leg, primary, other, took.Round(100*time.Millisecond))
			}
			if !ok {
				break
			}
			// Every byte: the new primary holds every acknowledged write,
			// and the old primary (now replaying) the same bytes.
			got := admins[other].ReadAll(t, name)
			if w != nil {
				w.apply(want)
			}
			if i := firstDiff(got, want, w); i >= 0 {
				old := admins[primary].ReadAt(t, name, int64(i), 1)[0]
				t.Errorf("round %d leg %d: %s on %s differs from what was written at byte %d (%s; the old primary %s it; %s)", round, leg, spec, other, i, w.who(int64(i)), map[bool]string{true: "holds", false: "lacks"}[old == want[i]], inDemotionSnap(admins[primary], name, int64(i), want[i]))
				ok = false
			}
			if err := waitSame(t, admins[primary], name, got, 2*time.Minute); err != nil {
				t.Errorf("round %d leg %d: %s: %v", round, leg, spec, err)
				ok = false
			}
			copy(want, got)
			res.compared += 2 * size
			primary, other = other, primary
		}
		if ok {
			res.rounds++
		}
		// Every round is a fresh image: go on after a failed one, so the
		// counts say how often it happens.
		cleanupImage(t, a, b, spec, primary)
	}
	return res
}

// inDemotionSnap says whether the old primary's demotion snapshot holds the
// expected byte at off: tells a write that landed after the demotion from
// one the snapshot holds but replication did not copy.
func inDemotionSnap(ad *labtest.Admin, name string, off int64, want byte) string {
	snaps, err := mirror.MirrorSnapshots(ad.IO, name)
	if err != nil {
		return "mirror snapshots unreadable: " + err.Error()
	}
	var dem *mirror.MirrorSnap
	for i := range snaps {
		if snaps[i].State == mirror.SnapPrimaryDemoted && (dem == nil || snaps[i].ID > dem.ID) {
			dem = &snaps[i]
		}
	}
	if dem == nil {
		return "no demotion snapshot on the old primary (journal mode)"
	}
	img, err := ad.Open(name, true)
	if err != nil {
		return err.Error()
	}
	defer img.Close()
	if err := img.SetSnapByID(dem.ID); err != nil {
		return "demotion snapshot unreadable: " + err.Error()
	}
	buf := make([]byte, 1)
	if _, err := img.ReadAt(buf, off); err != nil {
		return "demotion snapshot unreadable: " + err.Error()
	}
	if buf[0] == want {
		return fmt.Sprintf("the demotion snapshot %d holds it: replication did not copy it", dem.ID)
	}
	return fmt.Sprintf("the demotion snapshot %d lacks it: the write landed after the demotion", dem.ID)
}

// soakWriter writes 4 KiB blocks at random offsets until a write fails
// (the demotion), remembering every acknowledged one.
type soakWriter struct {
	done   chan struct{}
	mu     sync.Mutex
	writes []soakWrite
	failed *soakWrite
	err    error
}

type soakWrite struct {
	off  int64
	data []byte
}

func startWriter(t *testing.T, ad *labtest.Admin, name string, base []byte) *soakWriter {
	w := &soakWriter{done: make(chan struct{})}
	img, err := ad.Open(name, false)
	if err != nil {
		t.Fatal(err)
	}
	blocks := int64(len(base)) / 4096
	rng := mrand.New(mrand.NewSource(time.Now().UnixNano()))
	go func() {
		defer close(w.done)
		defer img.Close()
		for {
			wr := soakWrite{off: rng.Int63n(blocks) * 4096, data: make([]byte, 4096)}
			rng.Read(wr.data)
			_, err := img.WriteAt(wr.data, wr.off)
			if err == nil {
				// Acknowledged means durable: librbd's cache may hold
				// a write until it is flushed.
				err = img.Flush()
			}
			if err != nil {
				w.mu.Lock()
				w.err = err
				w.failed = &wr
				w.mu.Unlock()
				return
			}
			w.mu.Lock()
			w.writes = append(w.writes, wr)
			w.mu.Unlock()
		}
	}()
	return w
}

// stop waits for the writer to end (its write after the demotion fails)
// and returns how many writes were acknowledged.
func (w *soakWriter) stop(t *testing.T) int {
	select {
	case <-w.done:
	case <-time.After(2 * time.Minute):
		t.Fatal("the soak writer still writes 2 minutes after the failover: the demotion did not stop it")
	}
	return len(w.writes)
}

// who names the acknowledged write that last covered byte off.
func (w *soakWriter) who(off int64) string {
	if w == nil {
		return "no writer"
	}
	for k := len(w.writes) - 1; k >= 0; k-- {
		if wr := w.writes[k]; off >= wr.off && off < wr.off+int64(len(wr.data)) {
			return fmt.Sprintf("acknowledged write %d of %d; the writer stopped on: %v", k+1, len(w.writes), w.err)
		}
	}
	return "no acknowledged write covers it"
}

// apply lays the acknowledged writes over buf.
func (w *soakWriter) apply(buf []byte) {
	for _, wr := range w.writes {
		copy(buf[wr.off:], wr.data)
	}
}

// firstDiff is the first byte where got differs from want, ignoring the
// block of the writer's failed write (it may or may not have landed); -1
// when they agree.
func firstDiff(got, want []byte, w *soakWriter) int {
	if len(got) != len(want) {
		return 0
	}
	skipFrom, skipTo := -1, -1
	if w != nil && w.failed != nil {
		skipFrom, skipTo = int(w.failed.off), int(w.failed.off)+len(w.failed.data)
	}
	for i := 0; i < len(got); i += 4096 {
		end := i + 4096
		if end > len(got) {
			end = len(got)
		}
		if i >= skipFrom && end <= skipTo {
			continue
		}
		if !bytes.Equal(got[i:end], want[i:end]) {
			for j := i; j < end; j++ {
				if got[j] != want[j] {
					return j
				}
			}
		}
	}
	return -1
}

// waitSame waits until the replaying copy holds the same bytes as the
// primary (with no writes on the primary, it converges).
func waitSame(t *testing.T, ad *labtest.Admin, name string, want []byte, bound time.Duration) error {
	deadline := time.Now().Add(bound)
	for {
		got := ad.ReadAll(t, name)
		i := firstDiff(got, want, nil)
		if i < 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the replaying copy on %s still differs from the primary at byte %d after %s", ad.Site.Name, i, bound)
		}
		time.Sleep(2 * time.Second)
	}
}

// splitBrain reports whether the failover left the image primary on both
// sites or either site's rbd-mirror reporting split-brain.
func splitBrain(ctx context.Context, t *testing.T, conns map[string]*site.Conn, spec model.ImageSpec, runErr error) bool {
	if runErr != nil && strings.Contains(runErr.Error(), "split-brain") {
		return true
	}
	primaries := 0
	for _, c := range conns {
		imgs, err := mirror.Exact(ctx, c, spec.Pool, []string{spec.Image})
		if err != nil {
			t.Logf("read %s on %s: %v", spec, c.Name(), err)
			continue
		}
		img := imgs[spec.Image]
		if img.Primary {
			primaries++
		}
		if img.Local != nil && (img.Local.SplitBrain || strings.Contains(img.Local.Description, "split-brain")) {
			return true
		}
	}
	return primaries > 1
}

func rbdCLI(s *lab.SiteState, args ...string) (string, error) {
	out, err := exec.Command("rbd", append([]string{"-c", s.Conf, "--id", "admin"}, args...)...).CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("rbd %v on %s: %v: %s", args, s.Name, err, out)
	}
	return string(out), nil
}

func waitStatus(t *testing.T, s *lab.SiteState, spec model.ImageSpec, want string, bound time.Duration) {
	t.Helper()
	deadline := time.Now().Add(bound)
	for {
		out, _ := rbdCLI(s, "mirror", "image", "status", spec.String())
		if strings.Contains(out, "state:       "+want) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s on %s never reached %s in %s: %s", spec, s.Name, want, bound, out)
		}
		time.Sleep(time.Second)
	}
}

// cleanupImage disables mirroring on the primary and removes the image on
// both sites.
func cleanupImage(t *testing.T, a, b *lab.SiteState, spec model.ImageSpec, primary string) {
	p, o := a, b
	if primary == lab.SiteB {
		p, o = b, a
	}
	_, _ = rbdCLI(p, "mirror", "image", "disable", "--force", spec.String())
	_, _ = rbdCLI(p, "rm", "--no-progress", spec.String())
	for i := 0; i < 30; i++ {
		if _, err := rbdCLI(o, "info", spec.String()); err != nil {
			return
		}
		time.Sleep(time.Second)
	}
	_, _ = rbdCLI(o, "mirror", "image", "disable", "--force", spec.String())
	_, _ = rbdCLI(o, "rm", "--no-progress", spec.String())
}

func median(d []time.Duration) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2].Round(100 * time.Millisecond)
}

func maxDur(d []time.Duration) time.Duration {
	var m time.Duration
	for _, x := range d {
		if x > m {
			m = x
		}
	}
	return m.Round(100 * time.Millisecond)
}
