package ui

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/rbdtui/rbdtui/internal/commands"
	"github.com/rbdtui/rbdtui/model"
	"github.com/rbdtui/rbdtui/ui/uitest"
)

// withCommands gives the console the test grammar, in which every command
// the actions use is declared.
func withCommands(c *Common) { c.Commands = testRegistry() }

// openSiteBPool opens site-b/rbd and returns with the cursor on it.
func openSiteBPool(h *harness) {
	h.t.Helper()
	h.press("j", "j", "j", "j", "j")
	if h.cursor() != "site-b/rbd" {
		h.t.Fatalf("cursor = %q, want site-b/rbd", h.cursor())
	}
	h.do(ActionExpand)
}

// gotoRow moves the cursor to the row with id, pressing down.
func gotoRow(h *harness, id string) {
	h.t.Helper()
	h.do(ActionTop)
	for range len(h.a.tree.rows) {
		if h.cursor() == id {
			return
		}
		h.do(ActionDown)
	}
	h.t.Fatalf("no row %q in %v", id, h.selectableIDs())
}

func execArgvs(f *uitest.Fixture) [][]string {
	var out [][]string
	for _, e := range f.Execs() {
		out = append(out, e.Argv)
	}
	return out
}

// sampleTargets returns a target of each kind, from the full lab.
func sampleTargets(t *testing.T) map[NodeKind]Target {
	h := newHarness(t, fullLab(), withCommands)
	h.init()
	h.press("j")
	h.do(ActionExpand) // site-a/rbd
	h.send(h.a.loadDetail("site-a", "rbd", "vol1", true)())
	h.send(h.a.loadJournal("site-a", "rbd", "vol1", true)())
	out := map[NodeKind]Target{}
	for _, id := range []string{"site-a/rbd", "site-a/rbd/vol1", "site-a/rbd/@app", "site-a/rbd/vol1#journal"} {
		tg, ok := h.a.targetOf(id)
		if !ok {
			t.Fatalf("no target for %s", id)
		}
		out[tg.Kind] = tg
	}
	return out
}

func defaults(spec *actionSpec, t Target) map[string]string {
	v := map[string]string{}
	for _, f := range spec.form {
		if f.def != nil {
			v[f.name] = f.def(t)
		}
	}
	return v
}

// TestActionArgvsAreValidGrammar checks every action's argv against the
// build's own registry; an action whose command this build does not have
// must say so instead.
func TestActionArgvsAreValidGrammar(t *testing.T) {
	targets := sampleTargets(t)
	fill := map[string]map[string]string{ // values a person would type
		"peer-add":     {"remote": "client.rbd-mirror-peer@site-b"},
		"peer-remove":  {"uuid": "4b0a1c2d-0000-4000-8000-000000000001"},
		"group-create": {"group": "app2"},
		"group-attach": {"group": "app"},
		"group-detach": {"group": "app"},
	}
	reg := commands.Registry()
	avail := func(c string) bool { return commands.Lookup(c) != nil }
	for _, spec := range actionSpecs() {
		t.Run(spec.action, func(t *testing.T) {
			tg := targets[spec.on[0]]
			v := defaults(spec, tg)
			for k, x := range fill[spec.action] {
				v[k] = x
			}
			argv := spec.argv(tg, v)
			if siteOf(argv) != tg.Site {
				t.Errorf("argv %q does not name its site", argv)
			}
			// The shapes the issue gives must parse in a grammar that
			// declares them.
			if _, err := testRegistry().Parse(argv); err != nil {
				t.Errorf("argv %q: %v", argv, err)
			}
			missing := slices.ContainsFunc(spec.cmds, func(c string) bool { return !avail(c) })
			if missing {
				why := spec.disabled(KeyContext{Targets: []Target{tg}, Available: avail})
				if why != "not available in this build" {
					t.Errorf("command missing from this build but the action says %q", why)
				}
				t.Logf("%s: not in this build yet (%v)", spec.action, spec.cmds)
				return
			}
			if _, err := reg.Parse(argv); err != nil {
				t.Errorf("argv %q is not valid in this build's grammar: %v", argv, err)
			}
		})
	}
}

