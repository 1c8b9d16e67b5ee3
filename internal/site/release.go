package site

/*
#cgo LDFLAGS: -lrados
#include <rados/librados.h>
*/
import "C"

import (
	"runtime"
	"sync/atomic"
	"unsafe"

	"github.com/ceph/go-ceph/rados"
)

// releaseUnconnected frees a client handle whose configuration or connect
// failed. go-ceph's Shutdown does nothing on a handle that never connected
// and leaves it to a GC finalizer, which calls rados_shutdown from the
// finalizer goroutine at a moment of the garbage collector's choosing,
// outside the lifecycle lock, concurrently with other connections being
// created or shut down. So the finalizer is removed and the handle is
// shut down here, under the lock.
func releaseUnconnected(conn *rados.Conn) {
	lifecycle.Lock()
	defer lifecycle.Unlock()
	runtime.SetFinalizer(conn, nil)
	C.rados_shutdown(C.rados_t(unsafe.Pointer(conn.Cluster())))
}

// leaked counts connections that became unreachable without Release.
var leaked atomic.Int64

// Leaked is the number of connections from Dial that the garbage collector
// found unreleased. Tests check that it stays zero: such a connection is
// shut down from the finalizer whatever may still be open on it, and
// librados aborts the process when an image opened on it is still open.
func Leaked() int64 { return leaked.Load() }

// guard replaces go-ceph's finalizer of a connected handle, which calls
// rados_shutdown outside the lifecycle lock, by one that counts the leak
// and shuts the handle down under the lock.
func guard(conn *rados.Conn) {
	runtime.SetFinalizer(conn, nil)
	runtime.SetFinalizer(conn, func(conn *rados.Conn) {
		leaked.Add(1)
		lifecycle.Lock()
		defer lifecycle.Unlock()
		conn.Shutdown()
	})
}
