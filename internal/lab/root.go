package lab

import (
	"bufio"
	"context"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/rbdtui/rbdtui/internal/release"
)

// A lab site runs the Ceph of the host, or of another release from a
// minimal Debian root file system of the suite that ships it, built once
// with debootstrap and cached (see RootsDir). Such a site's daemons and
// CLIs run chrooted, each in a private mount namespace in which the lab's
// directories are bind-mounted at the same paths, so every path in ceph.conf,
// lab.json and the rbdtui configurations means the same inside and out,
// and they listen on loopback like the host's.

// suites maps the releases the lab can run to the Debian suite shipping
// them (measured: bookworm 16.2.15, trixie 18.2.7, sid 20.2.4).
var suites = map[string]string{"pacific": "bookworm", "reef": "trixie", "tentacle": "sid"}

// Releases lists the release names --release accepts.
func Releases() []string {
	var out []string
	for r := range suites {
		out = append(out, r)
	}
	sort.Strings(out)
	return out
}

// rootPackages are what a release root needs: the lab's daemons and CLIs,
// and the headers and compiler to build rbdtui inside it.
var rootPackages = []string{"ceph-mon", "ceph-mgr", "ceph-osd", "rbd-mirror", "ceph-common", "librados-dev", "librbd-dev", "gcc", "libc6-dev", "make"}

// RootBuildTimeout bounds building one release root (measured here: about
// 13.5 minutes for sid, debootstrap and apt-get, on two busy cores).
const RootBuildTimeout = 45 * time.Minute

//go:embed root.sh
var rootScript string

// rootMarker is written last into a complete root; it holds the suite.
const rootMarker = "etc/rbdtui-root"

// RootsDir is where release roots are cached: $RBDTUI_ROOTS, else
// $XDG_CACHE_HOME/rbdtui/roots, else ~/.cache/rbdtui/roots. A root is
// about 1 GB and is reused by every lab of that release.
func RootsDir() string {
	if d := os.Getenv("RBDTUI_ROOTS"); d != "" {
		return d
	}
	if d, err := os.UserCacheDir(); err == nil {
		return filepath.Join(d, "rbdtui", "roots")
	}
	return filepath.Join(os.TempDir(), "rbdtui-roots")
}

// HostRelease is the release of the Ceph daemons installed here (from
// `ceph-mon --version`), by name ("pacific"); "" when none is installed or
// the major is one the lab does not know.
func HostRelease(ctx context.Context) (release.Release, error) {
	p, err := lookPath("ceph-mon")
	if err != nil {
		return release.Release{}, errors.New("no ceph-mon installed here")
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, p, "--version").Output()
	if err != nil {
		return release.Release{}, fmt.Errorf("ceph-mon --version: %w", err)
	}
	r, ok := release.Parse(string(out))
	if !ok {
		return release.Release{}, fmt.Errorf("ceph-mon --version said %q", strings.TrimSpace(string(out)))
	}
	return r, nil
}

// ParseReleases reads --release: "" (the host's for both sites), one name
// for both ("tentacle"), or per site ("site-a=pacific,site-b=tentacle").
func ParseReleases(spec string) (map[string]string, error) {
	out := map[string]string{}
	if spec == "" {
		return out, nil
	}
	check := func(r string) error {
		if _, ok := suites[r]; !ok {
			return fmt.Errorf("unknown Ceph release %q for the lab (known: %s)", r, strings.Join(Releases(), ", "))
		}
		return nil
	}
	if !strings.Contains(spec, "=") {
		if err := check(spec); err != nil {
			return nil, err
		}
		out[SiteA], out[SiteB] = spec, spec
		return out, nil
	}
	for _, part := range strings.Split(spec, ",") {
		site, r, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok || (site != SiteA && site != SiteB) {
			return nil, fmt.Errorf("--release %q: expected a release name or site-a=NAME,site-b=NAME", spec)
		}
		if err := check(r); err != nil {
			return nil, err
		}
		if _, dup := out[site]; dup {
			return nil, fmt.Errorf("--release %q names %s twice", spec, site)
		}
		out[site] = r
	}
	return out, nil
}

