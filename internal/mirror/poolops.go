package mirror

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/ceph/go-ceph/rados"
	"github.com/ceph/go-ceph/rbd"
	"github.com/rbdtui/rbdtui/internal/release"
	"github.com/rbdtui/rbdtui/internal/site"
	"github.com/rbdtui/rbdtui/model"
)

// Peer is a mirror peer as `rbd mirror pool info --format json` prints it.
type Peer struct {
	UUID       string `json:"uuid"`
	Direction  string `json:"direction"`
	SiteName   string `json:"site_name"`
	MirrorUUID string `json:"mirror_uuid"`
	ClientName string `json:"client_name"`
	MonHost    string `json:"mon_host,omitempty"`
	Key        string `json:"key,omitempty"`
}

// PoolInfo is `rbd mirror pool info --format json`. Its JSON follows the
// rbd of the release rbdtui is linked against (see MarshalJSON): a disabled
// pool and a namespace print the mode only; an enabled pool always has
// "site_name" and "peers" (an empty list when it has none).
type PoolInfo struct {
	Mode     string `json:"mode"`
	SiteName string `json:"site_name,omitempty"`
	// MirrorUUID is the pool's own mirror uuid, which rbd 20 prints.
	MirrorUUID string `json:"mirror_uuid,omitempty"`
	Peers      []Peer `json:"peers,omitempty"`
}

// MarshalJSON prints what rbd prints: only the mode when mirroring is
// disabled; else the site name, then (rbd 20, Tentacle) the pool's
// mirror_uuid and remote_namespace, then the peers, [] when there are none.
// The remote namespace is "" for a pool's default namespace, the only one
// pool info reads here.
func (pi PoolInfo) MarshalJSON() ([]byte, error) {
	type disabled struct {
		Mode string `json:"mode"`
	}
	if pi.Mode == "disabled" || pi.SiteName == "" {
		return json.Marshal(disabled{pi.Mode})
	}
	peers := pi.Peers
	if peers == nil {
		peers = []Peer{}
	}
	if release.JSON20() {
		return json.Marshal(struct {
			Mode            string `json:"mode"`
			SiteName        string `json:"site_name"`
			MirrorUUID      string `json:"mirror_uuid"`
			RemoteNamespace string `json:"remote_namespace"`
			Peers           []Peer `json:"peers"`
		}{pi.Mode, pi.SiteName, pi.MirrorUUID, "", peers})
	}
	return json.Marshal(struct {
		Mode     string `json:"mode"`
		SiteName string `json:"site_name"`
		Peers    []Peer `json:"peers"`
	}{pi.Mode, pi.SiteName, peers})
}

// DirectionName is rbd's word for a peer direction.
func DirectionName(d rbd.MirrorPeerDirection) string {
	switch d {
	case rbd.MirrorPeerDirectionRx:
		return "rx-only"
	case rbd.MirrorPeerDirectionTx:
		return "tx-only"
	}
	return "rx-tx"
}

// ParseDirection reads rx-only, tx-only or rx-tx.
func ParseDirection(s string) (rbd.MirrorPeerDirection, error) {
	switch s {
	case "rx-only":
		return rbd.MirrorPeerDirectionRx, nil
	case "tx-only":
		return rbd.MirrorPeerDirectionTx, nil
	case "rx-tx", "":
		return rbd.MirrorPeerDirectionRxTx, nil
	}
	return 0, refuse("direction %q: use rx-only, tx-only or rx-tx", s)
}

// PoolHandles opens the io context of a pool spec's namespace ("" is the
// pool's default namespace), after checking that the namespace exists on
// site c: librados opens any namespace name, and rbd would otherwise act on
// nothing and report success.
func PoolHandles(ctx context.Context, c *site.Conn, ps model.PoolSpec) (*rados.IOContext, *rados.Conn, error) {
	if err := CheckNamespace(ctx, c, ps.Pool, ps.Namespace); err != nil {
		return nil, nil, err
	}
	return c.PoolHandlesNS(ctx, ps.Pool, ps.Namespace)
}

