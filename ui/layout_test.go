package ui

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"

	"github.com/rbdtui/rbdtui/model"
	"github.com/rbdtui/rbdtui/themes"
	"github.com/rbdtui/rbdtui/ui/uitest"
)

// checkFrame asserts the layout invariants: no line wider than the terminal,
// and exactly as many lines as it is high, so nothing scrolls or wraps.
func checkFrame(t *testing.T, view string, w, h int) {
	t.Helper()
	lines := strings.Split(view, "\n")
	if len(lines) != h {
		t.Errorf("%dx%d: %d lines, want %d", w, h, len(lines), h)
	}
	for i, l := range lines {
		if lw := ansi.StringWidth(l); lw > w {
			t.Errorf("%dx%d: line %d is %d wide: %q", w, h, i, lw, l)
		}
	}
}

func TestLayoutSweep(t *testing.T) {
	if testing.Short() {
		t.Skip("layout sweep skipped in -short mode")
	}
	// Long names, a long error and many pools stress every width.
	f := fullLab()
	f.SetSites(
		model.Site{Name: "site-a", Conf: "/etc/ceph/site-a.conf"},
		model.Site{Name: "site-b", Conf: "/etc/ceph/site-b.conf"},
		model.Site{Name: "a-site-with-a-remarkably-long-name-for-a-ceph-cluster", Conf: "/etc/ceph/" + strings.Repeat("deep/", 20) + "ceph.conf"},
	)
	f.Fail("a-site-with-a-remarkably-long-name-for-a-ceph-cluster",
		errors.New(strings.Repeat("rados_connect: connection timed out talking to mon.c at 198.51.100.7:3300; ", 5)))
	var pools []model.Pool
	for i := range 60 {
		pools = append(pools, model.Pool{Site: "site-b", Name: fmt.Sprintf("pool-with-a-long-name-%02d", i), ID: int64(i), MirrorMode: "image", SiteName: "site-b"})
	}
	f.SetPools("site-b", pools...)

	scenarios := map[string][]string{
		"site":        nil,
		"pool":        {"j"},
		"deep pool":   {"G", "k"},
		"unreachable": {"G"},
		"help":        {"?"},
		"collapsed":   {"h"},
		"pool open":   {"j", "enter"},
		"image":       {"j", "enter", "j", "j", "j", "j"},
		"group":       {"j", "enter", "j"},
		"journal":     {"j", "enter", "j", "j", "j", "j", "enter", "j"},
		"filter":      {"/", "v", "o", "l"},
		"filter kept": {"/", "!", "r", "e", "p", "enter"},
		"palette":     {":", "m", "i", "r", "tab", "i"},
		"menu":        {"j", "enter", "j", "j", "j", "j", "a"},
		"confirm":     {"j", "enter", "j", "j", "j", "j", "D"},
		"typed":       {"j", "enter", "j", "j", "j", "j", "X"},
		"form":        {"j", "M"},
		"marks":       {"j", "enter", "j", "space", "space"},
		"log hidden":  {"L"},
		"watch":       {"j", "w"},
		"watch down":  {"G", "k", "k", "w"},
		// The failover wizard's steps (site-a/rbd): scope, plan, typed
		// confirmation of a forced failover.
		"wizard scope":   {"j", "F"},
		"wizard plan":    {"j", "F", "enter", "enter"},
		"wizard confirm": {"j", "F", "enter", "down", "down", "right", "enter", "enter", "r"},
	}
	// The journal inspector (a corrupt journal, so every part shows), on
	// each step, with an entry's detail and the import confirmation.
	f.SetInspectJournal(uitest.InspectJournal{Header: inspectHeader(), Scan: corruptScan(),
		Imports: map[string]model.ImportCheck{"/tmp/vol1.journal": {Entries: 40, Tags: []uint64{2}, JournalID: "other"}}})
	inspect := append([]string{":"}, strings.Split("inspect rbd/vol1", "")...)
	inspect = append(inspect, "enter")
	for name, keys := range map[string][]string{
		"inspector header":  nil,
		"inspector clients": {"tab"},
		"inspector scan":    {"tab", "tab"},
		"inspector entries": {"tab", "tab", "tab", "t", "enter"},
		"inspector import":  {"i", "enter"},
	} {
		scenarios[name] = append(slices.Clone(inspect), keys...)
	}
	planner := uitest.WithPlanner(f)
	planner.OnPlan(labPlan)
	for _, name := range themes.Names() {
		th, _ := themes.Load(name)
		styles := NewStyles(th)
		for scenario, keys := range scenarios {
			t.Run(name+"/"+scenario, func(t *testing.T) {
				wiz := strings.HasPrefix(scenario, "wizard")
				ro := !strings.Contains("menu confirm typed form", scenario) && scenario != "inspector import" && !wiz
				h := newHarness(t, f, withCommands, func(c *Common) { c.Styles = styles; c.Refresh = 30e9; c.ReadOnly = ro; c.Backend = planner })
				h.init()
				h.press(keys...)
				want := map[string]bool{
					"menu": h.a.overlay == overlayMenu, "confirm": h.a.overlay == overlayDialog,
					"typed": h.a.overlay == overlayDialog, "form": h.a.overlay == overlayDialog,
					"palette": h.a.palette != nil, "watch": h.a.topScreen() != nil, "watch down": h.a.topScreen() != nil, "filter": h.a.filterIn != nil, "help": h.a.overlay == overlayHelp,
				}
				if strings.HasPrefix(scenario, "inspector") {
					s, ok := h.a.topScreen().(*inspector)
					want[scenario] = ok && (scenario != "inspector import" || (s.form != nil && s.form.confirm))
				}
				if w, ok := h.a.topScreen().(*wizard); wiz {
					want[scenario] = ok && map[string]wizStep{"wizard scope": wizScope, "wizard plan": wizPlan, "wizard confirm": wizConfirm}[scenario] == w.step
				}
				if ok, listed := want[scenario]; listed && !ok {
					t.Fatalf("keys %v did not reach the %s screen", keys, scenario)
				}
				for w := MinWidth; w <= 250; w += 10 {
					for ht := 20; ht <= 80; ht += 6 {
						h.send(sizeMsg(w, ht))
						checkFrame(t, h.view(), w, ht)
					}
				}
				h.send(sizeMsg(MinWidth, MinHeight))
				v := h.view()
				checkFrame(t, v, MinWidth, MinHeight)
				if strings.Contains(v, "too small") {
					t.Errorf("%dx%d is the supported minimum but shows the too-small screen", MinWidth, MinHeight)
				}
			})
		}
	}
}

