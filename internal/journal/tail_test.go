package journal

import "testing"

func TestLastEntry(t *testing.T) {
	var b []byte
	for i := uint64(0); i < 5; i++ {
		b = AppendFrame(b, 3, 100+i, make([]byte, 4096))
	}
	full := len(b)
	// A torn entry at the end (the writer's append in flight) is not one.
	b = AppendFrame(b, 3, 105, make([]byte, 4096))[:full+100]
	for _, tc := range []struct {
		name string
		buf  []byte
		want *ObjectPosition
	}{
		{"whole", b[:full], &ObjectPosition{TagTID: 3, EntryTID: 104}},
		{"torn tail", b, &ObjectPosition{TagTID: 3, EntryTID: 104}},
		{"starts mid-entry", b[5000:], &ObjectPosition{TagTID: 3, EntryTID: 104}},
		{"no whole entry", b[full-10:], nil},
		{"empty", nil, nil},
	} {
		got := lastEntry(tc.buf)
		if (got == nil) != (tc.want == nil) || (got != nil && *got != *tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
		}
	}
}

// BytesAfter sums the entries newer than a commit position, and says when
// the tails read cannot hold all of them.
func TestTailBytesAfter(t *testing.T) {
	e := func(obj, tag, tid uint64, n int) TailEntry {
		return TailEntry{ObjectPosition: ObjectPosition{ObjectNumber: obj, TagTID: tag, EntryTID: tid}, Bytes: n}
	}
	// Set 1 of a splay width of 4 (objects 4-7); object 4 was read from
	// its start, object 5 from its tail only (oldest read: tag 2 tid 9).
	tl := &Tail{FirstObject: 4, Splay: 4, Entries: []TailEntry{e(4, 2, 8, 100), e(5, 2, 9, 200), e(6, 2, 10, 300), e(7, 3, 0, 400)},
		From: map[uint64]*ObjectPosition{5: {ObjectNumber: 5, TagTID: 2, EntryTID: 9}}}
	for _, tc := range []struct {
		commit   ObjectPosition
		bytes    int64
		complete bool
	}{
		{ObjectPosition{ObjectNumber: 6, TagTID: 2, EntryTID: 10}, 400, true},   // only the newer tag's entry
		{ObjectPosition{ObjectNumber: 5, TagTID: 2, EntryTID: 9}, 700, true},    // tid 10, then tag 3
		{ObjectPosition{ObjectNumber: 4, TagTID: 2, EntryTID: 8}, 900, true},    // object 5's tail starts right after
		{ObjectPosition{ObjectNumber: 4, TagTID: 2, EntryTID: 4}, 1000, false},  // object 5's unread tid 5 is not committed
		{ObjectPosition{ObjectNumber: 2, TagTID: 1, EntryTID: 90}, 1000, false}, // in an earlier set
		{ObjectPosition{ObjectNumber: 7, TagTID: 3, EntryTID: 0}, 0, true},      // caught up
	} {
		b, ok := tl.BytesAfter(tc.commit)
		if b != tc.bytes || ok != tc.complete {
			t.Errorf("after %v: %d bytes (complete %v), want %d (%v)", tc.commit, b, ok, tc.bytes, tc.complete)
		}
	}
	// An object that could not be read leaves the count incomplete.
	tl.Partial = true
	if b, ok := tl.BytesAfter(ObjectPosition{ObjectNumber: 6, TagTID: 2, EntryTID: 10}); b != 400 || ok {
		t.Errorf("with an unread object: %d bytes, complete %v; want 400, not complete", b, ok)
	}
}

// scanEntries gives each whole entry's size in the journal, framing
// included.
func TestScanEntriesSizes(t *testing.T) {
	var b []byte
	b = AppendFrame(b, 1, 1, make([]byte, 10))
	one := len(b)
	b = AppendFrame(b, 1, 2, make([]byte, 4096))
	es := scanEntries(b)
	if len(es) != 2 || es[0].Bytes != one || es[1].Bytes != len(b)-one || es[1].EntryTID != 2 {
		t.Fatalf("entries %+v (frames of %d and %d bytes)", es, one, len(b)-one)
	}
}

func TestTailMeanEntryBytes(t *testing.T) {
	if m := (&Tail{}).MeanEntryBytes(); m != 0 {
		t.Errorf("no entries: %v", m)
	}
	tl := &Tail{Entries: []TailEntry{{Bytes: 100}, {Bytes: 300}}}
	if m := tl.MeanEntryBytes(); m != 200 {
		t.Errorf("mean %v", m)
	}
}
