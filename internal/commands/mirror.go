package commands

import "github.com/rbdtui/rbdtui/internal/grammar"

var (
	imageSpecArg = grammar.Arg{Name: "image-spec", ByOptions: true, Help: "[<pool>/[<namespace>/]]<image> (or --pool/--namespace/--image)"}
	poolSpecArg  = grammar.Arg{Name: "pool-spec", Optional: true, Help: "<pool>[/<namespace>] (or --pool; default rbd)"}
	forceFlag    = grammar.Flag{Name: "force", Kind: grammar.Bool}
	imageOpts    = []grammar.Flag{PoolFlag, NamespaceFlag, ImageFlag}
	poolOpts     = []grammar.Flag{PoolFlag, NamespaceFlag}
	siteNameFlag = grammar.Flag{Name: "site-name", Kind: grammar.String, Help: "local site name"}
	directionOpt = grammar.Flag{Name: "direction", Kind: grammar.Enum, Values: []string{"rx-only", "rx-tx"}, Help: "mirroring direction (default rx-tx)"}
	levelOpts    = []grammar.Flag{PoolFlag, NamespaceFlag, ImageFlag}
)

func with(fs []grammar.Flag, more ...grammar.Flag) []grammar.Flag {
	return append(append([]grammar.Flag(nil), fs...), more...)
}