// CheckNamespace refuses a namespace that does not exist in pool on site c
// (nothing to check for the default namespace, "").
func CheckNamespace(ctx context.Context, c *site.Conn, pool, ns string) error {
	if ns == "" {
		return nil
	}
	io, err := c.IOContext(ctx, pool)
	if err != nil {
		return err
	}
	ok, err := site.Call(ctx, c, "check namespace "+pool+"/"+ns, func() (bool, error) { return rbd.NamespaceExists(io, ns) })
	if err != nil {
		return err
	}
	if !ok {
		return refuse("namespace %s does not exist in pool %s on site %s: create it with `rbd namespace create %s/%s` (on every site that mirrors it); nothing was changed", ns, pool, c.Name(), pool, ns)
	}
	return nil
}

// GetPoolInfo reads a pool's mirroring mode, site name and peers; withKeys
// adds each peer's mon_host and key (rbd's --all), which needs the right to
// read them. A namespace has a mode only (its peers are the pool's).
func GetPoolInfo(ctx context.Context, c *site.Conn, ps model.PoolSpec, withKeys bool) (*PoolInfo, error) {
	io, conn, err := PoolHandles(ctx, c, ps)
	if err != nil {
		return nil, err
	}
	return site.Call(ctx, c, "mirror pool info "+poolSpecString(ps), func() (*PoolInfo, error) {
		mode, err := rbd.GetMirrorMode(io)
		if err != nil {
			return nil, err
		}
		pi := &PoolInfo{Mode: modeName(mode)}
		if mode == rbd.MirrorModeDisabled || ps.Namespace != "" {
			return pi, nil
		}
		if pi.SiteName, err = rbd.GetMirrorSiteName(conn); err != nil {
			return nil, err
		}
		if release.JSON20() {
			u, err := rbd.GetMirrorUUID(io)
			if err != nil {
				return nil, fmt.Errorf("read the pool's mirror uuid: %w", err)
			}
			pi.MirrorUUID = strings.TrimRight(u, "\x00") // go-ceph keeps the C string's NUL
		}
		peers, err := rbd.ListMirrorPeerSite(io)
		if err != nil {
			return nil, err
		}
		for _, p := range peers {
			peer := Peer{UUID: p.UUID, Direction: DirectionName(p.Direction), SiteName: p.SiteName, MirrorUUID: p.MirrorUUID, ClientName: p.ClientName}
			if withKeys {
				attrs, err := rbd.GetAttributesMirrorPeerSite(io, p.UUID)
				if err != nil {
					return nil, fmt.Errorf("read peer %s attributes: %w", p.SiteName, err)
				}
				peer.MonHost, peer.Key = attrs["mon_host"], attrs["key"]
			}
			pi.Peers = append(pi.Peers, peer)
		}
		return pi, nil
	})
}

// PoolStatus is `rbd mirror pool status [--verbose] --format json`.
type PoolStatus struct {
	Summary PoolSummaryJSON `json:"summary"`
	Daemons []Daemon        `json:"daemons,omitempty"`
	Images  *[]ImageStatus  `json:"images,omitempty"`
}

// WriteJSON writes st as json.Marshal would, byte for byte, one image at a
// time: a verbose status of thousands of images is never held whole (a
// one-shot command spent a tenth of its time growing that buffer).
func (st *PoolStatus) WriteJSON(w io.Writer) error {
	put := func(prefix string, v any) error {
		b, err := json.Marshal(v)
		if err != nil {
			return err
		}
		if _, err := io.WriteString(w, prefix); err != nil {
			return err
		}
		_, err = w.Write(b)
		return err
	}
	if err := put(`{"summary":`, st.Summary); err != nil {
		return err
	}
	if len(st.Daemons) > 0 {
		if err := put(`,"daemons":`, st.Daemons); err != nil {
			return err
		}
	}
	if st.Images != nil {
		sep := `,"images":[`
		for _, img := range *st.Images {
			if err := put(sep, img); err != nil {
				return err
			}
			sep = ","
		}
		if sep != "," {
			if _, err := io.WriteString(w, sep); err != nil {
				return err
			}
		}
		if _, err := io.WriteString(w, "]"); err != nil {
			return err
		}
	}
	_, err := io.WriteString(w, "}")
	return err
}

