// Package lab builds, inspects and tears down a two-site Ceph lab on this
// machine from Debian's own daemons: per site a monitor (msgr2 on loopback),
// a manager, one memstore OSD and an rbd-mirror daemon, with cephx on, the
// pool "rbd" mirrored in image mode and the two sites bootstrapped as peers
// in both directions. It is what `make run` shows and what the integration
// tests, benchmarks and drills run against: real Ceph, never a mock.
package lab

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"
)

// Names of the lab's sites, users and pool.
const (
	SiteA        = "site-a"
	SiteB        = "site-b"
	Pool         = "rbd"
	AdminClient  = "client.admin"
	ConsoleUser  = "client.rbdtui"
	ReadOnlyUser = "client.rbdtui-ro"
	stateFile    = "lab.json"
	ConfigFile   = "rbdtui.yaml"
	ROConfigFile = "rbdtui-readonly.yaml"
	AdminConfig  = "rbdtui-admin.yaml"
	EnvDir       = "RBDTUI_LAB_DIR"
)

// Caps of the lab's users. The console user is least-privilege "profile rbd"
// plus the two service-map commands rbd-mirror health needs (without them
// daemon health reads UNKNOWN, "failed to query services") and the one
// config-key holding the mirror site name (without it librbd reports the
// fsid as the site name). Peer keys under rbd/mirror/peer/ stay unreadable.
const consoleMonCaps = `profile rbd, allow command "service dump", allow command "service status", allow command "config-key get" with key="rbd/mirror/site_name"`

var (
	ConsoleCaps  = []string{"mon", consoleMonCaps, "osd", "profile rbd", "mgr", "profile rbd"}
	ReadOnlyCaps = []string{"mon", consoleMonCaps, "osd", "profile rbd-read-only", "mgr", "profile rbd"}
	MirrorCaps   = []string{"mon", "profile rbd-mirror", "osd", "profile rbd"}
)

// DefaultDir is where the lab lives when --dir is not given.
func DefaultDir() string {
	if d := os.Getenv(EnvDir); d != "" {
		return d
	}
	return filepath.Join(os.TempDir(), "rbdtui-lab")
}

// PIDs are the daemons the lab started for one site.
type PIDs struct {
	Mon       int `json:"mon"`
	Mgr       int `json:"mgr"`
	OSD       int `json:"osd"`
	RBDMirror int `json:"rbd-mirror"`
}

func (p PIDs) list() []int { return []int{p.RBDMirror, p.OSD, p.Mgr, p.Mon} }

// SiteState is everything recorded about one lab site.
type SiteState struct {
	Name     string            `json:"name"`
	Dir      string            `json:"dir"`
	RunDir   string            `json:"run_dir"`
	Conf     string            `json:"conf"`
	FSID     string            `json:"fsid"`
	MonPort  int               `json:"mon_port"`
	Keyrings map[string]string `json:"keyrings"` // client name -> path
	PIDs     PIDs              `json:"pids"`
	// Release is the Ceph release the site runs ("" or the host's: the
	// host's daemons); Root the release root its daemons run chrooted in
	// ("" on the host's Ceph).
	Release string `json:"release,omitempty"`
	Root    string `json:"root,omitempty"`
	// Muted lists health checks the lab muted (with why) so the site can
	// reach HEALTH_OK despite a packaging defect of its release.
	Muted []string `json:"muted,omitempty"`
}

// MirrorUser is the cephx user of the site's rbd-mirror daemon.
func (s *SiteState) MirrorUser() string { return "client.rbd-mirror." + s.Name }

// Keyring returns the keyring path of a client of this site.
func (s *SiteState) Keyring(client string) string { return s.Keyrings[client] }

// State is the lab's record, kept as lab.json in the lab directory.
type State struct {
	Dir     string       `json:"dir"`
	Created time.Time    `json:"created"`
	Sites   []*SiteState `json:"sites"`
	mu      sync.Mutex
}

// Site returns the named site.
func (s *State) Site(name string) *SiteState {
	for _, x := range s.Sites {
		if x.Name == name {
			return x
		}
	}
	return nil
}

// ConfigPath is the rbdtui configuration written for the console user.
func (s *State) ConfigPath() string { return filepath.Join(s.Dir, ConfigFile) }

// AdminConfigPath is a configuration with client.admin, for setting up
// peers and pools in tests (bootstrap tokens need mon caps the console
// user does not have).
func (s *State) AdminConfigPath() string { return filepath.Join(s.Dir, AdminConfig) }

// ReadOnlyConfigPath is the configuration for the read-only user.
func (s *State) ReadOnlyConfigPath() string { return filepath.Join(s.Dir, ROConfigFile) }

// update changes the record under its lock and saves it at once, so that a
// bring-up that dies half-way still leaves every started PID on disk.
func (s *State) update(fn func()) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	fn()
	return s.saveLocked()
}

