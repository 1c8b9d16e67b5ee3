package model

import "time"

// Site is one configured Ceph cluster, as the console knows it.
type Site struct {
	Name     string
	Conf     string // path of its ceph.conf
	Client   string // full client name, e.g. client.rbdtui
	Keyring  string // path of the keyring holding Client's key
	ReadOnly bool   // destructive actions are hidden for this site
}

// Health words as Ceph prints them, ordered from best to worst by HealthRank.
const (
	HealthOK      = "HEALTH_OK"
	HealthWarn    = "HEALTH_WARN"
	HealthErr     = "HEALTH_ERR"
	HealthUnknown = "UNKNOWN"
)

// SiteStatus is what one probe of a site found. A site that could not be
// reached has Reachable false and Err set to an operator-readable reason.
type SiteStatus struct {
	Site      string        `json:"name"`
	Reachable bool          `json:"reachable"`
	Err       string        `json:"error,omitempty"`
	FSID      string        `json:"fsid,omitempty"`
	Health    string        `json:"health,omitempty"`
	MonAddr   string        `json:"mon_host,omitempty"`
	Client    string        `json:"client,omitempty"`
	Latency   time.Duration `json:"-"`
	LatencyMS float64       `json:"latency_ms"`
	// MirrorDaemons counts rbd-mirror daemons in the service map; -1 when the
	// client is not allowed to read the map.
	MirrorDaemons int `json:"rbd_mirror_daemons"`
	// MirrorLeader names the rbd-mirror instance that leads (its service
	// map id, e.g. "4123"); "" when unknown.
	MirrorLeader string `json:"rbd_mirror_leader,omitempty"`
	// Release is the Ceph release the site's monitors run ("20.2.4
	// tentacle"); ReleaseWarning says why that (with the release rbdtui is
	// linked against) is outside the tested combinations, "" when it is not.
	Release        string    `json:"ceph_release,omitempty"`
	ReleaseWarning string    `json:"ceph_release_warning,omitempty"`
	CheckedAt      time.Time `json:"checked_at"`
}

// Pool is one RADOS pool of a site that carries the rbd application.
type Pool struct {
	Site       string `json:"site"`
	Name       string `json:"name"`
	ID         int64  `json:"id"`
	MirrorMode string `json:"mirror_mode"` // disabled, image or pool
	SiteName   string `json:"site_name,omitempty"`
	Peers      int    `json:"peers"`
	Images     int    `json:"images"`
}