func TestResyncNeedsTheNameTyped(t *testing.T) {
	f := fullLab()
	f.OnExec(func(argv []string) (model.ExecResult, error) {
		return model.ExecResult{RBD: "rbd mirror image resync rbd/vol1", Output: "resync requested"}, nil
	})
	h := newHarness(t, f, withCommands)
	h.init()
	openSiteBPool(h)
	gotoRow(h, "site-b/rbd/vol1")
	h.press("R")
	if h.a.overlay != overlayDialog {
		t.Fatal("R did not open a dialog")
	}
	h.wantView(`Type "vol1" to confirm`, "site-b$ rbd mirror image resync rbd/vol1")
	h.press("enter")
	h.wantView(`type "vol1" exactly`)
	h.typeText("vol")
	h.press("enter")
	if len(f.Execs()) != 0 || h.a.overlay != overlayDialog {
		t.Fatal("a partial name ran the resync")
	}
	h.typeText("1")
	before := f.Calls("Images", "site-b")
	h.press("enter")
	// --yes: the console's dialog was the confirmation the CLI asks for.
	want := [][]string{{"mirror", "image", "resync", "rbd/vol1", "--site", "site-b", "--yes"}}
	if got := execArgvs(f); !slices.EqualFunc(got, want, slices.Equal) {
		t.Fatalf("Exec argvs = %q, want %q", got, want)
	}
	h.wantView("✓ resync rbd/vol1 on site-b", "site-b$ rbd mirror image resync rbd/vol1", "ok ")
	if f.Calls("Images", "site-b") <= before {
		t.Error("the action was not followed by a refresh of the open pool")
	}
}

func TestConfirmDefaultsToCancel(t *testing.T) {
	f := fullLab()
	h := newHarness(t, f, withCommands)
	h.init()
	openSiteBPool(h)
	gotoRow(h, "site-b/rbd/vol1")
	h.press("P")
	h.wantView("▶ Cancel ◀", "Confirm")
	h.press("enter")
	if len(f.Execs()) != 0 || h.a.overlay != overlayNone {
		t.Fatal("enter on a fresh confirmation did not cancel")
	}
	h.wantView("cancelled: promote rbd/vol1 on site-b")

	h.press("P", "right")
	h.wantView("▶ Confirm ◀")
	h.press("enter")
	h.press("P", "y")
	want := []string{"mirror", "image", "promote", "rbd/vol1", "--site", "site-b", "--yes"}
	if got := execArgvs(f); len(got) != 2 || !slices.Equal(got[0], want) {
		t.Fatalf("Exec argvs = %q", got)
	}
	h.press("P", "esc")
	if len(f.Execs()) != 2 {
		t.Fatal("esc ran the action")
	}
}

func TestJournalingFormBuildsOptionsAndValidates(t *testing.T) {
	f := fullLab()
	// journaling-enable has no default key (J inspects the journal):
	// bind one, as a config may.
	km := DefaultKeyMap()
	if err := km.Rebind(map[string][]string{"journaling-enable": {"f2"}}); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, f, withCommands, func(c *Common) { c.Keys = km })
	h.init()
	openSiteBPool(h)
	gotoRow(h, "site-b/rbd/vol2")
	h.do("journaling-enable")
	h.wantView("Splay width", "Object size", "Journal pool", "▶ Run ◀"[:0])
	h.typeText("x")
	h.press("enter")
	h.wantView(`"x" is not a whole number`)
	if len(f.Execs()) != 0 {
		t.Fatal("an invalid form ran")
	}
	h.press("backspace")
	h.typeText("8")
	h.press("tab")
	h.typeText("16M")
	h.press("tab")
	h.typeText("ssd")
	h.press("enter")
	want := []string{"feature", "enable", "rbd/vol2", "journaling", "--journal-splay-width", "8",
		"--journal-object-size", "16M", "--journal-pool", "ssd", "--site", "site-b"}
	if got := execArgvs(f); len(got) != 1 || !slices.Equal(got[0], want) {
		t.Fatalf("Exec argvs = %q, want %q", got, want)
	}
}

func TestMirrorEnableFormChoosesMode(t *testing.T) {
	f := fullLab()
	h := newHarness(t, f, withCommands)
	h.init()
	h.press("j")
	h.do(ActionExpand)
	gotoRow(h, "site-a/rbd/scratch")
	h.press("e", "right", "enter")
	want := []string{"mirror", "image", "enable", "rbd/scratch", "snapshot", "--site", "site-a"}
	if got := execArgvs(f); len(got) != 1 || !slices.Equal(got[0], want) {
		t.Fatalf("Exec argvs = %q, want %q", got, want)
	}
}

