package site

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/rbdtui/rbdtui/internal/release"
	"github.com/rbdtui/rbdtui/model"
)

func jsonMarshal(v any) ([]byte, error) { return json.Marshal(v) }

// Probe connects if needed and reads the site's health, fsid and rbd-mirror
// daemons. It never returns an error: an unreachable site is a status.
func (c *Conn) Probe(ctx context.Context) model.SiteStatus {
	start := time.Now()
	st := model.SiteStatus{Site: c.cfg.Name, Client: c.cfg.ClientName(), MirrorDaemons: -1, CheckedAt: start}
	conn, err := c.Rados(ctx)
	if err != nil {
		st.Err = err.Error()
		st.Health = model.HealthUnknown
		return st
	}
	if mon, err := conn.GetConfigOption("mon_host"); err == nil {
		st.MonAddr = mon
	}
	out, err := c.MonCommand(ctx, map[string]any{"prefix": "health"})
	if err != nil {
		st.Err = err.Error()
		st.Health = model.HealthUnknown
		return st
	}
	var h struct {
		Status string `json:"status"`
	}
	if err := json.Unmarshal(out, &h); err != nil {
		st.Err = "cannot parse health: " + err.Error()
		return st
	}
	st.Reachable = true
	st.Health = h.Status
	st.Latency = time.Since(start)
	st.LatencyMS = float64(st.Latency.Microseconds()) / 1000
	if fsid, err := Call(ctx, c, "get fsid", conn.GetFSID); err == nil {
		st.FSID = fsid
	}
	if r, err := c.Release(ctx); err == nil {
		st.Release = r.String()
		st.ReleaseWarning = release.Warning(r)
	}
	if n, err := c.MirrorDaemonCount(ctx); err == nil {
		st.MirrorDaemons = n
		if n > 0 {
			st.MirrorLeader = c.mirrorLeader(ctx)
		}
	}
	return st
}

// Release asks the site's monitors which Ceph release they run (the mon
// command "version", which every client with mon read caps may send).
func (c *Conn) Release(ctx context.Context) (release.Release, error) {
	out, err := c.MonCommand(ctx, map[string]any{"prefix": "version"})
	if err != nil {
		return release.Release{}, err
	}
	var v struct {
		Version string `json:"version"`
	}
	if err := json.Unmarshal(out, &v); err != nil {
		return release.Release{}, &Error{Site: c.cfg.Name, Op: "read the Ceph release", Err: err}
	}
	r, ok := release.Parse(v.Version)
	if !ok {
		return release.Release{}, &Error{Site: c.cfg.Name, Op: "read the Ceph release", Err: fmt.Errorf("unexpected version %q", v.Version)}
	}
	return r, nil
}

// mirrorLeader returns the service id of an rbd-mirror daemon that reports
// being leader for one of its pools ("" if none does).
func (c *Conn) mirrorLeader(ctx context.Context) string {
	out, err := c.MonCommand(ctx, map[string]any{"prefix": "service status"})
	if err != nil {
		return ""
	}
	var st map[string]map[string]struct {
		Status map[string]string `json:"status"`
	}
	if json.Unmarshal(out, &st) != nil {
		return ""
	}
	var ids []string
	for id, d := range st["rbd-mirror"] {
		var pools map[string]struct {
			Leader bool `json:"leader"`
		}
		if json.Unmarshal([]byte(d.Status["json"]), &pools) != nil {
			continue
		}
		for _, p := range pools {
			if p.Leader {
				ids = append(ids, id)
				break
			}
		}
	}
	sort.Strings(ids)
	return strings.Join(ids, ",")
}

// MirrorDaemonCount counts rbd-mirror daemons in the mon's service map. It
// needs the mon command "service dump", which a plain "profile rbd" user may
// not run.
func (c *Conn) MirrorDaemonCount(ctx context.Context) (int, error) {
	out, err := c.MonCommand(ctx, map[string]any{"prefix": "service dump"})
	if err != nil {
		return 0, err
	}
	var d struct {
		Services map[string]struct {
			Daemons map[string]json.RawMessage `json:"daemons"`
		} `json:"services"`
	}
	if err := json.Unmarshal(out, &d); err != nil {
		return 0, err
	}
	n := 0
	for k := range d.Services["rbd-mirror"].Daemons {
		if k != "summary" {
			n++
		}
	}
	return n, nil
}

// Pools lists the pools that carry the rbd application.
func (c *Conn) Pools(ctx context.Context) ([]model.Pool, error) {
	out, err := c.MonCommand(ctx, map[string]any{"prefix": "osd pool ls", "detail": "detail"})
	if err != nil {
		return nil, err
	}
	var pools []struct {
		Name string                     `json:"pool_name"`
		ID   int64                      `json:"pool_id"`
		Apps map[string]json.RawMessage `json:"application_metadata"`
	}
	if err := json.Unmarshal(out, &pools); err != nil {
		return nil, &Error{Site: c.cfg.Name, Op: "list pools", Err: errors.New("unexpected answer: " + err.Error())}
	}
	var res []model.Pool
	for _, p := range pools {
		if _, ok := p.Apps["rbd"]; !ok {
			continue
		}
		res = append(res, model.Pool{Site: c.cfg.Name, Name: p.Name, ID: p.ID})
	}
	sort.Slice(res, func(i, j int) bool { return res[i].Name < res[j].Name })
	return res, nil
}
