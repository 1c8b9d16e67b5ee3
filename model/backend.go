package model

import (
	"context"
	"time"
)

// Backend is the one interface through which the console reaches the engines.
// The production implementation (internal/backend) wraps internal/site and
// the engine packages; UI tests use fixtures (ui/uitest). Every call honours
// ctx's deadline: a site that does not answer in time yields an error, never
// a hung screen.
type Backend interface {
	// Sites lists the configured sites in configuration order.
	Sites() []Site
	// SiteStatus probes one site: reachability, health, rbd-mirror daemons.
	SiteStatus(ctx context.Context, site string) (SiteStatus, error)
	// Pools lists the rbd pools of a site with their mirroring mode.
	Pools(ctx context.Context, site string) ([]Pool, error)
	// Images lists a pool's images with their mirroring status, from batched
	// pool-wide calls (no image is opened), so it stays fast with thousands.
	Images(ctx context.Context, site, pool string) ([]Image, error)
	// ImageDetail opens one image: size, features, journal, watchers,
	// snapshots, group.
	ImageDetail(ctx context.Context, site string, spec ImageSpec) (ImageDetail, error)
	// Exec runs one command of the shared grammar (internal/commands), the
	// same code the CLI runs, as typed in the palette or produced by a key
	// action. argv carries no program name; "--site" picks the site. Long
	// commands report progress through progress (which may be nil).
	Exec(ctx context.Context, argv []string, progress func(Progress)) (ExecResult, error)
}

// ExecResult is the outcome of Backend.Exec.
type ExecResult struct {
	// Output is the command's plain-text output.
	Output string
	// RBD is the equivalent rbd command line(s), for the command log.
	RBD      string
	Duration time.Duration
	// NoOp is set when the command changed nothing, with the reason
	// ("rbd/vol1 is already primary on site-b: nothing to do"): it is
	// neither done nor failed.
	NoOp string
}

// Progress is one event of a long-running action (failover, resync wait,
// journal scan, export).
type Progress struct {
	Step    string        `json:"step"`
	Object  string        `json:"object,omitempty"` // image, member or journal object
	Site    string        `json:"site,omitempty"`
	State   string        `json:"state,omitempty"`
	Done    int64         `json:"done,omitempty"`
	Total   int64         `json:"total,omitempty"`
	Elapsed time.Duration `json:"elapsed"`
	Message string        `json:"message,omitempty"`
	Err     string        `json:"error,omitempty"`
}
