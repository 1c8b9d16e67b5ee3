package ui

import (
	"context"
	"fmt"
	"github.com/rbdtui/rbdtui/internal/progress"
	"strconv"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/rbdtui/rbdtui/internal/grammar"
	"github.com/rbdtui/rbdtui/model"
)

// The guided journal inspector: one image's journal, step by step. Opening
// reads only the header (the first screen shows at once); the scan of every
// data object starts right away in the background with its progress
// streamed back, and feeds the clients' lags, the findings and the entry
// list. Export and import run as jobs of the one grammar, so the command
// log shows them with their rbd equivalents.

// Actions of the inspector's own bindings.
const (
	ActionInspectNext   = "next-step"
	ActionInspectPrev   = "previous-step"
	ActionInspectFilter = "filter-type"
	ActionInspectDetail = "decode-entry"
	ActionInspectExport = "export-journal"
	ActionInspectImport = "import-journal"
)

// inspectorBindings are the inspector's own key bindings.
func inspectorBindings() []Binding {
	return []Binding{
		{Action: ActionInspectNext, Keys: []string{"tab", "]"}, Help: "next step of the journal inspector", Hint: true, Scope: ScopeInspector},
		{Action: ActionInspectPrev, Keys: []string{"shift+tab", "["}, Help: "previous step of the journal inspector", Hint: true, Scope: ScopeInspector},
		{Action: ActionInspectFilter, Keys: []string{"t"}, Help: "entries: show only one event type (cycles through the types present)", Hint: true, Scope: ScopeInspector},
		{Action: ActionInspectDetail, Keys: []string{"enter"}, Help: "entries: decode the entry under the cursor (esc closes)", Hint: true, Scope: ScopeInspector},
		{Action: ActionInspectExport, Keys: []string{"e"}, Help: "export the journal's entries to a file (journal export)", Hint: true, Scope: ScopeInspector},
		{Action: ActionInspectImport, Keys: []string{"i"}, Help: "import entries from an export file into this journal (checked first, then asks)", Scope: ScopeInspector, Dangerous: true},
	}
}

// The steps, each with the one line that says what it shows.
type inspStep int

const (
	stepHeader inspStep = iota
	stepClients
	stepScan
	stepEntries
	stepTransfer
	numSteps
)

var stepTitles = [numSteps]string{"Header", "Clients", "Scan", "Entries", "Export/import"}

var stepExplain = [numSteps]string{
	"The journal's layout: object size, how many objects are written in parallel, where they live, and which object sets are kept.",
	"Who reads the journal: each client's commit position, how far behind it is, and what it keeps the journal from trimming.",
	"Every retained object read and checked: entry framing and CRCs, entry sequences, missing objects, commit positions.",
	"Every stored entry in replay order (tag, entry id, event type, size, object); enter decodes one, t shows one type.",
	"Write the entries to a file (journal export), or append a checked export file's entries to this journal (journal import).",
}

// farBehind is the lag in entries from which a connected client is called
// out even when it pins no whole object set yet.
const farBehind = 10_000

// inspector is the journal inspector screen.
type inspector struct {
	env  *screenEnv
	site string
	spec model.ImageSpec
	step inspStep

	opening bool
	openErr string
	sess    model.JournalSession
	hdr     model.JournalHeader

	scanning   bool
	scanDone   int64
	scanTotal  int64
	scanErr    string
	scanStart  time.Time
	scanTook   time.Duration
	scan       *model.JournalScan
	scanCancel context.CancelFunc

	// Entries: cursor and window over view, the filtered positions in
	// scan.Entries (nil: every entry).
	filter int // 0 = every type, else scan.Types[filter-1]
	view   []int32
	buf    []int32 // view's storage, kept while every type shows
	cur    int
	off    int
	page   int // rows shown last frame, for page moves
	// Detail of one entry.
	showDetail bool
	detailFor  int // index in scan.Entries, -1 for none
	detail     *model.JournalEntryDetail
	detailErr  string

	// Scan findings and clients: a cursor each.
	findCur int
	cliCur  int

	form *transferForm
	// The export or import job in flight or last run.
	jobID       uint64
	jobKind     string
	jobPath     string
	jobProgress *model.Progress
	jobResult   string
	jobFailed   bool
	jobRunning  bool
}

// transferForm asks for a file name (export or import); an import is
// checked before the confirmation.
type transferForm struct {
	importing bool
	// fromStart exports every retained entry (--from-start) instead of
	// those after the least advanced client, as rbd does.
	fromStart bool
	path      lineInput
	checking  bool
	check     *model.ImportCheck
	// confirm is set once the import file checked out; Cancel is the
	// default answer (focus 1).
	confirm bool
	focus   int
	err     string
}

// Messages of the inspector carry the screen they are for.
type (
	inspOpenedMsg struct {
		ins  *inspector
		sess model.JournalSession
		err  error
	}
	inspScanProgressMsg struct {
		ins         *inspector
		done, total int64
		ch          <-chan tea.Msg
	}
	inspScanDoneMsg struct {
		ins  *inspector
		scan *model.JournalScan
		err  error
		took time.Duration
	}
	inspEntryMsg struct {
		ins *inspector
		i   int
		d   model.JournalEntryDetail
		err error
	}
	inspCheckMsg struct {
		ins  *inspector
		path string
		ck   model.ImportCheck
		err  error
	}
)

func newInspector(env *screenEnv, site string, spec model.ImageSpec) *inspector {
	return &inspector{env: env, site: site, spec: spec, detailFor: -1}
}

func (s *inspector) Name() string { return ScopeInspector }
func (s *inspector) Title() string {
	return "inspect " + s.spec.Pool + "/" + s.spec.Image + " on " + s.site
}

