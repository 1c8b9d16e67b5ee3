package cli_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/rbdtui/rbdtui/internal/cli"
	"github.com/rbdtui/rbdtui/internal/lab"
	"github.com/rbdtui/rbdtui/internal/labtest"
)

// cmdOK runs rbdtui in-process and fails the test on a non-zero exit.
func cmdOK(t *testing.T, args ...string) string {
	t.Helper()
	// --yes: what must succeed is confirmed (confirmations are
	// TestCLIConfirmsAsDeclared's).
	code, out, errOut := run(t, append(args, "--yes")...)
	if code != 0 {
		t.Fatalf("rbdtui %s: exit %d\n%s%s", strings.Join(args, " "), code, out, errOut)
	}
	return out
}

// rbdCLI runs the real rbd CLI on a lab site as user.
func rbdCLI(t *testing.T, s *lab.SiteState, user string, args ...string) (string, error) {
	t.Helper()
	full := append([]string{"-c", s.Conf, "--id", strings.TrimPrefix(user, "client."), "--keyring", s.Keyring(user)}, args...)
	cmd := exec.Command("rbd", full...)
	cmd.Env = append(os.Environ(), "CEPH_CONF="+s.Conf)
	var e bytes.Buffer
	cmd.Stderr = &e
	out, err := cmd.Output()
	if err != nil {
		return string(out), fmt.Errorf("rbd %s: %v: %s", strings.Join(args, " "), err, e.String())
	}
	return string(out), nil
}

func mustRBD(t *testing.T, s *lab.SiteState, args ...string) string {
	t.Helper()
	out, err := rbdCLI(t, s, lab.AdminClient, args...)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// waitFor polls cond until it holds or the timeout passes.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	last := ""
	for time.Now().Before(deadline) {
		ok, s := cond()
		if ok {
			return
		}
		last = s
		time.Sleep(time.Second)
	}
	t.Fatalf("timed out waiting for %s; last: %s", what, last)
}

func imageState(t *testing.T, s *lab.SiteState, spec string) string {
	out, err := rbdCLI(t, s, lab.AdminClient, "mirror", "image", "status", spec, "--format", "json")
	if err != nil {
		return err.Error()
	}
	var st struct {
		State       string `json:"state"`
		Description string `json:"description"`
	}
	json.Unmarshal([]byte(out), &st)
	return st.State + " " + st.Description
}

// newMirrored creates an image on site-a, mirror-enables it and waits until
// site-b replays it.
func newMirrored(t *testing.T, st *lab.State, pool, name, mode string) string {
	t.Helper()
	a, b := st.Site(lab.SiteA), st.Site(lab.SiteB)
	spec := pool + "/" + name
	mustRBD(t, a, "create", "--size", "16M", spec)
	mustRBD(t, a, "mirror", "image", "enable", spec, mode)
	waitFor(t, 90*time.Second, spec+" replaying on site-b", func() (bool, string) {
		s := imageState(t, b, spec)
		return strings.HasPrefix(s, "up+replaying"), s
	})
	return spec
}

func uniq(prefix string) string { return fmt.Sprintf("%s-%d", prefix, time.Now().UnixNano()%1e9) }

// sameJSON compares two JSON documents field by field; last_update may
// differ by the daemon's 10 s republish, so it is compared within 30 s.
func sameJSON(t *testing.T, what string, ours, theirs string) bool {
	var a, b any
	if err := json.Unmarshal([]byte(ours), &a); err != nil {
		t.Fatalf("%s: our JSON: %v: %s", what, err, ours)
	}
	if err := json.Unmarshal([]byte(theirs), &b); err != nil {
		t.Fatalf("%s: rbd JSON: %v: %s", what, err, theirs)
	}
	normalizeTimes(a, b)
	if !reflect.DeepEqual(a, b) {
		t.Logf("%s differs:\nrbdtui: %s\nrbd:    %s", what, ours, theirs)
		return false
	}
	return true
}

func normalizeTimes(a, b any) {
	am, ok1 := a.(map[string]any)
	bm, ok2 := b.(map[string]any)
	if ok1 && ok2 {
		for k, av := range am {
			bv := bm[k]
			if k == "last_update" {
				ta, e1 := time.ParseInLocation("2006-01-02 15:04:05", fmt.Sprint(av), time.Local)
				tb, e2 := time.ParseInLocation("2006-01-02 15:04:05", fmt.Sprint(bv), time.Local)
				if e1 == nil && e2 == nil && ta.Sub(tb).Abs() <= 30*time.Second {
					am[k] = bv
				}
				continue
			}
			normalizeTimes(av, bv)
		}
		return
	}
	al, ok1 := a.([]any)
	bl, ok2 := b.([]any)
	if ok1 && ok2 && len(al) == len(bl) {
		for i := range al {
			normalizeTimes(al[i], bl[i])
		}
	}
}

