package ui

import (
	"slices"
	"strings"

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
}

func newStore() *store {
	return &store{sites: map[string]*siteState{}}
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
