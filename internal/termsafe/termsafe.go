// Package termsafe makes strings from outside (a cluster's image and group
// names, a file, what an operator typed) safe to put on a terminal. Ceph
// accepts any byte but '/' and '@' in a name, so a name can hold an escape
// sequence that retitles the terminal, clears it or moves the cursor. Each
// output path calls this package in one place: the CLI wraps its plain
// stdout and its stderr in Writer, the console passes every line it draws
// through Line. Control characters are shown visibly, the way git's
// core.quotePath and rbd's JSON quote them: \e, \r, \n, \t, \x07, \u009b.
// JSON output needs none of this: encoding/json escapes control characters.
package termsafe

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// escape returns the visible form of rune r (decoded from size bytes of
// src), or "" when r is safe to print as is.
func escape(r rune, src []byte, keepNL bool) string {
	switch {
	case r == utf8.RuneError && len(src) == 1:
		return fmt.Sprintf(`\x%02x`, src[0]) // a byte that is not UTF-8
	case r == '\n':
		if keepNL {
			return ""
		}
		return `\n`
	case r == '\t':
		if keepNL {
			return ""
		}
		return `\t`
	case r == 0x1b:
		return `\e`
	case r == '\r':
		return `\r`
	case r < 0x20 || r == 0x7f:
		return fmt.Sprintf(`\x%02x`, r)
	case r >= 0x80 && r < 0xa0: // C1 controls: 0x9b is a one-byte CSI
		return fmt.Sprintf(`\u%04x`, r)
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069: // bidi overrides reorder the line
		return fmt.Sprintf(`\u%04x`, r)
	}
	return ""
}

// Text returns s with every control character shown visibly (newlines and
// tabs included): for one field, one name, one line.
func Text(s string) string { return quote(s, false, false) }

// Line is Text for a line the console has styled: a well-formed SGR
// sequence (ESC [ digits ; m, colour and weight only, which cannot move the
// cursor, clear or retitle anything) is kept when keepSGR is set, every
// other escape is shown visibly. The console keeps SGR only when it draws
// in colour; without colour every ESC is shown.
func Line(s string, keepSGR bool) string { return quote(s, false, keepSGR) }

// Safe reports whether s can go to a terminal as is (newlines allowed).
func Safe(s string) bool { return quote(s, true, false) == s }

func quote(s string, keepNL, keepSGR bool) string {
	// Fast path: nothing to do for the usual name.
	clean := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			clean = false
			break
		}
	}
	if clean || !needs(s, keepNL, keepSGR) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		if keepSGR && s[i] == 0x1b {
			if n := sgrLen(s[i:]); n > 0 {
				b.WriteString(s[i : i+n])
				i += n
				continue
			}
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if e := escape(r, []byte(s[i:i+size]), keepNL); e != "" {
			b.WriteString(e)
		} else {
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// needs reports whether quote would change s; styled console lines hold
// SGR sequences and nothing else, and should not be copied.
func needs(s string, keepNL, keepSGR bool) bool {
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c < 0x7f {
			i++
			continue
		}
		if keepSGR && c == 0x1b {
			if n := sgrLen(s[i:]); n > 0 {
				i += n
				continue
			}
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if escape(r, []byte(s[i:i+size]), keepNL) != "" {
			return true
		}
		i += size
	}
	return false
}

// sgrLen is the length of the SGR sequence s starts with, or 0.
func sgrLen(s string) int {
	if len(s) < 3 || s[0] != 0x1b || s[1] != '[' {
		return 0
	}
	for i := 2; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9', c == ';', c == ':':
		case c == 'm':
			return i + 1
		default:
			return 0
		}
	}
	return 0
}

// Writer returns a writer that passes text to w with every control
// character but newline and tab shown visibly. A UTF-8 sequence split
// across two writes is held until its end arrives.
func Writer(w io.Writer) io.Writer { return &writer{w: w} }

type writer struct {
	w    io.Writer
	tail []byte // an incomplete UTF-8 sequence from the last write
}

func (q *writer) Write(p []byte) (int, error) {
	buf := append(q.tail, p...)
	q.tail = nil
	// Hold back an incomplete rune at the end (at most 3 bytes).
	end := len(buf)
	for k := 1; k <= 3 && k <= len(buf); k++ {
		c := buf[len(buf)-k]
		if c < 0x80 {
			break
		}
		if c >= 0xc0 { // a lead byte: complete?
			if !utf8.FullRune(buf[len(buf)-k:]) {
				end = len(buf) - k
			}
			break
		}
	}
	q.tail = append([]byte(nil), buf[end:]...)
	out := quote(string(buf[:end]), true, false)
	if _, err := io.WriteString(q.w, out); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Raw returns the index of the first byte of b a terminal would act on
// (a control character other than newline, outside a well-formed SGR
// sequence when sgrOK), or -1: for tests that check what reached a
// writer.
func Raw(b []byte, sgrOK bool) int {
	s := string(b)
	for i := 0; i < len(s); {
		if sgrOK {
			if n := sgrLen(s[i:]); n > 0 {
				i += n
				continue
			}
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r != '\n' && r != '\t' && escape(r, b[i:i+size], true) != "" {
			return i
		}
		i += size
	}
	return -1
}
