package cgroup

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"syscall"

	"github.com/ceph/go-ceph/rbd"
	"github.com/rbdtui/rbdtui/internal/site"
	"github.com/rbdtui/rbdtui/model"
)

// openImage opens an image for changes (or read-only); a missing image is a
// refusal naming the site.
func openImage(ctx context.Context, c *site.Conn, img model.ImageSpec, readOnly bool) (*rbd.Image, error) {
	io, err := c.IOContextNS(ctx, img.Pool, img.Namespace)
	if err != nil {
		return nil, err
	}
	return site.Call(ctx, c, "open image "+img.String(), func() (*rbd.Image, error) {
		var h *rbd.Image
		var err error
		if readOnly {
			h, err = rbd.OpenImageReadOnly(io, img.Image, rbd.NoSnapshot)
		} else {
			h, err = rbd.OpenImage(io, img.Image, rbd.NoSnapshot)
		}
		if site.IsErrno(err, syscall.ENOENT) {
			return nil, refuse("image %s does not exist on site %s", img, c.Name())
		}
		return h, err
	})
}

// withImage runs fn on an open image, bounded by the site's timeout.
func withImage(ctx context.Context, c *site.Conn, img model.ImageSpec, readOnly bool, op string, fn func(*rbd.Image) error) error {
	h, err := openImage(ctx, c, img, readOnly)
	if err != nil {
		return err
	}
	return call(ctx, c, op+" "+img.String(), func() error {
		defer h.Close()
		return fn(h)
	})
}

// poolMirrorMode reads the mirroring mode of a pool on a site.
func poolMirrorMode(ctx context.Context, c *site.Conn, pool, ns string) (rbd.MirrorMode, error) {
	io, err := c.IOContextNS(ctx, pool, ns)
	if err != nil {
		return 0, err
	}
	return site.Call(ctx, c, "read mirror mode of pool "+pool, func() (rbd.MirrorMode, error) { return rbd.GetMirrorMode(io) })
}

