package ui

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/rbdtui/rbdtui/model"
	"github.com/rbdtui/rbdtui/ui/uitest"
)

// TestEveryHelpKeyDoesWhatItSays presses every key of every binding the
// help overlay lists, in a state where the binding is enabled, and checks
// the effect its help text promises. A new binding without a case here
// fails the test.
func TestEveryHelpKeyDoesWhatItSays(t *testing.T) {
	type keyCase struct {
		setup func(h *harness)
		check func(h *harness) string // "" when the key did its job
	}
	at := func(id string) func(h *harness) {
		return func(h *harness) {
			h.press("j")
			h.do(ActionExpand) // site-a/rbd
			h.press("j", "j", "j", "j")
			openSiteBPool(h)
			gotoRow(h, "site-a/rbd/vol1")
			h.do(ActionExpand) // its journal
			gotoRow(h, id)
		}
	}
	onWatch := func(h *harness) {
		at("site-a/rbd")(h)
		h.do(ActionWatch)
	}
	asks := func(h *harness) string {
		if h.a.overlay == overlayDialog || len(h.f.Execs()) > 0 {
			return ""
		}
		return "neither opened a dialog nor ran a command (flash: " + h.a.flash.text + ")"
	}
	cursorIs := func(id string) func(h *harness) string {
		return func(h *harness) string {
			if h.cursor() != id {
				return "cursor on " + h.cursor() + ", want " + id
			}
			return ""
		}
	}
	// The inspector's keys are pressed on the inspector, open on vol1.
	onInspector := func(then func(h *harness)) func(h *harness) {
		return func(h *harness) {
			h.f.SetInspectJournal(uitest.InspectJournal{Header: inspectHeader(), Scan: inspectScan()})
			h.run(h.a.openInspector("site-a", model.ImageSpec{Pool: "rbd", Image: "vol1"}))
			if then != nil {
				then(h)
			}
		}
	}
	inspStepIs := func(want inspStep) func(h *harness) string {
		return func(h *harness) string {
			if s, ok := h.a.topScreen().(*inspector); !ok || s.step != want {
				return "not on step " + stepTitles[want]
			}
			return ""
		}
	}
	cases := map[string]keyCase{
		ActionUp:       {func(h *harness) { h.press("j") }, cursorIs("site-a")},
		ActionDown:     {nil, cursorIs("site-a/rbd")},
		ActionTop:      {func(h *harness) { h.press("G") }, cursorIs("site-a")},
		ActionBottom:   {nil, cursorIs("site-b/vms")},
		ActionPageUp:   {func(h *harness) { h.press("G") }, cursorIs("site-a")},
		ActionPageDown: {nil, cursorIs("site-b/vms")},
		ActionExpand: {func(h *harness) { h.press("j") }, func(h *harness) string {
			if !h.a.tree.expanded("site-a/rbd") {
				return "pool not opened"
			}
			return ""
		}},
		ActionCollapse: {nil, func(h *harness) string {
			if h.a.tree.expanded("site-a") {
				return "site not collapsed"
			}
			return ""
		}},
		ActionBack: {func(h *harness) { h.do(ActionFilter); h.typeText("vol"); h.press("enter") }, func(h *harness) string {
			if h.a.tree.filter != "" {
				return "filter not cleared"
			}
			return ""
		}},
		ActionFilter: {nil, func(h *harness) string {
			if h.a.filterIn == nil {
				return "filter input not open"
			}
			return ""
		}},
		ActionMark: {nil, func(h *harness) string {
			if !h.a.tree.marks["site-a"] {
				return "row not marked"
			}
			return ""
		}},
		ActionPalette: {nil, func(h *harness) string {
			if h.a.palette == nil {
				return "palette not open"
			}
			return ""
		}},
		ActionMenu: {at("site-b/rbd/vol1"), func(h *harness) string {
			if h.a.overlay != overlayMenu {
				return "menu not open"
			}
			return ""
		}},
		ActionLog: {nil, func(h *harness) string {
			if h.a.showLog {
				return "log still shown"
			}
			return ""
		}},
		ActionOutput: {func(h *harness) { h.a.output = outputView{title: "x", lines: []string{"a", "b"}} }, func(h *harness) string {
			if h.a.overlay != overlayOutput {
				return "output not shown"
			}
			return ""
		}},
		ActionRefresh: {nil, func(h *harness) string {
			if h.f.Calls("SiteStatus", "site-a") != 2 {
				return "no refresh"
			}
			return ""
		}},
		ActionHelp: {nil, func(h *harness) string {
			if h.a.overlay != overlayHelp {
				return "help not open"
			}
			return ""
		}},
		ActionQuit: {nil, func(h *harness) string {
			if !h.quit {
				return "did not quit"
			}
			return ""
		}},
		ActionWatch: {at("site-a/rbd"), func(h *harness) string {
			if w, ok := h.a.topScreen().(*watch); !ok || w.scope.Pool != "rbd" {
				return "the watch of rbd did not open (flash: " + h.a.flash.text + ")"
			}
			return ""
		}},
		ActionWatchSort: {onWatch, func(h *harness) string {
			if w := h.a.topScreen().(*watch); w.sortBy != sortByLag {
				return "not sorted by lag"
			}
			return ""
		}},
		ActionWatchPause: {onWatch, func(h *harness) string {
			if w := h.a.topScreen().(*watch); !w.paused {
				return "not paused"
			}
			return ""
		}},
		ActionWatchFocus: {onWatch, func(h *harness) string {
			if w := h.a.topScreen().(*watch); !w.onTimel {
				return "the timeline does not have the cursor"
			}
			return ""
		}},
		ActionWatchFaults: {onWatch, func(h *harness) string {
			if w := h.a.topScreen().(*watch); !w.faults {
				return "not showing faults only"
			}
			return ""
		}},
		ActionFailover: {at("site-a/rbd"), func(h *harness) string {
			if w, ok := h.a.topScreen().(*wizard); !ok || w.scopeText() != "pool rbd" {
				return "the wizard did not open on pool rbd"
			}
			return ""
		}},
		// The failover wizard's own keys, each on the step it belongs to.
		ActionWizardNext: {wizardAt(0), wizStepIs(wizDirection)},
		ActionWizardBack: {wizardAt(1), wizStepIs(wizScope)},
		ActionWizardChoice: {wizardAt(0), func(h *harness) string {
			if k := h.a.topScreen().(*wizard).scopeKind(); k != "group" {
				return "kind is " + k + ", want group (after pool)"
			}
			return ""
		}},
		ActionWizardPrev: {wizardAt(0), func(h *harness) string {
			if k := h.a.topScreen().(*wizard).scopeKind(); k != "image" {
				return "kind is " + k + ", want image (before pool)"
			}
			return ""
		}},
		ActionWizardRun: {wizardAt(3), func(h *harness) string {
			if got := execArgvs(h.f); len(got) != 1 || strings.Join(got[0], " ") != "failover --pool rbd --from site-a --to site-b --yes" {
				return fmt.Sprintf("ran %q", got)
			}
			return ""
		}},
		ActionWizardResume: {wizardFailed, func(h *harness) string {
			if len(h.f.Execs()) != 2 || h.a.screenName() != ScopeWatch {
				return fmt.Sprintf("%d runs, top screen %q; want the same command again, then the watch", len(h.f.Execs()), h.a.screenName())
			}
			return ""
		}},
		ActionWizardAbort: {wizardFailed, func(h *harness) string {
			if h.a.topScreen() != nil || !strings.Contains(h.a.flash.text, "failover aborted") {
				return "the wizard is still open, or the flash does not say it was aborted"
			}
			return ""
		}},
		ActionInspect: {at("site-a/rbd/vol1#journal"), func(h *harness) string {
			if s, ok := h.a.topScreen().(*inspector); !ok || s.spec.Image != "vol1" {
				return "the inspector did not open on vol1 (flash: " + h.a.flash.text + ")"
			}
			return ""
		}},
		ActionInspectNext: {onInspector(nil), inspStepIs(stepClients)},
		ActionInspectPrev: {onInspector(nil), inspStepIs(stepTransfer)},
		ActionInspectFilter: {onInspector(nil), func(h *harness) string {
			if s := ins(h); s.step != stepEntries || s.filter != 1 {
				return "no type filter on the entries"
			}
			return ""
		}},
		ActionInspectDetail: {onInspector(func(h *harness) { h.do(ActionInspectFilter) }), func(h *harness) string {
			if s := ins(h); !s.showDetail || s.detail == nil {
				return "no entry detail"
			}
			return ""
		}},
		ActionInspectExport: {onInspector(nil), func(h *harness) string {
			if s := ins(h); s.form == nil || s.form.importing {
				return "no export form"
			}
			return ""
		}},
		ActionInspectImport: {onInspector(nil), func(h *harness) string {
			if s := ins(h); s.form == nil || !s.form.importing {
				return "no import form"
			}
			return ""
		}},
		"promote":            {at("site-b/rbd/vol1"), asks},
		"force-promote":      {at("site-b/rbd/vol1"), asks},
		"demote":             {at("site-a/rbd/vol1"), asks},
		"resync":             {at("site-b/rbd/vol1"), asks},
		"mirror-enable":      {at("site-a/rbd/scratch"), asks},
		"mirror-disable":     {at("site-b/rbd/vol1"), asks},
		"journaling-enable":  {at("site-a/rbd/db-1"), asks},
		"journaling-disable": {at("site-b/rbd/vol2"), asks},
		"pool-mode":          {at("site-a/rbd"), asks},
		"peer-add":           {at("site-a/rbd"), asks},
		"peer-remove":        {at("site-a/rbd"), asks},
		"group-create":       {at("site-a/rbd"), asks},
		"group-attach":       {at("site-a/rbd/db-1"), asks},
		"group-detach":       {at("site-a/rbd/vol1"), asks},
		"group-checkpoint":   {at("site-a/rbd/@app"), asks},
		"journal-export":     {at("site-a/rbd/vol1#journal"), asks},
		"journal-import":     {at("site-a/rbd/vol1#journal"), asks},
		"journal-reset":      {at("site-a/rbd/vol1#journal"), asks},
		"client-disconnect":  {at("site-a/rbd/vol1#journal"), asks},
	}

	// Actions without a default key get one, so they are pressed too.
	km := DefaultKeyMap()
	spare := []string{"f1", "f2", "f3", "f4", "f5", "f6", "f7", "f8", "f9", "f10", "f11", "f12"}
	remap := map[string][]string{}
	for _, b := range km.Bindings() {
		if len(b.Keys) == 0 {
			remap[b.Action], spare = []string{spare[0]}, spare[1:]
		}
	}
	if err := km.Rebind(remap); err != nil {
		t.Fatal(err)
	}

	// Each screen's help lists its own bindings; openers reach them.
	openers := map[string]func(h *harness){"": func(*harness) {}, ScopeWatch: onWatch, ScopeInspector: onInspector(nil), ScopeWizard: wizardAt(0)}
	helpViews := map[string]string{}
	helpOf := func(scope string) string {
		if v, ok := helpViews[scope]; ok {
			return v
		}
		open, ok := openers[scope]
		if !ok {
			t.Errorf("no opener for screen %q in this test", scope)
			return ""
		}
		help := newHarness(t, fullLab(), withCommands, func(c *Common) { c.Keys = km; c.Width, c.Height = 250, 80 })
		help.init()
		open(help)
		help.do(ActionHelp)
		helpViews[scope] = help.view()
		return helpViews[scope]
	}

	for _, b := range km.Bindings() {
		tc, ok := cases[b.Action]
		if !ok {
			t.Errorf("binding %q has no case in this test", b.Action)
			continue
		}
		if !strings.Contains(helpOf(b.Scope), b.Help) {
			t.Errorf("help does not list %q", b.Help)
		}
		for _, k := range b.Keys {
			t.Run(b.Action+"/"+k, func(t *testing.T) {
				p := wizardLab()
				h := newHarness(t, p.Fixture, withCommands, func(c *Common) { c.Keys = km; c.Backend = p })
				h.init()
				if tc.setup != nil {
					tc.setup(h)
				}
				if why := b.DisabledReason(h.a.keyContext()); why != "" {
					t.Fatalf("set-up left %s disabled: %s", b.Action, why)
				}
				h.press(k)
				if msg := tc.check(h); msg != "" {
					t.Errorf("%s (%s: %q): %s", k, b.Action, b.Help, msg)
				}
			})
		}
	}
}

