package mirror

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/ceph/go-ceph/rbd"
	"github.com/rbdtui/rbdtui/internal/site"
	"github.com/rbdtui/rbdtui/model"
)

// FailoverOptions describe one failover of images (one image, or every
// mirrored image of a pool) from one site to another.
type FailoverOptions struct {
	From, To *site.Conn
	Pool     string
	// Namespace is the pool's namespace of the images ("" is the default).
	Namespace string
	// Images restricts the failover to these names; empty means every
	// mirror-enabled image of the pool.
	Images []string
	// Force promotes on To without demoting on From (From is lost).
	Force bool
	// StepTimeout bounds each waiting step (default DefaultStepTimeout).
	StepTimeout time.Duration
	Progress    func(model.Progress)
	// Poll is the status polling interval while waiting (default 1s).
	Poll time.Duration
	// Resume is the command that resumes this failover, named when a step
	// stops; empty means the CLI form built from these options.
	Resume string
}

// PlanImage is one image of a failover plan: what the run will do to it
// and what a forced one risks. It is the model's type, so the console shows
// exactly what the engine planned.
type PlanImage = model.FailoverImagePlan

// Plan is what a failover will do; --dry-run prints it.
type Plan struct {
	Kind string `json:"kind"` // planned or forced
	Pool string `json:"pool"`
	// Namespace is the pool namespace of the images ("" the default).
	Namespace string      `json:"namespace,omitempty"`
	From      string      `json:"from"`
	To        string      `json:"to"`
	Steps     []string    `json:"steps"`
	Images    []PlanImage `json:"images"`
	// FromReachable is false when From did not answer (forced failover).
	FromReachable bool   `json:"from_reachable"`
	FromError     string `json:"from_error,omitempty"`
}

// Problems lists images the plan cannot fail over.
func (p *Plan) Problems() []string {
	var out []string
	for _, i := range p.Images {
		if i.Problem != "" {
			out = append(out, i.Name+": "+i.Problem)
		}
	}
	return out
}

// NothingToDo reports whether every image of the plan is already primary
// on To (and not on From): a run would change nothing.
func (p *Plan) NothingToDo() bool {
	if len(p.Images) == 0 {
		return false
	}
	for _, i := range p.Images {
		if i.Phase != "done" {
			return false
		}
	}
	return true
}

// NothingToDoError is what Run returns when every image is already primary
// on the target: nothing was changed, and the failover is not complete
// because nothing happened.
type NothingToDoError = model.NothingToDo

// PrimaryOn reports whether the images (every mirrored image of the pool's
// namespace when none is named) are primary on a site: all named ones, or
// any of the pool's. The CLI takes the site where they are as --from.
func PrimaryOn(ctx context.Context, c *site.Conn, pool, ns string, images []string) (bool, error) {
	if len(images) > 0 {
		imgs, err := ExactNS(ctx, c, pool, ns, images)
		if err != nil {
			return false, err
		}
		for _, n := range images {
			if img, ok := imgs[n]; !ok || !img.Primary {
				return false, nil
			}
		}
		return true, nil
	}
	l, err := ListAllNS(ctx, c, pool, ns)
	if err != nil {
		return false, err
	}
	for _, img := range l.Images(c.Name(), pool) {
		if img.MirrorState == model.MirrorEnabled && img.Primary {
			return true, nil
		}
	}
	return false, nil
}

// namespaceExists refuses a failover in a namespace a site lacks.
func namespaceExists(ctx context.Context, c *site.Conn, pool, ns string) error {
	if ns == "" {
		return nil
	}
	io, err := c.IOContext(ctx, pool)
	if err != nil {
		return err
	}
	ok, err := site.Call(ctx, c, "look up namespace "+where(pool, ns), func() (bool, error) { return rbd.NamespaceExists(io, ns) })
	if err != nil {
		return err
	}
	if !ok {
		return refuse("namespace %s does not exist on %s; nothing was changed", where(pool, ns), c.Name())
	}
	return nil
}

