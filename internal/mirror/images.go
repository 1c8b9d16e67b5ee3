package mirror

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/ceph/go-ceph/rados"
	"github.com/ceph/go-ceph/rbd"
	"github.com/rbdtui/rbdtui/internal/journal"
	"github.com/rbdtui/rbdtui/internal/site"
	"github.com/rbdtui/rbdtui/model"
)

// batch is the listing batch size: go-ceph's iterators fetch 64 at a time,
// which made listing 2 x 1,103 statuses take ~200 ms; 1,024 took ~50 ms.
const batch = 1024

// StateName maps go-ceph's status state to rbd's word.
func StateName(s rbd.MirrorImageStatusState) string {
	switch s {
	case rbd.MirrorImageStatusStateError:
		return model.StateError
	case rbd.MirrorImageStatusStateSyncing:
		return model.StateSyncing
	case rbd.MirrorImageStatusStateStartingReplay:
		return model.StateStartingReplay
	case rbd.MirrorImageStatusStateReplaying:
		return model.StateReplaying
	case rbd.MirrorImageStatusStateStoppingReplay:
		return model.StateStoppingReplay
	case rbd.MirrorImageStatusStateStopped:
		return model.StateStopped
	}
	return model.StateUnknown
}

func imageStateName(s rbd.MirrorImageState) string {
	switch s {
	case rbd.MirrorImageEnabled:
		return model.MirrorEnabled
	case rbd.MirrorImageDisabling:
		return model.MirrorDisabling
	}
	return model.MirrorDisabled
}

func imageModeName(m rbd.ImageMirrorMode) string {
	if m == rbd.ImageMirrorModeSnapshot {
		return model.ModeSnapshot
	}
	return model.ModeJournal
}

// PoolListing is everything the batched listings say about a pool.
type PoolListing struct {
	Names    []string
	Statuses map[string]rbd.GlobalMirrorImageStatus // by image id
	Modes    map[string]rbd.ImageMirrorMode         // by image id
	// Primary comes from the info listing: the global status listing
	// always reports primary=false on Pacific.
	Primary  map[string]bool // by image id
	Peers    []*rbd.MirrorPeerSite
	SiteName string
	// Namespace is the listed namespace ("" for the pool's default one).
	Namespace string
	// named says Names lists every image; without it the listing holds
	// the images with a mirror status only.
	named bool
	// Dir is Names with the directory version they were read at.
	Dir DirNames
	// cls is the status listing as cls_rbd returned it (nil when librbd
	// listed it instead).
	cls *clsListing
}

// ListAll fetches a pool's image names, global mirror statuses and mirror
// modes with batched calls, in parallel, without opening any image.
//
// pool may name a namespace as "pool/namespace", as the console's tree does
// (a namespace is a node under its pool, and "pool/ns" + "/" + image is the
// image's spec); its images then carry that name as their Pool.
func ListAll(ctx context.Context, c *site.Conn, pool string) (*PoolListing, error) {
	return listAll(ctx, c, consolePool(pool), listInfo|listNames)
}

// consolePool reads the console's pool name: "pool" or "pool/namespace".
func consolePool(pool string) model.PoolSpec {
	if i := strings.IndexByte(pool, '/'); i > 0 {
		return model.PoolSpec{Pool: pool[:i], Namespace: pool[i+1:]}
	}
	return model.PoolSpec{Pool: pool}
}

// ListAllNS is ListAll for one namespace of a pool ("" is the pool's
// default namespace).
func ListAllNS(ctx context.Context, c *site.Conn, pool, ns string) (*PoolListing, error) {
	return listAll(ctx, c, model.PoolSpec{Pool: pool, Namespace: ns}, listInfo|listNames)
}

// nsHandles returns the io context of a pool's namespace and the cluster
// connection it belongs to.
func nsHandles(ctx context.Context, c *site.Conn, pool, ns string) (*rados.IOContext, *rados.Conn, error) {
	return PoolHandles(ctx, c, model.PoolSpec{Pool: pool, Namespace: ns})
}

// where names a pool or one of its namespaces in messages.
func where(pool, ns string) string {
	return poolSpecString(model.PoolSpec{Pool: pool, Namespace: ns})
}

// ListStatuses is ListAll without the mirror info listing (mode and
// primary), which librbd builds by reading every image's mirroring state:
// about 0.5 s for 1,000 images, where everything else takes ~10 ms. rbd's
// status JSON needs neither field; the poller keeps them in an InfoCache.
func ListStatuses(ctx context.Context, c *site.Conn, pool string) (*PoolListing, error) {
	return listAll(ctx, c, consolePool(pool), listNames)
}

