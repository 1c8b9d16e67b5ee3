package ui

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/rbdtui/rbdtui/internal/grammar"
)

// The palette accepts exactly what the CLI accepts (`:mirror image resync
// rbd/vol1`), parsed by the shared grammar and run by Backend.Exec. It
// completes command words, options and, for the arguments, the pools and
// images the console has loaded; it keeps a history browsed with ↑/↓.
// Read-only mode hides dangerous commands from completion and refuses them.

type palette struct {
	in    lineInput
	cands []string // the last completion's candidates
	msg   string   // a parse error or a usage line
	bad   bool     // msg is an error
	hist  int      // position while browsing history; len(history) = not browsing
	draft string   // what was typed before browsing history
}

func (a *App) openPalette() {
	a.palette = &palette{hist: len(a.history)}
}

func (a *App) paletteKey(k tea.KeyMsg) tea.Cmd {
	p := a.palette
	switch k.String() {
	case "esc", "ctrl+c":
		a.palette = nil
		return nil
	case "enter":
		return a.runPalette()
	case "tab":
		a.complete()
		return nil
	case "up":
		if p.hist == len(a.history) {
			p.draft = p.in.String()
		}
		if p.hist > 0 {
			p.hist--
			p.in.set(a.history[p.hist])
		}
		return nil
	case "down":
		if p.hist < len(a.history) {
			p.hist++
			if p.hist == len(a.history) {
				p.in.set(p.draft)
			} else {
				p.in.set(a.history[p.hist])
			}
		}
		return nil
	}
	if p.in.update(k) {
		p.cands, p.msg, p.bad = nil, a.usageHint(p.in.String()), false
	}
	return nil
}

// usageHint shows the synopsis of the command being typed.
func (a *App) usageHint(line string) string {
	words := strings.Fields(line)
	for n := len(words); n > 0; n-- {
		for _, c := range a.c.Commands.Commands() {
			if slices.Equal(c.Path, words[:n]) && a.paletteVisible(c) {
				return c.Usage() + "  — " + c.Summary
			}
		}
	}
	return ""
}

// paletteVisible says whether the palette offers a command at all.
func (a *App) paletteVisible(c *grammar.Command) bool {
	return !c.CLIOnly && !(c.Dangerous && a.c.ReadOnly)
}

// paletteQuit are the palette's own words, outside the command grammar
// (they mean nothing on the shell): each quits the console.
var paletteQuit = map[string]bool{"q": true, "quit": true, "q!": true}

// runPalette parses the line and runs it, through a confirmation when the
// command is dangerous.
func (a *App) runPalette() tea.Cmd {
	p := a.palette
	line := strings.TrimSpace(p.in.String())
	if line == "" {
		a.palette = nil
		return nil
	}
	if paletteQuit[line] {
		// vim's and k9s's way out.
		a.palette = nil
		return a.quit()
	}
	argv, err := splitArgs(line)
	if err == nil {
		var inv *grammar.Invocation
		inv, err = a.c.Commands.Parse(argv)
		if err == nil {
			argv, err = a.paletteArgv(inv, argv)
		}
	}
	if err != nil {
		p.msg, p.bad = oneLine(err.Error()), true
		return nil
	}
	if i := slices.Index(a.history, line); i >= 0 {
		a.history = slices.Delete(a.history, i, i+1)
	}
	a.history = append(a.history, line)
	a.palette = nil

	inv, _ := a.c.Commands.Parse(argv)
	label := inv.Cmd.Name()
	if inv.Cmd.Screen != "" {
		return a.openScreenCommand(inv)
	}
	if label == "failover" && wizardWanted(inv) {
		// `:failover` without a scope is the wizard, which asks for it.
		return a.openWizardCommand(inv)
	}
	if level, want := confirmOf(a.c.Commands, [][]string{argv}); level != confirmNone && !inv.Globals.Yes {
		// The same guards as the keys and the CLI, from the command's
		// declaration: Cancel by default, and the name typed for what
		// cannot be undone.
		d := &dialog{title: ":" + line, argvs: [][]string{argv}, stage: stageConfirm, level: level,
			focus: 1, label: label, palette: true}
		if level == confirmTyped {
			d.want, d.focus = want, 0
		}
		a.dialog, a.overlay = d, overlayDialog
		return nil
	}
	return a.startJob(label, [][]string{argv}, true)
}

// paletteArgv checks a parsed command against the console's rules and adds
// the site under the cursor when none was named.
func (a *App) paletteArgv(inv *grammar.Invocation, argv []string) ([]string, error) {
	switch {
	case inv.Cmd == nil:
		return nil, fmt.Errorf("no command given")
	case inv.Globals.Help:
		return nil, fmt.Errorf("%s", inv.Cmd.Usage()+" — "+inv.Cmd.Summary)
	case inv.Cmd.CLIOnly:
		return nil, fmt.Errorf("'%s' runs from the shell only", inv.Cmd.Name())
	case inv.Changes() && a.c.ReadOnly:
		return nil, fmt.Errorf("read-only: '%s' changes the cluster", inv.Cmd.Name())
	}
	site := inv.Globals.Site
	if site == "" && !siteless[inv.Cmd.Name()] {
		if r, ok := a.tree.selected(); ok {
			site = r.site
			argv = append(slices.Clone(argv), "--site", site)
		}
	}
	if ss := a.store.site(site); inv.Changes() && ss != nil && ss.site.ReadOnly {
		return nil, fmt.Errorf("read-only: %s is configured read-only", site)
	}
	return argv, nil
}

