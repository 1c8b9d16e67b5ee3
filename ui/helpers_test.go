package ui

import (
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/rbdtui/rbdtui/model"
	"github.com/rbdtui/rbdtui/ui/uitest"
)

// TestMain pins the colour profile: lipgloss otherwise reads it from the
// environment, and goldens would differ between a terminal, CI and NO_COLOR.
func TestMain(m *testing.M) {
	lipgloss.SetColorProfile(termenv.Ascii)
	os.Exit(m.Run())
}

// t0 is the fixed "now" of every test; probes are stamped with it too.
var t0 = time.Date(2025, 3, 14, 9, 30, 0, 0, time.UTC)

// clock is a fake clock that a test can move while the program under test
// reads it from its own goroutine.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock { return &clock{now: t0} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// lab is the two-site fixture most tests start from, shaped like the real
// lab: both sites healthy enough to answer, pools in each mirroring mode.
func lab() *uitest.Fixture {
	f := uitest.New(
		model.Site{Name: "site-a", Conf: "/etc/ceph/site-a.conf", Client: "client.rbdtui", Keyring: "/etc/ceph/site-a.client.rbdtui.keyring"},
		model.Site{Name: "site-b", Conf: "/etc/ceph/site-b.conf", Client: "client.rbdtui", Keyring: "/etc/ceph/site-b.client.rbdtui.keyring"},
	)
	f.SetStatus(model.SiteStatus{
		Site: "site-a", Reachable: true, FSID: "3f6a8d2e-5b1c-4e7a-9d0f-2c4b6a8e1f30",
		Health: model.HealthOK, MonAddr: "[v2:192.0.2.10:3300/0,v1:192.0.2.10:6789/0]",
		Client: "client.rbdtui", Latency: 1800 * time.Microsecond, MirrorDaemons: 1, CheckedAt: t0,
	})
	f.SetStatus(model.SiteStatus{
		Site: "site-b", Reachable: true, FSID: "9c1e4b7a-2d3f-4a5b-8c6d-7e8f9a0b1c2d",
		Health: model.HealthWarn, MonAddr: "[v2:192.0.2.20:3300/0,v1:192.0.2.20:6789/0]",
		Client: "client.rbdtui", Latency: 2400 * time.Microsecond, MirrorDaemons: 1, CheckedAt: t0,
	})
	f.SetPools("site-a",
		model.Pool{Site: "site-a", Name: "rbd", ID: 2, MirrorMode: "image", SiteName: "site-a", Peers: 1, Images: 12},
		model.Pool{Site: "site-a", Name: "vms", ID: 3, MirrorMode: "pool", SiteName: "site-a", Peers: 1, Images: 40},
		model.Pool{Site: "site-a", Name: "backup", ID: 4, MirrorMode: "disabled", Images: 3},
	)
	f.SetPools("site-b",
		model.Pool{Site: "site-b", Name: "rbd", ID: 2, MirrorMode: "image", SiteName: "site-b", Peers: 1, Images: 12},
		model.Pool{Site: "site-b", Name: "vms", ID: 3, MirrorMode: "pool", SiteName: "site-b", Peers: 1, Images: 40},
	)
	return f
}

// timerMsg stands in for a timer the App asked for. The harness collects
// these instead of sleeping, and a test fires them when it chooses.
type timerMsg struct {
	d   time.Duration
	msg tea.Msg
}

// harness drives an App through Update alone, running every Cmd to
// completion synchronously, so a test reads as a sequence of events.
type harness struct {
	t      testing.TB
	a      *App
	f      *uitest.Fixture
	clock  *clock
	timers []timerMsg
	quit   bool
}

func newHarness(t testing.TB, f *uitest.Fixture, opts ...func(*Common)) *harness {
	t.Helper()
	h := &harness{t: t, f: f, clock: newClock()}
	c := Common{Backend: f, Width: 100, Height: 30, Now: h.clock.Now}
	for _, o := range opts {
		o(&c)
	}
	h.a = New(c)
	h.a.after = func(d time.Duration, fn func(time.Time) tea.Msg) tea.Cmd {
		return func() tea.Msg { return timerMsg{d, fn(h.clock.Now().Add(d))} }
	}
	return h
}

// run executes cmd and everything it leads to, feeding messages to Update.
func (h *harness) run(cmd tea.Cmd) {
	h.t.Helper()
	queue := []tea.Cmd{cmd}
	for len(queue) > 0 {
		c := queue[0]
		queue = queue[1:]
		if c == nil {
			continue
		}
		switch m := c().(type) {
		case nil:
		case tea.BatchMsg:
			queue = append(queue, m...)
		case timerMsg:
			h.timers = append(h.timers, m)
		case tea.QuitMsg:
			h.quit = true
		default:
			_, next := h.a.Update(m)
			queue = append(queue, next)
		}
	}
}

func (h *harness) init() { h.run(h.a.Init()) }

