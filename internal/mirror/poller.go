package mirror

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/rbdtui/rbdtui/internal/site"
	"github.com/rbdtui/rbdtui/model"
)

// ErrBusy is returned by Poller.Refresh while another refresh runs: ticks
// never pile up behind a slow site.
var ErrBusy = errors.New("a refresh is already running")

// siteImage names an image on a site (the poller's map keys: no string is
// built per image per refresh).
type siteImage struct{ site, image string }

// Event is a transition the poller saw between two refreshes.
type Event struct {
	At     time.Time `json:"at"`
	Site   string    `json:"site"`
	Image  string    `json:"image,omitempty"`
	Kind   string    `json:"kind"` // state, promoted, demoted, split-brain, resync, leader, site-down, site-up, enabled, disabled
	From   string    `json:"from,omitempty"`
	To     string    `json:"to,omitempty"`
	Detail string    `json:"detail,omitempty"`
}

func (e Event) String() string {
	s := e.At.Format("15:04:05") + " " + e.Site
	if e.Image != "" {
		s += " " + e.Image
	}
	s += " " + e.Kind
	if e.From != "" || e.To != "" {
		s += ": " + e.From + " -> " + e.To
	}
	if e.Detail != "" {
		s += " (" + e.Detail + ")"
	}
	return s
}

// SiteView is one site's part of a refresh.
type SiteView struct {
	Site    string
	Images  []model.Image
	Daemons *DaemonInfo
	Err     error
	At      time.Time
	// Journals are the journal headers of the journal-mode images primary
	// here (LiveLag on); Live the lags of the copies here read from them.
	Journals map[string]*JournalHead
	// Snaps are the mirror snapshots of the snapshot-mode images here.
	Snaps map[string][]MirrorSnap
	Live  map[string]LiveLag
}

// View is one refresh of the pool on every site.
type View struct {
	At    time.Time
	Took  time.Duration
	Sites []SiteView
}

// Poller refreshes one pool on every site with batched listings (no image
// is opened), keeps a short per-image history of lag values and a timeline
// of state transitions, and never runs two refreshes at once.
type Poller struct {
	sites []*site.Conn
	pool  string
	// History bounds: lag values kept per image and events kept in total.
	MaxSamples int
	MaxEvents  int
	// Daemons also reads the service map for leader changes.
	Daemons bool
	// Only, when set, limits the poll to the images it accepts (a group's
	// members, marked images); the listing is still pool-wide and batched.
	Only func(image string) bool
	// DownProbe bounds the refresh of a site that did not answer the
	// last one, so a site that is gone delays the others' rows by at most
	// this much per refresh instead of a full call timeout; 0 = no bound.
	DownProbe time.Duration
	// ExactMax, when > 0, reads the images a refresh covers by opening
	// each one (mirror.Exact) whenever they are at most this many: their
	// primary-ness, demotion and status description then come from the
	// images themselves on every refresh, not from the cached info
	// listing or Pacific's batched status (which hides "remote image is
	// not primary"). The batched listing still finds the names.
	ExactMax int
	// LiveLag reads the journal of every journal-mode primary on every
	// refresh (header and the tail of its active objects), for the live
	// lag of its copies (see LiveLag); like ExactMax, only while the
	// refresh covers at most ExactMax images.
	LiveLag bool
	// Focus, when set, names the images on screen: when a refresh covers
	// more than ExactMax images, these (at most ExactMax of them) are
	// still read from the images themselves and their journals, so what
	// the operator looks at is ground truth in a pool of thousands.
	Focus func() []string

	info    *InfoCache
	running sync.Mutex
	mu      sync.Mutex
	poolIDs map[string]int64
	last    map[siteImage]model.Image
	leader  map[string]string    // by site
	down    map[string]time.Time // by site: when it stopped answering
	// hist holds lag values only, no pointers: at 1,000 images x 2 sites
	// x 300 refreshes, whole samples (and the parsed statuses they
	// pointed into) made a 160 MB heap the GC scanned; these are 5 MB it
	// does not scan.
	hist   map[siteImage][]int64
	live   map[string]LiveLag // by site/image: the last live lag
	events []Event
	evSeq  uint64 // events ever recorded; events[len-1] is number evSeq
	view   *View
}

