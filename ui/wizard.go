package ui

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/rbdtui/rbdtui/internal/grammar"
	"github.com/rbdtui/rbdtui/model"
)

// The failover wizard (`F`, or `:failover` without a scope): choose the
// scope, the direction and planned or forced; read the engine's dry run
// (steps, images, what a forced failover loses); confirm (the name typed
// for a forced one); run it as a job of the one grammar (`failover ...
// --yes` through Backend.Exec, so the command log shows it with its rbd
// equivalent) with per-step, per-image progress; and end in the live
// watch of the same scope. A failed run says what happened and offers to
// resume (failover is resumable: running it again continues) or abort.
//
// The wizard takes what it offers from the App's store when it opens, so
// it never reads the store from its own messages; the plan comes from the
// backend's optional model.FailoverPlanner.

// Actions of the wizard's own bindings (Scope: ScopeWizard).
const (
	ActionWizardNext   = "wizard-next"
	ActionWizardBack   = "wizard-back"
	ActionWizardChoice = "wizard-choice"
	ActionWizardPrev   = "wizard-choice-back"
	ActionWizardRun    = "wizard-run"
	ActionWizardResume = "wizard-resume"
	ActionWizardAbort  = "wizard-abort"
)

// wizardBindings are the wizard's own key bindings. None is on the hint
// line: the wizard's own key line shows those of the step it is on.
func wizardBindings() []Binding {
	return []Binding{
		{Action: ActionWizardNext, Keys: []string{"enter"}, Help: "wizard: next step (scope → direction → plan → confirm)", Scope: ScopeWizard},
		{Action: ActionWizardBack, Keys: []string{"b", "backspace"}, Help: "wizard: previous step (esc too; on the first step it closes the wizard)", Scope: ScopeWizard},
		{Action: ActionWizardChoice, Keys: []string{"right", "l", "space"}, Help: "wizard: next choice of the focused field (scope kind, site, planned/forced)", Scope: ScopeWizard},
		{Action: ActionWizardPrev, Keys: []string{"left", "h"}, Help: "wizard: previous choice of the focused field", Scope: ScopeWizard},
		{Action: ActionWizardRun, Keys: []string{"y"}, Help: "wizard: run the failover (on the confirmation step; a forced one needs its name typed)", Dangerous: true, Scope: ScopeWizard},
		{Action: ActionWizardResume, Keys: []string{"R"}, Help: "wizard: resume a failed failover (running it again continues where it stopped)", Dangerous: true, Scope: ScopeWizard},
		{Action: ActionWizardAbort, Keys: []string{"A"}, Help: "wizard: abort a failed failover (the images stay as the failed step left them)", Scope: ScopeWizard},
	}
}

// wizStep is where the wizard is.
type wizStep int

const (
	wizScope wizStep = iota
	wizDirection
	wizPlan
	wizConfirm
	wizRunning
	wizFailed
)

var wizStepNames = []string{"scope", "direction", "plan", "confirm", "run"}

// The kinds of scope, in the order ←/→ cycles them.
var wizKinds = []string{model.FailoverImage, model.FailoverPool, model.FailoverGroup}

func wizKindLabel(k string) string {
	if k == model.FailoverGroup {
		return "consistency group"
	}
	return k
}

// wizCand is one thing the wizard can fail over, as the store knew it.
type wizCand struct {
	id      string // "pool", "pool/image" or "pool/group"
	note    string // what the console knows of it, per site
	primary string // the site it is primary on ("" when unknown)
	// secondary is a site where it is a non-primary copy: with the
	// primary unknown (its site does not answer), the other one is from.
	secondary string
	members   []string
	// read is when the sites themselves were last read for it (zero:
	// the note and primary are the store's, possibly old).
	read time.Time
}

// wizPrefill is what `:failover --to ... --force` already said.
type wizPrefill struct {
	from, to    string
	force       bool
	stepTimeout string
}

// wizPlanMsg is the dry run's answer, for the wizard w and its request seq:
// the scope as read from the sites right before it (fresh, when the
// backend can read it) and the request planned, whose direction follows
// that read unless the operator chose one.
type wizPlanMsg struct {
	w     *wizard
	seq   uint64
	req   model.FailoverRequest
	fresh *model.FailoverScopeState
	plan  model.FailoverPlan
	err   error
}

// wizScopeMsg is a fresh read of one scope from the sites.
type wizScopeMsg struct {
	w     *wizard
	seq   uint64
	kind  int
	id    string
	state model.FailoverScopeState
	err   error
}

// wizObj is the latest progress of one image or member.
type wizObj struct {
	phase int
	p     model.Progress
	done  bool // the phase's work is finished for it
}

type wizard struct {
	env *screenEnv

	// live is the watch of the scope, started with the run and shown
	// under its progress, so each image is seen to change sides while it
	// happens; when the run is done it takes the whole screen.
	live Screen

	step wizStep
	off  int // scroll offset of the plan, run and failed steps

	// Scope.
	kind  int
	cands [3][]wizCand
	sel   [3]int

	// Direction.
	sites       []string
	unreachable map[string]string // site -> why, when the store says so
	readOnly    map[string]bool
	from, to    int
	force       bool
	field       int  // 0 from, 1 to, 2 planned/forced
	dirTouched  bool // the operator chose the direction; a new scope keeps it
	stepTimeout string

	// Plan.
	planSeq  uint64
	planning bool
	req      model.FailoverRequest
	plan     *model.FailoverPlan
	why      string // why there is no runnable plan ("" when there is)
	// noop says the chosen direction changes nothing ("rbd/vol1 is
	// already primary on site-b"): no Run is offered.
	noop string
	// fresh is the scope as last read from the sites (nil before the
	// first answer, or with a backend that cannot read it).
	fresh    *model.FailoverScopeState
	scopeSeq uint64
	scopeErr string // why the last read of the scope failed

	// Confirm.
	typed   lineInput
	okFocus bool // planned: focus on Run (Cancel is the default)
	confErr string

	// Run.
	argv    []string
	jobID   uint64
	attempt int
	phases  []string
	objs    map[string]*wizObj
	phase   int
	last    *model.Progress
	started time.Time
	runErr  string
	runOut  string
	runNoop string // the run changed nothing, and why
	failed  bool
}

// openWizardOn opens the wizard with the selection as its scope (`F`).
func (a *App) openWizardOn(ctx KeyContext) tea.Cmd {
	return a.openWizard(ctx, wizPrefill{})
}

// wizardWanted reports whether a parsed `failover` lacks a scope, so the
// palette opens the wizard to ask for it.
func wizardWanted(inv *grammar.Invocation) bool {
	if inv == nil || inv.Cmd == nil || inv.Cmd.Name() != "failover" {
		return false
	}
	return !inv.Has("image") && !inv.Has("pool") && !inv.Has("group")
}

