package cli

import (
	"bufio"
	"errors"
	"fmt"
	"strings"

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

// Confirm asks before an irreversible action. With --yes it proceeds; on a
// terminal the operator must type want (the object's name); without a
// terminal it refuses, so a script never destroys anything by accident.
func (e *Env) Confirm(action, want string) error {
	if e.Inv.Globals.Yes {
		return nil
	}
	if !e.IsTerminal {
		return Usagef("%s needs confirmation: re-run with --yes (no terminal to ask on); nothing was changed", action)
	}
	fmt.Fprintf(e.Stderr, "%s\nType %q to proceed, anything else cancels: ", action, want)
	line, err := bufio.NewReader(e.Stdin).ReadString('\n')
	if err != nil && line == "" {
		return Usagef("cancelled; nothing was changed")
	}
	if strings.TrimSpace(line) != want {
		return Usagef("cancelled; nothing was changed")
	}
	return nil
}

// errReadOnly refuses a dangerous command in read-only mode.
var errReadOnly = errors.New("read-only mode")

func (e *Env) checkWritable(siteName string, siteRO bool) error {
	if e.Inv.Cmd == nil || !e.Inv.Cmd.Dangerous {
		return nil
	}
	if e.Inv.Globals.ReadOnly || (e.cfg != nil && e.cfg.UI.ReadOnly) || siteRO {
		return &exitError{code: ExitUsage, err: fmt.Errorf("'%s' changes site %s, which is read-only here (%w); nothing was changed", e.Inv.Cmd.Name(), siteName, errReadOnly)}
	}
	return nil
}
