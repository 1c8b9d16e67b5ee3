package journal

import "testing"

func TestBufCacheReusesAndDrops(t *testing.T) {
	var c bufCache
	a := c.get(1 << 20)
	if len(a) != 1<<20 {
		t.Fatalf("get gave %d bytes", len(a))
	}
	a[0] = 7
	c.put(a)
	if c.cached() != 1 {
		t.Fatalf("%d buffers cached after one put", c.cached())
	}
	if b := c.get(2 << 20); &b[0] == &a[0] {
		t.Fatal("a buffer too small was handed out")
	}
	b := c.get(512 << 10)
	if len(b) != 512<<10 || &b[0] != &a[0] {
		t.Fatal("the cached buffer was not reused for a smaller read")
	}
	if c.cached() != 0 {
		t.Fatal("a reused buffer stayed in the cache")
	}
	for i := 0; i < bufCacheMax+5; i++ {
		c.put(make([]byte, 1))
	}
	if c.cached() != bufCacheMax {
		t.Fatalf("%d buffers cached, at most %d expected", c.cached(), bufCacheMax)
	}
	c.drop()
	if c.cached() != 0 {
		t.Fatal("drop kept buffers")
	}
	c.timer.Stop()
}
