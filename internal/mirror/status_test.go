package mirror

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/ceph/go-ceph/rbd"
	"github.com/rbdtui/rbdtui/model"
)

// Descriptions as real rbd-mirror daemons (16.2.15) wrote them in the lab.
func TestParseStatus(t *testing.T) {
	journal := `replaying, {"bytes_per_second":1024.5,"entries_behind_primary":3,"entries_per_second":2.0,"non_primary_position":{"entry_tid":1,"object_number":3,"tag_tid":1},"primary_position":{"entry_tid":3,"object_number":3,"tag_tid":1},"seconds_until_synced":2}`
	s := model.SiteImageStatus{State: model.StateReplaying, Up: true, Description: journal}
	ParseStatus(&s)
	r := s.Replay
	if r == nil || *r.EntriesBehindPrimary != 3 || *r.BytesPerSecond != 1024.5 || *r.EntriesPerSecond != 2 || *r.SecondsUntilSynced != 2 {
		t.Fatalf("journal replay: %+v", r)
	}
	if r.PrimaryPosition == nil || r.PrimaryPosition.EntryTID != 3 || r.NonPrimaryPosition == nil || r.NonPrimaryPosition.EntryTID != 1 {
		t.Fatalf("positions: %+v %+v", r.PrimaryPosition, r.NonPrimaryPosition)
	}
	empty := `replaying, {"bytes_per_second":0.0,"entries_behind_primary":3,"entries_per_second":0.0,"non_primary_position":{},"primary_position":{"entry_tid":3,"object_number":3,"tag_tid":1}}`
	s = model.SiteImageStatus{Description: empty}
	ParseStatus(&s)
	if s.Replay.NonPrimaryPosition != nil {
		t.Errorf("an empty non_primary_position means nothing replayed yet: %+v", s.Replay.NonPrimaryPosition)
	}
	snap := `replaying, {"bytes_per_second":0.0,"bytes_per_snapshot":0.0,"last_snapshot_bytes":4096,"last_snapshot_sync_seconds":1,"local_snapshot_timestamp":1795610441,"remote_snapshot_timestamp":1795610500,"replay_state":"syncing","syncing_percent":42,"syncing_snapshot_timestamp":1795610500}`
	s = model.SiteImageStatus{Description: snap}
	ParseStatus(&s)
	r = s.Replay
	if r.ReplayState != "syncing" || *r.SyncingPercent != 42 || *r.LocalSnapshotTimestamp != 1795610441 || *r.RemoteSnapshotTimestamp != 1795610500 || *r.LastSnapshotBytes != 4096 || r.EntriesBehindPrimary != nil {
		t.Fatalf("snapshot replay: %+v", r)
	}
	cases := []struct {
		desc                                   string
		boot                                   int
		split, resync, disconnected, hasReplay bool
	}{
		{desc: "bootstrapping, IMAGE_COPY/COPY_OBJECT 45%", boot: 45},
		{desc: "bootstrapping, OPEN_LOCAL_IMAGE", boot: 0},
		{desc: "split-brain detected", split: true, boot: -1},
		{desc: "split-brain", split: true, boot: -1},
		{desc: "resync requested", resync: true, boot: -1},
		{desc: "disconnected", disconnected: true, boot: -1},
		{desc: "disconnected: automatic resync", disconnected: true, boot: -1},
		{desc: "local image is primary", boot: -1},
		{desc: "replaying, {not json", boot: -1},
	}
	for _, c := range cases {
		s := model.SiteImageStatus{Description: c.desc}
		ParseStatus(&s)
		if c.boot >= 0 && (s.BootstrapPercent == nil || *s.BootstrapPercent != c.boot) || c.boot < 0 && s.BootstrapPercent != nil {
			t.Errorf("%q: bootstrap %v", c.desc, s.BootstrapPercent)
		}
		if s.SplitBrain != c.split || s.ResyncRequested != c.resync || s.Disconnected != c.disconnected || (s.Replay != nil) != c.hasReplay {
			t.Errorf("%q: %+v", c.desc, s)
		}
	}
}