// PoolSummaryJSON is the "summary" object.
type PoolSummaryJSON struct {
	Health       string         `json:"health"`
	DaemonHealth string         `json:"daemon_health"`
	ImageHealth  string         `json:"image_health"`
	States       map[string]int `json:"states"`
}

// GetPoolStatus builds rbd's pool status without opening any image: the
// status summary, the daemons from the service map, and (verbose) every
// image's status from the batched listings. The reads are independent and
// go out together (one round trip's wait, not four); a pool found not
// mirrored discards the verbose listings and is refused.
func GetPoolStatus(ctx context.Context, c *site.Conn, ps model.PoolSpec, verbose bool) (*PoolStatus, error) {
	pool := ps.Pool
	io, conn, err := PoolHandles(ctx, c, ps)
	if err != nil {
		return nil, err
	}
	poolID, err := site.Call(ctx, c, "pool id of "+pool, func() (int64, error) { return conn.GetPoolByName(pool) })
	if err != nil {
		return nil, err
	}
	type base struct {
		mode    rbd.MirrorMode
		summary map[rbd.MirrorImageStatusState]uint
	}
	var (
		wg               sync.WaitGroup
		l                *PoolListing
		inst             map[string]string
		di               *DaemonInfo
		lerr, ierr, derr error
	)
	wg.Add(1)
	go func() { defer wg.Done(); di, derr = Daemons(ctx, c, poolID) }()
	if verbose {
		wg.Add(2)
		go func() { defer wg.Done(); l, lerr = listAll(ctx, c, ps, 0) }()
		go func() { defer wg.Done(); inst, ierr = instanceIDs(ctx, c, ps) }()
	}
	// The verbose status of a pool's default namespace counts its summary
	// from the listing's own bytes (summaryStates) rather than have the OSD
	// walk rbd_mirroring a second time.
	local := verbose && ps.Namespace == ""
	summary := func(b *base) (err error) {
		b.summary, err = rbd.MirrorImageStatusSummary(io)
		return err
	}
	b, err := site.Call(ctx, c, "mirror pool status "+poolSpecString(ps), func() (base, error) {
		var b base
		var err error
		if b.mode, err = rbd.GetMirrorMode(io); err != nil {
			return b, err
		}
		if b.mode == rbd.MirrorModeDisabled || local {
			return b, nil
		}
		return b, summary(&b)
	})
	wg.Wait()
	if err == nil && local && b.mode != rbd.MirrorModeDisabled && lerr == nil {
		if l.cls != nil {
			b.summary = summaryStates(l.cls.images, l.cls.statuses, l.Peers)
		} else {
			_, err = site.Call(ctx, c, "mirror pool status "+poolSpecString(ps), func() (struct{}, error) { return struct{}{}, summary(&b) })
		}
	}
	if err != nil {
		return nil, err
	}
	if b.mode == rbd.MirrorModeDisabled {
		return nil, refuse("mirroring is not enabled on pool %s on site %s", poolSpecString(ps), c.Name())
	}
	st := &PoolStatus{Summary: PoolSummaryJSON{States: map[string]int{}, ImageHealth: HealthOK}}
	for state, n := range b.summary {
		if n == 0 {
			continue
		}
		name := StateName(state)
		st.Summary.States[name] += int(n)
		st.Summary.ImageHealth = WorseHealth(st.Summary.ImageHealth, StateHealth(name))
	}
	if di == nil {
		di = &DaemonInfo{Health: HealthUnknown}
	}
	st.Summary.DaemonHealth = di.Health
	st.Summary.Health = WorseHealth(st.Summary.ImageHealth, st.Summary.DaemonHealth)
	if !verbose {
		return st, nil
	}
	if derr == nil {
		st.Daemons = di.Daemons
	}
	if lerr != nil {
		return nil, lerr
	}
	if ierr != nil {
		return nil, ierr
	}
	images := []ImageStatus{}
	for _, img := range l.Images(c.Name(), pool) {
		if img.MirrorState != model.MirrorEnabled {
			continue
		}
		images = append(images, ToImageStatus(img, di, inst[img.ID], l.Peers))
	}
	st.Images = &images
	return st, nil
}

