package mirror

import (
	"context"
	"fmt"
	"sort"
	"syscall"
	"time"

	"github.com/ceph/go-ceph/rbd"
	"github.com/rbdtui/rbdtui/internal/site"
	"github.com/rbdtui/rbdtui/model"
)

// OpenImage opens an image read-only on a site with a clear error for a
// missing pool or image.
func OpenImage(ctx context.Context, c *site.Conn, spec model.ImageSpec) (*rbd.Image, error) {
	io, err := c.IOContextNS(ctx, spec.Pool, spec.Namespace)
	if err != nil {
		return nil, err
	}
	return site.Call(ctx, c, "open image "+spec.String(), func() (*rbd.Image, error) {
		img, err := rbd.OpenImageReadOnly(io, spec.Image, rbd.NoSnapshot)
		if err != nil && site.IsErrno(err, syscall.ENOENT) {
			return nil, &site.Error{Site: c.Name(), Op: "open image", Err: fmt.Errorf("image %s does not exist", spec), NotFound: true}
		}
		return img, err
	})
}

// Detail opens one image and reads what the listings do not carry.
func Detail(ctx context.Context, c *site.Conn, spec model.ImageSpec) (model.ImageDetail, error) {
	var d model.ImageDetail
	img, err := OpenImage(ctx, c, spec)
	if err != nil {
		return d, err
	}
	return site.Call(ctx, c, "read image "+spec.String(), func() (model.ImageDetail, error) {
		defer img.Close()
		d.Site, d.Pool, d.Namespace, d.Name = c.Name(), spec.Pool, spec.Namespace, spec.Image
		st, err := img.Stat()
		if err != nil {
			return d, err
		}
		d.Size, d.ObjectSize = st.Size, st.Obj_size
		if d.ID, err = img.GetId(); err != nil {
			return d, err
		}
		f, err := img.GetFeatures()
		if err != nil {
			return d, err
		}
		fs := rbd.FeatureSet(f)
		d.Features = fs.Names()
		sort.Strings(d.Features)
		if f&rbd.FeatureJournaling != 0 {
			d.Journal = &model.JournalSettings{ID: d.ID}
		}
		if ws, err := img.ListWatchers(); err == nil {
			for _, w := range ws {
				d.Watchers = append(d.Watchers, model.Watcher{Address: w.Addr, Client: uint64(w.Id), Cookie: w.Cookie})
			}
		}
		if g, err := img.GetGroup(); err == nil && g.Name != "" {
			d.Group = g.Name
		}
		if snaps, err := img.GetSnapshotNames(); err == nil {
			for _, s := range snaps {
				snap := model.Snapshot{ID: s.Id, Name: s.Name, Size: s.Size, Namespace: "user"}
				if ts, err := img.GetSnapTimestamp(s.Id); err == nil {
					snap.Timestamp = time.Unix(ts.Sec, ts.Nsec)
				}
				d.Snapshots = append(d.Snapshots, snap)
			}
		}
		if md, err := img.ListMetadata(); err == nil && len(md) > 0 {
			d.Metadata = md
		}
		if ts, err := img.GetCreateTimestamp(); err == nil {
			d.CreateTime = time.Unix(ts.Sec, ts.Nsec)
		}
		if ts, err := img.GetModifyTimestamp(); err == nil {
			d.ModifyTime = time.Unix(ts.Sec, ts.Nsec)
		}
		if info, err := img.GetMirrorImageInfo(); err == nil {
			d.MirrorState = imageStateName(info.State)
			d.GlobalID = info.GlobalID
			d.Primary = info.Primary
			if d.MirrorState == model.MirrorEnabled {
				if m, err := img.GetImageMirrorMode(); err == nil {
					d.MirrorMode = imageModeName(m)
				}
				if gs, err := img.GetGlobalMirrorStatus(); err == nil {
					l := &PoolListing{Statuses: map[string]rbd.GlobalMirrorImageStatus{d.ID: gs}, Names: []string{d.Name}, named: true}
					if d.MirrorMode != "" {
						l.Modes = map[string]rbd.ImageMirrorMode{d.ID: modeOf(d.MirrorMode)}
					}
					l.Primary = map[string]bool{d.ID: d.Primary}
					if io, err := c.IOContext(ctx, spec.Pool); err == nil {
						l.Peers, _ = rbd.ListMirrorPeerSite(io)
						if conn, err := c.Rados(ctx); err == nil {
							l.SiteName, _ = rbd.GetMirrorSiteName(conn)
						}
					}
					if imgs := l.Images(c.Name(), spec.Pool); len(imgs) == 1 {
						d.Local, d.Peers = imgs[0].Local, imgs[0].Peers
					}
				}
			}
		}
		d.Class = Classify(&d.Image)
		d.Health = ImageHealth(&d.Image)
		return d, nil
	})
}

func modeOf(s string) rbd.ImageMirrorMode {
	if s == model.ModeSnapshot {
		return rbd.ImageMirrorModeSnapshot
	}
	return rbd.ImageMirrorModeJournal
}
