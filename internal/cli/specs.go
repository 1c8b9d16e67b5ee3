package cli

import (
	"bufio"
	"errors"
	"fmt"
	"strings"

	"github.com/rbdtui/rbdtui/model"
)

// ImageSpec resolves the command's image from the positional spec or from
// --pool/--namespace/--image, as rbd does; giving both is an error.
func (e *Env) ImageSpec(arg string) (model.ImageSpec, error) {
	pos := e.Inv.Arg(arg)
	img, pool, ns := e.Inv.Flag("image"), e.Inv.Flag("pool"), e.Inv.Flag("namespace")
	switch {
	case pos != "" && img != "":
		return model.ImageSpec{}, Usagef("give the image either as <%s> or with --image, not both", arg)
	case pos != "":
		spec, err := model.ParseImageSpec(pos, false)
		if err != nil {
			return spec, Usagef("%v", err)
		}
		if pool != "" && strings.Contains(pos, "/") {
			return spec, Usagef("pool given twice: in %q and with --pool", pos)
		}
		if pool != "" {
			spec.Pool = pool
		}
		if ns != "" {
			spec.Namespace = ns
		}
		return spec, nil
	case img != "":
		spec := model.ImageSpec{Pool: pool, Namespace: ns, Image: img}
		if spec.Pool == "" {
			spec.Pool = model.DefaultPool
		}
		return spec, nil
	}
	return model.ImageSpec{}, Usagef("missing <%s> (or --image)\nusage: rbdtui %s", arg, e.Inv.Cmd.Usage())
}

// PoolSpec resolves pool[/namespace] from the positional spec or --pool;
// the default pool is rbd.
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
