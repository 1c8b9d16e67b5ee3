package ui

import (
	"fmt"
	"slices"
	"strings"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
)

// overlay is what, if anything, replaces the panes: help, a dialog, the
// actions menu or a command's output. Overlays see keys first.
type overlayKind int

const (
	overlayNone overlayKind = iota
	overlayHelp
	overlayDialog
	overlayMenu
	overlayOutput
)

// dialogStage is where an action's dialog is: asking for options, or for
// confirmation.
type dialogStage int

const (
	stageForm dialogStage = iota
	stageConfirm
)

// dialog walks one action from its form through its confirmation to its
// job. Cancel is the default answer of every confirmation: enter on an
// unchanged dialog cancels (k9s #146).
type dialog struct {
	spec    *actionSpec // nil for a palette command
	targets []Target
	stage   dialogStage
	title   string

	fields []formField
	inputs []lineInput // text values, one per field
	picks  []int       // choice indexes, one per field
	opts   [][]string  // choices, one per field (nil: text)

	argvs [][]string
	level confirmLevel
	want  string    // what a typed confirmation needs
	typed lineInput // what was typed

	// focus: 0..len(fields)-1 the fields; then the OK and Cancel buttons.
	focus int
	err   string
	label string // job label
	// palette marks a dialog confirming a command typed in the palette.
	palette bool
}

func (d *dialog) okFocus() int     { return len(d.fields) }
func (d *dialog) cancelFocus() int { return len(d.fields) + 1 }

func (d *dialog) values() map[string]string {
	v := map[string]string{}
	for i, f := range d.fields {
		if d.opts[i] != nil {
			if len(d.opts[i]) > 0 {
				v[f.name] = d.opts[i][d.picks[i]]
			}
		} else {
			v[f.name] = d.inputs[i].String()
		}
	}
	return v
}

// beginAction starts an action on the current targets: its form if it has
// one, else its confirmation, else the job itself.
func (a *App) beginAction(spec *actionSpec, ctx KeyContext) tea.Cmd {
	ts := ctx.Targets
	d := &dialog{spec: spec, targets: ts, title: actionTitle(spec, ts)}
	if len(spec.form) > 0 {
		d.fields = spec.form
		d.inputs = make([]lineInput, len(spec.form))
		d.picks = make([]int, len(spec.form))
		d.opts = make([][]string, len(spec.form))
		for i, f := range spec.form {
			def := ""
			if f.def != nil {
				def = f.def(ts[0])
			}
			if f.choices != nil {
				d.opts[i] = f.choices(ts[0])
				if d.opts[i] == nil {
					d.opts[i] = []string{}
				}
				if k := slices.Index(d.opts[i], def); k >= 0 {
					d.picks[i] = k
				}
			} else {
				d.inputs[i].set(def)
			}
		}
		d.stage = stageForm
		a.dialog, a.overlay = d, overlayDialog
		return nil
	}
	return a.submitForm(d)
}

func actionTitle(spec *actionSpec, ts []Target) string {
	what := ts[0].Spec() + " on " + ts[0].Site
	if len(ts) > 1 {
		what = fmt.Sprintf("%d marked %ss", len(ts), ts[0].Kind)
	}
	return spec.action + " " + what
}

// submitForm builds the argvs from the form, checks each against the
// grammar, and moves on to the confirmation or the job.
func (a *App) submitForm(d *dialog) tea.Cmd {
	v := d.values()
	d.argvs = d.argvs[:0]
	for _, t := range d.targets {
		argv := d.spec.argv(t, v)
		if _, err := a.c.Commands.Parse(argv); err != nil {
			d.err = oneLine(err.Error())
			a.dialog, a.overlay = d, overlayDialog
			return nil
		}
		d.argvs = append(d.argvs, argv)
	}
	d.err = ""
	d.label = d.title
	var want string
	d.level, want = confirmOf(a.c.Commands, d.argvs)
	if d.level == confirmNone {
		a.closeOverlay()
		return a.startJob(d.label, d.argvs, false)
	}
	d.stage, d.focus = stageConfirm, 1 // Cancel
	if d.level == confirmTyped {
		d.want = want
		d.focus = 0
	}
	a.dialog, a.overlay = d, overlayDialog
	return nil
}

func (a *App) closeOverlay() {
	a.overlay, a.dialog = overlayNone, nil
}

