package ui

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// Action names are the stable identifiers of what a key does. Config files
// remap keys by these names, so renaming one breaks users' configs.
const (
	ActionUp       = "up"
	ActionDown     = "down"
	ActionTop      = "top"
	ActionBottom   = "bottom"
	ActionPageUp   = "page-up"
	ActionPageDown = "page-down"
	ActionExpand   = "expand"
	ActionCollapse = "collapse"
	ActionBack     = "back"
	ActionMark     = "mark"
	ActionFilter   = "filter"
	ActionPalette  = "palette"
	ActionMenu     = "actions"
	ActionLog      = "log"
	ActionOutput   = "output"
	ActionRefresh  = "refresh"
	ActionHelp     = "help"
	ActionQuit     = "quit"

	// Screens opened from the tree.
	ActionWatch    = "watch"
	ActionFailover = "failover"
	ActionInspect  = "inspect-journal"
)

// NodeKind says what kind of tree node the cursor is on.
type NodeKind int

const (
	NodeNone NodeKind = iota // nothing selectable (empty tree)
	NodeSite
	NodePool
	NodeImage
	NodeGroup
	NodeJournal
)

// String names a node kind the way messages do.
func (k NodeKind) String() string {
	switch k {
	case NodeSite:
		return "site"
	case NodePool:
		return "pool"
	case NodeImage:
		return "image"
	case NodeGroup:
		return "group"
	case NodeJournal:
		return "journal"
	}
	return "nothing"
}

// KeyContext is what a binding may look at to decide whether it applies
// right now. It is a plain value so Disabled funcs stay pure and testable.
type KeyContext struct {
	Node        NodeKind
	ID          string // stable id of the node under the cursor
	Expanded    bool   // the node under the cursor is expanded
	HasChildren bool   // the node under the cursor has children loaded
	Refreshing  bool   // a refresh is in flight
	ReadOnly    bool
	Filter      string // the active filter
	Marks       int    // number of marked rows
	HasOutput   bool   // a command has produced output to show
	// Targets are what an action would act on: the marked rows, or the
	// row under the cursor when nothing is marked.
	Targets []Target
	// Available reports whether the build's grammar has a command; nil
	// means every command is available.
	Available func(cmd string) bool
	// Screen is the Name of the screen on top, "" for the tree. Hints and
	// help show that screen's bindings.
	Screen string
	// ScreenUses, when set, says which shared actions the screen on top
	// does something with (see actionUser); hints and help leave out the
	// others.
	ScreenUses func(action string) bool
}

// offers reports whether hints and help should list b now.
func (ctx KeyContext) offers(b Binding) bool {
	if !b.OnScreen(ctx.Screen) {
		return false
	}
	return ctx.Screen == "" || b.Scope != "" || ctx.ScreenUses == nil || ctx.ScreenUses(b.Action)
}

// Binding ties an action to its keys and its description. Keys are written
// as tea.KeyMsg.String() spells them: "j", "up", "enter", "ctrl+c", "G".
type Binding struct {
	Action string
	Keys   []string
	Help   string
	// Hint puts the binding on the bottom hint line; every binding is in
	// the help overlay.
	Hint bool
	// Dangerous bindings change cluster state; read-only mode removes them
	// from dispatch, hints and help alike, so they are absent, not failing.
	Dangerous bool
	// Disabled, when set, returns why the action cannot run now, or "" if
	// it can. The reason is flashed when the key is pressed anyway and
	// shown in the help overlay.
	Disabled func(KeyContext) string
	// Scope is the screen the binding belongs to (ScopeWatch, ...); ""
	// is the tree, whose navigation bindings the screens share. A key may
	// be bound once per scope; on a screen, its own binding of a key wins.
	Scope string
}

// OnScreen reports whether b is offered on the named screen ("" = tree):
// the screen's own bindings, and the shared ones it uses.
func (b Binding) OnScreen(screen string) bool {
	if screen == "" {
		return b.Scope == ""
	}
	return b.Scope == screen || (b.Scope == "" && sharedActions[b.Action])
}

// sharedActions are the tree's bindings every screen offers too:
// navigation, the ways out and the views around the body.
var sharedActions = map[string]bool{
	ActionUp: true, ActionDown: true, ActionTop: true, ActionBottom: true,
	ActionPageUp: true, ActionPageDown: true, ActionExpand: true, ActionCollapse: true,
	ActionBack: true, ActionPalette: true, ActionLog: true, ActionOutput: true,
	ActionRefresh: true, ActionHelp: true, ActionQuit: true,
}

// reason is why b cannot run now, or "". On a screen the tree's reasons
// (about the row under the cursor) do not apply: the screen decides.
func (ctx KeyContext) reason(b Binding) string {
	if ctx.Screen != "" {
		return ""
	}
	return b.DisabledReason(ctx)
}

// DisabledReason reports why b cannot run in ctx, or "" if it can.
func (b Binding) DisabledReason(ctx KeyContext) string {
	if b.Disabled == nil {
		return ""
	}
	return b.Disabled(ctx)
}

