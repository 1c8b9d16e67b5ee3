package model

import (
	"testing"
	"time"
)

func TestBytesAndAgo(t *testing.T) {
	for n, want := range map[uint64]string{0: "0 B", 512: "512 B", 4 << 10: "4 KiB", 64 << 20: "64 MiB", 1536 << 10: "1.5 MiB", 1 << 40: "1 TiB"} {
		if got := Bytes(n); got != want {
			t.Errorf("Bytes(%d) = %q, want %q", n, got, want)
		}
	}
	for d, want := range map[time.Duration]string{-time.Second: "0s ago", 5 * time.Second: "5s ago", 3 * time.Minute: "3m ago", 2*time.Hour + 5*time.Minute: "2h5m ago"} {
		if got := Ago(d); got != want {
			t.Errorf("Ago(%v) = %q, want %q", d, got, want)
		}
	}
}
