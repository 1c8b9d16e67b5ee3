package mirror

import (
	"reflect"
	"testing"

	"github.com/ceph/go-ceph/rbd"
	"github.com/rbdtui/rbdtui/internal/journal"
)

// enc builds cls replies the way cls_rbd_types.cc encodes them, with the
// journal's encoder.
type enc struct{ journal.Encoder }

// site is MirrorImageSiteStatus::encode_meta.
func (e *enc) site(version uint8, uuid string, state uint8, desc string, sec uint32, up bool) {
	if version >= 2 {
		e.Str(uuid)
	}
	e.U8(state)
	e.Str(desc)
	e.U32(sec)
	e.U32(999) // nsec, dropped as librbd drops it
	e.Bool(up)
}

// statusListReply is a reply with four images: a journal image with a
// local and a remote status (MirrorImage v2, MirrorImageStatus v2), a
// snapshot image whose MirrorImage is v3 (a group spec this code skips)
// with only a remote status, a disabled entry, and an image with a v1
// status (local only, as Octopus wrote it) and no name in the directory.
func statusListReply() []byte {
	var e enc
	e.U32(4)
	for _, im := range []struct {
		id, gid     string
		v, st, mode uint8
	}{{"id1", "g1", 2, 1, 0}, {"id2", "g2", 3, 1, 1}, {"id3", "g3", 2, 2, 0}, {"id4", "g4", 2, 0, 0}} {
		e.Str(im.id)
		at := e.Start(im.v, 1)
		e.Str(im.gid)
		e.U8(im.st)
		e.U8(im.mode)
		if im.v >= 3 {
			gs := e.Start(1, 1) // GroupSpec: group id, pool id
			e.Str("grp")
			e.U32(7)
			e.U32(0)
			e.Finish(gs)
		}
		e.Finish(at)
	}
	e.U32(3)
	e.Str("id1")
	at := e.Start(2, 1)
	e.site(1, "", 4, "replaying, {}", 100, true)
	e.U8(1) // local valid
	e.U32(1)
	e.site(2, "peer-uuid", 0, "", 90, false)
	e.Finish(at)
	e.Str("id2")
	at = e.Start(2, 1)
	e.site(1, "", 0, "", 0, false) // the placeholder cls writes
	e.U8(0)                        // local not valid
	e.U32(1)
	e.site(2, "peer-uuid", 1, "split-brain", 80, true)
	e.Finish(at)
	e.Str("id4")
	at = e.Start(1, 1)
	e.site(1, "", 6, "stopped", 70, true)
	e.Finish(at)
	return e.Bytes()
}

