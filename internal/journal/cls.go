package journal

import (
	"context"
	"fmt"
	"syscall"
	"time"

	"github.com/ceph/go-ceph/rados"
	"github.com/rbdtui/rbdtui/internal/site"
)

// cls_journal method calls (§4). Each mutation of the header is followed by
// a notify, as librbd's journaler does, so watchers (librbd, rbd-mirror)
// re-read it.

func execWrite(ctx context.Context, c *site.Conn, io *rados.IOContext, oid, method string, in []byte) error {
	_, err := site.Call(ctx, c, "journal."+method+" on "+oid, func() (struct{}, error) {
		op := rados.CreateWriteOp()
		defer op.Release()
		op.Exec("journal", method, in)
		return struct{}{}, op.Operate(io, oid, rados.OperationNoFlag)
	})
	return err
}

func execRead(ctx context.Context, c *site.Conn, io *rados.IOContext, oid, method string, in []byte) ([]byte, error) {
	return site.Call(ctx, c, "journal."+method+" on "+oid, func() ([]byte, error) {
		op := rados.CreateReadOp()
		defer op.Release()
		step := op.Exec("journal", method, in)
		if err := op.Operate(io, oid, rados.OperationNoFlag); err != nil {
			return nil, err
		}
		b, err := step.Bytes()
		return append([]byte(nil), b...), err
	})
}

// notify tells the header's watchers that it changed (empty payload, 5 s).
func (j *Journal) notify(ctx context.Context) {
	_, _ = site.Call(ctx, j.conn, "notify "+j.HeaderOID(), func() (struct{}, error) {
		_, _, err := j.hdr.NotifyWithTimeout(j.HeaderOID(), nil, 5*time.Second)
		return struct{}{}, err
	})
}

// RegisterClient registers a client with data; the OSD gives it a copy of
// the least advanced client's commit position.
func (j *Journal) RegisterClient(ctx context.Context, id string, data []byte) error {
	e := &encoder{}
	e.str(id)
	e.bytes(data)
	if err := execWrite(ctx, j.conn, j.hdr, j.HeaderOID(), "client_register", e.b); err != nil {
		if site.IsErrno(err, syscall.EEXIST) {
			return fmt.Errorf("client %q is already registered on journal %s: %w", id, j.Spec, err)
		}
		return err
	}
	j.notify(ctx)
	return nil
}

// UnregisterClient removes a client (which also lets the OSD expire tags).
func (j *Journal) UnregisterClient(ctx context.Context, id string) error {
	e := &encoder{}
	e.str(id)
	if err := execWrite(ctx, j.conn, j.hdr, j.HeaderOID(), "client_unregister", e.b); err != nil {
		return err
	}
	j.notify(ctx)
	return nil
}

// SetClientState marks a client connected or disconnected.
func (j *Journal) SetClientState(ctx context.Context, id string, state uint8) error {
	e := &encoder{}
	e.str(id)
	e.u8(state)
	return execWrite(ctx, j.conn, j.hdr, j.HeaderOID(), "client_update_state", e.b)
}

// CommitClient sets a client's commit position.
func (j *Journal) CommitClient(ctx context.Context, id string, pos []ObjectPosition) error {
	e := &encoder{}
	e.str(id)
	encodeSetPosition(e, pos)
	return execWrite(ctx, j.conn, j.hdr, j.HeaderOID(), "client_commit", e.b)
}

func (j *Journal) setActiveSet(ctx context.Context, set uint64) error {
	e := &encoder{}
	e.u64(set)
	if err := execWrite(ctx, j.conn, j.hdr, j.HeaderOID(), "set_active_set", e.b); err != nil {
		return err
	}
	j.notify(ctx)
	return nil
}

// appendObject appends framed entries to a data object with the cls append
// method, which refuses (EOVERFLOW) once the object reached softMax.
func (j *Journal) appendObject(ctx context.Context, n uint64, softMax uint64, frames []byte) error {
	e := &encoder{}
	e.u64(softMax)
	e.bytes(frames)
	return execWrite(ctx, j.conn, j.data, j.DataOID(n), "append", e.b)
}

// createHeader creates a journal header with the given geometry.
func createHeader(ctx context.Context, c *site.Conn, io *rados.IOContext, oid string, order, splay uint8, poolID int64) error {
	e := &encoder{}
	e.u8(order)
	e.u8(splay)
	e.u64(uint64(poolID))
	return execWrite(ctx, c, io, oid, "create", e.b)
}

// createTagAt creates tag tid in class, refusing if tid is not the
// journal's next tag (another writer got there first).
func (j *Journal) createTagAt(ctx context.Context, tid, class uint64, data []byte) error {
	out, err := execRead(ctx, j.conn, j.hdr, j.HeaderOID(), "get_next_tag_tid", nil)
	if err != nil {
		return err
	}
	d := &decoder{b: out}
	if next := d.u64("next_tag_tid"); d.err != nil {
		return d.err
	} else if next != tid {
		return fmt.Errorf("journal %s: next tag is %d, not %d (changed meanwhile)", j.Spec, next, tid)
	}
	e := &encoder{}
	e.u64(tid)
	e.u64(class)
	e.bytes(data)
	return execWrite(ctx, j.conn, j.hdr, j.HeaderOID(), "tag_create", e.b)
}

// createTag allocates the next tag in a new class (tag_class = 2^64-1) and
// returns its tid and class.
func (j *Journal) createTag(ctx context.Context, data []byte) (tid, class uint64, err error) {
	out, err := execRead(ctx, j.conn, j.hdr, j.HeaderOID(), "get_next_tag_tid", nil)
	if err != nil {
		return 0, 0, err
	}
	d := &decoder{b: out}
	tid = d.u64("next_tag_tid")
	if d.err != nil {
		return 0, 0, d.err
	}
	e := &encoder{}
	e.u64(tid)
	e.u64(^uint64(0))
	e.bytes(data)
	if err := execWrite(ctx, j.conn, j.hdr, j.HeaderOID(), "tag_create", e.b); err != nil {
		return 0, 0, err
	}
	g := &encoder{}
	g.u64(tid)
	out, err = execRead(ctx, j.conn, j.hdr, j.HeaderOID(), "get_tag", g.b)
	if err != nil {
		return 0, 0, err
	}
	t, err := DecodeTag(out)
	if err != nil {
		return 0, 0, err
	}
	return t.TID, t.Class, nil
}
