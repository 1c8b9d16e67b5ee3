package cgroup

import (
	"context"
	"encoding/json"
	"fmt"
	"syscall"
	"time"

	"github.com/ceph/go-ceph/rbd"
	"github.com/rbdtui/rbdtui/internal/site"
	"github.com/rbdtui/rbdtui/model"
)

// Record is what rbdtui keeps about a consistency group beside the rbd
// group: its journal settings, and its members, which a forced failover
// needs on a site where the group itself does not exist (rbd groups are not
// mirrored). It lives in the pool's metadata (rbd pool metadata, the
// rbd_info object) on every site, under recordKey.
type Record struct {
	Journal model.GroupJournal `json:"journal"`
	Members []string           `json:"members"` // pool/[ns/]image
	// Points name the consistency points checkpoint took, by key, with the
	// time they were taken on the primary: a replayed member snapshot is
	// stamped with the time it was replayed, and carries no group name.
	Points map[string]PointMeta `json:"points,omitempty"`
}

// PointMeta is what the primary knew of a consistency point.
type PointMeta struct {
	Name string    `json:"name"`
	Time time.Time `json:"time"`
	// Journal is where each member's share of the point sits in that
	// member's journal on the primary, by member (pool/[ns/]image): what
	// a forced failover compares with how far the target has replayed to
	// count the entries the rollback discards. Records written before
	// rbdtui kept positions have none.
	Journal map[string]PointPosition `json:"journal,omitempty"`
}

// PointPosition is a member snapshot's place in the primary's journal:
// its SnapCreate entry and the OpFinish that completed it (both belong to
// the point). MirrorUUID is the primary pool's mirror uuid: positions
// count in that journal only, and a secondary's replay status names
// positions of the journal it replays from.
type PointPosition struct {
	MirrorUUID     string  `json:"mirror_uuid"`
	ObjectNumber   uint64  `json:"object_number"`
	TagTID         uint64  `json:"tag_tid"`
	EntryTID       uint64  `json:"entry_tid"`
	FinishEntryTID *uint64 `json:"finish_entry_tid,omitempty"`
}

func recordKey(group string) string { return "rbdtui.cgroup." + group }

// loadRecord reads a group's record on one site; a missing record is an
// empty one and found is false.
func loadRecord(ctx context.Context, c *site.Conn, spec Spec) (rec Record, found bool, err error) {
	io, err := c.IOContextNS(ctx, spec.Pool, spec.Namespace)
	if err != nil {
		return rec, false, err
	}
	raw, err := site.Call(ctx, c, "read the record of group "+spec.String(), func() (string, error) {
		v, err := rbd.GetPoolMetadata(io, recordKey(spec.Group))
		if site.IsErrno(err, syscall.ENOENT) {
			return "", nil
		}
		return v, err
	})
	if err != nil || raw == "" {
		return rec, false, err
	}
	if err := json.Unmarshal([]byte(raw), &rec); err != nil {
		return rec, false, fmt.Errorf("site %s: the record of group %s (pool metadata %s) is damaged: %v; recreate it with `rbdtui consistency-group create`", c.Name(), spec, recordKey(spec.Group), err)
	}
	return rec, true, nil
}

func storeRecord(ctx context.Context, c *site.Conn, spec Spec, rec Record) error {
	io, err := c.IOContextNS(ctx, spec.Pool, spec.Namespace)
	if err != nil {
		return err
	}
	data, _ := json.Marshal(rec)
	return call(ctx, c, "store the record of group "+spec.String(), func() error {
		return rbd.SetPoolMetadata(io, recordKey(spec.Group), string(data))
	})
}

func dropRecord(ctx context.Context, c *site.Conn, spec Spec) error {
	io, err := c.IOContextNS(ctx, spec.Pool, spec.Namespace)
	if err != nil {
		return err
	}
	return call(ctx, c, "remove the record of group "+spec.String(), func() error {
		err := rbd.RemovePoolMetadata(io, recordKey(spec.Group))
		if site.IsErrno(err, syscall.ENOENT) {
			return nil
		}
		return err
	})
}

// everySite applies fn to the acting site, which must succeed, then to every
// other configured site, where a failure becomes a warning: a peer that is
// down must not block work on the primary, but the operator should know that
// its copy of the record is stale.
func everySite(ctx context.Context, m *site.Manager, c *site.Conn, what string, fn func(*site.Conn) error) ([]string, error) {
	if err := fn(c); err != nil {
		return nil, err
	}
	var warn []string
	for _, s := range m.Config().Sites {
		if s.Name == c.Name() {
			continue
		}
		p, err := m.Site(s.Name)
		if err == nil {
			err = fn(p)
		}
		if err != nil {
			warn = append(warn, fmt.Sprintf("site %s: could not %s: %v (run the command again when the site answers; a forced failover to %s relies on it)", s.Name, what, err, s.Name))
		}
	}
	return warn, nil
}
