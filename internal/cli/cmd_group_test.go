package cli_test

import (
	"encoding/json"
	"fmt"
	"github.com/rbdtui/rbdtui/internal/site"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/ceph/go-ceph/rados"
	"github.com/ceph/go-ceph/rbd"
	"github.com/rbdtui/rbdtui/internal/cgroup"
	"github.com/rbdtui/rbdtui/internal/cli"
	"github.com/rbdtui/rbdtui/internal/lab"
	"github.com/rbdtui/rbdtui/internal/labtest"
)

// The consistency-group and group commands on the lab: what they do, and
// that every refusal exits 2 and changes nothing.
func TestConsistencyGroupCommands(t *testing.T) {
	st := labtest.Require(t)
	a := st.Site(lab.SiteA)
	conn, err := a.AdminConn()
	if err != nil {
		t.Fatal(err)
	}
	io, err := conn.OpenIOContext(lab.Pool)
	if err != nil {
		t.Fatal(err)
	}
	sfx := fmt.Sprint(time.Now().UnixNano() % 1e8)
	g, plain, journaled, free := "cg"+sfx, "p"+sfx, "j"+sfx, "f"+sfx
	for _, n := range []string{plain, journaled, free} {
		opts := rbd.NewRbdImageOptions()
		features := uint64(rbd.FeatureLayering | rbd.FeatureExclusiveLock)
		if n == journaled {
			features |= rbd.FeatureJournaling
		}
		_ = opts.SetUint64(rbd.ImageOptionFeatures, features)
		if err := rbd.CreateImage(io, n, 4<<20, opts); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() {
		for _, n := range []string{plain, journaled, free} {
			if img, err := rbd.OpenImage(io, n, rbd.NoSnapshot); err == nil {
				_ = rbd.GroupImageRemove(io, g, io, n)
				_ = img.MirrorDisable(true)
				img.Close()
			}
			_ = rbd.RemoveImage(io, n)
		}
		_ = rbd.GroupRemove(io, g)
		io.Destroy()
		site.Release(conn)
	})
	cfg := st.ConfigPath()
	cg := func(args ...string) (int, string, string) {
		t.Helper()
		// --yes: this test is about what the commands do; confirmations
		// are TestCLIConfirmsAsDeclared's.
		return run(t, append([]string{"--config", cfg, "--yes"}, args...)...)
	}
	refused := func(what, want string, args ...string) {
		t.Helper()
		code, _, errOut := cg(args...)
		if code != cli.ExitUsage || !strings.Contains(errOut, want) {
			t.Errorf("%s: exit %d (want 2), stderr %q lacks %q", what, code, errOut, want)
		}
	}
	groupImages := func() string {
		t.Helper()
		_, out, _ := cg("group", "image", "ls", "rbd/"+g, "--format", "json")
		return strings.TrimSpace(out)
	}

	if code, out, errOut := cg("consistency-group", "create", "rbd/"+g, "--splay-width", "2", "--object-size", "1M", "--journal-option", "commit_age=3"); code != 0 {
		t.Fatalf("create: %d %s %s", code, out, errOut)
	}
	refused("create twice", "already exists", "consistency-group", "create", "rbd/"+g)
	refused("bad journal option", "not a journal setting", "consistency-group", "create", "rbd/x"+g, "--journal-option", "colour=blue")
	refused("bad object size", "power of two", "consistency-group", "create", "rbd/x"+g, "--object-size", "3K")
	refused("unknown group", "is unknown on site site-a", "consistency-group", "info", "rbd/nope"+sfx)
	refused("unknown group", "does not exist on site site-a", "group", "snap", "ls", "rbd/nope"+sfx)
	refused("attach to unknown group", "does not exist on site site-a", "consistency-group", "attach", "rbd/"+plain, "rbd/nope"+sfx)
	refused("bad spec", "too many '/'", "consistency-group", "info", "a/b/c/d")

	// An image that already journals is refused, and stays as it was.
	refused("attach a journaling image", "already has journaling enabled", "consistency-group", "attach", "rbd/"+journaled, "rbd/"+g)
	if got := groupImages(); got != "[]" {
		t.Errorf("refused attach changed the group: %s", got)
	}
	if md := metadata(t, io, journaled); len(md) != 0 {
		t.Errorf("refused attach left metadata: %v", md)
	}

	if code, _, errOut := cg("consistency-group", "attach", "rbd/"+plain, "rbd/"+g); code != 0 {
		t.Fatalf("attach: %d %s", code, errOut)
	}
	if got, want := groupImages(), `[{"image":"`+plain+`","pool":"rbd","namespace":"","state":0}]`; got != want {
		t.Errorf("group image ls: %s, want %s", got, want)
	}
	// The member's journal has the group's layout and tunables.
	out, err := exec.Command("rbd", "-c", a.Conf, "journal", "info", "--image", plain, "--format", "json").Output()
	if err != nil {
		t.Fatalf("rbd journal info: %v", err)
	}
	var ji struct {
		Order      int `json:"order"`
		SplayWidth int `json:"splay_width"`
	}
	if err := json.Unmarshal(out, &ji); err != nil || ji.Order != 20 || ji.SplayWidth != 2 {
		t.Errorf("member journal: %s (want order 20, splay width 2)", out)
	}
	if md := metadata(t, io, plain); md["conf_rbd_journal_commit_age"] != "3" {
		t.Errorf("member metadata: %v", md)
	}
	if _, out, _ := cg("group", "ls", "--format", "json"); !strings.HasPrefix(out, "[") || !strings.Contains(out, `"`+g+`"`) {
		t.Errorf("group ls json: %s", out)
	}

	refused("remove a group with members", "still has 1 member(s): rbd/"+plain, "consistency-group", "remove", "rbd/"+g)
	if got := groupImages(); !strings.Contains(got, plain) {
		t.Errorf("refused remove changed the group: %s", got)
	}
	refused("detach an image in no group", "is in no group", "consistency-group", "detach", "rbd/"+free)
	refused("detach a missing image", "does not exist on site site-a", "consistency-group", "detach", "rbd/none"+sfx)

	// Group snapshots, with rbd's JSON.
	if code, _, errOut := cg("group", "snap", "create", "rbd/"+g+"@s1"); code != 0 {
		t.Fatalf("snap create: %d %s", code, errOut)
	}
	if _, out, _ := cg("group", "snap", "ls", "rbd/"+g, "--format", "json"); strings.TrimSpace(out) != `[{"snapshot":"s1","state":"`+cgroup.GroupSnapComplete()+`"}]` {
		t.Errorf("snap ls: %s", out)
	}
	if code, _, errOut := cg("group", "snap", "rename", "rbd/"+g+"@s1", "s2"); code != 0 {
		t.Errorf("snap rename: %d %s", code, errOut)
	}
	refused("remove a missing snapshot", "does not exist on site site-a (snapshots: s2)", "group", "snap", "rm", "rbd/"+g+"@s1")
	refused("snap create without a name", "needs a snapshot name", "group", "snap", "create", "rbd/"+g)
	if code, _, errOut := cg("group", "snap", "rm", "rbd/"+g+"@s2"); code != 0 {
		t.Errorf("snap rm: %d %s", code, errOut)
	}

	// Checkpoints prune the oldest beyond --keep, and only their own.
	cg("group", "snap", "create", "rbd/"+g+"@mine")
	for i := 0; i < 3; i++ {
		if code, _, errOut := cg("consistency-group", "checkpoint", "rbd/"+g, "--keep", "2"); code != 0 {
			t.Fatalf("checkpoint: %d %s", code, errOut)
		}
	}
	_, out2, _ := cg("group", "snap", "ls", "rbd/"+g, "--format", "json")
	var snaps []struct{ Snapshot string }
	_ = json.Unmarshal([]byte(out2), &snaps)
	cps, mine := 0, false
	for _, s := range snaps {
		cps += map[bool]int{true: 1}[strings.HasPrefix(s.Snapshot, "cp-")]
		mine = mine || s.Snapshot == "mine"
	}
	if cps != 2 || !mine {
		t.Errorf("after 3 checkpoints with --keep 2: %s", out2)
	}

	// info and status look at every site.
	code, out3, errOut := cg("consistency-group", "info", "rbd/"+g, "--format", "json")
	var info struct {
		Members []struct {
			Image   string            `json:"image"`
			Journal map[string]string `json:"journal_settings"`
			Sites   []struct {
				Site    string `json:"site"`
				Primary bool   `json:"primary"`
			} `json:"sites"`
		} `json:"members"`
		Points []struct{ Name string } `json:"consistency_points"`
	}
	if err := json.Unmarshal([]byte(out3), &info); err != nil || code != 0 {
		t.Fatalf("info: %d %v %s %s", code, err, out3, errOut)
	}
	if len(info.Members) != 1 || len(info.Members[0].Sites) != 2 || !info.Members[0].Sites[0].Primary || len(info.Points) != 3 {
		t.Errorf("info: %s", out3)
	}
	if code, out, errOut := cg("consistency-group", "status", "rbd/"+g); code != 0 || !strings.Contains(out, "RECOVERY POINT") || !strings.Contains(out, "site-b") {
		t.Errorf("status: %d %s %s", code, out, errOut)
	}

	// A forced failover without a terminal and without --yes refuses.
	if code, _, errOut := run(t, "--config", cfg, "consistency-group", "failover", "rbd/"+g, "--to", "site-b", "--force"); code != cli.ExitUsage || !strings.Contains(errOut, "needs confirmation") {
		t.Errorf("forced failover without --yes: exit %d %s", code, errOut)
	}
	// Without --to (two sites) the plan goes from the current primary to
	// the other site (it may refuse: site-b's copy may not replay yet).
	if code, out, errOut := cg("consistency-group", "failover", "rbd/"+g, "--dry-run"); (code != 0 && code != cli.ExitUsage) || !strings.Contains(out+errOut, "from site-a to site-b") {
		t.Errorf("failover without --to: exit %d, %s %s: want a plan from site-a to site-b", code, out, errOut)
	}
	if mi := mirrorInfo(t, io, plain); !mi.Primary {
		t.Errorf("refused failover demoted the member")
	}

	if code, _, errOut := cg("consistency-group", "detach", "rbd/"+plain); code != 0 {
		t.Fatalf("detach: %d %s", code, errOut)
	}
	img, _ := rbd.OpenImage(io, plain, rbd.NoSnapshot)
	f, _ := img.GetFeatures()
	img.Close()
	if f&rbd.FeatureJournaling != 0 || len(metadata(t, io, plain)) != 0 || groupImages() != "[]" {
		t.Errorf("detach left journaling (%v), metadata or membership", f&rbd.FeatureJournaling != 0)
	}
	if code, _, errOut := cg("consistency-group", "rename", "rbd/"+g, g+"x"); code != 0 {
		t.Fatalf("rename: %d %s", code, errOut)
	}
	refused("old name after rename", "is unknown on site site-a", "consistency-group", "info", "rbd/"+g)
	if code, _, errOut := cg("group", "remove", "rbd/"+g+"x"); code != 0 {
		t.Fatalf("remove: %d %s", code, errOut)
	}
	if _, out, _ := cg("consistency-group", "ls"); strings.Contains(out, g) {
		t.Errorf("group still listed: %s", out)
	}
}

type ioctx = *rados.IOContext

func metadata(t *testing.T, io ioctx, name string) map[string]string {
	t.Helper()
	img, err := rbd.OpenImageReadOnly(io, name, rbd.NoSnapshot)
	if err != nil {
		t.Fatal(err)
	}
	defer img.Close()
	md, _ := img.ListMetadata()
	return md
}

func mirrorInfo(t *testing.T, io ioctx, name string) *rbd.MirrorImageInfo {
	t.Helper()
	img, err := rbd.OpenImageReadOnly(io, name, rbd.NoSnapshot)
	if err != nil {
		t.Fatal(err)
	}
	defer img.Close()
	mi, err := img.GetMirrorImageInfo()
	if err != nil {
		t.Fatal(err)
	}
	return mi
}
