package mirror

/*
#cgo LDFLAGS: -lrbd -lrados
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <rados/librados.h>
#include <rbd/librbd.h>
*/
import "C"

import (
	"fmt"
	"unsafe"

	"github.com/ceph/go-ceph/rados"
)

// MirrorSnap is a mirror snapshot of an image, as `rbd mirror image status`
// lists them for a primary snapshot-mode image.
type MirrorSnap struct {
	ID              uint64   `json:"id"`
	Name            string   `json:"name"`
	Demoted         bool     `json:"demoted"`
	MirrorPeerUUIDs []string `json:"mirror_peer_uuids"`
	// Not in rbd's JSON: the rest of the mirror namespace.
	State    string `json:"-"`
	Complete bool   `json:"-"`
	// PrimarySnapID is, on a non-primary copy, the id of the primary's
	// snapshot this one copies.
	PrimarySnapID uint64 `json:"-"`
}

// Mirror snapshot states.
const (
	SnapPrimary             = "primary"
	SnapPrimaryDemoted      = "primary-demoted"
	SnapNonPrimary          = "non-primary"
	SnapNonPrimaryDemoted   = "non-primary-demoted"
	snapNamespaceTypeMirror = 3
)

// MirrorSnapshots lists an image's mirror-namespace snapshots. go-ceph does
// not wrap rbd_snap_get_mirror_namespace, so this opens the image through
// librbd's C API on go-ceph's io context.
func MirrorSnapshots(io *rados.IOContext, image string) ([]MirrorSnap, error) {
	cName := C.CString(image)
	defer C.free(unsafe.Pointer(cName))
	var img C.rbd_image_t
	if ret := C.rbd_open_read_only(C.rados_ioctx_t(io.Pointer()), cName, &img, nil); ret < 0 {
		return nil, fmt.Errorf("open %s: %w", image, errnoErr(ret))
	}
	defer C.rbd_close(img)
	max := C.int(64)
	var snaps []C.rbd_snap_info_t
	for {
		snaps = make([]C.rbd_snap_info_t, max)
		ret := C.rbd_snap_list(img, &snaps[0], &max)
		if ret == -C.ERANGE {
			continue
		}
		if ret < 0 {
			return nil, fmt.Errorf("list snapshots of %s: %w", image, errnoErr(ret))
		}
		snaps = snaps[:ret]
		break
	}
	if len(snaps) > 0 {
		defer C.rbd_snap_list_end(&snaps[0])
	}
	var out []MirrorSnap
	for _, s := range snaps {
		var t C.rbd_snap_namespace_type_t
		if C.rbd_snap_get_namespace_type(img, s.id, &t) < 0 || int(t) != snapNamespaceTypeMirror {
			continue
		}
		var ns C.rbd_snap_mirror_namespace_t
		if ret := C.rbd_snap_get_mirror_namespace(img, s.id, &ns, C.size_t(unsafe.Sizeof(ns))); ret < 0 {
			continue
		}
		ms := MirrorSnap{ID: uint64(s.id), Name: C.GoString(s.name), Complete: bool(ns.complete), MirrorPeerUUIDs: []string{},
			PrimarySnapID: uint64(ns.primary_snap_id)}
		switch ns.state {
		case C.RBD_SNAP_MIRROR_STATE_PRIMARY:
			ms.State = SnapPrimary
		case C.RBD_SNAP_MIRROR_STATE_PRIMARY_DEMOTED:
			ms.State, ms.Demoted = SnapPrimaryDemoted, true
		case C.RBD_SNAP_MIRROR_STATE_NON_PRIMARY:
			ms.State = SnapNonPrimary
		default:
			ms.State, ms.Demoted = SnapNonPrimaryDemoted, true
		}
		// mirror_peer_uuids is a run of NUL-terminated strings.
		p := ns.mirror_peer_uuids
		for i := 0; i < int(ns.mirror_peer_uuids_count); i++ {
			u := C.GoString(p)
			ms.MirrorPeerUUIDs = append(ms.MirrorPeerUUIDs, u)
			p = (*C.char)(unsafe.Add(unsafe.Pointer(p), len(u)+1))
		}
		C.rbd_snap_mirror_namespace_cleanup(&ns, C.size_t(unsafe.Sizeof(ns)))
		out = append(out, ms)
	}
	return out, nil
}

type cephErrno int

func (e cephErrno) Error() string  { return fmt.Sprintf("errno %d", int(e)) }
func (e cephErrno) ErrorCode() int { return int(e) }
func errnoErr(ret C.int) error     { return cephErrno(-ret) }
