package mirror

import (
	"context"
	"encoding/binary"
	"fmt"
	"strings"
	"syscall"
	"time"

	"github.com/ceph/go-ceph/rbd"
	"github.com/rbdtui/rbdtui/internal/journal"
	"github.com/rbdtui/rbdtui/internal/site"
	"github.com/rbdtui/rbdtui/model"
)

// A planned failover promotes the target copy only on proof that it holds
// everything the primary wrote up to its demotion. rbd-mirror's status words
// are no proof: a journal-mode copy reports `stopped` while its replayer
// shuts down, whether or not it replayed the demotion, and promoting it then
// splits the brain (issue 11). The proof is read from the data itself:
//
//   - journal mode: in the demoted primary's journal, the target's mirror
//     peer client has committed the demotion's entry (the newest tag is the
//     demotion's orphan tag, and the image's own client committed the
//     demotion event in it);
//   - snapshot mode: the target holds a complete copy of the primary's
//     demotion snapshot.
//
// On top of that, as Ceph's own workunits do (rbd_mirror_helpers.sh waits
// for `up+unknown` on both sites after a demote before it promotes), both
// sites' daemons must report the image up and unknown, the target's saying
// the remote is not primary, in statuses written after the demotion.

// journalProof reports whether the peer client (the target's mirror uuid)
// has committed the demotion in a demoted primary's journal header, and
// says why in either case.
func journalProof(h *journal.Header, peer string) (bool, string) {
	if len(h.Tags) == 0 {
		return false, "the journal has no tags"
	}
	newest := h.Tags[len(h.Tags)-1]
	td, err := journal.DecodeTagData(newest.Data)
	if err != nil {
		return false, fmt.Sprintf("the journal's newest tag %d does not decode: %v", newest.TID, err)
	}
	if td.MirrorUUID != journal.OrphanMirrorUUID {
		return false, fmt.Sprintf("the journal's newest tag %d is not a demotion (owner %s)", newest.TID, td.Owner())
	}
	// The demotion event is the first entry of its tag; the image's own
	// client commits it, so its position in the tag is the demotion's.
	demotion := uint64(0)
	if img := h.Client(""); img != nil {
		for _, p := range img.Commit {
			if p.TagTID == newest.TID && p.EntryTID > demotion {
				demotion = p.EntryTID
			}
		}
	}
	want := fmt.Sprintf("tag %d entry %d (the demotion)", newest.TID, demotion)
	c := h.Client(peer)
	if c == nil {
		return false, fmt.Sprintf("the target's rbd-mirror (mirror uuid %s) has no client in the journal; needs %s", peer, want)
	}
	if c.State != journal.ClientConnected {
		return false, fmt.Sprintf("the target's rbd-mirror client %s is %s", peer, c.StateName())
	}
	var best *journal.ObjectPosition
	for i, p := range c.Commit {
		if best == nil || p.TagTID > best.TagTID || (p.TagTID == best.TagTID && p.EntryTID > best.EntryTID) {
			best = &c.Commit[i]
		}
	}
	if best == nil {
		return false, "the target's rbd-mirror has committed nothing yet; needs " + want
	}
	if best.TagTID == newest.TID && best.EntryTID >= demotion {
		return true, fmt.Sprintf("the target's rbd-mirror committed %s", want)
	}
	return false, fmt.Sprintf("the target's rbd-mirror committed tag %d entry %d; needs %s", best.TagTID, best.EntryTID, want)
}