// instanceIDs maps image ids to the daemon instance replaying them.
func instanceIDs(ctx context.Context, c *site.Conn, ps model.PoolSpec) (map[string]string, error) {
	io, err := c.IOContextNS(ctx, ps.Pool, ps.Namespace)
	if err != nil {
		return nil, err
	}
	return site.Call(ctx, c, "list mirror instances of "+poolSpecString(ps), func() (map[string]string, error) {
		out := map[string]string{}
		start := ""
		for {
			page, err := rbd.MirrorImageInstanceIDList(io, start, batch)
			if err != nil {
				return nil, err
			}
			for _, it := range page {
				out[it.ID] = it.InstanceID
			}
			if len(page) < batch {
				return out, nil
			}
			start = page[len(page)-1].ID
		}
	})
}

// ImageStatus is one image in rbd's status JSON.
type ImageStatus struct {
	Name          string         `json:"name"`
	GlobalID      string         `json:"global_id"`
	State         string         `json:"state"`
	Description   string         `json:"description"`
	DaemonService *DaemonService `json:"daemon_service,omitempty"`
	LastUpdate    string         `json:"last_update"`
	PeerSites     []PeerStatus   `json:"peer_sites,omitempty"`
	Snapshots     []MirrorSnap   `json:"snapshots,omitempty"`
}

// PeerStatus is one entry of "peer_sites". rbd 16 and 18 call the peer's
// mirror uuid "mirror_uuids", rbd 20 "mirror_uuid": one of the two is set,
// by the release rbdtui is linked against (see ToImageStatus).
type PeerStatus struct {
	SiteName    string `json:"site_name"`
	MirrorUUIDs string `json:"mirror_uuids,omitempty"`
	MirrorUUID  string `json:"mirror_uuid,omitempty"`
	State       string `json:"state"`
	Description string `json:"description"`
	LastUpdate  string `json:"last_update"`
}

// rbdTime prints a status time as rbd does: local time, "%F %T", no zone.
func rbdTime(t time.Time) string {
	if t.IsZero() || t.Unix() == 0 {
		return ""
	}
	return t.Local().Format("2006-01-02 15:04:05")
}

// ToImageStatus renders an image in rbd's JSON shape. peers are the pool's
// peer sites (nil when they could not be read): as rbd does, a peer site
// with no status yet is listed as down+unknown, "status not found", and a
// status from a mirror uuid that is not a receiving peer is left out.
func ToImageStatus(img model.Image, di *DaemonInfo, instance string, peers []*rbd.MirrorPeerSite) ImageStatus {
	is := ImageStatus{Name: img.Name, GlobalID: img.GlobalID, State: "down+unknown", Description: "status not found"}
	local, statuses := rbdSiteStatuses(img, peers)
	if local != nil {
		is.State, is.Description, is.LastUpdate = local.FullState(), local.Description, rbdTime(local.LastUpdate)
		if di != nil && instance != "" {
			if ds, ok := di.ByInstance[instance]; ok {
				is.DaemonService = &ds
			}
		}
	}
	for _, p := range statuses {
		ps := PeerStatus{SiteName: p.SiteName, State: p.FullState(), Description: p.Description, LastUpdate: rbdTime(p.LastUpdate)}
		if release.JSON20() {
			ps.MirrorUUID = p.MirrorUUID
		} else {
			ps.MirrorUUIDs = p.MirrorUUID
		}
		is.PeerSites = append(is.PeerSites, ps)
	}
	return is
}