// RootFor returns the root file system a site of release rel runs from:
// "" when the host's own Ceph is that release. It builds the root when it is
// not cached yet (debootstrap, then apt-get; minutes), holding a lock so two
// labs never build the same root at once.
func RootFor(ctx context.Context, rel string, log io.Writer) (string, error) {
	suite, ok := suites[rel]
	if !ok {
		return "", fmt.Errorf("unknown Ceph release %q for the lab (known: %s)", rel, strings.Join(Releases(), ", "))
	}
	if host, err := HostRelease(ctx); err == nil && host.Name() == rel {
		return "", nil
	}
	root := filepath.Join(RootsDir(), suite)
	if rootReady(root) {
		return root, nil
	}
	if os.Geteuid() != 0 {
		return "", fmt.Errorf("a lab of Ceph %s needs a %s root in %s, which is not built yet, and building it (debootstrap, chroot) needs root: run `sudo rbdtui lab up --release %s` once", rel, suite, root, rel)
	}
	if _, err := exec.LookPath("debootstrap"); err != nil {
		return "", fmt.Errorf("a lab of Ceph %s needs a %s root built with debootstrap, which is not installed (apt-get install debootstrap)", rel, suite)
	}
	if err := os.MkdirAll(RootsDir(), 0o755); err != nil {
		return "", err
	}
	lock, err := os.OpenFile(root+".lock", os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return "", err
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		return "", fmt.Errorf("lock %s: %w", root+".lock", err)
	}
	defer syscall.Flock(int(lock.Fd()), syscall.LOCK_UN)
	if rootReady(root) { // built by someone else while we waited
		return root, nil
	}
	mirror := DebianMirror()
	t := time.Now()
	fmt.Fprintf(logOr(log), "lab: building a Debian %s root for Ceph %s in %s from %s (once; several minutes)\n", suite, rel, root, mirror)
	args := append([]string{"-c", rootScript, "root.sh", suite, root, mirror}, rootPackages...)
	cmd := exec.CommandContext(ctx, "sh", args...)
	logPath := root + ".log"
	lf, err := os.Create(logPath)
	if err != nil {
		return "", err
	}
	defer lf.Close()
	cmd.Stdout, cmd.Stderr = lf, lf
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("building the %s root for Ceph %s failed: %v (log: %s; a retry resumes after debootstrap)", suite, rel, err, logPath)
	}
	fmt.Fprintf(logOr(log), "lab: %s root ready (%.0fs)\n", suite, time.Since(t).Seconds())
	return root, nil
}

func logOr(w io.Writer) io.Writer {
	if w == nil {
		return io.Discard
	}
	return w
}

func rootReady(root string) bool {
	_, err := os.Stat(filepath.Join(root, rootMarker))
	return err == nil
}

// DebianMirror is the Debian archive this machine's apt uses (the first
// deb.debian.org-style URI in /etc/apt/sources.list.d/*.sources or
// /etc/apt/sources.list that serves the main archive), or
// $RBDTUI_DEBIAN_MIRROR, else deb.debian.org.
func DebianMirror() string {
	if m := os.Getenv("RBDTUI_DEBIAN_MIRROR"); m != "" {
		return m
	}
	files, _ := filepath.Glob("/etc/apt/sources.list.d/*.sources")
	for _, f := range files {
		if m := mirrorIn(f, "URIs:"); m != "" {
			return m
		}
	}
	if m := mirrorIn("/etc/apt/sources.list", "deb "); m != "" {
		return m
	}
	return "http://deb.debian.org/debian"
}

// mirrorIn finds the first URI in an apt sources file whose path ends in
// /debian (the main archive, not security or a third party).
func mirrorIn(path, prefix string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if !strings.HasPrefix(line, prefix) {
			continue
		}
		for _, w := range strings.Fields(strings.TrimPrefix(line, prefix)) {
			if strings.HasPrefix(w, "http") && strings.HasSuffix(strings.TrimRight(w, "/"), "/debian") {
				return strings.TrimRight(w, "/")
			}
		}
	}
	return ""
}

// chrootScript runs a command chrooted in $1 inside the private mount
// namespace `unshare --mount` gave it: /dev, /proc and /sys of the host,
// and the directories in $2 (colon-separated) at their own paths. It execs,
// so the PID the lab records is the daemon's own and dies with it, and the
// mounts vanish with the namespace when the command exits.
const chrootScript = `root=$1 dirs=$2; shift 2
mount --rbind /dev "$root/dev"
mount -t proc proc "$root/proc"
mount --rbind /sys "$root/sys"
IFS=:
for d in $dirs; do mkdir -p "$root$d" && mount --bind "$d" "$root$d"; done
unset IFS
exec chroot "$root" "$@"`

