package ui

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/rbdtui/rbdtui/model"
	"github.com/rbdtui/rbdtui/ui/uitest"
)

// inspectHeader is site-a/rbd/vol1's journal as the inspector opens it:
// the image, a mirror peer far behind, and a disconnected old peer.
func inspectHeader() model.JournalHeader {
	return model.JournalHeader{Site: "site-a", Pool: "rbd", Image: "vol1", ID: "1a2b3c", Spec: "rbd/1a2b3c",
		Order: 24, ObjectSize: 16 << 20, SplayWidth: 4, DataPool: "rbd", MinimumSet: 3, ActiveSet: 5, NextTagTID: 3,
		HeaderObject: "journal.1a2b3c", ObjectPrefix: "journal_data.2.1a2b3c.",
		Clients: []model.JournalClientInfo{
			{ID: "", Description: "Master Image", Commit: []model.Position{{ObjectNumber: 21, TagTID: 2, EntryTID: 1830}}},
			{ID: "b7c1e2", Description: "Mirror Peer (replaying)", Commit: []model.Position{{ObjectNumber: 12, TagTID: 2, EntryTID: 40}}},
			{ID: "9f00aa", Description: "Mirror Peer (replaying)", Disconnected: true, Commit: []model.Position{{ObjectNumber: 4, TagTID: 1, EntryTID: 7}}},
		}}
}

// inspectScan is a small scan of that journal: 40 entries of three types.
func inspectScan() *model.JournalScan {
	sc := &model.JournalScan{Objects: 12, Bytes: 23_400, Findings: []model.JournalFinding{},
		Types: []string{"AioWrite", "AioFlush", "OpFinish"},
		Lags: []model.JournalClientLag{
			{ID: "", LagEntries: 0, CommitSet: 5},
			{ID: "b7c1e2", LagEntries: 31, LagBytes: 17_825, CommitSet: 3, PinnedObjects: 8, PinnedBytes: 15_600},
			{ID: "9f00aa", LagEntries: 40, LagBytes: 23_400, CommitSet: 1},
		}}
	for i := range 40 {
		t, size := "AioWrite", uint32(575)
		if i%8 == 7 {
			t, size = "AioFlush", 47
		}
		if i == 20 {
			t, size = "OpFinish", 63
		}
		sc.Entries = append(sc.Entries, model.JournalEntry{CommitTID: uint64(i + 1), Tag: 2, TID: uint64(1790 + i),
			Object: 12 + uint64(i%4) + uint64(i/16)*4, Offset: uint32(i / 4 * 575), Size: size, Type: t})
	}
	return sc
}

// corruptScan is the same journal with a CRC mismatch in object 13: the
// replay stops there and the entries after it are listed unreached.
func corruptScan() *model.JournalScan {
	sc := inspectScan()
	sc.Findings = []model.JournalFinding{
		{Severity: "error", Kind: "crc-mismatch", Object: "journal_data.2.1a2b3c.13", Offset: 1150, TagTID: 2, EntryTID: 1799, HasEntry: true,
			Message: "entry CRC is 0x1c2d3e4f, the bytes give 0x9a8b7c6d"},
		{Severity: "error", Kind: "replay-stops", Object: "journal_data.2.1a2b3c.13", Offset: 1150, TagTID: 2, EntryTID: 1799, HasEntry: true,
			Message: "rbd's replay stops here: corrupt journal entry in object 13 (rbd: (74) Bad message)"},
		{Severity: "warning", Kind: "commit-position-outside", Object: "journal_data.2.1a2b3c.4", Client: "9f00aa", TagTID: 1, EntryTID: 7, HasEntry: true,
			Message: "commit position is in set 1, below the minimum set 3 (already trimmed)"},
	}
	sc.Stopped = "corrupt journal entry in object 13 (rbd: (74) Bad message)"
	for i := 9; i < len(sc.Entries); i++ {
		sc.Entries[i].CommitTID = 0
	}
	return sc
}

