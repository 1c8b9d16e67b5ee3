// Package site keeps one librados connection per configured Ceph cluster and
// makes every call on it bounded: go-ceph blocks inside cgo, so each call runs
// where a deadline can abandon it, and the connection itself is configured
// with mon and osd op timeouts so abandoned calls end on their own. A site
// that stops answering is dropped and reconnected on the next call, which is
// how the console recovers when a site comes back.
package site

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/ceph/go-ceph/rados"
	"github.com/rbdtui/rbdtui/internal/config"
)

// Manager owns the connections to every configured site.
type Manager struct {
	cfg   *config.Config
	mu    sync.Mutex
	sites map[string]*Conn
}

// NewManager prepares connections for every site of cfg; nothing connects
// until a site is first used.
func NewManager(cfg *config.Config) *Manager {
	m := &Manager{cfg: cfg, sites: map[string]*Conn{}}
	for _, s := range cfg.Sites {
		m.sites[s.Name] = &Conn{cfg: s, timeout: cfg.EffectiveTimeout(s), log: discard}
	}
	return m
}

// discard is the logger of a manager nobody gave one.
var discard = slog.New(slog.NewTextHandler(io.Discard, nil))

// SetLogger makes every site log its connects, reconnects, dropped
// connections, timeouts and failed calls to l (and each call at debug
// level). Call it before the sites are used.
func (m *Manager) SetLogger(l *slog.Logger) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, c := range m.sites {
		c.log = l.With("site", c.cfg.Name)
	}
}

// Config returns the configuration the manager was built from.
func (m *Manager) Config() *config.Config { return m.cfg }

// Site returns the connection holder of a configured site.
func (m *Manager) Site(name string) (*Conn, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if name == "" && len(m.cfg.Sites) > 0 {
		name = m.cfg.Sites[0].Name
	}
	c, ok := m.sites[name]
	if !ok {
		return nil, fmt.Errorf("unknown site %q (configured: %s)", name, strings.Join(m.cfg.SiteNames(), ", "))
	}
	return c, nil
}

// Close shuts every connection down.
func (m *Manager) Close() {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, c := range m.sites {
		c.drop()
	}
}

// Conn is one site's connection, created lazily and replaced after failures.
type Conn struct {
	cfg     config.Site
	timeout time.Duration

	mu         sync.Mutex
	gen        *generation // the current connection; nil until connected
	connecting chan struct{}
	lastErr    error
	// calls counts the calls running on this site, whichever connection
	// their handles came from: a dropped connection is torn down only
	// when no call runs (see retire), because librados crashes when an io
	// context or connection is destroyed under a call still using it.
	calls int
	idle  *sync.Cond // on mu; broadcast when calls drops to zero

	log      *slog.Logger
	connects int // successful connects so far: the second is a reconnect
}

// generation is one librados connection of a site and the io contexts
// opened on it.
type generation struct {
	conn  *rados.Conn
	ioctx map[string]*rados.IOContext
}

// lifecycle serialises creating and shutting down librados connections
// across the whole process (rados_create2 crashed with SIGSEGV while another
// connection was shutting down). Every connection of the process goes
// through Dial and Release, the lab's and the tests' included.
var lifecycle sync.Mutex

// Name is the site's configured name.
func (c *Conn) Name() string { return c.cfg.Name }

// Config is the site's configuration entry.
func (c *Conn) Config() config.Site { return c.cfg }

// Timeout is the bound on one call to this site.
func (c *Conn) Timeout() time.Duration { return c.timeout }

// WithTimeout derives a context bounded by the site's timeout, unless ctx
// already has an earlier deadline.
func (c *Conn) WithTimeout(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, c.timeout)
}

// Rados returns a connected librados handle, connecting first if needed.
func (c *Conn) Rados(ctx context.Context) (*rados.Conn, error) {
	g, err := c.current(ctx)
	if err != nil {
		return nil, err
	}
	return g.conn, nil
}

