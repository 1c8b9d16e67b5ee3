package cli

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"unicode"

	"github.com/ceph/go-ceph/rados"
	"github.com/ceph/go-ceph/rbd"

	"github.com/rbdtui/rbdtui/internal/release"
	"github.com/rbdtui/rbdtui/model"
)

func cephVersion() string {
	ra, rb, rc := rados.Version()
	ba, bb, bc := rbd.Version()
	return fmt.Sprintf("built against %s: librados %d.%d.%d, librbd %d.%d.%d", release.LinkedString(), ra, rb, rc, ba, bb, bc)
}

// runVersion prints rbdtui's version, the Ceph release it was built against
// and, when a configuration is at hand, the release each site runs, with a
// warning for a combination outside the tested ones. A site that cannot be
// reached says why; the version itself is still printed and the exit is 0.
func runVersion(ctx context.Context, env *Env, version string) error {
	fmt.Fprintf(env.Stdout, "rbdtui %s (%s)\n", version, cephVersion())
	m, err := env.Sites()
	if err != nil {
		return nil // no configuration: nothing connected to report
	}
	sites := m.Config().Sites
	res := make([]model.SiteStatus, len(sites))
	var wg sync.WaitGroup
	for i, s := range sites {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := m.Site(s.Name)
			if err != nil {
				res[i] = model.SiteStatus{Site: s.Name, Err: err.Error()}
				return
			}
			cctx, cancel := c.WithTimeout(ctx)
			defer cancel()
			res[i] = c.Probe(cctx)
		}()
	}
	wg.Wait()
	for _, r := range res {
		fmt.Fprintln(env.Stdout, siteReleaseLine(r))
	}
	return nil
}

// siteReleaseLine is one site in `rbdtui version`: its release, or why it is
// not known, and the release warning if any.
func siteReleaseLine(r model.SiteStatus) string {
	name := printable(r.Site)
	switch {
	case r.Release != "" && r.ReleaseWarning != "":
		return fmt.Sprintf("%s: Ceph %s (warning: %s)", name, printable(r.Release), printable(r.ReleaseWarning))
	case r.Release != "":
		return fmt.Sprintf("%s: Ceph %s", name, printable(r.Release))
	case r.Err != "":
		return fmt.Sprintf("%s: release unknown: %s", name, printable(r.Err))
	}
	return name + ": release unknown"
}

// printable quotes a string from a cluster or the configuration that holds
// a control character (git's core.quotePath habit), so that it cannot
// drive the terminal. (The lead may fold it into the project's one
// terminal-safe function for plain output.)
func printable(s string) string {
	for _, r := range s {
		if unicode.IsControl(r) {
			return strconv.Quote(s)
		}
	}
	return s
}
