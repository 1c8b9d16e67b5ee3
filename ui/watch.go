package ui

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/rbdtui/rbdtui/internal/grammar"
	"github.com/rbdtui/rbdtui/model"
)

// The live failover watch: one row per image with its state on every site,
// which side is primary, the replay lag and its trend, throughput, time to
// synced and the age of the status; the timeline of transitions under it;
// a summary line that counts images by state in words and symbols.
//
// All I/O is one model.WatchSession.Poll at a time, in a Cmd under
// Common.Timeout. Each poll carries a sequence number and an answer older
// than the newest applied one is dropped; the next tick is scheduled only
// when the answer arrives, so polls never overlap. Everything a frame
// shows is computed once when the frame lands (applyFrame); View formats
// only the visible rows, so a watch of thousands of images stays instant.

// Watch screen actions (the screen's own bindings).
const (
	ActionWatchSort   = "watch-sort"
	ActionWatchPause  = "watch-pause"
	ActionWatchFocus  = "watch-focus"
	ActionWatchFaults = "watch-faults"
)

// watchBindings are the watch screen's own key bindings.
func watchBindings() []Binding {
	return []Binding{
		{Action: ActionWatchSort, Keys: []string{"s"}, Help: "watch: sort by name, lag, or problems first", Hint: true, Scope: ScopeWatch},
		{Action: ActionWatchPause, Keys: []string{"p"}, Help: "watch: pause / resume polling", Hint: true, Scope: ScopeWatch},
		{Action: ActionWatchFocus, Keys: []string{"tab"}, Help: "watch: move the cursor between the images and the event timeline", Hint: true, Scope: ScopeWatch},
		{Action: ActionWatchFaults, Keys: []string{"f"}, Help: "watch: show only images that need attention (not replaying, error, split-brain, syncing)", Scope: ScopeWatch},
	}
}

// watchScope is what a watch covers. Group is "pool/group"; Images are
// "pool/image" specs.
type watchScope struct {
	Pool   string
	Group  string
	Images []string
}

func (s watchScope) model() model.WatchScope {
	return model.WatchScope{Pool: s.Pool, Group: s.Group, Images: s.Images}
}

// watchInterval is how often the watch polls: Common.Refresh kept within
// 1-2 s, since a watch slower than that is not live; 2 s when auto-refresh
// is off.
func watchInterval(c *Common) time.Duration {
	if c.Refresh <= 0 {
		return 2 * time.Second
	}
	return min(max(c.Refresh, time.Second), 2*time.Second)
}

// stale reports whether data of this age is older than two refresh
// intervals, and so must be marked as old wherever it shows. With
// auto-refresh off nothing is expected to be newer than its shown age.
func stale(age, interval time.Duration) bool {
	return interval > 0 && age > 2*interval
}

// maxWatchEvents bounds the timeline kept in memory.
const maxWatchEvents = 1000

// watchClass is a row's state for the summary: the state of its
// non-primary copies, the worst of them.
type watchClass int

const (
	wcReplaying watchClass = iota
	wcSyncing
	wcStopped
	wcError
	wcUnknown
	wcOff // not mirrored on any site that answers
	numWatchClasses
)

var watchClassWords = [numWatchClasses]string{"replaying", "syncing", "stopped", "error", "unknown", "not mirrored"}
var watchClassSymbols = [numWatchClasses]string{"●", "▲", "■", "✖", "?", "○"}
var watchClassLevels = [numWatchClasses]level{levelOK, levelWarn, levelWarn, levelErr, levelUnknown, levelUnknown}

// attention says whether rows of a class need an operator's attention:
// every class but replaying and not mirrored (the watch's side of
// model.Attention).
func (c watchClass) attention() bool { return c != wcReplaying && c != wcOff }

// problem ranks classes for "problems first".
var watchClassRank = [numWatchClasses]int{4, 2, 3, 0, 1, 5}

type watchSort int

const (
	sortByName watchSort = iota
	sortByLag
	sortByProblem
	numWatchSorts
)

var watchSortNames = [numWatchSorts]string{"name", "lag", "problems first"}

// watchRow is one image with everything View shows precomputed.
type watchRow struct {
	id      string // pool/image
	class   watchClass
	primary string // the primary's site, "—" when none, or a warning
	primLvl level
	cells   []string // per site: symbol + state
	cellLvl []level
	lag     int64 // for sorting; -1 when unknown
	lagText string
	// reported is rbd-mirror's own figure for the lag when the row's lag
	// is read live ("" when the lag is rbd-mirror's); its age is the
	// STATUS column's.
	reported string
	rate     string
	eta      string
	updated  time.Time // the newest status update of a non-primary copy
	spark    string    // the whole trend; View shows its tail
}

