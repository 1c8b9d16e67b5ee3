package uitest

import (
	"context"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/rbdtui/rbdtui/model"
)

// The fixture is a model.MirrorWatcher too. A watch session builds its
// frames from what the test set with SetImages (and SetGroups for a group
// scope), one cell per site; a site set to Fail is down in the frame, its
// cells the last values the session saw, marked stale. Lag histories and
// timeline events are what the test gives with SetLagHistory and
// AddWatchEvents: the fixture diffs nothing itself.

var _ model.MirrorWatcher = (*Fixture)(nil)

// watchState is the fixture's part for watches, guarded by Fixture.mu.
type watchState struct {
	now     func() time.Time
	events  []model.WatchEvent
	history map[string][]int64 // site/pool/image
	focus   []string           // what the last session's Focus said
}

// WatchFocus is the rows the console last said were on screen
// (model.WatchFocus).
func (f *Fixture) WatchFocus() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.watch.focus)
}

// SetWatchClock sets the clock that stamps frames, down-since times and
// data ages; the default is time.Now.
func (f *Fixture) SetWatchClock(now func() time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.watch.now = now
}

// AddWatchEvents queues timeline events; the next poll of any watch
// session returns them.
func (f *Fixture) AddWatchEvents(evs ...model.WatchEvent) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.watch.events = append(f.watch.events, evs...)
}

// SetLagHistory sets the lag history an image's cell on a site starts
// with (spec is pool/image); every poll appends the current lag to it.
func (f *Fixture) SetLagHistory(site, spec string, lags ...int64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.watch.history == nil {
		f.watch.history = map[string][]int64{}
	}
	f.watch.history[site+"/"+spec] = slices.Clone(lags)
}

// Watch implements model.MirrorWatcher.
func (f *Fixture) Watch(scope model.WatchScope) (model.WatchSession, error) {
	f.mu.Lock()
	f.calls["Watch/"]++
	f.mu.Unlock()
	return &watchSession{f: f, scope: scope, down: map[string]time.Time{}, dataAt: map[string]time.Time{},
		last: map[string]map[string]model.Image{}, hist: map[string][]int64{}}, nil
}

type watchSession struct {
	f      *Fixture
	scope  model.WatchScope
	down   map[string]time.Time
	dataAt map[string]time.Time
	last   map[string]map[string]model.Image // site -> pool/image
	hist   map[string][]int64                // site/pool/image
}

// specs lists the pool/image specs the scope covers, nil for a pool scope.
func (s *watchSession) specs() []string {
	f := s.f
	switch {
	case len(s.scope.Images) > 0:
		return s.scope.Images
	case s.scope.Group != "":
		pool, name, _ := strings.Cut(s.scope.Group, "/")
		for key, gs := range f.groups {
			if !strings.HasSuffix(key, "/"+pool) {
				continue
			}
			for _, g := range gs {
				if g.Name == name {
					return g.Members
				}
			}
		}
		return []string{}
	}
	return nil
}

// Poll implements model.WatchSession.
func (s *watchSession) Poll(ctx context.Context) (model.WatchFrame, error) {
	f := s.f
	sites := f.Sites()
	errs := make([]error, len(sites))
	for i, st := range sites {
		errs[i] = f.enter(ctx, "Watch", st.Name)
	}
	if err := ctx.Err(); err != nil {
		return model.WatchFrame{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	now := time.Now
	if f.watch.now != nil {
		now = f.watch.now
	}
	at := now()
	frame := model.WatchFrame{At: at, Events: f.watch.events}
	f.watch.events = nil
	specs := s.specs()
	rows := map[string]*model.WatchRow{}
	for i, st := range sites {
		ws := model.WatchSite{Site: st.Name, Daemons: -1}
		if status, ok := f.status[st.Name]; ok {
			ws.Leader, ws.Daemons = status.MirrorLeader, status.MirrorDaemons
		}
		stale := errs[i] != nil
		if stale {
			ws.Err = errs[i].Error()
			if _, was := s.down[st.Name]; !was {
				s.down[st.Name] = at
			}
			ws.DownSince = s.down[st.Name]
		} else {
			delete(s.down, st.Name)
			s.dataAt[st.Name] = at
			cur := map[string]model.Image{}
			for key, imgs := range f.images {
				site, pool, _ := strings.Cut(key, "/")
				if site != st.Name || (specs == nil && pool != s.scope.Pool) {
					continue
				}
				for _, img := range imgs {
					spec := pool + "/" + img.Name
					if specs == nil || slices.Contains(specs, spec) {
						cur[spec] = img
					}
				}
			}
			s.last[st.Name] = cur
		}
		ws.DataAt = s.dataAt[st.Name]
		frame.Sites = append(frame.Sites, ws)
		for spec, img := range s.last[st.Name] {
			row := rows[spec]
			if row == nil {
				row = &model.WatchRow{Image: spec, Mode: img.MirrorMode, Cells: make([]model.WatchCell, len(sites))}
				rows[spec] = row
			}
			c := model.WatchCellOf(img, stale)
			hk := st.Name + "/" + spec
			if !stale {
				h, ok := s.hist[hk]
				if !ok {
					h = slices.Clone(f.watch.history[hk])
				}
				var lag int64
				if c.Lag != nil {
					lag = *c.Lag
				}
				h = append(h, lag)
				if len(h) > 60 {
					h = h[len(h)-60:]
				}
				s.hist[hk] = h
			}
			c.History = slices.Clone(s.hist[hk])
			row.Cells[i] = c
		}
	}
	for _, r := range rows {
		frame.Rows = append(frame.Rows, *r)
	}
	sort.Slice(frame.Rows, func(i, j int) bool { return frame.Rows[i].Image < frame.Rows[j].Image })
	return frame, nil
}

// Close implements model.WatchSession.
func (s *watchSession) Close() error { return nil }

// Focus implements model.WatchFocus: it records what it is told.
func (s *watchSession) Focus(images []string) {
	s.f.mu.Lock()
	defer s.f.mu.Unlock()
	s.f.watch.focus = slices.Clone(images)
}
