package mirror

import (
	"context"
	"errors"
	"fmt"
	"syscall"
	"time"

	"github.com/ceph/go-ceph/rbd"
	"github.com/rbdtui/rbdtui/internal/site"
	"github.com/rbdtui/rbdtui/model"
)

// openRW opens an image for changes.
func openRW(ctx context.Context, c *site.Conn, spec model.ImageSpec) (*rbd.Image, error) {
	io, err := c.IOContextNS(ctx, spec.Pool, spec.Namespace)
	if err != nil {
		return nil, err
	}
	return site.Call(ctx, c, "open image "+spec.String(), func() (*rbd.Image, error) {
		img, err := rbd.OpenImage(io, spec.Image, rbd.NoSnapshot)
		if err != nil && site.IsErrno(err, syscall.ENOENT) && spec.Namespace != "" {
			if ok, nerr := rbd.NamespaceExists(io, spec.Namespace); nerr == nil && !ok {
				return nil, refuse("namespace %s does not exist in pool %s on site %s; nothing was changed", spec.Namespace, spec.Pool, c.Name())
			}
		}
		if err != nil && site.IsErrno(err, syscall.ENOENT) {
			return nil, &site.Error{Site: c.Name(), Op: "open image", Err: fmt.Errorf("image %s does not exist", spec), NotFound: true}
		}
		return img, err
	})
}

// ManagementTimeout bounds one image management operation (promote, demote,
// resync, enable, disable): more than a single op, since a forced promote in
// snapshot mode rolls the image back to its last synced snapshot.
const ManagementTimeout = 2 * time.Minute

// withImage runs fn on an image opened for changes, bounded by
// ManagementTimeout (or the site's timeout if longer), and closes it.
func withImage(ctx context.Context, c *site.Conn, spec model.ImageSpec, op string, fn func(*rbd.Image) error) error {
	img, err := openRW(ctx, c, spec)
	if err != nil {
		return err
	}
	bound := ManagementTimeout
	if c.Timeout() > bound {
		bound = c.Timeout()
	}
	_, err = site.CallFor(ctx, c, op+" "+spec.String(), bound, func() (struct{}, error) {
		defer img.Close()
		return struct{}{}, fn(img)
	})
	return err
}

// info reads an image's mirroring info.
func info(img *rbd.Image) (*rbd.MirrorImageInfo, error) { return img.GetMirrorImageInfo() }

// Refusal is model.Refusal, the one refusal type of every engine.
type Refusal = model.Refusal

func refuse(format string, args ...any) error { return model.Refusef(format, args...) }

// IsRefusal reports whether err is a refusal.
func IsRefusal(err error) bool {
	var r *Refusal
	return errors.As(err, &r)
}

// Enable turns mirroring on for an image in journal or snapshot mode.
func Enable(ctx context.Context, c *site.Conn, spec model.ImageSpec, mode string) error {
	m := rbd.ImageMirrorModeJournal
	switch mode {
	case "", model.ModeJournal:
	case model.ModeSnapshot:
		m = rbd.ImageMirrorModeSnapshot
	default:
		return refuse("mirror mode %q: use journal or snapshot", mode)
	}
	io, err := c.IOContextNS(ctx, spec.Pool, spec.Namespace)
	if err != nil {
		return err
	}
	pm, err := site.Call(ctx, c, "read pool mirror mode", func() (rbd.MirrorMode, error) { return rbd.GetMirrorMode(io) })
	if err != nil {
		return err
	}
	switch pm {
	case rbd.MirrorModeDisabled:
		return refuse("mirroring is not enabled on pool %s on site %s (run `rbdtui mirror pool enable %s image`)", spec.Pool, c.Name(), spec.Pool)
	case rbd.MirrorModePool:
		if m == rbd.ImageMirrorModeSnapshot {
			return refuse("pool %s mirrors in pool mode, which is journal-only; snapshot mirroring needs image mode", spec.Pool)
		}
	}
	return withImage(ctx, c, spec, "mirror enable", func(img *rbd.Image) error {
		if i, err := info(img); err == nil && i.State == rbd.MirrorImageEnabled {
			return refuse("mirroring is already enabled on %s", spec)
		}
		return img.MirrorEnable(m)
	})
}

