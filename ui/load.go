package ui

import (
	"context"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/rbdtui/rbdtui/model"
)

// Pool contents, image details and journals load on demand: a pool's
// images when it is opened (and with every refresh while it stays open), an
// image's detail and a journal when the cursor lands on them. Each request
// gets a sequence number and its answer is dropped unless it is the latest
// one for its node, so a slow answer for a row the operator has left, or
// for an older refresh, never overwrites a newer one.

// ImagesMsg carries a pool's images (and groups, when the backend lists
// them). Gen is the refresh generation that asked, 0 for a pool opened by
// the operator.
type ImagesMsg struct {
	Site, Pool string
	Gen, Seq   uint64
	Images     []model.Image
	Groups     []model.Group
	Err        error
}

// DetailMsg carries one image's detail.
type DetailMsg struct {
	Key    string
	Seq    uint64
	Detail model.ImageDetail
	Err    error
}

// JournalMsg carries one image's journal.
type JournalMsg struct {
	Key     string
	Seq     uint64
	Journal model.Journal
	Err     error
}

func (a *App) nextSeq() uint64 { a.seq++; return a.seq }

// loadPool asks for a pool's images and groups.
func (a *App) loadPool(site, pool string, gen uint64) tea.Cmd {
	ps := a.store.ensurePool(site, pool)
	ps.seq, ps.loading = a.nextSeq(), true
	seq := ps.seq
	ctx, b, timeout := a.ctx, a.c.Backend, a.c.Timeout
	return func() tea.Msg {
		type contents struct {
			images []model.Image
			groups []model.Group
		}
		c, err := withDeadline(ctx, timeout, func(ctx context.Context) (contents, error) {
			images, err := b.Images(ctx, site, pool)
			if err != nil {
				return contents{}, err
			}
			var groups []model.Group
			if gl, ok := b.(model.GroupLister); ok {
				// Groups are an extra; a pool whose groups cannot be
				// listed still shows its images.
				groups, _ = gl.Groups(ctx, site, pool)
			}
			return contents{images, groups}, nil
		})
		return ImagesMsg{Site: site, Pool: pool, Gen: gen, Seq: seq, Images: c.images, Groups: c.groups, Err: err}
	}
}

func (a *App) onImages(msg ImagesMsg) tea.Cmd {
	var cmds []tea.Cmd
	if msg.Gen != 0 && a.answered(msg.Gen, request{reqImages, poolID(msg.Site, msg.Pool)}) && !a.refreshing() {
		cmds = append(cmds, a.finishRefresh())
	}
	ps := a.store.poolState(msg.Site, msg.Pool)
	if ps == nil || msg.Seq != ps.seq {
		return tea.Batch(cmds...)
	}
	ps.loading = false
	ps.at = a.c.Now()
	if msg.Err != nil {
		ps.err = oneLine(msg.Err.Error())
	} else {
		ps.err, ps.loaded = "", true
		ps.setImages(msg.Images, msg.Groups)
	}
	a.tree.rebuild()
	if a.filterJmp {
		a.tree.jumpToBest()
	}
	cmds = append(cmds, a.selectionChanged(false))
	return tea.Batch(cmds...)
}

// selectionChanged loads what the detail pane needs for the row under the
// cursor: an image's detail or a journal. force reloads it even when it is
// already known (after a refresh or an action).
func (a *App) selectionChanged(force bool) tea.Cmd {
	r, ok := a.tree.selected()
	if !ok {
		return nil
	}
	moved := r.id != a.lastSel
	a.lastSel = r.id
	if !moved && !force {
		return nil
	}
	switch r.kind {
	case NodeImage:
		return a.loadDetail(r.site, r.pool, r.name, force)
	case NodeJournal:
		return a.loadJournal(r.site, r.pool, r.name, force)
	}
	return nil
}

func (a *App) loadDetail(site, pool, name string, force bool) tea.Cmd {
	key := imageID(site, pool, name)
	d := a.store.details[key]
	if d == nil {
		d = &loaded[model.ImageDetail]{}
		a.store.details[key] = d
	}
	if d.busy || (d.ok && !force) {
		return nil
	}
	d.seq, d.busy = a.nextSeq(), true
	seq := d.seq
	ctx, b, timeout := a.ctx, a.c.Backend, a.c.Timeout
	spec := model.ImageSpec{Pool: pool, Image: name}
	return func() tea.Msg {
		det, err := withDeadline(ctx, timeout, func(ctx context.Context) (model.ImageDetail, error) {
			return b.ImageDetail(ctx, site, spec)
		})
		return DetailMsg{Key: key, Seq: seq, Detail: det, Err: err}
	}
}

func (a *App) onDetail(msg DetailMsg) {
	d := a.store.details[msg.Key]
	if d == nil || d.seq != msg.Seq {
		return
	}
	d.busy, d.at = false, a.c.Now()
	if msg.Err != nil {
		d.err = oneLine(msg.Err.Error())
		return
	}
	d.v, d.ok, d.err = msg.Detail, true, ""
	a.tree.rebuild() // a journal may have appeared
}

func (a *App) loadJournal(site, pool, name string, force bool) tea.Cmd {
	ji, ok := a.c.Backend.(model.JournalInspector)
	if !ok {
		return nil
	}
	key := imageID(site, pool, name)
	j := a.store.journals[key]
	if j == nil {
		j = &loaded[model.Journal]{}
		a.store.journals[key] = j
	}
	if j.busy || (j.ok && !force) {
		return nil
	}
	j.seq, j.busy = a.nextSeq(), true
	seq := j.seq
	ctx, timeout := a.ctx, a.c.Timeout
	spec := model.ImageSpec{Pool: pool, Image: name}
	return func() tea.Msg {
		jr, err := withDeadline(ctx, timeout, func(ctx context.Context) (model.Journal, error) {
			return ji.Journal(ctx, site, spec)
		})
		return JournalMsg{Key: key, Seq: seq, Journal: jr, Err: err}
	}
}

func (a *App) onJournal(msg JournalMsg) {
	j := a.store.journals[msg.Key]
	if j == nil || j.seq != msg.Seq {
		return
	}
	j.busy, j.at = false, a.c.Now()
	if msg.Err != nil {
		j.err = oneLine(msg.Err.Error())
		return
	}
	j.v, j.ok, j.err = msg.Journal, true, ""
}
