package journal

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"testing"
)

// Fuzzing the decoders. CI runs these as ordinary tests over the seed
// corpus (testdata/fuzz/<Name>/ plus the real objects added below). To
// fuzz for real, outside CI:
//
//	go test -tags pacific -run '^$' -fuzz '^FuzzParseObject$' -fuzztime 5m ./internal/journal/
//	go test -tags pacific -run '^$' -fuzz '^FuzzDecodeEvent$' -fuzztime 5m ./internal/journal/
//	go test -tags pacific -run '^$' -fuzz '^FuzzParseExport$' -fuzztime 5m ./internal/journal/
//
// New failures land in testdata/fuzz/<Name>/; commit them with the fix.

func seedObjects(f *testing.F) [][]byte {
	var out [][]byte
	paths, _ := filepath.Glob(filepath.Join("testdata", "events.*.obj"))
	for _, p := range paths {
		if b, err := os.ReadFile(p); err == nil {
			out = append(out, b)
		}
	}
	if len(out) == 0 {
		f.Fatal("no seed objects in testdata")
	}
	return out
}

// FuzzParseObject: any bytes parse without panicking, entries lie inside
// the object, and every entry returned has a valid CRC.
func FuzzParseObject(f *testing.F) {
	for _, b := range seedObjects(f) {
		f.Add(b[:min(len(b), 4096)])
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		es, fault := ParseObject(b)
		for _, e := range es {
			if e.Offset < 0 || e.Offset+e.Size() > len(b) {
				t.Fatalf("entry outside the object: %+v", e)
			}
			if Crc32c(b[e.Offset:e.Offset+headerSize+len(e.Data)]) != leU32(b[e.Offset+headerSize+len(e.Data):]) {
				t.Fatalf("entry with a bad crc returned")
			}
			if _, err := DecodeEvent(e.Data); err == nil {
				_ = err
			}
		}
		if fault != nil && (fault.Offset < 0 || fault.Offset > len(b)) {
			t.Fatalf("fault offset %d outside %d bytes", fault.Offset, len(b))
		}
	})
}

func leU32(b []byte) uint32 {
	return uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | uint32(b[3])<<24
}

// FuzzDecodeEvent: any payload decodes or fails cleanly; what decodes
// renders; v5 events re-encode to an equivalent event.
func FuzzDecodeEvent(f *testing.F) {
	for _, b := range seedObjects(f) {
		es, _ := ParseObject(b)
		for i, e := range es {
			if i < 8 {
				f.Add(e.Data)
			}
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		ev, err := DecodeEvent(b)
		if err != nil {
			return
		}
		_ = ev.DumpFields()
		_, _ = ev.DecodedFields().MarshalJSON()
		again, err := DecodeEvent(EncodeEvent(ev))
		if err != nil {
			t.Fatalf("re-encoded event does not decode: %v", err)
		}
		if again.Type != ev.Type || again.OpTID != ev.OpTID || again.Offset != ev.Offset || string(again.Data) != string(ev.Data) {
			t.Fatalf("round trip changed the event: %+v -> %+v", ev, again)
		}
	})
}

// FuzzParseExport: any file parses or fails with a line number.
func FuzzParseExport(f *testing.F) {
	if b, err := os.ReadFile(filepath.Join("testdata", "events.rbd-export")); err == nil {
		f.Add(b[:min(len(b), 2048)])
	}
	f.Add([]byte("# journal_id: x\n\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		recs, err := ParseExport(b)
		if err != nil {
			if ie, ok := err.(*ImportError); !ok || ie.Line < 1 {
				t.Fatalf("error without a line: %v", err)
			}
			return
		}
		for _, r := range recs {
			if _, err := DecodeEvent(r.Data); err != nil {
				t.Fatalf("accepted an undecodable record: %v", err)
			}
		}
	})
}

// FuzzBase64: the fast encoder agrees with the standard library.
func FuzzBase64(f *testing.F) {
	for _, s := range []string{"", "a", "ab", "abc", "abcdefgh", "0123456789abcdef0"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		want := base64.StdEncoding.EncodeToString(b)
		if got := string(appendBase64([]byte("x"), b)); got != "x"+want {
			t.Fatalf("%x: %q, want %q", b, got, want)
		}
	})
}

func TestBase64(t *testing.T) {
	// Lengths across several vector blocks (48 bytes in, 64 out) and
	// their edges, from unaligned starts, into a buffer with room to spare.
	buf := make([]byte, 1100)
	for i := range buf {
		buf[i] = byte(i*7 + i>>3)
	}
	for start := 0; start < 3; start++ {
		for n := 0; start+n <= len(buf); n++ {
			src := buf[start : start+n]
			dst := make([]byte, 1, 2000)
			if got, want := string(appendBase64(dst, src)[1:]), base64.StdEncoding.EncodeToString(src); got != want {
				t.Fatalf("start %d len %d: %q, want %q (vector encoder: %v)", start, n, got, want, haveVectorBase64())
			}
		}
	}
}

func BenchmarkBase64(b *testing.B) {
	src := make([]byte, 4140)
	for i := range src {
		src[i] = byte(i * 13)
	}
	dst := make([]byte, 0, 8192)
	b.SetBytes(int64(len(src)))
	for i := 0; i < b.N; i++ {
		dst = appendBase64(dst[:0], src)
	}
}
