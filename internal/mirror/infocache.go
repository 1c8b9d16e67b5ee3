package mirror

import (
	"context"
	"sync"
	"time"

	"github.com/ceph/go-ceph/rbd"
	"github.com/rbdtui/rbdtui/internal/site"
	"github.com/rbdtui/rbdtui/model"
)

// InfoCache lists a pool's images quickly enough to poll thousands of them:
// statuses come from the batched status listing on every call, while each
// image's mode and primary flag (the slow info listing) are cached and
// refreshed in the background once they are older than MaxAge. A status
// that says the copy is primary, or that it replays, overrides the cached
// primary flag at once, so promotions and demotions show up on the next
// refresh rather than MaxAge later.
type InfoCache struct {
	MaxAge time.Duration

	mu      sync.Mutex
	entries map[string]*infoEntry // by site/pool
}

type infoEntry struct {
	modes      map[string]rbd.ImageMirrorMode
	primary    map[string]bool
	dir        *DirNames // the names last listed, kept while current
	at         time.Time
	refreshing bool
}

// NewInfoCache makes a cache whose entries are refreshed after maxAge.
func NewInfoCache(maxAge time.Duration) *InfoCache {
	return &InfoCache{MaxAge: maxAge, entries: map[string]*infoEntry{}}
}

// Images lists a pool's images with their mirroring status.
func (ic *InfoCache) Images(ctx context.Context, c *site.Conn, pool string) ([]model.Image, error) {
	key := c.Name() + "/" + pool
	ic.mu.Lock()
	e := ic.entries[key]
	var dir *DirNames
	if e != nil {
		dir = e.dir
	}
	ic.mu.Unlock()
	if e == nil {
		// First time: one full listing fills the cache.
		l, err := ListAll(ctx, c, pool)
		if err != nil {
			return nil, err
		}
		ic.store(key, l)
		return l.Images(c.Name(), pool), nil
	}
	l, err := listStatusesSince(ctx, c, pool, dir)
	if err != nil {
		return nil, err
	}
	ic.mu.Lock()
	e.dir = &l.Dir
	for id, m := range e.modes {
		l.Modes[id] = m
	}
	for id, p := range e.primary {
		l.Primary[id] = p
	}
	stale := time.Since(e.at) > ic.MaxAge && !e.refreshing
	if stale {
		e.refreshing = true
	}
	ic.mu.Unlock()
	var suspects []string // cached as primary, but the local status no longer says so
	suspectID := map[string]string{}
	for id, st := range l.Statuses {
		for _, ss := range st.SiteStatuses {
			if ss.MirrorUUID != "" || !ss.Up {
				continue
			}
			switch {
			case ss.Description == "local image is primary":
				l.Primary[id] = true
			case ss.State == rbd.MirrorImageStatusStateReplaying, ss.State == rbd.MirrorImageStatusStateSyncing:
				l.Primary[id] = false
			case l.Primary[id] && st.Name != "" && len(suspects) < maxSuspects:
				suspects = append(suspects, st.Name)
				suspectID[st.Name] = id
			}
		}
	}
	if len(suspects) > 0 {
		// A demoted image says "status not found" or "stopped" until the
		// daemon replays it: ask each such image itself rather than
		// show it as primary until the cache is MaxAge old.
		if exact, err := Exact(ctx, c, pool, suspects); err == nil {
			ic.mu.Lock()
			for name, img := range exact {
				if id, ok := suspectID[name]; ok {
					l.Primary[id] = img.Primary
					e.primary[id] = img.Primary
				}
			}
			ic.mu.Unlock()
		}
	}
	if stale {
		go func() {
			bg, cancel := context.WithTimeout(context.Background(), 2*c.Timeout())
			defer cancel()
			full, err := ListAll(bg, c, pool)
			ic.mu.Lock()
			e.refreshing = false
			ic.mu.Unlock()
			if err == nil {
				ic.store(key, full)
			}
		}()
	}
	return l.Images(c.Name(), pool), nil
}

// Forget drops every cached entry: the next listing of each pool reads the
// mirror info again. The console calls it after running a command, which
// may have changed what the cache holds.
func (ic *InfoCache) Forget() {
	ic.mu.Lock()
	defer ic.mu.Unlock()
	clear(ic.entries)
}

// maxSuspects bounds the images one listing opens to check a primary flag
// that its status contradicts (see Images); the rest wait for the next.
const maxSuspects = 64

func (ic *InfoCache) store(key string, l *PoolListing) {
	ic.mu.Lock()
	defer ic.mu.Unlock()
	ic.entries[key] = &infoEntry{modes: l.Modes, primary: l.Primary, dir: &l.Dir, at: time.Now()}
}
