package model

import "context"

// JournalBrowser is implemented by a Backend that can open an image's
// journal for the console's guided inspector. Optional, like
// JournalInspector: the console checks for it with a type assertion.
type JournalBrowser interface {
	// OpenJournal reads the journal's header and registered clients; it
	// reads no data object, so the first screen shows at once.
	OpenJournal(ctx context.Context, site string, spec ImageSpec) (JournalSession, error)
}

// JournalSession is one opened journal. Its methods may be called from
// any goroutine, one at a time.
type JournalSession interface {
	// Header is what OpenJournal read.
	Header() JournalHeader
	// Scan reads every retained data object, reporting progress after
	// each (objects done of total), and returns the structural findings,
	// an index of every stored entry and each client's lag. The index is
	// kept by the session for Entry.
	Scan(ctx context.Context, progress func(done, total int64)) (*JournalScan, error)
	// Entry decodes the i-th entry of the last Scan's index.
	Entry(ctx context.Context, i int) (JournalEntryDetail, error)
	// CheckImport reads and validates an export file without writing
	// anything: what `journal import` would append.
	CheckImport(ctx context.Context, path string) (ImportCheck, error)
}

// JournalHeader is a journal's geometry, object sets and clients.
type JournalHeader struct {
	Site  string `json:"site"`
	Pool  string `json:"pool"`
	Image string `json:"image"`
	// ID is the journal id (the image id); Spec names the journal as the
	// journal commands take it (pool/[namespace/]id).
	ID   string `json:"journal_id"`
	Spec string `json:"journal_spec"`

	Order      uint8  `json:"order"`
	ObjectSize uint64 `json:"object_size"`
	SplayWidth uint8  `json:"splay_width"`
	// DataPool is the pool holding the data objects; DataPoolSet says
	// whether the header names one (rbd's object_pool) rather than using
	// the header's own pool.
	DataPool    string `json:"data_pool"`
	DataPoolSet bool   `json:"data_pool_set"`
	MinimumSet  uint64 `json:"minimum_set"`
	ActiveSet   uint64 `json:"active_set"`
	NextTagTID  uint64 `json:"next_tag_tid"`
	// HeaderObject and ObjectPrefix are the RADOS names.
	HeaderObject string `json:"header_oid"`
	ObjectPrefix string `json:"object_oid_prefix"`
	Clients      []JournalClientInfo
	// Problems are header values that did not decode.
	Problems []string `json:"problems,omitempty"`
}

// JournalClientInfo is one registered client as the header records it.
type JournalClientInfo struct {
	ID string `json:"id"`
	// Description says what the client is (the image itself, an
	// rbd-mirror peer, a CLI tool).
	Description  string     `json:"description,omitempty"`
	Disconnected bool       `json:"disconnected"`
	Commit       []Position `json:"commit_position"`
}

// JournalScan is a full read of a journal.
type JournalScan struct {
	Objects int   `json:"objects"`
	Bytes   int64 `json:"bytes"`
	// Findings are the structural problems; none means a clean journal.
	Findings []JournalFinding `json:"findings"`
	// Entries are every stored entry: in replay order, then (when the
	// replay stops early, see Stopped) the ones it did not reach.
	Entries []JournalEntry `json:"entries"`
	// Stopped says why the replay stopped before the end, if it did.
	Stopped string `json:"stopped,omitempty"`
	// Types are the event types present, by name, in type-code order.
	Types []string `json:"types"`
	// Lags are the clients' lags, in the header's client order.
	Lags []JournalClientLag `json:"lags"`
}

// JournalFinding is one structural problem, located.
type JournalFinding struct {
	Severity string `json:"severity"` // error or warning
	Kind     string `json:"kind"`
	Object   string `json:"object,omitempty"`
	Offset   int    `json:"offset"`
	TagTID   uint64 `json:"tag_tid"`
	EntryTID uint64 `json:"entry_tid"`
	HasEntry bool   `json:"has_entry"`
	Client   string `json:"client,omitempty"`
	Message  string `json:"message"`
}

// JournalEntry is one entry of the index: small and free of pointers but
// the type name (a shared constant), so 100,000 of them are cheap.
type JournalEntry struct {
	// CommitTID numbers the entries in replay order from 1; 0 for an
	// entry the replay did not reach.
	CommitTID uint64 `json:"commit_tid"`
	Tag       uint64 `json:"tag_tid"`
	TID       uint64 `json:"entry_tid"`
	Object    uint64 `json:"object_number"`
	Offset    uint32 `json:"offset"`
	Size      uint32 `json:"size"`
	Type      string `json:"type"`
}

// JournalClientLag is how far a client is behind and what it holds back.
type JournalClientLag struct {
	ID         string `json:"id"`
	LagEntries int    `json:"lag_entries"`
	LagBytes   int64  `json:"lag_bytes"`
	// CommitSet is the oldest object set the client still needs.
	CommitSet uint64 `json:"commit_set"`
	// PinnedObjects and PinnedBytes are what trimming would free if this
	// client caught up (always 0 for a disconnected client, which
	// trimming ignores).
	PinnedObjects int   `json:"pinned_objects"`
	PinnedBytes   int64 `json:"pinned_bytes"`
}

// JournalEntryDetail is one entry decoded.
type JournalEntryDetail struct {
	Entry  JournalEntry `json:"entry"`
	Object string       `json:"object"`
	// TagOwner says whose tag the entry was written under (local,
	// orphan, remote <mirror uuid>), when the tag is still in the header.
	TagOwner string `json:"tag_owner,omitempty"`
	// Fields are the decoded event's fields in rbd's order.
	Fields []EventField `json:"fields"`
	// Err says why the payload did not decode (Fields then empty).
	Err string `json:"error,omitempty"`
}

// EventField is one decoded field, rendered.
type EventField struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// ImportCheck is what an export file holds, checked.
type ImportCheck struct {
	Path    string `json:"path"`
	Bytes   int64  `json:"bytes"`
	Entries int    `json:"entries"`
	// Tags are the tag ids the entries are written under.
	Tags []uint64 `json:"tags"`
	// JournalID is the id the file says it was exported from.
	JournalID string `json:"journal_id,omitempty"`
}
