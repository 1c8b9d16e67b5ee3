package journal

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"sync/atomic"

	"github.com/ceph/go-ceph/rados"
	"github.com/rbdtui/rbdtui/internal/site"
)

// Finding kinds reported by Scan.
const (
	FindingGarbage       = "garbage"
	FindingCRC           = "crc-mismatch"
	FindingBadVersion    = "bad-version"
	FindingTruncated     = "truncated-entry"
	FindingTrailing      = "trailing-junk"
	FindingGap           = "missing-prior-entry"
	FindingDuplicate     = "duplicate-entry"
	FindingUndecodable   = "undecodable-event"
	FindingMissingObject = "missing-object"
	FindingCommitOutside = "commit-position-outside"
	FindingHeader        = "header"
	FindingReplay        = "replay-stops"
	FindingReadError     = "read-error"
	FindingStray         = "stray-object"
)

// Finding is one structural problem, named by where it is.
type Finding struct {
	Severity string `json:"severity"` // error or warning
	Kind     string `json:"kind"`
	Object   string `json:"object,omitempty"`
	// ObjectNumber, Offset, TagTID and EntryTID locate the damage when
	// they are known (HasEntry for the ids).
	ObjectNumber uint64 `json:"object_number"`
	Offset       int    `json:"offset"`
	TagTID       uint64 `json:"tag_tid"`
	EntryTID     uint64 `json:"entry_tid"`
	HasEntry     bool   `json:"has_entry"`
	Client       string `json:"client,omitempty"`
	Message      string `json:"message"`
}

func (f Finding) String() string {
	s := f.Severity + ": " + f.Kind
	if f.Object != "" {
		s += fmt.Sprintf(" in %s at offset %d", f.Object, f.Offset)
	}
	if f.HasEntry {
		s += fmt.Sprintf(" (tag %d, entry %d)", f.TagTID, f.EntryTID)
	}
	if f.Client != "" {
		s += fmt.Sprintf(" (client %q)", f.Client)
	}
	return s + ": " + f.Message
}

// ScanProgress reports a scan's reading.
type ScanProgress struct {
	ObjectsDone  int   `json:"objects_done"`
	ObjectsTotal int   `json:"objects_total"`
	Bytes        int64 `json:"bytes"`
}

// ScanOptions tune Scan.
type ScanOptions struct {
	// Progress is called (from reading goroutines, serialised) after each
	// object is read.
	Progress func(ScanProgress)
	// Entry, when set, is called for each entry rbd's inspect would show,
	// in order, with its decoded event (nil if it did not decode).
	Entry func(r Replayed, ev *Event, err error)
}

// ScanResult is what inspect reports.
type ScanResult struct {
	// Inspected and Errors are rbd's summary numbers: entries replayed
	// from the least advanced client's position, and those whose payload
	// did not decode.
	Inspected int `json:"entries_inspected"`
	Errors    int `json:"errors"`
	// ReplayError is what stops rbd's replay (corruption, missing entry).
	ReplayError string `json:"replay_error,omitempty"`
	// Retained counts every entry stored in the journal.
	Retained int       `json:"entries_retained"`
	Objects  int       `json:"objects"`
	Bytes    int64     `json:"bytes"`
	Findings []Finding `json:"findings"`
	// objects are the objects read, for Inspect's index.
	objects map[uint64]*Object
}

// Faulty reports whether any finding is an error (inspect exits non-zero).
func (r *ScanResult) Faulty() bool {
	if r.Errors > 0 || r.ReplayError != "" {
		return true
	}
	for _, f := range r.Findings {
		if f.Severity == "error" {
			return true
		}
	}
	return false
}

type located struct {
	tag, entry uint64
	object     uint64
	offset     int
}

