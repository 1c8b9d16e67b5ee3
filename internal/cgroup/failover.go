package cgroup

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"syscall"
	"time"

	"github.com/ceph/go-ceph/rbd"
	"github.com/rbdtui/rbdtui/internal/mirror"
	"github.com/rbdtui/rbdtui/internal/site"
	"github.com/rbdtui/rbdtui/model"
)

// Options steer a group failover.
type Options struct {
	// Force is the failover for a lost primary site: force-promote every
	// member on the target, then roll every member back to the newest
	// consistency point all of them hold there.
	Force bool
	// Confirm is shown the plan of a forced failover before anything
	// changes; only true goes on. A nil Confirm refuses.
	Confirm func(*model.GroupFailoverPlan) bool
	// CatchUp bounds the wait for every member to replay up to its demotion
	// (planned failover); default 3 minutes.
	CatchUp time.Duration
	// Poll is the interval of status polling; default 1s.
	Poll time.Duration
	// SkipRollback force-promotes without rolling back. It exists for the
	// crash-consistency test, which shows what the rollback prevents.
	SkipRollback bool
}

func (o *Options) defaults() {
	if o.CatchUp <= 0 {
		o.CatchUp = 3 * time.Minute
	}
	if o.Poll <= 0 {
		o.Poll = time.Second
	}
}

// progress sends one event, with the elapsed time since start.
type progressFn func(model.Progress)

func (p progressFn) send(start time.Time, ev model.Progress) {
	if p == nil {
		return
	}
	ev.Elapsed = time.Since(start)
	p(ev)
}

// Plan says what a group failover from one site to another would do, and
// for a forced one what it would discard per member. It changes nothing;
// refusals say why the failover cannot run.
func Plan(ctx context.Context, m *site.Manager, from, to *site.Conn, spec Spec, opts Options) (*model.GroupFailoverPlan, error) {
	opts.defaults()
	if from.Name() == to.Name() {
		return nil, refuse("group %s: --to %s is the site it would fail over from; name the other site", spec, to.Name())
	}
	if opts.Force {
		p, _, err := planForced(ctx, to, spec, from.Name())
		return p, err
	}
	p, _, err := planPlanned(ctx, from, to, spec)
	return p, err
}

type plannedMember struct {
	img     model.ImageSpec
	demote  bool // primary on from
	promote bool // not yet primary on to
}

func planPlanned(ctx context.Context, from, to *site.Conn, spec Spec) (*model.GroupFailoverPlan, []plannedMember, error) {
	imgs, _, err := members(ctx, from, spec)
	if err != nil {
		return nil, nil, err
	}
	if len(imgs) == 0 {
		return nil, nil, refuse("group %s has no members on site %s: nothing to fail over", spec, from.Name())
	}
	p := &model.GroupFailoverPlan{Group: spec.String(), From: from.Name(), To: to.Name()}
	var ms []plannedMember
	var bad []string
	for _, img := range imgs {
		p.Members = append(p.Members, img.String())
		f, t := viewMember(ctx, from, img), viewMember(ctx, to, img)
		for _, v := range []memberView{f, t} {
			switch {
			case v.Err != "":
				return nil, nil, fmt.Errorf("member %s of group %s on site %s: %s", img, spec, v.Site, v.Err)
			case !v.Exists:
				bad = append(bad, fmt.Sprintf("%s does not exist on site %s (is it mirrored? wait for its initial sync)", img, v.Site))
			case v.MirrorState != model.MirrorEnabled || v.MirrorMode != model.ModeJournal:
				bad = append(bad, fmt.Sprintf("%s is not journal-mirrored on site %s", img, v.Site))
			}
		}
		if len(bad) > 0 {
			continue
		}
		pm := plannedMember{img: img, demote: f.Primary, promote: !t.Primary}
		switch {
		case f.Primary && t.Primary:
			bad = append(bad, fmt.Sprintf("%s is primary on both %s and %s (split-brain): resolve it first (demote one side, then `rbdtui mirror image resync`)", img, from.Name(), to.Name()))
		case !f.Primary && t.Primary:
			// Already failed over (a rerun after an interruption).
		case f.Primary && t.local != nil && (t.local.SplitBrain || t.local.State == model.StateError):
			bad = append(bad, fmt.Sprintf("%s on site %s is %s (%s): it cannot take over cleanly; resync it first", img, to.Name(), t.State, t.Description))
		}
		ms = append(ms, pm)
	}
	if len(bad) > 0 {
		return nil, nil, refuse("group %s cannot fail over from %s to %s; nothing was changed:\n  %s", spec, from.Name(), to.Name(), strings.Join(bad, "\n  "))
	}
	for _, pm := range ms {
		if pm.demote {
			p.Steps = append(p.Steps, fmt.Sprintf("demote %s on %s", pm.img, from.Name()))
		}
	}
	p.Steps = append(p.Steps, fmt.Sprintf("wait until every member on %s has replayed up to its demotion and both sites report it (up+unknown, \"remote image is not primary\"; at most the catch-up timeout)", to.Name()))
	for _, pm := range ms {
		if pm.promote {
			p.Steps = append(p.Steps, fmt.Sprintf("promote %s on %s", pm.img, to.Name()))
		}
	}
	p.Steps = append(p.Steps, fmt.Sprintf("make sure group %s exists on %s with every member", spec, to.Name()))
	return p, ms, nil
}