type watchFrameMsg struct {
	w     *watch
	seq   uint64
	frame model.WatchFrame
	err   error
}

type watchTickMsg struct {
	w  *watch
	id uint64
}

// watch is the live failover watch screen.
type watch struct {
	env   *screenEnv
	scope watchScope
	sess  model.WatchSession
	// openErr is why no session could be opened; pollErr why the last
	// poll failed (the last frame stays on screen).
	openErr, pollErr string

	seq      uint64 // of the newest poll sent
	applied  uint64 // of the newest frame applied
	inFlight bool
	again    bool // poll again as soon as the one in flight answers
	tickID   uint64
	paused   bool

	sortBy  watchSort
	faults  bool
	onTimel bool // the cursor moves the timeline, not the rows

	polled   bool
	frameAt  time.Time
	took     time.Duration
	sites    []model.WatchSite
	siteW    int
	rows     []watchRow
	shown    []int // indices into rows, in display order
	counts   [numWatchClasses]int
	cursor   string // id of the row under the cursor
	cur, off int
	events   []model.WatchEvent // oldest first
	evOff    int                // timeline scroll, 0 = newest on top
	lastRows int                // rows shown by the last View, for paging
}

// newWatch builds the watch screen for a scope. The failover wizard ends
// in it.
func newWatch(env *screenEnv, scope watchScope) Screen {
	return &watch{env: env, scope: scope}
}

func (w *watch) Name() string { return ScopeWatch }

func (w *watch) Title() string { return "watch " + w.scope.model().String() }

// Init opens the session (no I/O: the backend resolves the scope on the
// first poll) and polls.
func (w *watch) Init() tea.Cmd {
	wt, ok := w.env.c.Backend.(model.MirrorWatcher)
	if !ok {
		w.openErr = "this backend cannot watch mirroring live"
		return nil
	}
	sess, err := wt.Watch(w.scope.model())
	if err != nil {
		w.openErr = oneLine(err.Error())
		return nil
	}
	w.sess = sess
	return w.poll()
}

// poll sends one poll unless one is in flight, in which case another
// follows it.
func (w *watch) poll() tea.Cmd {
	if w.sess == nil {
		return nil
	}
	if w.inFlight {
		w.again = true
		return nil
	}
	w.inFlight = true
	w.seq++
	if f, ok := w.sess.(model.WatchFocus); ok {
		// The rows on screen are read from the images themselves even
		// in a pool too large to read every image on every poll.
		f.Focus(w.onScreen())
	}
	seq, sess, ctx, timeout := w.seq, w.sess, w.env.ctx, w.env.c.Timeout
	return func() tea.Msg {
		f, err := withDeadline(ctx, timeout, func(ctx context.Context) (model.WatchFrame, error) {
			return sess.Poll(ctx)
		})
		return watchFrameMsg{w: w, seq: seq, frame: f, err: err}
	}
}

// onScreen is the images of the rows the last View showed (the first
// screenful before any).
func (w *watch) onScreen() []string {
	h := w.lastRows
	if h <= 0 {
		h = 50
	}
	var out []string
	for i := w.off; i < len(w.shown) && len(out) < h; i++ {
		out = append(out, w.rows[w.shown[i]].id)
	}
	return out
}

// tick schedules the next poll under a new tick id, retiring older ticks.
func (w *watch) tick() tea.Cmd {
	w.tickID++
	id := w.tickID
	return w.env.after(watchInterval(w.env.c), func(time.Time) tea.Msg { return watchTickMsg{w: w, id: id} })
}

func (w *watch) Key(tea.KeyMsg) (tea.Cmd, bool) { return nil, false }

func (w *watch) Update(msg tea.Msg) tea.Cmd {
	switch m := msg.(type) {
	case watchFrameMsg:
		if m.w != w {
			return nil
		}
		if m.seq == w.seq {
			w.inFlight = false
		}
		if m.seq <= w.applied {
			return nil // an answer older than what is on screen
		}
		if m.err != nil {
			w.pollErr = oneLine(m.err.Error())
		} else {
			w.applied = m.seq
			w.pollErr = ""
			w.applyFrame(m.frame)
		}
		if w.again && !w.paused {
			w.again = false
			return w.poll()
		}
		if w.paused {
			return nil
		}
		return w.tick()
	case watchTickMsg:
		if m.w != w || m.id != w.tickID || w.paused {
			return nil
		}
		return w.poll()
	}
	return nil
}

