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
	"github.com/rbdtui/rbdtui/model"
)

// TestPlanFailoverOnLab plans failovers on the lab the way the wizard asks:
// a runnable pool plan, an image that is not mirrored, from equal to to.
func TestPlanFailoverOnLab(t *testing.T) {
	st := labtest.Require(t)
	a := st.Site("site-a")
	name := fmt.Sprintf("plan-unmirrored-%d", time.Now().UnixNano()%1_000_000_000)
	rbd := func(args ...string) error {
		out, err := exec.Command("rbd", append([]string{"-c", a.Conf, "--id", "admin"}, args...)...).CombinedOutput()
		if err != nil {
			return fmt.Errorf("rbd %v: %v: %s", args, err, out)
		}
		return nil
	}
	if err := rbd("create", "--size", "16M", "rbd/"+name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = rbd("rm", "--no-progress", "rbd/"+name) })
	b := backend.New(site.NewManager(labtest.Config(t, st)), cli.New("test"))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	img, err := b.PlanFailover(ctx, model.FailoverRequest{Scope: model.FailoverImage, Target: "rbd/" + name, From: "site-a", To: "site-b"})
	if err != nil {
		t.Fatal(err)
	}
	if len(img.Problems) != 1 || len(img.Images) != 1 || img.Images[0].Phase != "refuse" || !strings.Contains(img.Problems[0], name) {
		t.Fatalf("an unmirrored image's plan: %+v", img)
	}
	if _, err := b.PlanFailover(ctx, model.FailoverRequest{Scope: model.FailoverPool, Target: "rbd", From: "site-a", To: "site-a"}); err == nil || !strings.Contains(err.Error(), "same site") {
		t.Fatalf("from == to: err = %v", err)
	}
	forced, err := b.PlanFailover(ctx, model.FailoverRequest{Scope: model.FailoverPool, Target: "rbd", From: "site-a", To: "site-b", Force: true})
	if err != nil {
		// A pool with no mirrored image is refused, with a reason.
		if !strings.Contains(err.Error(), "no mirrored images") {
			t.Fatal(err)
		}
		return
	}
	if forced.Kind != "forced" || len(forced.Steps) == 0 || len(forced.Images) == 0 || !forced.FromReachable {
		t.Fatalf("forced pool plan: %+v", forced)
	}
	for _, i := range forced.Images {
		if i.Lag == "" || (i.Phase != "force-promote" && i.Phase != "done") {
			t.Errorf("forced plan of %s: phase %q lag %q", i.Name, i.Phase, i.Lag)
		}
	}
}
