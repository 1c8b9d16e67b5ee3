package shell

import (
	"fmt"
	"io"
	"strings"

	"github.com/rbdtui/rbdtui/internal/grammar"
)

// ExitCode is one exit status and what it means.
type ExitCode struct {
	Code    int
	Meaning string
}

// EnvVar is one environment variable rbdtui reads.
type EnvVar struct {
	Name, Meaning string
}

// ManInfo is what the man page takes besides the registry: facts that live
// in packages with cgo (the CLI's exit codes) or in the build.
type ManInfo struct {
	Version   string
	Date      string // e.g. "2026-12-06"
	ExitCodes []ExitCode
	Env       []EnvVar
}

// Man writes rbdtui(1) in roff: every command with its synopsis, summary,
// rbd equivalent, arguments and options; the global options; exit codes;
// the configuration file; the environment; the log file.
func Man(w io.Writer, reg *grammar.Registry, info ManInfo) error {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	p(`.TH RBDTUI 1 "%s" "rbdtui %s" "User Commands"`, roffText(info.Date), roffText(info.Version))
	p(".SH NAME")
	p(`rbdtui \- terminal console and CLI for Ceph RBD mirroring, journals and consistency groups`)
	p(".SH SYNOPSIS")
	p(`.B rbdtui`)
	p(`[\fIglobal options\fR]`)
	p(".br")
	p(`.B rbdtui`)
	p(`\fIcommand\fR [\fIarguments\fR] [\fIoptions\fR]`)
	p(".SH DESCRIPTION")
	p(`With no command on a terminal, \fBrbdtui\fR opens the console: sites, pools, images, consistency groups and journals, live mirroring watch, failover wizard. Press \fB?\fR in it for its keys and \fB:\fR for the command palette, which takes the commands below.`)
	p(".PP")
	p(`With a command it runs that command once, in the \fBrbd\fR(8) grammar (\fIpool\fR/\fIimage\fR specs, \fB\-\-pool\fR/\fB\-\-image\fR, \fB\-\-format plain|json\fR, \fB\-\-pretty\-format\fR), for scripts. Each command shows its \fBrbd\fR equivalent.`)
	p(".SH COMMANDS")
	for _, c := range reg.Commands() {
		p(".SS %s", roffText(c.Name()))
		p(".B rbdtui %s", roffText(c.Name()))
		if rest := strings.TrimPrefix(c.Usage(), c.Name()); rest != "" {
			p("%s", roffText(strings.TrimSpace(rest)))
		}
		p(".PP")
		p("%s", roffText(c.Summary))
		var notes []string
		if c.Dangerous {
			notes = append(notes, "changes the cluster; refused in read-only mode")
		}
		if c.CLIOnly {
			notes = append(notes, "shell only, not in the console's palette")
		}
		if c.Screen != "" {
			notes = append(notes, "opens the console on its "+c.Screen+" screen")
		}
		if len(notes) > 0 {
			p(".PP")
			p("(%s.)", roffText(strings.Join(notes, "; ")))
		}
		if c.RBD != "" {
			p(".PP")
			p(`\fBrbd\fR equivalent: %s`, roffText(c.RBD))
		}
		if len(c.Aliases) > 0 {
			var al []string
			for _, a := range c.Aliases {
				al = append(al, strings.Join(a, " "))
			}
			p(".PP")
			p("Aliases: %s.", roffText(strings.Join(al, ", ")))
		}
		for _, a := range c.Args {
			p(".TP")
			p(`\fI<%s>\fR`, roffText(a.Name))
			p("%s", roffText(a.Help))
		}
		for _, f := range c.Flags {
			manFlag(p, f)
		}
	}
	p(".SH GLOBAL OPTIONS")
	p("Accepted anywhere on the line; each command's \\fB\\-\\-help\\fR lists those that apply to it.")
	for _, f := range grammar.GlobalFlags {
		manFlag(p, f)
	}
	p(".SH EXIT STATUS")
	for _, e := range info.ExitCodes {
		p(".TP")
		p(".B %d", e.Code)
		p("%s", roffText(e.Meaning))
	}
	p(".SH FILES")
	p(".TP")
	p(`.I ~/.config/rbdtui/config.yaml`)
	p(`The configuration (or \fB\-\-config\fR, or \fB$RBDTUI_CONFIG\fR). Loading is strict: an unknown key is an error. Secrets never go in it: each site names a ceph.conf and a keyring file. Keys:`)
	p(".RS")
	for _, k := range configKeys {
		p(".TP")
		p(`.B %s`, roffText(k[0]))
		p("%s", roffText(k[1]))
	}
	p(".RE")
	p(".TP")
	p(`.I ~/.local/state/rbdtui/rbdtui.log`)
	p(`The log (\fB$XDG_STATE_HOME/rbdtui/rbdtui.log\fR, or \fB\-\-log\-file\fR): every command run with its site, duration and result, refresh timeouts, reconnects and errors; more with \fB\-\-debug\fR. It never holds a key or token.`)
	p(".SH ENVIRONMENT")
	for _, e := range info.Env {
		p(".TP")
		p(".B %s", roffText(e.Name))
		p("%s", roffText(e.Meaning))
	}
	p(".SH EXAMPLES")
	p(".nf")
	p(`rbdtui mirror image status rbd/vol1`)
	p(`rbdtui \-\-site site\-b mirror pool info rbd \-\-format json`)
	p(`rbdtui failover \-\-to site\-b \-\-pool rbd \-\-dry\-run`)
	p(`source <(rbdtui completion bash)`)
	p(".fi")
	p(".SH SEE ALSO")
	p(`\fBrbd\fR(8), \fBceph\fR(8), \fBrbd\-mirror\fR(8)`)
	_, err := io.WriteString(w, b.String())
	return err
}