func (s *State) save() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.saveLocked()
}

func (s *State) saveLocked() error {
	data, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	tmp := filepath.Join(s.Dir, stateFile+".tmp")
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, filepath.Join(s.Dir, stateFile))
}

// Load reads the lab's record from dir.
func Load(dir string) (*State, error) {
	data, err := os.ReadFile(filepath.Join(dir, stateFile))
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("no lab in %s (start one with `rbdtui lab up --dir %s`)", dir, dir)
		}
		return nil, err
	}
	var s State
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, fmt.Errorf("lab record %s is damaged: %v (run `rbdtui lab down --dir %s`)", filepath.Join(dir, stateFile), err, dir)
	}
	s.Dir = dir
	return &s, nil
}

// Running reports whether every recorded daemon is alive.
func (s *State) Running() bool {
	if len(s.Sites) != 2 {
		return false
	}
	for _, site := range s.Sites {
		for _, pid := range site.PIDs.list() {
			if !alive(pid, site.Conf) {
				return false
			}
		}
	}
	return true
}

// Options tune Up.
type Options struct {
	Dir string
	// Log receives one line per step; nil discards.
	Log io.Writer
	// Timeout bounds the whole bring-up (building a release root, done
	// once, is not counted).
	Timeout time.Duration
	// Release is --release: "" (the host's Ceph on both sites), a release
	// name for both, or "site-a=pacific,site-b=tentacle".
	Release string
}

func (o *Options) logf(format string, args ...any) {
	if o.Log != nil {
		fmt.Fprintf(o.Log, "lab: "+format+"\n", args...)
	}
}

// Up starts the two-site lab in opts.Dir, or returns the running one. A lab
// whose daemons are partly gone is torn down and built again.
func Up(ctx context.Context, opts Options) (*State, error) {
	if opts.Timeout == 0 {
		opts.Timeout = 3 * time.Minute
	}
	ctx, cancel := context.WithTimeout(ctx, opts.Timeout)
	defer cancel()
	dir, err := filepath.Abs(opts.Dir)
	if err != nil {
		return nil, err
	}
	opts.Dir = dir
	rels, err := ParseReleases(opts.Release)
	if err != nil {
		return nil, err
	}
	if st, err := Load(dir); err == nil {
		if st.Running() {
			if err := st.sameReleases(ctx, rels); err != nil {
				return nil, err
			}
			opts.logf("already up in %s", dir)
			return st, nil
		}
		opts.logf("a previous lab in %s is incomplete; removing it", dir)
		if err := Down(dir, opts.Log); err != nil {
			return nil, err
		}
	}
	// The lab's directory holds its keys: the owner's only.
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		return nil, err
	}
	// Roots first: building one takes minutes and is not part of the
	// bring-up's timeout.
	roots := map[string]string{}
	for _, name := range []string{SiteA, SiteB} {
		rel := rels[name]
		if rel == "" {
			continue
		}
		rctx, rcancel := context.WithTimeout(context.Background(), RootBuildTimeout)
		root, err := RootFor(rctx, rel, opts.Log)
		rcancel()
		if err != nil {
			return nil, err
		}
		roots[name] = root
	}
	if err := checkKeyTypes(rels); err != nil {
		return nil, err
	}
	st := &State{Dir: dir, Created: time.Now().UTC()}
	ports, err := freePorts(2)
	if err != nil {
		return nil, err
	}
	for i, name := range []string{SiteA, SiteB} {
		ss, err := newSite(dir, name, ports[i])
		if err != nil {
			return nil, err
		}
		ss.Release, ss.Root = rels[name], roots[name]
		if ss.Release == "" {
			if r, err := HostRelease(ctx); err == nil {
				ss.Release = r.Name()
			}
		}
		if err := ss.checkTools(); err != nil {
			return nil, err
		}
		if ss.Root != "" {
			opts.logf("%s: Ceph %s from %s (chrooted)", name, ss.Release, ss.Root)
		}
		st.Sites = append(st.Sites, ss)
	}
	if err := st.save(); err != nil {
		return nil, err
	}
	start := time.Now()
	fail := func(err error) (*State, error) {
		opts.logf("bring-up failed: %v", err)
		opts.logf("logs are in %s/*/log; run `rbdtui lab down --dir %s` to clean up", dir, dir)
		return nil, err
	}
	errs := make(chan error, 2)
	for _, ss := range st.Sites {
		go func(ss *SiteState) { errs <- bootSite(ctx, st, ss, &opts) }(ss)
	}
	var first error
	for range st.Sites {
		if err := <-errs; err != nil && first == nil {
			first = err
		}
	}
	if first != nil {
		return fail(first)
	}
	if err := peer(ctx, st, &opts); err != nil {
		return fail(err)
	}
	if err := writeConfigs(st); err != nil {
		return fail(err)
	}
	if err := waitHealthy(ctx, st, &opts); err != nil {
		return fail(err)
	}
	opts.logf("up in %.1fs; console config: %s", time.Since(start).Seconds(), st.ConfigPath())
	return st, nil
}

