package ui

import (
	"strconv"
)

// renderLog draws the command log (lazygit's command log): each action's
// rbd equivalent with the site it ran on, its duration and its result,
// newest last, so the operator sees what the console did to the cluster
// and can repeat it from a shell.
func (a *App) renderLog(w, h int) []string {
	s := &a.c.Styles
	rows := max(h-2, 0)
	var lines []string
	if len(a.log) == 0 {
		lines = append(lines, s.Muted.Render("no commands run yet: actions and : commands are logged here with their rbd equivalent"))
	}
	for i := max(len(a.log)-rows, 0); i < len(a.log); i++ {
		lines = append(lines, a.logLine(&a.log[i]))
	}
	title := "Command log"
	if n := len(a.log); n > rows {
		title += " (last " + strconv.Itoa(rows) + " of " + strconv.Itoa(n) + ")"
	}
	return box(s, title, lines, w, h)
}

func (a *App) logLine(e *logEntry) string {
	s := &a.c.Styles
	var sym, result string
	var lv level
	switch {
	case e.running:
		sym, lv = spinnerFrame(a.spinFrame), levelUnknown
		result = "running " + shortDur(a.c.Now().Sub(e.at))
		if j := a.findJob(e.job); j != nil && j.progress != nil {
			result += " " + progressText(j.progress)
		}
	case e.noop:
		// A no-op (said as an answer or as a refusal) is never logged
		// as done, nor as a failure.
		sym, lv, result = "=", levelWarn, "nothing changed "+shortDur(e.dur)+" · "+e.out
	case e.err != "":
		sym, lv, result = "✖", levelErr, "failed after "+shortDur(e.dur)+": "+e.err
	default:
		sym, lv, result = "✓", levelOK, "ok "+shortDur(e.dur)
		if e.out != "" {
			result += " · " + e.out
		}
	}
	site := e.site
	if site == "" {
		site = "-"
	}
	return s.Muted.Render(e.at.Format("15:04:05")) + " " + s.status(lv).Render(sym) + " " +
		s.Label.Render(site+"$") + " " + s.Text.Render(e.rbd) + "  " + s.status(lv).Render(result)
}
