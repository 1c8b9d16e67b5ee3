package backend

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/rbdtui/rbdtui/internal/cgroup"
	"github.com/rbdtui/rbdtui/internal/mirror"
	"github.com/rbdtui/rbdtui/internal/site"
	"github.com/rbdtui/rbdtui/model"
)

var _ model.FailoverScopeReader = (*Backend)(nil)

// ReadFailoverScope reads where a failover scope's mirrored images are
// primary, from every site in parallel and never from a cache: one image
// (and a group's members) by opening them (mirror.Exact), a pool from its
// batched mirror info listing, which carries the right primary flag.
func (b *Backend) ReadFailoverScope(ctx context.Context, scope, target string) (model.FailoverScopeState, error) {
	st := model.FailoverScopeState{At: time.Now()}
	var read func(ctx context.Context, c *site.Conn) ([]model.Image, error)
	switch scope {
	case model.FailoverImage:
		spec, err := model.ParseImageSpec(target, false)
		if err != nil {
			return st, err
		}
		read = func(ctx context.Context, c *site.Conn) ([]model.Image, error) {
			return exactList(ctx, c, map[string][]string{spec.Pool: {spec.Image}})
		}
	case model.FailoverPool:
		read = func(ctx context.Context, c *site.Conn) ([]model.Image, error) {
			l, err := mirror.ListAll(ctx, c, target)
			if err != nil {
				return nil, err
			}
			return l.Images(c.Name(), target), nil
		}
	case model.FailoverGroup:
		spec, err := cgroup.ParseSpec(target, false)
		if err != nil {
			return st, err
		}
		read = func(ctx context.Context, c *site.Conn) ([]model.Image, error) {
			members, err := cgroup.ImageList(ctx, c, spec)
			if err != nil {
				return nil, err
			}
			byPool := map[string][]string{}
			for _, m := range members {
				byPool[m.Pool] = append(byPool[m.Pool], m.Image)
			}
			return exactList(ctx, c, byPool)
		}
	default:
		return st, fmt.Errorf("unknown failover scope %q (image, pool or group)", scope)
	}
	sites := b.Sites()
	st.Sites = make([]model.FailoverScopeSite, len(sites))
	var wg sync.WaitGroup
	for i, s := range sites {
		st.Sites[i].Site = s.Name
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := b.sites.Site(s.Name)
			var imgs []model.Image
			if err == nil {
				imgs, err = read(ctx, c)
			}
			if err != nil {
				st.Sites[i].Err = oneLine(err.Error())
				return
			}
			for _, img := range imgs {
				switch {
				case img.MirrorState != model.MirrorEnabled:
				case img.Primary:
					st.Sites[i].Primary++
				default:
					st.Sites[i].NonPrimary++
				}
			}
		}()
	}
	wg.Wait()
	return st, nil
}

// exactList reads a few images of some pools by opening them.
func exactList(ctx context.Context, c *site.Conn, byPool map[string][]string) ([]model.Image, error) {
	var out []model.Image
	for pool, names := range byPool {
		m, err := mirror.Exact(ctx, c, pool, names)
		if err != nil {
			return nil, err
		}
		for _, img := range m {
			out = append(out, img)
		}
	}
	return out, nil
}
