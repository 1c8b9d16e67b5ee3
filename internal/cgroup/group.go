package cgroup

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"syscall"

	"github.com/ceph/go-ceph/rados"
	"github.com/ceph/go-ceph/rbd"
	"github.com/rbdtui/rbdtui/internal/mirror"
	"github.com/rbdtui/rbdtui/internal/release"
	"github.com/rbdtui/rbdtui/internal/site"
	"github.com/rbdtui/rbdtui/model"
)

// refuse is a request that is wrong in the current state; nothing changed.
// It is the mirror engine's Refusal, so every front end treats both alike.
func refuse(format string, args ...any) error {
	return &mirror.Refusal{Msg: fmt.Sprintf(format, args...)}
}

// IsRefusal reports whether err is a refusal (exit code 2 on the CLI).
func IsRefusal(err error) bool { return mirror.IsRefusal(err) }

// call runs fn bounded by the site's timeout.
func call(ctx context.Context, c *site.Conn, op string, fn func() error) error {
	_, err := site.Call(ctx, c, op, func() (struct{}, error) { return struct{}{}, fn() })
	return err
}

func groupIO(ctx context.Context, c *site.Conn, spec Spec) (*rados.IOContext, error) {
	return c.IOContextNS(ctx, spec.Pool, spec.Namespace)
}

// List returns the groups of a pool (namespace) on one site, sorted.
func List(ctx context.Context, c *site.Conn, pool, ns string) ([]string, error) {
	io, err := c.IOContextNS(ctx, pool, ns)
	if err != nil {
		return nil, err
	}
	names, err := site.Call(ctx, c, "list groups of pool "+pool, func() ([]string, error) { return rbd.GroupList(io) })
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	if names == nil {
		names = []string{}
	}
	return names, nil
}

// exists reports whether the group exists on site c.
func exists(ctx context.Context, c *site.Conn, spec Spec) (bool, error) {
	names, err := List(ctx, c, spec.Pool, spec.Namespace)
	if err != nil {
		return false, err
	}
	for _, n := range names {
		if n == spec.Group {
			return true, nil
		}
	}
	return false, nil
}

// mustExist refuses an unknown group, naming the groups that do exist.
func mustExist(ctx context.Context, c *site.Conn, spec Spec) error {
	names, err := List(ctx, c, spec.Pool, spec.Namespace)
	if err != nil {
		return err
	}
	for _, n := range names {
		if n == spec.Group {
			return nil
		}
	}
	have := "none"
	if len(names) > 0 {
		have = strings.Join(names, ", ")
	}
	return refuse("group %s does not exist on site %s (groups in pool %s: %s; create it with `rbdtui consistency-group create %s`)", spec.WithoutSnap(), c.Name(), spec.Pool, have, spec.WithoutSnap())
}

// Create makes the rbd group and records its journal settings on every site.
func Create(ctx context.Context, m *site.Manager, c *site.Conn, spec Spec, j model.GroupJournal) ([]string, error) {
	if err := validate(j); err != nil {
		return nil, refuse("group %s: %v", spec, err)
	}
	if j.ObjectPool != "" {
		if _, err := c.IOContext(ctx, j.ObjectPool); err != nil {
			return nil, refuse("group %s: journal object pool %s does not exist on site %s (create it, or leave --object-pool out)", spec, j.ObjectPool, c.Name())
		}
	}
	ok, err := exists(ctx, c, spec)
	if err != nil {
		return nil, err
	}
	if ok {
		return nil, refuse("group %s already exists on site %s", spec, c.Name())
	}
	io, err := groupIO(ctx, c, spec)
	if err != nil {
		return nil, err
	}
	if err := call(ctx, c, "create group "+spec.String(), func() error { return rbd.GroupCreate(io, spec.Group) }); err != nil {
		return nil, err
	}
	rec := Record{Journal: j, Members: []string{}}
	warn, err := everySite(ctx, m, c, "store the record of group "+spec.String(), func(s *site.Conn) error { return storeRecord(ctx, s, spec, rec) })
	if err != nil {
		_ = call(ctx, c, "remove group "+spec.String(), func() error { return rbd.GroupRemove(io, spec.Group) })
		return nil, fmt.Errorf("group %s: could not store its journal settings on site %s, so the group was removed again: %w", spec, c.Name(), err)
	}
	return warn, nil
}

