package journal

import "golang.org/x/sys/cpu"

// haveAVX512VBMI selects the vector encoder (base64_amd64.s).
var haveAVX512VBMI = cpu.X86.HasAVX512F && cpu.X86.HasAVX512BW && cpu.X86.HasAVX512VBMI

// encodeBlocksAVX512 encodes whole 48-byte blocks of src into dst while
// src has 64 bytes readable and dst 64 writable, and returns the number of
// input bytes consumed (a multiple of 48; 64 output bytes each 48).
//
//go:noescape
func encodeBlocksAVX512(dst, src []byte) int

func encodeBlocks(dst, src []byte) int {
	if !haveAVX512VBMI {
		return 0
	}
	return encodeBlocksAVX512(dst, src)
}

func haveVectorBase64() bool { return haveAVX512VBMI }
