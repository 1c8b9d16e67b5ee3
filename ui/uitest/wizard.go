package uitest

import (
	"context"
	"fmt"
	"slices"
	"sync"

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
