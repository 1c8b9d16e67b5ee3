package cli

import (
	"fmt"

	"github.com/ceph/go-ceph/rados"
	"github.com/ceph/go-ceph/rbd"
)

func cephVersion() string {
	ra, rb, rc := rados.Version()
	ba, bb, bc := rbd.Version()
	return fmt.Sprintf("librados %d.%d.%d, librbd %d.%d.%d", ra, rb, rc, ba, bb, bc)
}