func TestTooSmall(t *testing.T) {
	h := newHarness(t, lab())
	h.init()
	for _, sz := range [][2]int{{59, 16}, {60, 15}, {59, 40}, {200, 10}, {40, 12}, {18, 3}, {10, 2}, {1, 1}} {
		w, ht := sz[0], sz[1]
		h.send(sizeMsg(w, ht))
		v := h.view()
		lines := strings.Split(v, "\n")
		if len(lines) > ht {
			t.Errorf("%dx%d: %d lines", w, ht, len(lines))
		}
		for i, l := range lines {
			if lw := ansi.StringWidth(l); lw > w {
				t.Errorf("%dx%d: line %d is %d wide: %q", w, ht, i, lw, l)
			}
		}
		if w >= 18 && !strings.Contains(v, "terminal too small") {
			t.Errorf("%dx%d: no too-small message:\n%s", w, ht, v)
		}
		if w >= 40 && ht >= 3 && !strings.Contains(v, fmt.Sprintf("%dx%d, need at least %dx%d", w, ht, MinWidth, MinHeight)) {
			t.Errorf("%dx%d: the message does not give the sizes:\n%s", w, ht, v)
		}
	}
	// The keys still work on the too-small screen.
	h.press("q")
	if !h.quit {
		t.Error("q does not quit from the too-small screen")
	}
}

func TestUnsizedViewIsEmpty(t *testing.T) {
	h := newHarness(t, lab(), func(c *Common) { c.Width, c.Height = 0, 0 })
	h.init()
	if v := h.view(); v != "" {
		t.Fatalf("unsized view = %q, want empty until the first WindowSizeMsg", v)
	}
}

// TestLayoutSweepWithColour repeats a coarse sweep with escape sequences in
// the output, where a width computed on bytes or a truncation that cuts an
// escape in half would show. The profile is global, so this test must not
// run in parallel with others.
func TestLayoutSweepWithColour(t *testing.T) {
	lipgloss.SetColorProfile(termenv.TrueColor)
	defer lipgloss.SetColorProfile(termenv.Ascii)

	f := lab()
	f.Fail("site-b", errors.New(strings.Repeat("mon unreachable; ", 12)))
	for _, name := range themes.Names() {
		th, _ := themes.Load(name)
		h := newHarness(t, f, func(c *Common) { c.Styles = NewStyles(th) })
		h.init()
		for _, keys := range [][]string{nil, {"j"}, {"G"}, {"?"}} {
			h.press(keys...)
			for w := MinWidth; w <= 250; w += 38 {
				for ht := MinHeight; ht <= 80; ht += 16 {
					h.send(sizeMsg(w, ht))
					v := h.view()
					if !strings.Contains(v, "\x1b[") {
						t.Fatalf("%s: no escape sequences; the colour profile did not apply", name)
					}
					checkFrame(t, v, w, ht)
				}
			}
			if h.a.overlay == overlayHelp {
				h.press("?")
			}
		}
	}
}
