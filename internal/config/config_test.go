package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// files makes a ceph.conf and a keyring to point configurations at.
func files(t *testing.T) (dir, conf, keyring string) {
	dir = t.TempDir()
	conf = filepath.Join(dir, "ceph.conf")
	keyring = filepath.Join(dir, "client.x.keyring")
	for _, p := range []string{conf, keyring} {
		if err := os.WriteFile(p, []byte("[global]\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return
}

func write(t *testing.T, dir, text string) string {
	p := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadGood(t *testing.T) {
	dir, conf, keyring := files(t)
	p := write(t, dir, `
timeout: 3s
sites:
  - name: site-a
    conf: `+conf+`
    client: rbdtui
    keyring: client.x.keyring
  - name: site-b
    conf: ceph.conf
    client: client.admin
    timeout: 7
    readonly: true
ui:
  refresh: 250ms
  theme: light
  keys:
    quit: Q
    up: [k, up]
`)
	c, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Sites) != 2 || c.Sites[0].Name != "site-a" {
		t.Fatalf("sites: %+v", c.Sites)
	}
	if c.Sites[0].Keyring != keyring {
		t.Errorf("relative keyring not resolved against the config's directory: %q", c.Sites[0].Keyring)
	}
	if c.Sites[1].Conf != conf {
		t.Errorf("relative conf: %q", c.Sites[1].Conf)
	}
	if got := c.Sites[0].ClientName(); got != "client.rbdtui" {
		t.Errorf("ClientName = %q", got)
	}
	if got := c.Sites[1].ClientID(); got != "admin" {
		t.Errorf("ClientID = %q", got)
	}
	if got := c.EffectiveTimeout(c.Sites[0]); got != 3*time.Second {
		t.Errorf("file timeout = %v", got)
	}
	if got := c.EffectiveTimeout(c.Sites[1]); got != 7*time.Second {
		t.Errorf("site timeout (bare seconds) = %v", got)
	}
	if got := c.RefreshInterval(); got != MinRefresh {
		t.Errorf("refresh below the floor must be raised to %v, got %v", MinRefresh, got)
	}
	if c.UI.Theme != "light" || len(c.UI.Keys["up"]) != 2 || c.UI.Keys["quit"][0] != "Q" {
		t.Errorf("ui: %+v", c.UI)
	}
	if s, err := c.Site(""); err != nil || s.Name != "site-a" {
		t.Errorf("default site = %v, %v", s.Name, err)
	}
	if _, err := c.Site("site-z"); err == nil || !strings.Contains(err.Error(), "site-a, site-b") {
		t.Errorf("unknown site error should list the configured ones: %v", err)
	}
}

func TestRefreshDefaultsAndOff(t *testing.T) {
	dir, conf, _ := files(t)
	c, err := Load(write(t, dir, "sites:\n  - {name: a, conf: "+conf+"}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if c.RefreshInterval() != DefaultRefresh || c.EffectiveTimeout(c.Sites[0]) != DefaultTimeout || c.UI.Theme != DefaultTheme {
		t.Errorf("defaults: refresh %v timeout %v theme %q", c.RefreshInterval(), c.EffectiveTimeout(c.Sites[0]), c.UI.Theme)
	}
	c, err = Load(write(t, dir, "sites:\n  - {name: a, conf: "+conf+"}\nui:\n  refresh: 0\n"))
	if err != nil {
		t.Fatal(err)
	}
	if c.RefreshInterval() != 0 {
		t.Errorf("refresh 0 must mean off, got %v", c.RefreshInterval())
	}
}

func TestLoadErrors(t *testing.T) {
	dir, conf, _ := files(t)
	cases := []struct {
		name, text string
		want       []string
	}{
		{"unknown top-level key", "sites:\n  - {name: a, conf: " + conf + "}\nrefersh: 2s\n", []string{`unknown key "refersh"`, "line 3"}},
		{"unknown site key", "sites:\n  - name: a\n    conf: " + conf + "\n    key: AQBsecret==\n", []string{`unknown key "key"`, "site entry"}},
		{"unknown ui key", "sites:\n  - {name: a, conf: " + conf + "}\nui:\n  colour: red\n", []string{`unknown key "colour"`, "under ui"}},
		{"missing conf", "sites:\n  - {name: a, conf: /nonexistent/ceph.conf}\n", []string{`site "a"`, "/nonexistent/ceph.conf", "no such file"}},
		{"conf is a directory", "sites:\n  - {name: a, conf: " + dir + "}\n", []string{`site "a"`, "is a directory"}},
		{"missing keyring", "sites:\n  - {name: a, conf: " + conf + ", keyring: nope.keyring}\n", []string{`site "a"`, "keyring", "nope.keyring", "no such file"}},
		{"no conf", "sites:\n  - {name: a}\n", []string{`site "a"`, `"conf"`, "required"}},
		{"no name", "sites:\n  - {conf: " + conf + "}\n", []string{"site #1", `"name" is required`}},
		{"bad name", "sites:\n  - {name: 'a b', conf: " + conf + "}\n", []string{`site "a b"`, "letters"}},
		{"duplicate", "sites:\n  - {name: a, conf: " + conf + "}\n  - {name: a, conf: " + conf + "}\n", []string{`site "a"`, "twice"}},
		{"no sites", "ui:\n  theme: dark\n", []string{"no sites configured"}},
		{"empty file", "", []string{"empty"}},
		{"bad duration", "timeout: soon\nsites:\n  - {name: a, conf: " + conf + "}\n", []string{`"soon"`, "not a duration"}},
		{"negative duration", "timeout: -1s\nsites:\n  - {name: a, conf: " + conf + "}\n", []string{"not a duration"}},
		{"huge duration", "timeout: 99999999999999\nsites:\n  - {name: a, conf: " + conf + "}\n", []string{"99999999999999 seconds is out of range", "0 to 24h"}},
		{"huge unit duration", "timeout: 900000h\nsites:\n  - {name: a, conf: " + conf + "}\n", []string{"900000h is out of range"}},
		{"not yaml", "sites: [\n", []string{"yaml"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := write(t, dir, tc.text)
			_, err := Load(p)
			if err == nil {
				t.Fatal("expected an error")
			}
			msg := err.Error()
			if !strings.Contains(msg, p) {
				t.Errorf("error does not name the file: %s", msg)
			}
			for _, w := range tc.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q does not mention %q", msg, w)
				}
			}
		})
	}
}

func TestMissingFile(t *testing.T) {
	_, err := Load("/nonexistent/rbdtui.yaml")
	if err == nil || !strings.Contains(err.Error(), "does not exist") || !strings.Contains(err.Error(), EnvConfig) {
		t.Fatalf("missing file error should say so and how to fix it: %v", err)
	}
}

func TestDefaultPath(t *testing.T) {
	t.Setenv(EnvConfig, "/etc/x.yaml")
	if DefaultPath() != "/etc/x.yaml" {
		t.Fatal("RBDTUI_CONFIG not honoured")
	}
	t.Setenv(EnvConfig, "")
	t.Setenv("XDG_CONFIG_HOME", "/home/op/.config")
	if got := DefaultPath(); got != "/home/op/.config/rbdtui/config.yaml" {
		t.Fatalf("default path = %q", got)
	}
}

func TestWriteRoundTrip(t *testing.T) {
	dir, conf, keyring := files(t)
	in := &Config{Timeout: Duration(4 * time.Second), Sites: []Site{{Name: "a", Conf: conf, Client: "client.rbdtui", Keyring: keyring}}}
	in.UI.Theme = "dark"
	p := filepath.Join(dir, "out.yaml")
	if err := Write(p, in); err != nil {
		t.Fatal(err)
	}
	st, _ := os.Stat(p)
	if st.Mode().Perm() != 0o600 {
		t.Errorf("config written with mode %v, want 0600", st.Mode().Perm())
	}
	out, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	if out.Sites[0] != in.Sites[0] || out.Timeout != in.Timeout {
		t.Errorf("round trip: %+v != %+v", out.Sites[0], in.Sites[0])
	}
}
