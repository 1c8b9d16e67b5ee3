package cgroup

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/ceph/go-ceph/rbd"
	"github.com/rbdtui/rbdtui/internal/mirror"
	"github.com/rbdtui/rbdtui/internal/site"
	"github.com/rbdtui/rbdtui/model"
)

// groupSnapPrefix starts the name librbd gives each member's share of a
// group snapshot: ".group.<group pool id>_<group id>_<group snap id>". The
// name replays unchanged to the secondary (journal mirroring replays the
// snapshot create), where the group itself does not exist; so the rest of
// the name is what identifies a consistency point on every site.
const groupSnapPrefix = ".group."

// memberSnap is one member's share of a consistency point on one site.
type memberSnap struct {
	ID   uint64
	Name string
	Key  string
	Time time.Time
	// Group is the group snapshot's name, where the group is known here.
	Group string
}

// memberView is everything a site says about one member.
type memberView struct {
	model.MemberSite
	spec  model.ImageSpec
	name  string
	snaps map[string]memberSnap // by key
	local *model.SiteImageStatus
}

// viewMember opens a member read-only on one site and reads its mirroring
// and its consistency points. A missing image is a view with Exists false.
func viewMember(ctx context.Context, c *site.Conn, img model.ImageSpec) memberView {
	v := memberView{MemberSite: model.MemberSite{Site: c.Name()}, spec: img, name: img.String(), snaps: map[string]memberSnap{}}
	h, err := openImage(ctx, c, img, true)
	if err != nil {
		if !IsRefusal(err) {
			v.Err = err.Error()
		}
		return v
	}
	v.Exists = true
	err = call(ctx, c, "read image "+img.String(), func() error {
		defer h.Close()
		snaps, err := snapsOf(h)
		if err != nil {
			return err
		}
		for _, s := range snaps {
			v.snaps[s.Key] = s
		}
		mi, err := h.GetMirrorImageInfo()
		if err != nil {
			return err
		}
		v.Primary = mi.Primary
		switch mi.State {
		case rbd.MirrorImageEnabled:
			v.MirrorState = model.MirrorEnabled
			if m, err := h.GetImageMirrorMode(); err == nil && m == rbd.ImageMirrorModeSnapshot {
				v.MirrorMode = model.ModeSnapshot
			} else {
				v.MirrorMode = model.ModeJournal
			}
			gs, err := h.GetGlobalMirrorStatus()
			if err != nil {
				return err
			}
			if ls, err := gs.LocalStatus(); err == nil {
				st := model.SiteImageStatus{Up: ls.Up, State: mirror.StateName(ls.State), Description: ls.Description, LastUpdate: time.Unix(ls.LastUpdate, 0)}
				mirror.ParseStatus(&st)
				v.local = &st
				v.State, v.Description = st.FullState(), st.Description
				if st.Replay != nil {
					v.EntriesBehind = st.Replay.EntriesBehindPrimary
				}
			}
		case rbd.MirrorImageDisabling:
			v.MirrorState = model.MirrorDisabling
		default:
			v.MirrorState = model.MirrorDisabled
		}
		return nil
	})
	if err != nil {
		v.Err = err.Error()
	}
	keys := make([]string, 0, len(v.snaps))
	for k := range v.snaps {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return v.snaps[keys[i]].Time.Before(v.snaps[keys[j]].Time) })
	v.Points = keys
	return v
}

// snapsOf lists an open image's shares of group snapshots.
func snapsOf(h *rbd.Image) ([]memberSnap, error) {
	snaps, err := h.GetSnapshotNames()
	if err != nil {
		return nil, err
	}
	var out []memberSnap
	for _, s := range snaps {
		if !strings.HasPrefix(s.Name, groupSnapPrefix) {
			continue
		}
		ms := memberSnap{ID: s.Id, Name: s.Name, Key: strings.TrimPrefix(s.Name, groupSnapPrefix)}
		if ts, err := h.GetSnapTimestamp(s.Id); err == nil {
			ms.Time = time.Unix(ts.Sec, ts.Nsec)
		}
		// Only where the group exists (the primary) can librbd name it.
		if ns, err := h.GetSnapGroupNamespace(s.Id); err == nil && ns != nil {
			ms.Group = ns.GroupSnapName
		}
		out = append(out, ms)
	}
	return out, nil
}