func (s *inspector) timeout() time.Duration {
	if s.env.c.Timeout > 0 {
		return s.env.c.Timeout
	}
	return DefaultTimeout
}

func (s *inspector) scanTimeout() time.Duration {
	if s.env.c.ActionTimeout > 0 {
		return s.env.c.ActionTimeout
	}
	return DefaultActionTimeout
}

func (s *inspector) Init() tea.Cmd {
	jb, ok := s.env.c.Backend.(model.JournalBrowser)
	if !ok {
		s.openErr = "this backend cannot open journals"
		return nil
	}
	s.opening = true
	ctx, site, spec, d := s.env.ctx, s.site, s.spec, s.timeout()
	return func() tea.Msg {
		sess, err := withDeadline(ctx, d, func(ctx context.Context) (model.JournalSession, error) {
			return jb.OpenJournal(ctx, site, spec)
		})
		return inspOpenedMsg{ins: s, sess: sess, err: err}
	}
}

// startScan reads every object in the background; progress comes back
// through a channel one message at a time, as jobs do.
func (s *inspector) startScan() tea.Cmd {
	if s.sess == nil || s.scanning {
		return nil
	}
	s.scanning, s.scanErr, s.scanDone, s.scanTotal = true, "", 0, 0
	s.scanStart = s.env.c.Now()
	ctx, cancel := context.WithCancel(s.env.ctx)
	s.scanCancel = cancel
	sess, d := s.sess, s.scanTimeout()
	ch := make(chan tea.Msg, 16)
	// The console's clock, which tests fix: the time taken is on screen.
	now := s.env.c.Now
	start := now()
	return func() tea.Msg {
		go func() {
			defer close(ch)
			defer cancel()
			scan, err := withDeadline(ctx, d, func(ctx context.Context) (*model.JournalScan, error) {
				return sess.Scan(ctx, func(done, total int64) {
					select {
					case ch <- inspScanProgressMsg{ins: s, done: done, total: total, ch: ch}:
					default: // a snapshot dropped when the screen is behind
					}
				})
			})
			select {
			case ch <- inspScanDoneMsg{ins: s, scan: scan, err: err, took: now().Sub(start)}:
			case <-ctx.Done():
				// Cancelled: still deliver the result so the screen stops waiting.
				ch <- inspScanDoneMsg{ins: s, scan: scan, err: err, took: now().Sub(start)}
			}
		}()
		return listen(ch)()
	}
}

func (s *inspector) Update(msg tea.Msg) tea.Cmd {
	switch m := msg.(type) {
	case inspOpenedMsg:
		if m.ins != s {
			return nil
		}
		s.opening = false
		if m.err != nil {
			s.openErr = oneLine(m.err.Error())
			return nil
		}
		s.sess, s.hdr = m.sess, m.sess.Header()
		return s.startScan()
	case inspScanProgressMsg:
		if m.ins != s {
			return nil
		}
		s.scanDone, s.scanTotal = m.done, m.total
		return listen(m.ch)
	case inspScanDoneMsg:
		if m.ins != s {
			return nil
		}
		s.scanning, s.scanTook = false, m.took
		if m.err != nil {
			s.scanErr = oneLine(m.err.Error())
			return nil
		}
		s.scan = m.scan
		s.filter, s.view, s.cur, s.off, s.findCur = 0, nil, 0, 0, 0
		s.detail, s.detailFor, s.detailErr = nil, -1, ""
		if s.showDetail {
			return s.loadDetail()
		}
		return nil
	case inspEntryMsg:
		if m.ins != s || m.i != s.selected() {
			return nil
		}
		s.detailFor = m.i
		if m.err != nil {
			s.detail, s.detailErr = nil, oneLine(m.err.Error())
		} else {
			d := m.d
			s.detail, s.detailErr = &d, ""
		}
	case inspCheckMsg:
		f := s.form
		if m.ins != s || f == nil || !f.importing || f.path.String() != m.path {
			return nil
		}
		f.checking = false
		if m.err != nil {
			f.err = oneLine(m.err.Error())
			return nil
		}
		ck := m.ck
		f.check, f.confirm, f.focus, f.err = &ck, true, 1, ""
	case jobProgressMsg:
		if m.job == s.jobID && s.jobRunning {
			p := m.p
			s.jobProgress = &p
		}
	case jobStepMsg:
		if m.job == s.jobID && s.jobRunning {
			if m.err != nil {
				s.jobFailed, s.jobResult = true, oneLine(m.err.Error())
			} else {
				s.jobFailed, s.jobResult = false, strings.TrimSpace(strings.SplitN(strings.TrimSpace(m.res.Output), "\n", 2)[0])
			}
		}
	case jobDoneMsg:
		if m.job == s.jobID && s.jobRunning {
			s.jobRunning = false
			if s.jobKind == "import" && !s.jobFailed {
				// The journal changed: read it again.
				return s.rescan()
			}
		}
	}
	return nil
}

// rescan reopens nothing (the header may have moved: re-open) and scans.
func (s *inspector) rescan() tea.Cmd {
	if s.scanning {
		return s.env.flash(flashWarn, "a scan is already running")
	}
	s.scan = nil
	return s.Init()
}

