package journal

import (
	"encoding/base64"
	"encoding/binary"
)

// Export spends most of its CPU time on base64 (the whole journal, 4/3 of
// its size). On CPUs with AVX-512 VBMI whole 48-byte blocks go through the
// vector encoder (base64_amd64.s, about ten times faster); the rest, and
// everything elsewhere, through this one, which turns each 12 bits of
// input into two output characters with one table lookup and writes 8
// characters per 6 input bytes with a single store. Both produce exactly
// what base64.StdEncoding does (checked by TestBase64 and its fuzz target).

const b64alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

var b64pairs = func() (t [4096]uint16) {
	for i := range t {
		// Little-endian store: the first character in the low byte.
		t[i] = uint16(b64alphabet[i>>6]) | uint16(b64alphabet[i&63])<<8
	}
	return t
}()

// appendBase64 appends the standard base64 encoding of src to dst.
func appendBase64(dst, src []byte) []byte {
	n := base64.StdEncoding.EncodedLen(len(src))
	start := len(dst)
	if cap(dst)-start < n {
		grown := make([]byte, start, start+n+n/4)
		copy(grown, dst)
		dst = grown
	}
	dst = dst[:start+n]
	out := dst[start:]
	// The vector encoder, where the CPU has one, takes whole blocks.
	i := encodeBlocks(out, src)
	o := i / 3 * 4
	// 8 input bytes readable: encode the first 6 into 8 characters.
	for ; i+8 <= len(src); i, o = i+6, o+8 {
		v := binary.BigEndian.Uint64(src[i:])
		w := uint64(b64pairs[v>>52]) | uint64(b64pairs[(v>>40)&0xfff])<<16 |
			uint64(b64pairs[(v>>28)&0xfff])<<32 | uint64(b64pairs[(v>>16)&0xfff])<<48
		binary.LittleEndian.PutUint64(out[o:], w)
	}
	for ; i+3 <= len(src); i, o = i+3, o+4 {
		v := uint32(src[i])<<16 | uint32(src[i+1])<<8 | uint32(src[i+2])
		binary.LittleEndian.PutUint16(out[o:], b64pairs[v>>12])
		binary.LittleEndian.PutUint16(out[o+2:], b64pairs[v&0xfff])
	}
	if i < len(src) {
		base64.StdEncoding.Encode(out[o:], src[i:])
	}
	return dst
}
