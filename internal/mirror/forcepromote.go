package mirror

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/ceph/go-ceph/rbd"
	"github.com/rbdtui/rbdtui/internal/site"
	"github.com/rbdtui/rbdtui/model"
)

// StuckGrace is how long the rbd-mirror daemon of the site being promoted
// gets to let go of an image just force-promoted before its lock is broken.
// A healthy daemon lets go within a few seconds.
const StuckGrace = 10 * time.Second

// BrokeLockMessage says what breaking rbd-mirror's lock did.
func BrokeLockMessage(siteName, holder string) string {
	return fmt.Sprintf("rbd-mirror on %s held the image's exclusive lock for %s while stuck on the lost site; its lock was broken, which blocklists that rbd-mirror instance (%s): it restarts its pool replayer; check the daemon's health on %s afterwards", siteName, StuckGrace, holder, siteName)
}

// ForcePromote force-promotes an image whose primary site is lost and
// returns once the image is usable on c: no rbd-mirror instance holds it
// any more.
//
// The rbd-mirror daemon of c replays the image from the lost site, holding
// its exclusive lock, and it can stay stuck on that site for good: in
// journal mode every write is then refused with EROFS (librbd asks the lock
// owner, which answers "not promoted"); in snapshot mode the promote itself
// waits for the daemon to close the image. When the daemon's instance has
// held the image for StuckGrace, its lock is broken, which blocklists that
// instance (rbd-mirror then restarts its pool replayer with a new
// connection): only an rbd-mirror instance's lock is ever broken, never an
// application's. onBreak, if set, is told the address broken. The whole
// wait ends at deadline.
func ForcePromote(ctx context.Context, c *site.Conn, spec model.ImageSpec, deadline time.Time, onBreak func(holder string)) error {
	start := time.Now()
	done := make(chan error, 1)
	running := false
	launch := func() {
		running = true
		go func() { done <- Promote(ctx, c, spec, true) }()
	}
	launch()
	var retryAt time.Time
	promoted := false
	broken := false
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		if running {
			select {
			case err := <-done:
				running = false
				var r *Refusal
				switch {
				case err == nil, errors.As(err, &r) && isPrimaryAlready(ctx, c, spec):
					promoted = true
				case transient(err) && time.Now().Before(deadline):
					retryAt = time.Now().Add(time.Second)
				default:
					return err
				}
			default:
			}
		}
		if !promoted && !running && time.Now().After(retryAt) {
			launch()
		}
		// Until the promote is done or the grace is over, who holds the
		// image changes nothing: no probe.
		if promoted || time.Since(start) > StuckGrace {
			holder, err := MirrorLockHolder(ctx, c, spec)
			switch {
			case err != nil && promoted && time.Now().After(deadline):
				return fmt.Errorf("%s is primary on %s, but whether rbd-mirror still holds it could not be read: %w", spec, c.Name(), err)
			case err != nil:
				// A probe that failed is retried: the site's rbd-mirror may
				// be restarting after its lock was broken.
			case holder == "" && promoted:
				return nil
			case holder != "" && !broken && time.Since(start) > StuckGrace:
				broken = true
				if err := BreakLock(ctx, c, spec, holder); err != nil {
					return fmt.Errorf("rbd-mirror on %s still holds %s (lock owner %s) after %s, and breaking its lock failed: %w", c.Name(), spec, holder, StuckGrace, err)
				}
				if onBreak != nil {
					onBreak(holder)
				}
			case holder != "" && promoted && time.Now().After(deadline):
				return fmt.Errorf("%s is primary on %s, but rbd-mirror there still holds it (lock owner %s), so writes are refused (EROFS); check the rbd-mirror daemon on %s", spec, c.Name(), holder, c.Name())
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
}

// transient says whether a failed promote is worth another try.
func transient(err error) bool {
	var r *Refusal
	if errors.As(err, &r) {
		return false
	}
	return site.IsErrno(err, syscall.EBUSY) || site.IsErrno(err, syscall.EAGAIN) || site.IsErrno(err, syscall.ETIMEDOUT)
}

// isPrimaryAlready says whether a refused promote found the image primary
// already (a resumed failover).
func isPrimaryAlready(ctx context.Context, c *site.Conn, spec model.ImageSpec) bool {
	primary := false
	err := withImageBounded(ctx, c, spec, "mirror info", true, func(img *rbd.Image) error {
		i, err := info(img)
		if err == nil {
			primary = i.Primary
		}
		return err
	})
	return err == nil && primary
}

// MirrorLockHolder returns the address of the rbd-mirror instance that holds
// the image's exclusive lock on c, or "" when the lock is free or held by
// anyone else: the lock owner is the instance's only when one of the
// image's watchers has that address and the global id of the instance the
// image is mapped to.
func MirrorLockHolder(ctx context.Context, c *site.Conn, spec model.ImageSpec) (string, error) {
	holder := ""
	// Opened for writing: librbd has no exclusive-lock state (EINVAL) on
	// a read-only image. The handle registers a watch, but no lock, and the
	// promote waits only for rbd-mirror instances' watches.
	err := withImageBounded(ctx, c, spec, "read the lock owner of", false, func(img *rbd.Image) error {
		owners, err := img.LockGetOwners()
		if err != nil || len(owners) == 0 {
			return err
		}
		inst, err := img.MirrorInstanceID()
		if err != nil {
			// No instance is mapped to the image (or its status is
			// stale): then no rbd-mirror holds it.
			if site.IsErrno(err, syscall.ENOENT) || site.IsErrno(err, syscall.ESTALE) || site.IsErrno(err, syscall.EINVAL) {
				return nil
			}
			return err
		}
		// go-ceph v0.34 keeps the C string's terminating NUL.
		inst = strings.TrimRight(inst, "\x00")
		ws, err := img.ListWatchers()
		if err != nil {
			return err
		}
		for _, o := range owners {
			for _, w := range ws {
				if w.Addr == o.Owner && strconv.FormatInt(w.Id, 10) == inst {
					holder = o.Owner
					return nil
				}
			}
		}
		return nil
	})
	return holder, err
}

// BreakLock breaks the image's exclusive lock if holder still owns it
// (librbd blocklists the holder first).
func BreakLock(ctx context.Context, c *site.Conn, spec model.ImageSpec, holder string) error {
	return withImage(ctx, c, spec, "break the exclusive lock of", func(img *rbd.Image) error {
		owners, err := img.LockGetOwners()
		if err != nil {
			return err
		}
		for _, o := range owners {
			if o.Owner == holder {
				return img.LockBreak(o.Mode, o.Owner)
			}
		}
		return nil
	})
}

// withImageBounded runs fn on the image, opened read-only or for writing,
// within the site's timeout (withImage allows a management operation's).
func withImageBounded(ctx context.Context, c *site.Conn, spec model.ImageSpec, op string, readOnly bool, fn func(*rbd.Image) error) error {
	open := openRW
	if readOnly {
		open = OpenImage
	}
	img, err := open(ctx, c, spec)
	if err != nil {
		return err
	}
	_, err = site.Call(ctx, c, op+" "+spec.String(), func() (struct{}, error) {
		defer img.Close()
		return struct{}{}, fn(img)
	})
	return err
}