// MakePlan reads both sites and decides, per image, what the failover must
// do. A run is resumable: an image already demoted is only promoted, one
// already primary on To is only watched.
func MakePlan(ctx context.Context, o FailoverOptions) (*Plan, error) {
	p := &Plan{Kind: "planned", Pool: o.Pool, Namespace: o.Namespace, From: o.From.Name(), To: o.To.Name(), FromReachable: true}
	if o.Force {
		p.Kind = "forced"
	}
	if err := namespaceExists(ctx, o.To, o.Pool, o.Namespace); err != nil {
		return nil, err
	}
	toList, err := ListAllNS(ctx, o.To, o.Pool, o.Namespace)
	if err != nil {
		return nil, fmt.Errorf("read %s (the failover target): %w", o.To.Name(), err)
	}
	toImgs := indexImages(toList.Images(o.To.Name(), o.Pool))
	fromImgs := map[string]model.Image{}
	fromList, err := ListAllNS(ctx, o.From, o.Pool, o.Namespace)
	if err == nil {
		err = namespaceExists(ctx, o.From, o.Pool, o.Namespace)
		if IsRefusal(err) {
			return nil, err
		}
	}
	if err != nil {
		p.FromReachable, p.FromError = false, err.Error()
		if !o.Force {
			return nil, fmt.Errorf("site %s (the current primary) does not answer: %v; if it is lost, run a forced failover (--force)", o.From.Name(), err)
		}
	} else {
		fromImgs = indexImages(fromList.Images(o.From.Name(), o.Pool))
	}
	names := o.Images
	if len(names) == 0 {
		for n, img := range toImgs {
			if img.MirrorState == model.MirrorEnabled {
				names = append(names, n)
			}
		}
		for n, img := range fromImgs {
			if _, ok := toImgs[n]; !ok && img.MirrorState == model.MirrorEnabled {
				names = append(names, n)
			}
		}
		sort.Strings(names)
		if len(names) == 0 {
			return nil, refuse("pool %s has no mirrored images on %s or %s", where(o.Pool, o.Namespace), o.From.Name(), o.To.Name())
		}
	}
	now := time.Now()
	for _, n := range names {
		ti, tok := toImgs[n]
		fi, fok := fromImgs[n]
		pi := PlanImage{Name: n, Mode: ti.MirrorMode}
		if pi.Mode == "" {
			pi.Mode = fi.MirrorMode
		}
		describeLag(&pi, ti, now)
		switch {
		case !tok:
			pi.Phase, pi.Problem = "refuse", fmt.Sprintf("image %s does not exist on %s", o.spec(n), o.To.Name())
		case ti.MirrorState != model.MirrorEnabled:
			pi.Phase, pi.Problem = "refuse", fmt.Sprintf("mirroring is not enabled on %s on %s", o.spec(n), o.To.Name())
		case ti.Primary && (!fok || !fi.Primary):
			pi.Phase = "done"
		case ti.Primary && fi.Primary:
			pi.Phase, pi.Problem = "refuse", fmt.Sprintf("primary on both sites (split-brain): recover with `rbdtui failover recover --stale %s --image %s`", o.From.Name(), o.spec(n))
		case o.Force:
			pi.Phase = "force-promote"
		case !fok:
			pi.Phase, pi.Problem = "refuse", fmt.Sprintf("image %s does not exist on %s", o.spec(n), o.From.Name())
		case fi.Primary:
			pi.Phase = "demote"
		default:
			pi.Phase = "promote"
		}
		p.Images = append(p.Images, pi)
	}
	if o.Force {
		p.Steps = []string{
			fmt.Sprintf("force-promote every image on %s (no demotion: %s is lost or unreachable)", p.To, p.From),
			fmt.Sprintf("wait until %s's rbd-mirror lets go of each image; if it still holds one after %s (stuck on the lost site), break its lock, which blocklists that rbd-mirror instance", p.To, StuckGrace),
			fmt.Sprintf("data written on %s after the last replayed entry or synced snapshot is lost (see lag)", p.From),
			fmt.Sprintf("when %s returns its copies are split-brain: recover them with `rbdtui failover recover --stale %s --pool %s`", p.From, p.From, p.Pool),
		}
	} else {
		p.Steps = []string{
			fmt.Sprintf("demote every image on %s", p.From),
			fmt.Sprintf("wait for proof that %s holds every write up to each demotion (journal: its rbd-mirror committed the demotion entry in %s's journal; snapshot: the demotion snapshot is copied completely) and both sites report up+unknown", p.To, p.From),
			fmt.Sprintf("promote every image on %s (none before all are caught up)", p.To),
			fmt.Sprintf("wait until %s replays each image in the new direction", p.From),
		}
	}
	return p, nil
}

