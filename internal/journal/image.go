package journal

import (
	"context"
	"errors"
	"fmt"
	"math/bits"
	"sort"
	"strconv"
	"strings"
	"syscall"

	"github.com/ceph/go-ceph/rados"
	"github.com/ceph/go-ceph/rbd"
	"github.com/rbdtui/rbdtui/internal/site"
	"github.com/rbdtui/rbdtui/model"
)

// Refusal is model.Refusal, the one refusal type of every engine.
type Refusal = model.Refusal

func refuse(format string, args ...any) error { return model.Refusef(format, args...) }

// IsRefusal reports whether err is a refusal.
func IsRefusal(err error) bool {
	var r *Refusal
	return errors.As(err, &r)
}

// withImage opens an image (by name, or by id when byID) and runs fn on it
// within the site's bound.
func withImage(ctx context.Context, c *site.Conn, pool, ns, name string, byID, readOnly bool, fn func(*rbd.Image) error) error {
	io, err := c.IOContextNS(ctx, pool, ns)
	if err != nil {
		return err
	}
	_, err = site.Call(ctx, c, "open image "+name, func() (struct{}, error) {
		var img *rbd.Image
		var err error
		switch {
		case byID && readOnly:
			img, err = rbd.OpenImageByIdReadOnly(io, name, rbd.NoSnapshot)
		case byID:
			img, err = rbd.OpenImageById(io, name, rbd.NoSnapshot)
		case readOnly:
			img, err = rbd.OpenImageReadOnly(io, name, rbd.NoSnapshot)
		default:
			img, err = rbd.OpenImage(io, name, rbd.NoSnapshot)
		}
		if err != nil {
			if site.IsErrno(err, syscall.ENOENT) {
				what := "image"
				if byID {
					what = "image with id"
				}
				return struct{}{}, fmt.Errorf("%s %s does not exist in %s", what, name, poolNS(pool, ns))
			}
			return struct{}{}, err
		}
		defer img.Close()
		return struct{}{}, fn(img)
	})
	return err
}

func poolNS(pool, ns string) string {
	if ns != "" {
		return pool + "/" + ns
	}
	return pool
}

// SpecOfImage resolves an image to its journal, refusing when journaling
// is off, as rbd does ("journaling is not enabled").
func SpecOfImage(ctx context.Context, c *site.Conn, img model.ImageSpec) (Spec, error) {
	var spec Spec
	err := withImage(ctx, c, img.Pool, img.Namespace, img.Image, false, true, func(i *rbd.Image) error {
		f, err := i.GetFeatures()
		if err != nil {
			return err
		}
		if f&rbd.FeatureJournaling == 0 {
			return refuse("journaling is not enabled on image %s", img)
		}
		id, err := i.GetId()
		spec = Spec{Pool: img.Pool, Namespace: img.Namespace, ID: id}
		return err
	})
	return spec, err
}

// Feature names rbd accepts in `feature enable|disable` that this command
// handles.
var featureBits = map[string]uint64{
	"exclusive-lock": rbd.FeatureExclusiveLock,
	"object-map":     rbd.FeatureObjectMap,
	"fast-diff":      rbd.FeatureFastDiff,
	"deep-flatten":   rbd.FeatureDeepFlatten,
	"journaling":     rbd.FeatureJournaling,
}

