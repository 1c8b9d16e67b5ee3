package journal

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
)

// Entry framing (§6).
const (
	Preamble      uint64 = 0x3141592653589793
	entryVersion         = 1
	headerSize           = 29 // preamble, version, entry_tid, tag_tid, length
	EntryOverhead        = headerSize + 4
	// minReadable is what the C++ reader needs before it looks at a header.
	minReadable = 25
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Crc32c is Ceph's ceph_crc32c with seed 0: Castagnoli without the usual
// pre- and post-inversion, which is why crc32.Checksum alone is wrong.
func Crc32c(b []byte) uint32 { return ^crc32.Update(0xFFFFFFFF, castagnoli, b) }

// Entry is one framed record of a data object.
type Entry struct {
	TagTID   uint64
	EntryTID uint64
	// Data is the payload (aliases the object buffer).
	Data []byte
	// Offset is where the entry starts in its object.
	Offset int
}

// Size is the entry's framed size.
func (e *Entry) Size() int { return EntryOverhead + len(e.Data) }

// AppendFrame appends one framed entry to dst.
func AppendFrame(dst []byte, tag, entry uint64, data []byte) []byte {
	start := len(dst)
	dst = binary.LittleEndian.AppendUint64(dst, Preamble)
	dst = append(dst, entryVersion)
	dst = binary.LittleEndian.AppendUint64(dst, entry)
	dst = binary.LittleEndian.AppendUint64(dst, tag)
	dst = binary.LittleEndian.AppendUint32(dst, uint32(len(data)))
	dst = append(dst, data...)
	return binary.LittleEndian.AppendUint32(dst, Crc32c(dst[start:]))
}

// FaultKind names a structural problem in a data object.
type FaultKind string

// Kinds of object faults.
const (
	FaultGarbage   FaultKind = "garbage"       // no preamble where an entry should start
	FaultCRC       FaultKind = "crc-mismatch"  // preamble and length fine, checksum wrong
	FaultVersion   FaultKind = "bad-version"   // entry format version is not 1
	FaultTruncated FaultKind = "truncated"     // an entry's header or payload runs past the object's end
	FaultTrailing  FaultKind = "trailing-junk" // fewer than 25 non-zero bytes at the end
)

// ObjectFault is the first structural problem in one object; the reader
// stops there, as rbd's does.
type ObjectFault struct {
	Kind   FaultKind
	Offset int
	// TagTID and EntryTID are those of the damaged entry when its header
	// could be read (CRC mismatch, truncation, bad version).
	TagTID, EntryTID uint64
	HasIDs           bool
	Detail           string
}

func (f *ObjectFault) Error() string {
	s := fmt.Sprintf("%s at offset %d", f.Kind, f.Offset)
	if f.HasIDs {
		s += fmt.Sprintf(" (tag %d, entry %d)", f.TagTID, f.EntryTID)
	}
	if f.Detail != "" {
		s += ": " + f.Detail
	}
	return s
}

// Corrupt reports whether rbd would fail the object with EBADMSG; a
// truncated tail is "a partial record" to rbd and not an error.
func (f *ObjectFault) Corrupt() bool {
	return f.Kind != FaultTruncated && f.Kind != FaultTrailing
}

// ParseObject splits an object into entries following the C++ reader's
// rules (§6): zero padding to 8-byte boundaries is skipped, a short zero
// tail is padding, and the first thing that is neither an entry nor padding
// ends parsing with a fault. Entries before the fault are returned. It never
// panics, whatever the bytes.
func ParseObject(b []byte) ([]Entry, *ObjectFault) {
	return parseObject(b, nil)
}

func parseObject(b []byte, out []Entry) ([]Entry, *ObjectFault) {
	off := 0
	for off < len(b) {
		rest := len(b) - off
		if rest < minReadable {
			if allZero(b[off:]) {
				return out, nil
			}
			return out, &ObjectFault{Kind: FaultTrailing, Offset: off, Detail: fmt.Sprintf("%d bytes too short for an entry", rest)}
		}
		if binary.LittleEndian.Uint64(b[off:]) == Preamble {
			if rest < headerSize {
				return out, &ObjectFault{Kind: FaultTruncated, Offset: off, Detail: "entry header cut off at the object's end"}
			}
			entryTID := binary.LittleEndian.Uint64(b[off+9:])
			tagTID := binary.LittleEndian.Uint64(b[off+17:])
			n := int(binary.LittleEndian.Uint32(b[off+25:]))
			if uint64(n)+EntryOverhead > uint64(rest) {
				return out, &ObjectFault{Kind: FaultTruncated, Offset: off, TagTID: tagTID, EntryTID: entryTID, HasIDs: true,
					Detail: fmt.Sprintf("entry of %d bytes, only %d left in the object", n+EntryOverhead, rest)}
			}
			end := off + headerSize + n
			want := binary.LittleEndian.Uint32(b[end:])
			got := Crc32c(b[off:end])
			if got == want && b[off+8] == entryVersion {
				out = append(out, Entry{TagTID: tagTID, EntryTID: entryTID, Data: b[off+headerSize : end : end], Offset: off})
				off = end + 4
				continue
			}
			if !zeroToBoundary(b, off) {
				if got != want {
					return out, &ObjectFault{Kind: FaultCRC, Offset: off, TagTID: tagTID, EntryTID: entryTID, HasIDs: true,
						Detail: fmt.Sprintf("stored crc %08x, computed %08x", want, got)}
				}
				return out, &ObjectFault{Kind: FaultVersion, Offset: off, TagTID: tagTID, EntryTID: entryTID, HasIDs: true,
					Detail: fmt.Sprintf("entry version %d", b[off+8])}
			}
		}
		// Not an entry: zero padding up to the next 8-byte boundary is fine.
		if b[off] != 0 || !zeroToBoundary(b, off) {
			return out, &ObjectFault{Kind: FaultGarbage, Offset: off, Detail: fmt.Sprintf("bytes % x where an entry preamble should be", b[off:off+8])}
		}
		next := (off + 8) &^ 7
		if next > len(b) {
			next = len(b)
		}
		off = next
	}
	return out, nil
}

func zeroToBoundary(b []byte, off int) bool {
	end := (off + 8) &^ 7
	if end > len(b) {
		end = len(b)
	}
	return allZero(b[off:end])
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}
