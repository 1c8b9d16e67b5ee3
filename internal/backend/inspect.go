package backend

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"

	"github.com/rbdtui/rbdtui/internal/journal"
	"github.com/rbdtui/rbdtui/model"
)

var _ model.JournalBrowser = (*Backend)(nil)

// OpenJournal opens an image's journal for the console's inspector: the
// header and clients now, the data objects on Scan.
func (b *Backend) OpenJournal(ctx context.Context, name string, img model.ImageSpec) (model.JournalSession, error) {
	c, err := b.sites.Site(name)
	if err != nil {
		return nil, err
	}
	spec, err := journal.SpecOfImage(ctx, c, img)
	if err != nil {
		return nil, err
	}
	j, err := journal.Open(ctx, c, spec)
	if err != nil {
		return nil, err
	}
	return &journalSession{j: j, hdr: headerOf(name, img, j)}, nil
}

func headerOf(site string, img model.ImageSpec, j *journal.Journal) model.JournalHeader {
	h := j.Header
	info := j.Info()
	out := model.JournalHeader{Site: site, Pool: img.Pool, Image: img.Image, ID: j.Spec.ID, Spec: j.Spec.String(),
		Order: h.Order, ObjectSize: h.ObjectSize(), SplayWidth: h.SplayWidth,
		DataPool: j.DataPool, DataPoolSet: info.ObjectPool != "",
		MinimumSet: h.MinimumSet, ActiveSet: h.ActiveSet, NextTagTID: h.NextTagTID,
		HeaderObject: info.HeaderOID, ObjectPrefix: info.ObjectOIDPrefix, Problems: h.Problems}
	for _, c := range h.Clients {
		ci := model.JournalClientInfo{ID: c.ID, Disconnected: c.State == journal.ClientDisconnected, Commit: []model.Position{}}
		if m, err := journal.DecodeClientMeta(c.Data); err == nil {
			ci.Description = m.TypeName
			if m.MirrorState != "" {
				ci.Description += " (" + m.MirrorState + ")"
			}
		} else if len(c.Data) == 0 {
			ci.Description = "no client data"
		}
		for _, p := range c.Commit {
			ci.Commit = append(ci.Commit, model.Position{ObjectNumber: p.ObjectNumber, TagTID: p.TagTID, EntryTID: p.EntryTID})
		}
		out.Clients = append(out.Clients, ci)
	}
	return out
}

// journalSession keeps the last scan's index and objects, so an entry's
// detail decodes from memory.
type journalSession struct {
	j   *journal.Journal
	hdr model.JournalHeader

	mu sync.Mutex
	in *journal.Inspection
}

func (s *journalSession) Header() model.JournalHeader { return s.hdr }

func (s *journalSession) Scan(ctx context.Context, progress func(done, total int64)) (*model.JournalScan, error) {
	in, err := s.j.Inspect(ctx, func(p journal.ScanProgress) {
		if progress != nil {
			progress(int64(p.ObjectsDone), int64(p.ObjectsTotal))
		}
	})
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	s.in = in
	s.mu.Unlock()
	res := in.Scan
	out := &model.JournalScan{Objects: res.Objects, Bytes: res.Bytes, Stopped: in.Index.Stopped,
		Findings: make([]model.JournalFinding, 0, len(res.Findings)),
		Entries:  make([]model.JournalEntry, len(in.Index.Entries))}
	for _, f := range res.Findings {
		out.Findings = append(out.Findings, model.JournalFinding{Severity: f.Severity, Kind: f.Kind, Object: f.Object, Offset: f.Offset,
			TagTID: f.TagTID, EntryTID: f.EntryTID, HasEntry: f.HasEntry, Client: f.Client, Message: f.Message})
	}
	seen := map[int]string{}
	for i, e := range in.Index.Entries {
		out.Entries[i] = model.JournalEntry{CommitTID: e.CommitTID, Tag: e.TagTID, TID: e.EntryTID, Object: e.Object,
			Offset: uint32(e.Offset), Size: uint32(e.Size), Type: e.Name}
		if _, ok := seen[e.Type]; !ok {
			seen[e.Type] = e.Name
		}
	}
	codes := make([]int, 0, len(seen))
	for c := range seen {
		codes = append(codes, c)
	}
	slices.Sort(codes)
	for _, c := range codes {
		out.Types = append(out.Types, seen[c])
	}
	for _, c := range in.Clients {
		out.Lags = append(out.Lags, model.JournalClientLag{ID: c.ID, LagEntries: c.LagEntries, LagBytes: c.LagBytes,
			CommitSet: c.CommitSet, PinnedObjects: c.PinnedObjects, PinnedBytes: c.PinnedBytes})
	}
	return out, nil
}

func (s *journalSession) Entry(ctx context.Context, i int) (model.JournalEntryDetail, error) {
	s.mu.Lock()
	in := s.in
	s.mu.Unlock()
	if in == nil {
		return model.JournalEntryDetail{}, errors.New("the journal has not been scanned yet")
	}
	if i < 0 || i >= len(in.Index.Entries) {
		return model.JournalEntryDetail{}, fmt.Errorf("no entry %d (the journal has %d)", i, len(in.Index.Entries))
	}
	e := in.Index.Entries[i]
	d := model.JournalEntryDetail{Object: s.j.DataOID(e.Object),
		Entry: model.JournalEntry{CommitTID: e.CommitTID, Tag: e.TagTID, TID: e.EntryTID, Object: e.Object,
			Offset: uint32(e.Offset), Size: uint32(e.Size), Type: e.Name}}
	if t := s.j.Header.Tag(e.TagTID); t != nil {
		if td, err := journal.DecodeTagData(t.Data); err == nil {
			d.TagOwner = td.Owner()
		}
	}
	ev, err := in.Index.Decode(e)
	if err != nil {
		d.Err = err.Error()
		return d, nil
	}
	for _, f := range ev.DecodedFields() {
		d.Fields = append(d.Fields, model.EventField{Name: f.Key, Value: fieldText(f.Val)})
	}
	return d, nil
}

// fieldText renders a decoded value on one line.
func fieldText(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case []string:
		return strings.Join(x, ", ")
	case journal.Fields:
		parts := make([]string, len(x))
		for i, f := range x {
			parts[i] = f.Key + "=" + fieldText(f.Val)
		}
		return strings.Join(parts, " ")
	}
	return fmt.Sprint(v)
}

func (s *journalSession) CheckImport(ctx context.Context, path string) (model.ImportCheck, error) {
	ck := model.ImportCheck{Path: path}
	if strings.TrimSpace(path) == "" {
		return ck, errors.New("no file named: give the path of a file written by journal export")
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return ck, fmt.Errorf("import file: %w", err)
	}
	ck.Bytes = int64(len(b))
	if rest, ok := strings.CutPrefix(string(b[:min(len(b), 200)]), "# journal_id: "); ok {
		ck.JournalID, _, _ = strings.Cut(rest, "\n")
	}
	recs, err := journal.ParseExport(b)
	if err != nil {
		return ck, fmt.Errorf("%s: %w; nothing would be imported", path, err)
	}
	if len(recs) == 0 {
		return ck, fmt.Errorf("%s holds no entries; nothing would be imported", path)
	}
	ck.Entries = len(recs)
	for _, r := range recs {
		if !slices.Contains(ck.Tags, r.TagTID) {
			ck.Tags = append(ck.Tags, r.TagTID)
		}
	}
	return ck, nil
}
