package journal

import (
	"context"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strconv"
	"sync"
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
	// Written, when set, is called in order for each entry written, after
	// its chunk was written (rbd's --verbose dumps each event). The
	// entry's Data is valid only during the call.
	Written func(Replayed)
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
// Reading, replay, formatting and writing overlap: replay starts as soon as
// the objects it needs are read, formatting runs on every CPU, and the
// writer takes formatted chunks in order.
func (j *Journal) Export(ctx context.Context, w io.Writer, opt ExportOptions) (ExportResult, error) {
	// Two sets ahead keeps every offset's next object on its way.
	get, stop, wait := j.loadAsync(ctx, j.Header.retainedObjects(), max(8, 2*int(j.Header.W())))
	defer stop()
	var pos []ObjectPosition
	if !opt.FromStart {
		pos = MinCommitPosition(j.Header.Clients)
	}
	// The objects replay takes are the export's alone: each one's buffer
	// goes back for the next read once the entries taken from it are
	// written (memory stays bounded on a journal of any size).
	rec := &recycler{w: j.Header.W(), held: map[uint64]*Object{}}
	defer rec.all()
	var rerr error
	res, err := writeExport(ctx, w, j.Spec.ID, j.Header, opt, func(emit func(Replayed) error) {
		rerr = ReplayFunc(j.Header, rec.take(get), pos, func(r Replayed) error {
			rec.emitted = r.CommitTID
			return emit(r)
		})
	}, rec.written)
	stop()
	lerr := wait()
	if err != nil {
		return res, err
	}
	if lerr != nil {
		return res, lerr
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

// WriteExport formats entries already replayed.
func WriteExport(w io.Writer, journalID string, entries []Replayed, h *Header, opt ExportOptions) (ExportResult, error) {
	return writeExport(context.Background(), w, journalID, h, opt, func(emit func(Replayed) error) {
		for _, e := range entries {
			if emit(e) != nil {
				return
			}
		}
	}, nil)
}

// recycler gives an export's object buffers back to objBufs. Replay moves
// to an offset's next object (take) when the previous one has no entry
// left but possibly one still to emit (replay loads ahead before it emits
// an object's last entry): that object is released once the entry after
// the last one emitted so far is written.
type recycler struct {
	w       uint64
	held    map[uint64]*Object // per splay offset; replay goroutine only
	emitted uint64             // last commit tid emitted; replay goroutine only
	mu      sync.Mutex
	pending []release // in order of after
}

type release struct {
	o     *Object
	after uint64
}

func (r *recycler) take(get func(uint64) *Object) func(uint64) *Object {
	return func(n uint64) *Object {
		o := get(n)
		if prev := r.held[n%r.w]; prev != nil {
			r.mu.Lock()
			r.pending = append(r.pending, release{prev, r.emitted + 1})
			r.mu.Unlock()
		}
		r.held[n%r.w] = o
		return o
	}
}

// written is told the last commit tid written.
func (r *recycler) written(commit uint64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	k := 0
	for ; k < len(r.pending) && r.pending[k].after <= commit; k++ {
		objBufs.put(r.pending[k].o.Data)
	}
	r.pending = r.pending[k:]
}

// all releases the rest, once nothing uses the export's entries.
func (r *recycler) all() {
	r.written(^uint64(0))
	for s, o := range r.held {
		if o != nil {
			objBufs.put(o.Data)
		}
		delete(r.held, s)
	}
}

type exportPart struct {
	entries []Replayed
	buf     []byte
	n, bad  int
	// bad entry that stops the export when errors are not skipped
	badEntry *Replayed
	badErr   error
}

// writeExport runs produce (which emits entries in order) and formats the
// entries in chunks on every CPU; chunks are written in order.
// written, when set, is told the commit tid of the last entry of each chunk
// written.
func writeExport(ctx context.Context, w io.Writer, journalID string, h *Header, opt ExportOptions, produce func(emit func(Replayed) error), written func(commit uint64)) (ExportResult, error) {
	var res ExportResult
	if !opt.Decode {
		if _, err := io.WriteString(w, "# journal_id: "+journalID+"\n"); err != nil {
			return res, err
		}
	}
	const chunk = 256
	type job struct {
		entries []Replayed
		out     chan exportPart
	}
	workers := runtime.GOMAXPROCS(0)
	jobs := make(chan job, workers)
	order := make(chan chan exportPart, 4*workers)
	stop := make(chan struct{})
	var pool sync.Pool
	go func() {
		defer close(jobs)
		defer close(order)
		batch := make([]Replayed, 0, chunk)
		send := func() bool {
			jb := job{entries: batch, out: make(chan exportPart, 1)}
			select {
			case order <- jb.out:
			case <-stop:
				return false
			}
			jobs <- jb
			batch = make([]Replayed, 0, chunk)
			return true
		}
		errStop := errors.New("stopped")
		produce(func(r Replayed) error {
			batch = append(batch, r)
			if len(batch) == chunk && !send() {
				return errStop
			}
			return nil
		})
		if len(batch) > 0 {
			send()
		}
	}()
	var wg sync.WaitGroup
	for i := 0; i < workers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for jb := range jobs {
				var buf []byte
				if b, ok := pool.Get().(*[]byte); ok {
					buf = (*b)[:0]
				}
				p := formatChunk(buf, jb.entries, h, opt)
				p.entries = jb.entries
				jb.out <- p
				// The writer was just readied onto this P; without a
				// yield it waits for preemption while this worker
				// formats on, since the other P is mostly held by
				// readers blocked in librados (cgo).
				runtime.Gosched()
			}
		}()
	}
	var werr error
	for out := range order {
		if werr != nil {
			<-out
			continue
		}
		p := <-out
		if _, err := w.Write(p.buf); err != nil {
			werr = err
			close(stop)
			continue
		}
		b := p.buf
		pool.Put(&b)
		if written != nil && len(p.entries) > 0 && p.badEntry == nil {
			written(p.entries[len(p.entries)-1].CommitTID)
		}
		if opt.Written != nil {
			for _, e := range p.entries {
				if p.badEntry != nil && e.CommitTID >= p.badEntry.CommitTID {
					break
				}
				opt.Written(e)
			}
		}
		res.Entries += p.n
		res.Errors += p.bad
		if p.badEntry != nil {
			e := p.badEntry
			res.Errors++
			werr = fmt.Errorf("entry tag %d entry_tid %d (commit_tid %d) in object %d at offset %d does not decode as a librbd event: %v (use --no-error to skip it)",
				e.TagTID, e.EntryTID, e.CommitTID, e.Object, e.Offset, p.badErr)
			close(stop)
		}
	}
	wg.Wait()
	if werr == nil {
		werr = ctx.Err()
	}
	return res, werr
}

func formatChunk(buf []byte, entries []Replayed, h *Header, opt ExportOptions) exportPart {
	p := exportPart{}
	size := 0
	for i := range entries {
		size += base64.StdEncoding.EncodedLen(len(entries[i].Data)) + 96
	}
	if cap(buf) < size {
		buf = make([]byte, 0, size)
	}
	p.buf = buf
	for k := range entries {
		e := &entries[k]
		typ := EventType(e.Data)
		var ev *Event
		var err error
		if opt.Decode || !quickValid(e.Data) {
			ev, err = DecodeEvent(e.Data)
			if err == nil {
				typ = ev.Type
			}
		}
		if err != nil {
			if !opt.NoError {
				p.badEntry, p.badErr = e, err
				break
			}
			p.bad++
			continue
		}
		if opt.Decode {
			p.buf = appendDecoded(p.buf, e, ev, h)
		} else {
			p.buf = appendExportLine(p.buf, e.TagTID, e.CommitTID, typ, e.Data)
		}
		p.n++
	}
	return p
}

// quickValid checks, without decoding, the shape of the overwhelmingly
// common payload, an AioWrite: the struct and its data length fit exactly
// and the timestamp block follows. Anything else takes the full decoder.
func quickValid(b []byte) bool {
	if len(b) < 6+4+8+8+4+14 || b[0] != eventEntryVersion || b[1] != 1 {
		return false
	}
	n := int(binary.LittleEndian.Uint32(b[2:]))
	if 6+n+14 != len(b) || binary.LittleEndian.Uint32(b[6:]) != EventAioWrite {
		return false
	}
	dl := int(binary.LittleEndian.Uint32(b[26:]))
	return 30+dl == 6+n && b[6+n] >= 1 && b[6+n+1] <= 1 && binary.LittleEndian.Uint32(b[6+n+2:]) == 8
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
	dst = appendBase64(dst, data)
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
