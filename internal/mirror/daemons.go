package mirror

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"

	"github.com/rbdtui/rbdtui/internal/site"
)

// Daemon is one rbd-mirror daemon as `rbd mirror pool status --verbose`
// lists it (same JSON field names).
type Daemon struct {
	ServiceID   string   `json:"service_id"`
	InstanceID  string   `json:"instance_id"`
	ClientID    string   `json:"client_id"`
	Hostname    string   `json:"hostname"`
	CephVersion string   `json:"ceph_version"`
	Leader      bool     `json:"leader"`
	Health      string   `json:"health"`
	Callouts    []string `json:"callouts,omitempty"`
}

// DaemonService names the daemon that replays an image ("daemon_service").
type DaemonService struct {
	ServiceID  string `json:"service_id"`
	InstanceID string `json:"instance_id"`
	DaemonID   string `json:"daemon_id"`
	Hostname   string `json:"hostname"`
}

// DaemonInfo is the rbd-mirror view of one pool on one site, from the mon's
// service map: the same two mon commands rbd sends (service dump, service
// status), so it needs no image open and no admin socket.
type DaemonInfo struct {
	Daemons []Daemon
	Health  string // OK, UNKNOWN, WARNING, ERROR with rbd's rules
	// Leader is the service id of the pool's leader, "" if none.
	Leader string
	// ByInstance maps a pool instance id to its daemon.
	ByInstance map[string]DaemonService
	// Counts the leader publishes for the pool.
	LocalCount, RemoteCount int
}

type serviceDump struct {
	Services map[string]struct {
		Daemons map[string]json.RawMessage `json:"daemons"`
	} `json:"services"`
}

type daemonEntry struct {
	Metadata map[string]string `json:"metadata"`
}

type poolStatus struct {
	Name       string `json:"name"`
	InstanceID string `json:"instance_id"`
	Leader     bool   `json:"leader"`
	Callouts   map[string]struct {
		Level string `json:"level"`
		Text  string `json:"text"`
	} `json:"callouts"`
	LocalCount  int `json:"image_local_count"`
	RemoteCount int `json:"image_remote_count"`
}

// Daemons reads the rbd-mirror daemons serving pool poolID on a site and
// rolls up their health as rbd does: ERROR if no daemon reports the pool,
// WARNING if none leads it, a daemon's own health is its worst callout or
// WARNING when it does not report status.
func Daemons(ctx context.Context, c *site.Conn, poolID int64) (*DaemonInfo, error) {
	dump, err := c.MonCommand(ctx, map[string]any{"prefix": "service dump"})
	if err != nil {
		return &DaemonInfo{Health: HealthUnknown}, fmt.Errorf("failed to query services: %w", err)
	}
	status, err := c.MonCommand(ctx, map[string]any{"prefix": "service status"})
	if err != nil {
		return &DaemonInfo{Health: HealthUnknown}, fmt.Errorf("failed to query services: %w", err)
	}
	var d serviceDump
	if err := json.Unmarshal(dump, &d); err != nil {
		return nil, fmt.Errorf("service dump: %w", err)
	}
	var st map[string]map[string]struct {
		Status map[string]string `json:"status"`
	}
	if err := json.Unmarshal(status, &st); err != nil {
		return nil, fmt.Errorf("service status: %w", err)
	}
	info := &DaemonInfo{Health: HealthUnknown, ByInstance: map[string]DaemonService{}}
	pid := strconv.FormatInt(poolID, 10)
	var ids []string
	for id := range d.Services["rbd-mirror"].Daemons {
		if id != "summary" {
			ids = append(ids, id)
		}
	}
	sort.Slice(ids, func(i, j int) bool { return numLess(ids[i], ids[j]) })
	if len(ids) > 0 {
		info.Health = HealthOK
	}
	anyPool, anyLeader := false, false
	for _, id := range ids {
		var e daemonEntry
		json.Unmarshal(d.Services["rbd-mirror"].Daemons[id], &e)
		dm := Daemon{ServiceID: id, ClientID: e.Metadata["id"], Hostname: e.Metadata["hostname"], CephVersion: e.Metadata["ceph_version_short"], Health: HealthOK}
		raw, reporting := st["rbd-mirror"][id].Status["json"]
		var pools map[string]poolStatus
		if reporting {
			if err := json.Unmarshal([]byte(raw), &pools); err != nil {
				reporting = false
			}
		}
		if !reporting {
			dm.Health = HealthWarning
			dm.Callouts = append(dm.Callouts, "not reporting status")
		} else if ps, ok := pools[pid]; !ok {
			dm.Health = HealthWarning
			dm.Callouts = append(dm.Callouts, "not reporting status for pool")
		} else {
			anyPool = true
			dm.InstanceID, dm.Leader = ps.InstanceID, ps.Leader
			if ps.Leader {
				anyLeader = true
				info.Leader = id
				info.LocalCount, info.RemoteCount = ps.LocalCount, ps.RemoteCount
			}
			var keys []string
			for k := range ps.Callouts {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				co := ps.Callouts[k]
				dm.Callouts = append(dm.Callouts, co.Text)
				switch co.Level {
				case "error":
					dm.Health = WorseHealth(dm.Health, HealthError)
				case "warning":
					dm.Health = WorseHealth(dm.Health, HealthWarning)
				}
			}
			info.ByInstance[ps.InstanceID] = DaemonService{ServiceID: id, InstanceID: ps.InstanceID, DaemonID: dm.ClientID, Hostname: dm.Hostname}
		}
		info.Health = WorseHealth(info.Health, dm.Health)
		info.Daemons = append(info.Daemons, dm)
	}
	if len(ids) > 0 {
		if !anyPool {
			info.Health = HealthError
		} else if !anyLeader {
			info.Health = WorseHealth(info.Health, HealthWarning)
		}
	}
	return info, nil
}

func numLess(a, b string) bool {
	x, e1 := strconv.ParseUint(a, 10, 64)
	y, e2 := strconv.ParseUint(b, 10, 64)
	if e1 == nil && e2 == nil {
		return x < y
	}
	return a < b
}
