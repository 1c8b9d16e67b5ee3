package journal_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"github.com/rbdtui/rbdtui/internal/site"
	"os"
	"sort"
	"strings"
	"syscall"
	"testing"

	"github.com/ceph/go-ceph/rados"
	"github.com/ceph/go-ceph/rbd"
	"github.com/rbdtui/rbdtui/internal/journal"
	"github.com/rbdtui/rbdtui/internal/journal/jtest"
	"github.com/rbdtui/rbdtui/internal/lab"
)

// stopPeerMirror pauses site-b's rbd-mirror for the test (SIGSTOP, resumed
// in cleanup), so no peer registers on or replays from site-a's journals.
func stopPeerMirror(t *testing.T, st *lab.State) {
	pid := st.Site(lab.SiteB).PIDs.RBDMirror
	if pid <= 0 {
		t.Fatal("no rbd-mirror pid recorded for site-b")
	}
	if err := syscall.Kill(pid, syscall.SIGSTOP); err != nil {
		t.Fatalf("SIGSTOP rbd-mirror %d: %v", pid, err)
	}
	t.Cleanup(func() { syscall.Kill(pid, syscall.SIGCONT) })
}

func adminIO(t testing.TB, l *labEnv) *rados.IOContext {
	conn, err := l.st.Site(lab.SiteA).AdminConn()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { site.Release(conn) })
	io, err := conn.OpenIOContext("rbd")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(io.Destroy)
	return io
}

// allEventsImage drives a journaled clone through every event type a
// librbd client writes and returns its final name and journal.
func allEventsImage(t *testing.T, l *labEnv) (string, *journal.Journal) {
	stopPeerMirror(t, l.st)
	io := adminIO(t, l)
	imageSeq++
	parent := fmt.Sprintf("jev-parent-%d", imageSeq)
	l.rbd(t, "create", "--size", "64M", "--image-feature", "layering,exclusive-lock,journaling", parent)
	l.rbd(t, "bench", "--io-type", "write", "--io-size", "64K", "--io-total", "256K", parent)
	l.rbd(t, "snap", "create", parent+"@base")
	l.rbd(t, "snap", "protect", parent+"@base")
	child := fmt.Sprintf("jev-%d", imageSeq)
	final := child + "-renamed"
	l.rbd(t, "clone", "--image-feature", "layering,exclusive-lock,journaling", parent+"@base", child)
	t.Cleanup(func() {
		for _, n := range []string{child, final} {
			l.rbdErr("mirror", "image", "disable", "--force", n)
			l.rbdErr("snap", "purge", n)
			l.rbdErr("rm", n)
		}
		l.rbdErr("snap", "unprotect", parent+"@base")
		l.rbdErr("snap", "purge", parent)
		l.rbdErr("rm", parent)
	})
	ctx := context.Background()
	spec, err := journal.SpecOfImage(ctx, l.a, modelSpec(child))
	if err != nil {
		t.Fatal(err)
	}
	j, err := journal.Open(ctx, l.a, spec)
	if err != nil {
		t.Fatal(err)
	}
	if err := j.RegisterClient(ctx, "pin", journal.EncodeCLIClientMeta()); err != nil {
		t.Fatal(err)
	}

	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	img, err := rbd.OpenImage(io, child, rbd.NoSnapshot)
	must("open", err)
	_, err = img.WriteAt(bytes.Repeat([]byte("A"), 4096), 0)
	must("write", err)
	_, err = img.WriteAt(bytes.Repeat([]byte("B"), 40000), 1<<20) // split over several AioWrite events
	must("big write", err)
	_, err = img.Discard(4<<20, 4<<20)
	must("discard", err)
	_, err = img.WriteSame(16384, 8192, bytes.Repeat([]byte("S"), 512), 0)
	must("write same", err)
	must("flush", img.Flush())
	must("close", img.Close())

	adm := l.st.Site(lab.SiteA)
	tgt := jtest.Target{Conf: adm.Conf, User: "admin", Keyring: adm.Keyring(lab.AdminClient), Pool: "rbd", Image: child}
	must("compare and write", jtest.CompareAndWrite(tgt, 0, bytes.Repeat([]byte("A"), 512), bytes.Repeat([]byte("C"), 512)))
	must("snap limit", jtest.SetSnapLimit(tgt, 100))

	img, err = rbd.OpenImage(io, child, rbd.NoSnapshot)
	must("reopen", err)
	snap, err := img.CreateSnapshot("s1")
	must("snap create", err)
	must("snap rename", snap.Rename("s2"))
	snap = img.GetSnapshot("s2")
	must("snap protect", snap.Protect())
	must("snap unprotect", snap.Unprotect())
	must("snap rollback", snap.Rollback())
	must("snap remove", snap.Remove())
	must("resize", img.Resize(128<<20))
	must("metadata set", img.SetMetadata("jtest", "value"))
	must("metadata remove", img.RemoveMetadata("jtest"))
	must("flatten", img.Flatten())
	must("enable object-map", img.UpdateFeatures(rbd.FeatureObjectMap, true))
	must("disable object-map", img.UpdateFeatures(rbd.FeatureObjectMap, false))
	must("close", img.Close())
	must("rename", rbd.GetImage(io, child).Rename(final))

	l.rbd(t, "mirror", "image", "enable", final, "journal")
	l.rbd(t, "mirror", "image", "demote", final)
	l.rbd(t, "mirror", "image", "promote", final)
	// A write by the promoted primary, so the last tag has entries too.
	l.rbd(t, "bench", "--io-type", "write", "--io-size", "4K", "--io-total", "8K", final)
	must("refresh", j.Refresh(ctx))
	return final, j
}

