package commands

import "github.com/rbdtui/rbdtui/internal/grammar"

// Screens of the console that are commands too: `rbdtui watch rbd` opens
// the console on the live watch of pool rbd, `:watch rbd` in the palette
// opens the same screen. They change nothing, so read-only mode keeps them.
func init() {
	declare(
		&grammar.Command{Path: []string{"watch"}, Screen: "watch",
			Summary: "watch mirroring of a pool live on every site: state, primary, lag, throughput, events",
			Args:    []grammar.Arg{{Name: "pool-spec", Help: "the pool to watch", ByOptions: true}},
			Flags:   []grammar.Flag{PoolFlag},
			RBD:     "rbd mirror pool status --verbose {pool-spec} (on each site, repeatedly)"},
		&grammar.Command{Path: []string{"watch", "group"}, Screen: "watch",
			Summary: "watch the members of a consistency group live on every site",
			Args:    []grammar.Arg{{Name: "group-spec", Help: "pool/group"}},
			RBD:     "rbd group image list {group-spec}; rbd mirror image status (each member, on each site)"},
		&grammar.Command{Path: []string{"watch", "image"}, Screen: "watch",
			Summary: "watch some images live on every site",
			Args:    []grammar.Arg{{Name: "image-spec", Help: "pool/image, one or more", Variadic: true}},
			RBD:     "rbd mirror image status {image-spec} (on each site, repeatedly)"},
		&grammar.Command{Path: []string{"inspect"}, Screen: "inspect",
			Summary: "inspect an image's journal step by step: header, clients, scan, entries, export",
			Args:    []grammar.Arg{{Name: "image-spec", Help: "pool/image with journaling", ByOptions: true}},
			Flags:   []grammar.Flag{PoolFlag, ImageFlag},
			RBD:     "rbd journal info/status/inspect --verbose --image {image-spec}"},
	)
}