// listStatusesSince is ListStatuses that reuses the names of an earlier
// listing when the pool's image directory has not changed since (see
// readNames).
func listStatusesSince(ctx context.Context, c *site.Conn, pool string, prev *DirNames) (*PoolListing, error) {
	return listAllSince(ctx, c, consolePool(pool), listNames, prev)
}

// DirNames are the image names of a pool (or namespace), and the name of
// each image id, with the version of its rbd_directory object they were
// read at.
type DirNames struct {
	Version uint64
	Names   []string
	NameOf  map[string]string // by image id
}

// readNames lists the images of io's pool and namespace from rbd_directory
// (what librbd's list_images_v2 reads: its "name_<name>" keys hold each
// image's id), or returns prev when that object is still at the version
// prev was read at: every create, rename, removal and move to the trash
// writes it, and each write raises its version, so an unchanged version is
// proof that the names are current. Checking it is one stat (~0.3 ms);
// listing 1,000 names is ~4 ms, on the same OSD as the status listing
// beside it. The version is read before the names, so names are never
// older than the version kept with them.
func readNames(conn *rados.Conn, io *rados.IOContext, ps model.PoolSpec, prev *DirNames) (DirNames, error) {
	// A private io context: its last version is the stat's, which a
	// shared one's concurrent calls would overwrite.
	own, err := conn.OpenIOContext(ps.Pool)
	if err != nil {
		return DirNames{}, err
	}
	defer own.Destroy()
	own.SetNamespace(ps.Namespace)
	d := DirNames{NameOf: map[string]string{}}
	st, err := own.Stat(rbdDirectory)
	switch {
	case err == rados.ErrNotFound:
		return d, nil // no image was ever created here
	case err != nil:
		return DirNames{}, err
	}
	if d.Version, err = own.GetLastVersion(); err != nil {
		d.Version = 0
	}
	if prev != nil && d.Version != 0 && d.Version == prev.Version {
		return *prev, nil
	}
	start := ""
	for {
		more, err := func() (bool, error) {
			op := rados.CreateReadOp()
			defer op.Release()
			step := op.GetOmapValues(start, dirNamePrefix, batch)
			if err := op.Operate(own, rbdDirectory, rados.OperationNoFlag); err != nil {
				return false, err
			}
			for {
				kv, err := step.Next()
				if err != nil {
					return false, err
				}
				if kv == nil {
					return step.More(), nil
				}
				start = kv.Key
				name := strings.TrimPrefix(kv.Key, dirNamePrefix)
				dec := journal.NewDecoder(kv.Value)
				id := dec.Str("image id of " + name)
				if err := dec.Err(); err != nil {
					return false, err
				}
				d.Names = append(d.Names, name)
				d.NameOf[id] = name
			}
		}()
		if err != nil {
			return DirNames{}, err
		}
		if !more {
			break
		}
	}
	if st.Size > 0 {
		// Format 1 images are listed in the object's data, which librbd
		// reads too: let it give the names.
		if d.Names, err = rbd.GetImageNames(io); err != nil {
			return DirNames{}, err
		}
	}
	return d, nil
}

// dirNamePrefix starts the rbd_directory key of each image name.
const dirNamePrefix = "name_"

// rbdDirectory is the object that maps a pool's image names to ids.
const rbdDirectory = "rbd_directory"

// listParts says what a listing reads beyond the statuses, peers and
// site name.
type listParts uint8

const (
	// listInfo reads every image's mirror mode and primary-ness.
	listInfo listParts = 1 << iota
	// listNames reads every image name, mirrored or not; without it the
	// listing holds the mirror-enabled images only.
	listNames
)

// listAll lists one namespace of a pool (ps.Namespace "" is the default
// one); a namespace's peers and site name are its pool's.
func listAll(ctx context.Context, c *site.Conn, ps model.PoolSpec, parts listParts) (*PoolListing, error) {
	return listAllSince(ctx, c, ps, parts, nil)
}

