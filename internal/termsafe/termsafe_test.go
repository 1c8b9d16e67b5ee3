package termsafe

import (
	"bytes"
	"testing"
)

// Hostile names from issue 15: each one retitled, cleared or overwrote a
// terminal when printed raw.
var hostile = []string{"title\x1b]0;PWNED\a", "evil\x1b[2J\x1b[31m", "cr\rOVERWRITTEN", "up\x1b[1A\x1b[2K"}

func TestText(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"vol1", "vol1"},
		{"title\x1b]0;PWNED\a", `title\e]0;PWNED\x07`},
		{"evil\x1b[2J\x1b[31m", `evil\e[2J\e[31m`},
		{"cr\rOVERWRITTEN", `cr\rOVERWRITTEN`},
		{"up\x1b[1A\x1b[2K", `up\e[1A\e[2K`},
		{"a\nb\tc", `a\nb\tc`},
		{"del\x7f", `del\x7f`},
		{"csi\u009b2J", `csi\u009b2J`},
		{"bad\xffbyte", `bad\xffbyte`},
		{"rtl\u202eevil", `rtl\u202eevil`},
		{"日本語 é", "日本語 é"},
	} {
		if got := Text(c.in); got != c.want {
			t.Errorf("Text(%q) = %q, want %q", c.in, got, c.want)
		}
		if Raw([]byte(Text(c.in)), false) != -1 {
			t.Errorf("Text(%q) still holds a control byte", c.in)
		}
	}
}

func TestLineKeepsOnlySGR(t *testing.T) {
	in := "\x1b[1;38;5;12mname\x1b[0m evil\x1b[2J\x1b]0;x\a"
	want := "\x1b[1;38;5;12mname\x1b[0m evil\\e[2J\\e]0;x\\x07"
	if got := Line(in, true); got != want {
		t.Errorf("Line = %q, want %q", got, want)
	}
	if got := Line(in, false); Raw([]byte(got), false) != -1 {
		t.Errorf("Line without SGR = %q still holds a control byte", got)
	}
}

func TestWriter(t *testing.T) {
	var buf bytes.Buffer
	w := Writer(&buf)
	for _, h := range hostile {
		if _, err := w.Write([]byte("NAME " + h + "\tok\n")); err != nil {
			t.Fatal(err)
		}
	}
	// A UTF-8 rune split across two writes passes whole.
	w.Write([]byte("split \xe6\x97"))
	w.Write([]byte("\xa5 end\n"))
	if i := Raw(buf.Bytes(), false); i != -1 {
		t.Fatalf("raw control byte at %d in %q", i, buf.String())
	}
	want := "NAME title\\e]0;PWNED\\x07\tok\nNAME evil\\e[2J\\e[31m\tok\nNAME cr\\rOVERWRITTEN\tok\nNAME up\\e[1A\\e[2K\tok\nsplit 日 end\n"
	if buf.String() != want {
		t.Errorf("got %q\nwant %q", buf.String(), want)
	}
}

func FuzzText(f *testing.F) {
	for _, h := range hostile {
		f.Add(h)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if i := Raw([]byte(Text(s)), false); i != -1 {
			t.Fatalf("Text(%q) = %q has a control byte at %d", s, Text(s), i)
		}
		if i := Raw([]byte(Line(s, true)), true); i != -1 {
			t.Fatalf("Line(%q) = %q has a control byte at %d", s, Line(s, true), i)
		}
	})
}
