package ui

import (
	"strconv"
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// header is the top bar: the product name, a read-only badge, and every
// site with its health as symbol + word and its rbd-mirror daemon count.
type header struct {
	c     *Common
	store *store
	width int
}

func newHeader(c *Common, st *store) *header { return &header{c: c, store: st} }

// SetSize sets the header width; it is always one line high.
func (h *header) SetSize(w, _ int) { h.width = w }

// render returns one line of exactly width cells. When the full form does
// not fit it drops the daemon counts before it truncates, because health is
// the part an operator must never lose.
func (h *header) render() string {
	s := &h.c.Styles
	line := h.line(true)
	if ansi.StringWidth(line) > h.width {
		line = h.line(false)
	}
	line = clip(line, h.width)
	if pad := h.width - ansi.StringWidth(line); pad > 0 {
		line += s.Header.Render(strings.Repeat(" ", pad))
	}
	return line
}

func (h *header) line(withDaemons bool) string {
	s := &h.c.Styles
	sp := s.Header.Render(" ")
	sep := s.HeaderMuted.Render(" │ ")

	var b strings.Builder
	b.WriteString(sp + s.HeaderTitle.Render("rbdtui"))
	if h.c.ReadOnly {
		b.WriteString(sp + s.headerStatus(levelWarn).Render("[RO]"))
	}
	sites := h.store.each()
	if len(sites) == 0 {
		b.WriteString(sep + s.HeaderMuted.Render("no sites configured"))
	}
	for _, ss := range sites {
		hl := siteHealth(ss)
		// The worst of the cluster's health and its mirroring's: a
		// split-brain on a HEALTH_OK cluster is not OK.
		mirror := ""
		if ml, ok := h.store.mirrorLevel(ss.site.Name); ok && ml > hl.level && hl.level != levelUnknown {
			hl.level = ml
			hl.symbol = map[level]string{levelWarn: "▲", levelErr: "✖"}[ml]
			mirror = sp + s.headerStatus(ml).Render("mirroring "+map[level]string{levelWarn: "WARNING", levelErr: "ERROR"}[ml])
		}
		b.WriteString(sep)
		b.WriteString(s.headerStatus(hl.level).Render(hl.symbol) + sp +
			s.Header.Render(ss.site.Name) + sp +
			s.headerStatus(hl.level).Render(hl.word) + mirror)
		if withDaemons && ss.probed && !ss.unreachable() {
			b.WriteString(sp + h.daemonBadge(ss.status.MirrorDaemons))
			if l := ss.status.MirrorLeader; l != "" {
				b.WriteString(sp + s.HeaderMuted.Render("leader:"+l))
			}
			// A Ceph release outside the tested combinations (the site's
			// detail and `rbdtui sites` say why).
			if ss.status.ReleaseWarning != "" {
				b.WriteString(sp + s.headerStatus(levelWarn).Render("untested:ceph-"+ss.status.Release))
			}
		}
	}
	b.WriteString(sp)
	return b.String()
}

// daemonBadge counts rbd-mirror daemons; zero is a warning because nothing
// replicates into a site without one.
func (h *header) daemonBadge(n int) string {
	s := &h.c.Styles
	switch {
	case n < 0:
		return s.HeaderMuted.Render("rbd-mirror:?")
	case n == 0:
		return s.headerStatus(levelWarn).Render("rbd-mirror:0")
	}
	return s.HeaderMuted.Render("rbd-mirror:" + strconv.Itoa(n))
}
