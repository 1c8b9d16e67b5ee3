package cli

import (
	"context"
	"fmt"

	"github.com/rbdtui/rbdtui/internal/grammar"
)

var versionCmd = &grammar.Command{Path: []string{"version"}, Summary: "print rbdtui's version and the Ceph libraries it runs on"}

var helpCmd = &grammar.Command{Path: []string{"help"}, Summary: "list commands, or explain one: rbdtui help mirror image status",
	Args: []grammar.Arg{{Name: "command", Optional: true, Variadic: true, Help: "the command to explain"}}}

// New builds the application with every command registered.
func New(version string) *App {
	a := &App{Version: version}
	a.Register(sitesCmd, runSites)
	a.Register(labUpCmd, runLabUp)
	a.Register(labDownCmd, runLabDown)
	a.Register(labStatusCmd, runLabStatus)
	a.Register(labLoadCmd, runLabLoad)
	a.Register(versionCmd, func(ctx context.Context, env *Env) error {
		fmt.Fprintf(env.Stdout, "rbdtui %s (%s)\n", a.Version, cephVersion())
		return nil
	})
	a.Register(helpCmd, func(ctx context.Context, env *Env) error {
		words := env.Inv.Args["command"]
		if len(words) == 0 {
			a.help(env.Stdout, nil)
			return nil
		}
		inv, err := a.Grammar.Parse(append(words, "--help"))
		if err != nil {
			return err
		}
		a.help(env.Stdout, inv.Cmd)
		return nil
	})
	return a
}
