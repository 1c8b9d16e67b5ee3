package backend

import (
	"context"

	"github.com/rbdtui/rbdtui/internal/journal"
	"github.com/rbdtui/rbdtui/model"
)

var _ model.JournalInspector = (*Backend)(nil)

// Journal reads an image's journal for the console's journal node: its
// geometry and object sets, and each registered client with its commit
// position and lag (journal.Status, what `rbd journal status` shows).
func (b *Backend) Journal(ctx context.Context, name string, img model.ImageSpec) (model.Journal, error) {
	c, err := b.sites.Site(name)
	if err != nil {
		return model.Journal{}, err
	}
	spec, err := journal.SpecOfImage(ctx, c, img)
	if err != nil {
		return model.Journal{}, err
	}
	j, err := journal.Open(ctx, c, spec)
	if err != nil {
		return model.Journal{}, err
	}
	st, err := j.Status(ctx)
	if err != nil {
		return model.Journal{}, err
	}
	info := j.Info()
	out := model.Journal{Site: name, Pool: img.Pool, Image: img.Image, ID: spec.ID,
		Order: st.Order, SplayWidth: st.SplayWidth, ObjectPool: info.ObjectPool,
		MinimumSet: st.MinimumSet, ActiveSet: st.ActiveSet}
	for _, cs := range st.Clients {
		jc := model.JournalClient{ID: cs.ID, Connected: !cs.Disconnected, LagEntries: int64(cs.LagEntries)}
		if cs.Meta != nil {
			jc.Description = cs.Meta.TypeName
		}
		if len(cs.Commit) > 0 {
			p := cs.Commit[0]
			jc.Commit = &model.Position{ObjectNumber: p.ObjectNumber, TagTID: p.TagTID, EntryTID: p.EntryTID}
		}
		out.Clients = append(out.Clients, jc)
	}
	return out, nil
}
