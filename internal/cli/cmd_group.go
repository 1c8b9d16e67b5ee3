package cli

import (
	"bufio"
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/rbdtui/rbdtui/internal/cgroup"
	"github.com/rbdtui/rbdtui/internal/grammar"
	"github.com/rbdtui/rbdtui/internal/site"
	"github.com/rbdtui/rbdtui/model"
)

func init() {
	handle("consistency-group create", runGroupCreate)
	handle("consistency-group rename", runGroupRename)
	handle("consistency-group remove", runGroupRemove)
	handle("group remove", runRBDGroupRemove)
	handle("consistency-group ls", runGroupList)
	handle("consistency-group attach", runGroupAttach)
	handle("consistency-group detach", runGroupDetach)
	handle("consistency-group info", runGroupInfo)
	handle("consistency-group status", runGroupStatus)
	handle("consistency-group checkpoint", runGroupCheckpoint)
	handle("consistency-group failover", runGroupFailover)
	handle("group image add", groupImageChange(cgroup.ImageAdd))
	handle("group image remove", groupImageChange(cgroup.ImageRemove))
	handle("group image ls", runGroupImageList)
	handle("group snap create", runGroupSnapCreate)
	handle("group snap ls", runGroupSnapList)
	handle("group snap rm", runGroupSnapRemove)
	handle("group snap rename", runGroupSnapRename)
	handle("group snap rollback", runGroupSnapRollback)
}

// engineErr is kept so that the handlers other branches are editing need no
// change; refusals map to their exit code in ExitCode, in one place.
// (Inline it when merged.)
func engineErr(err error) error { return err }

// groupArg resolves a group spec from argument name, or from the options
// rbd names it by (--pool/--namespace/--group, --snap; for group image
// add|rm --group-pool/--group-namespace/--group, with --pool as the default
// pool of both sides).
func groupArg(env *Env, name string, snap bool) (cgroup.Spec, error) {
	inv := env.Inv
	pos := inv.Arg(name)
	poolOpt, nsOpt := "pool", "namespace"
	if inv.Cmd.Name() == "group image add" || inv.Cmd.Name() == "group image remove" {
		poolOpt, nsOpt = "group-pool", "group-namespace"
	}
	var s cgroup.Spec
	var err error
	switch {
	case pos != "" && inv.Has("group"):
		return s, Usagef("give the group either as <%s> or with --group, not both", name)
	case pos != "":
		if s, err = cgroup.ParseSpec(pos, snap); err != nil {
			return s, Usagef("%v", err)
		}
		if inv.Has(poolOpt) || inv.Has(nsOpt) {
			if strings.Contains(pos, "/") {
				return s, Usagef("pool given twice: in <%s> %q and with --%s/--%s", name, pos, poolOpt, nsOpt)
			}
		}
	case inv.Has("group"):
		s.Group = inv.Flag("group")
		if snap {
			s.Snap = inv.Flag("snap")
		}
	default:
		return s, grammar.Missing(inv, name)
	}
	if !strings.Contains(pos, "/") {
		pool := inv.Flag(poolOpt)
		if pool == "" && poolOpt == "group-pool" {
			pool = inv.Flag("pool")
		}
		if pool != "" {
			ps, err := model.ParsePoolSpec(pool)
			if err != nil {
				return s, Usagef("--%s: %v", poolOpt, err)
			}
			s.Pool, s.Namespace = ps.Pool, ps.Namespace
		}
		if s.Pool == "" {
			s.Pool = model.DefaultPool
		}
		if ns := inv.Flag(nsOpt); ns != "" {
			s.Namespace = ns
		}
	}
	if snap && s.Snap == "" {
		return s, Usagef("<%s> needs a snapshot name: %s@<snap>", name, s)
	}
	return s, nil
}