// PollerInfoAge is how old a Poller lets its cached mirror info (mode,
// primary flag) get. A poller watches transitions, so it is shorter than
// the console's 30 s: the info listing runs in the background (~0.5 s of
// cluster reads per 1,000 images) and never delays a refresh, and with it
// a demotion whose status has not changed yet shows within seconds.
const PollerInfoAge = 5 * time.Second

// NewPoller watches pool on the given sites.
func NewPoller(pool string, sites ...*site.Conn) *Poller {
	return &Poller{sites: sites, pool: pool, MaxSamples: 300, MaxEvents: 1000, Daemons: true, info: NewInfoCache(PollerInfoAge),
		poolIDs: map[string]int64{}, last: map[siteImage]model.Image{}, leader: map[string]string{}, down: map[string]time.Time{}, hist: map[siteImage][]int64{}}
}

// Pool is the pool being watched.
func (p *Poller) Pool() string { return p.pool }

// Refresh polls every site in parallel. It returns ErrBusy if a refresh is
// already running; one unreachable site is reported in its SiteView while
// the others refresh normally.
func (p *Poller) Refresh(ctx context.Context) (*View, error) {
	if !p.running.TryLock() {
		return nil, ErrBusy
	}
	defer p.running.Unlock()
	start := time.Now()
	v := &View{At: start, Sites: make([]SiteView, len(p.sites))}
	var wg sync.WaitGroup
	for i, c := range p.sites {
		wg.Add(1)
		go func(i int, c *site.Conn) {
			defer wg.Done()
			v.Sites[i] = p.refreshSite(ctx, c)
		}(i, c)
	}
	wg.Wait()
	if p.LiveLag {
		p.liveLags(v)
	}
	v.Took = time.Since(start)
	p.record(v)
	return v, nil
}

func (p *Poller) refreshSite(ctx context.Context, c *site.Conn) SiteView {
	sv := SiteView{Site: c.Name(), At: time.Now()}
	p.mu.Lock()
	_, wasDown := p.down[c.Name()]
	p.mu.Unlock()
	if wasDown && p.DownProbe > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, p.DownProbe)
		defer cancel()
	}
	var wg sync.WaitGroup
	if p.Daemons {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p.mu.Lock()
			id, ok := p.poolIDs[c.Name()]
			p.mu.Unlock()
			if !ok {
				conn, err := c.Rados(ctx)
				if err != nil {
					return
				}
				id, err = site.Call(ctx, c, "pool id", func() (int64, error) { return conn.GetPoolByName(p.pool) })
				if err != nil {
					return
				}
				p.mu.Lock()
				p.poolIDs[c.Name()] = id
				p.mu.Unlock()
			}
			if di, err := Daemons(ctx, c, id); err == nil {
				sv.Daemons = di
			}
		}()
	}
	imgs, err := p.info.Images(ctx, c, p.pool)
	wg.Wait()
	if p.Only != nil {
		kept := imgs[:0:0]
		for _, img := range imgs {
			if p.Only(img.Name) {
				kept = append(kept, img)
			}
		}
		imgs = kept
	}
	exact := imgs
	if len(imgs) > max(p.ExactMax, 1) {
		exact = p.focused(imgs)
	}
	if err == nil && p.ExactMax > 0 && len(exact) > 0 {
		var read []model.Image
		if read, err = exactOverlay(ctx, c, p.pool, exact); err == nil {
			imgs, exact = merge(imgs, read), read
		}
	}
	sv.Images, sv.Err = imgs, err
	if err == nil && p.LiveLag && len(exact) > 0 {
		sv.Journals = readJournalHeads(ctx, c, p.pool, exact)
		sv.Snaps = readMirrorSnaps(ctx, c, p.pool, exact)
	}
	return sv
}

