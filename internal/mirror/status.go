package mirror

import (
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/rbdtui/rbdtui/model"
)

var bootstrapRE = regexp.MustCompile(`bootstrapping, [A-Z_]+(?:/[A-Z_]+)? (\d+)%`)

// replayMemo keeps the replay JSON of recent descriptions parsed: a
// poller refreshing 1,000 images on two sites parses ~2,000 of them each
// time (about half its refresh), and rbd-mirror rewrites them only about
// every 30 s. Bounded: cleared when full.
var replayMemo = struct {
	sync.Mutex
	m map[string]*model.Replay
}{m: map[string]*model.Replay{}}

const replayMemoMax = 20000

// parseReplay decodes a description's replay JSON, from the memo when the
// same text was decoded before; nil when it does not decode. The caller
// gets its own copy of the top-level struct.
func parseReplay(d string, js string) *model.Replay {
	replayMemo.Lock()
	cached, ok := replayMemo.m[d]
	replayMemo.Unlock()
	if !ok {
		var r model.Replay
		if err := json.Unmarshal([]byte(js), &r); err == nil {
			// An empty non_primary_position ("{}") means nothing replayed yet.
			if r.NonPrimaryPosition != nil && *r.NonPrimaryPosition == (model.Position{}) && strings.Contains(d, `"non_primary_position":{}`) {
				r.NonPrimaryPosition = nil
			}
			cached = &r
		}
		replayMemo.Lock()
		if len(replayMemo.m) >= replayMemoMax {
			clear(replayMemo.m)
		}
		replayMemo.m[d] = cached
		replayMemo.Unlock()
	}
	if cached == nil {
		return nil
	}
	r := *cached
	return &r
}

// ParseStatus fills the typed fields of a site status from its description:
// the replaying JSON of either mode, bootstrapping progress, split-brain,
// resync and disconnection. Anything unrecognised stays in Description only.
func ParseStatus(s *model.SiteImageStatus) {
	d := strings.TrimSpace(s.Description)
	if i := strings.IndexByte(d, '{'); i >= 0 && strings.HasSuffix(d, "}") {
		if r := parseReplay(d, d[i:]); r != nil {
			s.Replay = r
		}
	}
	if !strings.HasPrefix(d, "bootstrapping") {
		// the common case: no regexp
	} else if m := bootstrapRE.FindStringSubmatch(d); m != nil {
		if n, err := strconv.Atoi(m[1]); err == nil {
			s.BootstrapPercent = &n
		}
	} else {
		zero := 0
		s.BootstrapPercent = &zero
	}
	s.SplitBrain = strings.HasPrefix(d, "split-brain")
	s.ResyncRequested = strings.HasPrefix(d, "resync requested")
	s.Disconnected = strings.HasPrefix(d, "disconnected")
}

// Classify puts an image in the proposal's terms: primary, secondary
// (consistent: replaying or synced), secondary (inconsistent: bootstrapping,
// resync requested, split-brain, error, disconnected).
func Classify(img *model.Image) model.Class {
	switch {
	case img.MirrorState != model.MirrorEnabled:
		return model.ClassDisabled
	case img.Primary:
		return model.ClassPrimary
	case img.Local == nil:
		return model.ClassUnknown
	}
	l := img.Local
	switch {
	case l.SplitBrain, l.ResyncRequested, l.Disconnected, l.BootstrapPercent != nil:
		return model.ClassInconsistent
	case l.State == model.StateError, l.State == model.StateSyncing:
		return model.ClassInconsistent
	case l.State == model.StateUnknown:
		return model.ClassUnknown
	}
	return model.ClassConsistent
}

// Health words of rbd mirror pool status, ordered by HealthRank.
const (
	HealthOK      = "OK"
	HealthUnknown = "UNKNOWN"
	HealthWarning = "WARNING"
	HealthError   = "ERROR"
)

// HealthRank orders health words the way rbd combines them:
// OK < UNKNOWN < WARNING < ERROR.
func HealthRank(h string) int {
	switch h {
	case HealthOK:
		return 0
	case HealthUnknown:
		return 1
	case HealthWarning:
		return 2
	case HealthError:
		return 3
	}
	return 1
}

// WorseHealth returns the worse of two health words.
func WorseHealth(a, b string) string {
	if HealthRank(b) > HealthRank(a) {
		return b
	}
	return a
}

// StateHealth is rbd's image health rule for one status: ERROR for error,
// WARNING for anything but replaying or stopped.
func StateHealth(state string) string {
	switch state {
	case model.StateReplaying, model.StateStopped:
		return HealthOK
	case model.StateError:
		return HealthError
	}
	return HealthWarning
}

// ImageHealth rolls up the local status (what `rbd mirror pool status`
// counts on this site) into OK, WARNING or ERROR.
func ImageHealth(img *model.Image) string {
	if img.MirrorState != model.MirrorEnabled {
		return HealthOK
	}
	if img.Local == nil {
		return HealthWarning
	}
	return StateHealth(img.Local.State)
}