// Scan reads every retained object and checks the journal's structure:
// object framing, per-tag entry sequences, objects missing from a set,
// payloads, clients' commit positions; and it replays from the least
// advanced client as rbd's inspect does, for rbd's numbers.
func (j *Journal) Scan(ctx context.Context, opt ScanOptions) (*ScanResult, error) {
	h := j.Header
	res := &ScanResult{Findings: []Finding{}}
	for _, p := range h.Problems {
		res.Findings = append(res.Findings, Finding{Severity: "error", Kind: FindingHeader, Object: j.HeaderOID(), Message: p})
	}
	from := h.MinimumSet
	nums := h.Objects(from, h.ActiveSet)
	objs := make(map[uint64]*Object, len(nums))
	var mu sync.Mutex
	var done atomic.Int64
	var bytes atomic.Int64
	// Payloads are checked in the reading goroutines, overlapping the
	// reads still running; the common AioWrite shape is checked without a
	// full decode.
	bad := map[uint64]map[int]error{}
	j.ReadObjects(ctx, nums, true, func(o *Object) {
		var objBad map[int]error
		for _, e := range o.Entries {
			if quickValid(e.Data) {
				continue
			}
			if _, err := DecodeEvent(e.Data); err != nil {
				if objBad == nil {
					objBad = map[int]error{}
				}
				objBad[e.Offset] = err
			}
		}
		mu.Lock()
		defer mu.Unlock()
		objs[o.Number] = o
		if objBad != nil {
			bad[o.Number] = objBad
		}
		bytes.Add(int64(len(o.Data)))
		if opt.Progress != nil {
			opt.Progress(ScanProgress{ObjectsDone: int(done.Add(1)), ObjectsTotal: len(nums), Bytes: bytes.Load()})
		}
	})
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	res.Bytes = bytes.Load()
	res.objects = objs
	var all []located
	for _, n := range nums {
		o := objs[n]
		if o.Err != nil {
			res.Findings = append(res.Findings, Finding{Severity: "error", Kind: FindingReadError, Object: j.DataOID(n), ObjectNumber: n, Message: o.Err.Error()})
			continue
		}
		if !o.Exists {
			continue
		}
		res.Objects++
		if f := o.Fault; f != nil {
			kind := map[FaultKind]string{FaultGarbage: FindingGarbage, FaultCRC: FindingCRC, FaultVersion: FindingBadVersion,
				FaultTruncated: FindingTruncated, FaultTrailing: FindingTrailing}[f.Kind]
			res.Findings = append(res.Findings, Finding{Severity: "error", Kind: kind, Object: j.DataOID(n), ObjectNumber: n,
				Offset: f.Offset, TagTID: f.TagTID, EntryTID: f.EntryTID, HasEntry: f.HasIDs, Message: f.Detail})
		}
		for _, e := range o.Entries {
			all = append(all, located{e.TagTID, e.EntryTID, n, e.Offset})
			if err := bad[n][e.Offset]; err != nil {
				res.Findings = append(res.Findings, Finding{Severity: "error", Kind: FindingUndecodable, Object: j.DataOID(n), ObjectNumber: n,
					Offset: e.Offset, TagTID: e.TagTID, EntryTID: e.EntryTID, HasEntry: true, Message: "payload is not a librbd event: " + err.Error()})
			}
		}
	}
	res.Retained = len(all)
	res.Findings = append(res.Findings, j.strayFindings(ctx)...)
	res.Findings = append(res.Findings, j.sequenceFindings(all)...)
	res.Findings = append(res.Findings, j.missingObjectFindings(objs)...)
	res.Findings = append(res.Findings, j.commitFindings(objs)...)

	// rbd's view: replay from the least advanced client.
	err := Replay(h, objs, MinCommitPosition(h.Clients), func(r Replayed) error {
		res.Inspected++
		if opt.Entry == nil {
			if bad[r.Object][r.Offset] != nil {
				res.Errors++
			}
			return nil
		}
		ev, err := DecodeEvent(r.Data)
		if err != nil {
			res.Errors++
		}
		opt.Entry(r, ev, err)
		return nil
	})
	if err != nil {
		res.ReplayError = err.Error()
		f := Finding{Severity: "error", Kind: FindingReplay, Message: "rbd's replay stops here: " + err.Error()}
		if re, ok := err.(*ReplayError); ok {
			f.Object, f.ObjectNumber, f.Offset, f.TagTID, f.EntryTID, f.HasEntry = j.DataOID(re.Object), re.Object, re.Offset, re.TagTID, re.EntryTID, true
		}
		res.Findings = append(res.Findings, f)
	}
	sort.SliceStable(res.Findings, func(a, b int) bool {
		x, y := res.Findings[a], res.Findings[b]
		if x.ObjectNumber != y.ObjectNumber {
			return x.ObjectNumber < y.ObjectNumber
		}
		return x.Offset < y.Offset
	})
	return res, nil
}