// dialogKey handles a key while a dialog is open.
func (a *App) dialogKey(k tea.KeyMsg) tea.Cmd {
	d := a.dialog
	key := k.String()
	if key == "esc" || key == "ctrl+c" {
		a.closeOverlay()
		return a.setFlash(flashInfo, "cancelled: "+d.title)
	}
	if d.stage == stageForm {
		return a.formKey(d, k)
	}
	run := func() tea.Cmd {
		a.closeOverlay()
		return a.startJob(d.label, confirmed(d.argvs), d.palette)
	}
	if d.level == confirmTyped {
		switch key {
		case "enter":
			if d.typed.String() != d.want {
				d.err = fmt.Sprintf("type %q exactly to confirm, or esc to cancel", d.want)
				return nil
			}
			return run()
		default:
			d.typed.update(k)
			d.err = ""
		}
		return nil
	}
	// Yes/no: buttons [Cancel] [Confirm]; focus 0 = Confirm, 1 = Cancel.
	switch key {
	case "left", "right", "tab", "shift+tab", "h", "l":
		d.focus = 1 - d.focus
	case "y":
		return run()
	case "n":
		a.closeOverlay()
		return a.setFlash(flashInfo, "cancelled: "+d.title)
	case "enter":
		if d.focus == 0 {
			return run()
		}
		a.closeOverlay()
		return a.setFlash(flashInfo, "cancelled: "+d.title)
	}
	return nil
}

func (a *App) formKey(d *dialog, k tea.KeyMsg) tea.Cmd {
	n := len(d.fields) + 2
	switch k.String() {
	case "tab", "down":
		d.focus = (d.focus + 1) % n
		return nil
	case "shift+tab", "up":
		d.focus = (d.focus + n - 1) % n
		return nil
	case "enter":
		if d.focus == d.cancelFocus() {
			a.closeOverlay()
			return a.setFlash(flashInfo, "cancelled: "+d.title)
		}
		return a.submitForm(d)
	}
	if d.focus >= len(d.fields) {
		if s := k.String(); s == "left" || s == "right" {
			if d.focus == d.okFocus() {
				d.focus = d.cancelFocus()
			} else {
				d.focus = d.okFocus()
			}
		}
		return nil
	}
	i := d.focus
	if d.opts[i] != nil {
		if c := len(d.opts[i]); c > 0 {
			switch k.String() {
			case "right", "l", " ", "space":
				d.picks[i] = (d.picks[i] + 1) % c
			case "left", "h":
				d.picks[i] = (d.picks[i] + c - 1) % c
			}
		}
		return nil
	}
	d.inputs[i].update(k)
	d.err = ""
	return nil
}

// renderDialog draws the open dialog centred in the body.
func (a *App) renderDialog(w, h int) []string {
	d := a.dialog
	s := &a.c.Styles
	inner := min(max(w-8, 20), 76)
	var lines []string
	add := func(l string) { lines = append(lines, l) }
	button := func(label string, focused bool) string {
		if focused {
			return s.Selected.Render("▶ " + label + " ◀")
		}
		return s.Muted.Render("  " + label + "  ")
	}
	if d.stage == stageForm {
		for i, f := range d.fields {
			label := fit(f.label, 14)
			var val string
			if d.opts[i] != nil {
				v := "—"
				if len(d.opts[i]) > 0 {
					v = d.opts[i][d.picks[i]]
				}
				val = "◀ " + v + " ▶"
				if d.focus == i {
					val = s.Selected.Render(val)
				}
			} else if d.focus == i {
				val = "[" + d.inputs[i].view(s, inner-18) + "]"
			} else {
				val = "[" + d.inputs[i].String() + "]"
			}
			marker := "  "
			if d.focus == i {
				marker = "▌ "
			}
			add(marker + s.Label.Render(label) + val)
			if f.help != "" && d.focus == i {
				add("  " + strings.Repeat(" ", 14) + s.Muted.Render(f.help))
			}
		}
		add("")
		add(button("Run", d.focus == d.okFocus()) + "  " + button("Cancel", d.focus == d.cancelFocus()))
		add(s.Muted.Render("tab/↑↓ move · ←→ change a choice · enter runs · esc cancels"))
	} else {
		add(s.Text.Render("This will run:"))
		for i, argv := range d.argvs {
			if i == 6 && len(d.argvs) > 7 {
				add(s.Muted.Render(fmt.Sprintf("  … and %d more", len(d.argvs)-6)))
				break
			}
			add("  " + s.Accent.Render(siteOf(argv)+"$ "+rbdEquivalent(a.c.Commands, argv)))
		}
		add("")
		if d.level == confirmTyped {
			add(s.status(levelWarn).Render("▲ This cannot be undone."))
			add(s.Text.Render(fmt.Sprintf("Type %q to confirm:", d.want)))
			add("▌ [" + d.typed.view(s, inner-6) + "]")
			add(s.Muted.Render("enter confirms once the name matches · esc cancels"))
		} else {
			add(button("Confirm", d.focus == 0) + "  " + button("Cancel", d.focus == 1))
			add(s.Muted.Render("←→ choose · enter · y confirms · n/esc cancels (default: Cancel)"))
		}
	}
	if d.err != "" {
		add("")
		for _, l := range strings.Split(ansi.Wrap(d.err, inner, ""), "\n") {
			add(s.status(levelErr).Render(l))
		}
	}
	return centreBox(s, d.title, lines, w, h)
}

