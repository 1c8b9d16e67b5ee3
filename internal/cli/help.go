package cli

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/charmbracelet/x/term"
	"github.com/rbdtui/rbdtui/internal/commands"
	"github.com/rbdtui/rbdtui/internal/grammar"
	"github.com/rbdtui/rbdtui/internal/progress"
)

// helpWidth is the width help is wrapped to: the terminal's, or 80 when
// stdout is not a terminal (a pipe, a file, a test).
func helpWidth(w io.Writer) int {
	if cols, ok := terminalWidth(w); ok && cols >= 40 {
		return cols
	}
	return 80
}

// terminalWidth reports whether w is a terminal, and its width (0 when it
// cannot be read).
func terminalWidth(w io.Writer) (int, bool) {
	f, ok := w.(*os.File)
	if !ok || !term.IsTerminal(f.Fd()) {
		return 0, false
	}
	cols, _, err := term.GetSize(f.Fd())
	if err != nil {
		return 0, true
	}
	return cols, true
}

// progressLine is a progress line on stderr for a long transfer, or nil:
// only a terminal gets one, never a pipe, a file, JSON output or the
// console (which shows its own job progress).
func (e *Env) progressLine(label string) *progress.Line {
	if e.Progress != nil || e.Out.JSON() {
		return nil
	}
	cols, ok := terminalWidth(e.Stderr)
	if !ok {
		return nil
	}
	return &progress.Line{W: e.Stderr, Label: label, Width: cols}
}

func (a *App) printVersion(w io.Writer) error {
	_, err := fmt.Fprintf(w, "rbdtui %s (%s)\n", a.Version, cephVersion())
	return err
}

// help prints the command list (c == nil) or one command's help, wrapped to
// the width of w.
func (a *App) help(w io.Writer, c *grammar.Command) {
	width := helpWidth(w)
	if c != nil {
		fmt.Fprint(w, wrap("usage: rbdtui "+c.Usage(), width, 7))
		fmt.Fprint(w, "\n"+wrap(c.Summary, width, 0))
		fmt.Fprint(w, "\n"+wrap(declaration(c), width, 0))
		if c.RBD != "" {
			fmt.Fprint(w, "\n"+wrap("rbd equivalent: "+c.RBD, width, 2))
		}
		if len(c.Args) > 0 {
			fmt.Fprintln(w, "\narguments:")
			rows := make([][2]string, 0, len(c.Args))
			for _, x := range c.Args {
				rows = append(rows, [2]string{"<" + x.Name + ">", x.Help})
			}
			fmt.Fprint(w, columns(rows, width))
		}
		if len(c.Flags) > 0 {
			fmt.Fprintln(w, "\noptions:")
			fmt.Fprint(w, flagRows(c.Flags, width))
		}
		if g := commands.GlobalsFor(c); len(g) > 0 {
			fmt.Fprintln(w, "\nglobal options:")
			fmt.Fprint(w, flagRows(g, width))
		}
		if len(c.Aliases) > 0 {
			var al []string
			for _, p := range c.Aliases {
				al = append(al, strings.Join(p, " "))
			}
			fmt.Fprint(w, "\n"+wrap("aliases: "+strings.Join(al, ", "), width, 2))
		}
		return
	}
	fmt.Fprint(w, wrap("rbdtui: a console for Ceph RBD mirroring, journals and consistency groups.", width, 0))
	fmt.Fprintln(w, "\nusage: rbdtui                 open the console (on a terminal)")
	fmt.Fprintln(w, "       rbdtui <command> ...   run one command (`rbdtui <command> --help`)")
	fmt.Fprintln(w, "\ncommands:")
	var rows [][2]string
	for _, c := range a.Grammar.Commands() {
		rows = append(rows, [2]string{c.Name(), c.Summary})
	}
	fmt.Fprint(w, columns(rows, width))
	fmt.Fprintln(w, "\nglobal options:")
	fmt.Fprint(w, flagRows(grammar.GlobalFlags, width))
}

func flagRows(fs []grammar.Flag, width int) string {
	rows := make([][2]string, 0, len(fs))
	for _, f := range fs {
		rows = append(rows, [2]string{flagUsage(f), f.Help})
	}
	return columns(rows, width)
}

// flagUsage is "-c, --conf <ceph.conf>": the value's one name comes from
// grammar.Flag.ArgName, as in the usage line.
func flagUsage(f grammar.Flag) string {
	s := "--" + f.Name
	if f.Short != "" {
		s = "-" + f.Short + ", " + s
	}
	if f.Kind != grammar.Bool {
		s += " <" + f.ArgName() + ">"
	}
	return s
}

// columns lays out name/description rows: names indented by two, the
// descriptions in one column wrapped with a hanging indent; a name too wide
// for the column puts its description on the next line.
func columns(rows [][2]string, width int) string {
	col := 0
	for _, r := range rows {
		if n := len(r[0]); n > col {
			col = n
		}
	}
	// Keep at least 30 columns for descriptions.
	if max := width - 2 - 2 - 30; col > max {
		col = max
	}
	if col < 8 {
		col = 8
	}
	indent := 2 + col + 2
	var b strings.Builder
	for _, r := range rows {
		if len(r[0]) > col {
			b.WriteString("  " + r[0] + "\n")
			b.WriteString(strings.Repeat(" ", indent))
		} else {
			b.WriteString("  " + r[0] + strings.Repeat(" ", col-len(r[0])+2))
		}
		body := wrap(r[1], width-indent, 0)
		b.WriteString(strings.ReplaceAll(strings.TrimSuffix(body, "\n"), "\n", "\n"+strings.Repeat(" ", indent)) + "\n")
	}
	return b.String()
}

// wrap breaks text at spaces into lines of at most width columns (a word
// longer than that stands alone); continuation lines are indented by
// hang. The result ends with a newline.
func wrap(text string, width, hang int) string {
	if width < 20 {
		width = 20
	}
	var b strings.Builder
	line := 0
	for i, word := range strings.Fields(text) {
		n := len([]rune(word))
		switch {
		case i == 0:
		case line+1+n > width:
			b.WriteString("\n" + strings.Repeat(" ", hang))
			line = hang
		default:
			b.WriteByte(' ')
			line++
		}
		b.WriteString(word)
		line += n
	}
	return b.String() + "\n"
}

// declaration says what the command's one declaration means for the
// operator: whether --readonly refuses it and how it is confirmed.
func declaration(c *grammar.Command) string {
	switch {
	case !c.Dangerous:
		return "changes nothing (allowed in read-only mode)"
	case c.Confirm == grammar.ConfirmNone && c.ForceConfirm == grammar.ConfirmNone:
		return "changes the cluster (refused in read-only mode); asks no confirmation"
	}
	how := c.Confirm.String()
	if c.ForceConfirm > c.Confirm {
		how += ", with --force " + c.ForceConfirm.String()
	}
	return "changes the cluster (refused in read-only mode); asks for confirmation (" + how +
		"): --yes or " + AssumeYesEnv + "=1 answers it, and without a terminal one of them is needed"
}