// Uses says which shared actions the watch does something with, for the
// hint line and help (see actionUser); expand and collapse are not among
// them.
func (w *watch) Uses(action string) bool {
	switch action {
	case ActionExpand, ActionCollapse:
		return false
	}
	return true
}

func (w *watch) Action(b Binding) (tea.Cmd, bool) {
	switch b.Action {
	case ActionUp:
		w.move(-1)
	case ActionDown:
		w.move(1)
	case ActionPageUp:
		w.move(-max(w.lastRows-1, 1))
	case ActionPageDown:
		w.move(max(w.lastRows-1, 1))
	case ActionTop:
		w.move(-1 << 30)
	case ActionBottom:
		w.move(1 << 30)
	case ActionRefresh:
		if w.paused {
			return w.env.flash(flashWarn, "the watch is paused (p resumes)"), true
		}
		return w.poll(), true
	case ActionWatchSort:
		w.sortBy = (w.sortBy + 1) % numWatchSorts
		w.order()
		return w.env.flash(flashInfo, "sorted by "+watchSortNames[w.sortBy]), true
	case ActionWatchPause:
		w.paused = !w.paused
		if w.paused {
			w.tickID++ // retire the pending tick
			return w.env.flash(flashInfo, "watch paused: the screen keeps the last poll"), true
		}
		return tea.Batch(w.env.flash(flashInfo, "watch resumed"), w.poll()), true
	case ActionWatchFocus:
		w.onTimel = !w.onTimel
	case ActionWatchFaults:
		w.faults = !w.faults
		w.order()
		if w.faults {
			return w.env.flash(flashInfo, "showing only images that need attention"), true
		}
		return w.env.flash(flashInfo, "showing every image"), true
	default:
		return nil, false
	}
	return nil, true
}

// move moves the cursor of the focused list.
func (w *watch) move(n int) {
	if w.onTimel {
		w.evOff = min(max(w.evOff+n, 0), max(len(w.events)-1, 0))
		return
	}
	if len(w.shown) == 0 {
		return
	}
	w.cur = min(max(w.cur+n, 0), len(w.shown)-1)
	w.cursor = w.rows[w.shown[w.cur]].id
}

// applyFrame precomputes every row of a frame, merges its events and
// puts the cursor back on the image it was on.
func (w *watch) applyFrame(f model.WatchFrame) {
	w.polled = true
	w.frameAt, w.took, w.sites = f.At, f.Took, f.Sites
	w.siteW = 0
	for _, s := range f.Sites {
		w.siteW = max(w.siteW, len(s.Site))
	}
	w.rows = w.rows[:0]
	w.counts = [numWatchClasses]int{}
	for i := range f.Rows {
		r := w.rowOf(&f.Rows[i])
		w.counts[r.class]++
		w.rows = append(w.rows, r)
	}
	if len(f.Events) > 0 {
		if w.evOff > 0 {
			w.evOff += len(f.Events) // keep the lines being read in place
		}
		w.events = append(w.events, f.Events...)
		if n := len(w.events) - maxWatchEvents; n > 0 {
			w.events = append([]model.WatchEvent(nil), w.events[n:]...)
		}
		w.evOff = min(w.evOff, max(len(w.events)-1, 0))
	}
	w.order()
}

// order sorts and filters the rows and finds the cursor's row again.
func (w *watch) order() {
	rows := w.rows
	sort.SliceStable(rows, func(i, j int) bool {
		a, b := &rows[i], &rows[j]
		switch w.sortBy {
		case sortByLag:
			if a.lag != b.lag {
				return a.lag > b.lag
			}
		case sortByProblem:
			if ra, rb := watchClassRank[a.class], watchClassRank[b.class]; ra != rb {
				return ra < rb
			}
		}
		return a.id < b.id
	})
	w.shown = w.shown[:0]
	for i := range rows {
		if !w.faults || rows[i].class.attention() {
			w.shown = append(w.shown, i)
		}
	}
	w.cur = min(w.cur, max(len(w.shown)-1, 0))
	for i, ri := range w.shown {
		if rows[ri].id == w.cursor {
			w.cur = i
			break
		}
	}
	if len(w.shown) > 0 {
		w.cursor = rows[w.shown[w.cur]].id
	}
}

