package uitest

import (
	"context"
	"fmt"
	"strconv"
	"sync"

	"github.com/rbdtui/rbdtui/model"
)

var _ model.JournalBrowser = (*Fixture)(nil)

// InspectJournal is what the fixture's journal inspector shows for one
// image: the header OpenJournal returns and the result of Scan. Entry
// decodes from Details, or makes a detail from the indexed entry.
type InspectJournal struct {
	Header model.JournalHeader
	Scan   *model.JournalScan
	// ScanErr makes Scan fail.
	ScanErr error
	// Details by entry index; an entry without one decodes to its type
	// and position.
	Details map[int]model.JournalEntryDetail
	// Imports are what CheckImport answers per path; a path not listed
	// does not exist.
	Imports   map[string]model.ImportCheck
	ImportErr map[string]error
}

type inspectState struct {
	mu       sync.Mutex
	journals map[string]*InspectJournal // by site/pool/image
	scans    int
	// hold, when set, makes Scan wait after its first progress event
	// until release is closed.
	hold chan struct{}
}

func (f *Fixture) insp() *inspectState {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.inspect == nil {
		f.inspect = &inspectState{journals: map[string]*InspectJournal{}}
	}
	return f.inspect
}

// SetInspectJournal sets what the inspector finds for j.Header's image.
func (f *Fixture) SetInspectJournal(j InspectJournal) {
	st := f.insp()
	st.mu.Lock()
	defer st.mu.Unlock()
	h := j.Header
	st.journals[h.Site+"/"+h.Pool+"/"+h.Image] = &j
}

// HoldScans makes every Scan stop after its first progress event until the
// returned func is called, so a test can look at the scan in flight.
func (f *Fixture) HoldScans() (release func()) {
	st := f.insp()
	st.mu.Lock()
	defer st.mu.Unlock()
	ch := make(chan struct{})
	st.hold = ch
	var once sync.Once
	return func() { once.Do(func() { close(ch) }) }
}

// Scans counts the Scan calls.
func (f *Fixture) Scans() int {
	st := f.insp()
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.scans
}

// OpenJournal implements model.JournalBrowser.
func (f *Fixture) OpenJournal(ctx context.Context, site string, spec model.ImageSpec) (model.JournalSession, error) {
	if err := f.enter(ctx, "OpenJournal", site); err != nil {
		return nil, err
	}
	st := f.insp()
	st.mu.Lock()
	defer st.mu.Unlock()
	j, ok := st.journals[site+"/"+spec.Pool+"/"+spec.Image]
	if !ok {
		return nil, fmt.Errorf("image %s has no journal on site %s (is journaling enabled?)", spec, site)
	}
	return &fixtureSession{st: st, j: j}, nil
}

type fixtureSession struct {
	st *inspectState
	j  *InspectJournal
}

func (s *fixtureSession) Header() model.JournalHeader { return s.j.Header }

func (s *fixtureSession) Scan(ctx context.Context, progress func(done, total int64)) (*model.JournalScan, error) {
	s.st.mu.Lock()
	s.st.scans++
	hold := s.st.hold
	s.st.mu.Unlock()
	total := int64(1)
	if s.j.Scan != nil && s.j.Scan.Objects > 0 {
		total = int64(s.j.Scan.Objects)
	}
	for i := int64(1); i <= total; i++ {
		if progress != nil {
			progress(i, total)
		}
		if i == 1 && hold != nil {
			select {
			case <-hold:
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
	}
	if s.j.ScanErr != nil {
		return nil, s.j.ScanErr
	}
	return s.j.Scan, nil
}

func (s *fixtureSession) Entry(ctx context.Context, i int) (model.JournalEntryDetail, error) {
	if d, ok := s.j.Details[i]; ok {
		return d, nil
	}
	if s.j.Scan == nil || i < 0 || i >= len(s.j.Scan.Entries) {
		return model.JournalEntryDetail{}, fmt.Errorf("no entry %d", i)
	}
	e := s.j.Scan.Entries[i]
	return model.JournalEntryDetail{Entry: e, Object: s.j.Header.ObjectPrefix + strconv.FormatUint(e.Object, 10),
		Fields: []model.EventField{{Name: "event_type", Value: e.Type}, {Name: "type", Value: "?"}}}, nil
}

func (s *fixtureSession) CheckImport(ctx context.Context, path string) (model.ImportCheck, error) {
	if err := s.j.ImportErr[path]; err != nil {
		return model.ImportCheck{Path: path}, err
	}
	ck, ok := s.j.Imports[path]
	if !ok {
		return model.ImportCheck{Path: path}, fmt.Errorf("import file: open %s: no such file or directory", path)
	}
	ck.Path = path
	return ck, nil
}

// BigScan is a clean scan of n entries of AioWrite, with an AioFlush every
// 16th and an OpFinish every 1000th, spread over splay width 4.
func BigScan(n int) *model.JournalScan {
	sc := &model.JournalScan{Entries: make([]model.JournalEntry, n), Findings: []model.JournalFinding{},
		Types: []string{"AioWrite", "AioFlush", "OpFinish"}}
	perObject := 1000
	for i := range sc.Entries {
		t := "AioWrite"
		size := uint32(29 + 4 + 542)
		switch {
		case i%1000 == 999:
			t, size = "OpFinish", 29+4+30
		case i%16 == 15:
			t, size = "AioFlush", 29+4+14
		}
		obj := uint64(i/(4*perObject))*4 + uint64(i%4)
		sc.Entries[i] = model.JournalEntry{CommitTID: uint64(i + 1), Tag: 1, TID: uint64(i), Object: obj,
			Offset: uint32((i / 4 % perObject) * 575), Size: size, Type: t}
		sc.Bytes += int64(size)
	}
	sc.Objects = (n + perObject - 1) / perObject
	return sc
}
