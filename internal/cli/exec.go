package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/rbdtui/rbdtui/internal/grammar"
	"github.com/rbdtui/rbdtui/internal/site"
	"github.com/rbdtui/rbdtui/model"
)

// Exec runs one command in-process for the console, on the console's own
// site connections, and returns its plain output: the palette and key actions
// run exactly the code the CLI runs. CLI-only commands (the lab) and commands
// that would open another console are refused.
func (a *App) Exec(ctx context.Context, m *site.Manager, argv []string, progress func(model.Progress)) (model.ExecResult, error) {
	start := time.Now()
	inv, err := a.Grammar.Parse(argv)
	if err != nil {
		return model.ExecResult{}, err
	}
	if inv.Cmd == nil {
		return model.ExecResult{}, errors.New("no command given")
	}
	if inv.Cmd.CLIOnly {
		return model.ExecResult{}, fmt.Errorf("'%s' runs from the shell only", inv.Cmd.Name())
	}
	if inv.Cmd.Screen != "" {
		return model.ExecResult{}, fmt.Errorf("'%s' opens a console screen; it is not a command to run", inv.Cmd.Name())
	}
	if inv.Globals.Config != "" || inv.Globals.Conf != "" {
		return model.ExecResult{}, errors.New("--config and -c/--conf are not available inside the console")
	}
	var out, errb bytes.Buffer
	env := &Env{Inv: inv, Stdout: &out, Stderr: &errb, RawStdout: &out, RawStderr: &errb, Stdin: strings.NewReader(""),
		Out: &Printer{W: &out, Format: "plain"}, cfg: m.Config(), sites: m, Progress: progress, shared: true}
	if inv.Globals.Format == "json" {
		env.Out.Format = "json"
	}
	h := a.handlers[inv.Cmd.Name()]
	if h == nil {
		return model.ExecResult{}, fmt.Errorf("'%s' is not available in this build", inv.Cmd.Name())
	}
	// The console confirmed in its own dialog (it adds --yes); the guard
	// refuses anything it did not, and anything read-only forbids.
	if err = env.guard(); err == nil {
		err = h(ctx, env)
	}
	res := model.ExecResult{Output: strings.TrimRight(out.String()+errb.String(), "\n"), RBD: RBDEquivalent(inv), Duration: time.Since(start), NoOp: env.noop}
	var nothing *model.NothingToDo
	if errors.As(err, &nothing) {
		res.NoOp = nothing.Msg
	}
	code := ExitOK
	if err != nil {
		code = ExitFail
	}
	logCommand(a.Log, "console", argv, inv, env.siteName(), res.Duration, code, err)
	return res, err
}

// RBDEquivalent renders the command's rbd equivalent with the typed
// arguments filled in.
func RBDEquivalent(inv *grammar.Invocation) string { return inv.RBDLine() }