func imageArg(env *Env, name string) (model.ImageSpec, error) {
	inv := env.Inv
	if n := inv.Cmd.Name(); n != "group image add" && n != "group image remove" {
		s, err := model.ParseImageSpec(inv.Arg(name), false)
		if err != nil {
			return s, Usagef("%v", err)
		}
		return s, nil
	}
	// group image add|rm: <image-spec>, or --image-pool/--image-namespace/
	// --image, with --pool as the default pool.
	pos := inv.Arg(name)
	switch {
	case pos != "" && inv.Has("image"):
		return model.ImageSpec{}, Usagef("give the image either as <%s> or with --image, not both", name)
	case pos == "" && !inv.Has("image"):
		return model.ImageSpec{}, grammar.Missing(inv, name)
	case pos == "":
		pos = inv.Flag("image")
	}
	s, err := model.ParseImageSpec(pos, false)
	if err != nil {
		return s, Usagef("%v", err)
	}
	if !strings.Contains(pos, "/") {
		pool := inv.Flag("image-pool")
		if pool == "" {
			pool = inv.Flag("pool")
		}
		if pool != "" {
			s.Pool = pool
		}
		if ns := inv.Flag("image-namespace"); ns != "" {
			s.Namespace = ns
		}
	}
	return s, nil
}

// groupSite is the site a group command acts on (read-only mode refuses the
// dangerous ones there), with the manager for the
// commands that look at every site.
func groupSite(env *Env) (*site.Manager, *site.Conn, error) {
	m, err := env.Sites()
	if err != nil {
		return nil, nil, err
	}
	c, err := env.SiteNamed(env.Inv.Globals.Site)
	return m, c, err
}

// groupTarget is what most group commands start with: the group spec of
// argument name (with a snapshot when snap), then the site it is on.
func groupTarget(env *Env, name string, snap bool) (cgroup.Spec, *site.Manager, *site.Conn, error) {
	spec, err := groupArg(env, name, snap)
	if err != nil {
		return spec, nil, nil, err
	}
	m, c, err := groupSite(env)
	return spec, m, c, err
}

func warnings(env *Env, warn []string) {
	for _, w := range warn {
		fmt.Fprintf(env.Stderr, "rbdtui: warning: %s\n", w)
	}
}

func runGroupCreate(ctx context.Context, env *Env) error {
	spec, err := groupArg(env, "group-spec", false)
	if err != nil {
		return err
	}
	inv := env.Inv
	j := model.GroupJournal{ObjectPool: inv.Flag("object-pool"), SplayWidth: int(inv.Int("splay-width", 0))}
	if inv.Has("splay-width") && j.SplayWidth <= 0 {
		return Usagef("--splay-width must be at least 1")
	}
	if inv.Has("object-size") {
		if j.Order, err = cgroup.OrderOf(inv.SizeBytes("object-size", 0)); err != nil {
			return Usagef("%v", err)
		}
	}
	for _, kv := range inv.Flags["journal-option"] {
		k, v, err := cgroup.ParseJournalOption(kv)
		if err != nil {
			return Usagef("%v", err)
		}
		switch k {
		case "rbd_journal_pool", "rbd_journal_splay_width", "rbd_journal_order":
			return Usagef("journal option %s: use --object-pool, --splay-width or --object-size", k)
		}
		if j.Options == nil {
			j.Options = map[string]string{}
		}
		j.Options[k] = v
	}
	m, c, err := groupSite(env)
	if err != nil {
		return err
	}
	warn, err := cgroup.Create(ctx, m, c, spec, j)
	warnings(env, warn)
	if err != nil {
		return engineErr(err)
	}
	if !env.Out.JSON() {
		fmt.Fprintf(env.Stdout, "created consistency group %s on %s\n", spec, c.Name())
	}
	return nil
}

func runGroupRename(ctx context.Context, env *Env) error {
	spec, m, c, err := groupTarget(env, "group-spec", false)
	if err != nil {
		return err
	}
	warn, err := cgroup.Rename(ctx, m, c, spec, env.Inv.Arg("new-name"))
	warnings(env, warn)
	return engineErr(err)
}

func runGroupRemove(ctx context.Context, env *Env) error {
	spec, m, c, err := groupTarget(env, "group-spec", false)
	if err != nil {
		return err
	}
	warn, err := cgroup.Remove(ctx, m, c, spec)
	warnings(env, warn)
	return engineErr(err)
}

