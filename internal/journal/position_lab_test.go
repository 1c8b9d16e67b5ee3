package journal_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/rbdtui/rbdtui/internal/journal"
)

// A commit position naming one splay offset only (not what librbd writes)
// makes rbd's replay meet entries it did not expect: it fails with ENOMSG
// and writes nothing, and so do we.
func TestSinglePositionFailsLikeRBD(t *testing.T) {
	l := newLab(t)
	name, j := l.journaledImage(t, "jsingle")
	l.rbd(t, "bench", "--io-type", "write", "--io-size", "4K", "--io-total", "96K", name)
	ctx := context.Background()
	entries, _, err := j.Entries(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []int{3, 10, 13} {
		e := entries[k]
		if err := j.CommitClient(ctx, "pin", []journal.ObjectPosition{{ObjectNumber: e.Object, TagTID: e.TagTID, EntryTID: e.EntryTID}}); err != nil {
			t.Fatal(err)
		}
		if err := j.Refresh(ctx); err != nil {
			t.Fatal(err)
		}
		var got bytes.Buffer
		_, err := j.Export(ctx, &got, journal.ExportOptions{})
		var re *journal.ReplayError
		p := filepath.Join(t.TempDir(), "rbd")
		_, rerr := l.rbdTimeout(30*time.Second, "journal", "export", "--journal", j.Spec.ID, p)
		want, _ := os.ReadFile(p)
		if !errors.As(err, &re) || re.Kind != "gap" || rerr == nil || !bytes.Equal(got.Bytes(), want) {
			t.Errorf("position at entry %d: ours %v (%d bytes), rbd %v (%d bytes)", e.EntryTID, err, got.Len(), rerr, len(want))
		}
	}
}