// commonPoints are the consistency points every member holds on one site,
// newest first.
func commonPoints(views []memberView, meta map[string]PointMeta) []model.ConsistencyPoint {
	if len(views) == 0 {
		return nil
	}
	var out []model.ConsistencyPoint
	for k, s := range views[0].snaps {
		p := model.ConsistencyPoint{Key: k, Time: s.Time, Name: s.Group, Members: len(views)}
		if pm, ok := meta[k]; ok {
			p.Name, p.Time = pm.Name, pm.Time
			s.Time = pm.Time
		}
		ok := true
		for _, v := range views[1:] {
			o, has := v.snaps[k]
			if !has {
				ok = false
				break
			}
			if _, ok := meta[k]; !ok && o.Time.After(p.Time) {
				p.Time = o.Time
			}
			if p.Name == "" {
				p.Name = o.Group
			}
		}
		if ok {
			out = append(out, p)
		}
	}
	// Snapshot ids grow in creation order on an image, and replay keeps
	// that order, so the first member's ids order the points on any site.
	first := views[0].snaps
	sort.Slice(out, func(i, j int) bool { return first[out[i].Key].ID > first[out[j].Key].ID })
	return out
}

// members resolves a group's members: the rbd group on the site when it
// exists there, else the record rbdtui keeps on that site (the secondary of
// a group has no rbd group until it fails over).
func members(ctx context.Context, c *site.Conn, spec Spec) ([]model.ImageSpec, Record, error) {
	rec, found, err := loadRecord(ctx, c, spec)
	if err != nil {
		return nil, rec, err
	}
	ok, err := exists(ctx, c, spec)
	if err != nil {
		return nil, rec, err
	}
	var names []string
	switch {
	case ok:
		imgs, err := ImageList(ctx, c, spec)
		if err != nil {
			return nil, rec, err
		}
		names = membersOf(imgs)
	case found:
		names = rec.Members
	default:
		return nil, rec, refuse("group %s is unknown on site %s: no rbd group and no rbdtui record of it there (create it with `rbdtui consistency-group create %s`, or name the site where it lives with --site)", spec, c.Name(), spec)
	}
	var out []model.ImageSpec
	for _, n := range names {
		is, err := model.ParseImageSpec(n, false)
		if err != nil {
			return nil, rec, fmt.Errorf("group %s: member %q in its record: %v", spec, n, err)
		}
		out = append(out, is)
	}
	return out, rec, nil
}

// Inspect reads a group on every configured site: members, their journal
// settings and mirroring state per site, consistency points, and on each
// site the newest point every member holds (its recovery point).
func Inspect(ctx context.Context, m *site.Manager, c *site.Conn, spec Spec) (*model.GroupInfo, error) {
	imgs, rec, err := members(ctx, c, spec)
	if err != nil {
		return nil, err
	}
	info := &model.GroupInfo{Group: spec.String(), Site: c.Name(), Journal: rec.Journal, Members: []model.GroupMember{}, Points: []model.ConsistencyPoint{}}
	sites := m.Config().Sites
	views := make([][]memberView, len(sites)) // [site][member]
	now := time.Now()
	for si, s := range sites {
		sc, err := m.Site(s.Name)
		gs := model.GroupSiteStatus{Site: s.Name}
		if err == nil {
			_, err = sc.Rados(ctx)
		}
		if err != nil {
			gs.Err = err.Error()
			info.Sites = append(info.Sites, gs)
			continue
		}
		gs.Reachable = true
		for _, img := range imgs {
			views[si] = append(views[si], viewMember(ctx, sc, img))
		}
		gs.Role = roleOf(views[si])
		info.Sites = append(info.Sites, gs)
	}
	meta := pointMeta(rec, views)
	for si := range sites {
		gs := &info.Sites[si]
		if views[si] == nil {
			continue
		}
		if pts := commonPoints(views[si], meta); len(pts) > 0 {
			p := pts[0]
			gs.Recovery = &p
			gs.Age = now.Sub(p.Time)
			gs.AgeSecs = gs.Age.Seconds()
		}
	}
	for mi, img := range imgs {
		gm := model.GroupMember{Image: img.String()}
		for si, s := range sites {
			if views[si] == nil {
				gm.Sites = append(gm.Sites, model.MemberSite{Site: s.Name, Err: "site unreachable"})
				continue
			}
			gm.Sites = append(gm.Sites, views[si][mi].MemberSite)
		}
		_ = withImage(ctx, c, img, true, "read journal settings of", func(h *rbd.Image) error {
			gm.Journal = journalSettingsOf(h)
			return nil
		})
		var prim, absent []string
		for _, ms := range gm.Sites {
			switch {
			case ms.Err != "":
			case !ms.Exists:
				absent = append(absent, ms.Site)
			case ms.MirrorState == model.MirrorEnabled && ms.Primary:
				prim = append(prim, ms.Site)
			}
		}
		if len(prim) > 1 {
			info.Warnings = append(info.Warnings, fmt.Sprintf("member %s is primary on %s (split-brain): demote the stale copies and resync them (`rbdtui mirror image demote`, then `rbdtui mirror image resync`)", img, strings.Join(prim, " and ")))
		}
		if len(absent) > 0 {
			info.Warnings = append(info.Warnings, fmt.Sprintf("member %s does not exist on %s (not mirrored yet, or still syncing)", img, strings.Join(absent, ", ")))
		}
		info.Members = append(info.Members, gm)
	}
	// Consistency points as the acting site knows them, with how many
	// members hold each on that site.
	for si, s := range sites {
		if s.Name != c.Name() || views[si] == nil {
			continue
		}
		seen := map[string]*model.ConsistencyPoint{}
		for _, v := range views[si] {
			for k, sn := range v.snaps {
				p := seen[k]
				if p == nil {
					p = &model.ConsistencyPoint{Key: k, Time: sn.Time}
					if pm, ok := meta[k]; ok {
						p.Name, p.Time = pm.Name, pm.Time
					}
					seen[k] = p
				}
				p.Members++
				if p.Name == "" {
					p.Name = sn.Group
				}
			}
		}
		for _, p := range seen {
			p.State = "complete"
			if p.Members < len(imgs) {
				p.State = "partial"
			}
			info.Points = append(info.Points, *p)
		}
	}
	sort.Slice(info.Points, func(i, j int) bool { return info.Points[i].Time.After(info.Points[j].Time) })
	return info, nil
}

