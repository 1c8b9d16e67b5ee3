package journal

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Ceph's own crc32c check values (src/test/common/test_crc32c.cc).
func TestCrc32c(t *testing.T) {
	for _, c := range []struct {
		in   []byte
		want uint32
	}{
		{[]byte("foo bar baz"), 4119623852},
		{[]byte("whiz bang boom"), 2360230088},
		{bytes.Repeat([]byte{1}, 4096000), 31583199},
	} {
		if got := Crc32c(c.in); got != c.want {
			t.Errorf("crc32c(%.20q) = %d, want %d", c.in, got, c.want)
		}
	}
}

// Vectors of journal-format.md §14, now confirmed by the real objects below.
func TestSpecVectors(t *testing.T) {
	write := unhex(t, "05011c000000 01000000 0000000000000000 0400000000000000 04000000 61626364 010108000000 00f15365 00000000")
	flush := unhex(t, "050104000000 02000000 010108000000 00f15365 00000000")
	for _, c := range []struct {
		name string
		raw  []byte
		ev   Event
	}{
		{"AioWrite", write, Event{Type: EventAioWrite, RawType: 1, Version: 5, Length: 4, Data: []byte("abcd"), Sec: 1700000000}},
		{"AioFlush", flush, Event{Type: EventAioFlush, RawType: 2, Version: 5, Sec: 1700000000}},
	} {
		ev, err := DecodeEvent(c.raw)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if ev.Type != c.ev.Type || ev.Length != c.ev.Length || !bytes.Equal(ev.Data, c.ev.Data) || ev.Sec != c.ev.Sec {
			t.Errorf("%s decoded as %+v", c.name, ev)
		}
		if enc := EncodeEvent(&c.ev); !bytes.Equal(enc, c.raw) {
			t.Errorf("%s encodes as %x, want %x", c.name, enc, c.raw)
		}
	}
	frame := AppendFrame(nil, 1, 0, flush)
	want := unhex(t, "9397585326594131 01 0000000000000000 0100000000000000 18000000")
	want = append(append(want, flush...), unhex(t, "af486112")...)
	if !bytes.Equal(frame, want) {
		t.Errorf("frame %x, want %x", frame, want)
	}
	cl := unhex(t, "010144000000000000001300000002010d000000000000000000000000000000000101220000000100000001011800000002000000000000000100000000000000090000000000000000")
	c, err := DecodeClient(cl)
	if err != nil || c.ID != "" || len(c.Commit) != 1 || c.Commit[0] != (ObjectPosition{2, 1, 9}) || c.State != 0 {
		t.Fatalf("client: %+v %v", c, err)
	}
	if !bytes.Equal(EncodeClient(c), cl) {
		t.Errorf("client does not round-trip")
	}
	tag := unhex(t, "01012d000000000000000000000000000000000000001900000000000000000000000000000000000000000000000000000000")
	tg, err := DecodeTag(tag)
	if err != nil || tg.TID != 0 || tg.Class != 0 {
		t.Fatalf("tag: %+v %v", tg, err)
	}
	td, err := DecodeTagData(tg.Data)
	if err != nil || td.MirrorUUID != "" || td.Predecessor.CommitValid {
		t.Fatalf("tag data: %+v %v", td, err)
	}
	if !bytes.Equal(EncodeTag(tg), tag) || !bytes.Equal(EncodeTagData(td), tg.Data) {
		t.Errorf("tag does not round-trip")
	}
}

// realJournal loads the objects and header captured from the lab by
// TestEveryEventExportsAsRBD (RBDTUI_CAPTURE_TESTDATA=1): a journaled clone
// driven through every event type, demoted and promoted.
func realJournal(t testing.TB) (*Header, map[uint64]*Object, string, []byte) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "events.header.json"))
	if err != nil {
		t.Fatal(err)
	}
	var hx map[string]string
	if err := json.Unmarshal(raw, &hx); err != nil {
		t.Fatal(err)
	}
	vals := map[string][]byte{}
	for k, v := range hx {
		if key, ok := strings.CutPrefix(k, "omap:"); ok {
			vals[key] = unhex(t, v)
		}
	}
	h, err := ParseHeader(vals)
	if err != nil {
		t.Fatal(err)
	}
	objs := map[uint64]*Object{}
	for n := uint64(0); n < h.W()*(h.ActiveSet+1); n++ {
		o := &Object{Number: n}
		if b, err := os.ReadFile(filepath.Join("testdata", fmt.Sprintf("events.%d.obj", n))); err == nil {
			o.Exists, o.Data = true, b
			o.Entries, o.Fault = ParseObject(b)
		}
		objs[n] = o
	}
	exp, err := os.ReadFile(filepath.Join("testdata", "events.rbd-export"))
	if err != nil {
		t.Fatal(err)
	}
	return h, objs, hx["journal_id"], exp
}

