package main

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
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

// TestInspectorOnLab opens the journal inspector (the real console over
// the real backend) on a journal-mirrored image with a client that never
// commits, so entries accumulate behind it as behind a stopped peer; walks
// the steps; then damages one object of a copy's journal and sees the
// finding while the inspector keeps working.
func TestInspectorOnLab(t *testing.T) {
	st := labtest.Require(t)
	cfg := labtest.Config(t, st)
	a := st.Site(lab.SiteA)
	lipgloss.SetColorProfile(termenv.Ascii)

	name := fmt.Sprintf("inspect-lab-%d", time.Now().UnixNano()%1_000_000_000)
	spec := "rbd/" + name
	rbdAdmin(t, a, "create", "--size", "64M", "--image-feature", "layering,exclusive-lock,journaling", spec)
	t.Cleanup(func() {
		for _, args := range [][]string{{"mirror", "image", "disable", "--force", spec}, {"rm", "--no-progress", spec}} {
			_ = exec.Command("rbd", append([]string{"-c", a.Conf, "--id", "admin"}, args...)...).Run()
		}
	})
	rbdAdmin(t, a, "mirror", "image", "enable", spec, "journal")

	m := site.NewManager(cfg)
	t.Cleanup(m.Close)
	real := backend.New(m, cli.New("test"))
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	// Wait for site-b's rbd-mirror to register on the journal, then stop
	// it (by the PID the lab recorded) so its client falls behind.
	deadline := time.Now().Add(2 * time.Minute)
	for {
		sess, err := real.OpenJournal(ctx, "site-a", model.ImageSpec{Pool: "rbd", Image: name})
		peer := false
		if err == nil {
			for _, c := range sess.Header().Clients {
				peer = peer || strings.HasPrefix(c.Description, "Mirror Peer")
			}
		}
		if peer {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("site-b's rbd-mirror never registered on %s's journal (last error %v)", spec, err)
		}
		time.Sleep(time.Second)
	}
	// A client that never commits holds the entries back from trimming,
	// as a stopped peer would, without pausing the lab's rbd-mirror (a
	// daemon paused and resumed under the other tests can leave a
	// replayer stuck, and a later failover of the pool with it).
	c0, err := m.Site(lab.SiteA)
	if err != nil {
		t.Fatal(err)
	}
	js0, err := journal.SpecOfImage(ctx, c0, model.ImageSpec{Pool: "rbd", Image: name})
	if err != nil {
		t.Fatal(err)
	}
	j0, err := journal.Open(ctx, c0, js0)
	if err != nil {
		t.Fatal(err)
	}
	if err := j0.RegisterClient(ctx, "pin", journal.EncodeCLIClientMeta()); err != nil {
		t.Fatal(err)
	}
	rbdAdmin(t, a, "bench", "--io-type", "write", "--io-size", "4K", "--io-total", "512K", "--io-threads", "1", spec)

	open := func(image string) (*teatest.TestModel, func(string)) {
		app := ui.New(ui.Common{Backend: real, Timeout: 12 * time.Second, Start: []string{"inspect", "rbd/" + image}})
		tm := teatest.NewTestModel(t, app, teatest.WithInitialTermSize(160, 48))
		t.Cleanup(func() { _ = tm.Quit() })
		return tm, func(s string) {
			t.Helper()
			teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte(s)) },
				teatest.WithDuration(60*time.Second), teatest.WithCheckInterval(50*time.Millisecond))
		}
	}
	key := func(tm *teatest.TestModel, k tea.KeyType) { tm.Send(tea.KeyMsg{Type: k}) }
	runes := func(tm *teatest.TestModel, s string) { tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s)}) }

	tm, wait := open(name)
	// One wait: a fast scan lands in the first frame with the header.
	wait("entries in")
	key(tm, tea.KeyTab)
	wait("Mirror Peer")
	key(tm, tea.KeyTab)
	wait("Read ")
	key(tm, tea.KeyTab)
	wait("AioWrite")
	key(tm, tea.KeyEnter)
	wait("Decoded event")
	tm.Send(tea.QuitMsg{})
	v := tm.FinalModel(t, teatest.WithFinalTimeout(10*time.Second)).View()
	for _, want := range []string{"[ 4 Entries ]", "Decoded event", "inspect rbd/" + name + " on site-a", "event_type    SnapCreate", "Type: every type", "AioWrite            4173"} {
		if !strings.Contains(v, want) {
			t.Errorf("entries step lacks %q:\n%s", want, v)
		}
	}
	// The pinned client's lag, as the engine measures it, is what step 2 shows.
	sess, err := real.OpenJournal(ctx, "site-a", model.ImageSpec{Pool: "rbd", Image: name})
	if err != nil {
		t.Fatal(err)
	}
	scan, err := sess.Scan(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	behind := 0
	for _, l := range scan.Lags {
		behind = max(behind, l.LagEntries)
	}
	for _, f := range scan.Findings {
		t.Errorf("finding on the healthy journal: %+v", f)
	}
	if behind < 128 || len(scan.Entries) < 128 {
		t.Fatalf("the pinned client is %d entries behind of %d: entries did not accumulate", behind, len(scan.Entries))
	}

	// A corrupted copy: a plain journaled image pinned by a client, one
	// byte of its object 1 flipped.
	copyName := name + "-copy"
	copySpec := "rbd/" + copyName
	rbdAdmin(t, a, "create", "--size", "64M", "--image-feature", "layering,exclusive-lock,journaling", copySpec)
	t.Cleanup(func() { _ = exec.Command("rbd", "-c", a.Conf, "--id", "admin", "rm", "--no-progress", copySpec).Run() })
	c, err := m.Site(lab.SiteA)
	if err != nil {
		t.Fatal(err)
	}
	jspec, err := journal.SpecOfImage(ctx, c, model.ImageSpec{Pool: "rbd", Image: copyName})
	if err != nil {
		t.Fatal(err)
	}
	j, err := journal.Open(ctx, c, jspec)
	if err != nil {
		t.Fatal(err)
	}
	if err := j.RegisterClient(ctx, "pin", journal.EncodeCLIClientMeta()); err != nil {
		t.Fatal(err)
	}
	rbdAdmin(t, a, "bench", "--io-type", "write", "--io-size", "4K", "--io-total", "128K", "--io-threads", "1", copySpec)
	conn, err := a.AdminConn()
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Shutdown()
	io, err := conn.OpenIOContext("rbd")
	if err != nil {
		t.Fatal(err)
	}
	defer io.Destroy()
	buf := make([]byte, 1<<20)
	n, err := io.Read(j.DataOID(1), buf, 0)
	if err != nil || n < 200 {
		t.Fatalf("read %s: %d bytes, %v", j.DataOID(1), n, err)
	}
	data := bytes.Clone(buf[:n])
	es, _ := journal.ParseObject(data)
	second := es[1]
	data[second.Offset+100] ^= 0x5a
	if err := io.WriteFull(j.DataOID(1), data); err != nil {
		t.Fatal(err)
	}

	tm2, wait2 := open(copyName)
	wait2("entries in")
	key(tm2, tea.KeyTab)
	key(tm2, tea.KeyTab)
	wait2("crc-mismatch")
	key(tm2, tea.KeyTab)
	wait2("unreached")
	runes(tm2, "G")
	key(tm2, tea.KeyEnter)
	wait2("Decoded event")
	tm2.Send(tea.QuitMsg{})
	v2 := tm2.FinalModel(t, teatest.WithFinalTimeout(10*time.Second)).View()
	for _, want := range []string{"[ 4 Entries ]", "▲ replay stops early", "(the replay does not reach it)", "event_type"} {
		if !strings.Contains(v2, want) {
			t.Errorf("corrupt copy: entries step lacks %q:\n%s", want, v2)
		}
	}
	t.Logf("pinned client %d entries behind of %d; corrupt copy finding at %s offset %d", behind, len(scan.Entries), j.DataOID(1), second.Offset)
}
