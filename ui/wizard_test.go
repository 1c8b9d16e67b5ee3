package ui

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rbdtui/rbdtui/model"
	"github.com/rbdtui/rbdtui/ui/uitest"
)

// labPlan answers a failover request the way the engines plan the fixture
// lab: steps in their words, per image the phase and the last known lag,
// for a forced group the consistency point and what each member discards.
func labPlan(r model.FailoverRequest) (model.FailoverPlan, error) {
	p := model.FailoverPlan{Request: r, Kind: "planned", FromReachable: true}
	if r.Force {
		p.Kind = "forced"
	}
	if r.From == r.To {
		return p, fmt.Errorf("from and to are the same site (%s)", r.To)
	}
	if r.Scope == model.FailoverGroup {
		g := &model.GroupFailoverPlan{Group: r.Target, From: r.From, To: r.To, Forced: r.Force, Members: []string{"rbd/db-1", "rbd/vol1"}}
		if r.Force {
			pt := model.ConsistencyPoint{Name: "cp-0900", Key: "2_9e9e_1", Time: t0.Add(-30 * time.Minute), Members: 2}
			g.Point = &pt
			g.Rollback = []model.MemberRollback{
				{Image: "rbd/db-1", Snapshot: ".group.2_9e9e_1", SnapID: 11, Time: pt.Time, Age: 30 * time.Minute, ChangedBytes: 12 << 20, NewerPoints: 1},
				{Image: "rbd/vol1", Snapshot: ".group.2_9e9e_1", SnapID: 7, Time: pt.Time, Age: 30 * time.Minute, ChangedBytes: 256 << 10, NewerPoints: 1},
			}
			g.Steps = []string{"force-promote rbd/db-1 on " + r.To, "force-promote rbd/vol1 on " + r.To,
				"roll rbd/db-1 back to .group.2_9e9e_1 (30m0s old)", "roll rbd/vol1 back to .group.2_9e9e_1 (30m0s old)",
				"make sure group " + r.Target + " exists on " + r.To + " with every member"}
			g.Warnings = []string{"when " + r.From + " returns, its copies are split-brained: demote them there and resync them from " + r.To}
		} else {
			g.Steps = []string{"demote rbd/db-1 on " + r.From, "demote rbd/vol1 on " + r.From,
				"wait until every member on " + r.To + " has replayed up to its demotion",
				"promote rbd/db-1 on " + r.To, "promote rbd/vol1 on " + r.To, "make sure group " + r.Target + " exists on " + r.To + " with every member"}
		}
		p.Group, p.Steps = g, g.Steps
		return p, nil
	}
	if r.Force {
		p.Steps = []string{
			"force-promote every image on " + r.To + " (no demotion: " + r.From + " is lost or unreachable)",
			"data written on " + r.From + " after the last replayed entry or synced snapshot is lost (see lag)",
			"when " + r.From + " returns its copies are split-brain: recover them with `rbdtui failover recover --stale " + r.From + " --pool rbd`"}
	} else {
		p.Steps = []string{"demote every image on " + r.From, "wait until " + r.To + " has replayed each image up to its demotion",
			"promote every image on " + r.To + " (none before all are caught up)", "wait until " + r.From + " replays each image in the new direction"}
	}
	phase := "demote"
	if r.Force {
		phase = "force-promote"
	}
	images := []model.FailoverImagePlan{
		{Name: "db-1", Mode: "journal", Phase: phase, Lag: "42 journal entries behind (status 2s old)", EntriesBehind: ptr(int64(42)), StatusAgeSec: 2},
		{Name: "vol1", Mode: "journal", Phase: phase, Lag: "0 journal entries behind (status 2s old)", EntriesBehind: ptr(int64(0)), StatusAgeSec: 2},
		{Name: "vol2", Mode: "snapshot", Phase: phase, Lag: "initial sync only 45% done: the copy is inconsistent", StatusAgeSec: 1},
	}
	if r.Scope == model.FailoverImage {
		name := r.Target[strings.IndexByte(r.Target, '/')+1:]
		i := slices.IndexFunc(images, func(i model.FailoverImagePlan) bool { return i.Name == name })
		if i < 0 {
			images = []model.FailoverImagePlan{{Name: name, Phase: "refuse", Lag: "unknown (no status from the target's rbd-mirror)",
				Problem: "mirroring is not enabled on " + r.Target + " on " + r.To}}
		} else {
			images = images[i : i+1]
		}
	}
	p.Images = images
	for _, i := range images {
		if i.Problem != "" {
			p.Problems = append(p.Problems, i.Name+": "+i.Problem)
		}
	}
	return p, nil
}