// Key takes raw keys while the export/import form has its text field.
func (s *inspector) Key(k tea.KeyMsg) (tea.Cmd, bool) {
	f := s.form
	if f == nil {
		return nil, false
	}
	key := keyName(k)
	if key == "esc" {
		s.form = nil
		return s.env.flash(flashInfo, "cancelled"), true
	}
	if f.confirm {
		switch key {
		case "left", "right", "tab", "shift+tab", "h", "l":
			f.focus = 1 - f.focus
		case "y":
			return s.runTransfer(), true
		case "n":
			s.form = nil
			return s.env.flash(flashInfo, "cancelled: import"), true
		case "enter":
			if f.focus == 0 {
				return s.runTransfer(), true
			}
			s.form = nil
			return s.env.flash(flashInfo, "cancelled: import"), true
		}
		return nil, true
	}
	if f.checking {
		return nil, true
	}
	if key == "enter" {
		return s.submitForm(), true
	}
	if key == "tab" && !f.importing {
		f.fromStart = !f.fromStart
		return nil, true
	}
	f.path.update(k)
	f.err = ""
	return nil, true
}

// submitForm checks the path; an import file is read and validated by the
// backend before anything is asked.
func (s *inspector) submitForm() tea.Cmd {
	f := s.form
	path := strings.TrimSpace(f.path.String())
	if path == "" {
		f.err = "give the path of a file"
		return nil
	}
	if !f.importing {
		return s.runTransfer()
	}
	f.checking, f.err = true, ""
	ctx, sess, d, raw := s.env.ctx, s.sess, s.timeout(), f.path.String()
	return func() tea.Msg {
		ck, err := withDeadline(ctx, d, func(ctx context.Context) (model.ImportCheck, error) {
			return sess.CheckImport(ctx, path)
		})
		return inspCheckMsg{ins: s, path: raw, ck: ck, err: err}
	}
}

// transferArgv is the grammar's command for the form.
func (s *inspector) transferArgv(importing bool, path string) []string {
	if importing {
		return []string{"journal", "import", path, s.hdr.Spec, "--site", s.site}
	}
	return []string{"journal", "export", s.hdr.Spec, path, "--site", s.site}
}

// exportArgv is transferArgv for the form's export, --from-start included.
func (s *inspector) exportArgv(f *transferForm, path string) []string {
	argv := s.transferArgv(f.importing, path)
	if !f.importing && f.fromStart {
		argv = append(argv, "--from-start")
	}
	return argv
}

func (s *inspector) runTransfer() tea.Cmd {
	f := s.form
	path := strings.TrimSpace(f.path.String())
	argv := s.exportArgv(f, path)
	if _, err := s.env.c.Commands.Parse(argv); err != nil {
		f.err = oneLine(err.Error())
		return nil
	}
	kind, label := "export", "export journal "+s.hdr.Spec+" to "+path
	argvs := [][]string{argv}
	if f.importing {
		kind, label = "import", "import "+path+" into journal "+s.hdr.Spec
		argvs = confirmed(argvs) // the form's confirmation was the operator's
	}
	s.form = nil
	id, cmd := s.env.startJob(label, argvs)
	s.jobID, s.jobKind, s.jobPath, s.jobRunning = id, kind, path, true
	s.jobProgress, s.jobResult, s.jobFailed = nil, "", false
	return cmd
}

func (s *inspector) openForm(importing bool) tea.Cmd {
	if s.sess == nil {
		return s.env.flash(flashWarn, "the journal is not open yet")
	}
	if s.jobRunning {
		return s.env.flash(flashWarn, "an "+s.jobKind+" is still running")
	}
	s.step = stepTransfer
	f := &transferForm{importing: importing}
	name := strings.NewReplacer("/", "-").Replace(s.spec.Image)
	f.path.set("/tmp/" + name + ".journal")
	s.form = f
	return nil
}

// selected is the index in scan.Entries under the cursor, or -1.
func (s *inspector) selected() int {
	if s.scan == nil || s.cur < 0 || s.cur >= s.rowCount() {
		return -1
	}
	if s.view == nil {
		return s.cur
	}
	return int(s.view[s.cur])
}

func (s *inspector) rowCount() int {
	if s.scan == nil {
		return 0
	}
	if s.filter == 0 {
		return len(s.scan.Entries)
	}
	return len(s.view)
}

// setFilter shows one type (0: all); the positions are rebuilt into the
// same buffer, so cycling types does not allocate once it has grown.
func (s *inspector) setFilter(f int) {
	keep := s.selected()
	s.filter = f
	if f == 0 {
		s.view = nil
		s.cur = max(keep, 0)
		return
	}
	name := s.scan.Types[f-1]
	buf := s.buf[:0]
	s.cur = 0
	for i := range s.scan.Entries {
		if s.scan.Entries[i].Type == name {
			if i <= keep {
				s.cur = len(buf)
			}
			buf = append(buf, int32(i))
		}
	}
	s.view, s.buf = buf, buf
}

func (s *inspector) loadDetail() tea.Cmd {
	i := s.selected()
	if i < 0 || s.sess == nil {
		return nil
	}
	if i == s.detailFor && s.detail != nil {
		return nil
	}
	ctx, sess, d := s.env.ctx, s.sess, s.timeout()
	return func() tea.Msg {
		det, err := withDeadline(ctx, d, func(ctx context.Context) (model.JournalEntryDetail, error) {
			return sess.Entry(ctx, i)
		})
		return inspEntryMsg{ins: s, i: i, d: det, err: err}
	}
}

// move moves the cursor of the current step's list.
func (s *inspector) move(delta int, to int) tea.Cmd {
	var cur *int
	var n int
	switch s.step {
	case stepEntries:
		cur, n = &s.cur, s.rowCount()
	case stepScan:
		if s.scan != nil {
			cur, n = &s.findCur, len(s.scan.Findings)
		}
	case stepClients:
		cur, n = &s.cliCur, len(s.hdr.Clients)
	}
	if cur == nil || n == 0 {
		return nil
	}
	switch to {
	case -1:
		*cur = 0
	case 1:
		*cur = n - 1
	default:
		*cur = min(max(*cur+delta, 0), n-1)
	}
	if s.step == stepEntries && s.showDetail {
		return s.loadDetail()
	}
	return nil
}

