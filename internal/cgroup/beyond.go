package cgroup

import (
	"context"
	"fmt"
	"strings"

	"github.com/ceph/go-ceph/rbd"
	"github.com/rbdtui/rbdtui/internal/journal"
	"github.com/rbdtui/rbdtui/internal/site"
	"github.com/rbdtui/rbdtui/model"
)

// What a forced failover discards on a member, in journal entries, is the
// part of the old primary's journal the target replayed after the
// member's share of the point. Two facts give it without the old primary:
//
//   - the point's place in the primary's journal, read when the point is
//     taken (journalPoint) and kept in the group's record on every site;
//   - the target's replay position, in the same journal's coordinates:
//     rbd-mirror's status names the entry it committed last
//     (non_primary_position), and each tag of the target's own journal
//     carries the primary's tag predecessor, which says where each of the
//     primary's tags ended (journal.EntriesAfter).

// pointSearchSets bounds how far back checkpoint looks for the snapshot it
// just took: the active set, and the one before in case it just closed.
const pointSearchSets = 2

// journalPoint reads where a member's share of a point just taken sits in
// its journal on the primary site c.
func journalPoint(ctx context.Context, c *site.Conn, img model.ImageSpec, snapName string) (PointPosition, error) {
	js, err := journal.SpecOfImage(ctx, c, img)
	if err != nil {
		return PointPosition{}, err
	}
	j, err := journal.Open(ctx, c, js)
	if err != nil {
		return PointPosition{}, err
	}
	sp, err := j.FindSnapCreate(ctx, snapName, pointSearchSets)
	if err != nil {
		return PointPosition{}, err
	}
	uuid, err := mirrorUUID(ctx, c, img.Pool)
	if err != nil {
		return PointPosition{}, err
	}
	return PointPosition{MirrorUUID: uuid, ObjectNumber: sp.ObjectNumber, TagTID: sp.TagTID, EntryTID: sp.EntryTID, FinishEntryTID: sp.FinishEntryTID}, nil
}

// mirrorUUID is the pool's mirror uuid: what its peers' journals name as
// the owner of the tags they replay from it.
func mirrorUUID(ctx context.Context, c *site.Conn, pool string) (string, error) {
	io, err := c.IOContext(ctx, pool)
	if err != nil {
		return "", err
	}
	// go-ceph keeps the C string's terminating NUL.
	return site.Call(ctx, c, "read the mirror uuid of pool "+pool, func() (string, error) {
		u, err := rbd.GetMirrorUUID(io)
		return strings.TrimRight(u, "\x00"), err
	})
}

// fillBeyond sets r's entries beyond the point for a member on the target
// to: the journal entries it replayed after its share of the point, the
// point's own snapshot entries not counted. pm is the point in the
// target's record of the group (recorded false when it has none). When the
// count cannot be made, r.EntriesBeyond stays -1 and the reason is given.
func fillBeyond(ctx context.Context, to *site.Conn, v memberView, pm PointMeta, recorded bool, r *model.MemberRollback) {
	r.EntriesBeyond = -1
	unknown := func(format string, args ...any) { r.EntriesBeyondUnknown = fmt.Sprintf(format, args...) }
	if !recorded {
		unknown("%s has no record of this point's journal positions (taken by plain rbd rather than rbdtui's checkpoint or group snap create, or %s was unreachable then)", to.Name(), to.Name())
		return
	}
	if pm.Journal == nil {
		unknown("the point was recorded before rbdtui kept journal positions")
		return
	}
	pos, ok := pm.Journal[v.name]
	if !ok {
		unknown("no journal position was recorded for this member when the point was taken")
		return
	}
	from := journal.ObjectPosition{ObjectNumber: pos.ObjectNumber, TagTID: pos.TagTID, EntryTID: pos.EntryTID}
	r.PointPosition = &model.Position{ObjectNumber: pos.ObjectNumber, TagTID: pos.TagTID, EntryTID: pos.EntryTID}
	switch {
	case v.Primary:
		unknown("already primary on %s: rbd-mirror no longer reports a replay position", to.Name())
		return
	case v.local == nil:
		unknown("%s's rbd-mirror reports no status for it", to.Name())
		return
	case v.local.Replay == nil || v.local.Replay.NonPrimaryPosition == nil:
		unknown("%s's rbd-mirror reports no replay position (%s: %s)", to.Name(), v.local.FullState(), v.local.Description)
		return
	}
	np := *v.local.Replay.NonPrimaryPosition
	r.ReplayedPosition = &np
	at := journal.ObjectPosition{ObjectNumber: np.ObjectNumber, TagTID: np.TagTID, EntryTID: np.EntryTID}
	if at.TagTID < from.TagTID || (at.TagTID == from.TagTID && at.EntryTID < from.EntryTID) {
		unknown("the replay position %s's rbd-mirror last published (%s UTC) is before the point; it publishes about every 30 s, so ask again in half a minute", to.Name(), v.local.LastUpdate.UTC().Format("15:04:05"))
		return
	}
	js, err := journal.SpecOfImage(ctx, to, v.spec)
	var j *journal.Journal
	if err == nil {
		j, err = journal.Open(ctx, to, js)
	}
	if err != nil {
		unknown("cannot read its journal on %s: %v", to.Name(), err)
		return
	}
	// The newest tag is the epoch being replayed, owned by the mirror
	// uuid of the site replayed from.
	var preds []journal.TagPredecessor
	owner := ""
	for _, t := range j.Header.Tags {
		td, err := journal.DecodeTagData(t.Data)
		if err != nil {
			continue
		}
		owner = td.MirrorUUID
		if td.MirrorUUID == pos.MirrorUUID && td.Predecessor.MirrorUUID == pos.MirrorUUID {
			preds = append(preds, td.Predecessor)
		}
	}
	if owner != pos.MirrorUUID {
		unknown("the point was recorded in the journal of mirror uuid %s, but %s's copy now follows %q (the group failed over since)", pos.MirrorUUID, to.Name(), owner)
		return
	}
	n, err := journal.EntriesAfter(from, at, preds)
	if err != nil {
		unknown("cannot count the entries between the point and the replay position: %v", err)
		return
	}
	if f := pos.FinishEntryTID; f != nil && (at.TagTID > from.TagTID || at.EntryTID >= *f) {
		n-- // the OpFinish of the point's own snapshot
	}
	r.EntriesBeyond = n
}

// recordJournalPoints reads where each member's share of the point key
// sits in its journal on the primary c; members whose position cannot be
// read are left out, with a warning.
func recordJournalPoints(ctx context.Context, c *site.Conn, imgs []model.GroupImage, key string) (map[string]PointPosition, []string) {
	out := map[string]PointPosition{}
	var warn []string
	for _, gi := range imgs {
		img := model.ImageSpec{Pool: gi.Pool, Namespace: gi.Namespace, Image: gi.Image}
		p, err := journalPoint(ctx, c, img, groupSnapPrefix+key)
		if err != nil {
			warn = append(warn, fmt.Sprintf("member %s: the point's place in its journal was not recorded (%v); a forced failover will show its entries beyond the point as unknown", img, err))
			continue
		}
		out[img.String()] = p
	}
	return out, warn
}