func TestMarkedRowsActTogether(t *testing.T) {
	f := fullLab()
	h := newHarness(t, f, withCommands)
	h.init()
	openSiteBPool(h)
	gotoRow(h, "site-b/rbd/db-1")
	h.do(ActionMark) // db-1, cursor moves to vol1
	h.do(ActionDown)
	h.do(ActionMark) // vol2
	h.wantView("✓ ", "[2 marked]")
	h.press("R")
	h.wantView(`Type "2" to confirm`, "rbd/db-1", "rbd/vol2")
	h.typeText("2")
	h.press("enter")
	got := execArgvs(f)
	if len(got) != 2 || got[0][3] != "rbd/db-1" || got[1][3] != "rbd/vol2" {
		t.Fatalf("Exec argvs = %q", got)
	}
	h.do(ActionBack)
	if len(h.a.tree.marks) != 0 {
		t.Fatal("esc did not clear the marks")
	}
}

func TestActionChecksExplainWhy(t *testing.T) {
	h := newHarness(t, fullLab(), withCommands)
	h.init()
	h.press("j")
	h.do(ActionExpand)
	gotoRow(h, "site-a/rbd/vol1")
	h.press("R")
	h.wantView("vol1 is primary on site-a; resync the non-primary copy on the other site")
	if h.a.overlay != overlayNone {
		t.Fatal("a disabled action opened a dialog")
	}
	h.press("D") // demote applies: primary here
	if h.a.overlay != overlayDialog {
		t.Fatal("demote on a primary image did not ask for confirmation")
	}
	h.press("esc")
	gotoRow(h, "site-a/rbd")
	h.press("R")
	h.wantView("applies to image rows, not to a pool")
}

func TestSiteReadOnlyDisablesItsActions(t *testing.T) {
	f := fullLab()
	sites := f.Sites()
	sites[1].ReadOnly = true
	f.SetSites(sites...)
	h := newHarness(t, f, withCommands)
	h.init()
	openSiteBPool(h)
	gotoRow(h, "site-b/rbd/vol1")
	h.press("R")
	h.wantView("site-b is read-only")
	h.do(ActionPalette)
	h.typeText("mirror image resync rbd/vol1")
	h.press("enter")
	h.wantView("read-only: site-b is configured read-only")
	if len(f.Execs()) != 0 {
		t.Fatal("a read-only site ran an action")
	}
}

func TestReadOnlyHidesActionsEverywhere(t *testing.T) {
	f := fullLab()
	h := newHarness(t, f, withCommands, func(c *Common) { c.ReadOnly = true })
	h.init()
	openSiteBPool(h)
	gotoRow(h, "site-b/rbd/vol1")
	for _, spec := range actionSpecs() {
		if _, ok := h.a.c.Keys.Lookup(spec.action); ok {
			t.Errorf("read-only kept action %s", spec.action)
		}
	}
	h.press("R", "P", "D", "X", "F")
	if h.a.overlay != overlayNone {
		t.Fatal("a dangerous key did something in read-only mode")
	}
	h.press("?")
	h.wantNoView("resync", "promote")
	h.press("?")
	h.do(ActionMenu)
	h.wantView("read-only: no actions")
	h.do(ActionPalette)
	h.typeText("mirror image re")
	h.press("tab")
	if slices.Contains(h.a.palette.cands, "resync") || strings.Contains(h.a.palette.in.String(), "resync") {
		t.Fatalf("completion offered a dangerous command in read-only mode: %q", h.a.palette.in.String())
	}
	h.a.palette.in.set("mirror image resync rbd/vol1")
	h.press("enter")
	h.wantView("read-only: 'mirror image resync' changes the cluster")
	if len(f.Execs()) != 0 {
		t.Fatal("read-only ran a command")
	}
}

func TestActionNotInThisBuild(t *testing.T) {
	h := newHarness(t, fullLab()) // the build's own grammar
	h.init()
	openSiteBPool(h)
	gotoRow(h, "site-b/rbd/vol1")
	for _, spec := range actionSpecs() {
		b, _ := h.a.c.Keys.Lookup(spec.action)
		why := b.DisabledReason(h.a.keyContext())
		missing := slices.ContainsFunc(spec.cmds, func(c string) bool { return commands.Lookup(c) == nil })
		if missing && why != "not available in this build" {
			t.Errorf("%s: command missing, reason %q", spec.action, why)
		}
		if !missing && why == "not available in this build" {
			t.Errorf("%s: command present but disabled", spec.action)
		}
	}
}

