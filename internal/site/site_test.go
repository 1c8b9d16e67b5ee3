package site_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rbdtui/rbdtui/internal/config"
	"github.com/rbdtui/rbdtui/internal/lab"
	"github.com/rbdtui/rbdtui/internal/labtest"
	"github.com/rbdtui/rbdtui/internal/site"
	"github.com/rbdtui/rbdtui/model"
)

func TestProbeAndPools(t *testing.T) {
	st := labtest.Require(t)
	m := site.NewManager(labtest.Config(t, st))
	defer m.Close()
	ctx := context.Background()
	for _, name := range []string{lab.SiteA, lab.SiteB} {
		c, err := m.Site(name)
		if err != nil {
			t.Fatal(err)
		}
		s := c.Probe(ctx)
		if !s.Reachable || s.Health != model.HealthOK || s.FSID != st.Site(name).FSID || s.Client != lab.ConsoleUser {
			t.Errorf("%s: %+v", name, s)
		}
		if s.MirrorDaemons != 1 {
			t.Errorf("%s: console user should see one rbd-mirror daemon in the service map, got %d", name, s.MirrorDaemons)
		}
		if s.MirrorLeader == "" {
			t.Errorf("%s: the rbd-mirror daemon leads the pool, but no leader was reported", name)
		}
		pools, err := c.Pools(ctx)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, p := range pools {
			found = found || (p.Name == lab.Pool && p.Site == name)
		}
		if !found {
			t.Errorf("%s: pool %s missing from %+v", name, lab.Pool, pools)
		}
		if _, err := c.IOContext(ctx, lab.Pool); err != nil {
			t.Errorf("%s: io context: %v", name, err)
		}
		_, err = c.IOContext(ctx, "no-such-pool")
		if err == nil || !strings.Contains(err.Error(), `pool "no-such-pool" does not exist`) || !strings.Contains(err.Error(), name) {
			t.Errorf("%s: missing pool error: %v", name, err)
		}
	}
	if _, err := m.Site("site-z"); err == nil || !strings.Contains(err.Error(), "site-a, site-b") {
		t.Errorf("unknown site: %v", err)
	}
}

// badSite writes a configuration for one site of the lab with the given
// twist applied to its files.
func badSite(t *testing.T, st *lab.State, conf, keyring string, timeout time.Duration) *site.Conn {
	cfg := &config.Config{Timeout: config.Duration(timeout), Sites: []config.Site{{Name: "broken", Conf: conf, Client: lab.ConsoleUser, Keyring: keyring}}}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	m := site.NewManager(cfg)
	t.Cleanup(m.Close)
	c, _ := m.Site("broken")
	return c
}

func TestWrongKeyring(t *testing.T) {
	st := labtest.Require(t)
	a := st.Site(lab.SiteA)
	kr := filepath.Join(t.TempDir(), "wrong.keyring")
	out, err := exec.Command("ceph-authtool", "--create-keyring", kr, "--gen-key", "-n", lab.ConsoleUser).CombinedOutput()
	if err != nil {
		t.Fatalf("ceph-authtool: %v %s", err, out)
	}
	c := badSite(t, st, a.Conf, kr, 5*time.Second)
	start := time.Now()
	s := c.Probe(context.Background())
	if s.Reachable {
		t.Fatal("a wrong key must not connect")
	}
	for _, w := range []string{"site broken", "authentication failed", kr} {
		if !strings.Contains(s.Err, w) {
			t.Errorf("error %q lacks %q", s.Err, w)
		}
	}
	if d := time.Since(start); d > 7*time.Second {
		t.Errorf("took %v, beyond the 5s timeout", d)
	}
}

func TestUnreachableSite(t *testing.T) {
	st := labtest.Require(t)
	a := st.Site(lab.SiteA)
	data, err := os.ReadFile(a.Conf)
	if err != nil {
		t.Fatal(err)
	}
	// A port where nothing listens: the connect must give up at the timeout.
	conf := filepath.Join(t.TempDir(), "ceph.conf")
	text := strings.Replace(string(data), fmt.Sprintf("127.0.0.1:%d", a.MonPort), "127.0.0.1:9", 1)
	if err := os.WriteFile(conf, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	c := badSite(t, st, conf, a.Keyring(lab.ConsoleUser), 2*time.Second)
	start := time.Now()
	_, err = c.Pools(context.Background())
	d := time.Since(start)
	if err == nil {
		t.Fatal("expected an error")
	}
	for _, w := range []string{"site broken", "no monitor answered within 2s"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q lacks %q", err, w)
		}
	}
	if d > 4*time.Second {
		t.Errorf("unreachable site answered after %v, beyond its 2s timeout", d)
	}
}

