package model

import "context"

// Backend is the one interface through which the console reaches the engines.
// The production implementation wraps internal/site and the engine packages;
// UI tests use fixtures. Every call honours ctx's deadline: a site that does
// not answer in time yields an error, never a hung screen.
type Backend interface {
	// Sites lists the configured sites in configuration order.
	Sites() []Site
	// SiteStatus probes one site: reachability, health, rbd-mirror daemons.
	SiteStatus(ctx context.Context, site string) (SiteStatus, error)
	// Pools lists the rbd pools of a site with their mirroring mode.
	Pools(ctx context.Context, site string) ([]Pool, error)
}
