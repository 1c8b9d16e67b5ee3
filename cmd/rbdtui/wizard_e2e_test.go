package main

import (
	"bytes"
	"context"
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
	"github.com/rbdtui/rbdtui/internal/lab"
	"github.com/rbdtui/rbdtui/internal/labtest"
	"github.com/rbdtui/rbdtui/internal/site"
	"github.com/rbdtui/rbdtui/model"
	"github.com/rbdtui/rbdtui/ui"
)

// wizardBackend is the recorder with the optional interfaces the wizard
// and the watch look for, from the real backend.
type wizardBackend struct {
	*recorder
	real *backend.Backend
}

func (w wizardBackend) PlanFailover(ctx context.Context, req model.FailoverRequest) (model.FailoverPlan, error) {
	return w.real.PlanFailover(ctx, req)
}

func (w wizardBackend) ReadFailoverScope(ctx context.Context, scope, target string) (model.FailoverScopeState, error) {
	return w.real.ReadFailoverScope(ctx, scope, target)
}

func (w wizardBackend) Watch(scope model.WatchScope) (model.WatchSession, error) {
	return w.real.Watch(scope)
}

func (w wizardBackend) Groups(ctx context.Context, site, pool string) ([]model.Group, error) {
	return w.real.Groups(ctx, site, pool)
}