// Attach makes an image a member: it gives the image the group's journal
// settings (image metadata conf_rbd_journal_*), enables journaling, adds it
// to the group and, in a pool that mirrors in image mode, enables journal
// mirroring so the member replays with the others. An image that already
// journals is refused, as the proposal says. A failure half-way undoes the
// steps already taken.
func Attach(ctx context.Context, m *site.Manager, c *site.Conn, img model.ImageSpec, spec Spec) ([]string, error) {
	if err := mustExist(ctx, c, spec); err != nil {
		return nil, err
	}
	if img.Namespace != spec.Namespace {
		return nil, refuse("image %s and group %s are in different namespaces; rbd groups need them to match", img, spec)
	}
	rec, _, err := loadRecord(ctx, c, spec)
	if err != nil {
		return nil, err
	}
	mode, err := poolMirrorMode(ctx, c, img.Pool, img.Namespace)
	if err != nil {
		return nil, err
	}
	// Checks first: nothing changes on a refusal.
	err = withImage(ctx, c, img, true, "check", func(h *rbd.Image) error {
		if g, err := groupOf(ctx, c, h); err != nil {
			return err
		} else if g != "" {
			return refuse("image %s is already in group %s on site %s (detach it first: `rbdtui consistency-group detach %s`)", img, g, c.Name(), img)
		}
		f, err := h.GetFeatures()
		if err != nil {
			return err
		}
		if f&rbd.FeatureJournaling != 0 {
			return refuse("image %s already has journaling enabled on site %s, so it cannot take group %s's journal settings; disable it first (`rbd feature disable %s journaling`, which also stops its journal mirroring) and attach again", img, c.Name(), spec, img)
		}
		if f&rbd.FeatureExclusiveLock == 0 {
			return refuse("image %s has no exclusive-lock feature, which journaling needs (`rbd feature enable %s exclusive-lock`)", img, img)
		}
		if mi, err := h.GetMirrorImageInfo(); err == nil && mi.State == rbd.MirrorImageEnabled {
			return refuse("image %s is mirrored in snapshot mode on site %s; consistency groups replay through journals (disable its mirroring first)", img, c.Name())
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	conf := confKeys(rec.Journal)
	var undo []func()
	fail := func(err error) ([]string, error) {
		for i := len(undo) - 1; i >= 0; i-- {
			undo[i]()
		}
		return nil, fmt.Errorf("attach %s to group %s on site %s failed and was undone: %w", img, spec, c.Name(), err)
	}
	if len(conf) > 0 {
		if err := withImage(ctx, c, img, false, "set journal settings of", func(h *rbd.Image) error {
			for k, v := range conf {
				if err := h.SetMetadata(k, v); err != nil {
					return &site.Error{Site: c.Name(), Op: "set image metadata " + k + "=" + v + " on " + img.String(), Err: err}
				}
			}
			return nil
		}); err != nil {
			return fail(err)
		}
		undo = append(undo, func() { _ = clearJournalConf(ctx, c, img) })
	}
	if err := enableJournaling(ctx, c, img, layout(rec.Journal)); err != nil {
		return fail(err)
	}
	undo = append(undo, func() {
		_ = withImage(ctx, c, img, false, "disable journaling on", func(h *rbd.Image) error { return h.UpdateFeatures(rbd.FeatureJournaling, false) })
	})
	if err := ImageAdd(ctx, c, spec, img); err != nil {
		return fail(err)
	}
	undo = append(undo, func() { _ = ImageRemove(ctx, c, spec, img) })
	if mode == rbd.MirrorModeImage {
		if err := withImage(ctx, c, img, false, "enable journal mirroring on", func(h *rbd.Image) error {
			return h.MirrorEnable(rbd.ImageMirrorModeJournal)
		}); err != nil {
			return fail(err)
		}
	}
	return updateMembers(ctx, m, c, spec, rec)
}

// Detach removes an image from its group, turns off its mirroring (journal
// mirroring cannot outlive the journal; rbd-mirror then deletes the copies
// on the peers) and its journaling, and drops the group's journal settings
// from it. An image in no group is refused.
func Detach(ctx context.Context, m *site.Manager, c *site.Conn, img model.ImageSpec) ([]string, error) {
	var group string
	var mirrored bool
	err := withImage(ctx, c, img, true, "check", func(h *rbd.Image) error {
		g, err := groupOf(ctx, c, h)
		if err != nil {
			return err
		}
		if g == "" {
			return refuse("image %s is in no group on site %s: nothing to detach", img, c.Name())
		}
		group = g
		mi, err := h.GetMirrorImageInfo()
		if err == nil && mi.State == rbd.MirrorImageEnabled {
			if !mi.Primary {
				return refuse("image %s is not primary on site %s: detach it on the site where it is primary", img, c.Name())
			}
			mirrored = true
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	spec, err := ParseSpec(group, false)
	if err != nil {
		return nil, err
	}
	spec.Namespace = img.Namespace
	// In a pool-mode pool, mirroring follows journaling and cannot be
	// disabled on its own; disabling journaling below ends it.
	mode, err := poolMirrorMode(ctx, c, img.Pool, img.Namespace)
	if err != nil {
		return nil, err
	}
	if err := ImageRemove(ctx, c, spec, img); err != nil {
		return nil, err
	}
	if mirrored && mode != rbd.MirrorModePool {
		if err := withImage(ctx, c, img, false, "disable mirroring on", func(h *rbd.Image) error { return h.MirrorDisable(false) }); err != nil {
			return nil, fmt.Errorf("image %s left group %s but its mirroring could not be disabled on site %s: %w (run `rbdtui mirror image disable %s`, then `rbd feature disable %s journaling`)", img, spec, c.Name(), err, img, img)
		}
	}
	if err := withImage(ctx, c, img, false, "disable journaling on", func(h *rbd.Image) error {
		f, err := h.GetFeatures()
		if err != nil || f&rbd.FeatureJournaling == 0 {
			return err
		}
		return h.UpdateFeatures(rbd.FeatureJournaling, false)
	}); err != nil {
		return nil, fmt.Errorf("image %s left group %s but journaling could not be disabled on site %s: %w (run `rbd feature disable %s journaling`)", img, spec, c.Name(), err, img)
	}
	if err := clearJournalConf(ctx, c, img); err != nil {
		return nil, err
	}
	rec, _, err := loadRecord(ctx, c, spec)
	if err != nil {
		return nil, err
	}
	return updateMembers(ctx, m, c, spec, rec)
}

// enableJournaling turns journaling on with the group's layout. librbd
// takes a new journal's order, splay width and pool only from the client
// configuration (they are refused as image overrides), so with a layout the
// image is opened on a separate short-lived connection that carries it, as
// the rbd CLI does for `feature enable --journal-*`.
func enableJournaling(ctx context.Context, c *site.Conn, img model.ImageSpec, opts map[string]string) error {
	if len(opts) == 0 {
		return withImage(ctx, c, img, false, "enable journaling on", func(h *rbd.Image) error {
			return h.UpdateFeatures(rbd.FeatureJournaling, true)
		})
	}
	return call(ctx, c, "enable journaling on "+img.String(), func() error {
		conn, err := c.DialWith(opts)
		if err != nil {
			return err
		}
		defer site.Release(conn)
		io, err := conn.OpenIOContext(img.Pool)
		if err != nil {
			return err
		}
		defer io.Destroy()
		io.SetNamespace(img.Namespace)
		h, err := rbd.OpenImage(io, img.Image, rbd.NoSnapshot)
		if err != nil {
			return err
		}
		defer h.Close()
		return h.UpdateFeatures(rbd.FeatureJournaling, true)
	})
}

func clearJournalConf(ctx context.Context, c *site.Conn, img model.ImageSpec) error {
	return withImage(ctx, c, img, false, "remove journal settings of", func(h *rbd.Image) error {
		md, err := h.ListMetadata()
		if err != nil {
			return err
		}
		for k := range md {
			if isJournalConf(k) {
				if err := h.RemoveMetadata(k); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// updateMembers stores the group's current member list in its record on
// every site.
func updateMembers(ctx context.Context, m *site.Manager, c *site.Conn, spec Spec, rec Record) ([]string, error) {
	imgs, err := ImageList(ctx, c, spec)
	if err != nil {
		return nil, err
	}
	rec.Members = membersOf(imgs)
	return everySite(ctx, m, c, "store the members of group "+spec.String(), func(s *site.Conn) error { return storeRecord(ctx, s, spec, rec) })
}

func membersOf(imgs []model.GroupImage) []string {
	out := []string{}
	for _, i := range imgs {
		out = append(out, memberSpec(i.Pool, i.Namespace, i.Image))
	}
	sort.Strings(out)
	return out
}

// journalSettingsOf reads the journal overrides a member carries.
func journalSettingsOf(h *rbd.Image) map[string]string {
	md, err := h.ListMetadata()
	if err != nil {
		return nil
	}
	out := map[string]string{}
	for k, v := range md {
		if isJournalConf(k) {
			out[strings.TrimPrefix(k, "conf_")] = v
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}
