package backend

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/rbdtui/rbdtui/internal/cgroup"
	"github.com/rbdtui/rbdtui/internal/mirror"
	"github.com/rbdtui/rbdtui/internal/site"
	"github.com/rbdtui/rbdtui/model"
)

var _ model.MirrorWatcher = (*Backend)(nil)

// watchHistory is how many polls of lag a row carries for its trend.
const watchHistory = 60

// watchExactMax is the most images per pool a watch reads by opening
// them on every poll (ground truth of primary-ness and demotion); a
// larger scope relies on the batched listing.
const watchExactMax = 64

// Watch prepares a live watch of a pool, a group's members or some images
// on every configured site. It does no I/O: the first Poll does.
func (b *Backend) Watch(scope model.WatchScope) (model.WatchSession, error) {
	if scope.Pool == "" && scope.Group == "" && len(scope.Images) == 0 {
		return nil, errors.New("watch: name a pool, a group or images")
	}
	var group *cgroup.Spec
	if scope.Group != "" {
		g, err := cgroup.ParseSpec(scope.Group, false)
		if err != nil {
			return nil, err
		}
		group = &g
	}
	var conns []*site.Conn
	for _, s := range b.Sites() {
		c, err := b.sites.Site(s.Name)
		if err != nil {
			return nil, err
		}
		conns = append(conns, c)
	}
	ws := &watchSession{scope: scope, group: group, sites: conns, pollers: map[string]*pollerState{}, tl: b.tl,
		last: map[string]map[string]model.Image{}, rate: map[string]rateSample{}}
	if len(scope.Images) > 0 {
		ws.members = map[string]map[string]bool{}
		for _, spec := range scope.Images {
			is, err := model.ParseImageSpec(spec, false)
			if err != nil {
				return nil, err
			}
			if ws.members[is.Pool] == nil {
				ws.members[is.Pool] = map[string]bool{}
			}
			ws.members[is.Pool][is.Image] = true
		}
	}
	return ws, nil
}

// watchSession is one watch: a mirror.Poller per pool the scope touches,
// the last known images of every site (shown, marked stale, while a site
// does not answer), and samples for rates the status does not publish.
type watchSession struct {
	scope model.WatchScope
	group *cgroup.Spec
	sites []*site.Conn
	// tl is the backend's timeline: the session adds its pollers'
	// events to it and shows what it holds for the scope, from the last
	// TimelineKeep on the first poll, then what is added after.
	tl     *timeline
	tlSeen uint64

	mu      sync.Mutex
	members map[string]map[string]bool // pool -> names; nil = the whole pool
	pollers map[string]*pollerState    // by pool
	last    map[string]map[string]model.Image
	dataAt  map[string]time.Time
	rate    map[string]rateSample // by site/pool/image
	focus   map[string][]string   // pool -> the names on screen
}

var _ model.WatchFocus = (*watchSession)(nil)

// Focus records the rows on screen for the next polls (see
// mirror.Poller.Focus).
func (ws *watchSession) Focus(images []string) {
	by := map[string][]string{}
	for _, spec := range images {
		if is, err := model.ParseImageSpec(spec, false); err == nil {
			pool := is.Pool
			if is.Namespace != "" {
				pool += "/" + is.Namespace
			}
			by[pool] = append(by[pool], is.Image)
		}
	}
	ws.mu.Lock()
	ws.focus = by
	ws.mu.Unlock()
}

type pollerState struct {
	p    *mirror.Poller
	seen uint64 // events consumed
}

// rateSample is an earlier observation of a copy's lag, for its trend.
type rateSample struct {
	at  time.Time
	lag int64
	pct float64
}