// KeyMap is the one registry of key bindings. Dispatch, the hint line and the
// help overlay all read it, so a rebind shows up everywhere at once. Order is
// significant: it is the order of the hint line and the help overlay.
type KeyMap struct {
	bindings []Binding
}

// DefaultKeyMap returns the built-in bindings.
func DefaultKeyMap() *KeyMap {
	km := &KeyMap{bindings: []Binding{
		{Action: ActionUp, Keys: []string{"up", "k"}, Help: "move up"},
		{Action: ActionDown, Keys: []string{"down", "j"}, Help: "move down"},
		{Action: ActionTop, Keys: []string{"g", "home"}, Help: "go to the top"},
		{Action: ActionBottom, Keys: []string{"G", "end"}, Help: "go to the bottom"},
		{Action: ActionPageUp, Keys: []string{"pgup", "ctrl+b", "ctrl+u"}, Help: "page up"},
		{Action: ActionPageDown, Keys: []string{"pgdown", "ctrl+f", "ctrl+d"}, Help: "page down"},
		{Action: ActionExpand, Keys: []string{"enter", "l", "right"}, Help: "expand / enter", Hint: true, Disabled: expandDisabled},
		{Action: ActionCollapse, Keys: []string{"h", "left"}, Help: "collapse / go to parent", Disabled: collapseDisabled},
		{Action: ActionBack, Keys: []string{"esc"}, Help: "back: clear the filter, else the marks, else collapse", Hint: true, Disabled: backDisabled},
		{Action: ActionFilter, Keys: []string{"/"}, Help: "filter images and groups (fuzzy; !word = without word)", Hint: true},
		{Action: ActionMark, Keys: []string{"space"}, Help: "mark / unmark the row (actions apply to every marked row)", Disabled: markDisabled},
		{Action: ActionPalette, Keys: []string{":"}, Help: "command palette: any rbdtui command, tab completes", Hint: true},
		{Action: ActionMenu, Keys: []string{"a"}, Help: "actions on the selection", Hint: true},
		{Action: ActionLog, Keys: []string{"L"}, Help: "show / hide the command log"},
		{Action: ActionOutput, Keys: []string{"o"}, Help: "show the last command's output", Disabled: outputDisabled},
		{Action: ActionRefresh, Keys: []string{"r"}, Help: "refresh all sites now", Hint: true, Disabled: refreshDisabled},
		{Action: ActionHelp, Keys: []string{"?"}, Help: "toggle this help", Hint: true},
		{Action: ActionQuit, Keys: []string{"q", "ctrl+c"}, Help: "quit", Hint: true},
		{Action: ActionWatch, Keys: []string{"w"}, Help: "watch mirroring live on every site (a pool, a group or the marked images)", Hint: true, Disabled: watchDisabled},
		{Action: ActionFailover, Keys: []string{"F"}, Help: "failover wizard: scope, direction, plan, run, watch", Dangerous: true},
		{Action: ActionInspect, Keys: []string{"J"}, Help: "inspect the journal step by step (an image with journaling, or its journal)", Disabled: inspectDisabled},
	}}
	km.bindings = append(km.bindings, actionBindings()...)
	km.bindings = append(km.bindings, screenBindings()...)
	return km
}

func expandDisabled(ctx KeyContext) string {
	switch {
	case ctx.Node == NodeNone:
		return "nothing is selected"
	case ctx.Node == NodeSite && ctx.Expanded && !ctx.HasChildren:
		return ctx.ID + " has no pools to show"
	case ctx.Node == NodeImage && !ctx.HasChildren:
		return "this image has no journal to open"
	case !ctx.HasChildren:
		return "a " + ctx.Node.String() + " has nothing to expand"
	}
	return ""
}

func collapseDisabled(ctx KeyContext) string {
	switch {
	case ctx.Node == NodeNone:
		return "nothing is selected"
	case ctx.Node == NodeSite && !ctx.Expanded:
		return ctx.ID + " is already collapsed"
	}
	return ""
}

func backDisabled(ctx KeyContext) string {
	if ctx.Filter != "" || ctx.Marks > 0 {
		return ""
	}
	return collapseDisabled(ctx)
}

func markDisabled(ctx KeyContext) string {
	if ctx.Node == NodeNone {
		return "nothing is selected"
	}
	return ""
}

func watchDisabled(ctx KeyContext) string {
	if len(ctx.Targets) == 0 {
		return "nothing is selected"
	}
	if ctx.Marks > 0 {
		for _, t := range ctx.Targets {
			if t.Kind != NodeImage {
				return "marks: only images can be watched together, not a " + t.Kind.String()
			}
		}
		return ""
	}
	switch ctx.Targets[0].Kind {
	case NodePool, NodeGroup, NodeImage, NodeJournal:
		return ""
	}
	return "applies to a pool, a group or images, not to a " + ctx.Targets[0].Kind.String()
}

