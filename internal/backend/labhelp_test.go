package backend_test

import (
	"context"
	"fmt"
	"os/exec"
	"testing"
	"time"

	"github.com/rbdtui/rbdtui/internal/backend"
	"github.com/rbdtui/rbdtui/internal/cli"
	"github.com/rbdtui/rbdtui/internal/lab"
	"github.com/rbdtui/rbdtui/internal/labtest"
	"github.com/rbdtui/rbdtui/internal/site"
	"github.com/rbdtui/rbdtui/model"
)

// rbdAdmin runs the rbd CLI as client.admin against a site's ceph.conf
// and returns its output.
func rbdAdmin(ctx context.Context, conf string, args ...string) (string, error) {
	out, err := exec.CommandContext(ctx, "rbd", append([]string{"-c", conf, "--id", "admin"}, args...)...).CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("rbd %v: %v %s", args, err, out)
	}
	return string(out), nil
}

// mustRBD is rbdAdmin that ends the test on an error.
func mustRBD(t testing.TB, ctx context.Context, conf string, args ...string) string {
	t.Helper()
	out, err := rbdAdmin(ctx, conf, args...)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// labWatch opens a watch of scope through a backend on the lab's console
// configuration, closed when the test ends.
func labWatch(t testing.TB, st *lab.State, scope model.WatchScope) (*backend.Backend, model.WatchSession) {
	t.Helper()
	bk := backend.New(site.NewManager(labtest.Config(t, st)), cli.New("test"))
	sess, err := bk.Watch(scope)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sess.Close() })
	return bk, sess
}

// pollFrame polls a watch once, bounded by 20 s.
func pollFrame(t testing.TB, ctx context.Context, sess model.WatchSession) model.WatchFrame {
	t.Helper()
	c, stop := context.WithTimeout(ctx, 20*time.Second)
	defer stop()
	f, err := sess.Poll(c)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// cellOf is image's cell on a site in a frame (nil when the frame has no
// such row or site).
func cellOf(f model.WatchFrame, image, siteName string) *model.WatchCell {
	for _, r := range f.Rows {
		if image != "" && r.Image != image {
			continue
		}
		for i := range r.Cells {
			if f.Sites[i].Site == siteName {
				return &r.Cells[i]
			}
		}
	}
	return nil
}

// removeAfter disables mirroring of spec on a site and removes it there
// when the test ends.
func removeAfter(t testing.TB, conf, spec string) {
	t.Cleanup(func() {
		bg := context.Background()
		_, _ = rbdAdmin(bg, conf, "mirror", "image", "disable", spec)
		_, _ = rbdAdmin(bg, conf, "rm", "--no-progress", spec)
	})
}

// presentCell is cellOf when the site has the image, else nil.
func presentCell(f model.WatchFrame, image, siteName string) *model.WatchCell {
	if c := cellOf(f, image, siteName); c != nil && c.Present {
		return c
	}
	return nil
}
