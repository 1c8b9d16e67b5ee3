package journal_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rbdtui/rbdtui/internal/journal"
)

// TestInspectFindsCorruption damages real journal objects with librados,
// one kind of fault at a time, and checks that inspect names it (object,
// offset, tag, entry) and exits non-zero, then restores the object.
func TestInspectFindsCorruption(t *testing.T) {
	l := newLab(t)
	name, j := l.journaledImage(t, "jfault")
	l.rbd(t, "bench", "--io-type", "write", "--io-size", "4K", "--io-total", "128K", "--io-threads", "1", name)
	ctx := context.Background()
	if err := j.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	io := adminIO(t, l)
	read := func(n uint64) []byte {
		b := make([]byte, 1<<20)
		k, err := io.Read(j.DataOID(n), b, 0)
		if err != nil {
			t.Fatal(err)
		}
		return b[:k]
	}
	orig := map[uint64][]byte{}
	for n := uint64(0); n < 4; n++ {
		orig[n] = read(n)
	}
	restore := func() {
		for n, b := range orig {
			if err := io.WriteFull(j.DataOID(n), b); err != nil {
				t.Fatal(err)
			}
		}
		if err := j.CommitClient(ctx, "pin", nil); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(restore)
	code, out, errOut := runCLI(t, l, "journal", "inspect", "--journal", j.Spec.ID)
	if code != 0 || !strings.Contains(out, "No structural faults found") {
		t.Fatalf("healthy journal: exit %d\n%s%s", code, out, errOut)
	}
	// The engine's Scan reports progress per object and the same numbers.
	var last journal.ScanProgress
	calls := 0
	res, err := j.Scan(ctx, journal.ScanOptions{Progress: func(p journal.ScanProgress) { calls++; last = p }})
	if err != nil || res.Faulty() || res.Inspected != res.Retained || res.Inspected < 32 {
		t.Fatalf("scan: %+v %v", res, err)
	}
	if calls != last.ObjectsTotal || last.ObjectsDone != last.ObjectsTotal || last.Bytes != res.Bytes {
		t.Errorf("progress: %d calls, last %+v, scanned %d bytes", calls, last, res.Bytes)
	}
	es, _ := journal.ParseObject(orig[1])
	second := es[1]
	fixCRC := func(b []byte, e journal.Entry) {
		end := e.Offset + 29 + len(e.Data)
		c := journal.Crc32c(b[e.Offset:end])
		b[end], b[end+1], b[end+2], b[end+3] = byte(c), byte(c>>8), byte(c>>16), byte(c>>24)
	}
	obj1 := j.DataOID(1)
	for _, c := range []struct {
		name   string
		damage func()
		want   []string
	}{
		{"garbage preamble", func() {
			b := bytes.Clone(orig[1])
			copy(b[second.Offset:], "GARBAGE!")
			io.WriteFull(obj1, b)
		}, []string{"error: garbage in " + obj1 + fmt.Sprintf(" at offset %d", second.Offset), "replay-stops"}},
		{"crc mismatch", func() {
			b := bytes.Clone(orig[1])
			b[second.Offset+100] ^= 0x5a
			io.WriteFull(obj1, b)
		}, []string{fmt.Sprintf("crc-mismatch in %s at offset %d (tag %d, entry %d)", obj1, second.Offset, second.TagTID, second.EntryTID)}},
		{"truncated entry", func() {
			io.WriteFull(obj1, orig[1][:second.Offset+50])
		}, []string{fmt.Sprintf("truncated-entry in %s at offset %d (tag %d, entry %d)", obj1, second.Offset, second.TagTID, second.EntryTID), "missing-prior-entry"}},
		{"missing prior entry", func() {
			b := append(bytes.Clone(orig[1][:second.Offset]), orig[1][second.Offset+second.Size():]...)
			io.WriteFull(obj1, b)
		}, []string{"error: missing-prior-entry in ", fmt.Sprintf("entry %d missing (entry %d belongs in %s)", second.EntryTID, second.EntryTID, obj1),
			fmt.Sprintf("replay-stops in %s at offset %d", obj1, second.Offset)}},
		{"undecodable event", func() {
			b := bytes.Clone(orig[1])
			copy(b[second.Offset+29:], []byte{9, 9, 9, 9})
			fixCRC(b, second)
			io.WriteFull(obj1, b)
		}, []string{fmt.Sprintf("undecodable-event in %s at offset %d (tag %d, entry %d)", obj1, second.Offset, second.TagTID, second.EntryTID), "1 errors"}},
		{"missing object", func() {
			io.Delete(j.DataOID(2))
		}, []string{"missing-object in " + j.DataOID(2)}},
		{"stray object beyond the active set", func() {
			io.WriteFull(j.DataOID(5), orig[1])
			t.Cleanup(func() { io.Delete(j.DataOID(5)) })
		}, []string{"warning: stray-object in " + j.DataOID(5)}},
		{"commit position outside", func() {
			if err := j.CommitClient(ctx, "pin", []journal.ObjectPosition{{ObjectNumber: 41, TagTID: 1, EntryTID: 5}}); err != nil {
				t.Fatal(err)
			}
		}, []string{`commit-position-outside`, `(client "pin")`, "beyond the active set"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			c.damage()
			defer restore()
			code, out, errOut := runCLI(t, l, "journal", "inspect", "--journal", j.Spec.ID)
			wantCode := 1
			if strings.HasPrefix(c.want[0], "warning:") {
				wantCode = 0 // warnings alone do not fail inspect
				defer io.Delete(j.DataOID(5))
			}
			if code != wantCode {
				t.Errorf("exit %d, want %d", code, wantCode)
			}
			for _, w := range c.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s%s", w, out, errOut)
				}
			}
			if strings.Contains(errOut, "panic") {
				t.Fatalf("panic: %s", errOut)
			}
			// Where rbd's replay stops, rbd's export stops: both write the
			// entries before the damage and fail.
			if c.name == "crc mismatch" || c.name == "missing prior entry" || c.name == "garbage preamble" {
				dir := t.TempDir()
				_, rerr := l.rbdErr("journal", "export", "--journal", j.Spec.ID, dir+"/rbd")
				code, _, errOut := runCLI(t, l, "journal", "export", "--journal", j.Spec.ID, dir+"/ours")
				a, _ := os.ReadFile(dir + "/rbd")
				b, _ := os.ReadFile(dir + "/ours")
				if rerr == nil || code != 1 || !bytes.Equal(a, b) {
					t.Errorf("export of a damaged journal: rbd err %v (%d bytes), rbdtui exit %d (%d bytes) %s", rerr, len(a), code, len(b), errOut)
				}
			}
			// rbd's summary is ours too (rbd hangs on a commit position
			// beyond the active set, so that case is not asked of it).
			if c.name != "commit position outside" {
				ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
				cmd := exec.CommandContext(ctx, "rbd", "-c", l.conf, "journal", "inspect", "--journal", j.Spec.ID)
				rbdOut, _ := cmd.Output()
				cancel()
				if len(rbdOut) == 0 || !strings.HasPrefix(out, string(rbdOut)) {
					t.Errorf("rbd's inspect says:\n%s\nours:\n%s", rbdOut, out)
				}
			}
			// The JSON form carries the same findings.
			code, js, _ := runCLI(t, l, "journal", "inspect", "--journal", j.Spec.ID, "--format", "json")
			if code != wantCode || !strings.Contains(js, `"findings":[{`) {
				t.Errorf("json: %d %.300s", code, js)
			}
		})
	}
}

