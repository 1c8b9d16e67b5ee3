package ui

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/rbdtui/rbdtui/model"
)

// labelWidth fits the longest label ("Mirror mode") plus a space.
const labelWidth = 12

// field is one label/value line of the detail pane. A styled value carries
// its own style; plain values use Styles.Value.
type field struct {
	label string
	value string
	style *lipgloss.Style
}

// detail shows everything known about the node under the cursor.
type detail struct {
	c     *Common
	store *store

	width, height int
}

func newDetail(c *Common, st *store) *detail { return &detail{c: c, store: st} }

// SetSize sets the content area, in cells, the pane renders into.
func (d *detail) SetSize(w, h int) { d.width, d.height = w, h }

// title names the pane after what it shows.
func (d *detail) title(r treeRow, ok bool) string {
	switch {
	case !ok:
		return "Details"
	case r.kind == NodePool:
		return "Pool " + r.pool
	case r.kind == NodeImage:
		return "Image " + r.pool + "/" + r.name
	case r.kind == NodeGroup:
		return "Group " + r.pool + "/" + r.name
	case r.kind == NodeJournal:
		return "Journal of " + r.pool + "/" + r.name
	}
	return "Site " + r.site
}

// render returns exactly height lines of width cells for row r.
func (d *detail) render(r treeRow, ok bool) []string {
	var fs []field
	switch {
	case !ok:
		return block([]string{d.c.Styles.Muted.Render("nothing selected")}, d.width, d.height)
	case r.kind == NodePool:
		fs = d.poolFields(r.site, r.pool)
	case r.kind == NodeImage:
		fs = d.imageFields(r.site, r.pool, r.name)
	case r.kind == NodeGroup:
		fs = d.groupFields(r.site, r.pool, r.name)
	case r.kind == NodeJournal:
		fs = d.journalFields(r.site, r.pool, r.name)
	default:
		fs = d.siteFields(r.site)
	}
	var lines []string
	for _, f := range fs {
		lines = append(lines, d.fieldLines(f)...)
	}
	return block(lines, d.width, d.height)
}

// fieldLines lays out one field, wrapping long values (errors, paths) under
// the value column instead of cutting them off: the end of an error is
// often the part that says what to do.
func (d *detail) fieldLines(f field) []string {
	s := &d.c.Styles
	vs := s.Value
	if f.style != nil {
		vs = *f.style
	}
	label := s.Label.Render(fit(f.label, labelWidth))
	vw := d.width - labelWidth
	value := text(f.value) // a value is from outside: names, errors, paths
	if vw < 8 {
		return []string{label + vs.Render(value)}
	}
	wrapped := strings.Split(ansi.Wrap(value, vw, ""), "\n")
	out := make([]string, len(wrapped))
	for i, l := range wrapped {
		if i == 0 {
			out[i] = label + vs.Render(l)
		} else {
			out[i] = strings.Repeat(" ", labelWidth) + vs.Render(l)
		}
	}
	return out
}

func (d *detail) siteFields(name string) []field {
	ss := d.store.site(name)
	if ss == nil {
		return nil
	}
	s := &d.c.Styles
	h := siteHealth(ss)
	hs := s.status(h.level)
	st := ss.status

	fs := []field{
		{label: "Site", value: ss.site.Name},
		{label: "Health", value: h.symbol + " " + h.word, style: &hs},
	}
	if ss.unreachable() {
		es := s.status(levelErr)
		fs = append(fs, field{label: "Error", value: ss.err, style: &es})
	}
	client := st.Client
	if client == "" {
		client = ss.site.Client
	}
	fs = append(fs,
		field{label: "Client", value: orDash(client)},
		field{label: "Conf", value: orDash(ss.site.Conf)},
		field{label: "FSID", value: orDash(st.FSID)},
		field{label: "Mon", value: orDash(st.MonAddr)},
		field{label: "Latency", value: latency(st)},
		field{label: "rbd-mirror", value: daemons(ss)},
		field{label: "Leader", value: orDash(st.MirrorLeader)},
		field{label: "Pools", value: poolCount(ss)},
		d.ageField("Checked", st.CheckedAt),
	)
	// The site's Ceph release, and why it is outside the tested
	// combinations if it is (only once a probe has read it).
	if st.Release != "" {
		fs = append(fs, field{label: "Ceph", value: st.Release})
	}
	if st.ReleaseWarning != "" {
		ws := s.status(levelWarn)
		fs = append(fs, field{label: "Release", value: st.ReleaseWarning, style: &ws})
	}
	if ss.site.ReadOnly {
		fs = append(fs, field{label: "Access", value: "read-only (changes disabled for this site)"})
	}
	return fs
}

