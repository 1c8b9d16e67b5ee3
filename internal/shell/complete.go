// Package shell makes rbdtui at home in an operator's shell: completion
// scripts for bash, zsh and fish, the completions themselves, and the
// rbdtui(1) man page, all generated from the one command registry
// (internal/grammar, internal/commands) so that neither can drift from the
// commands the binary accepts. It does no Ceph I/O itself: values that live
// on a site (pools, images, groups, journal ids) come through a Source the
// caller opens, under a short deadline.
package shell

import (
	"context"
	"sort"
	"strings"

	"github.com/rbdtui/rbdtui/internal/commands"
	"github.com/rbdtui/rbdtui/internal/grammar"
)

// Directive tells the completion script what to do besides offering the
// candidates.
type Directive int

// Directives, printed by `rbdtui __complete` as its last line.
const (
	// Done: offer the candidates, then a space.
	Done Directive = iota
	// NoSpace: the candidate is a prefix ("rbd/"); no space after it.
	NoSpace
	// Files: complete file names instead.
	Files
)

func (d Directive) String() string {
	switch d {
	case NoSpace:
		return ":nospace"
	case Files:
		return ":files"
	}
	return ":done"
}

// Selection is what the command line typed so far says about where values
// live: the configuration and the site. The caller opens a Source on it.
type Selection struct {
	Config, Site, Conf, Cluster, ID, Keyring string
}

// Source lists values from the configuration and the selected site.
// Implementations bound every call by ctx.
type Source interface {
	Sites() []string
	Pools(ctx context.Context) ([]string, error)
	Images(ctx context.Context, pool string) ([]string, error)
	Groups(ctx context.Context, pool string) ([]string, error)
	JournalIDs(ctx context.Context, pool string) ([]string, error)
}

// Opener opens a Source for the selection; it is only called when a value
// from the configuration or a site is wanted.
type Opener func(Selection) (Source, error)

// Shells are the shells `rbdtui completion` writes scripts for.
var Shells = []string{"bash", "zsh", "fish"}

// defaultPool is where a spec without a pool lives, as in rbd.
const defaultPool = "rbd"

// value kinds an argument or option takes.
type kind int

const (
	kNone kind = iota
	kFile
	kSite
	kPool
	kImageName
	kImageSpec
	kGroupSpec
	kJournalID
	kJournalSpec
	kCommand
	kShell
)

// argKind classifies a positional argument by its declared name.
func argKind(a grammar.Arg) kind {
	switch a.Name {
	case "image-spec":
		return kImageSpec
	case "group-spec", "group-snap-spec":
		return kGroupSpec
	case "journal-spec", "dest-journal-spec":
		return kJournalSpec
	case "pool", "pool-spec":
		return kPool
	case "path":
		return kFile
	case "command":
		return kCommand
	case "shell":
		return kShell
	}
	return kNone
}

// flagKind classifies an option's value by its declared name and value name.
func flagKind(f grammar.Flag) kind {
	switch f.ArgName() {
	case "site":
		return kSite
	case "pool":
		return kPool
	case "pool/image":
		return kImageSpec
	case "pool/group":
		return kGroupSpec
	case "file", "path", "ceph.conf":
		return kFile
	case "journal-id":
		return kJournalID
	}
	switch f.Name {
	case "site":
		return kSite
	case "pool", "dest-pool":
		return kPool
	case "image", "dest":
		return kImageName
	case "journal", "dest-journal":
		return kJournalID
	case "token-path", "remote-key-file":
		return kFile
	}
	return kNone
}

// Complete returns the candidates for the last word of args (the words
// after the program name; the last one is the word being completed, "" for
// a new word).
func Complete(ctx context.Context, reg *grammar.Registry, args []string, open Opener) ([]string, Directive) {
	if len(args) == 0 {
		args = []string{""}
	}
	cur, before := args[len(args)-1], args[:len(args)-1]
	sel, words, pos, flags, pending := scan(reg, before)
	cmd := reg.Lookup(words)
	c := &completer{ctx: ctx, open: open, sel: sel, flags: flags}

	// The value of an option typed just before.
	if pending != nil {
		if pending.Kind == grammar.Enum {
			return prefixed(pending.Values, cur), Done
		}
		return c.values(flagKind(*pending), cur)
	}
	if strings.HasPrefix(cur, "-") {
		var fs []grammar.Flag
		if cmd != nil {
			fs = append(append(fs, cmd.Flags...), commands.GlobalsFor(cmd)...)
		} else {
			fs = commands.GlobalsFor(nil)
		}
		var out []string
		for _, f := range fs {
			out = append(out, "--"+f.Name)
		}
		return prefixed(out, cur), Done
	}
	// More command words, while the words typed are a command's prefix.
	var out []string
	if len(pos) == 0 {
		out = reg.Complete(words, cur, true)
	}
	if cmd == nil {
		return out, Done
	}
	// Positional arguments: the next one the command takes.
	i := len(pos)
	var a *grammar.Arg
	for k := range cmd.Args {
		if k == i || (cmd.Args[k].Variadic && k <= i) {
			a = &cmd.Args[k]
			break
		}
	}
	if a == nil {
		return out, Done
	}
	if argKind(*a) == kCommand {
		return reg.Complete(pos, cur, true), Done
	}
	vals, d := c.values(argKind(*a), cur)
	if len(out) > 0 && d == Files {
		d = Done
	}
	return append(out, vals...), d
}

