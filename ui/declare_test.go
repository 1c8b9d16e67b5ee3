package ui

import (
	"strings"
	"testing"

	"github.com/rbdtui/rbdtui/internal/commands"
	"github.com/rbdtui/rbdtui/internal/grammar"
	"github.com/rbdtui/rbdtui/model"
)

// probeLine is a palette line for c that parses, on the fixture's objects.
func probeLine(c *grammar.Command) string {
	vals := map[string]string{"image-spec": "rbd/vol1", "pool-spec": "rbd", "pool": "rbd", "remote-pool-spec": "site-b/rbd",
		"remote-cluster-spec": "client.peer@remote", "uuid": "u1", "key": "direction", "value": "rx-only", "token-path": "/tmp/token",
		"mode": "journal", "group-spec": "rbd/app", "group-snap-spec": "rbd/app@cp-0900", "new-name": "app2", "dest-snap": "s2",
		"interval": "15m", "path": "/tmp/j.export", "features": "journaling", "dest-journal-spec": "rbd/1a2b3c", "journal-spec": "rbd/1a2b3c"}
	words := append([]string(nil), c.Path...)
	switch c.Name() {
	case "failover", "consistency-group failover":
		words = append(words, "--to", "site-b")
		if c.Name() == "failover" {
			words = append(words, "--pool", "rbd")
		}
	case "failover recover":
		words = append(words, "--stale", "site-a", "--pool", "rbd")
	}
	for _, a := range c.Args {
		if v, ok := vals[a.Name]; ok {
			words = append(words, v)
		} else if !a.Optional {
			words = append(words, "x")
		}
	}
	return strings.Join(words, " ")
}

// changing lists every command of the real registry that changes
// something and can be typed in the palette, with and without --force.
func changing(t *testing.T) []string {
	var lines []string
	for _, c := range commands.Registry().Commands() {
		if !c.Dangerous || c.CLIOnly || c.Screen != "" {
			continue
		}
		lines = append(lines, probeLine(c))
		for _, f := range c.Flags {
			if f.Name == "force" {
				lines = append(lines, probeLine(c)+" --force")
			}
		}
	}
	if len(lines) < 40 {
		t.Fatalf("only %d changing commands", len(lines))
	}
	return lines
}

// TestPaletteConfirmsAsDeclared types every changing command of the real
// registry in the palette: it asks exactly as the command declares (the
// declaration the CLI reads too): nothing, yes/no with Cancel first, or
// the word the CLI asks to be typed.
func TestPaletteConfirmsAsDeclared(t *testing.T) {
	for _, line := range changing(t) {
		f := fullLab()
		h := newHarness(t, f, func(c *Common) { c.Commands = commands.Registry(); c.Refresh = 30e9 })
		h.init()
		h.press(":")
		h.typeText(line)
		h.press("enter")
		inv, err := commands.Registry().Parse(strings.Fields(line))
		if err != nil {
			t.Fatal(err)
		}
		level := inv.ConfirmLevel()
		switch {
		case level == grammar.ConfirmNone:
			if h.a.overlay == overlayDialog || len(f.Execs()) != 1 {
				t.Errorf(":%s (declared %s): dialog %v, %d execs", line, level, h.a.overlay == overlayDialog, len(f.Execs()))
			}
		case h.a.overlay != overlayDialog || h.a.dialog == nil:
			t.Errorf(":%s (declared %s): no confirmation (%d execs)", line, level, len(f.Execs()))
		default:
			d := h.a.dialog
			if d.level != level || len(f.Execs()) != 0 {
				t.Errorf(":%s: asks %s, declared %s", line, d.level, level)
			}
			if level == grammar.ConfirmTyped && d.want != inv.ConfirmWord() {
				t.Errorf(":%s: asks for %q to be typed, the CLI for %q", line, d.want, inv.ConfirmWord())
			}
			if level == grammar.ConfirmYes && d.focus != 1 {
				t.Errorf(":%s: the yes/no question does not default to Cancel", line)
			}
		}
	}
}

