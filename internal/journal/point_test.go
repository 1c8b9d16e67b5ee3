package journal_test

import (
	"strings"
	"testing"

	"github.com/rbdtui/rbdtui/internal/journal"
)

// The tag chain is the one a lab journal held: the rbd CLI wrote tag 1
// (entries 0-3) and tag 2 (0-4), a group snapshot took tag 3 (SnapCreate
// at 0, OpFinish at 1), and a writer tag 4 (0-6). Each tag after the first
// names where the one before it ended.
func TestEntriesAfter(t *testing.T) {
	pos := func(tag, entry uint64) journal.ObjectPosition {
		return journal.ObjectPosition{TagTID: tag, EntryTID: entry}
	}
	chain := []journal.TagPredecessor{
		{CommitValid: false},
		{CommitValid: true, TagTID: 1, EntryTID: 3},
		{CommitValid: true, TagTID: 2, EntryTID: 4},
		{CommitValid: true, TagTID: 3, EntryTID: 1},
	}
	for _, c := range []struct {
		name     string
		from, to journal.ObjectPosition
		preds    []journal.TagPredecessor
		want     int64
		err      string
	}{
		{name: "same position", from: pos(3, 0), to: pos(3, 0), preds: chain, want: 0},
		{name: "same tag", from: pos(4, 1), to: pos(4, 6), preds: chain, want: 5},
		{name: "next tag", from: pos(3, 0), to: pos(4, 6), preds: chain, want: 1 + 7},
		{name: "tags in between", from: pos(1, 2), to: pos(4, 0), preds: chain, want: 1 + 5 + 2 + 1},
		{name: "point at the end of its tag", from: pos(2, 4), to: pos(3, 1), preds: chain, want: 2},
		// Tag 5 held no entries: tag 6 still names tag 4 as predecessor.
		{name: "empty tag in between", from: pos(4, 6), to: pos(6, 2),
			preds: append(chain[:4:4], journal.TagPredecessor{CommitValid: true, TagTID: 4, EntryTID: 6}, journal.TagPredecessor{CommitValid: true, TagTID: 4, EntryTID: 6}), want: 3},
		{name: "replay behind the point", from: pos(4, 3), to: pos(4, 2), preds: chain, err: "before"},
		{name: "replay in an older tag", from: pos(4, 3), to: pos(3, 1), preds: chain, err: "before"},
		{name: "chain missing the point's tag", from: pos(3, 0), to: pos(4, 6), preds: chain[:3], err: "no later tag records where tag 3 ended"},
		{name: "chain contradicting the point", from: pos(3, 5), to: pos(4, 6), preds: chain, err: "ended at entry 1"},
	} {
		got, err := journal.EntriesAfter(c.from, c.to, c.preds)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%s: %d, %v; want an error with %q", c.name, got, err, c.err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("%s: %d, %v; want %d", c.name, got, err, c.want)
		}
	}
}