func (s *SiteState) checkTools() error {
	var missing []string
	for _, t := range []string{"ceph-mon", "ceph-mgr", "ceph-osd", "rbd-mirror", "ceph", "rbd", "ceph-authtool", "monmaptool"} {
		if s.Root != "" {
			if _, err := os.Stat(filepath.Join(s.Root, "usr/bin", t)); err != nil {
				missing = append(missing, t)
			}
			continue
		}
		if _, err := lookPath(t); err != nil {
			missing = append(missing, t)
		}
	}
	if len(missing) > 0 && s.Root != "" {
		return fmt.Errorf("%s: the root %s lacks Ceph tools: %s (remove it to have it built again)", s.Name, s.Root, strings.Join(missing, ", "))
	}
	if len(missing) > 0 {
		return fmt.Errorf("missing Ceph tools: %s (install Debian's ceph-mon ceph-mgr ceph-osd rbd-mirror ceph-common, e.g. `make deps`)", strings.Join(missing, ", "))
	}
	return nil
}

// freePorts finds n distinct free loopback ports.
func freePorts(n int) ([]int, error) {
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	var ports []int
	for i := 0; i < n; i++ {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

// Down stops exactly the daemons the lab recorded (by PID, never by name) and
// removes the lab's state. A missing lab is not an error.
func Down(dir string, log io.Writer) error {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	st, err := Load(dir)
	if err != nil {
		if _, statErr := os.Stat(filepath.Join(dir, stateFile)); errors.Is(statErr, os.ErrNotExist) {
			if log != nil {
				fmt.Fprintf(log, "lab: nothing to stop in %s\n", dir)
			}
			return nil
		}
		return err
	}
	// All daemons at once: the lab's data is thrown away, so there is no
	// order to keep, and a daemon slow to honour SIGTERM is killed.
	var (
		errs []string
		mu   sync.Mutex
		wg   sync.WaitGroup
	)
	for _, ss := range st.Sites {
		for _, pid := range ss.PIDs.list() {
			wg.Add(1)
			go func(ss *SiteState, pid int) {
				defer wg.Done()
				if err := stop(pid, ss.Conf, 5*time.Second); err != nil {
					mu.Lock()
					errs = append(errs, fmt.Sprintf("%s: %v", ss.Name, err))
					mu.Unlock()
				}
			}(ss, pid)
		}
	}
	wg.Wait()
	if len(errs) > 0 {
		return fmt.Errorf("lab down: %s", strings.Join(errs, "; "))
	}
	for _, ss := range st.Sites {
		os.RemoveAll(ss.Dir)
		if ss.RunDir != "" && !strings.HasPrefix(ss.RunDir, ss.Dir) {
			os.RemoveAll(ss.RunDir)
		}
	}
	for _, f := range []string{stateFile, ConfigFile, ROConfigFile, AdminConfig} {
		os.Remove(filepath.Join(dir, f))
	}
	os.Remove(dir) // only if empty
	if log != nil {
		fmt.Fprintf(log, "lab: stopped %d daemons and removed %s\n", 4*len(st.Sites), dir)
	}
	return nil
}

// SiteStatus is one site in `lab status`.
type SiteStatus struct {
	Name    string `json:"name"`
	Conf    string `json:"conf"`
	Keyring string `json:"keyring"`
	Client  string `json:"client"`
	Health  string `json:"health"`
	PIDs    PIDs   `json:"pids"`
	// Down lists daemons that are no longer running.
	Down []string `json:"down,omitempty"`
}

// Status is what `rbdtui lab status --format json` prints.
type Status struct {
	Sites []SiteStatus `json:"sites"`
}

// GetStatus reports each site's daemons and health (admin credentials).
func GetStatus(ctx context.Context, dir string) (*Status, error) {
	st, err := Load(dir)
	if err != nil {
		return nil, err
	}
	out := &Status{}
	for _, ss := range st.Sites {
		s := SiteStatus{Name: ss.Name, Conf: ss.Conf, Keyring: ss.Keyring(AdminClient), Client: AdminClient, PIDs: ss.PIDs}
		names := map[string]int{"mon": ss.PIDs.Mon, "mgr": ss.PIDs.Mgr, "osd": ss.PIDs.OSD, "rbd-mirror": ss.PIDs.RBDMirror}
		for n, pid := range names {
			if !alive(pid, ss.Conf) {
				s.Down = append(s.Down, n)
			}
		}
		sort.Strings(s.Down)
		s.Health = "UNREACHABLE"
		if alive(ss.PIDs.Mon, ss.Conf) {
			cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			if h, err := ss.health(cctx); err == nil {
				s.Health = h
			}
			cancel()
		}
		out.Sites = append(out.Sites, s)
	}
	return out, nil
}
