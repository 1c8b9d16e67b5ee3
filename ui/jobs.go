package ui

import (
	"context"
	"errors"
	"fmt"
	"github.com/rbdtui/rbdtui/internal/progress"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/rbdtui/rbdtui/internal/grammar"
	"github.com/rbdtui/rbdtui/model"
)

// A job runs one or more argvs through Backend.Exec, one after the other,
// in a goroutine of its own. Its progress events and the result of each
// step come back to Update through a channel that a Cmd reads one message
// at a time (bubbletea's realtime example), so the screen keeps drawing and
// the spinner keeps turning however long the action takes.

// job is one action or palette command in flight.
type job struct {
	id       uint64
	label    string
	argvs    [][]string
	step     int
	started  time.Time
	progress *model.Progress
	failed   int
	// palette jobs show their output; key actions only log it.
	palette bool
	output  []string
	// noop is the reason a one-command job changed nothing.
	noop string
}

// logEntry is one line of the command log: one argv, its rbd equivalent,
// its duration and result.
type logEntry struct {
	job     uint64
	at      time.Time
	site    string
	argv    []string
	rbd     string
	dur     time.Duration
	running bool
	err     string
	out     string // first line of the output
	// noop: the command changed nothing (ExecResult.NoOp, or a
	// model.NothingToDo error): neither done nor failed.
	noop bool
}

// maxLog bounds the command log kept in memory.
const maxLog = 200

type jobProgressMsg struct {
	job uint64
	p   model.Progress
	ch  <-chan tea.Msg
}

type jobStepMsg struct {
	job  uint64
	step int
	res  model.ExecResult
	err  error
	ch   <-chan tea.Msg
}

type jobDoneMsg struct{ job uint64 }

type spinnerTickMsg struct{ id uint64 }

// spinnerFrame is rbdtui's one spinner (shared with the CLI), at tick i.
func spinnerFrame(i int) string { return progress.Frame(i) }

// startJob runs argvs in order and logs each.
func (a *App) startJob(label string, argvs [][]string, palette bool) tea.Cmd {
	a.jobSeq++
	j := &job{id: a.jobSeq, label: label, argvs: argvs, started: a.c.Now(), palette: palette}
	a.jobs = append(a.jobs, j)
	a.logStart(j)

	ctx, b, timeout := a.ctx, a.c.Backend, a.c.ActionTimeout
	ch := make(chan tea.Msg, 32)
	id := j.id
	run := func() tea.Msg {
		go func() {
			defer close(ch)
			send := func(m tea.Msg) {
				select {
				case ch <- m:
				case <-ctx.Done():
				}
			}
			for i, argv := range argvs {
				res, err := withDeadline(ctx, timeout, func(ctx context.Context) (model.ExecResult, error) {
					return b.Exec(ctx, argv, func(p model.Progress) {
						// Progress is a stream of snapshots: dropping
						// one when the screen is behind loses nothing.
						select {
						case ch <- jobProgressMsg{job: id, p: p, ch: ch}:
						default:
						}
					})
				})
				send(jobStepMsg{job: id, step: i, res: res, err: err, ch: ch})
			}
			send(jobDoneMsg{job: id})
		}()
		return listen(ch)()
	}
	return tea.Batch(run, a.startSpinner())
}

func listen(ch <-chan tea.Msg) tea.Cmd {
	return func() tea.Msg {
		m, ok := <-ch
		if !ok {
			return nil
		}
		return m
	}
}

func (a *App) findJob(id uint64) *job {
	for _, j := range a.jobs {
		if j.id == id {
			return j
		}
	}
	return nil
}

func (a *App) logStart(j *job) {
	argv := j.argvs[j.step]
	a.log = append(a.log, logEntry{job: j.id, at: a.c.Now(), site: siteOf(argv), argv: argv,
		rbd: rbdEquivalent(a.c.Commands, argv), running: true})
	if len(a.log) > maxLog {
		a.log = a.log[len(a.log)-maxLog:]
	}
}

func (a *App) onJobProgress(msg jobProgressMsg) tea.Cmd {
	if j := a.findJob(msg.job); j != nil {
		p := msg.p
		j.progress = &p
	}
	return listen(msg.ch)
}

func (a *App) onJobStep(msg jobStepMsg) tea.Cmd {
	j := a.findJob(msg.job)
	if j == nil {
		return listen(msg.ch)
	}
	for i := len(a.log) - 1; i >= 0; i-- {
		e := &a.log[i]
		if e.job != j.id || !e.running {
			continue
		}
		e.running = false
		e.dur = msg.res.Duration
		if e.dur == 0 {
			e.dur = a.c.Now().Sub(e.at)
		}
		if msg.res.RBD != "" {
			e.rbd = msg.res.RBD
		}
		out := strings.TrimSpace(msg.res.Output)
		if out != "" {
			e.out = oneLine(strings.SplitN(out, "\n", 2)[0])
			j.output = append(j.output, strings.Split(out, "\n")...)
		}
		if why := execNoop(msg.res, msg.err); why != "" {
			e.noop, j.noop = true, why
			if e.out == "" {
				e.out = oneLine(why)
			}
		} else if msg.err != nil {
			e.err = oneLine(msg.err.Error())
			j.failed++
			j.output = append(j.output, "error: "+msg.err.Error())
		}
		break
	}
	j.progress = nil
	j.step = msg.step + 1
	if j.step < len(j.argvs) {
		a.logStart(j)
	}
	return listen(msg.ch)
}

