package ui

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/rbdtui/rbdtui/internal/grammar"
	"github.com/rbdtui/rbdtui/model"
)

// Target is one thing an action acts on: a marked row, or the row under the
// cursor. It carries copies of what the store knew when it was taken, so an
// action's checks and argv never read the store from another goroutine.
type Target struct {
	Kind             NodeKind
	ID               string
	Site, Pool, Name string
	// ReadOnly is set when the target's site is configured read-only.
	ReadOnly bool

	PoolInfo *model.Pool
	Image    *model.Image
	Detail   *model.ImageDetail // nil until the image's detail has loaded
	Group    *model.Group
	Journal  *model.Journal // nil until the journal has loaded
}

// Spec is the target as rbd names it: pool/image, pool/group or pool.
func (t Target) Spec() string {
	if t.Kind == NodePool {
		return t.Pool
	}
	return t.Pool + "/" + t.Name
}

// confirmLevel is how hard an action is to run by mistake: the level its
// command declares (internal/commands).
type confirmLevel = grammar.Confirm

const (
	// confirmNone runs at once (after its form, if it has one).
	confirmNone = grammar.ConfirmNone
	// confirmYes asks, with Cancel as the default answer.
	confirmYes = grammar.ConfirmYes
	// confirmTyped asks for the object's name to be typed: for acts that
	// cannot be undone (force promote, resync, reset, disable).
	confirmTyped = grammar.ConfirmTyped
)

// confirmOf is how argvs must be confirmed: the highest level their
// commands declare, and the word a typed confirmation asks for (the
// object's name as the CLI asks it, or the number of targets).
func confirmOf(r *grammar.Registry, argvs [][]string) (confirmLevel, string) {
	level, word := confirmNone, ""
	for _, argv := range argvs {
		inv, err := r.Parse(argv)
		if err != nil || inv.Cmd == nil {
			continue
		}
		if l := inv.ConfirmLevel(); l > level {
			level = l
		}
		word = inv.ConfirmWord()
	}
	if len(argvs) > 1 {
		word = strconv.Itoa(len(argvs))
	}
	return level, word
}

// formField is one option an action asks for before it runs.
type formField struct {
	name  string
	label string
	// choices makes the field a choice cycled with ←/→; empty means text.
	choices func(Target) []string
	def     func(Target) string
	help    string
}

// actionSpec describes one cluster action: which nodes it applies to, the
// grammar command(s) it runs, what it asks first and how hard it is to run
// by mistake. Every action runs through Backend.Exec with an argv of the
// shared grammar, so the command log shows its rbd equivalent and the CLI
// can replay it.
type actionSpec struct {
	action string
	// cmds are the grammar commands the action may run; if the build's
	// grammar lacks any of them the action is disabled with a reason, and
	// lights up by itself when the command lands.
	cmds []string
	keys []string
	help string
	on   []NodeKind
	// How the action is confirmed is not here: it is the declaration of
	// the command its argv runs (grammar.Command.Confirm), read by the CLI
	// and the palette too.
	form []formField
	argv func(t Target, v map[string]string) []string
	// check says why the action does not apply to t ("" when it does).
	check func(t Target) string
	hint  bool
}

// withSite appends the --site global that says where a command runs.
func withSite(t Target, argv ...string) []string { return append(argv, "--site", t.Site) }

func constant(s string) func(Target) string { return func(Target) string { return s } }

func choices(cs ...string) func(Target) []string { return func(Target) []string { return cs } }

func mirrored(t Target) string {
	if t.Image == nil {
		return "the image's status has not loaded yet"
	}
	if t.Image.MirrorState != model.MirrorEnabled {
		return t.Name + " is not mirrored"
	}
	return ""
}

func hasFeature(t Target, f string) (yes, known bool) {
	if t.Detail == nil {
		return false, false
	}
	return slices.Contains(t.Detail.Features, f), true
}