// current returns the current generation, connecting first if needed.
func (c *Conn) current(ctx context.Context) (*generation, error) {
	for {
		c.mu.Lock()
		if c.gen != nil {
			g := c.gen
			c.mu.Unlock()
			return g, nil
		}
		wait := c.connecting
		if wait == nil {
			wait = make(chan struct{})
			c.connecting = wait
			go c.connect(wait)
		}
		c.mu.Unlock()
		select {
		case <-wait:
			c.mu.Lock()
			g, err := c.gen, c.lastErr
			c.mu.Unlock()
			if g != nil {
				return g, nil
			}
			return nil, err
		case <-ctx.Done():
			c.log.Warn("connect: no answer before the caller's deadline", "err", ctx.Err())
			return nil, connectError(c.cfg.Name, c.cfg.ClientName(), c.cfg.Keyring, c.monHost(), c.timeout.String(), ctx.Err())
		}
	}
}

// connect runs one attempt; client_mount_timeout bounds it even when nobody
// waits for the result any more.
func (c *Conn) connect(done chan struct{}) {
	start := time.Now()
	conn, err := c.dial()
	c.mu.Lock()
	c.gen, c.lastErr, c.connecting = nil, err, nil
	if err == nil {
		c.gen = &generation{conn: conn, ioctx: map[string]*rados.IOContext{}}
		c.connects++
	}
	n := c.connects
	c.mu.Unlock()
	took := time.Since(start).Round(time.Millisecond)
	switch {
	case err != nil:
		c.log.Warn("connect failed", "took", took, "err", err)
	case n > 1:
		c.log.Info("reconnected", "took", took, "connects", n)
	default:
		c.log.Info("connected", "took", took)
	}
	close(done)
}

// DialWith opens a separate connection to the site with extra client
// options set before it connects, for the few librbd settings that are read
// only from the client's configuration (a new journal's layout is one). The
// caller shuts it down with Release.
func (c *Conn) DialWith(extra map[string]string) (*rados.Conn, error) { return c.dialWith(extra) }

func (c *Conn) dial() (*rados.Conn, error) { return c.dialWith(nil) }

func (c *Conn) dialWith(extra map[string]string) (*rados.Conn, error) {
	conn, err := Dial(c.cfg, c.timeout, extra)
	if err != nil {
		var se *Error
		if errors.As(err, &se) {
			return nil, err
		}
		return nil, &Error{Site: c.cfg.Name, Op: "connect as " + c.cfg.ClientName(), Err: err}
	}
	return conn, nil
}

// Dial opens a librados connection to a site as its configured client,
// with the op timeouts and quiet logging every connection of rbdtui has,
// plus extra client options. Release shuts it down. A connection that
// fails is released here, never left to go-ceph's finalizer (see
// releaseUnconnected).
func Dial(sc config.Site, timeout time.Duration, extra map[string]string) (*rados.Conn, error) {
	cluster := sc.Cluster
	if cluster == "" {
		cluster = "ceph"
	}
	lifecycle.Lock()
	conn, err := rados.NewConnWithClusterAndUser(cluster, sc.ClientName())
	lifecycle.Unlock()
	if err != nil {
		return nil, &Error{Site: sc.Name, Op: "create client " + sc.ClientName(), Err: err}
	}
	if err := conn.ReadConfigFile(sc.Conf); err != nil {
		releaseUnconnected(conn)
		return nil, &Error{Site: sc.Name, Op: "read ceph.conf " + sc.Conf, Err: errors.New(Words(err))}
	}
	secs := strconv.Itoa(int((timeout + time.Second - 1) / time.Second))
	opts := [][2]string{
		{"client_mount_timeout", secs},
		{"rados_mon_op_timeout", secs},
		{"rados_osd_op_timeout", secs},
		// librados logs auth and hunting failures to stderr, which would
		// scribble over the console: errors come back as values instead.
		{"log_to_stderr", "false"},
		{"err_to_stderr", "false"},
	}
	if sc.Keyring != "" {
		opts = append(opts, [2]string{"keyring", sc.Keyring})
	}
	for k, v := range extra {
		opts = append(opts, [2]string{k, v})
	}
	for _, o := range opts {
		if err := conn.SetConfigOption(o[0], o[1]); err != nil {
			releaseUnconnected(conn)
			return nil, &Error{Site: sc.Name, Op: "set " + o[0], Err: err}
		}
	}
	if err := conn.Connect(); err != nil {
		mon, _ := conn.GetConfigOption("mon_host")
		releaseUnconnected(conn)
		if mon == "" {
			mon = "the monitors in " + sc.Conf
		}
		return nil, connectError(sc.Name, sc.ClientName(), sc.Keyring, mon, timeout.String(), err)
	}
	guard(conn)
	return conn, nil
}

