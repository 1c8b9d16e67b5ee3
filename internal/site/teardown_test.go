package site_test

import (
	"context"
	"errors"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ceph/go-ceph/rados"
	"github.com/ceph/go-ceph/rbd"
	"github.com/rbdtui/rbdtui/internal/config"
	"github.com/rbdtui/rbdtui/internal/lab"
	"github.com/rbdtui/rbdtui/internal/labtest"
	"github.com/rbdtui/rbdtui/internal/site"
)

// TestTeardownAfterFrozenSite is the regression test of the librados
// abort seen after the crash-consistency trials: with site-a frozen
// (SIGSTOP on every daemon), calls are abandoned by their deadline and
// reconnects fail; the site is thawed and everything is torn down. No
// connection may be shut down under a call or an open image, and none may
// be left to the garbage collector (go-ceph's finalizer shuts it down from
// the GC at any moment, whatever is still open on it): site.Leaked counts
// those.
func TestTeardownAfterFrozenSite(t *testing.T) {
	st := labtest.Require(t)
	leakedBefore := site.Leaked()

	sa := st.Site(lab.SiteA)
	cfg := labtest.Config(t, st)
	cfg.Timeout = config.Duration(2 * time.Second)
	m := site.NewManager(cfg)
	c, _ := m.Site(lab.SiteA)
	ctx := context.Background()
	if _, err := c.IOContext(ctx, lab.Pool); err != nil {
		t.Fatal(err)
	}
	// An admin session with an image open when it is closed: Close must
	// close the image before it shuts the connection down.
	ad := labtest.NewAdmin(t, sa)
	name := "teardown-" + strings.ReplaceAll(time.Now().Format("150405.000000"), ".", "")
	opts := rbd.NewRbdImageOptions()
	_ = opts.SetUint64(rbd.ImageOptionFeatures, rbd.FeatureLayering|rbd.FeatureExclusiveLock|rbd.FeatureJournaling)
	if err := rbd.CreateImage(ad.IO, name, 4<<20, opts); err != nil {
		t.Fatal(err)
	}
	opts.Destroy()
	t.Cleanup(func() {
		if a, err := labtest.OpenAdmin(sa, lab.Pool); err == nil {
			_ = rbd.RemoveImage(a.IO, name)
			a.Close()
		}
	})
	img, err := ad.Open(name, false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := img.WriteAt([]byte("written before the freeze"), 0); err != nil {
		t.Fatal(err)
	}

	var stop atomic.Bool
	var wg sync.WaitGroup
	var slowest atomic.Int64
	var connectErrs, abandoned atomic.Int64
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop.Load() {
				start := time.Now()
				// The io context is taken first and used afterwards, as
				// every engine call does: a drop may come in between.
				io, err := c.IOContext(ctx, lab.Pool)
				// Every call is bounded tighter than the 2 s op timeouts, so
				// that with the site frozen the deadline always wins and the
				// call is abandoned while it still runs in librados (with
				// equal bounds librados's own ETIMEDOUT often came first, and
				// on a slow machine no call was ever abandoned).
				if err == nil {
					_, err = site.CallFor(ctx, c, "stat", time.Second, func() (rados.ObjectStat, error) { return io.Stat("rbd_directory") })
				}
				if err == nil {
					_, err = site.CallFor(ctx, c, "write", time.Second, func() (struct{}, error) { return struct{}{}, io.WriteFull("teardown-test", []byte("x")) })
				}
				var conn *rados.Conn
				if err == nil {
					conn, err = c.Rados(ctx)
				}
				if err == nil {
					_, err = site.CallFor(ctx, c, "health", time.Second, func() ([]byte, error) {
						out, _, err := conn.MonCommand([]byte(`{"prefix":"health","format":"json"}`))
						return out, err
					})
				}
				if d := time.Since(start); int64(d) > slowest.Load() {
					slowest.Store(int64(d))
				}
				var se *site.Error
				switch {
				case err == nil:
				case errors.As(err, &se) && strings.HasPrefix(se.Op, "connect"):
					connectErrs.Add(1)
				case strings.Contains(err.Error(), "no answer within"):
					abandoned.Add(1)
				}
				runtime.GC() // run finalizers as soon as anything is left to them
			}
		}()
	}
	time.Sleep(time.Second)
	if err := sa.Freeze(); err != nil {
		t.Fatal(err)
	}
	frozen := true
	t.Cleanup(func() {
		if frozen {
			tctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			_ = sa.Thaw(tctx)
		}
	})
	// Stay frozen until calls have been abandoned and reconnects have
	// failed (8 s is enough on a quiet machine; a loaded one may take
	// longer to get a call in flight at the freeze), 45 s at most.
	for begin := time.Now(); time.Since(begin) < 8*time.Second ||
		(time.Since(begin) < 45*time.Second && (abandoned.Load() == 0 || connectErrs.Load() == 0)); {
		time.Sleep(250 * time.Millisecond)
	}
	tctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	err = sa.Thaw(tctx)
	cancel()
	if err != nil {
		t.Fatal(err)
	}
	frozen = false
	// The same manager serves again once the site is back.
	deadline := time.Now().Add(60 * time.Second)
	for s := c.Probe(ctx); !s.Reachable; s = c.Probe(ctx) {
		if time.Now().After(deadline) {
			t.Fatalf("site-a did not come back after the thaw: %s", s.Err)
		}
		time.Sleep(500 * time.Millisecond)
	}
	stop.Store(true)
	wg.Wait()
	if abandoned.Load() == 0 || connectErrs.Load() == 0 {
		t.Errorf("the freeze should have abandoned calls (%d) and failed reconnects (%d)", abandoned.Load(), connectErrs.Load())
	}
	// A call, reconnect included, is bounded by the 2s timeout (a call
	// that first waits for a connect may take two bounds).
	if d := time.Duration(slowest.Load()); d > 10*time.Second {
		t.Errorf("a call took %s with a 2s timeout", d)
	}
	m.Close()
	ad.Close()
	if err := img.Close(); !errors.Is(err, rbd.ErrImageNotOpen) {
		t.Errorf("the admin session's Close left its image open (closing it again: %v)", err)
	}
	// Dropped connections are torn down once their calls are over and a
	// grace of one timeout has passed; give the GC every chance meanwhile.
	for i := 0; i < 20; i++ {
		runtime.GC()
		time.Sleep(250 * time.Millisecond)
	}
	if n := site.Leaked() - leakedBefore; n > 0 {
		t.Errorf("%d librados connection(s) were left to the garbage collector instead of being shut down", n)
	}
	t.Logf("%d calls abandoned, %d failed reconnects, slowest call %s", abandoned.Load(), connectErrs.Load(), time.Duration(slowest.Load()).Round(time.Millisecond))
}