// actionSpecs is the table of every cluster action the console offers.
func actionSpecs() []*actionSpec {
	return []*actionSpec{
		{
			action: "promote", cmds: []string{"mirror image promote"}, keys: []string{"P"}, hint: true,
			help: "promote the image to primary on its site", on: []NodeKind{NodeImage},
			argv: func(t Target, _ map[string]string) []string {
				return withSite(t, "mirror", "image", "promote", t.Spec())
			},
			check: func(t Target) string {
				if r := mirrored(t); r != "" {
					return r
				}
				if t.Image.Primary {
					return t.Name + " is already primary on " + t.Site
				}
				return ""
			},
		},
		{
			action: "force-promote", cmds: []string{"mirror image promote"},
			help: "force-promote the image (the peer may still be primary: split-brain risk)", on: []NodeKind{NodeImage},
			argv: func(t Target, _ map[string]string) []string {
				return withSite(t, "mirror", "image", "promote", "--force", t.Spec())
			},
			check: func(t Target) string {
				if r := mirrored(t); r != "" {
					return r
				}
				if t.Image.Primary {
					return t.Name + " is already primary on " + t.Site
				}
				return ""
			},
		},
		{
			action: "demote", cmds: []string{"mirror image demote"}, keys: []string{"D"}, hint: true,
			help: "demote the image to non-primary on its site", on: []NodeKind{NodeImage},
			argv: func(t Target, _ map[string]string) []string {
				return withSite(t, "mirror", "image", "demote", t.Spec())
			},
			check: func(t Target) string {
				if r := mirrored(t); r != "" {
					return r
				}
				if !t.Image.Primary {
					return t.Name + " is not primary on " + t.Site
				}
				return ""
			},
		},
		{
			action: "resync", cmds: []string{"mirror image resync"}, keys: []string{"R"}, hint: true,
			help: "resync the non-primary image from the primary (discards its data)", on: []NodeKind{NodeImage},
			argv: func(t Target, _ map[string]string) []string {
				return withSite(t, "mirror", "image", "resync", t.Spec())
			},
			check: func(t Target) string {
				if r := mirrored(t); r != "" {
					return r
				}
				if t.Image.Primary {
					return t.Name + " is primary on " + t.Site + "; resync the non-primary copy on the other site"
				}
				return ""
			},
		},
		{
			action: "mirror-enable", cmds: []string{"mirror image enable"}, keys: []string{"e"},
			help: "enable mirroring of the image (journal or snapshot mode)", on: []NodeKind{NodeImage},
			form: []formField{{name: "mode", label: "Mode", choices: choices(model.ModeJournal, model.ModeSnapshot), def: constant(model.ModeJournal)}},
			argv: func(t Target, v map[string]string) []string {
				return withSite(t, "mirror", "image", "enable", t.Spec(), v["mode"])
			},
			check: func(t Target) string {
				if t.Image != nil && t.Image.MirrorState == model.MirrorEnabled {
					return t.Name + " is already mirrored (" + t.Image.MirrorMode + ")"
				}
				return ""
			},
		},
		{
			action: "mirror-disable", cmds: []string{"mirror image disable"}, keys: []string{"X"},
			help: "disable mirroring of the image (the peer copy is deleted)", on: []NodeKind{NodeImage},
			form: []formField{{name: "force", label: "Force", choices: choices("no", "yes"), def: constant("no"), help: "yes: even if the peer is unreachable"}},
			argv: func(t Target, v map[string]string) []string {
				argv := []string{"mirror", "image", "disable"}
				if v["force"] == "yes" {
					argv = append(argv, "--force")
				}
				return withSite(t, append(argv, t.Spec())...)
			},
			check: mirrored,
		},
		{
			action: "journaling-enable", cmds: []string{"feature enable"},
			help: "enable the journaling feature (splay width, object size, journal pool)", on: []NodeKind{NodeImage},
			form: []formField{
				{name: "splay", label: "Splay width", def: constant(""), help: "empty: the pool's default"},
				{name: "objsize", label: "Object size", def: constant(""), help: "e.g. 16M; empty: default"},
				{name: "jpool", label: "Journal pool", def: constant(""), help: "empty: the image's pool"},
			},
			argv: func(t Target, v map[string]string) []string {
				argv := []string{"feature", "enable", t.Spec(), "journaling"}
				if s := strings.TrimSpace(v["splay"]); s != "" {
					argv = append(argv, "--journal-splay-width", s)
				}
				if s := strings.TrimSpace(v["objsize"]); s != "" {
					argv = append(argv, "--journal-object-size", s)
				}
				if s := strings.TrimSpace(v["jpool"]); s != "" {
					argv = append(argv, "--journal-pool", s)
				}
				return withSite(t, argv...)
			},
			check: func(t Target) string {
				if on, known := hasFeature(t, "journaling"); known && on {
					return "journaling is already enabled on " + t.Name
				}
				return ""
			},
		},
		{
			action: "journaling-disable", cmds: []string{"feature disable"},
			help: "disable the journaling feature (deletes the journal)", on: []NodeKind{NodeImage},
			argv: func(t Target, _ map[string]string) []string {
				return withSite(t, "feature", "disable", t.Spec(), "journaling")
			},
			check: func(t Target) string {
				if on, known := hasFeature(t, "journaling"); known && !on {
					return "journaling is not enabled on " + t.Name
				}
				if t.Image != nil && t.Image.MirrorState == model.MirrorEnabled && t.Image.MirrorMode == model.ModeJournal {
					return t.Name + " mirrors through its journal; disable mirroring first"
				}
				return ""
			},
		},
		{
			action: "pool-mode", cmds: []string{"mirror pool enable", "mirror pool disable"}, keys: []string{"M"},
			help: "set the pool's mirroring mode (image, pool, disabled)", on: []NodeKind{NodePool},
			form: []formField{{name: "mode", label: "Mode", choices: choices("image", "pool", "disabled"), def: func(t Target) string {
				if t.PoolInfo != nil && slices.Contains([]string{"image", "pool", "disabled"}, t.PoolInfo.MirrorMode) {
					return t.PoolInfo.MirrorMode
				}
				return "image"
			}}},
			argv: func(t Target, v map[string]string) []string {
				if v["mode"] == "disabled" {
					return withSite(t, "mirror", "pool", "disable", t.Pool)
				}
				return withSite(t, "mirror", "pool", "enable", t.Pool, v["mode"])
			},
		},
		{
			action: "peer-add", cmds: []string{"mirror pool peer add"},
			help: "add a mirroring peer to the pool", on: []NodeKind{NodePool},
			form: []formField{{name: "remote", label: "Remote", def: constant("client.rbd-mirror-peer@"), help: "client.name@cluster of the peer site"}},
			argv: func(t Target, v map[string]string) []string {
				return withSite(t, "mirror", "pool", "peer", "add", t.Pool, strings.TrimSpace(v["remote"]))
			},
		},
		{
			action: "peer-remove", cmds: []string{"mirror pool peer remove"},
			help: "remove a mirroring peer from the pool", on: []NodeKind{NodePool},
			form: []formField{{name: "uuid", label: "Peer UUID", def: constant(""), help: "as `rbd mirror pool info` lists it"}},
			argv: func(t Target, v map[string]string) []string {
				return withSite(t, "mirror", "pool", "peer", "remove", t.Pool, strings.TrimSpace(v["uuid"]))
			},
			check: func(t Target) string {
				if t.PoolInfo != nil && t.PoolInfo.Peers == 0 {
					return "pool " + t.Pool + " has no peers"
				}
				return ""
			},
		},
		{
			action: "group-create", cmds: []string{"consistency-group create"},
			help: "create a consistency group in the pool", on: []NodeKind{NodePool},
			form: []formField{{name: "group", label: "Group name", def: constant("")}},
			argv: func(t Target, v map[string]string) []string {
				return withSite(t, "consistency-group", "create", t.Pool+"/"+strings.TrimSpace(v["group"]))
			},
		},
		{
			action: "group-attach", cmds: []string{"consistency-group attach"},
			help: "attach the image(s) to a consistency group", on: []NodeKind{NodeImage},
			form: []formField{{name: "group", label: "Group name", def: constant("")}},
			argv: func(t Target, v map[string]string) []string {
				// The proposal's order: attach <image-spec> <group-spec>.
				return withSite(t, "consistency-group", "attach", t.Spec(), t.Pool+"/"+strings.TrimSpace(v["group"]))
			},
			check: func(t Target) string {
				if t.Detail != nil && t.Detail.Group != "" {
					return t.Name + " is already in group " + t.Detail.Group
				}
				return ""
			},
		},
		{
			action: "group-detach", cmds: []string{"consistency-group detach"},
			help: "detach the image(s) from their consistency group", on: []NodeKind{NodeImage},
			argv: func(t Target, _ map[string]string) []string {
				return withSite(t, "consistency-group", "detach", t.Spec())
			},
			check: func(t Target) string {
				if t.Detail != nil && t.Detail.Group == "" {
					return t.Name + " is in no group"
				}
				return ""
			},
		},
		{
			action: "group-checkpoint", cmds: []string{"consistency-group checkpoint"}, keys: []string{"C"},
			help: "take a consistency point of the group", on: []NodeKind{NodeGroup},
			argv: func(t Target, _ map[string]string) []string {
				return withSite(t, "consistency-group", "checkpoint", t.Spec())
			},
		},
		{
			action: "journal-export", cmds: []string{"journal export"},
			help: "export the image's journal to a file", on: []NodeKind{NodeJournal},
			form: []formField{{name: "path", label: "File", def: func(t Target) string { return "/tmp/" + t.Name + ".journal" }}},
			argv: func(t Target, v map[string]string) []string {
				return withSite(t, "journal", "export", journalSpec(t), strings.TrimSpace(v["path"]))
			},
		},
		{
			action: "journal-import", cmds: []string{"journal import"},
			help: "import journal entries from a file", on: []NodeKind{NodeJournal},
			form: []formField{{name: "path", label: "File", def: func(t Target) string { return "/tmp/" + t.Name + ".journal" }}},
			argv: func(t Target, v map[string]string) []string {
				return withSite(t, "journal", "import", strings.TrimSpace(v["path"]), journalSpec(t))
			},
		},
		{
			action: "journal-reset", cmds: []string{"journal reset"},
			help: "reset the journal (drops every entry not yet replayed)", on: []NodeKind{NodeJournal},
			argv: func(t Target, _ map[string]string) []string {
				return withSite(t, "journal", "reset", journalSpec(t))
			},
		},
		{
			action: "client-disconnect", cmds: []string{"journal client disconnect"},
			help: "disconnect a lagging client from the journal", on: []NodeKind{NodeJournal},
			form: []formField{{name: "client", label: "Client ID", choices: func(t Target) []string {
				var ids []string
				if t.Journal != nil {
					for _, c := range t.Journal.Clients {
						if c.ID != "" {
							ids = append(ids, c.ID)
						}
					}
				}
				return ids
			}, def: func(t Target) string {
				if t.Journal == nil {
					return ""
				}
				best, lag := "", int64(-1)
				for _, c := range t.Journal.Clients {
					if c.ID != "" && c.LagEntries > lag {
						best, lag = c.ID, c.LagEntries
					}
				}
				return best
			}}},
			argv: func(t Target, v map[string]string) []string {
				return withSite(t, "journal", "client", "disconnect", journalSpec(t), "--client-id", strings.TrimSpace(v["client"]))
			},
		},
	}
}