// wizardAt opens the failover wizard on site-a/rbd and goes n steps on
// (1 direction, 2 plan, 3 confirmation).
func wizardAt(n int) func(h *harness) {
	return func(h *harness) {
		h.t.Helper()
		openPoolA(h)
		h.do(ActionFailover)
		for range n {
			h.do(ActionWizardNext)
		}
		if n == 3 {
			h.a.topScreen().(*wizard).okFocus = false // Cancel stays the default
		}
	}
}

// wizardFailed leaves the wizard on a failed run of site-a/rbd's failover.
func wizardFailed(h *harness) {
	h.t.Helper()
	wizardAt(3)(h)
	h.f.OnExec(func([]string) (model.ExecResult, error) {
		return model.ExecResult{}, errors.New("stopped at step \"promote\"")
	})
	h.do(ActionWizardRun)
	h.f.OnExec(nil)
	if w, ok := h.a.topScreen().(*wizard); !ok || w.step != wizFailed {
		h.t.Fatal("the run did not fail")
	}
}

func wizStepIs(want wizStep) func(h *harness) string {
	return func(h *harness) string {
		w, ok := h.a.topScreen().(*wizard)
		if !ok {
			return fmt.Sprintf("the wizard is not on top (%T)", h.a.topScreen())
		}
		if w.step != want {
			return fmt.Sprintf("step %d, want %d", w.step, want)
		}
		return ""
	}
}