// listAllSince is listAll that reuses prev's names while they are current
// (readNames).
func listAllSince(ctx context.Context, c *site.Conn, ps model.PoolSpec, parts listParts, prev *DirNames) (*PoolListing, error) {
	io, conn, err := PoolHandles(ctx, c, ps)
	if err != nil {
		return nil, err
	}
	pio := io
	if ps.Namespace != "" {
		if pio, err = c.IOContext(ctx, ps.Pool); err != nil {
			return nil, err
		}
	}
	return site.Call(ctx, c, "list images of pool "+poolSpecString(ps), func() (*PoolListing, error) {
		l := &PoolListing{Statuses: map[string]rbd.GlobalMirrorImageStatus{}, Modes: map[string]rbd.ImageMirrorMode{}, Primary: map[string]bool{}}
		var wg sync.WaitGroup
		errs := make([]error, 4)
		wg.Add(4)
		// The names, which also name the mirrored images of the status
		// listing (readNames; kept while the directory is unchanged).
		go func() {
			defer wg.Done()
			l.Dir, errs[0] = readNames(conn, io, ps, prev)
			if parts&listNames != 0 {
				l.Names, l.named = l.Dir.Names, true
			}
		}()
		var (
			images   []clsImage
			statuses = map[string][]rbd.SiteMirrorImageStatus{}
		)
		go func() {
			defer wg.Done()
			images, errs[1] = clsStatuses(io, statuses)
		}()
		go func() {
			defer wg.Done()
			if parts&listInfo == 0 {
				return
			}
			start := ""
			for {
				page, err := rbd.MirrorImageInfoList(io, rbd.ImageMirrorModeFilter(nil), start, batch)
				if err != nil {
					errs[2] = err
					return
				}
				for _, it := range page {
					l.Modes[it.ID] = it.Mode
					l.Primary[it.ID] = it.Info.Primary
				}
				if len(page) < batch {
					return
				}
				start = page[len(page)-1].ID
			}
		}()
		go func() {
			defer wg.Done()
			mode, err := rbd.GetMirrorMode(io)
			if err != nil || mode == rbd.MirrorModeDisabled {
				errs[3] = err
				return
			}
			l.Peers, errs[3] = rbd.ListMirrorPeerSite(pio)
			l.SiteName, _ = rbd.GetMirrorSiteName(conn)
		}()
		wg.Wait()
		var de *journal.DecodeError
		if errors.As(errs[1], &de) {
			// A reply this code cannot read (a newer Ceph's format):
			// librbd's own listing, slower but always right.
			errs[1] = librbdStatuses(io, l.Statuses)
		} else if errs[1] == nil {
			clsGlobalStatuses(images, statuses, l.Dir.NameOf, l.Statuses)
			l.cls = &clsListing{images: images, statuses: statuses}
		}
		for _, err := range errs {
			if err != nil && !isNotFoundOrDisabled(err) {
				return nil, err
			}
		}
		return l, nil
	})
}

// clsStatuses reads every page of the cls status listing into statuses and
// returns the image entries.
func clsStatuses(io *rados.IOContext, statuses map[string][]rbd.SiteMirrorImageStatus) ([]clsImage, error) {
	var all []clsImage
	start := ""
	for {
		page, st, err := clsStatusPage(io, start, batch)
		if err != nil {
			return nil, err
		}
		all = append(all, page...)
		maps.Copy(statuses, st)
		if len(page) < batch {
			return all, nil
		}
		start = page[len(page)-1].id
	}
}

// librbdStatuses is the status listing through librbd
// (rbd_mirror_image_global_status_list), by image id.
func librbdStatuses(io *rados.IOContext, into map[string]rbd.GlobalMirrorImageStatus) error {
	start := ""
	for {
		page, err := rbd.MirrorImageGlobalStatusList(io, start, batch)
		if err != nil {
			return err
		}
		for _, s := range page {
			into[s.ID] = s.Status
		}
		if len(page) < batch {
			return nil
		}
		start = page[len(page)-1].ID
	}
}

func isNotFoundOrDisabled(err error) bool {
	return err == rados.ErrNotFound
}

