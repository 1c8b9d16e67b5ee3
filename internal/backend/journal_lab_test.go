package backend_test

import (
	"context"
	"fmt"
	"os/exec"
	"testing"
	"time"

	"github.com/rbdtui/rbdtui/internal/backend"
	"github.com/rbdtui/rbdtui/internal/cli"
	"github.com/rbdtui/rbdtui/internal/labtest"
	"github.com/rbdtui/rbdtui/internal/site"
	"github.com/rbdtui/rbdtui/model"
)

// TestJournalOnLab reads the journal of a fresh journal-mirrored image the
// way the console's journal node does.
func TestJournalOnLab(t *testing.T) {
	st := labtest.Require(t)
	a := st.Site("site-a")
	name := fmt.Sprintf("journal-node-%d", time.Now().UnixNano()%1_000_000_000)
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
	if err := rbd("feature", "enable", "rbd/"+name, "journaling"); err != nil {
		t.Fatal(err)
	}
	b := backend.New(site.NewManager(labtest.Config(t, st)), cli.New("test"))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	j, err := b.Journal(ctx, "site-a", model.ImageSpec{Pool: "rbd", Image: name})
	if err != nil {
		t.Fatal(err)
	}
	if j.ID == "" || j.Order == 0 || j.SplayWidth == 0 || len(j.Clients) == 0 {
		t.Fatalf("journal %+v", j)
	}
	if _, err := b.Journal(ctx, "site-a", model.ImageSpec{Pool: "rbd", Image: "no-such-image-" + name}); err == nil {
		t.Fatal("a missing image has a journal")
	}
}
