package cli_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rbdtui/rbdtui/internal/cli"
	"github.com/rbdtui/rbdtui/internal/lab"
)

// `lab exec` hands its command the streams themselves, not the quoting
// writers one-shot commands print through: a console run there gets the
// terminal. Run on the host's own release (no root needed), the command's
// stdout and stderr are the very files rbdtui was given.
func TestLabExecGivesTheCommandItsStreams(t *testing.T) {
	host, err := lab.HostRelease(context.Background())
	if err != nil || host.Name() == "" {
		t.Fatalf("the host's Ceph release: %v %v", host, err)
	}
	rel := host.Name()
	dir := t.TempDir()
	out, err := os.Create(filepath.Join(dir, "stdout"))
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	errf, err := os.Create(filepath.Join(dir, "stderr"))
	if err != nil {
		t.Fatal(err)
	}
	defer errf.Close()
	code := cli.New("test").Run([]string{"lab", "exec", "--release", rel, "--dir", dir, "--", "sh", "-c", "readlink /proc/self/fd/1; readlink /proc/self/fd/2 >&2"},
		strings.NewReader(""), out, errf, false)
	got, _ := os.ReadFile(out.Name())
	gotErr, _ := os.ReadFile(errf.Name())
	if code != 0 || strings.TrimSpace(string(got)) != out.Name() || strings.TrimSpace(string(gotErr)) != errf.Name() {
		t.Errorf("exit %d; the command's stdout is %q (want %s), its stderr %q (want %s)", code, got, out.Name(), gotErr, errf.Name())
	}
}