func indexImages(l []model.Image) map[string]model.Image {
	m := make(map[string]model.Image, len(l))
	for _, i := range l {
		m[i.Name] = i
	}
	return m
}

// describeLag states the last known lag of To's copy in words.
func describeLag(pi *PlanImage, to model.Image, now time.Time) {
	if to.Local == nil {
		pi.Lag = "unknown (no status from the target's rbd-mirror)"
		return
	}
	pi.StatusAgeSec = now.Sub(to.Local.LastUpdate).Round(time.Second).Seconds()
	r := to.Local.Replay
	switch {
	case r != nil && r.EntriesBehindPrimary != nil:
		pi.EntriesBehind = r.EntriesBehindPrimary
		pi.Lag = fmt.Sprintf("%d journal entries behind (status %.0fs old)", *r.EntriesBehindPrimary, pi.StatusAgeSec)
	case r != nil && r.LocalSnapshotTimestamp != nil:
		age := now.Unix() - *r.LocalSnapshotTimestamp
		pi.SnapshotAgeSec = &age
		pi.Lag = fmt.Sprintf("last synced snapshot %s old", (time.Duration(age) * time.Second).String())
	case to.Local.BootstrapPercent != nil:
		pi.Lag = fmt.Sprintf("initial sync only %d%% done: the copy is inconsistent", *to.Local.BootstrapPercent)
	default:
		pi.Lag = fmt.Sprintf("%s: %s", to.Local.FullState(), to.Local.Description)
	}
}

