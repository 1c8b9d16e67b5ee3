package journal_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rbdtui/rbdtui/internal/cli"
	"github.com/rbdtui/rbdtui/internal/config"
	"github.com/rbdtui/rbdtui/internal/journal"
	"github.com/rbdtui/rbdtui/internal/lab"
	"github.com/rbdtui/rbdtui/internal/labtest"
	"github.com/rbdtui/rbdtui/internal/site"
	"github.com/rbdtui/rbdtui/model"
)

// labEnv is the lab as the journal tests use it: the console user's
// connection to site-a and the admin rbd CLI.
type labEnv struct {
	st   *lab.State
	a    *site.Conn
	conf string
}

func newLab(t testing.TB) *labEnv {
	t.Helper()
	st := labtest.Require(t)
	m := site.NewManager(labtest.Config(t, st))
	t.Cleanup(m.Close)
	c, err := m.Site(lab.SiteA)
	if err != nil {
		t.Fatal(err)
	}
	return &labEnv{st: st, a: c, conf: st.Site(lab.SiteA).Conf}
}

// newLabNoCleanup is newLab for state that outlives one test (the
// benchmarks' journal); its connections live until the process ends.
func newLabNoCleanup(t testing.TB, st *lab.State) *labEnv {
	cfg, err := config.Load(st.ConfigPath())
	if err != nil {
		t.Fatal(err)
	}
	c, err := site.NewManager(cfg).Site(lab.SiteA)
	if err != nil {
		t.Fatal(err)
	}
	return &labEnv{st: st, a: c, conf: st.Site(lab.SiteA).Conf}
}