// Rename renames the group and moves its record on every site.
func Rename(ctx context.Context, m *site.Manager, c *site.Conn, spec Spec, newName string) ([]string, error) {
	if newName == "" || strings.ContainsAny(newName, "/@") {
		return nil, refuse("new group name %q: a plain name is needed (a rename cannot move a group to another pool or namespace)", newName)
	}
	if err := mustExist(ctx, c, spec); err != nil {
		return nil, err
	}
	dest := spec
	dest.Group = newName
	if ok, err := exists(ctx, c, dest); err != nil {
		return nil, err
	} else if ok {
		return nil, refuse("group %s already exists on site %s", dest, c.Name())
	}
	io, err := groupIO(ctx, c, spec)
	if err != nil {
		return nil, err
	}
	if err := call(ctx, c, "rename group "+spec.String(), func() error { return rbd.GroupRename(io, spec.Group, newName) }); err != nil {
		return nil, err
	}
	return everySite(ctx, m, c, "move the record of group "+spec.String(), func(s *site.Conn) error {
		rec, found, err := loadRecord(ctx, s, spec)
		if err != nil || !found {
			return err
		}
		if err := storeRecord(ctx, s, dest, rec); err != nil {
			return err
		}
		return dropRecord(ctx, s, spec)
	})
}

// Remove deletes an empty group; a group with members is refused, as the
// proposal says.
func Remove(ctx context.Context, m *site.Manager, c *site.Conn, spec Spec) ([]string, error) {
	return remove(ctx, m, c, spec, false)
}

// RemoveWithMembers is `rbd group remove`: the group goes even with members,
// which stay as images outside any group.
func RemoveWithMembers(ctx context.Context, m *site.Manager, c *site.Conn, spec Spec) ([]string, error) {
	return remove(ctx, m, c, spec, true)
}

func remove(ctx context.Context, m *site.Manager, c *site.Conn, spec Spec, withMembers bool) ([]string, error) {
	if err := mustExist(ctx, c, spec); err != nil {
		return nil, err
	}
	imgs, err := ImageList(ctx, c, spec)
	if err != nil {
		return nil, err
	}
	if len(imgs) > 0 && !withMembers {
		var names []string
		for _, i := range imgs {
			names = append(names, memberSpec(i.Pool, i.Namespace, i.Image))
		}
		return nil, refuse("group %s on site %s still has %d member(s): %s; detach them first (`rbdtui consistency-group detach <image>`)", spec, c.Name(), len(imgs), strings.Join(names, ", "))
	}
	io, err := groupIO(ctx, c, spec)
	if err != nil {
		return nil, err
	}
	if err := call(ctx, c, "remove group "+spec.String(), func() error { return rbd.GroupRemove(io, spec.Group) }); err != nil {
		return nil, err
	}
	return everySite(ctx, m, c, "remove the record of group "+spec.String(), func(s *site.Conn) error { return dropRecord(ctx, s, spec) })
}

// ImageList lists the group's images as rbd group image ls does.
func ImageList(ctx context.Context, c *site.Conn, spec Spec) ([]model.GroupImage, error) {
	if err := mustExist(ctx, c, spec); err != nil {
		return nil, err
	}
	io, err := groupIO(ctx, c, spec)
	if err != nil {
		return nil, err
	}
	conn, err := c.Rados(ctx)
	if err != nil {
		return nil, err
	}
	return site.Call(ctx, c, "list images of group "+spec.String(), func() ([]model.GroupImage, error) {
		l, err := rbd.GroupImageList(io, spec.Group)
		if err != nil {
			return nil, err
		}
		out := []model.GroupImage{}
		for _, gi := range l {
			pool, err := conn.GetPoolByID(gi.PoolID)
			if err != nil {
				pool = fmt.Sprint(gi.PoolID)
			}
			out = append(out, model.GroupImage{Image: gi.Name, Pool: pool, Namespace: spec.Namespace, State: int(gi.State)})
		}
		sort.Slice(out, func(i, j int) bool {
			return memberSpec(out[i].Pool, "", out[i].Image) < memberSpec(out[j].Pool, "", out[j].Image)
		})
		return out, nil
	})
}