func (s *inspector) pageRows() int { return max(s.page-1, 1) }

func (s *inspector) Action(b Binding) (tea.Cmd, bool) {
	switch b.Action {
	case ActionInspectNext:
		s.step = (s.step + 1) % numSteps
	case ActionInspectPrev:
		s.step = (s.step + numSteps - 1) % numSteps
	case ActionUp:
		return s.move(-1, 0), true
	case ActionDown:
		return s.move(1, 0), true
	case ActionPageUp:
		return s.move(-s.pageRows(), 0), true
	case ActionPageDown:
		return s.move(s.pageRows(), 0), true
	case ActionTop:
		return s.move(0, -1), true
	case ActionBottom:
		return s.move(0, 1), true
	case ActionRefresh:
		return s.rescan(), true
	case ActionInspectFilter:
		if s.scan == nil {
			return s.env.flash(flashWarn, "no entries yet: the scan has not finished"), true
		}
		s.step = stepEntries
		if len(s.scan.Types) == 0 {
			return s.env.flash(flashWarn, "the journal holds no entries"), true
		}
		s.setFilter((s.filter + 1) % (len(s.scan.Types) + 1))
		if s.showDetail {
			return s.loadDetail(), true
		}
	case ActionInspectDetail, ActionExpand:
		if s.step != stepEntries {
			s.step = stepEntries
			return nil, true
		}
		if s.selected() < 0 {
			return s.env.flash(flashWarn, "no entry under the cursor"), true
		}
		s.showDetail = true
		return s.loadDetail(), true
	case ActionInspectExport:
		return s.openForm(false), true
	case ActionInspectImport:
		return s.openForm(true), true
	case ActionBack:
		if s.showDetail {
			s.showDetail = false
			return nil, true
		}
		if s.step == stepEntries && s.filter != 0 {
			s.setFilter(0)
			return nil, true
		}
		if s.scanCancel != nil && s.scanning {
			s.scanCancel()
		}
		return nil, false
	default:
		return nil, false
	}
	return nil, true
}

// View draws the step bar, the step's one-line explanation and its body.
func (s *inspector) View(w, h int) []string {
	st := &s.env.c.Styles
	var tabs []string
	for i := range numSteps {
		label := strconv.Itoa(int(i)+1) + " " + stepTitles[i]
		if i == s.step {
			tabs = append(tabs, st.Selected.Render("[ "+label+" ]"))
		} else {
			tabs = append(tabs, st.Muted.Render("  "+label+"  "))
		}
	}
	out := []string{" " + strings.Join(tabs, ""), " " + st.Text.Render(stepExplain[s.step])}
	bodyH := max(h-2, 0)
	title := "Journal of " + s.spec.Pool + "/" + s.spec.Image + " on " + s.site
	if s.hdr.Spec != "" {
		title += " (" + s.hdr.Spec + ")"
	}
	inner := max(w-4, 0)
	var lines []string
	switch {
	case s.opening:
		lines = []string{st.Muted.Render("Reading the journal header…")}
	case s.openErr != "":
		lines = wrapLines(st.status(levelErr).Render("✗ cannot open the journal: "+s.openErr), inner)
		lines = append(lines, "", st.Muted.Render("esc goes back; r tries again"))
	default:
		switch s.step {
		case stepHeader:
			lines = s.viewHeader(inner)
		case stepClients:
			lines = s.viewClients(inner, bodyH-2)
		case stepScan:
			lines = s.viewScan(inner, bodyH-2)
		case stepEntries:
			lines = s.viewEntries(inner, bodyH-2)
		case stepTransfer:
			lines = s.viewTransfer(inner)
		}
	}
	out = append(out, box(st, title, lines, w, bodyH)...)
	return block(out, w, h)
}

func wrapLines(s string, w int) []string {
	if w <= 0 {
		return nil
	}
	return strings.Split(ansi.Wrap(s, w, " "), "\n")
}

// kv renders a label and value row.
func (s *inspector) kv(label, value string) string {
	st := &s.env.c.Styles
	return st.Label.Render(fit(label, 15)) + st.Value.Render(value)
}

func (s *inspector) viewHeader(w int) []string {
	st := &s.env.c.Styles
	h := s.hdr
	dataPool := h.DataPool + " (the image's pool)"
	if h.DataPoolSet {
		dataPool = h.DataPool + " (set for the journal: rbd's object_pool)"
	}
	sets := h.ActiveSet - h.MinimumSet + 1
	stored := s.scanState()
	if s.scan != nil {
		stored = fmt.Sprintf("%s entries in %d objects, %s", thousands(len(s.scan.Entries)), s.scan.Objects, humanBytes(uint64(s.scan.Bytes)))
	}
	lines := []string{
		s.kv("Journal", h.Spec+"  (image "+h.Pool+"/"+h.Image+")"),
		s.kv("Object size", humanBytes(h.ObjectSize)+" (order "+strconv.Itoa(int(h.Order))+")"),
		s.kv("Splay width", strconv.Itoa(int(h.SplayWidth))+" objects written in parallel"),
		s.kv("Data pool", dataPool),
		s.kv("Minimum set", fmt.Sprintf("%d (oldest set kept; objects %d..)", h.MinimumSet, h.MinimumSet*uint64(h.SplayWidth))),
		s.kv("Active set", fmt.Sprintf("%d (being appended to; %d set(s), at most %d objects)", h.ActiveSet, sets, sets*uint64(h.SplayWidth))),
		s.kv("Stored", stored),
		s.kv("Clients", strconv.Itoa(len(h.Clients))+" registered (step 2)"),
		s.kv("Next tag", fmt.Sprintf("tid %d", h.NextTagTID)),
		s.kv("Header object", h.HeaderObject),
		s.kv("Data objects", h.ObjectPrefix+"<n>"),
	}
	for _, p := range h.Problems {
		lines = append(lines, st.status(levelErr).Render("✗ header: "+p))
	}
	lines = append(lines, "", st.Muted.Render("tab: next step (the clients) · esc: back to the tree"))
	return lines
}

