package model

import (
	"context"
	"strconv"
	"time"
)

// WatchScope names what a live watch covers: a whole pool, the members of
// a consistency group, or some images. Exactly one of the three is set.
type WatchScope struct {
	Pool   string   // a pool, on every site
	Group  string   // "pool/group": its members, resolved when polled
	Images []string // "pool/image" specs
}

// String is how the scope reads in a title: "rbd", "group rbd/app",
// "3 images".
func (s WatchScope) String() string {
	switch {
	case s.Group != "":
		return "group " + s.Group
	case len(s.Images) == 1:
		return s.Images[0]
	case len(s.Images) > 1:
		return strconv.Itoa(len(s.Images)) + " images"
	}
	return s.Pool
}

// MirrorWatcher is implemented by a Backend that can watch mirroring live. It is
// optional, like GroupLister: the console checks for it with a type
// assertion. Watch does no I/O; the session's first Poll does.
type MirrorWatcher interface {
	Watch(scope WatchScope) (WatchSession, error)
}

// WatchSession polls one scope on every site. It keeps the history of
// earlier polls (lag trends, the last known state of a site that stopped
// answering) and the transitions between them. Poll is not called
// concurrently with itself; Close ends the session.
type WatchSession interface {
	// Poll refreshes every site in parallel. A site that does not answer
	// is reported in its WatchSite (Err, DownSince) with its rows' last
	// known values marked Stale; Poll itself fails only when nothing can
	// be polled at all (a group that does not exist, for instance).
	Poll(ctx context.Context) (WatchFrame, error)
	Close() error
}

// WatchFocus is a WatchSession that can be told which rows are on screen
// (WatchRow.Image specs): in a scope too large to read every image on
// every poll, those are still read from the images themselves.
type WatchFocus interface {
	Focus(images []string)
}

// WatchFrame is one poll of a scope on every site.
type WatchFrame struct {
	At    time.Time     `json:"at"`
	Took  time.Duration `json:"-"`
	Sites []WatchSite   `json:"sites"`
	// Rows has one row per image, sorted by Image; each row has one cell
	// per site, in the order of Sites.
	Rows []WatchRow `json:"rows"`
	// Events are the transitions seen since the previous poll, oldest
	// first.
	Events []WatchEvent `json:"events,omitempty"`
}

// WatchSite is one site's part of a frame.
type WatchSite struct {
	Site string `json:"site"`
	// Err is why the site did not answer this poll ("" when it did).
	Err string `json:"error,omitempty"`
	// DownSince is when the site first failed to answer, zero while it
	// answers.
	DownSince time.Time `json:"down_since,omitempty"`
	// DataAt is when the data shown for the site was read (the last good
	// poll, for a site that is down).
	DataAt time.Time `json:"data_at,omitempty"`
	// Leader is the service id of the rbd-mirror daemon leading the
	// pool(s) on this site ("" when none or unknown); Daemons counts the
	// rbd-mirror daemons serving them (-1 when unknown).
	Leader  string `json:"leader,omitempty"`
	Daemons int    `json:"daemons"`
}

// Up reports whether the site answered the poll.
func (s WatchSite) Up() bool { return s.Err == "" }

// WatchRow is one image on every site.
type WatchRow struct {
	Image string      `json:"image"` // pool/name
	Mode  string      `json:"mode,omitempty"`
	Cells []WatchCell `json:"sites"`
}

// WatchCell is one image on one site.
type WatchCell struct {
	// Present is false when the site has no such image (or never said).
	Present bool `json:"present"`
	// Stale marks values from an earlier poll: the site did not answer.
	Stale       bool   `json:"stale,omitempty"`
	MirrorState string `json:"mirror_state,omitempty"`
	Primary     bool   `json:"primary"`
	// Status is the site's own rbd-mirror status of the image.
	Status *SiteImageStatus `json:"status,omitempty"`
	// Lag is the replay lag: entries behind the primary (journal) or
	// seconds between the newest remote and local snapshot (snapshot);
	// nil when the status does not say.
	Lag *int64 `json:"lag,omitempty"`
	// SyncPercent is a snapshot sync's or a bootstrap's progress.
	SyncPercent *float64 `json:"sync_percent,omitempty"`
	// BytesPerSec and ETA come from the status when rbd-mirror publishes
	// them, else from successive polls.
	BytesPerSec *float64       `json:"bytes_per_second,omitempty"`
	ETA         *time.Duration `json:"-"`
	// History is the lag at each recent poll, oldest first, for trends.
	History []int64 `json:"history,omitempty"`
	// LagLive says Lag was read at LagAt from the primary's journal
	// header (the writer's and the peer's commit positions), not taken
	// from rbd-mirror's status; ReportedLag is then what the status says,
	// as of Status.LastUpdate, for comparison.
	LagLive     bool      `json:"lag_live,omitempty"`
	LagAt       time.Time `json:"lag_at,omitempty"`
	ReportedLag *int64    `json:"reported_lag,omitempty"`
	// EntriesPerSec is the replay rate from successive live reads.
	EntriesPerSec *float64 `json:"entries_per_second,omitempty"`
	// LagBytes is a live journal lag in journal bytes; LagBytesEstimated
	// says it is estimated from the entries behind and their mean size
	// (they reach back past what the journal's active objects were read
	// for), not counted.
	LagBytes          *int64 `json:"lag_bytes,omitempty"`
	LagBytesEstimated bool   `json:"lag_bytes_estimated,omitempty"`
}