// TestWizardFailoverEndToEnd drives the real console against the lab: a
// planned failover of pool rbd from site-a to site-b through the wizard
// with its defaults, seen in the live watch (PRIMARY flips; the timeline
// holds the demotions on site-a, the promotions on site-b and the state
// changes, in order, with times) and ending there with every image
// primary on site-b and replaying on site-a; every byte of every image
// compared between the sites. Then `F` again with its defaults proposes
// site-b -> site-a, read from the sites, and completes the failback, bytes
// compared again; a third `F` proposes site-a -> site-b, and the no-op
// direction chosen by hand is refused with its reason and runs nothing.
func TestWizardFailoverEndToEnd(t *testing.T) {
	st := labtest.Require(t)
	cfg := labtest.Config(t, st)
	lipgloss.SetColorProfile(termenv.Ascii)
	real := backend.New(site.NewManager(cfg), cli.New("test"))
	rec := &recorder{Backend: real}
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	begin := time.Now()

	// The pool's mirrored images, each primary on site-a and replaying on
	// site-b before the test starts.
	primaryOn := func(primary, secondary string) ([]string, string) {
		pa, err := real.Images(ctx, primary, "rbd")
		if err != nil {
			return nil, err.Error()
		}
		sb, err := real.Images(ctx, secondary, "rbd")
		if err != nil {
			return nil, err.Error()
		}
		var names []string
		for _, img := range pa {
			if img.MirrorState != model.MirrorEnabled {
				continue
			}
			names = append(names, img.Name)
			if !img.Primary {
				return nil, img.Name + " is not primary on " + primary
			}
			i := slices.IndexFunc(sb, func(o model.Image) bool { return o.Name == img.Name })
			if i < 0 || sb[i].Primary || sb[i].Local == nil || sb[i].Local.FullState() != "up+replaying" {
				return nil, img.Name + " is not up+replaying on " + secondary
			}
		}
		return names, ""
	}
	waitState := func(primary, secondary string, d time.Duration) []string {
		t.Helper()
		deadline := time.Now().Add(d)
		for {
			names, why := primaryOn(primary, secondary)
			if why == "" && len(names) > 0 {
				return names
			}
			if time.Now().After(deadline) {
				t.Fatalf("pool rbd is not primary on %s and replaying on %s: %s", primary, secondary, why)
			}
			time.Sleep(time.Second)
		}
	}
	// At least two journal-mirrored images with something written (a fresh
	// lab has none; a used one keeps its lab-load-N images).
	if _, err := lab.RunLoad(ctx, st, lab.LoadOptions{Pool: "rbd", Images: 2, Ops: 40, Duration: 10 * time.Second, Rate: 20}); err != nil {
		t.Fatalf("lab load: %v", err)
	}
	names := waitState("site-a", "site-b", 2*time.Minute)
	if len(names) < 2 {
		t.Fatalf("pool rbd has %d mirrored images; make some first: rbdtui lab load --images 3", len(names))
	}
	// Whatever happens below, the lab goes back to site-a as primary.
	t.Cleanup(func() {
		imgs, err := real.Images(context.Background(), "site-b", "rbd")
		if err == nil && !slices.ContainsFunc(imgs, func(i model.Image) bool { return i.Primary }) {
			return
		}
		c, stop := context.WithTimeout(context.Background(), 5*time.Minute)
		defer stop()
		res, err := real.Exec(c, []string{"failover", "--pool", "rbd", "--from", "site-b", "--to", "site-a", "--yes"}, nil)
		t.Logf("cleanup failback: %v %s", err, res.Output)
	})

	app := ui.New(ui.Common{Backend: wizardBackend{rec, real}, Refresh: ui.MinRefresh, Timeout: 12 * time.Second})
	tm := teatest.NewTestModel(t, app, teatest.WithInitialTermSize(160, 48))
	t.Cleanup(func() { _ = tm.Quit() })
	// All the output, kept: a condition sees everything drawn since the
	// last key press, however the renderer split it into writes.
	var (
		outMu sync.Mutex
		out   []byte
		mark  int
	)
	go func() {
		buf := make([]byte, 64<<10)
		for ctx.Err() == nil {
			n, _ := tm.Output().Read(buf)
			if n == 0 {
				time.Sleep(20 * time.Millisecond)
				continue
			}
			outMu.Lock()
			out = append(out, buf[:n]...)
			outMu.Unlock()
		}
	}()
	wait := func(d time.Duration, cond func([]byte) bool) {
		t.Helper()
		deadline := time.Now().Add(d)
		for {
			outMu.Lock()
			b := slices.Clone(out[mark:])
			outMu.Unlock()
			if cond(b) {
				return
			}
			if time.Now().After(deadline) {
				// The renderer writes only changed lines: the screen as
				// the console has it says more than the last writes.
				t.Fatalf("not seen within %s; the screen now:\n%s", d, app.View())
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	contains := func(s string) func([]byte) bool {
		return func(b []byte) bool { return bytes.Contains(b, []byte(s)) }
	}
	key := func(k string) {
		outMu.Lock()
		mark = len(out)
		outMu.Unlock()
		switch k {
		case "enter":
			tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
		case "esc":
			tm.Send(tea.KeyMsg{Type: tea.KeyEsc})
		default:
			tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k)})
		}
	}
	// every waits until the watch has shown each image in the given row
	// shape (printed whole: the renderer redraws changed lines whole).
	every := func(what string, d time.Duration, row func(name string) *regexp.Regexp) {
		t.Helper()
		seen := map[string]bool{}
		wait(d, func(b []byte) bool {
			for _, n := range names {
				if !seen[n] && row(n).Match(b) {
					seen[n] = true
				}
			}
			return len(seen) == len(names)
		})
		t.Logf("%s: every image (%s) seen in the watch after %s", what, strings.Join(names, ", "), time.Since(begin).Round(time.Second))
	}
	row := func(primary, a, b string) func(string) *regexp.Regexp {
		return func(n string) *regexp.Regexp {
			return regexp.MustCompile(regexp.QuoteMeta("rbd/"+n) + `\s+` + primary + `\s+` + regexp.QuoteMeta(a) + `\s+` + regexp.QuoteMeta(b))
		}
	}

	// sameBytes compares every byte of every image between the sites.
	sameBytes := func(when string) {
		t.Helper()
		for _, n := range names {
			sum := func(conf string) string {
				out, err := exec.CommandContext(ctx, "sh", "-c", "rbd -c "+conf+" --id admin export --no-progress rbd/"+n+" - | sha256sum").Output()
				if err != nil {
					t.Fatalf("export rbd/%s: %v", n, err)
				}
				return strings.Fields(string(out))[0]
			}
			a, b := sum(st.Site("site-a").Conf), sum(st.Site("site-b").Conf)
			if a != b {
				t.Fatalf("%s: rbd/%s differs between the sites (sha256 %s on site-a, %s on site-b)", when, n, a, b)
			}
		}
		t.Logf("%s: every byte of %d images is the same on both sites", when, len(names))
	}
	// timelineInOrder checks, in what the watch drew during a run, that
	// every image's demotion on from and promotion on to are on the
	// timeline with their times, the demotion first, and that to's copy
	// changed state.
	timelineInOrder := func(b []byte, from, to, runStart string) {
		t.Helper()
		for _, n := range names {
			// at is the time of the first such event at or after since
			// (the timeline also holds the last 15 minutes before).
			at := func(site, kind, since string) string {
				re := regexp.MustCompile(`(\d\d:\d\d:\d\d)\s+` + site + `\s+\S+ ` + kind + `\s+` + regexp.QuoteMeta("rbd/"+n) + `\s`)
				for _, m := range re.FindAllSubmatch(b, -1) {
					if string(m[1]) >= since {
						return string(m[1])
					}
				}
				t.Fatalf("the watch's timeline never showed %s on %s for rbd/%s (at or after %s)", kind, site, n, since)
				return ""
			}
			dem := at(from, "demoted", runStart)
			state := at(to, "state", dem)
			pro := at(to, "promoted", dem)
			if dem > pro {
				t.Errorf("rbd/%s: promoted on %s at %s before demoted on %s at %s", n, to, pro, from, dem)
			}
			t.Logf("timeline rbd/%s: demoted on %s %s, state change on %s %s, promoted on %s %s", n, from, dem, to, state, to, pro)
		}
	}

	// nowPrimary matches the wizard's fresh read of the pool: every
	// mirrored image primary on site.
	nowPrimary := func(site string) *regexp.Regexp {
		if site == "site-a" {
			return regexp.MustCompile(`now: site-a: \d+ primary · site-b: \d+ non-primary \(read from the sites`)
		}
		return regexp.MustCompile(`now: site-a: \d+ non-primary · site-b: \d+ primary \(read from the sites`)
	}

	failover := func(from, to string) {
		t.Helper()
		start := time.Now()
		key("F")
		wait(10*time.Second, contains("What fails over?"))
		key("enter")
		// Where the pool is primary, read from the sites when the wizard
		// opened; the plan below shows the default direction follows it.
		wait(20*time.Second, func(b []byte) bool { return nowPrimary(from).Match(b) })
		key("enter")
		// One frame holds both (WaitFor consumes what it read).
		plan, ok := []byte("planned failover of pool rbd: "+from+" → "+to), []byte("no problems")
		wait(30*time.Second, func(b []byte) bool { return bytes.Contains(b, plan) && bytes.Contains(b, ok) })
		key("enter")
		wait(10*time.Second, contains("$ rbdtui failover --pool rbd --from "+from+" --to "+to+" --yes"))
		key("y")
		outMu.Lock()
		runMark := len(out)
		outMu.Unlock()
		wait(30*time.Second, contains("Running: rbdtui failover --pool rbd"))
		// While it runs, the live watch under the progress shows every
		// image primary on the old side, then primary on the new side.
		if from == "site-a" {
			every("running: primary on site-a, replaying on site-b", time.Minute, row("site-a", "◆ primary", "● up+replaying"))
		} else {
			every("running: primary on site-b, replaying on site-a", time.Minute, row("site-b", "● up+replaying", "◆ primary"))
		}
		every("running: primary on "+to, 5*time.Minute, func(n string) *regexp.Regexp {
			return regexp.MustCompile(regexp.QuoteMeta("rbd/"+n) + `\s+` + to + `\s`)
		})
		// The wizard ends in the watch of the pool, where the new
		// direction's replay is seen to start.
		wait(5*time.Minute, contains("watch rbd"))
		t.Logf("failover %s -> %s: the wizard handed off to the watch after %s", from, to, time.Since(start).Round(time.Second))
		if to == "site-b" {
			every("primary on site-b, replaying on site-a", 2*time.Minute, row("site-b", "● up+replaying", "◆ primary"))
		} else {
			every("primary on site-a, replaying on site-b", 2*time.Minute, row("site-a", "◆ primary", "● up+replaying"))
		}
		t.Logf("failover %s -> %s took %s from F to the watch showing every image", from, to, time.Since(start).Round(time.Second))
		outMu.Lock()
		drawn := slices.Clone(out[runMark:])
		outMu.Unlock()
		timelineInOrder(drawn, from, to, start.Format("15:04:05"))
	}

	wait(30*time.Second, contains("site-b HEALTH_"))
	key("j")
	key("enter")
	wait(30*time.Second, contains("By state"))
	failover("site-a", "site-b")
	waitState("site-b", "site-a", time.Minute)
	sameBytes("after the failover to site-b")

	// Back to the tree (the watch closes with esc), and fail back.
	key("esc")
	wait(10*time.Second, contains("Sites"))
	failover("site-b", "site-a")
	waitState("site-a", "site-b", time.Minute)
	sameBytes("after the failback to site-a")

	// A third F proposes site-a -> site-b again; the no-op direction,
	// chosen by hand, is refused with its reason and runs nothing.
	key("esc")
	wait(10*time.Second, contains("Sites"))
	key("F")
	wait(10*time.Second, contains("What fails over?"))
	key("enter")
	wait(20*time.Second, func(b []byte) bool { return nowPrimary("site-a").Match(b) })
	key("enter")
	plan, ok := []byte("planned failover of pool rbd: site-a → site-b"), []byte("no problems")
	wait(30*time.Second, func(b []byte) bool { return bytes.Contains(b, plan) && bytes.Contains(b, ok) })
	key("b") // back to the direction
	key("l") // from: site-b
	key("j")
	key("l") // to: site-a
	wait(10*time.Second, contains("already primary on site-a: nothing to do"))
	key("enter")
	wait(30*time.Second, contains("Run is not offered: this direction changes nothing"))
	key("enter")
	key("y")
	key("esc")
	key("esc")
	key("esc")

	rec.mu.Lock()
	var got []string
	for _, a := range rec.argvs {
		if len(a) > 0 && a[0] == "failover" {
			got = append(got, strings.Join(a, " "))
		}
	}
	rec.mu.Unlock()
	want := []string{"failover --pool rbd --from site-a --to site-b --yes", "failover --pool rbd --from site-b --to site-a --yes"}
	if !slices.Equal(got, want) {
		t.Fatalf("the console ran %q, want %q", got, want)
	}
	key("q")
	fm := tm.FinalModel(t, teatest.WithFinalTimeout(10*time.Second))
	if v := fm.View(); !strings.Contains(v, "rbd mirror image demote") {
		t.Errorf("the command log does not show the failover's rbd equivalent:\n%s", v)
	}
	t.Logf("end to end, both failovers: %s", time.Since(begin).Round(time.Second))
}
