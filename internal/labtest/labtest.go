// Package labtest gives integration tests the running two-site lab. Under CI
// (CI=true) a missing lab fails the test; elsewhere it skips with a hint, so
// `go test ./...` on a laptop without Ceph still runs the unit tests.
package labtest

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/rbdtui/rbdtui/internal/config"
	"github.com/rbdtui/rbdtui/internal/lab"
)

// Dir is the lab directory tests use: $RBDTUI_LAB_DIR, else the repository's
// .lab (where `make lab-up` puts it).
func Dir() string {
	if d := os.Getenv(lab.EnvDir); d != "" {
		return d
	}
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", ".lab")
}

// Require returns the running lab or ends the test.
func Require(t testing.TB) *lab.State {
	t.Helper()
	st, err := lab.Load(Dir())
	if err == nil && !st.Running() {
		err = errNotRunning
	}
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("integration test needs the lab (CI=true, so this is a failure): %v", err)
		}
		t.Skipf("no running lab (%v); run `make lab-up` or set %s", err, lab.EnvDir)
	}
	return st
}

type labError string

func (e labError) Error() string { return string(e) }

const errNotRunning = labError("the lab's daemons are not all running")

// Config loads the console user's configuration of the lab.
func Config(t testing.TB, st *lab.State) *config.Config {
	t.Helper()
	cfg, err := config.Load(st.ConfigPath())
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}