// rbdSiteStatuses is the site statuses rbd prints for an image, by rbd's
// rules (populate_unknown_mirror_image_site_statuses in src/tools/rbd):
// every peer with a mirror uuid that is not transmit-only is listed, with
// an unknown status when rbd-mirror has published none for it (after the
// known ones, by mirror uuid); the local status is kept unless every peer
// is transmit-only. With peers nil the image's statuses are kept as read.
func rbdSiteStatuses(img model.Image, peers []*rbd.MirrorPeerSite) (*model.SiteImageStatus, []model.SiteImageStatus) {
	if peers == nil {
		return img.Local, img.Peers
	}
	wanted := map[string]string{} // mirror uuid -> site name
	txOnly := len(peers) > 0
	for _, p := range peers {
		if p.Direction != rbd.MirrorPeerDirectionTx {
			txOnly = false
			if p.MirrorUUID != "" {
				wanted[p.MirrorUUID] = p.SiteName
			}
		}
	}
	local := img.Local
	if txOnly {
		local = nil
	}
	var out []model.SiteImageStatus
	for _, s := range img.Peers {
		if _, ok := wanted[s.MirrorUUID]; ok {
			out = append(out, s)
			delete(wanted, s.MirrorUUID)
		}
	}
	missing := make([]string, 0, len(wanted))
	for uuid := range wanted {
		missing = append(missing, uuid)
	}
	sort.Strings(missing)
	for _, uuid := range missing {
		out = append(out, model.SiteImageStatus{SiteName: wanted[uuid], MirrorUUID: uuid, State: "unknown", Description: "status not found"})
	}
	return local, out
}

// GetImageStatus is `rbd mirror image status --format json` for one image.
func GetImageStatus(ctx context.Context, c *site.Conn, spec model.ImageSpec) (*ImageStatus, *model.ImageDetail, error) {
	d, err := Detail(ctx, c, spec)
	if err != nil {
		return nil, nil, err
	}
	if d.MirrorState != model.MirrorEnabled {
		return nil, &d, refuse("mirroring not enabled on the image %s on site %s", spec, c.Name())
	}
	io, err := c.IOContextNS(ctx, spec.Pool, spec.Namespace)
	if err != nil {
		return nil, nil, err
	}
	conn, err := c.Rados(ctx)
	if err != nil {
		return nil, nil, err
	}
	poolID, err := site.Call(ctx, c, "pool id", func() (int64, error) { return conn.GetPoolByName(spec.Pool) })
	if err != nil {
		return nil, nil, err
	}
	di, _ := Daemons(ctx, c, poolID)
	inst, err := site.Call(ctx, c, "mirror instance of "+spec.String(), func() (string, error) {
		img, err := rbd.OpenImageReadOnly(io, spec.Image, rbd.NoSnapshot)
		if err != nil {
			return "", err
		}
		defer img.Close()
		id, err := img.MirrorInstanceID()
		if site.IsErrno(err, syscall.ENOENT) {
			return "", nil
		}
		// go-ceph v0.34 keeps the C string's terminating NUL.
		return strings.TrimRight(id, "\x00"), err
	})
	if err != nil {
		inst = ""
	}
	// rbd lists every receiving peer site, with or without a status.
	var peers []*rbd.MirrorPeerSite
	if pio, err := c.IOContext(ctx, spec.Pool); err == nil {
		peers, _ = site.Call(ctx, c, "mirror peers of "+spec.Pool, func() ([]*rbd.MirrorPeerSite, error) {
			p, err := rbd.ListMirrorPeerSite(pio)
			if p == nil && err == nil {
				p = []*rbd.MirrorPeerSite{}
			}
			return p, err
		})
	}
	is := ToImageStatus(d.Image, di, inst, peers)
	if d.Primary && d.MirrorMode == model.ModeSnapshot {
		snaps, err := site.Call(ctx, c, "mirror snapshots of "+spec.String(), func() ([]MirrorSnap, error) { return MirrorSnapshots(io, spec.Image) })
		if err == nil {
			// rbd lists the primary's own mirror snapshots only.
			for _, sn := range snaps {
				if sn.State == SnapPrimary || sn.State == SnapPrimaryDemoted {
					is.Snapshots = append(is.Snapshots, sn)
				}
			}
		}
	}
	return &is, &d, nil
}