// FeatureNames lists the features UpdateFeatures handles.
func FeatureNames() []string {
	out := make([]string, 0, len(featureBits))
	for k := range featureBits {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// JournalSettings are the journal options of `feature enable ...
// journaling`. librbd refuses image-level overrides of the geometry
// (rbd_journal_order, _splay_width, _pool: "not allowed image level
// override"), so, as rbd does, those apply to this journal's creation only;
// every other rbd_journal_* setting is stored as the image's
// conf_rbd_journal_* metadata, which librbd reads whenever it opens the
// image.
type JournalSettings struct {
	Pool       string
	SplayWidth int64  // 0: unset
	ObjectSize uint64 // bytes; 0: unset
	// Options are further rbd_journal_* settings, by name with or without
	// the rbd_journal_ prefix.
	Options map[string]string
}

// Journal settings librbd knows (Pacific), with a validator for their
// values; creationOnly ones cannot be image metadata.
var journalOptions = map[string]func(string) error{
	"order":                           intRange(12, 26),
	"splay_width":                     intRange(1, 255),
	"pool":                            func(string) error { return nil },
	"commit_age":                      floatMin(0),
	"object_flush_interval":           intRange(0, 1<<31),
	"object_flush_bytes":              sizeValue,
	"object_flush_age":                floatMin(0),
	"object_writethrough_until_flush": boolValue,
	"object_max_in_flight_appends":    intRange(0, 1<<31),
	"max_payload_bytes":               sizeValue,
	"max_concurrent_object_sets":      intRange(0, 1<<31),
}

var creationOnly = map[string]bool{"order": true, "splay_width": true, "pool": true}

func intRange(lo, hi int64) func(string) error {
	return func(v string) error {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < lo || n > hi {
			return fmt.Errorf("%q is not a whole number from %d to %d", v, lo, hi)
		}
		return nil
	}
}

func floatMin(lo float64) func(string) error {
	return func(v string) error {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || f < lo {
			return fmt.Errorf("%q is not a number >= %g", v, lo)
		}
		return nil
	}
}

func sizeValue(v string) error {
	if n, err := strconv.ParseUint(v, 10, 64); err != nil || n == 0 {
		return fmt.Errorf("%q is not a positive number of bytes", v)
	}
	return nil
}

func boolValue(v string) error {
	switch v {
	case "true", "false":
		return nil
	}
	return fmt.Errorf("%q is not true or false", v)
}

// Split validates the settings and splits them into the creation-time
// config options (rbd_journal_order, ...) and the image metadata
// (conf_rbd_journal_*).
func (s JournalSettings) Split() (creation, metadata map[string]string, err error) {
	creation, metadata = map[string]string{}, map[string]string{}
	for k, v := range s.Options {
		name := strings.TrimPrefix(strings.TrimPrefix(k, "conf_"), "rbd_journal_")
		check, ok := journalOptions[name]
		if !ok {
			names := make([]string, 0, len(journalOptions))
			for n := range journalOptions {
				names = append(names, n)
			}
			sort.Strings(names)
			return nil, nil, refuse("unknown journal option %q (known: %s)", k, strings.Join(names, ", "))
		}
		if err := check(v); err != nil {
			return nil, nil, refuse("journal option %s: %v", name, err)
		}
		if creationOnly[name] {
			creation["rbd_journal_"+name] = v
		} else {
			metadata["conf_rbd_journal_"+name] = v
		}
	}
	if s.Pool != "" {
		creation["rbd_journal_pool"] = s.Pool
	}
	if s.SplayWidth != 0 {
		if s.SplayWidth < 1 || s.SplayWidth > 255 {
			return nil, nil, refuse("--journal-splay-width %d: must be from 1 to 255", s.SplayWidth)
		}
		creation["rbd_journal_splay_width"] = strconv.FormatInt(s.SplayWidth, 10)
	}
	if s.ObjectSize != 0 {
		if s.ObjectSize < 4<<10 || s.ObjectSize > 64<<20 {
			return nil, nil, refuse("--journal-object-size %d: must be from 4K to 64M", s.ObjectSize)
		}
		// The smallest order whose object holds the size (20M -> 25).
		creation["rbd_journal_order"] = strconv.Itoa(bits.Len64(s.ObjectSize - 1))
	}
	return creation, metadata, nil
}

// withOwnConnection runs fn on a connection of its own to the site, with
// extra config options: librbd takes journal geometry from the client's
// config when it creates a journal, and the site's shared connection must
// not change.
func withOwnConnection(ctx context.Context, c *site.Conn, opts map[string]string, fn func(*rados.Conn) error) error {
	_, err := site.Call(ctx, c, "connect with journal settings", func() (struct{}, error) {
		conn, err := c.DialWith(opts)
		if err != nil {
			return struct{}{}, err
		}
		defer site.Release(conn)
		return struct{}{}, fn(conn)
	})
	return err
}

// FeatureResult says what changed.
type FeatureResult struct {
	Image    string            `json:"image"`
	Features []string          `json:"features"`
	Enabled  bool              `json:"enabled"`
	Metadata map[string]string `json:"metadata,omitempty"`
	// Creation are the config options the journal was created with.
	Creation map[string]string `json:"creation_options,omitempty"`
	Journal  *Info             `json:"journal,omitempty"`
}

// UpdateFeatures enables or disables image features as `rbd feature
// enable|disable` does. Journal settings are written as image metadata
// before journaling is enabled (librbd creates the journal from them).
// Disabling journaling is refused while journal-mode mirroring or a
// consistency group needs the journal; nothing is changed then.
func UpdateFeatures(ctx context.Context, c *site.Conn, img model.ImageSpec, features []string, enable bool, js JournalSettings) (*FeatureResult, error) {
	var mask uint64
	journaling := false
	for _, f := range features {
		for _, name := range strings.Split(f, ",") {
			name = strings.TrimSpace(name)
			if name == "" {
				continue
			}
			if name == "mirroring" {
				return nil, refuse("feature %q is handled by `rbdtui mirror image enable|disable`", name)
			}
			b, ok := featureBits[name]
			if !ok {
				return nil, refuse("unknown or unsupported feature %q (this command handles: %s)", name, strings.Join(FeatureNames(), ", "))
			}
			mask |= b
			if name == "journaling" {
				journaling = true
			}
		}
	}
	if mask == 0 {
		return nil, refuse("no feature named")
	}
	creation, md, err := js.Split()
	if err != nil {
		return nil, err
	}
	if len(md)+len(creation) > 0 && !(enable && journaling) {
		return nil, refuse("journal options only apply when enabling journaling")
	}
	if js.Pool != "" {
		if _, err := c.IOContext(ctx, js.Pool); err != nil {
			return nil, refuse("--journal-pool %s: %v", js.Pool, err)
		}
	}
	res := &FeatureResult{Image: img.String(), Features: features, Enabled: enable, Metadata: md, Creation: creation}
	// Check and write metadata on one open; enable on a fresh open so that
	// librbd's config reflects the metadata when it creates the journal.
	err = withImage(ctx, c, img.Pool, img.Namespace, img.Image, false, false, func(i *rbd.Image) error {
		have, err := i.GetFeatures()
		if err != nil {
			return err
		}
		if enable && have&mask == mask {
			return refuse("image %s already has %s enabled", img, strings.Join(features, ","))
		}
		if !enable && have&mask == 0 {
			return refuse("image %s already has %s disabled", img, strings.Join(features, ","))
		}
		if !enable && journaling {
			if err := journalNeeded(i, img); err != nil {
				return err
			}
		}
		for k, v := range md {
			if err := i.SetMetadata(k, v); err != nil {
				return fmt.Errorf("set image metadata %s: %w", k, err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	update := func(i *rbd.Image) error {
		if err := i.UpdateFeatures(mask, enable); err != nil {
			if site.IsErrno(err, syscall.EINVAL) && enable && journaling {
				return fmt.Errorf("librbd refused: journaling needs exclusive-lock enabled first (%w)", err)
			}
			return err
		}
		return nil
	}
	if len(creation) > 0 {
		err = withOwnConnection(ctx, c, creation, func(conn *rados.Conn) error {
			io, err := conn.OpenIOContext(img.Pool)
			if err != nil {
				return err
			}
			defer io.Destroy()
			io.SetNamespace(img.Namespace)
			i, err := rbd.OpenImage(io, img.Image, rbd.NoSnapshot)
			if err != nil {
				return err
			}
			defer i.Close()
			return update(i)
		})
	} else {
		err = withImage(ctx, c, img.Pool, img.Namespace, img.Image, false, false, update)
	}
	if err != nil {
		return nil, err
	}
	if enable && journaling {
		if spec, err := SpecOfImage(ctx, c, img); err == nil {
			if j, err := Open(ctx, c, spec); err == nil {
				in := j.Info()
				res.Journal = &in
			}
		}
	}
	return res, nil
}

// journalNeeded refuses when the journal must stay: journal-mode mirroring
// replicates from it, and a consistency group's members keep journals for
// the group's consistency points.
func journalNeeded(i *rbd.Image, img model.ImageSpec) error {
	mi, err := i.GetMirrorImageInfo()
	if err == nil && mi.State == rbd.MirrorImageEnabled {
		mode, merr := i.GetImageMirrorMode()
		if merr != nil || mode == rbd.ImageMirrorModeJournal {
			role := "secondary"
			if mi.Primary {
				role = "primary"
			}
			return refuse("cannot disable journaling on %s: journal-based mirroring is enabled (%s) and replicates from the journal; disable mirroring first (rbdtui mirror image disable %s)", img, role, img)
		}
	}
	if g, err := i.GetGroup(); err == nil && g.Name != "" {
		return refuse("cannot disable journaling on %s: it is a member of consistency group %s, which needs its journal; remove it from the group first (rbd group image remove)", img, g.Name)
	}
	return nil
}

// ResetOptions choose how a journal is reset.
type ResetOptions struct {
	// KeepGeometry recreates the journal with its current order, splay
	// width and pool over librados instead of rbd's disable/re-enable of
	// journaling (which takes the geometry from the current settings).
	KeepGeometry bool
}

// ResetResult says what was done.
type ResetResult struct {
	Image    string   `json:"image"`
	Before   Info     `json:"before"`
	After    Info     `json:"after"`
	Warnings []string `json:"warnings,omitempty"`
}

// ResetPlan is what a reset would do, checked before asking the operator.
type ResetPlan struct {
	Image    string   `json:"image"`
	Before   Info     `json:"before"`
	Warnings []string `json:"warnings,omitempty"`
	journal  *Journal
	watchers int
}

// imageName finds the name of the image whose id is the journal's, in the
// pool's rbd_directory (key id_<id>, value an encoded string): an image
// opened by id does not know its name.
func imageName(ctx context.Context, c *site.Conn, spec Spec) (string, error) {
	io, err := c.IOContextNS(ctx, spec.Pool, spec.Namespace)
	if err != nil {
		return "", err
	}
	key := "id_" + spec.ID
	vals, err := site.Call(ctx, c, "look up image of journal "+spec.ID, func() (map[string][]byte, error) {
		return io.GetOmapValues("rbd_directory", "", key, 2)
	})
	if err != nil && !site.IsErrno(err, syscall.ENOENT) {
		return "", err
	}
	v, ok := vals[key]
	if !ok {
		return "", fmt.Errorf("journal %s belongs to no image in %s (no %s in rbd_directory)", spec, poolNS(spec.Pool, spec.Namespace), key)
	}
	d := &decoder{b: v}
	name := d.str("image name")
	return name, d.err
}

// PlanReset checks whether the journal may be reset and says what it would
// do. Refused (nothing changes) while image-mode journal mirroring needs the
// journal, as rbd refuses; the geometry-keeping reset is also refused while
// mirroring is on at all or the image is open. Pool-mode mirroring gives a
// warning: librbd disables and re-enables the image's mirroring.
func PlanReset(ctx context.Context, c *site.Conn, spec Spec, opt ResetOptions) (*ResetPlan, error) {
	j, err := Open(ctx, c, spec)
	if err != nil {
		return nil, err
	}
	p := &ResetPlan{Before: j.Info(), journal: j}
	var name string
	var mirrored, poolMode bool
	name, err = imageName(ctx, c, spec)
	if err != nil {
		return nil, err
	}
	err = withImage(ctx, c, spec.Pool, spec.Namespace, spec.ID, true, true, func(i *rbd.Image) error {
		if mi, err := i.GetMirrorImageInfo(); err == nil && mi.State == rbd.MirrorImageEnabled {
			if mode, err := i.GetImageMirrorMode(); err != nil || mode == rbd.ImageMirrorModeJournal {
				mirrored = true
			}
		}
		if io, err := c.IOContextNS(ctx, spec.Pool, spec.Namespace); err == nil {
			if pm, err := rbd.GetMirrorMode(io); err == nil && pm == rbd.MirrorModePool {
				poolMode = true
			}
		}
		ws, err := i.ListWatchers()
		p.watchers = len(ws)
		return err
	})
	if err != nil {
		return nil, err
	}
	p.Image = poolNS(spec.Pool, spec.Namespace) + "/" + name
	if mirrored && (!poolMode || opt.KeepGeometry) {
		return nil, refuse("cannot reset the journal of %s: journal-based mirroring is enabled and replicates from it (rbd: cannot disable journaling: image mirroring enabled and mirror pool mode set to image); disable mirroring first", p.Image)
	}
	if mirrored {
		p.Warnings = append(p.Warnings, "pool-mode mirroring: librbd disables and re-enables mirroring of the image, so its peers see a new image and resync it fully")
	}
	if opt.KeepGeometry && p.watchers > 0 {
		return nil, refuse("cannot reset the journal of %s keeping its geometry: the image is open by %d client(s); close it first (or use the plain reset, which goes through librbd)", p.Image, p.watchers)
	}
	return p, nil
}

// Reset deletes every entry, tag and client registration of the journal
// and starts a fresh one, as `rbd journal reset` does (disable and
// re-enable journaling through librbd, so the new journal takes the
// current settings); with KeepGeometry the journal is recreated over
// librados with its old order, splay width and pool. It checks again what
// PlanReset checks.
func Reset(ctx context.Context, c *site.Conn, spec Spec, opt ResetOptions) (*ResetResult, error) {
	p, err := PlanReset(ctx, c, spec, opt)
	if err != nil {
		return nil, err
	}
	res := &ResetResult{Image: p.Image, Before: p.Before, Warnings: p.Warnings}
	if !opt.KeepGeometry {
		err = withImage(ctx, c, spec.Pool, spec.Namespace, spec.ID, true, false, func(i *rbd.Image) error {
			if err := i.UpdateFeatures(rbd.FeatureJournaling, false); err != nil {
				return fmt.Errorf("disable journaling: %w", err)
			}
			if err := i.UpdateFeatures(rbd.FeatureJournaling, true); err != nil {
				return fmt.Errorf("re-enable journaling (the image is now WITHOUT journaling; run `rbdtui feature enable %s journaling`): %w", res.Image, err)
			}
			return nil
		})
	} else {
		err = p.journal.recreate(ctx)
	}
	if err != nil {
		return nil, err
	}
	j2, err := Open(ctx, c, spec)
	if err != nil {
		return nil, err
	}
	res.After = j2.Info()
	return res, nil
}

// recreate is librbd's Journal::reset over librados (§12.6): remove the
// data objects and the header, create a header with the same geometry,
// one local tag in a new class, and the image client.
func (j *Journal) recreate(ctx context.Context) error {
	h := j.Header
	if err := j.removeData(ctx, h.MinimumSet, h.ActiveSet); err != nil {
		return err
	}
	_, err := site.Call(ctx, j.conn, "remove "+j.HeaderOID(), func() (struct{}, error) { return struct{}{}, j.hdr.Delete(j.HeaderOID()) })
	if err != nil && !errors.Is(err, rados.ErrNotFound) {
		return err
	}
	if err := createHeader(ctx, j.conn, j.hdr, j.HeaderOID(), h.Order, h.SplayWidth, h.PoolID); err != nil {
		return fmt.Errorf("the journal's objects were removed but creating the new header failed (disable and re-enable journaling to recover): %w", err)
	}
	_, class, err := j.createTag(ctx, EncodeTagData(&TagData{}))
	if err != nil {
		return err
	}
	if err := j.RegisterClient(ctx, "", EncodeImageClientMeta(class, false)); err != nil {
		return err
	}
	return j.Refresh(ctx)
}

// ImageWatchers counts the watchers of the journal's image (librbd clients
// that have it open); a journal without an image gives an error.
func ImageWatchers(ctx context.Context, c *site.Conn, spec Spec) (int, error) {
	n := 0
	err := withImage(ctx, c, spec.Pool, spec.Namespace, spec.ID, true, true, func(i *rbd.Image) error {
		ws, err := i.ListWatchers()
		n = len(ws)
		return err
	})
	return n, err
}

// DisconnectResult lists the clients marked disconnected.
type DisconnectResult struct {
	Disconnected []string `json:"disconnected"`
}

// DisconnectClients marks one client (id) or every client but the image's
// own as disconnected, as `rbd journal client disconnect` does, so the
// trimmer stops waiting for them.
func (j *Journal) DisconnectClients(ctx context.Context, id *string) (*DisconnectResult, error) {
	res := &DisconnectResult{Disconnected: []string{}}
	for _, c := range j.Header.Clients {
		if id != nil && c.ID != *id {
			continue
		}
		if id == nil && c.ID == "" {
			continue
		}
		if err := j.SetClientState(ctx, c.ID, ClientDisconnected); err != nil {
			return res, err
		}
		res.Disconnected = append(res.Disconnected, c.ID)
	}
	if len(res.Disconnected) == 0 {
		if id != nil {
			return res, refuse("client %q is not registered on journal %s; nothing was changed", *id, j.Spec)
		}
		return res, refuse("no registered clients to disconnect on journal %s (only the image's own, which is never disconnected); nothing was changed", j.Spec)
	}
	j.notify(ctx)
	return res, j.Refresh(ctx)
}
