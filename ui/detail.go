package ui

import (
	"fmt"
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
	if vw < 8 {
		return []string{label + vs.Render(f.value)}
	}
	wrapped := strings.Split(ansi.Wrap(f.value, vw, ""), "\n")
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
		field{label: "Pools", value: poolCount(ss)},
		field{label: "Checked", value: d.checked(st.CheckedAt)},
	)
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
	return []field{
		{label: "Pool", value: p.Name},
		{label: "ID", value: strconv.FormatInt(p.ID, 10)},
		{label: "Cluster", value: orDash(p.Site)},
		{label: "Mirror mode", value: orDash(p.MirrorMode)},
		{label: "Site name", value: orDash(p.SiteName)},
		{label: "Peers", value: strconv.Itoa(p.Peers)},
		{label: "Images", value: strconv.Itoa(p.Images)},
	}
}

// checked shows when the backend probed the site, and how long ago by the
// console's clock.
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

// ago renders a duration the way an operator reads a data age.
func ago(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	switch {
	case d < time.Minute:
		return strconv.Itoa(int(d/time.Second)) + "s ago"
	case d < time.Hour:
		return strconv.Itoa(int(d/time.Minute)) + "m ago"
	default:
		return strconv.Itoa(int(d/time.Hour)) + "h" + strconv.Itoa(int(d%time.Hour/time.Minute)) + "m ago"
	}
}