func TestExecRunsOffTheUpdateLoop(t *testing.T) {
	f := fullLab()
	h := newHarness(t, f, withCommands)
	h.init()
	openSiteBPool(h)
	gotoRow(h, "site-b/rbd/vol1")
	h.press("P")
	_, cmd := h.a.Update(keyMsg("y"))
	if len(f.Execs()) != 0 {
		t.Fatal("Update called Exec itself; the screen would freeze")
	}
	if len(h.a.jobs) != 1 {
		t.Fatal("no job in flight")
	}
	h.wantView("promote rbd/vol1 on site-b…", "site-b$ rbd mirror image promote rbd/vol1", "running")
	h.run(cmd)
	if len(f.Execs()) != 1 || len(h.a.jobs) != 0 {
		t.Fatal("the job did not run to completion")
	}
}

func TestProgressShowsInLog(t *testing.T) {
	f := fullLab()
	f.SetProgress(model.Progress{Step: "copy", Done: 5, Total: 10, State: "syncing"})
	block := make(chan struct{})
	f.OnExec(func([]string) (model.ExecResult, error) { <-block; return model.ExecResult{}, nil })
	h := newHarness(t, f, withCommands)
	h.init()
	openSiteBPool(h)
	gotoRow(h, "site-b/rbd/vol1")
	h.press("P")
	_, cmd := h.a.Update(keyMsg("y"))
	// Run the batch by hand: the job's first message is its progress.
	var msgs []any
	for _, c := range flatten(cmd) {
		if m := c(); m != nil {
			msgs = append(msgs, m)
		}
	}
	var p jobProgressMsg
	for _, m := range msgs {
		if pm, ok := m.(jobProgressMsg); ok {
			p = pm
		}
	}
	if p.job == 0 {
		t.Fatalf("no progress message among %T", msgs)
	}
	_, next := h.a.Update(p)
	h.wantView("[##########..........]  50%", "copy")
	close(block)
	h.run(next)
	h.wantView("✓ promote rbd/vol1 on site-b")
}

func TestFailedActionIsReported(t *testing.T) {
	f := fullLab()
	f.OnExec(func([]string) (model.ExecResult, error) {
		return model.ExecResult{}, errors.New("EBUSY: the image is still primary on site-a; demote it there first")
	})
	h := newHarness(t, f, withCommands)
	h.init()
	openSiteBPool(h)
	gotoRow(h, "site-b/rbd/vol1")
	h.press("P", "y")
	h.wantView("✖ promote rbd/vol1 on site-b: EBUSY", "failed after")
	h.do(ActionOutput)
	h.wantView("error: EBUSY: the image is still primary on site-a")
}

func TestPaletteRunsGrammarCommands(t *testing.T) {
	f := fullLab()
	f.OnExec(func(argv []string) (model.ExecResult, error) {
		return model.ExecResult{Output: "vol1:\n  global_id: g-1a2b3c\n  state: up+replaying"}, nil
	})
	h := newHarness(t, f, withCommands)
	h.init()
	openSiteBPool(h)
	h.do(ActionPalette)
	h.typeText("mirror image status rbd/vol1")
	h.wantView(":mirror image status rbd/vol1", "mirror image status <image-spec>")
	h.press("enter")
	want := []string{"mirror", "image", "status", "rbd/vol1", "--site", "site-b"}
	if got := execArgvs(f); len(got) != 1 || !slices.Equal(got[0], want) {
		t.Fatalf("Exec argvs = %q, want %q", got, want)
	}
	if h.a.overlay != overlayOutput {
		t.Fatal("multi-line output not shown")
	}
	h.wantView("global_id: g-1a2b3c")
	h.press("esc")

	// History.
	h.do(ActionPalette)
	h.press("up")
	if got := h.a.palette.in.String(); got != "mirror image status rbd/vol1" {
		t.Fatalf("history: %q", got)
	}
	h.press("down")
	if got := h.a.palette.in.String(); got != "" {
		t.Fatalf("history down: %q", got)
	}

	// Errors keep the palette open; typing q there does not quit.
	h.typeText("mirror image bogus q")
	h.press("enter")
	if h.a.palette == nil || h.quit {
		t.Fatal("a bad command closed the palette or quit")
	}
	h.wantView(`✖ unknown command "mirror image bogus q"`)
	h.press("esc")

	// CLI-only commands are refused; an explicit --site is kept.
	h.do(ActionPalette)
	h.typeText("lab up")
	h.press("enter")
	h.wantView("runs from the shell only")
	h.press("esc")
	h.do(ActionPalette)
	h.typeText("mirror image status rbd/vol1 --site site-a")
	h.press("enter")
	if got := execArgvs(f); !slices.Equal(got[1], []string{"mirror", "image", "status", "rbd/vol1", "--site", "site-a"}) {
		t.Fatalf("explicit site: %q", got[1])
	}
}

