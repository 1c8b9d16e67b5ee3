package model

import (
	"context"
	"time"
)

// Group is an RBD consistency group of a pool on one site: its member images
// and the consistency points (group snapshots) taken of them together.
type Group struct {
	Site      string `json:"site"`
	Pool      string `json:"pool"`
	Namespace string `json:"namespace,omitempty"`
	Name      string `json:"name"`
	ID        string `json:"id"`
	// Members are the member images as pool/name specs.
	Members []string `json:"members"`
	// Mirroring of the group as a whole; MirrorState is "disabled" when
	// the group is not mirrored.
	MirrorMode  string            `json:"mirror_mode,omitempty"`
	MirrorState string            `json:"mirror_state"`
	Primary     bool              `json:"primary"`
	Local       *SiteImageStatus  `json:"local,omitempty"`
	Peers       []SiteImageStatus `json:"peer_sites,omitempty"`
	// ConsistencyPoints are the group snapshots, oldest first.
	ConsistencyPoints []GroupPoint `json:"consistency_points,omitempty"`
}

// Key is the group's stable identity within the console ("site/pool/@name";
// '@' cannot occur in an rbd name, so a group never collides with an image).
func (g Group) Key() string { return g.Site + "/" + g.Pool + "/@" + g.Name }

// GroupPoint is one group snapshot as the console lists it: a point at which every member was
// captured together.
type GroupPoint struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Timestamp time.Time `json:"timestamp"`
	// Complete is false while the snapshot is still being taken (or if
	// taking it failed half way).
	Complete bool `json:"complete"`
}

// Journal is what the journal of one journaled image holds: its header
// (layout and object sets) and its registered clients with their commit
// positions, from which the lag of each client follows.
type Journal struct {
	Site  string `json:"site"`
	Pool  string `json:"pool"`
	Image string `json:"image"`
	ID    string `json:"journal_id"`
	// Header.
	Order        uint8  `json:"order"`
	SplayWidth   uint8  `json:"splay_width"`
	ObjectPool   string `json:"object_pool,omitempty"`
	MinimumSet   uint64 `json:"minimum_set"`
	ActiveSet    uint64 `json:"active_set"`
	HeadPosition *Position
	Clients      []JournalClient `json:"clients"`
}

// Key is the journal's stable identity within the console.
func (j Journal) Key() string { return j.Site + "/" + j.Pool + "/" + j.Image + "#journal" }

// JournalClient is one client registered on a journal: the image itself
// (the local client, "") and each rbd-mirror peer that replays it.
type JournalClient struct {
	ID          string    `json:"id"`
	Description string    `json:"description,omitempty"`
	Connected   bool      `json:"connected"`
	Commit      *Position `json:"commit_position,omitempty"`
	// LagEntries is how many entries the client is behind the head; -1
	// when unknown.
	LagEntries int64 `json:"lag_entries"`
}

// GroupLister is implemented by a Backend that can list consistency groups.
// It is optional: the console checks for it with a type assertion and shows
// no groups for a backend without it.
type GroupLister interface {
	Groups(ctx context.Context, site, pool string) ([]Group, error)
}

// JournalInspector is implemented by a Backend that can read an image's
// journal header and clients. Optional, like GroupLister.
type JournalInspector interface {
	Journal(ctx context.Context, site string, spec ImageSpec) (Journal, error)
}