func inspectLab(scan *model.JournalScan) *uitest.Fixture {
	f := fullLab()
	f.SetInspectJournal(uitest.InspectJournal{Header: inspectHeader(), Scan: scan,
		Details: map[int]model.JournalEntryDetail{0: {Entry: scan.Entries[0], Object: "journal_data.2.1a2b3c.12", TagOwner: "local",
			Fields: []model.EventField{{Name: "event_type", Value: "AioWrite"}, {Name: "type", Value: "1"}, {Name: "offset", Value: "4096"},
				{Name: "length", Value: "512"}, {Name: "data_length", Value: "512"}, {Name: "timestamp", Value: "2025-03-14T09:29:58.123456+0000"}, {Name: "version", Value: "5"}}}},
		Imports:   map[string]model.ImportCheck{"/tmp/vol1.journal": {Entries: 40, Tags: []uint64{2}, Bytes: 31_000, JournalID: "1a2b3c"}},
		ImportErr: map[string]error{"/tmp/bad.journal": errors.New("/tmp/bad.journal: line 3: record is not valid JSON: unexpected end of JSON input; nothing would be imported")},
	})
	return f
}

// openInspect opens the inspector with `:inspect rbd/vol1` and lets its
// open and scan land.
func openInspect(t *testing.T, f *uitest.Fixture, opts ...func(*Common)) *harness {
	t.Helper()
	h := newHarness(t, f, append([]func(*Common){withCommands}, opts...)...)
	h.init()
	h.press(":")
	h.typeText("inspect rbd/vol1")
	h.press("enter")
	if _, ok := h.a.topScreen().(*inspector); !ok {
		t.Fatalf("the inspector did not open: flash %q", h.a.flash.text)
	}
	return h
}

func ins(h *harness) *inspector { return h.a.topScreen().(*inspector) }

func TestInspectorWalksTheSteps(t *testing.T) {
	f := inspectLab(inspectScan())
	release := f.HoldScans()
	defer release()
	h := newHarness(t, f, withCommands, func(c *Common) { c.Width, c.Height = 160, 48 })
	h.init()
	// Drive the open by hand, so the held scan is seen in flight.
	_, open := h.a.Update(pushScreenMsg{newInspector(h.a.env(), "site-a", model.ImageSpec{Pool: "rbd", Image: "vol1"})})
	s := ins(h)
	h.wantView("Reading the journal header…")
	_, scan := h.a.Update(open())
	_, rest := h.a.Update(scan()) // the first progress event
	// Step 1 shows from the header while the scan runs.
	h.wantView("[ 1 Header ]", "The journal's layout", "16 MiB (order 24)", "4 objects written in parallel", "rbd (the image's pool)",
		"3 (oldest set kept", "5 (being appended to", "scanning… 1 of 12 objects")
	if !s.scanning {
		t.Fatal("the scan did not start with the inspector")
	}
	h.do(ActionInspectNext)
	h.wantView("[ 2 Clients ]", "Master Image", "✗ disconnected", "scanning… 1 of 12")
	h.do(ActionInspectNext)
	h.wantView("Reading every object", "1/12 objects", "█░")
	// The scan lands: lags, findings (none), entries.
	release()
	h.run(rest)
	if s.scanning || s.scan == nil {
		t.Fatalf("the scan did not land: scanning=%v err=%q", s.scanning, s.scanErr)
	}
	h.wantView("Read 12 objects (22.9 KiB) holding 40 entries", "✓ No structural findings: the journal is clean.")
	h.do(ActionInspectPrev)
	h.wantView("31 / 17.4 KiB", "8 objects, 15.2 KiB",
		`▲ client "b7c1e2" is 31 entries (17.4 KiB) behind; it holds back 8 objects (15.2 KiB)`,
		`✗ client "9f00aa" is disconnected: trimming ignores it`)
	h.do(ActionInspectNext)
	h.do(ActionInspectNext)
	h.wantView("[ 4 Entries ]", "entry 1 of 40", "1790", "AioWrite")
	h.do(ActionInspectNext)
	h.wantView("[ 5 Export/import ]", "$ rbd journal export rbd/1a2b3c <file>", "$ rbd journal import <file> rbd/1a2b3c")
	h.do(ActionInspectNext)
	h.wantView("[ 1 Header ]", "40 entries in 12 objects")
	h.do(ActionBack)
	if h.a.topScreen() != nil {
		t.Fatal("esc did not close the inspector")
	}
}