// strayFindings looks one set beyond the active set and one below the
// minimum set: objects there are left over (a reset or trim that did not
// finish, or hand-made objects); readers ignore them, but they hold space.
func (j *Journal) strayFindings(ctx context.Context) []Finding {
	h := j.Header
	var nums []uint64
	nums = append(nums, h.Objects(h.ActiveSet+1, h.ActiveSet+1)...)
	if h.MinimumSet > 0 {
		nums = append(nums, h.Objects(h.MinimumSet-1, h.MinimumSet-1)...)
	}
	var out []Finding
	for _, n := range nums {
		oid := j.DataOID(n)
		st, err := site.Call(ctx, j.conn, "stat "+oid, func() (rados.ObjectStat, error) { return j.data.Stat(oid) })
		if err != nil {
			continue
		}
		out = append(out, Finding{Severity: "warning", Kind: FindingStray, Object: oid, ObjectNumber: n,
			Message: fmt.Sprintf("object of set %d (%d bytes) outside the journal's sets %d..%d; readers ignore it", n/h.W(), st.Size, h.MinimumSet, h.ActiveSet)})
	}
	return out
}

// sequenceFindings finds gaps and duplicates in each tag's entry tids.
func (j *Journal) sequenceFindings(all []located) []Finding {
	sort.Slice(all, func(a, b int) bool {
		if all[a].tag != all[b].tag {
			return all[a].tag < all[b].tag
		}
		return all[a].entry < all[b].entry
	})
	var out []Finding
	for i := 1; i < len(all); i++ {
		p, e := all[i-1], all[i]
		if p.tag != e.tag {
			continue
		}
		switch {
		case e.entry == p.entry:
			out = append(out, Finding{Severity: "warning", Kind: FindingDuplicate, Object: j.DataOID(e.object), ObjectNumber: e.object, Offset: e.offset,
				TagTID: e.tag, EntryTID: e.entry, HasEntry: true,
				Message: fmt.Sprintf("entry also stored in %s at offset %d; readers keep one copy", j.DataOID(p.object), p.offset)})
		case e.entry > p.entry+1:
			missing := fmt.Sprintf("entry %d", p.entry+1)
			if e.entry > p.entry+2 {
				missing = fmt.Sprintf("entries %d..%d", p.entry+1, e.entry-1)
			}
			// The first missing entry belongs at its splay offset, in the
			// set of the entry after the gap (or an earlier one).
			w := j.Header.W()
			home := e.object/w*w + (p.entry+1)%w
			out = append(out, Finding{Severity: "error", Kind: FindingGap, Object: j.DataOID(e.object), ObjectNumber: e.object, Offset: e.offset,
				TagTID: e.tag, EntryTID: e.entry, HasEntry: true,
				Message: fmt.Sprintf("tag %d jumps from entry %d (in %s) to %d: %s missing (entry %d belongs in %s)", e.tag, p.entry, j.DataOID(p.object), e.entry, missing, p.entry+1, j.DataOID(home))})
		}
	}
	return out
}