// TestReadOnlyConsoleRefusesEveryChangingCommand: in the read-only
// console (ui.readonly or --readonly) and on a site configured read-only,
// no changing command typed in the palette reaches the backend, and the
// refusal says read-only.
func TestReadOnlyConsoleRefusesEveryChangingCommand(t *testing.T) {
	for _, route := range []string{"console", "site"} {
		for _, line := range changing(t) {
			f := fullLab()
			if route == "site" {
				f.SetSites(
					model.Site{Name: "site-a", Conf: "/etc/ceph/site-a.conf", ReadOnly: true},
					model.Site{Name: "site-b", Conf: "/etc/ceph/site-b.conf", ReadOnly: true},
				)
			}
			h := newHarness(t, f, func(c *Common) { c.Commands = commands.Registry(); c.Refresh = 30e9; c.ReadOnly = route == "console" })
			h.init()
			h.press(":")
			h.typeText(line + " --yes")
			h.press("enter")
			if len(f.Execs()) != 0 || h.a.overlay == overlayDialog {
				t.Errorf("%s read-only: :%s ran (%d execs)", route, line, len(f.Execs()))
			}
			if v := h.view(); !strings.Contains(v, "read-only") {
				t.Errorf("%s read-only: :%s: no read-only refusal on screen:\n%s", route, line, v)
			}
		}
	}
	// A dry run changes nothing, so read-only keeps it.
	f := fullLab()
	h := newHarness(t, f, func(c *Common) { c.Commands = commands.Registry(); c.Refresh = 30e9; c.ReadOnly = true })
	h.init()
	h.press(":")
	h.typeText("failover --to site-b --pool rbd --dry-run")
	h.press("enter")
	if len(f.Execs()) != 1 {
		t.Errorf("read-only: a failover dry run was refused")
	}
}

// TestActionMenuConfirmsAsDeclared opens every action of the menu on an
// image, a pool and a journal, and checks that its dialog asks as the
// command it runs declares (as the CLI and the palette do).
func TestActionMenuConfirmsAsDeclared(t *testing.T) {
	checked := 0
	rows := []string{"site-a/rbd/vol1", "site-a/rbd/db-1", "site-a/rbd/scratch", "site-a/rbd/vol2", "site-b/rbd/vol1", "site-b/rbd/db-1",
		"site-a/rbd", "site-a/rbd/vol1#journal", "site-a/rbd/@app"}
	for _, row := range rows {
		for _, spec := range actionSpecs() {
			f := fullLab()
			h := newHarness(t, f, func(c *Common) { c.Commands = commands.Registry(); c.Refresh = 30e9 })
			h.init()
			h.press("j", "enter")
			gotoRow(h, "site-b/rbd")
			h.press("enter")
			gotoRow(h, "site-a/rbd/vol1")
			h.press("enter")
			gotoRow(h, row)
			ctx := h.a.keyContext()
			if spec.disabled(ctx) != "" {
				continue
			}
			h.run(h.a.beginAction(spec, ctx))
			d := h.a.dialog
			if d != nil && d.stage == stageForm {
				h.run(h.a.submitForm(d))
				d = h.a.dialog
			}
			argvs := execArgvs(f)
			if d != nil && d.stage == stageConfirm {
				argvs = d.argvs
			}
			if len(argvs) == 0 {
				continue
			}
			inv, err := commands.Registry().Parse(argvs[0])
			if err != nil {
				t.Fatalf("%s: %v", spec.action, err)
			}
			want := inv.ConfirmLevel()
			got := confirmNone
			if d != nil && d.stage == stageConfirm {
				got = d.level
				if got == confirmTyped && d.want != inv.ConfirmWord() {
					t.Errorf("%s on %s: asks for %q, the CLI for %q", spec.action, row, d.want, inv.ConfirmWord())
				}
			}
			if got != want {
				t.Errorf("%s on %s (%q): the menu asks %s, the command declares %s", spec.action, row, argvs[0], got, want)
			}
			checked++
		}
	}
	t.Logf("%d actions checked against their declarations", checked)
	if checked < 20 {
		t.Fatalf("only %d actions checked", checked)
	}
}
