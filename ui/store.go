package ui

import (
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/rbdtui/rbdtui/model"
)

// siteState is everything the console knows about one site: its
// configuration and the latest answers the Backend gave about it.
type siteState struct {
	site model.Site

	probed bool             // a SiteStatus answer (or error) has arrived
	status model.SiteStatus // latest answer; may be partial when err is set
	err    string           // why the site is unreachable; "" when reachable

	poolsLoaded bool
	pools       []model.Pool
	poolsErr    string
}

func (s *siteState) unreachable() bool { return s.probed && s.err != "" }

// store holds the data every component renders. Only the App writes to it,
// from Update, so components can read it without locking.
type store struct {
	order []string
	sites map[string]*siteState

	pools    map[string]*poolState                 // by pool id "site/pool"
	details  map[string]*loaded[model.ImageDetail] // by image key
	journals map[string]*loaded[model.Journal]     // by image key
}

func newStore() *store {
	return &store{
		sites:    map[string]*siteState{},
		pools:    map[string]*poolState{},
		details:  map[string]*loaded[model.ImageDetail]{},
		journals: map[string]*loaded[model.Journal]{},
	}
}

// setSites adopts the configured site list, keeping what is known about the
// sites that remain so a reload does not blank the screen.
func (st *store) setSites(sites []model.Site) {
	next := make(map[string]*siteState, len(sites))
	st.order = st.order[:0]
	for _, s := range sites {
		if _, dup := next[s.Name]; dup {
			continue
		}
		ss, ok := st.sites[s.Name]
		if !ok {
			ss = &siteState{}
		}
		ss.site = s
		next[s.Name] = ss
		st.order = append(st.order, s.Name)
	}
	st.sites = next
}

func (st *store) site(name string) *siteState { return st.sites[name] }

// each returns the sites in configuration order.
func (st *store) each() []*siteState {
	out := make([]*siteState, 0, len(st.order))
	for _, n := range st.order {
		out = append(out, st.sites[n])
	}
	return out
}

func (st *store) pool(site, name string) (model.Pool, bool) {
	ss := st.site(site)
	if ss == nil {
		return model.Pool{}, false
	}
	i := slices.IndexFunc(ss.pools, func(p model.Pool) bool { return p.Name == name })
	if i < 0 {
		return model.Pool{}, false
	}
	return ss.pools[i], true
}

// health is how a site's state is shown: always a symbol and a word, with
// a level that only adds colour.
type health struct {
	symbol string
	word   string
	level  level
}

// Words for states that are not Ceph health values.
const (
	wordUnreachable = "UNREACHABLE"
	wordChecking    = "CHECKING"
)

func siteHealth(s *siteState) health {
	switch {
	case !s.probed:
		return health{"○", wordChecking, levelUnknown}
	case s.err != "":
		return health{"✖", wordUnreachable, levelErr}
	}
	switch s.status.Health {
	case model.HealthOK:
		return health{"●", model.HealthOK, levelOK}
	case model.HealthWarn:
		return health{"▲", model.HealthWarn, levelWarn}
	case model.HealthErr:
		return health{"◆", model.HealthErr, levelErr}
	}
	return health{"?", model.HealthUnknown, levelUnknown}
}

// oneLine folds an error or other backend text onto one line: Ceph messages
// may carry newlines and tabs that would break the layout.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// poolState is what the console knows about one pool's contents: its images
// and groups, loaded when the pool is first opened and refreshed with it.
type poolState struct {
	site, pool string

	loaded  bool
	loading bool
	seq     uint64 // id of the latest request; older answers are dropped
	err     string
	at      time.Time

	images []model.Image
	// search holds one compact lower-case string per image (name, id,
	// states), built once per answer so a filter keystroke costs only
	// the match itself.
	search []string
	groups []model.Group
	gsrch  []string

	// The last filter result, kept until the data or the filter changes.
	fOK    bool
	fKey   string
	fImg   []int
	fGrp   []int
	fBest  int // image index of the best fuzzy match, -1 if none
	fScore int
}

func (ps *poolState) setImages(images []model.Image, groups []model.Group) {
	ps.images, ps.groups = images, groups
	ps.search = make([]string, len(images))
	for i := range images {
		ps.search[i] = imageSearch(&images[i])
	}
	ps.gsrch = make([]string, len(groups))
	for i, g := range groups {
		ps.gsrch[i] = strings.ToLower(g.Name + " " + g.ID + " group " + g.MirrorState)
	}
	ps.fOK = false
}