// TestImportBothWays: a file written by rbd is imported by rbdtui and a
// file written by rbdtui is imported by rbd; replaying either journal
// gives the source image's content.
func TestImportBothWays(t *testing.T) {
	l := newLab(t)
	src, sj := l.journaledImage(t, "jimp-src")
	l.rbd(t, "bench", "--io-type", "write", "--io-size", "16K", "--io-total", "1M", "--io-pattern", "rand", src)
	l.rbd(t, "bench", "--io-type", "write", "--io-size", "4K", "--io-total", "256K", "--io-pattern", "rand", src)
	dir := t.TempDir()
	srcData := filepath.Join(dir, "src.raw")
	l.rbd(t, "export", src, srcData)

	rbdFile := filepath.Join(dir, "rbd.export")
	l.rbd(t, "journal", "export", "--journal", sj.Spec.ID, rbdFile)
	ourFile := filepath.Join(dir, "ours.export")
	code, out, errOut := runCLI(t, l, "journal", "export", "--journal", sj.Spec.ID, ourFile)
	if code != 0 || !strings.Contains(out, "entries processed, 0 errors") {
		t.Fatalf("export: %d %s %s", code, out, errOut)
	}
	a, _ := os.ReadFile(rbdFile)
	b, _ := os.ReadFile(ourFile)
	if !bytes.Equal(a, b) {
		t.Fatal("exports differ")
	}

	replayAndCompare := func(dest string) {
		t.Helper()
		// Opening the image for writing replays its journal into it.
		l.rbd(t, "snap", "create", dest+"@replayed")
		p := filepath.Join(dir, dest+".raw")
		l.rbd(t, "export", dest, p)
		got, _ := os.ReadFile(p)
		want, _ := os.ReadFile(srcData)
		if !bytes.Equal(got, want) {
			t.Errorf("%s after replay differs from the source image", dest)
		}
	}
	d1 := l.plainJournaled(t, "jimp-d1")
	code, out, errOut = runCLI(t, l, "journal", "import", rbdFile, "--dest", d1, "--yes")
	if code != 0 {
		t.Fatalf("rbdtui import: %d %s %s", code, out, errOut)
	}
	replayAndCompare(d1)

	// rbd's own import now and then never returns after "Waiting for
	// journal append to complete..." (seen on 16.2.15 about one run in
	// three, with files from either tool); such a run is retried on a
	// fresh image.
	for try := 1; ; try++ {
		d2 := l.plainJournaled(t, "jimp-d2")
		out, err := l.rbdTimeout(30*time.Second, "journal", "import", "--dest", d2, ourFile)
		if err == nil {
			replayAndCompare(d2)
			break
		}
		if try == 3 {
			t.Fatalf("rbd journal import: %v\n%s", err, out)
		}
		t.Logf("rbd journal import try %d: %v (%s); retrying", try, err, strings.TrimSpace(out))
	}
}

