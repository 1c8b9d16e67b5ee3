package lab_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/rbdtui/rbdtui/internal/lab"
	"github.com/rbdtui/rbdtui/internal/labtest"
)

// rbdAs runs the rbd CLI on a lab site as the given user.
func rbdAs(t *testing.T, s *lab.SiteState, user string, args ...string) ([]byte, error) {
	t.Helper()
	full := append([]string{"-c", s.Conf, "--id", strings.TrimPrefix(user, "client."), "--keyring", s.Keyring(user)}, args...)
	cmd := exec.Command("rbd", full...)
	cmd.Env = append(os.Environ(), "CEPH_CONF="+s.Conf)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return out, fmt.Errorf("rbd %s: %v: %s", strings.Join(args, " "), err, stderr.String())
	}
	return out, nil
}

func TestStatusJSON(t *testing.T) {
	st := labtest.Require(t)
	status, err := lab.GetStatus(context.Background(), st.Dir)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := json.Marshal(status)
	var generic struct {
		Sites []map[string]any `json:"sites"`
	}
	if err := json.Unmarshal(data, &generic); err != nil {
		t.Fatal(err)
	}
	if len(generic.Sites) != 2 {
		t.Fatalf("sites: %s", data)
	}
	for i, s := range generic.Sites {
		var keys []string
		for k := range s {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		if want := []string{"client", "conf", "health", "keyring", "name", "pids"}; !reflect.DeepEqual(keys, want) {
			t.Errorf("site %d keys %v, want %v", i, keys, want)
		}
		if s["name"] != []string{lab.SiteA, lab.SiteB}[i] || s["client"] != lab.AdminClient || s["health"] != "HEALTH_OK" {
			t.Errorf("site %d: %v", i, s)
		}
		pids := s["pids"].(map[string]any)
		for _, d := range []string{"mon", "mgr", "osd", "rbd-mirror"} {
			if n, _ := pids[d].(float64); n <= 0 {
				t.Errorf("site %d: pid of %s = %v", i, d, pids[d])
			}
		}
		if _, err := os.Stat(s["keyring"].(string)); err != nil {
			t.Errorf("admin keyring: %v", err)
		}
	}
}

// TestMirrorDaemonHealthAsConsoleUser is the acceptance check: the console's
// least-privilege user sees daemon health OK with `rbd mirror pool status
// --verbose` on both sites.
func TestMirrorDaemonHealthAsConsoleUser(t *testing.T) {
	st := labtest.Require(t)
	for _, s := range st.Sites {
		out, err := rbdAs(t, s, lab.ConsoleUser, "mirror", "pool", "status", lab.Pool, "--verbose", "--format", "json")
		if err != nil {
			t.Fatal(err)
		}
		var ps struct {
			Summary struct {
				Health       string `json:"health"`
				DaemonHealth string `json:"daemon_health"`
			} `json:"summary"`
			Daemons []struct {
				Leader bool   `json:"leader"`
				Health string `json:"health"`
			} `json:"daemons"`
		}
		if err := json.Unmarshal(out, &ps); err != nil {
			t.Fatalf("%s: %v: %s", s.Name, err, out)
		}
		if ps.Summary.DaemonHealth != "OK" || len(ps.Daemons) != 1 || !ps.Daemons[0].Leader {
			t.Errorf("%s: %s", s.Name, out)
		}
		info, err := rbdAs(t, s, lab.ConsoleUser, "mirror", "pool", "info", lab.Pool, "--format", "json")
		if err != nil {
			t.Fatal(err)
		}
		var pi struct {
			Mode     string `json:"mode"`
			SiteName string `json:"site_name"`
			Peers    []struct {
				SiteName  string `json:"site_name"`
				Direction string `json:"direction"`
			} `json:"peers"`
		}
		if err := json.Unmarshal(info, &pi); err != nil {
			t.Fatal(err)
		}
		other := lab.SiteB
		if s.Name == lab.SiteB {
			other = lab.SiteA
		}
		if pi.Mode != "image" || pi.SiteName != s.Name || len(pi.Peers) != 1 || pi.Peers[0].SiteName != other || pi.Peers[0].Direction != "rx-tx" {
			t.Errorf("%s: mirror pool info %s", s.Name, info)
		}
	}
}

// TestImageReplaysToSiteB: an image created and mirror-enabled on site-a
// reaches up+replaying on site-b.
func TestImageReplaysToSiteB(t *testing.T) {
	st := labtest.Require(t)
	a, b := st.Site(lab.SiteA), st.Site(lab.SiteB)
	name := fmt.Sprintf("rbd/labtest-%d", time.Now().UnixNano())
	if _, err := rbdAs(t, a, lab.ConsoleUser, "create", "--size", "32M", name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		rbdAs(t, a, lab.ConsoleUser, "mirror", "image", "disable", name)
		rbdAs(t, a, lab.ConsoleUser, "rm", "--no-progress", name)
	})
	if _, err := rbdAs(t, a, lab.ConsoleUser, "mirror", "image", "enable", name, "journal"); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(90 * time.Second)
	last := ""
	for time.Now().Before(deadline) {
		out, err := rbdAs(t, b, lab.ConsoleUser, "mirror", "image", "status", name, "--format", "json")
		if err == nil {
			var s struct {
				State string `json:"state"`
			}
			json.Unmarshal(out, &s)
			last = s.State
			if s.State == "up+replaying" {
				return
			}
		} else {
			last = err.Error()
		}
		time.Sleep(time.Second)
	}
	t.Fatalf("%s never reached up+replaying on site-b; last: %s", name, last)
}

