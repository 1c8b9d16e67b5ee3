// Command rbdtui is a terminal console for Ceph RBD mirroring. With no
// arguments on a terminal it opens the console; with a command it runs that
// command once (`rbdtui mirror image resync rbd/vol1`), in the rbd CLI's
// grammar, for scripts.
package main

import (
	"os"

	"github.com/mattn/go-isatty"
	"github.com/rbdtui/rbdtui/internal/cli"
)

// version is set by the Makefile with -ldflags.
var version = "dev"

func main() {
	app := cli.New(version)
	app.Console = runConsole
	app.LogPath = cli.DefaultLogPath
	term := isatty.IsTerminal(os.Stdout.Fd()) && isatty.IsTerminal(os.Stdin.Fd())
	os.Exit(app.Run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr, term))
}
