package cli

import (
	"context"
	"errors"
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

// resolveSites settles --from and --to for every failover form (image,
// pool, group). --from defaults to the site where the scope is primary now,
// when exactly one site says so, else to the configured site other than
// --to (a forced failover run from the surviving site: the lost one cannot
// be read). With no --to, the failover goes from the current primary to the
// only other configured site. already is set when --from was not given and
// --to is the current primary: there is nothing to do.
func resolveSites(ctx context.Context, env *Env, primaryOn func(context.Context, *site.Conn) (bool, error)) (from, to string, already bool, err error) {
	inv := env.Inv
	from, to = inv.Flag("from"), inv.Flag("to")
	if from != "" && to != "" {
		if from == to {
			return "", "", false, Usagef("--from and --to are the same site (%s)", to)
		}
		return from, to, false, nil
	}
	cfg, err := env.Config()
	if err != nil {
		return "", "", false, err
	}
	for _, n := range []string{from, to} {
		if n != "" {
			if _, err := env.SiteNamed(n); err != nil {
				return "", "", false, err
			}
		}
	}
	primary := ""
	if from == "" {
		names := cfg.SiteNames()
		is := make([]bool, len(names))
		var wg sync.WaitGroup
		for i, n := range names {
			c, err := env.SiteNamed(n)
			if err != nil {
				continue
			}
			wg.Add(1)
			go func(i int, c *site.Conn) {
				defer wg.Done()
				ok, err := primaryOn(ctx, c)
				is[i] = err == nil && ok
			}(i, c)
		}
		wg.Wait()
		var prim []string
		for i, n := range names {
			if is[i] {
				prim = append(prim, n)
			}
		}
		if len(prim) == 1 {
			primary = prim[0]
		}
	}
	switch {
	case from == "" && primary != "" && primary == to:
		return primary, to, true, nil
	case from == "" && primary != "":
		from = primary
	case from == "" && to != "":
		if from, err = otherSite(env, to); err != nil {
			return "", "", false, err
		}
	case from == "":
		return "", "", false, Usagef("no site is primary for it now (or none answers): name the site that becomes primary with --to")
	}
	if to == "" {
		if to, err = otherSite(env, from); err != nil {
			return "", "", false, Usagef("name the site that becomes primary with --to (configured: %s)", strings.Join(cfg.SiteNames(), ", "))
		}
	}
	if from == to {
		return "", "", false, Usagef("--from and --to are the same site (%s)", to)
	}
	return from, to, false, nil
}

// alreadyPrimary is the no-op report: exit 0, nothing changed, and never
// called complete.
func alreadyPrimary(env *Env, what, to string) error {
	msg := fmt.Sprintf("%s is already primary on %s: nothing to do", what, to)
	env.noop = msg
	if env.Out.JSON() {
		return env.Out.Value(map[string]any{"target": what, "to": to, "changed": false, "message": msg})
	}
	fmt.Fprintln(env.Stdout, msg)
	return nil
}

func runFailover(ctx context.Context, env *Env) error {
	inv := env.Inv
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
		return Usagef("failover needs exactly one of --image <pool>/[<namespace>/]<image>, --pool <pool>[/<namespace>], --group <pool>/<group>")
	}
	if inv.Has("group") {
		if groupFailover == nil {
			return Usagef("group failover is not available in this build")
		}
		return groupFailover(ctx, env)
	}
	o := mirror.FailoverOptions{Force: inv.Bool("force"), StepTimeout: inv.DurationFlag("step-timeout", 0), Progress: env.Progressf}
	var scope string
	if inv.Has("image") {
		spec, err := model.ParseImageSpec(inv.Flag("image"), false)
		if err != nil {
			return Usagef("--image: %v", err)
		}
		o.Pool, o.Namespace, o.Images, scope = spec.Pool, spec.Namespace, []string{spec.Image}, spec.String()
	} else {
		ps, err := model.ParsePoolSpec(inv.Flag("pool"))
		if err != nil || inv.Flag("pool") == "" {
			return Usagef("--pool: expected <pool>[/<namespace>]")
		}
		o.Pool, o.Namespace, scope = ps.Pool, ps.Namespace, inv.Flag("pool")
	}
	from, to, already, err := resolveSites(ctx, env, func(ctx context.Context, c *site.Conn) (bool, error) {
		return mirror.PrimaryOn(ctx, c, o.Pool, o.Namespace, o.Images)
	})
	if err != nil {
		return err
	}
	if already {
		what := scope
		if len(o.Images) == 0 {
			what = "every mirrored image of pool " + scope
		}
		return alreadyPrimary(env, what, to)
	}
	toC, err := env.SiteNamed(to)
	if err != nil {
		return err
	}
	fromC, err := env.SiteNamed(from)
	if err != nil {
		return err
	}
	o.From, o.To = fromC, toC
	o.Resume = resumeCommand(env, from, to)
	plan, err := mirror.MakePlan(ctx, o)
	if err != nil {
		return asUsage(err)
	}
	if plan.NothingToDo() {
		what := scope
		if len(o.Images) == 0 {
			what = "every mirrored image of pool " + scope
		}
		return alreadyPrimary(env, what, to)
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
		var noop *mirror.NothingToDoError
		if errors.As(err, &noop) {
			return alreadyPrimary(env, scope, to)
		}
		return asUsage(err)
	}
	if env.Out.JSON() {
		return env.Out.Value(plan)
	}
	fmt.Fprintf(env.Stdout, "Failover of %s to %s complete (%s, %d images)\n", scope, to, plan.Kind, len(plan.Images))
	if o.Force {
		fmt.Fprintf(env.Stdout, "When %s returns, recover its copies with: rbdtui failover recover --stale %s --pool %s\n", from, from, where(o.Pool, o.Namespace))
	}
	return nil
}

