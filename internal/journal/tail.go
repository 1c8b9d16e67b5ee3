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

// NewestEntry finds the newest entry the writer has appended, from the
// data objects themselves: the header's commit positions move only every
// few seconds (librbd's rbd_journal_commit_age, 5 s by default), entries
// land in the objects at once. It stats the objects of the active set
// (and the next one, which a writer fills before the header says so),
// reads the tail of each, and returns the position of the newest whole
// entry whose checksum holds; nil when the sets hold none.
func (j *Journal) NewestEntry(ctx context.Context) (*ObjectPosition, error) {
	h := j.Header
	w := h.W()
	var nums []uint64
	for set := h.ActiveSet; set <= h.ActiveSet+1; set++ {
		for i := uint64(0); i < w; i++ {
			nums = append(nums, set*w+i)
		}
	}
	var mu sync.Mutex
	var best *ObjectPosition
	var firstErr error
	var wg sync.WaitGroup
	for _, n := range nums {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p, err := j.newestIn(ctx, n)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				if firstErr == nil {
					firstErr = err
				}
				return
			}
			if p != nil && (best == nil || p.TagTID > best.TagTID || (p.TagTID == best.TagTID && p.EntryTID > best.EntryTID)) {
				best = p
			}
		}()
	}
	wg.Wait()
	if best == nil && firstErr != nil {
		return nil, firstErr
	}
	return best, nil
}

// newestIn is the newest whole entry in the tail of object n (the whole
// object when its tail holds no whole entry).
func (j *Journal) newestIn(ctx context.Context, n uint64) (*ObjectPosition, error) {
	oid := j.DataOID(n)
	buf, err := site.Call(ctx, j.conn, "read the tail of "+oid, func() ([]byte, error) {
		st, err := j.data.Stat(oid)
		if err != nil {
			return nil, err
		}
		for tail := uint64(tailBytes); ; tail = st.Size {
			off := uint64(0)
			if st.Size > tail {
				off = st.Size - tail
			}
			b := make([]byte, st.Size-off)
			k, err := j.data.Read(oid, b, off)
			if err != nil {
				return nil, err
			}
			b = b[:k]
			if lastEntry(b) != nil || off == 0 {
				return b, nil
			}
		}
	})
	switch {
	case err == nil:
	case errors.Is(err, rados.ErrNotFound) || site.IsErrno(err, syscall.ENOENT):
		return nil, nil
	default:
		return nil, err
	}
	e := lastEntry(buf)
	if e == nil {
		return nil, nil
	}
	e.ObjectNumber = n
	return e, nil
}

// lastEntry scans b for framed entries (preamble, header, payload, crc)
// and returns the position of the newest whole one.
func lastEntry(b []byte) *ObjectPosition {
	var best *ObjectPosition
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
		p := &ObjectPosition{EntryTID: binary.LittleEndian.Uint64(b[i+9:]), TagTID: binary.LittleEndian.Uint64(b[i+17:])}
		if best == nil || p.TagTID > best.TagTID || (p.TagTID == best.TagTID && p.EntryTID > best.EntryTID) {
			best = p
		}
		i = end + 3 // the loop adds one
	}
	return best
}
