package ui

import (
	"fmt"
	"time"

	"github.com/rbdtui/rbdtui/internal/commands"
	"github.com/rbdtui/rbdtui/internal/grammar"
	"github.com/rbdtui/rbdtui/model"
	"github.com/rbdtui/rbdtui/ui/uitest"
)

func ptr[T any](v T) *T { return &v }

// replaying is a journal-mode status as rbd-mirror publishes it.
func replaying(site string, behind int64) model.SiteImageStatus {
	return model.SiteImageStatus{SiteName: site, Up: true, State: model.StateReplaying,
		Description: fmt.Sprintf(`replaying, {"entries_behind_primary":%d,"entries_per_second":12.5}`, behind),
		LastUpdate:  t0.Add(-2 * time.Second),
		Replay:      &model.Replay{EntriesBehindPrimary: ptr(behind), EntriesPerSecond: ptr(12.5)}}
}

func primaryStatus(site string) model.SiteImageStatus {
	return model.SiteImageStatus{SiteName: site, Up: true, State: model.StateStopped, Description: "local image is primary", LastUpdate: t0.Add(-2 * time.Second)}
}

// labImages gives the two-site fixture a pool of images in every state the
// console draws: primary, replaying, syncing, split-brain, not mirrored.
func labImages(f *uitest.Fixture) {
	a := func(name, id string, mode string) model.Image {
		return model.Image{Site: "site-a", Pool: "rbd", Name: name, ID: id, MirrorMode: mode, MirrorState: model.MirrorEnabled,
			GlobalID: "g-" + id, Primary: true, Class: model.ClassPrimary, Health: "OK"}
	}
	b := func(name, id, mode string, local model.SiteImageStatus, class model.Class) model.Image {
		return model.Image{Site: "site-b", Pool: "rbd", Name: name, ID: id, MirrorMode: mode, MirrorState: model.MirrorEnabled,
			GlobalID: "g-" + id, Local: &local, Class: class, Health: "OK"}
	}
	vol1 := a("vol1", "1a2b3c", model.ModeJournal)
	vol1.Local, vol1.Peers = ptr(primaryStatus("site-a")), []model.SiteImageStatus{replaying("site-b", 0)}
	db := a("db-1", "4d5e6f", model.ModeJournal)
	db.Local, db.Peers = ptr(primaryStatus("site-a")), []model.SiteImageStatus{replaying("site-b", 42)}
	snap := a("vol2", "7a8b9c", model.ModeSnapshot)
	scratch := model.Image{Site: "site-a", Pool: "rbd", Name: "scratch", ID: "0f0f0f", MirrorState: model.MirrorDisabled, Class: model.ClassDisabled, Health: "OK"}
	f.SetImages("site-a", "rbd", db, scratch, vol1, snap)

	syncing := model.SiteImageStatus{SiteName: "site-b", Up: true, State: model.StateSyncing,
		Description: "bootstrapping, IMAGE_COPY/COPY_OBJECT 45%", BootstrapPercent: ptr(45), LastUpdate: t0.Add(-time.Second)}
	split := model.SiteImageStatus{SiteName: "site-b", Up: true, State: model.StateError, Description: "split-brain", SplitBrain: true, LastUpdate: t0.Add(-time.Second)}
	f.SetImages("site-b", "rbd",
		b("db-1", "4d5e6f", model.ModeJournal, split, model.ClassInconsistent),
		b("vol1", "1a2b3c", model.ModeJournal, replaying("site-b", 0), model.ClassConsistent),
		b("vol2", "7a8b9c", model.ModeSnapshot, syncing, model.ClassInconsistent),
	)
	f.SetGroups("site-a", "rbd", model.Group{Site: "site-a", Pool: "rbd", Name: "app", ID: "9e9e", Members: []string{"rbd/db-1", "rbd/vol1"},
		MirrorState: model.MirrorDisabled, ConsistencyPoints: []model.GroupPoint{
			{ID: "1", Name: "cp-0900", Timestamp: t0.Add(-30 * time.Minute), Complete: true},
			{ID: "2", Name: "cp-0925", Timestamp: t0.Add(-5 * time.Minute), Complete: false},
		}})
	f.SetDetail(model.ImageDetail{Image: vol1, Size: 64 << 20, ObjectSize: 4 << 20,
		Features: []string{"exclusive-lock", "journaling", "layering"}, Journal: &model.JournalSettings{ID: "1a2b3c", Order: 24, SplayWidth: 4},
		Watchers: []model.Watcher{{Address: "192.0.2.10:0/123456", Client: 4201, Cookie: 1}}, Group: "rbd/app"})
	for _, img := range []model.Image{db, snap, scratch} {
		f.SetDetail(model.ImageDetail{Image: img, Size: 1 << 30, ObjectSize: 4 << 20, Features: []string{"exclusive-lock", "layering"}})
	}
	bvol1 := b("vol1", "1a2b3c", model.ModeJournal, replaying("site-b", 0), model.ClassConsistent)
	f.SetDetail(model.ImageDetail{Image: bvol1, Size: 64 << 20, ObjectSize: 4 << 20,
		Features: []string{"exclusive-lock", "journaling", "layering"}, Journal: &model.JournalSettings{ID: "1a2b3c", Order: 24, SplayWidth: 4}})
	f.SetJournal(model.Journal{Site: "site-a", Pool: "rbd", Image: "vol1", ID: "1a2b3c", Order: 24, SplayWidth: 4, MinimumSet: 3, ActiveSet: 5,
		HeadPosition: &model.Position{ObjectNumber: 21, TagTID: 2, EntryTID: 1830},
		Clients: []model.JournalClient{
			{ID: "", Description: "master image", Connected: true, Commit: &model.Position{ObjectNumber: 21, TagTID: 2, EntryTID: 1830}, LagEntries: 0},
			{ID: "b7c1e2", Description: "site-b rbd-mirror", Connected: true, Commit: &model.Position{ObjectNumber: 20, TagTID: 2, EntryTID: 1788}, LagEntries: 42},
		}})
}