// plainJournaled creates a journaled image nothing has opened yet.
func (l *labEnv) plainJournaled(t testing.TB, prefix string) string {
	imageSeq++
	name := fmt.Sprintf("%s-%d", prefix, imageSeq)
	l.rbd(t, "create", "--size", "64M", "--image-feature", "layering,exclusive-lock,journaling", name)
	t.Cleanup(func() {
		l.rbdErr("snap", "purge", name)
		l.rbdErr("rm", name)
	})
	return name
}

// A malformed file is refused whole with its line number; nothing is
// written to the journal.
func TestImportRefusesBadFile(t *testing.T) {
	l := newLab(t)
	src, sj := l.journaledImage(t, "jbad-src")
	l.rbd(t, "bench", "--io-type", "write", "--io-size", "4K", "--io-total", "32K", src)
	good := l.rbdExport(t, sj.Spec.ID)
	lines := strings.SplitAfter(string(good), "\n")
	bad := strings.Join(lines[:4], "") + "17 {\"entry\":\"AAAA\"}\n" + strings.Join(lines[4:], "")
	p := filepath.Join(t.TempDir(), "bad.export")
	os.WriteFile(p, []byte(bad), 0o644)
	dest, dj := l.journaledImage(t, "jbad-dst")
	_ = dest
	before, _, _ := runCLI(t, l, "journal", "status", "--journal", dj.Spec.ID, "--format", "json")
	_ = before
	code, out, errOut := runCLI(t, l, "journal", "import", p, "--dest-journal", dj.Spec.ID, "--yes")
	if code == 0 || !strings.Contains(errOut, "line 5") || !strings.Contains(errOut, "nothing was imported") {
		t.Errorf("bad file: exit %d %s %s", code, out, errOut)
	}
	ctx := context.Background()
	if err := dj.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	res, err := dj.Export(ctx, &buf, journal.ExportOptions{FromStart: true})
	if err != nil || res.Entries != 0 {
		t.Errorf("destination journal changed: %d entries, %v", res.Entries, err)
	}
}
