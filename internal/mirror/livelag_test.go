package mirror

import (
	"testing"
	"time"

	"github.com/rbdtui/rbdtui/internal/journal"
	"github.com/rbdtui/rbdtui/model"
)

func TestSnapLag(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 10, 0, 0, 0, time.UTC)
	prim := []MirrorSnap{
		{ID: 10, State: SnapPrimary, Time: t0},
		{ID: 14, State: SnapPrimary, Time: t0.Add(90 * time.Second)},
	}
	for _, tc := range []struct {
		name    string
		copy    []MirrorSnap
		lag     int64
		copying float64 // -1: none
	}{
		{"holds the newest", []MirrorSnap{{ID: 3, State: SnapNonPrimary, Complete: true, PrimarySnapID: 14}}, 0, -1},
		{"copying the newest", []MirrorSnap{
			{ID: 3, State: SnapNonPrimary, Complete: true, PrimarySnapID: 10},
			{ID: 4, State: SnapNonPrimary, PrimarySnapID: 14, LastCopied: 4, Objects: 16},
		}, 90, 25},
		{"holds nothing the primary keeps", []MirrorSnap{{ID: 4, State: SnapNonPrimary, PrimarySnapID: 14, LastCopied: 0, Objects: 16}}, 90, 0},
	} {
		l, ok := snapLag(prim, tc.copy, t0)
		if !ok || l.Lag != tc.lag {
			t.Errorf("%s: lag %d (ok %v), want %d", tc.name, l.Lag, ok, tc.lag)
		}
		switch {
		case tc.copying < 0 && l.CopyPercent != nil:
			t.Errorf("%s: copying %v, want none", tc.name, *l.CopyPercent)
		case tc.copying >= 0 && (l.CopyPercent == nil || *l.CopyPercent != tc.copying):
			t.Errorf("%s: copying %v, want %v", tc.name, l.CopyPercent, tc.copying)
		}
	}
	if _, ok := snapLag(nil, []MirrorSnap{{ID: 1, State: SnapNonPrimary}}, t0); ok {
		t.Error("a lag without primary snapshots")
	}
}

// A copy's journal bytes behind are counted from the tails when they hold
// every entry it has not committed, else estimated from the entries behind
// and the mean entry size (never below what was counted).
func TestLiveLagBytes(t *testing.T) {
	at := time.Date(2026, 12, 6, 21, 0, 0, 0, time.UTC)
	view := func(commit journal.ObjectPosition, tail *journal.Tail) LiveLag {
		p := NewPoller("rbd")
		writer := journal.ObjectPosition{ObjectNumber: 7, TagTID: 2, EntryTID: 11}
		head := &JournalHead{At: at, Master: &writer, Newest: &writer, Tail: tail, Peers: map[string]*journal.ObjectPosition{"uuid-b": &commit}}
		v := &View{Sites: []SiteView{
			{Site: "site-a", Images: []model.Image{{Name: "vol1", Primary: true, MirrorMode: model.ModeJournal}}, Journals: map[string]*JournalHead{"vol1": head}},
			{Site: "site-b", Images: []model.Image{{Name: "vol1", MirrorMode: model.ModeJournal}}},
		}}
		p.liveLags(v)
		return v.Sites[1].Live["vol1"]
	}
	e := func(tid uint64, n int) journal.TailEntry {
		return journal.TailEntry{ObjectPosition: journal.ObjectPosition{ObjectNumber: 4 + tid%4, TagTID: 2, EntryTID: tid}, Bytes: n}
	}
	tail := &journal.Tail{FirstObject: 4, Splay: 4, Entries: []journal.TailEntry{e(8, 100), e(9, 100), e(10, 100), e(11, 100)}, From: map[uint64]*journal.ObjectPosition{}}
	l := view(journal.ObjectPosition{ObjectNumber: 5, TagTID: 2, EntryTID: 9}, tail)
	if l.Lag != 2 || l.Bytes == nil || *l.Bytes != 200 || l.BytesEstimated {
		t.Errorf("counted: lag %d, bytes %v, estimated %v", l.Lag, l.Bytes, l.BytesEstimated)
	}
	// The commit is in an earlier object set: 11 entries behind at a mean
	// of 100 bytes.
	l = view(journal.ObjectPosition{ObjectNumber: 2, TagTID: 2, EntryTID: 0}, tail)
	if l.Lag != 11 || l.Bytes == nil || *l.Bytes != 1100 || !l.BytesEstimated {
		t.Errorf("estimated: lag %d, bytes %v, estimated %v", l.Lag, l.Bytes, l.BytesEstimated)
	}
	l = view(journal.ObjectPosition{ObjectNumber: 7, TagTID: 2, EntryTID: 11}, tail)
	if l.Lag != 0 || l.Bytes == nil || *l.Bytes != 0 || l.BytesEstimated {
		t.Errorf("caught up: lag %d, bytes %v, estimated %v", l.Lag, l.Bytes, l.BytesEstimated)
	}
}