// rowOf precomputes one row.
func (w *watch) rowOf(r *model.WatchRow) watchRow {
	out := watchRow{id: r.Image, lag: -1, cells: make([]string, len(r.Cells)), cellLvl: make([]level, len(r.Cells))}
	var primaries, stalePrim []string
	var sec *model.WatchCell
	secClass, fresh, mirrored := wcUnknown, 0, 0
	for i := range r.Cells {
		c := &r.Cells[i]
		site := ""
		if i < len(w.sites) {
			site = w.sites[i].Site
		}
		down := i < len(w.sites) && !w.sites[i].Up()
		out.cells[i], out.cellLvl[i] = cellText(c, down)
		if !c.Present {
			continue
		}
		if c.Stale {
			if c.Primary {
				stalePrim = append(stalePrim, site)
			}
			continue
		}
		fresh++
		if c.MirrorState != model.MirrorEnabled {
			continue
		}
		mirrored++
		if c.Primary {
			primaries = append(primaries, site)
			continue
		}
		cl := cellClass(c)
		if sec == nil || watchClassRank[cl] < watchClassRank[secClass] {
			sec, secClass = c, cl
		}
	}
	switch {
	case len(primaries) > 1:
		out.primary, out.primLvl = "✖ "+strings.Join(primaries, "+"), levelErr
		out.class = wcError
	case len(primaries) == 1:
		out.primary, out.primLvl = primaries[0], levelOK
	case len(stalePrim) > 0:
		out.primary, out.primLvl = stalePrim[0]+"?", levelUnknown
	case fresh > 0 && mirrored == 0:
		out.primary, out.primLvl = "—", levelUnknown
	case fresh > 0:
		out.primary, out.primLvl = "▲ none", levelWarn
	default:
		out.primary, out.primLvl = "?", levelUnknown
	}
	if len(primaries) <= 1 {
		out.class = secClass
		if fresh > 0 && mirrored == 0 {
			out.class = wcOff
		}
	}
	out.lagText, out.rate, out.eta = "—", "—", "—"
	if sec != nil {
		out.lagText = lagText(r.Mode, sec)
		if sec.LagLive {
			out.reported = "—"
			if sec.ReportedLag != nil {
				out.reported = lagText(r.Mode, &model.WatchCell{Lag: sec.ReportedLag})
			}
		}
		if sec.Lag != nil {
			out.lag = *sec.Lag
		}
		switch {
		case sec.BytesPerSec != nil:
			out.rate = humanBytes(uint64(*sec.BytesPerSec)) + "/s"
		case sec.EntriesPerSec != nil:
			// Replayed entries per second, from successive live reads.
			out.rate = fmt.Sprintf("%.0f e/s", max(*sec.EntriesPerSec, 0))
		}
		switch {
		case sec.Lag != nil && *sec.Lag == 0 && secClass == wcReplaying:
			out.eta = "synced"
		case sec.ETA != nil && *sec.ETA < time.Second:
			out.eta = "<1s"
		case sec.ETA != nil:
			out.eta = shortDur(*sec.ETA)
		}
		if sec.Status != nil {
			out.updated = sec.Status.LastUpdate
		}
		out.spark = sparkline(sec.History)
	}
	return out
}

// cellText is one site's state of a row, symbol and words.
func cellText(c *model.WatchCell, siteDown bool) (string, level) {
	switch {
	case !c.Present && siteDown:
		return "✖ unreachable", levelErr
	case !c.Present:
		return "— absent", levelUnknown
	case c.Stale:
		if c.Primary {
			return "? was primary", levelUnknown
		}
		if c.MirrorState != model.MirrorEnabled {
			return "? not mirrored", levelUnknown
		}
		if c.Status != nil {
			return "? was " + c.Status.State, levelUnknown
		}
		return "? unreachable", levelUnknown
	case c.MirrorState == model.MirrorDisabling:
		return "◌ disabling", levelWarn
	case c.MirrorState != model.MirrorEnabled:
		return "○ not mirrored", levelUnknown
	case c.Primary:
		return "◆ primary", levelOK
	}
	img := model.Image{MirrorState: model.MirrorEnabled, Local: c.Status}
	h := imageStatus(&img)
	if c.Status == nil || h.level == levelErr {
		return h.symbol + " " + h.word, h.level
	}
	// A non-primary copy carries the symbol of its class in the summary
	// line, so "■ 2 stopped" there matches "■ up+stopped" in the rows
	// (the tree's ● for stopped is about primary copies, which rest so).
	cl := cellClass(c)
	return watchClassSymbols[cl] + " " + h.word, watchClassLevels[cl]
}

