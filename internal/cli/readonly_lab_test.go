package cli_test

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/rbdtui/rbdtui/internal/cli"
	"github.com/rbdtui/rbdtui/internal/commands"
	"github.com/rbdtui/rbdtui/internal/config"
	"github.com/rbdtui/rbdtui/internal/lab"
	"github.com/rbdtui/rbdtui/internal/labtest"
	"github.com/rbdtui/rbdtui/internal/site"
)

var volatile = regexp.MustCompile(`"snapshot_count":\d+,|"(access|modify)_timestamp":"[^"]*",?`)

// labState is what a changing command could change on both lab sites,
// read with the real rbd and ceph CLIs as admin.
func labState(t *testing.T, st *lab.State) string {
	t.Helper()
	var b strings.Builder
	for _, name := range []string{lab.SiteA, lab.SiteB} {
		s := st.Site(name)
		for _, args := range [][]string{
			{"mirror", "pool", "info", "rbd", "--all", "--format", "json"},
			{"ls", "rbd", "--format", "json"}, // (ls -l shows locks, which rbd-mirror takes and drops by itself)
			{"group", "ls", "rbd"},
			{"mirror", "snapshot", "schedule", "ls", "-R", "--format", "json"},
		} {
			out, err := rbdCLI(t, s, lab.AdminClient, args...)
			b.WriteString(name + " " + strings.Join(args, " ") + ": " + out)
			if err != nil {
				b.WriteString(err.Error())
			}
		}
		if name == lab.SiteA {
			out, _ := rbdCLI(t, s, lab.AdminClient, "snap", "ls", "--all", "rbd/ro-probe", "--format", "json")
			var snaps []struct{ Name string }
			_ = json.Unmarshal([]byte(out), &snaps)
			// The journal's clients and the image's own position (the
			// peer's position moves as rbd-mirror replays).
			out, _ = rbdCLI(t, s, lab.AdminClient, "journal", "status", "--pool", "rbd", "--image", "ro-probe", "--format", "json")
			var js struct {
				Clients []struct {
					ID     string          `json:"id"`
					State  string          `json:"state"`
					Commit json.RawMessage `json:"commit_position"`
				} `json:"registered_clients"`
			}
			_ = json.Unmarshal([]byte(out), &js)
			for _, c := range js.Clients {
				b.WriteString("journal client " + c.ID + " " + c.State)
				if c.ID == "" {
					b.Write(c.Commit)
				}
				b.WriteString("\n")
			}
			for _, sn := range snaps {
				if !strings.HasPrefix(sn.Name, ".rbd-mirror.") { // rbd-mirror's own sync point comes and goes
					b.WriteString("snapshot " + sn.Name + "\n")
				}
			}
			for _, args := range [][]string{
				{"info", "rbd/ro-probe", "--format", "json"},
				{"image-meta", "list", "rbd/ro-probe", "--format", "json"},
				{"group", "image", "ls", "rbd/ro-grp"},
				{"group", "snap", "ls", "rbd/ro-grp"},
				{"journal", "info", "--pool", "rbd", "--image", "ro-probe", "--format", "json"},
			} {
				out, _ := rbdCLI(t, s, lab.AdminClient, args...)
				// rbd-mirror takes and drops a sync-point snapshot of a
				// new primary by itself.
				out = volatile.ReplaceAllString(out, "")
				b.WriteString(strings.Join(args, " ") + ": " + out)
			}
		}
		cmd := []string{"-c", s.Conf, "--id", "admin", "--keyring", s.Keyring(lab.AdminClient), "auth", "ls"}
		out, _ := execOut("ceph", cmd...)
		// Keys are secret and stable; the entity names and caps are what a change would touch.
		var keep []string
		for _, l := range strings.Split(out, "\n") {
			if !strings.Contains(l, "key:") {
				keep = append(keep, l)
			}
		}
		b.WriteString(strings.Join(keep, "\n"))
	}
	return b.String()
}