// TestJSONParity: mirror pool info and mirror image status carry the same
// fields and values as rbd's --format json for the same pool and image.
func TestJSONParity(t *testing.T) {
	st := labtest.Require(t)
	cfg := st.ConfigPath()
	j := newMirrored(t, st, "rbd", uniq("parity-j"), "journal")
	s := newMirrored(t, st, "rbd", uniq("parity-s"), "snapshot")
	for _, site := range st.Sites {
		ours := cmdOK(t, "--config", cfg, "--site", site.Name, "mirror", "pool", "info", "rbd", "--format", "json")
		theirs, err := rbdCLI(t, site, lab.ConsoleUser, "mirror", "pool", "info", "rbd", "--format", "json")
		if err != nil {
			t.Fatal(err)
		}
		if !sameJSON(t, site.Name+" mirror pool info", ours, theirs) {
			t.Errorf("%s: mirror pool info differs from rbd", site.Name)
		}
		for _, spec := range []string{j, s} {
			// Replay statistics move between two reads; retry a few times
			// for a pair taken within the same status update.
			ok := false
			for try := 0; try < 5 && !ok; try++ {
				ours := cmdOK(t, "--config", cfg, "--site", site.Name, "mirror", "image", "status", spec, "--format", "json")
				theirs, err := rbdCLI(t, site, lab.ConsoleUser, "mirror", "image", "status", spec, "--format", "json")
				if err != nil {
					t.Fatal(err)
				}
				ok = sameJSON(t, site.Name+" "+spec, ours, theirs)
				if !ok {
					time.Sleep(time.Second)
				}
			}
			if !ok {
				t.Errorf("%s: mirror image status %s differs from rbd (see log)", site.Name, spec)
			}
		}
	}
	// Pool status: the summary and daemons match rbd's, and every image rbd
	// lists is listed with the same fields.
	for _, site := range st.Sites {
		ours := cmdOK(t, "--config", cfg, "--site", site.Name, "mirror", "pool", "status", "rbd", "--verbose", "--format", "json")
		theirs, err := rbdCLI(t, site, lab.ConsoleUser, "mirror", "pool", "status", "rbd", "--verbose", "--format", "json")
		if err != nil {
			t.Fatal(err)
		}
		var a, b struct {
			Summary map[string]any   `json:"summary"`
			Daemons []map[string]any `json:"daemons"`
			Images  []map[string]any `json:"images"`
		}
		json.Unmarshal([]byte(ours), &a)
		json.Unmarshal([]byte(theirs), &b)
		if !reflect.DeepEqual(a.Daemons, b.Daemons) {
			t.Errorf("%s daemons: %v vs %v", site.Name, a.Daemons, b.Daemons)
		}
		if a.Summary["daemon_health"] != b.Summary["daemon_health"] || a.Summary["health"] != b.Summary["health"] {
			t.Errorf("%s summary: %v vs %v", site.Name, a.Summary, b.Summary)
		}
		names := func(l []map[string]any) []string {
			var n []string
			for _, i := range l {
				n = append(n, fmt.Sprint(i["name"]))
			}
			sort.Strings(n)
			return n
		}
		if !reflect.DeepEqual(names(a.Images), names(b.Images)) {
			t.Errorf("%s images: %v vs %v", site.Name, names(a.Images), names(b.Images))
		}
		for _, img := range a.Images {
			for _, k := range []string{"name", "global_id", "state", "description", "last_update"} {
				if _, ok := img[k]; !ok {
					t.Errorf("%s: image %v lacks %q", site.Name, img["name"], k)
				}
			}
		}
	}
}

