package journal_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/ceph/go-ceph/rados"
	"github.com/rbdtui/rbdtui/internal/journal"
	"github.com/rbdtui/rbdtui/internal/lab"
	"github.com/rbdtui/rbdtui/internal/labtest"
)

// The benchmarks compare rbdtui with the rbd CLI on one big journal (at
// least 100 MB and 25,000 entries) built once per run by librbd itself:
// 4 KiB random writes by `rbd bench` on an image whose journal is pinned
// by a client with an empty commit position, so nothing is trimmed. Each
// benchmark reports the seconds of each side, rbd's time over ours, and
// ours over the floor: a parallel librados read of the same objects into
// memory. `make bench` runs them with -benchtime 1x.

const (
	benchEntries = 25_600 // 100 MiB of 4 KiB writes
	benchImage   = "rbdtui-bench-journal"
)

var bench struct {
	once sync.Once
	l    *labEnv
	j    *journal.Journal
	err  error
	// stats of the journal built
	objects []string
	sizes   []int
}

// benchJournal builds the journal once; TestMain removes the image.
func benchJournal(b *testing.B) (*labEnv, *journal.Journal) {
	st, err := lab.Load(labtest.Dir())
	if err != nil || !st.Running() {
		b.Skipf("no running lab (%v); benchmarks need one (make bench starts it)", err)
	}
	bench.once.Do(func() {
		l := newLabNoCleanup(b, st)
		bench.l = l
		l.rbdErr("rm", benchImage)
		if out, err := l.rbdErr("create", "--size", "1G", "--image-feature", "layering,exclusive-lock,journaling", benchImage); err != nil {
			bench.err = fmt.Errorf("create: %v %s", err, out)
			return
		}
		ctx := context.Background()
		spec, err := journal.SpecOfImage(ctx, l.a, modelSpec(benchImage))
		if err == nil {
			bench.j, err = journal.Open(ctx, l.a, spec)
		}
		if err == nil {
			err = bench.j.RegisterClient(ctx, "pin", nil)
		}
		if err != nil {
			bench.err = err
			return
		}
		start := time.Now()
		if out, err := l.rbdErr("bench", "--io-type", "write", "--io-size", "4K", "--io-total", fmt.Sprint(benchEntries*4096),
			"--io-threads", "16", "--io-pattern", "rand", benchImage); err != nil {
			bench.err = fmt.Errorf("rbd bench: %v %s", err, out)
			return
		}
		if err := bench.j.Refresh(ctx); err != nil {
			bench.err = err
			return
		}
		h := bench.j.Header
		io := adminIOConn(b, st)
		for _, n := range h.Objects(h.MinimumSet, h.ActiveSet) {
			oid := bench.j.DataOID(n)
			if s, err := io.Stat(oid); err == nil {
				bench.objects = append(bench.objects, oid)
				bench.sizes = append(bench.sizes, int(s.Size))
			}
		}
		total := 0
		for _, s := range bench.sizes {
			total += s
		}
		fmt.Fprintf(os.Stderr, "bench journal: %d objects, %.1f MiB, built in %.1fs\n", len(bench.objects), float64(total)/(1<<20), time.Since(start).Seconds())
	})
	if bench.err != nil {
		b.Fatal(bench.err)
	}
	return bench.l, bench.j
}

var adminConns struct {
	sync.Mutex
	io   *rados.IOContext
	conn *rados.Conn
}

func adminIOConn(tb testing.TB, st *lab.State) *rados.IOContext {
	adminConns.Lock()
	defer adminConns.Unlock()
	if adminConns.io == nil {
		conn, err := st.Site(lab.SiteA).AdminConn()
		if err != nil {
			tb.Fatal(err)
		}
		io, err := conn.OpenIOContext("rbd")
		if err != nil {
			tb.Fatal(err)
		}
		adminConns.conn, adminConns.io = conn, io
	}
	return adminConns.io
}

func TestMain(m *testing.M) {
	code := m.Run()
	if bench.l != nil {
		bench.l.rbdErr("rm", benchImage)
	}
	if adminConns.conn != nil {
		adminConns.io.Destroy()
		adminConns.conn.Shutdown()
	}
	os.Exit(code)
}

// floor reads every object of the journal in parallel into memory.
func floor(b *testing.B, io *rados.IOContext) time.Duration {
	start := time.Now()
	var wg sync.WaitGroup
	errs := make([]error, len(bench.objects))
	for i, oid := range bench.objects {
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := make([]byte, bench.sizes[i])
			_, errs[i] = io.Read(oid, buf, 0)
		}()
	}
	wg.Wait()
	d := time.Since(start)
	for _, err := range errs {
		if err != nil {
			b.Fatal(err)
		}
	}
	return d
}

func timed(fn func()) time.Duration {
	start := time.Now()
	fn()
	return time.Since(start)
}

// best runs fn reps times and returns the shortest run: the lab shares two
// CPUs between the OSDs and the clients, so single runs are noisy, and a
// first run in a process also pays for page faults on fresh heap.
func best(reps int, fn func()) time.Duration { return bestAfter(reps, func() {}, fn) }

// bestAfter is best with an untimed setup before each run.
func bestAfter(reps int, setup, fn func()) time.Duration {
	var m time.Duration
	for i := 0; i < reps; i++ {
		setup()
		if d := timed(fn); i == 0 || d < m {
			m = d
		}
	}
	return m
}