func wizardLab() *uitest.Planner {
	p := uitest.WithPlanner(fullLab())
	p.OnPlan(labPlan)
	return p
}

// wizHarness is a harness over the wizard lab with the test grammar.
func wizHarness(t *testing.T, p *uitest.Planner, opts ...func(*Common)) *harness {
	t.Helper()
	all := append([]func(*Common){withCommands, func(c *Common) { c.Backend = p; c.Width, c.Height = 160, 48 }}, opts...)
	h := newHarness(t, p.Fixture, all...)
	h.init()
	return h
}

// openPoolA opens site-a/rbd and leaves the cursor on it.
func openPoolA(h *harness) {
	h.t.Helper()
	h.press("j")
	h.do(ActionExpand)
	if h.cursor() != "site-a/rbd" {
		h.t.Fatalf("cursor = %q, want site-a/rbd", h.cursor())
	}
}

func (h *harness) wizard() *wizard {
	h.t.Helper()
	w, ok := h.a.topScreen().(*wizard)
	if !ok {
		h.t.Fatalf("the wizard is not on top (top: %T)", h.a.topScreen())
	}
	return w
}

func TestWizardScopeFromCursorAndDirection(t *testing.T) {
	p := wizardLab()
	h := wizHarness(t, p)
	openPoolA(h)
	h.do(ActionFailover)
	w := h.wizard()
	if w.step != wizScope || w.scopeKind() != model.FailoverPool || w.cand().id != "rbd" {
		t.Fatalf("opened on step %d, scope %s", w.step, w.scopeText())
	}
	h.wantView("failover wizard · pool rbd", "▶ scope", "What fails over?", "▌ rbd", "site-a: mirroring image")
	// Every image of rbd is primary on site-a in the fixture: from site-a.
	if w.fromSite() != "site-a" || w.toSite() != "site-b" {
		t.Fatalf("direction %s -> %s, want site-a -> site-b", w.fromSite(), w.toSite())
	}
	// ←→ cycles the kind; the images of the open pool are offered.
	h.do(ActionWizardPrev)
	if w.scopeKind() != model.FailoverImage {
		t.Fatalf("kind %s after ←, want image", w.scopeKind())
	}
	h.wantView("rbd/db-1", "rbd/scratch", "site-a: not mirrored")
	h.do(ActionWizardChoice)

	h.do(ActionWizardNext)
	if w.step != wizDirection {
		t.Fatalf("enter: step %d, want direction", w.step)
	}
	h.wantView("✓ scope", "▶ direction", "from (current primary)", "◀ site-a ▶", "◀ site-b ▶", "◀ planned ▶", "Nothing is lost")
	// Planned or forced is the third field.
	h.do(ActionDown)
	h.do(ActionDown)
	h.do(ActionWizardChoice)
	if !w.force {
		t.Fatal("→ on the kind field did not choose forced")
	}
	h.wantView("◀ forced ▶", "▲ forced: site-a is lost or unreachable")
	// to = site-a as well: said at once, and again by the plan step.
	h.do(ActionUp)
	h.do(ActionWizardChoice)
	h.wantView("✖ from and to are the same site")
	h.do(ActionWizardNext)
	if len(p.Requests()) != 0 {
		t.Fatalf("a plan was asked for from == to: %v", p.Requests())
	}
	h.wantView("✖ Run is not offered:", "from and to are the same site (site-a)")
	h.do(ActionWizardNext)
	if w.step != wizPlan {
		t.Fatal("enter went past a plan that cannot run")
	}
	h.wantView("cannot run: from and to are the same site")
	h.do(ActionWizardRun)
	if len(h.f.Execs()) != 0 {
		t.Fatalf("ran something: %v", execArgvs(h.f))
	}
	// Back twice and esc closes the wizard from the first step.
	h.do(ActionWizardBack)
	h.do(ActionWizardBack)
	if w.step != wizScope {
		t.Fatalf("back twice: step %d", w.step)
	}
	h.press("esc")
	if h.a.topScreen() != nil {
		t.Fatal("esc on the first step did not close the wizard")
	}
}

