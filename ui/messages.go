package ui

import (
	"github.com/rbdtui/rbdtui/model"
)

// Backend answers come back to Update as these messages. Each names the site
// it is about and the refresh generation that asked for it: Update drops an
// answer whose generation is not the current one, so a slow reply from an
// abandoned refresh can never overwrite fresher data.

// SiteStatusMsg carries the answer to Backend.SiteStatus for one site.
type SiteStatusMsg struct {
	Site   string
	Gen    uint64
	Status model.SiteStatus
	Err    error
}

// PoolsMsg carries the answer to Backend.Pools for one site.
type PoolsMsg struct {
	Site  string
	Gen   uint64
	Pools []model.Pool
	Err   error
}

// refreshTickMsg starts a periodic refresh. id must equal App.tickID: every
// completed refresh rotates the id, so at most one tick chain is ever live.
type refreshTickMsg struct{ id uint64 }

// clockTickMsg redraws the screen so data ages stay current even when
// auto-refresh is off.
type clockTickMsg struct{}

// clearFlashMsg clears the flash line if it still shows message id.
type clearFlashMsg struct{ id uint64 }