func TestUpIsIdempotent(t *testing.T) {
	st := labtest.Require(t)
	start := time.Now()
	again, err := lab.Up(context.Background(), lab.Options{Dir: st.Dir})
	if err != nil {
		t.Fatal(err)
	}
	if time.Since(start) > 5*time.Second {
		t.Errorf("up on a running lab took %v: it should only check", time.Since(start))
	}
	for i := range st.Sites {
		if again.Sites[i].PIDs != st.Sites[i].PIDs {
			t.Errorf("up restarted %s: %+v -> %+v", st.Sites[i].Name, st.Sites[i].PIDs, again.Sites[i].PIDs)
		}
	}
}

func TestLoad(t *testing.T) {
	st := labtest.Require(t)
	res, err := lab.RunLoad(context.Background(), st, lab.LoadOptions{Images: 1, Ops: 40, Rate: 400, Duration: 20 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if res.Writes != 40 || res.Bytes < 40*4096 || len(res.Images) == 0 {
		t.Errorf("load: %+v", res)
	}
	if _, err := lab.RunLoad(context.Background(), st, lab.LoadOptions{Site: "site-z"}); err == nil || !strings.Contains(err.Error(), "site-z") {
		t.Errorf("unknown site: %v", err)
	}
}

// TestFreshUpAndDown builds a second, throw-away lab from nothing, then takes
// it down and checks that every daemon it started is gone, by PID.
func TestFreshUpAndDown(t *testing.T) {
	labtest.Require(t) // the tools are installed
	if testing.Short() {
		t.Skip("builds a whole lab")
	}
	dir := t.TempDir()
	var log bytes.Buffer
	start := time.Now()
	st, err := lab.Up(context.Background(), lab.Options{Dir: dir, Log: &log})
	t.Cleanup(func() { lab.Down(dir, nil) })
	if err != nil {
		t.Fatalf("up: %v\n%s", err, log.String())
	}
	t.Logf("fresh lab up in %v", time.Since(start).Round(time.Millisecond))
	if time.Since(start) > 90*time.Second {
		t.Errorf("lab up took %v, over the 90s budget", time.Since(start))
	}
	var pids []int
	for _, s := range st.Sites {
		for _, p := range []int{s.PIDs.Mon, s.PIDs.Mgr, s.PIDs.OSD, s.PIDs.RBDMirror} {
			if p <= 0 {
				t.Fatalf("%s: missing pid in %+v", s.Name, s.PIDs)
			}
			pids = append(pids, p)
		}
	}
	if err := lab.Down(dir, nil); err != nil {
		t.Fatal(err)
	}
	for _, p := range pids {
		if _, err := os.Stat(fmt.Sprintf("/proc/%d", p)); err == nil {
			cmd, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", p))
			if bytes.Contains(cmd, []byte(dir)) {
				t.Errorf("pid %d still running after down: %s", p, bytes.ReplaceAll(cmd, []byte{0}, []byte{' '}))
			}
		}
	}
	if _, err := os.Stat(st.Sites[0].Conf); !os.IsNotExist(err) {
		t.Errorf("down left the lab's files: %v", err)
	}
	if _, err := lab.Load(dir); err == nil {
		t.Error("down left lab.json")
	}
	if err := lab.Down(dir, nil); err != nil {
		t.Errorf("down twice must be harmless: %v", err)
	}
}

// TestKeysArePrivate: every keyring of the lab is mode 0600, in
// directories only the owner can enter (issue 15 found them 0644 in 0755).
func TestKeysArePrivate(t *testing.T) {
	st := labtest.Require(t)
	check := func(path string, want os.FileMode) {
		t.Helper()
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode().Perm(); got != want {
			t.Errorf("%s: mode %04o, want %04o", path, got, want)
		}
	}
	check(st.Dir, 0o700)
	n := 0
	for _, s := range st.Sites {
		keys := filepath.Join(s.Dir, "keys")
		for _, d := range []string{s.Dir, keys, filepath.Join(s.Dir, "data")} {
			check(d, 0o700)
		}
		ents, err := os.ReadDir(keys)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range ents {
			check(filepath.Join(keys, e.Name()), 0o600)
			n++
		}
	}
	if n < 12 {
		t.Errorf("only %d keyrings checked", n)
	}
}
