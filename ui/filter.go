package ui

import (
	"strings"

	"github.com/sahilm/fuzzy"
)

// The filter grammar (k9s): plain text matches fuzzily (sahilm/fuzzy) over
// each image's and group's compact search string (name, id, status words);
// a leading '!' keeps the rows that do NOT contain the rest as a substring,
// so "!replaying" lists everything that is not replaying. Matching is case
// insensitive.

// parseFilter splits a filter into its term and whether it is inverted.
func parseFilter(f string) (term string, negate bool) {
	f = strings.ToLower(strings.TrimSpace(f))
	if strings.HasPrefix(f, "!") {
		return strings.TrimSpace(f[1:]), true
	}
	return f, false
}

// match returns the indexes, in order, of the entries of search that pass
// the filter, and the index of the best fuzzy match (-1 when inverted or
// when nothing matches) with its score.
func match(search []string, f string) (idx []int, best, bestScore int) {
	term, neg := parseFilter(f)
	best = -1
	if term == "" {
		idx = make([]int, len(search))
		for i := range idx {
			idx[i] = i
		}
		return idx, best, 0
	}
	if neg {
		for i, s := range search {
			if !strings.Contains(s, term) {
				idx = append(idx, i)
			}
		}
		return idx, best, 0
	}
	ms := fuzzy.FindNoSort(term, search)
	idx = make([]int, len(ms))
	for i, m := range ms {
		idx[i] = m.Index
		if best < 0 || m.Score > bestScore {
			best, bestScore = m.Index, m.Score
		}
	}
	return idx, best, bestScore
}

// filtered returns the pool's images and groups passing filter f, caching
// the answer until the data or the filter changes.
func (ps *poolState) filtered(f string) (imgs, grps []int) {
	if ps.fOK && ps.fKey == f {
		return ps.fImg, ps.fGrp
	}
	ps.fImg, ps.fBest, ps.fScore = match(ps.search, f)
	ps.fGrp, _, _ = match(ps.gsrch, f)
	if ps.fImg == nil {
		ps.fImg = []int{}
	}
	ps.fKey, ps.fOK = f, true
	return ps.fImg, ps.fGrp
}