// TestBadInputChangesNothing: each mistake gets a clear error, exit 2, and
// the image's mirroring state is the same afterwards.
func TestBadInputChangesNothing(t *testing.T) {
	st := labtest.Require(t)
	cfg := st.ConfigPath()
	spec := newMirrored(t, st, "rbd", uniq("bad"), "journal")
	a, b := st.Site(lab.SiteA), st.Site(lab.SiteB)
	before := [2]string{mustRBD(t, a, "mirror", "image", "status", spec, "--format", "json"), mustRBD(t, b, "mirror", "image", "status", spec, "--format", "json")}
	cases := []struct {
		args []string
		want []string
	}{
		{[]string{"--site", "site-z", "mirror", "image", "status", spec}, []string{`unknown site "site-z"`}},
		{[]string{"mirror", "image", "status", "nopool/vol"}, []string{`pool "nopool" does not exist`, "site-a"}},
		{[]string{"mirror", "image", "status", "rbd/no-such-image"}, []string{"rbd/no-such-image does not exist", "site site-a"}},
		{[]string{"mirror", "image", "status", "a/b/c/d"}, []string{"too many '/'"}},
		{[]string{"mirror", "image", "promote", spec, "--yes"}, []string{"already primary on site site-a"}},
		{[]string{"mirror", "image", "resync", spec, "--yes"}, []string{"is primary on site site-a", "cannot resync from itself"}},
		{[]string{"mirror", "image", "resync", spec}, []string{"needs confirmation", "--yes", "nothing was changed"}},
		{[]string{"--site", "site-b", "mirror", "image", "promote", spec, "--yes"}, []string{"still primary on the peer site", "demote it there first"}},
		{[]string{"--site", "site-b", "mirror", "image", "demote", spec, "--yes"}, []string{"not primary on site site-b"}},
		{[]string{"mirror", "image", "enable", spec, "snapshot"}, []string{"already enabled"}},
		{[]string{"mirror", "image", "enable", spec, "sideways"}, []string{`mirror mode "sideways"`}},
		{[]string{"mirror", "pool", "peer", "add", "rbd", "site-b"}, []string{"already has peer site-b"}},
		{[]string{"mirror", "snapshot", "schedule", "add", "-p", "rbd", "often"}, []string{`interval "often"`}},
		{[]string{"failover", "--to", "site-b", "--yes"}, []string{"exactly one of --image"}},
		{[]string{"failover", "--to", "site-a", "--from", "site-a", "--image", spec, "--yes"}, []string{"--from and --to are the same site"}},
		{[]string{"failover", "--to", "site-b", "--image", "rbd/no-such-image", "--yes"}, []string{"no-such-image does not exist on site-b"}},
		{[]string{"--readonly", "mirror", "image", "demote", spec}, []string{"read-only", "nothing was changed"}},
	}
	for _, c := range cases {
		code, _, errOut := run(t, append([]string{"--config", cfg}, c.args...)...)
		if code != cli.ExitUsage {
			t.Errorf("rbdtui %s: exit %d, want %d (%s)", strings.Join(c.args, " "), code, cli.ExitUsage, errOut)
		}
		for _, w := range c.want {
			if !strings.Contains(errOut, w) {
				t.Errorf("rbdtui %s: error %q lacks %q", strings.Join(c.args, " "), errOut, w)
			}
		}
	}
	// mirror pool add of a site that is already a peer: refused (admin, who
	// could otherwise create tokens).
	code, _, errOut := run(t, "--config", st.AdminConfigPath(), "mirror", "pool", "add", "site-b/rbd", "--yes")
	if code != cli.ExitUsage || !strings.Contains(errOut, "already has site-b as a peer") {
		t.Errorf("pool add twice: %d %s", code, errOut)
	}
	after := [2]string{mustRBD(t, a, "mirror", "image", "status", spec, "--format", "json"), mustRBD(t, b, "mirror", "image", "status", spec, "--format", "json")}
	for i := range before {
		var x, y map[string]any
		json.Unmarshal([]byte(before[i]), &x)
		json.Unmarshal([]byte(after[i]), &y)
		if x["state"] != y["state"] || x["global_id"] != y["global_id"] {
			t.Errorf("site %d changed: %v -> %v", i, x["state"], y["state"])
		}
	}
	if out := mustRBD(t, a, "info", spec, "--format", "json"); !strings.Contains(out, `"primary":true`) {
		t.Errorf("image no longer primary on site-a: %s", out)
	}
}

// pattern is the known content of a drill image: a seeded pseudo-random
// fill, so every byte is checked.
func pattern(seed uint64, size int) []byte {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	b := make([]byte, size)
	for i := 0; i < size; i += 8 {
		v := r.Uint64()
		for j := 0; j < 8 && i+j < size; j++ {
			b[i+j] = byte(v >> (8 * j))
		}
	}
	return b
}

const drillSize = 4 << 20