func TestRealObjects(t *testing.T) {
	h, objs, id, rbdExport := realJournal(t)
	if h.Order != 24 || h.SplayWidth != 4 || h.PoolID != -1 || len(h.Problems) > 0 {
		t.Fatalf("header: %+v", h)
	}
	if h.Client("") == nil || h.Client("pin") == nil {
		t.Fatalf("clients: %+v", h.Clients)
	}
	m, err := DecodeClientMeta(h.Client("").Data)
	if err != nil || m.TypeName != "Master Image" {
		t.Errorf("image client meta: %+v %v", m, err)
	}
	if m, err := DecodeClientMeta(h.Client("pin").Data); err != nil || m.TypeName != "CLI Tool" {
		t.Errorf("pin client meta: %+v %v", m, err)
	}
	if _, err := DecodeClientMeta(nil); err == nil {
		t.Errorf("empty client data decoded")
	}
	owners := map[string]bool{}
	for _, tg := range h.Tags {
		td, err := DecodeTagData(tg.Data)
		if err != nil {
			t.Fatalf("tag %d: %v", tg.TID, err)
		}
		owners[td.Owner()] = true
		if !bytes.Equal(EncodeTagData(td), tg.Data) {
			t.Errorf("tag %d data does not round-trip", tg.TID)
		}
	}
	if !owners["local"] || !owners["orphan (demoted)"] {
		t.Errorf("tag owners: %v", owners)
	}
	total := 0
	for n, o := range objs {
		if o.Fault != nil {
			t.Errorf("object %d: %v", n, o.Fault)
		}
		total += len(o.Entries)
		for _, e := range o.Entries {
			ev, err := DecodeEvent(e.Data)
			if err != nil {
				t.Fatalf("object %d offset %d: %v", n, e.Offset, err)
			}
			// Everything librbd wrote re-encodes to the same bytes.
			if enc := EncodeEvent(ev); !bytes.Equal(enc, e.Data) {
				t.Errorf("%s at %d/%d does not round-trip:\n%x\n%x", ev.Name(), n, e.Offset, enc, e.Data)
			}
			if e.EntryTID%h.W() != n%h.W() {
				t.Errorf("entry %d in object %d breaks the splay rule", e.EntryTID, n)
			}
		}
	}
	var entries []Replayed
	if err := Replay(h, objs, MinCommitPosition(h.Clients), func(r Replayed) error { entries = append(entries, r); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(entries) != total {
		t.Errorf("replayed %d of %d entries", len(entries), total)
	}
	var buf bytes.Buffer
	if _, err := WriteExport(&buf, id, entries, h, ExportOptions{}); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), rbdExport) {
		t.Errorf("export differs from rbd's export of the same objects")
	}
	recs, err := ParseExport(rbdExport)
	if err != nil || len(recs) != len(entries) {
		t.Fatalf("parse rbd export: %d records, %v", len(recs), err)
	}
	for i, r := range recs {
		if !bytes.Equal(r.Data, entries[i].Data) || r.TagTID != entries[i].TagTID || r.CommitTID != uint64(i+1) {
			t.Fatalf("record %d differs", i)
		}
	}
	ix := IndexObjects(h, objs)
	if len(ix.Entries) != total || ix.Stopped != "" {
		t.Fatalf("index: %d entries, %s", len(ix.Entries), ix.Stopped)
	}
	for _, e := range ix.Entries {
		ev, err := ix.Decode(e)
		if err != nil || ev.Type != e.Type {
			t.Fatalf("index entry %+v: %v %v", e, ev, err)
		}
	}
}

// corrupt returns a copy of the first real object changed by fn.
func corrupt(t *testing.T, fn func(b []byte) []byte) []byte {
	b, err := os.ReadFile(filepath.Join("testdata", "events.1.obj"))
	if err != nil {
		t.Fatal(err)
	}
	return fn(append([]byte(nil), b...))
}