// openWizardCommand opens the wizard prefilled from a `failover` command.
func (a *App) openWizardCommand(inv *grammar.Invocation) tea.Cmd {
	p := wizPrefill{from: inv.Flag("from"), to: inv.Flag("to"), force: inv.Bool("force"), stepTimeout: inv.Flag("step-timeout")}
	return a.openWizard(a.keyContext(), p)
}

func (a *App) openWizard(ctx KeyContext, p wizPrefill) tea.Cmd {
	if a.c.ReadOnly {
		return a.setFlash(flashWarn, "read-only: the failover wizard changes the cluster")
	}
	w := &wizard{env: a.env(), kind: 1, unreachable: map[string]string{}, readOnly: map[string]bool{},
		force: p.force, stepTimeout: p.stepTimeout}
	for _, ss := range a.store.each() {
		w.sites = append(w.sites, ss.site.Name)
		if ss.unreachable() {
			w.unreachable[ss.site.Name] = ss.err
		}
		w.readOnly[ss.site.Name] = ss.site.ReadOnly
	}
	w.cands = a.wizardCandidates()
	// The scope under the cursor (or the first marked row).
	cursorSite := ""
	if len(ctx.Targets) > 0 {
		t := ctx.Targets[0]
		cursorSite = t.Site
		switch t.Kind {
		case NodeImage, NodeJournal:
			w.preselect(0, t.Pool+"/"+t.Name)
		case NodePool:
			w.preselect(1, t.Pool)
		case NodeGroup:
			w.preselect(2, t.Pool+"/"+t.Name)
		}
	}
	w.from, w.to = -1, -1
	if i := slices.Index(w.sites, p.from); i >= 0 {
		w.from, w.dirTouched = i, true
	}
	if i := slices.Index(w.sites, p.to); i >= 0 {
		w.to, w.dirTouched = i, true
	}
	w.defaultDirection(cursorSite)
	return tea.Batch(pushScreen(w), w.readScope())
}

// readScope reads the chosen scope from the sites (where it is primary
// now), so the default direction never comes from an old listing.
func (w *wizard) readScope() tea.Cmd {
	reader, ok := w.env.c.Backend.(model.FailoverScopeReader)
	c := w.cand()
	if !ok || c == nil {
		return nil
	}
	w.scopeSeq++
	seq, kind, id, scope := w.scopeSeq, w.kind, c.id, w.scopeKind()
	ctx, timeout := w.env.ctx, w.env.c.Timeout
	return func() tea.Msg {
		st, err := withDeadline(ctx, timeout, func(ctx context.Context) (model.FailoverScopeState, error) {
			return reader.ReadFailoverScope(ctx, scope, id)
		})
		return wizScopeMsg{w: w, seq: seq, kind: kind, id: id, state: st, err: err}
	}
}

// learn takes a fresh read of a scope: its note and primary, and the
// default direction when the operator has not chosen one.
func (w *wizard) learn(kind int, id string, st model.FailoverScopeState) {
	for i := range w.cands[kind] {
		c := &w.cands[kind][i]
		if c.id != id {
			continue
		}
		c.note = st.Note(kind == 0)
		c.primary, c.secondary, c.read = st.PrimarySite(), "", st.At
		for _, s := range st.Sites {
			if s.Err == "" && s.NonPrimary > 0 && s.Primary == 0 {
				c.secondary = s.Site
			}
		}
	}
	if c := w.cand(); c != nil && c.id == id && kind == w.kind {
		fresh := st
		w.fresh = &fresh
		if !w.dirTouched {
			w.from, w.to = -1, -1
			w.defaultDirection("")
		}
	}
}

// preselect puts the scope on id, adding it when the store had not listed
// it (a pool whose images are not loaded, say).
func (w *wizard) preselect(kind int, id string) {
	w.kind = kind
	i := slices.IndexFunc(w.cands[kind], func(c wizCand) bool { return c.id == id })
	if i < 0 {
		w.cands[kind] = append([]wizCand{{id: id}}, w.cands[kind]...)
		i = 0
	}
	w.sel[kind] = i
}

// defaultDirection fills what the operator has not chosen: from is where
// the scope is primary (else the site under the cursor), to the other one.
func (w *wizard) defaultDirection(cursorSite string) {
	if len(w.sites) == 0 {
		return
	}
	if w.from < 0 || !w.dirTouched {
		from := ""
		if c := w.cand(); c != nil {
			from = c.primary
			if from == "" && c.secondary != "" {
				from = w.other(c.secondary)
			}
		}
		if from == "" && w.to >= 0 {
			from = w.other(w.sites[w.to])
		}
		if from == "" {
			from = cursorSite
		}
		w.from = max(slices.Index(w.sites, from), 0)
	}
	if w.to < 0 || (!w.dirTouched && w.to == w.from) {
		w.to = max(slices.Index(w.sites, w.other(w.sites[w.from])), 0)
	}
	if w.from == w.to && w.dirTouched && len(w.sites) > 1 {
		// A prefilled --to the scope is primary on: from is the other.
		w.from = max(slices.Index(w.sites, w.other(w.sites[w.to])), 0)
	}
}

func (w *wizard) other(site string) string {
	for _, s := range w.sites {
		if s != site {
			return s
		}
	}
	return site
}

