package mirror

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"testing"
	"time"
	"unsafe"

	"github.com/ceph/go-ceph/rbd"
	"github.com/rbdtui/rbdtui/internal/lab"
	"github.com/rbdtui/rbdtui/internal/labtest"
	"github.com/rbdtui/rbdtui/internal/site"
	"github.com/rbdtui/rbdtui/model"
)

// TestReadNamesFollowsTheDirectory: the names of a pool and of a namespace
// are reused only while rbd_directory is unchanged; a create, a rename and
// a removal made with the rbd CLI each show on the very next read.
func TestReadNamesFollowsTheDirectory(t *testing.T) {
	st := labtest.Require(t)
	a := st.Site(lab.SiteA)
	rbdCLI := func(args ...string) {
		t.Helper()
		if out, err := exec.Command("rbd", append([]string{"-c", a.Conf, "--id", "admin"}, args...)...).CombinedOutput(); err != nil {
			t.Fatalf("rbd %v: %v %s", args, err, out)
		}
	}
	m := site.NewManager(labtest.Config(t, st))
	defer m.Close()
	c, err := m.Site(lab.SiteA)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	ns := fmt.Sprintf("names%d", time.Now().UnixNano()%1e6)
	rbdCLI("namespace", "create", "rbd/"+ns)
	t.Cleanup(func() { exec.Command("rbd", "-c", a.Conf, "--id", "admin", "namespace", "remove", "rbd/"+ns).Run() })

	for _, ps := range []model.PoolSpec{{Pool: "rbd"}, {Pool: "rbd", Namespace: ns}} {
		spec := poolSpecString(ps)
		read := func(prev *DirNames) DirNames {
			t.Helper()
			io, conn, err := PoolHandles(ctx, c, ps)
			if err != nil {
				t.Fatal(err)
			}
			d, err := readNames(conn, io, ps, prev)
			if err != nil {
				t.Fatalf("%s: %v", spec, err)
			}
			return d
		}
		img := fmt.Sprintf("names-%d", time.Now().UnixNano()%1e6)
		d1 := read(nil)
		if slices.Contains(d1.Names, img) {
			t.Fatalf("%s: %s listed before it was created", spec, img)
		}
		rbdCLI("create", "--size", "1M", spec+"/"+img)
		d2 := read(&d1)
		if d2.Version == d1.Version || !slices.Contains(d2.Names, img) {
			t.Fatalf("%s: after create, version %d -> %d, names %v: want a new version listing %s", spec, d1.Version, d2.Version, d2.Names, img)
		}
		d3 := read(&d2)
		if d3.Version != d2.Version || unsafe.SliceData(d3.Names) != unsafe.SliceData(d2.Names) {
			t.Fatalf("%s: unchanged directory (version %d -> %d) was listed again instead of reused", spec, d2.Version, d3.Version)
		}
		rbdCLI("rename", spec+"/"+img, spec+"/"+img+"-b")
		d4 := read(&d3)
		if slices.Contains(d4.Names, img) || !slices.Contains(d4.Names, img+"-b") {
			t.Fatalf("%s: after rename, names %v: want %s-b and not %s", spec, d4.Names, img, img)
		}
		rbdCLI("rm", "--no-progress", spec+"/"+img+"-b")
		d5 := read(&d4)
		if slices.Contains(d5.Names, img+"-b") {
			t.Fatalf("%s: after removal, names %v still list %s-b", spec, d5.Names, img)
		}
		t.Logf("%s: directory versions %d, %d, %d, %d, %d", spec, d1.Version, d2.Version, d3.Version, d4.Version, d5.Version)
	}
}

// TestReadNamesListsFormat1Images: a pool upgraded from old releases can
// still hold format 1 images, listed in rbd_directory's data (a tmap)
// rather than its omap; librbd lists them, and so does readNames. Ceph 16
// no longer creates such images (and never in a namespace), so the test
// writes the tmap entry itself, in a pool of its own.
func TestReadNamesListsFormat1Images(t *testing.T) {
	st := labtest.Require(t)
	a := st.Site(lab.SiteA)
	run := func(name string, args ...string) {
		t.Helper()
		if out, err := exec.Command(name, append([]string{"-c", a.Conf, "--id", "admin"}, args...)...).CombinedOutput(); err != nil {
			t.Fatalf("%s %v: %v %s", name, args, err, out)
		}
	}
	pool := fmt.Sprintf("v1names%d", time.Now().UnixNano()%1e6)
	run("ceph", "osd", "pool", "create", pool, "8")
	t.Cleanup(func() {
		exec.Command("ceph", "-c", a.Conf, "--id", "admin", "osd", "pool", "rm", pool, pool, "--yes-i-really-really-mean-it").Run()
	})
	run("rbd", "pool", "init", pool)
	run("rbd", "create", "--size", "1M", pool+"/modern")
	// tmap: an empty header, then one entry "legacy" with an empty value.
	tmap := []byte{0, 0, 0, 0, 1, 0, 0, 0, 6, 0, 0, 0, 'l', 'e', 'g', 'a', 'c', 'y', 0, 0, 0, 0}
	f := t.TempDir() + "/tmap"
	if err := os.WriteFile(f, tmap, 0o644); err != nil {
		t.Fatal(err)
	}
	run("rados", "-p", pool, "put", "rbd_directory", f)
	m := site.NewManager(labtest.Config(t, st))
	defer m.Close()
	c, err := m.Site(lab.SiteA)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	ps := model.PoolSpec{Pool: pool}
	io, conn, err := PoolHandles(ctx, c, ps)
	if err != nil {
		t.Fatal(err)
	}
	d, err := readNames(conn, io, ps, nil)
	if err != nil {
		t.Fatal(err)
	}
	lib, err := rbd.GetImageNames(io)
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(lib)
	slices.Sort(d.Names)
	if !slices.Contains(d.Names, "legacy") || !slices.Contains(d.Names, "modern") || !slices.Equal(d.Names, lib) {
		t.Fatalf("names %v, librbd's %v: want both the format 1 and the format 2 image, as librbd lists them", d.Names, lib)
	}
	if d.NameOf[idOf(t, a.Conf, pool+"/modern")] != "modern" {
		t.Fatalf("NameOf %v: want the format 2 image's id named", d.NameOf)
	}
}

// idOf is an image's id, as rbd info prints it.
func idOf(t *testing.T, conf, spec string) string {
	t.Helper()
	out, err := exec.Command("rbd", "-c", conf, "--id", "admin", "info", "--format", "json", spec).Output()
	if err != nil {
		t.Fatal(err)
	}
	var info struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(out, &info); err != nil {
		t.Fatal(err)
	}
	return info.ID
}
