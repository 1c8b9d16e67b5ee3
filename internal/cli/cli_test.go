package cli_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rbdtui/rbdtui/internal/cli"
	"github.com/rbdtui/rbdtui/internal/lab"
	"github.com/rbdtui/rbdtui/internal/labtest"
)

func run(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var o, e bytes.Buffer
	code = cli.New("test").Run(args, strings.NewReader(""), &o, &e, false)
	return code, o.String(), e.String()
}

func TestHelpAndUsageErrors(t *testing.T) {
	code, out, _ := run(t, "help")
	if code != 0 || !strings.Contains(out, "lab up") || !strings.Contains(out, "--config <file>") {
		t.Errorf("help: %d %s", code, out)
	}
	code, out, _ = run(t, "lab", "up", "--help")
	if code != 0 || !strings.Contains(out, "usage: rbdtui lab up [--dir <path>]") {
		t.Errorf("lab up --help: %d %s", code, out)
	}
	code, out, _ = run(t, "help", "sites")
	if code != 0 || !strings.Contains(out, "usage: rbdtui sites") {
		t.Errorf("help sites: %d %s", code, out)
	}
	code, _, errOut := run(t, "lab", "upp")
	if code != cli.ExitUsage || !strings.Contains(errOut, `unknown command "lab upp"`) || !strings.Contains(errOut, "lab up") {
		t.Errorf("typo: %d %s", code, errOut)
	}
	code, _, errOut = run(t, "sites", "--format", "xml")
	if code != cli.ExitUsage || !strings.Contains(errOut, `"xml" is not one of plain, json`) {
		t.Errorf("bad format: %d %s", code, errOut)
	}
}

// Without a terminal, `rbdtui` alone must not draw anything: it says how to
// run a one-shot command instead.
func TestNoTerminal(t *testing.T) {
	code, out, errOut := run(t)
	if code != cli.ExitUsage || out != "" || !strings.Contains(errOut, "needs a terminal") || !strings.Contains(errOut, "rbdtui sites") {
		t.Errorf("no terminal: %d %q %q", code, out, errOut)
	}
}

// The console's screens are commands too (`rbdtui watch rbd`); they open
// the console, so they need a terminal just as `rbdtui` does.
func TestScreenCommandsNeedATerminal(t *testing.T) {
	for _, argv := range [][]string{{"watch", "rbd"}, {"watch", "group", "rbd/app"}, {"inspect", "rbd/vol1"}} {
		code, out, errOut := run(t, argv...)
		if code != cli.ExitUsage || out != "" || !strings.Contains(errOut, "needs a terminal") {
			t.Errorf("%v without a terminal: %d %q %q", argv, code, out, errOut)
		}
	}
	for _, argv := range [][]string{{"inspect"}, {"inspect", "rbd/"}, {"watch", "a/b/c/d"}, {"watch", "image", "rbd/x@snap"}} {
		code, _, errOut := run(t, argv...)
		if code != cli.ExitUsage || strings.Contains(errOut, "terminal") {
			t.Errorf("%v: want a usage error about the spec, got %d %q", argv, code, errOut)
		}
	}
}

func TestConfigErrors(t *testing.T) {
	dir := t.TempDir()
	conf := filepath.Join(dir, "ceph.conf")
	os.WriteFile(conf, []byte("[global]\n"), 0o644)
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(bad, []byte("sites:\n  - name: east\n    conf: "+conf+"\n    secret: x\n"), 0o600)
	code, out, errOut := run(t, "--config", bad, "sites")
	if code != cli.ExitUsage || out != "" || !strings.Contains(errOut, `unknown key "secret"`) || !strings.Contains(errOut, bad) {
		t.Errorf("unknown key: %d %q", code, errOut)
	}
	code, _, errOut = run(t, "--config", filepath.Join(dir, "none.yaml"), "sites")
	if code != cli.ExitUsage || !strings.Contains(errOut, "does not exist") {
		t.Errorf("missing config: %d %q", code, errOut)
	}
	t.Setenv("RBDTUI_CONFIG", bad)
	code, _, errOut = run(t, "sites")
	if code != cli.ExitUsage || !strings.Contains(errOut, bad) {
		t.Errorf("RBDTUI_CONFIG not used: %d %q", code, errOut)
	}
	code, _, errOut = run(t, "--id", "admin", "sites")
	if code != cli.ExitUsage || !strings.Contains(errOut, "need -c/--conf") {
		t.Errorf("--id without --conf: %d %q", code, errOut)
	}
	code, _, errOut = run(t, "-c", filepath.Join(dir, "nope.conf"), "sites")
	if code != cli.ExitUsage || !strings.Contains(errOut, "nope.conf") || !strings.Contains(errOut, "no such file") {
		t.Errorf("ad-hoc conf missing: %d %q", code, errOut)
	}
}