// Run executes a failover, reporting progress; it refuses (changing
// nothing) when the plan has problems.
func Run(ctx context.Context, o FailoverOptions) (*Plan, error) {
	if o.StepTimeout == 0 {
		o.StepTimeout = DefaultStepTimeout
	}
	if o.Poll == 0 {
		o.Poll = time.Second
	}
	start := time.Now()
	emit := func(p model.Progress) {
		p.Elapsed = time.Since(start)
		if o.Progress != nil {
			o.Progress(p)
		}
	}
	plan, err := MakePlan(ctx, o)
	if err != nil {
		return nil, err
	}
	if probs := plan.Problems(); len(probs) > 0 {
		return plan, refuse("failover refused, nothing changed:\n  %s", strings.Join(probs, "\n  "))
	}
	if plan.NothingToDo() {
		what := "every mirrored image of pool " + where(o.Pool, o.Namespace)
		if len(o.Images) == 1 {
			what = o.spec(o.Images[0]).String()
		}
		return plan, &NothingToDoError{Msg: fmt.Sprintf("%s is already primary on %s: nothing to do", what, o.To.Name())}
	}
	byPhase := func(phases ...string) []string {
		var out []string
		for _, i := range plan.Images {
			for _, ph := range phases {
				if i.Phase == ph {
					out = append(out, i.Name)
				}
			}
		}
		return out
	}
	spec := o.spec
	if o.Force {
		deadline := time.Now().Add(o.StepTimeout)
		err := forEach(byPhase("force-promote"), func(n string) error {
			emit(model.Progress{Step: "force-promote", Object: n, Site: o.To.Name()})
			// Done only once the image is usable: rbd-mirror on To,
			// possibly stuck on the lost site, has let go of it.
			if err := ForcePromote(ctx, o.To, spec(n), deadline, func(holder string) {
				emit(model.Progress{Step: "broke lock", Object: n, Site: o.To.Name(), Message: BrokeLockMessage(o.To.Name(), holder)})
			}); err != nil {
				return err
			}
			emit(model.Progress{Step: "force-promote", Object: n, Site: o.To.Name(), State: "primary"})
			return nil
		})
		if err != nil {
			return plan, o.stepError(ctx, "force-promote", byPhase("force-promote"), nil, err)
		}
		emit(model.Progress{Step: "done", Message: fmt.Sprintf("%d images primary on %s", len(plan.Images), o.To.Name())})
		return plan, nil
	}
	// 1. Demote on From. A resumed run that demotes nothing accepts the
	// statuses as they are; otherwise only statuses written after the
	// demotion count.
	var demoted time.Time
	if len(byPhase("demote")) > 0 {
		demoted = time.Now()
	}
	if err := forEach(byPhase("demote"), func(n string) error {
		emit(model.Progress{Step: "demote", Object: n, Site: o.From.Name()})
		if err := demoteFenced(ctx, o.From, o.spec(n)); err != nil {
			return err
		}
		emit(model.Progress{Step: "demote", Object: n, Site: o.From.Name(), State: "non-primary"})
		return nil
	}); err != nil {
		return plan, o.stepError(ctx, "demote", byPhase("demote"), nil, err)
	}
	// 2. Wait for proof that To holds everything up to each demotion.
	toPromote := byPhase("demote", "promote")
	modes := map[string]string{}
	for _, i := range plan.Images {
		modes[i.Name] = i.Mode
	}
	if seen, err := waitProof(ctx, o, toPromote, modes, demoted, emit); err != nil {
		return plan, o.stepError(ctx, "wait-replayed", toPromote, seen, fmt.Errorf("%w\nnothing was promoted: without proof that %s holds every write up to the demotion, promoting it could lose writes or split the brain", err, o.To.Name()))
	}
	// 3. Promote on To: only now that every image is proven caught up.
	if err := forEach(toPromote, func(n string) error {
		emit(model.Progress{Step: "promote", Object: n, Site: o.To.Name()})
		deadline := time.Now().Add(o.StepTimeout)
		for {
			err := Promote(ctx, o.To, o.spec(n), false)
			if err == nil {
				break
			}
			// librbd can refuse for a moment after the proof (EBUSY)
			// while its own view of the remote catches up; retry.
			if !IsRefusal(err) || !strings.Contains(err.Error(), "still primary") || time.Now().After(deadline) {
				return err
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(o.Poll):
			}
		}
		emit(model.Progress{Step: "promote", Object: n, Site: o.To.Name(), State: "primary"})
		return nil
	}); err != nil {
		return plan, o.stepError(ctx, "promote", toPromote, nil, err)
	}
	// 4. Wait until From replays in the new direction.
	all := byPhase("demote", "promote", "done")
	seen, err := waitAll(ctx, o, o.From, all, "wait-replaying", emit, func(img model.Image) (bool, string) {
		if img.Local == nil {
			return false, "no status yet"
		}
		return !img.Primary && img.Local.Up && img.Local.State == model.StateReplaying, img.Local.FullState() + " " + img.Local.Description
	})
	if err != nil {
		return plan, o.stepError(ctx, "wait-replaying", all, seen, err)
	}
	emit(model.Progress{Step: "done", Message: fmt.Sprintf("%d images primary on %s, replaying on %s", len(all), o.To.Name(), o.From.Name())})
	return plan, nil
}

