package cli_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/rbdtui/rbdtui/internal/cli"
	"github.com/rbdtui/rbdtui/internal/commands"
	"github.com/rbdtui/rbdtui/internal/grammar"
)

// rbdOnlyOptions are options `rbd help` lists that rbdtui deliberately does
// not take, with the reason. Everything else rbd 16.2 lists for a command
// rbdtui shares must parse.
var rbdOnlyOptions = map[string]string{
	"--format":                      "global in rbdtui (accepted anywhere on the line)",
	"--pretty-format":               "global in rbdtui (accepted anywhere on the line)",
	"--no-progress":                 "rbdtui prints no progress bar on a pipe",
	"--skip-quiesce":                "rbdtui runs no quiesce hooks",
	"--ignore-quiesce-error":        "rbdtui runs no quiesce hooks",
	"--token-path":                  "the token path is positional (or - for stdin)",
	"--image-id":                    "rbdtui names images by name",
	"--dest-snap":                   "the new name is positional",
	"--dest-group":                  "the new name is positional",
	"--dest-pool/group rename":      "a group is renamed within its pool and namespace",
	"--dest-namespace/group rename": "a group is renamed within its pool and namespace",
}

var optRE = regexp.MustCompile(`--([a-z][a-z-]*)(?: \])?( arg)?`)

// TestEveryRBDOptionParses reads `rbd help <command>` of rbd 16.2.15 (saved
// in testdata/rbd-help) for every command rbdtui shares, and checks that
// rbdtui parses every option form listed there, with a value when rbd's
// takes one.
func TestEveryRBDOptionParses(t *testing.T) {
	files, err := filepath.Glob("testdata/rbd-help/*.txt")
	if err != nil || len(files) < 40 {
		t.Fatalf("rbd help testdata: %d files, %v", len(files), err)
	}
	reg := commands.Registry()
	for _, f := range files {
		words := strings.Split(strings.TrimSuffix(filepath.Base(f), ".txt"), "_")
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		text := string(data)
		i := strings.Index(text, "Optional arguments")
		if i < 0 {
			continue
		}
		for _, line := range strings.Split(text[i:], "\n")[1:] {
			m := optRE.FindStringSubmatch(line)
			if m == nil || !strings.HasPrefix(strings.TrimSpace(line), "-") {
				continue
			}
			opt := "--" + m[1]
			if _, skip := rbdOnlyOptions[opt]; skip {
				continue
			}
			if _, skip := rbdOnlyOptions[opt+"/"+strings.Join(words, " ")]; skip {
				continue
			}
			argv := append(append([]string(nil), words...), opt)
			if m[2] != "" {
				argv = append(argv, "1h")
			}
			inv, err := reg.Parse(argv)
			if err != nil && strings.Contains(err.Error(), "unknown option") {
				t.Errorf("rbd %s takes %s; rbdtui: %v", strings.Join(words, " "), opt, err)
				continue
			}
			if err == nil && inv.Cmd == nil {
				t.Errorf("rbd %s: rbdtui has no such command", strings.Join(words, " "))
			}
		}
	}
}

