package commands

import "github.com/rbdtui/rbdtui/internal/grammar"

// GlobalsFor lists the global options that mean something to c, in the
// order of grammar.GlobalFlags: the per-command help, the man page and shell
// completion all read it, so a command never advertises an option it
// ignores. A nil c is the console itself (rbdtui with no command).
func GlobalsFor(c *grammar.Command) []grammar.Flag {
	var out []grammar.Flag
	for _, f := range grammar.GlobalFlags {
		if globalApplies(f.Name, c) {
			out = append(out, f)
		}
	}
	return out
}

func globalApplies(name string, c *grammar.Command) bool {
	switch name {
	case "help", "version", "log-file", "debug":
		return true
	}
	console := c == nil || c.Screen != ""
	switch {
	case c != nil && (c.Name() == "help" || c.Name() == "version" || c.Name() == "completion"):
		return false
	case c != nil && c.CLIOnly: // the lab: its own --dir, no configured sites
		return name == "format" || name == "pretty-format"
	}
	switch name {
	case "theme", "no-color":
		return console
	case "format", "pretty-format":
		return !console
	case "yes":
		return c != nil && c.Dangerous
	}
	// config, site, conf, cluster, id, keyring, readonly, timeout: every
	// command that talks to a site.
	return true
}
