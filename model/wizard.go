package model

import (
	"context"
	"strconv"
	"strings"
	"time"
)

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

// FailoverScopeReader is implemented by a Backend that can read, from the
// sites themselves, where a failover scope is primary now. The wizard uses
// it when it opens, when the scope changes and right before every dry run,
// so its default direction and its "nothing to do" never come from the
// console's cached listings. Optional, like FailoverPlanner.
type FailoverScopeReader interface {
	ReadFailoverScope(ctx context.Context, scope, target string) (FailoverScopeState, error)
}

// FailoverScopeState is where the mirrored images of a scope are primary,
// read from every site at At.
type FailoverScopeState struct {
	At    time.Time           `json:"at"`
	Sites []FailoverScopeSite `json:"sites"`
}

// FailoverScopeSite is one site's part of a FailoverScopeState.
type FailoverScopeSite struct {
	Site string `json:"site"`
	// Primary and NonPrimary count the scope's mirror-enabled images by
	// their role on this site.
	Primary    int    `json:"primary"`
	NonPrimary int    `json:"non_primary"`
	Err        string `json:"error,omitempty"` // why the site did not answer
}

// PrimarySite is the one site where every mirrored image of the scope is
// primary; "" when none is, when they are split between sites, or when a
// site where one may be primary did not answer.
func (s FailoverScopeState) PrimarySite() string {
	found := ""
	for _, st := range s.Sites {
		switch {
		case st.Err != "":
			return ""
		case st.Primary == 0:
		case st.NonPrimary > 0 || found != "":
			return ""
		default:
			found = st.Site
		}
	}
	return found
}

// Site is one site's part, and whether it is there.
func (s FailoverScopeState) Site(name string) (FailoverScopeSite, bool) {
	for _, st := range s.Sites {
		if st.Site == name {
			return st, true
		}
	}
	return FailoverScopeSite{}, false
}

// Noop reports whether a planned failover from -> to would change
// nothing: every mirrored image of the scope is already primary on to and
// none is primary on from (both sites answered).
func (s FailoverScopeState) Noop(from, to string) bool {
	f, fok := s.Site(from)
	t, tok := s.Site(to)
	return fok && tok && f.Err == "" && t.Err == "" && t.Primary > 0 && t.NonPrimary == 0 && f.Primary == 0
}

// Note is the state in words, per site: "site-a: primary · site-b:
// non-primary" for one image, counts for more.
func (s FailoverScopeState) Note(one bool) string {
	var parts []string
	for _, st := range s.Sites {
		var w string
		switch {
		case st.Err != "":
			w = "does not answer"
		case one && st.Primary == 1 && st.NonPrimary == 0:
			w = "primary"
		case one && st.NonPrimary == 1 && st.Primary == 0:
			w = "non-primary"
		case st.Primary == 0 && st.NonPrimary == 0:
			w = "not mirrored"
		default:
			var ws []string
			if st.Primary > 0 {
				ws = append(ws, strconv.Itoa(st.Primary)+" primary")
			}
			if st.NonPrimary > 0 {
				ws = append(ws, strconv.Itoa(st.NonPrimary)+" non-primary")
			}
			w = strings.Join(ws, ", ")
		}
		parts = append(parts, st.Site+": "+w)
	}
	return strings.Join(parts, " · ")
}