func (a *App) onJobDone(msg jobDoneMsg) tea.Cmd {
	j := a.findJob(msg.job)
	if j == nil {
		return nil
	}
	for i, x := range a.jobs {
		if x == j {
			a.jobs = append(a.jobs[:i], a.jobs[i+1:]...)
			break
		}
	}
	if len(j.output) > 0 {
		a.output = outputView{title: j.label, lines: j.output}
	}
	dur := shortDur(a.c.Now().Sub(j.started))
	var cmds []tea.Cmd
	switch {
	case j.failed > 0 && len(j.argvs) > 1:
		cmds = append(cmds, a.setFlash(flashErr, fmt.Sprintf("%s: %d of %d failed (see the command log)", j.label, j.failed, len(j.argvs))))
	case j.failed > 0:
		last := a.lastEntry(j.id)
		cmds = append(cmds, a.setFlash(flashErr, j.label+": "+last.err))
	case len(j.argvs) == 1 && j.noop != "":
		// A command that changed nothing says so; it is not "✓ done".
		cmds = append(cmds, a.setFlash(flashWarn, j.label+": "+oneLine(j.noop)))
	case j.palette && len(j.output) > 1:
		a.overlay = overlayOutput
		a.output.reset()
	case j.palette && len(j.output) == 1:
		cmds = append(cmds, a.setFlash(flashInfo, j.output[0]))
	default:
		cmds = append(cmds, a.setFlash(flashInfo, "✓ "+j.label+" ("+dur+")"))
	}
	// What the action changed shows on the next refresh; run one now
	// (or right after the one in flight).
	if a.refreshing() {
		a.refreshAgain = true
	} else {
		cmds = append(cmds, a.startRefresh())
	}
	return tea.Batch(cmds...)
}

// execNoop is why a command changed nothing ("" if it did something or
// failed): the engines say so in ExecResult.NoOp or with a
// model.NothingToDo error, never only in words.
func execNoop(res model.ExecResult, err error) string {
	var nothing *model.NothingToDo
	switch {
	case res.NoOp != "":
		return res.NoOp
	case errors.As(err, &nothing):
		return nothing.Msg
	}
	return ""
}

func (a *App) lastEntry(job uint64) logEntry {
	for i := len(a.log) - 1; i >= 0; i-- {
		if a.log[i].job == job {
			return a.log[i]
		}
	}
	return logEntry{}
}

// startSpinner starts the spinner's tick chain unless one runs.
func (a *App) startSpinner() tea.Cmd {
	if a.spinning {
		return nil
	}
	a.spinning = true
	a.spinID++
	id := a.spinID
	return a.after(progress.Spinner.FPS, func(time.Time) tea.Msg { return spinnerTickMsg{id} })
}

func (a *App) onSpinner(msg spinnerTickMsg) tea.Cmd {
	if msg.id != a.spinID {
		return nil
	}
	if len(a.jobs) == 0 {
		a.spinning = false
		return nil
	}
	a.spinFrame = (a.spinFrame + 1) % len(progress.Spinner.Frames)
	id := a.spinID
	return a.after(progress.Spinner.FPS, func(time.Time) tea.Msg { return spinnerTickMsg{id} })
}

// siteOf returns the --site of an argv ("" when absent).
func siteOf(argv []string) string {
	for i, w := range argv {
		if w == "--site" && i+1 < len(argv) {
			return argv[i+1]
		}
		if v, ok := strings.CutPrefix(w, "--site="); ok {
			return v
		}
	}
	return ""
}

// rbdEquivalent renders the rbd command an argv stands for, from the
// grammar's RBD template with the typed arguments filled in; a command
// without one is shown as the rbdtui command line itself.
func rbdEquivalent(reg *grammar.Registry, argv []string) string {
	plain := "rbdtui " + strings.Join(withoutSite(argv), " ")
	if reg == nil {
		return plain
	}
	inv, err := reg.Parse(argv)
	if err != nil {
		return plain
	}
	if r := inv.RBDLine(); r != "" {
		return r
	}
	return plain
}

func withoutSite(argv []string) []string {
	out := make([]string, 0, len(argv))
	for i := 0; i < len(argv); i++ {
		if argv[i] == "--site" {
			i++
			continue
		}
		if strings.HasPrefix(argv[i], "--site=") {
			continue
		}
		out = append(out, argv[i])
	}
	return out
}

// shortDur prints a duration for the log: 120ms, 1.2s, 2m03s.
func shortDur(d time.Duration) string {
	switch {
	case d < time.Second:
		return fmt.Sprintf("%dms", d.Milliseconds())
	case d < time.Minute:
		return fmt.Sprintf("%.1fs", d.Seconds())
	}
	return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
}
