package ui

import (
	"time"

	"github.com/rbdtui/rbdtui/internal/commands"
	"github.com/rbdtui/rbdtui/internal/grammar"
	"github.com/rbdtui/rbdtui/model"
)

const (
	// MinWidth and MinHeight are the smallest terminal the layout supports;
	// below them the console shows a "terminal too small" screen instead of a
	// garbled one.
	MinWidth  = 60
	MinHeight = 16

	// MinRefresh is the floor for Common.Refresh: faster polling would load
	// the monitors for no gain an operator could see. It matches the config
	// loader's floor so the two never disagree about an interval.
	MinRefresh = 500 * time.Millisecond

	// DefaultTimeout applies when Common.Timeout is zero.
	DefaultTimeout = 10 * time.Second

	// DefaultActionTimeout applies when Common.ActionTimeout is zero:
	// actions may wait on replication, so they get longer than a probe.
	DefaultActionTimeout = 10 * time.Minute

	// flashTTL is how long a flash message stays before it clears itself.
	flashTTL = 5 * time.Second
)

// Common is the context shared by the App and every component in it. The
// App owns one Common; children hold a pointer to it, so a resize or a
// rebind is seen everywhere at once.
type Common struct {
	// Backend is the only way to Ceph.
	Backend model.Backend
	// Styles is derived once from the theme with NewStyles. A zero value
	// is replaced by the default theme's styles.
	Styles Styles
	// Keys is the key registry. New works on its own copy, so the caller's
	// KeyMap is never altered; nil means DefaultKeyMap.
	Keys *KeyMap
	// Width and Height are the terminal size; the App updates them on
	// every tea.WindowSizeMsg. Callers may preset them (tests do).
	Width, Height int
	// Refresh is the auto-refresh interval; 0 turns auto-refresh off and
	// non-zero values below MinRefresh are raised to it.
	Refresh time.Duration
	// Timeout bounds every Backend call; 0 means DefaultTimeout.
	Timeout time.Duration
	// ReadOnly hides dangerous actions from dispatch, hints and help.
	ReadOnly bool
	// Mouse turns the mouse on (ui.mouse: true): the wheel scrolls, a
	// click selects a tree row. Off by default, so the terminal's own
	// selection and copy keep working.
	Mouse bool
	// Now is the clock used for data ages; nil means time.Now. Tests fix
	// it so rendered ages are stable.
	Now func() time.Time
	// Commands is the grammar the palette parses and the actions are
	// checked against; nil means commands.Registry(), the build's own.
	Commands *grammar.Registry
	// ActionTimeout bounds one action (Backend.Exec); 0 means
	// DefaultActionTimeout.
	ActionTimeout time.Duration
	// Start is a Screen command of the grammar to open the console on
	// ("watch rbd", "inspect rbd/vol1"), as `rbdtui watch rbd` asks.
	Start []string
}

// withDefaults fills the zero fields that have a sensible default.
func (c Common) withDefaults() Common {
	if !c.Styles.ok {
		c.Styles = DefaultStyles()
	}
	if c.Keys == nil {
		c.Keys = DefaultKeyMap()
	} else {
		c.Keys = c.Keys.clone()
	}
	if c.ReadOnly {
		c.Keys.clearDangerous()
	}
	if c.Refresh < 0 {
		c.Refresh = 0
	}
	if c.Refresh > 0 && c.Refresh < MinRefresh {
		c.Refresh = MinRefresh
	}
	if c.Timeout <= 0 {
		c.Timeout = DefaultTimeout
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Commands == nil {
		c.Commands = commands.Registry()
	}
	if c.ActionTimeout <= 0 {
		c.ActionTimeout = DefaultActionTimeout
	}
	return c
}