// rbd runs the rbd CLI as admin on site-a.
func (l *labEnv) rbd(t testing.TB, args ...string) string {
	t.Helper()
	out, err := l.rbdErr(args...)
	if err != nil {
		t.Fatalf("rbd %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

func (l *labEnv) rbdErr(args ...string) (string, error) {
	return l.rbdTimeout(2*time.Minute, args...)
}

func (l *labEnv) rbdTimeout(d time.Duration, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	cmd := exec.CommandContext(ctx, "rbd", append([]string{"-c", l.conf}, args...)...)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	if err != nil {
		return o.String() + e.String(), err
	}
	return o.String(), nil
}

var imageSeq = time.Now().UnixNano() % 100000

// journaledImage creates an image with journaling (not mirrored) and pins
// its journal with a client whose commit position is empty, so rbd's
// export and inspect see every entry written afterwards. It returns the
// image name and journal id.
func (l *labEnv) journaledImage(t testing.TB, prefix string, extra ...string) (string, *journal.Journal) {
	t.Helper()
	imageSeq++
	name := fmt.Sprintf("%s-%d", prefix, imageSeq)
	l.rbd(t, append([]string{"create", "--size", "64M", "--image-feature", "layering,exclusive-lock,journaling", name}, extra...)...)
	t.Cleanup(func() {
		l.rbdErr("snap", "purge", name)
		l.rbdErr("rm", name)
	})
	id := strings.TrimSpace(l.rbd(t, "info", name, "--format", "json"))
	id = id[strings.Index(id, `"id":"`)+6:]
	id = id[:strings.IndexByte(id, '"')]
	ctx := context.Background()
	j, err := journal.Open(ctx, l.a, journal.Spec{Pool: "rbd", ID: id})
	if err != nil {
		t.Fatal(err)
	}
	if err := j.RegisterClient(ctx, "pin", journal.EncodeCLIClientMeta()); err != nil {
		t.Fatal(err)
	}
	if err := j.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	return name, j
}

// rbdExport runs `rbd journal export` into a file and returns its bytes.
func (l *labEnv) rbdExport(t testing.TB, id string) []byte {
	t.Helper()
	p := filepath.Join(t.TempDir(), "rbd.export")
	l.rbd(t, "journal", "export", "--journal", id, p)
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestExportMatchesRBDSmoke(t *testing.T) {
	l := newLab(t)
	name, j := l.journaledImage(t, "jsmoke")
	l.rbd(t, "bench", "--io-type", "write", "--io-size", "4K", "--io-total", "64K", name)
	ctx := context.Background()
	if err := j.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	var got bytes.Buffer
	res, err := j.Export(ctx, &got, journal.ExportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := l.rbdExport(t, j.Spec.ID)
	if !bytes.Equal(got.Bytes(), want) {
		t.Fatalf("export differs (%d entries):\nours:\n%.2000s\nrbd:\n%.2000s", res.Entries, got.String(), want)
	}
	t.Logf("%d entries, %d bytes identical", res.Entries, len(want))
}

func modelSpec(name string) model.ImageSpec { return model.ImageSpec{Pool: "rbd", Image: name} }

// runCLI runs rbdtui's CLI against the lab as the console user.
func runCLI(t testing.TB, l *labEnv, args ...string) (int, string, string) {
	t.Helper()
	var o, e bytes.Buffer
	code := cli.New("test").Run(append([]string{"--config", l.st.ConfigPath()}, args...), strings.NewReader(""), &o, &e, false)
	return code, o.String(), e.String()
}

// captureTestdata saves the journal's objects, its header's omap values
// and rbd's export of it as codec test vectors (RBDTUI_CAPTURE_TESTDATA=1).
func captureTestdata(t testing.TB, l *labEnv, j *journal.Journal, rbdExport []byte) {
	ioctx := adminIO(t, l)
	vals, err := ioctx.GetAllOmapValues(j.HeaderOID(), "", "", 1000)
	if err != nil {
		t.Fatal(err)
	}
	hexed := map[string]string{"journal_id": j.Spec.ID}
	for k, v := range vals {
		hexed["omap:"+k] = hex.EncodeToString(v)
	}
	hb, _ := json.MarshalIndent(hexed, "", "  ")
	os.WriteFile(filepath.Join("testdata", "events.header.json"), hb, 0o644)
	os.WriteFile(filepath.Join("testdata", "events.rbd-export"), rbdExport, 0o644)
	objs, err := j.LoadAll(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for n, o := range objs {
		if o.Exists {
			p := filepath.Join("testdata", fmt.Sprintf("events.%d.obj", n))
			if err := os.WriteFile(p, o.Data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	t.Logf("captured %d objects into testdata", len(objs))
}

// rbd's export starts where the least advanced client stands; with a
// disconnected client, or a client part-way through, both tools agree.
func TestExportStartsWhereRBDStarts(t *testing.T) {
	l := newLab(t)
	name, j := l.journaledImage(t, "jstart")
	l.rbd(t, "bench", "--io-type", "write", "--io-size", "4K", "--io-total", "96K", name)
	ctx := context.Background()
	compare := func(what string) int {
		t.Helper()
		if err := j.Refresh(ctx); err != nil {
			t.Fatal(err)
		}
		var got bytes.Buffer
		res, err := j.Export(ctx, &got, journal.ExportOptions{})
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if want := l.rbdExport(t, j.Spec.ID); !bytes.Equal(got.Bytes(), want) {
			t.Fatalf("%s: export differs from rbd's:\nours:\n%.600s\nrbd:\n%.600s", what, got.String(), want)
		}
		return res.Entries
	}
	all := compare("pinned at the start")
	entries, _, err := j.Entries(ctx, true)
	if err != nil || len(entries) != all {
		t.Fatalf("from start: %d entries, %v", len(entries), err)
	}
	// A commit position as librbd writes it: the newest committed entry
	// of each splay offset, most recent first.
	half := len(entries) / 2
	var pos []journal.ObjectPosition
	for k := half; k > half-int(j.Header.W()); k-- {
		e := entries[k]
		pos = append(pos, journal.ObjectPosition{ObjectNumber: e.Object, TagTID: e.TagTID, EntryTID: e.EntryTID})
	}
	if err := j.CommitClient(ctx, "pin", pos); err != nil {
		t.Fatal(err)
	}
	if n := compare("pin half-way"); n != all-half-1 {
		t.Errorf("half-way: %d entries of %d", n, all)
	}
	if err := j.CommitClient(ctx, "pin", nil); err != nil {
		t.Fatal(err)
	}
	if err := j.SetClientState(ctx, "pin", journal.ClientDisconnected); err != nil {
		t.Fatal(err)
	}
	n := compare("pin disconnected")
	t.Logf("%d entries from the start, %d with the empty pin disconnected", all, n)
	var buf bytes.Buffer
	res, err := j.Export(ctx, &buf, journal.ExportOptions{FromStart: true})
	if err != nil || res.Entries != all {
		t.Errorf("--from-start: %d entries, %v", res.Entries, err)
	}
}

// Cancelling an export (Ctrl-C) stops it with an error and leaves the
// connection usable: reads in flight are waited for, never abandoned.
func TestExportCancel(t *testing.T) {
	l := newLab(t)
	name, j := l.journaledImage(t, "jcancel")
	l.rbd(t, "bench", "--io-type", "write", "--io-size", "4K", "--io-total", "16M", "--io-threads", "16", name)
	if err := j.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, after := range []time.Duration{0, time.Millisecond, 5 * time.Millisecond, 20 * time.Millisecond} {
		ctx, cancel := context.WithTimeout(context.Background(), after)
		var buf bytes.Buffer
		_, err := j.Export(ctx, &buf, journal.ExportOptions{})
		cancel()
		if err == nil && after < 5*time.Millisecond {
			t.Errorf("export cancelled after %v succeeded", after)
		}
	}
	// The connection still works.
	var buf bytes.Buffer
	res, err := j.Export(context.Background(), &buf, journal.ExportOptions{})
	if err != nil || res.Entries < 4096 {
		t.Fatalf("export after cancellations: %d entries, %v", res.Entries, err)
	}
}

// A journal of many small object sets with an odd splay width: replay
// across set boundaries, reading a bounded window ahead.
func TestExportManySets(t *testing.T) {
	l := newLab(t)
	name, j := l.journaledImage(t, "jsets", "--journal-object-size", "16K", "--journal-splay-width", "3")
	l.rbd(t, "bench", "--io-type", "write", "--io-size", "4K", "--io-total", "1M", "--io-threads", "4", name)
	ctx := context.Background()
	if err := j.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if j.Header.SplayWidth != 3 || j.Header.Order != 14 || j.Header.ActiveSet < 10 {
		t.Fatalf("geometry: order %d splay %d active set %d", j.Header.Order, j.Header.SplayWidth, j.Header.ActiveSet)
	}
	var got bytes.Buffer
	res, err := j.Export(ctx, &got, journal.ExportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if want := l.rbdExport(t, j.Spec.ID); !bytes.Equal(got.Bytes(), want) {
		t.Fatalf("export differs from rbd's (%d entries, %d sets)", res.Entries, j.Header.ActiveSet+1)
	}
	code, out, errOut := runCLI(t, l, "journal", "inspect", "--journal", j.Spec.ID)
	if code != 0 || !strings.Contains(out, "No structural faults found") {
		t.Errorf("inspect: %d %s %s", code, out, errOut)
	}
	t.Logf("%d entries over %d sets identical", res.Entries, j.Header.ActiveSet-j.Header.MinimumSet+1)
}

// An export gives its read buffers back and the next export reads into
// them: a small journal exported after a big one must not show any of the
// big one's bytes (the reused buffers are not zeroed).
func TestExportReusesReadBuffers(t *testing.T) {
	l := newLab(t)
	bigName, big := l.journaledImage(t, "jbufbig")
	l.rbd(t, "bench", "--io-type", "write", "--io-size", "4K", "--io-total", "2M", "--io-pattern", "rand", bigName)
	smallName, small := l.journaledImage(t, "jbufsmall")
	l.rbd(t, "bench", "--io-type", "write", "--io-size", "4K", "--io-total", "32K", smallName)
	ctx := context.Background()
	for _, j := range []*journal.Journal{big, small} {
		if err := j.Refresh(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := big.Export(ctx, io.Discard, journal.ExportOptions{}); err != nil {
		t.Fatal(err)
	}
	if n := journal.CachedReadBuffers(); n == 0 {
		t.Fatal("the export gave no read buffer back")
	}
	want := l.rbdExport(t, small.Spec.ID)
	for i := 0; i < 2; i++ {
		var got bytes.Buffer
		if _, err := small.Export(ctx, &got, journal.ExportOptions{}); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Bytes(), want) {
			t.Fatalf("export %d of the small journal after the big one differs from rbd's (%d vs %d bytes)", i+1, got.Len(), len(want))
		}
	}
}