// cellClass classifies a non-primary copy.
func cellClass(c *model.WatchCell) watchClass {
	st := c.Status
	switch {
	case st == nil:
		return wcUnknown
	case st.SplitBrain || st.State == model.StateError || !st.Up:
		return wcError
	case st.ResyncRequested || st.BootstrapPercent != nil:
		return wcSyncing
	}
	switch st.State {
	case model.StateReplaying:
		return wcReplaying
	case model.StateSyncing, model.StateStartingReplay:
		return wcSyncing
	case model.StateStopped, model.StateStoppingReplay:
		return wcStopped
	}
	return wcUnknown
}

// lagText says how far a copy is behind: entries (journal), or snapshot
// age and sync progress (snapshot).
func lagText(mode string, c *model.WatchCell) string {
	var parts []string
	if c.Lag != nil {
		if mode == model.ModeSnapshot {
			d := "0s" // not shortDur's "0ms": a snapshot lag is in whole seconds
			if *c.Lag != 0 {
				d = shortDur(time.Duration(*c.Lag) * time.Second)
			}
			parts = append(parts, "snap "+d)
		} else {
			parts = append(parts, strconv.FormatInt(*c.Lag, 10)+" entries")
			if c.LagBytes != nil && *c.Lag > 0 {
				// The journal bytes behind, "~" when estimated.
				parts = append(parts, map[bool]string{true: "~", false: ""}[c.LagBytesEstimated]+humanBytes(uint64(*c.LagBytes)))
			}
		}
	}
	if c.SyncPercent != nil {
		parts = append(parts, fmt.Sprintf("%.0f%%", *c.SyncPercent))
	}
	if len(parts) == 0 {
		return "—"
	}
	return strings.Join(parts, " ")
}

var sparkRunes = []rune("▁▂▃▄▅▆▇█")

// sparkline draws lags scaled to their maximum, or to 8 when that is
// smaller, so a lag of one entry does not fill the bar: a flat ▁ line is
// no lag.
func sparkline(h []int64) string {
	if len(h) == 0 {
		return ""
	}
	top := int64(8)
	for _, v := range h {
		top = max(top, v)
	}
	out := make([]rune, len(h))
	for i, v := range h {
		n := 0
		if top > 0 && v > 0 {
			n = 1 + int(v*int64(len(sparkRunes)-2)/top)
		}
		out[i] = sparkRunes[min(n, len(sparkRunes)-1)]
	}
	return string(out)
}

// watchCols are the column widths for a screen width; 0 hides a column.
type watchCols struct {
	name, prim, site, lag, rate, eta, rep, upd, spark int
}

func (w *watch) cols(width int) watchCols {
	n := max(len(w.sites), 1)
	c := watchCols{name: 12, prim: max(w.siteW+1, 8), site: 16, lag: 21}
	if width < 100 {
		c = watchCols{name: 10, prim: max(w.siteW+1, 7), site: 14, lag: 12}
	}
	used := func() int {
		total, gaps := 0, 0
		for _, v := range []int{c.name, c.prim, c.lag, c.rate, c.eta, c.rep, c.upd, c.spark} {
			if v > 0 {
				total += v
				gaps++
			}
		}
		return total + n*(c.site+1) + gaps - 1
	}
	for _, add := range []func(){
		func() { c.spark = 8 },
		func() { c.upd = 8 },
		func() { c.rep = 11 },
		func() { c.rate = 11 },
		func() { c.eta = 7 },
	} {
		save := c
		add()
		if used() > width {
			c = save
			break
		}
	}
	extra := width - used()
	if extra > 0 {
		g := min(extra, 30-c.name)
		c.name += max(g, 0)
		extra -= max(g, 0)
	}
	if extra > 0 && c.spark > 0 {
		g := min(extra, 40-c.spark)
		c.spark += max(g, 0)
		extra -= max(g, 0)
	}
	c.name += max(extra, 0)
	return c
}

// View renders the watch in exactly h lines of at most width cells.
func (w *watch) View(width, h int) []string {
	s := &w.env.c.Styles
	lines := make([]string, 0, h)
	lines = append(lines, w.summaryLine(width))
	for i := range w.sites {
		lines = append(lines, w.siteLine(i, width))
	}
	if w.openErr != "" || !w.polled {
		msg := "⧗ polling every site…"
		if w.openErr != "" {
			msg = s.status(levelErr).Render("✖ cannot watch: ") + w.openErr
		} else if w.pollErr != "" {
			msg = s.status(levelErr).Render("✖ poll failed: ") + w.pollErr + " (retrying)"
		}
		lines = append(lines, msg)
		return block(lines, width, h)
	}
	fixed := len(lines) + 2 // column header, timeline title
	tl := min(max((h-fixed)/3, 2), 12)
	rowsH := h - fixed - tl
	if rowsH < 2 {
		tl = max(h-fixed-2, 0)
		rowsH = max(h-fixed-tl, 0)
	}
	if n := max(len(w.shown), 1); n < rowsH {
		// Few rows: the timeline gets the room they leave.
		tl += rowsH - n
		rowsH = n
	}
	c := w.cols(width)
	lines = append(lines, s.Label.Render(w.header(c)))
	lines = append(lines, w.rowLines(c, width, rowsH)...)
	lines = append(lines, w.timelineTitle(width))
	lines = append(lines, w.timeline(width, tl)...)
	return block(lines, width, h)
}