func TestInspectorOpensFromTheTreeAndTheShell(t *testing.T) {
	// J on the journal node.
	h := newHarness(t, inspectLab(inspectScan()), withCommands)
	h.init()
	h.press("j")
	h.do(ActionExpand)
	gotoRow(h, "site-a/rbd/vol1")
	h.do(ActionExpand)
	gotoRow(h, "site-a/rbd/vol1#journal")
	h.do(ActionInspect)
	if s, ok := h.a.topScreen().(*inspector); !ok || s.site != "site-a" || s.spec.Image != "vol1" || s.scan == nil {
		t.Fatalf("J on the journal node: top %T, flash %q", h.a.topScreen(), h.a.flash.text)
	}
	h.wantView("inspect rbd/vol1 on site-a")

	// `rbdtui inspect rbd/vol1` starts the console on it.
	h2 := newHarness(t, inspectLab(inspectScan()), withCommands, func(c *Common) { c.Start = []string{"inspect", "rbd/vol1"} })
	h2.init()
	if _, ok := h2.a.topScreen().(*inspector); !ok {
		t.Fatalf("Start did not open the inspector: flash %q", h2.a.flash.text)
	}
	// An image without a journal says so and the screen stays usable.
	h3 := newHarness(t, inspectLab(inspectScan()), withCommands, func(c *Common) { c.Start = []string{"inspect", "rbd/scratch"} })
	h3.init()
	h3.wantView("cannot open the journal: image rbd/scratch has no journal on site site-a", "esc goes back")
	h3.do(ActionBack)
	if h3.a.topScreen() != nil {
		t.Fatal("esc did not leave a failed inspector")
	}
	// A bad spec is refused with the reason, nothing opens.
	h4 := newHarness(t, inspectLab(inspectScan()), withCommands, func(c *Common) { c.Start = []string{"inspect", "rbd/a@b"} })
	h4.init()
	if h4.a.topScreen() != nil || !strings.Contains(h4.a.flash.text, "snapshot name is not allowed") {
		t.Fatalf("bad spec: top %T flash %q", h4.a.topScreen(), h4.a.flash.text)
	}
}

func TestInspectorCorruptJournalKeepsWorking(t *testing.T) {
	h := openInspect(t, inspectLab(corruptScan()), func(c *Common) { c.Width, c.Height = 160, 48 })
	h.do(ActionInspectNext)
	h.do(ActionInspectNext)
	h.wantView("✗ 3 finding(s), 2 of them errors:", "crc-mismatch", "journal_data.2.1a2b3c.13", "1150",
		"entry CRC is 0x1c2d3e4f, the bytes give 0x9a8b7c6d", "▲ warning", "commit-position-outside")
	h.wantNoView("journal is clean")
	// The cursor walks the findings; the selected one's message is whole.
	h.do(ActionDown)
	h.wantView("rbd's replay stops here: corrupt journal entry in object 13 (rbd: (74) Bad message)")
	// The entries are all listed, the unreached ones marked in words.
	h.do(ActionInspectNext)
	h.wantView("▲ replay stops early", "unreached   2     1799")
	h.do(ActionBottom)
	h.wantView("entry 40 of 40", "1829")
	h.do(ActionInspectDetail)
	h.wantView("Entry detail", "— (the replay does not reach it)", "journal_data.2.1a2b3c.")
	h.do(ActionTop)
	h.wantView("Commit tid    1", "local", "offset        4096", "timestamp     2025-03-14T09:29:58.123456+0000")
	h.do(ActionBack)
	h.wantNoView("Entry detail")
	if ins(h).step != stepEntries {
		t.Fatal("esc closing the detail left the entries")
	}
}

