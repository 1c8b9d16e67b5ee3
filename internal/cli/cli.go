// Package cli runs rbdtui's one-shot commands: it parses argv with the shared
// grammar, loads the configuration, calls the engines and prints plain text or
// rbd-shaped JSON. Exit codes: 0 success, 1 the operation failed, 2 the
// command line or configuration is wrong.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/rbdtui/rbdtui/internal/config"
	"github.com/rbdtui/rbdtui/internal/grammar"
	"github.com/rbdtui/rbdtui/internal/site"
	"github.com/rbdtui/rbdtui/internal/termsafe"
	"github.com/rbdtui/rbdtui/model"
)

// Exit codes.
const (
	ExitOK    = 0
	ExitFail  = 1
	ExitUsage = 2
)

// Env is what a command runs with.
type Env struct {
	Inv    *grammar.Invocation
	Out    *Printer
	Stdout io.Writer
	Stderr io.Writer
	Stdin  io.Reader
	// RawStdout is stdout without the terminal-safe quoting of Stdout,
	// for bytes that are not text (a journal export to -); RawStderr is
	// stderr so. `lab exec` hands both to its command as they are, so a
	// console run there gets the terminal.
	RawStdout io.Writer
	RawStderr io.Writer
	// IsTerminal reports whether stdin and stdout are a terminal.
	IsTerminal bool
	// Argv is the command line as given (without the program name); the
	// console reads it to open on the screen a Screen command names.
	Argv []string

	// Progress receives events of long-running commands; nil on the CLI,
	// where Progressf prints them to stderr instead.
	Progress func(model.Progress)

	// Log is the run's log (a discarding one when there is none).
	Log *slog.Logger

	cfg       *config.Config
	sites     *site.Manager
	confirmed bool   // the operator confirmed this command already
	shared    bool   // sites belong to the console: do not close them
	err       error  // how the command ended, for the log
	noop      string // the command changed nothing, and why (ExecResult.NoOp)
}

// siteName is the site the command acted on, for the log: --site, or the
// first configured one once the configuration is loaded.
func (e *Env) siteName() string {
	if e.Inv.Globals.Site != "" {
		return e.Inv.Globals.Site
	}
	if e.cfg != nil && len(e.cfg.Sites) > 0 {
		return e.cfg.Sites[0].Name
	}
	return ""
}

// Progressf reports one progress event.
func (e *Env) Progressf(p model.Progress) {
	if e.Progress != nil {
		e.Progress(p)
		return
	}
	if e.Out.JSON() {
		return
	}
	line := p.Step
	if p.Object != "" {
		line += " " + p.Object
	}
	if p.Site != "" {
		line += " on " + p.Site
	}
	if p.State != "" {
		line += ": " + p.State
	}
	if p.Total > 0 {
		line += fmt.Sprintf(" (%d/%d)", p.Done, p.Total)
	}
	if p.Message != "" {
		line += " " + p.Message
	}
	fmt.Fprintf(e.Stderr, "[%6.1fs] %s\n", p.Elapsed.Seconds(), line)
}

// Handler runs one command.
type Handler func(ctx context.Context, env *Env) error

// App is the command table: the grammar plus a handler per command.
type App struct {
	Grammar  *grammar.Registry
	handlers map[string]Handler
	// Console opens the TUI; nil in builds without it.
	Console func(ctx context.Context, env *Env) error
	Version string
	// LogPath gives the default log file (main sets DefaultLogPath); nil
	// logs nothing unless --log-file is given.
	LogPath func() string
	// Log is where Exec (the console's commands) logs.
	Log *slog.Logger
}

// exitError carries a specific exit code.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// Usagef is an error in what the operator asked for: exit 2.
func Usagef(format string, args ...any) error {
	return &exitError{code: ExitUsage, err: fmt.Errorf(format, args...)}
}