func TestWizardPlannedPoolRunsThroughTheGrammarAndEndsInTheWatch(t *testing.T) {
	p := wizardLab()
	h := wizHarness(t, p)
	openPoolA(h)
	h.do(ActionFailover)
	w := h.wizard()
	h.do(ActionWizardNext) // direction
	h.do(ActionWizardNext) // plan
	if got := p.Requests(); len(got) != 1 || got[0] != (model.FailoverRequest{Scope: "pool", Target: "rbd", From: "site-a", To: "site-b"}) {
		t.Fatalf("plan requests %+v", got)
	}
	h.wantView("planned failover of pool rbd: site-a → site-b",
		"dry run: rbdtui failover --pool rbd --from site-a --to site-b --dry-run",
		"1. demote every image on site-a", "4. wait until site-a replays each image in the new direction",
		"Images (3)", "db-1", "42 journal entries behind", "✓ the plan has no problems")

	h.do(ActionWizardNext)
	if w.step != wizConfirm {
		t.Fatalf("step %d, want confirm", w.step)
	}
	h.wantView("$ rbdtui failover --pool rbd --from site-a --to site-b --yes",
		"rbd: rbd mirror image demote (on --from); rbd mirror image promote (on --to)", "▶ Cancel ◀")
	// Cancel is the default: enter goes back to the plan, nothing runs.
	h.do(ActionWizardNext)
	if w.step != wizPlan || len(h.f.Execs()) != 0 {
		t.Fatalf("enter on Cancel: step %d, execs %v", w.step, execArgvs(h.f))
	}
	h.do(ActionWizardNext)

	h.f.SetProgress(
		model.Progress{Step: "demote", Object: "vol1", Site: "site-a", State: "non-primary"},
		model.Progress{Step: "promote", Object: "vol1", Site: "site-b", State: "primary"},
		model.Progress{Step: "done", Message: "3 images primary on site-b, replaying on site-a"})
	h.do(ActionWizardRun)
	want := []string{"failover", "--pool", "rbd", "--from", "site-a", "--to", "site-b", "--yes"}
	if got := execArgvs(h.f); len(got) != 1 || !slices.Equal(got[0], want) {
		t.Fatalf("Exec argvs %q, want [%q]", got, want)
	}
	// The job ended well: the wizard made way for the watch of the pool.
	top := h.a.topScreen()
	if top == nil || top.Name() != ScopeWatch || !strings.Contains(top.Title(), "rbd") || len(h.a.screens) != 1 {
		t.Fatalf("after the run the top screen is %T %v (screens %d), want the watch of rbd", top, top, len(h.a.screens))
	}
	// The command log has the command and its rbd equivalent.
	h.wantView("rbd mirror image demote (on --from)", "✓ failover pool rbd to site-b")
}