// SetPoolMode enables mirroring on a pool in image or pool mode, or disables
// it. Enabling also sets the pool's default features to exclusive-lock and
// journaling (the proposal's meaning: new images get journaling) when asked.
//
// A namespace (ps.Namespace) has its own mode, as `rbd mirror pool enable
// <pool>/<namespace> <mode>` sets it; the pool itself must be mirrored.
func SetPoolMode(ctx context.Context, c *site.Conn, ps model.PoolSpec, mode string) error {
	pool := poolSpecString(ps)
	io, _, err := PoolHandles(ctx, c, ps)
	if err != nil {
		return err
	}
	var m rbd.MirrorMode
	switch mode {
	case "image":
		m = rbd.MirrorModeImage
	case "pool":
		m = rbd.MirrorModePool
	case "disabled":
		m = rbd.MirrorModeDisabled
	default:
		return refuse("mirror mode %q: use image or pool", mode)
	}
	_, err = site.Call(ctx, c, "set mirror mode of "+pool, func() (struct{}, error) {
		cur, err := rbd.GetMirrorMode(io)
		if err != nil {
			return struct{}{}, err
		}
		if cur == m {
			return struct{}{}, nil
		}
		if m == rbd.MirrorModeDisabled && ps.Namespace == "" {
			peers, err := rbd.ListMirrorPeerSite(io)
			if err == nil && len(peers) > 0 {
				var names []string
				for _, p := range peers {
					names = append(names, p.SiteName)
				}
				return struct{}{}, refuse("pool %s still has peers (%s): remove them first (`rbdtui mirror pool remove`)", pool, strings.Join(names, ", "))
			}
		}
		err = rbd.SetMirrorMode(io, m)
		if site.IsErrno(err, syscall.EINVAL) && ps.Namespace != "" && m != rbd.MirrorModeDisabled {
			return struct{}{}, refuse("namespace %s: mirroring must be enabled on pool %s first (`rbdtui mirror pool enable %s image`)", pool, ps.Pool, ps.Pool)
		}
		if site.IsErrno(err, syscall.EBUSY) || site.IsErrno(err, syscall.EINVAL) && m == rbd.MirrorModeDisabled {
			return struct{}{}, refuse("pool %s still has mirrored images: disable mirroring on them first", pool)
		}
		return struct{}{}, err
	})
	return err
}

// Pool default features the proposal's `mirror pool enable` sets.
const (
	defaultFeaturesKey = "conf_rbd_default_features"
	journalFeatures    = "layering,exclusive-lock,object-map,fast-diff,deep-flatten,journaling"
)

// SetJournalingDefault makes new images in the pool get exclusive-lock and
// journaling (pool-level rbd_default_features), or clears that default.
func SetJournalingDefault(ctx context.Context, c *site.Conn, ps model.PoolSpec, on bool) error {
	pool := poolSpecString(ps)
	io, _, err := PoolHandles(ctx, c, ps)
	if err != nil {
		return err
	}
	_, err = site.Call(ctx, c, "set default features of "+pool, func() (struct{}, error) {
		if on {
			return struct{}{}, rbd.SetPoolMetadata(io, defaultFeaturesKey, journalFeatures)
		}
		err := rbd.RemovePoolMetadata(io, defaultFeaturesKey)
		if site.IsErrno(err, syscall.ENOENT) {
			err = nil
		}
		return struct{}{}, err
	})
	return err
}

// JournalingDefault reports whether the pool's default features include
// journaling (set by SetJournalingDefault).
func JournalingDefault(ctx context.Context, c *site.Conn, ps model.PoolSpec) (bool, error) {
	pool := poolSpecString(ps)
	io, _, err := PoolHandles(ctx, c, ps)
	if err != nil {
		return false, err
	}
	return site.Call(ctx, c, "read default features of "+pool, func() (bool, error) {
		v, err := rbd.GetPoolMetadata(io, defaultFeaturesKey)
		if site.IsErrno(err, syscall.ENOENT) {
			return false, nil
		}
		return strings.Contains(v, "journaling"), err
	})
}

// SetSiteName sets the site's mirror site name.
func SetSiteName(ctx context.Context, c *site.Conn, name string) error {
	conn, err := c.Rados(ctx)
	if err != nil {
		return err
	}
	_, err = site.Call(ctx, c, "set mirror site name", func() (struct{}, error) { return struct{}{}, rbd.SetMirrorSiteName(conn, name) })
	return err
}