func writeImage(t *testing.T, s *lab.SiteState, pool, name string, data []byte) {
	t.Helper()
	ad := adminOn(t, s, pool)
	defer ad.Close()
	ad.WriteAt(t, name, 0, data)
}

func readImage(t *testing.T, s *lab.SiteState, pool, name string, n int) []byte {
	t.Helper()
	ad := adminOn(t, s, pool)
	defer ad.Close()
	return ad.ReadAt(t, name, 0, n)
}

func adminOn(t *testing.T, s *lab.SiteState, pool string) *labtest.Admin {
	t.Helper()
	ad, err := labtest.OpenAdmin(s, pool)
	if err != nil {
		t.Fatal(err)
	}
	return ad
}

func sameBytes(t *testing.T, what string, got, want []byte) {
	t.Helper()
	if !bytes.Equal(got, want) {
		i := 0
		for i < len(got) && got[i] == want[i] {
			i++
		}
		t.Fatalf("%s: content differs from byte %d (sha256 %x vs %x)", what, i, sha256.Sum256(got), sha256.Sum256(want))
	}
}

// drillPool makes a fresh pool mirrored in image mode on both sites and
// peers it with `rbdtui mirror pool add` (admin config: bootstrap tokens).
func drillPool(t *testing.T, st *lab.State) string {
	t.Helper()
	pool := uniq("drill")
	for _, s := range st.Sites {
		if _, err := exec.Command("ceph", "-c", s.Conf, "osd", "pool", "create", pool, "8").CombinedOutput(); err != nil {
			t.Fatal(err)
		}
		mustRBD(t, s, "pool", "init", pool)
		cmdOK(t, "--config", st.AdminConfigPath(), "--site", s.Name, "mirror", "pool", "enable", pool, "image")
	}
	cmdOK(t, "--config", st.AdminConfigPath(), "mirror", "pool", "add", "site-b/"+pool)
	t.Cleanup(func() {
		// Unpeer first so that no rbd-mirror daemon is replaying from a
		// pool when it disappears.
		run(t, "--config", st.AdminConfigPath(), "mirror", "pool", "remove", "site-b/"+pool, "--yes")
		time.Sleep(6 * time.Second) // rbd mirror pool replayers refresh interval is 5 s in the lab
		for _, s := range st.Sites {
			exec.Command("ceph", "-c", s.Conf, "osd", "pool", "rm", pool, pool, "--yes-i-really-really-mean-it").Run()
		}
	})
	info := cmdOK(t, "--config", st.ConfigPath(), "--site", "site-b", "mirror", "pool", "info", pool, "--format", "json")
	if !strings.Contains(info, `"site_name":"site-a"`) || !strings.Contains(info, `"direction":"rx-tx"`) {
		t.Fatalf("mirror pool add did not peer site-b with site-a: %s", info)
	}
	return pool
}

// TestDrillPlanned writes known data on site-a, fails the pool over to
// site-b, checks every byte there, writes on site-b, fails back and checks
// every byte on site-a: zero bytes lost, in both mirroring modes.
func TestDrillPlanned(t *testing.T) {
	st := labtest.Require(t)
	a, b := st.Site(lab.SiteA), st.Site(lab.SiteB)
	pool := drillPool(t, st)
	images := map[string]string{"vj": "journal", "vs": "snapshot"}
	for name, mode := range images {
		newMirrored(t, st, pool, name, mode)
	}
	cfg := st.ConfigPath()
	for name := range images {
		writeImage(t, a, pool, name, pattern(1, drillSize))
	}
	out := cmdOK(t, "--config", cfg, "failover", "--to", "site-b", "--pool", pool, "--dry-run")
	if !strings.Contains(out, "planned failover") || !strings.Contains(out, "demote") {
		t.Errorf("dry run: %s", out)
	}
	if s := imageState(t, a, pool+"/vj"); !strings.Contains(s, "local image is primary") {
		t.Fatalf("dry run changed something: %s", s)
	}
	start := time.Now()
	cmdOK(t, "--config", cfg, "failover", "--to", "site-b", "--pool", pool)
	t.Logf("planned failover a->b: %v", time.Since(start).Round(100*time.Millisecond))
	for name := range images {
		sameBytes(t, "site-b "+name+" after failover", readImage(t, b, pool, name, drillSize), pattern(1, drillSize))
		writeImage(t, b, pool, name, pattern(2, drillSize))
	}
	start = time.Now()
	cmdOK(t, "--config", cfg, "failover", "--to", "site-a", "--pool", pool)
	t.Logf("planned failback b->a: %v", time.Since(start).Round(100*time.Millisecond))
	for name := range images {
		sameBytes(t, "site-a "+name+" after failback", readImage(t, a, pool, name, drillSize), pattern(2, drillSize))
	}
	// Failing over to where the images already are is a no-op, not an error.
	cmdOK(t, "--config", cfg, "failover", "--to", "site-a", "--pool", pool)
}