func TestInspectorScanFailureIsShown(t *testing.T) {
	f := fullLab()
	f.SetInspectJournal(uitest.InspectJournal{Header: inspectHeader(), ScanErr: errors.New("read journal_data.2.1a2b3c.13: rados_read: timed out")})
	h := openInspect(t, f)
	h.wantView("scan failed: read journal_data.2.1a2b3c.13")
	h.do(ActionInspectNext)
	h.do(ActionInspectNext)
	h.wantView("✗ the scan failed", "r scans again")
	h.do(ActionInspectFilter)
	h.wantView("no entries yet: the scan has not finished")
	n := f.Scans()
	h.do(ActionRefresh)
	if f.Scans() != n+1 {
		t.Fatalf("r did not scan again: %d scans", f.Scans())
	}
}

func TestInspectorFilterByType(t *testing.T) {
	h := openInspect(t, inspectLab(inspectScan()))
	s := ins(h)
	h.do(ActionInspectNext)
	h.do(ActionInspectNext)
	h.do(ActionInspectNext)
	h.press("j", "j", "j", "j", "j") // entry 6 (commit 6)
	h.do(ActionInspectFilter)        // AioWrite
	if s.step != stepEntries || s.rowCount() != 34 {
		t.Fatalf("AioWrite filter: %d rows", s.rowCount())
	}
	h.wantView("Type: AioWrite (t: next type of 3)", "(40 in all)")
	if got := s.scan.Entries[s.selected()].CommitTID; got != 6 {
		t.Fatalf("the cursor left its entry: commit %d", got)
	}
	h.do(ActionInspectFilter) // AioFlush
	h.wantView("Type: AioFlush", "entry 1 of 5")
	for _, i := range s.view {
		if s.scan.Entries[i].Type != "AioFlush" {
			t.Fatalf("AioFlush view holds a %s", s.scan.Entries[i].Type)
		}
	}
	h.wantNoView("AioWrite   ")
	h.do(ActionInspectFilter) // OpFinish
	h.wantView("Type: OpFinish", "entry 1 of 1", "1810")
	h.do(ActionInspectFilter) // every type again
	h.wantView("Type: every type", "of 40")
	h.do(ActionInspectFilter)
	h.do(ActionBack) // esc clears the filter first
	h.wantView("Type: every type")
	if h.a.topScreen() == nil {
		t.Fatal("esc with a filter closed the screen")
	}
	// The filter reuses its buffer: no allocation per keystroke once grown.
	allocs := testing.AllocsPerRun(20, func() { s.setFilter(1); s.setFilter(2) })
	if allocs > 0 {
		t.Errorf("cycling the type filter allocates %.0f times", allocs)
	}
}

func TestInspectorExportRunsAsAJob(t *testing.T) {
	f := inspectLab(inspectScan())
	f.SetProgress(model.Progress{Step: "export", Done: 1024})
	f.OnExec(func(argv []string) (model.ExecResult, error) {
		return model.ExecResult{Output: "31 entries processed, 0 errors"}, nil
	})
	h := openInspect(t, f)
	h.do(ActionInspectExport)
	h.wantView("[ 5 Export/import ]", "Export to file: [/tmp/vol1.journal")
	// Typing goes to the field, not to the keys ("q" does not quit).
	h.press("ctrl+u")
	h.typeText("/tmp/q.journal")
	if h.quit {
		t.Fatal("q in the file name quit")
	}
	h.press("enter")
	ex := f.Execs()
	want := []string{"journal", "export", "rbd/1a2b3c", "/tmp/q.journal", "--site", "site-a"}
	if len(ex) != 1 || !slices.Equal(ex[0].Argv, want) {
		t.Fatalf("execs %v, want %v", ex, want)
	}
	h.wantView("✓ export /tmp/q.journal done: 31 entries processed, 0 errors")
	h.do(ActionLog)
	h.do(ActionLog)
	found := false
	for _, e := range h.a.log {
		if e.rbd == "rbd journal export rbd/1a2b3c /tmp/q.journal" {
			found = true
		}
	}
	if !found {
		t.Fatalf("the command log lacks the rbd equivalent: %+v", h.a.log)
	}
	// tab switches to every retained entry: --from-start, shown before it runs.
	h.do(ActionInspectExport)
	h.wantView("From: entries after the least advanced client")
	h.press("tab")
	h.wantView("From: every retained entry (--from-start)")
	h.press("ctrl+u")
	h.typeText("/tmp/all.journal")
	h.press("enter")
	ex = f.Execs()
	want = []string{"journal", "export", "rbd/1a2b3c", "/tmp/all.journal", "--site", "site-a", "--from-start"}
	if len(ex) != 2 || !slices.Equal(ex[1].Argv, want) {
		t.Fatalf("execs %v, want %v last", ex, want)
	}
	// An empty name is refused, nothing runs.
	h.do(ActionInspectExport)
	h.press("ctrl+u", "enter")
	h.wantView("give the path of a file")
	if len(f.Execs()) != 2 {
		t.Fatal("an export without a file ran")
	}
	h.press("esc")
	if ins(h).form != nil {
		t.Fatal("esc did not cancel the form")
	}
}