// CreateBootstrapToken creates a peer bootstrap token (base64 text).
func CreateBootstrapToken(ctx context.Context, c *site.Conn, pool string) (string, error) {
	io, err := c.IOContext(ctx, pool)
	if err != nil {
		return "", err
	}
	tok, err := site.Call(ctx, c, "create bootstrap token for "+pool, func() (string, error) { return rbd.CreateMirrorPeerBootstrapToken(io) })
	if site.IsErrno(err, syscall.EACCES) || site.IsErrno(err, syscall.EPERM) {
		return "", fmt.Errorf("site %s: creating a bootstrap token needs the right to create the client.rbd-mirror-peer user (mon caps); use an admin client for this site: %w", c.Name(), err)
	}
	return tok, err
}

// ImportBootstrapToken imports a token from the other site.
func ImportBootstrapToken(ctx context.Context, c *site.Conn, pool, token string, dir rbd.MirrorPeerDirection) error {
	if err := CheckBootstrapToken(token); err != nil {
		return err
	}
	io, err := c.IOContext(ctx, pool)
	if err != nil {
		return err
	}
	_, err = site.Call(ctx, c, "import bootstrap token into "+pool, func() (struct{}, error) {
		return struct{}{}, rbd.ImportMirrorPeerBootstrapToken(io, dir, strings.TrimSpace(token))
	})
	if site.IsErrno(err, syscall.ENOSYS) {
		return refuse("mirroring is not enabled on the remote peer's pool %s", pool)
	}
	return err
}

// CheckBootstrapToken refuses what is not a bootstrap token (librbd says
// only "invalid argument"): a token is base64 of a JSON object with the
// peer's fsid, client id, key and mon_host.
func CheckBootstrapToken(token string) error {
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(token))
	var t struct {
		FSID     string `json:"fsid"`
		ClientID string `json:"client_id"`
		Key      string `json:"key"`
		MonHost  string `json:"mon_host"`
	}
	if err == nil {
		err = json.Unmarshal(raw, &t)
	}
	var missing []string
	for name, v := range map[string]string{"fsid": t.FSID, "client_id": t.ClientID, "key": t.Key, "mon_host": t.MonHost} {
		if v == "" {
			missing = append(missing, name)
		}
	}
	sort.Strings(missing)
	switch {
	case err != nil:
		return refuse("this is not a bootstrap token (%v): a token is what `mirror pool peer bootstrap create` writes on the peer site (base64 of JSON); nothing was imported", err)
	case len(missing) > 0:
		return refuse("the bootstrap token lacks %s: create it again on the peer site with `mirror pool peer bootstrap create`; nothing was imported", strings.Join(missing, ", "))
	}
	return nil
}

// Peers lists the pool's peers.
func Peers(ctx context.Context, c *site.Conn, pool string) ([]*rbd.MirrorPeerSite, error) {
	io, err := c.IOContext(ctx, pool)
	if err != nil {
		return nil, err
	}
	peers, err := site.Call(ctx, c, "list peers of "+pool, func() ([]*rbd.MirrorPeerSite, error) { return rbd.ListMirrorPeerSite(io) })
	sort.Slice(peers, func(i, j int) bool { return peers[i].SiteName < peers[j].SiteName })
	return peers, err
}

// AddPeer registers a peer by site and client name (rbd mirror pool peer add).
func AddPeer(ctx context.Context, c *site.Conn, pool, siteName, client string, dir rbd.MirrorPeerDirection, attrs map[string]string) (string, error) {
	io, err := c.IOContext(ctx, pool)
	if err != nil {
		return "", err
	}
	return site.Call(ctx, c, "add peer to "+pool, func() (string, error) {
		peers, err := rbd.ListMirrorPeerSite(io)
		if err != nil {
			return "", err
		}
		for _, p := range peers {
			if p.SiteName == siteName {
				return "", refuse("pool %s on site %s already has peer %s (uuid %s)", pool, c.Name(), siteName, p.UUID)
			}
			if dir != rbd.MirrorPeerDirectionTx && p.Direction != rbd.MirrorPeerDirectionTx {
				return "", refuse("multiple RX peers are not currently supported: pool %s already receives from %s", pool, p.SiteName)
			}
		}
		uuid, err := rbd.AddMirrorPeerSite(io, siteName, client, dir)
		if err != nil {
			return "", err
		}
		if len(attrs) > 0 {
			if err := rbd.SetAttributesMirrorPeerSite(io, uuid, attrs); err != nil {
				return uuid, err
			}
		}
		return uuid, nil
	})
}