// runRBDGroupRemove is `rbd group remove`: unlike consistency-group remove
// it removes a group that still has members (they stay, outside any group),
// after the usual confirmation.
func runRBDGroupRemove(ctx context.Context, env *Env) error {
	spec, m, c, err := groupTarget(env, "group-spec", false)
	if err != nil {
		return err
	}
	imgs, err := cgroup.ImageList(ctx, c, spec)
	if err != nil {
		return engineErr(err)
	}
	if len(imgs) > 0 {
		if err := env.Confirm(fmt.Sprintf("Remove group %s on site %s; its %d member image(s) stay and leave the group.", spec, c.Name(), len(imgs)), spec.Group); err != nil {
			return err
		}
	}
	warn, err := cgroup.RemoveWithMembers(ctx, m, c, spec)
	warnings(env, warn)
	return engineErr(err)
}

func runGroupList(ctx context.Context, env *Env) error {
	p, err := env.PoolSpec("pool")
	if err != nil {
		return err
	}
	_, c, err := groupSite(env)
	if err != nil {
		return err
	}
	names, err := cgroup.List(ctx, c, p.Pool, p.Namespace)
	if err != nil {
		return engineErr(err)
	}
	if env.Out.JSON() {
		return env.Out.Value(names)
	}
	for _, n := range names {
		fmt.Fprintln(env.Stdout, n)
	}
	return nil
}

func runGroupAttach(ctx context.Context, env *Env) error {
	img, err := imageArg(env, "image-spec")
	if err != nil {
		return err
	}
	spec, m, c, err := groupTarget(env, "group-spec", false)
	if err != nil {
		return err
	}
	warn, err := cgroup.Attach(ctx, m, c, img, spec)
	warnings(env, warn)
	if err != nil {
		return engineErr(err)
	}
	if !env.Out.JSON() {
		fmt.Fprintf(env.Stdout, "attached %s to %s on %s\n", img, spec, c.Name())
	}
	return nil
}

func runGroupDetach(ctx context.Context, env *Env) error {
	img, err := imageArg(env, "image-spec")
	if err != nil {
		return err
	}
	m, c, err := groupSite(env)
	if err != nil {
		return err
	}
	warn, err := cgroup.Detach(ctx, m, c, img)
	warnings(env, warn)
	if err != nil {
		return engineErr(err)
	}
	if !env.Out.JSON() {
		fmt.Fprintf(env.Stdout, "detached %s on %s (journaling and mirroring disabled)\n", img, c.Name())
	}
	return nil
}

func inspect(ctx context.Context, env *Env) (*model.GroupInfo, error) {
	spec, err := groupArg(env, "group-spec", false)
	if err != nil {
		return nil, err
	}
	m, c, err := groupSite(env)
	if err != nil {
		return nil, err
	}
	info, err := cgroup.Inspect(ctx, m, c, spec)
	return info, engineErr(err)
}

func pointName(p model.ConsistencyPoint) string {
	if p.Name != "" {
		return p.Name
	}
	return ".group." + p.Key
}

func ago(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return model.Ago(time.Since(t))
}

func memberRows(info *model.GroupInfo) [][]string {
	rows := [][]string{}
	for _, gm := range info.Members {
		for _, s := range gm.Sites {
			role := "-"
			switch {
			case s.Err != "":
				role = "error: " + s.Err
			case !s.Exists:
				role = "absent"
			case s.MirrorState != model.MirrorEnabled:
				role = "not mirrored"
			case s.Primary:
				role = "primary"
			default:
				role = "non-primary"
			}
			behind := "-"
			if s.EntriesBehind != nil {
				behind = fmt.Sprint(*s.EntriesBehind)
			}
			state := s.State
			if state == "" {
				state = "-"
			}
			rows = append(rows, []string{gm.Image, s.Site, role, state, behind, fmt.Sprint(len(s.Points))})
		}
	}
	return rows
}

func siteRows(info *model.GroupInfo) [][]string {
	rows := [][]string{}
	for _, s := range info.Sites {
		if !s.Reachable {
			rows = append(rows, []string{s.Site, "UNREACHABLE", "-", "-", "-"})
			continue
		}
		if s.Recovery == nil {
			rows = append(rows, []string{s.Site, s.Role, "none", "-", "-"})
			continue
		}
		rows = append(rows, []string{s.Site, s.Role, pointName(*s.Recovery), s.Recovery.Time.UTC().Format(time.RFC3339), s.Age.Round(time.Second).String()})
	}
	return rows
}