// missingObjectFindings names objects absent from a set although the
// entry tids stored in the set's other objects say entries belong there
// (entry tid mod splay width is the object's offset in its set).
func (j *Journal) missingObjectFindings(objs map[uint64]*Object) []Finding {
	h := j.Header
	w := h.W()
	var out []Finding
	for set := h.MinimumSet; set <= h.ActiveSet; set++ {
		type span struct{ lo, hi uint64 }
		tags := map[uint64]*span{}
		var missing []uint64
		for s := uint64(0); s < w; s++ {
			o := objs[set*w+s]
			if o == nil || o.Err != nil {
				continue
			}
			if !o.Exists {
				missing = append(missing, s)
				continue
			}
			for _, e := range o.Entries {
				if sp := tags[e.TagTID]; sp == nil {
					tags[e.TagTID] = &span{e.EntryTID, e.EntryTID}
				} else {
					sp.lo, sp.hi = min64(sp.lo, e.EntryTID), max64(sp.hi, e.EntryTID)
				}
			}
		}
		for _, s := range missing {
			for tag, sp := range tags {
				// Some tid in [lo, hi] maps to offset s?
				first := sp.lo + (s+w-sp.lo%w)%w
				if first <= sp.hi {
					n := set*w + s
					out = append(out, Finding{Severity: "error", Kind: FindingMissingObject, Object: j.DataOID(n), ObjectNumber: n,
						TagTID: tag, EntryTID: first, HasEntry: true,
						Message: fmt.Sprintf("object is missing from set %d, but tag %d has entries %d..%d in the set and entry %d belongs in this object", set, tag, sp.lo, sp.hi, first)})
					break
				}
			}
		}
	}
	return out
}

// commitFindings checks that each client's commit position points into
// the journal.
func (j *Journal) commitFindings(objs map[uint64]*Object) []Finding {
	h := j.Header
	w := h.W()
	var out []Finding
	for _, c := range h.Clients {
		if len(c.Commit) > int(w) {
			out = append(out, Finding{Severity: "error", Kind: FindingCommitOutside, Client: c.ID, Object: j.HeaderOID(),
				Message: fmt.Sprintf("commit position has %d entries, more than the splay width %d", len(c.Commit), w)})
		}
		for _, p := range c.Commit {
			sev := "error"
			if c.State == ClientDisconnected {
				// Trimming ignores disconnected clients, so their
				// positions may point at trimmed sets.
				sev = "warning"
			}
			f := Finding{Severity: sev, Kind: FindingCommitOutside, Client: c.ID, Object: j.DataOID(p.ObjectNumber), ObjectNumber: p.ObjectNumber,
				TagTID: p.TagTID, EntryTID: p.EntryTID, HasEntry: true}
			set := p.ObjectNumber / w
			switch {
			case set < h.MinimumSet:
				f.Message = fmt.Sprintf("commit position %s is in set %d, below the minimum set %d (already trimmed)", p, set, h.MinimumSet)
			case set > h.ActiveSet:
				f.Message = fmt.Sprintf("commit position %s is in set %d, beyond the active set %d", p, set, h.ActiveSet)
			case p.TagTID >= h.NextTagTID:
				f.Message = fmt.Sprintf("commit position %s names tag %d, but no tag beyond %d was ever allocated", p, p.TagTID, h.NextTagTID-1)
			default:
				o := objs[p.ObjectNumber]
				if o == nil || o.Err != nil || (o.Exists && o.Fault != nil) {
					continue
				}
				if !o.Exists {
					f.Message = fmt.Sprintf("commit position %s points at an object that does not exist", p)
					break
				}
				found := false
				for _, e := range o.Entries {
					if e.TagTID == p.TagTID && e.EntryTID == p.EntryTID {
						found = true
						break
					}
				}
				if found {
					continue
				}
				f.Message = fmt.Sprintf("commit position %s points at an entry that is not in its object", p)
			}
			out = append(out, f)
		}
	}
	return out
}

func min64(a, b uint64) uint64 {
	if a < b {
		return a
	}
	return b
}

func max64(a, b uint64) uint64 {
	if a > b {
		return a
	}
	return b
}
