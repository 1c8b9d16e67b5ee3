package model

import "testing"

func TestAttention(t *testing.T) {
	replaying := SiteImageStatus{SiteName: "site-b", Up: true, State: StateReplaying}
	stopped := SiteImageStatus{SiteName: "site-b", Up: true, State: StateStopped}
	split := SiteImageStatus{SiteName: "site-b", Up: true, State: StateError, SplitBrain: true}
	pct := 40
	for _, tc := range []struct {
		name string
		img  Image
		want string
	}{
		{"primary whose copy replays", Image{MirrorState: MirrorEnabled, Primary: true, Peers: []SiteImageStatus{replaying}}, ""},
		{"primary whose copy is split", Image{MirrorState: MirrorEnabled, Primary: true, Peers: []SiteImageStatus{split}}, "copy on site-b: split-brain"},
		{"copy replaying", Image{MirrorState: MirrorEnabled, Local: &replaying}, ""},
		{"copy stopped", Image{MirrorState: MirrorEnabled, Local: &stopped}, "not replaying: up+stopped"},
		{"copy syncing", Image{MirrorState: MirrorEnabled, Local: &SiteImageStatus{Up: true, State: StateSyncing, BootstrapPercent: &pct}}, "syncing 40%"},
		{"resync", Image{MirrorState: MirrorEnabled, Local: &SiteImageStatus{Up: true, State: StateSyncing, ResyncRequested: true}}, "resync requested"},
		{"daemon down", Image{MirrorState: MirrorEnabled, Local: &SiteImageStatus{State: StateReplaying}}, "rbd-mirror down (down+replaying)"},
		{"no status", Image{MirrorState: MirrorEnabled}, "no status from rbd-mirror"},
		{"not mirrored", Image{MirrorState: MirrorDisabled}, ""},
	} {
		if got := Attention(tc.img); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}
