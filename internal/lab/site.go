package lab

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/rbdtui/rbdtui/internal/config"
)

var lookPath = exec.LookPath

// newSite lays out a site's directory and records its paths.
func newSite(dir, name string, port int) (*SiteState, error) {
	sdir := filepath.Join(dir, name)
	if err := os.RemoveAll(sdir); err != nil {
		return nil, err
	}
	fsid, err := newUUID()
	if err != nil {
		return nil, err
	}
	ss := &SiteState{Name: name, Dir: sdir, FSID: fsid, Conf: filepath.Join(sdir, "ceph.conf"), MonPort: port, Keyrings: map[string]string{}}
	// Admin sockets are unix sockets, whose paths are limited to 107 bytes:
	// a deep lab directory gets its run dir under /tmp instead.
	ss.RunDir = filepath.Join(sdir, "run")
	if len(ss.RunDir) > 60 {
		rd, err := os.MkdirTemp("", "rbdtui-run-"+name+"-")
		if err != nil {
			return nil, err
		}
		ss.RunDir = rd
	}
	// Keys and daemon data (which hold keys too) are the owner's only:
	// directories 0700, keyrings 0600 (lockKeys).
	for _, d := range []string{sdir, ss.RunDir, filepath.Join(sdir, "log"), filepath.Join(sdir, "keys"), filepath.Join(sdir, "data")} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return nil, err
		}
		if err := os.Chmod(d, 0o700); err != nil {
			return nil, err
		}
	}
	for _, c := range []string{AdminClient, ConsoleUser, ReadOnlyUser, ss.MirrorUser()} {
		ss.Keyrings[c] = ss.keyringPath(c)
	}
	return ss, nil
}

// lockKeys makes every keyring of the site mode 0600: ceph-authtool and
// `ceph auth get-or-create -o` write them 0644.
func (s *SiteState) lockKeys() error {
	dir := filepath.Join(s.Dir, "keys")
	ents, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range ents {
		if err := os.Chmod(filepath.Join(dir, e.Name()), 0o600); err != nil {
			return err
		}
	}
	return nil
}

func (s *SiteState) keyringPath(name string) string {
	return filepath.Join(s.Dir, "keys", name+".keyring")
}

// env is the environment of every Ceph process of the site. rbd-mirror opens
// its per-pool connections from the default config search path, so CEPH_CONF
// must point at the site's conf, not only -c.
func (s *SiteState) env() []string {
	var env []string
	for _, e := range os.Environ() {
		if strings.HasPrefix(e, "CEPH_CONF=") || strings.HasPrefix(e, "CEPH_ARGS=") {
			continue
		}
		env = append(env, e)
	}
	return append(env, "CEPH_CONF="+s.Conf)
}

// ceph runs the ceph CLI as client.admin against this site.
func (s *SiteState) ceph(ctx context.Context, args ...string) ([]byte, error) {
	return s.run(ctx, nil, "ceph", append([]string{"-c", s.Conf, "--connect-timeout", "10"}, args...)...)
}

// rbd runs the rbd CLI as client.admin against this site.
func (s *SiteState) rbd(ctx context.Context, stdin []byte, args ...string) ([]byte, error) {
	return s.run(ctx, stdin, "rbd", append([]string{"-c", s.Conf}, args...)...)
}

// run runs one of the site's Ceph programs (the host's, or chrooted in the
// site's release root) with a deadline; errors name the program as asked.
func (s *SiteState) run(ctx context.Context, stdin []byte, name string, args ...string) ([]byte, error) {
	bin, full := s.command(name, args...)
	out, err := runShown(ctx, s.env(), stdin, append([]string{name}, args...), bin, full...)
	if err != nil && s.Root != "" {
		return out, fmt.Errorf("%w (Ceph %s, chrooted in %s)", err, s.Release, s.Root)
	}
	return out, err
}