// Poll implements model.WatchSession.
func (ws *watchSession) Poll(ctx context.Context) (model.WatchFrame, error) {
	start := time.Now()
	if err := ws.resolve(ctx); err != nil {
		return model.WatchFrame{}, err
	}
	ws.mu.Lock()
	pools := make([]string, 0, len(ws.members)+1)
	if ws.members == nil {
		pools = append(pools, ws.scope.Pool)
	}
	for pool := range ws.members {
		pools = append(pools, pool)
	}
	sort.Strings(pools)
	for _, pool := range pools {
		if ws.pollers[pool] == nil {
			p := mirror.NewPoller(pool, ws.sites...)
			p.DownProbe = 2 * time.Second
			// The few images a watch shows are read from the images
			// themselves, and journal lag from the primaries' headers,
			// on every poll.
			p.ExactMax, p.LiveLag = watchExactMax, true
			p.Focus = func() []string {
				ws.mu.Lock()
				defer ws.mu.Unlock()
				return ws.focus[pool]
			}
			ws.pollers[pool] = &pollerState{p: p}
		}
		if ws.members != nil {
			set := ws.members[pool]
			ws.pollers[pool].p.Only = func(name string) bool { return set[name] }
		}
	}
	ws.mu.Unlock()

	views := make([]*mirror.View, len(pools))
	errs := make([]error, len(pools))
	var wg sync.WaitGroup
	for i, pool := range pools {
		wg.Add(1)
		go func() {
			defer wg.Done()
			views[i], errs[i] = ws.pollers[pool].p.Refresh(ctx)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return model.WatchFrame{}, err
		}
	}

	ws.mu.Lock()
	defer ws.mu.Unlock()
	f := model.WatchFrame{At: start}
	byImage := map[string]*model.WatchRow{}
	for si, c := range ws.sites {
		name := c.Name()
		wsite := model.WatchSite{Site: name, Daemons: -1}
		if ws.last[name] == nil {
			ws.last[name] = map[string]model.Image{}
		}
		var leaders []string
		up := true
		live := map[string]mirror.LiveLag{}
		for i, pool := range pools {
			sv := views[i].Sites[si]
			st := ws.pollers[pool]
			for name, l := range sv.Live {
				live[pool+"/"+name] = l
			}
			if sv.Err != nil {
				up = false
				if wsite.Err == "" {
					wsite.Err = oneLine(sv.Err.Error())
				}
				if since, down := st.p.DownSince(name); down && (wsite.DownSince.IsZero() || since.Before(wsite.DownSince)) {
					wsite.DownSince = since
				}
				continue
			}
			if sv.Daemons != nil {
				if sv.Daemons.Leader != "" && !contains(leaders, sv.Daemons.Leader) {
					leaders = append(leaders, sv.Daemons.Leader)
				}
				wsite.Daemons = max(wsite.Daemons, len(sv.Daemons.Daemons))
			}
			now := make(map[string]bool, len(sv.Images))
			for _, img := range sv.Images {
				now[pool+"/"+img.Name] = true
				ws.last[name][pool+"/"+img.Name] = img
			}
			// Forget images the pool no longer lists.
			for key := range ws.last[name] {
				if strings.HasPrefix(key, pool+"/") && !now[key] {
					delete(ws.last[name], key)
				}
			}
		}
		wsite.Leader = strings.Join(leaders, ",")
		if up {
			if ws.dataAt == nil {
				ws.dataAt = map[string]time.Time{}
			}
			ws.dataAt[name] = start
		}
		wsite.DataAt = ws.dataAt[name]
		f.Sites = append(f.Sites, wsite)
		for key, img := range ws.last[name] {
			row := byImage[key]
			if row == nil {
				row = &model.WatchRow{Image: key, Cells: make([]model.WatchCell, len(ws.sites))}
				byImage[key] = row
			}
			if row.Mode == "" {
				row.Mode = img.MirrorMode
			}
			// key is pool + "/" + image; the pool may be "pool/namespace"
			pool := key[:strings.LastIndexByte(key, '/')]
			row.Cells[si] = ws.cell(name, key, img, !up, ws.pollers[pool].p)
			if l, ok := live[key]; ok && up {
				c := &row.Cells[si]
				lag := l.Lag
				c.ReportedLag, c.Lag, c.LagLive, c.LagAt = c.Lag, &lag, true, l.At
				c.EntriesPerSec = l.EntriesPerSec
				if l.Bytes != nil {
					b := *l.Bytes
					c.LagBytes, c.LagBytesEstimated = &b, l.BytesEstimated
				}
				if l.CopyPercent != nil {
					c.SyncPercent = l.CopyPercent
				}
				if lag == 0 {
					c.ETA = nil
				} else if l.EntriesPerSec != nil && *l.EntriesPerSec > 0 {
					d := time.Duration(float64(lag) / *l.EntriesPerSec * float64(time.Second))
					c.ETA = &d
				}
			}
		}
	}
	f.Rows = make([]model.WatchRow, 0, len(byImage))
	for _, r := range byImage {
		f.Rows = append(f.Rows, *r)
	}
	sort.Slice(f.Rows, func(i, j int) bool { return f.Rows[i].Image < f.Rows[j].Image })
	var mine []model.WatchEvent
	for _, pool := range pools {
		st := ws.pollers[pool]
		evs, n := st.p.EventsAfter(st.seen)
		st.seen = n
		for _, e := range evs {
			mine = append(mine, fromMirrorEvent(pool, e))
		}
	}
	if len(pools) > 1 {
		// Site events are seen once per pool; keep one of each per poll.
		mine = dedupSiteEvents(mine)
	}
	ws.tl.add(mine...)
	evs, n := ws.tl.after(ws.tlSeen)
	ws.tlSeen = n
	for _, e := range evs {
		if ws.covers(e.Image) {
			f.Events = append(f.Events, e)
		}
	}
	sort.SliceStable(f.Events, func(i, j int) bool { return f.Events[i].At.Before(f.Events[j].At) })
	f.Took = time.Since(start)
	return f, nil
}

