package cli

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/rbdtui/rbdtui/internal/grammar"

	"github.com/rbdtui/rbdtui/model"
)

// ImageSpec resolves the command's image from the positional spec or from
// --pool/--namespace/--image, as rbd does: --image may be a whole spec
// (pool/image, pool/ns/image) and --pool may be pool/namespace. Naming a part
// twice is an error.
func (e *Env) ImageSpec(arg string) (model.ImageSpec, error) {
	pos := e.Inv.Arg(arg)
	img := e.Inv.Flag("image")
	if pos != "" && img != "" {
		return model.ImageSpec{}, Usagef("give the image either as <%s> or with --image, not both", arg)
	}
	if pos == "" && img == "" {
		return model.ImageSpec{}, Usagef("missing <%s> (or --image)\nusage: rbdtui %s", arg, e.Inv.Cmd.Usage())
	}
	what := "<" + arg + ">"
	if pos == "" {
		pos, what = img, "--image"
	}
	spec, err := model.ParseImageSpec(pos, false)
	if err != nil {
		return spec, Usagef("%v", err)
	}
	return spec, e.applyPoolOptions(&spec.Pool, &spec.Namespace, strings.Count(pos, "/"), what, pos)
}

// applyPoolOptions fills pool and namespace from --pool (pool or
// pool/namespace) and --namespace, refusing a part the spec (with slashes
// '/' in it) already names.
func (e *Env) applyPoolOptions(pool, ns *string, slashes int, what, spec string) error {
	po, no := e.Inv.Flag("pool"), e.Inv.Flag("namespace")
	if po != "" {
		if slashes > 0 {
			return Usagef("pool given twice: in %s %q and with --pool", what, spec)
		}
		ps, err := model.ParsePoolSpec(po)
		if err != nil {
			return Usagef("--pool: %v", err)
		}
		*pool, *ns = ps.Pool, ps.Namespace
	}
	if no != "" {
		if slashes > 1 || *ns != "" {
			return Usagef("namespace given twice: with --namespace %q and in %s %q or --pool", no, what, spec)
		}
		*ns = no
	}
	return nil
}

// PoolSpec resolves pool[/namespace] from the positional spec or --pool
// (which may be pool/namespace too); the default pool is rbd.
func (e *Env) PoolSpec(arg string) (model.PoolSpec, error) {
	pos, pool := e.Inv.Arg(arg), e.Inv.Flag("pool")
	if pos != "" && pool != "" {
		return model.PoolSpec{}, Usagef("give the pool either as <%s> or with --pool, not both", arg)
	}
	if pos == "" {
		pos = pool
	}
	ps, err := model.ParsePoolSpec(pos)
	if err != nil {
		return ps, Usagef("%v", err)
	}
	if ns := e.Inv.Flag("namespace"); ns != "" {
		if ps.Namespace != "" {
			return ps, Usagef("namespace given twice: in %q and with --namespace", pos)
		}
		ps.Namespace = ns
	}
	return ps, nil
}

// AssumeYesEnv is the one switch for scripts besides --yes: set to 1 it
// answers yes to every confirmation, as --yes does.
const AssumeYesEnv = "RBDTUI_ASSUME_YES"

// assumeYes reads AssumeYesEnv: 1 (or true, yes) is --yes, empty or 0
// (false, no) is not; anything else is refused rather than guessed.
func assumeYes() (bool, error) {
	switch v := strings.ToLower(os.Getenv(AssumeYesEnv)); v {
	case "", "0", "false", "no":
		return false, nil
	case "1", "true", "yes":
		return true, nil
	default:
		return false, Usagef("%s=%q: set it to 1 to answer yes to confirmations (as --yes), or 0", AssumeYesEnv, v)
	}
}

// asksItself lists the commands whose handler asks its own question (it
// shows a plan or what is lost first) at the level the command declares;
// for every other command that needs confirming, guard asks before the
// handler runs.
var asksItself = map[string]bool{
	"mirror image disable": true, "mirror image resync": true, "mirror pool disable": true,
	"failover": true, "failover recover": true, "consistency-group failover": true, "journal reset": true,
}