func planForced(ctx context.Context, to *site.Conn, spec Spec, from string) (*model.GroupFailoverPlan, []memberView, error) {
	imgs, rec, err := members(ctx, to, spec)
	if err != nil {
		return nil, nil, err
	}
	if len(imgs) == 0 {
		return nil, nil, refuse("group %s has no members in its record on site %s: nothing to fail over", spec, to.Name())
	}
	p := &model.GroupFailoverPlan{Group: spec.String(), From: from, To: to.Name(), Forced: true}
	var views []memberView
	var bad []string
	for _, img := range imgs {
		p.Members = append(p.Members, img.String())
		v := viewMember(ctx, to, img)
		switch {
		case v.Err != "":
			return nil, nil, fmt.Errorf("member %s of group %s on site %s: %s", img, spec, to.Name(), v.Err)
		case !v.Exists:
			bad = append(bad, fmt.Sprintf("%s does not exist on site %s", img, to.Name()))
		case v.MirrorState != model.MirrorEnabled || v.MirrorMode != model.ModeJournal:
			bad = append(bad, fmt.Sprintf("%s is not journal-mirrored on site %s", img, to.Name()))
		}
		views = append(views, v)
	}
	if len(bad) > 0 {
		return nil, nil, refuse("group %s cannot fail over to %s; nothing was changed:\n  %s", spec, to.Name(), strings.Join(bad, "\n  "))
	}
	pts := commonPoints(views, pointMeta(rec, [][]memberView{views}))
	if len(pts) == 0 {
		return nil, nil, refuse("no consistency point of group %s is held by every member on site %s, so a forced failover cannot give a consistent group; nothing was changed (take checkpoints regularly: `rbdtui consistency-group checkpoint %s --keep N`; to promote members one by one anyway, use `rbdtui mirror image promote --force`)", spec, to.Name(), spec)
	}
	pt := pts[0]
	p.Point = &pt
	now := time.Now()
	for i, v := range views {
		s := v.snaps[pt.Key]
		r := model.MemberRollback{Image: imgs[i].String(), Snapshot: s.Name, SnapID: s.ID, Time: pt.Time, Age: now.Sub(pt.Time), ChangedBytes: -1}
		r.AgeSecs = r.Age.Seconds()
		pm, recorded := rec.Points[pt.Key]
		fillBeyond(ctx, to, v, pm, recorded, &r)
		for _, o := range v.snaps {
			if o.ID > s.ID {
				r.NewerPoints++
			}
		}
		if st, err := restore(ctx, to, imgs[i], s.ID, false); err == nil {
			r.ChangedBytes = st.Changed
		} else {
			p.Warnings = append(p.Warnings, fmt.Sprintf("could not measure what %s would lose: %v", imgs[i], err))
		}
		p.Rollback = append(p.Rollback, r)
		if v.Primary {
			p.Warnings = append(p.Warnings, fmt.Sprintf("%s is already primary on %s (an earlier forced failover?); it is rolled back all the same", imgs[i], to.Name()))
		}
	}
	for _, v := range views {
		if !v.Primary {
			p.Steps = append(p.Steps, fmt.Sprintf("force-promote %s on %s", v.img(), to.Name()))
		}
	}
	for _, r := range p.Rollback {
		p.Steps = append(p.Steps, fmt.Sprintf("roll %s back to %s (%s old)", r.Image, r.Snapshot, r.Age.Round(time.Second)))
	}
	p.Steps = append(p.Steps, fmt.Sprintf("make sure group %s exists on %s with every member", spec, to.Name()))
	p.Warnings = append(p.Warnings, fmt.Sprintf("when %s returns, its copies are split-brained: demote them there and resync them from %s (`rbdtui mirror image demote`, then `rbdtui mirror image resync`)", from, to.Name()))
	return p, views, nil
}