// TestReconnect freezes site-b's monitor (SIGSTOP on the PID the lab
// recorded), sees calls fail within the timeout, thaws it and sees the same
// Manager work again without being rebuilt.
func TestReconnect(t *testing.T) {
	st := labtest.Require(t)
	cfg := labtest.Config(t, st)
	cfg.Timeout = config.Duration(2 * time.Second)
	m := site.NewManager(cfg)
	defer m.Close()
	c, _ := m.Site(lab.SiteB)
	ctx := context.Background()
	if s := c.Probe(ctx); !s.Reachable {
		t.Fatalf("site-b not reachable before the test: %s", s.Err)
	}
	pid := st.Site(lab.SiteB).PIDs.Mon
	if err := syscall.Kill(pid, syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	thawed := false
	thaw := func() {
		if !thawed {
			syscall.Kill(pid, syscall.SIGCONT)
			thawed = true
		}
	}
	t.Cleanup(thaw)
	start := time.Now()
	s := c.Probe(ctx)
	if s.Reachable {
		t.Fatal("probe succeeded against a frozen monitor")
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("frozen site answered after %v (timeout 2s)", d)
	}
	if !strings.Contains(s.Err, "site-b") {
		t.Errorf("error does not name the site: %s", s.Err)
	}
	thaw()
	deadline := time.Now().Add(30 * time.Second)
	for {
		s = c.Probe(ctx)
		if s.Reachable {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("site-b did not come back: %s", s.Err)
		}
		time.Sleep(500 * time.Millisecond)
	}
	if s.Health == "" {
		t.Errorf("recovered probe has no health: %+v", s)
	}
}

// A call its caller cancels is abandoned without blaming the site: the
// error says canceled (errors.Is context.Canceled) and the connection is
// kept. A call that outlives its bound drops the connection, and says how
// long it waited.
func TestCanceledCallKeepsTheConnection(t *testing.T) {
	st := labtest.Require(t)
	m := site.NewManager(labtest.Config(t, st))
	defer m.Close()
	c, err := m.Site(lab.SiteA)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	before, err := c.Rados(ctx)
	if err != nil {
		t.Fatal(err)
	}
	release := make(chan struct{})
	defer close(release)
	block := func() (int, error) { <-release; return 0, nil }

	cctx, cancel := context.WithCancel(ctx)
	time.AfterFunc(50*time.Millisecond, cancel)
	_, err = site.CallFor(cctx, c, "wait", 5*time.Second, block)
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "site-a: wait: canceled after") {
		t.Fatalf("canceled call: %v, want a site-a error wrapping context.Canceled", err)
	}
	if strings.Contains(err.Error(), "no answer") {
		t.Errorf("a canceled call blames the site: %v", err)
	}
	if now, err := c.Rados(ctx); err != nil || now != before {
		t.Errorf("a canceled call dropped the connection (%p -> %p, %v)", before, now, err)
	}

	dctx, dcancel := context.WithTimeout(ctx, 200*time.Millisecond)
	defer dcancel()
	_, err = site.CallFor(dctx, c, "wait", 5*time.Second, block)
	if err == nil || !strings.Contains(err.Error(), "wait: no answer within 200ms") {
		t.Fatalf("call past the caller's deadline: %v, want no answer within 200ms", err)
	}
	_, err = site.CallFor(ctx, c, "wait", 100*time.Millisecond, block)
	if err == nil || !strings.Contains(err.Error(), "wait: no answer within 100ms") {
		t.Fatalf("call past its bound: %v, want no answer within 100ms", err)
	}
	if now, err := c.Rados(ctx); err != nil || now == before {
		t.Errorf("a call that got no answer kept the connection (%p, %v)", now, err)
	}
}
