package commands

import "github.com/rbdtui/rbdtui/internal/grammar"

// Journal spec options, as rbd spells them: a journal is named by
// [<pool>/[<namespace>/]]<journal-id>, or by --pool/--namespace with
// --journal <id> or --image <name>.
var (
	JournalFlag     = grammar.Flag{Name: "journal", Kind: grammar.String, Arg: "journal-id", Help: "journal name (the image id)"}
	journalSpecArg  = grammar.Arg{Name: "journal-spec", Optional: true, ByOptions: true, Help: "[<pool>/[<namespace>/]]<journal-id> (or --image/--journal)"}
	journalSpecOpts = []grammar.Flag{PoolFlag, NamespaceFlag, ImageFlag, JournalFlag}
)

func journalFlags(extra ...grammar.Flag) []grammar.Flag {
	return append(append([]grammar.Flag(nil), journalSpecOpts...), extra...)
}

func init() {
	declare(
		&grammar.Command{Path: []string{"journal", "info"}, Args: []grammar.Arg{journalSpecArg}, Flags: journalFlags(),
			Summary: "show a journal's objects and geometry (order, splay width, pool)",
			RBD:     "rbd journal info {journal-spec}"},
		&grammar.Command{Path: []string{"journal", "status"}, Args: []grammar.Arg{journalSpecArg},
			Flags:   journalFlags(grammar.Flag{Name: "verbose", Kind: grammar.Bool, Help: "with --format json, add rbdtui's analysis to rbd's shape: client_meta, lag, pins, tags, totals, trimmable, problems"}),
			Summary: "show a journal's sets and clients, with each client's lag and what trimming would free (JSON is rbd's shape; --verbose adds the analysis)",
			RBD:     "rbd journal status {journal-spec}"},
		&grammar.Command{Path: []string{"journal", "inspect"}, Args: []grammar.Arg{journalSpecArg},
			Flags:   journalFlags(grammar.Flag{Name: "verbose", Kind: grammar.Bool, Help: "dump every event as rbd does"}),
			Summary: "check a journal's structure and events; name every fault (object, offset, tag, entry)",
			RBD:     "rbd journal inspect {journal-spec}"},
		&grammar.Command{Path: []string{"journal", "export"},
			Args: []grammar.Arg{journalSpecArg, {Name: "path", Optional: true, Help: "export file, or - for stdout"}},
			Flags: journalFlags(
				grammar.Flag{Name: "path", Kind: grammar.String, Help: "export file, or - for stdout"},
				grammar.Flag{Name: "verbose", Kind: grammar.Bool, Help: "print each event on stderr"},
				grammar.Flag{Name: "no-error", Kind: grammar.Bool, Help: "skip entries that do not decode (the command still fails at the end)"},
				grammar.Flag{Name: "from-start", Kind: grammar.Bool, Help: "every retained entry, not only those after the least advanced client"},
				grammar.Flag{Name: "decode", Kind: grammar.Bool, Help: "write each entry's decoded event as a JSON line (not importable)"},
			),
			Summary: "write a journal's entries to a file, byte-identical to rbd journal export",
			RBD:     "rbd journal export {journal-spec} {path}"},
		&grammar.Command{Path: []string{"journal", "import"}, Confirm: grammar.ConfirmYes, Dangerous: true,
			Args: []grammar.Arg{{Name: "path", Optional: true, ByOptions: true, Help: "file written by journal export, or - for stdin"},
				{Name: "dest-journal-spec", Optional: true, ByOptions: true, Help: "[<pool>/[<namespace>/]]<journal-id> (or --dest/--dest-journal)"}},
			Flags: []grammar.Flag{
				{Name: "path", Kind: grammar.String, Help: "file written by journal export, or - for stdin"},
				{Name: "dest-pool", Kind: grammar.String, Help: "destination pool name"},
				{Name: "dest-namespace", Kind: grammar.String, Help: "destination namespace name"},
				{Name: "dest", Kind: grammar.String, Help: "destination image name"},
				{Name: "dest-journal", Kind: grammar.String, Help: "destination journal name"},
				{Name: "verbose", Kind: grammar.Bool, Help: "print each event on stderr"},
				{Name: "no-error", Kind: grammar.Bool, Help: "accepted for rbd compatibility; a bad file is still refused whole"},
				{Name: "skip-existing", Kind: grammar.Bool, Help: "leave out entries the journal already holds (an export imported before) instead of refusing"},
			},
			Summary: "append the entries of an export file to a journal (the whole file is checked first)",
			RBD:     "rbd journal import {path} {dest-journal-spec}"},
		&grammar.Command{Path: []string{"journal", "reset"}, Confirm: grammar.ConfirmTyped, Dangerous: true, Args: []grammar.Arg{journalSpecArg},
			Flags: journalFlags(
				grammar.Flag{Name: "keep-geometry", Kind: grammar.Bool, Help: "recreate with the journal's order, splay width and pool instead of the current settings"},
			),
			Summary: "delete every entry, tag and client of a journal and start a new one",
			RBD:     "rbd journal reset {journal-spec}"},
		&grammar.Command{Path: []string{"journal", "client", "disconnect"}, Confirm: grammar.ConfirmYes, Dangerous: true, Args: []grammar.Arg{journalSpecArg},
			Flags:   journalFlags(grammar.Flag{Name: "client-id", Kind: grammar.String, Help: "client to disconnect (default: every client but the image)"}),
			Summary: "mark journal clients disconnected so the journal can be trimmed past them",
			RBD:     "rbd journal client disconnect {journal-spec}"},
		&grammar.Command{Path: []string{"feature", "enable"}, Dangerous: true,
			Args: []grammar.Arg{{Name: "image-spec", ByOptions: true, Help: "[<pool>/[<namespace>/]]<image>"},
				{Name: "features", Variadic: true, Optional: true, Help: "journaling, exclusive-lock, object-map, fast-diff, deep-flatten"}},
			Flags: []grammar.Flag{PoolFlag, NamespaceFlag, ImageFlag,
				{Name: "journal-pool", Kind: grammar.String, Arg: "pool", Help: "pool for journal objects"},
				{Name: "journal-splay-width", Kind: grammar.Int, Help: "number of active journal objects"},
				{Name: "journal-object-size", Kind: grammar.Size, Help: "size of journal objects [4K <= size <= 64M]"},
				{Name: "journal-option", Kind: grammar.String, Repeat: true, Arg: "key=value", Help: "another rbd_journal_* setting, stored as image metadata (e.g. commit_age=2)"},
			},
			Summary: "enable image features; journaling with its journal settings",
			RBD:     "rbd feature enable {image-spec} {features}"},
		&grammar.Command{Path: []string{"feature", "disable"}, Confirm: grammar.ConfirmTyped, Dangerous: true,
			Args: []grammar.Arg{{Name: "image-spec", ByOptions: true, Help: "[<pool>/[<namespace>/]]<image>"},
				{Name: "features", Variadic: true, Optional: true, Help: "journaling, exclusive-lock, object-map, fast-diff, deep-flatten"}},
			Flags:   []grammar.Flag{PoolFlag, NamespaceFlag, ImageFlag},
			Summary: "disable image features; journaling is refused while mirroring or a group needs it",
			RBD:     "rbd feature disable {image-spec} {features}"},
	)
}
