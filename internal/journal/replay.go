package journal

import (
	"fmt"
	"sort"
)

// MinCommitPosition is the commit position a client registering now would
// be given, which is where `rbd journal export` and `inspect` start: a copy
// of the least advanced connected client's position, or empty (the start)
// when a connected client has none (§4, cls_journal's
// find_min_commit_position, whose early exit only leaves a batch of 256).
func MinCommitPosition(clients []*Client) []ObjectPosition {
	sorted := append([]*Client(nil), clients...)
	sort.Slice(sorted, func(a, b int) bool { return sorted[a].ID < sorted[b].ID })
	var min []ObjectPosition
	valid := false
	var tag, entry uint64
	for start := 0; start < len(sorted); start += 256 {
		batch := sorted[start:min2(start+256, len(sorted))]
		for _, c := range batch {
			if c.State == ClientDisconnected {
				continue
			}
			if len(c.Commit) == 0 {
				min = nil
				break
			}
			f := c.Commit[0]
			if !valid || tag > f.TagTID || (tag == f.TagTID && entry > f.EntryTID) {
				tag, entry, valid = f.TagTID, f.EntryTID, true
				min = c.Commit
			}
		}
	}
	return min
}

func min2(a, b int) int {
	if a < b {
		return a
	}
	return b
}

// Replayed is one entry in replay order.
type Replayed struct {
	Entry
	Object uint64
	// CommitTID numbers entries in replay order from 1, as rbd's export
	// writes them.
	CommitTID uint64
}

// ReplayError stops a replay: corruption in an object, or an entry whose
// predecessor is missing (rbd's EBADMSG and ENOMSG).
type ReplayError struct {
	Kind     string // "corrupt" or "gap"
	Object   uint64
	Offset   int
	TagTID   uint64
	EntryTID uint64
	Expected uint64 // for gaps: the entry tid that should have come
	Fault    *ObjectFault
}

func (e *ReplayError) Error() string {
	if e.Kind == "corrupt" {
		return fmt.Sprintf("corrupt journal entry in object %d: %v (rbd: (74) Bad message)", e.Object, e.Fault)
	}
	return fmt.Sprintf("missing prior journal entry: tag %d entry %d found in object %d at offset %d, expected entry %d (rbd: (42) No message of desired type)",
		e.TagTID, e.EntryTID, e.Object, e.Offset, e.Expected)
}

// replayer follows rbd's JournalPlayer over a journal that is not being
// written (§8): round-robin over splay offsets, tag switches at offset 0,
// stale entries of older tags pruned, gaps in a tag's entry tids fatal.
type replayer struct {
	w, active uint64
	get       func(uint64) *Object
	cur       []uint64
	q         [][]Entry
	seen      map[uint64]uint64
	commitTID uint64
	err       error
}

func (r *replayer) load(s uint64) {
	o := r.get(r.cur[s])
	r.q[s] = nil
	if o == nil || !o.Exists {
		return
	}
	r.q[s] = o.Entries
	if o.Fault != nil && o.Fault.Corrupt() && r.err == nil {
		// rbd fails the whole fetch of a corrupt object, so none of its
		// entries replay.
		r.q[s] = nil
		r.err = &ReplayError{Kind: "corrupt", Object: o.Number, Offset: o.Fault.Offset, Fault: o.Fault, TagTID: o.Fault.TagTID, EntryTID: o.Fault.EntryTID}
	}
}

func (r *replayer) advance(s uint64) {
	for len(r.q[s]) == 0 && r.err == nil && r.cur[s]/r.w < r.active {
		r.cur[s] += r.w
		r.load(s)
	}
}

func (r *replayer) pop(s uint64) Entry {
	e := r.q[s][0]
	r.q[s] = r.q[s][1:]
	return e
}

// Replay walks the loaded objects from the commit position pos and calls
// emit for each entry in rbd's order. It stops at the first ReplayError.
func Replay(h *Header, objects map[uint64]*Object, pos []ObjectPosition, emit func(Replayed) error) error {
	return ReplayFunc(h, func(n uint64) *Object { return objects[n] }, pos, emit)
}

