package model

import (
	"strings"
	"testing"
)

func TestParseImageSpec(t *testing.T) {
	good := map[string]ImageSpec{
		"vol1":             {Pool: "rbd", Image: "vol1"},
		"data/vol1":        {Pool: "data", Image: "vol1"},
		"data/ns1/vol1":    {Pool: "data", Namespace: "ns1", Image: "vol1"},
		"data/vol1@snap-1": {Pool: "data", Image: "vol1", Snap: "snap-1"},
	}
	for in, want := range good {
		got, err := ParseImageSpec(in, true)
		if err != nil || got != want {
			t.Errorf("ParseImageSpec(%q) = %+v, %v; want %+v", in, got, err, want)
		}
		if err == nil {
			back, _ := ParseImageSpec(got.String(), true)
			if back != got {
				t.Errorf("String round trip of %q: %q", in, got.String())
			}
		}
	}
	bad := map[string]string{
		"":         "empty image spec",
		"a/b/c/d":  "too many",
		"/vol":     "empty pool",
		"rbd/":     "empty image",
		"a//b":     "empty namespace",
		"rbd/vol@": "empty snapshot",
		"rbd/v@s":  "not allowed",
	}
	for in, want := range bad {
		_, err := ParseImageSpec(in, in != "rbd/v@s")
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseImageSpec(%q): error %v, want it to say %q", in, err, want)
		}
	}
}

func TestParsePoolSpec(t *testing.T) {
	if p, err := ParsePoolSpec(""); err != nil || p.Pool != DefaultPool {
		t.Errorf("empty pool spec: %+v %v", p, err)
	}
	if p, err := ParsePoolSpec("data/ns"); err != nil || p.Pool != "data" || p.Namespace != "ns" {
		t.Errorf("pool/ns: %+v %v", p, err)
	}
	for _, in := range []string{"/x", "a/", "a/b/c"} {
		if _, err := ParsePoolSpec(in); err == nil {
			t.Errorf("ParsePoolSpec(%q) should fail", in)
		}
	}
}
