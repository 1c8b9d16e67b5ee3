package backend

import (
	"context"
	"fmt"

	"github.com/rbdtui/rbdtui/internal/cgroup"
	"github.com/rbdtui/rbdtui/internal/mirror"
	"github.com/rbdtui/rbdtui/model"
)

var _ model.FailoverPlanner = (*Backend)(nil)

// PlanFailover is the engines' dry run of a failover, the same plan
// `failover ... --dry-run` prints: mirror.MakePlan for an image or a pool,
// cgroup.Plan for a consistency group. It changes nothing.
func (b *Backend) PlanFailover(ctx context.Context, req model.FailoverRequest) (model.FailoverPlan, error) {
	p := model.FailoverPlan{Request: req, Kind: "planned", FromReachable: true}
	if req.Force {
		p.Kind = "forced"
	}
	if req.From == "" || req.To == "" {
		return p, fmt.Errorf("name both sites: the current primary (from) and the site that becomes primary (to)")
	}
	if req.From == req.To {
		return p, fmt.Errorf("from and to are the same site (%s): a failover moves the primary to the other site", req.To)
	}
	from, err := b.sites.Site(req.From)
	if err != nil {
		return p, err
	}
	to, err := b.sites.Site(req.To)
	if err != nil {
		return p, err
	}
	for _, s := range b.Sites() {
		if s.ReadOnly && (s.Name == req.From || s.Name == req.To) {
			p.Problems = append(p.Problems, fmt.Sprintf("site %s is configured read-only: the failover changes it", s.Name))
		}
	}
	switch req.Scope {
	case model.FailoverGroup:
		spec, err := cgroup.ParseSpec(req.Target, false)
		if err != nil {
			return p, err
		}
		gp, err := cgroup.Plan(ctx, b.sites, from, to, spec, cgroup.Options{Force: req.Force})
		if err != nil {
			return p, err
		}
		p.Group, p.Steps = gp, gp.Steps
		return p, nil
	case model.FailoverImage, model.FailoverPool:
	default:
		return p, fmt.Errorf("unknown failover scope %q (image, pool or group)", req.Scope)
	}
	o := mirror.FailoverOptions{From: from, To: to, Force: req.Force}
	if req.Scope == model.FailoverImage {
		spec, err := model.ParseImageSpec(req.Target, false)
		if err != nil {
			return p, err
		}
		o.Pool, o.Namespace, o.Images = spec.Pool, spec.Namespace, []string{spec.Image}
	} else {
		ps, err := model.ParsePoolSpec(req.Target)
		if err != nil {
			return p, err
		}
		o.Pool, o.Namespace = ps.Pool, ps.Namespace
	}
	mp, err := mirror.MakePlan(ctx, o)
	if err != nil {
		return p, err
	}
	p.Steps, p.FromReachable, p.FromError = mp.Steps, mp.FromReachable, mp.FromError
	p.Images = append(p.Images, mp.Images...)
	p.Problems = append(p.Problems, mp.Problems()...)
	return p, nil
}
