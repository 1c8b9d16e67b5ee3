// Package grammar is rbdtui's one command grammar. The command line
// (`rbdtui mirror image resync rbd/vol1`), the console's `:` palette and its
// key actions all parse through here into the same Invocation values, so an
// action means the same thing wherever it was typed. It follows the rbd CLI:
// positional specs, --pool/--image options, --format plain|json and
// --pretty-format. The package does no I/O.
package grammar

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// FlagKind is the type of an option's value.
type FlagKind int

// Option value kinds.
const (
	Bool FlagKind = iota
	String
	Int
	Size // bytes, with B/K/M/G suffixes as rbd accepts them
	Duration
	Enum
)

// Flag is one option of a command (or a global option).
type Flag struct {
	Name   string // long name without dashes
	Short  string // one letter without dash, optional
	Kind   FlagKind
	Values []string // for Enum
	Help   string
	Repeat bool // may be given several times (e.g. --journal-option k=v)
	Arg    string
}

// Arg is a positional argument.
type Arg struct {
	Name     string
	Help     string
	Optional bool
	// Variadic takes every remaining positional argument.
	Variadic bool
	// ByOptions marks a spec that may be given by options instead
	// (--pool/--image as rbd allows); the command then checks for it.
	ByOptions bool
}

// Confirm is how a command that changes something is confirmed. The one
// declaration on each command is read by the CLI (which needs --yes or
// RBDTUI_ASSUME_YES=1 without a terminal), the console's palette, its
// actions menu and the failover wizard.
type Confirm int

// Confirmation levels, from none to the hardest.
const (
	// ConfirmNone runs at once.
	ConfirmNone Confirm = iota
	// ConfirmYes asks yes or no, with no (Cancel) as the default.
	ConfirmYes
	// ConfirmTyped asks for the object's name to be typed: for acts that
	// cannot be undone.
	ConfirmTyped
)

func (c Confirm) String() string {
	return [...]string{"none", "yes/no", "typed name"}[c]
}

// Command is one command of the grammar.
type Command struct {
	Path    []string
	Aliases [][]string
	Summary string
	Args    []Arg
	Flags   []Flag
	// Dangerous commands change something (data, replication, a
	// setting, a key); read-only mode hides and refuses them. A dry run
	// (--dry-run) of one changes nothing.
	Dangerous bool
	// Confirm is how the command is confirmed; ForceConfirm, when
	// higher, is the level with --force.
	Confirm      Confirm
	ForceConfirm Confirm
	// CLIOnly commands (the lab) are not offered in the console palette.
	CLIOnly bool
	// Screen names the console screen the command opens ("watch",
	// "inspect"). Typed in the palette it opens that screen; run from the
	// shell it opens the console on it. It never reaches a handler.
	Screen string
	// RBD is the equivalent rbd command, with {arg} placeholders, shown in
	// help and in the console's command log.
	RBD string
}

// Name is the command's words joined by spaces.
func (c *Command) Name() string { return strings.Join(c.Path, " ") }

func (c *Command) flag(name string) *Flag {
	for i := range c.Flags {
		if c.Flags[i].Name == name || (c.Flags[i].Short != "" && c.Flags[i].Short == name) {
			return &c.Flags[i]
		}
	}
	return nil
}

// Usage is the one-line synopsis.
func (c *Command) Usage() string {
	var b strings.Builder
	b.WriteString(c.Name())
	for _, f := range c.Flags {
		b.WriteString(" [--" + f.Name)
		if f.Kind != Bool {
			b.WriteString(" <" + f.argName() + ">")
		}
		b.WriteString("]")
	}
	for _, a := range c.Args {
		s := "<" + a.Name + ">"
		if a.Variadic {
			s += "..."
		}
		if a.Optional {
			s = "[" + s + "]"
		}
		b.WriteString(" " + s)
	}
	return b.String()
}

// ArgName is the one name of the option's value, used by every usage
// line, help text, man page and completion (`--step-timeout <duration>`).
func (f Flag) ArgName() string { return f.argName() }