func (w *watch) summaryLine(width int) string {
	s := &w.env.c.Styles
	var parts []string
	for cl := range numWatchClasses {
		n := w.counts[cl]
		if n == 0 && (cl >= wcUnknown || !w.polled) {
			continue
		}
		parts = append(parts, s.status(watchClassLevels[cl]).Render(watchClassSymbols[cl]+" "+strconv.Itoa(n)+" "+watchClassWords[cl]))
	}
	text := strings.Join(parts, "  ")
	if w.polled {
		text += s.Muted.Render(fmt.Sprintf("  of %d images", len(w.rows)))
		n := 0
		for cl := range numWatchClasses {
			if cl.attention() {
				n += w.counts[cl]
			}
		}
		if n > 0 {
			text += "  " + s.status(levelWarn).Render(fmt.Sprintf("▲ %d need attention", n))
		}
	}
	var state []string
	if w.faults {
		state = append(state, "faults only")
	}
	switch {
	case w.paused:
		state = append(state, s.status(levelWarn).Render("⏸ PAUSED (p resumes)"))
	case w.inFlight:
		state = append(state, "polling…")
	}
	if w.polled {
		age := w.env.c.Now().Sub(w.frameAt)
		polled := fmt.Sprintf("polled %s (%s, took %s)", w.frameAt.Format("15:04:05"), ago(age), shortDur(w.took))
		if stale(age, watchInterval(w.env.c)) {
			polled = s.status(levelWarn).Render("▲ STALE: " + polled)
		}
		state = append(state, polled)
	}
	if !w.paused {
		state = append(state, "every "+shortDuration(watchInterval(w.env.c)))
	}
	if w.pollErr != "" && w.polled {
		state = append(state, s.status(levelErr).Render("✖ last poll failed: "+w.pollErr))
	}
	if w.sortBy != sortByName {
		state = append(state, "by "+watchSortNames[w.sortBy])
	}
	return clip(text+s.Muted.Render(" · ")+strings.Join(state, " · "), width)
}

func (w *watch) siteLine(i, width int) string {
	s := &w.env.c.Styles
	st := w.sites[i]
	name := s.Accent.Render(fmt.Sprintf("%-*s", w.siteW, st.Site))
	now := w.env.c.Now()
	if !st.Up() {
		since := "unreachable"
		if !st.DownSince.IsZero() {
			since += " since " + st.DownSince.Format("15:04:05")
		}
		text := s.status(levelErr).Render("✖ "+since) + " "
		if !st.DataAt.IsZero() {
			text += s.Muted.Render("(rows show its last data, " + st.DataAt.Format("15:04:05") + ", marked ?) ")
		} else {
			text += s.Muted.Render("(no data from it yet) ")
		}
		return clip(name+" "+text+st.Err, width)
	}
	parts := []string{s.status(levelOK).Render("● up")}
	switch {
	case st.Leader != "":
		parts = append(parts, "rbd-mirror leader "+st.Leader)
	case st.Daemons == 0:
		parts = append(parts, s.status(levelWarn).Render("▲ no rbd-mirror daemon"))
	case st.Daemons > 0:
		parts = append(parts, s.status(levelWarn).Render("▲ no rbd-mirror leader"))
	}
	if st.Daemons > 0 {
		parts = append(parts, plural(st.Daemons, "daemon"))
	}
	if !st.DataAt.IsZero() {
		if age := now.Sub(st.DataAt); stale(age, watchInterval(w.env.c)) {
			parts = append(parts, s.status(levelWarn).Render("▲ stale data, "+ago(age)))
		} else {
			parts = append(parts, "data "+ago(age))
		}
	}
	return clip(name+" "+strings.Join(parts, s.Muted.Render(" · ")), width)
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}

