package model

import "context"

// Failover scopes: what a failover moves.
const (
	FailoverImage = "image" // one image, "pool/image"
	FailoverPool  = "pool"  // every mirrored image of a pool
	FailoverGroup = "group" // every member of a consistency group, "pool/group"
)

// FailoverRequest names a failover: what moves, from which site to which,
// planned or forced. It is the typed form of `failover --image|--pool|--group
// ... --from ... --to ... [--force]`.
type FailoverRequest struct {
	Scope  string `json:"scope"`  // FailoverImage, FailoverPool or FailoverGroup
	Target string `json:"target"` // "pool/image", "pool" or "pool/group"
	From   string `json:"from"`   // the current primary
	To     string `json:"to"`     // the site that becomes primary
	Force  bool   `json:"force"`  // From is lost: promote without demoting
}

// FailoverImagePlan is what a failover of images will do to one image, and
// what a forced one risks on it.
type FailoverImagePlan struct {
	Name string `json:"name"`
	Mode string `json:"mode"`
	// Phase: demote, promote, done (already failed over), force-promote,
	// or refuse.
	Phase string `json:"phase"`
	// Lag is the last known replication lag of the copy on To, in words:
	// what a forced failover loses.
	Lag            string  `json:"lag"`
	EntriesBehind  *int64  `json:"entries_behind_primary,omitempty"`
	SnapshotAgeSec *int64  `json:"snapshot_age_seconds,omitempty"`
	StatusAgeSec   float64 `json:"status_age_seconds"`
	// Problem is why the run would refuse this image ("" when it can go).
	Problem string `json:"problem,omitempty"`
}

// FailoverPlan is the engine's dry run of a FailoverRequest: the steps,
// the images (image and pool scope) or the group plan (group scope), and
// the problems that make a run refuse. It changes nothing.
type FailoverPlan struct {
	Request FailoverRequest `json:"request"`
	Kind    string          `json:"kind"` // planned or forced
	Steps   []string        `json:"steps"`
	// Images is set for image and pool scope.
	Images []FailoverImagePlan `json:"images,omitempty"`
	// FromReachable is false when From did not answer (forced only).
	FromReachable bool   `json:"from_reachable"`
	FromError     string `json:"from_error,omitempty"`
	// Group is set for group scope: members, and for a forced failover
	// the consistency point and what each member discards.
	Group *GroupFailoverPlan `json:"group,omitempty"`
	// Problems are why a run would refuse; empty when it can run.
	Problems []string `json:"problems,omitempty"`
}

// FailoverPlanner is implemented by a Backend that can plan a failover
// without running it (the engine's dry run). It is optional: the console
// checks for it with a type assertion; the run itself always goes through
// Backend.Exec as a `failover` command of the grammar.
type FailoverPlanner interface {
	// PlanFailover returns the plan, or an error saying why no plan can be
	// made (a site that does not answer for a planned failover, a scope
	// with nothing mirrored, From equal to To).
	PlanFailover(ctx context.Context, req FailoverRequest) (FailoverPlan, error)
}
