package cgroup

import (
	"bytes"
	"context"
	"sort"

	"github.com/ceph/go-ceph/rbd"
	"github.com/rbdtui/rbdtui/internal/site"
	"github.com/rbdtui/rbdtui/model"
)

// restoreStats is what restoring an image to a snapshot touched.
type restoreStats struct {
	Compared int64 // bytes read from both the snapshot and the head
	Changed  int64 // bytes that differed (rewritten, when writing)
}

const (
	restoreChunk = 4 << 20
	restoreBlock = 4 << 10
)

// restore makes an image's head equal to one of its snapshots, which it
// reads by snapshot id. Pacific's rollback (rbd_snap_rollback) looks the
// snapshot up by name in the user namespace only, so it cannot reach a
// replayed group snapshot on a site where the group is unknown; reading the
// snapshot by id (rbd_snap_set_by_id) can. Only extents allocated in the
// snapshot or the head are compared, block by block, and only differing
// blocks are written; with write false it just counts them (for the plan).
func restore(ctx context.Context, c *site.Conn, img model.ImageSpec, snapID uint64, write bool) (restoreStats, error) {
	var st restoreStats
	io, err := c.IOContextNS(ctx, img.Pool, img.Namespace)
	if err != nil {
		return st, err
	}
	head, err := openImage(ctx, c, img, !write)
	if err != nil {
		return st, err
	}
	defer func() { _ = call(ctx, c, "close "+img.String(), head.Close) }()
	snap, err := site.Call(ctx, c, "open snapshot of "+img.String(), func() (*rbd.Image, error) {
		h, err := rbd.OpenImageReadOnly(io, img.Image, rbd.NoSnapshot)
		if err != nil {
			return nil, err
		}
		if err := h.SetSnapByID(snapID); err != nil {
			h.Close()
			return nil, err
		}
		return h, nil
	})
	if err != nil {
		return st, err
	}
	defer func() { _ = call(ctx, c, "close snapshot of "+img.String(), snap.Close) }()

	var snapSize, headSize uint64
	var extents [][2]uint64
	err = call(ctx, c, "map extents of "+img.String(), func() error {
		var err error
		if snapSize, err = snap.GetSize(); err != nil {
			return err
		}
		if headSize, err = head.GetSize(); err != nil {
			return err
		}
		collect := func(h *rbd.Image, size uint64) error {
			if size == 0 {
				return nil
			}
			return h.DiffIterate(rbd.DiffIterateConfig{SnapName: rbd.NoSnapshot, Offset: 0, Length: size,
				Callback: func(off, n uint64, _ int, _ interface{}) int {
					extents = append(extents, [2]uint64{off, off + n})
					return 0
				}})
		}
		if err := collect(snap, snapSize); err != nil {
			return err
		}
		return collect(head, min(headSize, snapSize))
	})
	if err != nil {
		return st, err
	}
	if headSize != snapSize {
		if headSize > snapSize {
			st.Changed += int64(headSize - snapSize)
		} else {
			st.Changed += int64(snapSize - headSize)
		}
		if write {
			if err := call(ctx, c, "resize "+img.String(), func() error { return head.Resize(snapSize) }); err != nil {
				return st, err
			}
		}
	}
	// Merge the extents, aligned to blocks.
	sort.Slice(extents, func(i, j int) bool { return extents[i][0] < extents[j][0] })
	var merged [][2]uint64
	for _, e := range extents {
		e[0] -= e[0] % restoreBlock
		if r := e[1] % restoreBlock; r != 0 {
			e[1] += restoreBlock - r
		}
		e[1] = min(e[1], snapSize)
		if n := len(merged); n > 0 && e[0] <= merged[n-1][1] {
			merged[n-1][1] = max(merged[n-1][1], e[1])
			continue
		}
		merged = append(merged, e)
	}
	a := make([]byte, restoreChunk)
	b := make([]byte, restoreChunk)
	for _, e := range merged {
		for off := e[0]; off < e[1]; off += restoreChunk {
			n := min(uint64(restoreChunk), e[1]-off)
			err := call(ctx, c, "restore "+img.String(), func() error {
				if _, err := snap.ReadAt(a[:n], int64(off)); err != nil {
					return err
				}
				if _, err := head.ReadAt(b[:n], int64(off)); err != nil {
					return err
				}
				st.Compared += int64(n)
				// Write runs of differing blocks.
				same := func(i uint64) bool {
					end := min(i+restoreBlock, n)
					return bytes.Equal(a[i:end], b[i:end])
				}
				for i := uint64(0); i < n; {
					if same(i) {
						i += restoreBlock
						continue
					}
					j := i + restoreBlock
					for j < n && !same(j) {
						j += restoreBlock
					}
					j = min(j, n)
					st.Changed += int64(j - i)
					if write {
						if _, err := head.WriteAt(a[i:j], int64(off+i)); err != nil {
							return err
						}
					}
					i = j
				}
				return nil
			})
			if err != nil {
				return st, err
			}
		}
	}
	if write {
		return st, call(ctx, c, "flush "+img.String(), head.Flush)
	}
	return st, nil
}
