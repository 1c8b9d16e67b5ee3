package ui

import (
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
)

// stubScreen records what the App routes to a screen.
type stubScreen struct {
	name    string
	inited  int
	keys    []string
	actions []string
	msgs    []tea.Msg
	// takeRaw makes Key consume every key (a focused text field).
	takeRaw bool
}

type stubMsg struct{ n int }

func (s *stubScreen) Name() string  { return s.name }
func (s *stubScreen) Title() string { return "stub " + s.name }
func (s *stubScreen) Init() tea.Cmd { s.inited++; return nil }
func (s *stubScreen) Key(k tea.KeyMsg) (tea.Cmd, bool) {
	if s.takeRaw {
		s.keys = append(s.keys, k.String())
	}
	return nil, s.takeRaw
}
func (s *stubScreen) Action(b Binding) (tea.Cmd, bool) {
	switch b.Action {
	case ActionUp, ActionDown, "stub-do":
		s.actions = append(s.actions, b.Action)
		return nil, true
	}
	return nil, false
}
func (s *stubScreen) Update(msg tea.Msg) tea.Cmd {
	if m, ok := msg.(stubMsg); ok {
		s.msgs = append(s.msgs, m)
	}
	return nil
}
func (s *stubScreen) View(w, h int) []string {
	out := make([]string, h)
	out[0] = "STUB SCREEN " + s.name + strings.Repeat("=", w) // wider than w: the App clips
	return out
}

func TestScreenStackRoutesKeysMessagesAndView(t *testing.T) {
	km := DefaultKeyMap()
	// A screen-scoped binding may reuse a key of the tree ("a" is the
	// actions menu there); on the screen its own binding wins.
	km.bindings = append(km.bindings, Binding{Action: "stub-do", Keys: []string{"a"}, Help: "do the stub thing", Hint: true, Scope: "stub"})
	h := newHarness(t, lab(), withCommands, func(c *Common) { c.Keys = km })
	h.init()
	s := &stubScreen{name: "stub"}
	h.run(pushScreen(s))
	if s.inited != 1 || h.a.topScreen() != s {
		t.Fatalf("push did not open and init the screen: inited=%d", s.inited)
	}
	h.wantView("STUB SCREEN stub", "stub stub", "do-the"[:0])
	for _, line := range strings.Split(h.view(), "\n") {
		if strings.Contains(line, "/ filter") || strings.Contains(line, "a actions") {
			t.Fatalf("tree-only hints shown on a screen: %q", line)
		}
	}
	h.wantView("a stub-do", "? help")

	h.press("j", "k", "a")
	if got := strings.Join(s.actions, ","); got != "down,up,stub-do" {
		t.Fatalf("screen got actions %q, want down,up,stub-do", got)
	}
	if h.a.overlay == overlayMenu {
		t.Fatal("the tree's 'a' (actions menu) ran on the screen")
	}
	// A tree-only binding is refused with a flash, not run.
	h.press("/")
	if h.a.filterIn != nil {
		t.Fatal("the tree's filter opened on a screen")
	}
	h.wantView("not on the stub stub screen")

	// Messages the App does not own reach the screen.
	h.send(stubMsg{7})
	if len(s.msgs) != 1 {
		t.Fatalf("screen got %d messages, want 1", len(s.msgs))
	}

	// Global actions still work on a screen: palette, help.
	h.press(":")
	if h.a.palette == nil {
		t.Fatal("palette did not open on a screen")
	}
	h.press("esc")
	h.press("?")
	if h.a.overlay != overlayHelp {
		t.Fatal("help did not open on a screen")
	}
	h.wantView("do the stub thing")
	h.press("?")

	// A screen with a focused text field takes raw keys, q included.
	s.takeRaw = true
	h.press("q", "x")
	if h.quit || strings.Join(s.keys, "") != "qx" {
		t.Fatalf("raw keys: quit=%v keys=%v", h.quit, s.keys)
	}
	s.takeRaw = false

	// Replace swaps the top; esc pops back to the tree.
	s2 := &stubScreen{name: "stub2"}
	h.run(replaceScreen(s2))
	if h.a.topScreen() != s2 || len(h.a.screens) != 1 || s2.inited != 1 {
		t.Fatalf("replace: top=%v screens=%d", h.a.topScreen(), len(h.a.screens))
	}
	h.press("esc")
	if h.a.topScreen() != nil {
		t.Fatal("esc did not close the screen")
	}
	h.wantView("Sites")
}

func TestScreenScopedKeysMayRepeatAcrossScopesOnly(t *testing.T) {
	km := DefaultKeyMap()
	km.bindings = append(km.bindings,
		Binding{Action: "one", Keys: []string{"x"}, Scope: "s1"},
		Binding{Action: "two", Keys: []string{"y"}, Scope: "s2"})
	if err := km.Rebind(map[string][]string{"two": {"x"}}); err != nil {
		t.Fatalf("the same key on two screens was refused: %v", err)
	}
	if err := km.Rebind(map[string][]string{"one": {"z"}, "two": {"z", "w"}}); err != nil {
		t.Fatal(err)
	}
	km.bindings = append(km.bindings, Binding{Action: "three", Keys: []string{"v"}, Scope: "s1"})
	err := km.Rebind(map[string][]string{"three": {"z"}})
	if err == nil || !strings.Contains(err.Error(), `"z" would be bound to both "one" and "three"`) {
		t.Fatalf("a key twice on one screen: err = %v", err)
	}
	if b, ok := km.MatchIn("s2", "w"); !ok || b.Action != "two" {
		t.Fatalf("MatchIn(s2, w) = %v %v", b.Action, ok)
	}
	if _, ok := km.Match("w"); !ok {
		t.Fatal("w is watch on the tree")
	}
	if b, _ := km.MatchIn("s1", "j"); b.Action != ActionDown {
		t.Fatalf("shared navigation missing on a screen: j = %q", b.Action)
	}
	if _, ok := km.MatchIn("s1", "/"); ok {
		t.Fatal("the tree's filter key matched on a screen")
	}
}