// demoteFence is how long a failover's demotion keeps the image's exclusive
// lock after demoting, so that every writer's handle has seen the demotion
// (a header notification) before it can take the lock again.
const demoteFence = 3 * time.Second

// demoteFenced demotes an image while holding its exclusive lock, taken
// first, and keeps the lock for demoteFence after. A writer racing a plain
// demotion could take the lock back before its handle learned of the
// demotion and land an acknowledged write after the demotion snapshot
// (snapshot mode), on the old primary only: seen in the soak. While held,
// the lock is refused to writers (EROFS).
func demoteFenced(ctx context.Context, c *site.Conn, spec model.ImageSpec) error {
	return withImage(ctx, c, spec, "mirror demote", func(img *rbd.Image) error {
		if err := demotable(img, c, spec); err != nil {
			return err
		}
		if err := img.LockAcquire(rbd.LockModeExclusive); err != nil {
			return fmt.Errorf("take the exclusive lock of %s before demoting it: %w", spec, err)
		}
		defer func() { _ = img.LockRelease() }()
		if err := img.MirrorDemote(); err != nil {
			return err
		}
		time.Sleep(demoteFence)
		return nil
	})
}

// DefaultStepTimeout bounds each step of a failover: generous, since a
// loaded two-core machine running two sites can take minutes to restart a
// replayer, and a step that runs out stops the failover safely.
const DefaultStepTimeout = 5 * time.Minute

// spec names an image of the failover.
func (o FailoverOptions) spec(n string) model.ImageSpec {
	return model.ImageSpec{Pool: o.Pool, Namespace: o.Namespace, Image: n}
}

// seenState is the last state a wait read for an image on one site: the
// image as read, what the wait made of it, and when it was read.
type seenState struct {
	Img   model.Image
	State string
	At    time.Time
}

// seenMap keys the last states by site, then image.
type seenMap map[string]map[string]seenState

func (m seenMap) put(siteName string, img model.Image, image, state string, at time.Time) {
	if m[siteName] == nil {
		m[siteName] = map[string]seenState{}
	}
	m[siteName][image] = seenState{Img: img, State: state, At: at}
}

// waitProof polls both sites until every image is proven replayed up to its
// demotion on To (see failover_proof.go); it gives up after the step
// timeout, naming the images still unproven and why.
func waitProof(ctx context.Context, o FailoverOptions, names []string, modes map[string]string, demoted time.Time, emit func(model.Progress)) (seenMap, error) {
	seen := seenMap{}
	if len(names) == 0 {
		return seen, nil
	}
	deadline := time.Now().Add(o.StepTimeout)
	pending := map[string]bool{}
	for _, n := range names {
		pending[n] = true
	}
	last := map[string]string{}
	for {
		var want []string
		for _, n := range names {
			if pending[n] {
				want = append(want, n)
			}
		}
		var lastErr error
		froms, errF := ExactNS(ctx, o.From, o.Pool, o.Namespace, want)
		tos, errT := ExactNS(ctx, o.To, o.Pool, o.Namespace, want)
		now := time.Now()
		if errF != nil || errT != nil {
			lastErr = errors.Join(errF, errT)
		} else {
			for _, n := range want {
				f, t := froms[n], tos[n]
				okT, stT := settled(t, demoted, true)
				okF, stF := settled(f, demoted, false)
				seen.put(o.To.Name(), t, n, stT, now)
				seen.put(o.From.Name(), f, n, stF, now)
				state := fmt.Sprintf("%s: %s; %s: %s", o.To.Name(), stT, o.From.Name(), stF)
				ok := false
				if okT && okF {
					proved, why, err := replayProof(ctx, o, n, modes[n], f)
					var lost *WriteAfterDemotionError
					if errors.As(err, &lost) {
						return seen, err
					}
					if err != nil {
						lastErr = fmt.Errorf("%s: %w", o.spec(n), err)
						why = "proof unreadable: " + err.Error()
					}
					ok = proved
					state = why
					seen.put(o.To.Name(), t, n, why, now)
				}
				if state != last[n] {
					last[n] = state
					emit(model.Progress{Step: "wait-replayed", Object: n, Site: o.To.Name(), State: state, Done: int64(len(names) - len(pending)), Total: int64(len(names))})
				}
				if ok {
					delete(pending, n)
				}
			}
			if len(pending) == 0 {
				return seen, nil
			}
		}
		if time.Now().After(deadline) {
			return seen, fmt.Errorf("no proof within %s that %s replayed up to the demotion: %s", o.StepTimeout, o.To.Name(), o.laggards(names, pending, last, lastErr))
		}
		select {
		case <-ctx.Done():
			return seen, ctx.Err()
		case <-time.After(o.Poll):
		}
	}
}