// start starts one of the site's daemons (see startDaemon).
func (s *SiteState) start(logPath, name string, args ...string) (int, error) {
	bin, full := s.command(name, args...)
	return startDaemon(s.env(), logPath, bin, full...)
}

func (s *SiteState) health(ctx context.Context) (string, error) {
	out, err := s.ceph(ctx, "health", "--format", "json")
	if err != nil {
		return "", err
	}
	var h struct {
		Status string `json:"status"`
	}
	if err := json.Unmarshal(out, &h); err != nil {
		return "", err
	}
	return h.Status, nil
}

// health is `ceph health detail --format json`.
type health struct {
	Status string `json:"status"`
	Checks map[string]struct {
		Severity string `json:"severity"`
		Summary  struct {
			Message string `json:"message"`
		} `json:"summary"`
		Detail []struct {
			Message string `json:"message"`
		} `json:"detail"`
	} `json:"checks"`
}

// String is the status with every check, its summary and detail, so that an
// error never says "HEALTH_WARN: " and nothing else.
func (h *health) String() string {
	names := make([]string, 0, len(h.Checks))
	for n := range h.Checks {
		names = append(names, n)
	}
	sort.Strings(names)
	var parts []string
	for _, n := range names {
		c := h.Checks[n]
		p := n + ": " + c.Summary.Message
		var ds []string
		for _, d := range c.Detail {
			ds = append(ds, strings.TrimSpace(d.Message))
		}
		if len(ds) > 0 {
			p += " (" + strings.Join(ds, "; ") + ")"
		}
		parts = append(parts, p)
	}
	if len(parts) == 0 {
		return h.Status + " (no health checks listed)"
	}
	return h.Status + ": " + strings.Join(parts, "; ")
}

func (s *SiteState) healthDetail(ctx context.Context) (*health, error) {
	out, err := s.ceph(ctx, "health", "detail", "--format", "json")
	if err != nil {
		return nil, err
	}
	var h health
	if err := json.Unmarshal(out, &h); err != nil {
		return nil, fmt.Errorf("%s: ceph health detail: %w", s.Name, err)
	}
	return &h, nil
}

// knownDefects are health checks a release's Debian packaging raises
// whatever the lab does, which the lab mutes (saying so) rather than never
// coming up. Debian trixie's Reef mgr cannot load its PyO3-based Python
// modules in subinterpreters ("PyO3 modules do not yet support
// subinterpreters"): MGR_MODULE_DEPENDENCY lists them, rbd_support among
// them, so on such a site snapshot schedules and the mgr's rbd task queue
// do not run; mirroring itself (rbd-mirror) does not depend on the mgr.
var knownDefects = map[string]string{
	"MGR_MODULE_DEPENDENCY": "mgr modules that cannot load on this release's packages",
}

// muteKnownDefects mutes the known defects among h's checks, logging each
// with its detail (which modules) once, and returns nil; it does nothing
// when another check is raised too (that is for the caller's error).
func (s *SiteState) muteKnownDefects(ctx context.Context, h *health, o *Options) error {
	for n := range h.Checks {
		if _, ok := knownDefects[n]; !ok {
			return nil
		}
	}
	for n, c := range h.Checks {
		var ds []string
		for _, d := range c.Detail {
			ds = append(ds, strings.TrimSpace(d.Message))
		}
		if _, err := s.ceph(ctx, "health", "mute", n); err != nil {
			return err
		}
		why := fmt.Sprintf("%s: %s (%s)", n, c.Summary.Message, strings.Join(ds, "; "))
		o.logf("%s: muted %s: %s", s.Name, knownDefects[n], why)
		s.Muted = append(s.Muted, why)
	}
	return nil
}