// wizardCandidates lists, from the store, what can be failed over: the
// pools of every site, the images of the pools loaded, their groups.
func (a *App) wizardCandidates() [3][]wizCand {
	var out [3][]wizCand
	idx := [3]map[string]int{{}, {}, {}}
	add := func(kind int, id string) *wizCand {
		if i, ok := idx[kind][id]; ok {
			return &out[kind][i]
		}
		idx[kind][id] = len(out[kind])
		out[kind] = append(out[kind], wizCand{id: id})
		return &out[kind][len(out[kind])-1]
	}
	note := func(c *wizCand, s string) {
		if c.note != "" {
			c.note += " · "
		}
		c.note += s
	}
	primaries := map[string]map[string]int{} // pool -> site -> primary images
	imgPrimary := map[string]string{}        // pool/image -> site
	secondaries := map[string]string{}       // pool -> a site with non-primary images
	for _, ss := range a.store.each() {
		site := ss.site.Name
		for _, p := range ss.pools {
			c := add(1, p.Name)
			mode := p.MirrorMode
			if mode == "" {
				mode = "?"
			}
			note(c, site+": mirroring "+mode)
			ps := a.store.poolState(site, p.Name)
			if ps == nil || !ps.loaded {
				continue
			}
			for _, img := range ps.images {
				ic := add(0, p.Name+"/"+img.Name)
				switch {
				case img.MirrorState != model.MirrorEnabled:
					note(ic, site+": not mirrored")
				case img.Primary:
					note(ic, site+": primary")
					ic.primary = site
					imgPrimary[ic.id] = site
					if primaries[p.Name] == nil {
						primaries[p.Name] = map[string]int{}
					}
					primaries[p.Name][site]++
				default:
					note(ic, site+": non-primary")
					ic.secondary = site
					if secondaries[p.Name] == "" {
						secondaries[p.Name] = site
					}
				}
			}
			for _, g := range ps.groups {
				gc := add(2, p.Name+"/"+g.Name)
				if len(gc.members) == 0 {
					gc.members = slices.Clone(g.Members)
					note(gc, fmt.Sprintf("%d members", len(g.Members)))
				}
			}
		}
	}
	for i := range out[1] {
		c := &out[1][i]
		best := 0
		for _, site := range a.store.order {
			if n := primaries[c.id][site]; n > best {
				best, c.primary = n, site
			}
		}
		c.secondary = secondaries[c.id]
		for _, site := range a.store.order {
			if n := primaries[c.id][site]; n > 0 {
				note(c, fmt.Sprintf("%s primary on %s", plural(n, "image"), site))
			}
		}
	}
	for i := range out[2] {
		c := &out[2][i]
		for _, m := range c.members {
			if s := imgPrimary[m]; s != "" {
				c.primary = s
				break
			}
		}
	}
	sort.SliceStable(out[0], func(i, j int) bool { return out[0][i].id < out[0][j].id })
	sort.SliceStable(out[2], func(i, j int) bool { return out[2][i].id < out[2][j].id })
	return out
}

// cand is the chosen scope, nil when there is nothing to choose.
func (w *wizard) cand() *wizCand {
	cs := w.cands[w.kind]
	if len(cs) == 0 {
		return nil
	}
	return &cs[min(w.sel[w.kind], len(cs)-1)]
}

func (w *wizard) scopeKind() string { return wizKinds[w.kind] }

// scopeText is the scope in words: "pool rbd", "image rbd/vol1".
func (w *wizard) scopeText() string {
	c := w.cand()
	if c == nil {
		return "nothing chosen"
	}
	return w.scopeKind() + " " + c.id
}

func (w *wizard) fromSite() string {
	if w.from < 0 || w.from >= len(w.sites) {
		return ""
	}
	return w.sites[w.from]
}

func (w *wizard) toSite() string {
	if w.to < 0 || w.to >= len(w.sites) {
		return ""
	}
	return w.sites[w.to]
}

// request is the failover the choices describe.
func (w *wizard) request() model.FailoverRequest {
	r := model.FailoverRequest{Scope: w.scopeKind(), From: w.fromSite(), To: w.toSite(), Force: w.force}
	if c := w.cand(); c != nil {
		r.Target = c.id
	}
	return r
}

// failoverArgv is the grammar command a request runs as.
func failoverArgv(r model.FailoverRequest, stepTimeout string) []string {
	argv := []string{"failover", "--" + r.Scope, r.Target, "--from", r.From, "--to", r.To}
	if r.Force {
		argv = append(argv, "--force")
	}
	if stepTimeout != "" {
		argv = append(argv, "--step-timeout", stepTimeout)
	}
	return argv
}

// typedWant is the name a forced failover needs typed: the last word of
// the scope, as the CLI asks.
func typedWant(r model.FailoverRequest) string {
	return r.Target[strings.LastIndexByte(r.Target, '/')+1:]
}

// Screen.

func (w *wizard) Name() string  { return ScopeWizard }
func (w *wizard) Title() string { return "failover wizard · " + w.scopeText() }
func (w *wizard) Init() tea.Cmd { return nil }

// Key takes the typed confirmation's text while it has focus.
func (w *wizard) Key(k tea.KeyMsg) (tea.Cmd, bool) {
	if w.step != wizConfirm || !w.force {
		return nil, false
	}
	switch keyName(k) {
	case "esc":
		return nil, false
	case "enter":
		return w.run(), true
	}
	if w.typed.update(k) {
		w.confErr = ""
	}
	return nil, true
}

// Uses says which shared actions the wizard does something with, for the
// hint line and help (see actionUser): its own keys take enter, h and l,
// and refresh plans again on the plan step only.
func (w *wizard) Uses(action string) bool {
	switch action {
	case ActionExpand, ActionCollapse:
		return false
	case ActionRefresh:
		return w.step == wizPlan
	}
	return true
}

func (w *wizard) Action(b Binding) (tea.Cmd, bool) {
	switch b.Action {
	case ActionUp, ActionDown, ActionPageUp, ActionPageDown, ActionTop, ActionBottom:
		return w.move(b.Action), true
	case ActionWizardChoice, ActionWizardPrev:
		d := 1
		if b.Action == ActionWizardPrev {
			d = -1
		}
		return w.cycle(d), true
	case ActionWizardNext:
		return w.next(), true
	case ActionWizardBack, ActionBack:
		return w.back()
	case ActionRefresh:
		if w.step == wizPlan {
			return w.startPlan(), true
		}
	case ActionWizardRun:
		if w.step != wizConfirm {
			return w.env.flash(flashWarn, "the failover runs from the confirmation step (enter goes on)"), true
		}
		return w.run(), true
	case ActionWizardResume:
		if w.step != wizFailed {
			return w.env.flash(flashWarn, "nothing to resume: no failover has failed here"), true
		}
		return w.start(), true
	case ActionWizardAbort:
		if w.step != wizFailed {
			return w.env.flash(flashWarn, "nothing to abort: esc goes back a step, and closes the wizard from the first"), true
		}
		cmd := w.env.flash(flashWarn, "failover aborted: the images stay as the failed step left them; resume later with: rbdtui "+strings.Join(w.argv, " "))
		return tea.Batch(popScreen(w), cmd), true
	}
	return nil, false
}

func (w *wizard) move(action string) tea.Cmd {
	n := 0
	switch action {
	case ActionUp:
		n = -1
	case ActionDown:
		n = 1
	case ActionPageUp:
		n = -10
	case ActionPageDown:
		n = 10
	case ActionTop:
		n = -1 << 30
	case ActionBottom:
		n = 1 << 30
	}
	switch w.step {
	case wizScope:
		if k := len(w.cands[w.kind]); k > 0 {
			w.sel[w.kind] = min(max(w.sel[w.kind]+n, 0), k-1)
			return w.scopeChanged()
		}
	case wizDirection:
		w.field = min(max(w.field+n, 0), 2)
	case wizConfirm:
		w.okFocus = !w.okFocus
	default:
		w.off = max(w.off+n, 0) // View clamps it to the content
	}
	return nil
}