// Images turns a listing into typed images for site siteName.
func (l *PoolListing) Images(siteName, pool string) []model.Image {
	peerName := map[string]string{}
	for _, p := range l.Peers {
		peerName[p.MirrorUUID] = p.SiteName
	}
	// The mirrored images are built in place in out and found by name;
	// a map of whole images cost a third of this function at 1,000.
	out := make([]model.Image, 0, max(len(l.Names), len(l.Statuses)))
	byName := make(map[string]int, len(l.Statuses))
	for id, st := range l.Statuses {
		out = append(out, model.Image{Site: siteName, Pool: pool, Namespace: l.Namespace, Name: st.Name, ID: id,
			MirrorState: imageStateName(st.Info.State), GlobalID: st.Info.GlobalID, Primary: st.Info.Primary})
		img := &out[len(out)-1]
		if m, ok := l.Modes[id]; ok {
			img.MirrorMode = imageModeName(m)
		}
		if p, ok := l.Primary[id]; ok {
			img.Primary = p
		}
		for _, ss := range st.SiteStatuses {
			s := model.SiteImageStatus{MirrorUUID: ss.MirrorUUID, Up: ss.Up, State: StateName(ss.State),
				Description: ss.Description, LastUpdate: time.Unix(ss.LastUpdate, 0)}
			ParseStatus(&s)
			if ss.MirrorUUID == "" {
				s.SiteName = l.SiteName
				if s.SiteName == "" {
					s.SiteName = siteName
				}
				local := s
				img.Local = &local
			} else {
				s.SiteName = peerName[ss.MirrorUUID]
				if s.SiteName == "" {
					s.SiteName = ss.MirrorUUID
				}
				img.Peers = append(img.Peers, s)
			}
		}
		if len(img.Peers) > 1 {
			sort.Slice(img.Peers, func(i, j int) bool { return img.Peers[i].SiteName < img.Peers[j].SiteName })
		}
		if prev, dup := byName[st.Name]; dup {
			// Two ids under one name (an image id used as a name):
			// the later one wins, as it did in a map of images.
			out[prev] = *img
			out = out[:len(out)-1]
			continue
		}
		byName[st.Name] = len(out) - 1
	}
	if l.named {
		// Keep the mirrored images that are still in the directory and
		// add the others, unmirrored.
		mirrored := len(out)
		keep := make([]bool, mirrored)
		for _, n := range l.Names {
			if i, ok := byName[n]; ok {
				keep[i] = true
				continue
			}
			out = append(out, model.Image{Site: siteName, Pool: pool, Namespace: l.Namespace, Name: n, MirrorState: model.MirrorDisabled})
		}
		kept := out[:0]
		for i := range out {
			if i >= mirrored || keep[i] {
				kept = append(kept, out[i])
			}
		}
		out = kept
	}
	for i := range out {
		out[i].Class = Classify(&out[i])
		out[i].Health = ImageHealth(&out[i])
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Images lists a pool's images with mirroring status on one site.
func Images(ctx context.Context, c *site.Conn, pool string) ([]model.Image, error) {
	l, err := ListAll(ctx, c, pool)
	if err != nil {
		return nil, err
	}
	return l.Images(c.Name(), pool), nil
}

// ImagesNS lists the images of one namespace of a pool ("" is the pool's
// default namespace), refusing a namespace that does not exist on site c.
func ImagesNS(ctx context.Context, c *site.Conn, ps model.PoolSpec) ([]model.Image, error) {
	l, err := listAll(ctx, c, ps, listInfo|listNames)
	if err != nil {
		return nil, err
	}
	l.Namespace = ps.Namespace
	return l.Images(c.Name(), ps.Pool), nil
}

// Exact reads the mirroring state of a few images by opening each one. The
// batched global status listing of Pacific reports every "unknown" state
// with the description "status not found", hiding "remote image is not
// primary" and "remote image demoted", which failover has to see; opening
// the image returns the real description.
func Exact(ctx context.Context, c *site.Conn, pool string, names []string) (map[string]model.Image, error) {
	return ExactNS(ctx, c, consolePool(pool).Pool, consolePool(pool).Namespace, names)
}

// ExactNS is Exact for images of one namespace of a pool.
func ExactNS(ctx context.Context, c *site.Conn, pool, ns string, names []string) (map[string]model.Image, error) {
	ps := model.PoolSpec{Pool: pool, Namespace: ns}
	io, conn, err := c.PoolHandlesNS(ctx, ps.Pool, ps.Namespace)
	if err != nil {
		return nil, err
	}
	pio := io
	if ps.Namespace != "" {
		if pio, err = c.IOContext(ctx, ps.Pool); err != nil {
			return nil, err
		}
	}
	return site.Call(ctx, c, fmt.Sprintf("read mirror status of %d images in %s", len(names), where(pool, ns)), func() (map[string]model.Image, error) {
		l := &PoolListing{Statuses: map[string]rbd.GlobalMirrorImageStatus{}, Modes: map[string]rbd.ImageMirrorMode{}, Primary: map[string]bool{}, named: true}
		l.Peers, _ = rbd.ListMirrorPeerSite(pio)
		l.SiteName, _ = rbd.GetMirrorSiteName(conn)
		var mu sync.Mutex
		var firstErr error
		err := forEach(names, func(n string) error {
			img, err := rbd.OpenImageReadOnly(io, n, rbd.NoSnapshot)
			if err != nil {
				if site.IsErrno(err, syscall.ENOENT) {
					return nil // moved away by a resync, or not there yet
				}
				return err
			}
			defer img.Close()
			id, err := img.GetId()
			if err != nil {
				return err
			}
			gs, err := img.GetGlobalMirrorStatus()
			if err != nil {
				return err
			}
			mode, _ := img.GetImageMirrorMode()
			mu.Lock()
			defer mu.Unlock()
			l.Names = append(l.Names, n)
			l.Statuses[id], l.Modes[id], l.Primary[id] = gs, mode, gs.Info.Primary
			return nil
		})
		if err != nil {
			firstErr = err
		}
		out := map[string]model.Image{}
		for _, img := range l.Images(c.Name(), pool) {
			out[img.Name] = img
		}
		return out, firstErr
	})
}