func (v memberView) img() string { return v.name }

// Failover moves a consistency group's primary from one site to another.
//
// Planned: demote every member on from, wait until every member on to has
// replayed up to its demotion, then promote every member on to; no member
// is promoted before all have caught up, so the new primary starts from
// the same moment on every member. A failure before any promotion
// re-promotes what was demoted.
//
// Forced (from is lost): force-promote every member on to, then roll each
// back to the newest consistency point every member holds there, after
// opts.Confirm has seen the plan. from is not contacted.
func Failover(ctx context.Context, m *site.Manager, from, to *site.Conn, spec Spec, opts Options, progress func(model.Progress)) error {
	opts.defaults()
	if from.Name() == to.Name() {
		return refuse("group %s: --to %s is the site it would fail over from; name the other site", spec, to.Name())
	}
	if opts.Force {
		return forced(ctx, m, from.Name(), to, spec, opts, progressFn(progress))
	}
	return planned(ctx, m, from, to, spec, opts, progressFn(progress))
}

func planned(ctx context.Context, m *site.Manager, from, to *site.Conn, spec Spec, opts Options, pr progressFn) error {
	start := time.Now()
	_, ms, err := planPlanned(ctx, from, to, spec)
	if err != nil {
		return err
	}
	// 1. Demote every member on from.
	var demoted []model.ImageSpec
	demoteAt := time.Now()
	for i, pm := range ms {
		if !pm.demote {
			continue
		}
		pr.send(start, model.Progress{Step: "demote", Object: pm.img.String(), Site: from.Name(), Done: int64(i), Total: int64(len(ms))})
		err := withImage(ctx, from, pm.img, false, "demote", func(h *rbd.Image) error { return h.MirrorDemote() })
		if err != nil {
			back := repromote(ctx, from, demoted)
			return fmt.Errorf("group %s: demoting %s on %s failed: %w; %s", spec, pm.img, from.Name(), err, back)
		}
		demoted = append(demoted, pm.img)
	}
	// 2. Wait until every member has replayed to its demotion.
	deadline := time.Now().Add(opts.CatchUp)
	waiting := map[string]plannedMember{}
	for _, pm := range ms {
		if pm.promote {
			waiting[pm.img.String()] = pm
		}
	}
	said := map[string]string{}
	for len(waiting) > 0 {
		for name, pm := range waiting {
			v := viewMember(ctx, to, pm.img)
			ok, why := caughtUp(v, demoteAt)
			msg := waitMessage(v)
			if ok && pm.demote && !settled(viewMember(ctx, from, pm.img), demoteAt) {
				ok, msg = false, "replayed; waiting for "+from.Name()+"'s rbd-mirror to report the demotion"
			}
			if ok && !v.Primary {
				// Status words are no proof (issue 11): the data must
				// show the demotion replayed (mirror.ProveReplayed).
				proved, pwhy, err := mirror.ProveReplayed(ctx, from, to, pm.img, v.MirrorMode)
				switch {
				case err != nil:
					ok, msg = false, "proof unreadable: "+err.Error()
				case !proved:
					ok, msg = false, pwhy
				default:
					why = pwhy
				}
			}
			if ok {
				delete(waiting, name)
				pr.send(start, model.Progress{Step: "caught up", Object: name, Site: to.Name(), State: v.State, Message: why, Done: int64(len(ms) - len(waiting)), Total: int64(len(ms))})
			} else if said[name] != msg {
				said[name] = msg
				pr.send(start, model.Progress{Step: "waiting for replay", Object: name, Site: to.Name(), State: v.State, Message: msg})
			}
		}
		if len(waiting) == 0 {
			break
		}
		if time.Now().After(deadline) {
			var names []string
			for n := range waiting {
				names = append(names, n)
			}
			return fmt.Errorf("group %s: after %s these members have still not replayed up to their demotion on %s: %s. Nothing was promoted; every member is demoted on %s. Run the failover again to keep waiting (it resumes), or go back with `rbdtui consistency-group failover %s --to %s`", spec, opts.CatchUp, to.Name(), strings.Join(names, ", "), from.Name(), spec, from.Name())
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("group %s: interrupted while waiting for replay; every member is demoted on %s and none promoted on %s (run the failover again to resume): %w", spec, from.Name(), to.Name(), ctx.Err())
		case <-time.After(opts.Poll):
		}
	}
	// 3. Promote every member on to.
	for i, pm := range ms {
		if !pm.promote {
			continue
		}
		pr.send(start, model.Progress{Step: "promote", Object: pm.img.String(), Site: to.Name(), Done: int64(i), Total: int64(len(ms))})
		if err := promote(ctx, to, pm.img, deadline); err != nil {
			return fmt.Errorf("group %s: promoting %s on %s failed: %w (every member is demoted on %s; run the failover again to finish)", spec, pm.img, to.Name(), err, from.Name())
		}
	}
	if err := ensureGroup(ctx, from, to, spec, ms2specs(ms)); err != nil {
		return err
	}
	pr.send(start, model.Progress{Step: "done", Object: spec.String(), Site: to.Name(), State: "primary", Done: int64(len(ms)), Total: int64(len(ms))})
	return nil
}

