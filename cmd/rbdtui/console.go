package main

import (
	"context"
	"os"
	"strings"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
	"github.com/rbdtui/rbdtui/internal/backend"
	"github.com/rbdtui/rbdtui/internal/cli"
	"github.com/rbdtui/rbdtui/internal/config"
	"github.com/rbdtui/rbdtui/themes"
	"github.com/rbdtui/rbdtui/ui"
)

// runConsole opens the TUI on the configured sites. Configuration mistakes
// (unknown theme, unknown key action) are reported before the screen opens.
func runConsole(ctx context.Context, env *cli.Env) error {
	cfg, err := env.Config()
	if err != nil {
		return err
	}
	c, err := consoleSettings(cfg)
	if err != nil {
		return err
	}
	if env.Inv.Globals.NoColor || os.Getenv("NO_COLOR") != "" {
		lipgloss.SetColorProfile(termenv.Ascii)
	}
	m, err := env.Sites()
	if err != nil {
		return err
	}
	app := cli.New(version)
	app.Log = env.Log
	c.Backend = backend.New(m, app)
	env.Log.Info("console opened", "config", cfg.Path, "sites", strings.Join(cfg.SiteNames(), ","))
	if env.Inv.Cmd != nil && env.Inv.Cmd.Screen != "" {
		// `rbdtui watch rbd`: open the console on that screen.
		c.Start = env.Argv
	}
	return ui.Run(c)
}

// consoleSettings turns the configuration (flags already applied by
// Env.Config: --readonly, --theme, --timeout) into the console's settings,
// everything but the backend. Theme and key names are checked here, so a
// typo is an error that names the file and the bad name, not a surprise on
// screen.
func consoleSettings(cfg *config.Config) (ui.Common, error) {
	theme, err := themes.Load(cfg.UI.Theme)
	if err != nil {
		return ui.Common{}, cli.Usagef("config %s: ui.theme: %v", cfg.Path, err)
	}
	keys := ui.DefaultKeyMap()
	if len(cfg.UI.Keys) > 0 {
		remap := map[string][]string{}
		for action, ks := range cfg.UI.Keys {
			remap[action] = ks
		}
		if err := keys.Rebind(remap); err != nil {
			return ui.Common{}, cli.Usagef("config %s: ui.keys: %v", cfg.Path, err)
		}
	}
	// The UI's outer deadline sits above the slowest site's own timeout so
	// that the site layer's more specific error arrives first.
	var timeout time.Duration
	for _, s := range cfg.Sites {
		if t := cfg.EffectiveTimeout(s); t > timeout {
			timeout = t
		}
	}
	return ui.Common{
		Styles:   ui.NewStyles(theme),
		Keys:     keys,
		Refresh:  cfg.RefreshInterval(),
		Timeout:  timeout + 2*time.Second,
		ReadOnly: cfg.UI.ReadOnly,
		Mouse:    cfg.UI.Mouse,
	}, nil
}