func (w *watch) header(c watchCols) string {
	cells := []string{fit("IMAGE", c.name), fit("PRIMARY", c.prim)}
	for _, st := range w.sites {
		cells = append(cells, fit("@"+st.Site, c.site))
	}
	cells = append(cells, fit("LAG", c.lag))
	if c.rate > 0 {
		cells = append(cells, fit("RATE", c.rate))
	}
	if c.eta > 0 {
		cells = append(cells, fit("SYNC IN", c.eta))
	}
	if c.rep > 0 {
		cells = append(cells, fit("REPORTED", c.rep))
	}
	if c.upd > 0 {
		cells = append(cells, fit("STATUS", c.upd))
	}
	if c.spark > 0 {
		cells = append(cells, fit(map[bool]string{true: "LAG TREND", false: "TREND"}[c.spark >= 9], c.spark))
	}
	return strings.Join(cells, " ")
}

// rowLines renders the visible window of rows, scrolled to the cursor.
func (w *watch) rowLines(c watchCols, width, h int) []string {
	s := &w.env.c.Styles
	w.lastRows = h
	if h <= 0 {
		return nil
	}
	if len(w.shown) == 0 {
		msg := "no images in this scope"
		if w.faults && len(w.rows) > 0 {
			msg = "✓ no image needs attention (f shows all)"
		}
		return []string{s.Muted.Render(msg)}
	}
	if w.cur < w.off {
		w.off = w.cur
	}
	if w.cur >= w.off+h {
		w.off = w.cur - h + 1
	}
	w.off = min(w.off, max(len(w.shown)-h, 0))
	now := w.env.c.Now()
	old := stale(now.Sub(w.frameAt), watchInterval(w.env.c))
	out := make([]string, 0, h)
	for i := w.off; i < len(w.shown) && len(out) < h; i++ {
		r := &w.rows[w.shown[i]]
		sel := i == w.cur && !w.onTimel
		marker := " "
		if sel {
			marker = "▌"
		}
		cells := []string{marker + fit(text(r.id), c.name-1), s.status(r.primLvl).Render(fit(text(r.primary), c.prim))}
		for j, t := range r.cells {
			cells = append(cells, s.status(r.cellLvl[j]).Render(fit(t, c.site)))
		}
		lag := r.lagText
		if old {
			lag = "? " + lag // the frame is older than two polls
		}
		cells = append(cells, fit(lag, c.lag))
		if c.rate > 0 {
			cells = append(cells, fit(r.rate, c.rate))
		}
		if c.eta > 0 {
			cells = append(cells, fit(r.eta, c.eta))
		}
		if c.rep > 0 {
			// rbd-mirror's own lag beside the live one, as of STATUS.
			rep := r.reported
			if rep == "" {
				rep = "same"
			}
			cells = append(cells, fit(rep, c.rep))
		}
		if c.upd > 0 {
			upd := "—"
			if !r.updated.IsZero() && r.updated.Unix() > 0 {
				upd = ago(now.Sub(r.updated))
			}
			cells = append(cells, fit(upd, c.upd))
		}
		if c.spark > 0 {
			sp := []rune(r.spark)
			if len(sp) > c.spark {
				sp = sp[len(sp)-c.spark:]
			}
			cells = append(cells, s.Accent.Render(string(sp)))
		}
		line := strings.Join(cells, " ")
		if sel {
			line = s.Selected.Render(fit(line, width))
		}
		out = append(out, line)
	}
	if len(w.shown) > h && len(out) == h {
		// Where the window is, on its last line's right edge.
		pos := fmt.Sprintf(" %d-%d of %d ", w.off+1, w.off+h, len(w.shown))
		last := out[h-1]
		out[h-1] = clip(last, max(width-len(pos), 0))
		out[h-1] = fit(out[h-1], max(width-len(pos), 0)) + s.Muted.Render(pos)
	}
	return out
}

func (w *watch) timelineTitle(width int) string {
	s := &w.env.c.Styles
	t := fmt.Sprintf("─ Events: %d, newest first", len(w.events))
	if w.onTimel {
		t += " · ↑↓ scroll (tab: images)"
	} else {
		t += " · tab to scroll"
	}
	t += " "
	return s.Border.Render(t + strings.Repeat("─", max(width-len([]rune(t)), 0)))
}

