package ui

import (
	"bytes"
	"context"
	"runtime"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"

	"github.com/rbdtui/rbdtui/internal/backend"
	"github.com/rbdtui/rbdtui/internal/cli"
	cephlab "github.com/rbdtui/rbdtui/internal/lab"
	"github.com/rbdtui/rbdtui/internal/labtest"
	"github.com/rbdtui/rbdtui/internal/site"
)

// TestWatchOnLabWhileSiteAStopsAndStarts runs the real console (a
// tea.Program, real timers, polls in goroutines) over the real backend on
// the lab, opened as `rbdtui watch rbd` opens it. It freezes site-a
// (SIGSTOP on its daemons), checks that the watch says so while keys keep
// working, thaws it and sees the watch pick site-a up again.
func TestWatchOnLabWhileSiteAStopsAndStarts(t *testing.T) {
	if testing.Short() {
		t.Skip("lab test")
	}
	st := labtest.Require(t)
	t.Cleanup(func() {
		if t.Failed() {
			// A console that stops drawing is stuck somewhere: say where.
			buf := make([]byte, 1<<20)
			t.Logf("goroutines at the failure:\n%s", buf[:runtime.Stack(buf, true)])
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	// The load writes to the pool's primary mirrored images, making
	// lab-load-N ones only when there are fewer than two: watch for one it
	// wrote to, whatever its name.
	load, err := cephlab.RunLoad(ctx, st, cephlab.LoadOptions{Pool: "rbd", Images: 2, Ops: 40, Duration: 10 * time.Second, Rate: 20})
	if err != nil || len(load.Images) == 0 {
		t.Fatalf("lab load: %v %+v", err, load)
	}
	someImage := load.Images[0]
	m := site.NewManager(labtest.Config(t, st))
	a := New(Common{Backend: backend.New(m, cli.New("test")), Refresh: time.Second, Timeout: 4 * time.Second,
		Start: []string{"watch", "rbd"}})
	tm := teatest.NewTestModel(t, a, teatest.WithInitialTermSize(160, 48))
	waitFor := func(what string, d time.Duration, subs ...string) time.Duration {
		t.Helper()
		start := time.Now()
		teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
			for _, s := range subs {
				if !bytes.Contains(b, []byte(s)) {
					return false
				}
			}
			return true
		}, teatest.WithDuration(d), teatest.WithCheckInterval(50*time.Millisecond))
		took := time.Since(start)
		t.Logf("%s: %s", what, took.Round(time.Millisecond))
		return took
	}
	waitFor("first frame", 60*time.Second, "watch rbd", someImage, "◆ primary", "up+replaying", "site-a ● up")

	sa := st.Site("site-a")
	if err := sa.Freeze(); err != nil {
		t.Fatal(err)
	}
	thawed := false
	thaw := func() {
		if !thawed {
			thawed = true
			tctx, tcancel := context.WithTimeout(context.Background(), 3*time.Minute)
			defer tcancel()
			if err := sa.Thaw(tctx); err != nil {
				t.Errorf("thaw site-a: %v", err)
			}
		}
	}
	defer thaw()
	waitFor("site-a seen down", 90*time.Second, "site-a ✖ unreachable since")

	// Keys while site-a is stopped and polls of it hang until their
	// deadline: each answers in well under a poll's timeout.
	for _, k := range []struct{ key, flash string }{{"s", "sorted by lag"}, {"s", "sorted by problems first"}, {"f", "showing only images"}, {"f", "showing every image"}, {"s", "sorted by name"}} {
		tm.Send(keyMsg(k.key))
		waitFor("key "+k.key+" while site-a is stopped", 3*time.Second, k.flash)
	}
	tm.Send(keyMsg("j"))
	tm.Send(keyMsg("tab"))
	waitFor("tab while site-a is stopped", 3*time.Second, "↑↓ scroll")
	tm.Send(keyMsg("tab"))

	thaw()
	waitFor("site-a back", 120*time.Second, "site-a ● up")
	waitFor("rows fresh again", 60*time.Second, "◆ primary")
	tm.Send(keyMsg("s"))
	waitFor("key after site-a is back", 3*time.Second, "sorted by lag")

	tm.Send(tea.QuitMsg{})
	fm := tm.FinalModel(t, teatest.WithFinalTimeout(10*time.Second))
	if w, ok := fm.(*App).topScreen().(*watch); !ok || !w.polled {
		t.Fatalf("the watch is not on screen at the end")
	} else if w.sites[0].Site != "site-a" || !w.sites[0].Up() {
		t.Errorf("site-a at the end: %+v", w.sites[0])
	}
}
