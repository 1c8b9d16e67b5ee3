package model

import "time"

// GroupImage is one member of an rbd group as `rbd group image ls` prints it.
// State 0 is attached, 1 incomplete (an add or remove that did not finish).
type GroupImage struct {
	Image     string `json:"image"`
	Pool      string `json:"pool"`
	Namespace string `json:"namespace"`
	State     int    `json:"state"`
}

// GroupSnap is one group snapshot as `rbd group snap ls` prints it.
type GroupSnap struct {
	Snapshot string `json:"snapshot"`
	State    string `json:"state"` // ok or incomplete
}

// GroupJournal is the journal layout a consistency group gives its members.
// Zero fields mean "the cluster's default".
type GroupJournal struct {
	ObjectPool string            `json:"object_pool,omitempty"`
	SplayWidth int               `json:"splay_width,omitempty"`
	Order      int               `json:"order,omitempty"` // objects are 2^order bytes
	Options    map[string]string `json:"options,omitempty"`
}

// MemberSite is one member's state on one site.
type MemberSite struct {
	Site        string `json:"site"`
	Exists      bool   `json:"exists"`
	MirrorState string `json:"mirror_state,omitempty"`
	MirrorMode  string `json:"mirror_mode,omitempty"`
	Primary     bool   `json:"primary"`
	// State is the local rbd-mirror status ("up+replaying") and its
	// description; EntriesBehind is parsed from a journal replay status.
	State         string `json:"state,omitempty"`
	Description   string `json:"description,omitempty"`
	EntriesBehind *int64 `json:"entries_behind_primary,omitempty"`
	// Points are the consistency points (group snapshots) this copy holds.
	Points []string `json:"consistency_points,omitempty"`
	Err    string   `json:"error,omitempty"`
}

// GroupMember is one image of a consistency group, on every site.
type GroupMember struct {
	Image   string            `json:"image"` // pool/[ns/]name
	Journal map[string]string `json:"journal_settings,omitempty"`
	Sites   []MemberSite      `json:"sites"`
}

// ConsistencyPoint is one group snapshot: a crash-consistent moment of every
// member. Key is what the member snapshots share on every site
// (".group.<pool>_<group id>_<snap id>" without the prefix).
type ConsistencyPoint struct {
	Name    string    `json:"name,omitempty"` // the group snapshot's name, where the group is known
	Key     string    `json:"key"`
	Time    time.Time `json:"timestamp"`
	Members int       `json:"members"` // members holding it on the site
	State   string    `json:"state,omitempty"`
}

// GroupSiteStatus is a consistency group as seen on one site.
type GroupSiteStatus struct {
	Site      string `json:"site"`
	Reachable bool   `json:"reachable"`
	Role      string `json:"role"` // primary, secondary, mixed, absent
	// Recovery is the newest consistency point every member of this site
	// holds, and its age: the point a forced failover here rolls back to.
	Recovery *ConsistencyPoint `json:"recovery_point,omitempty"`
	Age      time.Duration     `json:"-"`
	AgeSecs  float64           `json:"recovery_point_age_seconds,omitempty"`
	Err      string            `json:"error,omitempty"`
}

// GroupInfo is `consistency-group info`/`status`: members, settings, the
// mirroring state of every member on every site, and consistency points.
type GroupInfo struct {
	Group   string             `json:"group"` // pool/[ns/]name
	Site    string             `json:"site"`
	Journal GroupJournal       `json:"journal"`
	Members []GroupMember      `json:"members"`
	Points  []ConsistencyPoint `json:"consistency_points"`
	Sites   []GroupSiteStatus  `json:"sites"`
	// Warnings name what needs the operator: split-brain, members missing.
	Warnings []string `json:"warnings,omitempty"`
}

// MemberRollback is what a forced group failover discards on one member.
type MemberRollback struct {
	Image    string        `json:"image"`
	Snapshot string        `json:"snapshot"` // member snapshot name
	SnapID   uint64        `json:"snap_id"`
	Time     time.Time     `json:"snapshot_timestamp"`
	Age      time.Duration `json:"-"`
	AgeSecs  float64       `json:"age_seconds"`
	// NewerPoints are consistency points this member holds that are not on
	// every member (they are dropped too).
	NewerPoints int `json:"newer_points"`
	// ChangedBytes is data written after the point (what rollback rewrites);
	// -1 when not computed.
	ChangedBytes int64 `json:"changed_bytes"`
	// EntriesBeyond counts the journal entries (writes, flushes and
	// operations) the member replayed after the point, the point's own
	// snapshot entries not counted: what the rollback undoes. -1 when it
	// cannot be counted; EntriesBeyondUnknown then says why.
	EntriesBeyond        int64  `json:"entries_beyond"`
	EntriesBeyondUnknown string `json:"entries_beyond_unknown,omitempty"`
	// PointPosition is the point's snapshot in the old primary's journal,
	// as recorded when it was taken; ReplayedPosition is the last entry of
	// that journal the target committed (rbd-mirror's
	// non_primary_position). Nil when not known.
	PointPosition    *Position `json:"point_position,omitempty"`
	ReplayedPosition *Position `json:"replayed_position,omitempty"`
}

// GroupFailoverPlan is what a group failover will do, shown before it runs.
type GroupFailoverPlan struct {
	Group    string            `json:"group"`
	From     string            `json:"from"`
	To       string            `json:"to"`
	Forced   bool              `json:"forced"`
	Members  []string          `json:"members"`
	Steps    []string          `json:"steps"`
	Point    *ConsistencyPoint `json:"rollback_point,omitempty"`
	Rollback []MemberRollback  `json:"rollback,omitempty"`
	Warnings []string          `json:"warnings,omitempty"`
}