func (f Flag) argName() string {
	if f.Arg != "" {
		return f.Arg
	}
	switch f.Kind {
	case Enum:
		return strings.Join(f.Values, "|")
	case Int:
		return "n"
	case Size:
		return "size"
	case Duration:
		return "duration"
	}
	return f.Name
}

// Globals are the options every command takes.
type Globals struct {
	Config   string
	Site     string
	Conf     string
	Cluster  string
	ID       string
	Keyring  string
	Format   string // plain or json
	Pretty   bool
	ReadOnly bool
	Theme    string
	Timeout  time.Duration
	Help     bool
	NoColor  bool
	Yes      bool
	Version  bool
	LogFile  string
	Debug    bool
}

// GlobalFlags are accepted anywhere on the line.
var GlobalFlags = []Flag{
	{Name: "config", Kind: String, Arg: "file", Help: "configuration file (default $RBDTUI_CONFIG, then ~/.config/rbdtui/config.yaml)"},
	{Name: "site", Kind: String, Arg: "name", Help: "configured site to act on (default: the first)"},
	{Name: "conf", Short: "c", Kind: String, Arg: "ceph.conf", Help: "ad-hoc site: path of its ceph.conf"},
	{Name: "cluster", Kind: String, Arg: "name", Help: "ad-hoc site: cluster name"},
	{Name: "id", Kind: String, Arg: "user", Help: "ad-hoc site: client id (as in client.<id>)"},
	{Name: "keyring", Kind: String, Arg: "path", Help: "ad-hoc site: keyring file"},
	{Name: "format", Kind: Enum, Values: []string{"plain", "json"}, Help: "output format"},
	{Name: "pretty-format", Kind: Bool, Help: "indent JSON output"},
	{Name: "readonly", Kind: Bool, Help: "refuse and hide every action that changes anything"},
	{Name: "theme", Kind: String, Arg: "name", Help: "console theme: dark, light, high-contrast, colorblind"},
	{Name: "timeout", Kind: Duration, Help: "bound on each Ceph operation (default 10s)"},
	{Name: "no-color", Kind: Bool, Help: "no colours (also NO_COLOR=1)"},
	{Name: "yes", Kind: Bool, Help: "answer yes to confirmations (needed without a terminal)"},
	{Name: "help", Short: "h", Kind: Bool, Help: "show help"},
	{Name: "version", Short: "V", Kind: Bool, Help: "print rbdtui's version (as `rbdtui version`)"},
	{Name: "log-file", Kind: String, Arg: "file", Help: "log here (default $XDG_STATE_HOME/rbdtui/rbdtui.log, i.e. ~/.local/state/rbdtui/rbdtui.log)"},
	{Name: "debug", Kind: Bool, Help: "log every Ceph call too, not only commands, timeouts, reconnects and errors"},
}

// Registry holds the commands of the grammar.
type Registry struct {
	cmds []*Command
}

// Add registers commands; it panics on a duplicate path, a programming error.
func (r *Registry) Add(cmds ...*Command) {
	for _, c := range cmds {
		for _, p := range c.paths() {
			if r.Lookup(p) != nil {
				panic("grammar: duplicate command " + strings.Join(p, " "))
			}
		}
		r.cmds = append(r.cmds, c)
	}
}

// Commands returns every command sorted by name.
func (r *Registry) Commands() []*Command {
	out := append([]*Command(nil), r.cmds...)
	sort.Slice(out, func(i, j int) bool { return out[i].Name() < out[j].Name() })
	return out
}

func (c *Command) paths() [][]string { return append([][]string{c.Path}, c.Aliases...) }

// Lookup returns the command the words name exactly (its path or an
// alias), nil if none.
func (r *Registry) Lookup(words []string) *Command {
	for _, c := range r.cmds {
		for _, p := range c.paths() {
			if slices.Equal(p, words) {
				return c
			}
		}
	}
	return nil
}

// IsPrefix reports whether words begin some command's path or alias.
func (r *Registry) IsPrefix(words []string) bool {
	for _, c := range r.cmds {
		for _, p := range c.paths() {
			if len(p) >= len(words) && slices.Equal(p[:len(words)], words) {
				return true
			}
		}
	}
	return false
}

