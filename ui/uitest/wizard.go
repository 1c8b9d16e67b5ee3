package uitest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/rbdtui/rbdtui/model"
)

// Planner is a Fixture that also plans failovers (model.FailoverPlanner),
// for the failover wizard's tests. Every other call goes to the Fixture.
type Planner struct {
	*Fixture
	mu   sync.Mutex
	plan func(model.FailoverRequest) (model.FailoverPlan, error)
	reqs []model.FailoverRequest
}

var _ model.FailoverPlanner = (*Planner)(nil)

// WithPlanner wraps f; until OnPlan is called every plan fails.
func WithPlanner(f *Fixture) *Planner { return &Planner{Fixture: f} }

// OnPlan sets how PlanFailover answers.
func (p *Planner) OnPlan(fn func(model.FailoverRequest) (model.FailoverPlan, error)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.plan = fn
}

// Requests returns every PlanFailover request so far.
func (p *Planner) Requests() []model.FailoverRequest {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.reqs)
}

// PlanFailover implements model.FailoverPlanner. A site set to fail (see
// Fixture.Fail) fails the plan as the engines do: always when it is To;
// when it is From, a planned failover is refused and a forced one goes on
// with FromReachable false.
func (p *Planner) PlanFailover(ctx context.Context, req model.FailoverRequest) (model.FailoverPlan, error) {
	if err := p.enter(ctx, "PlanFailover", req.To); err != nil {
		return model.FailoverPlan{Request: req}, fmt.Errorf("read %s (the failover target): %w", req.To, err)
	}
	p.mu.Lock()
	p.reqs = append(p.reqs, req)
	fn := p.plan
	p.mu.Unlock()
	f := p.Fixture
	f.mu.Lock()
	fromErr := f.errs[req.From]
	f.mu.Unlock()
	if fromErr != nil && !req.Force {
		return model.FailoverPlan{Request: req}, fmt.Errorf("site %s (the current primary) does not answer: %v; if it is lost, run a forced failover (--force)", req.From, fromErr)
	}
	if fn == nil {
		return model.FailoverPlan{Request: req}, fmt.Errorf("uitest: no failover plan set")
	}
	plan, err := fn(req)
	if err == nil && fromErr != nil {
		plan.FromReachable, plan.FromError = false, fromErr.Error()
	}
	return plan, err
}

// ScopePlanner is a Planner that also reads where a failover scope is
// primary (model.FailoverScopeReader), from the images the test set with
// SetImages at the time of the call: a test changes them behind the
// console's back to prove the wizard reads the sites, not its store.
type ScopePlanner struct {
	*Planner
	reads int
}

var _ model.FailoverScopeReader = (*ScopePlanner)(nil)

// WithScopeReader wraps p.
func WithScopeReader(p *Planner) *ScopePlanner { return &ScopePlanner{Planner: p} }

// Reads counts the ReadFailoverScope calls so far.
func (p *ScopePlanner) Reads() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.reads
}

// ReadFailoverScope implements model.FailoverScopeReader. A site set to
// fail is reported with its error; a group's members come from SetGroups.
func (p *ScopePlanner) ReadFailoverScope(ctx context.Context, scope, target string) (model.FailoverScopeState, error) {
	p.mu.Lock()
	p.reads++
	p.mu.Unlock()
	f := p.Fixture
	now := time.Now
	f.mu.Lock()
	if f.watch.now != nil {
		now = f.watch.now
	}
	f.mu.Unlock()
	st := model.FailoverScopeState{At: now()}
	var specs []string // pool/image; nil = the whole pool target
	switch scope {
	case model.FailoverImage:
		specs = []string{target}
	case model.FailoverGroup:
		ws := &watchSession{f: f, scope: model.WatchScope{Group: target}}
		f.mu.Lock()
		specs = ws.specs()
		f.mu.Unlock()
	}
	for _, s := range f.Sites() {
		ss := model.FailoverScopeSite{Site: s.Name}
		if err := f.enter(ctx, "ReadFailoverScope", s.Name); err != nil {
			ss.Err = err.Error()
			st.Sites = append(st.Sites, ss)
			continue
		}
		f.mu.Lock()
		for key, imgs := range f.images {
			site, pool, _ := strings.Cut(key, "/")
			if site != s.Name || (specs == nil && pool != target) {
				continue
			}
			for _, img := range imgs {
				if specs != nil && !slices.Contains(specs, pool+"/"+img.Name) || img.MirrorState != model.MirrorEnabled {
					continue
				}
				if img.Primary {
					ss.Primary++
				} else {
					ss.NonPrimary++
				}
			}
		}
		f.mu.Unlock()
		st.Sites = append(st.Sites, ss)
	}
	return st, nil
}