// configKeys documents the configuration file's keys; a test checks that
// every yaml key of config.Config is here.
var configKeys = [][2]string{
	{"timeout", "bound on every mon/osd operation and on connecting (default 10s)"},
	{"sites", "the Ceph clusters; the first is the default for one-shot commands"},
	{"sites[].name", "the site's name (as --site takes it)"},
	{"sites[].conf", "path of the site's ceph.conf"},
	{"sites[].cluster", "cluster name, when not ceph"},
	{"sites[].client", "cephx user, client.rbdtui or rbdtui (default client.admin)"},
	{"sites[].keyring", "keyring file of that user"},
	{"sites[].timeout", "this site's own operation bound"},
	{"sites[].readonly", "hide and refuse every action that changes this site"},
	{"ui", "the console's settings"},
	{"ui.refresh", "polling interval; 0 turns polling off; the floor is 0.5s"},
	{"ui.theme", "dark, light, high-contrast or colorblind"},
	{"ui.readonly", "hide and refuse every action that changes anything"},
	{"ui.keys", "remap keys by action name, e.g. refresh: [r, ctrl+r]; unknown names are rejected"},
	{"ui.mouse", "true: the mouse wheel scrolls and a click selects (off by default)"},
}

func manFlag(p func(string, ...any), f grammar.Flag) {
	s := `\fB\-\-` + roffText(f.Name) + `\fR`
	if f.Short != "" {
		s = `\fB\-` + roffText(f.Short) + `\fR, ` + s
	}
	if f.Kind != grammar.Bool {
		s += ` \fI<` + roffText(f.ArgName()) + `>\fR`
	}
	p(".TP")
	p("%s", s)
	help := f.Help
	if f.Repeat {
		help += " (may be repeated)"
	}
	p("%s", roffText(help))
}

// roffText escapes text for roff: backslashes, hyphens (so they stay
// minus signs a search finds), and a leading dot or quote.
func roffText(s string) string {
	s = strings.ReplaceAll(s, `\`, `\e`)
	s = strings.ReplaceAll(s, "-", `\-`)
	if strings.HasPrefix(s, ".") || strings.HasPrefix(s, "'") {
		s = `\&` + s
	}
	return s
}