func TestClassify(t *testing.T) {
	st := func(state, desc string) *model.SiteImageStatus {
		s := &model.SiteImageStatus{State: state, Up: true, Description: desc}
		ParseStatus(s)
		return s
	}
	cases := []struct {
		img  model.Image
		want model.Class
		h    string
	}{
		{model.Image{MirrorState: model.MirrorDisabled}, model.ClassDisabled, HealthOK},
		{model.Image{MirrorState: model.MirrorEnabled, Primary: true, Local: st(model.StateStopped, "local image is primary")}, model.ClassPrimary, HealthOK},
		{model.Image{MirrorState: model.MirrorEnabled, Local: st(model.StateReplaying, `replaying, {"entries_behind_primary":0}`)}, model.ClassConsistent, HealthOK},
		{model.Image{MirrorState: model.MirrorEnabled, Local: st(model.StateStopped, "stopped")}, model.ClassConsistent, HealthOK},
		{model.Image{MirrorState: model.MirrorEnabled, Local: st(model.StateSyncing, "bootstrapping, IMAGE_COPY/COPY_OBJECT 10%")}, model.ClassInconsistent, HealthWarning},
		{model.Image{MirrorState: model.MirrorEnabled, Local: st(model.StateError, "split-brain detected")}, model.ClassInconsistent, HealthError},
		{model.Image{MirrorState: model.MirrorEnabled, Local: st(model.StateStopped, "resync requested")}, model.ClassInconsistent, HealthOK},
		{model.Image{MirrorState: model.MirrorEnabled, Local: st(model.StateStopped, "disconnected")}, model.ClassInconsistent, HealthOK},
		{model.Image{MirrorState: model.MirrorEnabled, Local: st(model.StateUnknown, "remote image is not primary")}, model.ClassUnknown, HealthWarning},
		{model.Image{MirrorState: model.MirrorEnabled}, model.ClassUnknown, HealthWarning},
	}
	for i, c := range cases {
		if got := Classify(&c.img); got != c.want {
			t.Errorf("%d: class %q, want %q", i, got, c.want)
		}
		if got := ImageHealth(&c.img); got != c.h {
			t.Errorf("%d: health %q, want %q", i, got, c.h)
		}
	}
	if WorseHealth(HealthOK, HealthUnknown) != HealthUnknown || WorseHealth(HealthError, HealthWarning) != HealthError {
		t.Error("health order is OK < UNKNOWN < WARNING < ERROR")
	}
}

func TestScheduleLevelNames(t *testing.T) {
	cases := map[string]ScheduleLevel{
		"":          {Pool: "-", Namespace: "-", Image: "-"},
		"rbd/":      {Pool: "rbd", Namespace: "-", Image: "-"},
		"rbd/img":   {Pool: "rbd", Namespace: "", Image: "img"},
		"rbd/ns/":   {Pool: "rbd", Namespace: "ns", Image: "-"},
		"rbd/ns/im": {Pool: "rbd", Namespace: "ns", Image: "im"},
	}
	for in, want := range cases {
		if got := parseLevelName(in); got.Pool != want.Pool || got.Namespace != want.Namespace || got.Image != want.Image {
			t.Errorf("%q: %+v, want %+v", in, got, want)
		}
	}
	for _, bad := range []string{"", "15", "1w", "m", "-1h"} {
		if CheckInterval(bad) == nil {
			t.Errorf("interval %q accepted", bad)
		}
	}
	for _, good := range []string{"15m", "1h", "2d"} {
		if err := CheckInterval(good); err != nil {
			t.Errorf("interval %q: %v", good, err)
		}
	}
}

