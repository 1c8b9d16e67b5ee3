package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rbdtui/rbdtui/internal/cli"
	"github.com/rbdtui/rbdtui/internal/labtest"
)

const testKey = "AQBJx1Rl3E3+KhAA6f1uJ2hV2sU2lVvB6H3YxA=="

// A command run is logged with its words, duration and result, and a key
// typed on the line never reaches the log.
func TestLogRecordsCommandsWithoutSecrets(t *testing.T) {
	log := filepath.Join(t.TempDir(), "state", "rbdtui.log")
	code, _, _ := run(t, "--log-file", log, "--config", "/nonexistent.yaml", "mirror", "pool", "peer", "set", "rbd", "1234", "key", testKey)
	if code != cli.ExitUsage {
		t.Fatalf("exit %d", code)
	}
	data, err := os.ReadFile(log)
	if err != nil {
		t.Fatal(err)
	}
	s := string(data)
	if strings.Contains(s, testKey) || strings.Contains(s, "AQBJx1Rl3E3") {
		t.Errorf("the log holds the key:\n%s", s)
	}
	for _, want := range []string{`msg="command failed"`, `command="mirror pool peer set"`, "took=", "exit=2", "key <redacted>", "/nonexistent.yaml"} {
		if !strings.Contains(s, want) {
			t.Errorf("log lacks %q:\n%s", want, s)
		}
	}
	if st, err := os.Stat(log); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("log mode: %v %v", st.Mode(), err)
	}
	// A --log-file that cannot be written is refused before anything runs.
	code, _, errOut := run(t, "--log-file", "/proc/nope/rbdtui.log", "version")
	if code != cli.ExitUsage || !strings.Contains(errOut, "--log-file /proc/nope/rbdtui.log") {
		t.Errorf("unwritable log: %d %q", code, errOut)
	}
}

func TestRedact(t *testing.T) {
	for in, want := range map[string]string{
		"key " + testKey:                             "key <redacted>",
		"[client.x]\n\tkey = " + testKey + "\n":      "[client.x]\n\tkey = <redacted>\n",
		"token eyJmc2lkIjoiZTQ3OGZlMTQtZjU1Mi00YzQ2": "token <redacted>",
		"image rbd/vol1 does not exist":              "image rbd/vol1 does not exist",
	} {
		if got := cli.Redact(in); got != want {
			t.Errorf("Redact(%q) = %q, want %q", in, got, want)
		}
	}
}

// On the lab, with --debug: the site's key (in its keyring) and a
// bootstrap token the command prints never reach the log, while the
// connect and each call do.
func TestLogOnTheLabHoldsNoSecret(t *testing.T) {
	st := labtest.Require(t)
	log := filepath.Join(t.TempDir(), "rbdtui.log")
	code, out, errOut := run(t, "--log-file", log, "--debug", "--config", st.AdminConfigPath(), "--yes",
		"mirror", "pool", "peer", "bootstrap", "create", "--show-token", "rbd")
	if code != 0 {
		t.Fatalf("bootstrap create: %d %s", code, errOut)
	}
	data, _ := os.ReadFile(log)
	s := string(data)
	token := strings.TrimSpace(out)
	if len(token) < 20 || strings.Contains(s, token) || strings.Contains(s, token[:20]) {
		t.Errorf("the log holds the token (or there was none: %q):\n%s", token, s)
	}
	for _, site := range st.Sites {
		kr, err := os.ReadFile(site.Keyring("client.admin"))
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range strings.Split(string(kr), "\n") {
			if k := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(l), "key =")); strings.HasPrefix(strings.TrimSpace(l), "key") && k != "" && strings.Contains(s, k) {
				t.Errorf("the log holds %s's admin key", site.Name)
			}
		}
	}
	for _, want := range []string{"msg=connected", "level=DEBUG msg=call", `msg="command done"`} {
		if !strings.Contains(s, want) {
			t.Errorf("log lacks %q:\n%s", want, s)
		}
	}
}
