package lab

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseReleases(t *testing.T) {
	for _, c := range []struct {
		in   string
		want map[string]string
		err  string
	}{
		{"", map[string]string{}, ""},
		{"tentacle", map[string]string{SiteA: "tentacle", SiteB: "tentacle"}, ""},
		{"site-a=pacific,site-b=reef", map[string]string{SiteA: "pacific", SiteB: "reef"}, ""},
		{"site-b=reef", map[string]string{SiteB: "reef"}, ""},
		{"squid", nil, `unknown Ceph release "squid" for the lab (known: pacific, reef, tentacle)`},
		{"site-c=reef", nil, "expected a release name or site-a=NAME,site-b=NAME"},
		{"site-a=reef,site-a=pacific", nil, "names site-a twice"},
	} {
		got, err := ParseReleases(c.in)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%q: error %v, want %q", c.in, err, c.err)
			}
			continue
		}
		if err != nil || len(got) != len(c.want) {
			t.Errorf("%q: %v, %v; want %v", c.in, got, err, c.want)
			continue
		}
		for k, v := range c.want {
			if got[k] != v {
				t.Errorf("%q: %s=%s, want %s", c.in, k, got[k], v)
			}
		}
	}
}

// TestHealthStringKeepsDetail: a health error names every check with its
// detail (it once said "HEALTH_WARN: " and nothing else). The JSON is
// trimmed from Reef's `ceph health detail --format json`.
func TestHealthStringKeepsDetail(t *testing.T) {
	var h health
	in := `{"status":"HEALTH_WARN","checks":{"MGR_MODULE_DEPENDENCY":{"severity":"HEALTH_WARN","summary":{"message":"13 mgr modules have failed dependencies","count":13},"detail":[{"message":"Module 'balancer' has failed dependency: PyO3 modules do not yet support subinterpreters, see https://github.com/PyO3/pyo3/issues/576"}],"muted":false}},"mutes":[]}`
	if err := json.Unmarshal([]byte(in), &h); err != nil {
		t.Fatal(err)
	}
	want := "HEALTH_WARN: MGR_MODULE_DEPENDENCY: 13 mgr modules have failed dependencies (Module 'balancer' has failed dependency: PyO3 modules do not yet support subinterpreters, see https://github.com/PyO3/pyo3/issues/576)"
	if got := h.String(); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	if got := (&health{Status: "HEALTH_WARN"}).String(); got != "HEALTH_WARN (no health checks listed)" {
		t.Errorf("no checks: %s", got)
	}
}

func TestMirrorIn(t *testing.T) {
	dir := t.TempDir()
	deb822 := filepath.Join(dir, "debian.sources")
	os.WriteFile(deb822, []byte("Types: deb\nURIs: http://deb.debian.org/debian-security\nSuites: bookworm-security\n\nTypes: deb\n# a comment\nURIs: http://mirror.example/debian/\nSuites: bookworm\n"), 0o644)
	if got := mirrorIn(deb822, "URIs:"); got != "http://mirror.example/debian" {
		t.Errorf("deb822: %q", got)
	}
	list := filepath.Join(dir, "sources.list")
	os.WriteFile(list, []byte("deb https://packages.cloud.google.com/apt cloud-sdk main\ndeb [arch=amd64] http://ftp.example/debian bookworm main\n"), 0o644)
	if got := mirrorIn(list, "deb "); got != "http://ftp.example/debian" {
		t.Errorf("one-line: %q", got)
	}
}
