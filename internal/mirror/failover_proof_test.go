package mirror

import (
	"strings"
	"testing"
	"time"

	"github.com/rbdtui/rbdtui/internal/journal"
	"github.com/rbdtui/rbdtui/model"
)

// The header of a freshly imported journal image on site-a right after
// `rbd mirror image demote`, as read on the lab: tags 0-2 are local, tag 3
// is the demotion's orphan tag, and the image's client committed the
// demotion event (tag 3, entry 0). The peer is site-b's rbd-mirror.
func demotedHeader(peer []journal.ObjectPosition) *journal.Header {
	tag := func(tid uint64, td journal.TagData) *journal.Tag {
		return &journal.Tag{TID: tid, Data: journal.EncodeTagData(&td)}
	}
	h := &journal.Header{Tags: []*journal.Tag{
		tag(0, journal.TagData{}),
		tag(1, journal.TagData{}),
		tag(2, journal.TagData{Predecessor: journal.TagPredecessor{CommitValid: true, TagTID: 1, EntryTID: 3}}),
		tag(3, journal.TagData{MirrorUUID: journal.OrphanMirrorUUID, Predecessor: journal.TagPredecessor{CommitValid: true, TagTID: 2, EntryTID: 3}}),
	}}
	h.Clients = []*journal.Client{
		{ID: "", Commit: []journal.ObjectPosition{{ObjectNumber: 0, TagTID: 3, EntryTID: 0}, {ObjectNumber: 3, TagTID: 1, EntryTID: 3}}},
		{ID: "9d36ccda-a5ba-4514-95d7-d39c37f1cbd2", Commit: peer},
	}
	return h
}

func TestJournalProof(t *testing.T) {
	peer := "9d36ccda-a5ba-4514-95d7-d39c37f1cbd2"
	cases := []struct {
		name string
		h    *journal.Header
		want bool
		why  string
	}{
		{"committed the demotion", demotedHeader([]journal.ObjectPosition{{ObjectNumber: 0, TagTID: 3, EntryTID: 0}, {ObjectNumber: 3, TagTID: 1, EntryTID: 3}}), true, "committed tag 3 entry 0"},
		// The split-brain of issue 11: the copy had replayed the data but
		// not the demotion when rbd-mirror reported "stopped".
		{"data but not the demotion", demotedHeader([]journal.ObjectPosition{{ObjectNumber: 3, TagTID: 1, EntryTID: 3}, {ObjectNumber: 2, TagTID: 1, EntryTID: 2}}), false, "committed tag 1 entry 3; needs tag 3 entry 0"},
		{"nothing committed", demotedHeader(nil), false, "committed nothing"},
	}
	for _, c := range cases {
		ok, why := journalProof(c.h, peer)
		if ok != c.want || !strings.Contains(why, c.why) {
			t.Errorf("%s: journalProof = %v %q, want %v containing %q", c.name, ok, why, c.want, c.why)
		}
	}
	h := demotedHeader([]journal.ObjectPosition{{TagTID: 3}})
	if ok, why := journalProof(h, "another-uuid"); ok || !strings.Contains(why, "no client") {
		t.Errorf("another peer's client proves nothing: %v %q", ok, why)
	}
	h.Clients[1].State = journal.ClientDisconnected
	if ok, _ := journalProof(h, peer); ok {
		t.Error("a disconnected client proves nothing")
	}
	// Not demoted: the newest tag is the image's own.
	h = demotedHeader([]journal.ObjectPosition{{TagTID: 2, EntryTID: 3}})
	h.Tags = h.Tags[:3]
	if ok, why := journalProof(h, peer); ok || !strings.Contains(why, "not a demotion") {
		t.Errorf("a journal whose newest tag is not orphan is not demoted: %v %q", ok, why)
	}
}