func TestWizardForcedPoolShowsLagAndNeedsTheNameTyped(t *testing.T) {
	p := wizardLab()
	p.Fail("site-a", errors.New("rados_connect timed out after 10s"))
	h := wizHarness(t, p)
	gotoRow(h, "site-b/rbd") // site-a is unreachable
	h.do(ActionExpand)
	h.do(ActionFailover)
	w := h.wizard()
	h.do(ActionWizardNext)
	// The store says site-a does not answer: a planned failover is refused.
	h.wantView("✖ site-a does not answer: a planned failover cannot demote it", "if it is lost, choose forced")
	h.do(ActionWizardNext)
	h.wantView("✖ Run is not offered:", "site site-a (the current primary) does not answer", "run a forced failover (--force)")
	h.do(ActionWizardNext)
	if w.step != wizPlan {
		t.Fatal("a planned failover from an unreachable site was offered")
	}
	h.do(ActionWizardBack)
	w.field = 2
	h.do(ActionWizardChoice)
	h.do(ActionWizardNext)
	h.wantView("▲ FORCED failover of pool rbd: site-a → site-b", "▲ site-a does not answer: rados_connect timed out",
		"▲ site-a is not demoted: writes it did not replicate to site-b are lost",
		"what each one risks (the last known lag of its copy on site-b)", "force-promote", "42 journal entries behind",
		"initial sync only 45% done")
	h.do(ActionWizardNext)
	h.wantView(`Type "rbd" to confirm:`, "$ rbdtui failover --pool rbd --from site-a --to site-b --force --yes")
	// Typed keys go to the field, y and q included; a wrong name runs nothing.
	h.typeText("rb")
	h.press("y", "q", "enter")
	if h.quit || len(h.f.Execs()) != 0 {
		t.Fatalf("quit=%v execs=%v", h.quit, execArgvs(h.f))
	}
	h.wantView(`type "rbd" exactly to confirm`)
	h.press("backspace", "backspace", "d", "enter")
	want := []string{"failover", "--pool", "rbd", "--from", "site-a", "--to", "site-b", "--force", "--yes"}
	if got := execArgvs(h.f); len(got) != 1 || !slices.Equal(got[0], want) {
		t.Fatalf("Exec argvs %q, want [%q]", got, want)
	}
}

func TestWizardForcedGroupShowsTheConsistencyPointAndDiscards(t *testing.T) {
	p := wizardLab()
	h := wizHarness(t, p)
	openPoolA(h)
	h.press("j")
	if h.cursor() != "site-a/rbd/@app" {
		t.Fatalf("cursor %s", h.cursor())
	}
	h.do(ActionFailover)
	w := h.wizard()
	if w.scopeText() != "group rbd/app" || w.fromSite() != "site-a" {
		t.Fatalf("scope %s from %s", w.scopeText(), w.fromSite())
	}
	h.do(ActionWizardNext)
	w.field = 2
	h.do(ActionWizardChoice)
	h.do(ActionWizardNext)
	h.wantView("FORCED failover of group rbd/app", "--group rbd/app --from site-a --to site-b --force --dry-run",
		"every member is rolled back to consistency point cp-0900, taken 2025-03-14 09:00:00 UTC (30m ago)",
		"MEMBER", "DISCARDED", "rbd/db-1", "12 MiB", "256 KiB", "split-brained")
	h.do(ActionWizardNext)
	h.wantView(`Type "app" to confirm:`)
	h.typeText("app")
	h.press("enter")
	want := []string{"failover", "--group", "rbd/app", "--from", "site-a", "--to", "site-b", "--force", "--yes"}
	if got := execArgvs(h.f); len(got) != 1 || !slices.Equal(got[0], want) {
		t.Fatalf("Exec argvs %q, want [%q]", got, want)
	}
	if top := h.a.topScreen(); top == nil || top.Name() != ScopeWatch || !strings.Contains(top.Title(), "rbd/app") {
		t.Fatalf("top screen %T, want the watch of the group", top)
	}
}

func TestWizardBadInputsOfferNoRun(t *testing.T) {
	t.Run("not mirrored", func(t *testing.T) {
		p := wizardLab()
		h := wizHarness(t, p)
		openPoolA(h)
		gotoRow(h, "site-a/rbd/scratch")
		h.do(ActionFailover)
		w := h.wizard()
		if w.scopeText() != "image rbd/scratch" {
			t.Fatalf("scope %s", w.scopeText())
		}
		h.do(ActionWizardNext)
		h.do(ActionWizardNext)
		h.wantView("✖ scratch", "REFUSED: mirroring is not enabled on rbd/scratch on site-b", "✖ Run is not offered:", "a run would refuse")
		h.do(ActionWizardNext)
		h.do(ActionWizardRun)
		if w.step != wizPlan || len(h.f.Execs()) != 0 {
			t.Fatalf("step %d execs %v", w.step, execArgvs(h.f))
		}
	})
	t.Run("no scope", func(t *testing.T) {
		p := uitest.WithPlanner(lab()) // no images, no groups
		p.OnPlan(labPlan)
		h := wizHarness(t, p)
		h.do(ActionFailover) // on site-a: no scope under the cursor
		w := h.wizard()
		h.do(ActionWizardChoice) // consistency group
		h.wantView("◀ consistency group ▶", "▲ no consistency group is known to the console")
		h.do(ActionWizardNext)
		h.do(ActionWizardNext)
		h.wantView("✖ Run is not offered:", "no consistency group is chosen")
		if len(p.Requests()) != 0 {
			t.Fatalf("planned without a scope: %v", p.Requests())
		}
		h.do(ActionWizardNext)
		if w.step != wizPlan {
			t.Fatal("went on without a scope")
		}
	})
	t.Run("backend without a planner", func(t *testing.T) {
		h := newHarness(t, fullLab(), withCommands, func(c *Common) { c.Width, c.Height = 160, 48 })
		h.init()
		openPoolA(h)
		h.do(ActionFailover)
		h.do(ActionWizardNext)
		h.do(ActionWizardNext)
		h.wantView("Run is not offered:", "cannot plan a failover", "--dry-run")
	})
}

