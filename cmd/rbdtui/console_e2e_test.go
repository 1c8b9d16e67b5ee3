package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/exp/teatest"
	"github.com/muesli/termenv"

	"github.com/rbdtui/rbdtui/internal/backend"
	"github.com/rbdtui/rbdtui/internal/cli"
	"github.com/rbdtui/rbdtui/internal/commands"
	"github.com/rbdtui/rbdtui/internal/lab"
	"github.com/rbdtui/rbdtui/internal/labtest"
	"github.com/rbdtui/rbdtui/internal/site"
	"github.com/rbdtui/rbdtui/model"
	"github.com/rbdtui/rbdtui/ui"
)

// recorder is the real backend, recording the argv of every Exec so the
// test can check the console sent exactly the grammar's command.
type recorder struct {
	model.Backend
	mu    sync.Mutex
	argvs [][]string
}

func (r *recorder) Exec(ctx context.Context, argv []string, p func(model.Progress)) (model.ExecResult, error) {
	r.mu.Lock()
	r.argvs = append(r.argvs, slices.Clone(argv))
	r.mu.Unlock()
	return r.Backend.Exec(ctx, argv, p)
}

// rbdAdmin runs the rbd CLI on a lab site as client.admin.
func rbdAdmin(t *testing.T, s *lab.SiteState, args ...string) {
	t.Helper()
	full := append([]string{"-c", s.Conf, "--id", "admin"}, args...)
	cmd := exec.Command("rbd", full...)
	cmd.Env = append(os.Environ(), "CEPH_CONF="+s.Conf)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("rbd %s: %v: %s", strings.Join(args, " "), err, out)
	}
}

func typeKeys(tm *teatest.TestModel, s string) {
	for _, r := range s {
		if r == ' ' {
			tm.Send(tea.KeyMsg{Type: tea.KeySpace, Runes: []rune{' '}})
			continue
		}
		tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
	}
}

// TestConsoleResyncEndToEnd drives the real console against the lab: it
// opens on the lab's sites, filters to a non-primary image on site-b,
// resyncs it through the typed confirmation, and watches its state leave
// replaying and come back.
func TestConsoleResyncEndToEnd(t *testing.T) {
	st := labtest.Require(t)
	cfg := labtest.Config(t, st)
	a, b := st.Site("site-a"), st.Site("site-b")
	if a == nil || b == nil {
		t.Fatal("the lab has no site-a/site-b")
	}
	lipgloss.SetColorProfile(termenv.Ascii)

	name := fmt.Sprintf("e2e-console-%d", time.Now().UnixNano()%1_000_000_000)
	spec := "rbd/" + name
	rbdAdmin(t, a, "create", "--size", "64M", spec)
	t.Cleanup(func() {
		for _, args := range [][]string{{"mirror", "image", "disable", "--force", spec}, {"rm", "--no-progress", spec}} {
			cmd := exec.Command("rbd", append([]string{"-c", a.Conf, "--id", "admin"}, args...)...)
			_ = cmd.Run()
		}
	})
	rbdAdmin(t, a, "mirror", "image", "enable", spec, "journal")

	real := backend.New(site.NewManager(cfg), cli.New("test"))
	rec := &recorder{Backend: real}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	// Wait until site-b replays it.
	replayingOnB := func() (string, bool) {
		imgs, err := real.Images(ctx, "site-b", "rbd")
		if err != nil {
			return err.Error(), false
		}
		for _, img := range imgs {
			if img.Name == name && img.Local != nil {
				return img.Local.FullState(), img.Local.FullState() == "up+replaying" && !img.Primary
			}
		}
		return "absent", false
	}
	deadline := time.Now().Add(2 * time.Minute)
	for {
		state, ok := replayingOnB()
		if ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s never reached up+replaying on site-b (last: %s)", spec, state)
		}
		time.Sleep(500 * time.Millisecond)
	}

	app := ui.New(ui.Common{Backend: rec, Refresh: ui.MinRefresh, Timeout: 12 * time.Second})
	tm := teatest.NewTestModel(t, app, teatest.WithInitialTermSize(160, 48))
	t.Cleanup(func() { _ = tm.Quit() })
	wait := func(what string, d time.Duration, cond func([]byte) bool) {
		t.Helper()
		teatest.WaitFor(t, tm.Output(), cond, teatest.WithDuration(d), teatest.WithCheckInterval(50*time.Millisecond))
	}
	contains := func(s string) func([]byte) bool {
		return func(b []byte) bool { return bytes.Contains(b, []byte(s)) }
	}

	wait("both sites", 30*time.Second, contains("site-b HEALTH_"))
	// Filter to the copy on site-b: its name and its state, as an operator
	// would type them.
	tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("/")})
	typeKeys(tm, name+" replaying")
	wait("cursor on the site-b copy", 30*time.Second, contains("site-b › rbd › "+name))
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	tm.Send(tea.KeyMsg{Type: tea.KeyEsc}) // clear the filter; the row stays

	if commands.Lookup("mirror image resync") == nil {
		tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("R")})
		wait("disabled reason", 10*time.Second, contains("not available in this build"))
		t.Skip("`mirror image resync` is not declared in this build's grammar (internal/commands): " +
			"the console found the image and disabled its resync key; the rest of this test runs once the command lands")
	}

	tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("R")})
	wait("typed confirmation", 10*time.Second, contains(`Type "`+name+`" to confirm`))
	typeKeys(tm, name)
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	wait("resync ran", time.Minute, contains("✓ resync "+spec+" on site-b"))

	rec.mu.Lock()
	got := slices.Clone(rec.argvs)
	rec.mu.Unlock()
	// --yes: the console's typed confirmation is the one the CLI asks for.
	want := []string{"mirror", "image", "resync", spec, "--site", "site-b", "--yes"}
	if len(got) != 1 || !slices.Equal(got[0], want) {
		t.Fatalf("Exec argvs = %q, want [%q]", got, want)
	}

	// The row leaves replaying (resync requested, syncing, starting
	// replay...) and comes back.
	row := regexp.MustCompile(regexp.QuoteMeta(name) + `  (\S+(?: \d+%)?)`)
	var seen []string
	wait("state leaves replaying", 2*time.Minute, func(b []byte) bool {
		for _, m := range row.FindAllSubmatch(b, -1) {
			s := string(m[1])
			if !slices.Contains(seen, s) {
				seen = append(seen, s)
			}
			if s != "up+replaying" && s != "primary" {
				return true
			}
		}
		return false
	})
	t.Logf("states seen on screen: %v", seen)
	wait("back to replaying", 3*time.Minute, contains(name+"  up+replaying"))

	tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("q")})
	fm := tm.FinalModel(t, teatest.WithFinalTimeout(10*time.Second))
	if v := fm.View(); !strings.Contains(v, "rbd mirror image resync") && !strings.Contains(v, "resync "+spec) {
		t.Errorf("the command log does not show the resync:\n%s", v)
	}
}