// ReplayFunc is Replay over objects given by get, which may block until the
// object has been read: replay then runs while later objects still load.
// get returns nil for an object that does not exist.
func ReplayFunc(h *Header, get func(uint64) *Object, pos []ObjectPosition, emit func(Replayed) error) error {
	w := h.W()
	r := &replayer{w: w, active: h.ActiveSet, get: get, cur: make([]uint64, w), q: make([][]Entry, w), seen: map[uint64]uint64{}}
	bySplay := map[uint64]ObjectPosition{}
	for _, p := range pos {
		if _, ok := bySplay[p.ObjectNumber%w]; !ok {
			bySplay[p.ObjectNumber%w] = p
		}
	}
	for s := uint64(0); s < w; s++ {
		r.cur[s] = h.MinimumSet*w + s
		p, ok := bySplay[s]
		if ok {
			r.cur[s] = p.ObjectNumber
		}
		r.load(s)
		if ok {
			for r.err == nil {
				r.advance(s)
				if len(r.q[s]) == 0 {
					break
				}
				e := r.pop(s)
				r.see(e)
				if e.TagTID == p.TagTID && e.EntryTID == p.EntryTID {
					break
				}
			}
		}
		r.advance(s)
		if r.err != nil {
			return r.err
		}
	}
	var activeTag, pruneTag uint64
	hasActive, hasPrune := false, false
	splay := uint64(0)
	if len(pos) > 0 {
		activeTag, hasActive = pos[0].TagTID, true
		splay = pos[0].ObjectNumber % w
		if len(r.q[splay]) == 0 || r.q[splay][0].TagTID == pos[0].TagTID {
			splay = (splay + 1) % w
		}
	}
	prune := func(t uint64) {
		if !hasPrune || t > pruneTag {
			pruneTag, hasPrune = t, true
		}
		for s := uint64(0); s < w; s++ {
			for len(r.q[s]) > 0 && r.q[s][0].TagTID == t {
				r.pop(s)
			}
		}
		for s := uint64(0); s < w; s++ {
			r.advance(s)
		}
	}
	take := func() error {
		e := r.pop(splay)
		if last, ok := r.seen[e.TagTID]; ok && e.EntryTID != last+1 {
			return &ReplayError{Kind: "gap", Object: r.cur[splay], Offset: e.Offset, TagTID: e.TagTID, EntryTID: e.EntryTID, Expected: last + 1}
		}
		r.see(e)
		old := splay
		splay = (splay + 1) % w
		r.advance(old)
		r.commitTID++
		return emit(Replayed{Entry: e, Object: r.cur[old], CommitTID: r.commitTID})
	}
	for r.err == nil {
		if len(r.q[splay]) > 0 {
			e := r.q[splay][0]
			switch {
			case !hasActive:
				activeTag, hasActive = e.TagTID, true
				if err := take(); err != nil {
					return err
				}
			case e.TagTID < activeTag || (hasPrune && e.TagTID <= pruneTag):
				prune(e.TagTID)
			case e.TagTID > activeTag:
				if e.EntryTID == 0 {
					old := activeTag
					activeTag = e.TagTID
					splay = 0
					prune(old)
					continue
				}
				if hasPrune && pruneTag == activeTag && splay == 0 {
					// rbd would spin here forever; the newer tag's
					// first entry is missing.
					return &ReplayError{Kind: "gap", Object: r.cur[0], Offset: e.Offset, TagTID: e.TagTID, EntryTID: e.EntryTID, Expected: 0}
				}
				splay = 0
				prune(activeTag)
			default:
				if err := take(); err != nil {
					return err
				}
			}
			continue
		}
		if !hasActive || (hasPrune && pruneTag == activeTag) {
			break
		}
		splay = 0
		prune(activeTag)
	}
	return r.err
}

func (r *replayer) see(e Entry) {
	if last, ok := r.seen[e.TagTID]; !ok || e.EntryTID > last {
		r.seen[e.TagTID] = e.EntryTID
	}
}
