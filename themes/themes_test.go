package themes

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/charmbracelet/lipgloss"
)

func TestNames(t *testing.T) {
	want := []string{"dark", "light", "high-contrast", "colorblind"}
	if got := Names(); !slices.Equal(got, want) {
		t.Fatalf("Names() = %v, want %v", got, want)
	}
	if Names()[0] != Default {
		t.Errorf("default theme %q should be listed first", Default)
	}
}

func TestLoadBuiltins(t *testing.T) {
	for _, name := range Names() {
		t.Run(name, func(t *testing.T) {
			th, err := Load(name)
			if err != nil {
				t.Fatalf("Load(%q): %v", name, err)
			}
			if th.Name != name {
				t.Errorf("Name = %q, want %q", th.Name, name)
			}
			assertComplete(t, th)
		})
	}
}

// assertComplete fails for any colour left unset: a nil colour would silently
// render as the terminal default and could hide a status.
func assertComplete(t *testing.T, th Theme) {
	t.Helper()
	v := reflect.ValueOf(th)
	colour := reflect.TypeFor[lipgloss.TerminalColor]()
	for i := range v.NumField() {
		f := v.Type().Field(i)
		if f.Type != colour {
			continue
		}
		switch c := v.Field(i).Interface().(type) {
		case nil:
			t.Errorf("%s.%s is unset", th.Name, f.Name)
		case lipgloss.Color:
			if c == "" {
				t.Errorf("%s.%s is empty", th.Name, f.Name)
			}
		case lipgloss.AdaptiveColor:
			if c.Light == "" || c.Dark == "" {
				t.Errorf("%s.%s = %+v lacks a variant", th.Name, f.Name, c)
			}
		}
	}
}

func TestLoadNormalisesName(t *testing.T) {
	for _, in := range []string{"", "  ", "DARK", " Light "} {
		if _, err := Load(in); err != nil {
			t.Errorf("Load(%q): %v", in, err)
		}
	}
	th, _ := Load("")
	if th.Name != Default {
		t.Errorf("Load(\"\") = %q, want the default %q", th.Name, Default)
	}
}

func TestLoadUnknownListsValidNames(t *testing.T) {
	_, err := Load("solarized")
	if err == nil {
		t.Fatal("Load(solarized) succeeded, want an error")
	}
	msg := err.Error()
	if !strings.Contains(msg, `"solarized"`) {
		t.Errorf("error %q does not name the bad theme", msg)
	}
	for _, n := range Names() {
		if !strings.Contains(msg, n) {
			t.Errorf("error %q does not list valid theme %q", msg, n)
		}
	}
}

func TestLoadReturnsIndependentValues(t *testing.T) {
	a, _ := Load("dark")
	a.OK = lipgloss.Color("#000000")
	b, _ := Load("dark")
	if b.OK == a.OK {
		t.Error("changing a loaded theme changed the built-in")
	}
}

func TestColorblindUsesOkabeIto(t *testing.T) {
	okabeIto := []lipgloss.Color{"#000000", "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7"}
	th, _ := Load("colorblind")
	for name, c := range map[string]lipgloss.TerminalColor{"OK": th.OK, "Warn": th.Warn, "Err": th.Err} {
		col, ok := c.(lipgloss.Color)
		if !ok || !slices.Contains(okabeIto, col) {
			t.Errorf("colorblind.%s = %v, not an Okabe-Ito colour", name, c)
		}
	}
	if th.OK == th.Warn || th.Warn == th.Err || th.OK == th.Err {
		t.Error("colorblind status colours must differ")
	}
}