// rbd lists every receiving peer site in an image's status, as
// down+unknown "status not found" until rbd-mirror publishes one, and
// leaves out statuses of mirror uuids that are not receiving peers.
func TestToImageStatusListsEveryPeer(t *testing.T) {
	t0 := time.Unix(1796587689, 0)
	local := model.SiteImageStatus{SiteName: "site-a", Up: true, State: model.StateStopped, Description: "local image is primary", LastUpdate: t0}
	img := model.Image{Name: "vol1", GlobalID: "g1", Local: &local}
	peers := []*rbd.MirrorPeerSite{
		{UUID: "p1", SiteName: "site-b", MirrorUUID: "uuid-b", Direction: rbd.MirrorPeerDirectionRxTx},
		{UUID: "p2", SiteName: "site-c", MirrorUUID: "uuid-c", Direction: rbd.MirrorPeerDirectionRxTx},
		{UUID: "p3", SiteName: "site-d", MirrorUUID: "", Direction: rbd.MirrorPeerDirectionRxTx},
	}
	// No peer status yet: both peers with a mirror uuid are listed.
	is := ToImageStatus(img, nil, "", peers)
	if is.State != "up+stopped" || len(is.PeerSites) != 2 {
		t.Fatalf("status with no peer statuses: %+v", is)
	}
	for i, want := range []string{"site-b", "site-c"} {
		p := is.PeerSites[i]
		if p.SiteName != want || p.State != "down+unknown" || p.Description != "status not found" || p.LastUpdate != "" || p.MirrorUUIDs+p.MirrorUUID != "uuid-"+want[5:] {
			t.Errorf("peer %d: %+v, want %s down+unknown, status not found, no last update", i, p, want)
		}
	}
	// site-c has published; a status from a mirror uuid no peer has is left out.
	img.Peers = []model.SiteImageStatus{
		{SiteName: "site-c", MirrorUUID: "uuid-c", Up: true, State: model.StateReplaying, Description: "replaying", LastUpdate: t0},
		{SiteName: "old", MirrorUUID: "uuid-gone", Up: true, State: model.StateReplaying, LastUpdate: t0},
	}
	is = ToImageStatus(img, nil, "", peers)
	if len(is.PeerSites) != 2 || is.PeerSites[0].SiteName != "site-c" || is.PeerSites[0].State != "up+replaying" ||
		is.PeerSites[1].SiteName != "site-b" || is.PeerSites[1].State != "down+unknown" {
		t.Fatalf("known statuses first, then the missing peer: %+v", is.PeerSites)
	}
	// Transmit-only peers receive nothing: no peer entries, and no local status.
	tx := []*rbd.MirrorPeerSite{{UUID: "p1", SiteName: "site-b", MirrorUUID: "uuid-b", Direction: rbd.MirrorPeerDirectionTx}}
	is = ToImageStatus(img, nil, "", tx)
	if len(is.PeerSites) != 0 || is.State != "down+unknown" || is.Description != "status not found" {
		t.Fatalf("transmit-only peers: %+v", is)
	}
	// Peers that could not be read: the statuses are kept as read.
	is = ToImageStatus(img, nil, "", nil)
	if len(is.PeerSites) != 2 || is.State != "up+stopped" {
		t.Fatalf("unknown peers: %+v", is)
	}
}

// PoolStatus.WriteJSON, which streams a verbose status image by image, is
// byte for byte json.Marshal of the same value.
func TestPoolStatusWriteJSONIsMarshal(t *testing.T) {
	hostile := "a<b>&c\u2028\x1b[31m\"quoted\"\\"
	imgs := []ImageStatus{
		{Name: hostile, GlobalID: "g1", State: "up+stopped", Description: "local image is primary", LastUpdate: "2026-12-06 20:12:32",
			DaemonService: &DaemonService{ServiceID: "4137", InstanceID: "8265", DaemonID: "site-a", Hostname: "vm"},
			PeerSites:     []PeerStatus{{SiteName: "site-b", MirrorUUIDs: "u", State: "down+unknown", Description: "status not found"}}},
		{Name: "vol2", GlobalID: "g2", State: "down+unknown", Description: "status not found"},
	}
	empty := []ImageStatus{}
	cases := map[string]*PoolStatus{
		"summary only": {Summary: PoolSummaryJSON{Health: "OK", DaemonHealth: "OK", ImageHealth: "OK", States: map[string]int{}}},
		"no images":    {Summary: PoolSummaryJSON{Health: "WARNING", States: map[string]int{"unknown": 2}}, Images: &empty},
		"verbose": {Summary: PoolSummaryJSON{Health: "OK", States: map[string]int{"replaying": 1, "stopped": 1}},
			Daemons: []Daemon{{ServiceID: "4137", ClientID: hostile, Leader: true, Health: "OK"}}, Images: &imgs},
	}
	for name, st := range cases {
		want, err := json.Marshal(st)
		if err != nil {
			t.Fatal(err)
		}
		var got bytes.Buffer
		if err := st.WriteJSON(&got); err != nil {
			t.Fatal(err)
		}
		if got.String() != string(want) {
			t.Errorf("%s:\n got %s\nwant %s", name, got.String(), want)
		}
	}
}