func runGroupInfo(ctx context.Context, env *Env) error {
	info, err := inspect(ctx, env)
	if err != nil {
		return err
	}
	if env.Out.JSON() {
		return env.Out.Value(info)
	}
	w := env.Stdout
	fmt.Fprintf(w, "consistency group %s (on %s)\n", info.Group, info.Site)
	j := info.Journal
	fmt.Fprintf(w, "journal settings:")
	if j.ObjectPool == "" && j.SplayWidth == 0 && j.Order == 0 && len(j.Options) == 0 {
		fmt.Fprint(w, " cluster defaults")
	}
	if j.ObjectPool != "" {
		fmt.Fprintf(w, " object_pool=%s", j.ObjectPool)
	}
	if j.SplayWidth > 0 {
		fmt.Fprintf(w, " splay_width=%d", j.SplayWidth)
	}
	if j.Order > 0 {
		fmt.Fprintf(w, " object_size=%dK (order %d)", (1<<j.Order)>>10, j.Order)
	}
	for k, v := range j.Options {
		fmt.Fprintf(w, " %s=%s", strings.TrimPrefix(k, "rbd_journal_"), v)
	}
	fmt.Fprintf(w, "\n\nmembers (%d):\n", len(info.Members))
	for _, gm := range info.Members {
		var js []string
		for k, v := range gm.Journal {
			js = append(js, strings.TrimPrefix(k, "rbd_journal_")+"="+v)
		}
		if len(js) == 0 {
			js = []string{"defaults"}
		}
		fmt.Fprintf(w, "  %s  journal: %s\n", gm.Image, strings.Join(js, " "))
	}
	fmt.Fprintln(w)
	if err := env.Out.Table([]string{"MEMBER", "SITE", "ROLE", "STATE", "BEHIND", "POINTS"}, memberRows(info)); err != nil {
		return err
	}
	fmt.Fprintf(w, "\nconsistency points on %s:\n", info.Site)
	rows := [][]string{}
	for _, p := range info.Points {
		rows = append(rows, []string{pointName(p), p.Time.UTC().Format(time.RFC3339), ago(p.Time), fmt.Sprintf("%d/%d", p.Members, len(info.Members)), p.State})
	}
	if err := env.Out.Table([]string{"POINT", "TIME", "AGE", "MEMBERS", "STATE"}, rows); err != nil {
		return err
	}
	fmt.Fprintln(w, "\nrecovery point per site (newest point every member holds there):")
	if err := env.Out.Table([]string{"SITE", "ROLE", "POINT", "TIME", "AGE"}, siteRows(info)); err != nil {
		return err
	}
	printWarnings(env, info.Warnings)
	return nil
}

func printWarnings(env *Env, warn []string) {
	if len(warn) > 0 {
		fmt.Fprintln(env.Stdout)
	}
	for _, x := range warn {
		fmt.Fprintf(env.Stdout, "warning: %s\n", x)
	}
}

func runGroupStatus(ctx context.Context, env *Env) error {
	info, err := inspect(ctx, env)
	if err != nil {
		return err
	}
	if env.Out.JSON() {
		return env.Out.Value(map[string]any{"group": info.Group, "members": info.Members, "sites": info.Sites, "warnings": info.Warnings})
	}
	if err := env.Out.Table([]string{"MEMBER", "SITE", "ROLE", "STATE", "BEHIND", "POINTS"}, memberRows(info)); err != nil {
		return err
	}
	fmt.Fprintln(env.Stdout)
	if err := env.Out.Table([]string{"SITE", "ROLE", "RECOVERY POINT", "TIME", "AGE"}, siteRows(info)); err != nil {
		return err
	}
	printWarnings(env, info.Warnings)
	return nil
}

func runGroupCheckpoint(ctx context.Context, env *Env) error {
	spec, err := groupArg(env, "group-spec", false)
	if err != nil {
		return err
	}
	keep := env.Inv.Int("keep", 0)
	if keep < 0 {
		return Usagef("--keep must be 0 (keep all) or more")
	}
	m, c, err := groupSite(env)
	if err != nil {
		return err
	}
	res, err := cgroup.Checkpoint(ctx, m, c, spec, int(keep), time.Now())
	if res != nil {
		warnings(env, res.Warnings)
	}
	if res != nil {
		if env.Out.JSON() {
			if perr := env.Out.Value(res); perr != nil {
				return perr
			}
		} else {
			fmt.Fprintf(env.Stdout, "consistency point %s@%s taken on %s", spec, res.Created, c.Name())
			if len(res.Pruned) > 0 {
				fmt.Fprintf(env.Stdout, "; pruned %s", strings.Join(res.Pruned, ", "))
			}
			fmt.Fprintln(env.Stdout)
		}
	}
	return engineErr(err)
}

