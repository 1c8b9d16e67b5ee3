package ui

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"

	"github.com/rbdtui/rbdtui/model"
	"github.com/rbdtui/rbdtui/ui/uitest"
)

// TestGoldenWizard renders each step of the failover wizard at 80x24 and
// 160x48, settled, as TestGolden does for the tree.
// Regenerate with: go test ./ui -run TestGoldenWizard -update
// settledRE matches the crumb line once a refresh is over: the data's age
// right after the location, no "refreshing…" between.
var settledRE = regexp.MustCompile(`(pool rbd|watch rbd)\s+updated \d+s ago`)

func TestGoldenWizard(t *testing.T) {
	openA := step{keys: []string{"j", "enter"}, wait: "By state"}
	wiz := step{keys: []string{"F"}, wait: "What fails over?"}
	next := func(wait string) step { return step{keys: []string{"enter"}, wait: wait} }
	forced := step{keys: []string{"down", "down", "right"}, wait: "◀ forced ▶"}
	toConfirm := []step{openA, wiz, next("from (current"), next("no problems"), next("Cancel")}

	// A run that reports its first steps and then waits (until the test
	// ends), or fails, or completes.
	progress := []model.Progress{
		{Step: "demote", Object: "db-1", Site: "site-a", State: "non-primary"},
		{Step: "demote", Object: "vol1", Site: "site-a", State: "non-primary"},
		{Step: "demote", Object: "vol2", Site: "site-a", State: "non-primary"},
		{Step: "wait-replayed", Object: "vol1", Site: "site-b", State: "up+unknown remote image is not primary", Done: 0, Total: 3},
		{Step: "wait-replayed", Object: "db-1", Site: "site-b", State: `up+replaying replaying, {"entries_behind_primary":42}`, Done: 1, Total: 3},
	}
	running := func(p *uitest.Planner, t *testing.T) {
		done := make(chan struct{})
		t.Cleanup(func() { close(done) })
		p.SetProgress(progress...)
		p.OnExec(func([]string) (model.ExecResult, error) { <-done; return model.ExecResult{}, errors.New("test over") })
	}
	failing := func(p *uitest.Planner, _ *testing.T) {
		p.SetProgress(progress...)
		p.OnExec(func([]string) (model.ExecResult, error) {
			return model.ExecResult{Output: "Failover of rbd: 3 images demoted on site-a"}, errors.New(`failover site-a -> site-b stopped at step "wait-replayed": timed out after 3m0s on site-b waiting for: db-1 (up+replaying 42 entries behind)
the images are left as the step found them; run the same command again to resume from here`)
		})
	}
	// The run completes, and the sites then report the new direction:
	// primary on site-b, site-a replaying from it.
	completing := func(p *uitest.Planner, _ *testing.T) {
		p.SetProgress(model.Progress{Step: "done", Message: "3 images primary on site-b, replaying on site-a"})
		p.OnExec(func([]string) (model.ExecResult, error) {
			img := func(site, name, mode string, primary bool) model.Image {
				i := model.Image{Site: site, Pool: "rbd", Name: name, MirrorMode: mode, MirrorState: model.MirrorEnabled, Primary: primary}
				if primary {
					i.Local = ptr(primaryStatus(site))
				} else {
					i.Local = ptr(replaying(site, 0))
				}
				return i
			}
			var a, b []model.Image
			for _, n := range [][2]string{{"db-1", model.ModeJournal}, {"vol1", model.ModeJournal}, {"vol2", model.ModeSnapshot}} {
				a, b = append(a, img("site-a", n[0], n[1], false)), append(b, img("site-b", n[0], n[1], true))
			}
			p.SetImages("site-a", "rbd", a...)
			p.SetImages("site-b", "rbd", b...)
			return model.ExecResult{}, nil
		})
	}
	siteALost := func(p *uitest.Planner, _ *testing.T) {
		p.Fail("site-a", errors.New("error connecting to the cluster: rados_connect timed out after 10s"))
	}

	type wcase struct {
		name  string
		setup func(*uitest.Planner, *testing.T)
		steps []step
	}
	cases := []wcase{
		{name: "scope", steps: []step{openA, wiz}},
		{name: "direction", steps: []step{openA, wiz, next("from (current")}},
		{name: "plan_planned_pool", steps: []step{openA, wiz, next("from (current"), next("no problems")}},
		{name: "plan_forced_pool", setup: siteALost, steps: []step{{keys: []string{"G", "k", "enter"}, wait: "split-brain"}, wiz,
			next("from (current"), forced, next("no problems")}},
		{name: "plan_forced_group", steps: []step{openA, {keys: []string{"j"}, wait: "cp-0925"}, wiz, next("from (current"), forced, next("no problems")}},
		{name: "plan_not_mirrored", steps: []step{openA, {keys: []string{"j", "j", "j"}, wait: "scratch"}, wiz, next("from (current"), next("Run is not offered")}},
		{name: "plan_unreachable", setup: siteALost, steps: []step{{keys: []string{"G", "k", "enter"}, wait: "split-brain"}, wiz,
			next("from (current"), next("Run is not offered")}},
		{name: "confirm_planned", steps: toConfirm},
		{name: "confirm_forced", setup: siteALost, steps: []step{{keys: []string{"G", "k", "enter"}, wait: "split-brain"}, wiz,
			next("from (current"), forced, next("no problems"), next("to confirm"), {keys: []string{"r", "b"}, wait: "rb█"}}},
		{name: "running", setup: running, steps: append(toConfirm, step{keys: []string{"y"}, wait: "42 entries"})},
		// A run that ends (failed or done) is followed by a refresh of the
		// tree: wait until it is over (the crumb without "refreshing…"),
		// or the final screen may still say "refreshing…".
		{name: "failed", setup: failing, steps: append(toConfirm, step{keys: []string{"y"}, wait: "R resume", settled: true})},
		// The run is over when the wizard has handed off to the watch
		// (its crumb) and the watch has polled the sites again (the new
		// primary on the rows). The two come in either order; "polled"
		// alone also matched the live watch under the running wizard, and
		// the final screen sometimes still showed the wizard.
		{name: "handoff", setup: completing, steps: append(toConfirm, step{keys: []string{"y"}, wait: " watch rbd ", waitRE: []string{`rbd/db-1\s+site-b`}, settled: true})},
	}
	for _, tc := range cases {
		for _, sz := range [][2]int{{80, 24}, {160, 48}} {
			t.Run(fmt.Sprintf("%s_%dx%d", tc.name, sz[0], sz[1]), func(t *testing.T) {
				p := wizardLab()
				if tc.setup != nil {
					tc.setup(p, t)
				}
				clk := newClock()
				p.SetWatchClock(clk.Now)
				a := New(Common{Backend: p, Now: clk.Now, Refresh: 30 * time.Second, Timeout: 5 * time.Second, Commands: testRegistry()})
				a.after = func(time.Duration, func(time.Time) tea.Msg) tea.Cmd { return nil }
				tm := teatest.NewTestModel(t, a, teatest.WithInitialTermSize(sz[0], sz[1]))
				waitFor := func(s string) {
					t.Helper()
					teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte(s)) },
						teatest.WithDuration(5*time.Second), teatest.WithCheckInterval(10*time.Millisecond))
				}
				waitFor("updated 0s ago")
				for _, st := range tc.steps {
					for _, k := range st.keys {
						tm.Send(keyMsg(k))
					}
					switch {
					case len(st.waitRE) > 0 || st.settled:
						// All of them, in one wait: they may come in any order.
						teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
							for _, re := range st.waitRE {
								if !regexp.MustCompile(re).Match(b) {
									return false
								}
							}
							if st.settled {
								// The refresh a finished run starts is drawn in the
								// same frame as the run's end; once seen, wait for
								// the crumb without it.
								if i := bytes.LastIndex(b, []byte("refreshing…")); i >= 0 && !settledRE.Match(b[i:]) {
									return false
								}
							}
							return bytes.Contains(b, []byte(st.wait))
						}, teatest.WithDuration(5*time.Second), teatest.WithCheckInterval(10*time.Millisecond))
					case st.wait != "":
						waitFor(st.wait)
					}
				}
				tm.Send(tea.QuitMsg{})
				fm := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second))
				clk.Advance(3 * time.Second)
				teatest.RequireEqualOutput(t, []byte(fm.View()))
			})
		}
	}
}
