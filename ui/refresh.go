package ui

import (
	"context"
	"fmt"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/rbdtui/rbdtui/internal/termsafe"
	"github.com/rbdtui/rbdtui/model"
)

// A refresh asks every site for its status and its pools at once, one
// tea.Cmd per question, so a slow or dead site delays only its own answers.
// The refresh is in flight until every question of its generation has an
// answer; only then is the next periodic tick scheduled, so refreshes never
// overlap however slow the sites are.

type reqKind int

const (
	reqStatus reqKind = iota
	reqPools
	reqImages
)

// request identifies one outstanding Backend call of the current refresh;
// site is a pool id for reqImages.
type request struct {
	kind reqKind
	site string
}

func (a *App) refreshing() bool { return len(a.pending) > 0 }

// startRefresh begins a new generation, unless one is already in flight.
func (a *App) startRefresh() tea.Cmd {
	if a.refreshing() {
		return nil
	}
	// Sites is configuration, not I/O, so reading it here keeps a config
	// reload visible on the next refresh without a round trip.
	a.store.setSites(a.c.Backend.Sites())
	a.tree.rebuild()

	a.gen++
	a.pending = map[request]bool{}
	var cmds []tea.Cmd
	for _, ss := range a.store.each() {
		name := ss.site.Name
		a.pending[request{reqStatus, name}] = true
		a.pending[request{reqPools, name}] = true
		cmds = append(cmds, a.fetchStatus(name, a.gen), a.fetchPools(name, a.gen))
	}
	// Open pools refresh with their site, and so do pools whose images
	// the filter is showing.
	for id, ps := range a.store.pools {
		if a.store.site(ps.site) == nil || !(a.tree.open[id] || (a.tree.filter != "" && ps.loaded)) {
			continue
		}
		a.pending[request{reqImages, id}] = true
		cmds = append(cmds, a.loadPool(ps.site, ps.pool, a.gen))
	}
	if len(cmds) == 0 {
		return a.finishRefresh()
	}
	return tea.Batch(cmds...)
}

// fetchStatus and fetchPools copy what they need out of the App before
// returning the Cmd: the Cmd runs on another goroutine and must not read
// state that Update may be changing.
func (a *App) fetchStatus(site string, gen uint64) tea.Cmd {
	ctx, b, timeout := a.ctx, a.c.Backend, a.c.Timeout
	return func() tea.Msg {
		st, err := withDeadline(ctx, timeout, func(ctx context.Context) (model.SiteStatus, error) {
			return b.SiteStatus(ctx, site)
		})
		return SiteStatusMsg{Site: site, Gen: gen, Status: st, Err: err}
	}
}

func (a *App) fetchPools(site string, gen uint64) tea.Cmd {
	ctx, b, timeout := a.ctx, a.c.Backend, a.c.Timeout
	return func() tea.Msg {
		pools, err := withDeadline(ctx, timeout, func(ctx context.Context) ([]model.Pool, error) {
			return b.Pools(ctx, site)
		})
		return PoolsMsg{Site: site, Gen: gen, Pools: pools, Err: err}
	}
}

// withDeadline runs call under a timeout and gives up on it when the
// deadline passes even if call itself does not return. The Backend promises
// to honour deadlines, but go-ceph blocks in cgo, and one call that hangs
// past its deadline would otherwise keep its refresh in flight forever and
// stop every site from refreshing. The abandoned goroutine ends whenever
// call does; its result goes to a buffered channel nobody reads.
func withDeadline[T any](parent context.Context, timeout time.Duration, call func(context.Context) (T, error)) (T, error) {
	ctx, cancel := context.WithTimeout(parent, timeout)
	defer cancel()
	type result struct {
		v   T
		err error
	}
	done := make(chan result, 1)
	go func() {
		v, err := call(ctx)
		done <- result{v, err}
	}()
	select {
	case r := <-done:
		return r.v, r.err
	case <-ctx.Done():
		var zero T
		return zero, fmt.Errorf("no answer within %s: %w", timeout, ctx.Err())
	}
}