// imageGroup opens an image and reads the group it is in ("" if none).
func imageGroup(ctx context.Context, c *site.Conn, img model.ImageSpec) (string, error) {
	h, err := mirror.OpenImage(ctx, c, img)
	if err != nil {
		return "", err
	}
	return site.Call(ctx, c, "read group of "+img.String(), func() (string, error) {
		defer h.Close()
		return groupOf(ctx, c, h)
	})
}

// groupOf is the group spec an open image belongs to, or "".
func groupOf(ctx context.Context, c *site.Conn, h *rbd.Image) (string, error) {
	g, err := h.GetGroup()
	if err != nil || g.Name == "" {
		return "", err
	}
	conn, err := c.Rados(ctx)
	if err != nil {
		return "", err
	}
	pool, err := conn.GetPoolByID(g.PoolID)
	if err != nil {
		pool = fmt.Sprint(g.PoolID)
	}
	return pool + "/" + g.Name, nil
}

// ImageAdd adds an image to the group as rbd group image add does: no
// journaling change (attach does that).
func ImageAdd(ctx context.Context, c *site.Conn, spec Spec, img model.ImageSpec) error {
	if err := mustExist(ctx, c, spec); err != nil {
		return err
	}
	if img.Namespace != spec.Namespace {
		return refuse("image %s and group %s are in different namespaces; rbd groups need them to match", img, spec)
	}
	g, err := imageGroup(ctx, c, img)
	if err != nil {
		return err
	}
	if g != "" {
		return refuse("image %s is already in group %s on site %s; remove it from there first", img, g, c.Name())
	}
	gio, err := groupIO(ctx, c, spec)
	if err != nil {
		return err
	}
	iio, err := c.IOContextNS(ctx, img.Pool, img.Namespace)
	if err != nil {
		return err
	}
	return call(ctx, c, "add "+img.String()+" to group "+spec.String(), func() error {
		return rbd.GroupImageAdd(gio, spec.Group, iio, img.Image)
	})
}

// ImageRemove removes an image from the group, as rbd group image rm.
func ImageRemove(ctx context.Context, c *site.Conn, spec Spec, img model.ImageSpec) error {
	if err := mustExist(ctx, c, spec); err != nil {
		return err
	}
	l, err := ImageList(ctx, c, spec)
	if err != nil {
		return err
	}
	found := false
	for _, gi := range l {
		found = found || (gi.Pool == img.Pool && gi.Image == img.Image)
	}
	if !found {
		return refuse("image %s is not in group %s on site %s", img, spec, c.Name())
	}
	gio, err := groupIO(ctx, c, spec)
	if err != nil {
		return err
	}
	iio, err := c.IOContextNS(ctx, img.Pool, img.Namespace)
	if err != nil {
		return err
	}
	return call(ctx, c, "remove "+img.String()+" from group "+spec.String(), func() error {
		return rbd.GroupImageRemove(gio, spec.Group, iio, img.Image)
	})
}

// SnapCreate takes a group snapshot: one crash-consistent point of every
// member (librbd blocks writes on all members while it snapshots them).
func SnapCreate(ctx context.Context, c *site.Conn, spec Spec) error {
	if err := mustExist(ctx, c, spec); err != nil {
		return err
	}
	snaps, err := SnapList(ctx, c, spec)
	if err != nil {
		return err
	}
	for _, s := range snaps {
		if s.Snapshot == spec.Snap {
			return refuse("group snapshot %s already exists on site %s", spec, c.Name())
		}
	}
	io, err := groupIO(ctx, c, spec)
	if err != nil {
		return err
	}
	err = call(ctx, c, "create group snapshot "+spec.String(), func() error { return rbd.GroupSnapCreate(io, spec.Group, spec.Snap) })
	if site.IsErrno(err, syscall.EROFS) || site.IsErrno(err, syscall.EPERM) {
		return refuse("group snapshot %s: a member is not primary on site %s; take consistency points on the primary site (%v)", spec, c.Name(), err)
	}
	return err
}

