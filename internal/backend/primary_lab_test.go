package backend_test

import (
	"context"
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/rbdtui/rbdtui/internal/backend"
	"github.com/rbdtui/rbdtui/internal/cli"
	"github.com/rbdtui/rbdtui/internal/labtest"
	"github.com/rbdtui/rbdtui/internal/site"
)

// A demotion shows in the console's image listing on the next refresh, not
// when the cached mirror info expires: while the demoted copy's status says
// "status not found" or "stopped", the listing asks the image itself.
func TestDemotionShowsAtOnce(t *testing.T) {
	st := labtest.Require(t)
	a, b := st.Site("site-a"), st.Site("site-b")
	name := fmt.Sprintf("demote-seen-%d", time.Now().UnixNano()%1_000_000_000)
	spec := "rbd/" + name
	rbd := func(s string, args ...string) (string, error) {
		conf := a.Conf
		if s == "site-b" {
			conf = b.Conf
		}
		out, err := exec.Command("rbd", append([]string{"-c", conf, "--id", "admin"}, args...)...).CombinedOutput()
		if err != nil {
			return string(out), fmt.Errorf("rbd %v on %s: %v: %s", args, s, err, out)
		}
		return string(out), nil
	}
	must := func(s string, args ...string) {
		t.Helper()
		if _, err := rbd(s, args...); err != nil {
			t.Fatal(err)
		}
	}
	must("site-a", "create", "--size", "16M", "--image-feature", "layering,exclusive-lock,journaling", spec)
	t.Cleanup(func() {
		// Leave no copy behind on site-b: a non-primary copy without a
		// primary would stand in the way of a later pool failover.
		_, _ = rbd("site-a", "mirror", "image", "promote", spec)
		_, _ = rbd("site-a", "mirror", "image", "disable", spec)
		_, _ = rbd("site-a", "rm", "--no-progress", spec)
		// rbd-mirror deletes site-b's copy, unless its replay is in
		// error (a demote and promote on one site can leave it so):
		// then remove it by hand.
		for i := 0; i < 30; i++ {
			if _, err := rbd("site-b", "info", spec); err != nil {
				return
			}
			if i >= 5 {
				_, _ = rbd("site-b", "mirror", "image", "disable", "--force", spec)
				_, _ = rbd("site-b", "rm", "--no-progress", spec)
			}
			time.Sleep(time.Second)
		}
		t.Errorf("%s is still on site-b after the test", spec)
	})
	must("site-a", "mirror", "image", "enable", spec, "journal")
	deadline := time.Now().Add(90 * time.Second)
	for {
		out, _ := rbd("site-b", "mirror", "image", "status", spec)
		if strings.Contains(out, "up+replaying") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s never replayed on site-b: %s", spec, out)
		}
		time.Sleep(time.Second)
	}

	bk := backend.New(site.NewManager(labtest.Config(t, st)), cli.New("test"))
	primaryOnA := func() (bool, string) {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		imgs, err := bk.Images(ctx, "site-a", "rbd")
		if err != nil {
			t.Fatal(err)
		}
		for _, i := range imgs {
			if i.Name == name {
				return i.Primary, i.Local.FullState() + " " + i.Local.Description
			}
		}
		t.Fatalf("%s not listed on site-a", name)
		return false, ""
	}
	if p, s := primaryOnA(); !p {
		t.Fatalf("before demotion: not primary on site-a (%s)", s)
	}
	must("site-a", "mirror", "image", "demote", spec)
	start := time.Now()
	// The cached info was just read and is kept 30 s: the demotion must
	// show before it expires, from the status and the image itself (how
	// soon depends on when rbd-mirror updates the status; logged).
	for {
		p, s := primaryOnA()
		if !p {
			t.Logf("demotion seen after %v (status %s)", time.Since(start).Round(time.Millisecond), s)
			break
		}
		if time.Since(start) > 25*time.Second {
			t.Fatalf("still primary 25 s after the demotion (status %s): only the cache expiry would show it", s)
		}
		time.Sleep(500 * time.Millisecond)
	}

	// A change made through the console is seen on the very next listing.
	if _, err := bk.Exec(context.Background(), []string{"mirror", "image", "promote", spec, "--site", "site-a", "--yes"}, nil); err != nil {
		t.Fatal(err)
	}
	if p, s := primaryOnA(); !p {
		t.Fatalf("promoted through the console, the next listing still says non-primary (%s)", s)
	}
}