func (w *wizard) cycle(d int) tea.Cmd {
	switch w.step {
	case wizScope:
		w.kind = (w.kind + d + len(wizKinds)) % len(wizKinds)
		return w.scopeChanged()
	case wizDirection:
		n := len(w.sites)
		switch {
		case w.field == 2:
			w.force = !w.force
		case n == 0:
		case w.field == 0:
			w.from, w.dirTouched = (w.from+d+n)%n, true
		default:
			w.to, w.dirTouched = (w.to+d+n)%n, true
		}
	case wizConfirm:
		w.okFocus = !w.okFocus
	}
	return nil
}

// scopeChanged follows a new scope with the direction, unless the operator
// has chosen one, and reads the new scope from the sites.
func (w *wizard) scopeChanged() tea.Cmd {
	w.fresh = nil
	if !w.dirTouched {
		w.from, w.to = -1, -1
		w.defaultDirection("")
	}
	return w.readScope()
}

func (w *wizard) next() tea.Cmd {
	switch w.step {
	case wizScope:
		w.step = wizDirection
	case wizDirection:
		w.step, w.off = wizPlan, 0
		return w.startPlan()
	case wizPlan:
		switch {
		case w.planning:
			return w.env.flash(flashWarn, "the plan is still being made")
		case w.why != "":
			return w.env.flash(flashWarn, "cannot run: "+oneLine(w.why))
		}
		w.step, w.typed, w.okFocus, w.confErr = wizConfirm, lineInput{}, false, ""
	case wizConfirm:
		if w.okFocus {
			return w.run()
		}
		w.step = wizPlan
		return w.env.flash(flashInfo, "cancelled: nothing was run")
	case wizFailed:
		return w.env.flash(flashWarn, "the failover stopped half way: R resumes it, A aborts")
	}
	return nil
}

func (w *wizard) back() (tea.Cmd, bool) {
	switch w.step {
	case wizScope:
		return popScreen(w), true
	case wizDirection:
		w.step = wizScope
	case wizPlan:
		w.step, w.planning = wizDirection, false
		w.planSeq++ // a late plan is no longer wanted
	case wizConfirm:
		w.step = wizPlan
	case wizRunning:
		return w.env.flash(flashWarn, "the failover is running; wait for it (quitting the console stops it, and running it again resumes)"), true
	case wizFailed:
		return w.env.flash(flashWarn, "the failover stopped half way: R resumes it, A aborts"), true
	}
	w.off = 0
	return nil, true
}

// startPlan asks the backend for the dry run of the chosen failover, after
// the checks the wizard can make itself.
func (w *wizard) startPlan() tea.Cmd {
	w.planSeq++
	w.plan, w.why, w.noop, w.planning = nil, "", "", false
	w.req = w.request()
	r := w.req
	switch {
	case w.cand() == nil:
		w.why = fmt.Sprintf("no %s is chosen: the console has none loaded. Go back (b) and pick another kind, or open its pool in the tree first", wizKindLabel(r.Scope))
		return nil
	case r.From == "" || r.To == "":
		w.why = "name both sites: the current primary (from) and the site that becomes primary (to)"
		return nil
	case r.From == r.To:
		w.why = fmt.Sprintf("from and to are the same site (%s): a failover moves the primary to the other site. Go back (b) and change one", r.To)
		return nil
	case w.readOnly[r.From] || w.readOnly[r.To]:
		ro := r.From
		if !w.readOnly[ro] {
			ro = r.To
		}
		w.why = fmt.Sprintf("site %s is configured read-only, and the failover changes it", ro)
		return nil
	}
	planner, ok := w.env.c.Backend.(model.FailoverPlanner)
	if !ok {
		w.why = "this console's backend cannot plan a failover; run `rbdtui " + strings.Join(append(failoverArgv(r, ""), "--dry-run"), " ") + "` from the shell"
		return nil
	}
	w.planning = true
	seq, ctx, timeout := w.planSeq, w.env.ctx, 3*w.env.c.Timeout
	reader, _ := w.env.c.Backend.(model.FailoverScopeReader)
	follow := !w.dirTouched && !r.Force
	sites := slices.Clone(w.sites)
	return func() tea.Msg {
		msg := wizPlanMsg{w: w, seq: seq, req: r}
		// The sites are read again right before the dry run: the
		// default direction follows the primary as it is now.
		if reader != nil {
			st, err := withDeadline(ctx, timeout, func(ctx context.Context) (model.FailoverScopeState, error) {
				return reader.ReadFailoverScope(ctx, r.Scope, r.Target)
			})
			if err == nil {
				msg.fresh = &st
				if p := st.PrimarySite(); follow && p != "" && p != r.From && len(sites) == 2 {
					msg.req.From = p
					for _, s := range sites {
						if s != p {
							msg.req.To = s
						}
					}
				}
			}
		}
		msg.plan, msg.err = withDeadline(ctx, timeout, func(ctx context.Context) (model.FailoverPlan, error) {
			return planner.PlanFailover(ctx, msg.req)
		})
		return msg
	}
}

// noopOf says why a planned failover would change nothing, from the fresh
// read of the scope and the engine's plan: every image is already primary
// on the target ("" when the run would change something).
func noopOf(r model.FailoverRequest, fresh *model.FailoverScopeState, p model.FailoverPlan) string {
	if r.Force {
		return ""
	}
	if fresh != nil && !fresh.Noop(r.From, r.To) {
		return ""
	}
	if fresh == nil {
		// Without a fresh read, the engine's plan says it: every image
		// already done. A group plan has no per-image phases.
		if len(p.Images) == 0 {
			return ""
		}
		for _, i := range p.Images {
			if i.Phase != "done" {
				return ""
			}
		}
	}
	what := r.Target
	switch r.Scope {
	case model.FailoverPool:
		what = "every mirrored image of pool " + r.Target + " is"
	case model.FailoverGroup:
		what = "every member of group " + r.Target + " is"
	default:
		what += " is"
	}
	return fmt.Sprintf("%s already primary on %s: nothing to do", what, r.To)
}

// run checks the confirmation and starts the failover.
func (w *wizard) run() tea.Cmd {
	if w.step != wizConfirm {
		return nil
	}
	if w.force && w.typed.String() != typedWant(w.req) {
		w.confErr = fmt.Sprintf("type %q exactly to confirm, or esc to go back", typedWant(w.req))
		return nil
	}
	w.argv = confirmed([][]string{failoverArgv(w.req, w.stepTimeout)})[0]
	return w.start()
}

// start runs the failover command as a job (again, to resume).
func (w *wizard) start() tea.Cmd {
	w.attempt++
	w.step, w.off = wizRunning, 0
	w.failed, w.runErr, w.runOut, w.runNoop, w.last = false, "", "", "", nil
	w.objs, w.phase = map[string]*wizObj{}, 0
	w.phases = runPhases(w.req)
	w.started = w.env.c.Now()
	label := fmt.Sprintf("failover %s to %s", w.scopeText(), w.req.To)
	if w.attempt > 1 {
		label += " (resumed)"
	}
	id, cmd := w.env.startJob(label, [][]string{w.argv})
	w.jobID = id
	if w.live == nil {
		w.live = newWatch(w.env, w.watchScope())
		return tea.Batch(cmd, w.live.Init())
	}
	return cmd
}

