package release

import (
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	for in, want := range map[string]Release{
		"16.2.15":              {16, 2, 15},
		"2:18.2.7+ds-1":        {18, 2, 7},
		"16.2.15+ds-0+deb12u1": {16, 2, 15},
		"ceph version 20.2.4 (7f793731f1b39eb4f465e960113d2363c311b964) tentacle (stable - RelWithDebInfo)": {20, 2, 4},
	} {
		got, ok := Parse(in)
		if !ok || got != want {
			t.Errorf("Parse(%q) = %v, %v; want %v", in, got, ok, want)
		}
	}
	if _, ok := Parse("dev"); ok {
		t.Error("Parse(dev) succeeded")
	}
	if s := (Release{20, 2, 4}).String(); s != "20.2.4 tentacle" {
		t.Errorf("String = %q", s)
	}
}

func TestWarningAndAES256KHint(t *testing.T) {
	defer func(b string) { Built = b }(Built)
	Built = "16.2.15"
	if w := Warning(Release{18, 2, 7}); w != "" {
		t.Errorf("Reef cluster from a Pacific build warned: %s", w)
	}
	if w := Warning(Release{19, 2, 0}); !strings.Contains(w, "19.2.0 squid is not a release rbdtui is tested against (16 pacific, 18 reef, 20 tentacle)") {
		t.Errorf("Squid warning: %q", w)
	}
	h := AES256KHint("site-b")
	for _, want := range []string{"site-b uses aes256k keys (Ceph 20)", "linked against librados 16.2.15", "build rbdtui against Ceph 20 client libraries"} {
		if !strings.Contains(h, want) {
			t.Errorf("hint %q lacks %q", h, want)
		}
	}
	Built = "20.2.4"
	if h := AES256KHint("site-b"); h != "" {
		t.Errorf("a Tentacle build got an aes256k hint: %s", h)
	}
	Built = ""
	if h := AES256KHint("site-b"); h != "" {
		t.Errorf("an unrecorded build got an aes256k hint: %s", h)
	}
}