// scan reads the words before the one being completed: the global options
// that select the configuration and site, the command words, the positional
// arguments after them, the command's options, and an option still waiting
// for its value.
func scan(reg *grammar.Registry, before []string) (sel Selection, words, pos []string, flags map[string]string, pending *grammar.Flag) {
	flags = map[string]string{}
	for i := 0; i < len(before); i++ {
		tok := before[i]
		if strings.HasPrefix(tok, "-") && len(tok) > 1 {
			name, val, hasVal := strings.TrimLeft(tok, "-"), "", false
			if k := strings.IndexByte(name, '='); k >= 0 {
				name, val, hasVal = name[:k], name[k+1:], true
			}
			f := findFlag(reg, words, name)
			if f == nil || f.Kind == grammar.Bool {
				continue
			}
			if !hasVal {
				if i+1 >= len(before) {
					return sel, words, pos, flags, f
				}
				i++
				val = before[i]
			}
			flags[f.Name] = val
			switch f.Name {
			case "config":
				sel.Config = val
			case "site":
				sel.Site = val
			case "conf":
				sel.Conf = val
			case "cluster":
				sel.Cluster = val
			case "id":
				sel.ID = val
			case "keyring":
				sel.Keyring = val
			}
			continue
		}
		if len(pos) == 0 && reg.IsPrefix(append(append([]string(nil), words...), tok)) {
			words = append(words, tok)
			continue
		}
		pos = append(pos, tok)
	}
	return sel, words, pos, flags, nil
}

// findFlag looks an option up among the command's (if the words name one)
// and the global options.
func findFlag(reg *grammar.Registry, words []string, name string) *grammar.Flag {
	if c := reg.Lookup(words); c != nil {
		for i := range c.Flags {
			if c.Flags[i].Name == name || (c.Flags[i].Short != "" && c.Flags[i].Short == name) {
				return &c.Flags[i]
			}
		}
	}
	for i := range grammar.GlobalFlags {
		f := &grammar.GlobalFlags[i]
		if f.Name == name || (f.Short != "" && f.Short == name) {
			return f
		}
	}
	return nil
}

func prefixed(vals []string, cur string) []string {
	var out []string
	seen := map[string]bool{}
	for _, v := range vals {
		if strings.HasPrefix(v, cur) && !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	sort.Strings(out)
	return out
}

type completer struct {
	ctx   context.Context
	open  Opener
	sel   Selection
	flags map[string]string
	src   Source
}

func (c *completer) source() Source {
	if c.src == nil && c.open != nil {
		if s, err := c.open(c.sel); err == nil {
			c.src = s
		}
	}
	return c.src
}

// values completes a value of kind k; errors (no configuration, a site
// that does not answer in time) complete nothing rather than print.
func (c *completer) values(k kind, cur string) ([]string, Directive) {
	switch k {
	case kFile:
		return nil, Files
	case kShell:
		return prefixed(Shells, cur), Done
	case kNone:
		return nil, Done
	}
	src := c.source()
	if src == nil {
		return nil, Done
	}
	switch k {
	case kSite:
		return prefixed(src.Sites(), cur), Done
	case kPool:
		pools, _ := src.Pools(c.ctx)
		return prefixed(pools, cur), Done
	case kImageName, kJournalID:
		pool := c.flags["pool"]
		if pool == "" {
			pool = defaultPool
		}
		if c.flags["dest-pool"] != "" && (c.flags["dest"] != "" || c.flags["dest-journal"] != "") {
			pool = c.flags["dest-pool"]
		}
		var names []string
		if k == kImageName {
			names, _ = src.Images(c.ctx, pool)
		} else {
			names, _ = src.JournalIDs(c.ctx, pool)
		}
		return prefixed(names, cur), Done
	}
	// pool/name specs: before the slash, the pools (and the default pool's
	// names, which need no pool); after it, that pool's names.
	list := src.Images
	switch k {
	case kGroupSpec:
		list = src.Groups
	case kJournalSpec:
		list = src.JournalIDs
	}
	if i := strings.IndexByte(cur, '/'); i >= 0 {
		pool := cur[:i]
		names, _ := list(c.ctx, pool)
		var out []string
		for _, n := range names {
			out = append(out, pool+"/"+n)
		}
		return prefixed(out, cur), Done
	}
	pools, _ := src.Pools(c.ctx)
	var out []string
	for _, p := range pools {
		out = append(out, p+"/")
	}
	names, _ := list(c.ctx, defaultPool)
	out = prefixed(append(out, names...), cur)
	if len(out) == 1 && strings.HasSuffix(out[0], "/") {
		return out, NoSpace
	}
	return out, Done
}