// runPhases are the steps a run goes through, as the engines report them.
func runPhases(r model.FailoverRequest) []string {
	switch {
	case r.Scope == model.FailoverGroup && r.Force:
		return []string{"force-promote every member on " + r.To, "roll every member back to the consistency point on " + r.To}
	case r.Scope == model.FailoverGroup:
		return []string{"demote every member on " + r.From, "wait until " + r.To + " has replayed every member up to its demotion", "promote every member on " + r.To}
	case r.Force:
		return []string{"force-promote every image on " + r.To + " (" + r.From + " is not demoted) and wait until its rbd-mirror lets go of each"}
	}
	return []string{"demote every image on " + r.From, "wait until " + r.To + " has replayed each image up to its demotion",
		"promote every image on " + r.To, "wait until " + r.From + " replays each image in the new direction"}
}

// phaseOf maps an engine's progress step to a run phase; -1 for none,
// len(phases) for done.
func phaseOf(r model.FailoverRequest, step string, n int) int {
	switch step {
	case "done":
		return n
	case "demote", "force-promote", "broke lock":
		// A forced failover breaks a stuck rbd-mirror's lock while it
		// force-promotes (mirror.ForcePromote), groups included.
		return 0
	case "wait-replayed", "waiting for replay", "caught up", "roll back", "rolled back":
		return 1
	case "promote":
		if r.Force {
			return 0
		}
		return 2
	case "wait-replaying":
		return 3
	}
	return -1
}

// finished says whether an event ends its object's part of the phase. The
// waits report a state only when it changes, and the one that satisfies
// them last: these are the states the engines wait for.
func finished(p model.Progress) bool {
	switch p.Step {
	case "caught up", "rolled back", "done":
		return true
	case "demote", "promote", "force-promote":
		return p.State != ""
	case "wait-replaying":
		return strings.HasPrefix(p.State, "up+replaying")
	case "wait-replayed":
		return p.State == "already primary" || strings.Contains(p.State, "remote image is not primary") ||
			strings.Contains(p.State, "remote image demoted") || strings.Contains(p.State, "stopped")
	}
	return false
}

// stateWords shortens a status description for the progress table:
// rbd-mirror's JSON becomes the one number that matters.
func stateWords(state string) string {
	head, js, ok := strings.Cut(state, ", {")
	if !ok {
		return state
	}
	const key = `"entries_behind_primary":`
	if i := strings.Index(js, key); i >= 0 {
		n := js[i+len(key):]
		if j := strings.IndexAny(n, ",}"); j >= 0 {
			return head + ", " + n[:j] + " entries behind"
		}
	}
	return head
}

func (w *wizard) Update(msg tea.Msg) tea.Cmd {
	var live tea.Cmd
	if w.live != nil {
		live = w.live.Update(msg)
	}
	return tea.Batch(live, w.update(msg))
}

func (w *wizard) update(msg tea.Msg) tea.Cmd {
	switch m := msg.(type) {
	case wizPlanMsg:
		if m.w != w || m.seq != w.planSeq {
			return nil
		}
		w.planning = false
		if m.fresh != nil {
			w.learn(w.kind, m.req.Target, *m.fresh)
		}
		if m.req != w.req {
			// The direction followed the primary as read just now.
			w.req = m.req
			w.from, w.to = slices.Index(w.sites, m.req.From), slices.Index(w.sites, m.req.To)
		}
		if m.err != nil {
			w.why = m.err.Error()
			return nil
		}
		p := m.plan
		w.plan = &p
		if w.noop = noopOf(w.req, m.fresh, p); w.noop != "" {
			w.why = w.noop
		} else if len(p.Problems) > 0 {
			w.why = "the plan has problems, and a run would refuse:\n" + strings.Join(p.Problems, "\n")
		}
	case wizScopeMsg:
		if m.w != w || m.seq != w.scopeSeq {
			return nil
		}
		w.scopeErr = ""
		if m.err != nil {
			w.scopeErr = oneLine(m.err.Error())
			return nil
		}
		w.learn(m.kind, m.id, m.state)
	case jobProgressMsg:
		if m.job != w.jobID || w.step != wizRunning {
			return nil
		}
		p := m.p
		w.last = &p
		ph := phaseOf(w.req, p.Step, len(w.phases))
		if ph > w.phase {
			w.phase = ph
		}
		if p.Object != "" && ph >= 0 {
			o := w.objs[p.Object]
			if o == nil || ph >= o.phase {
				w.objs[p.Object] = &wizObj{phase: ph, p: p, done: finished(p)}
			}
		}
	case jobStepMsg:
		if m.job != w.jobID {
			return nil
		}
		w.runOut = strings.TrimSpace(m.res.Output)
		if why := execNoop(m.res, m.err); why != "" {
			w.runNoop = why
		} else if m.err != nil {
			w.failed, w.runErr = true, m.err.Error()
		}
	case jobDoneMsg:
		if m.job != w.jobID || w.step != wizRunning {
			return nil
		}
		if w.failed {
			w.step, w.off = wizFailed, 0
			return nil
		}
		if w.runNoop != "" {
			// The sites changed between the plan and the run: the run
			// found nothing to do, and is not a completed failover.
			w.step, w.off, w.plan = wizPlan, 0, nil
			w.noop = oneLine(w.runNoop)
			w.why = w.noop
			return nil
		}
		w.phase = len(w.phases)
		if w.live != nil {
			// The watch has run since the start: it keeps its history,
			// and polls at once to show where the run left every image.
			poll, _ := w.live.Action(Binding{Action: ActionRefresh})
			return tea.Batch(replaceStartedScreen(w.live), poll)
		}
		return replaceScreen(newWatch(w.env, w.watchScope()))
	}
	return nil
}

// watchScope is what the watch follows after the failover.
func (w *wizard) watchScope() watchScope {
	switch w.req.Scope {
	case model.FailoverPool:
		return watchScope{Pool: w.req.Target}
	case model.FailoverGroup:
		ws := watchScope{Group: w.req.Target}
		if c := w.cand(); c != nil {
			ws.Images = slices.Clone(c.members)
		}
		return ws
	}
	return watchScope{Images: []string{w.req.Target}}
}

// View.