// pointMeta names and dates consistency points: from the record that
// checkpoint keeps, then from any site where the group is known (its member
// snapshots name the group snapshot, and the earliest stamp is the moment
// it was taken).
func pointMeta(rec Record, views [][]memberView) map[string]PointMeta {
	meta := map[string]PointMeta{}
	for _, vs := range views {
		for _, v := range vs {
			for k, sn := range v.snaps {
				pm, ok := meta[k]
				if !ok || sn.Time.Before(pm.Time) {
					pm.Time = sn.Time
				}
				if sn.Group != "" {
					pm.Name = sn.Group
				}
				meta[k] = pm
			}
		}
	}
	for k, pm := range rec.Points {
		meta[k] = pm
	}
	return meta
}

func roleOf(views []memberView) string {
	if len(views) == 0 {
		return "empty"
	}
	prim, sec, absent := 0, 0, 0
	for _, v := range views {
		switch {
		case !v.Exists:
			absent++
		case v.Primary:
			prim++
		default:
			sec++
		}
	}
	switch {
	case prim == len(views):
		return "primary"
	case sec == len(views):
		return "secondary"
	case absent == len(views):
		return "absent"
	}
	return fmt.Sprintf("mixed (%d primary, %d secondary, %d absent)", prim, sec, absent)
}

// CheckpointResult is what a checkpoint did.
type CheckpointResult struct {
	Group   string   `json:"group"`
	Created string   `json:"created"`
	Pruned  []string `json:"pruned"`
	// Warnings say which sites did not get the point's name and time.
	Warnings []string `json:"warnings,omitempty"`
}

// maxRecordedPoints bounds the names and times kept in a group's record.
const maxRecordedPoints = 64

// recordPoints stores, on every site, the name and time of each consistency
// point the primary holds, so that a secondary can show them when the
// primary is gone; and for the point just taken (the group snapshot named
// created, if any) where each member's share of it sits in the member's
// journal, so that a forced failover can count what it discards.
//
// Pool metadata is not mirrored (rbd-mirror replays images only), so the
// record is written to each site directly. The positions could travel in
// the members' image metadata instead, which journaling replays; but
// every metadata set is itself two journal entries after the point, on
// every member at every checkpoint, which would count as discarded.
func recordPoints(ctx context.Context, m *site.Manager, c *site.Conn, spec Spec, imgs []model.GroupImage, created string) []string {
	if len(imgs) == 0 {
		return nil
	}
	v := viewMember(ctx, c, model.ImageSpec{Pool: imgs[0].Pool, Namespace: imgs[0].Namespace, Image: imgs[0].Image})
	if v.Err != "" {
		return []string{v.Err}
	}
	rec, _, err := loadRecord(ctx, c, spec)
	if err != nil {
		return []string{err.Error()}
	}
	// Merged, not replaced: a secondary that lags still holds points the
	// primary has pruned, and they keep their names. The oldest go beyond
	// maxRecordedPoints.
	if rec.Points == nil {
		rec.Points = map[string]PointMeta{}
	}
	var warn []string
	for k, sn := range v.snaps {
		if sn.Group == "" {
			continue
		}
		pm := rec.Points[k]
		pm.Name, pm.Time = sn.Group, sn.Time
		if created != "" && sn.Group == created {
			var w []string
			pm.Journal, w = recordJournalPoints(ctx, c, imgs, k)
			warn = append(warn, w...)
		}
		rec.Points[k] = pm
	}
	if len(rec.Points) > maxRecordedPoints {
		keys := make([]string, 0, len(rec.Points))
		for k := range rec.Points {
			keys = append(keys, k)
		}
		sort.Slice(keys, func(i, j int) bool { return rec.Points[keys[i]].Time.After(rec.Points[keys[j]].Time) })
		for _, k := range keys[maxRecordedPoints:] {
			delete(rec.Points, k)
		}
	}
	rec.Members = membersOf(imgs)
	w, err := everySite(ctx, m, c, "store the consistency points of group "+spec.String(), func(s *site.Conn) error { return storeRecord(ctx, s, spec, rec) })
	warn = append(warn, w...)
	if err != nil {
		warn = append(warn, err.Error())
	}
	return warn
}

