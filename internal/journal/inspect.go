package journal

import (
	"context"
	"sort"
)

// Inspection is what the console's journal inspector shows after one read
// of every retained object: the structural scan, an index of every stored
// entry, and each client's lag measured over that index.
type Inspection struct {
	Scan *ScanResult
	// Index lists the entries in replay order from the start; when the
	// replay stops early (a corrupt object, a gap), the entries it did not
	// reach follow in object order with Reached false.
	Index *Index
	// Reached counts the entries at the head of Index.Entries that the
	// replay reached.
	Reached int
	Clients []ClientStatus
}

// Inspect scans the journal (progress per object read, as Scan) and
// indexes its entries from the same read, so a journal is read once.
func (j *Journal) Inspect(ctx context.Context, progress func(ScanProgress)) (*Inspection, error) {
	res, err := j.Scan(ctx, ScanOptions{Progress: progress})
	if err != nil {
		return nil, err
	}
	h := j.Header
	ix := IndexObjects(h, res.objects)
	in := &Inspection{Scan: res, Index: ix, Reached: len(ix.Entries)}
	if ix.Stopped != "" {
		in.Index.Entries = appendUnreached(ix.Entries, res.objects)
	}
	es := in.Index.Entries[:in.Reached]
	in.Clients = measure(h, res.objects, len(es), func(i int) (uint64, uint64, int) {
		return es[i].TagTID, es[i].EntryTID, es[i].Size
	}).clients
	return in, nil
}

// appendUnreached appends, in object and offset order, the stored entries
// a stopped replay did not emit, so the inspector still lists them.
func appendUnreached(es []IndexEntry, objs map[uint64]*Object) []IndexEntry {
	type at struct {
		obj uint64
		off int
	}
	seen := make(map[at]bool, len(es))
	for _, e := range es {
		seen[at{e.Object, e.Offset}] = true
	}
	nums := make([]uint64, 0, len(objs))
	for n, o := range objs {
		if o.Exists && o.Err == nil {
			nums = append(nums, n)
		}
	}
	sort.Slice(nums, func(a, b int) bool { return nums[a] < nums[b] })
	for _, n := range nums {
		for _, e := range objs[n].Entries {
			if seen[at{n, e.Offset}] {
				continue
			}
			t := EventType(e.Data)
			es = append(es, IndexEntry{TagTID: e.TagTID, EntryTID: e.EntryTID, Type: t, Name: typeName(t),
				Size: e.Size(), Object: n, Offset: e.Offset})
		}
	}
	return es
}
