// Package config loads rbdtui's YAML configuration: the Ceph sites the console
// manages and the console's own settings. Loading is strict: an unknown key, a
// missing ceph.conf or keyring, or a malformed value is an error that names the
// file, the site and the cause, so a typo never silently changes behaviour.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Defaults and limits an operator can rely on.
const (
	DefaultTimeout = 10 * time.Second
	DefaultRefresh = 2 * time.Second
	MinRefresh     = 500 * time.Millisecond
	DefaultTheme   = "dark"
	EnvConfig      = "RBDTUI_CONFIG"
)

// Config is the whole configuration file.
type Config struct {
	// Path is the file it was read from ("" for an ad-hoc site).
	Path string `yaml:"-"`
	// Timeout bounds every mon/osd operation and the initial connection.
	Timeout Duration `yaml:"timeout,omitempty"`
	Sites   []Site   `yaml:"sites"`
	UI      UI       `yaml:"ui"`
}

// Site is one Ceph cluster. Secrets never live here: the key is read from the
// keyring file the entry points at.
type Site struct {
	Name    string `yaml:"name"`
	Conf    string `yaml:"conf"`
	Cluster string `yaml:"cluster,omitempty"`
	// Client is the cephx user, "client.rbdtui" or just "rbdtui".
	Client   string   `yaml:"client"`
	Keyring  string   `yaml:"keyring,omitempty"`
	Timeout  Duration `yaml:"timeout,omitempty"`
	ReadOnly bool     `yaml:"readonly,omitempty"`
}

// UI holds the console's settings.
type UI struct {
	// Refresh is the polling interval; 0 turns polling off.
	Refresh  *Duration          `yaml:"refresh,omitempty"`
	Theme    string             `yaml:"theme,omitempty"`
	ReadOnly bool               `yaml:"readonly,omitempty"`
	Keys     map[string]KeyList `yaml:"keys,omitempty"`
	// Mouse turns on the console's mouse: wheel scrolling and click to
	// select (k9s's way); off by default.
	Mouse bool `yaml:"mouse,omitempty"`
}

// KeyList accepts either one key or a list of keys in YAML.
type KeyList []string

// UnmarshalYAML implements yaml.Unmarshaler.
func (k *KeyList) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		*k = KeyList{n.Value}
		return nil
	}
	var l []string
	if err := n.Decode(&l); err != nil {
		return err
	}
	*k = l
	return nil
}

// Duration is a time.Duration written as "10s", "500ms" or a number of seconds.
type Duration time.Duration

// MaxDuration bounds every duration of the file (timeouts, refresh): a
// day, far beyond any sensible value, and far from overflowing.
const MaxDuration = 24 * time.Hour

// UnmarshalYAML implements yaml.Unmarshaler.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	s := strings.TrimSpace(n.Value)
	if numberRE.MatchString(s) {
		var secs float64
		fmt.Sscanf(s, "%g", &secs)
		// A number too big for a duration wrapped negative and silently
		// became the default.
		if secs > MaxDuration.Seconds() {
			return fmt.Errorf("line %d: %s seconds is out of range: durations are 0 to %s (e.g. 10s, 2m)", n.Line, s, MaxDuration)
		}
		*d = Duration(time.Duration(secs * float64(time.Second)))
		return nil
	}
	v, err := time.ParseDuration(s)
	if err != nil || v < 0 {
		return fmt.Errorf("line %d: %q is not a duration (use e.g. 10s, 500ms, 2m, or 0 for off)", n.Line, s)
	}
	if v > MaxDuration {
		return fmt.Errorf("line %d: %s is out of range: durations are 0 to %s (e.g. 10s, 2m)", n.Line, s, MaxDuration)
	}
	*d = Duration(v)
	return nil
}

var numberRE = regexp.MustCompile(`^[0-9]+(\.[0-9]+)?$`)

// D returns the value as a time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

// ClientName returns the full cephx name ("client.x").
func (s Site) ClientName() string {
	if strings.HasPrefix(s.Client, "client.") {
		return s.Client
	}
	if s.Client == "" {
		return "client.admin"
	}
	return "client." + s.Client
}

// ClientID returns the id part of the cephx name ("x" for "client.x").
func (s Site) ClientID() string { return strings.TrimPrefix(s.ClientName(), "client.") }

// EffectiveTimeout is the site's own timeout or the file-wide one.
func (c *Config) EffectiveTimeout(s Site) time.Duration {
	if s.Timeout > 0 {
		return s.Timeout.D()
	}
	if c.Timeout > 0 {
		return c.Timeout.D()
	}
	return DefaultTimeout
}

// RefreshInterval is the polling interval with the default and floor applied.
func (c *Config) RefreshInterval() time.Duration {
	if c.UI.Refresh == nil {
		return DefaultRefresh
	}
	r := c.UI.Refresh.D()
	if r == 0 {
		return 0
	}
	if r < MinRefresh {
		return MinRefresh
	}
	return r
}

// Site returns the named site, or the first one when name is empty.
func (c *Config) Site(name string) (Site, error) {
	if len(c.Sites) == 0 {
		return Site{}, errors.New("no sites configured")
	}
	if name == "" {
		return c.Sites[0], nil
	}
	for _, s := range c.Sites {
		if s.Name == name {
			return s, nil
		}
	}
	return Site{}, fmt.Errorf("unknown site %q (configured: %s)", name, strings.Join(c.SiteNames(), ", "))
}

