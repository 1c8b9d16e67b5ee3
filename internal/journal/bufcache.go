package journal

import (
	"sync"
	"time"
)

// Object read buffers are reused between exports. An object is read into a
// buffer of the soft maximum (16 MiB at the default order), and Go zeroes
// every fresh buffer: for a 100 MiB journal that is ~14 ms of CPU per
// export, on a machine where the OSDs and the export share the CPUs. Only
// an export gives its buffers back (nothing else keeps a reference to its
// objects once it has written them); the cache empties itself when no
// export has used it for a while, so the console does not keep the memory.
type bufCache struct {
	mu    sync.Mutex
	free  [][]byte
	timer *time.Timer
}

const (
	bufCacheMax  = 32
	bufCacheIdle = 20 * time.Second
)

var objBufs bufCache

// get returns a buffer of n bytes, reused when one is big enough. Its
// content is arbitrary: readers use only the bytes they read into it.
func (c *bufCache) get(n int) []byte {
	c.mu.Lock()
	for i := len(c.free) - 1; i >= 0; i-- {
		if b := c.free[i]; cap(b) >= n {
			c.free[i] = c.free[len(c.free)-1]
			c.free = c.free[:len(c.free)-1]
			c.mu.Unlock()
			return b[:n]
		}
	}
	c.mu.Unlock()
	return make([]byte, n)
}

// put gives a buffer back; the caller must not use it any more.
func (c *bufCache) put(b []byte) {
	if cap(b) == 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.free) < bufCacheMax {
		c.free = append(c.free, b[:0])
	}
	if c.timer == nil {
		c.timer = time.AfterFunc(bufCacheIdle, c.drop)
	} else {
		c.timer.Reset(bufCacheIdle)
	}
}

func (c *bufCache) drop() {
	c.mu.Lock()
	defer c.mu.Unlock()
	clear(c.free)
	c.free = c.free[:0]
}

// cached says how many buffers are kept (tests).
func (c *bufCache) cached() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.free)
}
