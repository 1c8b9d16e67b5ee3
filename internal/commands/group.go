package commands

import "github.com/rbdtui/rbdtui/internal/grammar"

var (
	groupSpecArg     = grammar.Arg{Name: "group-spec", Help: "[pool/[namespace/]]group"}
	groupSnapSpecArg = grammar.Arg{Name: "group-snap-spec", Help: "[pool/[namespace/]]group@snap"}
	groupImageArg    = grammar.Arg{Name: "image-spec", Help: "[pool/[namespace/]]image"}
	// The rbd group commands also name the group by options, as rbd does.
	rbdGroupArg     = grammar.Arg{Name: "group-spec", ByOptions: true, Help: "[pool/[namespace/]]group (or --pool/--namespace/--group)"}
	rbdGroupSnapArg = grammar.Arg{Name: "group-snap-spec", ByOptions: true, Help: "[pool/[namespace/]]group@snap (or --pool/--namespace/--group/--snap)"}
	groupFlag       = grammar.Flag{Name: "group", Kind: grammar.String, Help: "group name"}
	groupOpts       = []grammar.Flag{PoolFlag, NamespaceFlag, groupFlag}
	groupSnapOpts   = []grammar.Flag{PoolFlag, NamespaceFlag, groupFlag, {Name: "snap", Kind: grammar.String, Help: "snapshot name"}}
	// group image add|rm name both sides by options too.
	groupImageOpts = []grammar.Flag{
		{Name: "group-pool", Kind: grammar.String, Help: "group pool name"},
		{Name: "group-namespace", Kind: grammar.String, Help: "group namespace name"},
		groupFlag,
		{Name: "image-pool", Kind: grammar.String, Help: "image pool name"},
		{Name: "image-namespace", Kind: grammar.String, Help: "image namespace name"},
		ImageFlag,
		{Name: "pool", Short: "p", Kind: grammar.String, Help: "pool name unless overridden"},
	}
	groupImageArgs = []grammar.Arg{{Name: "group-spec", ByOptions: true, Help: "[pool/[namespace/]]group (or --group-pool/--group-namespace/--group)"},
		{Name: "image-spec", ByOptions: true, Help: "[pool/[namespace/]]image (or --image-pool/--image-namespace/--image)"}}
)