// SiteNames lists the configured site names in order.
func (c *Config) SiteNames() []string {
	out := make([]string, len(c.Sites))
	for i, s := range c.Sites {
		out[i] = s.Name
	}
	return out
}

// DefaultPath returns where the configuration is looked for when no --config
// is given: $RBDTUI_CONFIG, then ~/.config/rbdtui/config.yaml.
func DefaultPath() string {
	if p := os.Getenv(EnvConfig); p != "" {
		return p
	}
	if dir, err := os.UserConfigDir(); err == nil {
		return filepath.Join(dir, "rbdtui", "config.yaml")
	}
	return ""
}

// Load reads and validates a configuration file.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("config %s: file does not exist (create it, pass --config, set %s, or use -c/--conf for an ad-hoc site)", path, EnvConfig)
		}
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	c, err := Parse(bytes.NewReader(data), filepath.Dir(path))
	if err != nil {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	c.Path = path
	return c, nil
}

var unknownFieldRE = regexp.MustCompile(`line (\d+): field (\S+) not found in type config\.(\w+)`)

// Parse decodes and validates configuration text; relative paths inside it
// are resolved against baseDir.
func Parse(r io.Reader, baseDir string) (*Config, error) {
	dec := yaml.NewDecoder(r)
	dec.KnownFields(true)
	var c Config
	if err := dec.Decode(&c); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, errors.New("file is empty: it needs at least one site under \"sites:\"")
		}
		return nil, errors.New(friendlyYAMLError(err))
	}
	for i := range c.Sites {
		s := &c.Sites[i]
		s.Conf = resolve(baseDir, s.Conf)
		s.Keyring = resolve(baseDir, s.Keyring)
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return &c, nil
}

func friendlyYAMLError(err error) string {
	msg := err.Error()
	msg = unknownFieldRE.ReplaceAllStringFunc(msg, func(m string) string {
		p := unknownFieldRE.FindStringSubmatch(m)
		where := map[string]string{"Config": "at top level", "Site": "in a site entry", "UI": "under ui"}[p[3]]
		if where == "" {
			where = "in " + strings.ToLower(p[3])
		}
		return fmt.Sprintf("line %s: unknown key %q %s", p[1], p[2], where)
	})
	msg = strings.TrimPrefix(msg, "yaml: unmarshal errors:\n")
	return strings.Join(strings.Fields(strings.ReplaceAll(msg, "\n", "; ")), " ")
}

func resolve(base, p string) string {
	if p == "" || filepath.IsAbs(p) {
		return p
	}
	if strings.HasPrefix(p, "~/") {
		if home, err := os.UserHomeDir(); err == nil {
			return filepath.Join(home, p[2:])
		}
	}
	return filepath.Join(base, p)
}

var siteNameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

// Validate checks the whole configuration and reports the first problem with
// the site it belongs to.
func (c *Config) Validate() error {
	if len(c.Sites) == 0 {
		return errors.New("no sites configured: add at least one entry under \"sites:\"")
	}
	seen := map[string]bool{}
	for i, s := range c.Sites {
		if s.Name == "" {
			return fmt.Errorf("site #%d: \"name\" is required", i+1)
		}
		if !siteNameRE.MatchString(s.Name) {
			return fmt.Errorf("site %q: name may hold only letters, digits, '.', '_' and '-'", s.Name)
		}
		if seen[s.Name] {
			return fmt.Errorf("site %q: configured twice", s.Name)
		}
		seen[s.Name] = true
		if err := s.Check(); err != nil {
			return err
		}
	}
	if c.UI.Theme == "" {
		c.UI.Theme = DefaultTheme
	}
	return nil
}

// Check verifies that the site's files exist and are readable.
func (s Site) Check() error {
	if s.Conf == "" {
		return fmt.Errorf("site %q: \"conf\" (path of its ceph.conf) is required", s.Name)
	}
	if err := readable(s.Conf); err != nil {
		return fmt.Errorf("site %q: ceph.conf %s: %v", s.Name, s.Conf, err)
	}
	if s.Keyring != "" {
		if err := readable(s.Keyring); err != nil {
			return fmt.Errorf("site %q: keyring %s: %v", s.Name, s.Keyring, err)
		}
	}
	if strings.ContainsAny(s.Client, " \t") {
		return fmt.Errorf("site %q: client %q contains spaces", s.Name, s.Client)
	}
	return nil
}

func readable(p string) error {
	f, err := os.Open(p)
	if err != nil {
		switch {
		case errors.Is(err, os.ErrNotExist):
			return errors.New("no such file")
		case errors.Is(err, os.ErrPermission):
			return errors.New("permission denied")
		}
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	if st.IsDir() {
		return errors.New("is a directory, not a file")
	}
	return nil
}

// Write serialises a configuration (used by `rbdtui lab up`).
func Write(path string, c *Config) error {
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(c); err != nil {
		return err
	}
	return os.WriteFile(path, b.Bytes(), 0o600)
}

// MarshalYAML writes durations the way people type them.
func (d Duration) MarshalYAML() (any, error) { return time.Duration(d).String(), nil }