// Run executes argv and returns the exit code.
func (a *App) Run(argv []string, stdin io.Reader, stdout, stderr io.Writer, isTerminal bool) int {
	if code, ok := a.runHidden(argv, stdout, stderr); ok {
		return code
	}
	// Names from a cluster, a file or the command line reach the terminal
	// through these writers only: plain output and every message on
	// stderr show control characters visibly (JSON escapes them itself).
	rawStdout, rawStderr := stdout, stderr
	stderr = termsafe.Writer(stderr)
	inv, err := a.Grammar.Parse(argv)
	if err != nil {
		fmt.Fprintf(stderr, "rbdtui: %v\n", err)
		return ExitUsage
	}
	if inv.Globals.Format != "json" {
		stdout = termsafe.Writer(stdout)
	}
	if yes, err := assumeYes(); err != nil {
		return a.finish(stderr, err)
	} else if yes {
		inv.Globals.Yes = true
	}
	env := &Env{Inv: inv, Stdout: stdout, Stderr: stderr, Stdin: stdin, RawStdout: rawStdout, RawStderr: rawStderr, IsTerminal: isTerminal, Argv: argv,
		Out: &Printer{W: stdout, Format: inv.Globals.Format, Pretty: inv.Globals.Pretty}}
	if env.Out.Format == "" {
		env.Out.Format = "plain"
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	defer env.Close()
	log, closer, err := a.openLog(inv.Globals)
	if err != nil {
		return a.finish(stderr, err)
	}
	if closer != nil {
		defer closer.Close()
	}
	env.Log = log
	start := time.Now()
	code := a.dispatch(ctx, env)
	logCommand(log, "cli", argv, inv, env.siteName(), time.Since(start), code, env.err)
	return code
}

// dispatch runs the parsed command: version, help, the console or a
// handler; the error it ends with is kept in env.err for the log.
func (a *App) dispatch(ctx context.Context, env *Env) int {
	inv, stdout, stderr, isTerminal := env.Inv, env.Stdout, env.Stderr, env.IsTerminal
	finish := func(err error) int {
		env.err = err
		return a.finish(stderr, err)
	}
	switch {
	case inv.Globals.Version:
		return finish(a.printVersion(stdout))
	case inv.Cmd == nil && inv.Globals.Help:
		a.help(stdout, nil)
		return ExitOK
	case inv.Cmd == nil, inv.Cmd != nil && inv.Cmd.Screen != "" && !inv.Globals.Help:
		if inv.Cmd != nil {
			// A mistyped spec is reported here, not on a screen.
			if err := checkScreenArgs(env); err != nil {
				return finish(err)
			}
		}
		if !isTerminal {
			fmt.Fprintln(stderr, "rbdtui: the console needs a terminal, and this is not one.\n"+
				"Run a one-shot command instead, e.g. `rbdtui sites` or `rbdtui help` for the list.")
			return ExitUsage
		}
		if a.Console == nil {
			fmt.Fprintln(stderr, "rbdtui: this build has no console")
			return ExitFail
		}
		return finish(a.Console(ctx, env))
	case inv.Globals.Help:
		a.help(stdout, inv.Cmd)
		return ExitOK
	}
	h := a.handlers[inv.Cmd.Name()]
	if h == nil {
		fmt.Fprintf(stderr, "rbdtui: '%s' is not available in this build\n", inv.Cmd.Name())
		return ExitFail
	}
	if err := env.guard(); err != nil {
		return finish(err)
	}
	return finish(h(ctx, env))
}

func (a *App) finish(stderr io.Writer, err error) int {
	if err == nil {
		return ExitOK
	}
	fmt.Fprintf(stderr, "rbdtui: %v\n", err)
	return ExitCode(err)
}

// ExitCode is the one mapping of errors to exit codes: 2 for what was
// asked wrongly (the command line, the configuration, an engine's
// Refusal: nothing was changed), 1 for an operation that failed.
func ExitCode(err error) int {
	if err == nil {
		return ExitOK
	}
	var ee *exitError
	var ue *grammar.UsageError
	var re *model.Refusal
	switch {
	case errors.As(err, &ee):
		return ee.code
	case errors.As(err, &re):
		return ExitUsage
	case errors.As(err, &ue):
		return ExitUsage
	case errors.Is(err, errConfig):
		return ExitUsage
	}
	var se *site.Error
	if errors.As(err, &se) && se.NotFound {
		return ExitUsage
	}
	return ExitFail
}

var errConfig = errors.New("configuration error")

type configError struct{ err error }

func (c *configError) Error() string        { return c.err.Error() }
func (c *configError) Is(target error) bool { return target == errConfig }
func (c *configError) Unwrap() error        { return c.err }

// Config loads the configuration: an ad-hoc site from -c/--conf, or the file
// from --config, $RBDTUI_CONFIG or ~/.config/rbdtui/config.yaml.
func (e *Env) Config() (*config.Config, error) {
	if e.cfg != nil {
		return e.cfg, nil
	}
	g := e.Inv.Globals
	var cfg *config.Config
	if g.Conf != "" {
		name := g.Cluster
		if name == "" {
			name = "ceph"
		}
		s := config.Site{Name: name, Conf: g.Conf, Cluster: g.Cluster, Client: g.ID, Keyring: g.Keyring}
		cfg = &config.Config{Sites: []config.Site{s}}
		if err := cfg.Validate(); err != nil {
			return nil, &configError{err}
		}
	} else {
		if g.ID != "" || g.Keyring != "" || g.Cluster != "" {
			return nil, &configError{errors.New("--id, --keyring and --cluster describe an ad-hoc site and need -c/--conf too")}
		}
		path := g.Config
		if path == "" {
			path = config.DefaultPath()
		}
		if path == "" {
			return nil, &configError{errors.New("no configuration: pass --config, set RBDTUI_CONFIG, or use -c/--conf")}
		}
		c, err := config.Load(path)
		if err != nil {
			return nil, &configError{err}
		}
		cfg = c
	}
	if g.Timeout > 0 {
		cfg.Timeout = config.Duration(g.Timeout)
	}
	if g.ReadOnly {
		cfg.UI.ReadOnly = true
	}
	if g.Theme != "" {
		cfg.UI.Theme = g.Theme
	}
	if g.Site != "" {
		if _, err := cfg.Site(g.Site); err != nil {
			return nil, &configError{err}
		}
	}
	e.cfg = cfg
	return cfg, nil
}

// Sites returns the connection manager for the configured sites.
func (e *Env) Sites() (*site.Manager, error) {
	if e.sites != nil {
		return e.sites, nil
	}
	cfg, err := e.Config()
	if err != nil {
		return nil, err
	}
	e.sites = site.NewManager(cfg)
	if e.Log != nil {
		e.sites.SetLogger(e.Log)
	}
	return e.sites, nil
}

// Site returns the connection of the site the command acts on (--site, or
// the first configured one).
func (e *Env) Site() (*site.Conn, error) {
	return e.SiteNamed(e.Inv.Globals.Site)
}

// SiteNamed returns a configured site's connection ("" is the default
// site), refusing dangerous commands on read-only sites.
func (e *Env) SiteNamed(name string) (*site.Conn, error) {
	m, err := e.Sites()
	if err != nil {
		return nil, err
	}
	c, err := m.Site(name)
	if err != nil {
		return nil, Usagef("%v", err)
	}
	if err := e.checkWritable(c.Name(), c.Config().ReadOnly); err != nil {
		return nil, err
	}
	return c, nil
}

// Close releases connections.
func (e *Env) Close() {
	if e.sites != nil && !e.shared {
		e.sites.Close()
	}
}

// checkScreenArgs validates the specs a Screen command names (`watch
// group rbd/app`, `inspect rbd/vol1`) before the console opens on them.
func checkScreenArgs(env *Env) error {
	switch env.Inv.Cmd.Name() {
	case "watch":
		_, err := env.PoolSpec("pool-spec")
		return err
	case "watch group":
		if _, err := model.ParseImageSpec(env.Inv.Arg("group-spec"), false); err != nil {
			return Usagef("group-spec: %v", err)
		}
	case "watch image":
		for _, s := range env.Inv.Args["image-spec"] {
			if _, err := model.ParseImageSpec(s, false); err != nil {
				return Usagef("%v", err)
			}
		}
	case "inspect":
		_, err := env.ImageSpec("image-spec")
		return err
	}
	return nil
}