func (w *wizard) View(width, h int) []string {
	s := &w.env.c.Styles
	inner := max(width-4, 1)
	rows := max(h-2, 0)
	head := []string{w.tracker(s)}
	var body []string
	var keys string
	scrolls := false
	switch w.step {
	case wizScope:
		body, keys = w.viewScope(s, inner, max(rows-3, 1))
	case wizDirection:
		body, keys = w.viewDirection(s, inner)
	case wizPlan:
		body, keys = w.viewPlan(s, inner), w.planKeys()
		scrolls = true
	case wizConfirm:
		body, keys = w.viewConfirm(s, inner)
	case wizRunning, wizFailed:
		body, keys = w.viewRun(s, inner)
		scrolls = true
	}
	if w.step == wizRunning && w.live != nil && h >= 24 {
		// The progress on top, the live watch of the scope under it.
		top := min(max(len(body)+len(head)+3, 10), h/2)
		return append(w.box(s, head, body, keys, width, top, inner, true), w.live.View(width, h-top)...)
	}
	return w.box(s, head, body, keys, width, h, inner, scrolls)
}

// box draws the wizard's frame of height h around the tracker, the step's
// body (scrolled when it scrolls) and its keys.
func (w *wizard) box(s *Styles, head, body []string, keys string, width, h, inner int, scrolls bool) []string {
	rows := max(h-2, 0)
	room := max(rows-len(head)-1, 0)
	if scrolls && len(body) > room {
		w.off = min(w.off, len(body)-room+1)
		more := fmt.Sprintf("↑↓ scroll · lines %d-%d of %d", w.off+1, min(w.off+room-1, len(body)), len(body))
		body = append(body[w.off:min(w.off+room-1, len(body))], s.Muted.Render(more))
	} else if scrolls {
		w.off = 0
	}
	lines := append(head, block(body, inner, room)...)
	lines = append(lines, s.Muted.Render(clip(keys, inner)))
	return box(s, "Failover wizard", lines, width, h)
}

// tracker shows the steps: ✓ done, ▶ here, · to come.
func (w *wizard) tracker(s *Styles) string {
	here := min(int(w.step), len(wizStepNames)-1)
	var parts []string
	for i, n := range wizStepNames {
		switch {
		case i < here:
			parts = append(parts, s.Muted.Render("✓ "+n))
		case i == here && w.step == wizFailed:
			parts = append(parts, s.status(levelErr).Render("✖ "+n))
		case i == here:
			parts = append(parts, s.PaneTitle.Render("▶ "+n))
		default:
			parts = append(parts, s.Muted.Render("· "+n))
		}
	}
	return strings.Join(parts, s.Muted.Render(" › "))
}

// keyOf is the first key the registry binds to action, as shown.
func (w *wizard) keyOf(action string) string {
	if b, ok := w.env.c.Keys.Lookup(action); ok && len(b.Keys) > 0 {
		return keyLabel(b.Keys[0])
	}
	return "?"
}

func (w *wizard) viewScope(s *Styles, inner, listRows int) ([]string, string) {
	var out []string
	var kinds []string
	for i, k := range wizKinds {
		if i == w.kind {
			kinds = append(kinds, s.Selected.Render("◀ "+wizKindLabel(k)+" ▶"))
		} else {
			kinds = append(kinds, s.Muted.Render(wizKindLabel(k)))
		}
	}
	out = append(out, s.Text.Render("What fails over?  ")+strings.Join(kinds, "  "))
	cs := w.cands[w.kind]
	if len(cs) == 0 {
		out = append(out, "", s.status(levelWarn).Render("▲ no "+wizKindLabel(wizKinds[w.kind])+" is known to the console"))
		out = append(out, s.Muted.Render("  (images and groups are listed once their pool is open in the tree)"))
		return out, w.keyOf(ActionWizardChoice) + " kind · esc closes"
	}
	sel := min(w.sel[w.kind], len(cs)-1)
	listRows = max(listRows-1, 1)
	top := max(min(sel-listRows/2, len(cs)-listRows), 0)
	idW := 0
	for _, c := range cs {
		idW = max(idW, ansi.StringWidth(c.id))
	}
	idW = min(idW+2, inner/2)
	for i := top; i < len(cs) && i < top+listRows; i++ {
		c := cs[i]
		line := fit(c.id, idW) + s.Muted.Render(c.note)
		if i == sel {
			line = "▌ " + s.Selected.Render(fit(c.id, idW)) + s.Muted.Render(c.note)
		} else {
			line = "  " + line
		}
		out = append(out, line)
	}
	if len(cs) > listRows {
		out = append(out, s.Muted.Render(fmt.Sprintf("  %d of %d", sel+1, len(cs))))
	}
	return out, "←→ kind · ↑↓ choose · " + w.keyOf(ActionWizardNext) + " next · esc closes"
}

func (w *wizard) viewDirection(s *Styles, inner int) ([]string, string) {
	from, to := w.fromSite(), w.toSite()
	kind := "planned"
	if w.force {
		kind = "forced"
	}
	field := func(i int, label, val string) string {
		v := "◀ " + val + " ▶"
		marker := "  "
		if w.field == i {
			marker, v = "▌ ", s.Selected.Render(v)
		}
		return marker + s.Label.Render(fit(label, 24)) + v
	}
	out := []string{
		s.Text.Render("Failover of " + w.scopeText()),
		"",
		field(0, "from (current primary)", orDash(from)),
		field(1, "to (becomes primary)", orDash(to)),
		field(2, "kind", kind),
		"",
	}
	// Where the scope is primary now, and how old that is.
	if c := w.cand(); c != nil && !c.read.IsZero() {
		out = append(out, s.Muted.Render(clip("now: "+c.note+" (read from the sites "+ago(w.env.c.Now().Sub(c.read))+")", inner)), "")
	} else if w.scopeErr != "" {
		out = append(out, s.status(levelWarn).Render(clip("▲ now: unknown, the sites could not be read: "+w.scopeErr, inner)), "")
	} else if _, ok := w.env.c.Backend.(model.FailoverScopeReader); ok {
		out = append(out, s.Muted.Render("now: … reading the sites"), "")
	}
	if w.force {
		out = append(out,
			s.status(levelWarn).Render("▲ forced: "+from+" is lost or unreachable; "+to+" is promoted without demoting "+from+"."),
			s.Muted.Render("  Writes "+from+" did not replicate are lost; when it returns, its copies are split-brain."))
	} else {
		out = append(out, s.Muted.Render("planned: demote on "+from+", wait until "+to+" has replayed, promote on "+to+","),
			s.Muted.Render("then wait until "+from+" replays in the new direction. Nothing is lost."))
	}
	switch {
	case from != "" && from == to:
		out = append(out, "", s.status(levelErr).Render("✖ from and to are the same site"))
	case !w.force && w.fresh != nil && w.fresh.Noop(from, to):
		out = append(out, "", s.status(levelWarn).Render(clip("▲ "+noopOf(w.request(), w.fresh, model.FailoverPlan{}), inner)),
			s.Muted.Render("  this direction changes nothing; the plan step offers no Run"))
	case !w.force && w.unreachable[from] != "":
		out = append(out, "", s.status(levelErr).Render("✖ "+from+" does not answer: a planned failover cannot demote it"),
			s.Muted.Render("  ("+oneLine(w.unreachable[from])+"); if it is lost, choose forced"))
	case w.unreachable[to] != "":
		out = append(out, "", s.status(levelErr).Render("✖ "+to+" does not answer: it cannot become primary"))
	}
	return out, "↑↓ field · ←→ change · " + w.keyOf(ActionWizardNext) + " plan (dry run) · " + w.keyOf(ActionWizardBack) + " back"
}

