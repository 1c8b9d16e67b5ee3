#include "textflag.h"

// The AVX-512 VBMI base64 encoder (W. Mula and D. Lemire, "Base64 encoding
// and decoding at almost the speed of a memory copy", 2019): per 48 input
// bytes, VPERMB spreads each 3-byte group into a 32-bit word [b1 b0 b2 b1],
// VPMULTISHIFTQB pulls the four 6-bit fields out into bytes, and VPERMB
// looks them up in the 64-byte alphabet (it uses the low 6 bits only).

DATA b64alpha<>+0x00(SB)/8, $"ABCDEFGH"
DATA b64alpha<>+0x08(SB)/8, $"IJKLMNOP"
DATA b64alpha<>+0x10(SB)/8, $"QRSTUVWX"
DATA b64alpha<>+0x18(SB)/8, $"YZabcdef"
DATA b64alpha<>+0x20(SB)/8, $"ghijklmn"
DATA b64alpha<>+0x28(SB)/8, $"opqrstuv"
DATA b64alpha<>+0x30(SB)/8, $"wxyz0123"
DATA b64alpha<>+0x38(SB)/8, $"456789+/"
GLOBL b64alpha<>(SB), RODATA|NOPTR, $64

DATA b64spread<>+0x00(SB)/4, $0x01020001
DATA b64spread<>+0x04(SB)/4, $0x04050304
DATA b64spread<>+0x08(SB)/4, $0x07080607
DATA b64spread<>+0x0c(SB)/4, $0x0a0b090a
DATA b64spread<>+0x10(SB)/4, $0x0d0e0c0d
DATA b64spread<>+0x14(SB)/4, $0x10110f10
DATA b64spread<>+0x18(SB)/4, $0x13141213
DATA b64spread<>+0x1c(SB)/4, $0x16171516
DATA b64spread<>+0x20(SB)/4, $0x191a1819
DATA b64spread<>+0x24(SB)/4, $0x1c1d1b1c
DATA b64spread<>+0x28(SB)/4, $0x1f201e1f
DATA b64spread<>+0x2c(SB)/4, $0x22232122
DATA b64spread<>+0x30(SB)/4, $0x25262425
DATA b64spread<>+0x34(SB)/4, $0x28292728
DATA b64spread<>+0x38(SB)/4, $0x2b2c2a2b
DATA b64spread<>+0x3c(SB)/4, $0x2e2f2d2e
GLOBL b64spread<>(SB), RODATA|NOPTR, $64

// Bit offsets of the four fields in [b1 b0 b2 b1] (10, 4, 22, 16), for
// both words of a quadword.
DATA b64shifts<>+0x00(SB)/8, $0x3036242a1016040a
GLOBL b64shifts<>(SB), RODATA|NOPTR, $8

// func encodeBlocksAVX512(dst, src []byte) int
TEXT ·encodeBlocksAVX512(SB), NOSPLIT, $0-56
	MOVQ dst_base+0(FP), DI
	MOVQ dst_len+8(FP), DX
	MOVQ src_base+24(FP), SI
	MOVQ src_len+32(FP), CX
	XORQ AX, AX
	VMOVDQU64 b64alpha<>(SB), Z30
	VMOVDQU64 b64spread<>(SB), Z29
	VPBROADCASTQ b64shifts<>(SB), Z28

loop:
	// Each step loads 64 bytes (uses 48) and stores 64.
	CMPQ CX, $64
	JLT  done
	CMPQ DX, $64
	JLT  done
	VMOVDQU64      (SI), Z0
	VPERMB         Z0, Z29, Z0
	VPMULTISHIFTQB Z0, Z28, Z0
	VPERMB         Z30, Z0, Z0
	VMOVDQU64      Z0, (DI)
	ADDQ           $48, SI
	SUBQ           $48, CX
	ADDQ           $64, DI
	SUBQ           $64, DX
	ADDQ           $48, AX
	JMP            loop

done:
	VZEROUPPER
	MOVQ AX, ret+48(FP)
	RET