func TestSitesOnLab(t *testing.T) {
	st := labtest.Require(t)
	code, out, errOut := run(t, "--config", st.ConfigPath(), "sites")
	if code != 0 {
		t.Fatalf("sites: %d %s", code, errOut)
	}
	for _, w := range []string{"site-a", "site-b", "HEALTH_OK", "client.rbdtui"} {
		if !strings.Contains(out, w) {
			t.Errorf("plain output lacks %q:\n%s", w, out)
		}
	}
	code, out, _ = run(t, "--config", st.ConfigPath(), "sites", "--format", "json")
	var res struct {
		Sites []struct {
			Name          string `json:"name"`
			Reachable     bool   `json:"reachable"`
			Health        string `json:"health"`
			MirrorDaemons int    `json:"rbd_mirror_daemons"`
		} `json:"sites"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil || code != 0 {
		t.Fatalf("json: %v %q", err, out)
	}
	if len(res.Sites) != 2 || !res.Sites[0].Reachable || res.Sites[1].Health != "HEALTH_OK" || res.Sites[0].MirrorDaemons != 1 {
		t.Errorf("json: %+v", res)
	}
	// Ad-hoc site with the usual Ceph options.
	a := st.Site(lab.SiteA)
	code, out, errOut = run(t, "-c", a.Conf, "--id", "rbdtui", "--keyring", a.Keyring(lab.ConsoleUser), "sites")
	if code != 0 || !strings.Contains(out, "ceph ") || !strings.Contains(out, "HEALTH_OK") {
		t.Errorf("ad-hoc: %d %s %s", code, out, errOut)
	}
	code, _, errOut = run(t, "--config", st.ConfigPath(), "--site", "site-z", "sites")
	if code != cli.ExitUsage || !strings.Contains(errOut, `unknown site "site-z"`) {
		t.Errorf("unknown --site: %d %s", code, errOut)
	}
}

// A configuration with one good and one unreachable site lists both, names
// the bad one and why, and exits non-zero within the timeout.
func TestSitesWithUnreachableSite(t *testing.T) {
	st := labtest.Require(t)
	a := st.Site(lab.SiteA)
	dir := t.TempDir()
	deadConf := filepath.Join(dir, "dead.conf")
	os.WriteFile(deadConf, []byte("[global]\nmon host = [v2:127.0.0.1:9]\n"), 0o644)
	cfg := filepath.Join(dir, "c.yaml")
	os.WriteFile(cfg, []byte("timeout: 2s\nsites:\n  - {name: good, conf: "+a.Conf+", client: rbdtui, keyring: "+a.Keyring(lab.ConsoleUser)+"}\n  - {name: dead, conf: "+deadConf+", client: rbdtui, keyring: "+a.Keyring(lab.ConsoleUser)+"}\n"), 0o600)
	start := time.Now()
	code, out, errOut := run(t, "--config", cfg, "sites")
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %v with a 2s timeout", d)
	}
	if code != cli.ExitFail || !strings.Contains(out, "good") || !strings.Contains(out, "NO") {
		t.Errorf("exit %d, output:\n%s", code, out)
	}
	if !strings.Contains(errOut, "site dead") || !strings.Contains(errOut, "no monitor answered within 2s") {
		t.Errorf("stderr: %s", errOut)
	}
}

func TestLabStatusCommand(t *testing.T) {
	st := labtest.Require(t)
	code, out, errOut := run(t, "lab", "status", "--dir", st.Dir, "--format", "json")
	if code != 0 {
		t.Fatalf("%d %s", code, errOut)
	}
	if !strings.HasPrefix(out, `{"sites":[{"name":"site-a","conf":`) || !strings.Contains(out, `"client":"client.admin","health":"HEALTH_OK","pids":{"mon":`) {
		t.Errorf("lab status json: %s", out)
	}
	code, _, errOut = run(t, "lab", "status", "--dir", t.TempDir())
	if code == 0 || !strings.Contains(errOut, "no lab in") {
		t.Errorf("status of no lab: %d %s", code, errOut)
	}
}

func TestEveryCommandHasAHandler(t *testing.T) {
	if missing := cli.New("test").Unhandled(); len(missing) > 0 {
		t.Fatalf("declared commands without a handler: %v", missing)
	}
}

// Read-only mode refuses every dangerous command before it touches a site,
// whichever area declared it.
func TestReadOnlyRefusesDangerousCommands(t *testing.T) {
	dir := t.TempDir()
	conf := filepath.Join(dir, "ceph.conf")
	os.WriteFile(conf, []byte("[global]\nmon host = [v2:127.0.0.1:9]\n"), 0o644)
	cfg := filepath.Join(dir, "c.yaml")
	os.WriteFile(cfg, []byte("timeout: 1s\nsites:\n  - {name: a, conf: "+conf+"}\n  - {name: b, conf: "+conf+"}\n"), 0o600)
	for _, args := range [][]string{
		{"consistency-group", "create", "rbd/g"},
		{"failover", "--to", "b", "--group", "rbd/g"},
		{"mirror", "image", "demote", "rbd/x"},
	} {
		code, _, errOut := run(t, append([]string{"--config", cfg, "--readonly"}, args...)...)
		if code != cli.ExitUsage || !strings.Contains(errOut, "read-only") {
			t.Errorf("%v: exit %d %q, want a read-only refusal", args, code, errOut)
		}
	}
}
