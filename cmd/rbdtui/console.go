package main

import (
	"context"

	"github.com/rbdtui/rbdtui/internal/cli"
)

// runConsole opens the TUI on the configured sites.
func runConsole(ctx context.Context, env *cli.Env) error {
	return cli.Usagef("console not wired yet")
}
