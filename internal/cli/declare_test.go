package cli_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/rbdtui/rbdtui/internal/cli"
	"github.com/rbdtui/rbdtui/internal/commands"
	"github.com/rbdtui/rbdtui/internal/grammar"
)

// probeArgv is a command line for c that parses, naming the objects the
// lab tests create (rbd/ro-probe, rbd/ro-grp), with --force when force.
func probeArgv(c *grammar.Command, force bool, dir string) []string {
	argv := append([]string(nil), c.Path...)
	vals := map[string]string{
		"image-spec": "rbd/ro-probe", "pool-spec": "rbd", "pool": "rbd", "remote-pool-spec": "site-b/rbd",
		"remote-cluster-spec": "client.rbd-mirror-peer@remote", "uuid": "00000000-0000-0000-0000-000000000000",
		"key": "direction", "value": "rx-only", "token-path": dir + "/token", "mode": "journal",
		"group-spec": "rbd/ro-grp", "group-snap-spec": "rbd/ro-grp@ro-snap", "new-name": "ro-grp2", "dest-snap": "ro-snap2",
		"interval": "15m", "path": dir + "/journal.export", "features": "journaling", "dest-journal-spec": "rbd/ro-probe",
	}
	switch c.Name() {
	case "mirror pool enable":
		vals["mode"] = "image"
	case "journal import":
		argv = append(argv, "--dest", "ro-probe", "--dest-pool", "rbd")
		vals["dest-journal-spec"] = ""
	case "failover", "consistency-group failover":
		argv = append(argv, "--to", "site-b")
		if c.Name() == "failover" {
			argv = append(argv, "--pool", "rbd")
		}
	case "failover recover":
		argv = append(argv, "--stale", "site-a", "--pool", "rbd")
	case "mirror pool peer bootstrap create":
		argv = append(argv, "--site-name", "ro-renamed", "--output", dir+"/token.out")
	case "lab load":
		argv = append(argv, "--dir", dir, "--ops", "1")
	}
	for _, a := range c.Args {
		v, ok := vals[a.Name]
		if !ok {
			v = "x"
		}
		if strings.HasPrefix(a.Name, "journal-spec") || a.Name == "journal-spec" {
			argv = append(argv, "--pool", "rbd", "--image", "ro-probe")
			continue
		}
		if v != "" {
			argv = append(argv, v)
		}
	}
	if force {
		argv = append(argv, "--force")
	}
	return argv
}

func hasForce(c *grammar.Command) bool {
	for _, f := range c.Flags {
		if f.Name == "force" && f.Kind == grammar.Bool {
			return true
		}
	}
	return false
}

// TestEveryCommandParses keeps probeArgv honest: every command's probe
// line parses, so the walks below reach every command.
func TestEveryCommandParses(t *testing.T) {
	for _, c := range commands.Registry().Commands() {
		if _, err := commands.Registry().Parse(probeArgv(c, false, t.TempDir())); err != nil {
			t.Errorf("%s: %v", c.Name(), err)
		}
	}
}

