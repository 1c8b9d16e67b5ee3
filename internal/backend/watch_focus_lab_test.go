package backend_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rbdtui/rbdtui/internal/labtest"
	"github.com/rbdtui/rbdtui/model"
)

// In a scope larger than the watch reads image by image (64), the rows on
// screen (model.WatchFocus) are still ground truth: a demote and a
// promote made with the rbd CLI show on the very next poll, read from the
// images themselves. The scope is a namespace of its own holding 70 plain
// images besides the mirrored one.
func TestWatchFocusReadsTheRowsOnScreenInALargeScope(t *testing.T) {
	st := labtest.Require(t)
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	a, b := st.Site("site-a"), st.Site("site-b")
	ns := fmt.Sprintf("wf%d", time.Now().UnixNano()%1_000_000_000)
	target := "rbd/" + ns + "/focus"
	for _, s := range []string{a.Conf, b.Conf} {
		mustRBD(t, ctx, s, "namespace", "create", "rbd/"+ns)
		mustRBD(t, ctx, s, "mirror", "pool", "enable", "rbd/"+ns, "image")
	}
	t.Cleanup(func() {
		// The copy of a site that is not primary goes only once the
		// primary's is disabled: a second pass removes what the first
		// could not.
		bg := context.Background()
		for pass := 0; pass < 3; pass++ {
			left := 0
			for _, s := range []string{b.Conf, a.Conf} {
				_, _ = rbdAdmin(bg, s, "mirror", "image", "disable", "--force", target)
				out, _ := rbdAdmin(bg, s, "ls", "rbd/"+ns)
				for _, n := range strings.Fields(out) {
					_, _ = rbdAdmin(bg, s, "rm", "--no-progress", "rbd/"+ns+"/"+n)
				}
				_, _ = rbdAdmin(bg, s, "mirror", "pool", "disable", "rbd/"+ns)
				_, _ = rbdAdmin(bg, s, "namespace", "remove", "rbd/"+ns)
				if out, _ := rbdAdmin(bg, s, "namespace", "ls", "rbd"); slices.Contains(strings.Fields(out), ns) {
					left++
				}
			}
			if left == 0 {
				return
			}
			time.Sleep(2 * time.Second)
		}
		t.Logf("namespace rbd/%s could not be removed on every site", ns)
	})
	var wg sync.WaitGroup
	errs := make(chan error, 70)
	sem := make(chan struct{}, 8)
	for i := range 70 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			if _, err := rbdAdmin(ctx, a.Conf, "create", "--size", "1M", fmt.Sprintf("rbd/%s/plain-%02d", ns, i)); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	mustRBD(t, ctx, a.Conf, "create", "--size", "4M", target)
	mustRBD(t, ctx, a.Conf, "mirror", "image", "enable", target, "snapshot")

	_, sess := labWatch(t, st, model.WatchScope{Pool: "rbd/" + ns})
	focus, ok := sess.(model.WatchFocus)
	if !ok {
		t.Fatal("the backend's watch session does not take the rows on screen")
	}
	focus.Focus([]string{target})
	cells := func() (rows int, onA, onB *model.WatchCell) {
		t.Helper()
		f := pollFrame(t, ctx, sess)
		return len(f.Rows), cellOf(f, target, "site-a"), cellOf(f, target, "site-b")
	}
	// Replaying on site-b before the changes.
	deadline := time.Now().Add(2 * time.Minute)
	for {
		n, ca, cb := cells()
		if n <= 64 {
			t.Fatalf("the scope has %d rows: not larger than the exact-read bound", n)
		}
		if ca != nil && ca.Primary && cb != nil && cb.Present && !cb.Primary && cb.Status != nil && cb.Status.FullState() == "up+replaying" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s never replayed on site-b: %+v %+v", target, ca, cb)
		}
		time.Sleep(time.Second)
	}
	mustRBD(t, ctx, a.Conf, "mirror", "image", "demote", target)
	if _, ca, _ := cells(); ca == nil || ca.Primary {
		t.Fatalf("the poll right after the demote still shows %s primary on site-a: %+v", target, ca)
	}
	// Promote on site-b once it has the demotion (what a failover does).
	deadline = time.Now().Add(time.Minute)
	for _, err := rbdAdmin(ctx, b.Conf, "mirror", "image", "promote", target); err != nil; _, err = rbdAdmin(ctx, b.Conf, "mirror", "image", "promote", target) {
		if time.Now().After(deadline) {
			t.Fatalf("%s could not be promoted on site-b", target)
		}
		time.Sleep(time.Second)
	}
	if _, ca, cb := cells(); cb == nil || !cb.Primary || ca == nil || ca.Primary {
		t.Fatalf("the poll right after the promote: site-a %+v, site-b %+v", ca, cb)
	}
}