// testRegistry declares the commands the console's actions use, with the
// names and shapes the issue gives them, so the action flows can be tested
// before every engine lands in this build's grammar.
func testRegistry() *grammar.Registry {
	img := grammar.Arg{Name: "image-spec"}
	pool := grammar.Arg{Name: "pool"}
	grp := grammar.Arg{Name: "group-spec"}
	jr := grammar.Arg{Name: "journal-spec"}
	force := grammar.Flag{Name: "force", Kind: grammar.Bool}
	r := &grammar.Registry{}
	r.Add(
		&grammar.Command{Path: []string{"sites"}, Summary: "list the sites"},
		&grammar.Command{Path: []string{"version"}, Summary: "print the version"},
		&grammar.Command{Path: []string{"lab", "up"}, CLIOnly: true, Summary: "start the lab"},
		&grammar.Command{Path: []string{"mirror", "image", "status"}, Args: []grammar.Arg{img}, Summary: "show status", RBD: "rbd mirror image status {image-spec}"},
		&grammar.Command{Path: []string{"mirror", "image", "promote"}, Args: []grammar.Arg{img}, Flags: []grammar.Flag{force}, Dangerous: true, RBD: "rbd mirror image promote {image-spec}"},
		&grammar.Command{Path: []string{"mirror", "image", "demote"}, Args: []grammar.Arg{img}, Dangerous: true, RBD: "rbd mirror image demote {image-spec}"},
		&grammar.Command{Path: []string{"mirror", "image", "resync"}, Args: []grammar.Arg{img}, Dangerous: true, RBD: "rbd mirror image resync {image-spec}"},
		&grammar.Command{Path: []string{"mirror", "image", "enable"}, Args: []grammar.Arg{img, {Name: "mode", Optional: true}}, Dangerous: true, RBD: "rbd mirror image enable {image-spec} {mode}"},
		&grammar.Command{Path: []string{"mirror", "image", "disable"}, Args: []grammar.Arg{img}, Flags: []grammar.Flag{force}, Dangerous: true, RBD: "rbd mirror image disable {image-spec}"},
		&grammar.Command{Path: []string{"feature", "enable"}, Args: []grammar.Arg{img, {Name: "features", Variadic: true}}, Dangerous: true,
			Flags: []grammar.Flag{{Name: "journal-splay-width", Kind: grammar.Int}, {Name: "journal-object-size", Kind: grammar.Size}, {Name: "journal-pool", Kind: grammar.String}},
			RBD:   "rbd feature enable {image-spec} {features}"},
		&grammar.Command{Path: []string{"feature", "disable"}, Args: []grammar.Arg{img, {Name: "features", Variadic: true}}, Dangerous: true, RBD: "rbd feature disable {image-spec} {features}"},
		&grammar.Command{Path: []string{"mirror", "pool", "enable"}, Args: []grammar.Arg{pool, {Name: "mode"}}, Dangerous: true, RBD: "rbd mirror pool enable {pool} {mode}"},
		&grammar.Command{Path: []string{"mirror", "pool", "disable"}, Args: []grammar.Arg{pool}, Dangerous: true, RBD: "rbd mirror pool disable {pool}"},
		&grammar.Command{Path: []string{"mirror", "pool", "peer", "add"}, Args: []grammar.Arg{pool, {Name: "remote"}}, Dangerous: true},
		&grammar.Command{Path: []string{"mirror", "pool", "peer", "remove"}, Args: []grammar.Arg{pool, {Name: "uuid"}}, Dangerous: true},
		&grammar.Command{Path: []string{"consistency-group", "create"}, Args: []grammar.Arg{grp}, Dangerous: true},
		&grammar.Command{Path: []string{"consistency-group", "attach"}, Args: []grammar.Arg{img, grp}, Dangerous: true},
		&grammar.Command{Path: []string{"consistency-group", "detach"}, Args: []grammar.Arg{img}, Dangerous: true},
		&grammar.Command{Path: []string{"consistency-group", "checkpoint"}, Args: []grammar.Arg{grp}, Dangerous: true},
		&grammar.Command{Path: []string{"journal", "export"}, Args: []grammar.Arg{jr, {Name: "path"}}, RBD: "rbd journal export {journal-spec} {path}",
			Flags: []grammar.Flag{{Name: "from-start", Kind: grammar.Bool}}},
		&grammar.Command{Path: []string{"journal", "import"}, Args: []grammar.Arg{{Name: "path"}, jr}, Dangerous: true, RBD: "rbd journal import {path} {journal-spec}"},
		&grammar.Command{Path: []string{"journal", "reset"}, Args: []grammar.Arg{jr}, Dangerous: true},
		&grammar.Command{Path: []string{"inspect"}, Screen: "inspect", Args: []grammar.Arg{{Name: "image-spec"}},
			Summary: "inspect an image's journal step by step", RBD: "rbd journal info/status/inspect --verbose --image {image-spec}"},
		&grammar.Command{Path: []string{"journal", "client", "disconnect"}, Args: []grammar.Arg{jr}, Flags: []grammar.Flag{{Name: "client-id", Kind: grammar.String}}, Dangerous: true},
		&grammar.Command{Path: []string{"failover"}, Dangerous: true, Summary: "fail images over to another site",
			Flags: []grammar.Flag{{Name: "to", Kind: grammar.String}, {Name: "from", Kind: grammar.String}, {Name: "image", Kind: grammar.String},
				{Name: "pool", Short: "p", Kind: grammar.String}, {Name: "group", Kind: grammar.String}, force,
				{Name: "dry-run", Kind: grammar.Bool}, {Name: "step-timeout", Kind: grammar.Duration}},
			RBD: "rbd mirror image demote (on --from); rbd mirror image promote (on --to)"},
	)
	// How each command is confirmed is the real declaration's.
	for _, c := range r.Commands() {
		if real := commands.Lookup(c.Name()); real != nil {
			c.Confirm, c.ForceConfirm = real.Confirm, real.ForceConfirm
		}
	}
	return r
}

// fullLab is lab() with images, a group and a journal.
func fullLab() *uitest.Fixture {
	f := lab()
	labImages(f)
	return f
}
