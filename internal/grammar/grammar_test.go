package grammar

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

func registry() *Registry {
	r := &Registry{}
	r.Add(
		&Command{Path: []string{"sites"}, Aliases: [][]string{{"site", "ls"}}},
		&Command{Path: []string{"mirror", "image", "status"}, Args: []Arg{{Name: "image-spec", Optional: true}},
			Flags: []Flag{{Name: "pool", Short: "p", Kind: String}, {Name: "image", Kind: String}}},
		&Command{Path: []string{"mirror", "image", "enable"}, Args: []Arg{{Name: "image-spec"}, {Name: "mode", Optional: true}}},
		&Command{Path: []string{"mirror", "pool", "info"}, Args: []Arg{{Name: "pool-spec", Optional: true}}, Flags: []Flag{{Name: "all", Kind: Bool}}},
		&Command{Path: []string{"feature", "enable"}, Args: []Arg{{Name: "image-spec"}, {Name: "features", Variadic: true}},
			Flags: []Flag{{Name: "journal-object-size", Kind: Size}, {Name: "journal-splay-width", Kind: Int}, {Name: "journal-option", Kind: String, Repeat: true}}},
		&Command{Path: []string{"lab", "load"}, CLIOnly: true, Flags: []Flag{{Name: "duration", Kind: Duration}, {Name: "mode", Kind: Enum, Values: []string{"a", "b"}}}},
	)
	return r
}

func TestParse(t *testing.T) {
	r := registry()
	inv, err := r.Parse(strings.Fields("--site site-b mirror image status rbd/vol1 --format json --pretty-format"))
	if err != nil {
		t.Fatal(err)
	}
	if inv.Cmd.Name() != "mirror image status" || inv.Arg("image-spec") != "rbd/vol1" {
		t.Fatalf("parsed %s %v", inv.Cmd.Name(), inv.Args)
	}
	if g := inv.Globals; g.Site != "site-b" || g.Format != "json" || !g.Pretty {
		t.Fatalf("globals %+v", g)
	}
	inv, err = r.Parse(strings.Fields("mirror image status -p rbd --image=vol1 --timeout 3s"))
	if err != nil {
		t.Fatal(err)
	}
	if inv.Flag("pool") != "rbd" || inv.Flag("image") != "vol1" || inv.Arg("image-spec") != "" || inv.Globals.Timeout != 3*time.Second {
		t.Fatalf("options form: %+v %+v", inv.Flags, inv.Globals)
	}
	inv, err = r.Parse(strings.Fields("site ls"))
	if err != nil || inv.Cmd.Name() != "sites" || !reflect.DeepEqual(inv.Words, []string{"site", "ls"}) {
		t.Fatalf("alias: %v %v", inv, err)
	}
	inv, err = r.Parse(strings.Fields("feature enable rbd/v journaling exclusive-lock --journal-object-size 4M --journal-option a=1 --journal-option b=2 --journal-splay-width 8"))
	if err != nil {
		t.Fatal(err)
	}
	if got := inv.Args["features"]; !reflect.DeepEqual(got, []string{"journaling", "exclusive-lock"}) {
		t.Errorf("variadic: %v", got)
	}
	if inv.SizeBytes("journal-object-size", 0) != 4<<20 || inv.Int("journal-splay-width", 0) != 8 {
		t.Errorf("typed options: %v", inv.Flags)
	}
	if got := inv.Flags["journal-option"]; !reflect.DeepEqual(got, []string{"a=1", "b=2"}) {
		t.Errorf("repeated option: %v", got)
	}
	inv, err = r.Parse(nil)
	if err != nil || inv.Cmd != nil {
		t.Fatalf("empty argv must mean 'open the console': %v %v", inv, err)
	}
	inv, err = r.Parse([]string{"mirror", "pool", "info", "--all=false"})
	if err != nil || inv.Bool("all") {
		t.Fatalf("--all=false: %v %v", inv.Flags, err)
	}
}

func TestParseErrors(t *testing.T) {
	r := registry()
	cases := map[string][]string{
		"mirror image frobnicate rbd/x":               {`unknown command "mirror image frobnicate rbd/x"`, "did you mean", "mirror image status"},
		"bogus":                                       {`unknown command "bogus"`, "rbdtui help"},
		"mirror image status --bogus":                 {"unknown option --bogus", "mirror image status", "usage:"},
		"mirror image status a b":                     {`unexpected argument "b"`},
		"mirror image enable":                         {"missing <image-spec>"},
		"mirror image status --pool":                  {"--pool needs a value"},
		"feature enable x --journal-object-size 4Q":   {"--journal-object-size", "not a size"},
		"feature enable x --journal-splay-width many": {"not a whole number"},
		"lab load --duration forever":                 {"not a positive duration"},
		"lab load --mode c":                           {`"c" is not one of a, b`},
		"sites --format yaml":                         {`"yaml" is not one of plain, json`},
		"mirror pool info --all=maybe":                {"takes no value"},
		"mirror image status -p a -p b":               {"given twice"},
	}
	for line, want := range cases {
		_, err := r.Parse(strings.Fields(line))
		if err == nil {
			t.Errorf("%q: expected an error", line)
			continue
		}
		for _, w := range want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%q: error %q lacks %q", line, err, w)
			}
		}
	}
}

func TestParseSize(t *testing.T) {
	good := map[string]uint64{"4096": 4096, "4K": 4096, "4k": 4096, "16M": 16 << 20, "1G": 1 << 30, "2KiB": 2048, "512B": 512, "1T": 1 << 40}
	for in, want := range good {
		if got, err := ParseSize(in); err != nil || got != want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "K", "-1", "1.5M", "12X", "99999999999999999999T"} {
		if _, err := ParseSize(in); err == nil {
			t.Errorf("ParseSize(%q) should fail", in)
		}
	}
}

func TestComplete(t *testing.T) {
	r := registry()
	if got := r.Complete([]string{"mirror"}, "i", false); !reflect.DeepEqual(got, []string{"image"}) {
		t.Errorf("complete mirror i: %v", got)
	}
	if got := r.Complete([]string{"mirror", "image"}, "", false); !reflect.DeepEqual(got, []string{"enable", "status"}) {
		t.Errorf("complete mirror image: %v", got)
	}
	if got := r.Complete(nil, "la", false); len(got) != 0 {
		t.Errorf("CLI-only commands must not be offered in the palette: %v", got)
	}
	if got := r.Complete(nil, "la", true); !reflect.DeepEqual(got, []string{"lab"}) {
		t.Errorf("CLI completion: %v", got)
	}
	got := r.Complete([]string{"mirror", "image", "status"}, "--p", false)
	if !reflect.DeepEqual(got, []string{"--pool", "--pretty-format"}) {
		t.Errorf("option completion: %v", got)
	}
}

func TestUsage(t *testing.T) {
	r := registry()
	inv, _ := r.Parse(strings.Fields("feature enable x y"))
	u := inv.Cmd.Usage()
	for _, w := range []string{"feature enable", "[--journal-object-size <size>]", "<image-spec>", "<features>..."} {
		if !strings.Contains(u, w) {
			t.Errorf("usage %q lacks %q", u, w)
		}
	}
}

func TestDuplicatePanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("registering a command twice must panic")
		}
	}()
	r := registry()
	r.Add(&Command{Path: []string{"site", "ls"}})
}
