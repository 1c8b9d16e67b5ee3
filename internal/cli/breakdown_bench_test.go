package cli_test

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/rbdtui/rbdtui/internal/config"
	"github.com/rbdtui/rbdtui/internal/lab"
	"github.com/rbdtui/rbdtui/internal/labtest"
	"github.com/rbdtui/rbdtui/internal/mirror"
	"github.com/rbdtui/rbdtui/internal/site"
	"github.com/rbdtui/rbdtui/model"
)

// statusBreakdown measures where `rbdtui mirror pool status --verbose`
// spends its time on a pool, as the console user: the process start (a
// command that touches no cluster), the connection (librados init, mon
// session and cephx) and the pool's io context, then, on that warm
// connection, the summary, the daemon map, the batched listing of every
// image's status, and the whole verbose status; beside the whole command
// and rbd's, which it returns. Medians of 5; printed, never asserted.
func statusBreakdown(b *testing.B, st *lab.State, bin, pool string) (rbdT, whole time.Duration) {
	a := st.Site(lab.SiteA)
	env := append(os.Environ(), "CEPH_CONF="+a.Conf)
	med := func(n int, fn func()) time.Duration {
		var ds []time.Duration
		for i := 0; i < n; i++ {
			t := time.Now()
			fn()
			ds = append(ds, time.Since(t))
		}
		return median(ds)
	}
	start := timeCmd(b, 5, env, bin, "help")
	rbdT, whole = timeBoth(b, 5, env,
		[]string{"-c", a.Conf, "--id", "rbdtui", "--keyring", a.Keyring(lab.ConsoleUser), "mirror", "pool", "status", pool, "--verbose", "--format", "json"},
		bin, []string{"--config", st.ConfigPath(), "mirror", "pool", "status", pool, "--verbose", "--format", "json"})
	cfg, err := config.Load(st.ConfigPath())
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	connect := med(5, func() {
		m := site.NewManager(cfg)
		defer m.Close()
		c, err := m.Site(lab.SiteA)
		if err != nil {
			b.Fatal(err)
		}
		if _, _, err := c.PoolHandles(ctx, pool); err != nil {
			b.Fatal(err)
		}
	})
	m := site.NewManager(cfg)
	defer m.Close()
	c, err := m.Site(lab.SiteA)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := mirror.GetPoolStatus(ctx, c, model.PoolSpec{Pool: pool}, true); err != nil {
		b.Fatal(err)
	}
	summary := med(5, func() { _, _ = mirror.GetPoolStatus(ctx, c, model.PoolSpec{Pool: pool}, false) })
	var poolID int64
	if r, err := c.Rados(ctx); err == nil {
		poolID, _ = r.GetPoolByName(pool)
	}
	daemons := med(5, func() { _, _ = mirror.Daemons(ctx, c, poolID) })
	listing := med(5, func() {
		if _, err := mirror.ListStatuses(ctx, c, pool); err != nil {
			b.Fatal(err)
		}
	})
	verbose := med(5, func() { _, _ = mirror.GetPoolStatus(ctx, c, model.PoolSpec{Pool: pool}, true) })
	fmt.Printf("mirror pool status --verbose on %s, where the time goes (medians of 5): whole command %v (rbd %v); "+
		"process start %v; connect, cephx and pool io context %v; on a warm connection: summary and daemon health %v "+
		"(service map alone %v), batched status listing %v, whole verbose status %v\n",
		pool, whole.Round(time.Millisecond), rbdT.Round(time.Millisecond), start.Round(time.Millisecond), connect.Round(time.Millisecond),
		summary.Round(time.Millisecond), daemons.Round(time.Millisecond), listing.Round(time.Millisecond), verbose.Round(time.Millisecond))
	return rbdT, whole
}

// BenchmarkPoolStatusBreakdown is statusBreakdown on the lab's own pool
// (a few images): the fixed costs of one command. BenchmarkMirrorPoolStatus
// prints the same at 1,000 images.
func BenchmarkPoolStatusBreakdown(b *testing.B) {
	st := labtest.Require(b)
	bin := buildBinary(b)
	for i := 0; i < b.N; i++ {
		statusBreakdown(b, st, bin, lab.Pool)
	}
}