func ms2specs(ms []plannedMember) []model.ImageSpec {
	var out []model.ImageSpec
	for _, pm := range ms {
		out = append(out, pm.img)
	}
	return out
}

// waitMessage says briefly where a member's replay stands.
func waitMessage(v memberView) string {
	if v.Err != "" {
		return v.Err
	}
	if v.local == nil {
		return "no status yet"
	}
	if r := v.local.Replay; r != nil && r.EntriesBehindPrimary != nil {
		return fmt.Sprintf("%d entries behind", *r.EntriesBehindPrimary)
	}
	return v.local.Description
}

// caughtUp decides whether a member on the target has replayed everything
// up to its demotion on the old primary, the way Ceph's own failover tests
// do (qa/workunits/rbd/rbd_mirror.sh waits for "up+unknown" on both sides
// before promoting): the target's rbd-mirror has replayed the demotion and
// stopped, so it reports that the remote is no longer primary. "stopped"
// alone is not enough: the replayer may still be shutting down with its
// last position uncommitted, and a promotion then causes a split-brain.
// Only statuses published after the demotion count (they carry whole
// seconds): an old "remote image is not primary" may date from before the
// other site was promoted, when nothing of its writes had been replayed.
func caughtUp(v memberView, demoteAt time.Time) (bool, string) {
	if v.Primary {
		return true, "already primary"
	}
	l := v.local
	if l == nil || !l.LastUpdate.After(demoteAt) {
		return false, ""
	}
	d := strings.ToLower(l.Description)
	if l.State == model.StateUnknown && (strings.Contains(d, "remote image is not primary") || strings.Contains(d, "remote image demoted")) {
		return true, l.Description
	}
	return false, ""
}

