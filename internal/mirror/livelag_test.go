package mirror

import (
	"testing"
	"time"
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