func (s *SiteState) writeConf() error {
	conf := fmt.Sprintf(`# ceph.conf of the rbdtui lab site %[1]s, written by rbdtui lab up
[global]
fsid = %[2]s
mon host = [v2:127.0.0.1:%[3]d]
auth cluster required = cephx
auth service required = cephx
auth client required = cephx
auth allow insecure global id reclaim = false
ms bind msgr1 = false
ms bind msgr2 = true
keyring = %[4]s/keys/$name.keyring
run dir = %[5]s
admin socket = %[5]s/$name.$pid.asok
log file = %[4]s/log/$name.log
mon data = %[4]s/data/$name
mgr data = %[4]s/data/$name
osd data = %[4]s/data/$name
osd objectstore = memstore
memstore device bytes = 4294967296
osd pool default size = 1
osd pool default min size = 1
osd pool default pg autoscale mode = off
osd crush chooseleaf type = 0
mon allow pool size one = true
mon allow pool delete = true
mon warn on pool no redundancy = false
mon data avail warn = 0
mon data avail crit = 0
mon pg warn min per osd = 0
mon max pg per osd = 1000
osd max object name len = 256
osd max object namespace len = 64
# Thaw marks the OSD down to make it re-peer after a freeze; by default an
# OSD marked down more than 5 times in 10 minutes shuts itself down.
osd max markdown count = 1000

[client]
# Several clients of one user run at once (console, tests, rbd CLI):
# per-process admin sockets keep them from colliding.
admin socket = %[5]s/$name.$pid.asok
log file = %[4]s/log/$name.$pid.log

[client.rbd-mirror.%[1]s]
rbd mirror pool replayers refresh interval = 5
rbd mirror image state check interval = 10
`, s.Name, s.FSID, s.MonPort, s.Dir, s.RunDir)
	return os.WriteFile(s.Conf, []byte(conf), 0o644)
}

func newUUID() (string, error) {
	b := make([]byte, 16)
	f, err := os.Open("/dev/urandom")
	if err != nil {
		return "", err
	}
	defer f.Close()
	if _, err := f.Read(b); err != nil {
		return "", err
	}
	b[6] = (b[6] & 0x0f) | 0x40
	b[8] = (b[8] & 0x3f) | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:]), nil
}