// timeline renders the newest events first, from the scroll offset.
func (w *watch) timeline(width, h int) []string {
	s := &w.env.c.Styles
	if h <= 0 {
		return nil
	}
	if len(w.events) == 0 {
		return []string{s.Muted.Render("no transitions seen yet; every state change, promotion, demotion, split-brain, resync, daemon leader change and site outage shows here")}
	}
	out := make([]string, 0, h)
	for i := len(w.events) - 1 - w.evOff; i >= 0 && len(out) < h; i-- {
		e := &w.events[i]
		sym, lvl := eventSymbol(e)
		line := e.At.Format("15:04:05") + "  " + fmt.Sprintf("%-*s", w.siteW, text(e.Site)) + "  " +
			s.status(lvl).Render(fit(sym+" "+e.Kind, 13)) + " "
		if e.Image != "" {
			line += text(e.Image) + "  "
		}
		if e.From != "" || e.To != "" {
			line += text(orDash(e.From)) + " → " + text(orDash(e.To))
		}
		if e.Detail != "" {
			line += s.Muted.Render("  " + text(oneLine(e.Detail)))
		}
		if w.onTimel && len(out) == 0 {
			line = s.Selected.Render(fit("▌"+line, width))
		} else {
			line = " " + line
		}
		out = append(out, line)
	}
	return out
}

func eventSymbol(e *model.WatchEvent) (string, level) {
	switch e.Kind {
	case model.EventPromoted:
		return "◆", levelOK
	case model.EventDemoted:
		return "◇", levelWarn
	case model.EventSplitBrain, model.EventSiteDown:
		return "✖", levelErr
	case model.EventResync:
		return "▲", levelWarn
	case model.EventSiteUp:
		return "●", levelOK
	case model.EventLeader:
		return "★", levelWarn
	case model.EventState:
		st := e.To
		if i := strings.IndexByte(st, '+'); i >= 0 {
			st = st[i+1:]
		}
		switch {
		case strings.HasPrefix(e.To, "down+"), st == model.StateError:
			return "✖", levelErr
		case st == model.StateReplaying, st == model.StateStopped:
			return "●", levelOK
		}
		return "▲", levelWarn
	}
	return "•", levelUnknown
}

// openWatchOn opens the watch on the selection (`w`): a pool, a group, or
// the marked images (an image or its journal alone is one image).
func (a *App) openWatchOn(ctx KeyContext) tea.Cmd {
	var scope watchScope
	seen := map[string]bool{}
	for i, t := range ctx.Targets {
		switch {
		case i == 0 && t.Kind == NodePool:
			scope.Pool = t.Pool
		case i == 0 && t.Kind == NodeGroup:
			scope.Group = t.Pool + "/" + t.Name
		case t.Kind == NodeImage || t.Kind == NodeJournal:
			// Marks on both sites' copies of an image watch it once.
			if spec := t.Pool + "/" + t.Name; !seen[spec] {
				seen[spec] = true
				scope.Images = append(scope.Images, spec)
			}
		}
		if scope.Pool != "" || scope.Group != "" {
			break
		}
	}
	if scope.Pool == "" && scope.Group == "" && len(scope.Images) == 0 {
		return a.setFlash(flashWarn, "nothing to watch here: choose a pool, a group or images")
	}
	return pushScreen(newWatch(a.env(), scope))
}

// openWatchCommand opens the watch a `watch` command names: `watch
// <pool>`, `watch group <pool>/<group>`, `watch image <pool/image>...`.
func (a *App) openWatchCommand(inv *grammar.Invocation) tea.Cmd {
	scope, err := watchScopeOf(inv)
	if err != nil {
		return a.setFlash(flashErr, err.Error())
	}
	return pushScreen(newWatch(a.env(), scope))
}

func watchScopeOf(inv *grammar.Invocation) (watchScope, error) {
	path := strings.Join(inv.Cmd.Path, " ")
	switch path {
	case "watch group":
		g, err := model.ParseImageSpec(inv.Arg("group-spec"), false)
		if err != nil {
			return watchScope{}, fmt.Errorf("watch group: %s", strings.TrimPrefix(err.Error(), "image spec "))
		}
		return watchScope{Group: g.String()}, nil
	case "watch image":
		var out []string
		for _, spec := range inv.Args["image-spec"] {
			is, err := model.ParseImageSpec(spec, false)
			if err != nil {
				return watchScope{}, fmt.Errorf("watch image: %w", err)
			}
			out = append(out, is.String())
		}
		if len(out) == 0 {
			return watchScope{}, fmt.Errorf("watch image: name at least one pool/image")
		}
		return watchScope{Images: out}, nil
	}
	pool := inv.Arg("pool-spec")
	if pool == "" {
		pool = inv.Flag("pool")
	}
	if pool == "" {
		return watchScope{}, fmt.Errorf("watch: name the pool to watch (watch <pool>)")
	}
	return watchScope{Pool: pool}, nil
}
