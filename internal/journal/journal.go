package journal

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"

	"github.com/ceph/go-ceph/rados"
	"github.com/rbdtui/rbdtui/internal/site"
)

// Spec names a journal: its pool, namespace and id (the image id).
type Spec struct {
	Pool      string `json:"pool"`
	Namespace string `json:"namespace,omitempty"`
	ID        string `json:"journal_id"`
}

func (s Spec) String() string {
	out := s.Pool + "/"
	if s.Namespace != "" {
		out += s.Namespace + "/"
	}
	return out + s.ID
}

// Header is the journal's header object, read from its omap (§3).
type Header struct {
	Order        uint8     `json:"order"`
	SplayWidth   uint8     `json:"splay_width"`
	PoolID       int64     `json:"pool_id"`
	MinimumSet   uint64    `json:"minimum_set"`
	ActiveSet    uint64    `json:"active_set"`
	NextTagTID   uint64    `json:"next_tag_tid"`
	NextTagClass uint64    `json:"next_tag_class"`
	Clients      []*Client `json:"-"`
	Tags         []*Tag    `json:"-"`
	// Problems are omap values that did not decode; they are reported,
	// not fatal, so a damaged header can still be inspected.
	Problems []string `json:"-"`
}

// W is the splay width as a number of objects.
func (h *Header) W() uint64 { return uint64(h.SplayWidth) }

// ObjectSize is the soft maximum size of a data object.
func (h *Header) ObjectSize() uint64 { return 1 << h.Order }

// Client returns the registered client with the id, or nil.
func (h *Header) Client(id string) *Client {
	for _, c := range h.Clients {
		if c.ID == id {
			return c
		}
	}
	return nil
}

// Tag returns the tag with the tid, or nil (it may have expired).
func (h *Header) Tag(tid uint64) *Tag {
	i := sort.Search(len(h.Tags), func(i int) bool { return h.Tags[i].TID >= tid })
	if i < len(h.Tags) && h.Tags[i].TID == tid {
		return h.Tags[i]
	}
	return nil
}

// Journal is an opened journal: where its header and data objects live.
type Journal struct {
	Spec Spec
	conn *site.Conn
	hdr  *rados.IOContext
	data *rados.IOContext
	// HeaderPoolID is the id of the header's pool, which names the data
	// objects even when they are stored in another pool.
	HeaderPoolID int64
	// DataPool is the pool holding the data objects.
	DataPool string
	// Header is the header as read by Open (or the last Refresh).
	Header *Header
}

// ErrNoJournal is returned when the header object does not exist.
var ErrNoJournal = errors.New("journal does not exist")

// HeaderOID is the header object's name.
func (j *Journal) HeaderOID() string { return HeaderOID(j.Spec.ID) }

// HeaderOID is the header object's name for a journal id.
func HeaderOID(id string) string { return "journal." + id }

// Prefix is the data objects' name prefix.
func (j *Journal) Prefix() string {
	return "journal_data." + strconv.FormatInt(j.HeaderPoolID, 10) + "." + j.Spec.ID + "."
}

// DataOID is the name of data object n.
func (j *Journal) DataOID(n uint64) string { return j.Prefix() + strconv.FormatUint(n, 10) }

// Conn is the site the journal lives on.
func (j *Journal) Conn() *site.Conn { return j.conn }

// Open reads the journal's header and locates its data objects.
func Open(ctx context.Context, c *site.Conn, spec Spec) (*Journal, error) {
	if spec.Pool == "" || spec.ID == "" {
		return nil, fmt.Errorf("journal spec %q: pool and journal id are needed", spec)
	}
	io, err := c.IOContextNS(ctx, spec.Pool, spec.Namespace)
	if err != nil {
		return nil, err
	}
	j := &Journal{Spec: spec, conn: c, hdr: io, data: io, HeaderPoolID: io.GetPoolID(), DataPool: spec.Pool}
	if err := j.Refresh(ctx); err != nil {
		return nil, err
	}
	h := j.Header
	if h.PoolID >= 0 && h.PoolID != j.HeaderPoolID {
		conn, err := c.Rados(ctx)
		if err != nil {
			return nil, err
		}
		name, err := site.Call(ctx, c, "look up journal pool id", func() (string, error) { return conn.GetPoolByID(h.PoolID) })
		if err != nil {
			return nil, fmt.Errorf("journal %s keeps its data in pool id %d, which cannot be found: %w", spec, h.PoolID, err)
		}
		// The data pool is opened without the header's namespace, as
		// librbd does (§2).
		dio, err := c.IOContext(ctx, name)
		if err != nil {
			return nil, err
		}
		j.data, j.DataPool = dio, name
	}
	return j, nil
}

