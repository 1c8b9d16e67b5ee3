package mirror

import (
	"context"
	"sync"
	"time"

	"github.com/rbdtui/rbdtui/internal/journal"
	"github.com/rbdtui/rbdtui/internal/site"
	"github.com/rbdtui/rbdtui/model"
)

// JournalHead is what a journal-mode primary's journal header says at one
// read: the image's own (master) client's commit position, the writer's
// newest committed entry, and each mirror peer client's commit position,
// what that peer's rbd-mirror has replayed. rbd-mirror publishes its
// replay status only about every 30 s; the header is current.
type JournalHead struct {
	At     time.Time
	Master *journal.ObjectPosition
	// Newest is the newest entry in the data objects (NewestEntry): the
	// writer's position before its commit reaches the header.
	Newest *journal.ObjectPosition
	// Tail is what the active objects' tails hold, for the bytes a peer
	// has yet to replay.
	Tail *journal.Tail
	// Peers are the mirror peer clients' commit positions by client id
	// (the peer's mirror uuid).
	Peers map[string]*journal.ObjectPosition
}

// LiveLag is a copy's lag read from the images themselves: for a journal
// copy from its primary's journal (the same positions `rbd journal
// status` prints), for a snapshot copy from the mirror snapshots on both
// sites.
type LiveLag struct {
	At time.Time
	// Lag is, in journal mode, the entries behind the writer: in one tag
	// the difference of entry tids; across tags the writer's entries in
	// its newer tag (as rbd-mirror counts entries_behind_primary). In
	// snapshot mode, the seconds between the primary's newest mirror
	// snapshot and the one the copy holds completely (0 when it holds
	// the newest).
	Lag int64
	// CopyPercent is a snapshot copy's progress on the snapshot it is
	// copying (objects copied of the image's); nil when not copying.
	CopyPercent *float64
	// Master is the writer's position: the newest entry in the data
	// objects, or the master client's commit position if that is newer.
	Master journal.ObjectPosition
	Commit journal.ObjectPosition
	// EntriesPerSec is the replay rate from the commit positions of two
	// successive reads in one tag; nil when unknown.
	EntriesPerSec *float64
	// Bytes is, in journal mode, the journal bytes of the entries the
	// peer has not committed: counted in the active objects' tails when
	// they hold all of them (BytesEstimated false), else estimated from
	// the entries behind and the mean size of the entries read (never
	// less than what was counted). nil when the tails were not read.
	Bytes          *int64
	BytesEstimated bool
}

// readJournalHeads reads the journal header of every journal-mode image
// primary on this site, in parallel.
func readJournalHeads(ctx context.Context, c *site.Conn, pool string, imgs []model.Image) map[string]*JournalHead {
	var mu sync.Mutex
	out := map[string]*JournalHead{}
	var wg sync.WaitGroup
	for _, img := range imgs {
		if !img.Primary || img.MirrorMode != model.ModeJournal || img.ID == "" {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			j, err := journal.Open(ctx, c, journal.Spec{Pool: pool, ID: img.ID})
			if err != nil {
				return
			}
			h := &JournalHead{At: time.Now(), Peers: map[string]*journal.ObjectPosition{}}
			for _, cl := range j.Header.Clients {
				if len(cl.Commit) == 0 {
					continue
				}
				pos := newest(cl.Commit)
				if cl.ID == "" {
					h.Master = &pos
					continue
				}
				if m, err := journal.DecodeClientMeta(cl.Data); err == nil && m.Type == journal.MetaMirrorPeer {
					h.Peers[cl.ID] = &pos
				}
			}
			if t, _ := j.ReadTail(ctx); t != nil {
				h.Newest, h.Tail = t.Newest, t
			}
			mu.Lock()
			out[img.Name] = h
			mu.Unlock()
		}()
	}
	wg.Wait()
	return out
}

// newest is the most advanced of a client's commit positions (one per
// splay offset, most recent first).
func newest(ps []journal.ObjectPosition) journal.ObjectPosition {
	best := ps[0]
	for _, p := range ps[1:] {
		if p.TagTID > best.TagTID || (p.TagTID == best.TagTID && p.EntryTID > best.EntryTID) {
			best = p
		}
	}
	return best
}

// lagOf is a peer's lag behind the master position.
func lagOf(master, commit journal.ObjectPosition) int64 {
	switch {
	case commit.TagTID == master.TagTID:
		return max(int64(master.EntryTID)-int64(commit.EntryTID), 0)
	case commit.TagTID > master.TagTID:
		return 0
	}
	return int64(master.EntryTID)
}