// focused is the images of imgs that Focus names, at most ExactMax of
// them (none without a Focus).
func (p *Poller) focused(imgs []model.Image) []model.Image {
	if p.Focus == nil || p.ExactMax <= 0 {
		return nil
	}
	by := make(map[string]int, len(imgs))
	for i, img := range imgs {
		by[img.Name] = i
	}
	var out []model.Image
	for _, n := range p.Focus() {
		if i, ok := by[n]; ok && len(out) < p.ExactMax {
			out = append(out, imgs[i])
			delete(by, n)
		}
	}
	return out
}

// merge replaces the images of all that read has (by name) with read's.
func merge(all, read []model.Image) []model.Image {
	if len(read) == len(all) {
		return read
	}
	by := make(map[string]model.Image, len(read))
	for _, img := range read {
		by[img.Name] = img
	}
	out := make([]model.Image, len(all))
	for i, img := range all {
		out[i] = img
		if r, ok := by[img.Name]; ok {
			out[i] = r
		}
	}
	return out
}

// exactOverlay replaces listed images with what opening them says. An
// image gone between the listing and the open (a resync moves it) keeps
// its listed state.
func exactOverlay(ctx context.Context, c *site.Conn, pool string, imgs []model.Image) ([]model.Image, error) {
	names := make([]string, 0, len(imgs))
	for _, img := range imgs {
		if img.MirrorState != model.MirrorDisabled {
			names = append(names, img.Name)
		}
	}
	if len(names) == 0 {
		return imgs, nil
	}
	exact, err := Exact(ctx, c, pool, names)
	if err != nil {
		return nil, err
	}
	out := make([]model.Image, len(imgs))
	for i, img := range imgs {
		out[i] = img
		if e, ok := exact[img.Name]; ok {
			out[i] = e
		}
	}
	return out, nil
}

// replayLag is an image's replay lag on its site: the live journal lag
// when the poller read it, else the entries behind (journal) or seconds
// behind (snapshot) in rbd-mirror's status, else 0 (a primary, a stopped
// copy).
func replayLag(img model.Image, live *LiveLag) int64 {
	if live != nil {
		return live.Lag
	}
	if img.Local == nil || img.Local.Replay == nil {
		return 0
	}
	r := img.Local.Replay
	switch {
	case r.EntriesBehindPrimary != nil:
		return *r.EntriesBehindPrimary
	case r.RemoteSnapshotTimestamp != nil && r.LocalSnapshotTimestamp != nil:
		return *r.RemoteSnapshotTimestamp - *r.LocalSnapshotTimestamp
	}
	return 0
}

func (p *Poller) record(v *View) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.view = v
	for _, sv := range v.Sites {
		if sv.Err != nil {
			if _, was := p.down[sv.Site]; !was {
				p.event(Event{At: sv.At, Site: sv.Site, Kind: "site-down", Detail: sv.Err.Error()})
				p.down[sv.Site] = sv.At
			}
			continue
		}
		if _, was := p.down[sv.Site]; was {
			p.event(Event{At: sv.At, Site: sv.Site, Kind: "site-up"})
			delete(p.down, sv.Site)
		}
		if sv.Daemons != nil && sv.Daemons.Leader != p.leader[sv.Site] {
			if _, seen := p.leader[sv.Site]; seen {
				p.event(Event{At: sv.At, Site: sv.Site, Kind: "leader", From: p.leader[sv.Site], To: sv.Daemons.Leader})
			}
			p.leader[sv.Site] = sv.Daemons.Leader
		}
		for _, img := range sv.Images {
			key := siteImage{sv.Site, img.Name}
			prev, seen := p.last[key]
			p.last[key] = img
			var live *LiveLag
			if l, ok := sv.Live[img.Name]; ok {
				live = &l
			}
			h := append(p.hist[key], replayLag(img, live))
			if len(h) > p.MaxSamples {
				h = h[len(h)-p.MaxSamples:]
			}
			p.hist[key] = h
			if seen {
				p.diff(sv.Site, sv.At, prev, img)
			}
		}
	}
}