func (w *wizard) planKeys() string {
	switch {
	case w.planning:
		return w.keyOf(ActionWizardBack) + " back · esc back"
	case w.noop != "":
		return w.keyOf(ActionWizardBack) + " back and change the direction · r read and plan again"
	case w.why != "":
		return w.keyOf(ActionWizardBack) + " back and change the choices · r plan again"
	}
	return w.keyOf(ActionWizardNext) + " confirm · " + w.keyOf(ActionWizardBack) + " back · r plan again · ↑↓ scroll"
}

// wrap breaks text into lines of at most width cells, each styled.
func wrap(st func(...string) string, text string, width int, indent string) []string {
	var out []string
	for _, para := range strings.Split(text, "\n") {
		for _, l := range strings.Split(ansi.Wrap(para, max(width-len(indent), 10), ""), "\n") {
			out = append(out, indent+st(l))
		}
	}
	return out
}

func (w *wizard) viewPlan(s *Styles, inner int) []string {
	r := w.req
	dry := "rbdtui " + strings.Join(append(failoverArgv(r, w.stepTimeout), "--dry-run"), " ")
	var out []string
	title := fmt.Sprintf("%s failover of %s: %s → %s", "planned", w.scopeText(), orDash(r.From), orDash(r.To))
	if r.Force {
		title = s.status(levelWarn).Render(fmt.Sprintf("▲ FORCED failover of %s: %s → %s", w.scopeText(), orDash(r.From), orDash(r.To)))
	} else {
		title = s.Text.Render(title)
	}
	out = append(out, title, s.Muted.Render("dry run: ")+s.Accent.Render(dry))
	if w.planning {
		return append(out, "", s.Accent.Render("… planning (the engine reads both sites; nothing changes)"))
	}
	p := w.plan
	// The verdict first: on a small terminal it is what must show.
	if w.noop != "" {
		out = append(out, s.status(levelWarn).Render("▲ Run is not offered: this direction changes nothing"))
		out = append(out, wrap(s.status(levelWarn).Render, w.noop+" (read from the sites just now). To move the primary, go back (b) and choose "+r.To+" → "+r.From+".", inner, "  ")...)
	} else if w.why != "" {
		out = append(out, s.status(levelErr).Render("✖ Run is not offered:"))
		out = append(out, wrap(s.status(levelErr).Render, w.why, inner, "  ")...)
	} else if p != nil {
		out = append(out, s.status(levelOK).Render("✓ the plan has no problems: "+w.keyOf(ActionWizardNext)+" goes on to the confirmation"))
	}
	if p != nil {
		if !p.FromReachable {
			out = append(out, wrap(s.status(levelWarn).Render, "▲ "+r.From+" does not answer: "+p.FromError, inner, "")...)
		}
		if r.Force {
			out = append(out, wrap(s.status(levelWarn).Render, "▲ "+r.From+" is not demoted: writes it did not replicate to "+r.To+" are lost.", inner, "")...)
		}
		out = append(out, "", s.PaneTitle.Render("Steps"))
		for i, st := range p.Steps {
			out = append(out, wrap(s.Text.Render, fmt.Sprintf("%d. %s", i+1, st), inner, "  ")...)
		}
		if p.Group != nil {
			out = append(out, w.viewGroupPlan(s, inner, p.Group)...)
		} else if len(p.Images) > 0 {
			out = append(out, w.viewImagePlan(s, inner, p)...)
		}
	}
	return out
}

func (w *wizard) viewImagePlan(s *Styles, inner int, p *model.FailoverPlan) []string {
	what := "Images"
	if w.req.Force {
		what = "Images, and what each one risks (the last known lag of its copy on " + w.req.To + ")"
	}
	out := []string{"", s.PaneTitle.Render(fmt.Sprintf("%s (%d)", what, len(p.Images)))}
	nameW := 5
	for _, i := range p.Images {
		nameW = max(nameW, ansi.StringWidth(i.Name))
	}
	nameW = min(nameW+2, 28)
	out = append(out, s.Label.Render("  "+fit("IMAGE", nameW)+fit("MODE", 10)+fit("ACTION", 15)+"LAST KNOWN LAG / NOTE"))
	for _, i := range p.Images {
		note := i.Lag
		st := s.Text.Render
		mark := "  "
		if i.Problem != "" {
			note, st, mark = "REFUSED: "+i.Problem, s.status(levelErr).Render, "✖ "
		}
		out = append(out, mark+fit(i.Name, nameW)+fit(orDash(i.Mode), 10)+fit(i.Phase, 15)+st(note))
	}
	return out
}

func (w *wizard) viewGroupPlan(s *Styles, inner int, g *model.GroupFailoverPlan) []string {
	out := []string{"", s.PaneTitle.Render(fmt.Sprintf("Members (%d)", len(g.Members)))}
	if g.Point == nil || len(g.Rollback) == 0 {
		for _, m := range g.Members {
			out = append(out, "  "+s.Text.Render(m))
		}
	} else {
		pt := g.Point
		name := pt.Name
		if name == "" {
			name = pt.Key
		}
		age := w.env.c.Now().Sub(pt.Time)
		out = append(out, wrap(s.status(levelWarn).Render, fmt.Sprintf("▲ every member is rolled back to consistency point %s, taken %s (%s); what each member discards:",
			name, pt.Time.UTC().Format("2006-01-02 15:04:05 UTC"), ago(age)), inner, "")...)
		nameW := 6
		for _, r := range g.Rollback {
			nameW = max(nameW, ansi.StringWidth(r.Image))
		}
		nameW = min(nameW+2, 28)
		out = append(out, s.Label.Render("  "+fit("MEMBER", nameW)+fit("ROLLED BACK TO", 26)+fit("AGE", 9)+fit("DISCARDED", 12)+"NEWER POINTS DROPPED"))
		for _, r := range g.Rollback {
			changed := "unknown"
			if r.ChangedBytes >= 0 {
				changed = humanBytes(uint64(r.ChangedBytes))
			}
			out = append(out, "  "+fit(r.Image, nameW)+fit(r.Snapshot, 26)+fit(ago(r.Age), 9)+s.status(levelWarn).Render(fit(changed, 12))+fmt.Sprint(r.NewerPoints))
		}
	}
	for _, wn := range g.Warnings {
		out = append(out, wrap(s.status(levelWarn).Render, "▲ "+wn, inner, "")...)
	}
	return out
}

