//go:build !amd64

package journal

func encodeBlocks(dst, src []byte) int { return 0 }

func haveVectorBase64() bool { return false }
