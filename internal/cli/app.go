package cli

import (
	"context"

	"github.com/rbdtui/rbdtui/internal/commands"
)

// handlers maps each command name of internal/commands to the function that
// runs it; each area's file adds its own in an init function.
var handlers = map[string]Handler{}

func handle(name string, h Handler) {
	if _, dup := handlers[name]; dup {
		panic("cli: two handlers for " + name)
	}
	handlers[name] = h
}

func init() {
	handle("sites", runSites)
	handle("completion", runCompletion)
	handle("lab up", runLabUp)
	handle("lab down", runLabDown)
	handle("lab status", runLabStatus)
	handle("lab exec", runLabExec)
	handle("lab load", runLabLoad)
}

// New builds the application over the shared grammar. Every declared command
// must have a handler: a missing one is a programming error caught by tests.
func New(version string) *App {
	a := &App{Version: version, Grammar: commands.Registry(), handlers: map[string]Handler{}}
	for name, h := range handlers {
		a.handlers[name] = h
	}
	a.handlers["version"] = func(ctx context.Context, env *Env) error {
		return runVersion(ctx, env, a.Version)
	}
	a.handlers["help"] = func(ctx context.Context, env *Env) error {
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
	}
	return a
}

// Unhandled lists declared commands without a handler.
func (a *App) Unhandled() []string {
	var out []string
	for _, c := range a.Grammar.Commands() {
		// Screen commands open the console; they have no handler.
		if a.handlers[c.Name()] == nil && c.Screen == "" {
			out = append(out, c.Name())
		}
	}
	return out
}
