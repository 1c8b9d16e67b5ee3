// Package backend is the thin adapter that implements model.Backend over the
// engines (internal/site, internal/mirror, ...) and the command handlers of
// internal/cli. It is the only place where the console's requests meet
// librados.
package backend

import (
	"context"
	"sort"
	"strings"
	"time"

	"github.com/rbdtui/rbdtui/internal/cgroup"
	"github.com/rbdtui/rbdtui/internal/cli"
	"github.com/rbdtui/rbdtui/internal/mirror"
	"github.com/rbdtui/rbdtui/internal/site"
	"github.com/rbdtui/rbdtui/model"
)

// Backend implements model.Backend for real.
type Backend struct {
	sites *site.Manager
	app   *cli.App
	info  *mirror.InfoCache
	tl    *timeline
}

var _ model.Backend = (*Backend)(nil)

// New wraps a site manager; app runs the commands of Exec.
func New(m *site.Manager, app *cli.App) *Backend {
	return &Backend{sites: m, app: app, info: mirror.NewInfoCache(30 * time.Second), tl: newTimeline()}
}

// Sites lists the configured sites.
func (b *Backend) Sites() []model.Site {
	cfg := b.sites.Config()
	out := make([]model.Site, 0, len(cfg.Sites))
	for _, s := range cfg.Sites {
		out = append(out, model.Site{Name: s.Name, Conf: s.Conf, Client: s.ClientName(), Keyring: s.Keyring, ReadOnly: s.ReadOnly || cfg.UI.ReadOnly})
	}
	return out
}

// SiteStatus probes one site.
func (b *Backend) SiteStatus(ctx context.Context, name string) (model.SiteStatus, error) {
	c, err := b.sites.Site(name)
	if err != nil {
		return model.SiteStatus{}, err
	}
	return c.Probe(ctx), nil
}

// Pools lists a site's rbd pools with their mirroring summary.
func (b *Backend) Pools(ctx context.Context, name string) ([]model.Pool, error) {
	c, err := b.sites.Site(name)
	if err != nil {
		return nil, err
	}
	pools, err := c.Pools(ctx)
	if err != nil {
		return nil, err
	}
	// A namespace is a node under its pool, named "pool/namespace": its
	// images' specs are then that name, "/", the image.
	var out []model.Pool
	for _, p := range pools {
		out = append(out, p)
		nss, err := mirror.Namespaces(ctx, c, p.Name)
		if err != nil {
			continue
		}
		sort.Strings(nss)
		for _, ns := range nss {
			out = append(out, model.Pool{Site: p.Site, Name: p.Name + "/" + ns, ID: p.ID})
		}
	}
	for i, p := range out {
		if full, err := mirror.PoolSummary(ctx, c, p); err == nil {
			out[i] = full
		} else {
			out[i].MirrorMode = "?"
		}
	}
	return out, nil
}

// Images lists a pool's images with mirroring status.
func (b *Backend) Images(ctx context.Context, name, pool string) ([]model.Image, error) {
	c, err := b.sites.Site(name)
	if err != nil {
		return nil, err
	}
	at := time.Now()
	imgs, err := b.info.Images(ctx, c, pool)
	if err == nil {
		// Every listing feeds the timeline, so a watch opened later
		// shows what the console saw before it.
		b.tl.listed(name, pool, imgs, at)
	}
	return imgs, err
}

// ImageDetail opens one image.
func (b *Backend) ImageDetail(ctx context.Context, name string, spec model.ImageSpec) (model.ImageDetail, error) {
	c, err := b.sites.Site(name)
	if err != nil {
		return model.ImageDetail{}, err
	}
	if i := strings.IndexByte(spec.Pool, '/'); i > 0 && spec.Namespace == "" {
		// the console's "pool/namespace" node
		spec.Pool, spec.Namespace = spec.Pool[:i], spec.Pool[i+1:]
	}
	return mirror.Detail(ctx, c, spec)
}

// Exec runs one command of the shared grammar.
func (b *Backend) Exec(ctx context.Context, argv []string, progress func(model.Progress)) (model.ExecResult, error) {
	inner := progress
	progress = func(p model.Progress) {
		b.tl.add(progressEvents(argv, p, time.Now())...)
		if inner != nil {
			inner(p)
		}
	}
	res, err := b.app.Exec(ctx, b.sites, argv, progress)
	if err == nil && len(argv) >= 4 && argv[0] == "mirror" && argv[1] == "image" && argv[2] == "resync" && !strings.HasPrefix(argv[3], "-") {
		on := siteArg(argv)
		if on == "" && len(b.Sites()) > 0 {
			on = b.Sites()[0].Name
		}
		b.tl.add(model.WatchEvent{At: time.Now(), Site: on, Image: argv[3], Kind: model.EventResync,
			To: "resync requested", Detail: "by rbdtui " + strings.Join(argv, " ")})
	}
	// A command that changes things may have promoted, demoted or enabled
	// images: the next listing reads their mirror info afresh rather than
	// from the cache.
	if inv, perr := b.app.Grammar.Parse(argv); perr == nil && inv.Cmd != nil && inv.Cmd.Dangerous {
		b.info.Forget()
	}
	return res, err
}

// siteArg is the --site of an argv ("" when absent).
func siteArg(argv []string) string {
	for i := 0; i+1 < len(argv); i++ {
		if argv[i] == "--site" {
			return argv[i+1]
		}
	}
	return ""
}

var _ model.GroupLister = (*Backend)(nil)

// Groups lists a pool's consistency groups with their members and
// consistency points (group snapshots).
func (b *Backend) Groups(ctx context.Context, name, pool string) ([]model.Group, error) {
	c, err := b.sites.Site(name)
	if err != nil {
		return nil, err
	}
	node, ns := pool, ""
	if i := strings.IndexByte(pool, '/'); i > 0 {
		pool, ns = pool[:i], pool[i+1:]
	}
	names, err := cgroup.List(ctx, c, pool, ns)
	if err != nil {
		return nil, err
	}
	out := make([]model.Group, 0, len(names))
	for _, n := range names {
		spec := cgroup.Spec{Pool: pool, Namespace: ns, Group: n}
		g := model.Group{Site: name, Pool: node, Name: n, MirrorState: model.MirrorDisabled}
		if imgs, err := cgroup.ImageList(ctx, c, spec); err == nil {
			for _, i := range imgs {
				g.Members = append(g.Members, i.Pool+"/"+i.Image)
			}
		}
		if snaps, err := cgroup.SnapList(ctx, c, spec); err == nil {
			for _, s := range snaps {
				g.ConsistencyPoints = append(g.ConsistencyPoints, model.GroupPoint{Name: s.Snapshot, Complete: s.State == cgroup.GroupSnapComplete()})
			}
		}
		out = append(out, g)
	}
	return out, nil
}