// TestDrillForced freezes every daemon of site-a (SIGSTOP by recorded PID),
// force-promotes on site-b, thaws site-a, sees split-brain reported, then
// recovers with one command and checks site-a equals site-b.
func TestDrillForced(t *testing.T) {
	st := labtest.Require(t)
	a, b := st.Site(lab.SiteA), st.Site(lab.SiteB)
	pool := drillPool(t, st)
	images := map[string]string{"fj": "journal", "fs": "snapshot"}
	for name, mode := range images {
		newMirrored(t, st, pool, name, mode)
		writeImage(t, a, pool, name, pattern(3, drillSize))
	}
	// Let the writes replicate (snapshot mode needs a mirror snapshot).
	cmdOK(t, "--config", st.ConfigPath(), "mirror", "image", "snapshot", pool+"/fs")
	waitFor(t, 60*time.Second, "site-b to have the data", func() (bool, string) {
		for name := range images {
			if !bytes.Equal(readImage(t, b, pool, name, drillSize), pattern(3, drillSize)) {
				return false, name + " not replicated yet"
			}
		}
		return true, ""
	})
	if err := a.Freeze(); err != nil {
		t.Fatal(err)
	}
	thawed := false
	thaw := func() {
		if !thawed {
			thawed = true
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			if err := a.Thaw(ctx); err != nil {
				t.Errorf("thaw site-a: %v", err)
			}
		}
	}
	t.Cleanup(thaw)
	code, out, errOut := run(t, "--config", st.ConfigPath(), "--timeout", "3s", "failover", "--to", "site-b", "--pool", pool, "--force")
	if code != cli.ExitUsage || !strings.Contains(errOut, "--yes") {
		t.Fatalf("forced failover without a terminal must ask for --yes: %d %s %s", code, out, errOut)
	}
	start := time.Now()
	code, out, errOut = run(t, "--config", st.ConfigPath(), "--timeout", "3s", "failover", "--to", "site-b", "--pool", pool, "--force", "--yes")
	if code != 0 {
		t.Fatalf("forced failover: exit %d\n%s%s", code, out, errOut)
	}
	t.Logf("forced failover with site-a frozen: %v", time.Since(start).Round(100*time.Millisecond))
	if !strings.Contains(out, "does not answer") || !strings.Contains(out, "failover recover --stale site-a") {
		t.Errorf("forced failover output should state the lost site and the recovery: %s", out)
	}
	// The failover returns once site-b's rbd-mirror, possibly stuck on the
	// frozen site-a, has let go of every image (or had its lock broken):
	// an application writes at once, without an EROFS.
	t.Logf("forced failover's progress:\n%s", errOut)
	for name := range images {
		writeImage(t, b, pool, name, pattern(4, drillSize))
	}
	thaw()
	// Both copies now believe they are primary: status says so.
	waitFor(t, 60*time.Second, "split-brain to be reported", func() (bool, string) {
		code, out, errOut := run(t, "--config", st.ConfigPath(), "status", pool+"/fj")
		return code == 0 && strings.Contains(out, "SPLIT-BRAIN"), out + errOut
	})
	start = time.Now()
	cmdOK(t, "--config", st.ConfigPath(), "failover", "recover", "--stale", "site-a", "--pool", pool, "--yes", "--step-timeout", "4m")
	t.Logf("recovery (demote + resync) of site-a: %v", time.Since(start).Round(100*time.Millisecond))
	// A snapshot-mode resync copies up to the newest mirror snapshot.
	cmdOK(t, "--config", st.ConfigPath(), "--site", "site-b", "mirror", "image", "snapshot", pool+"/fs")
	waitFor(t, 120*time.Second, "site-a to equal site-b", func() (bool, string) {
		for name := range images {
			got := readImage(t, a, pool, name, drillSize)
			if !bytes.Equal(got, readImage(t, b, pool, name, drillSize)) {
				return false, name + " differs"
			}
		}
		return true, ""
	})
	for name := range images {
		sameBytes(t, "site-a "+name+" after recovery", readImage(t, a, pool, name, drillSize), pattern(4, drillSize))
	}
}