func TestPaletteCompletes(t *testing.T) {
	h := newHarness(t, fullLab(), withCommands)
	h.init()
	openSiteBPool(h)
	h.do(ActionPalette)
	h.typeText("mir")
	h.press("tab")
	if got := h.a.palette.in.String(); got != "mirror " {
		t.Fatalf("mir⇥ = %q", got)
	}
	h.typeText("image res")
	h.press("tab")
	if got := h.a.palette.in.String(); got != "mirror image resync " {
		t.Fatalf("res⇥ = %q", got)
	}
	h.typeText("rbd/v")
	h.press("tab")
	if got := h.a.palette.in.String(); got != "mirror image resync rbd/vol" {
		t.Fatalf("rbd/v⇥ = %q", got)
	}
	h.wantView("rbd/vol1  rbd/vol2")
	h.typeText("1 --s")
	h.press("tab")
	if got := h.a.palette.in.String(); got != "mirror image resync rbd/vol1 --site " {
		t.Fatalf("--s⇥ = %q", got)
	}
	h.press("tab")
	h.wantView("site-a  site-b")
	// An irreversible command asks for the name, as its key does.
	h.typeText("site-b")
	h.press("enter")
	if h.a.overlay != overlayDialog {
		t.Fatal("a dangerous palette command ran without confirmation")
	}
	h.wantView(`Type "vol1" to confirm`)
	h.press("esc")
	// A reversible one asks yes/no, Cancel by default.
	h.do(ActionPalette)
	h.typeText("mirror image promote rbd/vol1")
	h.press("enter")
	h.wantView("▶ Cancel ◀")
	h.press("y")
	if got := execArgvs(h.f); len(got) != 1 || !slices.Equal(got[0], []string{"mirror", "image", "promote", "rbd/vol1", "--site", "site-b", "--yes"}) {
		t.Fatalf("Exec argvs = %q", got)
	}
}

func TestPaletteSplitsQuotes(t *testing.T) {
	got, err := splitArgs(`journal export rbd/vol1 "/tmp/a b" 'c d' e\ f`)
	if err != nil || !slices.Equal(got, []string{"journal", "export", "rbd/vol1", "/tmp/a b", "c d", "e f"}) {
		t.Fatalf("splitArgs = %q, %v", got, err)
	}
	if _, err := splitArgs(`a "b`); err == nil {
		t.Fatal("unterminated quote accepted")
	}
}

func TestActionsMenu(t *testing.T) {
	f := fullLab()
	h := newHarness(t, f, withCommands)
	h.init()
	h.press("j")
	h.do(ActionExpand)
	gotoRow(h, "site-a/rbd/@app")
	h.do(ActionMenu)
	h.wantView("Actions on site-a/rbd/@app", "group-checkpoint")
	h.press("enter")
	want := []string{"consistency-group", "checkpoint", "rbd/app", "--site", "site-a"}
	if got := execArgvs(f); len(got) != 1 || !slices.Equal(got[0], want) {
		t.Fatalf("Exec argvs = %q, want %q", got, want)
	}
}

func TestJournalClientDisconnectDefaultsToLaggingClient(t *testing.T) {
	f := fullLab()
	h := newHarness(t, f, withCommands)
	h.init()
	h.press("j")
	h.do(ActionExpand)
	gotoRow(h, "site-a/rbd/vol1")
	h.do(ActionExpand)
	h.do(ActionDown)
	if h.cursor() != "site-a/rbd/vol1#journal" {
		t.Fatalf("cursor = %q", h.cursor())
	}
	h.wantView("b7c1e2  connected  lag 42 entries")
	h.do(ActionMenu)
	for h.a.menu.items[h.a.menu.sel].Action != "client-disconnect" {
		h.press("down")
	}
	h.press("enter")
	h.wantView("◀ b7c1e2 ▶")
	h.press("enter", "y")
	// The journal is named by its id, which is the image's id.
	want := []string{"journal", "client", "disconnect", "rbd/1a2b3c", "--client-id", "b7c1e2", "--site", "site-a", "--yes"}
	if got := execArgvs(f); len(got) != 1 || !slices.Equal(got[0], want) {
		t.Fatalf("Exec argvs = %q, want %q", got, want)
	}
}