// scanState says how far the scan is, for steps that wait on it.
func (s *inspector) scanState() string {
	switch {
	case s.scanErr != "":
		return "scan failed: " + s.scanErr
	case s.scanning && s.scanTotal > 0:
		return fmt.Sprintf("scanning… %d of %d objects", s.scanDone, s.scanTotal)
	case s.scanning:
		return "scanning…"
	}
	return "not scanned"
}

func (s *inspector) lagOf(id string) (model.JournalClientLag, bool) {
	if s.scan == nil {
		return model.JournalClientLag{}, false
	}
	for _, l := range s.scan.Lags {
		if l.ID == id {
			return l, true
		}
	}
	return model.JournalClientLag{}, false
}

func clientName(id string) string {
	if id == "" {
		return `"" (the image)`
	}
	return strconv.Quote(id)
}

func posText(ps []model.Position) string {
	if len(ps) == 0 {
		return "none (from the start)"
	}
	p := ps[0]
	return fmt.Sprintf("object %d, tag %d, entry %d", p.ObjectNumber, p.TagTID, p.EntryTID)
}

// posShort is a commit position in few cells: object/tag/entry.
func posShort(ps []model.Position) string {
	if len(ps) == 0 {
		return "start"
	}
	p := ps[0]
	return fmt.Sprintf("%d/%d/%d", p.ObjectNumber, p.TagTID, p.EntryTID)
}

func (s *inspector) viewClients(w, h int) []string {
	st := &s.env.c.Styles
	idW := 16
	for _, c := range s.hdr.Clients {
		idW = max(idW, min(ansi.StringWidth(clientName(c.ID))+2, 40))
	}
	if w < 120 {
		idW = min(idW, 16)
	}
	// Narrow terminals drop the kind and shorten positions, so the lag
	// and what it holds back stay on screen.
	wide := w >= 120
	kindW, posW := 26, 34
	if !wide {
		kindW, posW = 0, 18
	}
	head := " " + fit("Client", idW) + fit("Kind", kindW) + fit("State", 15) + fit(map[bool]string{true: "Commit position", false: "Commit o/t/e"}[wide], posW) + fit("Lag (entries/bytes)", 20) + "Holds back"
	lines := []string{st.Label.Render(clip(head, w))}
	var callouts []string
	for i, c := range s.hdr.Clients {
		state := st.status(levelOK).Render(fit("✓ connected", 15))
		if c.Disconnected {
			state = st.status(levelErr).Render(fit("✗ disconnected", 15))
		}
		lag, held := s.scanState(), ""
		if l, ok := s.lagOf(c.ID); ok {
			lag = thousands(l.LagEntries) + " / " + humanBytes(uint64(l.LagBytes))
			if l.PinnedObjects > 0 {
				held = fmt.Sprintf("%d objects, %s", l.PinnedObjects, humanBytes(uint64(l.PinnedBytes)))
			} else {
				held = "—"
			}
			switch {
			case c.Disconnected:
				callouts = append(callouts, st.status(levelErr).Render(fmt.Sprintf("✗ client %s is disconnected: trimming ignores it, so it holds nothing back, but the %s entries after its commit position may be trimmed before it replays them; a mirror peer must resync.",
					clientName(c.ID), thousands(l.LagEntries))))
			case l.PinnedObjects > 0 || l.LagEntries >= farBehind:
				callouts = append(callouts, st.status(levelWarn).Render(fmt.Sprintf("▲ client %s is %s entries (%s) behind; it holds back %d objects (%s) of sets %d.. from trimming until it catches up or is disconnected.",
					clientName(c.ID), thousands(l.LagEntries), humanBytes(uint64(l.LagBytes)), l.PinnedObjects, humanBytes(uint64(l.PinnedBytes)), l.CommitSet)))
			}
		}
		pos := posText(c.Commit)
		if !wide {
			pos = posShort(c.Commit)
		}
		row := fit(clientName(c.ID), idW) + fit(c.Description, kindW) + state + fit(pos, posW) + fit(lag, 20) + held
		if i == s.cliCur {
			row = st.Selected.Render("▌" + clip(row, w-1))
		} else {
			row = " " + st.Text.Render(clip(row, w-1))
		}
		lines = append(lines, row)
	}
	if len(s.hdr.Clients) == 0 {
		lines = append(lines, st.Muted.Render("no client is registered"))
	}
	lines = append(lines, "")
	if len(callouts) == 0 && s.scan != nil {
		callouts = append(callouts, st.status(levelOK).Render("✓ every client is connected and none holds the journal back from trimming"))
	}
	for _, c := range callouts {
		lines = append(lines, wrapLines(c, w)...)
	}
	return lines
}

// bar draws a progress bar of width w, rbdtui's one bar style (shared
// with the CLI); the numbers go beside it.
func bar(done, total int64, w int) string { return progress.Bar(done, total, w) }