// TestOptionsBeforeTheCommand: rbd takes options anywhere, before the
// command words too.
func TestOptionsBeforeTheCommand(t *testing.T) {
	reg := commands.Registry()
	for _, c := range []struct {
		argv       []string
		cmd        string
		pool, uuid string
	}{
		{[]string{"--pool", "peerpool", "mirror", "pool", "peer", "remove", "u-1"}, "mirror pool peer remove", "peerpool", "u-1"},
		{[]string{"-p", "peerpool", "mirror", "pool", "peer", "remove", "u-1"}, "mirror pool peer remove", "peerpool", "u-1"},
		{[]string{"--pool=peerpool", "mirror", "pool", "peer", "remove", "u-1"}, "mirror pool peer remove", "peerpool", "u-1"},
		{[]string{"mirror", "--pool", "peerpool", "pool", "peer", "remove", "u-1"}, "mirror pool peer remove", "peerpool", "u-1"},
		{[]string{"mirror", "pool", "peer", "remove", "u-1", "--pool", "peerpool"}, "mirror pool peer remove", "peerpool", "u-1"},
	} {
		inv, err := reg.Parse(c.argv)
		if err != nil || inv.Cmd == nil {
			t.Errorf("%q: %v", c.argv, err)
			continue
		}
		if inv.Cmd.Name() != c.cmd || inv.Flag("pool") != c.pool || inv.Arg("pool-spec")+inv.Arg("uuid") != c.uuid {
			t.Errorf("%q: %s pool=%q args=%v", c.argv, inv.Cmd.Name(), inv.Flag("pool"), inv.Args)
		}
	}
	// a spec named by its option leaves the positionals to the next argument
	inv, err := reg.Parse([]string{"mirror", "image", "enable", "--image", "vol", "snapshot"})
	if err != nil || inv.Arg("image-spec") != "" || inv.Arg("mode") != "snapshot" {
		t.Errorf("mirror image enable --image vol snapshot: %v %v", err, inv.Args)
	}
	// a value that looks like a command word stays a value
	inv, err = reg.Parse([]string{"--image", "mirror", "journal", "status"})
	if err != nil || inv.Cmd == nil || inv.Cmd.Name() != "journal status" || inv.Flag("image") != "mirror" {
		t.Errorf("--image mirror journal status: %v %+v", err, inv)
	}
	var ue *grammar.UsageError
	if _, err := reg.Parse([]string{"--pool", "p"}); err == nil {
		t.Error("options without a command parse")
	} else if !strings.Contains(err.Error(), "no command given") {
		_ = ue
		t.Errorf("options without a command: %v", err)
	}
}

// TestImageSpecForms: the ways rbd names an image, and the mistakes it
// refuses (a part named twice, a malformed spec).
func TestImageSpecForms(t *testing.T) {
	reg := commands.Registry()
	for _, c := range []struct {
		argv []string
		want string // "" when refused
	}{
		{[]string{"mirror", "image", "status", "rbd/ns1/vol"}, "rbd/ns1/vol"},
		{[]string{"mirror", "image", "status", "--image", "rbd/vol"}, "rbd/vol"},
		{[]string{"mirror", "image", "status", "--image", "p/ns1/vol"}, "p/ns1/vol"},
		{[]string{"mirror", "image", "status", "-p", "p/ns1", "--image", "vol"}, "p/ns1/vol"},
		{[]string{"mirror", "image", "status", "-p", "p", "--namespace", "ns1", "--image", "vol"}, "p/ns1/vol"},
		{[]string{"mirror", "image", "status", "--pool", "p", "vol"}, "p/vol"},
		{[]string{"mirror", "image", "status", "--pool", "p", "--image", "q/vol"}, ""},
		{[]string{"mirror", "image", "status", "--pool", "p/ns1", "--namespace", "ns2", "--image", "vol"}, ""},
		{[]string{"mirror", "image", "status", "rbd/ns1/x/y"}, ""},
		{[]string{"mirror", "image", "status", "rbd//x"}, ""},
		{[]string{"mirror", "image", "status", "--image", "a", "b"}, ""},
	} {
		inv, err := reg.Parse(c.argv)
		if err != nil {
			if c.want != "" {
				t.Errorf("%q: %v", c.argv, err)
			}
			continue
		}
		env := &cli.Env{Inv: inv}
		spec, err := env.ImageSpec("image-spec")
		switch {
		case c.want == "" && err == nil:
			t.Errorf("%q: accepted as %s", c.argv, spec)
		case c.want != "" && (err != nil || spec.String() != c.want):
			t.Errorf("%q: %s %v, want %s", c.argv, spec, err, c.want)
		}
	}
}
