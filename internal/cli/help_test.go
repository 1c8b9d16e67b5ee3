package cli_test

import (
	"strings"
	"testing"

	"github.com/rbdtui/rbdtui/internal/cli"
	"github.com/rbdtui/rbdtui/internal/commands"
	"github.com/rbdtui/rbdtui/internal/grammar"
)

// Help is wrapped to 80 columns off a terminal, every command's --help
// lists the global options that apply to it, and an option's value has one
// name everywhere: the usage line's.
func TestHelpWrappedWithGlobalsAndOneArgName(t *testing.T) {
	check := func(what, out string) {
		t.Helper()
		for _, l := range strings.Split(out, "\n") {
			if len([]rune(l)) > 80 {
				t.Errorf("%s: line over 80 columns: %q", what, l)
			}
		}
	}
	code, out, _ := run(t, "help")
	if code != 0 {
		t.Fatalf("help: %d", code)
	}
	check("help", out)
	for _, c := range cli.New("test").Grammar.Commands() {
		argv := append(append([]string(nil), c.Path...), "--help")
		code, out, errOut := run(t, argv...)
		if code != 0 {
			t.Errorf("%s --help: %d %s", c.Name(), code, errOut)
			continue
		}
		check(c.Name()+" --help", out)
		flat := strings.Join(strings.Fields(out), " ")
		for _, f := range append(append([]grammar.Flag(nil), c.Flags...), commands.GlobalsFor(c)...) {
			want := "--" + f.Name
			if f.Kind != grammar.Bool {
				want += " <" + f.ArgName() + ">"
			}
			if !strings.Contains(flat, want) {
				t.Errorf("%s --help lacks %q", c.Name(), want)
			}
		}
		if len(commands.GlobalsFor(c)) > 0 && !strings.Contains(out, "\nglobal options:\n") {
			t.Errorf("%s --help has no global options section", c.Name())
		}
	}
	code, out, _ = run(t, "failover", "--help")
	if code != 0 || strings.Contains(out, "<step-timeout>") || !strings.Contains(out, "--step-timeout <duration>") {
		t.Errorf("failover --help names --step-timeout's value twice:\n%s", out)
	}
}

func TestVersionFlag(t *testing.T) {
	for _, argv := range [][]string{{"--version"}, {"-V"}, {"version"}, {"sites", "--version"}} {
		code, out, errOut := run(t, argv...)
		if code != 0 || !strings.HasPrefix(out, "rbdtui test (") || !strings.Contains(out, "librados ") {
			t.Errorf("%v: %d %q %q", argv, code, out, errOut)
		}
	}
}