// liveLags computes, for every journal-mode copy that is not primary on a
// site, its lag from the primary's journal header read on another site in
// the same refresh. The peer client is the one whose id is the copy's
// site's mirror uuid (from the primary's peer statuses); with one mirror
// peer client it is that one.
func (p *Poller) liveLags(v *View) {
	heads := map[string]*JournalHead{} // image -> head on its primary
	peerIDs := map[string]string{}     // image/site -> client id
	for _, sv := range v.Sites {
		for name, h := range sv.Journals {
			heads[name] = h
		}
		for _, img := range sv.Images {
			if img.Primary {
				for _, ps := range img.Peers {
					peerIDs[img.Name+"/"+ps.SiteName] = ps.MirrorUUID
				}
			}
		}
	}
	p.snapLags(v)
	if len(heads) == 0 {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.live == nil {
		p.live = map[string]LiveLag{}
	}
	for i := range v.Sites {
		sv := &v.Sites[i]
		if sv.Err != nil {
			continue
		}
		for _, img := range sv.Images {
			h := heads[img.Name]
			if img.Primary || img.MirrorMode != model.ModeJournal || h == nil {
				continue
			}
			writer := h.Master
			if n := h.Newest; n != nil && (writer == nil || n.TagTID > writer.TagTID || (n.TagTID == writer.TagTID && n.EntryTID > writer.EntryTID)) {
				writer = n
			}
			if writer == nil {
				continue
			}
			commit := h.Peers[peerIDs[img.Name+"/"+sv.Site]]
			if commit == nil && len(h.Peers) == 1 {
				for _, c := range h.Peers {
					commit = c
				}
			}
			if commit == nil {
				continue
			}
			l := LiveLag{At: h.At, Lag: lagOf(*writer, *commit), Master: *writer, Commit: *commit}
			if h.Tail != nil {
				b, complete := h.Tail.BytesAfter(*commit)
				switch {
				case l.Lag == 0:
					b, complete = 0, true
				case !complete:
					if mean := h.Tail.MeanEntryBytes(); mean > 0 {
						b = max(b, int64(mean*float64(l.Lag)))
					}
				}
				l.Bytes, l.BytesEstimated = &b, !complete
			}
			key := sv.Site + "/" + img.Name
			if prev, ok := p.live[key]; ok && prev.Commit.TagTID == commit.TagTID {
				if dt := h.At.Sub(prev.At).Seconds(); dt > 0 {
					r := float64(int64(commit.EntryTID)-int64(prev.Commit.EntryTID)) / dt
					l.EntriesPerSec = &r
				}
			}
			p.live[key] = l
			if sv.Live == nil {
				sv.Live = map[string]LiveLag{}
			}
			sv.Live[img.Name] = l
		}
	}
}

// readMirrorSnaps reads the mirror snapshots of every snapshot-mode image
// on this site, in parallel.
func readMirrorSnaps(ctx context.Context, c *site.Conn, pool string, imgs []model.Image) map[string][]MirrorSnap {
	io, err := c.IOContext(ctx, pool)
	if err != nil {
		return nil
	}
	var mu sync.Mutex
	out := map[string][]MirrorSnap{}
	var wg sync.WaitGroup
	for _, img := range imgs {
		if img.MirrorMode != model.ModeSnapshot || img.MirrorState != model.MirrorEnabled {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			snaps, err := site.Call(ctx, c, "mirror snapshots of "+pool+"/"+img.Name, func() ([]MirrorSnap, error) {
				return MirrorSnapshots(io, img.Name)
			})
			if err != nil {
				return
			}
			mu.Lock()
			out[img.Name] = snaps
			mu.Unlock()
		}()
	}
	wg.Wait()
	return out
}

// snapLags computes every snapshot-mode copy's lag from the mirror
// snapshots read on its site and its primary's in the same refresh: the
// seconds between the primary's newest mirror snapshot and the one the
// copy holds completely, and its progress on the one it copies.
func (p *Poller) snapLags(v *View) {
	primary := map[string][]MirrorSnap{} // image -> its primary's snapshots
	for _, sv := range v.Sites {
		for _, img := range sv.Images {
			if img.Primary && sv.Snaps[img.Name] != nil {
				primary[img.Name] = sv.Snaps[img.Name]
			}
		}
	}
	for i := range v.Sites {
		sv := &v.Sites[i]
		if sv.Err != nil {
			continue
		}
		for _, img := range sv.Images {
			ps, mine := primary[img.Name], sv.Snaps[img.Name]
			if img.Primary || ps == nil || mine == nil {
				continue
			}
			if l, ok := snapLag(ps, mine, time.Now()); ok {
				if sv.Live == nil {
					sv.Live = map[string]LiveLag{}
				}
				sv.Live[img.Name] = l
			}
		}
	}
}

// snapLag compares a primary's mirror snapshots with a copy's.
func snapLag(prim, copy []MirrorSnap, at time.Time) (LiveLag, bool) {
	var newest *MirrorSnap
	byID := map[uint64]*MirrorSnap{}
	for i := range prim {
		s := &prim[i]
		if s.State != SnapPrimary && s.State != SnapPrimaryDemoted {
			continue
		}
		byID[s.ID] = s
		if newest == nil || s.ID > newest.ID {
			newest = s
		}
	}
	if newest == nil {
		return LiveLag{}, false
	}
	l := LiveLag{At: at}
	var held *MirrorSnap // the newest primary snapshot the copy holds whole
	for i := range copy {
		s := &copy[i]
		if s.State != SnapNonPrimary && s.State != SnapNonPrimaryDemoted {
			continue
		}
		if s.Complete {
			if ps := byID[s.PrimarySnapID]; ps != nil && (held == nil || ps.ID > held.ID) {
				held = ps
			}
		} else if s.Objects > 0 {
			pct := min(float64(s.LastCopied)/float64(s.Objects)*100, 100)
			l.CopyPercent = &pct
		}
	}
	switch {
	case held != nil && held.ID == newest.ID:
		l.Lag, l.CopyPercent = 0, nil
	case held != nil:
		l.Lag = max(int64(newest.Time.Sub(held.Time)/time.Second), 1)
	default:
		// Nothing held whole that the primary still keeps: behind by at
		// least the primary's oldest kept snapshot.
		oldest := newest
		for _, s := range byID {
			if s.ID < oldest.ID {
				oldest = s
			}
		}
		l.Lag = max(int64(newest.Time.Sub(oldest.Time)/time.Second), 1)
	}
	return l, true
}