func init() {
	// `rbdtui failover --group <pool>/<group>` runs the group failover.
	groupFailover = runGroupFailover
}

func runGroupFailover(ctx context.Context, env *Env) error {
	text := env.Inv.Arg("group-spec")
	if text == "" {
		text = env.Inv.Flag("group")
	}
	spec, err := cgroup.ParseSpec(text, false)
	if err != nil {
		return Usagef("%v", err)
	}
	inv := env.Inv
	m, err := env.Sites()
	if err != nil {
		return err
	}
	// --from and --to default as for every failover (resolveSites): from
	// the group's current primary, else the site other than --to, so a
	// forced failover runs from the surviving site (--site names where
	// the command runs, not --from).
	fromName, toName, already, err := resolveSites(ctx, env, func(ctx context.Context, c *site.Conn) (bool, error) {
		return cgroup.PrimaryOn(ctx, c, spec)
	})
	if err != nil {
		return err
	}
	if already {
		return alreadyPrimary(env, "group "+spec.String(), toName)
	}
	to, err := env.SiteNamed(toName)
	if err != nil {
		return Usagef("--to: %v", err)
	}
	from, err := env.SiteNamed(fromName)
	if err != nil {
		return err
	}
	opts := cgroup.Options{Force: inv.Bool("force"), CatchUp: inv.DurationFlag("timeout-catch-up", inv.DurationFlag("step-timeout", 0))}
	if inv.Bool("dry-run") {
		plan, err := cgroup.Plan(ctx, m, from, to, spec, opts)
		if err != nil {
			return engineErr(err)
		}
		if env.Out.JSON() {
			return env.Out.Value(plan)
		}
		printGroupPlan(env, plan)
		fmt.Fprintln(env.Stdout, "dry run: nothing was changed")
		return nil
	}
	opts.Confirm = func(p *model.GroupFailoverPlan) bool {
		if inv.Globals.Yes {
			if !env.Out.JSON() {
				printGroupPlan(env, p)
			}
			return true
		}
		if !env.IsTerminal {
			return false
		}
		printGroupPlan(env, p)
		fmt.Fprintf(env.Stdout, "\nThis discards the data listed above. Type the group name (%s) to go on: ", spec.Group)
		line, _ := bufio.NewReader(env.Stdin).ReadString('\n')
		return strings.TrimSpace(line) == spec.Group
	}
	if !opts.Force {
		if err := env.Confirm(fmt.Sprintf("Failover of group %s to %s: demote every member on %s, wait until %s has replayed them, promote them all.", spec, to.Name(), from.Name(), to.Name()), ""); err != nil {
			return err
		}
	}
	if opts.Force && !inv.Globals.Yes && !env.IsTerminal {
		return Usagef("a forced failover of %s discards data and needs confirmation: run it on a terminal, or pass --yes (see the plan first with --dry-run); nothing was changed", spec)
	}
	err = cgroup.Failover(ctx, m, from, to, spec, opts, env.Progressf)
	if err != nil {
		return engineErr(err)
	}
	if !env.Out.JSON() {
		fmt.Fprintf(env.Stdout, "group %s is primary on %s\n", spec, to.Name())
	}
	return nil
}