func init() {
	declare(
		// Pools.
		&grammar.Command{Path: []string{"mirror", "pool", "enable"}, Confirm: grammar.ConfirmYes, Dangerous: true,
			Summary: "enable mirroring on a pool; without a mode: pool mode, and new images get exclusive-lock and journaling by default",
			Args:    []grammar.Arg{poolSpecArg, {Name: "mode", Optional: true, Help: "image or pool"}},
			Flags:   with(poolOpts, siteNameFlag),
			RBD:     "rbd mirror pool enable {pool-spec} {mode}"},
		&grammar.Command{Path: []string{"mirror", "pool", "disable"}, Confirm: grammar.ConfirmTyped, Dangerous: true,
			Summary: "disable mirroring on a pool and clear its journaling default", Args: []grammar.Arg{poolSpecArg}, Flags: poolOpts,
			RBD: "rbd mirror pool disable {pool-spec}"},
		&grammar.Command{Path: []string{"mirror", "pool", "add"}, Confirm: grammar.ConfirmYes, Dangerous: true,
			Summary: "register a configured site as a peer of the pool in both directions (bootstrap token exchange)",
			Args:    []grammar.Arg{{Name: "remote-pool-spec", Help: "[<site>/]<pool>: a site of rbdtui's configuration"}},
			RBD:     "rbd mirror pool peer bootstrap create {remote-pool-spec} (on the remote site); rbd mirror pool peer bootstrap import --direction rx-tx"},
		&grammar.Command{Path: []string{"mirror", "pool", "remove"}, Confirm: grammar.ConfirmYes, Dangerous: true,
			Summary: "deregister a configured site as a peer of the pool, both directions",
			Args:    []grammar.Arg{{Name: "remote-pool-spec", Help: "[<site>/]<pool>"}},
			RBD:     "rbd mirror pool peer remove <pool> <uuid> (on both sites)"},
		&grammar.Command{Path: []string{"mirror", "pool", "peer", "add"}, Dangerous: true,
			Summary: "add a mirror peer by cluster and client name",
			Args:    []grammar.Arg{poolSpecArg, {Name: "remote-cluster-spec", Help: "[<client>@]<cluster>"}},
			Flags: with(poolOpts, grammar.Flag{Name: "remote-client-name", Kind: grammar.String}, grammar.Flag{Name: "remote-cluster", Kind: grammar.String},
				grammar.Flag{Name: "remote-mon-host", Kind: grammar.String}, grammar.Flag{Name: "remote-key-file", Kind: grammar.String},
				grammar.Flag{Name: "direction", Kind: grammar.Enum, Values: []string{"rx-only", "rx-tx"}}),
			RBD: "rbd mirror pool peer add {pool-spec} {remote-cluster-spec}"},
		&grammar.Command{Path: []string{"mirror", "pool", "peer", "remove"}, Confirm: grammar.ConfirmYes, Dangerous: true, Summary: "remove a mirror peer by uuid",
			Args: []grammar.Arg{poolSpecArg, {Name: "uuid"}}, Flags: poolOpts, RBD: "rbd mirror pool peer remove {pool-spec} {uuid}"},
		&grammar.Command{Path: []string{"mirror", "pool", "peer", "set"}, Confirm: grammar.ConfirmYes, Dangerous: true,
			Summary: "set a peer attribute: direction, site-name, client, mon-host, key-file",
			Args:    []grammar.Arg{poolSpecArg, {Name: "uuid"}, {Name: "key"}, {Name: "value"}}, Flags: poolOpts,
			RBD: "rbd mirror pool peer set {pool-spec} {uuid} {key} {value}"},
		&grammar.Command{Path: []string{"mirror", "pool", "peer", "bootstrap", "create"}, Dangerous: true,
			Summary: "create a peer bootstrap token; written to --output (mode 0600) or shown with --show-token",
			Args:    []grammar.Arg{poolSpecArg},
			Flags: with(poolOpts, siteNameFlag, grammar.Flag{Name: "output", Short: "o", Kind: grammar.String, Arg: "file", Help: "write the token to this file (mode 0600)"},
				grammar.Flag{Name: "show-token", Kind: grammar.Bool, Help: "print the token (it holds a key)"}),
			RBD: "rbd mirror pool peer bootstrap create {pool-spec}"},
		&grammar.Command{Path: []string{"mirror", "pool", "peer", "bootstrap", "import"}, Confirm: grammar.ConfirmYes, Dangerous: true,
			Summary: "import a peer bootstrap token from a file or - for stdin",
			Args:    []grammar.Arg{{Name: "pool-spec", Optional: true, Help: "<pool> (or --pool; default rbd)"}, {Name: "token-path", Help: "file or -"}},
			Flags:   []grammar.Flag{PoolFlag, siteNameFlag, directionOpt},
			RBD:     "rbd mirror pool peer bootstrap import {pool-spec} {token-path}"},
		&grammar.Command{Path: []string{"mirror", "pool", "info"}, Summary: "show a pool's mirroring mode, site name and peers",
			Args: []grammar.Arg{poolSpecArg}, Flags: with(poolOpts, grammar.Flag{Name: "all", Kind: grammar.Bool, Help: "also show peers' mon_host and key"}),
			RBD: "rbd mirror pool info {pool-spec}"},
		&grammar.Command{Path: []string{"mirror", "pool", "status"}, Summary: "show a pool's mirroring health, daemons and (verbose) every image's status, without opening any image",
			Args: []grammar.Arg{poolSpecArg}, Flags: with(poolOpts, grammar.Flag{Name: "verbose", Kind: grammar.Bool}),
			RBD: "rbd mirror pool status {pool-spec}"},
		&grammar.Command{Path: []string{"mirror", "pool", "promote"}, Confirm: grammar.ConfirmYes, ForceConfirm: grammar.ConfirmTyped, Dangerous: true, Summary: "promote every mirrored image of the pool",
			Args: []grammar.Arg{poolSpecArg}, Flags: with(poolOpts, forceFlag), RBD: "rbd mirror pool promote {pool-spec}"},
		&grammar.Command{Path: []string{"mirror", "pool", "demote"}, Confirm: grammar.ConfirmYes, Dangerous: true, Summary: "demote every mirrored image of the pool",
			Args: []grammar.Arg{poolSpecArg}, Flags: poolOpts, RBD: "rbd mirror pool demote {pool-spec}"},
		// Images.
		&grammar.Command{Path: []string{"mirror", "image", "enable"}, Dangerous: true, Summary: "enable mirroring of an image (journal by default, or snapshot)",
			Args: []grammar.Arg{imageSpecArg, {Name: "mode", Optional: true, Help: "journal or snapshot"}}, Flags: imageOpts,
			RBD: "rbd mirror image enable {image-spec} {mode}"},
		&grammar.Command{Path: []string{"mirror", "image", "disable"}, Confirm: grammar.ConfirmTyped, Dangerous: true, Summary: "disable mirroring of an image (--force: even when not primary)",
			Args: []grammar.Arg{imageSpecArg}, Flags: with(imageOpts, forceFlag), RBD: "rbd mirror image disable {image-spec}"},
		&grammar.Command{Path: []string{"mirror", "image", "promote"}, Confirm: grammar.ConfirmYes, ForceConfirm: grammar.ConfirmTyped, Dangerous: true, Summary: "promote an image to primary (--force: even if the peer was not demoted)",
			Args: []grammar.Arg{imageSpecArg}, Flags: with(imageOpts, forceFlag), RBD: "rbd mirror image promote {image-spec}"},
		&grammar.Command{Path: []string{"mirror", "image", "demote"}, Confirm: grammar.ConfirmYes, Dangerous: true, Summary: "demote an image to non-primary",
			Args: []grammar.Arg{imageSpecArg}, Flags: imageOpts, RBD: "rbd mirror image demote {image-spec}"},
		&grammar.Command{Path: []string{"mirror", "image", "resync"}, Confirm: grammar.ConfirmTyped, Dangerous: true, Summary: "discard this non-primary copy and copy it again from the primary",
			Args: []grammar.Arg{imageSpecArg}, Flags: imageOpts, RBD: "rbd mirror image resync {image-spec}"},
		&grammar.Command{Path: []string{"mirror", "image", "status"}, Summary: "show an image's mirroring status on this site and its peers",
			Args: []grammar.Arg{imageSpecArg}, Flags: imageOpts, RBD: "rbd mirror image status {image-spec}"},
		&grammar.Command{Path: []string{"mirror", "image", "snapshot"}, Dangerous: true, Summary: "create a mirror snapshot of a snapshot-mode primary image",
			Args: []grammar.Arg{imageSpecArg}, Flags: imageOpts, RBD: "rbd mirror image snapshot {image-spec}"},
		// Schedules.
		&grammar.Command{Path: []string{"mirror", "snapshot", "schedule", "add"}, Dangerous: true, Summary: "add a mirror snapshot schedule (interval: Nd, Nh or Nm)",
			Args: []grammar.Arg{{Name: "interval"}, {Name: "start-time", Optional: true}}, Flags: levelOpts,
			RBD: "rbd mirror snapshot schedule add {interval}"},
		&grammar.Command{Path: []string{"mirror", "snapshot", "schedule", "remove"}, Aliases: [][]string{{"mirror", "snapshot", "schedule", "rm"}}, Dangerous: true,
			Summary: "remove mirror snapshot schedules", Args: []grammar.Arg{{Name: "interval", Optional: true}, {Name: "start-time", Optional: true}}, Flags: levelOpts,
			RBD: "rbd mirror snapshot schedule remove {interval}"},
		&grammar.Command{Path: []string{"mirror", "snapshot", "schedule", "ls"}, Aliases: [][]string{{"mirror", "snapshot", "schedule", "list"}},
			Summary: "list mirror snapshot schedules", Flags: with(levelOpts, grammar.Flag{Name: "recursive", Short: "R", Kind: grammar.Bool}),
			RBD: "rbd mirror snapshot schedule ls"},
		&grammar.Command{Path: []string{"mirror", "snapshot", "schedule", "status"}, Summary: "show when the next scheduled mirror snapshots are taken",
			Flags: levelOpts, RBD: "rbd mirror snapshot schedule status"},
		// Status and failover.
		&grammar.Command{Path: []string{"status"}, Summary: "show an image's watchers and its mirroring status on this site and every peer",
			Args: []grammar.Arg{imageSpecArg}, Flags: imageOpts, RBD: "rbd status {image-spec}; rbd mirror image status {image-spec}"},
		&grammar.Command{Path: []string{"failover"}, Confirm: grammar.ConfirmYes, ForceConfirm: grammar.ConfirmTyped, Dangerous: true,
			Summary: "fail images over to another site: planned (demote, wait until replayed, promote, watch the new direction) or --force when the primary is lost",
			Flags: []grammar.Flag{{Name: "to", Kind: grammar.String, Arg: "site", Help: "the site that becomes primary (default, with two sites: the one that is not primary now)"},
				{Name: "from", Kind: grammar.String, Arg: "site", Help: "the current primary (default: the site where it is primary now, else the configured site other than --to)"},
				{Name: "image", Kind: grammar.String, Arg: "pool/[namespace/]image", Help: "one image"},
				{Name: "pool", Short: "p", Kind: grammar.String, Arg: "pool[/namespace]", Help: "every mirrored image of the pool (or of one namespace)"},
				{Name: "group", Kind: grammar.String, Arg: "pool/group", Help: "every member of a consistency group"},
				{Name: "force", Kind: grammar.Bool, Help: "the primary site is lost: force-promote without demoting"},
				{Name: "dry-run", Kind: grammar.Bool, Help: "print the plan and change nothing"},
				{Name: "step-timeout", Kind: grammar.Duration, Help: "bound on each waiting step (default 5m)"}},
			RBD: "rbd mirror image demote (on --from); rbd mirror image promote (on --to)"},
		&grammar.Command{Path: []string{"failover", "recover"}, Confirm: grammar.ConfirmTyped, Dangerous: true,
			Summary: "after a forced failover, demote and resync the stale site's split-brain copies from the new primary",
			Flags: []grammar.Flag{{Name: "stale", Kind: grammar.String, Arg: "site", Help: "the site whose copies are stale (the old primary)"},
				{Name: "image", Kind: grammar.String, Arg: "pool/image"}, {Name: "pool", Short: "p", Kind: grammar.String},
				{Name: "step-timeout", Kind: grammar.Duration}},
			RBD: "rbd mirror image demote; rbd mirror image resync (on the stale site)"},
	)
}
