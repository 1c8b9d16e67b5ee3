package cli

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/rbdtui/rbdtui/model"
)

// runSites probes every site in parallel, each bounded by its timeout, and
// fails (exit 1) when any site is unreachable, after printing them all.
func runSites(ctx context.Context, env *Env) error {
	m, err := env.Sites()
	if err != nil {
		return err
	}
	cfg := m.Config()
	res := make([]model.SiteStatus, len(cfg.Sites))
	var wg sync.WaitGroup
	for i, s := range cfg.Sites {
		c, err := m.Site(s.Name)
		if err != nil {
			return err
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			cctx, cancel := c.WithTimeout(ctx)
			defer cancel()
			res[i] = c.Probe(cctx)
		}()
	}
	wg.Wait()
	if env.Out.JSON() {
		if err := env.Out.Value(map[string]any{"sites": res}); err != nil {
			return err
		}
	} else {
		rows := [][]string{}
		for _, r := range res {
			reach := "yes"
			if !r.Reachable {
				reach = "NO"
			}
			daemons := fmt.Sprint(r.MirrorDaemons)
			if r.MirrorDaemons < 0 {
				daemons = "?"
			}
			lat := "-"
			if r.Reachable {
				lat = fmt.Sprintf("%.0fms", r.LatencyMS)
			}
			rel := r.Release
			if rel == "" {
				rel = "-"
			}
			rows = append(rows, []string{r.Site, reach, r.Health, rel, r.Client, daemons, lat, r.FSID})
		}
		if err := env.Out.Table([]string{"SITE", "REACHABLE", "HEALTH", "CEPH", "CLIENT", "RBD-MIRROR", "LATENCY", "FSID"}, rows); err != nil {
			return err
		}
		// A release outside the tested combinations is a warning, not a
		// failure: the site answered.
		for _, r := range res {
			if r.ReleaseWarning != "" {
				fmt.Fprintf(env.Stderr, "rbdtui: warning: %s: %s\n", printable(r.Site), printable(r.ReleaseWarning))
			}
		}
	}
	var bad []string
	for _, r := range res {
		if !r.Reachable {
			bad = append(bad, r.Err)
		}
	}
	if len(bad) > 0 {
		return fmt.Errorf("%s", strings.Join(bad, "\nrbdtui: "))
	}
	return nil
}
