package journal

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"runtime"
	"strconv"
)

// ExportOptions choose where an export starts and what it writes.
type ExportOptions struct {
	// FromStart replays every retained entry instead of starting at the
	// least advanced client's commit position (rbd's start).
	FromStart bool
	// NoError skips entries whose payload does not decode, as rbd's
	// --no-error does (they are counted; the export still fails at the end).
	NoError bool
	// Decode writes one JSON object per entry with the decoded event
	// instead of rbd's export format; such output is not importable.
	Decode bool
}

// ExportResult counts what was written.
type ExportResult struct {
	Entries int `json:"entries"`
	Errors  int `json:"errors"`
	// Stopped is the error that ended the replay early, if any; entries
	// before it were written, as rbd does.
	Stopped error `json:"-"`
}

// Entries loads the journal and returns its entries in replay order, from
// the least advanced client's position or, with fromStart, from the start.
// A replay error is returned with the entries before it.
func (j *Journal) Entries(ctx context.Context, fromStart bool) ([]Replayed, map[uint64]*Object, error) {
	objs, err := j.LoadAll(ctx)
	if err != nil {
		return nil, nil, err
	}
	var pos []ObjectPosition
	if !fromStart {
		pos = MinCommitPosition(j.Header.Clients)
	}
	var out []Replayed
	err = Replay(j.Header, objs, pos, func(r Replayed) error {
		out = append(out, r)
		return nil
	})
	return out, objs, err
}

// Export writes the journal's entries in `rbd journal export`'s format,
// byte for byte: a `# journal_id:` line, then `<len> <json>` per entry.
func (j *Journal) Export(ctx context.Context, w io.Writer, opt ExportOptions) (ExportResult, error) {
	entries, _, rerr := j.Entries(ctx, opt.FromStart)
	if rerr != nil && entries == nil {
		if _, ok := rerr.(*ReplayError); !ok {
			return ExportResult{}, rerr
		}
	}
	res, err := WriteExport(w, j.Spec.ID, entries, j.Header, opt)
	if err != nil {
		return res, err
	}
	if rerr != nil {
		res.Stopped = rerr
		return res, rerr
	}
	if res.Errors > 0 {
		return res, fmt.Errorf("%d entries did not decode as librbd events and were skipped", res.Errors)
	}
	return res, nil
}

// WriteExport formats entries; the work is split over the CPUs in chunks
// written in order, so formatting overlaps writing.
func WriteExport(w io.Writer, journalID string, entries []Replayed, h *Header, opt ExportOptions) (ExportResult, error) {
	var res ExportResult
	if !opt.Decode {
		if _, err := io.WriteString(w, "# journal_id: "+journalID+"\n"); err != nil {
			return res, err
		}
	}
	const chunk = 512
	type part struct {
		buf    []byte
		n, bad int
		// firstBad is the index of an undecodable entry that stops the
		// export when errors are not skipped.
		firstBad int
		badErr   error
	}
	nChunks := (len(entries) + chunk - 1) / chunk
	results := make([]chan part, nChunks)
	for i := range results {
		results[i] = make(chan part, 1)
	}
	sem := make(chan struct{}, runtime.GOMAXPROCS(0)+1)
	go func() {
		for i := 0; i < nChunks; i++ {
			sem <- struct{}{}
			go func(i int) {
				defer func() { <-sem }()
				lo, hi := i*chunk, min2((i+1)*chunk, len(entries))
				p := part{firstBad: -1}
				size := 0
				for _, e := range entries[lo:hi] {
					size += base64.StdEncoding.EncodedLen(len(e.Data)) + 96
				}
				p.buf = make([]byte, 0, size)
				for k := lo; k < hi; k++ {
					e := &entries[k]
					ev, err := DecodeEvent(e.Data)
					if err != nil {
						if !opt.NoError {
							p.firstBad, p.badErr = k, err
							break
						}
						p.bad++
						continue
					}
					if opt.Decode {
						p.buf = appendDecoded(p.buf, e, ev, h)
					} else {
						p.buf = appendExportLine(p.buf, e.TagTID, e.CommitTID, ev.Type, e.Data)
					}
					p.n++
				}
				results[i] <- p
			}(i)
		}
	}()
	for i := 0; i < nChunks; i++ {
		p := <-results[i]
		if _, err := w.Write(p.buf); err != nil {
			return res, err
		}
		res.Entries += p.n
		res.Errors += p.bad
		if p.firstBad >= 0 {
			// Drain the rest so no goroutine is left blocked.
			for k := i + 1; k < nChunks; k++ {
				<-results[k]
			}
			e := entries[p.firstBad]
			res.Errors++
			return res, fmt.Errorf("entry tag %d entry_tid %d (commit_tid %d) in object %d at offset %d does not decode as a librbd event: %v (use --no-error to skip it)",
				e.TagTID, e.EntryTID, e.CommitTID, e.Object, e.Offset, p.badErr)
		}
	}
	return res, nil
}

