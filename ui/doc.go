// Package ui is rbdtui's interactive console: a bubbletea program that shows
// the configured Ceph sites with their health, a tree of their pools, images,
// consistency groups and journals, a detail pane for the node under the
// cursor, and a command log of everything the console ran.
//
// The console reaches Ceph only through model.Backend (and, when the backend
// offers them, the optional model.GroupLister and model.JournalInspector).
// Every call runs in a tea.Cmd under a deadline and comes back as a typed
// message that names what it is about and the request that asked for it
// (a refresh generation, or a per-node sequence number), so Update never
// blocks and a late answer cannot overwrite a newer one.
//
// Actions (promote, resync, journaling, pool mode, groups, journals) and
// the ":" palette both run commands of the shared grammar
// (internal/grammar, declared in internal/commands) through Backend.Exec:
// an action is an argv, checked against the grammar before it runs, and an
// action whose command this build lacks is disabled with that reason. One
// KeyMap drives key dispatch, the hint line, the actions menu and the help
// overlay; read-only mode removes every cluster action from all of them.
// One Styles value, derived from a theme, reaches every component through
// Common.
package ui
