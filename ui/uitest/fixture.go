// Package uitest provides a model.Backend fixture for the console's unit
// tests. It is not a Ceph simulator: it returns exactly what a test put in
// it, so every value on screen in a UI test can be traced to the test that
// set it. Integration tests run against the real two-site lab instead.
package uitest

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/rbdtui/rbdtui/model"
)

// Fixture is a model.Backend whose answers are set by the test. It is safe
// for concurrent use: the console calls it from tea.Cmd goroutines while the
// test changes it between refreshes.
type Fixture struct {
	mu     sync.Mutex
	sites  []model.Site
	status map[string]model.SiteStatus
	pools  map[string][]model.Pool
	images map[string][]model.Image     // by site/pool
	groups map[string][]model.Group     // by site/pool
	jrnls  map[string]model.Journal     // by site/pool/image
	prog   []model.Progress             // reported by every Exec
	detail map[string]model.ImageDetail // by site/pool/image
	execs  []ExecCall                   // every Exec, in order
	exec   func([]string) (model.ExecResult, error)
	errs   map[string]error
	delays map[string]time.Duration
	calls  map[string]int
	watch  watchState // see watch.go
}

var (
	_ model.Backend          = (*Fixture)(nil)
	_ model.GroupLister      = (*Fixture)(nil)
	_ model.JournalInspector = (*Fixture)(nil)
)

// New returns a fixture that knows the given sites and nothing about them
// yet: until SetStatus is called, SiteStatus fails for them.
func New(sites ...model.Site) *Fixture {
	f := &Fixture{
		status: map[string]model.SiteStatus{},
		pools:  map[string][]model.Pool{},
		images: map[string][]model.Image{},
		groups: map[string][]model.Group{},
		jrnls:  map[string]model.Journal{},
		detail: map[string]model.ImageDetail{},
		errs:   map[string]error{},
		delays: map[string]time.Duration{},
		calls:  map[string]int{},
	}
	f.SetSites(sites...)
	return f
}

// SetSites replaces the configured site list.
func (f *Fixture) SetSites(sites ...model.Site) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sites = slices.Clone(sites)
}

// SetStatus sets what SiteStatus returns for st.Site.
func (f *Fixture) SetStatus(st model.SiteStatus) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.status[st.Site] = st
}

// SetPools sets what Pools returns for site, in that order.
func (f *Fixture) SetPools(site string, pools ...model.Pool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.pools[site] = slices.Clone(pools)
}

// Fail makes every call about site return err, as an unreachable cluster
// would; Fail(site, nil) lets it answer again.
func (f *Fixture) Fail(site string, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err == nil {
		delete(f.errs, site)
		return
	}
	f.errs[site] = err
}

// SetDelay makes every call about site wait d before answering, or until its
// context ends, whichever is first, like a slow monitor.
func (f *Fixture) SetDelay(site string, d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.delays[site] = d
}

// Calls reports how many times method ("SiteStatus" or "Pools") was called
// for site.
func (f *Fixture) Calls(method, site string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[method+"/"+site]
}

// Sites implements model.Backend.
func (f *Fixture) Sites() []model.Site {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.sites)
}

// SiteStatus implements model.Backend.
func (f *Fixture) SiteStatus(ctx context.Context, site string) (model.SiteStatus, error) {
	if err := f.enter(ctx, "SiteStatus", site); err != nil {
		return model.SiteStatus{Site: site}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	st, ok := f.status[site]
	if !ok {
		return model.SiteStatus{Site: site}, fmt.Errorf("uitest: no status set for site %q", site)
	}
	return st, nil
}

// Pools implements model.Backend.
func (f *Fixture) Pools(ctx context.Context, site string) ([]model.Pool, error) {
	if err := f.enter(ctx, "Pools", site); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.pools[site]), nil
}