// centreBox boxes lines and centres the box in w×h.
func centreBox(s *Styles, title string, lines []string, w, h int) []string {
	inner := 0
	for _, l := range lines {
		inner = max(inner, ansi.StringWidth(l))
	}
	inner = max(inner, ansi.StringWidth(title)+2)
	bw := min(inner+4, w)
	bh := min(len(lines)+2, h)
	boxed := box(s, title, lines, bw, bh)
	top := max((h-bh)/2, 0)
	left := strings.Repeat(" ", max((w-bw)/2, 0))
	out := make([]string, 0, h)
	for range top {
		out = append(out, "")
	}
	for _, l := range boxed {
		out = append(out, left+l)
	}
	return block(out, w, h)
}

// menu lists the actions that apply to the selection's kind, with keys
// and disabled reasons, so every action is reachable without a key of its
// own (lazygit's menus).
type menu struct {
	items []Binding
	sel   int
}

func (a *App) openMenu(ctx KeyContext) tea.Cmd {
	var items []Binding
	for _, b := range a.c.Keys.Bindings() {
		spec := specByAction(b.Action)
		if spec == nil || !slices.Contains(spec.on, ctx.Node) {
			continue
		}
		items = append(items, b)
	}
	if len(items) == 0 {
		if a.c.ReadOnly {
			return a.setFlash(flashWarn, "read-only: no actions")
		}
		return a.setFlash(flashWarn, "no actions apply to a "+ctx.Node.String())
	}
	a.menu = &menu{items: items}
	a.overlay = overlayMenu
	return nil
}

func (a *App) menuKey(k tea.KeyMsg) tea.Cmd {
	m := a.menu
	switch k.String() {
	case "esc", "q", "a":
		a.overlay, a.menu = overlayNone, nil
	case "up", "k":
		m.sel = max(m.sel-1, 0)
	case "down", "j":
		m.sel = min(m.sel+1, len(m.items)-1)
	case "enter":
		b := m.items[m.sel]
		a.overlay, a.menu = overlayNone, nil
		return a.runBinding(b)
	}
	return nil
}

func (a *App) renderMenu(ctx KeyContext, w, h int) []string {
	s := &a.c.Styles
	var lines []string
	for i, b := range a.menu.items {
		key := ""
		if len(b.Keys) > 0 {
			key = keyLabel(b.Keys[0])
		}
		marker := "  "
		if i == a.menu.sel {
			marker = "▌ "
		}
		why := b.DisabledReason(ctx)
		avail := "✓ "
		if why != "" {
			avail = "✗ "
		}
		line := marker + avail + fit(key, 3) + fit(b.Action, 20) + b.Help
		switch {
		case i == a.menu.sel:
			line = s.Selected.Render(line)
		case why != "":
			line = s.HintDisabled.Render(line)
		default:
			line = s.Text.Render(line)
		}
		lines = append(lines, line)
		if why != "" && i == a.menu.sel {
			lines = append(lines, "     "+s.Muted.Render("(now: "+why+")"))
		}
	}
	lines = append(lines, "", s.Muted.Render("↑↓ choose · enter runs · esc closes"))
	return centreBox(s, "Actions on "+ctxLabel(ctx), lines, w, h)
}

func ctxLabel(ctx KeyContext) string {
	if ctx.Marks > 0 {
		return fmt.Sprintf("%d marked", ctx.Marks)
	}
	return ctx.ID
}

// outputView is a command's output, scrollable.
type outputView struct {
	title string
	lines []string
	pager
}

func (a *App) outputKey(k tea.KeyMsg) tea.Cmd {
	o := &a.output
	if b, ok := a.c.Keys.Match(keyName(k)); ok && (b.Action == ActionPageUp || b.Action == ActionPageDown) {
		page := max(a.bodyH-3, 1)
		if b.Action == ActionPageUp {
			page = -page
		}
		o.scroll(page)
		return nil
	}
	switch k.String() {
	case "esc", "q", "o", "enter":
		a.overlay = overlayNone
	case "up", "k":
		o.scroll(-1)
	case "down", "j":
		o.scroll(1)
	case "g", "home":
		o.top()
	case "G", "end":
		o.bottom()
	}
	return nil
}

func (a *App) renderOutput(w, h int) []string {
	s := &a.c.Styles
	o := &a.output
	rows := max(h-3, 1)
	styled := make([]string, len(o.lines))
	for i, l := range o.lines {
		styled[i] = s.Text.Render(l)
	}
	lines := o.window(styled, max(w-4, 1), rows)
	off := o.offset()
	lines = append(lines, s.Muted.Render(fmt.Sprintf("lines %d-%d of %d · ↑↓ scroll · esc closes",
		min(off+1, len(o.lines)), min(off+rows, len(o.lines)), len(o.lines))))
	return box(s, "Output: "+o.title, lines, w, h)
}

// confirmed marks argvs as confirmed by the operator: the CLI handlers ask
// again before irreversible acts unless --yes is given, and inside the
// console there is no terminal for them to ask on; the console's own
// dialog was the confirmation.
func confirmed(argvs [][]string) [][]string {
	out := make([][]string, len(argvs))
	for i, argv := range argvs {
		if slices.Contains(argv, "--yes") {
			out[i] = argv
			continue
		}
		out[i] = append(slices.Clone(argv), "--yes")
	}
	return out
}