// diff records the transitions between two observations of one image.
func (p *Poller) diff(siteName string, at time.Time, a, b model.Image) {
	for _, e := range Diff(siteName, at, a, b) {
		p.event(e)
	}
}

// Diff is the transitions between two observations of one image on a
// site: mirroring enabled or disabled, promoted, demoted, a change of
// state, split-brain, resync requested. The one computation of them, for
// the poller and for the console's own listings.
func Diff(siteName string, at time.Time, a, b model.Image) []Event {
	var out []Event
	ev := func(kind, from, to, detail string) {
		out = append(out, Event{At: at, Site: siteName, Image: b.Name, Kind: kind, From: from, To: to, Detail: detail})
	}
	if a.MirrorState != b.MirrorState {
		ev("mirroring", a.MirrorState, b.MirrorState, "")
	}
	if a.Primary != b.Primary {
		if b.Primary {
			ev("promoted", "non-primary", "primary", "")
		} else {
			ev("demoted", "primary", "non-primary", "")
		}
	}
	as, bs := statusOf(a), statusOf(b)
	if as.FullState() != bs.FullState() {
		ev("state", as.FullState(), bs.FullState(), bs.Description)
	}
	if !as.SplitBrain && bs.SplitBrain {
		ev("split-brain", "", "", bs.Description)
	}
	if !as.ResyncRequested && bs.ResyncRequested {
		ev("resync", "", "", bs.Description)
	}
	return out
}

func statusOf(i model.Image) model.SiteImageStatus {
	if i.Local == nil {
		return model.SiteImageStatus{}
	}
	return *i.Local
}

func (p *Poller) event(e Event) {
	p.evSeq++
	p.events = append(p.events, e)
	if len(p.events) > p.MaxEvents {
		p.events = p.events[len(p.events)-p.MaxEvents:]
	}
}

// Events returns the transitions seen after since, oldest first.
func (p *Poller) Events(since time.Time) []Event {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []Event
	for _, e := range p.events {
		if e.At.After(since) {
			out = append(out, e)
		}
	}
	return out
}

// EventsAfter returns the transitions recorded after the n-th (counting
// from 1, over the poller's life), oldest first, and the number of the
// newest, to pass next time: a consumer sees every event once, even when
// two refreshes share a timestamp. Events trimmed by MaxEvents are lost.
func (p *Poller) EventsAfter(n uint64) ([]Event, uint64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	first := p.evSeq - uint64(len(p.events)) // number of events[0] minus one
	if n < first {
		n = first
	}
	if n >= p.evSeq {
		return nil, p.evSeq
	}
	return append([]Event(nil), p.events[n-first:]...), p.evSeq
}

// Lags returns the last n lag values of an image on a site, oldest first:
// entries behind the primary, or seconds a snapshot-mode copy is behind;
// a sample without either counts as 0 (a primary, a stopped copy).
func (p *Poller) Lags(siteName, image string, n int) []int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	h := p.hist[siteImage{siteName, image}]
	if len(h) > n {
		h = h[len(h)-n:]
	}
	return append([]int64(nil), h...)
}

// DownSince reports when a site stopped answering, and whether it is down.
func (p *Poller) DownSince(siteName string) (time.Time, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	t, ok := p.down[siteName]
	return t, ok
}

// Leader is the rbd-mirror daemon leading the pool on a site as last seen.
func (p *Poller) Leader(siteName string) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.leader[siteName]
}

// Last returns the latest refresh, or nil before the first.
func (p *Poller) Last() *View {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.view
}

// Summary counts images on a site by state.
func (v *View) Summary(siteName string) (map[string]int, error) {
	for _, sv := range v.Sites {
		if sv.Site == siteName {
			if sv.Err != nil {
				return nil, sv.Err
			}
			out := map[string]int{}
			for _, img := range sv.Images {
				if img.Local != nil {
					out[img.Local.State]++
				}
			}
			return out, nil
		}
	}
	return nil, fmt.Errorf("site %s is not polled", siteName)
}