func (d *detail) poolFields(site, name string) []field {
	p, ok := d.store.pool(site, name)
	if !ok {
		return nil
	}
	fs := []field{
		{label: "Pool", value: p.Name},
		{label: "ID", value: strconv.FormatInt(p.ID, 10)},
		{label: "Cluster", value: orDash(p.Site)},
		{label: "Mirror mode", value: orDash(p.MirrorMode)},
		{label: "Site name", value: orDash(p.SiteName)},
		{label: "Peers", value: strconv.Itoa(p.Peers)},
		{label: "Images", value: strconv.Itoa(p.Images)},
	}
	ps := d.store.poolState(site, name)
	switch {
	case ps == nil || (!ps.loaded && ps.err == ""):
		fs = append(fs, field{label: "States", value: "open the pool (enter) to load its images"})
	case ps.err != "" && !ps.loaded:
		es := d.c.Styles.status(levelErr)
		fs = append(fs, field{label: "States", value: "✖ " + ps.err, style: &es})
	default:
		s := &d.c.Styles
		worst := levelOK
		counts := map[string]int{}
		var order []string
		for i := range ps.images {
			h := imageStatus(&ps.images[i])
			k := h.symbol + " " + h.word
			if counts[k] == 0 {
				order = append(order, k)
			}
			counts[k]++
			if h.level > worst {
				worst = h.level
			}
		}
		sort.Slice(order, func(i, j int) bool {
			return counts[order[i]] > counts[order[j]] || (counts[order[i]] == counts[order[j]] && order[i] < order[j])
		})
		hw := map[level]string{levelOK: "● OK", levelWarn: "▲ WARNING", levelErr: "✖ ERROR", levelUnknown: "? UNKNOWN"}[worst]
		hs := s.status(worst)
		fs = append(fs, field{label: "Health", value: hw, style: &hs})
		for i, k := range order {
			label := ""
			if i == 0 {
				label = "By state"
			}
			fs = append(fs, field{label: label, value: strconv.Itoa(counts[k]) + "  " + k})
		}
		if len(ps.groups) > 0 {
			fs = append(fs, field{label: "Groups", value: strconv.Itoa(len(ps.groups))})
		}
		fs = append(fs, d.ageField("Loaded", ps.at))
	}
	return fs
}