// Refresh re-reads the header.
func (j *Journal) Refresh(ctx context.Context) error {
	vals, err := site.Call(ctx, j.conn, "read journal header "+j.HeaderOID(), func() (map[string][]byte, error) {
		return j.hdr.GetAllOmapValues(j.HeaderOID(), "", "", 1024)
	})
	if err != nil {
		if site.IsErrno(err, syscall.ENOENT) {
			return fmt.Errorf("journal %s: %w (no object %s; is journaling enabled on the image?)", j.Spec, ErrNoJournal, j.HeaderOID())
		}
		return err
	}
	if len(vals) == 0 {
		return fmt.Errorf("journal %s: %w (no object %s; is journaling enabled on the image?)", j.Spec, ErrNoJournal, j.HeaderOID())
	}
	h, err := ParseHeader(vals)
	if err != nil {
		return fmt.Errorf("journal %s: %w", j.Spec, err)
	}
	j.Header = h
	return nil
}

// ParseHeader decodes the header's omap values. Missing geometry is an
// error; a bad client or tag value is recorded in Problems.
func ParseHeader(vals map[string][]byte) (*Header, error) {
	h := &Header{}
	fixed := func(key string, size int) ([]byte, error) {
		v, ok := vals[key]
		if !ok {
			return nil, fmt.Errorf("header has no %q key: not a journal header", key)
		}
		if len(v) != size {
			return nil, fmt.Errorf("header key %q holds %d bytes, expected %d", key, len(v), size)
		}
		return v, nil
	}
	v, err := fixed("order", 1)
	if err != nil {
		return nil, err
	}
	h.Order = v[0]
	if v, err = fixed("splay_width", 1); err != nil {
		return nil, err
	}
	h.SplayWidth = v[0]
	if h.SplayWidth == 0 {
		return nil, errors.New("header says splay_width 0")
	}
	if h.Order < 12 || h.Order > 64 {
		return nil, fmt.Errorf("header says order %d (expected 12..26)", h.Order)
	}
	for _, k := range []struct {
		key string
		dst *uint64
	}{{"pool_id", nil}, {"minimum_set", &h.MinimumSet}, {"active_set", &h.ActiveSet}, {"next_tag_tid", &h.NextTagTID}, {"next_tag_class", &h.NextTagClass}} {
		v, err := fixed(k.key, 8)
		if err != nil {
			return nil, err
		}
		x := binary.LittleEndian.Uint64(v)
		if k.dst == nil {
			h.PoolID = int64(x)
		} else {
			*k.dst = x
		}
	}
	keys := make([]string, 0, len(vals))
	for k := range vals {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		switch {
		case strings.HasPrefix(k, "client_"):
			c, err := DecodeClient(vals[k])
			if err != nil {
				h.Problems = append(h.Problems, fmt.Sprintf("omap key %s: %v", k, err))
				continue
			}
			h.Clients = append(h.Clients, c)
		case strings.HasPrefix(k, "tag_"):
			t, err := DecodeTag(vals[k])
			if err != nil {
				h.Problems = append(h.Problems, fmt.Sprintf("omap key %s: %v", k, err))
				continue
			}
			h.Tags = append(h.Tags, t)
		}
	}
	sort.Slice(h.Tags, func(a, b int) bool { return h.Tags[a].TID < h.Tags[b].TID })
	return h, nil
}

// Object is one data object as read.
type Object struct {
	Number uint64
	Exists bool
	Data   []byte
	// Entries and Fault are filled when the object was parsed.
	Entries []Entry
	Fault   *ObjectFault
	Err     error
}

// readObject reads a whole object; ENOENT gives Exists=false.
func (j *Journal) readObject(ctx context.Context, n uint64) *Object {
	o := &Object{Number: n}
	oid := j.DataOID(n)
	size := int(j.Header.ObjectSize()) + 64<<10
	if size > 64<<20 {
		size = 64 << 20
	}
	data, err := site.Call(ctx, j.conn, "read "+oid, func() ([]byte, error) {
		buf := make([]byte, size)
		got := 0
		for {
			k, err := j.data.Read(oid, buf[got:], uint64(got))
			if err != nil {
				return nil, err
			}
			got += k
			if got < len(buf) {
				return buf[:got], nil
			}
			// An object larger than the soft maximum (padding, or a
			// hand-made object): keep reading.
			buf = append(buf, make([]byte, len(buf))...)
		}
	})
	switch {
	case err == nil:
		o.Exists, o.Data = true, data
	case errors.Is(err, rados.ErrNotFound) || site.IsErrno(err, syscall.ENOENT):
	default:
		o.Err = err
	}
	return o
}

// ReadObjects reads objects in parallel and calls fn (concurrently) for
// each as it arrives, after parsing it when parse is set.
func (j *Journal) ReadObjects(ctx context.Context, nums []uint64, parse bool, fn func(*Object)) {
	j.readObjects(ctx, nil, nums, parse, fn)
}

