package cli_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/rbdtui/rbdtui/internal/lab"
	"github.com/rbdtui/rbdtui/internal/labtest"
	"github.com/rbdtui/rbdtui/internal/termsafe"
)

// TestHostileNamesInPlainOutput creates images and a group whose names
// hold escape sequences (Ceph accepts any byte but '/' and '@'), with the
// real rbd CLI on the lab, and runs every plain command that prints them:
// no raw control byte may reach stdout or stderr, and each name must be
// shown visibly (\e, \r, \x07). JSON output must keep the names exactly.
func TestHostileNamesInPlainOutput(t *testing.T) {
	st := labtest.Require(t)
	a := st.Site(lab.SiteA)
	cfg := st.ConfigPath()
	sfx := fmt.Sprint(time.Now().UnixNano() % 1e6)
	names := []string{"title\x1b]0;PWNED\a" + sfx, "evil\x1b[2J\x1b[31m" + sfx, "cr\rOVERWRITTEN" + sfx, "up\x1b[1A\x1b[2K" + sfx}
	group := "grp\x1b]0;PWNED\a" + sfx
	t.Cleanup(func() {
		for _, n := range names {
			_, _ = rbdCLI(t, a, lab.AdminClient, "group", "image", "rm", lab.Pool+"/"+group, lab.Pool+"/"+n)
			_, _ = rbdCLI(t, a, lab.AdminClient, "mirror", "image", "disable", "--force", lab.Pool+"/"+n)
			_, _ = rbdCLI(t, a, lab.AdminClient, "rm", "--no-progress", lab.Pool+"/"+n)
		}
		_, _ = rbdCLI(t, a, lab.AdminClient, "group", "rm", lab.Pool+"/"+group)
	})
	mustRBD(t, a, "group", "create", lab.Pool+"/"+group)
	for _, n := range names {
		spec := lab.Pool + "/" + n
		mustRBD(t, a, "create", "--size", "4M", "--image-feature", "layering,exclusive-lock,journaling", spec)
		mustRBD(t, a, "mirror", "image", "enable", spec, "journal")
		mustRBD(t, a, "group", "image", "add", lab.Pool+"/"+group, spec)
	}
	g := lab.Pool + "/" + group
	cmds := [][]string{
		{"mirror", "pool", "status", "rbd", "--verbose"},
		{"consistency-group", "ls", "rbd"},
		{"consistency-group", "info", g},
		{"consistency-group", "status", g},
		{"group", "image", "ls", g},
		{"group", "snap", "ls", g},
		{"consistency-group", "info", g + "x"}, // unknown: the error lists the pool's groups
		{"failover", "--to", "site-b", "--pool", "rbd", "--dry-run"},
		{"failover", "--to", "site-b", "--group", g, "--dry-run"},
		{"journal", "info", "--pool", "rbd", "--image", names[0]},
		{"journal", "status", "--pool", "rbd", "--image", names[1]},
		{"mirror", "image", "enable", "rbd/" + names[3] + "x"}, // unknown image: the error names it
	}
	for _, n := range names {
		cmds = append(cmds, []string{"mirror", "image", "status", "rbd/" + n}, []string{"status", "rbd/" + n},
			[]string{"--site", "site-b", "mirror", "image", "status", "rbd/" + n})
	}
	shown := map[string]bool{}
	for _, c := range cmds {
		_, out, errOut := run(t, append([]string{"--config", cfg}, c...)...)
		for what, b := range map[string]string{"stdout": out, "stderr": errOut} {
			if i := termsafe.Raw([]byte(b), false); i != -1 {
				t.Errorf("rbdtui %q: raw control byte %q on %s at %d: %q", c, b[i], what, i, b)
			}
			for _, n := range append([]string{group}, names...) {
				if strings.Contains(b, termsafe.Text(n)) {
					shown[n] = true
				}
			}
		}
	}
	for _, n := range append([]string{group}, names...) {
		if !shown[n] {
			t.Errorf("%q was never shown (as %q)", n, termsafe.Text(n))
		}
	}
	// JSON keeps the exact names (encoding/json escapes the control bytes).
	_, out, _ := run(t, "--config", cfg, "mirror", "pool", "status", "rbd", "--verbose", "--format", "json")
	if i := termsafe.Raw([]byte(out), false); i != -1 || !strings.Contains(out, `title\u001b]0;PWNED\u0007`+sfx) {
		t.Errorf("JSON: raw byte at %d or name not escaped as JSON: %.300q", i, out)
	}
	// lab load prints the images it wrote to.
	_, out, errOut := run(t, "--config", cfg, "lab", "load", "--dir", st.Dir, "--ops", "8", "--images", "1", "--duration", "10s")
	if i := termsafe.Raw([]byte(out+errOut), false); i != -1 {
		t.Errorf("lab load: raw control byte at %d: %q", i, out+errOut)
	}
}