func TestInspectorExportShowsProgress(t *testing.T) {
	h := openInspect(t, inspectLab(inspectScan()))
	s := ins(h)
	h.do(ActionInspectExport)
	h.press("enter")
	// As a running job sees it: a progress event for its id.
	s.jobRunning = true
	s.Update(jobProgressMsg{job: s.jobID, p: model.Progress{Step: "export", Done: 16}})
	h.wantView("Exporting to /tmp/vol1.journal… ", "16 of ~31 entries")
}

func TestInspectorImportIsCheckedThenAsks(t *testing.T) {
	f := inspectLab(inspectScan())
	h := openInspect(t, f)
	s := ins(h)
	// A bad file: the check names the problem, nothing is asked or run.
	h.do(ActionInspectImport)
	h.press("ctrl+u")
	h.typeText("/tmp/bad.journal")
	h.press("enter")
	h.wantView("line 3: record is not valid JSON", "would be imported")
	if s.form == nil || s.form.confirm || len(f.Execs()) != 0 {
		t.Fatal("a bad import file got to the confirmation")
	}
	// A good file: its contents, then Cancel is the default answer.
	h.press("ctrl+u")
	h.typeText("/tmp/vol1.journal")
	h.press("enter")
	h.wantView("/tmp/vol1.journal checked: 40 entries under tag(s) 2", "site-a$ rbd journal import /tmp/vol1.journal rbd/1a2b3c", "▶ Cancel ◀")
	h.press("enter")
	if len(f.Execs()) != 0 || s.form != nil {
		t.Fatal("enter on the default answer imported")
	}
	h.do(ActionInspectImport)
	h.press("enter", "y")
	want := []string{"journal", "import", "/tmp/vol1.journal", "rbd/1a2b3c", "--site", "site-a", "--yes"}
	if ex := f.Execs(); len(ex) != 1 || !slices.Equal(ex[0].Argv, want) {
		t.Fatalf("execs %v, want %v", ex, want)
	}
	// A finished import rescans the journal.
	if f.Scans() < 2 {
		t.Fatalf("the import was not followed by a scan: %d scans", f.Scans())
	}
}

func TestInspectorReadOnlyHasNoImport(t *testing.T) {
	h := openInspect(t, inspectLab(inspectScan()), func(c *Common) { c.ReadOnly = true })
	h.do(ActionInspectNext)
	h.do(ActionInspectNext)
	h.do(ActionInspectNext)
	h.do(ActionInspectNext)
	h.wantView("import is not offered in read-only mode")
	if _, ok := h.a.c.Keys.Lookup(ActionInspectImport); ok {
		t.Fatal("read-only mode kept the import key")
	}
	h.press("i")
	if ins(h).form != nil {
		t.Fatal("i opened the import form in read-only mode")
	}
}