// Disable turns mirroring off; force allows it on a non-primary image.
func Disable(ctx context.Context, c *site.Conn, spec model.ImageSpec, force bool) error {
	return withImage(ctx, c, spec, "mirror disable", func(img *rbd.Image) error {
		i, err := info(img)
		if err != nil {
			return err
		}
		if i.State == rbd.MirrorImageDisabled {
			return refuse("mirroring is not enabled on %s", spec)
		}
		if !i.Primary && !force {
			return refuse("%s is not primary on site %s: disabling mirroring here deletes nothing on the peer but leaves this copy orphaned; use --force to do it anyway", spec, c.Name())
		}
		return img.MirrorDisable(force)
	})
}

// Promote makes the image primary on this site. Without force it refuses
// while the peer is still primary (EBUSY from librbd).
func Promote(ctx context.Context, c *site.Conn, spec model.ImageSpec, force bool) error {
	return withImage(ctx, c, spec, "mirror promote", func(img *rbd.Image) error {
		i, err := info(img)
		if err != nil {
			return err
		}
		if i.State != rbd.MirrorImageEnabled {
			return refuse("mirroring is not enabled on %s", spec)
		}
		if i.Primary {
			return refuse("%s is already primary on site %s", spec, c.Name())
		}
		err = img.MirrorPromote(force)
		if site.IsErrno(err, syscall.EBUSY) {
			return refuse("%s is still primary on the peer site: demote it there first, or use --force if that site is lost (this causes split-brain)", spec)
		}
		return err
	})
}

// Demote makes the image non-primary on this site.
func Demote(ctx context.Context, c *site.Conn, spec model.ImageSpec) error {
	return withImage(ctx, c, spec, "mirror demote", func(img *rbd.Image) error {
		if err := demotable(img, c, spec); err != nil {
			return err
		}
		return img.MirrorDemote()
	})
}

// demotable refuses an image that is not mirrored or not primary here: the
// checks of every demotion (Demote and failover's fenced one).
func demotable(img *rbd.Image, c *site.Conn, spec model.ImageSpec) error {
	i, err := info(img)
	if err != nil {
		return err
	}
	if i.State != rbd.MirrorImageEnabled {
		return refuse("mirroring is not enabled on %s", spec)
	}
	if !i.Primary {
		return refuse("%s is not primary on site %s: nothing to demote", spec, c.Name())
	}
	return nil
}

// Resync flags a non-primary image for a full resync from the primary.
func Resync(ctx context.Context, c *site.Conn, spec model.ImageSpec) error {
	return withImage(ctx, c, spec, "mirror resync", func(img *rbd.Image) error {
		i, err := info(img)
		if err != nil {
			return err
		}
		if i.State != rbd.MirrorImageEnabled {
			return refuse("mirroring is not enabled on %s", spec)
		}
		if i.Primary {
			return refuse("%s is primary on site %s: it cannot resync from itself (resync the non-primary copy on the other site)", spec, c.Name())
		}
		return img.MirrorResync()
	})
}

// Snapshot creates a mirror snapshot of a snapshot-mode primary image.
func Snapshot(ctx context.Context, c *site.Conn, spec model.ImageSpec) (uint64, error) {
	var id uint64
	err := withImage(ctx, c, spec, "mirror image snapshot", func(img *rbd.Image) error {
		i, err := info(img)
		if err != nil {
			return err
		}
		if i.State != rbd.MirrorImageEnabled {
			return refuse("mirroring is not enabled on %s", spec)
		}
		if m, err := img.GetImageMirrorMode(); err == nil && m != rbd.ImageMirrorModeSnapshot {
			return refuse("%s mirrors in journal mode; mirror snapshots are for snapshot mode", spec)
		}
		if !i.Primary {
			return refuse("%s is not primary on site %s", spec, c.Name())
		}
		id, err = img.CreateMirrorSnapshot()
		return err
	})
	return id, err
}