// resumeCommand is this invocation with --from and --to spelled out: what
// a stopped failover tells the operator to run again.
func resumeCommand(env *Env, from, to string) string {
	inv := env.Inv
	parts := []string{"rbdtui"}
	if cf := inv.Globals.Config; cf != "" {
		parts = append(parts, "--config", cf)
	}
	parts = append(parts, "failover", "--from", from, "--to", to)
	for _, f := range []string{"image", "pool", "group"} {
		if inv.Has(f) {
			parts = append(parts, "--"+f, inv.Flag(f))
		}
	}
	if inv.Bool("force") {
		parts = append(parts, "--force")
	}
	if st := inv.Flag("step-timeout"); st != "" {
		parts = append(parts, "--step-timeout", st)
	}
	return strings.Join(parts, " ")
}

func where(pool, ns string) string {
	if ns == "" {
		return pool
	}
	return pool + "/" + ns
}

func lastWord(s string) string {
	if i := strings.LastIndexByte(s, '/'); i >= 0 {
		return s[i+1:]
	}
	return s
}

func printPlan(env *Env, p *mirror.Plan) {
	w := env.Stdout
	fmt.Fprintf(w, "%s failover of pool %s: %s -> %s\n", p.Kind, where(p.Pool, p.Namespace), p.From, p.To)
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
	o := mirror.RecoverOptions{Stale: stale, Primary: prim, StepTimeout: inv.DurationFlag("step-timeout", 0), Progress: env.Progressf}
	what := inv.Flag("pool")
	if inv.Has("image") {
		spec, err := model.ParseImageSpec(inv.Flag("image"), false)
		if err != nil {
			return Usagef("--image: %v", err)
		}
		o.Pool, o.Namespace, o.Images, what = spec.Pool, spec.Namespace, []string{spec.Image}, spec.Image
	} else {
		ps, err := model.ParsePoolSpec(what)
		if err != nil || what == "" {
			return Usagef("--pool: expected <pool>[/<namespace>]")
		}
		o.Pool, o.Namespace = ps.Pool, ps.Namespace
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