func (w *wizard) viewConfirm(s *Styles, inner int) ([]string, string) {
	argv := confirmed([][]string{failoverArgv(w.req, w.stepTimeout)})[0]
	out := []string{s.Text.Render("This runs (the command log shows it with its rbd equivalent):"),
		"  " + s.Accent.Render("$ rbdtui "+strings.Join(argv, " ")),
		"  " + s.Muted.Render("rbd: "+rbdEquivalent(w.env.c.Commands, argv)),
		""}
	n := 0
	if w.plan != nil {
		n = len(w.plan.Images)
		if w.plan.Group != nil {
			n = len(w.plan.Group.Members)
		}
	}
	button := func(label string, focused bool) string {
		if focused {
			return s.Selected.Render("▶ " + label + " ◀")
		}
		return s.Muted.Render("  " + label + "  ")
	}
	var keys string
	if w.force {
		want := typedWant(w.req)
		out = append(out, s.status(levelWarn).Render(fmt.Sprintf("▲ FORCED: %s promoted on %s without demoting %s. This cannot be undone.", plural(n, "image"), w.req.To, w.req.From)),
			s.Text.Render(fmt.Sprintf("Type %q to confirm:", want)),
			"▌ ["+w.typed.view(s, min(inner-6, 40))+"]")
		keys = "enter runs once the name matches · esc back"
	} else {
		out = append(out, s.Text.Render(fmt.Sprintf("Planned failover of %s (%s): demote on %s, promote on %s.", w.scopeText(), plural(n, "image"), w.req.From, w.req.To)),
			button("Run failover", w.okFocus)+"  "+button("Cancel", !w.okFocus))
		keys = w.keyOf(ActionWizardRun) + " runs · ←→ choose · " + w.keyOf(ActionWizardNext) + " · esc back (default: Cancel)"
	}
	if w.confErr != "" {
		out = append(out, "", s.status(levelErr).Render(w.confErr))
	}
	return out, keys
}

func (w *wizard) viewRun(s *Styles, inner int) ([]string, string) {
	var out []string
	cmd := "rbdtui " + strings.Join(w.argv, " ")
	elapsed := ""
	if !w.started.IsZero() {
		elapsed = "  " + shortDur(w.env.c.Now().Sub(w.started))
	}
	if w.step == wizFailed {
		// What happened first: on a small terminal it is what must show.
		out = append(out, s.status(levelErr).Render("✖ Failed: ")+s.Accent.Render(cmd))
		out = append(out, wrap(s.status(levelErr).Render, w.runErr, inner, "  ")...)
	} else {
		what := "Running: "
		if w.attempt > 1 {
			what = fmt.Sprintf("Resuming (attempt %d): ", w.attempt)
		}
		out = append(out, s.Text.Render(what)+s.Accent.Render(cmd)+s.Muted.Render(elapsed))
	}
	out = append(out, s.PaneTitle.Render("Steps"))
	for i, ph := range w.phases {
		var mark string
		st := s.Text.Render
		switch {
		case i < w.phase:
			mark, st = "✓ ", s.Muted.Render
		case i == w.phase && w.step == wizFailed:
			mark, st = "✖ ", s.status(levelErr).Render
		case i == w.phase:
			mark, st = "▶ ", s.Accent.Render
		default:
			mark = "· "
		}
		line := st(mark + fmt.Sprintf("%d. %s", i+1, ph))
		if i == w.phase {
			line += "  " + s.Muted.Render(w.phaseCount(i))
		}
		out = append(out, "  "+line)
	}
	if len(w.objs) > 0 {
		names := make([]string, 0, len(w.objs))
		nameW := 6
		for n := range w.objs {
			names = append(names, n)
			nameW = max(nameW, ansi.StringWidth(n))
		}
		sort.Strings(names)
		nameW = min(nameW+2, 28)
		out = append(out, "", s.Label.Render("  "+fit("IMAGE", nameW)+fit("STEP", 20)+fit("SITE", 10)+"STATE"))
		for _, n := range names {
			o := w.objs[n]
			mark := "· "
			if o.done || o.phase < w.phase {
				mark = "✓ "
			}
			state := stateWords(strings.TrimSpace(strings.Join([]string{o.p.State, o.p.Message}, " ")))
			out = append(out, mark+fit(n, nameW)+fit(o.p.Step, 20)+fit(o.p.Site, 10)+s.Text.Render(state))
		}
	}
	if w.last != nil && w.last.Object == "" && w.last.Message != "" {
		out = append(out, "", s.Muted.Render(w.last.Message))
	}
	if w.step != wizFailed {
		return out, "the failover runs as a job (see the command log) · it ends in the live watch"
	}
	if w.runOut != "" {
		out = append(out, "", s.Label.Render("Output:"))
		out = append(out, wrap(s.Text.Render, w.runOut, inner, "  ")...)
	}
	out = append(out, "")
	out = append(out, wrap(s.Text.Render, "Failover is resumable: "+w.keyOf(ActionWizardResume)+" runs the same command again and it continues where it stopped; "+
		w.keyOf(ActionWizardAbort)+" aborts and leaves the images as they are.", inner, "")...)
	return out, w.keyOf(ActionWizardResume) + " resume · " + w.keyOf(ActionWizardAbort) + " abort · ↑↓ scroll"
}

// phaseCount is the progress of the current phase: the engine's own count
// when it gives one, else the objects finished in it.
func (w *wizard) phaseCount(i int) string {
	if p := w.last; p != nil && p.Total > 0 && phaseOf(w.req, p.Step, len(w.phases)) == i {
		pct := min(max(float64(p.Done)/float64(p.Total), 0), 1)
		n := int(pct * 10)
		return "[" + strings.Repeat("#", n) + strings.Repeat(".", 10-n) + "]" + fmt.Sprintf(" %d/%d", p.Done, p.Total)
	}
	total := 0
	if w.plan != nil {
		total = len(w.plan.Images)
		if w.plan.Group != nil {
			total = len(w.plan.Group.Members)
		}
	}
	done := 0
	for _, o := range w.objs {
		if o.phase > i || (o.phase == i && o.done) {
			done++
		}
	}
	if total == 0 {
		return ""
	}
	return fmt.Sprintf("%d/%d", done, total)
}

// compile-time check: the wizard is a Screen that says which shared
// actions it uses.
var (
	_ Screen     = (*wizard)(nil)
	_ actionUser = (*wizard)(nil)
)
