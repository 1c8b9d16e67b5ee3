package journal

import (
	"context"
	"encoding/hex"
	"fmt"
	"strings"
)

// Info is `rbd journal info`.
type Info struct {
	JournalID       string `json:"journal_id"`
	HeaderOID       string `json:"header_oid"`
	ObjectOIDPrefix string `json:"object_oid_prefix"`
	Order           uint8  `json:"order"`
	SplayWidth      uint8  `json:"splay_width"`
	ObjectPool      string `json:"object_pool,omitempty"`
}

// Info returns the journal's identity and geometry as rbd shows them.
// rbd prints object_pool whenever the header names a pool (pool_id >= 0).
func (j *Journal) Info() Info {
	in := Info{JournalID: j.Spec.ID, HeaderOID: j.HeaderOID(), ObjectOIDPrefix: j.Prefix(),
		Order: j.Header.Order, SplayWidth: j.Header.SplayWidth}
	if j.Header.PoolID >= 0 {
		in.ObjectPool = j.DataPool
	}
	return in
}

// ClientStatus is one client with its lag: what it has not committed yet
// and what it keeps the trimmer from freeing.
type ClientStatus struct {
	ID     string           `json:"id"`
	State  string           `json:"state"`
	Commit []ObjectPosition `json:"commit_position"`
	// Meta is the decoded librbd client data; MetaError says why it did not
	// decode (the rbd CLI's temporary clients register with none).
	Meta      *ClientMeta `json:"meta,omitempty"`
	MetaError string      `json:"meta_error,omitempty"`
	// LagEntries and LagBytes count the retained entries after the client's
	// commit position (all of them when it has none).
	LagEntries int   `json:"lag_entries"`
	LagBytes   int64 `json:"lag_bytes"`
	// CommitSet is the oldest object set the client still needs.
	CommitSet uint64 `json:"commit_set"`
	// PinnedObjects and PinnedBytes are what exists in the sets from
	// minimum_set up to (not including) CommitSet of the next least
	// advanced client: what trimming would free if this client caught up
	// or were disconnected.
	PinnedObjects int   `json:"pinned_objects"`
	PinnedBytes   int64 `json:"pinned_bytes"`
	// Disconnected clients are ignored by trimming and by rbd's export.
	Disconnected bool `json:"disconnected"`
}

// Status is `rbd journal status` plus growth analysis.
type Status struct {
	Spec       Spec           `json:"journal"`
	Order      uint8          `json:"order"`
	SplayWidth uint8          `json:"splay_width"`
	MinimumSet uint64         `json:"minimum_set"`
	ActiveSet  uint64         `json:"active_set"`
	NextTagTID uint64         `json:"next_tag_tid"`
	Clients    []ClientStatus `json:"registered_clients"`
	// Tags still in the header (older ones expire), with their owner.
	Tags    []TagStatus `json:"tags"`
	Objects int         `json:"objects"`
	Bytes   int64       `json:"bytes"`
	Entries int         `json:"entries"`
	// TrimmableBytes and TrimmableObjects are held in sets every
	// connected client has moved past: the trimmer would free them now
	// (normally 0 while an image has the journal open).
	TrimmableObjects int   `json:"trimmable_objects"`
	TrimmableBytes   int64 `json:"trimmable_bytes"`
	// Problems found on the way (header values that did not decode, a
	// replay that stops).
	Problems []string `json:"problems,omitempty"`
}

// TagStatus is one tag and the owner it records.
type TagStatus struct {
	TID   uint64 `json:"tid"`
	Class uint64 `json:"tag_class"`
	// Owner reads local, orphan (demoted) or remote <mirror uuid>.
	Owner string   `json:"owner"`
	Data  *TagData `json:"data,omitempty"`
	Error string   `json:"error,omitempty"`
}

// Status reads every retained object to measure the journal and each
// client's lag.
func (j *Journal) Status(ctx context.Context) (*Status, error) {
	h := j.Header
	entries, objs, err := j.Entries(ctx, true)
	if err != nil && entries == nil {
		if _, ok := err.(*ReplayError); !ok {
			return nil, err
		}
	}
	st := &Status{Spec: j.Spec, Order: h.Order, SplayWidth: h.SplayWidth, MinimumSet: h.MinimumSet, ActiveSet: h.ActiveSet,
		NextTagTID: h.NextTagTID, Entries: len(entries), Problems: h.Problems}
	if err != nil {
		st.Problems = append(st.Problems, err.Error())
	}
	st.Tags = []TagStatus{}
	for _, t := range h.Tags {
		ts := TagStatus{TID: t.TID, Class: t.Class}
		if td, err := DecodeTagData(t.Data); err == nil {
			ts.Data, ts.Owner = td, td.Owner()
		} else {
			ts.Error = err.Error()
		}
		st.Tags = append(st.Tags, ts)
	}
	m := measure(h, objs, len(entries), func(i int) (uint64, uint64, int) {
		return entries[i].TagTID, entries[i].EntryTID, entries[i].Size()
	})
	st.Objects, st.Bytes = m.objects, m.bytes
	st.TrimmableObjects, st.TrimmableBytes = m.trimObjects, m.trimBytes
	st.Clients = m.clients
	return st, nil
}

