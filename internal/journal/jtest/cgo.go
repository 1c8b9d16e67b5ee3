// Package jtest drives the librbd calls go-ceph does not wrap (compare-and-
// write, snapshot limits) so that the journal tests can make librbd write
// every event type. It is test support only: it opens its own cluster
// handle from a ceph.conf and a user, does one call and shuts down.
package jtest

/*
#cgo LDFLAGS: -lrados -lrbd
#include <stdlib.h>
#include <rados/librados.h>
#include <rbd/librbd.h>

static int open_image(const char *conf, const char *user, const char *keyring, const char *pool,
                      const char *image, rados_t *cluster, rados_ioctx_t *io, rbd_image_t *img) {
	int r = rados_create(cluster, user);
	if (r < 0) return r;
	r = rados_conf_read_file(*cluster, conf);
	if (r == 0 && keyring[0]) r = rados_conf_set(*cluster, "keyring", keyring);
	if (r == 0) r = rados_connect(*cluster);
	if (r == 0) r = rados_ioctx_create(*cluster, pool, io);
	if (r == 0) {
		r = rbd_open(*io, image, img, NULL);
		if (r < 0) rados_ioctx_destroy(*io);
	}
	if (r < 0) rados_shutdown(*cluster);
	return r;
}

static void close_image(rados_t cluster, rados_ioctx_t io, rbd_image_t img) {
	rbd_close(img);
	rados_ioctx_destroy(io);
	rados_shutdown(cluster);
}

static int caw(const char *conf, const char *user, const char *keyring, const char *pool, const char *image,
               uint64_t off, size_t len, const char *cmp, const char *buf) {
	rados_t c; rados_ioctx_t io; rbd_image_t img;
	int r = open_image(conf, user, keyring, pool, image, &c, &io, &img);
	if (r < 0) return r;
	uint64_t mismatch = 0;
	ssize_t n = rbd_compare_and_write(img, off, len, cmp, buf, &mismatch, 0);
	if (n >= 0) n = rbd_flush(img);
	close_image(c, io, img);
	return n < 0 ? (int)n : 0;
}

static int snap_limit(const char *conf, const char *user, const char *keyring, const char *pool, const char *image, uint64_t limit) {
	rados_t c; rados_ioctx_t io; rbd_image_t img;
	int r = open_image(conf, user, keyring, pool, image, &c, &io, &img);
	if (r < 0) return r;
	r = rbd_snap_set_limit(img, limit);
	close_image(c, io, img);
	return r;
}
*/
import "C"

import (
	"fmt"
	"unsafe"
)

// Target names an image and how to reach its cluster.
type Target struct {
	Conf, User, Keyring, Pool, Image string
}

func (t Target) cstrings() (conf, user, keyring, pool, image *C.char, free func()) {
	conf, user, keyring = C.CString(t.Conf), C.CString(t.User), C.CString(t.Keyring)
	pool, image = C.CString(t.Pool), C.CString(t.Image)
	return conf, user, keyring, pool, image, func() {
		for _, p := range []*C.char{conf, user, keyring, pool, image} {
			C.free(unsafe.Pointer(p))
		}
	}
}

// CompareAndWrite writes data at off when the image holds cmp there; cmp
// and data must have the same length.
func CompareAndWrite(t Target, off uint64, cmp, data []byte) error {
	if len(cmp) != len(data) || len(data) == 0 {
		return fmt.Errorf("compare-and-write needs equal, non-empty buffers")
	}
	conf, user, keyring, pool, image, free := t.cstrings()
	defer free()
	cb, db := C.CBytes(cmp), C.CBytes(data)
	defer C.free(cb)
	defer C.free(db)
	if r := C.caw(conf, user, keyring, pool, image, C.uint64_t(off), C.size_t(len(data)), (*C.char)(cb), (*C.char)(db)); r < 0 {
		return fmt.Errorf("rbd_compare_and_write on %s/%s: errno %d", t.Pool, t.Image, -r)
	}
	return nil
}

// SetSnapLimit sets the image's snapshot limit.
func SetSnapLimit(t Target, limit uint64) error {
	conf, user, keyring, pool, image, free := t.cstrings()
	defer free()
	if r := C.snap_limit(conf, user, keyring, pool, image, C.uint64_t(limit)); r < 0 {
		return fmt.Errorf("rbd_snap_set_limit on %s/%s: errno %d", t.Pool, t.Image, -r)
	}
	return nil
}