// siteless commands are not about one site.
var siteless = map[string]bool{"sites": true, "help": true, "version": true}

// complete extends the last word of the palette line: a command word, an
// option of the command typed so far, or a pool or image of the site under
// the cursor.
func (a *App) complete() {
	p := a.palette
	line := p.in.String()
	words := strings.Fields(line)
	partial := ""
	if len(words) > 0 && !strings.HasSuffix(line, " ") {
		partial = words[len(words)-1]
		words = words[:len(words)-1]
	}
	cands := a.candidates(words, partial)
	p.cands = cands
	switch len(cands) {
	case 0:
		p.msg, p.bad = "no completion for "+strings.TrimSpace(partial+" "), false
		return
	case 1:
		p.in.set(strings.Join(append(slices.Clone(words), cands[0]), " ") + " ")
		p.cands = nil
		p.msg, p.bad = a.usageHint(p.in.String()), false
		return
	}
	prefix := commonPrefix(cands)
	if len(prefix) > len(partial) {
		p.in.set(strings.Join(append(slices.Clone(words), prefix), " "))
	}
	p.msg, p.bad = strings.Join(cands, "  "), false
}

func (a *App) candidates(words []string, partial string) []string {
	seen := map[string]bool{}
	var out []string
	add := func(s string) {
		if strings.HasPrefix(s, partial) && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	// The command typed so far: the longest path the words start with.
	var cmd *grammar.Command
	for _, c := range a.c.Commands.Commands() {
		if !a.paletteVisible(c) {
			continue
		}
		if len(c.Path) <= len(words) && slices.Equal(c.Path, words[:len(c.Path)]) {
			if cmd == nil || len(c.Path) > len(cmd.Path) {
				cmd = c
			}
		}
		if len(c.Path) > len(words) && slices.Equal(c.Path[:len(words)], words) {
			add(c.Path[len(words)])
		}
	}
	if len(words) == 0 {
		add("quit")
	}
	if cmd == nil {
		sort.Strings(out)
		return out
	}
	if strings.HasPrefix(partial, "-") {
		for _, f := range cmd.Flags {
			add("--" + f.Name)
		}
		for _, f := range grammar.GlobalFlags {
			if f.Name != "config" && f.Name != "conf" {
				add("--" + f.Name)
			}
		}
		sort.Strings(out)
		return out
	}
	if len(words) > 0 && words[len(words)-1] == "--site" {
		for _, ss := range a.store.each() {
			add(ss.site.Name)
		}
		return out
	}
	// Arguments: pools and the loaded images of the site in question.
	site := ""
	for i, w := range words {
		if w == "--site" && i+1 < len(words) {
			site = words[i+1]
		}
	}
	if site == "" {
		if r, ok := a.tree.selected(); ok {
			site = r.site
		}
	}
	if ss := a.store.site(site); ss != nil {
		for _, pl := range ss.pools {
			add(pl.Name)
			if !strings.HasPrefix(partial, pl.Name+"/") && (partial == "" || !strings.HasPrefix(pl.Name, partial)) {
				continue
			}
			ps := a.store.poolState(site, pl.Name)
			for i := 0; ps != nil && i < len(ps.images) && len(out) < 200; i++ {
				add(pl.Name + "/" + ps.images[i].Name)
			}
		}
	}
	sort.Strings(out)
	return out
}

func commonPrefix(ss []string) string {
	if len(ss) == 0 {
		return ""
	}
	p := ss[0]
	for _, s := range ss[1:] {
		for !strings.HasPrefix(s, p) {
			p = p[:len(p)-1]
		}
	}
	return p
}

// splitArgs splits a palette line like a shell would for plain words and
// quotes: "a b" and 'a b' group, backslash escapes the next character.
func splitArgs(line string) ([]string, error) {
	var out []string
	var cur strings.Builder
	inWord := false
	var quote rune
	escaped := false
	for _, r := range line {
		switch {
		case escaped:
			cur.WriteRune(r)
			escaped = false
		case r == '\\' && quote != '\'':
			escaped, inWord = true, true
		case quote != 0:
			if r == quote {
				quote = 0
			} else {
				cur.WriteRune(r)
			}
		case r == '"' || r == '\'':
			quote, inWord = r, true
		case r == ' ' || r == '\t':
			if inWord {
				out = append(out, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	if quote != 0 {
		return nil, fmt.Errorf("unterminated %c quote", quote)
	}
	if inWord {
		out = append(out, cur.String())
	}
	return out, nil
}

// renderPalette draws the palette on the flash line and its completions,
// usage or error on the hint line.
func (a *App) renderPalette(w int) (string, string) {
	s := &a.c.Styles
	p := a.palette
	input := " " + s.HintKey.Render(":") + p.in.view(s, max(w-3, 2))
	var hint string
	switch {
	case p.bad:
		hint = " " + s.status(levelErr).Render("✖ "+p.msg)
	case p.msg != "":
		hint = " " + s.Muted.Render(p.msg)
	default:
		hint = " " + s.Muted.Render("tab completes · ↑↓ history · enter runs · esc closes")
	}
	return clip(input, w), clip(hint, w)
}