// cell turns one site's image into a watch cell, with lag, rate and ETA.
func (ws *watchSession) cell(siteName, key string, img model.Image, stale bool, p *mirror.Poller) model.WatchCell {
	c := model.WatchCellOf(img, stale)
	name := strings.TrimPrefix(key, img.Pool+"/")
	c.History = p.Lags(siteName, name, watchHistory)
	if !stale && c.ETA == nil {
		c.ETA = ws.trendETA(siteName+"/"+key, c)
	}
	return c
}

// trendETA estimates the time until synced from two polls when the status
// does not publish it: the lag falling (entries or snapshot seconds), or
// a sync's percent rising.
func (ws *watchSession) trendETA(key string, c model.WatchCell) *time.Duration {
	now := time.Now()
	cur := rateSample{at: now}
	if c.Lag != nil {
		cur.lag = *c.Lag
	}
	if c.SyncPercent != nil {
		cur.pct = *c.SyncPercent
	}
	prev, ok := ws.rate[key]
	ws.rate[key] = cur
	dt := now.Sub(prev.at).Seconds()
	if !ok || dt <= 0 {
		return nil
	}
	var d time.Duration
	switch {
	case c.SyncPercent != nil && cur.pct > prev.pct && cur.pct < 100:
		d = time.Duration((100 - cur.pct) / ((cur.pct - prev.pct) / dt) * float64(time.Second))
	case c.Lag != nil && cur.lag == 0:
		return nil
	case c.Lag != nil && cur.lag < prev.lag:
		d = time.Duration(float64(cur.lag) / (float64(prev.lag-cur.lag) / dt) * float64(time.Second))
	default:
		return nil
	}
	return &d
}

// covers reports whether the scope holds an image ("pool/name"); site
// events ("") concern every scope. Called with ws.mu held.
func (ws *watchSession) covers(image string) bool {
	if image == "" {
		return true
	}
	pool, name, _ := strings.Cut(image, "/")
	if ws.members == nil {
		return pool == ws.scope.Pool
	}
	return ws.members[pool][name]
}

// resolve works out which images of which pools the scope covers: a group's
// members are read on the first site that answers (they may change while
// the watch runs; the last good answer stands while no site answers).
func (ws *watchSession) resolve(ctx context.Context) error {
	if ws.group == nil {
		return nil
	}
	var errs []string
	for _, c := range ws.sites {
		imgs, err := cgroup.ImageList(ctx, c, *ws.group)
		if err != nil {
			errs = append(errs, c.Name()+": "+oneLine(err.Error()))
			continue
		}
		m := map[string]map[string]bool{}
		for _, i := range imgs {
			if m[i.Pool] == nil {
				m[i.Pool] = map[string]bool{}
			}
			m[i.Pool][i.Image] = true
		}
		ws.mu.Lock()
		ws.members = m
		ws.mu.Unlock()
		return nil
	}
	ws.mu.Lock()
	known := ws.members != nil
	ws.mu.Unlock()
	if known {
		return nil
	}
	return fmt.Errorf("members of group %s: %s", ws.group, strings.Join(errs, "; "))
}

// Close implements model.WatchSession. The pollers hold no resources of
// their own: the site connections belong to the manager.
func (ws *watchSession) Close() error { return nil }

func dedupSiteEvents(evs []model.WatchEvent) []model.WatchEvent {
	seen := map[string]bool{}
	out := evs[:0]
	for _, e := range evs {
		if e.Image == "" && (e.Kind == model.EventSiteDown || e.Kind == model.EventSiteUp) {
			k := e.Site + "\x00" + e.Kind
			if seen[k] {
				continue
			}
			seen[k] = true
		}
		out = append(out, e)
	}
	return out
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

func oneLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return strings.TrimSpace(s)
}