// imageSearch is what the filter matches an image against: its name, id,
// mirroring state and the words shown for its status.
func imageSearch(img *model.Image) string {
	var b strings.Builder
	b.Grow(len(img.Name) + len(img.ID) + 48)
	b.WriteString(img.Name)
	b.WriteByte(' ')
	b.WriteString(img.ID)
	b.WriteByte(' ')
	b.WriteString(imageStatus(img).word)
	b.WriteByte(' ')
	b.WriteString(img.MirrorMode)
	b.WriteByte(' ')
	b.WriteString(string(img.Class))
	if img.Primary {
		// A primary is as healthy as its copies: "!replaying" must not
		// list a primary whose peers replay.
		for _, p := range img.Peers {
			b.WriteString(" peer:")
			b.WriteString(p.FullState())
		}
	}
	if model.Attention(*img) != "" {
		b.WriteString(" " + attentionWord)
	}
	return strings.ToLower(b.String())
}

// attentionWord is in the search string of every image that needs
// attention (model.Attention), so "/attention" filters them.
const attentionWord = "attention"

// mirrorLevel is the worst mirroring state of the images the console has
// loaded for a site; ok is false when it has none loaded.
func (st *store) mirrorLevel(site string) (worst level, ok bool) {
	for _, ps := range st.pools {
		if ps.site != site || !ps.loaded {
			continue
		}
		for i := range ps.images {
			ok = true
			if l := imageStatus(&ps.images[i]).level; l > worst && l != levelUnknown {
				worst = l
			}
		}
	}
	return worst, ok
}

// loaded is one asynchronously loaded value keyed by the node it belongs
// to (image detail, journal): seq drops answers to superseded requests.
type loaded[T any] struct {
	v    T
	ok   bool
	err  string
	seq  uint64
	busy bool
	at   time.Time
}

func (st *store) poolState(site, pool string) *poolState {
	return st.pools[poolID(site, pool)]
}

func (st *store) ensurePool(site, pool string) *poolState {
	id := poolID(site, pool)
	ps := st.pools[id]
	if ps == nil {
		ps = &poolState{site: site, pool: pool, fBest: -1}
		st.pools[id] = ps
	}
	return ps
}

// image finds an image by its key's parts.
func (st *store) image(site, pool, name string) (*model.Image, bool) {
	ps := st.poolState(site, pool)
	if ps == nil {
		return nil, false
	}
	i := sort.Search(len(ps.images), func(i int) bool { return ps.images[i].Name >= name })
	if i < len(ps.images) && ps.images[i].Name == name {
		return &ps.images[i], true
	}
	for i := range ps.images { // not sorted by name (a fixture may not be)
		if ps.images[i].Name == name {
			return &ps.images[i], true
		}
	}
	return nil, false
}

func (st *store) group(site, pool, name string) (*model.Group, bool) {
	ps := st.poolState(site, pool)
	if ps == nil {
		return nil, false
	}
	for i := range ps.groups {
		if ps.groups[i].Name == name {
			return &ps.groups[i], true
		}
	}
	return nil, false
}

// imageStatus is how an image's mirroring is shown: symbol and word, with
// a level that only adds colour.
func imageStatus(img *model.Image) health {
	switch {
	case img.MirrorState == model.MirrorDisabling:
		return health{"◌", "disabling", levelWarn}
	case img.MirrorState != model.MirrorEnabled:
		return health{"○", "not-mirrored", levelUnknown}
	case img.Primary:
		return health{"◆", "primary", levelOK}
	case img.Local == nil:
		return health{"?", "no-status", levelWarn}
	}
	l := img.Local
	word := l.FullState()
	switch {
	case l.SplitBrain:
		return health{"✖", "split-brain", levelErr}
	case l.ResyncRequested:
		return health{"▲", "resync-requested", levelWarn}
	case l.BootstrapPercent != nil:
		word += " " + strconv.Itoa(*l.BootstrapPercent) + "%"
	}
	switch {
	case l.State == model.StateError || !l.Up:
		return health{"✖", word, levelErr}
	case l.State == model.StateReplaying || l.State == model.StateStopped:
		return health{"●", word, levelOK}
	}
	return health{"▲", word, levelWarn}
}

// groupStatus is how a group's mirroring is shown.
func groupStatus(g *model.Group) health {
	img := model.Image{MirrorState: g.MirrorState, Primary: g.Primary, Local: g.Local}
	if g.MirrorState == "" {
		img.MirrorState = model.MirrorDisabled
	}
	return imageStatus(&img)
}
