package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/exp/teatest"
	"github.com/muesli/termenv"

	"github.com/rbdtui/rbdtui/internal/backend"
	"github.com/rbdtui/rbdtui/internal/cli"
	"github.com/rbdtui/rbdtui/internal/journal"
	"github.com/rbdtui/rbdtui/internal/lab"
	"github.com/rbdtui/rbdtui/internal/labtest"
	"github.com/rbdtui/rbdtui/internal/site"
	"github.com/rbdtui/rbdtui/model"
	"github.com/rbdtui/rbdtui/ui"
)

// BenchmarkInspectorLab100k builds a journal of 100,000 entries on the lab
// (512-byte writes by rbd bench on an image whose journal a client pins)
// and reports what an operator waits for: the first screen (the header),
// the scan of every object, both through the real backend and as the
// console draws them. The per-keystroke cost of the entry list is
// ui's BenchmarkInspectorKeys100k. No timing is asserted.
func BenchmarkInspectorLab100k(b *testing.B) {
	st, err := lab.Load(labtest.Dir())
	if err != nil || !st.Running() {
		b.Skipf("no running lab (%v)", err)
	}
	lipgloss.SetColorProfile(termenv.Ascii)
	a := st.Site(lab.SiteA)
	name := fmt.Sprintf("inspect-bench-%d", time.Now().UnixNano()%1_000_000)
	rbd := func(args ...string) {
		out, err := exec.Command("rbd", append([]string{"-c", a.Conf, "--id", "admin"}, args...)...).CombinedOutput()
		if err != nil {
			b.Fatalf("rbd %v: %v %s", args, err, out)
		}
	}
	rbd("create", "--size", "256M", "--image-feature", "layering,exclusive-lock,journaling", "rbd/"+name)
	b.Cleanup(func() {
		_ = exec.Command("rbd", "-c", a.Conf, "--id", "admin", "rm", "--no-progress", "rbd/"+name).Run()
	})
	m := site.NewManager(labtest.Config(b, st))
	b.Cleanup(m.Close)
	ctx := context.Background()
	c, err := m.Site(lab.SiteA)
	if err != nil {
		b.Fatal(err)
	}
	spec, err := journal.SpecOfImage(ctx, c, model.ImageSpec{Pool: "rbd", Image: name})
	if err != nil {
		b.Fatal(err)
	}
	j, err := journal.Open(ctx, c, spec)
	if err != nil {
		b.Fatal(err)
	}
	if err := j.RegisterClient(ctx, "pin", journal.EncodeCLIClientMeta()); err != nil {
		b.Fatal(err)
	}
	const entries = 100_000
	start := time.Now()
	rbd("bench", "--io-type", "write", "--io-size", "512", "--io-total", fmt.Sprint(entries*512), "--io-threads", "16", "--io-pattern", "rand", "rbd/"+name)
	fmt.Fprintf(os.Stderr, "built the journal of %s in %.1fs\n", name, time.Since(start).Seconds())

	real := backend.New(m, cli.New("bench"))
	img := model.ImageSpec{Pool: "rbd", Image: name}
	b.ResetTimer()
	for b.Loop() {
		t0 := time.Now()
		sess, err := real.OpenJournal(ctx, "site-a", img)
		if err != nil {
			b.Fatal(err)
		}
		opened := time.Since(t0)
		t1 := time.Now()
		scan, err := sess.Scan(ctx, nil)
		if err != nil {
			b.Fatal(err)
		}
		scanned := time.Since(t1)
		t2 := time.Now()
		_, err = sess.Entry(ctx, len(scan.Entries)-1)
		decoded := time.Since(t2)
		if err != nil {
			b.Fatal(err)
		}

		// The console: from start to the header drawn, then to the scan
		// landed on screen.
		t3 := time.Now()
		app := ui.New(ui.Common{Backend: real, Timeout: 30 * time.Second, Start: []string{"inspect", "rbd/" + name}})
		tm := teatest.NewTestModel(b, app, teatest.WithInitialTermSize(160, 48))
		var firstScreen time.Duration
		teatest.WaitFor(b, tm.Output(), func(bs []byte) bool {
			if firstScreen == 0 && bytes.Contains(bs, []byte("(order ")) {
				firstScreen = time.Since(t3)
			}
			return bytes.Contains(bs, []byte("entries in"))
		}, teatest.WithDuration(5*time.Minute), teatest.WithCheckInterval(5*time.Millisecond))
		onScreen := time.Since(t3)
		_ = tm.Quit()
		fmt.Fprintf(os.Stderr, "journal of %d entries (%d objects, %.1f MiB), %d findings\n", len(scan.Entries), scan.Objects, float64(scan.Bytes)/(1<<20), len(scan.Findings))
		fmt.Fprintf(os.Stderr, "backend: open (header) %v, scan %v, decode one entry %v\n", opened.Round(time.Millisecond), scanned.Round(time.Millisecond), decoded.Round(time.Microsecond))
		fmt.Fprintf(os.Stderr, "console: first screen (header) %v, scan landed on screen %v\n", firstScreen.Round(time.Millisecond), onScreen.Round(time.Millisecond))
		b.ReportMetric(firstScreen.Seconds(), "first-screen-s")
		b.ReportMetric(onScreen.Seconds(), "scanned-on-screen-s")
		b.ReportMetric(scanned.Seconds(), "scan-s")
	}
}