func (s *inspector) viewScan(w, h int) []string {
	st := &s.env.c.Styles
	var lines []string
	switch {
	case s.scanning:
		bw := max(min(w-30, 50), 10)
		lines = append(lines, st.Text.Render("Reading every object ")+st.Accent.Render(bar(s.scanDone, s.scanTotal, bw))+
			st.Text.Render(fmt.Sprintf(" %d/%d objects", s.scanDone, s.scanTotal)))
		return lines
	case s.scanErr != "":
		lines = append(lines, wrapLines(st.status(levelErr).Render("✗ the scan failed: "+s.scanErr), w)...)
		return append(lines, st.Muted.Render("r scans again"))
	case s.scan == nil:
		return []string{st.Muted.Render("not scanned yet")}
	}
	sc := s.scan
	lines = append(lines, st.Text.Render(fmt.Sprintf("Read %d objects (%s) holding %s entries in %s.", sc.Objects, humanBytes(uint64(sc.Bytes)), thousands(len(sc.Entries)), shortDur(s.scanTook))))
	if len(sc.Findings) == 0 {
		lines = append(lines, "", st.status(levelOK).Render("✓ No structural findings: the journal is clean."))
		return lines
	}
	errs := 0
	for _, f := range sc.Findings {
		if f.Severity == "error" {
			errs++
		}
	}
	lines = append(lines, st.status(levelErr).Render(fmt.Sprintf("✗ %d finding(s), %d of them errors:", len(sc.Findings), errs)))
	head := fit("", 3) + fit("Severity", 10) + fit("Kind", 24) + fit("Object", 34) + fit("Offset", 9) + "What is wrong"
	lines = append(lines, st.Label.Render(clip(head, w)))
	// The selected finding's full message goes under the list.
	sel := sc.Findings[min(s.findCur, len(sc.Findings)-1)]
	full := wrapLines(sel.Message, w)
	rows := max(h-len(lines)-len(full)-1, 1)
	off := 0
	if s.findCur >= rows {
		off = s.findCur - rows + 1
	}
	for i := off; i < len(sc.Findings) && i < off+rows; i++ {
		f := sc.Findings[i]
		sym, lv := "✗ ", levelErr
		if f.Severity != "error" {
			sym, lv = "▲ ", levelWarn
		}
		off := "—"
		if f.Object != "" {
			off = strconv.Itoa(f.Offset)
		}
		msg := f.Message
		if f.HasEntry {
			msg = fmt.Sprintf("tag %d entry %d: %s", f.TagTID, f.EntryTID, msg)
		}
		if f.Client != "" {
			msg = "client " + clientName(f.Client) + ": " + msg
		}
		row := fit(f.Severity, 10) + fit(f.Kind, 24) + fit(f.Object, 34) + fit(off, 9) + msg
		if i == s.findCur {
			lines = append(lines, st.Selected.Render(clip("▌"+sym+row, w)))
		} else {
			lines = append(lines, clip(" "+st.status(lv).Render(sym)+st.Text.Render(row), w))
		}
	}
	lines = append(lines, "")
	return append(lines, full...)
}

// thousands prints n with commas: 100,000.
func thousands(n int) string {
	s := strconv.Itoa(n)
	if n < 0 || len(s) <= 3 {
		return s
	}
	var b strings.Builder
	pre := len(s) % 3
	if pre > 0 {
		b.WriteString(s[:pre])
	}
	for i := pre; i < len(s); i += 3 {
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(s[i : i+3])
	}
	return b.String()
}

func (s *inspector) viewEntries(w, h int) []string {
	st := &s.env.c.Styles
	if s.scan == nil {
		return []string{st.Muted.Render("The entries are listed once the scan has read the journal: " + s.scanState())}
	}
	sc := s.scan
	n := s.rowCount()
	typ := "every type"
	if s.filter > 0 {
		typ = sc.Types[s.filter-1]
	}
	status := fmt.Sprintf("Type: %s (t: next type of %d) · %s of %s entries", typ, len(sc.Types), thousands(n), thousands(len(sc.Entries)))
	if n > 0 {
		status = fmt.Sprintf("Type: %s (t: next type of %d) · entry %s of %s", typ, len(sc.Types), thousands(s.cur+1), thousands(n))
		if s.filter > 0 {
			status += " (" + thousands(len(sc.Entries)) + " in all)"
		}
	}
	lines := []string{st.Muted.Render(clip(status, w))}
	if sc.Stopped != "" {
		lines = append(lines, clip(st.status(levelWarn).Render("▲ replay stops early; entries it does not reach are listed after it as unreached: "+sc.Stopped), w))
	}
	listW, detW := w, 0
	if s.showDetail {
		if w >= 110 {
			detW = min(60, w/2)
			listW = w - detW - 1
		} else {
			listW = 0
			detW = w
		}
	}
	rows := max(h-len(lines)-1, 1)
	s.page = rows
	if s.cur < s.off {
		s.off = s.cur
	}
	if s.cur >= s.off+rows {
		s.off = s.cur - rows + 1
	}
	s.off = max(min(s.off, n-rows), 0)
	var list []string
	if listW > 0 {
		list = append(list, st.Label.Render(fit(" "+entryHead, listW)))
		for r := 0; r < rows && s.off+r < n; r++ {
			i := s.off + r
			idx := i
			if s.view != nil {
				idx = int(s.view[i])
			}
			row := entryRow(&sc.Entries[idx])
			if i == s.cur {
				list = append(list, st.Selected.Render(fit("▌"+row, listW)))
			} else {
				list = append(list, fit(" "+st.Text.Render(row), listW))
			}
		}
		if n == 0 {
			list = append(list, st.Muted.Render("no entries"))
		}
	}
	if detW == 0 {
		return append(lines, list...)
	}
	det := s.viewDetail(detW)
	if listW == 0 {
		return append(lines, det...)
	}
	for i := 0; i < max(len(list), len(det)); i++ {
		l, d := "", ""
		if i < len(list) {
			l = list[i]
		}
		if i < len(det) {
			d = det[i]
		}
		lines = append(lines, fit(l, listW)+st.Border.Render("│")+clip(d, detW))
	}
	return lines
}