func TestDecodeStatusListAndLibrbdsRules(t *testing.T) {
	images, statuses, err := decodeStatusList(statusListReply())
	if err != nil {
		t.Fatal(err)
	}
	wantImages := []clsImage{{"id1", "g1", 1, 0}, {"id2", "g2", 1, 1}, {"id3", "g3", 2, 0}, {"id4", "g4", 0, 0}}
	if !reflect.DeepEqual(images, wantImages) {
		t.Fatalf("images %+v, want %+v", images, wantImages)
	}
	got := map[string]rbd.GlobalMirrorImageStatus{}
	clsGlobalStatuses(images, statuses, map[string]string{"id1": "vol1", "id2": "vol2", "id3": "gone"}, got)
	want := map[string]rbd.GlobalMirrorImageStatus{
		"id1": {Name: "vol1", Info: rbd.MirrorImageInfo{GlobalID: "g1", State: rbd.MirrorImageEnabled},
			SiteStatuses: []rbd.SiteMirrorImageStatus{
				{State: rbd.MirrorImageStatusStateReplaying, Description: "replaying, {}", LastUpdate: 100, Up: true},
				{MirrorUUID: "peer-uuid", State: rbd.MirrorImageStatusStateUnknown, Description: "status not found", LastUpdate: 90}}},
		// no local status: librbd adds a down, unknown one after the others
		"id2": {Name: "vol2", Info: rbd.MirrorImageInfo{GlobalID: "g2", State: rbd.MirrorImageEnabled},
			SiteStatuses: []rbd.SiteMirrorImageStatus{
				{MirrorUUID: "peer-uuid", State: rbd.MirrorImageStatusStateError, Description: "split-brain", LastUpdate: 80, Up: true},
				{State: rbd.MirrorImageStatusStateUnknown, Description: "status not found"}}},
		// id3 is disabled: left out. id4 has no name: named by its id.
		"id4": {Name: "id4", Info: rbd.MirrorImageInfo{GlobalID: "g4", State: rbd.MirrorImageDisabling},
			SiteStatuses: []rbd.SiteMirrorImageStatus{
				{State: rbd.MirrorImageStatusStateStopped, Description: "stopped", LastUpdate: 70, Up: true}}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("global statuses\n got %+v\nwant %+v", got, want)
	}
}

func TestDecodeStatusListRefusesBadBytes(t *testing.T) {
	b := statusListReply()
	for n := 0; n < len(b); n++ {
		if _, _, err := decodeStatusList(b[:n]); err == nil {
			t.Fatalf("a reply cut at byte %d of %d decoded without an error", n, len(b))
		}
	}
	if _, _, err := decodeStatusList(append(b, 0)); err == nil {
		t.Fatal("a reply with a byte after the statuses decoded without an error")
	}
	if _, _, err := decodeStatusList([]byte{0xff, 0xff, 0xff, 0x7f}); err == nil {
		t.Fatal("a hostile image count decoded without an error")
	}
}

func FuzzDecodeStatusList(f *testing.F) {
	f.Add(statusListReply())
	f.Add([]byte{0, 0, 0, 0, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		images, statuses, err := decodeStatusList(b)
		if err != nil {
			return
		}
		clsGlobalStatuses(images, statuses, nil, map[string]rbd.GlobalMirrorImageStatus{})
	})
}

func TestSummaryStatesCountsAsTheOSD(t *testing.T) {
	const (
		unknown   = rbd.MirrorImageStatusStateUnknown
		errored   = rbd.MirrorImageStatusStateError
		syncing   = rbd.MirrorImageStatusStateSyncing
		replaying = rbd.MirrorImageStatusStateReplaying
		stopped   = rbd.MirrorImageStatusStateStopped
	)
	local := func(st rbd.MirrorImageStatusState, up bool) rbd.SiteMirrorImageStatus {
		return rbd.SiteMirrorImageStatus{State: st, Up: up}
	}
	remote := func(uuid string, st rbd.MirrorImageStatusState, up bool) rbd.SiteMirrorImageStatus {
		return rbd.SiteMirrorImageStatus{MirrorUUID: uuid, State: st, Up: up}
	}
	peer := func(uuid string, d rbd.MirrorPeerDirection) *rbd.MirrorPeerSite {
		return &rbd.MirrorPeerSite{MirrorUUID: uuid, Direction: d}
	}
	rxtx := []*rbd.MirrorPeerSite{peer("b", rbd.MirrorPeerDirectionRxTx)}
	for _, c := range []struct {
		name  string
		peers []*rbd.MirrorPeerSite
		sites []rbd.SiteMirrorImageStatus
		want  rbd.MirrorImageStatusState
	}{
		{"no peers: the local status, up", nil, []rbd.SiteMirrorImageStatus{local(replaying, true), remote("b", errored, true)}, replaying},
		{"no peers: a down local status is unknown", nil, []rbd.SiteMirrorImageStatus{local(replaying, false)}, unknown},
		{"no status at all", rxtx, nil, unknown},
		{"both ways: the least of local and peer", rxtx, []rbd.SiteMirrorImageStatus{local(stopped, true), remote("b", replaying, true)}, replaying},
		{"both ways: a down peer is unknown", rxtx, []rbd.SiteMirrorImageStatus{local(stopped, true), remote("b", replaying, false)}, unknown},
		{"both ways: a peer's error wins, even down", rxtx, []rbd.SiteMirrorImageStatus{local(replaying, true), remote("b", errored, false)}, errored},
		{"both ways: the sending peer has no status", rxtx, []rbd.SiteMirrorImageStatus{local(replaying, true)}, unknown},
		{"send only: the peer's state, the local one ignored", []*rbd.MirrorPeerSite{peer("b", rbd.MirrorPeerDirectionTx)}, []rbd.SiteMirrorImageStatus{local(errored, true), remote("b", syncing, true)}, syncing},
		{"send and receive peers: both ways", []*rbd.MirrorPeerSite{peer("a", rbd.MirrorPeerDirectionRx), peer("b", rbd.MirrorPeerDirectionTx)}, []rbd.SiteMirrorImageStatus{local(syncing, true), remote("b", stopped, true)}, syncing},
		{"first peer sends, second receives: send only", []*rbd.MirrorPeerSite{peer("b", rbd.MirrorPeerDirectionTx), peer("a", rbd.MirrorPeerDirectionRx)}, []rbd.SiteMirrorImageStatus{local(syncing, true), remote("b", stopped, true)}, stopped},
		{"a status of an old peer still counts", rxtx, []rbd.SiteMirrorImageStatus{local(replaying, true), remote("b", replaying, true), remote("old", syncing, true)}, syncing},
	} {
		images := []clsImage{{id: "i", state: 1}, {id: "gone", state: clsMirrorDisabled}}
		got := summaryStates(images, map[string][]rbd.SiteMirrorImageStatus{"i": c.sites}, c.peers)
		// The disabled entry has no status: it counts, as unknown.
		want := map[rbd.MirrorImageStatusState]uint{unknown: 1}
		want[c.want]++
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: counts %v, want %v", c.name, got, want)
		}
	}
}
