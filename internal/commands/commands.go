// Package commands declares every command of rbdtui's grammar: its words,
// arguments, options, whether it is dangerous, and its rbd equivalent. It is
// free of cgo so that the console's palette (completion, read-only filtering,
// the command log's rbd equivalents) and the CLI share one table. Handlers
// live in internal/cli; each area (sites, lab, mirror, journal, groups) keeps
// its specs in its own file.
package commands

import (
	"sort"
	"sync"

	"github.com/rbdtui/rbdtui/internal/grammar"
)

var (
	specs []*grammar.Command
	once  sync.Once
	reg   *grammar.Registry
)

// declare adds an area's static command table; called from init functions
// only, so the table is complete before anything reads it.
func declare(cmds ...*grammar.Command) { specs = append(specs, cmds...) }

// Registry returns the grammar with every command.
func Registry() *grammar.Registry {
	once.Do(func() {
		reg = &grammar.Registry{}
		sorted := append([]*grammar.Command(nil), specs...)
		sort.Slice(sorted, func(i, j int) bool { return sorted[i].Name() < sorted[j].Name() })
		reg.Add(sorted...)
	})
	return reg
}

// Lookup returns the command with the given name ("mirror image resync").
func Lookup(name string) *grammar.Command {
	for _, c := range Registry().Commands() {
		if c.Name() == name {
			return c
		}
	}
	return nil
}

// Common options shared by several areas.
var (
	PoolFlag      = grammar.Flag{Name: "pool", Short: "p", Kind: grammar.String, Help: "pool name"}
	NamespaceFlag = grammar.Flag{Name: "namespace", Kind: grammar.String, Help: "namespace name"}
	ImageFlag     = grammar.Flag{Name: "image", Kind: grammar.String, Help: "image name"}
)