var entryHead = fmt.Sprintf("%-12s%-6s%-11s%-18s%6s  %s", "Commit", "Tag", "Entry tid", "Type", "Size", "Object")

// entryRow renders one entry without fmt: the list redraws on every key.
func entryRow(e *model.JournalEntry) string {
	var b []byte
	if e.CommitTID == 0 {
		b = append(b, "unreached"...)
	} else {
		b = strconv.AppendUint(b, e.CommitTID, 10)
	}
	b = padTo(b, 12)
	b = strconv.AppendUint(b, e.Tag, 10)
	b = padTo(b, 18)
	b = strconv.AppendUint(b, e.TID, 10)
	b = padTo(b, 29)
	b = append(b, e.Type...)
	b = padTo(b, 47)
	size := strconv.AppendUint(nil, uint64(e.Size), 10)
	b = padTo(b, 53-len(size))
	b = append(b, size...)
	b = padTo(b, 55)
	b = strconv.AppendUint(b, e.Object, 10)
	return string(b)
}

// padTo pads the ASCII row b with spaces to n bytes, keeping at least one
// space after a value that overflows its column.
func padTo(b []byte, n int) []byte {
	if len(b) >= n {
		return append(b, ' ')
	}
	for len(b) < n {
		b = append(b, ' ')
	}
	return b
}

func (s *inspector) viewDetail(w int) []string {
	st := &s.env.c.Styles
	i := s.selected()
	lines := []string{st.PaneTitle.Render(clip(" Entry detail (esc closes)", w))}
	switch {
	case i < 0:
		return append(lines, st.Muted.Render(" no entry"))
	case s.detailErr != "" && s.detailFor == -1:
		return append(lines, wrapLines(st.status(levelErr).Render(" ✗ "+s.detailErr), w)...)
	case s.detail == nil || s.detailFor != i:
		return append(lines, st.Muted.Render(" decoding…"))
	}
	d := s.detail
	e := d.Entry
	kv := func(k, v string) string { return " " + st.Label.Render(fit(k, 14)) + st.Value.Render(v) }
	commit := strconv.FormatUint(e.CommitTID, 10)
	if e.CommitTID == 0 {
		commit = "— (the replay does not reach it)"
	}
	lines = append(lines,
		kv("Commit tid", commit),
		kv("Tag", strconv.FormatUint(e.Tag, 10)+ownerText(d.TagOwner)),
		kv("Entry tid", strconv.FormatUint(e.TID, 10)),
		kv("Object", d.Object),
		kv("Offset", strconv.FormatUint(uint64(e.Offset), 10)),
		kv("Size", strconv.FormatUint(uint64(e.Size), 10)+" bytes framed"),
		"")
	if d.Err != "" {
		return append(lines, wrapLines(st.status(levelErr).Render(" ✗ the payload does not decode: "+d.Err), w)...)
	}
	lines = append(lines, st.Label.Render(" Decoded event"))
	for _, f := range d.Fields {
		lines = append(lines, kv(f.Name, f.Value))
	}
	return lines
}

func ownerText(o string) string {
	if o == "" {
		return ""
	}
	return " (" + o + ")"
}

func (s *inspector) viewTransfer(w int) []string {
	st := &s.env.c.Styles
	exp := s.transferArgv(false, "<file>")
	imp := s.transferArgv(true, "<file>")
	lines := []string{
		st.HintKey.Render("e") + st.Text.Render(" export: write the entries after the least advanced client's position to a new file"),
		"   " + st.Muted.Render(clip("$ "+rbdEquivalent(s.env.c.Commands, exp), w-3)),
	}
	if !s.env.c.ReadOnly {
		lines = append(lines,
			st.HintKey.Render("i")+st.Text.Render(" import: append an export file's entries to this journal (the file is checked first; asks)"),
			"   "+st.Muted.Render(clip("$ "+rbdEquivalent(s.env.c.Commands, imp), w-3)))
	} else {
		lines = append(lines, st.Muted.Render("  import is not offered in read-only mode"))
	}
	lines = append(lines, "")
	if f := s.form; f != nil {
		verb := "Export to"
		if f.importing {
			verb = "Import from"
		}
		switch {
		case f.confirm:
			ck := f.check
			lines = append(lines, st.Text.Render(fmt.Sprintf("%s checked: %s entries under tag(s) %s, %s", ck.Path, thousands(ck.Entries), tagList(ck.Tags), humanBytes(uint64(ck.Bytes)))))
			if ck.JournalID != "" && ck.JournalID != s.hdr.ID {
				lines = append(lines, st.status(levelWarn).Render("▲ exported from journal "+ck.JournalID+", not this one ("+s.hdr.ID+")"))
			}
			lines = append(lines, st.Text.Render("This will run:"),
				"  "+st.Accent.Render(s.site+"$ "+rbdEquivalent(s.env.c.Commands, s.transferArgv(true, ck.Path))),
				st.status(levelWarn).Render("▲ the entries are appended to the journal and replayed by its clients."))
			button := func(label string, on bool) string {
				if on {
					return st.Selected.Render("▶ " + label + " ◀")
				}
				return st.Muted.Render("  " + label + "  ")
			}
			lines = append(lines, button("Import", f.focus == 0)+"  "+button("Cancel", f.focus == 1),
				st.Muted.Render("←→ choose · enter · y imports · n/esc cancels (default: Cancel)"))
		default:
			lines = append(lines, "▌ "+st.Label.Render(verb+" file: ")+"["+f.path.view(st, max(w-24, 10))+"]")
			if !f.importing {
				from := "entries after the least advanced client (as rbd journal export)"
				if f.fromStart {
					from = "every retained entry (--from-start)"
				}
				lines = append(lines, "  "+st.Label.Render("From: ")+st.Text.Render(from)+st.Muted.Render("  · tab switches"),
					"  "+st.Muted.Render(clip("$ "+rbdEquivalent(s.env.c.Commands, s.exportArgv(f, strings.TrimSpace(f.path.String()))), w-3)))
			}
			if f.checking {
				lines = append(lines, st.Muted.Render("checking the file…"))
			} else if f.importing {
				lines = append(lines, st.Muted.Render("enter checks the file (nothing is written yet) · esc cancels"))
			} else {
				lines = append(lines, st.Muted.Render("enter exports (an existing file is never overwritten) · esc cancels"))
			}
		}
		if f.err != "" {
			lines = append(lines, wrapLines(st.status(levelErr).Render("✗ "+f.err), w)...)
		}
		return lines
	}
	if s.jobID != 0 {
		lines = append(lines, s.jobLines(w)...)
	}
	return lines
}

