package journal

import (
	"context"
	"errors"
	"sync"
	"syscall"

	"github.com/ceph/go-ceph/rados"
	"github.com/rbdtui/rbdtui/internal/site"
)

// Objects are read in stripes, several in flight at once, rather than one
// librados read per object: the OSD and the client's messenger pipeline
// smaller reads, so the same bytes arrive sooner (on the lab, 100 MiB in
// eight 13 MiB objects: ~90 ms as eight whole-object reads, ~60 ms as
// 4 MiB stripes eight at a time). The stripes of one object set are
// interleaved, so a set's objects complete together and sets complete in
// replay order: export replays and writes a set while the next one is read.
const (
	readStripe   = 4 << 20
	readParallel = 8
)

// objectRead gathers the stripes of one object.
type objectRead struct {
	i    int // index in the caller's list
	o    *Object
	oid  string
	buf  []byte
	left int // stripes not read yet
	// end is where the object ends as far as the reads saw: the end of
	// the first short stripe. An object only grows (appends), so every
	// byte before it was there when that stripe was read and the bytes
	// up to it are a consistent prefix; later stripes are ignored.
	end     int
	missing bool // the first stripe found no object
	err     error
}

func isNotFound(err error) bool {
	return errors.Is(err, rados.ErrNotFound) || site.IsErrno(err, syscall.ENOENT)
}

// readBufSize is the buffer an object is read into: the soft maximum and
// some room for padding, bounded for absurd orders.
func (h *Header) readBufSize() int {
	return int(min(h.ObjectSize()+64<<10, 64<<20))
}

// readStriped reads the objects nums in stripes and calls fn (from the
// reading goroutines, concurrently) for each complete object, parsed when
// parse is set. Before the stripes of the objects i..i+n-1 (one set) are
// issued, admit(i, n) is called; it may block (a read-ahead window) and
// returns false to stop issuing reads, as do ctx ending and stop closing. Reads already issued
// are always waited for (see readObjects); objects not completely read are
// not passed to fn.
func (j *Journal) readStriped(ctx context.Context, stop <-chan struct{}, nums []uint64, admit func(i, n int) bool, parse bool, fn func(i int, o *Object)) {
	size := j.Header.readBufSize()
	stripes := (size + readStripe - 1) / readStripe
	type job struct {
		r   *objectRead
		off int
	}
	jobs := make(chan job)
	readCtx := context.WithoutCancel(ctx)
	var mu sync.Mutex
	var wg sync.WaitGroup
	for w := 0; w < readParallel && w < len(nums)*stripes; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for jb := range jobs {
				r := jb.r
				to := min(jb.off+readStripe, len(r.buf))
				k, err := site.Call(readCtx, j.conn, "read "+r.oid, func() (int, error) {
					return j.data.Read(r.oid, r.buf[jb.off:to], uint64(jb.off))
				})
				mu.Lock()
				switch {
				case err == nil:
					if jb.off+k < to {
						r.end = min(r.end, jb.off+k)
					}
				case isNotFound(err):
					if jb.off == 0 {
						r.missing = true
					}
					r.end = min(r.end, jb.off)
				case r.err == nil:
					r.err = err
				}
				r.left--
				last := r.left == 0
				mu.Unlock()
				if last {
					fn(r.i, j.finishRead(readCtx, r, parse))
				}
			}
		}()
	}
	send := func(jb job) bool {
		select {
		case jobs <- jb:
			return true
		case <-ctx.Done():
		case <-stop:
		}
		return false
	}
	w := j.Header.W()
dispatch:
	for i := 0; i < len(nums); {
		// The objects of one set are admitted together (so the consumer
		// never waits for an admitted object whose reads are not issued
		// yet), then their stripes are issued interleaved.
		k := i + 1
		for k < len(nums) && nums[k]/w == nums[i]/w {
			k++
		}
		if !admit(i, k-i) {
			break
		}
		var group []*objectRead
		for n := i; n < k; n++ {
			group = append(group, &objectRead{i: n, o: &Object{Number: nums[n]}, oid: j.DataOID(nums[n]), left: stripes, end: size})
		}
		for s := 0; s < stripes; s++ {
			for _, r := range group {
				if r.buf == nil {
					r.buf = objBufs.get(size)
				}
				if !send(job{r, s * readStripe}) {
					break dispatch
				}
			}
		}
		i = k
	}
	close(jobs)
	wg.Wait()
}

// finishRead turns the stripes read into the object.
func (j *Journal) finishRead(ctx context.Context, r *objectRead, parse bool) *Object {
	o := r.o
	switch {
	case r.err != nil:
		o.Err = r.err
		return o
	case r.missing:
		return o
	case r.end == len(r.buf):
		// Every stripe was full: an object larger than the soft maximum
		// (padding, or a hand-made object). Read it whole.
		o = j.readObject(ctx, o.Number)
	default:
		o.Exists, o.Data = true, r.buf[:r.end]
	}
	if parse && o.Exists {
		o.Entries, o.Fault = ParseObject(o.Data)
	}
	return o
}