// answered records that req has its answer, reporting false for an answer
// the App is no longer waiting for (an older generation, or a duplicate).
func (a *App) answered(gen uint64, req request) bool {
	if gen != a.gen || !a.pending[req] {
		return false
	}
	delete(a.pending, req)
	return true
}

func (a *App) onSiteStatus(msg SiteStatusMsg) tea.Cmd {
	if !a.answered(msg.Gen, request{reqStatus, msg.Site}) {
		return nil
	}
	var cmds []tea.Cmd
	if ss := a.store.site(msg.Site); ss != nil {
		cmds = append(cmds, a.applyStatus(ss, msg))
		a.tree.rebuild()
	}
	if !a.refreshing() {
		cmds = append(cmds, a.finishRefresh())
	}
	return tea.Batch(cmds...)
}

// applyStatus stores a probe result. A site is unreachable when the call
// failed or when the probe itself says so; either way the other sites carry
// on, and the next good answer makes it reachable again.
func (a *App) applyStatus(ss *siteState, msg SiteStatusMsg) tea.Cmd {
	was := ss.unreachable()
	ss.probed = true
	ss.status = msg.Status
	switch {
	case msg.Err != nil:
		ss.err = oneLine(msg.Err.Error())
	case !msg.Status.Reachable:
		ss.err = oneLine(msg.Status.Err)
		if ss.err == "" {
			ss.err = "the site did not say why it is unreachable"
		}
	default:
		ss.err = ""
	}
	name := ss.site.Name
	switch now := ss.unreachable(); {
	case now && !was:
		return a.setFlash(flashErr, name+" unreachable: "+ss.err)
	case was && !now:
		return a.setFlash(flashInfo, name+" is reachable again")
	}
	return nil
}

func (a *App) onPools(msg PoolsMsg) tea.Cmd {
	if !a.answered(msg.Gen, request{reqPools, msg.Site}) {
		return nil
	}
	if ss := a.store.site(msg.Site); ss != nil {
		ss.poolsLoaded = true
		if msg.Err != nil {
			ss.pools, ss.poolsErr = nil, oneLine(msg.Err.Error())
		} else {
			ss.pools, ss.poolsErr = msg.Pools, ""
		}
		a.tree.rebuild()
	}
	if !a.refreshing() {
		return a.finishRefresh()
	}
	return nil
}

// finishRefresh stamps the data age and, with auto-refresh on, schedules the
// next tick under a new id, which also retires any tick still pending from
// before (for example the one a manual refresh overtook).
func (a *App) finishRefresh() tea.Cmd {
	a.pending = nil
	a.updatedAt = a.c.Now()
	cmds := []tea.Cmd{a.selectionChanged(true)}
	if a.refreshAgain {
		// An action finished while this refresh was in flight; its
		// effect may have missed this round.
		a.refreshAgain = false
		return tea.Batch(append(cmds, a.startRefresh())...)
	}
	if a.c.Refresh <= 0 {
		return tea.Batch(cmds...)
	}
	a.tickID++
	id := a.tickID
	return tea.Batch(append(cmds, a.after(a.c.Refresh, func(time.Time) tea.Msg { return refreshTickMsg{id} }))...)
}

func (a *App) onRefreshTick(msg refreshTickMsg) tea.Cmd {
	// A tick from a retired chain, or one that arrives while a manual
	// refresh runs, is dropped: the running refresh schedules the next.
	if msg.id != a.tickID || a.refreshing() {
		return nil
	}
	return a.startRefresh()
}

func (a *App) clockTick() tea.Cmd {
	return a.after(time.Second, func(time.Time) tea.Msg { return clockTickMsg{} })
}

// setFlash shows text on the flash line and schedules its removal.
func (a *App) setFlash(kind flashKind, text string) tea.Cmd {
	a.flashSeq++
	id := a.flashSeq
	a.flash = flash{text: termsafe.Text(oneLine(text)), kind: kind, id: id}
	return a.after(flashTTL, func(time.Time) tea.Msg { return clearFlashMsg{id} })
}