func TestWizardFailedStepOffersResumeAndAbort(t *testing.T) {
	p := wizardLab()
	h := wizHarness(t, p)
	openPoolA(h)
	h.do(ActionFailover)
	w := h.wizard()
	h.do(ActionWizardNext)
	h.do(ActionWizardNext)
	h.do(ActionWizardNext)
	h.f.SetProgress(
		model.Progress{Step: "demote", Object: "vol1", Site: "site-a", State: "non-primary"},
		model.Progress{Step: "demote", Object: "db-1", Site: "site-a", State: "non-primary"},
		model.Progress{Step: "wait-replayed", Object: "db-1", Site: "site-b", State: "up+replaying 42 entries behind", Done: 1, Total: 3, Elapsed: 3 * time.Minute})
	stepErr := `failover site-a -> site-b stopped at step "wait-replayed": timed out after 3m0s on site-b waiting for: db-1 (up+replaying 42 entries behind)
the images are left as the step found them; run the same command again to resume from here`
	h.f.OnExec(func([]string) (model.ExecResult, error) { return model.ExecResult{}, errors.New(stepErr) })
	h.do(ActionWizardRun)
	if w.step != wizFailed || h.a.topScreen() != w {
		t.Fatalf("step %d top %T", w.step, h.a.topScreen())
	}
	h.wantView("✖ Failed: rbdtui failover --pool rbd", "✓ 1. demote every image on site-a",
		"✖ 2. wait until site-b has replayed", "· 3. promote every image on site-b", "[###.......] 1/3",
		"db-1", "up+replaying 42 entries behind", `stopped at step "wait-replayed"`, "Failover is resumable")
	// esc does not leave a half-done failover behind by accident.
	h.press("esc")
	if h.a.topScreen() != w {
		t.Fatal("esc closed the wizard over a failed failover")
	}
	h.wantView("R resumes it, A aborts")

	// Resume runs the same command again; this time it completes.
	h.f.OnExec(nil)
	h.f.SetProgress(model.Progress{Step: "promote", Object: "db-1", Site: "site-b", State: "primary"}, model.Progress{Step: "done"})
	h.do(ActionWizardResume)
	argvs := execArgvs(h.f)
	if len(argvs) != 2 || !slices.Equal(argvs[0], argvs[1]) {
		t.Fatalf("resume ran %q", argvs)
	}
	if top := h.a.topScreen(); top == nil || top.Name() != ScopeWatch {
		t.Fatalf("after the resumed run the top is %T", top)
	}

	// Abort, on another failed run, closes the wizard and says how to resume.
	h2 := wizHarness(t, wizardLab())
	openPoolA(h2)
	h2.do(ActionFailover)
	h2.do(ActionWizardNext)
	h2.do(ActionWizardNext)
	h2.do(ActionWizardNext)
	h2.f.OnExec(func([]string) (model.ExecResult, error) { return model.ExecResult{}, errors.New(stepErr) })
	h2.do(ActionWizardRun)
	h2.do(ActionWizardAbort)
	if h2.a.topScreen() != nil {
		t.Fatalf("abort left %T on top", h2.a.topScreen())
	}
	if !strings.Contains(h2.a.flash.text, "resume later with: rbdtui failover --pool rbd --from site-a --to site-b --yes") {
		t.Fatalf("flash %q", h2.a.flash.text)
	}
}