// bootSite brings one site from nothing to a mirrored rbd pool with its
// rbd-mirror daemon running.
func bootSite(ctx context.Context, st *State, s *SiteState, o *Options) error {
	step := func(what string, fn func() error) error {
		t := time.Now()
		if err := fn(); err != nil {
			return fmt.Errorf("%s: %s: %w", s.Name, what, err)
		}
		o.logf("%s: %s (%.1fs)", s.Name, what, time.Since(t).Seconds())
		return nil
	}
	if err := step("keys and monmap", func() error {
		if err := s.writeConf(); err != nil {
			return err
		}
		monKeyring := s.keyringPath("mon.")
		if _, err := s.run(ctx, nil, "ceph-authtool", "--create-keyring", monKeyring, "--gen-key", "-n", "mon.", "--cap", "mon", "allow *"); err != nil {
			return err
		}
		admin := s.keyringPath(AdminClient)
		if _, err := s.run(ctx, nil, "ceph-authtool", "--create-keyring", admin, "--gen-key", "-n", AdminClient,
			"--cap", "mon", "allow *", "--cap", "osd", "allow *", "--cap", "mgr", "allow *", "--cap", "mds", "allow *"); err != nil {
			return err
		}
		if _, err := s.run(ctx, nil, "ceph-authtool", monKeyring, "--import-keyring", admin); err != nil {
			return err
		}
		monmap := filepath.Join(s.Dir, "monmap")
		if _, err := s.run(ctx, nil, "monmaptool", "--create", "--fsid", s.FSID, "--addv", "a", fmt.Sprintf("[v2:127.0.0.1:%d]", s.MonPort), monmap); err != nil {
			return err
		}
		_, err := s.run(ctx, nil, "ceph-mon", "-c", s.Conf, "--mkfs", "-i", "a", "--monmap", monmap, "--keyring", monKeyring)
		return err
	}); err != nil {
		return err
	}
	if err := step("mon", func() error {
		pid, err := s.start(filepath.Join(s.Dir, "log", "mon.out"), "ceph-mon", "-c", s.Conf, "-i", "a", "-f")
		if err != nil {
			return err
		}
		if err := st.update(func() { s.PIDs.Mon = pid }); err != nil {
			return err
		}
		return retry(ctx, 200*time.Millisecond, "the monitor", func() error {
			_, err := s.ceph(ctx, "mon", "stat")
			return err
		})
	}); err != nil {
		return err
	}
	if err := step("users", func() error {
		users := [][]string{
			append([]string{"mgr.x"}, "mon", "allow profile mgr", "osd", "allow *", "mds", "allow *"),
			append([]string{ConsoleUser}, ConsoleCaps...),
			append([]string{ReadOnlyUser}, ReadOnlyCaps...),
			append([]string{s.MirrorUser()}, MirrorCaps...),
		}
		for _, u := range users {
			args := append([]string{"auth", "get-or-create"}, u...)
			args = append(args, "-o", s.keyringPath(u[0]))
			if _, err := s.ceph(ctx, args...); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		return err
	}
	if err := step("mgr", func() error {
		if err := os.MkdirAll(filepath.Join(s.Dir, "data", "mgr.x"), 0o700); err != nil {
			return err
		}
		pid, err := s.start(filepath.Join(s.Dir, "log", "mgr.out"), "ceph-mgr", "-c", s.Conf, "-i", "x", "-f")
		if err != nil {
			return err
		}
		return st.update(func() { s.PIDs.Mgr = pid })
	}); err != nil {
		return err
	}
	if err := step("osd", func() error {
		uuid, err := newUUID()
		if err != nil {
			return err
		}
		out, err := s.ceph(ctx, "osd", "new", uuid)
		if err != nil {
			return err
		}
		id, err := atoiTrim(out)
		if err != nil {
			return err
		}
		name := fmt.Sprintf("osd.%d", id)
		if err := os.MkdirAll(filepath.Join(s.Dir, "data", name), 0o700); err != nil {
			return err
		}
		if _, err := s.ceph(ctx, "auth", "get-or-create", name, "mon", "allow profile osd", "mgr", "allow profile osd", "osd", "allow *", "-o", s.keyringPath(name)); err != nil {
			return err
		}
		if _, err := s.run(ctx, nil, "ceph-osd", "-c", s.Conf, "-i", fmt.Sprint(id), "--mkfs", "--osd-uuid", uuid); err != nil {
			return err
		}
		pid, err := s.start(filepath.Join(s.Dir, "log", "osd.out"), "ceph-osd", "-c", s.Conf, "-i", fmt.Sprint(id), "-f")
		if err != nil {
			return err
		}
		if err := st.update(func() { s.PIDs.OSD = pid }); err != nil {
			return err
		}
		return retry(ctx, 250*time.Millisecond, "the OSD to come up", func() error {
			out, err := s.ceph(ctx, "osd", "stat", "--format", "json")
			if err != nil {
				return err
			}
			var o struct {
				Up int `json:"num_up_osds"`
			}
			if err := json.Unmarshal(out, &o); err != nil {
				return err
			}
			if o.Up < 1 {
				return fmt.Errorf("%d OSDs up", o.Up)
			}
			return nil
		})
	}); err != nil {
		return err
	}
	if err := step("pool rbd", func() error {
		if _, err := s.ceph(ctx, "osd", "pool", "create", Pool, "32"); err != nil {
			return err
		}
		if _, err := s.rbd(ctx, nil, "pool", "init", Pool); err != nil {
			return err
		}
		_, err := s.rbd(ctx, nil, "mirror", "pool", "enable", Pool, "image", "--site-name", s.Name)
		return err
	}); err != nil {
		return err
	}
	if err := s.lockKeys(); err != nil {
		return err
	}
	return step("rbd-mirror", func() error {
		id := strings.TrimPrefix(s.MirrorUser(), "client.")
		pid, err := s.start(filepath.Join(s.Dir, "log", "rbd-mirror.out"), "rbd-mirror", "-c", s.Conf, "--id", id, "-f")
		if err != nil {
			return err
		}
		return st.update(func() { s.PIDs.RBDMirror = pid })
	})
}

// peer registers the two sites as each other's peers with a bootstrap token
// created on site-a and imported rx-tx on site-b, which sets up both
// directions.
func peer(ctx context.Context, st *State, o *Options) error {
	a, b := st.Site(SiteA), st.Site(SiteB)
	t := time.Now()
	token, err := a.rbd(ctx, nil, "mirror", "pool", "peer", "bootstrap", "create", "--site-name", a.Name, Pool)
	if err != nil {
		return fmt.Errorf("bootstrap token on %s: %w", a.Name, err)
	}
	tokenFile := filepath.Join(b.Dir, "keys", "bootstrap-token")
	if err := os.WriteFile(tokenFile, token, 0o600); err != nil {
		return err
	}
	defer os.Remove(tokenFile)
	if _, err := b.rbd(ctx, nil, "mirror", "pool", "peer", "bootstrap", "import", "--site-name", b.Name, "--direction", "rx-tx", Pool, tokenFile); err != nil {
		return fmt.Errorf("bootstrap import on %s: %w", b.Name, err)
	}
	o.logf("peers bootstrapped both ways (%.1fs)", time.Since(t).Seconds())
	return nil
}

// writeConfigs writes the rbdtui configurations for the console user and the
// read-only user.
func writeConfigs(st *State) error {
	for _, c := range []struct{ path, user string }{{st.ConfigPath(), ConsoleUser}, {st.ReadOnlyConfigPath(), ReadOnlyUser}, {st.AdminConfigPath(), AdminClient}} {
		cfg := &config.Config{Timeout: config.Duration(config.DefaultTimeout)}
		for _, ss := range st.Sites {
			cfg.Sites = append(cfg.Sites, config.Site{Name: ss.Name, Conf: ss.Conf, Client: c.user, Keyring: ss.Keyring(c.user)})
		}
		cfg.UI.Theme = config.DefaultTheme
		if c.user == ReadOnlyUser {
			cfg.UI.ReadOnly = true
		}
		if err := config.Write(c.path, cfg); err != nil {
			return err
		}
	}
	return nil
}

// waitHealthy waits until both sites report HEALTH_OK and their mirror pool
// status shows healthy rbd-mirror daemons.
func waitHealthy(ctx context.Context, st *State, o *Options) error {
	t := time.Now()
	for _, s := range st.Sites {
		s := s
		o.logf("%s: waiting for its rbd-mirror daemon to report health OK (rbd mirror pool status %s)…", s.Name, Pool)
		if err := retry(ctx, 500*time.Millisecond, s.Name+" rbd-mirror daemon health OK", func() error {
			out, err := s.rbd(ctx, nil, "mirror", "pool", "status", Pool, "--format", "json")
			if err != nil {
				return err
			}
			var ps struct {
				Summary struct {
					DaemonHealth string `json:"daemon_health"`
				} `json:"summary"`
			}
			if err := json.Unmarshal(out, &ps); err != nil {
				return err
			}
			if ps.Summary.DaemonHealth != "OK" {
				return fmt.Errorf("daemon health %s", ps.Summary.DaemonHealth)
			}
			return nil
		}); err != nil {
			return err
		}
		o.logf("%s: waiting for HEALTH_OK (ceph health)…", s.Name)
		if err := retry(ctx, 500*time.Millisecond, s.Name+" HEALTH_OK", func() error {
			h, err := s.healthDetail(ctx)
			if err != nil {
				return err
			}
			if h.Status == "HEALTH_OK" {
				return nil
			}
			if err := s.muteKnownDefects(ctx, h, o); err != nil {
				return err
			}
			return errors.New(h.String())
		}); err != nil {
			return err
		}
	}
	o.logf("both sites HEALTH_OK, rbd-mirror daemons healthy (%.1fs)", time.Since(t).Seconds())
	return st.save() // with what was muted
}