// Release shuts down a connection from Dial or DialWith, after the caller
// has closed every image and destroyed every io context opened on it.
func Release(conn *rados.Conn) {
	lifecycle.Lock()
	defer lifecycle.Unlock()
	runtime.SetFinalizer(conn, nil)
	conn.Shutdown()
}

func (c *Conn) monHost() string {
	return "the monitors in " + c.cfg.Conf
}

// drop forgets the current connection; retire tears it down later.
func (c *Conn) drop() {
	c.mu.Lock()
	g := c.gen
	c.gen = nil
	c.mu.Unlock()
	if g != nil {
		go c.retire(g, c.timeout)
	}
}

// retire destroys a dropped generation's io contexts and shuts its
// connection down once no call runs on the site, and none has started for
// grace: calls abandoned by a deadline keep running in C until the op
// timeouts end them, and a caller that took an io context just before the
// drop registers its call only afterwards (between IOContext and Call), on
// whichever generation is current then. Calls are therefore counted per
// site, not per generation, and the teardown holds c.mu so that no call
// starts while it runs. A call that never ends keeps the old connection
// alive: a leak, rather than a crash.
func (c *Conn) retire(g *generation, grace time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	cond := c.cond()
	for {
		for c.calls > 0 {
			cond.Wait()
		}
		c.mu.Unlock()
		time.Sleep(grace)
		c.mu.Lock()
		if c.calls == 0 {
			break
		}
	}
	lifecycle.Lock()
	defer lifecycle.Unlock()
	for _, io := range g.ioctx {
		io.Destroy()
	}
	runtime.SetFinalizer(g.conn, nil)
	g.conn.Shutdown()
}

func (c *Conn) cond() *sync.Cond {
	if c.idle == nil {
		c.idle = sync.NewCond(&c.mu)
	}
	return c.idle
}

// IOContext returns a cached io context for pool.
func (c *Conn) IOContext(ctx context.Context, pool string) (*rados.IOContext, error) {
	io, _, err := c.handles(ctx, pool, "")
	return io, err
}

// PoolHandles returns the pool's io context and the connection it belongs
// to, for calls that need both (mirror site name, pool ids, mgr commands).
func (c *Conn) PoolHandles(ctx context.Context, pool string) (*rados.IOContext, *rados.Conn, error) {
	return c.handles(ctx, pool, "")
}

// PoolHandlesNS is PoolHandles for a namespace of pool ("" is the pool's
// default namespace).
func (c *Conn) PoolHandlesNS(ctx context.Context, pool, ns string) (*rados.IOContext, *rados.Conn, error) {
	return c.handles(ctx, pool, ns)
}

// IOContextNS returns a cached io context for a namespace of pool. Cached
// contexts are shared, so callers never change their namespace.
func (c *Conn) IOContextNS(ctx context.Context, pool, ns string) (*rados.IOContext, error) {
	io, _, err := c.handles(ctx, pool, ns)
	return io, err
}

