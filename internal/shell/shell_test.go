package shell_test

import (
	"bytes"
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/rbdtui/rbdtui/internal/commands"
	"github.com/rbdtui/rbdtui/internal/config"
	"github.com/rbdtui/rbdtui/internal/grammar"
	"github.com/rbdtui/rbdtui/internal/shell"
)

func complete(args ...string) ([]string, shell.Directive) {
	return shell.Complete(context.Background(), commands.Registry(), args, fixedSource)
}

func has(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Every command of the registry is reachable word by word, and its --
// completion offers exactly its options and the global options that apply.
func TestCompletionCoversTheRegistry(t *testing.T) {
	for _, c := range commands.Registry().Commands() {
		for _, path := range append([][]string{c.Path}, c.Aliases...) {
			for i := range path {
				words := append(append([]string(nil), path[:i]...), path[i][:1])
				got, _ := complete(words...)
				if !has(got, path[i]) {
					t.Errorf("%q: completing %q offers %v, not %q", c.Name(), strings.Join(words, " "), got, path[i])
				}
			}
		}
		got, _ := complete(append(append([]string(nil), c.Path...), "--")...)
		want := map[string]bool{}
		for _, f := range append(append([]grammar.Flag(nil), c.Flags...), commands.GlobalsFor(c)...) {
			want["--"+f.Name] = true
			if !has(got, "--"+f.Name) {
				t.Errorf("%s --<TAB> lacks --%s: %v", c.Name(), f.Name, got)
			}
		}
		for _, g := range got {
			if !want[g] {
				t.Errorf("%s --<TAB> offers %s, which it does not take", c.Name(), g)
			}
		}
	}
}

func TestCompletionValues(t *testing.T) {
	cases := []struct {
		args []string
		want []string
		dir  shell.Directive
	}{
		{[]string{"mirror", "image", "st"}, []string{"status"}, shell.Done},
		{[]string{"--format", ""}, []string{"json", "plain"}, shell.Done},
		{[]string{"--site", "s"}, []string{"site-a", "site-b"}, shell.Done},
		{[]string{"failover", "--to", ""}, []string{"site-a", "site-b"}, shell.Done},
		{[]string{"mirror", "image", "status", "r"}, []string{"rbd/"}, shell.NoSpace},
		{[]string{"mirror", "image", "status", "v"}, []string{"vol1", "vol2"}, shell.Done},
		{[]string{"mirror", "image", "status", "other/"}, []string{"other/x"}, shell.Done},
		{[]string{"mirror", "image", "status", "--pool", "other", "--image", ""}, []string{"x"}, shell.Done},
		{[]string{"mirror", "pool", "info", ""}, []string{"other", "rbd"}, shell.Done},
		{[]string{"group", "image", "ls", "rbd/"}, []string{"rbd/app"}, shell.Done},
		{[]string{"journal", "info", "rbd/"}, []string{"rbd/1234abcd"}, shell.Done},
		{[]string{"journal", "info", "--journal", ""}, []string{"1234abcd"}, shell.Done},
		{[]string{"--config", ""}, nil, shell.Files},
		{[]string{"completion", ""}, shell.Shells, shell.Done},
		{[]string{"help", "mirror", "p"}, []string{"pool"}, shell.Done},
	}
	for _, tc := range cases {
		got, dir := complete(tc.args...)
		if strings.Join(got, " ") != strings.Join(tc.want, " ") && !(len(tc.want) == 0 && len(got) == 0) {
			// Order aside, the lists must match.
			for _, w := range tc.want {
				if !has(got, w) {
					t.Errorf("%q: got %v, want %v", tc.args, got, tc.want)
					break
				}
			}
			if len(got) != len(tc.want) {
				t.Errorf("%q: got %v, want %v", tc.args, got, tc.want)
			}
		}
		if dir != tc.dir {
			t.Errorf("%q: directive %v, want %v", tc.args, dir, tc.dir)
		}
	}
	// The selected site reaches the source.
	var sel shell.Selection
	shell.Complete(context.Background(), commands.Registry(), []string{"--site", "site-b", "--config", "/x.yaml", "mirror", "pool", "info", ""},
		func(s shell.Selection) (shell.Source, error) { sel = s; return fixed{}, nil })
	if sel.Site != "site-b" || sel.Config != "/x.yaml" {
		t.Errorf("selection %+v", sel)
	}
}

func TestScripts(t *testing.T) {
	for _, sh := range shell.Shells {
		var b bytes.Buffer
		if err := shell.Script(&b, sh); err != nil || !strings.Contains(b.String(), "__complete") {
			t.Errorf("%s: %v %q", sh, err, b.String())
		}
	}
	if err := shell.Script(&bytes.Buffer{}, "tcsh"); err == nil {
		t.Error("tcsh: no error")
	}
}

// The man page documents every command, argument and option of the
// registry, every global option, exit code, environment variable and
// configuration key.
func TestManPageCoversTheRegistry(t *testing.T) {
	var b bytes.Buffer
	info := shell.ManInfo{Version: "v0.0.0", Date: "2026-01-01",
		ExitCodes: []shell.ExitCode{{0, "ok"}, {1, "failed"}, {2, "usage"}},
		Env:       []shell.EnvVar{{"RBDTUI_CONFIG", "config"}, {"NO_COLOR", "no colour"}}}
	if err := shell.Man(&b, commands.Registry(), info); err != nil {
		t.Fatal(err)
	}
	man := b.String()
	roff := func(s string) string { return strings.ReplaceAll(s, "-", `\-`) }
	for _, c := range commands.Registry().Commands() {
		if !strings.Contains(man, ".SS "+roff(c.Name())+"\n") {
			t.Errorf("man page lacks command %s", c.Name())
		}
		for _, a := range c.Args {
			if !strings.Contains(man, `\fI<`+roff(a.Name)+`>\fR`) {
				t.Errorf("man page lacks %s <%s>", c.Name(), a.Name)
			}
		}
		sec := man[strings.Index(man, ".SS "+roff(c.Name())+"\n"):]
		if i := strings.Index(sec[4:], ".SS "); i >= 0 {
			sec = sec[:i+4]
		}
		for _, f := range c.Flags {
			if !strings.Contains(sec, `\fB\-\-`+roff(f.Name)+`\fR`) {
				t.Errorf("man page: %s lacks --%s", c.Name(), f.Name)
			}
		}
	}
	glob := man[strings.Index(man, ".SH GLOBAL OPTIONS"):]
	for _, f := range grammar.GlobalFlags {
		if !strings.Contains(glob, `\fB\-\-`+roff(f.Name)+`\fR`) {
			t.Errorf("man page lacks global --%s", f.Name)
		}
	}
	for _, e := range info.ExitCodes {
		if !strings.Contains(man, ".SH EXIT STATUS") || !strings.Contains(man, ".B "+string(rune('0'+e.Code))+"\n") {
			t.Errorf("man page lacks exit code %d", e.Code)
		}
	}
	for _, e := range info.Env {
		if !strings.Contains(man, ".B "+roff(e.Name)+"\n") {
			t.Errorf("man page lacks %s", e.Name)
		}
	}
	for _, k := range yamlKeys(reflect.TypeOf(config.Config{}), "") {
		if !strings.Contains(man, ".B "+roff(k)+"\n") {
			t.Errorf("man page lacks configuration key %s", k)
		}
	}
	for _, l := range strings.Split(man, "\n") {
		if strings.HasPrefix(l, ".") && !strings.HasPrefix(l, ".TH") && !strings.HasPrefix(l, ".SH") && !strings.HasPrefix(l, ".SS") &&
			!strings.HasPrefix(l, ".TP") && !strings.HasPrefix(l, ".B") && !strings.HasPrefix(l, ".PP") && !strings.HasPrefix(l, ".I ") &&
			!strings.HasPrefix(l, ".RS") && !strings.HasPrefix(l, ".RE") && !strings.HasPrefix(l, ".nf") && !strings.HasPrefix(l, ".fi") && !strings.HasPrefix(l, ".br") {
			t.Errorf("text line read as a roff request: %q", l)
		}
	}
}

// yamlKeys lists a struct's yaml keys, nested as the man page writes them
// (ui.theme, sites[].name).
func yamlKeys(t reflect.Type, prefix string) []string {
	var out []string
	for i := 0; i < t.NumField(); i++ {
		tag := strings.Split(t.Field(i).Tag.Get("yaml"), ",")[0]
		if tag == "" || tag == "-" {
			continue
		}
		out = append(out, prefix+tag)
		ft := t.Field(i).Type
		switch {
		case ft.Kind() == reflect.Struct && ft.PkgPath() == t.PkgPath() && ft.Name() != "Duration":
			out = append(out, yamlKeys(ft, prefix+tag+".")...)
		case ft.Kind() == reflect.Slice && ft.Elem().Kind() == reflect.Struct:
			out = append(out, yamlKeys(ft.Elem(), prefix+tag+"[].")...)
		}
	}
	return out
}

// fixed is a fixture of site contents for the completion grammar's unit
// tests; the lab test in internal/cli completes from a real site.
type fixed struct{}

func fixedSource(shell.Selection) (shell.Source, error) { return fixed{}, nil }

func (fixed) Sites() []string                         { return []string{"site-a", "site-b"} }
func (fixed) Pools(context.Context) ([]string, error) { return []string{"other", "rbd"}, nil }
func (fixed) Images(_ context.Context, pool string) ([]string, error) {
	if pool == "rbd" {
		return []string{"vol1", "vol2"}, nil
	}
	return []string{"x"}, nil
}
func (fixed) Groups(_ context.Context, pool string) ([]string, error) { return []string{"app"}, nil }
func (fixed) JournalIDs(_ context.Context, pool string) ([]string, error) {
	return []string{"1234abcd"}, nil
}