// laggards names the images a wait still waits for, each with the last
// state seen, and the last error of the reads.
func (o FailoverOptions) laggards(names []string, pending map[string]bool, last map[string]string, lastErr error) string {
	var lag []string
	for _, n := range names {
		if pending[n] {
			lag = append(lag, fmt.Sprintf("%s (%s)", o.spec(n), last[n]))
		}
	}
	if lastErr != nil {
		lag = append(lag, "last error: "+lastErr.Error())
	}
	return strings.Join(lag, ", ")
}

// waitAll polls site until check holds for every image, emitting progress
// on each change; it gives up after the step timeout, naming the laggards.
// It returns the last state it read of each image.
func waitAll(ctx context.Context, o FailoverOptions, c *site.Conn, names []string, step string, emit func(model.Progress), check func(model.Image) (bool, string)) (seenMap, error) {
	seen := seenMap{}
	if len(names) == 0 {
		return seen, nil
	}
	deadline := time.Now().Add(o.StepTimeout)
	last := map[string]string{}
	pending := map[string]bool{}
	for _, n := range names {
		pending[n] = true
	}
	for {
		var want []string
		for _, n := range names {
			if pending[n] {
				want = append(want, n)
			}
		}
		imgs, err := ExactNS(ctx, c, o.Pool, o.Namespace, want)
		if err == nil {
			now := time.Now()
			for _, n := range names {
				if !pending[n] {
					continue
				}
				ok, state := check(imgs[n])
				seen.put(c.Name(), imgs[n], n, state, now)
				if state != last[n] {
					last[n] = state
					emit(model.Progress{Step: step, Object: n, Site: c.Name(), State: state, Done: int64(len(names) - len(pending)), Total: int64(len(names))})
				}
				if ok {
					delete(pending, n)
				}
			}
			if len(pending) == 0 {
				return seen, nil
			}
		}
		if time.Now().After(deadline) {
			return seen, fmt.Errorf("timed out after %s on %s waiting for: %s", o.StepTimeout, c.Name(), o.laggards(names, pending, last, err))
		}
		select {
		case <-ctx.Done():
			return seen, ctx.Err()
		case <-time.After(o.Poll):
		}
	}
}

// forEach runs fn for each name, a few at a time, and joins the errors.
func forEach(names []string, fn func(string) error) error {
	var (
		mu   sync.Mutex
		errs []error
		wg   sync.WaitGroup
		sem  = make(chan struct{}, 8)
	)
	for _, n := range names {
		wg.Add(1)
		sem <- struct{}{}
		go func(n string) {
			defer wg.Done()
			defer func() { <-sem }()
			if err := fn(n); err != nil {
				mu.Lock()
				errs = append(errs, fmt.Errorf("%s: %w", n, err))
				mu.Unlock()
			}
		}(n)
	}
	wg.Wait()
	return errors.Join(errs...)
}

// StepError is a failover stopped at one step: which step, on which
// images, what each site showed last and how old that was, and the command
// that resumes it.
type StepError struct {
	From, To string
	Step     string
	Images   []string
	// Seen has one line per site and image: the last state read.
	Seen   []string
	Resume string
	Err    error
}