func TestWizardProgressPerStepAndImage(t *testing.T) {
	p := wizardLab()
	h := wizHarness(t, p)
	openPoolA(h)
	h.do(ActionFailover)
	w := h.wizard()
	h.do(ActionWizardNext)
	h.do(ActionWizardNext)
	h.do(ActionWizardNext)
	// Drive a run by hand: the job's messages as the App hands them on.
	w.argv = confirmed([][]string{failoverArgv(w.req, "")})[0]
	w.step, w.jobID, w.phases, w.objs, w.attempt = wizRunning, 77, runPhases(w.req), map[string]*wizObj{}, 1
	w.started = h.clock.Now()
	h.clock.Advance(4 * time.Second)
	for _, ev := range []model.Progress{
		{Step: "demote", Object: "vol1", Site: "site-a"},
		{Step: "demote", Object: "vol1", Site: "site-a", State: "non-primary"},
		{Step: "demote", Object: "db-1", Site: "site-a", State: "non-primary"},
		{Step: "wait-replayed", Object: "vol1", Site: "site-b", State: "up+unknown remote image is not primary", Done: 0, Total: 3, Elapsed: 4 * time.Second},
		{Step: "wait-replayed", Object: "db-1", Site: "site-b", State: `up+replaying replaying, {"bytes_per_second":0.0,"entries_behind_primary":7,"entries_per_second":0.0}`, Done: 1, Total: 3},
	} {
		w.Update(jobProgressMsg{job: 77, p: ev})
	}
	w.Update(jobProgressMsg{job: 78, p: model.Progress{Step: "promote", Object: "other"}}) // another job's
	if w.phase != 1 || w.objs["other"] != nil {
		t.Fatalf("phase %d objs %v", w.phase, w.objs)
	}
	h.wantView("Running: rbdtui failover --pool rbd --from site-a --to site-b --yes", "4.0s",
		"✓ 1. demote every image on site-a", "▶ 2. wait until site-b has replayed each image up to its demotion  [###.......] 1/3",
		"· 3. promote every image on site-b", "✓ vol1", "wait-replayed", "up+unknown remote image is not primary",
		"· db-1", "up+replaying replaying, 7 entries behind")
	// Keys that would leave or change things are refused while it runs.
	h.press("esc")
	h.do(ActionWizardRun)
	if h.a.topScreen() != w || w.step != wizRunning || len(h.f.Execs()) != 0 {
		t.Fatalf("top %T step %d execs %v", h.a.topScreen(), w.step, execArgvs(h.f))
	}
}

func TestWizardStalePlanIsDropped(t *testing.T) {
	p := wizardLab()
	h := wizHarness(t, p)
	openPoolA(h)
	h.do(ActionFailover)
	w := h.wizard()
	h.do(ActionWizardNext)
	// An answer for an older request lands after the operator moved on.
	w.step = wizPlan
	w.planSeq = 5
	w.planning = true
	w.Update(wizPlanMsg{w: w, seq: 4, err: errors.New("old answer")})
	if !w.planning || w.why != "" {
		t.Fatalf("a stale plan landed: planning=%v why=%q", w.planning, w.why)
	}
	w.Update(wizPlanMsg{w: w, seq: 5, err: errors.New("current answer")})
	if w.planning || w.why != "current answer" {
		t.Fatalf("the current plan did not land: planning=%v why=%q", w.planning, w.why)
	}
}