const (
	lineTag    = `{"tag_id":`
	lineCommit = `,"commit_tid":`
	lineType   = `,"type":`
	lineEntry  = `,"entry":"`
	lineEnd    = `"}`
)

func decLen(v uint64) int {
	n := 1
	for v >= 10 {
		v /= 10
		n++
	}
	return n
}

// appendExportLine writes `<len> {"tag_id":..,"commit_tid":..,"type":..,"entry":"<base64>"}\n`.
func appendExportLine(dst []byte, tag, commit uint64, typ int, data []byte) []byte {
	typLen := decLen(uint64(typ))
	if typ < 0 {
		typLen = 1 + decLen(uint64(-typ))
	}
	n := len(lineTag) + decLen(tag) + len(lineCommit) + decLen(commit) + len(lineType) + typLen +
		len(lineEntry) + base64.StdEncoding.EncodedLen(len(data)) + len(lineEnd)
	dst = strconv.AppendInt(dst, int64(n), 10)
	dst = append(dst, ' ')
	dst = append(dst, lineTag...)
	dst = strconv.AppendUint(dst, tag, 10)
	dst = append(dst, lineCommit...)
	dst = strconv.AppendUint(dst, commit, 10)
	dst = append(dst, lineType...)
	dst = strconv.AppendInt(dst, int64(typ), 10)
	dst = append(dst, lineEntry...)
	dst = base64.StdEncoding.AppendEncode(dst, data)
	dst = append(dst, lineEnd...)
	return append(dst, '\n')
}

// DecodedEntry is one entry of `export --decode` and of the inspector's
// entry view.
type DecodedEntry struct {
	TagTID    uint64 `json:"tag_id"`
	CommitTID uint64 `json:"commit_tid"`
	EntryTID  uint64 `json:"entry_tid"`
	Object    uint64 `json:"object_number"`
	Offset    int    `json:"offset"`
	Size      int    `json:"size"`
	// TagMirrorUUID is the owner recorded in the entry's tag: "" local,
	// "<orphan>" demoted, else the peer's mirror uuid; TagKnown is false
	// when the tag has expired from the header.
	TagMirrorUUID string `json:"tag_mirror_uuid"`
	TagKnown      bool   `json:"tag_known"`
	Event         Fields `json:"event"`
}

func appendDecoded(dst []byte, e *Replayed, ev *Event, h *Header) []byte {
	d := DecodedEntry{TagTID: e.TagTID, CommitTID: e.CommitTID, EntryTID: e.EntryTID, Object: e.Object,
		Offset: e.Offset, Size: e.Size(), Event: ev.DecodedFields()}
	if h != nil {
		if t := h.Tag(e.TagTID); t != nil {
			d.TagKnown = true
			if td, err := DecodeTagData(t.Data); err == nil {
				d.TagMirrorUUID = td.MirrorUUID
			}
		}
	}
	b, _ := json.Marshal(d)
	dst = append(dst, b...)
	return append(dst, '\n')
}
