// Package release knows the Ceph releases rbdtui meets: the one its
// librados and librbd were built against (set at link time by the Makefile,
// see scripts/ceph-release), the ones clusters report, which combinations
// are tested, and which cannot work at all.
package release

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/ceph/go-ceph/rbd"
)

// Built is the Ceph release (x.y.z) of the client libraries rbdtui was built
// against, set with -ldflags "-X github.com/rbdtui/rbdtui/internal/release.Built=...".
// A build that bypassed the Makefile and scripts/ceph-release leaves it empty.
var Built string

// Release is one Ceph release, e.g. 20.2.4 tentacle.
type Release struct {
	Major, Minor, Patch int
}

// names of the Ceph majors rbdtui knows.
var names = map[int]string{14: "nautilus", 15: "octopus", 16: "pacific", 17: "quincy", 18: "reef", 19: "squid", 20: "tentacle"}

// Tested are the majors whose daemons and client libraries rbdtui's tests run
// on (`make test` on Pacific, `make test-releases` on Reef and Tentacle).
var Tested = []int{16, 18, 20}

// AES256KFrom is the first major that makes every new key aes256k, a key
// type older librados cannot parse.
const AES256KFrom = 20

// Parse reads "16.2.15", "2:18.2.7+ds-1" or a `ceph version` line
// ("ceph version 20.2.4 (abc) tentacle (stable)").
func Parse(s string) (Release, bool) {
	m := versionRE.FindStringSubmatch(s)
	if m == nil {
		return Release{}, false
	}
	var r Release
	r.Major, _ = strconv.Atoi(m[1])
	r.Minor, _ = strconv.Atoi(m[2])
	r.Patch, _ = strconv.Atoi(m[3])
	return r, true
}

var versionRE = regexp.MustCompile(`(?:^|[\s:])(\d+)\.(\d+)\.(\d+)`)

// Name is the release's name ("tentacle"), or "" for a major rbdtui does not
// know.
func (r Release) Name() string { return names[r.Major] }

func (r Release) String() string {
	s := fmt.Sprintf("%d.%d.%d", r.Major, r.Minor, r.Patch)
	if n := r.Name(); n != "" {
		s += " " + n
	}
	return s
}

// Linked is the release rbdtui was built against; ok is false when the
// build did not record it.
func Linked() (Release, bool) { return Parse(Built) }

// LinkedString says what rbdtui was built against, for `rbdtui version`.
func LinkedString() string {
	if r, ok := Linked(); ok {
		return "Ceph " + r.String()
	}
	return "an unrecorded Ceph release (built without the Makefile or scripts/ceph-release)"
}

// IsTested reports whether major is one of the tested releases.
func IsTested(major int) bool {
	for _, t := range Tested {
		if t == major {
			return true
		}
	}
	return false
}

func testedList() string {
	var parts []string
	for _, t := range Tested {
		parts = append(parts, fmt.Sprintf("%d %s", t, names[t]))
	}
	return strings.Join(parts, ", ")
}

// Warning says why a cluster of release cluster is outside what rbdtui was
// tested with, given the linked client release, or "" when the combination
// is tested. A linked release that was not recorded is compared by the
// cluster alone.
func Warning(cluster Release) string {
	if !IsTested(cluster.Major) {
		return fmt.Sprintf("Ceph %s is not a release rbdtui is tested against (%s)", cluster, testedList())
	}
	if l, ok := Linked(); ok && !IsTested(l.Major) {
		return fmt.Sprintf("this rbdtui is linked against Ceph %s, which is not a release it is tested with (%s)", l, testedList())
	}
	return ""
}

// AES256KHint explains a connect failure to a cluster whose keys librados
// cannot read: Ceph 20 makes keys aes256k, which librados before 20 rejects
// as malformed input and reports as EIO. It returns "" unless the linked
// release is known to be older than 20. (A Tentacle monitor tried here
// refused a client given an aes key instead, "allowed_methods []", so the
// hint does not offer that.)
func AES256KHint(site string) string {
	l, ok := Linked()
	if !ok || l.Major >= AES256KFrom {
		return ""
	}
	return fmt.Sprintf("%s uses aes256k keys (Ceph %d); this rbdtui is linked against librados %d.%d.%d, which cannot read them: build rbdtui against Ceph %d client libraries (make build on a host with them; README: another Ceph release), or run an rbdtui built so, e.g. in the lab's root: rbdtui lab exec --release tentacle -- ./bin/rbdtui ...",
		site, AES256KFrom, l.Major, l.Minor, l.Patch, AES256KFrom)
}

// LabHint warns, after a lab came up, that this rbdtui cannot connect to a
// site of release name (a lab release name such as "tentacle"), and why;
// "" when it can.
func LabHint(site, name string) string {
	l, ok := Linked()
	if !ok {
		return ""
	}
	for m, n := range names {
		if n == name && m >= AES256KFrom && l.Major < AES256KFrom {
			return fmt.Sprintf("%s runs Ceph %d %s, whose keys are aes256k: this rbdtui (librados %d.%d.%d) cannot read them; use an rbdtui built in that release's root: rbdtui lab exec --release %s -- make build (see README)", site, m, n, l.Major, l.Minor, l.Patch, n)
		}
	}
	return ""
}

// LinkedMajor is the Ceph major of the librbd rbdtui runs with: librbd's
// minor version is the Ceph major (1.16 in Pacific, 1.18 in Reef, 1.20 in
// Tentacle). It does not need the build to have recorded Built.
func LinkedMajor() int {
	_, minor, _ := rbd.Version()
	return minor
}

// JSON20 reports whether --format json follows rbd 20 (Tentacle) rather than
// rbd 16/18: rbd prints the JSON of the release it belongs to, and rbdtui
// matches the rbd of the release it is linked against.
func JSON20() bool { return LinkedMajor() >= 20 }