// handles returns an io context and the connection it was opened on, both
// of the current generation.
func (c *Conn) handles(ctx context.Context, pool, ns string) (*rados.IOContext, *rados.Conn, error) {
	key := pool + "/" + ns
	g, err := c.current(ctx)
	if err != nil {
		return nil, nil, err
	}
	c.mu.Lock()
	if io, ok := g.ioctx[key]; ok && c.gen == g {
		c.mu.Unlock()
		return io, g.conn, nil
	}
	c.mu.Unlock()
	io, err := Call(ctx, c, "open pool "+pool, func() (*rados.IOContext, error) {
		io, err := g.conn.OpenIOContext(pool)
		if err == nil && ns != "" {
			io.SetNamespace(ns)
		}
		return io, err
	})
	if err != nil {
		if IsErrno(err, syscall.ENOENT) {
			return nil, nil, &Error{Site: c.cfg.Name, Op: "open pool", Err: fmt.Errorf("pool %q does not exist", pool), NotFound: true}
		}
		return nil, nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != g {
		// Dropped meanwhile, and not yet torn down: retire waits for the
		// call that opened it, and this runs under c.mu.
		io.Destroy()
		return nil, nil, &Error{Site: c.cfg.Name, Op: "open pool " + pool, Err: errors.New("connection was reset; try again")}
	}
	if old, ok := g.ioctx[key]; ok {
		io.Destroy()
		return old, g.conn, nil
	}
	g.ioctx[key] = io
	return io, g.conn, nil
}

// Call runs fn, a blocking librados call on site c, bounded by ctx and by the
// site's timeout. When the bound passes first the call is abandoned (it ends
// by itself through the op timeouts) and the connection is dropped so that
// the next call starts afresh.
func Call[T any](ctx context.Context, c *Conn, op string, fn func() (T, error)) (T, error) {
	return CallFor(ctx, c, op, c.timeout, fn)
}

// CallFor is Call with its own bound, for management operations that
// legitimately take longer than one mon or osd op (a snapshot-mode forced
// promote rolls the image back, a demote writes a mirror snapshot).
//
// A call its caller cancels is abandoned too, but the site is not to blame:
// the error wraps context.Canceled and the connection is kept.
func CallFor[T any](ctx context.Context, c *Conn, op string, bound time.Duration, fn func() (T, error)) (T, error) {
	parent := ctx
	start := time.Now()
	ctx, cancel := context.WithTimeout(ctx, bound)
	defer cancel()
	type result struct {
		v   T
		err error
	}
	ch := make(chan result, 1)
	c.mu.Lock()
	c.calls++
	c.mu.Unlock()
	go func() {
		defer c.callDone()
		v, err := fn()
		ch <- result{v, err}
	}()
	select {
	case r := <-ch:
		took := time.Since(start).Round(time.Millisecond)
		if r.err != nil {
			c.log.Warn("call failed", "op", op, "took", took, "err", r.err)
			if isConnectionLoss(r.err) {
				c.log.Warn("connection lost; dropping it", "op", op)
				c.drop()
			}
			var se *Error
			if errors.As(r.err, &se) {
				return r.v, r.err
			}
			return r.v, &Error{Site: c.cfg.Name, Op: op, Err: wrapErrno(r.err)}
		}
		c.log.Debug("call", "op", op, "took", took)
		return r.v, nil
	case <-ctx.Done():
		var zero T
		if errors.Is(parent.Err(), context.Canceled) {
			c.log.Debug("call canceled by its caller", "op", op, "took", time.Since(start).Round(time.Millisecond))
			return zero, &Error{Site: c.cfg.Name, Op: op, Err: fmt.Errorf("canceled after %s: %w", time.Since(start).Round(time.Millisecond), context.Canceled)}
		}
		c.drop()
		waited := bound
		if dl, ok := parent.Deadline(); ok && dl.Sub(start) < bound {
			// The caller's own deadline came first.
			waited = dl.Sub(start).Round(time.Millisecond)
		}
		c.log.Warn("timeout: no answer; connection dropped, the next call reconnects", "op", op, "waited", waited)
		return zero, &Error{Site: c.cfg.Name, Op: op, Err: fmt.Errorf("no answer within %s", waited), Hint: "the site may be down or overloaded; rbdtui will reconnect on the next call"}
	}
}

func (c *Conn) callDone() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.calls--; c.calls == 0 {
		c.cond().Broadcast()
	}
}

func isConnectionLoss(err error) bool {
	switch syscall.Errno(Errno(err)) {
	case syscall.ETIMEDOUT, syscall.ENOTCONN, syscall.ESHUTDOWN:
		return true
	}
	return false
}

// wrapErrno keeps the errno reachable (errors.Is/Errno) while reading well.
func wrapErrno(err error) error {
	w := Words(err)
	if w == err.Error() {
		return err
	}
	return &wordsError{words: w, err: err}
}

type wordsError struct {
	words string
	err   error
}

func (w *wordsError) Error() string { return w.words }
func (w *wordsError) Unwrap() error { return w.err }

// MonCommand sends one mon command (a JSON object) and returns its output.
func (c *Conn) MonCommand(ctx context.Context, cmd map[string]any) ([]byte, error) {
	conn, err := c.Rados(ctx)
	if err != nil {
		return nil, err
	}
	prefix, _ := cmd["prefix"].(string)
	if _, ok := cmd["format"]; !ok {
		cmd["format"] = "json"
	}
	buf, err := jsonMarshal(cmd)
	if err != nil {
		return nil, err
	}
	return Call(ctx, c, "mon command \""+prefix+"\"", func() ([]byte, error) {
		out, info, err := conn.MonCommand(buf)
		if err != nil && info != "" {
			return nil, fmt.Errorf("%s: %w", strings.TrimSpace(info), err)
		}
		return out, err
	})
}