// snapshotProof reports whether the target holds a complete copy of the
// primary's demotion snapshot, the newest of the primary's mirror snapshots.
func snapshotProof(from, to []MirrorSnap) (bool, string) {
	var dem *MirrorSnap
	for i := range from {
		if dem == nil || from[i].ID > dem.ID {
			dem = &from[i]
		}
	}
	if dem == nil {
		return false, "the primary has no mirror snapshots"
	}
	if dem.State != SnapPrimaryDemoted {
		return false, fmt.Sprintf("the primary's newest mirror snapshot %d is %s, not a demotion", dem.ID, dem.State)
	}
	for _, s := range to {
		if s.PrimarySnapID != dem.ID || s.State != SnapNonPrimaryDemoted {
			continue
		}
		if s.Complete {
			return true, fmt.Sprintf("the target holds a complete copy of the demotion snapshot %d", dem.ID)
		}
		return false, fmt.Sprintf("the target is still copying the demotion snapshot %d", dem.ID)
	}
	return false, fmt.Sprintf("the target has no copy of the demotion snapshot %d yet", dem.ID)
}

// replayProof reads the proof for one image whose primary on o.From is
// demoted; from is the image as Exact read it on o.From.
func replayProof(ctx context.Context, o FailoverOptions, name, mode string, from model.Image) (bool, string, error) {
	spec := model.ImageSpec{Pool: o.Pool, Namespace: o.Namespace, Image: name}
	if mode == model.ModeSnapshot {
		fs, err := mirrorSnapshotsOf(ctx, o.From, spec)
		if err != nil {
			return false, "", err
		}
		ts, err := mirrorSnapshotsOf(ctx, o.To, spec)
		if err != nil {
			return false, "", err
		}
		ok, why := snapshotProof(fs, ts)
		if ok && from.ID != "" {
			// The copy is complete, but of the snapshot only: a write
			// after it (a writer racing the demotion) is on From alone.
			dirty, known, err := headDirtyObjects(ctx, o.From, spec, from.ID)
			if err != nil {
				return false, "", err
			}
			if known && dirty > 0 {
				return false, why, &WriteAfterDemotionError{Msg: fmt.Sprintf("%s on %s was written after its demotion snapshot (%d objects changed: a client was still writing): %s's copy lacks those writes, so promoting it would lose them. Stop the writers, promote %s on %s again (rbdtui --site %s mirror image promote %s), then fail over again",
					spec, o.From.Name(), dirty, o.To.Name(), spec, o.From.Name(), o.From.Name(), spec)}
			}
		}
		return ok, why, nil
	}
	if from.ID == "" {
		return false, "", fmt.Errorf("no image id for %s on %s", spec, o.From.Name())
	}
	peer, err := mirrorUUID(ctx, o.To, o.Pool)
	if err != nil {
		return false, "", err
	}
	j, err := journal.Open(ctx, o.From, journal.Spec{Pool: o.Pool, Namespace: o.Namespace, ID: from.ID})
	if err != nil {
		return false, "", err
	}
	ok, why := journalProof(j.Header, peer)
	return ok, why, nil
}

// mirrorSnapshotsOf lists an image's mirror snapshots on a site.
func mirrorSnapshotsOf(ctx context.Context, c *site.Conn, spec model.ImageSpec) ([]MirrorSnap, error) {
	io, err := c.IOContextNS(ctx, spec.Pool, spec.Namespace)
	if err != nil {
		return nil, err
	}
	return site.Call(ctx, c, "list mirror snapshots of "+spec.String(), func() ([]MirrorSnap, error) {
		return MirrorSnapshots(io, spec.Image)
	})
}

// mirrorUUID is a site's mirror uuid for a pool: the id of its rbd-mirror's
// client in the journals of the other site's primaries.
func mirrorUUID(ctx context.Context, c *site.Conn, pool string) (string, error) {
	io, err := c.IOContext(ctx, pool)
	if err != nil {
		return "", err
	}
	u, err := site.Call(ctx, c, "read mirror uuid of pool "+pool, func() (string, error) { return rbd.GetMirrorUUID(io) })
	return strings.TrimRight(u, "\x00"), err
}