const reps = 5

// report prints the comparison: seconds of each, rbd over rbdtui, rbdtui
// over the floor (both with and without the CLI's connection set-up, which
// `rbdtui journal info` measures).
func report(b *testing.B, tRBD, tOurs, tEngine, tFloor, tStart time.Duration) {
	b.ReportMetric(tRBD.Seconds(), "rbd-s")
	b.ReportMetric(tOurs.Seconds(), "rbdtui-s")
	b.ReportMetric(tEngine.Seconds(), "engine-s")
	b.ReportMetric(tFloor.Seconds(), "floor-s")
	b.ReportMetric(tStart.Seconds(), "cli-startup-s")
	b.ReportMetric(tRBD.Seconds()/tOurs.Seconds(), "rbd/rbdtui")
	b.ReportMetric(tOurs.Seconds()/(tFloor+tStart).Seconds(), "rbdtui/(floor+startup)")
	b.ReportMetric(tEngine.Seconds()/tFloor.Seconds(), "engine/floor")
}

// BenchmarkJournalExport: rbd journal export vs rbdtui journal export (the
// CLI, in process, connecting as the console user) vs the engine on an
// open connection (the console's path) vs the floor, with byte-identical
// output checked.
func BenchmarkJournalExport(b *testing.B) {
	l, j := benchJournal(b)
	io := adminIOConn(b, l.st)
	dir := b.TempDir()
	ctx := context.Background()
	for i := 0; i < b.N; i++ {
		rbdFile := filepath.Join(dir, "rbd")
		ourFile := filepath.Join(dir, "ours")
		tRBD := bestAfter(reps, func() { os.Remove(rbdFile) }, func() {
			l.rbd(b, "journal", "export", "--journal", j.Spec.ID, rbdFile)
		})
		tOurs := bestAfter(reps, func() { os.Remove(ourFile) }, func() {
			if code, _, errOut := runCLI(b, l, "journal", "export", "--journal", j.Spec.ID, ourFile); code != 0 {
				b.Fatalf("rbdtui export: %d %s", code, errOut)
			}
		})
		tEngine := bestAfter(reps, func() { os.Remove(filepath.Join(dir, "engine")) }, func() {
			f, err := os.Create(filepath.Join(dir, "engine"))
			if err != nil {
				b.Fatal(err)
			}
			if _, err := j.Export(ctx, f, journal.ExportOptions{}); err != nil {
				b.Fatal(err)
			}
			f.Close()
		})
		tStart := best(reps, func() { runCLI(b, l, "journal", "info", "--journal", j.Spec.ID) })
		tFloor := best(reps, func() { floor(b, io) })
		want, _ := os.ReadFile(rbdFile)
		got, _ := os.ReadFile(ourFile)
		eng, _ := os.ReadFile(filepath.Join(dir, "engine"))
		if !bytes.Equal(want, got) || !bytes.Equal(want, eng) {
			b.Fatalf("exports differ: rbd %d bytes, rbdtui %d bytes, engine %d bytes", len(want), len(got), len(eng))
		}
		entries := bytes.Count(got, []byte("\n")) - 1
		if entries < 25_000 || len(got) < 100<<20 {
			b.Logf("warning: journal smaller than the target (%d entries, %d bytes exported)", entries, len(got))
		}
		report(b, tRBD, tOurs, tEngine, tFloor, tStart)
		b.ReportMetric(float64(entries), "entries")
		b.ReportMetric(float64(len(got))/(1<<20), "export-MiB")
	}
}

// BenchmarkJournalInspect: rbd journal inspect vs rbdtui journal inspect
// (which also checks every object's structure) vs the floor.
func BenchmarkJournalInspect(b *testing.B) {
	l, j := benchJournal(b)
	io := adminIOConn(b, l.st)
	ctx := context.Background()
	for i := 0; i < b.N; i++ {
		var rbdOut, out string
		tRBD := best(reps, func() { rbdOut = l.rbd(b, "journal", "inspect", "--journal", j.Spec.ID) })
		tOurs := best(reps, func() {
			var code int
			var errOut string
			if code, out, errOut = runCLI(b, l, "journal", "inspect", "--journal", j.Spec.ID); code != 0 {
				b.Fatalf("rbdtui inspect: %d %s %s", code, out, errOut)
			}
		})
		if !bytes.HasPrefix([]byte(out), []byte(rbdOut)) {
			b.Fatalf("inspect summaries differ:\nrbd: %s\nours: %s", rbdOut, out)
		}
		tEngine := best(reps, func() {
			if _, err := j.Scan(ctx, journal.ScanOptions{}); err != nil {
				b.Fatal(err)
			}
		})
		tStart := best(reps, func() { runCLI(b, l, "journal", "info", "--journal", j.Spec.ID) })
		tFloor := best(reps, func() { floor(b, io) })
		report(b, tRBD, tOurs, tEngine, tFloor, tStart)
	}
}

// BenchmarkJournalIndex: the inspector's entry index over the same
// journal, objects already read (the console keeps them).
func BenchmarkJournalIndex(b *testing.B) {
	_, j := benchJournal(b)
	objs, err := j.LoadAll(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	var n int
	for i := 0; i < b.N; i++ {
		n = len(journal.IndexObjects(j.Header, objs).Entries)
	}
	b.ReportMetric(float64(n), "entries")
}
