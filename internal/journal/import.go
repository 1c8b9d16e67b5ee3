package journal

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"syscall"

	"github.com/ceph/go-ceph/rados"
	"github.com/rbdtui/rbdtui/internal/site"
)

// ImportRecord is one entry of an export file.
type ImportRecord struct {
	Line      int // where the record starts, from 1
	TagTID    uint64
	CommitTID uint64
	Type      int
	Data      []byte
}

// ImportError is a problem in an export file, with its line number.
type ImportError struct {
	Line int
	Msg  string
}

func (e *ImportError) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Msg) }

// ParseExport reads a whole export file as `rbd journal import` does
// (§12.5): comments (#) and blank lines between records, then
// `<size> <json of size bytes>` records. Every record's payload must decode
// as a librbd event. Any problem fails the whole file with its line number,
// so nothing is written from a file that is partly bad.
func ParseExport(b []byte) ([]ImportRecord, error) {
	var recs []ImportRecord
	line := 1
	i := 0
	for i < len(b) {
		c := b[i]
		switch {
		case c == '\n':
			line++
			i++
			continue
		case c == '#':
			for i < len(b) && b[i] != '\n' {
				i++
			}
			continue
		case c < '0' || c > '9':
			return nil, &ImportError{line, fmt.Sprintf("expected a record size (digits), found %q", c)}
		}
		start := line
		j := i
		for j < len(b) && j-i < 80 && b[j] >= '0' && b[j] <= '9' {
			j++
		}
		if j >= len(b) || b[j] != ' ' {
			return nil, &ImportError{line, "space expected after the record size"}
		}
		size, err := strconv.ParseUint(string(b[i:j]), 10, 31)
		if err != nil || size == 0 {
			return nil, &ImportError{line, fmt.Sprintf("bad record size %q", b[i:j])}
		}
		j++
		if uint64(len(b)-j) < size {
			return nil, &ImportError{line, fmt.Sprintf("record truncated: %d bytes announced, %d left in the file", size, len(b)-j)}
		}
		body := b[j : j+int(size)]
		for _, x := range body {
			if x == '\n' {
				line++
			}
		}
		i = j + int(size)
		var rec struct {
			TagID     *json.Number `json:"tag_id"`
			CommitTID *json.Number `json:"commit_tid"`
			Type      *json.Number `json:"type"`
			Entry     string       `json:"entry"`
		}
		if err := json.Unmarshal(body, &rec); err != nil {
			return nil, &ImportError{start, "record is not valid JSON: " + err.Error()}
		}
		r := ImportRecord{Line: start}
		num := func(n *json.Number, what string) (int64, error) {
			if n == nil {
				return 0, nil
			}
			v, err := strconv.ParseInt(n.String(), 10, 64)
			if err != nil {
				u, uerr := strconv.ParseUint(n.String(), 10, 64)
				if uerr != nil {
					return 0, fmt.Errorf("%s %q is not an integer", what, n.String())
				}
				return int64(u), nil
			}
			return v, nil
		}
		var t int64
		var e1, e2, e3 error
		var tag, commit int64
		tag, e1 = num(rec.TagID, "tag_id")
		commit, e2 = num(rec.CommitTID, "commit_tid")
		t, e3 = num(rec.Type, "type")
		if err := errors.Join(e1, e2, e3); err != nil {
			return nil, &ImportError{start, err.Error()}
		}
		// -1 would wrap to tag 18446744073709551615: ids are 0 or more.
		for _, f := range []struct {
			what string
			v    int64
			n    *json.Number
		}{{"tag_id", tag, rec.TagID}, {"commit_tid", commit, rec.CommitTID}} {
			if f.v < 0 && f.n != nil && strings.HasPrefix(f.n.String(), "-") {
				return nil, &ImportError{start, fmt.Sprintf("%s %s is out of range: ids are 0 or more", f.what, f.n.String())}
			}
		}
		r.TagTID, r.CommitTID, r.Type = uint64(tag), uint64(commit), int(t)
		data, err := decodeBase64Lines(rec.Entry)
		if err != nil {
			return nil, &ImportError{start, "entry is not valid base64: " + err.Error()}
		}
		if _, err := DecodeEvent(data); err != nil {
			return nil, &ImportError{start, fmt.Sprintf("corrupted entry %d: tag_tid=%d, commit_tid=%d: %v", len(recs)+1, r.TagTID, r.CommitTID, err)}
		}
		r.Data = data
		recs = append(recs, r)
	}
	return recs, nil
}