// settled reports whether a site's daemon reports the image up and unknown
// (its replayer stopped because the other side is not primary) in a status
// written after the demotion; target also needs the remote called not
// primary or demoted.
func settled(img model.Image, demoted time.Time, target bool) (bool, string) {
	l := img.Local
	if l == nil {
		return false, "no status yet"
	}
	what := l.FullState()
	if l.Description != "" {
		what += " " + l.Description
	}
	if img.Primary {
		return false, what + " (primary)"
	}
	if !demoted.IsZero() && l.LastUpdate.Before(demoted.Add(-time.Second)) {
		return false, what + " (status older than the demotion)"
	}
	if !l.Up || l.State != model.StateUnknown {
		return false, what
	}
	if target && !strings.HasPrefix(l.Description, "remote image is not primary") && !strings.HasPrefix(l.Description, "remote image demoted") {
		return false, what
	}
	return true, what
}

// ProveReplayed reads the proof that to holds everything from wrote up to
// the demotion of one image (demoted on from): the same proof a planned
// failover waits for, for the consistency-group failover.
func ProveReplayed(ctx context.Context, from, to *site.Conn, spec model.ImageSpec, mode string) (bool, string, error) {
	imgs, err := ExactNS(ctx, from, spec.Pool, spec.Namespace, []string{spec.Image})
	if err != nil {
		return false, "", err
	}
	o := FailoverOptions{From: from, To: to, Pool: spec.Pool, Namespace: spec.Namespace}
	return replayProof(ctx, o, spec.Image, mode, imgs[spec.Image])
}

// WriteAfterDemotionError stops a snapshot-mode failover before promoting:
// the old primary was written after its demotion snapshot (a client still
// writing raced the demotion), so the target's complete copy of that
// snapshot lacks the write. Waiting cannot fix it.
type WriteAfterDemotionError struct{ Msg string }

func (e *WriteAfterDemotionError) Error() string { return e.Msg }

// headDirtyObjects counts the objects of an image's head written since its
// newest snapshot, from the head object map: with fast-diff, creating a
// snapshot marks every existing object EXISTS_CLEAN (3), and the first write
// after marks it EXISTS (1) before it is acknowledged. known is false when
// the image has no object map to read.
func headDirtyObjects(ctx context.Context, c *site.Conn, spec model.ImageSpec, imageID string) (n int, known bool, err error) {
	io, err := c.IOContextNS(ctx, spec.Pool, spec.Namespace)
	if err != nil {
		return 0, false, err
	}
	oid := "rbd_object_map." + imageID
	b, err := site.Call(ctx, c, "read object map of "+spec.String(), func() ([]byte, error) {
		st, err := io.Stat(oid)
		if err != nil {
			return nil, err
		}
		buf := make([]byte, st.Size)
		n, err := io.Read(oid, buf, 0)
		return buf[:n], err
	})
	if err != nil {
		if site.IsErrno(err, syscall.ENOENT) {
			return 0, false, nil
		}
		return 0, false, err
	}
	return dirtyInObjectMap(b)
}

// dirtyInObjectMap decodes an object map (a ceph BitVector<2>: a
// length-prefixed header holding the entry count, then 4 entries a byte,
// first entry in the high bits) and counts the EXISTS entries.
func dirtyInObjectMap(b []byte) (int, bool, error) {
	if len(b) < 4 {
		return 0, false, fmt.Errorf("object map of %d bytes", len(b))
	}
	hl := int(binary.LittleEndian.Uint32(b))
	if hl < 14 || len(b) < 4+hl {
		return 0, false, fmt.Errorf("object map header of %d bytes", hl)
	}
	size := binary.LittleEndian.Uint64(b[4+6 : 4+14])
	data := b[4+hl:]
	if uint64(len(data)) < (size+3)/4 {
		return 0, false, fmt.Errorf("object map of %d entries holds %d data bytes", size, len(data))
	}
	n := 0
	for i := uint64(0); i < size; i++ {
		if (data[i/4]>>(6-2*(i%4)))&3 == 1 {
			n++
		}
	}
	return n, true, nil
}
