package journal

import (
	"context"
	"encoding/binary"
	"errors"
	"sync"
	"syscall"

	"github.com/ceph/go-ceph/rados"

	"github.com/rbdtui/rbdtui/internal/site"
)

// tailBytes is how much of each active object NewestEntry reads first.
const tailBytes = 128 << 10

// Tail is what the tails of the active objects hold: the newest whole
// entry, and every whole entry read with its size, for the bytes a client
// has yet to commit (BytesAfter).
type Tail struct {
	Newest  *ObjectPosition
	Entries []TailEntry
	// From is, per object read, the oldest entry read from it (nil when
	// the whole object was read): older entries of that object were not
	// seen.
	From map[uint64]*ObjectPosition
	// FirstObject is the first object number read (the active set's).
	FirstObject uint64
	// Splay is the splay width: entry tid t of a tag goes to the object
	// at offset t mod Splay of the set.
	Splay uint64
	// Partial says an object could not be read: its entries are missing.
	Partial bool
}

// TailEntry is one whole entry found in an object's tail.
type TailEntry struct {
	ObjectPosition
	// Bytes is the entry's size in the journal, framing included.
	Bytes int
}

// BytesAfter sums the journal bytes of the entries newer than commit (in
// its tag, or in a newer tag) that the tails hold. complete is false when
// entries newer than commit may lie before what was read (the commit
// position is in an earlier object set, or an object's tail starts past
// it): the sum is then a lower bound.
func (t *Tail) BytesAfter(commit ObjectPosition) (bytes int64, complete bool) {
	newer := func(p ObjectPosition) bool {
		return p.TagTID > commit.TagTID || (p.TagTID == commit.TagTID && p.EntryTID > commit.EntryTID)
	}
	for _, e := range t.Entries {
		if newer(e.ObjectPosition) {
			bytes += int64(e.Bytes)
		}
	}
	complete = commit.ObjectNumber >= t.FirstObject && !t.Partial
	for _, from := range t.From {
		// The entry before from in its object is from's tid minus the
		// splay width, in from's tag: unread, it is committed only when
		// that tid is at most commit's in the same tag.
		if from != nil && newer(*from) && (from.TagTID != commit.TagTID || from.EntryTID > commit.EntryTID+t.Splay) {
			complete = false
		}
	}
	return bytes, complete
}

// MeanEntryBytes is the mean journal size of the entries read (0 when
// none was).
func (t *Tail) MeanEntryBytes() float64 {
	if len(t.Entries) == 0 {
		return 0
	}
	var sum int
	for _, e := range t.Entries {
		sum += e.Bytes
	}
	return float64(sum) / float64(len(t.Entries))
}

// NewestEntry is ReadTail's newest entry.
func (j *Journal) NewestEntry(ctx context.Context) (*ObjectPosition, error) {
	t, err := j.ReadTail(ctx)
	if t == nil {
		return nil, err
	}
	return t.Newest, err
}

// ReadTail finds the newest entry the writer has appended, from the
// data objects themselves: the header's commit positions move only every
// few seconds (librbd's rbd_journal_commit_age, 5 s by default), entries
// land in the objects at once. It stats the objects of the active set
// (and the next one, which a writer fills before the header says so),
// reads the tail of each, and returns the whole entries whose checksum
// holds and the newest of them (nil when the sets hold none).
func (j *Journal) ReadTail(ctx context.Context) (*Tail, error) {
	h := j.Header
	w := h.W()
	var nums []uint64
	for set := h.ActiveSet; set <= h.ActiveSet+1; set++ {
		for i := uint64(0); i < w; i++ {
			nums = append(nums, set*w+i)
		}
	}
	out := &Tail{From: map[uint64]*ObjectPosition{}, FirstObject: h.ActiveSet * w, Splay: w}
	var mu sync.Mutex
	var firstErr error
	var wg sync.WaitGroup
	for _, n := range nums {
		wg.Add(1)
		go func() {
			defer wg.Done()
			es, whole, err := j.tailOf(ctx, n)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				if firstErr == nil {
					firstErr = err
				}
				out.Partial = true
				return
			}
			var oldest *ObjectPosition
			for i := range es {
				p := es[i].ObjectPosition
				if out.Newest == nil || p.TagTID > out.Newest.TagTID || (p.TagTID == out.Newest.TagTID && p.EntryTID > out.Newest.EntryTID) {
					out.Newest = &p
				}
				if oldest == nil || p.TagTID < oldest.TagTID || (p.TagTID == oldest.TagTID && p.EntryTID < oldest.EntryTID) {
					oldest = &p
				}
			}
			out.Entries = append(out.Entries, es...)
			if !whole {
				out.From[n] = oldest
			}
		}()
	}
	wg.Wait()
	if out.Newest == nil && firstErr != nil {
		return nil, firstErr
	}
	return out, nil
}

// tailOf reads the tail of object n (the whole object when its tail holds
// no whole entry) and returns its whole entries; whole says the read
// started at the object's beginning.
func (j *Journal) tailOf(ctx context.Context, n uint64) ([]TailEntry, bool, error) {
	oid := j.DataOID(n)
	type read struct {
		b     []byte
		whole bool
	}
	r, err := site.Call(ctx, j.conn, "read the tail of "+oid, func() (read, error) {
		st, err := j.data.Stat(oid)
		if err != nil {
			return read{}, err
		}
		for tail := uint64(tailBytes); ; tail = st.Size {
			off := uint64(0)
			if st.Size > tail {
				off = st.Size - tail
			}
			b := make([]byte, st.Size-off)
			k, err := j.data.Read(oid, b, off)
			if err != nil {
				return read{}, err
			}
			b = b[:k]
			if len(scanEntries(b)) > 0 || off == 0 {
				return read{b, off == 0}, nil
			}
		}
	})
	switch {
	case err == nil:
	case errors.Is(err, rados.ErrNotFound) || site.IsErrno(err, syscall.ENOENT):
		return nil, true, nil
	default:
		return nil, false, err
	}
	es := scanEntries(r.b)
	for i := range es {
		es[i].ObjectNumber = n
	}
	return es, r.whole, nil
}

// lastEntry is the position of the newest whole entry in b.
func lastEntry(b []byte) *ObjectPosition {
	var best *ObjectPosition
	for _, e := range scanEntries(b) {
		p := e.ObjectPosition
		if best == nil || p.TagTID > best.TagTID || (p.TagTID == best.TagTID && p.EntryTID > best.EntryTID) {
			best = &p
		}
	}
	return best
}

// scanEntries scans b for framed entries (preamble, header, payload, crc)
// and returns the whole ones, in the order they appear.
func scanEntries(b []byte) []TailEntry {
	var out []TailEntry
	for i := 0; i+EntryOverhead <= len(b); i++ {
		if binary.LittleEndian.Uint64(b[i:]) != Preamble || b[i+8] != entryVersion {
			continue
		}
		length := int(binary.LittleEndian.Uint32(b[i+25:]))
		end := i + headerSize + length
		if length < 0 || end+4 > len(b) || end+4 < i {
			continue
		}
		if binary.LittleEndian.Uint32(b[end:]) != Crc32c(b[i:end]) {
			continue
		}
		out = append(out, TailEntry{ObjectPosition: ObjectPosition{EntryTID: binary.LittleEndian.Uint64(b[i+9:]), TagTID: binary.LittleEndian.Uint64(b[i+17:])}, Bytes: end + 4 - i})
		i = end + 3 // the loop adds one
	}
	return out
}