// decodeBase64Lines accepts line breaks between base64 groups, as Ceph's
// decoder does.
func decodeBase64Lines(s string) ([]byte, error) {
	clean := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '\n' || s[i] == '\r' {
			if len(clean)%4 != 0 {
				return nil, errors.New("line break inside a 4-character group")
			}
			continue
		}
		clean = append(clean, s[i])
	}
	return base64.StdEncoding.DecodeString(string(clean))
}

// MaxNewTags bounds how many tags one import may register.
const MaxNewTags = 64

// ImportOptions are the choices of an import.
type ImportOptions struct {
	// SkipExisting leaves out entries the journal already holds instead
	// of refusing the import.
	SkipExisting bool
}

func entryKey(tag uint64, data []byte) [32]byte {
	h := sha256.New()
	var b [8]byte
	for i := range b {
		b[i] = byte(tag >> (8 * i))
	}
	h.Write(b[:])
	h.Write(data)
	var k [32]byte
	copy(k[:], h.Sum(nil))
	return k
}

// registerTags creates the tags NextTagTID..last in the image's tag class
// (the class of the journal's newest tag, else of the image client), owned
// locally, so that the journal lists every tag its entries carry.
func (j *Journal) registerTags(ctx context.Context, last uint64) error {
	h := j.Header
	class := ^uint64(0) // a new class when the journal has no tag and no image client
	if n := len(h.Tags); n > 0 {
		class = h.Tags[n-1].Class
	} else if c := h.Client(""); c != nil {
		if m, err := DecodeClientMeta(c.Data); err == nil && m.Type == MetaImageClient {
			class = m.TagClass
		}
	}
	data := EncodeTagData(&TagData{})
	for tid := h.NextTagTID; tid <= last; tid++ {
		if err := j.createTagAt(ctx, tid, class, data); err != nil {
			return err
		}
		if class == ^uint64(0) {
			if err := j.Refresh(ctx); err != nil {
				return err
			}
			if t := j.Header.Tag(tid); t != nil {
				class = t.Class
			}
		}
	}
	return j.Refresh(ctx)
}

// ImportResult says what an import wrote.
type ImportResult struct {
	// Skipped counts entries left out because the journal held them.
	Skipped  int    `json:"skipped,omitempty"`
	Entries  int    `json:"entries"`
	Bytes    int64  `json:"bytes"`
	FirstSet uint64 `json:"first_set"`
	LastSet  uint64 `json:"last_set"`
}

// Import appends the records to the journal with their tags, as rbd's
// import does. Entry tids continue after the highest tid each tag already
// has in the journal (rbd restarts at 0, which duplicates entries when the
// tag is already present; on a journal without the tag both agree).
// Objects are filled to the soft maximum, then the whole set is closed and
// the next one opened, as librbd's recorder does.
//
// Before anything is written it checks the whole import: every tag id is
// one the journal has (or had), or one of the next MaxNewTags, which it
// registers in the image's tag class so the journal lists the tags its
// entries carry; and no entry is one the journal already holds (same tag
// and payload: the same export imported twice), unless SkipExisting, which
// leaves those out.
func (j *Journal) Import(ctx context.Context, recs []ImportRecord, opt ImportOptions) (ImportResult, error) {
	return j.ImportReporting(ctx, recs, opt, nil)
}