// command returns how to run a Ceph program for this site: directly on the
// host's Ceph, or chrooted in the site's release root.
func (s *SiteState) command(name string, args ...string) (string, []string) {
	if s.Root == "" {
		return name, args
	}
	dirs := []string{s.Dir}
	if s.RunDir != "" && !strings.HasPrefix(s.RunDir, s.Dir+"/") {
		dirs = append(dirs, s.RunDir)
	}
	full := append([]string{"--mount", "--propagation", "private", "sh", "-c", chrootScript, "chroot", s.Root, strings.Join(dirs, ":"), name}, args...)
	return "unshare", full
}

// majors of the releases the lab runs.
var majors = map[string]int{"pacific": 16, "reef": 18, "tentacle": 20}

// checkKeyTypes refuses a mix Ceph cannot run: from Tentacle on, every key
// a cluster makes is aes256k, and librados before 20 cannot parse one. In
// a two-site lab each site's rbd-mirror reads the peer key the other site
// made at bootstrap, so a site older than Tentacle cannot pull from a
// Tentacle site.
func checkKeyTypes(rels map[string]string) error {
	host := ""
	if r, err := HostRelease(context.Background()); err == nil {
		host = r.Name()
	}
	rel := func(site string) string {
		if r := rels[site]; r != "" {
			return r
		}
		return host
	}
	a, b := rel(SiteA), rel(SiteB)
	for _, p := range [][2]string{{SiteA, SiteB}, {SiteB, SiteA}} {
		oldSite, newSite := p[0], p[1]
		o, n := rel(oldSite), rel(newSite)
		if majors[o] != 0 && majors[n] >= release.AES256KFrom && majors[o] < release.AES256KFrom {
			return fmt.Errorf("cannot mix %s=%s with %s=%s: Ceph %d makes every key aes256k, including the peer key %s's rbd-mirror must use to read from %s, and librados %d (%s) cannot parse aes256k keys (it fails with \"Malformed input\", EIO); run both sites on %s, or both older than Tentacle (e.g. --release site-a=pacific,site-b=reef)",
				SiteA, a, SiteB, b, release.AES256KFrom, oldSite, newSite, majors[o], o, n)
		}
	}
	return nil
}

// sameReleases refuses to hand back a running lab of other releases than
// the ones asked for.
func (s *State) sameReleases(ctx context.Context, rels map[string]string) error {
	if len(rels) == 0 {
		return nil
	}
	for _, ss := range s.Sites {
		if want := rels[ss.Name]; want != "" && want != ss.Release {
			have := ss.Release
			if have == "" {
				have = "the host's Ceph"
			}
			return fmt.Errorf("the lab in %s runs %s on %s, not %s: stop it first (rbdtui lab down --dir %s)", s.Dir, have, ss.Name, want, s.Dir)
		}
	}
	return nil
}

// Exec runs argv chrooted in the root of release rel (as the lab's daemons
// of that release run), with the lab directory, the current directory and
// /usr/local/go (to build rbdtui there) at their own paths. On the host's
// release it runs argv directly.
func Exec(ctx context.Context, rel, labDir string, argv []string, stdin io.Reader, stdout, stderr io.Writer) error {
	rctx, cancel := context.WithTimeout(ctx, RootBuildTimeout)
	root, err := RootFor(rctx, rel, stderr)
	cancel()
	if err != nil {
		return err
	}
	name, args := argv[0], argv[1:]
	if root != "" {
		var dirs []string
		// Go's module and build caches come along: a build inside then
		// reuses what the host downloaded and compiled (cache keys cover
		// the C headers, so nothing of another release is reused wrongly).
		home, _ := os.UserHomeDir()
		for _, d := range []string{labDir, ".", "/usr/local/go", os.TempDir(), filepath.Join(home, "go"), filepath.Join(home, ".cache", "go-build")} {
			if abs, err := filepath.Abs(d); err == nil {
				if _, err := os.Stat(abs); err == nil {
					dirs = append(dirs, abs)
				}
			}
		}
		if st, err := Load(labDir); err == nil {
			for _, ss := range st.Sites {
				if ss.RunDir != "" && !strings.HasPrefix(ss.RunDir, ss.Dir+"/") {
					dirs = append(dirs, ss.RunDir)
				}
			}
		}
		cwd, _ := os.Getwd()
		// The command starts in the same directory inside.
		args = append([]string{"--mount", "--propagation", "private", "sh", "-c", chrootScript, "chroot", root, strings.Join(dirs, ":"),
			"sh", "-c", `cd "$1" && shift && exec "$@"`, "sh", cwd, name}, args...)
		name = "unshare"
	}
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = stdin, stdout, stderr
	cmd.Env = append(os.Environ(), "PATH=/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("lab exec (Ceph %s): %s: %w", rel, strings.Join(argv, " "), err)
	}
	return nil
}