func (d *detail) imageFields(site, pool, name string) []field {
	listed, ok := d.store.image(site, pool, name)
	if !ok {
		return nil
	}
	// The image's own answer (the detail opens it, and reloads with
	// every refresh) is the ground truth of its role and statuses; the
	// pool's batched listing stands in until it comes, or when it is
	// newer.
	img := listed
	var readAt time.Time
	ps := d.store.poolState(site, pool)
	if ps != nil {
		readAt = ps.at
	}
	if dl := d.store.details[listed.Key()]; dl != nil && dl.ok && dl.v.MirrorState != "" && !dl.at.Before(readAt) {
		own := *listed
		own.MirrorState, own.MirrorMode, own.Primary = dl.v.MirrorState, dl.v.MirrorMode, dl.v.Primary
		own.Local, own.Peers, own.Class = dl.v.Local, dl.v.Peers, dl.v.Class
		img, readAt = &own, dl.at
	}
	s := &d.c.Styles
	h := imageStatus(img)
	hs := s.status(h.level)
	status := h.symbol + " " + h.word
	// How old what this shows is (a collapsed pool is not refreshed):
	// marked stale in words past two refreshes.
	if !readAt.IsZero() {
		if age := d.c.Now().Sub(readAt); stale(age, d.c.Refresh) {
			status, hs = "? "+h.word+" · ▲ STALE: read "+ago(age), s.status(levelWarn)
		}
	}
	fs := []field{
		{label: "Image", value: pool + "/" + img.Name},
		{label: "Status", value: status, style: &hs},
		{label: "Mirroring", value: mirroring(img)},
	}
	// Every site's view of the image comes first: it is what an operator
	// opens an image for.
	sts := []model.SiteImageStatus{}
	if img.Local != nil {
		sts = append(sts, *img.Local)
	}
	sts = append(sts, img.Peers...)
	for _, st := range sts {
		fs = append(fs, d.siteStatusFields(st)...)
	}
	fs = append(fs,
		field{label: "Class", value: orDash(string(img.Class))},
		field{label: "ID", value: orDash(img.ID)},
	)
	if img.GlobalID != "" {
		fs = append(fs, field{label: "Global ID", value: img.GlobalID})
	}
	dl := d.store.details[img.Key()]
	switch {
	case dl == nil || (!dl.ok && dl.err == ""):
		fs = append(fs, field{label: "Detail", value: "loading…"})
	case dl.err != "" && !dl.ok:
		es := s.status(levelErr)
		fs = append(fs, field{label: "Detail", value: "✖ " + dl.err, style: &es})
	default:
		det := dl.v
		if dl.err != "" {
			ws := s.status(levelWarn)
			fs = append(fs, field{label: "Detail", value: "▲ not refreshed: " + dl.err, style: &ws})
		}
		fs = append(fs,
			field{label: "Size", value: humanBytes(det.Size) + " (objects " + humanBytes(det.ObjectSize) + ")"},
			field{label: "Features", value: orDash(strings.Join(det.Features, ", "))},
		)
		if j := det.Journal; j != nil {
			v := "on"
			if j.Order > 0 {
				v += ", objects " + humanBytes(1<<j.Order)
			}
			if j.SplayWidth > 0 {
				v += ", splay width " + strconv.Itoa(int(j.SplayWidth))
			}
			if j.Pool != "" {
				v += ", pool " + j.Pool
			}
			fs = append(fs, field{label: "Journal", value: v})
		} else {
			fs = append(fs, field{label: "Journal", value: "off"})
		}
		if det.Group != "" {
			fs = append(fs, field{label: "Group", value: det.Group})
		}
		w := "none"
		if len(det.Watchers) > 0 {
			ws := make([]string, len(det.Watchers))
			for i, x := range det.Watchers {
				ws[i] = x.Address + " (client." + strconv.FormatUint(x.Client, 10) + ")"
			}
			w = strings.Join(ws, ", ")
		}
		fs = append(fs, field{label: "Watchers", value: w})
		if len(det.Snapshots) > 0 {
			fs = append(fs, field{label: "Snapshots", value: strconv.Itoa(len(det.Snapshots))})
		}
	}
	return fs
}

func mirroring(img *model.Image) string {
	if img.MirrorState != model.MirrorEnabled {
		return orDash(img.MirrorState)
	}
	role := "non-primary"
	if img.Primary {
		role = "primary"
	}
	return img.MirrorMode + ", " + img.MirrorState + ", " + role + " here"
}