// enter counts the call, checks the site exists, waits out any delay and
// returns the error the site is set to fail with.
func (f *Fixture) enter(ctx context.Context, method, site string) error {
	f.mu.Lock()
	f.calls[method+"/"+site]++
	known := slices.ContainsFunc(f.sites, func(s model.Site) bool { return s.Name == site })
	delay, err := f.delays[site], f.errs[site]
	f.mu.Unlock()

	if !known {
		return fmt.Errorf("uitest: unknown site %q", site)
	}
	if delay > 0 {
		t := time.NewTimer(delay)
		defer t.Stop()
		select {
		case <-t.C:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return err
}

// ExecCall records one Exec: the argv the console produced.
type ExecCall struct {
	Argv []string
}

// SetImages sets what Images returns for a pool of a site.
func (f *Fixture) SetImages(site, pool string, images ...model.Image) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.images[site+"/"+pool] = slices.Clone(images)
}

// SetDetail sets what ImageDetail returns for d's site, pool and name.
func (f *Fixture) SetDetail(d model.ImageDetail) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.detail[d.Site+"/"+d.Pool+"/"+d.Name] = d
}

// OnExec sets how Exec answers; without it Exec answers with an empty
// output and records the call.
func (f *Fixture) OnExec(fn func(argv []string) (model.ExecResult, error)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.exec = fn
}

// Execs returns every Exec call so far.
func (f *Fixture) Execs() []ExecCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.execs)
}

// Images implements model.Backend.
func (f *Fixture) Images(ctx context.Context, site, pool string) ([]model.Image, error) {
	if err := f.enter(ctx, "Images", site); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.images[site+"/"+pool]), nil
}

// ImageDetail implements model.Backend.
func (f *Fixture) ImageDetail(ctx context.Context, site string, spec model.ImageSpec) (model.ImageDetail, error) {
	if err := f.enter(ctx, "ImageDetail", site); err != nil {
		return model.ImageDetail{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	d, ok := f.detail[site+"/"+spec.Pool+"/"+spec.Image]
	if !ok {
		return d, fmt.Errorf("image %s does not exist on site %s", spec, site)
	}
	return d, nil
}

// Exec implements model.Backend.
func (f *Fixture) Exec(ctx context.Context, argv []string, progress func(model.Progress)) (model.ExecResult, error) {
	f.mu.Lock()
	f.execs = append(f.execs, ExecCall{Argv: slices.Clone(argv)})
	fn := f.exec
	prog := slices.Clone(f.prog)
	f.mu.Unlock()
	for _, p := range prog {
		if progress != nil {
			progress(p)
		}
	}
	if fn == nil {
		return model.ExecResult{}, nil
	}
	return fn(argv)
}

// SetGroups sets what Groups returns for a pool of a site.
func (f *Fixture) SetGroups(site, pool string, groups ...model.Group) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.groups[site+"/"+pool] = slices.Clone(groups)
}

// SetJournal sets what Journal returns for j's image.
func (f *Fixture) SetJournal(j model.Journal) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.jrnls[j.Site+"/"+j.Pool+"/"+j.Image] = j
}

// SetProgress makes every Exec report these progress events first.
func (f *Fixture) SetProgress(ps ...model.Progress) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.prog = slices.Clone(ps)
}

// Groups implements model.GroupLister.
func (f *Fixture) Groups(ctx context.Context, site, pool string) ([]model.Group, error) {
	if err := f.enter(ctx, "Groups", site); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.groups[site+"/"+pool]), nil
}

// Journal implements model.JournalInspector.
func (f *Fixture) Journal(ctx context.Context, site string, spec model.ImageSpec) (model.Journal, error) {
	if err := f.enter(ctx, "Journal", site); err != nil {
		return model.Journal{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	j, ok := f.jrnls[site+"/"+spec.Pool+"/"+spec.Image]
	if !ok {
		return j, fmt.Errorf("image %s has no journal on site %s", spec, site)
	}
	return j, nil
}