func printGroupPlan(env *Env, p *model.GroupFailoverPlan) {
	w := env.Stdout
	kind := "planned"
	if p.Forced {
		kind = "FORCED"
	}
	fmt.Fprintf(w, "%s failover of group %s from %s to %s (%d members)\n", kind, p.Group, p.From, p.To, len(p.Members))
	if p.Point != nil {
		fmt.Fprintf(w, "every member is rolled back to consistency point %s, taken %s (%s)\n", pointName(*p.Point), p.Point.Time.UTC().Format(time.RFC3339), ago(p.Point.Time))
		rows := [][]string{}
		var unknown []string
		for _, r := range p.Rollback {
			changed := "?"
			if r.ChangedBytes >= 0 {
				changed = fmt.Sprintf("%d", r.ChangedBytes)
			}
			entries := "unknown"
			if r.EntriesBeyond >= 0 {
				entries = fmt.Sprint(r.EntriesBeyond)
			} else if r.EntriesBeyondUnknown != "" {
				unknown = append(unknown, fmt.Sprintf("%s: %s", r.Image, r.EntriesBeyondUnknown))
			}
			rows = append(rows, []string{r.Image, r.Snapshot, r.Age.Round(time.Second).String(), fmt.Sprint(r.NewerPoints), changed, entries})
		}
		fmt.Fprintln(w, "discarded per member (data written after the point):")
		_ = env.Out.Table([]string{"MEMBER", "SNAPSHOT", "AGE", "NEWER-POINTS-DROPPED", "BYTES-DISCARDED", "ENTRIES-BEYOND"}, rows)
		for _, u := range unknown {
			fmt.Fprintf(w, "entries beyond unknown for %s\n", u)
		}
	}
	fmt.Fprintln(w, "steps:")
	for i, s := range p.Steps {
		fmt.Fprintf(w, "  %d. %s\n", i+1, s)
	}
	for _, x := range p.Warnings {
		fmt.Fprintf(w, "note: %s\n", x)
	}
}

// groupImageChange is `group image add|remove <group-spec> <image-spec>`:
// the same arguments and site, a different engine call.
func groupImageChange(op func(context.Context, *site.Conn, cgroup.Spec, model.ImageSpec) error) func(context.Context, *Env) error {
	return func(ctx context.Context, env *Env) error {
		spec, err := groupArg(env, "group-spec", false)
		if err != nil {
			return err
		}
		img, err := imageArg(env, "image-spec")
		if err != nil {
			return err
		}
		_, c, err := groupSite(env)
		if err != nil {
			return err
		}
		return engineErr(op(ctx, c, spec, img))
	}
}

func runGroupImageList(ctx context.Context, env *Env) error {
	spec, _, c, err := groupTarget(env, "group-spec", false)
	if err != nil {
		return err
	}
	l, err := cgroup.ImageList(ctx, c, spec)
	if err != nil {
		return engineErr(err)
	}
	if env.Out.JSON() {
		return env.Out.Value(l)
	}
	for _, gi := range l {
		line := memberName(gi)
		if gi.State != 0 {
			line += " (incomplete)"
		}
		fmt.Fprintln(env.Stdout, line)
	}
	return nil
}

func memberName(gi model.GroupImage) string {
	return model.ImageSpec{Pool: gi.Pool, Namespace: gi.Namespace, Image: gi.Image}.String()
}

func runGroupSnapCreate(ctx context.Context, env *Env) error {
	spec, m, c, err := groupTarget(env, "group-snap-spec", true)
	if err != nil {
		return err
	}
	warn, err := cgroup.SnapCreatePoint(ctx, m, c, spec)
	warnings(env, warn)
	return engineErr(err)
}

func runGroupSnapList(ctx context.Context, env *Env) error {
	spec, _, c, err := groupTarget(env, "group-spec", false)
	if err != nil {
		return err
	}
	l, err := cgroup.SnapList(ctx, c, spec)
	if err != nil {
		return engineErr(err)
	}
	if env.Out.JSON() {
		return env.Out.Value(l)
	}
	rows := [][]string{}
	for _, s := range l {
		rows = append(rows, []string{s.Snapshot, s.State})
	}
	return env.Out.Table([]string{"NAME", "STATUS"}, rows)
}

func runGroupSnapRemove(ctx context.Context, env *Env) error {
	spec, _, c, err := groupTarget(env, "group-snap-spec", true)
	if err != nil {
		return err
	}
	return engineErr(cgroup.SnapRemove(ctx, c, spec))
}

func runGroupSnapRename(ctx context.Context, env *Env) error {
	spec, _, c, err := groupTarget(env, "group-snap-spec", true)
	if err != nil {
		return err
	}
	return engineErr(cgroup.SnapRename(ctx, c, spec, env.Inv.Arg("dest-snap")))
}

func runGroupSnapRollback(ctx context.Context, env *Env) error {
	spec, _, c, err := groupTarget(env, "group-snap-spec", true)
	if err != nil {
		return err
	}
	return engineErr(cgroup.SnapRollback(ctx, c, spec))
}