func (e *StepError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "failover %s -> %s stopped at step %q on %s: %v", e.From, e.To, e.Step, strings.Join(e.Images, ", "), e.Err)
	for _, l := range e.Seen {
		b.WriteString("\n  " + l)
	}
	if e.Step == "wait-replaying" {
		// Everything was changed already: only the new direction's
		// replay is unconfirmed, and a second run would have nothing to do.
		fmt.Fprintf(&b, "\nevery image is primary on %s; %s has not been seen replaying yet: check it with: %s", e.To, e.From, e.Resume)
		return b.String()
	}
	fmt.Fprintf(&b, "\nthe images are left as the step found them; resume with: %s", e.Resume)
	return b.String()
}

func (e *StepError) Unwrap() error { return e.Err }

// ResumeCommand is the command that runs this failover again from where it
// stopped (a run is resumable: it plans from the sites' state).
func (o FailoverOptions) ResumeCommand() string {
	if o.Resume != "" {
		return o.Resume
	}
	scope := "--pool " + where(o.Pool, o.Namespace)
	if len(o.Images) == 1 {
		scope = "--image " + o.spec(o.Images[0]).String()
	}
	force := ""
	if o.Force {
		force = " --force"
	}
	return fmt.Sprintf("rbdtui failover --from %s --to %s %s%s", o.From.Name(), o.To.Name(), scope, force)
}

// stepError builds the StepError of a step that failed on names: the last
// states a wait saw, else a fresh read of both sites (bounded, so a dead
// site does not hold the report up).
func (o FailoverOptions) stepError(ctx context.Context, step string, names []string, seen seenMap, err error) error {
	if len(names) > 5 {
		// Name the images the error names first; the rest are counted.
		names = names[:5]
	}
	e := &StepError{From: o.From.Name(), To: o.To.Name(), Step: step, Resume: o.ResumeCommand(), Err: err}
	if step == "wait-replaying" {
		e.Resume = fmt.Sprintf("rbdtui --site %s mirror image status <image>", o.From.Name())
		if len(names) == 1 {
			e.Resume = fmt.Sprintf("rbdtui --site %s mirror image status %s", o.From.Name(), o.spec(names[0]))
		}
	}
	for _, n := range names {
		e.Images = append(e.Images, o.spec(n).String())
	}
	now := time.Now()
	for _, c := range []*site.Conn{o.From, o.To} {
		got := seen[c.Name()]
		if len(got) == 0 {
			rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
			imgs, rerr := ExactNS(rctx, c, o.Pool, o.Namespace, names)
			cancel()
			if rerr != nil {
				e.Seen = append(e.Seen, fmt.Sprintf("%s: could not be read: %v", c.Name(), rerr))
				continue
			}
			got = map[string]seenState{}
			for _, n := range names {
				got[n] = seenState{Img: imgs[n], At: now}
			}
		}
		for _, n := range names {
			st, ok := got[n]
			if !ok {
				continue
			}
			line := fmt.Sprintf("%s on %s: %s, read %s ago", o.spec(n), c.Name(), describeCopy(st.Img, st.At), now.Sub(st.At).Round(100*time.Millisecond))
			// Add what the wait made of it, unless it only repeats the status.
			if st.State != "" && (st.Img.Local == nil || !strings.HasPrefix(st.State, st.Img.Local.FullState())) {
				line += "; " + st.State
			}
			e.Seen = append(e.Seen, line)
		}
	}
	return e
}

// describeCopy says what a site's copy is: primary or not, and its
// daemon's status with the status's age.
func describeCopy(img model.Image, now time.Time) string {
	if img.Name == "" {
		return "no such image"
	}
	role := "non-primary"
	if img.Primary {
		role = "primary"
	}
	if img.Local == nil {
		return role + ", no status from rbd-mirror"
	}
	return fmt.Sprintf("%s, %s %s (status %s old)", role, img.Local.FullState(), img.Local.Description, now.Sub(img.Local.LastUpdate).Round(time.Second))
}