// ImportReporting is Import that calls written, when set, after each
// append that reached the journal, with the entries and bytes written so
// far (for a progress bar: what it shows has happened).
func (j *Journal) ImportReporting(ctx context.Context, recs []ImportRecord, opt ImportOptions, written func(entries int, bytes int64)) (ImportResult, error) {
	h := j.Header
	w := h.W()
	res := ImportResult{FirstSet: h.ActiveSet, LastSet: h.ActiveSet}
	if len(recs) == 0 {
		return res, nil
	}
	var maxTag uint64
	for _, r := range recs {
		if r.TagTID >= h.NextTagTID+MaxNewTags {
			return res, refuse("line %d: tag_id %d is out of range: journal %s has tags below %d, and an import may add at most the next %d; nothing was imported", r.Line, r.TagTID, j.Spec, h.NextTagTID, MaxNewTags)
		}
		maxTag = max(maxTag, r.TagTID)
	}
	objs, err := j.LoadAll(ctx)
	if err != nil {
		return res, err
	}
	held := map[[32]byte]int{}
	for _, o := range objs {
		for _, e := range o.Entries {
			held[entryKey(e.TagTID, e.Data)]++
		}
	}
	var fresh []ImportRecord
	for _, r := range recs {
		k := entryKey(r.TagTID, r.Data)
		if held[k] > 0 {
			held[k]--
			res.Skipped++
			continue
		}
		fresh = append(fresh, r)
	}
	if res.Skipped > 0 && !opt.SkipExisting {
		return ImportResult{FirstSet: h.ActiveSet, LastSet: h.ActiveSet}, refuse("%d of the %d entries are already in journal %s (same tag and payload: was this export imported before?); importing would store them twice. Pass --skip-existing to import only the other %d; nothing was imported",
			res.Skipped, len(recs), j.Spec, len(fresh))
	}
	recs = fresh
	if len(recs) == 0 {
		return res, nil
	}
	if maxTag >= h.NextTagTID {
		if err := j.registerTags(ctx, maxTag); err != nil {
			return res, fmt.Errorf("register tags %d..%d: %w", h.NextTagTID, maxTag, err)
		}
	}
	next := map[uint64]uint64{}
	for _, o := range objs {
		for _, e := range o.Entries {
			if e.EntryTID+1 > next[e.TagTID] {
				next[e.TagTID] = e.EntryTID + 1
			}
		}
	}
	set := h.ActiveSet
	sizes := make([]uint64, w)
	for s := uint64(0); s < w; s++ {
		if o := objs[set*w+s]; o != nil {
			sizes[s] = uint64(len(o.Data))
		}
	}
	softMax := h.ObjectSize()
	pending := make([][]byte, w)
	pendingN := make([]int, w) // entries in pending[s]
	var doneN int
	var doneBytes int64
	flush := func(s uint64) error {
		if len(pending[s]) == 0 {
			return nil
		}
		err := j.appendObject(ctx, set*w+s, softMax, pending[s])
		if err != nil && site.IsErrno(err, syscall.EOVERFLOW) {
			// The object filled up behind our back (allocation padding):
			// close the set and retry in the next.
			if err := j.closeSet(ctx, &set, sizes); err != nil {
				return err
			}
			err = j.appendObject(ctx, set*w+s, softMax, pending[s])
		}
		if err != nil {
			return fmt.Errorf("append to %s: %w", j.DataOID(set*w+s), err)
		}
		doneN += pendingN[s]
		doneBytes += int64(len(pending[s]))
		pending[s], pendingN[s] = pending[s][:0], 0
		if written != nil {
			written(doneN, doneBytes)
		}
		return nil
	}
	flushAll := func() error {
		for s := uint64(0); s < w; s++ {
			if err := flush(s); err != nil {
				return err
			}
		}
		return nil
	}
	for _, r := range recs {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		tid := next[r.TagTID]
		next[r.TagTID] = tid + 1
		s := tid % w
		size := uint64(EntryOverhead + len(r.Data))
		if size > softMax {
			return res, fmt.Errorf("line %d: entry of %d bytes does not fit in a journal object of %d bytes", r.Line, size, softMax)
		}
		if sizes[s]+size > softMax {
			if err := flushAll(); err != nil {
				return res, err
			}
			if err := j.closeSet(ctx, &set, sizes); err != nil {
				return res, err
			}
		}
		pending[s] = AppendFrame(pending[s], r.TagTID, tid, r.Data)
		pendingN[s]++
		sizes[s] += size
		res.Entries++
		res.Bytes += int64(size)
		if len(pending[s]) >= 1<<20 {
			if err := flush(s); err != nil {
				return res, err
			}
		}
	}
	if err := flushAll(); err != nil {
		return res, err
	}
	res.LastSet = set
	j.notify(ctx)
	return res, j.Refresh(ctx)
}

func (j *Journal) closeSet(ctx context.Context, set *uint64, sizes []uint64) error {
	if err := j.setActiveSet(ctx, *set+1); err != nil {
		return err
	}
	*set++
	for i := range sizes {
		sizes[i] = 0
	}
	return nil
}

// removeData deletes data objects of sets from..to (missing ones are fine).
func (j *Journal) removeData(ctx context.Context, from, to uint64) error {
	for _, n := range j.Header.Objects(from, to) {
		oid := j.DataOID(n)
		_, err := site.Call(ctx, j.conn, "remove "+oid, func() (struct{}, error) { return struct{}{}, j.data.Delete(oid) })
		if err != nil && !errors.Is(err, rados.ErrNotFound) && !site.IsErrno(err, syscall.ENOENT) {
			return err
		}
	}
	return nil
}