// Event kinds of the watch timeline.
const (
	EventState      = "state"
	EventPromoted   = "promoted"
	EventDemoted    = "demoted"
	EventSplitBrain = "split-brain"
	EventResync     = "resync"
	EventLeader     = "leader"
	EventSiteDown   = "site-down"
	EventSiteUp     = "site-up"
	EventMirroring  = "mirroring"
)

// WatchEvent is one transition a watch saw between two polls.
type WatchEvent struct {
	At     time.Time `json:"at"`
	Site   string    `json:"site"`
	Image  string    `json:"image,omitempty"` // pool/name; "" for site events
	Kind   string    `json:"kind"`
	From   string    `json:"from,omitempty"`
	To     string    `json:"to,omitempty"`
	Detail string    `json:"detail,omitempty"`
}

// WatchCellOf is one site's image as a watch cell: state, primary-ness,
// its own rbd-mirror status, the replay lag the status reports (a
// snapshot-mode lag is never negative), sync progress, throughput and time
// to synced (published, or entries behind over entries per second). It is
// the one computation of a cell: the backend's watch and the UI fixtures
// both call it. History and live figures are the caller's to add.
func WatchCellOf(img Image, stale bool) WatchCell {
	c := WatchCell{Present: true, Stale: stale, MirrorState: img.MirrorState, Primary: img.Primary}
	if img.Local == nil {
		return c
	}
	st := *img.Local
	c.Status = &st
	if r := st.Replay; r != nil {
		switch {
		case r.EntriesBehindPrimary != nil:
			c.Lag = r.EntriesBehindPrimary
		case r.RemoteSnapshotTimestamp != nil && r.LocalSnapshotTimestamp != nil:
			lag := max(*r.RemoteSnapshotTimestamp-*r.LocalSnapshotTimestamp, 0)
			c.Lag = &lag
		}
		c.SyncPercent, c.BytesPerSec = r.SyncingPercent, r.BytesPerSecond
		if r.SecondsUntilSynced != nil {
			d := time.Duration(*r.SecondsUntilSynced * float64(time.Second))
			c.ETA = &d
		} else if r.EntriesBehindPrimary != nil && r.EntriesPerSecond != nil && *r.EntriesPerSecond > 0 {
			d := time.Duration(float64(*r.EntriesBehindPrimary) / *r.EntriesPerSecond * float64(time.Second))
			c.ETA = &d
		}
	}
	if st.BootstrapPercent != nil && c.SyncPercent == nil {
		pct := float64(*st.BootstrapPercent)
		c.SyncPercent = &pct
	}
	return c
}

// Attention says why an image needs an operator's attention, "" when it
// does not. It is the console's one triage rule (the tree's filter and
// counts, the watch): a copy that is not replaying (stopped, starting,
// syncing, unknown, no status), an error, a split-brain, a resync in
// progress, an rbd-mirror that is down; a primary is healthy when its
// peers' copies replay, and needs attention for the first peer that does
// not. Images not mirrored need none.
func Attention(img Image) string {
	switch {
	case img.MirrorState == MirrorDisabling:
		return "mirroring is being disabled"
	case img.MirrorState != MirrorEnabled:
		return ""
	case img.Primary:
		for _, p := range img.Peers {
			if why := copyAttention(p); why != "" {
				return "copy on " + p.SiteName + ": " + why
			}
		}
		return ""
	case img.Local == nil:
		return "no status from rbd-mirror"
	}
	return copyAttention(*img.Local)
}

func copyAttention(s SiteImageStatus) string {
	switch {
	case s.SplitBrain:
		return "split-brain"
	case s.ResyncRequested:
		return "resync requested"
	case s.BootstrapPercent != nil:
		return "syncing " + strconv.Itoa(*s.BootstrapPercent) + "%"
	case !s.Up:
		return "rbd-mirror down (" + s.FullState() + ")"
	case s.State == StateError:
		return "error: " + s.Description
	case s.State == StateReplaying:
		return ""
	}
	return "not replaying: " + s.FullState()
}