func init() {
	declare(
		&grammar.Command{Path: []string{"consistency-group", "create"}, Dangerous: true, Aliases: [][]string{{"group", "create"}},
			Summary: "create a consistency group (an rbd group) and keep its journal settings for the images attached to it",
			Args:    []grammar.Arg{rbdGroupArg},
			Flags: []grammar.Flag{PoolFlag, NamespaceFlag, groupFlag,
				{Name: "object-pool", Kind: grammar.String, Arg: "pool", Help: "pool for the members' journal objects"},
				{Name: "splay-width", Kind: grammar.Int, Help: "number of active journal objects per member"},
				{Name: "object-size", Kind: grammar.Size, Help: "size of journal objects [4K <= size <= 64M]"},
				{Name: "journal-option", Kind: grammar.String, Arg: "key=value", Repeat: true, Help: "another journal setting, e.g. commit_age=5 or max_payload_bytes=16384"},
			},
			RBD: "rbd group create {group-spec}; rbd pool metadata (journal settings)"},
		&grammar.Command{Path: []string{"consistency-group", "rename"}, Dangerous: true, Aliases: [][]string{{"group", "rename"}},
			Summary: "rename a consistency group (within its pool and namespace)",
			Args:    []grammar.Arg{groupSpecArg, {Name: "new-name", Help: "the group's new name"}},
			Flags:   groupOpts,
			RBD:     "rbd group rename {group-spec} {new-name}"},
		&grammar.Command{Path: []string{"consistency-group", "remove"}, Confirm: grammar.ConfirmYes,
			Summary: "remove a consistency group; refused while images are attached", Dangerous: true,
			Args: []grammar.Arg{groupSpecArg}, RBD: "rbd group remove {group-spec}"},
		&grammar.Command{Path: []string{"group", "remove"}, Confirm: grammar.ConfirmYes, Aliases: [][]string{{"group", "rm"}},
			Summary: "remove an rbd group as rbd does: its member images stay and leave the group (asks first; see consistency-group remove, which refuses while members are attached)", Dangerous: true,
			Args: []grammar.Arg{rbdGroupArg}, Flags: groupOpts, RBD: "rbd group remove {group-spec}"},
		&grammar.Command{Path: []string{"consistency-group", "ls"}, Aliases: [][]string{{"group", "ls"}, {"group", "list"}, {"consistency-group", "list"}},
			Summary: "list the consistency groups of a pool",
			Args:    []grammar.Arg{{Name: "pool", Optional: true, Help: "pool[/namespace] (default rbd)"}},
			Flags:   []grammar.Flag{PoolFlag, NamespaceFlag},
			RBD:     "rbd group ls {pool}"},
		&grammar.Command{Path: []string{"consistency-group", "attach"},
			Summary: "attach an image: give it the group's journal settings, enable journaling (and journal mirroring in an image-mode pool) and add it; refused if it already journals", Dangerous: true,
			Args: []grammar.Arg{groupImageArg, groupSpecArg},
			RBD:  "rbd image-meta set {image-spec} conf_rbd_journal_*; rbd feature enable {image-spec} journaling; rbd group image add {group-spec} {image-spec}; rbd mirror image enable {image-spec} journal"},
		&grammar.Command{Path: []string{"consistency-group", "detach"}, Confirm: grammar.ConfirmYes,
			Summary: "detach an image: remove it from its group and disable its mirroring and journaling", Dangerous: true,
			Args: []grammar.Arg{groupImageArg},
			RBD:  "rbd group image rm <group> {image-spec}; rbd mirror image disable {image-spec}; rbd feature disable {image-spec} journaling"},
		&grammar.Command{Path: []string{"consistency-group", "info"},
			Summary: "show a consistency group: members, their journal settings and mirroring state on every site, consistency points",
			Args:    []grammar.Arg{groupSpecArg},
			RBD:     "rbd group image ls {group-spec}; rbd group snap ls {group-spec}; rbd mirror image status <member>"},
		&grammar.Command{Path: []string{"consistency-group", "status"},
			Summary: "per-member state on every site and each site's recovery point: the newest consistency point every member holds there, and its age",
			Args:    []grammar.Arg{groupSpecArg},
			RBD:     "rbd mirror image status <member>; rbd snap ls --all <member>"},
		&grammar.Command{Path: []string{"consistency-group", "checkpoint"}, Dangerous: true,
			Summary: "take a consistency point (group snapshot cp-<UTC time>) and prune the oldest checkpoints beyond --keep; for cron or a systemd timer",
			Args:    []grammar.Arg{groupSpecArg},
			Flags:   []grammar.Flag{{Name: "keep", Kind: grammar.Int, Arg: "n", Help: "keep this many checkpoints (older cp-* snapshots are removed; 0 keeps all)"}},
			RBD:     "rbd group snap create {group-spec}@cp-<time>; rbd group snap rm"},
		&grammar.Command{Path: []string{"consistency-group", "failover"}, Confirm: grammar.ConfirmYes, ForceConfirm: grammar.ConfirmTyped, Dangerous: true,
			Summary: "fail a consistency group over to another site: planned (demote all, wait for replay, promote all) or --force (promote all, roll all back to the newest common consistency point)",
			Args:    []grammar.Arg{groupSpecArg},
			Flags: []grammar.Flag{
				{Name: "to", Kind: grammar.String, Arg: "site", Help: "the site that becomes primary (default, with two sites: the one that is not primary now)"},
				{Name: "from", Kind: grammar.String, Arg: "site", Help: "the current primary (default: the site where the group is primary now, else the configured site other than --to)"},
				{Name: "force", Kind: grammar.Bool, Help: "the primary site is lost: force-promote and roll back to a consistency point"},
				{Name: "dry-run", Kind: grammar.Bool, Help: "show the plan (and for --force what would be discarded); change nothing"},
				{Name: "timeout-catch-up", Kind: grammar.Duration, Help: "how long to wait for members to replay (default 3m)"},
			},
			RBD: "rbd mirror image demote <member> (on the old site); rbd mirror image promote [--force] <member> (on --to)"},

		&grammar.Command{Path: []string{"group", "image", "add"},
			Summary: "add an image to an rbd group (no journaling change; see consistency-group attach)", Dangerous: true,
			Args: groupImageArgs, Flags: groupImageOpts, RBD: "rbd group image add {group-spec} {image-spec}"},
		&grammar.Command{Path: []string{"group", "image", "remove"}, Confirm: grammar.ConfirmYes, Aliases: [][]string{{"group", "image", "rm"}},
			Summary: "remove an image from an rbd group", Dangerous: true,
			Args: groupImageArgs, Flags: groupImageOpts, RBD: "rbd group image rm {group-spec} {image-spec}"},
		&grammar.Command{Path: []string{"group", "image", "ls"}, Aliases: [][]string{{"group", "image", "list"}},
			Summary: "list the images of an rbd group",
			Args:    []grammar.Arg{rbdGroupArg}, Flags: groupOpts, RBD: "rbd group image ls {group-spec}"},
		&grammar.Command{Path: []string{"group", "snap", "create"}, Dangerous: true,
			Summary: "take a group snapshot (one crash-consistent point of every member)",
			Args:    []grammar.Arg{rbdGroupSnapArg}, Flags: groupSnapOpts, RBD: "rbd group snap create {group-snap-spec}"},
		&grammar.Command{Path: []string{"group", "snap", "ls"}, Aliases: [][]string{{"group", "snap", "list"}},
			Summary: "list group snapshots",
			Args:    []grammar.Arg{rbdGroupArg}, Flags: groupOpts, RBD: "rbd group snap ls {group-spec}"},
		&grammar.Command{Path: []string{"group", "snap", "rm"}, Confirm: grammar.ConfirmYes, Aliases: [][]string{{"group", "snap", "remove"}},
			Summary: "remove a group snapshot", Dangerous: true,
			Args: []grammar.Arg{rbdGroupSnapArg}, Flags: groupSnapOpts, RBD: "rbd group snap rm {group-snap-spec}"},
		&grammar.Command{Path: []string{"group", "snap", "rename"}, Dangerous: true,
			Summary: "rename a group snapshot",
			Args:    []grammar.Arg{groupSnapSpecArg, {Name: "dest-snap", Help: "the new snapshot name"}},
			Flags:   groupSnapOpts,
			RBD:     "rbd group snap rename {group-snap-spec} {dest-snap}"},
		&grammar.Command{Path: []string{"group", "snap", "rollback"}, Confirm: grammar.ConfirmTyped,
			Summary: "roll every member back to a group snapshot (on the primary site; members must be idle)", Dangerous: true,
			Args: []grammar.Arg{rbdGroupSnapArg}, Flags: groupSnapOpts, RBD: "rbd group snap rollback {group-snap-spec}"},
	)
}