// settled reports whether the old primary's rbd-mirror has seen the
// demotion of its own copy (its status, published after it, is
// up+unknown: the remote is not primary either).
func settled(v memberView, demoteAt time.Time) bool {
	l := v.local
	return l != nil && l.LastUpdate.After(demoteAt) && l.State == model.StateUnknown
}

// promote promotes a member (its peer demoted), retrying while rbd-mirror
// still holds it.
func promote(ctx context.Context, c *site.Conn, img model.ImageSpec, deadline time.Time) error {
	for {
		err := withImage(ctx, c, img, false, "promote", func(h *rbd.Image) error {
			mi, err := h.GetMirrorImageInfo()
			if err == nil && mi.Primary {
				return nil
			}
			return h.MirrorPromote(false)
		})
		if err == nil {
			return nil
		}
		retry := site.IsErrno(err, syscall.EBUSY) || site.IsErrno(err, syscall.EAGAIN) || site.IsErrno(err, syscall.ETIMEDOUT)
		if !retry || time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Second):
		}
	}
}

func repromote(ctx context.Context, c *site.Conn, imgs []model.ImageSpec) string {
	if len(imgs) == 0 {
		return "nothing had been demoted"
	}
	var failed []string
	for _, img := range imgs {
		if err := promote(ctx, c, img, time.Now().Add(30*time.Second)); err != nil {
			failed = append(failed, fmt.Sprintf("%s (%v)", img, err))
		}
	}
	if len(failed) > 0 {
		return fmt.Sprintf("the members demoted so far could not all be promoted back on %s: %s; promote them by hand (`rbdtui mirror image promote`)", c.Name(), strings.Join(failed, ", "))
	}
	return fmt.Sprintf("the %d member(s) demoted so far were promoted back on %s", len(imgs), c.Name())
}

// ensureGroup gives the new primary site the rbd group with every member,
// so that checkpoints continue there, and copies the group's record.
func ensureGroup(ctx context.Context, from, to *site.Conn, spec Spec, imgs []model.ImageSpec) error {
	rec, found, err := loadRecord(ctx, to, spec)
	if err != nil {
		return err
	}
	if !found && from != nil {
		if r, ok, err := loadRecord(ctx, from, spec); err == nil && ok {
			rec = r
		}
	}
	ok, err := exists(ctx, to, spec)
	if err != nil {
		return err
	}
	if !ok {
		io, err := groupIO(ctx, to, spec)
		if err != nil {
			return err
		}
		if err := call(ctx, to, "create group "+spec.String(), func() error { return rbd.GroupCreate(io, spec.Group) }); err != nil {
			return fmt.Errorf("group %s: every member is primary on %s, but the group could not be created there: %w (create it and add the members: `rbdtui group create`, `rbdtui group image add`)", spec, to.Name(), err)
		}
	}
	have, err := ImageList(ctx, to, spec)
	if err != nil {
		return err
	}
	in := map[string]bool{}
	for _, gi := range have {
		in[memberSpec(gi.Pool, gi.Namespace, gi.Image)] = true
	}
	for _, img := range imgs {
		if in[img.String()] {
			continue
		}
		if err := ImageAdd(ctx, to, spec, img); err != nil {
			return fmt.Errorf("group %s: %s is primary on %s but could not join the group there: %w", spec, img, to.Name(), err)
		}
	}
	rec.Members = nil
	for _, img := range imgs {
		rec.Members = append(rec.Members, img.String())
	}
	return storeRecord(ctx, to, spec, rec)
}