// TestEveryEventExportsAsRBD is the acceptance test: every event type,
// rbdtui's export byte-identical to rbd's, --decode naming each event, and
// inspect --verbose printing what rbd prints.
func TestEveryEventExportsAsRBD(t *testing.T) {
	l := newLab(t)
	name, j := allEventsImage(t, l)
	ctx := context.Background()

	want := l.rbdExport(t, j.Spec.ID)
	var got bytes.Buffer
	if _, err := j.Export(ctx, &got, journal.ExportOptions{}); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Bytes(), want) {
		t.Fatalf("export of %s differs from rbd's:\nours %d bytes, rbd %d bytes\nours:\n%.3000s\nrbd:\n%.3000s", name, got.Len(), len(want), got.String(), want)
	}

	var dec bytes.Buffer
	if _, err := j.Export(ctx, &dec, journal.ExportOptions{Decode: true}); err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	sc := bufio.NewScanner(&dec)
	sc.Buffer(nil, 1<<20)
	var mirrorUUIDs []string
	for sc.Scan() {
		var d struct {
			Type          int            `json:"tag_id"`
			TagMirrorUUID string         `json:"tag_mirror_uuid"`
			Event         map[string]any `json:"event"`
		}
		if err := json.Unmarshal(sc.Bytes(), &d); err != nil {
			t.Fatal(err)
		}
		seen[d.Event["event_type"].(string)]++
		mirrorUUIDs = append(mirrorUUIDs, d.TagMirrorUUID)
		if d.Event["event_type"] == "SnapRename" && (d.Event["src_snap_name"] != "s1" || d.Event["dest_snap_name"] != "s2") {
			t.Errorf("SnapRename decoded as %v", d.Event)
		}
		if d.Event["event_type"] == "Resize" && d.Event["size"] != float64(128<<20) {
			t.Errorf("Resize decoded as %v", d.Event)
		}
		if d.Event["event_type"] == "Rename" && !strings.HasSuffix(d.Event["image_name"].(string), "-renamed") {
			t.Errorf("Rename decoded as %v", d.Event)
		}
	}
	wantTypes := []string{"AioWrite", "AioDiscard", "AioWriteSame", "AioCompareAndWrite", "AioFlush", "OpFinish",
		"SnapCreate", "SnapRename", "SnapProtect", "SnapUnprotect", "SnapRollback", "SnapRemove", "SnapLimit",
		"Resize", "Rename", "Flatten", "MetadataSet", "MetadataRemove", "UpdateFeatures", "Demote/Promote"}
	for _, w := range wantTypes {
		if seen[w] == 0 {
			t.Errorf("no %s event decoded; saw %v", w, seen)
		}
	}
	if !contains(mirrorUUIDs, journal.OrphanMirrorUUID) {
		t.Errorf("no entry in a demoted (<orphan>) tag")
	}
	var names []string
	for k, v := range seen {
		names = append(names, fmt.Sprintf("%s=%d", k, v))
	}
	sort.Strings(names)
	t.Logf("%d bytes identical; events: %s", len(want), strings.Join(names, " "))

	// inspect --verbose: rbd's text up to the summary, then our findings.
	rbdOut := l.rbd(t, "journal", "inspect", "--verbose", "--journal", j.Spec.ID)
	code, ours, errOut := runCLI(t, l, "journal", "inspect", "--verbose", "--journal", j.Spec.ID)
	if code != 0 {
		t.Fatalf("inspect exit %d: %s", code, errOut)
	}
	if !strings.HasPrefix(ours, rbdOut) {
		t.Errorf("inspect --verbose differs from rbd's at:\n%s", firstDiff(ours, rbdOut))
	}
	if os.Getenv("RBDTUI_CAPTURE_TESTDATA") != "" {
		captureTestdata(t, l, j, want)
	}
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

func firstDiff(a, b string) string {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	lo := i - 200
	if lo < 0 {
		lo = 0
	}
	return "ours: " + a[lo:min(i+200, len(a))] + "\n---\nrbd: " + b[lo:min(i+200, len(b))]
}
