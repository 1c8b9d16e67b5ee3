package cli_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rbdtui/rbdtui/internal/lab"
	"github.com/rbdtui/rbdtui/internal/labtest"
)

// TestWrongChangesAreRefused: the five wrong changes of issue 15, each
// refused with a message that names the thing and the cause, and each
// leaving the lab as it was (read back with the real rbd CLI).
func TestWrongChangesAreRefused(t *testing.T) {
	st := labtest.Require(t)
	a := st.Site(lab.SiteA)
	admin := st.AdminConfigPath()
	dir := t.TempDir()
	refused := func(what string, wants []string, args ...string) {
		t.Helper()
		code, out, errOut := run(t, append([]string{"--config", admin, "--yes"}, args...)...)
		if code == 0 {
			t.Errorf("%s: exit 0, want a refusal: %s%s", what, out, errOut)
		}
		for _, w := range wants {
			if !strings.Contains(errOut, w) {
				t.Errorf("%s: message %q lacks %q", what, errOut, w)
			}
		}
	}

	// 1. peer set key-file stores the file's key, never its path; a file
	// others can read, or one with no key, is refused.
	var info struct {
		Peers []struct {
			UUID string `json:"uuid"`
			Key  string `json:"key"`
		} `json:"peers"`
	}
	out := mustRBD(t, a, "mirror", "pool", "info", "rbd", "--all", "--format", "json")
	if err := json.Unmarshal([]byte(out), &info); err != nil || len(info.Peers) != 1 || info.Peers[0].Key == "" {
		t.Fatalf("peer of rbd on site-a: %v %s", err, out)
	}
	peer, key := info.Peers[0].UUID, info.Peers[0].Key
	peerKey := func() string {
		out := mustRBD(t, a, "mirror", "pool", "info", "rbd", "--all", "--format", "json")
		json.Unmarshal([]byte(out), &info)
		return info.Peers[0].Key
	}
	open := filepath.Join(dir, "open.keyring")
	os.WriteFile(open, []byte("[client.rbd-mirror-peer]\n\tkey = "+key+"\n"), 0o644)
	os.Chmod(open, 0o644)
	refused("world-readable key file", []string{open, "readable by others", "chmod 600"}, "mirror", "pool", "peer", "set", "rbd", peer, "key-file", open)
	junk := filepath.Join(dir, "junk.keyring")
	os.WriteFile(junk, []byte("not a key at all\n"), 0o600)
	refused("key file without a key", []string{junk, "holds no cephx key"}, "mirror", "pool", "peer", "set", "rbd", peer, "key-file", junk)
	refused("unknown peer", []string{"no peer with uuid 00000000-", peer}, "mirror", "pool", "peer", "set", "rbd", "00000000-0000-0000-0000-000000000000", "direction", "rx-tx")
	if got := peerKey(); got != key {
		t.Fatalf("a refused key-file changed the peer's key to %q", got)
	}
	good := filepath.Join(dir, "good.keyring")
	os.WriteFile(good, []byte("[client.rbd-mirror-peer]\n\tkey = "+key+"\n"), 0o600)
	if code, o, e := run(t, "--config", admin, "--yes", "mirror", "pool", "peer", "set", "rbd", peer, "key-file", good); code != 0 {
		t.Fatalf("key-file from a 0600 keyring: %d %s %s", code, o, e)
	}
	if got := peerKey(); got != key {
		t.Fatalf("key-file stored %q, want the file's key %q (never its path %s)", got, key, good)
	}

	// 2. schedules: an interval of 0 and a start time that is no time.
	before := mustRBD(t, a, "mirror", "snapshot", "schedule", "ls", "-R", "--format", "json")
	refused("0m schedule", []string{`interval "0m"`, "at least 1"}, "mirror", "snapshot", "schedule", "add", "-p", "rbd", "0m")
	refused("25:99 start", []string{`start time "25:99"`, "ISO 8601"}, "mirror", "snapshot", "schedule", "add", "-p", "rbd", "15m", "25:99")
	refused("remove a missing schedule", []string{"no snapshot schedule every 7d at rbd"}, "mirror", "snapshot", "schedule", "remove", "-p", "rbd", "7d")
	if after := mustRBD(t, a, "mirror", "snapshot", "schedule", "ls", "-R", "--format", "json"); after != before {
		t.Errorf("refused schedules changed the schedules: %s -> %s", before, after)
	}

	// 3. bootstrap create checks --output before it touches the site name.
	siteName := func() string {
		out := mustRBD(t, a, "mirror", "pool", "info", "rbd", "--format", "json")
		var pi struct {
			SiteName string `json:"site_name"`
		}
		json.Unmarshal([]byte(out), &pi)
		return pi.SiteName
	}
	taken := filepath.Join(dir, "taken.token")
	os.WriteFile(taken, []byte("x"), 0o600)
	refused("bootstrap create onto an existing file", []string{"--output " + taken, "file exists", "nothing was changed"},
		"mirror", "pool", "peer", "bootstrap", "create", "rbd", "--site-name", "renamed", "--output", taken)
	refused("bootstrap create into a missing directory", []string{"nothing was changed"},
		"mirror", "pool", "peer", "bootstrap", "create", "rbd", "--site-name", "renamed", "--output", filepath.Join(dir, "no", "such", "dir"))
	if n := siteName(); n != lab.SiteA {
		t.Fatalf("a refused bootstrap create renamed the site to %q", n)
	}

	// 4 and 5. journal import: a tag id of -1, and the same export twice.
	sfx := fmt.Sprint(time.Now().UnixNano() % 1e6)
	src, dst := "val-src-"+sfx, "val-dst-"+sfx
	for _, n := range []string{src, dst} {
		mustRBD(t, a, "create", "--size", "16M", "--image-feature", "layering,exclusive-lock,journaling", "rbd/"+n)
		n := n
		t.Cleanup(func() {
			_, _ = rbdCLI(t, a, lab.AdminClient, "snap", "purge", "rbd/"+n)
			_, _ = rbdCLI(t, a, lab.AdminClient, "rm", "--no-progress", "rbd/"+n)
		})
	}
	mustRBD(t, a, "bench", "--io-type", "write", "--io-size", "4K", "--io-total", "64K", "rbd/"+src)
	export := filepath.Join(dir, "src.export")
	if code, o, e := run(t, "--config", admin, "journal", "export", "--from-start", "--pool", "rbd", "--image", src, export); code != 0 {
		t.Fatalf("export: %d %s %s", code, o, e)
	}
	if fi, err := os.Stat(export); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("the export (it holds the image's data) has mode %v, want 0600", fi.Mode().Perm())
	}
	data, _ := os.ReadFile(export)
	if recordCount(data) == 0 {
		t.Fatalf("the export of %s holds no entry:\n%s", src, data)
	}
	bad := negativeTag(t, data)
	badFile := filepath.Join(dir, "bad.export")
	os.WriteFile(badFile, bad, 0o600)
	entries := func() string {
		out, _ := rbdCLI(t, a, lab.AdminClient, "journal", "info", "--pool", "rbd", "--image", dst)
		st, _ := rbdCLI(t, a, lab.AdminClient, "journal", "status", "--pool", "rbd", "--image", dst, "--format", "json")
		return out + st
	}
	beforeJ := entries()
	refused("tag_id -1", []string{"tag_id -1 is out of range", "nothing was imported"}, "journal", "import", badFile, "--dest", dst, "--dest-pool", "rbd")
	if entries() != beforeJ {
		t.Error("a refused import changed the journal")
	}
	code, o, e := run(t, "--config", admin, "--yes", "journal", "import", export, "--dest", dst, "--dest-pool", "rbd")
	n := recordCount(data)
	if code != 0 || !strings.Contains(o, strconv.Itoa(n)+" entries processed") {
		t.Fatalf("first import: %d %s %s", code, o, e)
	}
	// The imported journal lists the tags its entries carry.
	_, status, _ := run(t, "--config", admin, "journal", "status", "--pool", "rbd", "--image", dst)
	tags := map[string]bool{}
	for _, m := range regexp.MustCompile(`"tag_id":(\d+)`).FindAllStringSubmatch(string(data), -1) {
		tags[m[1]] = true
	}
	for tag := range tags {
		if !strings.Contains(status, tag+" (class") {
			t.Errorf("entries carry tag %s, but the imported journal does not list it:\n%s", tag, status)
		}
	}
	afterFirst := entries()
	refused("the same export again", []string{fmt.Sprintf("%d of the %d entries are already in journal", n, n), "--skip-existing", "nothing was imported"},
		"journal", "import", export, "--dest", dst, "--dest-pool", "rbd")
	if entries() != afterFirst {
		t.Error("a refused second import changed the journal")
	}
	code, o, e = run(t, "--config", admin, "--yes", "journal", "import", export, "--dest", dst, "--dest-pool", "rbd", "--skip-existing")
	if code != 0 || !strings.Contains(o, "0 entries processed") || !strings.Contains(o, fmt.Sprintf("%d entries skipped", n)) {
		t.Errorf("--skip-existing: %d %s %s", code, o, e)
	}
	// librbd replays the imported journal: the image reads as the source.
	mustRBD(t, a, "snap", "create", "rbd/"+dst+"@replayed")
	if got, want := exportSum(t, a, dst), exportSum(t, a, src); got != want {
		t.Errorf("after replay %s differs from %s", dst, src)
	}
}

// negativeTag rewrites the first record of an export with tag_id -1.
func negativeTag(t *testing.T, data []byte) []byte {
	s := string(data)
	i := strings.Index(s, " {")
	j := strings.LastIndex(s[:i+1], "\n") + 1
	size, err := strconv.Atoi(s[j:i])
	if err != nil {
		t.Fatalf("export format: %v", err)
	}
	body := s[i+1 : i+1+size]
	nb := regexp.MustCompile(`"tag_id":\d+`).ReplaceAllString(body, `"tag_id":-1`)
	return []byte(s[:j] + strconv.Itoa(len(nb)) + " " + nb + s[i+1+size:])
}

func recordCount(data []byte) int {
	return len(regexp.MustCompile(`"tag_id":`).FindAll(data, -1))
}

func exportSum(t *testing.T, s *lab.SiteState, name string) string {
	p := filepath.Join(t.TempDir(), name)
	mustRBD(t, s, "export", "--no-progress", "rbd/"+name, p)
	b, _ := os.ReadFile(p)
	return fmt.Sprintf("%x", b[:0]) + strconv.Itoa(len(b)) + string(b)
}