// TestReadOnlyWalk runs every command of the registry that changes
// something, on the lab as admin (so each would succeed), under each
// read-only route: the --readonly flag, ui.readonly in the configuration,
// readonly on every site, and the read-only console (its palette runs
// commands through App.Exec on its own connections, with --yes after its
// dialog). Each must be refused, saying read-only, and the two sites must
// be exactly as before.
func TestReadOnlyWalk(t *testing.T) {
	st := labtest.Require(t)
	a := st.Site(lab.SiteA)
	dir := t.TempDir()
	clean := func() {
		for _, args := range [][]string{
			{"group", "snap", "rm", "rbd/ro-grp@ro-snap"}, {"group", "image", "rm", "rbd/ro-grp", "rbd/ro-probe"}, {"group", "rm", "rbd/ro-grp"},
			{"mirror", "image", "disable", "--force", "rbd/ro-probe"}, {"snap", "purge", "--no-progress", "rbd/ro-probe"}, {"rm", "--no-progress", "rbd/ro-probe"},
		} {
			_, _ = rbdCLI(t, a, lab.AdminClient, args...)
		}
	}
	clean()
	t.Cleanup(clean)
	mustRBD(t, a, "create", "--size", "4M", "--image-feature", "layering,exclusive-lock,journaling", "rbd/ro-probe")
	mustRBD(t, a, "mirror", "image", "enable", "rbd/ro-probe", "journal")
	mustRBD(t, a, "group", "create", "rbd/ro-grp")
	mustRBD(t, a, "group", "image", "add", "rbd/ro-grp", "rbd/ro-probe")
	mustRBD(t, a, "group", "snap", "create", "rbd/ro-grp@ro-snap")
	if err := os.WriteFile(filepath.Join(dir, "token"), []byte("eyJmc2lkIjoiIn0="), 0o600); err != nil {
		t.Fatal(err)
	}
	export := filepath.Join(dir, "journal.export")
	if _, err := rbdCLI(t, a, lab.AdminClient, "journal", "export", "--pool", "rbd", "--image", "ro-probe", "--path", export); err != nil {
		t.Fatal(err)
	}

	adminCfg := filepath.Join(st.Dir, "rbdtui-admin.yaml")
	base, err := os.ReadFile(adminCfg)
	if err != nil {
		t.Fatal(err)
	}
	uiRO := filepath.Join(dir, "ui-readonly.yaml")
	if err := os.WriteFile(uiRO, []byte(strings.Replace(string(base), "ui:\n", "ui:\n  readonly: true\n", 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	siteRO := filepath.Join(dir, "site-readonly.yaml")
	if err := os.WriteFile(siteRO, []byte(strings.ReplaceAll(string(base), "    keyring:", "    readonly: true\n    keyring:")), 0o600); err != nil {
		t.Fatal(err)
	}
	consoleCfg, err := config.Load(uiRO)
	if err != nil {
		t.Fatal(err)
	}
	m := site.NewManager(consoleCfg)
	defer m.Close()

	// rbd-mirror bootstraps the new image with a sync-point snapshot on
	// site-a (journaled) and removes it (journaled) once synced: wait for
	// that, so the state below moves only if a command changes it.
	waitFor(t, 90*time.Second, "rbd-mirror to sync rbd/ro-probe", func() (bool, string) {
		out, _ := rbdCLI(t, a, lab.AdminClient, "snap", "ls", "--all", "rbd/ro-probe")
		state := imageState(t, st.Site(lab.SiteB), "rbd/ro-probe")
		return !strings.Contains(out, ".rbd-mirror.") && strings.Contains(state, "replaying"), out + state
	})
	before := labState(t, st)
	var walked []string
	for _, c := range commands.Registry().Commands() {
		for _, force := range []bool{false, true} {
			if force && !hasForce(c) {
				continue
			}
			argv := probeArgv(c, force, dir)
			inv, err := commands.Registry().Parse(argv)
			if err != nil {
				t.Fatal(err)
			}
			if !inv.Changes() {
				continue
			}
			walked = append(walked, strings.Join(argv, " "))
			routes := map[string][]string{
				"--readonly":  append([]string{"--config", adminCfg, "--readonly", "--yes"}, argv...),
				"ui.readonly": append([]string{"--config", uiRO, "--yes"}, argv...),
				"readonly":    append([]string{"--config", siteRO, "--yes"}, argv...),
			}
			if c.Name() == "lab load" {
				// The lab's own sites are not configured sites: only the
				// flag and the configuration's ui.readonly apply.
				delete(routes, "readonly")
			}
			for route, full := range routes {
				code, out, errOut := run(t, full...)
				if code == 0 || !strings.Contains(errOut, "read-only") {
					t.Errorf("%s: rbdtui %s: exit %d, not refused as read-only:\n%s%s", route, strings.Join(argv, " "), code, out, errOut)
				}
			}
			if c.CLIOnly {
				continue
			}
			res, err := cli.New("test").Exec(context.Background(), m, append(argv, "--yes"), nil)
			if err == nil || !strings.Contains(err.Error(), "read-only") {
				t.Errorf("read-only console: %s: not refused as read-only: %v %s", strings.Join(argv, " "), err, res.Output)
			}
		}
	}
	if after := labState(t, st); after != before {
		k := 0
		for k < len(before) && k < len(after) && before[k] == after[k] {
			k++
		}
		lo := max(k-200, 0)
		t.Errorf("the read-only walk changed the lab at byte %d:\nbefore: %q\nafter:  %q", k, before[lo:min(k+200, len(before))], after[lo:min(k+200, len(after))])
	}
	sort.Strings(walked)
	t.Logf("%d changing invocations walked under 4 routes: %s", len(walked), strings.Join(walked, "; "))
	for _, must := range []string{"mirror pool peer bootstrap create --site-name", "lab load", "journal reset", "feature disable rbd/ro-probe journaling"} {
		found := false
		for _, w := range walked {
			found = found || strings.HasPrefix(w, must)
		}
		if !found {
			t.Errorf("%q was not walked", must)
		}
	}
}

func execOut(name string, args ...string) (string, error) {
	out, err := exec.Command(name, args...).Output()
	return string(out), err
}
