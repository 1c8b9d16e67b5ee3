package cli_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/rbdtui/rbdtui/internal/cli"
	"github.com/rbdtui/rbdtui/internal/lab"
	"github.com/rbdtui/rbdtui/internal/labtest"
	"github.com/rbdtui/rbdtui/internal/site"
)

// TestFailoverNamespacesDefaultsAndNoOp: failover honours pool/ns/image
// exactly (it used to drop the namespace and fail over the default
// namespace's image of the same name), refuses a missing namespace or image
// before any change, defaults --from/--to from the current primary, and a
// failover to the site already primary says so, exits 0 and is never
// reported complete.
func TestFailoverNamespacesDefaultsAndNoOp(t *testing.T) {
	st := labtest.Require(t)
	a, b := st.Site(lab.SiteA), st.Site(lab.SiteB)
	cfg := st.ConfigPath()
	ns, name := uniq("fons"), uniq("nsfo")
	for _, s := range []*lab.SiteState{a, b} {
		mustRBD(t, s, "namespace", "create", "rbd/"+ns)
		mustRBD(t, s, "mirror", "pool", "enable", "rbd/"+ns, "image")
	}
	plain, inNS := "rbd/"+name, "rbd/"+ns+"/"+name
	t.Cleanup(func() {
		for _, spec := range []string{plain, inNS} {
			for _, s := range []*lab.SiteState{a, b} {
				rbdCLI(t, s, lab.AdminClient, "mirror", "image", "disable", "--force", spec)
				rbdCLI(t, s, lab.AdminClient, "rm", "--no-progress", spec)
			}
		}
		for _, s := range []*lab.SiteState{a, b} {
			rbdCLI(t, s, lab.AdminClient, "mirror", "pool", "disable", "rbd/"+ns)
			rbdCLI(t, s, lab.AdminClient, "namespace", "remove", "rbd/"+ns)
		}
	})
	newMirrored(t, st, "rbd", name, "journal")
	newMirrored(t, st, "rbd/"+ns, name, "journal")
	primaryOn := func(s *lab.SiteState, spec string) bool {
		return strings.Contains(mustRBD(t, s, "info", spec, "--format", "json"), `"primary":true`)
	}

	// Refused before any change: a namespace missing on the sites, an
	// image missing in the namespace.
	for _, c := range []struct{ args, want []string }{
		{[]string{"failover", "--to", "site-b", "--image", "rbd/" + ns + "-missing/" + name}, []string{"namespace rbd/" + ns + "-missing does not exist"}},
		{[]string{"failover", "--to", "site-b", "--image", "rbd/" + ns + "/no-such"}, []string{"rbd/" + ns + "/no-such does not exist"}},
	} {
		code, _, errOut := run(t, append(append([]string{"--config", cfg}, c.args...), "--yes")...)
		if code != cli.ExitUsage {
			t.Errorf("rbdtui %s: exit %d, want %d (%s)", strings.Join(c.args, " "), code, cli.ExitUsage, errOut)
		}
		for _, w := range c.want {
			if !strings.Contains(errOut, w) {
				t.Errorf("rbdtui %s: error %q lacks %q", strings.Join(c.args, " "), errOut, w)
			}
		}
	}

	// A no-op says so, exits 0 and is never called complete.
	code, out, errOut := run(t, "--config", cfg, "failover", "--to", "site-a", "--image", inNS, "--yes")
	if code != 0 || !strings.Contains(out, inNS+" is already primary on site-a: nothing to do") || strings.Contains(out+errOut, "complete") {
		t.Errorf("failover to the current primary: exit %d\n%s%s", code, out, errOut)
	}
	// The console learns it from the result, not from the words.
	m := site.NewManager(labtest.Config(t, st))
	defer m.Close()
	res, err := cli.New("test").Exec(context.Background(), m, []string{"failover", "--to", "site-a", "--image", inNS, "--yes"}, nil)
	if err != nil || res.NoOp != inNS+" is already primary on site-a: nothing to do" {
		t.Errorf("the console's run of the no-op: NoOp %q, err %v, output %q", res.NoOp, err, res.Output)
	}

	// No --from, no --to: from the current primary (site-a) to site-b, of
	// exactly the namespaced image.
	out = cmdOK(t, "--config", cfg, "failover", "--image", inNS, "--dry-run")
	if !strings.Contains(out, "site-a -> site-b") || !strings.Contains(out, "rbd/"+ns) {
		t.Errorf("default plan should go site-a -> site-b in rbd/%s: %s", ns, out)
	}
	start := time.Now()
	out = cmdOK(t, "--config", cfg, "failover", "--image", inNS)
	t.Logf("failover of %s: %s", inNS, time.Since(start).Round(100*time.Millisecond))
	if !strings.Contains(out, "Failover of "+inNS+" to site-b complete") {
		t.Errorf("failover output: %s", out)
	}
	if !primaryOn(b, inNS) || primaryOn(a, inNS) {
		t.Errorf("%s should be primary on site-b only", inNS)
	}
	if !primaryOn(a, plain) || primaryOn(b, plain) {
		t.Errorf("%s (default namespace) was touched: it must stay primary on site-a only", plain)
	}
	// The default now goes back: site-b -> site-a.
	out = cmdOK(t, "--config", cfg, "failover", "--image", inNS, "--dry-run")
	if !strings.Contains(out, "site-b -> site-a") {
		t.Errorf("default plan after the failover should go site-b -> site-a: %s", out)
	}
}
