package cli

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/rbdtui/rbdtui/internal/mirror"
	"github.com/rbdtui/rbdtui/internal/site"
	"github.com/rbdtui/rbdtui/model"
)

// groupFailover runs `failover --group`; the consistency-group engine sets it.
var groupFailover Handler

// otherSite returns the only configured site other than name.
func otherSite(env *Env, name string) (string, error) {
	cfg, err := env.Config()
	if err != nil {
		return "", err
	}
	var others []string
	for _, s := range cfg.Sites {
		if s.Name != name {
			others = append(others, s.Name)
		}
	}
	if len(others) != 1 {
		return "", Usagef("name the other site with --from (configured: %s)", strings.Join(cfg.SiteNames(), ", "))
	}
	return others[0], nil
}

func runFailover(ctx context.Context, env *Env) error {
	inv := env.Inv
	to := inv.Flag("to")
	if to == "" {
		return Usagef("failover needs --to <site>, the site that becomes primary")
	}
	// The site names first: an unknown one is named, not hidden behind
	// "name the other site with --from".
	if cfg, err := env.Config(); err == nil {
		for _, f := range []string{"to", "from"} {
			if v := inv.Flag(f); v != "" {
				if _, err := cfg.Site(v); err != nil {
					return Usagef("--%s: %v", f, err)
				}
			}
		}
	}
	scopes := 0
	for _, f := range []string{"image", "pool", "group"} {
		if inv.Has(f) {
			scopes++
		}
	}
	if scopes != 1 {
		return Usagef("failover needs exactly one of --image <pool>/<image>, --pool <pool>, --group <pool>/<group>")
	}
	if inv.Has("group") {
		if groupFailover == nil {
			return Usagef("group failover is not available in this build")
		}
		return groupFailover(ctx, env)
	}
	from := inv.Flag("from")
	if from == "" {
		var err error
		if from, err = otherSite(env, to); err != nil {
			return err
		}
	}
	if from == to {
		return Usagef("--from and --to are the same site (%s)", to)
	}
	toC, err := env.SiteNamed(to)
	if err != nil {
		return err
	}
	fromC, err := env.SiteNamed(from)
	if err != nil {
		return err
	}
	o := mirror.FailoverOptions{From: fromC, To: toC, Force: inv.Bool("force"), StepTimeout: inv.DurationFlag("step-timeout", 0), Progress: env.Progressf}
	scope := inv.Flag("pool")
	if inv.Has("image") {
		spec, err := model.ParseImageSpec(inv.Flag("image"), false)
		if err != nil {
			return Usagef("--image: %v", err)
		}
		o.Pool, o.Images, scope = spec.Pool, []string{spec.Image}, spec.String()
	} else {
		o.Pool = scope
	}
	plan, err := mirror.MakePlan(ctx, o)
	if err != nil {
		return asUsage(err)
	}
	if inv.Bool("dry-run") {
		if env.Out.JSON() {
			return env.Out.Value(plan)
		}
		printPlan(env, plan)
		if p := plan.Problems(); len(p) > 0 {
			return Usagef("the plan has problems; a run would refuse")
		}
		return nil
	}
	if o.Force {
		if !env.Out.JSON() {
			printPlan(env, plan)
		}
		if err := env.Confirm(fmt.Sprintf("Forced failover of %s to %s: %s is not demoted, and writes it did not replicate are lost.", scope, to, from), lastWord(scope)); err != nil {
			return err
		}
	} else if err := env.Confirm(fmt.Sprintf("Failover of %s to %s: demote on %s, wait until %s has replayed everything, promote on %s.", scope, to, from, to, to), ""); err != nil {
		return err
	}
	plan, err = mirror.Run(ctx, o)
	if err != nil {
		return asUsage(err)
	}
	if env.Out.JSON() {
		return env.Out.Value(plan)
	}
	fmt.Fprintf(env.Stdout, "Failover of %s to %s complete (%s, %d images)\n", scope, to, plan.Kind, len(plan.Images))
	if o.Force {
		fmt.Fprintf(env.Stdout, "When %s returns, recover its copies with: rbdtui failover recover --stale %s --pool %s\n", from, from, o.Pool)
	}
	return nil
}

func lastWord(s string) string {
	if i := strings.LastIndexByte(s, '/'); i >= 0 {
		return s[i+1:]
	}
	return s
}

func printPlan(env *Env, p *mirror.Plan) {
	w := env.Stdout
	fmt.Fprintf(w, "%s failover of pool %s: %s -> %s\n", p.Kind, p.Pool, p.From, p.To)
	if !p.FromReachable {
		fmt.Fprintf(w, "  %s does not answer: %s\n", p.From, p.FromError)
	}
	fmt.Fprintln(w, "steps:")
	for i, s := range p.Steps {
		fmt.Fprintf(w, "  %d. %s\n", i+1, s)
	}
	rows := [][]string{}
	for _, i := range p.Images {
		note := i.Lag
		if i.Problem != "" {
			note = "REFUSED: " + i.Problem
		}
		rows = append(rows, []string{i.Name, i.Mode, i.Phase, note})
	}
	env.Out.Table([]string{"IMAGE", "MODE", "ACTION", "LAST KNOWN LAG / NOTE"}, rows)
}

