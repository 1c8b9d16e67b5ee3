package cli

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/rbdtui/rbdtui/internal/lab"
	"github.com/rbdtui/rbdtui/internal/release"
	"github.com/rbdtui/rbdtui/model"
)

func labDir(env *Env) string {
	if d := env.Inv.Flag("dir"); d != "" {
		return d
	}
	return lab.DefaultDir()
}

func runLabUp(ctx context.Context, env *Env) error {
	st, err := lab.Up(ctx, lab.Options{Dir: labDir(env), Log: env.Stderr, Release: env.Inv.Flag("release")})
	if err != nil {
		return err
	}
	for _, ss := range st.Sites {
		if hint := release.LabHint(ss.Name, ss.Release); hint != "" {
			fmt.Fprintf(env.Stderr, "lab: note: %s\n", hint)
		}
	}
	if env.Out.JSON() {
		return env.Out.Value(map[string]any{"dir": st.Dir, "config": st.ConfigPath(), "readonly_config": st.ReadOnlyConfigPath()})
	}
	fmt.Fprintf(env.Stdout, "lab is up in %s\nconsole: rbdtui --config %s\n", st.Dir, st.ConfigPath())
	return nil
}

// runLabExec runs a command chrooted in a release's root, e.g. an rbdtui
// built there against that release's libraries.
func runLabExec(ctx context.Context, env *Env) error {
	rel := env.Inv.Flag("release")
	if rel == "" || strings.Contains(rel, "=") {
		return fmt.Errorf("lab exec needs --release NAME (one of %s)", strings.Join(lab.Releases(), ", "))
	}
	argv := env.Inv.Args["command"]
	if len(argv) == 0 {
		return fmt.Errorf("lab exec needs a command: rbdtui lab exec --release %s -- COMMAND [ARG...]", rel)
	}
	// The command gets the streams themselves (a terminal stays one: the
	// console runs there); what it prints is its own to make safe.
	return lab.Exec(ctx, rel, labDir(env), argv, env.Stdin, env.RawStdout, env.RawStderr)
}

func runLabDown(ctx context.Context, env *Env) error {
	return lab.Down(labDir(env), env.Stderr)
}

func runLabStatus(ctx context.Context, env *Env) error {
	st, err := lab.GetStatus(ctx, labDir(env))
	if err != nil {
		return err
	}
	if env.Out.JSON() {
		return env.Out.Value(st)
	}
	rows := [][]string{}
	for _, s := range st.Sites {
		down := "-"
		if len(s.Down) > 0 {
			down = strings.Join(s.Down, ",")
		}
		rows = append(rows, []string{s.Name, s.Health, fmt.Sprint(s.PIDs.Mon), fmt.Sprint(s.PIDs.Mgr), fmt.Sprint(s.PIDs.OSD), fmt.Sprint(s.PIDs.RBDMirror), down, s.Conf})
	}
	if err := env.Out.Table([]string{"SITE", "HEALTH", "MON", "MGR", "OSD", "RBD-MIRROR", "DOWN", "CONF"}, rows); err != nil {
		return err
	}
	for _, s := range st.Sites {
		if len(s.Down) > 0 {
			return fmt.Errorf("%s: not running: %s (run `rbdtui lab up` to rebuild the lab)", s.Name, strings.Join(s.Down, ", "))
		}
	}
	return nil
}

func runLabLoad(ctx context.Context, env *Env) error {
	inv := env.Inv
	// A bound of 0 or less used to become the default silently.
	for _, f := range []struct {
		name, what string
		def        string
	}{{"ops", "writes", "2000"}, {"rate", "writes per second", "200"}, {"images", "images", "2"}} {
		if inv.Has(f.name) && inv.Int(f.name, 0) < 1 {
			return Usagef("--%s %s: give a number of %s of 1 or more (default %s); nothing was written", f.name, inv.Flag(f.name), f.what, f.def)
		}
	}
	if inv.Has("duration") && inv.DurationFlag("duration", 0) <= 0 {
		return Usagef("--duration %s: give a duration above 0 (default 30s); nothing was written", inv.Flag("duration"))
	}
	st, err := lab.Load(labDir(env))
	if err != nil {
		return err
	}
	res, err := lab.RunLoad(ctx, st, lab.LoadOptions{
		Site: inv.Flag("site"), Pool: inv.Flag("pool"), Images: int(inv.Int("images", 0)),
		Ops: int(inv.Int("ops", 0)), Duration: inv.DurationFlag("duration", 0), Rate: int(inv.Int("rate", 0)), Log: env.Stderr,
	})
	if err != nil {
		return err
	}
	if env.Out.JSON() {
		return env.Out.Value(res)
	}
	fmt.Fprintf(env.Stdout, "wrote %d blocks (%s) to %s in %s\n", res.Writes, model.Bytes(uint64(res.Bytes)), strings.Join(res.Images, ", "), res.Elapsed.Round(time.Millisecond))
	return nil
}
