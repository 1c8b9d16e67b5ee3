package labtest

import (
	"fmt"
	"sync"
	"testing"

	"github.com/ceph/go-ceph/rados"
	"github.com/ceph/go-ceph/rbd"
	"github.com/rbdtui/rbdtui/internal/lab"
	"github.com/rbdtui/rbdtui/internal/site"
)

// Admin is client.admin on one lab site with an io context on a pool: what
// tests use to create, write and read images behind the engines' backs.
// It owns what it opens and tears it down in the only safe order (images,
// then the io context, then the connection): librados aborts the process
// when a connection is shut down, by Close or by go-ceph's finalizer once
// it is unreachable, while an image opened on it is still open.
type Admin struct {
	Site *lab.SiteState
	Conn *rados.Conn
	IO   *rados.IOContext

	mu     sync.Mutex
	images []*rbd.Image
	closed bool
}

// abandoned keeps the handles of sessions whose images could not be
// closed reachable for the life of the process, so that go-ceph's
// finalizer never shuts their connection down under them.
var abandoned struct {
	sync.Mutex
	list []*Admin
}

// OpenAdmin connects as client.admin to site s and opens pool.
func OpenAdmin(s *lab.SiteState, pool string) (*Admin, error) {
	conn, err := s.AdminConn()
	if err != nil {
		return nil, err
	}
	io, err := conn.OpenIOContext(pool)
	if err != nil {
		site.Release(conn)
		return nil, fmt.Errorf("%s: open pool %s: %w", s.Name, pool, err)
	}
	return &Admin{Site: s, Conn: conn, IO: io}, nil
}

// NewAdmin is OpenAdmin on the lab's pool, closed when the test ends.
func NewAdmin(t testing.TB, s *lab.SiteState) *Admin {
	t.Helper()
	a, err := OpenAdmin(s, lab.Pool)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.Close)
	return a
}

// Open opens an image for writing (read-only when ro); Close closes it if
// the caller has not.
func (a *Admin) Open(name string, ro bool) (*rbd.Image, error) {
	var img *rbd.Image
	var err error
	if ro {
		img, err = rbd.OpenImageReadOnly(a.IO, name, rbd.NoSnapshot)
	} else {
		img, err = rbd.OpenImage(a.IO, name, rbd.NoSnapshot)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: open %s: %w", a.Site.Name, name, err)
	}
	a.mu.Lock()
	a.images = append(a.images, img)
	a.mu.Unlock()
	return img, nil
}

// WriteAt writes data at off of an image and flushes it.
func (a *Admin) WriteAt(t testing.TB, name string, off int64, data []byte) {
	t.Helper()
	img, err := a.Open(name, false)
	if err != nil {
		t.Fatal(err)
	}
	defer img.Close()
	if _, err := img.WriteAt(data, off); err != nil {
		t.Fatalf("%s: write %s: %v", a.Site.Name, name, err)
	}
	if err := img.Flush(); err != nil {
		t.Fatalf("%s: flush %s: %v", a.Site.Name, name, err)
	}
}

// ReadAt reads n bytes at off of an image's head.
func (a *Admin) ReadAt(t testing.TB, name string, off int64, n int) []byte {
	t.Helper()
	img, err := a.Open(name, true)
	if err != nil {
		t.Fatal(err)
	}
	defer img.Close()
	buf := make([]byte, n)
	if _, err := img.ReadAt(buf, off); err != nil {
		t.Fatalf("%s: read %s: %v", a.Site.Name, name, err)
	}
	return buf
}

// ReadAll reads an image's whole head.
func (a *Admin) ReadAll(t testing.TB, name string) []byte {
	t.Helper()
	img, err := a.Open(name, true)
	if err != nil {
		t.Fatal(err)
	}
	size, err := img.GetSize()
	img.Close()
	if err != nil {
		t.Fatalf("%s: size of %s: %v", a.Site.Name, name, err)
	}
	return a.ReadAt(t, name, 0, int(size))
}

// Close closes every image still open, destroys the io context and shuts
// the connection down. Closing twice is harmless. Only call it when no
// call on the session is running any more; otherwise Abandon it.
func (a *Admin) Close() {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.closed {
		return
	}
	a.closed = true
	for _, img := range a.images {
		_ = img.Close() // ErrImageNotOpen for those already closed
	}
	a.IO.Destroy()
	site.Release(a.Conn)
}

// Abandon gives up on a session that still has a call running (a workload
// stuck on a frozen site): nothing is torn down, and the session stays
// reachable until the process exits. A leak, rather than a crash.
func (a *Admin) Abandon() {
	a.mu.Lock()
	a.closed = true
	a.mu.Unlock()
	abandoned.Lock()
	abandoned.list = append(abandoned.list, a)
	abandoned.Unlock()
}