// SnapCreatePoint takes a group snapshot as SnapCreate does and, when the
// group is a consistency group (rbdtui keeps a record of it on c), records
// it on every site as checkpoint records its points: name, time and the
// members' journal positions. The warnings say what was not recorded.
func SnapCreatePoint(ctx context.Context, m *site.Manager, c *site.Conn, spec Spec) ([]string, error) {
	if err := SnapCreate(ctx, c, spec); err != nil {
		return nil, err
	}
	g := spec
	g.Snap = ""
	_, found, err := loadRecord(ctx, c, g)
	if err != nil {
		return []string{fmt.Sprintf("group snapshot %s was taken, but the group's record could not be read to record it: %v", spec, err)}, nil
	}
	if !found {
		return nil, nil
	}
	imgs, err := ImageList(ctx, c, g)
	if err != nil {
		return []string{fmt.Sprintf("group snapshot %s was taken, but the members could not be listed to record it: %v", spec, err)}, nil
	}
	return recordPoints(ctx, m, c, g, imgs, spec.Snap), nil
}

// CheckpointPrefix starts the names of the group snapshots checkpoint takes;
// pruning only ever removes snapshots with this prefix.
const CheckpointPrefix = "cp-"

// Checkpoint takes a consistency point (a group snapshot named
// cp-<UTC time>) and, with keep > 0, removes the oldest checkpoints beyond
// keep. Operator snapshots with other names are never pruned.
func Checkpoint(ctx context.Context, m *site.Manager, c *site.Conn, spec Spec, keep int, now time.Time) (*CheckpointResult, error) {
	imgs, err := ImageList(ctx, c, spec)
	if err != nil {
		return nil, err
	}
	if len(imgs) == 0 {
		return nil, refuse("group %s has no members on site %s: attach images first", spec, c.Name())
	}
	for _, gi := range imgs {
		img := model.ImageSpec{Pool: gi.Pool, Namespace: gi.Namespace, Image: gi.Image}
		v := viewMember(ctx, c, img)
		if v.MirrorState == model.MirrorEnabled && !v.Primary {
			return nil, refuse("member %s of group %s is not primary on site %s: take checkpoints on the primary site", img, spec, c.Name())
		}
	}
	name := CheckpointPrefix + now.UTC().Format("20060102T150405.000Z")
	s := spec
	s.Snap = name
	if err := SnapCreate(ctx, c, s); err != nil {
		return nil, err
	}
	res := &CheckpointResult{Group: spec.String(), Created: name, Pruned: []string{}}
	defer func() { res.Warnings = recordPoints(ctx, m, c, spec, imgs, name) }()
	if keep <= 0 {
		return res, nil
	}
	snaps, err := SnapList(ctx, c, spec)
	if err != nil {
		return res, err
	}
	var cps []string
	for _, sn := range snaps {
		if strings.HasPrefix(sn.Snapshot, CheckpointPrefix) {
			cps = append(cps, sn.Snapshot)
		}
	}
	sort.Strings(cps) // the names sort by time
	var errs []error
	for len(cps) > keep {
		old := spec
		old.Snap = cps[0]
		if err := SnapRemove(ctx, c, old); err != nil {
			errs = append(errs, err)
		} else {
			res.Pruned = append(res.Pruned, cps[0])
		}
		cps = cps[1:]
	}
	return res, errors.Join(errs...)
}
