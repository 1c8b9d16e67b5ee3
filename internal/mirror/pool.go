package mirror

import (
	"context"

	"github.com/ceph/go-ceph/rbd"
	"github.com/rbdtui/rbdtui/internal/site"
	"github.com/rbdtui/rbdtui/model"
)

// PoolSummary fills a pool's mirroring mode, site name, peer count and image
// count, without opening any image.
// p.Name may be the console's "pool/namespace": the namespace's mode and
// images, its pool's site name and peers.
func PoolSummary(ctx context.Context, c *site.Conn, p model.Pool) (model.Pool, error) {
	ps := consolePool(p.Name)
	io, conn, err := c.PoolHandlesNS(ctx, ps.Pool, ps.Namespace)
	if err != nil {
		return p, err
	}
	pio, err := c.IOContext(ctx, ps.Pool)
	if err != nil {
		return p, err
	}
	return site.Call(ctx, c, "read mirroring of pool "+p.Name, func() (model.Pool, error) {
		mode, err := rbd.GetMirrorMode(io)
		if err != nil {
			return p, err
		}
		p.MirrorMode = modeName(mode)
		if name, err := rbd.GetMirrorSiteName(conn); err == nil {
			p.SiteName = name
		}
		if mode != rbd.MirrorModeDisabled {
			peers, err := rbd.ListMirrorPeerSite(pio)
			if err != nil {
				return p, err
			}
			p.Peers = len(peers)
		}
		names, err := rbd.GetImageNames(io)
		if err != nil {
			return p, err
		}
		p.Images = len(names)
		return p, nil
	})
}

func modeName(m rbd.MirrorMode) string {
	switch m {
	case rbd.MirrorModeDisabled:
		return "disabled"
	case rbd.MirrorModeImage:
		return "image"
	case rbd.MirrorModePool:
		return "pool"
	}
	return "unknown"
}

// Namespaces lists a pool's rbd namespaces (one read of the pool's
// namespace directory).
func Namespaces(ctx context.Context, c *site.Conn, pool string) ([]string, error) {
	io, err := c.IOContext(ctx, pool)
	if err != nil {
		return nil, err
	}
	return site.Call(ctx, c, "list namespaces of "+pool, func() ([]string, error) { return rbd.NamespaceList(io) })
}