// Invocation is a parsed command line.
type Invocation struct {
	Cmd     *Command
	Args    map[string][]string
	Flags   map[string][]string
	Globals Globals
	// Words is the command path as typed (an alias stays an alias).
	Words []string
}

// Arg returns the first value of a positional argument.
func (i *Invocation) Arg(name string) string {
	if v := i.Args[name]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// Changes reports whether the invocation changes anything: a Dangerous
// command, unless it is a dry run.
func (i *Invocation) Changes() bool {
	return i.Cmd != nil && i.Cmd.Dangerous && !(i.Cmd.flag("dry-run") != nil && i.Bool("dry-run"))
}

// ConfirmLevel is how the invocation must be confirmed before it runs.
func (i *Invocation) ConfirmLevel() Confirm {
	if !i.Changes() {
		return ConfirmNone
	}
	l := i.Cmd.Confirm
	if i.Cmd.flag("force") != nil && i.Bool("force") && i.Cmd.ForceConfirm > l {
		l = i.Cmd.ForceConfirm
	}
	return l
}

// ConfirmWord is what a typed confirmation asks for: the last part of the
// object the command names (vol1 of rbd/vol1), from its first positional
// argument or else its --image, --group, --pool or --journal option; the
// command's name when it names none.
func (i *Invocation) ConfirmWord() string {
	v := i.ConfirmSubject()
	return v[strings.LastIndexByte(v, '/')+1:]
}

// ConfirmSubject is what the command acts on as the operator named it
// (pool/namespace/image, pool/group, ...), for the confirmation's question;
// the command's name when it names nothing.
func (i *Invocation) ConfirmSubject() string {
	for _, a := range i.Cmd.Args {
		if v := i.Arg(a.Name); v != "" {
			return v
		}
	}
	for _, f := range []string{"image", "group", "pool", "journal"} {
		if v := i.Flag(f); v != "" {
			return v
		}
	}
	return i.Cmd.Name()
}

// Has reports whether an option was given.
func (i *Invocation) Has(name string) bool { _, ok := i.Flags[name]; return ok }

// Flag returns an option's last value ("" when absent).
func (i *Invocation) Flag(name string) string {
	if v := i.Flags[name]; len(v) > 0 {
		return v[len(v)-1]
	}
	return ""
}

// Bool returns a boolean option.
func (i *Invocation) Bool(name string) bool { return i.Has(name) && i.Flag(name) != "false" }

// Int returns an integer option (validated at parse time).
func (i *Invocation) Int(name string, def int64) int64 {
	if !i.Has(name) {
		return def
	}
	n, _ := strconv.ParseInt(i.Flag(name), 10, 64)
	return n
}

// SizeBytes returns a size option in bytes (validated at parse time).
func (i *Invocation) SizeBytes(name string, def uint64) uint64 {
	if !i.Has(name) {
		return def
	}
	n, _ := ParseSize(i.Flag(name))
	return n
}

// DurationFlag returns a duration option (validated at parse time).
func (i *Invocation) DurationFlag(name string, def time.Duration) time.Duration {
	if !i.Has(name) {
		return def
	}
	d, _ := time.ParseDuration(i.Flag(name))
	return d
}

// UsageError is a mistake in what was typed; its text says what and how.
type UsageError struct {
	Msg   string
	Usage string
}

func (e *UsageError) Error() string {
	if e.Usage != "" {
		return e.Msg + "\nusage: rbdtui " + e.Usage
	}
	return e.Msg
}

// Parse turns argv (without the program name) into an Invocation. An empty
// argv yields an Invocation with a nil Cmd (open the console).
func (r *Registry) Parse(argv []string) (*Invocation, error) {
	inv := &Invocation{Args: map[string][]string{}, Flags: map[string][]string{}}
	// First pass: globals anywhere, everything else kept in order.
	var rest []string
	for i := 0; i < len(argv); i++ {
		tok := argv[i]
		if tok == "--" {
			rest = append(rest, argv[i:]...)
			break
		}
		name, val, hasVal, isFlag := splitFlag(tok)
		if !isFlag {
			rest = append(rest, tok)
			continue
		}
		g := lookupFlag(GlobalFlags, name)
		if g == nil {
			rest = append(rest, tok)
			continue
		}
		if g.Kind != Bool && !hasVal {
			if i+1 >= len(argv) {
				return nil, &UsageError{Msg: fmt.Sprintf("option --%s needs a value (%s)", g.Name, g.argName())}
			}
			i++
			val = argv[i]
		}
		if err := setGlobal(&inv.Globals, g, val, hasVal); err != nil {
			return nil, err
		}
	}
	// Command words: the longest registered path that prefixes the words.
	// As rbd does, options may come before the command (`rbdtui --pool p
	// mirror pool peer remove <uuid>`): an option is skipped with its value
	// when some command gives it a value.
	var words []string
	var at []int // index in rest of each word
	for i := 0; i < len(rest); i++ {
		t := rest[i]
		if t == "--" {
			break
		}
		if name, _, hasVal, isFlag := splitFlag(t); isFlag {
			if !hasVal && r.takesValue(name) {
				i++
			}
			continue
		}
		words = append(words, t)
		at = append(at, i)
	}
	var cmd *Command
	n := 0
	for k := len(words); k > 0; k-- {
		if c := r.Lookup(words[:k]); c != nil {
			cmd, n = c, k
			break
		}
	}
	if cmd == nil {
		if len(rest) == 0 {
			return inv, nil
		}
		return nil, r.unknown(words)
	}
	inv.Cmd, inv.Words = cmd, words[:n]
	if inv.Globals.Help || inv.Globals.Version {
		return inv, nil
	}
	rest = dropAt(rest, at[:n])
	var pos []string
	for i := 0; i < len(rest); i++ {
		tok := rest[i]
		if tok == "--" {
			pos = append(pos, rest[i+1:]...)
			break
		}
		name, val, hasVal, isFlag := splitFlag(tok)
		if !isFlag {
			pos = append(pos, tok)
			continue
		}
		f := cmd.flag(name)
		if f == nil {
			return nil, &UsageError{Msg: fmt.Sprintf("unknown option %s for '%s'", flagText(tok), cmd.Name()), Usage: cmd.Usage()}
		}
		if f.Kind == Bool {
			if hasVal && val != "true" && val != "false" {
				return nil, &UsageError{Msg: fmt.Sprintf("option --%s takes no value", f.Name), Usage: cmd.Usage()}
			}
			if !hasVal {
				val = "true"
			}
		} else if !hasVal {
			if i+1 >= len(rest) {
				return nil, &UsageError{Msg: fmt.Sprintf("option --%s needs a value (%s)", f.Name, f.argName()), Usage: cmd.Usage()}
			}
			i++
			val = rest[i]
		}
		if err := checkValue(f, val); err != nil {
			return nil, &UsageError{Msg: err.Error(), Usage: cmd.Usage()}
		}
		if !f.Repeat && inv.Has(f.Name) {
			return nil, &UsageError{Msg: fmt.Sprintf("option --%s given twice", f.Name), Usage: cmd.Usage()}
		}
		inv.Flags[f.Name] = append(inv.Flags[f.Name], val)
	}
	// An optional argument takes a positional only when enough remain for
	// the required ones after it (`peer remove <uuid>` with the pool
	// optional before it).
	required := make([]int, len(cmd.Args)+1)
	for k := len(cmd.Args) - 1; k >= 0; k-- {
		required[k] = required[k+1]
		if a := cmd.Args[k]; !a.Optional && !a.ByOptions && !a.Variadic {
			required[k]++
		}
	}
	ai := 0
	for k, a := range cmd.Args {
		if a.Optional && !a.Variadic && len(pos)-ai <= required[k+1] {
			continue
		}
		if a.ByOptions && inv.Has(strings.TrimSuffix(a.Name, "-spec")) {
			// named by its option (`mirror image enable --image vol
			// snapshot`): the positionals are the arguments after it
			continue
		}
		if a.Variadic {
			inv.Args[a.Name] = append([]string(nil), pos[ai:]...)
			if len(pos[ai:]) == 0 && !a.Optional {
				return nil, &UsageError{Msg: fmt.Sprintf("missing <%s>", a.Name), Usage: cmd.Usage()}
			}
			ai = len(pos)
			break
		}
		if ai < len(pos) {
			inv.Args[a.Name] = []string{pos[ai]}
			ai++
		} else if !a.Optional && !a.ByOptions {
			return nil, &UsageError{Msg: fmt.Sprintf("missing <%s>", a.Name), Usage: cmd.Usage()}
		}
	}
	if ai < len(pos) {
		return nil, &UsageError{Msg: fmt.Sprintf("unexpected argument %q for '%s'", pos[ai], cmd.Name()), Usage: cmd.Usage()}
	}
	return inv, nil
}

// RBDLine renders the command's rbd equivalent (Command.RBD) with the typed
// arguments and options filled into its {name} placeholders; "" when the
// command declares none. The CLI's help, the console's command log and
// ExecResult.RBD all use it.
func (i *Invocation) RBDLine() string {
	if i.Cmd == nil {
		return ""
	}
	r := i.Cmd.RBD
	for name, vals := range i.Args {
		r = strings.ReplaceAll(r, "{"+name+"}", strings.Join(vals, " "))
	}
	for name, vals := range i.Flags {
		if len(vals) > 0 {
			r = strings.ReplaceAll(r, "{"+name+"}", vals[len(vals)-1])
		}
	}
	return r
}

// Missing reports a required positional argument that was neither typed nor
// supplied through an option; commands call it after resolving specs from
// --pool/--image, which rbd allows in place of positional specs.
func Missing(inv *Invocation, arg string) error {
	return &UsageError{Msg: fmt.Sprintf("missing <%s>", arg), Usage: inv.Cmd.Usage()}
}

// dropAt removes the tokens at the given (increasing) indices.
func dropAt(rest []string, idx []int) []string {
	out := make([]string, 0, len(rest))
	for i, t := range rest {
		if len(idx) > 0 && idx[0] == i {
			idx = idx[1:]
			continue
		}
		out = append(out, t)
	}
	return out
}

// takesValue reports whether some command's option of that name (long or
// short) takes a value, to skip it while looking for the command words.
func (r *Registry) takesValue(name string) bool {
	for _, c := range r.cmds {
		if f := c.flag(name); f != nil && f.Kind != Bool {
			return true
		}
	}
	return false
}

func flagText(tok string) string {
	if i := strings.IndexByte(tok, '='); i > 0 {
		return tok[:i]
	}
	return tok
}

// splitFlag recognises --name, --name=value, -x and -x value forms.
func splitFlag(tok string) (name, val string, hasVal, isFlag bool) {
	switch {
	case strings.HasPrefix(tok, "--") && len(tok) > 2:
		body := tok[2:]
		if i := strings.IndexByte(body, '='); i >= 0 {
			return body[:i], body[i+1:], true, true
		}
		return body, "", false, true
	case strings.HasPrefix(tok, "-") && len(tok) == 2 && tok[1] != '-':
		return tok[1:], "", false, true
	}
	return "", "", false, false
}

func lookupFlag(fs []Flag, name string) *Flag {
	for i := range fs {
		if fs[i].Name == name || (fs[i].Short != "" && fs[i].Short == name) {
			return &fs[i]
		}
	}
	return nil
}

func setGlobal(g *Globals, f *Flag, val string, hasVal bool) error {
	if f.Kind == Bool {
		if hasVal && val != "true" && val != "false" {
			return &UsageError{Msg: fmt.Sprintf("option --%s takes no value", f.Name)}
		}
		b := !hasVal || val == "true"
		switch f.Name {
		case "pretty-format":
			g.Pretty = b
		case "readonly":
			g.ReadOnly = b
		case "help":
			g.Help = b
		case "no-color":
			g.NoColor = b
		case "yes":
			g.Yes = b
		case "version":
			g.Version = b
		case "debug":
			g.Debug = b
		}
		return nil
	}
	if err := checkValue(f, val); err != nil {
		return &UsageError{Msg: err.Error()}
	}
	switch f.Name {
	case "config":
		g.Config = val
	case "site":
		g.Site = val
	case "conf":
		g.Conf = val
	case "cluster":
		g.Cluster = val
	case "id":
		g.ID = val
	case "keyring":
		g.Keyring = val
	case "format":
		g.Format = val
	case "theme":
		g.Theme = val
	case "log-file":
		g.LogFile = val
	case "timeout":
		g.Timeout, _ = time.ParseDuration(val)
	}
	return nil
}

func checkValue(f *Flag, val string) error {
	switch f.Kind {
	case Int:
		if _, err := strconv.ParseInt(val, 10, 64); err != nil {
			return fmt.Errorf("option --%s: %q is not a whole number", f.Name, val)
		}
	case Size:
		if _, err := ParseSize(val); err != nil {
			return fmt.Errorf("option --%s: %v", f.Name, err)
		}
	case Duration:
		d, err := time.ParseDuration(val)
		if err != nil || d <= 0 {
			return fmt.Errorf("option --%s: %q is not a positive duration (e.g. 10s, 2m)", f.Name, val)
		}
	case Enum:
		for _, v := range f.Values {
			if v == val {
				return nil
			}
		}
		return fmt.Errorf("option --%s: %q is not one of %s", f.Name, val, strings.Join(f.Values, ", "))
	case String:
		if val == "" {
			return fmt.Errorf("option --%s: empty value", f.Name)
		}
	}
	return nil
}

// ParseSize reads sizes the way rbd does: a number of bytes, or with a
// B/K/M/G/T suffix (binary units; "KiB"-style and lower case also accepted).
func ParseSize(s string) (uint64, error) {
	t := strings.TrimSpace(s)
	if t == "" {
		return 0, errors.New("empty size")
	}
	u := strings.ToUpper(t)
	u = strings.TrimSuffix(u, "IB")
	u = strings.TrimSuffix(u, "B")
	mult := uint64(1)
	if u != "" {
		switch u[len(u)-1] {
		case 'K':
			mult = 1 << 10
		case 'M':
			mult = 1 << 20
		case 'G':
			mult = 1 << 30
		case 'T':
			mult = 1 << 40
		}
		if mult != 1 {
			u = u[:len(u)-1]
		}
	}
	n, err := strconv.ParseUint(u, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%q is not a size (use bytes or a B/K/M/G/T suffix, e.g. 4K, 16M)", s)
	}
	if n > (1<<64-1)/mult {
		return 0, fmt.Errorf("size %q is too large", s)
	}
	return n * mult, nil
}

func (r *Registry) unknown(words []string) error {
	typed := strings.Join(words, " ")
	if typed == "" {
		return &UsageError{Msg: "no command given (see `rbdtui help`)"}
	}
	// Suggest commands sharing the longest prefix with what was typed.
	best, bestN := []string{}, 0
	for _, c := range r.Commands() {
		k := 0
		for k < len(words) && k < len(c.Path) && words[k] == c.Path[k] {
			k++
		}
		if k > bestN {
			best, bestN = []string{c.Name()}, k
		} else if k == bestN && k > 0 {
			best = append(best, c.Name())
		}
	}
	msg := fmt.Sprintf("unknown command %q", typed)
	if bestN > 0 {
		if len(best) > 8 {
			best = best[:8]
		}
		msg += "; did you mean: " + strings.Join(best, ", ")
	} else {
		msg += " (see `rbdtui help`)"
	}
	return &UsageError{Msg: msg}
}

// Complete offers completions for the last word of line, for the palette.
func (r *Registry) Complete(words []string, partial string, includeCLIOnly bool) []string {
	seen := map[string]bool{}
	var out []string
	for _, c := range r.cmds {
		if c.CLIOnly && !includeCLIOnly {
			continue
		}
		for _, p := range c.paths() {
			if len(p) > len(words) && slices.Equal(p[:len(words)], words) && strings.HasPrefix(p[len(words)], partial) {
				if w := p[len(words)]; !seen[w] {
					seen[w] = true
					out = append(out, w)
				}
			}
		}
		if slices.Equal(c.Path, words) && strings.HasPrefix(partial, "-") {
			for _, f := range append(append([]Flag(nil), c.Flags...), GlobalFlags...) {
				if s := "--" + f.Name; strings.HasPrefix(s, partial) && !seen[s] {
					seen[s] = true
					out = append(out, s)
				}
			}
		}
	}
	sort.Strings(out)
	return out
}