func TestObjectFaults(t *testing.T) {
	good := corrupt(t, func(b []byte) []byte { return b })
	all, f := ParseObject(good)
	if f != nil || len(all) < 3 {
		t.Fatalf("good object: %d entries, %v", len(all), f)
	}
	second := all[1].Offset
	for _, c := range []struct {
		name    string
		mutate  func([]byte) []byte
		kind    FaultKind
		off     int
		entries int
		corrupt bool
	}{
		{"payload byte flipped", func(b []byte) []byte { b[second+40] ^= 0xff; return b }, FaultCRC, second, 1, true},
		{"crc flipped", func(b []byte) []byte { b[all[1].Offset+all[1].Size()-1] ^= 1; return b }, FaultCRC, second, 1, true},
		{"garbage preamble", func(b []byte) []byte { copy(b[second:], "GARBAGE!"); return b }, FaultGarbage, second, 1, true},
		{"bad version", func(b []byte) []byte { b[second+8] = 2; return fixCRC(b, all[1]) }, FaultVersion, second, 1, true},
		{"truncated", func(b []byte) []byte { return b[:second+40] }, FaultTruncated, second, 1, false},
		{"header cut", func(b []byte) []byte { return b[:second+27] }, FaultTruncated, second, 1, false},
		{"short junk tail", func(b []byte) []byte { return append(b, 1, 2, 3) }, FaultTrailing, len(good), len(all), false},
		{"zero padding", func(b []byte) []byte { return append(b, make([]byte, 4096)...) }, "", 0, len(all), false},
		{"padding then entry", func(b []byte) []byte {
			b = append(b, make([]byte, 8-len(b)%8+16)...)
			return AppendFrame(b, 9, 0, []byte("x"))
		}, "", 0, len(all) + 1, false},
		{"empty", func([]byte) []byte { return nil }, "", 0, 0, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			b := corrupt(t, c.mutate)
			es, f := ParseObject(b)
			if len(es) != c.entries {
				t.Errorf("%d entries, want %d", len(es), c.entries)
			}
			if c.kind == "" {
				if f != nil {
					t.Errorf("unexpected fault %v", f)
				}
				return
			}
			if f == nil || f.Kind != c.kind || f.Offset != c.off || f.Corrupt() != c.corrupt {
				t.Fatalf("fault %+v, want %s at %d", f, c.kind, c.off)
			}
			if !strings.Contains(f.Error(), fmt.Sprint(c.off)) {
				t.Errorf("message does not name the offset: %v", f)
			}
		})
	}
}

func fixCRC(b []byte, e Entry) []byte {
	end := e.Offset + headerSize + len(e.Data)
	crc := Crc32c(b[e.Offset:end])
	b[end], b[end+1], b[end+2], b[end+3] = byte(crc), byte(crc>>8), byte(crc>>16), byte(crc>>24)
	return b
}

func TestEventDecodeErrors(t *testing.T) {
	h, objs, _, _ := realJournal(t)
	_ = h
	payload := objs[0].Entries[0].Data
	for _, c := range []struct {
		name string
		b    []byte
		want string
	}{
		{"empty", nil, "event entry struct_v"},
		{"cut", payload[:len(payload)-12], "struct_len"},
		{"newer compat", append([]byte{9, 9}, payload[2:]...), "struct_compat 9"},
		{"field overrun", func() []byte {
			b := EncodeEvent(&Event{Type: EventRename, ImageName: "abc"})
			b[2] = 12 // struct_len shorter than the fields
			return b
		}(), "overrun"},
	} {
		_, err := DecodeEvent(c.b)
		var de *DecodeError
		if err == nil || !errors.As(err, &de) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
	}
	// Unknown types decode as rbd's Unknown with type -1.
	ev, err := DecodeEvent(EncodeEvent(&Event{Type: EventUnknown, RawType: 77}))
	if err != nil || ev.Type != EventUnknown || ev.Name() != "Unknown (77)" {
		t.Errorf("unknown: %+v %v", ev, err)
	}
	var line []byte
	line = appendExportLine(line, 3, 4, -1, []byte{1})
	if string(line) != `52 {"tag_id":3,"commit_tid":4,"type":-1,"entry":"AQ=="}`+"\n" {
		t.Errorf("line: %q", line)
	}
}