// siteStatusFields shows one site's view of the image with its
// description parsed: replay lag, sync progress, split-brain.
func (d *detail) siteStatusFields(st model.SiteImageStatus) []field {
	s := &d.c.Styles
	img := model.Image{MirrorState: model.MirrorEnabled, Local: &st}
	h := imageStatus(&img)
	hs := s.status(h.level)
	fs := []field{{label: "@" + st.SiteName, value: h.symbol + " " + st.FullState(), style: &hs}}
	var facts []string
	if r := st.Replay; r != nil {
		if r.EntriesBehindPrimary != nil {
			facts = append(facts, strconv.FormatInt(*r.EntriesBehindPrimary, 10)+" entries behind")
		}
		if r.EntriesPerSecond != nil {
			facts = append(facts, fmt.Sprintf("%.1f entries/s", *r.EntriesPerSecond))
		}
		if r.BytesPerSecond != nil {
			facts = append(facts, humanBytes(uint64(*r.BytesPerSecond))+"/s")
		}
		if r.SecondsUntilSynced != nil {
			facts = append(facts, fmt.Sprintf("synced in %.0fs", *r.SecondsUntilSynced))
		}
		if r.SyncingPercent != nil {
			facts = append(facts, fmt.Sprintf("syncing %.0f%%", *r.SyncingPercent))
		}
		if r.ReplayState != "" {
			facts = append(facts, r.ReplayState)
		}
	}
	if st.BootstrapPercent != nil {
		facts = append(facts, "bootstrapping "+strconv.Itoa(*st.BootstrapPercent)+"%")
	}
	if st.SplitBrain {
		facts = append(facts, "SPLIT-BRAIN: resync one side")
	}
	if st.ResyncRequested {
		facts = append(facts, "resync requested")
	}
	if st.Disconnected {
		facts = append(facts, "disconnected from the journal")
	}
	if len(facts) > 0 {
		fs = append(fs, field{value: strings.Join(facts, " · ")})
	} else if st.Description != "" {
		fs = append(fs, field{value: st.Description})
	}
	if !st.LastUpdate.IsZero() && st.LastUpdate.Unix() > 0 {
		fs = append(fs, field{value: "updated " + d.checked(st.LastUpdate)})
	}
	return fs
}

func (d *detail) groupFields(site, pool, name string) []field {
	g, ok := d.store.group(site, pool, name)
	if !ok {
		return nil
	}
	s := &d.c.Styles
	h := groupStatus(g)
	hs := s.status(h.level)
	img := model.Image{MirrorState: g.MirrorState, MirrorMode: g.MirrorMode, Primary: g.Primary}
	fs := []field{
		{label: "Group", value: pool + "/" + g.Name},
		{label: "ID", value: orDash(g.ID)},
		{label: "Status", value: h.symbol + " " + h.word, style: &hs},
		{label: "Mirroring", value: mirroring(&img)},
		{label: "Members", value: strconv.Itoa(len(g.Members))},
	}
	for _, m := range g.Members {
		fs = append(fs, field{value: "· " + m})
	}
	if len(g.ConsistencyPoints) == 0 {
		fs = append(fs, field{label: "Points", value: "no consistency point yet"})
	}
	for i, cp := range g.ConsistencyPoints {
		label := ""
		if i == 0 {
			label = "Points"
		}
		state := "complete"
		if !cp.Complete {
			state = "INCOMPLETE"
		}
		fs = append(fs, field{label: label, value: cp.Name + "  " + cp.Timestamp.UTC().Format("2006-01-02 15:04:05") + "  " + state})
	}
	for _, st := range append(optional(g.Local), g.Peers...) {
		fs = append(fs, d.siteStatusFields(st)...)
	}
	return fs
}

func optional(st *model.SiteImageStatus) []model.SiteImageStatus {
	if st == nil {
		return nil
	}
	return []model.SiteImageStatus{*st}
}

