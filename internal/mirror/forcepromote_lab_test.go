package mirror_test

import (
	"context"
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/rbdtui/rbdtui/internal/lab"
	"github.com/rbdtui/rbdtui/internal/labtest"
	"github.com/rbdtui/rbdtui/internal/mirror"
	"github.com/rbdtui/rbdtui/internal/site"
	"github.com/rbdtui/rbdtui/model"
)

// MirrorLockHolder names rbd-mirror's lock on an image it replays, and
// never an application's lock: a forced failover breaks only the former.
// BreakLock leaves a lock whose owner is not the one named alone.
func TestMirrorLockHolderTellsRbdMirrorFromApplications(t *testing.T) {
	st := labtest.Require(t)
	a, b := st.Site(lab.SiteA), st.Site(lab.SiteB)
	name := fmt.Sprintf("lock-holder-%d", time.Now().UnixNano()%1_000_000_000)
	spec := model.ImageSpec{Pool: lab.Pool, Image: name}
	rbdOn := func(s *lab.SiteState, args ...string) (string, error) {
		out, err := exec.Command("rbd", append([]string{"-c", s.Conf, "--id", "admin"}, args...)...).CombinedOutput()
		if err != nil {
			return string(out), fmt.Errorf("rbd %v on %s: %v: %s", args, s.Name, err, out)
		}
		return string(out), nil
	}
	if _, err := rbdOn(a, "create", "--size", "8M", "--image-feature", "layering,exclusive-lock,journaling", spec.String()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_, _ = rbdOn(a, "mirror", "image", "disable", spec.String())
		_, _ = rbdOn(a, "rm", "--no-progress", spec.String())
		for i := 0; i < 30; i++ {
			if _, err := rbdOn(b, "info", spec.String()); err != nil {
				return
			}
			time.Sleep(time.Second)
		}
	})
	if _, err := rbdOn(a, "mirror", "image", "enable", spec.String(), "journal"); err != nil {
		t.Fatal(err)
	}
	m := site.NewManager(labtest.Config(t, st))
	defer m.Close()
	ca, _ := m.Site(lab.SiteA)
	cb, _ := m.Site(lab.SiteB)
	ctx := context.Background()

	// Replaying on site-b: rbd-mirror holds the copy's lock.
	var holder string
	deadline := time.Now().Add(90 * time.Second)
	for {
		out, _ := rbdOn(b, "mirror", "image", "status", spec.String())
		h, err := mirror.MirrorLockHolder(ctx, cb, spec)
		if err == nil && h != "" && strings.Contains(out, "up+replaying") {
			holder = h
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no rbd-mirror lock seen on site-b's copy (holder %q, err %v): %s", h, err, out)
		}
		time.Sleep(time.Second)
	}
	locks, err := rbdOn(b, "lock", "ls", spec.String())
	if err != nil || !strings.Contains(locks, holder) {
		t.Errorf("MirrorLockHolder said %q; rbd lock ls says:\n%s (%v)", holder, locks, err)
	}

	// An application writing on site-a holds the primary's lock: not
	// rbd-mirror's.
	ad := labtest.NewAdmin(t, a)
	img, err := ad.Open(name, false)
	if err != nil {
		t.Fatal(err)
	}
	defer img.Close()
	if _, err := img.WriteAt([]byte("an application's write"), 0); err != nil {
		t.Fatal(err)
	}
	if owned, err := img.LockIsExclusiveOwner(); err != nil || !owned {
		t.Fatalf("the writer should own the lock: %v %v", owned, err)
	}
	if h, err := mirror.MirrorLockHolder(ctx, ca, spec); err != nil || h != "" {
		t.Errorf("an application's lock was taken for rbd-mirror's: %q %v", h, err)
	}
	// Breaking a lock by a holder that does not own it changes nothing.
	if err := mirror.BreakLock(ctx, ca, spec, holder); err != nil {
		t.Fatal(err)
	}
	if owned, err := img.LockIsExclusiveOwner(); err != nil || !owned {
		t.Errorf("BreakLock took the lock of a holder it was not given: %v %v", owned, err)
	}
}
