package commands

import "github.com/rbdtui/rbdtui/internal/grammar"

var labDirFlag = grammar.Flag{Name: "dir", Kind: grammar.String, Arg: "path", Help: "lab directory (default $RBDTUI_LAB_DIR, then /tmp/rbdtui-lab)"}

var labReleaseFlag = grammar.Flag{Name: "release", Kind: grammar.String, Arg: "name", Help: "Ceph release: pacific, reef or tentacle for both sites, or site-a=NAME,site-b=NAME (default: the host's); another release than the host's runs chrooted in a Debian root built once with debootstrap"}

func init() {
	declare(
		&grammar.Command{Path: []string{"sites"}, Aliases: [][]string{{"site", "ls"}},
			Summary: "list the configured sites and whether each answers (health, rbd-mirror daemons)",
			RBD:     "ceph health; ceph service dump"},
		&grammar.Command{Path: []string{"version"}, Summary: "print rbdtui's version and the Ceph libraries it runs on"},
		&grammar.Command{Path: []string{"help"}, Summary: "list commands, or explain one: rbdtui help mirror image status",
			Args: []grammar.Arg{{Name: "command", Optional: true, Variadic: true, Help: "the command to explain"}}},
		&grammar.Command{Path: []string{"completion"}, CLIOnly: true, Summary: "print a shell completion script: source <(rbdtui completion bash)",
			Args: []grammar.Arg{{Name: "shell", Help: "bash, zsh or fish"}}},
		&grammar.Command{Path: []string{"lab", "up"}, CLIOnly: true, Flags: []grammar.Flag{labDirFlag, labReleaseFlag},
			Summary: "start the local two-site Ceph lab (site-a, site-b) with mirroring set up; idempotent"},
		&grammar.Command{Path: []string{"lab", "exec"}, CLIOnly: true, Flags: []grammar.Flag{labDirFlag, labReleaseFlag},
			Summary: "run a command inside a release's root (as the lab's daemons run), with the lab and current directories at their own paths: rbdtui lab exec --release tentacle -- ./bin/rbdtui --config .lab/rbdtui.yaml",
			Args:    []grammar.Arg{{Name: "command", Variadic: true, Help: "the command and its arguments"}}},
		&grammar.Command{Path: []string{"lab", "down"}, CLIOnly: true, Flags: []grammar.Flag{labDirFlag},
			Summary: "stop the lab's daemons (by recorded PID) and remove its state"},
		&grammar.Command{Path: []string{"lab", "status"}, CLIOnly: true, Flags: []grammar.Flag{labDirFlag},
			Summary: "show the lab's sites, admin credentials, health and daemon PIDs"},
		&grammar.Command{Path: []string{"lab", "load"}, CLIOnly: true, Dangerous: true, Summary: "run a bounded write workload on primary mirrored images",
			Flags: []grammar.Flag{labDirFlag,
				{Name: "site", Kind: grammar.String, Help: "lab site to write on (default site-a)"},
				PoolFlag,
				{Name: "images", Kind: grammar.Int, Help: "at least this many primary images (created as lab-load-N; default 2)"},
				{Name: "ops", Kind: grammar.Int, Help: "at most this many writes (default 2000)"},
				{Name: "duration", Kind: grammar.Duration, Help: "for at most this long (default 30s)"},
				{Name: "rate", Kind: grammar.Int, Help: "writes per second at most (default 200)"},
			}},
	)
}