func TestParseExportErrors(t *testing.T) {
	_, _, _, exp := realJournal(t)
	lines := strings.SplitAfter(string(exp), "\n")
	good := lines[1]
	ev := base64Event(t)
	for _, c := range []struct {
		name string
		in   string
		line int
		want string
	}{
		{"no space", "# x\n12{\n", 2, "space expected"},
		{"letters", "\nabc\n", 2, "expected a record size"},
		{"zero size", "0 {}\n", 1, "bad record size"},
		{"truncated", lines[0] + good + good[:40], 3, "truncated"},
		{"not json", "5 hello\n", 1, "not valid JSON"},
		{"bad base64", `13 {"entry":"!"}` + "\n", 1, "base64"},
		{"not an event", `17 {"entry":"AAAA"}` + "\n", 1, "corrupted entry 1"},
		{"junk after record", good[:len(good)-1] + "x\n", 1, "expected a record size"},
		{"third record bad", good + good + `16 {"entry":"AA=="}` + "\n", 3, "corrupted entry 3"},
		{"tag not a number", fmt.Sprintf(`%d {"tag_id":"x","entry":"%s"}`, 25+len(ev), ev) + "\n", 1, "JSON"},
	} {
		_, err := ParseExport([]byte(c.in))
		var ie *ImportError
		if err == nil || !errors.As(err, &ie) || ie.Line != c.line || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want line %d %q", c.name, err, c.line, c.want)
		}
	}
	// Comments, blank lines, missing fields and wrapped base64 are fine.
	recs, err := ParseExport([]byte(fmt.Sprintf("# c\n\n%d {\"entry\":\"%s\"}\n", 12+len(ev), ev)))
	if err != nil || len(recs) != 1 || recs[0].TagTID != 0 || recs[0].Line != 3 {
		t.Errorf("lenient parse: %+v %v", recs, err)
	}
}

func base64Event(t *testing.T) string {
	b, _ := json.Marshal(EncodeEvent(&Event{Type: EventAioFlush}))
	return strings.Trim(string(b), `"`)
}

func TestMinCommitPosition(t *testing.T) {
	p := func(o, tag, e uint64) []ObjectPosition { return []ObjectPosition{{o, tag, e}} }
	for _, c := range []struct {
		name    string
		clients []*Client
		want    []ObjectPosition
	}{
		{"none", nil, nil},
		{"least advanced", []*Client{{ID: "", Commit: p(3, 2, 9)}, {ID: "peer", Commit: p(1, 2, 5)}}, p(1, 2, 5)},
		{"older tag wins", []*Client{{ID: "", Commit: p(3, 3, 0)}, {ID: "peer", Commit: p(1, 2, 50)}}, p(1, 2, 50)},
		{"empty wins", []*Client{{ID: "", Commit: p(3, 2, 9)}, {ID: "peer"}}, nil},
		{"disconnected ignored", []*Client{{ID: "", Commit: p(3, 2, 9)}, {ID: "peer", State: ClientDisconnected}}, p(3, 2, 9)},
	} {
		got := MinCommitPosition(c.clients)
		if fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}

// A journal replays round-robin, switches tags at offset 0, drops stale
// entries of older tags and stops at a gap, as rbd's player does.
func TestReplaySynthetic(t *testing.T) {
	h := &Header{Order: 24, SplayWidth: 2, ActiveSet: 1}
	mk := func(es ...[2]uint64) *Object {
		var b []byte
		for _, e := range es {
			b = AppendFrame(b, e[0], e[1], EncodeEvent(&Event{Type: EventAioFlush}))
		}
		o := &Object{Exists: true, Data: b}
		o.Entries, o.Fault = ParseObject(b)
		return o
	}
	ids := func(objs map[uint64]*Object, pos []ObjectPosition) (string, error) {
		var s []string
		err := Replay(h, objs, pos, func(r Replayed) error { s = append(s, fmt.Sprintf("%d.%d", r.TagTID, r.EntryTID)); return nil })
		return strings.Join(s, " "), err
	}
	objs := map[uint64]*Object{
		0: mk([2]uint64{1, 0}, [2]uint64{1, 2}, [2]uint64{2, 0}),
		1: mk([2]uint64{1, 1}, [2]uint64{1, 3}, [2]uint64{1, 5}),
		2: mk([2]uint64{2, 2}),
		3: mk([2]uint64{2, 1}),
	}
	got, err := ids(objs, nil)
	if err != nil || got != "1.0 1.1 1.2 1.3 2.0 2.1 2.2" {
		t.Errorf("replay: %q %v (1.5 is stale once tag 2 starts)", got, err)
	}
	got, err = ids(objs, []ObjectPosition{{1, 1, 1}, {0, 1, 0}})
	if err != nil || got != "1.2 1.3 2.0 2.1 2.2" {
		t.Errorf("replay from position: %q %v", got, err)
	}
	objs[0] = mk([2]uint64{1, 0}, [2]uint64{1, 4})
	objs[1] = mk([2]uint64{1, 1}, [2]uint64{1, 3})
	objs[2], objs[3] = &Object{}, &Object{}
	got, err = ids(objs, nil)
	var re *ReplayError
	if !errors.As(err, &re) || re.Kind != "gap" || re.Expected != 2 || got != "1.0 1.1" {
		t.Errorf("gap: %q %v", got, err)
	}
}