// readObjects stops handing out reads when stop closes or ctx ends; reads
// already running are always waited for: an abandoned librados call must
// not outlive the connection (site.Call drops it on cancellation).
func (j *Journal) readObjects(ctx context.Context, stop <-chan struct{}, nums []uint64, parse bool, fn func(*Object)) {
	// Each read stays bounded by the site's timeout, but cancelling ctx
	// only stops new reads: site.Call abandons a cancelled call and drops
	// the connection, and librados would then read into a destroyed
	// io context.
	j.readStriped(ctx, stop, nums, func(int, int) bool { return true }, parse, func(_ int, o *Object) { fn(o) })
}

// loadAsync starts reading and parsing objects in the order given (replay
// order: set by set) for a single consumer that takes each object once.
// get waits for one object and takes it (nil once stop was called and it
// will not come); stop ends the reading early; wait waits for every read
// started and returns the first read error.
//
// Memory stays bounded for journals of any size: at most window objects
// are read ahead of what the consumer took, and a taken object is only
// referenced by the consumer. The window is a soft limit: when the consumer
// waits for an object beyond it (offsets of a journal can drift sets apart)
// reading goes on up to that object, so it cannot deadlock.
func (j *Journal) loadAsync(ctx context.Context, nums []uint64, window int) (get func(uint64) *Object, stop func(), wait func() error) {
	type slot struct {
		ready chan struct{}
		o     *Object
		taken bool
	}
	slots := make([]*slot, len(nums))
	index := make(map[uint64]int, len(nums))
	for i, n := range nums {
		slots[i] = &slot{ready: make(chan struct{})}
		index[n] = i
	}
	var mu sync.Mutex
	cond := sync.NewCond(&mu)
	untaken, need, stopped := 0, -1, false
	stopCh := make(chan struct{})
	stop = func() {
		mu.Lock()
		if !stopped {
			stopped = true
			close(stopCh)
			cond.Broadcast()
		}
		mu.Unlock()
	}
	unhook := context.AfterFunc(ctx, stop)
	var firstErr error
	done := make(chan struct{})
	// admit runs in reading order, a set at a time: it holds the next set
	// back while window objects are read but not taken, unless the
	// consumer already waits for one of its objects or a later one.
	admit := func(next, n int) bool {
		mu.Lock()
		defer mu.Unlock()
		for !stopped && untaken >= window && next > need {
			cond.Wait()
		}
		if stopped {
			return false
		}
		untaken += n
		return true
	}
	go func() {
		j.readStriped(ctx, stopCh, nums, admit, true, func(i int, o *Object) {
			mu.Lock()
			if o.Err != nil && firstErr == nil {
				firstErr = o.Err
			}
			slots[i].o = o
			mu.Unlock()
			close(slots[i].ready)
		})
		unhook()
		close(done)
	}()
	get = func(n uint64) *Object {
		i, ok := index[n]
		if !ok {
			return nil
		}
		s := slots[i]
		mu.Lock()
		if i > need {
			need = i
			cond.Broadcast()
		}
		mu.Unlock()
		select {
		case <-s.ready:
		case <-stopCh:
			select {
			case <-s.ready:
			default:
				return nil
			}
		}
		mu.Lock()
		defer mu.Unlock()
		o := s.o
		if !s.taken {
			s.taken = true
			untaken--
			cond.Broadcast()
			// Keep only what says whether it existed: the data now
			// belongs to the consumer.
			s.o = &Object{Number: o.Number, Exists: o.Exists, Err: o.Err}
		}
		return o
	}
	wait = func() error {
		<-done
		mu.Lock()
		defer mu.Unlock()
		if firstErr != nil {
			return firstErr
		}
		return ctx.Err()
	}
	return get, stop, wait
}

// retainedObjects lists the objects replay may need: minimum_set through
// active_set, and below minimum_set down to the lowest set any client's
// commit position names.
func (h *Header) retainedObjects() []uint64 {
	from := h.MinimumSet
	for _, c := range h.Clients {
		for _, p := range c.Commit {
			if s := p.ObjectNumber / h.W(); s < from && h.MinimumSet-s < 64 {
				from = s
			}
		}
	}
	return h.Objects(from, h.ActiveSet)
}

// Objects lists the numbers of the data objects of sets from..to.
func (h *Header) Objects(from, to uint64) []uint64 {
	var out []uint64
	for s := from; s <= to; s++ {
		for o := uint64(0); o < h.W(); o++ {
			out = append(out, s*h.W()+o)
		}
	}
	return out
}

// LoadAll reads and parses every data object of the retained sets
// (minimum_set through active_set, and below minimum_set down to the
// lowest set any client's commit position names).
func (j *Journal) LoadAll(ctx context.Context) (map[uint64]*Object, error) {
	nums := j.Header.retainedObjects()
	objs := make(map[uint64]*Object, len(nums))
	var mu sync.Mutex
	var firstErr error
	j.ReadObjects(ctx, nums, true, func(o *Object) {
		mu.Lock()
		defer mu.Unlock()
		objs[o.Number] = o
		if o.Err != nil && firstErr == nil {
			firstErr = o.Err
		}
	})
	if firstErr != nil {
		return nil, firstErr
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return objs, nil
}
