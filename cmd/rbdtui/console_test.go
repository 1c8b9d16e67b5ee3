package main

import (
	"strings"
	"testing"
	"time"

	"github.com/rbdtui/rbdtui/internal/config"
)

func TestConsoleSettings(t *testing.T) {
	cfg := &config.Config{Path: "/etc/rbdtui.yaml", Sites: []config.Site{{Name: "a"}, {Name: "b", Timeout: config.Duration(20 * time.Second)}}}
	cfg.UI.Theme = "colorblind"
	cfg.UI.Keys = map[string]config.KeyList{"resync": {"ctrl+r"}, "down": {"n", "down"}}
	c, err := consoleSettings(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if c.Styles.Theme != "colorblind" || c.Refresh != config.DefaultRefresh || c.Timeout != 22*time.Second {
		t.Errorf("settings: theme %q refresh %v timeout %v", c.Styles.Theme, c.Refresh, c.Timeout)
	}
	if b, ok := c.Keys.Match("ctrl+r"); !ok || b.Action != "resync" {
		t.Error("the resync action was not rebound by name")
	}

	cfg.UI.Keys = map[string]config.KeyList{"resynk": {"x"}}
	_, err = consoleSettings(cfg)
	if err == nil || !strings.Contains(err.Error(), `ui.keys: unknown key action "resynk"`) || !strings.Contains(err.Error(), "/etc/rbdtui.yaml") {
		t.Errorf("unknown action: %v", err)
	}
	cfg.UI.Keys = nil
	cfg.UI.Theme = "solarized"
	if _, err := consoleSettings(cfg); err == nil || !strings.Contains(err.Error(), "ui.theme") {
		t.Errorf("unknown theme: %v", err)
	}

	cfg.UI.Theme, cfg.UI.ReadOnly = "", true
	c, err = consoleSettings(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if !c.ReadOnly {
		t.Error("readonly config not passed on")
	}
	off := config.Duration(0)
	cfg.UI.Refresh = &off
	if c, _ := consoleSettings(cfg); c.Refresh != 0 {
		t.Errorf("refresh 0 should turn auto-refresh off, got %v", c.Refresh)
	}
}
