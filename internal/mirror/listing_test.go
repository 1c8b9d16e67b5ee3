package mirror

import (
	"slices"
	"testing"

	"github.com/ceph/go-ceph/rbd"
	"github.com/rbdtui/rbdtui/model"
)

func TestPoolListingImages(t *testing.T) {
	up := func(uuid string, st rbd.MirrorImageStatusState, desc string) rbd.SiteMirrorImageStatus {
		return rbd.SiteMirrorImageStatus{MirrorUUID: uuid, State: st, Description: desc, Up: true}
	}
	l := &PoolListing{
		Statuses: map[string]rbd.GlobalMirrorImageStatus{
			"i1": {Name: "vol1", Info: rbd.MirrorImageInfo{GlobalID: "g1", State: rbd.MirrorImageEnabled}, SiteStatuses: []rbd.SiteMirrorImageStatus{
				up("", rbd.MirrorImageStatusStateReplaying, "local image is primary"),
				up("uuid-c", rbd.MirrorImageStatusStateReplaying, "replaying"),
				up("uuid-b", rbd.MirrorImageStatusStateSyncing, "bootstrapping")}},
			"i2": {Name: "vol2", Info: rbd.MirrorImageInfo{GlobalID: "g2", State: rbd.MirrorImageDisabling}},
			// mirrored, but no longer in the directory (removed meanwhile)
			"i9": {Name: "gone", Info: rbd.MirrorImageInfo{GlobalID: "g9", State: rbd.MirrorImageEnabled}},
		},
		Modes:    map[string]rbd.ImageMirrorMode{"i1": rbd.ImageMirrorModeSnapshot},
		Primary:  map[string]bool{"i1": true},
		Peers:    []*rbd.MirrorPeerSite{{MirrorUUID: "uuid-b", SiteName: "site-b"}, {MirrorUUID: "uuid-c", SiteName: "site-c"}},
		SiteName: "site-a",
		Names:    []string{"plain", "vol2", "vol1"},
		named:    true,
	}
	imgs := l.Images("site-a", "rbd")
	var names []string
	for _, img := range imgs {
		names = append(names, img.Name)
	}
	if !slices.Equal(names, []string{"plain", "vol1", "vol2"}) {
		t.Fatalf("names %v: want the directory's, sorted, without the image no longer in it", names)
	}
	plain, vol1, vol2 := imgs[0], imgs[1], imgs[2]
	if plain.MirrorState != model.MirrorDisabled || plain.Local != nil || plain.Site != "site-a" || plain.Pool != "rbd" {
		t.Errorf("plain: %+v, want an unmirrored image of site-a's rbd", plain)
	}
	if vol1.ID != "i1" || vol1.GlobalID != "g1" || !vol1.Primary || vol1.MirrorMode != model.ModeSnapshot || vol1.MirrorState != model.MirrorEnabled {
		t.Errorf("vol1: %+v, want i1/g1, primary, snapshot, enabled", vol1)
	}
	if vol1.Local == nil || vol1.Local.SiteName != "site-a" || vol1.Local.State != model.StateReplaying {
		t.Errorf("vol1 local status %+v, want site-a replaying", vol1.Local)
	}
	if len(vol1.Peers) != 2 || vol1.Peers[0].SiteName != "site-b" || vol1.Peers[1].SiteName != "site-c" || vol1.Peers[0].State != model.StateSyncing {
		t.Errorf("vol1 peers %+v, want site-b (syncing) then site-c, by name", vol1.Peers)
	}
	if vol2.MirrorState != model.MirrorDisabling || vol2.Health == "" || vol1.Class == "" {
		t.Errorf("vol2 %+v / vol1 class %q: want disabling, with health and class set", vol2, vol1.Class)
	}

	// Without the directory's names: the mirrored images only.
	l.named = false
	names = names[:0]
	for _, img := range l.Images("site-a", "rbd") {
		names = append(names, img.Name)
	}
	if !slices.Equal(names, []string{"gone", "vol1", "vol2"}) {
		t.Fatalf("names without the directory %v: want every mirrored image, sorted", names)
	}
}