func inspectDisabled(ctx KeyContext) string {
	if len(ctx.Targets) != 1 {
		if len(ctx.Targets) == 0 {
			return "nothing is selected"
		}
		return "inspects one journal at a time; clear the marks"
	}
	t := ctx.Targets[0]
	switch t.Kind {
	case NodeJournal:
		return ""
	case NodeImage:
		if has, known := hasFeature(t, "journaling"); known && !has {
			return t.Name + " has no journal (journaling is not enabled)"
		}
		return ""
	}
	return "applies to an image or its journal, not to a " + t.Kind.String()
}

func outputDisabled(ctx KeyContext) string {
	if !ctx.HasOutput {
		return "no command has printed anything yet"
	}
	return ""
}

func refreshDisabled(ctx KeyContext) string {
	if ctx.Refreshing {
		return "a refresh is already running"
	}
	return ""
}

// Bindings returns a copy of the bindings in registry order.
func (km *KeyMap) Bindings() []Binding {
	out := make([]Binding, len(km.bindings))
	for i, b := range km.bindings {
		b.Keys = slices.Clone(b.Keys)
		out[i] = b
	}
	return out
}

// Actions returns the action names the registry knows, in registry order.
func (km *KeyMap) Actions() []string {
	names := make([]string, len(km.bindings))
	for i, b := range km.bindings {
		names[i] = b.Action
	}
	return names
}

// Match returns the binding a key press triggers on the tree. A space may
// be written " " (as tea.KeyMsg spells it) or "space" (as configs do).
func (km *KeyMap) Match(key string) (Binding, bool) { return km.MatchIn("", key) }

// MatchIn returns the binding a key press triggers on the named screen:
// the screen's own binding of the key, else a shared one.
func (km *KeyMap) MatchIn(screen, key string) (Binding, bool) {
	if key == " " {
		key = "space"
	}
	if screen != "" {
		for _, b := range km.bindings {
			if b.Scope == screen && slices.Contains(b.Keys, key) {
				return b, true
			}
		}
	}
	for _, b := range km.bindings {
		if b.OnScreen(screen) && slices.Contains(b.Keys, key) {
			return b, true
		}
	}
	return Binding{}, false
}

// Lookup returns the binding for an action name.
func (km *KeyMap) Lookup(action string) (Binding, bool) {
	for _, b := range km.bindings {
		if b.Action == action {
			return b, true
		}
	}
	return Binding{}, false
}

// Rebind replaces the keys of the named actions, as a config file asks. It
// is all or nothing: on any error the KeyMap is unchanged. It rejects
// unknown action names (naming every one of them and the valid names), empty
// key lists, which would make an action unreachable, and any key that would
// end up bound to two actions.
func (km *KeyMap) Rebind(keys map[string][]string) error {
	var unknown []string
	for action := range keys {
		if _, ok := km.Lookup(action); !ok {
			unknown = append(unknown, fmt.Sprintf("%q", action))
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return fmt.Errorf("unknown key action %s; valid actions are %s",
			strings.Join(unknown, ", "), strings.Join(km.Actions(), ", "))
	}

	next := km.clone()
	for i := range next.bindings {
		b := &next.bindings[i]
		ks, ok := keys[b.Action]
		if !ok {
			continue
		}
		if len(ks) == 0 {
			return fmt.Errorf("key action %q: no keys given; it would be unreachable", b.Action)
		}
		for _, k := range ks {
			if strings.TrimSpace(k) == "" {
				return fmt.Errorf("key action %q: empty key name", b.Action)
			}
		}
		b.Keys = slices.Clone(ks)
	}

	owner := map[string]string{}
	for _, b := range next.bindings {
		for _, k := range b.Keys {
			sk := b.Scope + "\x00" + k
			if prev, dup := owner[sk]; dup && prev != b.Action {
				return fmt.Errorf("key %q would be bound to both %q and %q", k, prev, b.Action)
			}
			owner[sk] = b.Action
		}
	}
	km.bindings = next.bindings
	return nil
}

func (km *KeyMap) clone() *KeyMap {
	return &KeyMap{bindings: km.Bindings()}
}

// clearDangerous drops the bindings that change cluster state, for read-only
// mode (k9s ClearDanger): a key that is absent cannot be pressed by mistake.
func (km *KeyMap) clearDangerous() {
	km.bindings = slices.DeleteFunc(km.bindings, func(b Binding) bool { return b.Dangerous })
}

// keyLabel is how a key name is shown to the operator.
func keyLabel(k string) string {
	switch k {
	case "up":
		return "↑"
	case "down":
		return "↓"
	case "left":
		return "←"
	case "right":
		return "→"
	}
	return k
}

// keysLabel joins the labels of keys for the help overlay.
func keysLabel(keys []string) string {
	labels := make([]string, len(keys))
	for i, k := range keys {
		labels[i] = keyLabel(k)
	}
	return strings.Join(labels, " ")
}
