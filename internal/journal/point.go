package journal

import (
	"context"
	"errors"
	"fmt"
	"sync"
)

// SnapPosition is where a snapshot's creation sits in a journal: its
// SnapCreate event and, once the operation completed, the OpFinish event
// with the same op tid (the snapshot's own two entries).
type SnapPosition struct {
	ObjectPosition
	// FinishEntryTID is the OpFinish entry in the same tag; nil when it
	// was not found.
	FinishEntryTID *uint64 `json:"finish_entry_tid,omitempty"`
}

// ErrSnapNotJournaled is returned when the sets searched hold no
// SnapCreate event of the snapshot.
var ErrSnapNotJournaled = errors.New("no SnapCreate event of the snapshot in the sets searched")

// FindSnapCreate finds the SnapCreate event of the snapshot named name,
// newest object sets first, reading at most sets sets (from the active
// set down). A snapshot taken a moment ago is in the active set, or the
// one before when the set closed right after it; searching only there
// keeps the cost to a set or two however long the journal is.
func (j *Journal) FindSnapCreate(ctx context.Context, name string, sets int) (*SnapPosition, error) {
	h := j.Header
	type opKey struct{ tag, op uint64 }
	finishes := map[opKey][]uint64{} // OpFinish entry tids by tag and op tid
	var found *SnapPosition
	var op uint64
	for s, n := h.ActiveSet, 0; n < sets && s+1 > h.MinimumSet; s, n = s-1, n+1 {
		var mu sync.Mutex
		var firstErr error
		j.ReadObjects(ctx, h.Objects(s, s), true, func(o *Object) {
			mu.Lock()
			defer mu.Unlock()
			if o.Err != nil {
				if firstErr == nil {
					firstErr = o.Err
				}
				return
			}
			for _, e := range o.Entries {
				switch EventType(e.Data) {
				case EventSnapCreate:
					ev, err := DecodeEvent(e.Data)
					if err != nil || ev.SnapName != name {
						continue
					}
					if found == nil || e.TagTID > found.TagTID || (e.TagTID == found.TagTID && e.EntryTID > found.EntryTID) {
						found = &SnapPosition{ObjectPosition: ObjectPosition{ObjectNumber: o.Number, TagTID: e.TagTID, EntryTID: e.EntryTID}}
						op = ev.OpTID
					}
				case EventOpFinish:
					if ev, err := DecodeEvent(e.Data); err == nil {
						k := opKey{e.TagTID, ev.OpTID}
						finishes[k] = append(finishes[k], e.EntryTID)
					}
				}
			}
		})
		if firstErr != nil {
			return nil, fmt.Errorf("journal %s: reading set %d: %w", j.Spec, s, firstErr)
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if found != nil {
			break
		}
		if s == 0 {
			break
		}
	}
	if found == nil {
		return nil, fmt.Errorf("journal %s: snapshot %s: %w", j.Spec, name, ErrSnapNotJournaled)
	}
	// Op tids restart with each owner, so the finish is the first OpFinish
	// of that op after the SnapCreate in the same tag.
	for _, tid := range finishes[opKey{found.TagTID, op}] {
		if tid > found.EntryTID && (found.FinishEntryTID == nil || tid < *found.FinishEntryTID) {
			t := tid
			found.FinishEntryTID = &t
		}
	}
	return found, nil
}

// EntriesAfter counts the entries a journal holds after position from up
// to and including position to, both in that journal's (tag, entry)
// coordinates. Entry tids run from 0 without gaps within a tag, and a tag
// starts when a new owner opens the journal (each exclusive lock
// acquisition), so when the two positions are in different tags the count
// needs where each tag in between ended. preds says so: each tag's data
// names the last committed entry of the tag before it (librbd's
// TagPredecessor), and rbd-mirror copies the primary's predecessors into
// the tags of the secondary's journal, so the secondary can count entries
// of the primary's journal without reading it. Only predecessors in the
// journal's own coordinates may be passed (commit_valid, from tags of
// the epoch the positions belong to).
func EntriesAfter(from, to ObjectPosition, preds []TagPredecessor) (int64, error) {
	if to.TagTID < from.TagTID || (to.TagTID == from.TagTID && to.EntryTID < from.EntryTID) {
		return 0, fmt.Errorf("position tag %d entry %d is before tag %d entry %d", to.TagTID, to.EntryTID, from.TagTID, from.EntryTID)
	}
	if to.TagTID == from.TagTID {
		return int64(to.EntryTID - from.EntryTID), nil
	}
	last := map[uint64]uint64{}
	for _, p := range preds {
		if p.CommitValid {
			last[p.TagTID] = p.EntryTID
		}
	}
	end, ok := last[from.TagTID]
	if !ok {
		return 0, fmt.Errorf("no later tag records where tag %d ended", from.TagTID)
	}
	if end < from.EntryTID {
		return 0, fmt.Errorf("tag %d ended at entry %d, before entry %d", from.TagTID, end, from.EntryTID)
	}
	n := int64(end - from.EntryTID)
	for tag, e := range last {
		if tag > from.TagTID && tag < to.TagTID {
			n += int64(e) + 1
		}
	}
	// A tag in between that no successor names held no entries: the next
	// owner's predecessor still pointed before it.
	return n + int64(to.EntryTID) + 1, nil
}