// guard applies the command's one declaration before its handler runs:
// a command that changes something is refused in read-only mode, and one
// that needs confirming is refused without --yes (or RBDTUI_ASSUME_YES=1)
// when there is no terminal to ask on, so nothing is called that could
// change state. On a terminal it asks, unless the handler asks itself.
func (e *Env) guard() error {
	inv := e.Inv
	if !inv.Changes() {
		return nil
	}
	if inv.Globals.ReadOnly {
		return e.readOnly("rbdtui's --readonly")
	}
	// The configuration's ui.readonly, when there is a configuration (a
	// command that needs one and cannot load it fails later, saying why).
	if cfg, err := e.Config(); err == nil && cfg.UI.ReadOnly {
		return e.readOnly("ui.readonly in the configuration")
	}
	level := inv.ConfirmLevel()
	if level == grammar.ConfirmNone || inv.Globals.Yes {
		return nil
	}
	if !e.IsTerminal {
		return Usagef("'%s' changes %s and needs confirmation (%s), and there is no terminal to ask on: re-run with --yes or %s=1; nothing was changed",
			inv.Cmd.Name(), e.target(), level, AssumeYesEnv)
	}
	if asksItself[inv.Cmd.Name()] {
		return nil
	}
	return e.Confirm(fmt.Sprintf("'%s' changes %s: %s.", inv.Cmd.Name(), e.target(), inv.Cmd.Summary), "")
}

// target names what the command acts on, for its question.
func (e *Env) target() string {
	w := e.Inv.ConfirmSubject()
	where := e.Inv.Globals.Site
	if where == "" {
		where = "the default site"
	} else {
		where = "site " + where
	}
	if w == e.Inv.Cmd.Name() {
		return where
	}
	return fmt.Sprintf("%q on %s", w, where)
}

func (e *Env) readOnly(why string) error {
	return &exitError{code: ExitUsage, err: fmt.Errorf("'%s' changes %s, and %s makes rbdtui read-only (%w); nothing was changed", e.Inv.Cmd.Name(), e.target(), why, errReadOnly)}
}

// Confirm asks before a command that changes something, at the level the
// command declares (internal/commands): yes or no, or the object's name
// typed (Invocation.ConfirmWord, the word the console asks for too).
// action is the question. With --yes it proceeds; without a terminal it
// refuses, so a script never changes anything by accident. The second
// argument is ignored: the word comes from the declaration, so the CLI and
// the console ask for the same one.
func (e *Env) Confirm(action, _ string) error {
	level := e.Inv.ConfirmLevel()
	if e.confirmed || e.Inv.Globals.Yes || level == grammar.ConfirmNone {
		return nil
	}
	if !e.IsTerminal {
		return Usagef("%s\nThis needs confirmation (%s), and there is no terminal to ask on: re-run with --yes or %s=1; nothing was changed", action, level, AssumeYesEnv)
	}
	r := bufio.NewReader(e.Stdin)
	if level == grammar.ConfirmYes {
		fmt.Fprintf(e.Stderr, "%s\nProceed? [y/N] ", action)
		line, _ := r.ReadString('\n')
		if a := strings.ToLower(strings.TrimSpace(line)); a != "y" && a != "yes" {
			return Usagef("cancelled; nothing was changed")
		}
		e.confirmed = true
		return nil
	}
	want := e.Inv.ConfirmWord()
	fmt.Fprintf(e.Stderr, "%s\nType %q to proceed, anything else cancels: ", action, want)
	line, err := r.ReadString('\n')
	if (err != nil && line == "") || strings.TrimSpace(line) != want {
		return Usagef("cancelled; nothing was changed")
	}
	e.confirmed = true
	return nil
}

// errReadOnly refuses a dangerous command in read-only mode.
var errReadOnly = errors.New("read-only mode")

func (e *Env) checkWritable(siteName string, siteRO bool) error {
	if e.Inv.Cmd == nil || !e.Inv.Changes() {
		return nil
	}
	if e.Inv.Globals.ReadOnly || (e.cfg != nil && e.cfg.UI.ReadOnly) || siteRO {
		return &exitError{code: ExitUsage, err: fmt.Errorf("'%s' changes site %s, which is read-only here (%w); nothing was changed", e.Inv.Cmd.Name(), siteName, errReadOnly)}
	}
	return nil
}
