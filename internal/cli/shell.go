package cli

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"
	"unicode"

	"github.com/ceph/go-ceph/rbd"
	"github.com/rbdtui/rbdtui/internal/cgroup"
	"github.com/rbdtui/rbdtui/internal/config"
	"github.com/rbdtui/rbdtui/internal/grammar"
	"github.com/rbdtui/rbdtui/internal/lab"
	"github.com/rbdtui/rbdtui/internal/shell"
	"github.com/rbdtui/rbdtui/internal/site"
)

// CompleteBound bounds the site lookups of one completion: a shell waiting
// on a TAB must not hang on a site that does not answer.
const CompleteBound = 2 * time.Second

// ExitCodes are rbdtui's exit statuses, for the man page.
var ExitCodes = []shell.ExitCode{
	{Code: ExitOK, Meaning: "success (a no-op that was already done says so and is a success)"},
	{Code: ExitFail, Meaning: "the operation failed: a site did not answer, Ceph refused, a check found a fault"},
	{Code: ExitUsage, Meaning: "the command line or the configuration is wrong, or a confirmation was refused; nothing was changed"},
}

// EnvVars are the environment variables rbdtui reads, for the man page.
var EnvVars = []shell.EnvVar{
	{Name: config.EnvConfig, Meaning: "configuration file when --config is not given"},
	{Name: "XDG_CONFIG_HOME", Meaning: "the default configuration is $XDG_CONFIG_HOME/rbdtui/config.yaml (~/.config when unset)"},
	{Name: "XDG_STATE_HOME", Meaning: "the default log is $XDG_STATE_HOME/rbdtui/rbdtui.log (~/.local/state when unset)"},
	{Name: "NO_COLOR", Meaning: "set: the console draws without colours (as --no-color)"},
	{Name: lab.EnvDir, Meaning: "directory of the local two-site lab (rbdtui lab up; default /tmp/rbdtui-lab)"},
}

// runHidden handles the commands scripts and the Makefile call, which are
// not part of the grammar: `__complete <words...>` (the completion
// scripts' callback) and `__man` (make man). ok is false for other argv.
func (a *App) runHidden(argv []string, stdout, stderr io.Writer) (code int, ok bool) {
	if len(argv) == 0 {
		return 0, false
	}
	switch argv[0] {
	case "__complete":
		ctx, cancel := context.WithTimeout(context.Background(), CompleteBound)
		defer cancel()
		cands, dir := shell.Complete(ctx, a.Grammar, argv[1:], openCompletionSource)
		for _, c := range cands {
			// One candidate a line, and nothing a terminal would act on:
			// a name from a cluster with a control character is not
			// offered (it could not be typed safely anyway).
			if !strings.ContainsFunc(c, unicode.IsControl) {
				fmt.Fprintln(stdout, c)
			}
		}
		fmt.Fprintln(stdout, dir.String())
		return ExitOK, true
	case "__man":
		err := shell.Man(stdout, a.Grammar, shell.ManInfo{Version: a.Version, Date: time.Now().UTC().Format("2006-01-02"),
			ExitCodes: ExitCodes, Env: EnvVars})
		return a.finish(stderr, err), true
	}
	return 0, false
}

func runCompletion(ctx context.Context, env *Env) error {
	sh := env.Inv.Arg("shell")
	if err := shell.Script(env.Stdout, sh); err != nil {
		return Usagef("%v", err)
	}
	return nil
}

// openCompletionSource loads the configuration the typed line selects,
// as a command would, without printing anything on failure.
func openCompletionSource(sel shell.Selection) (shell.Source, error) {
	env := &Env{Inv: &grammar.Invocation{Globals: grammar.Globals{Config: sel.Config, Site: sel.Site,
		Conf: sel.Conf, Cluster: sel.Cluster, ID: sel.ID, Keyring: sel.Keyring}}}
	cfg, err := env.Config()
	if err != nil {
		return nil, err
	}
	// Each site call is bounded by the completion's own deadline too.
	if cfg.Timeout == 0 || cfg.Timeout.D() > CompleteBound {
		cfg.Timeout = config.Duration(CompleteBound)
	}
	for i := range cfg.Sites {
		if cfg.Sites[i].Timeout.D() > CompleteBound {
			cfg.Sites[i].Timeout = config.Duration(CompleteBound)
		}
	}
	return &completionSource{cfg: cfg, sites: site.NewManager(cfg), site: sel.Site}, nil
}

// completionSource lists values from the selected site. Its connections
// are never closed: the process exits right after printing, and a close
// must not wait on a site that did not answer.
type completionSource struct {
	cfg   *config.Config
	sites *site.Manager
	site  string
}

func (s *completionSource) Sites() []string { return s.cfg.SiteNames() }

func (s *completionSource) Pools(ctx context.Context) ([]string, error) {
	c, err := s.sites.Site(s.site)
	if err != nil {
		return nil, err
	}
	pools, err := c.Pools(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(pools))
	for _, p := range pools {
		out = append(out, p.Name)
	}
	return out, nil
}

func (s *completionSource) Images(ctx context.Context, pool string) ([]string, error) {
	c, err := s.sites.Site(s.site)
	if err != nil {
		return nil, err
	}
	io, err := c.IOContext(ctx, pool)
	if err != nil {
		return nil, err
	}
	names, err := site.Call(ctx, c, "list images of pool "+pool, func() ([]string, error) { return rbd.GetImageNames(io) })
	sort.Strings(names)
	return names, err
}

func (s *completionSource) Groups(ctx context.Context, pool string) ([]string, error) {
	c, err := s.sites.Site(s.site)
	if err != nil {
		return nil, err
	}
	return cgroup.List(ctx, c, pool, "")
}

// JournalIDs lists the ids of the pool's images (a journal is named by its
// image's id), read from the pool's rbd_directory as rbd does.
func (s *completionSource) JournalIDs(ctx context.Context, pool string) ([]string, error) {
	c, err := s.sites.Site(s.site)
	if err != nil {
		return nil, err
	}
	io, err := c.IOContext(ctx, pool)
	if err != nil {
		return nil, err
	}
	vals, err := site.Call(ctx, c, "list image ids of pool "+pool, func() (map[string][]byte, error) {
		return io.GetOmapValues("rbd_directory", "", "id_", 100000)
	})
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(vals))
	for k := range vals {
		out = append(out, strings.TrimPrefix(k, "id_"))
	}
	sort.Strings(out)
	return out, nil
}