// RecoverOptions describe the recovery of a stale site after a forced
// failover: its copies are still primary (split-brain).
type RecoverOptions struct {
	Stale, Primary *site.Conn
	Pool           string
	// Namespace is the pool namespace of the images ("" the default).
	Namespace   string
	Images      []string
	StepTimeout time.Duration
	Poll        time.Duration
	Progress    func(model.Progress)
}

// Recover demotes the stale site's copies and resyncs them from the current
// primary, then waits until they replay: the guided split-brain recovery.
func Recover(ctx context.Context, o RecoverOptions) ([]string, error) {
	if o.StepTimeout == 0 {
		o.StepTimeout = 5 * time.Minute
	}
	if o.Poll == 0 {
		o.Poll = time.Second
	}
	start := time.Now()
	emit := func(p model.Progress) {
		p.Elapsed = time.Since(start)
		if o.Progress != nil {
			o.Progress(p)
		}
	}
	sl, err := ListAllNS(ctx, o.Stale, o.Pool, o.Namespace)
	if err != nil {
		return nil, err
	}
	pl, err := ListAllNS(ctx, o.Primary, o.Pool, o.Namespace)
	if err != nil {
		return nil, err
	}
	stale, prim := indexImages(sl.Images(o.Stale.Name(), o.Pool)), indexImages(pl.Images(o.Primary.Name(), o.Pool))
	spec := func(n string) model.ImageSpec { return model.ImageSpec{Pool: o.Pool, Namespace: o.Namespace, Image: n} }
	var todo []string
	names := o.Images
	if len(names) == 0 {
		for n := range stale {
			names = append(names, n)
		}
		sort.Strings(names)
	}
	var resyncOnly []string
	for _, n := range names {
		s, p := stale[n], prim[n]
		switch {
		case s.MirrorState != model.MirrorEnabled || p.MirrorState != model.MirrorEnabled:
			if len(o.Images) > 0 {
				return nil, refuse("%s is not mirrored on both sites", spec(n))
			}
		case !p.Primary:
			if len(o.Images) > 0 {
				return nil, refuse("%s is not primary on %s: nothing to recover towards", spec(n), o.Primary.Name())
			}
		case s.Primary:
			todo = append(todo, n)
		case s.Local != nil && (s.Local.SplitBrain || s.Local.State == model.StateError):
			resyncOnly = append(resyncOnly, n)
		}
	}
	if len(todo)+len(resyncOnly) == 0 {
		return nil, refuse("no split-brain images in pool %s on %s", where(o.Pool, o.Namespace), o.Stale.Name())
	}
	if err := forEach(todo, func(n string) error {
		emit(model.Progress{Step: "demote", Object: n, Site: o.Stale.Name()})
		return Demote(ctx, o.Stale, spec(n))
	}); err != nil {
		return nil, err
	}
	all := append(todo, resyncOnly...)
	sort.Strings(all)
	if err := forEach(all, func(n string) error {
		emit(model.Progress{Step: "resync", Object: n, Site: o.Stale.Name()})
		err := Resync(ctx, o.Stale, spec(n))
		if err != nil && site.IsErrno(err, syscall.ENOENT) {
			return nil // the daemon already moved it away to resync
		}
		return err
	}); err != nil {
		return nil, err
	}
	fo := FailoverOptions{Pool: o.Pool, Namespace: o.Namespace, StepTimeout: o.StepTimeout, Poll: o.Poll}
	_, err = waitAll(ctx, fo, o.Stale, all, "wait-replaying", emit, func(img model.Image) (bool, string) {
		if img.Local == nil {
			return false, "no status yet"
		}
		return !img.Primary && img.Local.Up && img.Local.State == model.StateReplaying && img.Local.BootstrapPercent == nil, img.Local.FullState() + " " + img.Local.Description
	})
	return all, err
}
