// Package journal reads and writes RBD image journals over plain RADOS: the
// header object's omap and cls_journal methods, the data objects and their
// entry framing, and the librbd event catalogue carried in each entry. go-ceph
// and librbd expose no journal API, so this package is the codec and the
// engine behind `rbdtui journal ...` and the console's journal inspector. It
// never imports UI code. The on-disk format it follows is described in
// /work/shared/reference/journal-format.md (sections cited as §n).
//
// What the console's journal inspector uses (all results are JSON-able):
//
//   - Open / SpecOfImage: a journal by id or by image; Journal.Header has
//     the geometry, clients and tags; Journal.Info is `rbd journal info`.
//   - Journal.Status: sets, clients with lag (entries, bytes) and what each
//     pins, tags with owners, bytes trimming would free.
//   - Journal.Scan(ScanOptions{Progress, Entry}): every structural finding
//     (object, offset, tag, entry), plus rbd inspect's own numbers.
//   - Journal.BuildIndex / IndexObjects: entries in replay order (tag, tid,
//     type name, size, object, offset); Index.Decode decodes one entry's
//     Event, whose DumpFields/DecodedFields are rbd's and our field lists.
//   - Export / ParseExport + Import / Reset / DisconnectClients /
//     UpdateFeatures: the commands.
//
// Every decoder returns errors, never panics, on any bytes (fuzzed).
package journal

import (
	"encoding/binary"
	"fmt"
	"math"
)

// DecodeError says what could not be decoded and where; decoders never panic
// on bad bytes, they return one of these.
type DecodeError struct {
	What string // the field or structure being read
	Off  int    // offset within the decoded buffer
	Msg  string
}

func (e *DecodeError) Error() string {
	return fmt.Sprintf("%s at byte %d: %s", e.What, e.Off, e.Msg)
}

// decoder reads Ceph's little-endian encoding (§1). The first error sticks:
// later reads return zero values, so callers check err once at the end.
type decoder struct {
	b   []byte
	off int
	err error
}

func (d *decoder) fail(what, msg string) {
	if d.err == nil {
		d.err = &DecodeError{What: what, Off: d.off, Msg: msg}
	}
}

func (d *decoder) need(n int, what string) bool {
	if d.err != nil {
		return false
	}
	if n < 0 || len(d.b)-d.off < n {
		d.fail(what, fmt.Sprintf("needs %d bytes, %d left", n, len(d.b)-d.off))
		return false
	}
	return true
}

func (d *decoder) u8(what string) uint8 {
	if !d.need(1, what) {
		return 0
	}
	v := d.b[d.off]
	d.off++
	return v
}

func (d *decoder) boolean(what string) bool { return d.u8(what) != 0 }

func (d *decoder) u32(what string) uint32 {
	if !d.need(4, what) {
		return 0
	}
	v := binary.LittleEndian.Uint32(d.b[d.off:])
	d.off += 4
	return v
}

func (d *decoder) u64(what string) uint64 {
	if !d.need(8, what) {
		return 0
	}
	v := binary.LittleEndian.Uint64(d.b[d.off:])
	d.off += 8
	return v
}

// bytes reads a u32 length and that many bytes (a string or a bufferlist).
// The result aliases the input.
func (d *decoder) bytes(what string) []byte {
	n := d.u32(what + " length")
	if !d.need(int(min(uint64(n), math.MaxInt32)), what) {
		return nil
	}
	v := d.b[d.off : d.off+int(n) : d.off+int(n)]
	d.off += int(n)
	return v
}

func (d *decoder) str(what string) string { return string(d.bytes(what)) }

// count reads a container length and checks it against the bytes left, each
// element taking at least minSize bytes, so hostile counts cannot make the
// caller allocate gigabytes.
func (d *decoder) count(what string, minSize int) int {
	n := d.u32(what + " count")
	if d.err != nil {
		return 0
	}
	if minSize < 1 {
		minSize = 1
	}
	if uint64(n)*uint64(minSize) > uint64(len(d.b)-d.off) {
		d.fail(what, fmt.Sprintf("count %d does not fit in %d bytes left", n, len(d.b)-d.off))
		return 0
	}
	return int(n)
}

// start reads a versioned-struct header (ENCODE_START) and returns the
// version and the offset where the struct ends; known is the newest version
// this decoder understands.
func (d *decoder) start(what string, known uint8) (v uint8, end int) {
	v = d.u8(what + " struct_v")
	compat := d.u8(what + " struct_compat")
	n := d.u32(what + " struct_len")
	if d.err != nil {
		return 0, d.off
	}
	if compat > known {
		d.fail(what, fmt.Sprintf("struct_compat %d is newer than this decoder (%d)", compat, known))
		return 0, d.off
	}
	if uint64(n) > uint64(len(d.b)-d.off) {
		d.fail(what, fmt.Sprintf("struct_len %d exceeds the %d bytes left", n, len(d.b)-d.off))
		return 0, d.off
	}
	return v, d.off + int(n)
}

// finish skips whatever a newer writer appended to the struct; reading past
// the struct's end is an error.
func (d *decoder) finish(what string, end int) {
	if d.err != nil {
		return
	}
	if d.off > end {
		d.fail(what, fmt.Sprintf("fields overrun the struct end (%d)", end))
		return
	}
	d.off = end
}

// encoder writes Ceph's encoding.
type encoder struct{ b []byte }

func (e *encoder) u8(v uint8) { e.b = append(e.b, v) }
func (e *encoder) boolean(v bool) {
	if v {
		e.u8(1)
	} else {
		e.u8(0)
	}
}
func (e *encoder) u32(v uint32)   { e.b = binary.LittleEndian.AppendUint32(e.b, v) }
func (e *encoder) u64(v uint64)   { e.b = binary.LittleEndian.AppendUint64(e.b, v) }
func (e *encoder) bytes(v []byte) { e.u32(uint32(len(v))); e.b = append(e.b, v...) }
func (e *encoder) str(v string)   { e.u32(uint32(len(v))); e.b = append(e.b, v...) }

// start opens a versioned struct; finish fills in its length.
func (e *encoder) start(v, compat uint8) int {
	e.u8(v)
	e.u8(compat)
	e.u32(0)
	return len(e.b)
}

func (e *encoder) finish(at int) {
	binary.LittleEndian.PutUint32(e.b[at-4:], uint32(len(e.b)-at))
}
