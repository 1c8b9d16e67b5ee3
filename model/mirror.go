package model

import "time"

// Image mirroring modes and states as rbd prints them.
const (
	ModeJournal  = "journal"
	ModeSnapshot = "snapshot"

	MirrorEnabled   = "enabled"
	MirrorDisabled  = "disabled"
	MirrorDisabling = "disabling"
)

// Status states reported by rbd-mirror (the part after "up+"/"down+").
const (
	StateUnknown        = "unknown"
	StateError          = "error"
	StateSyncing        = "syncing"
	StateStartingReplay = "starting_replay"
	StateReplaying      = "replaying"
	StateStoppingReplay = "stopping_replay"
	StateStopped        = "stopped"
)

// Class is the proposal's own classification of a mirrored copy: which copy
// can be trusted at a glance.
type Class string

// The classes.
const (
	ClassPrimary      Class = "primary"
	ClassConsistent   Class = "secondary (consistent)"
	ClassInconsistent Class = "secondary (inconsistent)"
	ClassDisabled     Class = "not mirrored"
	ClassUnknown      Class = "unknown"
)

// Position is a journal position (object number, tag tid, entry tid).
type Position struct {
	ObjectNumber uint64 `json:"object_number"`
	TagTID       uint64 `json:"tag_tid"`
	EntryTID     uint64 `json:"entry_tid"`
}

// Replay is the parsed JSON part of a replaying description. Journal and
// snapshot mode fill different fields; a field Ceph did not send stays nil.
type Replay struct {
	// Journal mode.
	EntriesBehindPrimary *int64    `json:"entries_behind_primary,omitempty"`
	EntriesPerSecond     *float64  `json:"entries_per_second,omitempty"`
	PrimaryPosition      *Position `json:"primary_position,omitempty"`
	NonPrimaryPosition   *Position `json:"non_primary_position,omitempty"`
	// Both modes.
	BytesPerSecond     *float64 `json:"bytes_per_second,omitempty"`
	SecondsUntilSynced *float64 `json:"seconds_until_synced,omitempty"`
	// Snapshot mode.
	ReplayState              string   `json:"replay_state,omitempty"`
	RemoteSnapshotTimestamp  *int64   `json:"remote_snapshot_timestamp,omitempty"`
	LocalSnapshotTimestamp   *int64   `json:"local_snapshot_timestamp,omitempty"`
	SyncingSnapshotTimestamp *int64   `json:"syncing_snapshot_timestamp,omitempty"`
	SyncingPercent           *float64 `json:"syncing_percent,omitempty"`
	BytesPerSnapshot         *float64 `json:"bytes_per_snapshot,omitempty"`
	LastSnapshotSyncSeconds  *float64 `json:"last_snapshot_sync_seconds,omitempty"`
	LastSnapshotBytes        *float64 `json:"last_snapshot_bytes,omitempty"`
}

// SiteImageStatus is one site's view of an image's mirroring, as the
// rbd-mirror daemon of that site published it.
type SiteImageStatus struct {
	// SiteName is the mirror site name ("site-b"), or the rbdtui site when
	// the status is the local one.
	SiteName    string    `json:"site_name"`
	MirrorUUID  string    `json:"mirror_uuid,omitempty"`
	Up          bool      `json:"up"`
	State       string    `json:"state"` // replaying, stopped, ...
	Description string    `json:"description"`
	LastUpdate  time.Time `json:"last_update"`
	// Parsed description.
	Replay *Replay `json:"replay,omitempty"`
	// BootstrapPercent is set while an initial sync or resync copies data.
	BootstrapPercent *int `json:"bootstrap_percent,omitempty"`
	SplitBrain       bool `json:"split_brain,omitempty"`
	ResyncRequested  bool `json:"resync_requested,omitempty"`
	Disconnected     bool `json:"disconnected,omitempty"`
}

// FullState is "up+replaying" as rbd prints it.
func (s SiteImageStatus) FullState() string {
	if s.State == "" {
		return ""
	}
	if s.Up {
		return "up+" + s.State
	}
	return "down+" + s.State
}

// Image is one RBD image of a pool on one site, with its mirroring status as
// the pool-wide batched listings report it (no image is opened for this).
type Image struct {
	Site      string `json:"site"`
	Pool      string `json:"pool"`
	Namespace string `json:"namespace,omitempty"`
	Name      string `json:"name"`
	ID        string `json:"id"`
	// Mirroring; MirrorState is "disabled" for an image that is not mirrored.
	MirrorMode  string `json:"mirror_mode,omitempty"`
	MirrorState string `json:"mirror_state"`
	GlobalID    string `json:"global_id,omitempty"`
	Primary     bool   `json:"primary"`
	// Local is the status published by this site's daemon; Peers are the
	// statuses other sites published into this site's pool.
	Local  *SiteImageStatus  `json:"local,omitempty"`
	Peers  []SiteImageStatus `json:"peer_sites,omitempty"`
	Class  Class             `json:"class"`
	Health string            `json:"health"` // OK, WARNING, ERROR, UNKNOWN
}

// Key is the image's stable identity within the console ("site/pool/name").
func (i Image) Key() string { return i.Site + "/" + i.Pool + "/" + i.Name }

// Watcher is a client watching an image's header.
type Watcher struct {
	Address string `json:"address"`
	Client  uint64 `json:"client"`
	Cookie  uint64 `json:"cookie"`
}

// ImageDetail is what opening an image adds to Image.
type ImageDetail struct {
	Image
	Size        uint64            `json:"size"`
	ObjectSize  uint64            `json:"object_size"`
	Features    []string          `json:"features"`
	Journal     *JournalSettings  `json:"journal,omitempty"`
	Watchers    []Watcher         `json:"watchers"`
	Group       string            `json:"group,omitempty"`
	Snapshots   []Snapshot        `json:"snapshots,omitempty"`
	Metadata    map[string]string `json:"metadata,omitempty"`
	CreateTime  time.Time         `json:"create_timestamp"`
	ModifyTime  time.Time         `json:"modify_timestamp"`
	Description string            `json:"-"`
}

// JournalSettings are an image's journal layout.
type JournalSettings struct {
	ID         string `json:"journal_id"`
	Order      uint8  `json:"order"`
	SplayWidth uint8  `json:"splay_width"`
	Pool       string `json:"object_pool,omitempty"`
}

// Snapshot is an image snapshot; Namespace is user, group, trash or mirror.
type Snapshot struct {
	ID        uint64    `json:"id"`
	Name      string    `json:"name"`
	Namespace string    `json:"namespace"`
	Size      uint64    `json:"size"`
	Timestamp time.Time `json:"timestamp"`
}