func runRecover(ctx context.Context, env *Env) error {
	inv := env.Inv
	staleName := inv.Flag("stale")
	if staleName == "" {
		return Usagef("recover needs --stale <site>: the old primary whose copies are split-brain")
	}
	if inv.Has("image") == inv.Has("pool") {
		return Usagef("recover needs exactly one of --image <pool>/<image> or --pool <pool>")
	}
	primName, err := otherSite(env, staleName)
	if err != nil {
		return err
	}
	stale, err := env.SiteNamed(staleName)
	if err != nil {
		return err
	}
	prim, err := env.SiteNamed(primName)
	if err != nil {
		return err
	}
	o := mirror.RecoverOptions{Stale: stale, Primary: prim, Pool: inv.Flag("pool"), StepTimeout: inv.DurationFlag("step-timeout", 0), Progress: env.Progressf}
	what := o.Pool
	if inv.Has("image") {
		spec, err := model.ParseImageSpec(inv.Flag("image"), false)
		if err != nil {
			return Usagef("--image: %v", err)
		}
		o.Pool, o.Images, what = spec.Pool, []string{spec.Image}, spec.Image
	}
	if err := env.Confirm(fmt.Sprintf("Recover %s on %s: its split-brain copies are demoted and resynced from %s; what was written only on %s is discarded.", what, staleName, primName, staleName), what); err != nil {
		return err
	}
	done, err := mirror.Recover(ctx, o)
	if err != nil {
		return asUsage(err)
	}
	fmt.Fprintf(env.Stdout, "Recovered %d images on %s: %s (replaying from %s)\n", len(done), staleName, strings.Join(done, ", "), primName)
	return nil
}

// SiteMirror is one site's view of an image in `status`.
type SiteMirror struct {
	Site        string      `json:"site"`
	Reachable   bool        `json:"reachable"`
	Error       string      `json:"error,omitempty"`
	Class       model.Class `json:"class,omitempty"`
	Primary     bool        `json:"primary"`
	State       string      `json:"state,omitempty"`
	Description string      `json:"description,omitempty"`
	LastUpdate  string      `json:"last_update,omitempty"`
}

func runStatus(ctx context.Context, env *Env) error {
	spec, c, err := imageAndSite(env)
	if err != nil {
		return err
	}
	d, err := mirror.Detail(ctx, c, spec)
	if err != nil {
		return err
	}
	m, _ := env.Sites()
	sites := []SiteMirror{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, s := range m.Config().Sites {
		sc, err := m.Site(s.Name)
		if err != nil {
			continue
		}
		wg.Add(1)
		go func(sc *site.Conn) {
			defer wg.Done()
			sm := SiteMirror{Site: sc.Name()}
			var dd model.ImageDetail
			var err error
			if sc == c {
				dd = d
			} else {
				dd, err = mirror.Detail(ctx, sc, spec)
			}
			if err != nil {
				sm.Error = err.Error()
			} else {
				sm.Reachable, sm.Class, sm.Primary = true, dd.Class, dd.Primary
				if dd.Local != nil {
					sm.State, sm.Description, sm.LastUpdate = dd.Local.FullState(), dd.Local.Description, dd.Local.LastUpdate.Local().Format("2006-01-02 15:04:05")
				}
			}
			mu.Lock()
			sites = append(sites, sm)
			mu.Unlock()
		}(sc)
	}
	wg.Wait()
	order := map[string]int{}
	for i, s := range m.Config().Sites {
		order[s.Name] = i
	}
	sortSites(sites, order)
	watchers := d.Watchers
	if watchers == nil {
		watchers = []model.Watcher{}
	}
	// Primary on more than one site: each side took writes the other lacks.
	var primaries []string
	for _, s := range sites {
		if s.Primary {
			primaries = append(primaries, s.Site)
		}
	}
	split := len(primaries) > 1
	if env.Out.JSON() {
		out := map[string]any{"watchers": watchers}
		if d.MirrorState == model.MirrorEnabled {
			out["mirroring"] = map[string]any{"mode": d.MirrorMode, "global_id": d.GlobalID, "sites": sites, "split_brain": split}
		}
		return env.Out.Value(out)
	}
	w := env.Stdout
	if len(watchers) == 0 {
		fmt.Fprintln(w, "Watchers: none")
	} else {
		fmt.Fprintln(w, "Watchers:")
		for _, wt := range watchers {
			fmt.Fprintf(w, "\twatcher=%s client.%d cookie=%d\n", wt.Address, wt.Client, wt.Cookie)
		}
	}
	if d.MirrorState != model.MirrorEnabled {
		fmt.Fprintln(w, "Mirroring: disabled")
		return nil
	}
	fmt.Fprintf(w, "Mirroring: %s mode, global id %s\n", d.MirrorMode, d.GlobalID)
	rows := [][]string{}
	for _, s := range sites {
		if !s.Reachable {
			rows = append(rows, []string{s.Site, "UNREACHABLE", "", s.Error})
			continue
		}
		rows = append(rows, []string{s.Site, string(s.Class), s.State, s.Description})
	}
	if err := env.Out.Table([]string{"SITE", "COPY", "STATE", "DESCRIPTION"}, rows); err != nil {
		return err
	}
	if split {
		fmt.Fprintf(w, "SPLIT-BRAIN: %s is primary on %s. Keep the copy you trust and recover the other, e.g.\n  rbdtui failover recover --stale %s --image %s\n", spec, strings.Join(primaries, " and "), primaries[0], spec)
	}
	return nil
}

func sortSites(s []SiteMirror, order map[string]int) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && order[s[j].Site] < order[s[j-1].Site]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}