func forced(ctx context.Context, m *site.Manager, from string, to *site.Conn, spec Spec, opts Options, pr progressFn) error {
	start := time.Now()
	plan, views, err := planForced(ctx, to, spec, from)
	if err != nil {
		return err
	}
	if opts.Confirm == nil || !opts.Confirm(plan) {
		return refuse("forced failover of group %s to %s was not confirmed; nothing was changed", spec, to.Name())
	}
	var imgs []model.ImageSpec
	for _, v := range views {
		imgs = append(imgs, v.spec)
	}
	deadline := time.Now().Add(opts.CatchUp)
	for i, v := range views {
		if v.Primary {
			continue
		}
		pr.send(start, model.Progress{Step: "force-promote", Object: v.spec.String(), Site: to.Name(), Done: int64(i), Total: int64(len(views))})
		err := mirror.ForcePromote(ctx, to, v.spec, deadline, func(holder string) {
			pr.send(start, model.Progress{Step: "broke lock", Object: v.spec.String(), Site: to.Name(), Message: mirror.BrokeLockMessage(to.Name(), holder)})
		})
		if err != nil {
			return fmt.Errorf("group %s: force-promoting %s on %s failed: %w; members before it are primary and not yet rolled back: run the forced failover again to finish", spec, v.spec, to.Name(), err)
		}
	}
	if !opts.SkipRollback {
		var errs []error
		for i, r := range plan.Rollback {
			pr.send(start, model.Progress{Step: "roll back", Object: r.Image, Site: to.Name(), State: r.Snapshot, Done: int64(i), Total: int64(len(views))})
			st, err := restoreWhenWritable(ctx, to, imgs[i], r.SnapID, deadline)
			if err != nil {
				errs = append(errs, fmt.Errorf("rolling %s back to %s on %s: %w", r.Image, r.Snapshot, to.Name(), err))
				continue
			}
			pr.send(start, model.Progress{Step: "rolled back", Object: r.Image, Site: to.Name(), Message: fmt.Sprintf("%d bytes rewritten", st.Changed)})
		}
		if err := errors.Join(errs...); err != nil {
			return fmt.Errorf("group %s: every member is primary on %s but not all were rolled back to %s, so the group is NOT consistent: %w (run the forced failover again)", spec, to.Name(), plan.Point.Key, err)
		}
	}
	if err := ensureGroup(ctx, nil, to, spec, imgs); err != nil {
		return err
	}
	pr.send(start, model.Progress{Step: "done", Object: spec.String(), Site: to.Name(), State: "primary", Message: plan.Warnings[len(plan.Warnings)-1]})
	return nil
}

// restoreWhenWritable restores a member just force-promoted.
// mirror.ForcePromote returned once no rbd-mirror instance held it, but a
// daemon restarting its pool replayer may still refuse a write (EROFS) for
// a moment: that is retried until the deadline.
func restoreWhenWritable(ctx context.Context, c *site.Conn, img model.ImageSpec, snapID uint64, deadline time.Time) (restoreStats, error) {
	for {
		st, err := restore(ctx, c, img, snapID, true)
		if err == nil || !site.IsErrno(err, syscall.EROFS) || time.Now().After(deadline) {
			return st, err
		}
		select {
		case <-ctx.Done():
			return st, ctx.Err()
		case <-time.After(time.Second):
		}
	}
}

// PrimaryOn reports whether a group is primary on a site: any of its
// members is primary there. The CLI takes the site where it is as the
// default --from.
func PrimaryOn(ctx context.Context, c *site.Conn, spec Spec) (bool, error) {
	imgs, _, err := members(ctx, c, spec)
	if err != nil {
		return false, err
	}
	for _, img := range imgs {
		v := viewMember(ctx, c, img)
		if v.Err != "" {
			return false, errors.New(v.Err)
		}
		if v.Primary {
			return true, nil
		}
	}
	return false, nil
}