// journalSpec names an image's journal as rbd does: pool/<journal id>,
// and the journal id is the image id.
func journalSpec(t Target) string {
	if t.Journal != nil && t.Journal.ID != "" {
		return t.Pool + "/" + t.Journal.ID
	}
	if t.Image != nil && t.Image.ID != "" {
		return t.Pool + "/" + t.Image.ID
	}
	return t.Spec()
}

// groupName strips the pool from an image's group as ImageDetail reports
// it ("rbd/grp" → "grp").
func groupName(g string) string {
	if i := strings.LastIndexByte(g, '/'); i >= 0 {
		return g[i+1:]
	}
	return g
}

// specByAction finds an action's spec.
func specByAction(name string) *actionSpec {
	for _, a := range actionSpecs() {
		if a.action == name {
			return a
		}
	}
	return nil
}

// actionBindings turns the action table into bindings: every cluster
// action is Dangerous, so read-only mode removes it from dispatch, hints,
// help and the actions menu. An action without a default key is still in
// the registry, reachable through the actions menu and rebindable by name.
func actionBindings() []Binding {
	var out []Binding
	for _, a := range actionSpecs() {
		spec := a
		out = append(out, Binding{
			Action: spec.action, Keys: slices.Clone(spec.keys), Help: spec.help, Hint: spec.hint,
			Dangerous: true, Disabled: func(ctx KeyContext) string { return spec.disabled(ctx) },
		})
	}
	return out
}

// disabled says why the action cannot run on ctx's targets now.
func (a *actionSpec) disabled(ctx KeyContext) string {
	if ctx.Available != nil {
		for _, c := range a.cmds {
			if !ctx.Available(c) {
				return "not available in this build"
			}
		}
	}
	if len(ctx.Targets) == 0 {
		return "nothing is selected"
	}
	for _, t := range ctx.Targets {
		if !slices.Contains(a.on, t.Kind) {
			kinds := make([]string, len(a.on))
			for i, k := range a.on {
				kinds[i] = k.String()
			}
			return "applies to " + strings.Join(kinds, " or ") + " rows, not to a " + t.Kind.String()
		}
		if t.ReadOnly {
			return t.Site + " is read-only"
		}
		if a.check != nil {
			if r := a.check(t); r != "" {
				if len(ctx.Targets) > 1 {
					return fmt.Sprintf("%s (one of %d marked)", r, len(ctx.Targets))
				}
				return r
			}
		}
	}
	return ""
}