// TestCLIConfirmsAsDeclared runs every command that changes something
// without a terminal and without --yes: those declared to need a
// confirmation are refused before anything runs (no configuration is
// even read), the others are not asked. With RBDTUI_ASSUME_YES=1 none is
// refused for want of a confirmation. On a terminal, answering no cancels
// the commands the guard asks for.
func TestCLIConfirmsAsDeclared(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("RBDTUI_CONFIG", dir+"/none.yaml") // nothing runs against a cluster
	t.Setenv("HOME", dir)
	n := 0
	for _, c := range commands.Registry().Commands() {
		if !c.Dangerous || c.Screen != "" {
			continue
		}
		for _, force := range []bool{false, true} {
			if force && !hasForce(c) {
				continue
			}
			argv := probeArgv(c, force, dir)
			inv, err := commands.Registry().Parse(argv)
			if err != nil {
				t.Fatal(err)
			}
			level := inv.ConfirmLevel()
			t.Setenv(cli.AssumeYesEnv, "")
			var o, e bytes.Buffer
			code := cli.New("test").Run(argv, strings.NewReader(""), &o, &e, false)
			asked := strings.Contains(e.String(), "needs confirmation")
			if level != grammar.ConfirmNone && (!asked || code != cli.ExitUsage) {
				t.Errorf("%q (declared %s): not refused without a terminal: exit %d %s", argv, level, code, e.String())
			}
			if level == grammar.ConfirmNone && asked {
				t.Errorf("%q (declared %s) asks for a confirmation: %s", argv, level, e.String())
			}
			if level != grammar.ConfirmNone && !strings.Contains(e.String(), "RBDTUI_ASSUME_YES=1") {
				t.Errorf("%q: the refusal does not name the switch: %s", argv, e.String())
			}
			t.Setenv(cli.AssumeYesEnv, "1")
			e.Reset()
			cli.New("test").Run(argv, strings.NewReader(""), &o, &e, false)
			if strings.Contains(e.String(), "needs confirmation") {
				t.Errorf("%q with %s=1 still asks: %s", argv, cli.AssumeYesEnv, e.String())
			}
			t.Setenv(cli.AssumeYesEnv, "")
			if level != grammar.ConfirmNone {
				e.Reset()
				code = cli.New("test").Run(argv, strings.NewReader("n\n"), &o, &e, true)
				if !strings.Contains(e.String(), "cancelled; nothing was changed") && !strings.Contains(e.String(), "file does not exist") {
					// (a handler that asks itself, after it has read the
					// cluster, gets no further than the configuration here)
					t.Errorf("%q on a terminal answered no: exit %d %s", argv, code, e.String())
				}
				if strings.Contains(e.String(), "[y/N]") != (level == grammar.ConfirmYes) && strings.Contains(e.String(), "cancelled") {
					t.Errorf("%q declared %s asked: %s", argv, level, e.String())
				}
			}
			n++
		}
	}
	if n < 40 {
		t.Fatalf("only %d changing commands walked", n)
	}
	t.Setenv(cli.AssumeYesEnv, "maybe")
	var o, e bytes.Buffer
	if code := cli.New("test").Run([]string{"version"}, strings.NewReader(""), &o, &e, false); code != cli.ExitUsage || !strings.Contains(e.String(), "RBDTUI_ASSUME_YES") {
		t.Errorf("RBDTUI_ASSUME_YES=maybe: exit %d %s", code, e.String())
	}
}

// TestDeclarations pins the confirmations issue 15 found disagreeing:
// journal reset and feature disable need the name typed on every route.
func TestDeclarations(t *testing.T) {
	for _, c := range []struct {
		argv []string
		want grammar.Confirm
	}{
		{[]string{"journal", "reset", "--pool", "rbd", "--image", "vol1"}, grammar.ConfirmTyped},
		{[]string{"feature", "disable", "rbd/vol1", "journaling"}, grammar.ConfirmTyped},
		{[]string{"mirror", "image", "promote", "rbd/vol1"}, grammar.ConfirmYes},
		{[]string{"mirror", "image", "promote", "rbd/vol1", "--force"}, grammar.ConfirmTyped},
		{[]string{"failover", "--to", "site-b", "--pool", "rbd", "--dry-run"}, grammar.ConfirmNone},
		{[]string{"mirror", "pool", "peer", "bootstrap", "create", "rbd", "--site-name", "x"}, grammar.ConfirmNone},
	} {
		inv, err := commands.Registry().Parse(c.argv)
		if err != nil {
			t.Fatal(err)
		}
		if got := inv.ConfirmLevel(); got != c.want {
			t.Errorf("%q: %s, want %s", c.argv, got, c.want)
		}
	}
	inv, _ := commands.Registry().Parse([]string{"mirror", "pool", "peer", "bootstrap", "create", "rbd"})
	if !inv.Changes() {
		t.Error("bootstrap create changes the site name and creates a cephx user, yet is not declared as changing")
	}
}
