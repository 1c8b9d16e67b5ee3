package mirror

import (
	"context"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"reflect"
	"testing"
	"time"

	"github.com/ceph/go-ceph/rbd"
	"github.com/rbdtui/rbdtui/internal/lab"
	"github.com/rbdtui/rbdtui/internal/labtest"
	"github.com/rbdtui/rbdtui/internal/site"
	"github.com/rbdtui/rbdtui/model"
)

// TestClsStatusListingIsLibrbds: on both sites, for the lab's pool and a
// namespace holding a primary, a non-primary copy (on the other site), a
// disabled image and an image that is not mirrored, the listing read with
// the cls method and named from rbd_directory is librbd's own listing,
// field for field. Statuses change while rbd-mirror works, so a listing
// counts as equal when it matches librbd's just before or just after it.
func TestClsStatusListingIsLibrbds(t *testing.T) {
	st := labtest.Require(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	a := st.Site(lab.SiteA)
	rbdOn := func(conf string, args ...string) {
		t.Helper()
		if out, err := exec.CommandContext(ctx, "rbd", append([]string{"-c", conf, "--id", "admin"}, args...)...).CombinedOutput(); err != nil {
			t.Fatalf("rbd %v: %v %s", args, err, out)
		}
	}
	ns := fmt.Sprintf("cls%d", time.Now().UnixNano()%1e6)
	for _, s := range st.Sites {
		rbdOn(s.Conf, "namespace", "create", "rbd/"+ns)
		rbdOn(s.Conf, "mirror", "pool", "enable", "rbd/"+ns, "image")
	}
	for _, img := range []string{"j", "s", "plain", "off"} {
		rbdOn(a.Conf, "create", "--size", "4M", "--image-feature", "layering,exclusive-lock,journaling", "rbd/"+ns+"/"+img)
	}
	rbdOn(a.Conf, "mirror", "image", "enable", "rbd/"+ns+"/j", "journal")
	rbdOn(a.Conf, "mirror", "image", "enable", "rbd/"+ns+"/s", "snapshot")
	rbdOn(a.Conf, "mirror", "image", "enable", "rbd/"+ns+"/off", "journal")
	rbdOn(a.Conf, "mirror", "image", "disable", "rbd/"+ns+"/off")
	t.Cleanup(func() {
		for _, s := range st.Sites {
			for _, img := range []string{"j", "s", "plain", "off"} {
				spec := "rbd/" + ns + "/" + img
				exec.Command("rbd", "-c", s.Conf, "--id", "admin", "mirror", "image", "disable", "--force", spec).Run()
				// a sync rbd-mirror did not finish leaves its snapshot
				exec.Command("rbd", "-c", s.Conf, "--id", "admin", "snap", "purge", "--no-progress", spec).Run()
				exec.Command("rbd", "-c", s.Conf, "--id", "admin", "rm", "--no-progress", spec).Run()
			}
			exec.Command("rbd", "-c", s.Conf, "--id", "admin", "mirror", "pool", "disable", "rbd/"+ns).Run()
			exec.Command("rbd", "-c", s.Conf, "--id", "admin", "namespace", "remove", "rbd/"+ns).Run()
		}
	})
	m := site.NewManager(labtest.Config(t, st))
	defer m.Close()
	// Let rbd-mirror create the copies on site-b, so its listing has a
	// non-primary image with statuses too.
	deadline := time.Now().Add(90 * time.Second)
	for _, name := range []string{lab.SiteA, lab.SiteB} {
		c, err := m.Site(name)
		if err != nil {
			t.Fatal(err)
		}
		pools := []model.PoolSpec{{Pool: "rbd"}, {Pool: "rbd", Namespace: ns}}
		if p := os.Getenv("RBDTUI_BENCH_POOL"); p != "" {
			pools = append(pools, model.PoolSpec{Pool: p}) // make bench's 1,000 images, when kept
		}
		for _, ps := range pools {
			io, conn, err := PoolHandles(ctx, c, ps)
			if err != nil {
				t.Fatal(err)
			}
			for {
				lib := map[string]rbd.GlobalMirrorImageStatus{}
				if err := librbdStatuses(io, lib); err != nil {
					t.Fatal(err)
				}
				d, err := readNames(conn, io, ps, nil)
				if err != nil {
					t.Fatal(err)
				}
				raw := map[string][]rbd.SiteMirrorImageStatus{}
				images, err := clsStatuses(io, raw)
				if err != nil {
					t.Fatal(err)
				}
				ours := map[string]rbd.GlobalMirrorImageStatus{}
				clsGlobalStatuses(images, raw, d.NameOf, ours)
				after := map[string]rbd.GlobalMirrorImageStatus{}
				if err := librbdStatuses(io, after); err != nil {
					t.Fatal(err)
				}
				same := reflect.DeepEqual(ours, lib) || reflect.DeepEqual(ours, after)
				if ps.Namespace == "" {
					// The summary counted from the listing is the OSD's.
					osd, err := rbd.MirrorImageStatusSummary(io)
					if err != nil {
						t.Fatal(err)
					}
					peers, err := rbd.ListMirrorPeerSite(io)
					if err != nil {
						t.Fatal(err)
					}
					counted := summaryStates(images, raw, peers)
					maps.DeleteFunc(osd, func(_ rbd.MirrorImageStatusState, n uint) bool { return n == 0 })
					same = same && reflect.DeepEqual(counted, osd)
					if !same && time.Now().After(deadline) {
						t.Errorf("%s %s: summary counted %v, the OSD's %v", name, poolSpecString(ps), counted, osd)
					}
				}
				ready := ps.Namespace == "" || len(ours) == 2
				if same && ready {
					t.Logf("%s %s: %d images listed alike", name, poolSpecString(ps), len(ours))
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("%s %s: the cls listing differs from librbd's\n ours %+v\nlibrbd %+v\n after %+v", name, poolSpecString(ps), ours, lib, after)
				}
				time.Sleep(time.Second)
			}
		}
	}
}