func tagList(tags []uint64) string {
	parts := make([]string, 0, len(tags))
	for i, t := range tags {
		if i == 8 {
			parts = append(parts, "…")
			break
		}
		parts = append(parts, strconv.FormatUint(t, 10))
	}
	return strings.Join(parts, ", ")
}

// expectedExport is how many entries an export writes: those after the
// least advanced connected client's position (every entry when a
// connected client has none).
func (s *inspector) expectedExport() int64 {
	if s.scan == nil {
		return 0
	}
	var most int64
	for _, c := range s.hdr.Clients {
		if c.Disconnected {
			continue
		}
		if l, ok := s.lagOf(c.ID); ok {
			most = max(most, int64(l.LagEntries))
		}
	}
	return most
}

func (s *inspector) jobLines(w int) []string {
	st := &s.env.c.Styles
	verb := map[string]string{"export": "Exporting to", "import": "Importing from"}[s.jobKind]
	switch {
	case s.jobRunning:
		done := int64(0)
		if s.jobProgress != nil {
			done = s.jobProgress.Done
		}
		line := st.Text.Render(verb + " " + s.jobPath + "… ")
		if total := s.expectedExport(); s.jobKind == "export" && total > 0 {
			line += st.Accent.Render(bar(done, total, 30)) + st.Text.Render(fmt.Sprintf(" %s of ~%s entries", thousands(int(done)), thousands(int(total))))
		} else if done > 0 {
			line += st.Text.Render(thousands(int(done)) + " entries")
		}
		return []string{clip(line, w)}
	case s.jobFailed:
		return wrapLines(st.status(levelErr).Render("✗ "+s.jobKind+" "+s.jobPath+" failed: "+s.jobResult), w)
	}
	msg := "✓ " + s.jobKind + " " + s.jobPath + " done"
	if s.jobResult != "" {
		msg += ": " + s.jobResult
	}
	return wrapLines(st.status(levelOK).Render(msg), w)
}

// openInspectorOn opens the inspector on the selected image's journal (`J`).
func (a *App) openInspectorOn(ctx KeyContext) tea.Cmd {
	if len(ctx.Targets) != 1 {
		return a.setFlash(flashWarn, "select one image or journal to inspect")
	}
	t := ctx.Targets[0]
	return a.openInspector(t.Site, model.ImageSpec{Pool: t.Pool, Image: t.Name})
}

// openInspectorCommand opens the inspector an `inspect` command names.
func (a *App) openInspectorCommand(inv *grammar.Invocation) tea.Cmd {
	spec, err := inspectSpec(inv)
	if err != nil {
		return a.setFlash(flashErr, "inspect: "+err.Error())
	}
	site := inv.Globals.Site
	if site == "" {
		if sites := a.c.Backend.Sites(); len(sites) > 0 {
			site = sites[0].Name
		}
	}
	return a.openInspector(site, spec)
}

// inspectSpec reads the image an `inspect` invocation names: a positional
// pool/image, or --pool and --image.
func inspectSpec(inv *grammar.Invocation) (model.ImageSpec, error) {
	pos, img := inv.Arg("image-spec"), inv.Flag("image")
	switch {
	case pos != "" && img != "":
		return model.ImageSpec{}, fmt.Errorf("give the image either as <image-spec> or with --image, not both")
	case pos != "":
		spec, err := model.ParseImageSpec(pos, false)
		if err == nil && inv.Flag("pool") != "" && !strings.Contains(pos, "/") {
			spec.Pool = inv.Flag("pool")
		}
		return spec, err
	case img != "":
		spec := model.ImageSpec{Pool: inv.Flag("pool"), Image: img}
		if spec.Pool == "" {
			spec.Pool = model.DefaultPool
		}
		return spec, nil
	}
	return model.ImageSpec{}, fmt.Errorf("which image? give <pool>/<image>")
}

func (a *App) openInspector(site string, spec model.ImageSpec) tea.Cmd {
	if _, ok := a.c.Backend.(model.JournalBrowser); !ok {
		return a.setFlash(flashErr, "this backend cannot open journals for inspection")
	}
	return pushScreen(newInspector(a.env(), site, spec))
}