// RemovePeer deregisters a peer by uuid.
func RemovePeer(ctx context.Context, c *site.Conn, pool, uuid string) error {
	io, err := c.IOContext(ctx, pool)
	if err != nil {
		return err
	}
	_, err = site.Call(ctx, c, "remove peer from "+pool, func() (struct{}, error) {
		peers, err := rbd.ListMirrorPeerSite(io)
		if err != nil {
			return struct{}{}, err
		}
		for _, p := range peers {
			if p.UUID == uuid {
				return struct{}{}, rbd.RemoveMirrorPeerSite(io, uuid)
			}
		}
		return struct{}{}, refuse("pool %s on site %s has no peer with uuid %s", pool, c.Name(), uuid)
	})
	return err
}

// ReadKeyFile reads a cephx key from a file as rbd's key-file does: a
// keyring ("key = AQ...") or the bare key. A file others can read is
// refused: the key gives access to the peer cluster.
func ReadKeyFile(path string) (string, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return "", refuse("key file: %v", err)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return "", refuse("key file %s is readable by others (mode %04o): chmod 600 it first; nothing was changed", path, fi.Mode().Perm())
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", refuse("key file: %v", err)
	}
	key := strings.TrimSpace(string(b))
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(strings.TrimSpace(line), "="); ok && strings.TrimSpace(k) == "key" {
			key = strings.TrimSpace(v)
		}
	}
	if raw, err := base64.StdEncoding.DecodeString(key); err != nil || len(raw) < 12 || strings.ContainsAny(key, " \n[") {
		return "", refuse("key file %s holds no cephx key (expected a keyring with \"key = AQ...\" or the bare base64 key); nothing was changed", path)
	}
	return key, nil
}

// SetPeer changes one attribute of a peer, as `rbd mirror pool peer set`.
func SetPeer(ctx context.Context, c *site.Conn, pool, uuid, key, value string) error {
	io, err := c.IOContext(ctx, pool)
	if err != nil {
		return err
	}
	// Everything is checked before the peer changes: the key file is read
	// here (its key is stored, never its path), the uuid must be a peer.
	if key == "key-file" {
		if value, err = ReadKeyFile(value); err != nil {
			return err
		}
	}
	_, err = site.Call(ctx, c, "set peer "+key, func() (struct{}, error) {
		peers, err := rbd.ListMirrorPeerSite(io)
		if err != nil {
			return struct{}{}, err
		}
		var known []string
		found := false
		for _, p := range peers {
			known = append(known, p.UUID+" ("+p.SiteName+")")
			found = found || p.UUID == uuid
		}
		if !found {
			if len(known) == 0 {
				known = []string{"none"}
			}
			return struct{}{}, refuse("pool %s on site %s has no peer with uuid %s (peers: %s; see rbdtui mirror pool info %s)", pool, c.Name(), uuid, strings.Join(known, ", "), pool)
		}
		switch key {
		case "direction":
			d, err := ParseDirection(value)
			if err != nil {
				return struct{}{}, err
			}
			return struct{}{}, rbd.SetMirrorPeerSiteDirection(io, uuid, d)
		case "site-name":
			return struct{}{}, rbd.SetMirrorPeerSiteName(io, uuid, value)
		case "client":
			return struct{}{}, rbd.SetMirrorPeerSiteClientName(io, uuid, value)
		case "mon-host", "key-file":
			attrs, err := rbd.GetAttributesMirrorPeerSite(io, uuid)
			if err != nil {
				return struct{}{}, err
			}
			if key == "mon-host" {
				attrs["mon_host"] = value
			} else {
				attrs["key"] = value
			}
			return struct{}{}, rbd.SetAttributesMirrorPeerSite(io, uuid, attrs)
		}
		return struct{}{}, refuse("peer attribute %q: use direction, site-name, client, mon-host or key-file", key)
	})
	return err
}

// poolSpecString is pool or pool/namespace.
func poolSpecString(ps model.PoolSpec) string {
	if ps.Namespace == "" {
		return ps.Pool
	}
	return ps.Pool + "/" + ps.Namespace
}