func (d *detail) journalFields(site, pool, name string) []field {
	if _, ok := d.c.Backend.(model.JournalInspector); !ok {
		return []field{{label: "Journal", value: "this backend cannot read journals yet"}}
	}
	jl := d.store.journals[imageID(site, pool, name)]
	switch {
	case jl == nil || (!jl.ok && jl.err == ""):
		return []field{{label: "Journal", value: "loading…"}}
	case jl.err != "" && !jl.ok:
		es := d.c.Styles.status(levelErr)
		return []field{{label: "Journal", value: "✖ " + jl.err, style: &es}}
	}
	j := jl.v
	fs := []field{
		{label: "Journal", value: orDash(j.ID)},
		{label: "Objects", value: humanBytes(1<<j.Order) + ", splay width " + strconv.Itoa(int(j.SplayWidth))},
		{label: "Pool", value: orDash(j.ObjectPool)},
		{label: "Object sets", value: "minimum " + strconv.FormatUint(j.MinimumSet, 10) + ", active " + strconv.FormatUint(j.ActiveSet, 10)},
	}
	if p := j.HeadPosition; p != nil {
		fs = append(fs, field{label: "Head", value: position(p)})
	}
	fs = append(fs, field{label: "Clients", value: strconv.Itoa(len(j.Clients))})
	s := &d.c.Styles
	for _, c := range j.Clients {
		id := c.ID
		if id == "" {
			id = "(local image)"
		}
		state, lv := "connected", levelOK
		if !c.Connected {
			state, lv = "DISCONNECTED", levelErr
		}
		lag := "lag unknown"
		if c.LagEntries >= 0 {
			lag = "lag " + strconv.FormatInt(c.LagEntries, 10) + " entries"
			if c.LagEntries > 0 && lv == levelOK {
				lv = levelWarn
			}
		}
		st := s.status(lv)
		v := symbolFor(lv) + " " + id + "  " + state + "  " + lag
		if c.Commit != nil {
			v += "  at " + position(c.Commit)
		}
		fs = append(fs, field{value: v, style: &st})
	}
	return fs
}

func position(p *model.Position) string {
	return fmt.Sprintf("object %d, tag %d, entry %d", p.ObjectNumber, p.TagTID, p.EntryTID)
}

func symbolFor(l level) string {
	switch l {
	case levelOK:
		return "●"
	case levelWarn:
		return "▲"
	case levelErr:
		return "✖"
	}
	return "?"
}

// humanBytes prints sizes the way rbd info does: model.Bytes.
func humanBytes(n uint64) string { return model.Bytes(n) }

// checked shows when the backend probed the site, and how long ago by the
// console's clock.
// ageField is a "when read" field, marked stale in words (and colour)
// when older than two refresh intervals.
func (d *detail) ageField(label string, at time.Time) field {
	v := d.checked(at)
	if !at.IsZero() && stale(d.c.Now().Sub(at), d.c.Refresh) {
		ws := d.c.Styles.status(levelWarn)
		return field{label: label, value: "▲ STALE: " + v, style: &ws}
	}
	return field{label: label, value: v}
}

func (d *detail) checked(at time.Time) string {
	if at.IsZero() {
		return "—"
	}
	return at.Format("15:04:05") + " (" + ago(d.c.Now().Sub(at)) + ")"
}

func latency(st model.SiteStatus) string {
	l := st.Latency
	if l == 0 && st.LatencyMS > 0 {
		l = time.Duration(st.LatencyMS * float64(time.Millisecond))
	}
	if !st.Reachable || l <= 0 {
		return "—"
	}
	return fmt.Sprintf("%.1f ms", float64(l)/float64(time.Millisecond))
}

func daemons(ss *siteState) string {
	if !ss.probed || ss.unreachable() {
		return "—"
	}
	switch n := ss.status.MirrorDaemons; {
	case n < 0:
		return "unknown (no permission to read the service map)"
	case n == 0:
		return "0: nothing replicates into this site"
	case n == 1:
		return "1 daemon"
	default:
		return strconv.Itoa(n) + " daemons"
	}
}

func poolCount(ss *siteState) string {
	switch {
	case ss.poolsErr != "" && ss.unreachable():
		return "—" // the Error field says why
	case ss.poolsErr != "":
		return "unknown: " + ss.poolsErr
	case !ss.poolsLoaded:
		return "loading…"
	}
	return strconv.Itoa(len(ss.pools))
}

// ago renders a data age: model.Ago.
func ago(d time.Duration) string { return model.Ago(d) }