// measured is what measure finds: sizes, what trimming could free now,
// and each client's lag and what it pins.
type measured struct {
	objects     int
	bytes       int64
	trimObjects int
	trimBytes   int64
	clients     []ClientStatus
}

// measure sizes the loaded objects and each client's lag over n entries in
// replay order; entry(i) gives the i-th entry's tag, entry tid and size.
func measure(h *Header, objs map[uint64]*Object, n int, entry func(i int) (tag, entryTID uint64, size int)) measured {
	var m measured
	setBytes := map[uint64]int64{}
	setObjects := map[uint64]int{}
	for n, o := range objs {
		if o.Exists {
			m.objects++
			m.bytes += int64(len(o.Data))
			setBytes[n/h.W()] += int64(len(o.Data))
			setObjects[n/h.W()]++
		}
	}
	// Index of each entry in replay order, for lag.
	at := make(map[[2]uint64]int, n)
	suffix := make([]int64, n+1)
	for i := n - 1; i >= 0; i-- {
		_, _, size := entry(i)
		suffix[i] = suffix[i+1] + int64(size)
	}
	for i := 0; i < n; i++ {
		tag, tid, _ := entry(i)
		at[[2]uint64{tag, tid}] = i
	}
	needSet := func(c *Client) uint64 {
		if len(c.Commit) == 0 {
			return h.MinimumSet
		}
		s := c.Commit[0].ObjectNumber / h.W()
		for _, p := range c.Commit {
			s = min64(s, p.ObjectNumber/h.W())
		}
		return s
	}
	sumSets := func(from, to uint64) (int, int64) {
		n, b := 0, int64(0)
		for s := from; s < to; s++ {
			n += setObjects[s]
			b += setBytes[s]
		}
		return n, b
	}
	trimTo := h.ActiveSet
	for _, c := range h.Clients {
		if c.State != ClientDisconnected {
			trimTo = min64(trimTo, needSet(c))
		}
	}
	m.trimObjects, m.trimBytes = sumSets(h.MinimumSet, trimTo)
	for _, c := range h.Clients {
		cs := ClientStatus{ID: c.ID, State: c.StateName(), Commit: c.Commit, Disconnected: c.State == ClientDisconnected, CommitSet: needSet(c)}
		if cs.Commit == nil {
			cs.Commit = []ObjectPosition{}
		}
		if m, err := DecodeClientMeta(c.Data); err == nil {
			cs.Meta = m
		} else if len(c.Data) == 0 {
			cs.MetaError = "no client data"
		} else {
			cs.MetaError = err.Error()
		}
		cs.LagEntries, cs.LagBytes = n, suffix[0]
		if len(c.Commit) > 0 {
			if i, ok := at[[2]uint64{c.Commit[0].TagTID, c.Commit[0].EntryTID}]; ok {
				cs.LagEntries, cs.LagBytes = n-i-1, suffix[i+1]
			}
		}
		if !cs.Disconnected {
			// What would be freed without this client: up to the set the
			// other connected clients still need.
			others := h.ActiveSet
			for _, o := range h.Clients {
				if o != c && o.State != ClientDisconnected {
					others = min64(others, needSet(o))
				}
			}
			if others > cs.CommitSet {
				lo := max64(cs.CommitSet, h.MinimumSet)
				lo = max64(lo, trimTo)
				cs.PinnedObjects, cs.PinnedBytes = sumSets(lo, others)
			}
		}
		m.clients = append(m.clients, cs)
	}
	return m
}

// Hexdump renders bytes as `hexdump -C` does, which is how rbd's JSON
// status shows client data.
func Hexdump(b []byte) string {
	var s strings.Builder
	for off := 0; off < len(b); off += 16 {
		row := b[off:min2(off+16, len(b))]
		fmt.Fprintf(&s, "%08x ", off)
		for i := 0; i < 16; i++ {
			if i == 8 {
				s.WriteByte(' ')
			}
			if i < len(row) {
				s.WriteString(" " + hex.EncodeToString(row[i:i+1]))
			} else {
				s.WriteString("   ")
			}
		}
		s.WriteString("  |")
		for _, c := range row {
			if c >= 32 && c < 127 {
				s.WriteByte(c)
			} else {
				s.WriteByte('.')
			}
		}
		s.WriteString("|\n")
	}
	fmt.Fprintf(&s, "%08x\n", len(b))
	return s.String()
}