func (h *harness) send(msg tea.Msg) {
	h.t.Helper()
	_, cmd := h.a.Update(msg)
	h.run(cmd)
}

// press sends literal keys, to test the default bindings themselves.
func (h *harness) press(keys ...string) {
	h.t.Helper()
	for _, k := range keys {
		h.send(keyMsg(k))
	}
}

// do presses the first key bound to action, so tests of behaviour survive
// a change of default keys.
func (h *harness) do(action string) {
	h.t.Helper()
	b, ok := h.a.c.Keys.Lookup(action)
	if !ok || len(b.Keys) == 0 {
		h.t.Fatalf("no key bound to %q", action)
	}
	h.press(b.Keys[0])
}

// fire delivers, and forgets, the pending timers whose message matches.
func (h *harness) fire(match func(tea.Msg) bool) int {
	h.t.Helper()
	var due, keep []timerMsg
	for _, tm := range h.timers {
		if match(tm.msg) {
			due = append(due, tm)
		} else {
			keep = append(keep, tm)
		}
	}
	h.timers = keep
	for _, tm := range due {
		h.send(tm.msg)
	}
	return len(due)
}

func (h *harness) refreshTicks() []refreshTickMsg {
	var out []refreshTickMsg
	for _, tm := range h.timers {
		if m, ok := tm.msg.(refreshTickMsg); ok {
			out = append(out, m)
		}
	}
	return out
}

func (h *harness) cursor() string { return h.a.tree.cursor }

func (h *harness) view() string { return h.a.View() }

func (h *harness) wantView(substrs ...string) {
	h.t.Helper()
	v := h.view()
	for _, s := range substrs {
		if !strings.Contains(v, s) {
			h.t.Errorf("view lacks %q:\n%s", s, v)
		}
	}
}

func (h *harness) wantNoView(substrs ...string) {
	h.t.Helper()
	v := h.view()
	for _, s := range substrs {
		if strings.Contains(v, s) {
			h.t.Errorf("view should not contain %q:\n%s", s, v)
		}
	}
}

// selectableIDs lists the ids the cursor can visit, in order.
func (h *harness) selectableIDs() []string {
	var ids []string
	for _, r := range h.a.tree.rows {
		if r.selectable() {
			ids = append(ids, r.id)
		}
	}
	return ids
}

// keyMsg builds the tea.KeyMsg whose String() is k.
func keyMsg(k string) tea.KeyMsg {
	special := map[string]tea.KeyType{
		"up": tea.KeyUp, "down": tea.KeyDown, "left": tea.KeyLeft, "right": tea.KeyRight,
		"enter": tea.KeyEnter, "esc": tea.KeyEsc, "home": tea.KeyHome, "end": tea.KeyEnd,
		"pgup": tea.KeyPgUp, "pgdown": tea.KeyPgDown, "ctrl+c": tea.KeyCtrlC,
		"space": tea.KeySpace, "tab": tea.KeyTab, "shift+tab": tea.KeyShiftTab,
		"backspace": tea.KeyBackspace, "ctrl+u": tea.KeyCtrlU,
		"ctrl+f": tea.KeyCtrlF, "ctrl+b": tea.KeyCtrlB, "ctrl+d": tea.KeyCtrlD,
		"f1": tea.KeyF1, "f2": tea.KeyF2, "f3": tea.KeyF3, "f4": tea.KeyF4, "f5": tea.KeyF5, "f6": tea.KeyF6,
		"f7": tea.KeyF7, "f8": tea.KeyF8, "f9": tea.KeyF9, "f10": tea.KeyF10, "f11": tea.KeyF11, "f12": tea.KeyF12,
	}
	if t, ok := special[k]; ok {
		return tea.KeyMsg{Type: t}
	}
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k)}
}

func TestKeyMsgSpelling(t *testing.T) {
	for _, b := range DefaultKeyMap().Bindings() {
		for _, k := range b.Keys {
			if got := keyName(keyMsg(k)); got != k {
				t.Errorf("keyMsg(%q).String() = %q; the binding could never match", k, got)
			}
		}
	}
}

func sizeMsg(w, h int) tea.WindowSizeMsg { return tea.WindowSizeMsg{Width: w, Height: h} }

// typeText sends each rune of s as its own key press, as a person types.
func (h *harness) typeText(s string) {
	h.t.Helper()
	for _, r := range s {
		if r == ' ' {
			h.send(tea.KeyMsg{Type: tea.KeySpace, Runes: []rune{' '}})
			continue
		}
		h.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
	}
}

// flatten expands a Cmd that may be a batch into its Cmds.
func flatten(cmd tea.Cmd) []tea.Cmd {
	if cmd == nil {
		return nil
	}
	m := cmd()
	if b, ok := m.(tea.BatchMsg); ok {
		var out []tea.Cmd
		for _, c := range b {
			out = append(out, flatten(c)...)
		}
		return out
	}
	return []tea.Cmd{func() tea.Msg { return m }}
}