func TestWizardFromThePaletteAndReadOnly(t *testing.T) {
	p := wizardLab()
	h := wizHarness(t, p)
	openPoolA(h)
	h.do(ActionPalette)
	h.typeText("failover --to site-a --force --step-timeout 5m")
	h.press("enter")
	w := h.wizard()
	// site-a is the target, so the scope's primary is not "from".
	if w.toSite() != "site-a" || w.fromSite() != "site-b" || !w.force || w.scopeText() != "pool rbd" {
		t.Fatalf("prefill: %s -> %s force=%v scope %s", w.fromSite(), w.toSite(), w.force, w.scopeText())
	}
	h.do(ActionWizardNext)
	h.do(ActionWizardNext)
	h.wantView("--pool rbd --from site-b --to site-a --force --step-timeout 5m --dry-run")

	// With a scope, `:failover` is the command itself (its own confirmation).
	h2 := wizHarness(t, wizardLab())
	openPoolA(h2)
	h2.do(ActionPalette)
	h2.typeText("failover --pool rbd --to site-b")
	h2.press("enter")
	if h2.a.topScreen() != nil || h2.a.overlay != overlayDialog {
		t.Fatalf("top %T overlay %d", h2.a.topScreen(), h2.a.overlay)
	}

	// Read-only: F is absent, and :failover is refused like every
	// dangerous command.
	ro := wizHarness(t, wizardLab(), func(c *Common) { c.ReadOnly = true })
	openPoolA(ro)
	ro.press("F")
	if ro.a.topScreen() != nil {
		t.Fatal("F opened the wizard in read-only mode")
	}
	ro.do(ActionPalette)
	ro.typeText("failover --to site-b")
	ro.press("enter")
	if ro.a.topScreen() != nil || ro.a.palette == nil || !strings.Contains(ro.a.palette.msg, "read-only: 'failover' changes the cluster") {
		t.Fatalf("read-only :failover: top %T palette %+v", ro.a.topScreen(), ro.a.palette)
	}
	for _, b := range ro.a.c.Keys.Bindings() {
		if b.Action == ActionWizardRun || b.Action == ActionWizardResume || b.Action == ActionFailover {
			t.Errorf("read-only keeps %s", b.Action)
		}
	}
}

// A stuck rbd-mirror's lock is broken while members or images are
// force-promoted, so "broke lock" belongs to the first phase of every
// forced run, groups included (it used to come with the group's rollback).
func TestWizardBrokeLockIsPartOfForcePromote(t *testing.T) {
	for _, r := range []model.FailoverRequest{
		{Scope: model.FailoverPool, Force: true, From: "site-a", To: "site-b"},
		{Scope: model.FailoverGroup, Force: true, From: "site-a", To: "site-b"},
	} {
		n := len(runPhases(r))
		if got, want := phaseOf(r, "broke lock", n), phaseOf(r, "force-promote", n); got != want {
			t.Errorf("%v: broke lock in phase %d, force-promote in phase %d", r.Scope, got, want)
		}
	}
}