func TestSnapshotProof(t *testing.T) {
	from := []MirrorSnap{{ID: 4, State: SnapPrimary}, {ID: 9, State: SnapPrimaryDemoted, Demoted: true}}
	cases := []struct {
		name string
		to   []MirrorSnap
		want bool
	}{
		{"complete copy", []MirrorSnap{{ID: 5, State: SnapNonPrimary, PrimarySnapID: 4, Complete: true}, {ID: 7, State: SnapNonPrimaryDemoted, PrimarySnapID: 9, Complete: true}}, true},
		{"copy in progress", []MirrorSnap{{ID: 7, State: SnapNonPrimaryDemoted, PrimarySnapID: 9}}, false},
		{"older snapshot only", []MirrorSnap{{ID: 5, State: SnapNonPrimary, PrimarySnapID: 4, Complete: true}}, false},
	}
	for _, c := range cases {
		if ok, why := snapshotProof(from, c.to); ok != c.want {
			t.Errorf("%s: snapshotProof = %v %q, want %v", c.name, ok, why, c.want)
		}
	}
	if ok, _ := snapshotProof(from[:1], []MirrorSnap{{State: SnapNonPrimary, PrimarySnapID: 4, Complete: true}}); ok {
		t.Error("a primary whose newest snapshot is not a demotion is not demoted")
	}
}

func TestSettled(t *testing.T) {
	demoted := time.Unix(1000, 0)
	mk := func(up bool, state, desc string, at int64) model.Image {
		return model.Image{MirrorState: model.MirrorEnabled, Local: &model.SiteImageStatus{State: state, Up: up, Description: desc, LastUpdate: time.Unix(at, 0)}}
	}
	cases := []struct {
		img    model.Image
		target bool
		want   bool
	}{
		{mk(true, model.StateReplaying, `replaying, {"entries_behind_primary":0}`, 1010), true, false},
		// rbd-mirror's `stopped` is no proof (issue 11).
		{mk(true, model.StateStopped, "stopped", 1010), true, false},
		{mk(true, model.StateUnknown, "remote image is not primary", 1010), true, true},
		{mk(true, model.StateUnknown, "remote image demoted", 1010), true, true},
		{mk(false, model.StateUnknown, "remote image is not primary", 1010), true, false},
		{mk(true, model.StateUnknown, "remote image is not primary", 900), true, false}, // from before the demotion
		{mk(true, model.StateError, "split-brain", 1010), true, false},
		{mk(true, model.StateUnknown, "status not found", 1010), true, false},
		{mk(true, model.StateUnknown, "status not found", 1010), false, true},
		{model.Image{MirrorState: model.MirrorEnabled}, true, false},
	}
	for i, c := range cases {
		if got, why := settled(c.img, demoted, c.target); got != c.want {
			t.Errorf("%d: settled = %v (%s), want %v", i, got, why, c.want)
		}
	}
	if ok, _ := settled(mk(true, model.StateUnknown, "remote image is not primary", 900), time.Time{}, true); !ok {
		t.Error("a resumed run (nothing demoted now) accepts an older status")
	}
}

// Object maps read on the lab (a 4-object image): one object written, then
// a snapshot marks it clean, then a write after the snapshot dirties it.
func TestDirtyInObjectMap(t *testing.T) {
	hdr := []byte{0x0e, 0, 0, 0, 1, 1, 8, 0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0}
	footer := []byte{0x0c, 0, 0, 0, 0x3f, 0x38, 0xaa, 0xcb, 1, 0, 0, 0, 0xbc, 0x1d, 0x7b, 0x41}
	for _, c := range []struct {
		data byte
		want int
	}{{0x40, 1}, {0xc0, 0}, {0x00, 0}, {0x55, 4}, {0xcd, 1}} {
		b := append(append(append([]byte{}, hdr...), c.data), footer...)
		n, known, err := dirtyInObjectMap(b)
		if err != nil || !known || n != c.want {
			t.Errorf("data %#x: %d dirty (known %v, %v), want %d", c.data, n, known, err, c.want)
		}
	}
	if _, _, err := dirtyInObjectMap([]byte{0x0e, 0, 0}); err == nil {
		t.Error("a truncated object map must not decode")
	}
}
