package backend_test

import (
	"context"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rbdtui/rbdtui/internal/lab"
	"github.com/rbdtui/rbdtui/internal/labtest"
	"github.com/rbdtui/rbdtui/model"
)

// freshInterval is the refresh interval the freshness target is set
// against: the model must show a change within two of them (p95).
const freshInterval = 500 * time.Millisecond

// rbdCap bounds how long a trial waits for `rbd mirror image status` to
// show the change (rbd-mirror publishes a journal copy's replay only
// about every 30 s; a trial does not wait that long).
const rbdCap = 12 * time.Second

// BenchmarkFreshness measures, on the lab, the time from a change made
// with the rbd CLI (a demote; a burst of writes) to the console's model
// showing it (a watch session polled every 0.5 s), median and p95 over 20
// trials (RBDTUI_FRESHNESS_TRIALS to change), beside the time until rbd's
// own `mirror image status` shows the same change, polled as fast as the
// CLI returns. Nothing is asserted: the figures are printed.
func BenchmarkFreshness(b *testing.B) {
	st := labtest.Require(b)
	trials := 20
	if n, err := strconv.Atoi(os.Getenv("RBDTUI_FRESHNESS_TRIALS")); err == nil && n > 0 {
		trials = n
	}
	ctx := context.Background()
	res, err := lab.RunLoad(ctx, st, lab.LoadOptions{Pool: "rbd", Images: 1, Ops: 10, Duration: 5 * time.Second, Rate: 10})
	if err != nil {
		b.Fatal(err)
	}
	spec := "rbd/" + res.Images[0]
	confA, confB := st.Site("site-a").Conf, st.Site("site-b").Conf
	_, sess := labWatch(b, st, model.WatchScope{Images: []string{spec}})

	// The console's model: a poll every freshInterval; each frame is
	// offered to whoever waits for a condition.
	var mu sync.Mutex
	var waiters []func(model.WatchFrame, time.Time) bool
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		t := time.NewTicker(freshInterval)
		defer t.Stop()
		for {
			c, cancel := context.WithTimeout(ctx, 10*time.Second)
			f, err := sess.Poll(c)
			cancel()
			done := time.Now()
			if err == nil {
				mu.Lock()
				kept := waiters[:0]
				for _, w := range waiters {
					if !w(f, done) {
						kept = append(kept, w)
					}
				}
				waiters = kept
				mu.Unlock()
			}
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	seen := func(cond func(model.WatchFrame) bool) <-chan time.Time {
		ch := make(chan time.Time, 1)
		mu.Lock()
		waiters = append(waiters, func(f model.WatchFrame, at time.Time) bool {
			if cond(f) {
				ch <- at
				return true
			}
			return false
		})
		mu.Unlock()
		return ch
	}
	cell := func(f model.WatchFrame, siteName string) *model.WatchCell { return cellOf(f, "", siteName) }
	// rbdSees polls `rbd mirror image status` on a site until cond holds.
	rbdSees := func(conf string, cond func(string) bool) <-chan time.Time {
		ch := make(chan time.Time, 1)
		go func() {
			deadline := time.Now().Add(rbdCap)
			for time.Now().Before(deadline) {
				out, err := rbdAdmin(ctx, conf, "mirror", "image", "status", spec)
				if err == nil && cond(out) {
					ch <- time.Now()
					return
				}
			}
			close(ch)
		}()
		return ch
	}
	waitFor := func(what string, d time.Duration, cond func(model.WatchFrame) bool) {
		select {
		case <-seen(cond):
		case <-time.After(d):
			b.Fatalf("%s not seen within %s", what, d)
		}
	}
	replaying := func(f model.WatchFrame) bool {
		a, c := cell(f, "site-a"), cell(f, "site-b")
		return a != nil && c != nil && a.Primary && !c.Primary && c.Status != nil && c.Status.FullState() == "up+replaying" && c.Lag != nil && *c.Lag == 0
	}
	waitFor("replaying before the trials", 2*time.Minute, replaying)

	// Each figure is from the moment the rbd command returned (the change
	// is made by then; seen earlier counts as 0), and, for the writes,
	// also from its start (rbd's own process start and connection, ~1-2 s
	// on a loaded 2-core machine, included).
	var oursDemote, rbdDemote, oursWrite, oursWriteStart, rbdWrite []time.Duration
	since := func(at, t time.Time) time.Duration { return max(at.Sub(t), 0) }
	rbdMissDemote, rbdMissWrite := 0, 0
	for i := 0; i < b.N; i++ {
		for n := 0; n < trials; n++ {
			// A demote on site-a.
			ours := seen(func(f model.WatchFrame) bool { c := cell(f, "site-a"); return c != nil && !c.Primary })
			t0 := time.Now()
			theirs := rbdSees(confA, func(out string) bool { return !strings.Contains(out, "local image is primary") })
			mustRBD(b, ctx, confA, "mirror", "image", "demote", spec)
			t1 := time.Now()
			at := <-ours
			oursDemote = append(oursDemote, since(at, t1))
			if at, ok := <-theirs; ok {
				rbdDemote = append(rbdDemote, since(at, t1))
			} else {
				rbdMissDemote++
			}
			mustRBD(b, ctx, confA, "mirror", "image", "promote", spec)
			waitFor("replaying after the promote", 2*time.Minute, replaying)

			// A burst of writes on site-a.
			ours = seen(func(f model.WatchFrame) bool { c := cell(f, "site-b"); return c != nil && c.Lag != nil && *c.Lag > 0 })
			t0 = time.Now()
			theirs = rbdSees(confB, func(out string) bool {
				// A status written after the burst began, saying entries
				// are behind (an older one may still say so from before).
				i := strings.Index(out, `"entries_behind_primary":`)
				if i < 0 || strings.HasPrefix(out[i+len(`"entries_behind_primary":`):], "0") {
					return false
				}
				j := strings.Index(out, "last_update:")
				if j < 0 {
					return false
				}
				upd, err := time.ParseInLocation("2006-01-02 15:04:05", strings.TrimSpace(strings.SplitN(out[j+len("last_update:"):], "\n", 2)[0]), time.Local)
				return err == nil && !upd.Before(t0.Truncate(time.Second))
			})
			mustRBD(b, ctx, confA, "bench", "--io-type", "write", "--io-size", "4K", "--io-total", "2M", "--io-pattern", "rand", spec)
			t1 = time.Now()
			select {
			case at := <-ours:
				oursWrite = append(oursWrite, since(at, t1))
				oursWriteStart = append(oursWriteStart, since(at, t0))
			case <-time.After(30 * time.Second):
				b.Fatalf("the writes never showed as lag in the model")
			}
			if at, ok := <-theirs; ok {
				rbdWrite = append(rbdWrite, since(at, t1))
			} else {
				rbdMissWrite++
			}
			waitFor("caught up after the writes", 2*time.Minute, replaying)
		}
	}
	report := func(what string, ours, theirs []time.Duration, missed int) {
		line := fmt.Sprintf("freshness, %s (%d trials): console model median %v p95 %v (target p95 <= %v)", what, len(ours),
			pct(ours, 50), pct(ours, 95), 2*freshInterval)
		if len(theirs) > 0 {
			line += fmt.Sprintf("; rbd mirror image status median %v p95 %v", pct(theirs, 50), pct(theirs, 95))
		}
		if missed > 0 {
			line += fmt.Sprintf("; rbd mirror image status did not show it within %v in %d trials", rbdCap, missed)
		}
		fmt.Println(line)
	}
	report("demote", oursDemote, rbdDemote, rbdMissDemote)
	report("burst of writes", oursWrite, rbdWrite, rbdMissWrite)
	fmt.Printf("freshness, burst of writes, from the start of rbd bench: console model median %v p95 %v\n", pct(oursWriteStart, 50), pct(oursWriteStart, 95))
	b.ReportMetric(pct(oursDemote, 95).Seconds(), "demote-p95-s")
	b.ReportMetric(pct(oursWrite, 95).Seconds(), "writes-p95-s")
}

func pct(ds []time.Duration, p int) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	i := min((len(s)*p+99)/100-1, len(s)-1)
	return s[max(i, 0)].Round(time.Millisecond)
}