// The wizard reads the scope from the sites when it opens and right before
// the dry run, not from the console's store: rbd/vol1 was failed over to
// site-b from the shell, the store still says site-a, and the wizard's
// default is the failback site-b -> site-a. The direction that changes
// nothing, chosen by hand, is said and offers no Run.
func TestWizardPlansFromTheSitesNotTheStore(t *testing.T) {
	p := uitest.WithScopeReader(wizardLab())
	h := newHarness(t, p.Fixture, withCommands, func(c *Common) { c.Backend = p; c.Width, c.Height = 160, 48 })
	h.init()
	openPoolA(h)
	// Behind the console's back: vol1 is now primary on site-b.
	f := p.Fixture
	vol1a := model.Image{Site: "site-a", Pool: "rbd", Name: "vol1", ID: "1a2b3c", MirrorMode: model.ModeJournal, MirrorState: model.MirrorEnabled}
	vol1b := vol1a
	vol1b.Site, vol1b.Primary = "site-b", true
	f.SetImages("site-a", "rbd", vol1a)
	f.SetImages("site-b", "rbd", vol1b)

	h.do(ActionFailover)
	w := h.wizard()
	h.do(ActionWizardPrev) // kind: image
	for i := 0; i < 10 && w.cand().id != "rbd/vol1"; i++ {
		h.do(ActionDown)
	}
	if w.cand().id != "rbd/vol1" {
		t.Fatalf("scope %s, want rbd/vol1", w.scopeText())
	}
	if w.fromSite() != "site-b" || w.toSite() != "site-a" {
		t.Fatalf("default direction %s -> %s, want site-b -> site-a (the sites say vol1 is primary on site-b)", w.fromSite(), w.toSite())
	}
	h.wantView("rbd/vol1", "site-a: non-primary · site-b: primary")
	h.do(ActionWizardNext)
	h.wantView("now: site-a: non-primary · site-b: primary (read from the sites")
	reads := p.Reads()
	h.do(ActionWizardNext)
	if p.Reads() <= reads {
		t.Fatal("the dry run was not preceded by a fresh read of the sites")
	}
	reqs := p.Requests()
	if got := reqs[len(reqs)-1]; got.From != "site-b" || got.To != "site-a" {
		t.Fatalf("planned %s -> %s, want site-b -> site-a", got.From, got.To)
	}
	h.wantView("✓ the plan has no problems")

	// By hand: site-a -> site-b, which changes nothing.
	h.do(ActionWizardBack)
	h.do(ActionWizardChoice) // from: site-b -> site-a
	h.do(ActionDown)
	h.do(ActionWizardChoice) // to: site-a -> site-b
	if w.fromSite() != "site-a" || w.toSite() != "site-b" {
		t.Fatalf("direction by hand %s -> %s", w.fromSite(), w.toSite())
	}
	h.wantView("▲ rbd/vol1 is already primary on site-b: nothing to do")
	h.do(ActionWizardNext)
	h.wantView("▲ Run is not offered: this direction changes nothing", "rbd/vol1 is already primary on site-b: nothing to do")
	h.wantNoView("✓ the plan has no problems")
	h.do(ActionWizardNext)
	if w.step != wizPlan {
		t.Fatalf("enter went past a plan that changes nothing (step %d)", w.step)
	}
	h.do(ActionWizardRun)
	if len(f.Execs()) != 0 {
		t.Fatalf("ran something: %v", execArgvs(f))
	}
	for _, e := range h.a.log {
		t.Errorf("the command log has %+v", e)
	}
}

// A run that found nothing to do (the sites changed between the plan and
// the run) is not a completed failover: the wizard says so on its plan
// step, the flash and the command log say "nothing changed", never ✓.
func TestWizardRunThatChangedNothingIsNotDone(t *testing.T) {
	p := wizardLab()
	h := wizHarness(t, p)
	openPoolA(h)
	h.do(ActionFailover)
	w := h.wizard()
	h.do(ActionWizardNext)
	h.do(ActionWizardNext)
	h.do(ActionWizardNext)
	h.f.OnExec(func(argv []string) (model.ExecResult, error) {
		msg := "every image of pool rbd is already primary on site-b: nothing to do"
		return model.ExecResult{Output: msg, NoOp: msg}, nil
	})
	h.do(ActionWizardRun)
	if len(h.f.Execs()) != 1 {
		t.Fatalf("execs %v", execArgvs(h.f))
	}
	if top := h.a.topScreen(); top != w || w.step != wizPlan {
		t.Fatalf("after a no-op run: top %T, step %d; want the wizard's plan step", top, w.step)
	}
	h.wantView("▲ Run is not offered: this direction changes nothing", "already primary on site-b: nothing to do", "= ", "nothing changed")
	h.wantNoView("✓ failover pool rbd")
}

// The engine may refuse a no-op instead ("already primary on site-b:
// nothing to do" as an error): still no failure to resume, nothing done.
func TestWizardRunRefusedAsNoopIsNotAFailure(t *testing.T) {
	p := wizardLab()
	h := wizHarness(t, p)
	openPoolA(h)
	h.do(ActionFailover)
	w := h.wizard()
	h.do(ActionWizardNext)
	h.do(ActionWizardNext)
	h.do(ActionWizardNext)
	h.f.OnExec(func(argv []string) (model.ExecResult, error) {
		return model.ExecResult{}, &model.NothingToDo{Msg: "every image of pool rbd is already primary on site-b: nothing to do"}
	})
	h.do(ActionWizardRun)
	if w.step != wizPlan {
		t.Fatalf("after a refused no-op: step %d, want the plan step", w.step)
	}
	h.wantView("▲ Run is not offered: this direction changes nothing", "nothing changed")
	h.wantNoView("✖ Failed", "✓ failover pool rbd")
}