// SnapList lists group snapshots as rbd group snap ls does.
func SnapList(ctx context.Context, c *site.Conn, spec Spec) ([]model.GroupSnap, error) {
	if err := mustExist(ctx, c, spec); err != nil {
		return nil, err
	}
	io, err := groupIO(ctx, c, spec)
	if err != nil {
		return nil, err
	}
	return site.Call(ctx, c, "list snapshots of group "+spec.String(), func() ([]model.GroupSnap, error) {
		l, err := rbd.GroupSnapList(io, spec.Group)
		if err != nil {
			return nil, err
		}
		out := []model.GroupSnap{}
		for _, s := range l {
			st := GroupSnapComplete()
			if s.State != rbd.GroupSnapStateComplete {
				st = "incomplete"
			}
			out = append(out, model.GroupSnap{Snapshot: s.Name, State: st})
		}
		return out, nil
	})
}

// GroupSnapComplete is the state rbd group snap ls prints for a complete
// group snapshot: "ok" in rbd 16 and 18, "complete" in rbd 20.
func GroupSnapComplete() string {
	if release.JSON20() {
		return "complete"
	}
	return "ok"
}

func mustHaveSnap(ctx context.Context, c *site.Conn, spec Spec) error {
	snaps, err := SnapList(ctx, c, spec)
	if err != nil {
		return err
	}
	var names []string
	for _, s := range snaps {
		if s.Snapshot == spec.Snap {
			return nil
		}
		names = append(names, s.Snapshot)
	}
	have := "none"
	if len(names) > 0 {
		have = strings.Join(names, ", ")
	}
	return refuse("group snapshot %s does not exist on site %s (snapshots: %s)", spec, c.Name(), have)
}

// SnapRemove removes a group snapshot.
func SnapRemove(ctx context.Context, c *site.Conn, spec Spec) error {
	if err := mustHaveSnap(ctx, c, spec); err != nil {
		return err
	}
	io, err := groupIO(ctx, c, spec)
	if err != nil {
		return err
	}
	return call(ctx, c, "remove group snapshot "+spec.String(), func() error { return rbd.GroupSnapRemove(io, spec.Group, spec.Snap) })
}

// SnapRename renames a group snapshot.
func SnapRename(ctx context.Context, c *site.Conn, spec Spec, dest string) error {
	if err := mustHaveSnap(ctx, c, spec); err != nil {
		return err
	}
	if dest == "" || strings.ContainsAny(dest, "/@") {
		return refuse("new snapshot name %q: a plain name is needed", dest)
	}
	io, err := groupIO(ctx, c, spec)
	if err != nil {
		return err
	}
	return call(ctx, c, "rename group snapshot "+spec.String(), func() error { return rbd.GroupSnapRename(io, spec.Group, spec.Snap, dest) })
}

// SnapRollback rolls every member back to a group snapshot (rbd group snap
// rollback): members must be primary here and not in use.
func SnapRollback(ctx context.Context, c *site.Conn, spec Spec) error {
	if err := mustHaveSnap(ctx, c, spec); err != nil {
		return err
	}
	io, err := groupIO(ctx, c, spec)
	if err != nil {
		return err
	}
	err = call(ctx, c, "roll back group "+spec.WithoutSnap().String()+" to "+spec.Snap, func() error { return rbd.GroupSnapRollback(io, spec.Group, spec.Snap) })
	if site.IsErrno(err, syscall.EROFS) || site.IsErrno(err, syscall.EBUSY) {
		return refuse("group %s on site %s: a member is not primary here or is in use (%v); stop its users, or roll back on the primary site", spec.WithoutSnap(), c.Name(), err)
	}
	return err
}
