// Package labtest gives integration tests the running two-site lab. Under CI
// (CI=true) a missing lab fails the test; elsewhere it skips with a hint, so
// `go test ./...` on a laptop without Ceph still runs the unit tests.
package labtest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

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

// Require returns the running lab or ends the test. A lab left frozen or
// half dead by a test that died (a drill freezes a site with SIGSTOP) is
// thawed, or rebuilt, first, so that one crash does not fail every test
// after it.
func Require(t testing.TB) *lab.State {
	t.Helper()
	st, err := lab.Load(Dir())
	if err == nil {
		st, err = heal(t, st)
	}
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("integration test needs the lab (CI=true, so this is a failure): %v", err)
		}
		t.Skipf("no running lab (%v); run `make lab-up` or set %s", err, lab.EnvDir)
	}
	return st
}

func heal(t testing.TB, st *lab.State) (*lab.State, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	for _, s := range st.Sites {
		if s.Stopped() {
			t.Logf("lab: %s was left frozen; thawing it", s.Name)
			if err := s.Thaw(ctx); err != nil {
				return st, err
			}
		}
	}
	if st.Running() {
		return st, nil
	}
	t.Logf("lab: some daemons are gone; rebuilding the lab in %s", st.Dir)
	nst, err := lab.Up(ctx, lab.Options{Dir: st.Dir})
	if err != nil {
		return st, fmt.Errorf("%w (rebuild failed: %v)", errNotRunning, err)
	}
	return nst, nil
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
