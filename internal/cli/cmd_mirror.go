package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/rbdtui/rbdtui/internal/mirror"
	"github.com/rbdtui/rbdtui/internal/site"
	"github.com/rbdtui/rbdtui/model"
)

func init() {
	handle("mirror pool enable", runPoolEnable)
	handle("mirror pool disable", runPoolDisable)
	handle("mirror pool add", runPoolAdd)
	handle("mirror pool remove", runPoolRemove)
	handle("mirror pool peer add", runPeerAdd)
	handle("mirror pool peer remove", runPeerRemove)
	handle("mirror pool peer set", runPeerSet)
	handle("mirror pool peer bootstrap create", runBootstrapCreate)
	handle("mirror pool peer bootstrap import", runBootstrapImport)
	handle("mirror pool info", runPoolInfo)
	handle("mirror pool status", runPoolStatus)
	handle("mirror pool promote", runPoolPromote)
	handle("mirror pool demote", runPoolDemote)
	handle("mirror image enable", runImageEnable)
	handle("mirror image disable", runImageDisable)
	handle("mirror image promote", runImagePromote)
	handle("mirror image demote", runImageDemote)
	handle("mirror image resync", runImageResync)
	handle("mirror image status", runImageStatus)
	handle("mirror image snapshot", runImageSnapshot)
	handle("mirror snapshot schedule add", runScheduleAdd)
	handle("mirror snapshot schedule remove", runScheduleRemove)
	handle("mirror snapshot schedule ls", runScheduleLs)
	handle("mirror snapshot schedule status", runScheduleStatus)
	handle("status", runStatus)
	handle("failover", runFailover)
	handle("failover recover", runRecover)
}

// asUsage is kept so that the handlers other branches are editing need no
// change; refusals map to their exit code in ExitCode, in one place.
// (Inline it when merged.)
func asUsage(err error) error { return err }

func imageAndSite(env *Env) (model.ImageSpec, *site.Conn, error) {
	spec, err := env.ImageSpec("image-spec")
	if err != nil {
		return spec, nil, err
	}
	c, err := env.Site()
	return spec, c, err
}

// mirrorChange is the shape of every image mirroring change: confirm when
// asked (confirm is the question; "" for none), call the engine, print rbd's
// message.
func mirrorChange(env *Env, spec model.ImageSpec, confirm string, do func() error, done string) error {
	if confirm != "" {
		if err := env.Confirm(confirm, spec.Image); err != nil {
			return err
		}
	}
	if err := asUsage(do()); err != nil {
		return err
	}
	fmt.Fprintln(env.Stdout, done)
	return nil
}

func disableQuestion(spec model.ImageSpec, c *site.Conn) string {
	return fmt.Sprintf("Disable mirroring of %s on site %s: the peer copies stop receiving updates.", spec, c.Name())
}

func runImageEnable(ctx context.Context, env *Env) error {
	spec, c, err := imageAndSite(env)
	if err != nil {
		return err
	}
	return mirrorChange(env, spec, "", func() error { return mirror.Enable(ctx, c, spec, env.Inv.Arg("mode")) }, "Mirroring enabled")
}

func runImageDisable(ctx context.Context, env *Env) error {
	spec, c, err := imageAndSite(env)
	if err != nil {
		return err
	}
	return mirrorChange(env, spec, disableQuestion(spec, c), func() error { return mirror.Disable(ctx, c, spec, env.Inv.Bool("force")) }, "Mirroring disabled")
}

func runImagePromote(ctx context.Context, env *Env) error {
	spec, c, err := imageAndSite(env)
	if err != nil {
		return err
	}
	force := env.Inv.Bool("force")
	question := ""
	if force {
		question = fmt.Sprintf("Force-promote %s on site %s: if the other copy is still primary this causes split-brain, and writes not yet replayed here are lost.", spec, c.Name())
	}
	return mirrorChange(env, spec, question, func() error { return mirror.Promote(ctx, c, spec, force) }, "Image promoted to primary")
}

func runImageDemote(ctx context.Context, env *Env) error {
	spec, c, err := imageAndSite(env)
	if err != nil {
		return err
	}
	return mirrorChange(env, spec, "", func() error { return mirror.Demote(ctx, c, spec) }, "Image demoted to non-primary")
}

func runImageResync(ctx context.Context, env *Env) error {
	spec, c, err := imageAndSite(env)
	if err != nil {
		return err
	}
	question := fmt.Sprintf("Resync %s on site %s: this copy is deleted and copied again from the primary.", spec, c.Name())
	return mirrorChange(env, spec, question, func() error { return mirror.Resync(ctx, c, spec) }, "Flagged image for resync from primary")
}

func runImageSnapshot(ctx context.Context, env *Env) error {
	spec, c, err := imageAndSite(env)
	if err != nil {
		return err
	}
	id, err := mirror.Snapshot(ctx, c, spec)
	if err = asUsage(err); err != nil {
		return err
	}
	if env.Out.JSON() {
		return env.Out.Value(map[string]uint64{"snapshot_id": id})
	}
	fmt.Fprintf(env.Stdout, "Snapshot ID: %d\n", id)
	return nil
}

func runImageStatus(ctx context.Context, env *Env) error {
	spec, c, err := imageAndSite(env)
	if err != nil {
		return err
	}
	is, d, err := mirror.GetImageStatus(ctx, c, spec)
	if err = asUsage(err); err != nil {
		return err
	}
	if env.Out.JSON() {
		return env.Out.Value(is)
	}
	printImageStatus(env.Stdout, is, d)
	return nil
}

func printImageStatus(w io.Writer, is *mirror.ImageStatus, d *model.ImageDetail) {
	fmt.Fprintf(w, "%s:\n  global_id:   %s\n", is.Name, is.GlobalID)
	if d != nil {
		fmt.Fprintf(w, "  class:       %s\n", d.Class)
		if d.MirrorMode != "" {
			fmt.Fprintf(w, "  mode:        %s\n", d.MirrorMode)
		}
	}
	fmt.Fprintf(w, "  state:       %s\n  description: %s\n", is.State, is.Description)
	if is.DaemonService != nil {
		fmt.Fprintf(w, "  service:     %s on %s\n", is.DaemonService.DaemonID, is.DaemonService.Hostname)
	}
	fmt.Fprintf(w, "  last_update: %s\n", is.LastUpdate)
	if d != nil && d.Local != nil {
		printReplay(w, "  ", d.Local)
	}
	if len(is.Snapshots) > 0 {
		fmt.Fprintln(w, "  snapshots:")
		for _, s := range is.Snapshots {
			fmt.Fprintf(w, "    %d %s (%s, peer uuids: %s)\n", s.ID, s.Name, map[bool]string{true: "demoted", false: "not demoted"}[s.Demoted], strings.Join(s.MirrorPeerUUIDs, ","))
		}
	}
	if len(is.PeerSites) > 0 {
		fmt.Fprintln(w, "  peer_sites:")
		for i, p := range is.PeerSites {
			if i > 0 {
				fmt.Fprintln(w)
			}
			fmt.Fprintf(w, "    name: %s\n    state: %s\n    description: %s\n    last_update: %s\n", p.SiteName, p.State, p.Description, p.LastUpdate)
			if d == nil {
				continue
			}
			for j := range d.Peers {
				if d.Peers[j].MirrorUUID == p.MirrorUUIDs+p.MirrorUUID {
					printReplay(w, "    ", &d.Peers[j])
				}
			}
		}
	}
}

// printReplay spells out the parsed replay fields (the JSON inside the
// description) so nobody has to read JSON inside a string.
func printReplay(w io.Writer, indent string, s *model.SiteImageStatus) {
	r := s.Replay
	switch {
	case s.BootstrapPercent != nil:
		fmt.Fprintf(w, "%sinitial sync: %d%%\n", indent, *s.BootstrapPercent)
	case r == nil:
		return
	case r.EntriesBehindPrimary != nil:
		fmt.Fprintf(w, "%sentries behind primary: %d", indent, *r.EntriesBehindPrimary)
		if r.EntriesPerSecond != nil {
			fmt.Fprintf(w, ", %.1f entries/s", *r.EntriesPerSecond)
		}
		if r.BytesPerSecond != nil {
			fmt.Fprintf(w, ", %s/s", humanBytes(*r.BytesPerSecond))
		}
		if r.SecondsUntilSynced != nil {
			fmt.Fprintf(w, ", synced in %.0fs", *r.SecondsUntilSynced)
		}
		fmt.Fprintln(w)
	case r.ReplayState != "":
		fmt.Fprintf(w, "%ssnapshot replay: %s", indent, r.ReplayState)
		if r.SyncingPercent != nil {
			fmt.Fprintf(w, " %.0f%%", *r.SyncingPercent)
		}
		if r.LocalSnapshotTimestamp != nil {
			fmt.Fprintf(w, ", last synced snapshot %s", time.Unix(*r.LocalSnapshotTimestamp, 0).Local().Format("2006-01-02 15:04:05"))
		}
		if r.LastSnapshotBytes != nil && r.LastSnapshotSyncSeconds != nil {
			fmt.Fprintf(w, ", last sync %s in %.0fs", humanBytes(*r.LastSnapshotBytes), *r.LastSnapshotSyncSeconds)
		}
		fmt.Fprintln(w)
	}
}

func humanBytes(b float64) string { return model.Bytes(uint64(max(b, 0))) }

// poolAndSite resolves the command's pool[/namespace] and site, and
// refuses a namespace that does not exist there before anything changes.
func poolAndSite(ctx context.Context, env *Env) (model.PoolSpec, *site.Conn, error) {
	ps, err := env.PoolSpec("pool-spec")
	if err != nil {
		return ps, nil, err
	}
	c, err := env.Site()
	if err != nil {
		return ps, nil, err
	}
	return ps, c, asUsage(mirror.CheckNamespace(ctx, c, ps.Pool, ps.Namespace))
}

// poolText is pool or pool/namespace, for messages.
func poolText(ps model.PoolSpec) string {
	if ps.Namespace == "" {
		return ps.Pool
	}
	return ps.Pool + "/" + ps.Namespace
}

// wholePoolAndSite is poolAndSite for the commands that act on a whole pool
// (peers, bootstrap tokens): rbd refuses a namespace there ("invalid pool"),
// since a namespace's peers are its pool's.
func wholePoolAndSite(env *Env) (model.PoolSpec, *site.Conn, error) {
	ps, err := env.PoolSpec("pool-spec")
	if err != nil {
		return ps, nil, err
	}
	if ps.Namespace != "" {
		return ps, nil, Usagef("invalid pool %s: mirror peers and bootstrap tokens belong to a whole pool (give %s, without the namespace; a namespace's peers are its pool's); nothing was changed", poolText(ps), ps.Pool)
	}
	c, err := env.Site()
	return ps, c, err
}

func runPoolEnable(ctx context.Context, env *Env) error {
	ps, c, err := poolAndSite(ctx, env)
	if err != nil {
		return err
	}
	mode := env.Inv.Arg("mode")
	defaults := mode == ""
	if defaults {
		mode = "pool"
	}
	if mode != "pool" && mode != "image" {
		return Usagef("mirror mode %q: use image or pool", mode)
	}
	if n := env.Inv.Flag("site-name"); n != "" {
		if err := mirror.SetSiteName(ctx, c, n); err != nil {
			return err
		}
	}
	if err := asUsage(mirror.SetPoolMode(ctx, c, ps, mode)); err != nil {
		return err
	}
	if defaults {
		if err := mirror.SetJournalingDefault(ctx, c, ps, true); err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "Mirroring enabled on pool %s (pool mode); new images get exclusive-lock and journaling\n", poolText(ps))
		return nil
	}
	fmt.Fprintf(env.Stdout, "Mirroring enabled on pool %s (%s mode)\n", poolText(ps), mode)
	return nil
}

func runPoolDisable(ctx context.Context, env *Env) error {
	ps, c, err := poolAndSite(ctx, env)
	if err != nil {
		return err
	}
	if err := env.Confirm(fmt.Sprintf("Disable mirroring on pool %s on site %s.", poolText(ps), c.Name()), poolText(ps)); err != nil {
		return err
	}
	if err := asUsage(mirror.SetPoolMode(ctx, c, ps, "disabled")); err != nil {
		return err
	}
	if err := mirror.SetJournalingDefault(ctx, c, ps, false); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "Mirroring disabled on pool %s\n", poolText(ps))
	return nil
}

func runPoolInfo(ctx context.Context, env *Env) error {
	ps, c, err := poolAndSite(ctx, env)
	if err != nil {
		return err
	}
	pi, err := mirror.GetPoolInfo(ctx, c, ps, env.Inv.Bool("all"))
	if err = asUsage(err); err != nil {
		return err
	}
	if env.Out.JSON() {
		return env.Out.Value(pi)
	}
	fmt.Fprintf(env.Stdout, "Mode: %s\n", pi.Mode)
	if pi.Mode == "disabled" || ps.Namespace != "" {
		return nil
	}
	jd, _ := mirror.JournalingDefault(ctx, c, ps)
	fmt.Fprintf(env.Stdout, "Site Name: %s\nNew images journal by default: %v\n\nPeer Sites:", pi.SiteName, jd)
	if len(pi.Peers) == 0 {
		fmt.Fprintln(env.Stdout, " none")
	} else {
		fmt.Fprintln(env.Stdout)
	}
	for _, p := range pi.Peers {
		fmt.Fprintf(env.Stdout, "\nUUID: %s\nName: %s\nMirror UUID: %s\nDirection: %s\nClient: %s\n", p.UUID, p.SiteName, p.MirrorUUID, p.Direction, p.ClientName)
		if p.MonHost != "" {
			fmt.Fprintf(env.Stdout, "Mon Host: %s\nKey: %s\n", p.MonHost, p.Key)
		}
	}
	return nil
}

func runPoolStatus(ctx context.Context, env *Env) error {
	ps, c, err := poolAndSite(ctx, env)
	if err != nil {
		return err
	}
	st, err := mirror.GetPoolStatus(ctx, c, ps, env.Inv.Bool("verbose"))
	if err = asUsage(err); err != nil {
		return err
	}
	if env.Out.JSON() {
		return env.Out.Value(st)
	}
	w := env.Stdout
	fmt.Fprintf(w, "health: %s\ndaemon health: %s\nimage health: %s\n", st.Summary.Health, st.Summary.DaemonHealth, st.Summary.ImageHealth)
	total := 0
	var states []string
	for s, n := range st.Summary.States {
		total += n
		states = append(states, s)
	}
	sort.Strings(states)
	fmt.Fprintf(w, "images: %d total\n", total)
	for _, s := range states {
		fmt.Fprintf(w, "    %d %s\n", st.Summary.States[s], s)
	}
	if !env.Inv.Bool("verbose") {
		return nil
	}
	fmt.Fprintln(w, "\nDAEMONS")
	for _, d := range st.Daemons {
		fmt.Fprintf(w, "service %s:\n  instance_id: %s\n  client_id: %s\n  hostname: %s\n  version: %s\n  leader: %v\n  health: %s\n", d.ServiceID, d.InstanceID, d.ClientID, d.Hostname, d.CephVersion, d.Leader, d.Health)
		if len(d.Callouts) > 0 {
			fmt.Fprintf(w, "  callouts: %s\n", strings.Join(d.Callouts, "; "))
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintln(w, "IMAGES")
	if st.Images != nil {
		for _, is := range *st.Images {
			is := is
			printImageStatus(w, &is, nil)
			fmt.Fprintln(w)
		}
	}
	return nil
}

// forPoolImages applies fn to every mirror-enabled image of the pool that
// matches want (primary or not).
func forPoolImages(ctx context.Context, env *Env, wantPrimary bool, verb string, fn func(model.ImageSpec) error) error {
	ps, c, err := poolAndSite(ctx, env)
	if err != nil {
		return err
	}
	imgs, err := mirror.ImagesNS(ctx, c, ps)
	if err = asUsage(err); err != nil {
		return err
	}
	n := 0
	var errs []error
	for _, img := range imgs {
		if img.MirrorState != model.MirrorEnabled || img.Primary != wantPrimary {
			continue
		}
		if err := fn(model.ImageSpec{Pool: ps.Pool, Namespace: ps.Namespace, Image: img.Name}); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", img.Name, err))
			continue
		}
		n++
	}
	fmt.Fprintf(env.Stdout, "%s %d mirrored images\n", verb, n)
	return errors.Join(errs...)
}

func runPoolPromote(ctx context.Context, env *Env) error {
	c, err := env.Site()
	if err != nil {
		return err
	}
	force := env.Inv.Bool("force")
	if force {
		if err := env.Confirm(fmt.Sprintf("Force-promote every non-primary image of the pool on site %s: split-brain where the peer is still primary.", c.Name()), "yes"); err != nil {
			return err
		}
	}
	return forPoolImages(ctx, env, false, "Promoted", func(s model.ImageSpec) error { return mirror.Promote(ctx, c, s, force) })
}

func runPoolDemote(ctx context.Context, env *Env) error {
	c, err := env.Site()
	if err != nil {
		return err
	}
	return forPoolImages(ctx, env, true, "Demoted", func(s model.ImageSpec) error { return mirror.Demote(ctx, c, s) })
}

// remoteSite resolves "[site/]pool" against the configuration: the site is
// the other configured site when omitted.
func remoteSite(env *Env, spec string, local *site.Conn) (*site.Conn, string, error) {
	cfg, err := env.Config()
	if err != nil {
		return nil, "", err
	}
	siteName, pool := "", spec
	if i := strings.IndexByte(spec, '/'); i >= 0 {
		siteName, pool = spec[:i], spec[i+1:]
	}
	if pool == "" || strings.Contains(pool, "/") {
		return nil, "", Usagef("remote pool spec %q: expected [<site>/]<pool>", spec)
	}
	if siteName == "" {
		for _, s := range cfg.Sites {
			if s.Name != local.Name() {
				if siteName != "" {
					return nil, "", Usagef("several other sites are configured: name one, as <site>/%s", pool)
				}
				siteName = s.Name
			}
		}
		if siteName == "" {
			return nil, "", Usagef("no other site is configured to peer with")
		}
	}
	if siteName == local.Name() {
		return nil, "", Usagef("a site cannot be its own peer (%s)", siteName)
	}
	rc, err := env.SiteNamed(siteName)
	if err != nil {
		return nil, "", err
	}
	return rc, pool, nil
}

func mirrorSiteName(ctx context.Context, c *site.Conn, pool string) string {
	pi, err := mirror.GetPoolInfo(ctx, c, model.PoolSpec{Pool: pool}, false)
	if err != nil || pi.SiteName == "" {
		return c.Name()
	}
	return pi.SiteName
}

func runPoolAdd(ctx context.Context, env *Env) error {
	local, err := env.Site()
	if err != nil {
		return err
	}
	remote, pool, err := remoteSite(env, env.Inv.Arg("remote-pool-spec"), local)
	if err != nil {
		return err
	}
	for _, c := range []*site.Conn{local, remote} {
		pi, err := mirror.GetPoolInfo(ctx, c, model.PoolSpec{Pool: pool}, false)
		if err != nil {
			return err
		}
		if pi.Mode == "disabled" {
			return Usagef("mirroring is not enabled on pool %s on site %s: run `rbdtui --site %s mirror pool enable %s image` first", pool, c.Name(), c.Name(), pool)
		}
		other := mirrorSiteName(ctx, remote, pool)
		if c == remote {
			other = mirrorSiteName(ctx, local, pool)
		}
		for _, p := range pi.Peers {
			if p.SiteName == other {
				return Usagef("site %s already has %s as a peer of pool %s (uuid %s); nothing was changed", c.Name(), other, pool, p.UUID)
			}
		}
	}
	token, err := mirror.CreateBootstrapToken(ctx, remote, pool)
	if err != nil {
		return err
	}
	if err := asUsage(mirror.ImportBootstrapToken(ctx, local, pool, token, 2)); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "Peers registered both ways: %s <-> %s (pool %s, rx-tx)\n", local.Name(), remote.Name(), pool)
	return nil
}

func runPoolRemove(ctx context.Context, env *Env) error {
	local, err := env.Site()
	if err != nil {
		return err
	}
	remote, pool, err := remoteSite(env, env.Inv.Arg("remote-pool-spec"), local)
	if err != nil {
		return err
	}
	ln, rn := mirrorSiteName(ctx, local, pool), mirrorSiteName(ctx, remote, pool)
	removed := 0
	for _, pair := range []struct {
		c     *site.Conn
		other string
	}{{local, rn}, {remote, ln}} {
		peers, err := mirror.Peers(ctx, pair.c, pool)
		if err != nil {
			return err
		}
		for _, p := range peers {
			if p.SiteName == pair.other {
				if err := mirror.RemovePeer(ctx, pair.c, pool, p.UUID); err != nil {
					return err
				}
				removed++
			}
		}
	}
	if removed == 0 {
		return Usagef("%s and %s are not peers of pool %s; nothing was changed", local.Name(), remote.Name(), pool)
	}
	fmt.Fprintf(env.Stdout, "Peer %s removed from %s and %s removed from %s (pool %s)\n", rn, local.Name(), ln, remote.Name(), pool)
	return nil
}

func runPeerAdd(ctx context.Context, env *Env) error {
	ps, c, err := wholePoolAndSite(env)
	if err != nil {
		return err
	}
	remote := env.Inv.Arg("remote-cluster-spec")
	client, cluster := "client.admin", remote
	if i := strings.IndexByte(remote, '@'); i >= 0 {
		client, cluster = remote[:i], remote[i+1:]
	}
	if v := env.Inv.Flag("remote-client-name"); v != "" {
		client = v
	}
	if v := env.Inv.Flag("remote-cluster"); v != "" {
		cluster = v
	}
	if cluster == "" {
		return Usagef("remote cluster name missing in %q", remote)
	}
	dir, err := mirror.ParseDirection(env.Inv.Flag("direction"))
	if err != nil {
		return asUsage(err)
	}
	attrs := map[string]string{}
	if v := env.Inv.Flag("remote-mon-host"); v != "" {
		attrs["mon_host"] = v
	}
	if f := env.Inv.Flag("remote-key-file"); f != "" {
		key, err := os.ReadFile(f)
		if err != nil {
			return Usagef("--remote-key-file: %v", err)
		}
		attrs["key"] = strings.TrimSpace(string(key))
	}
	uuid, err := mirror.AddPeer(ctx, c, ps.Pool, cluster, client, dir, attrs)
	if err = asUsage(err); err != nil {
		return err
	}
	fmt.Fprintln(env.Stdout, uuid)
	return nil
}

func runPeerRemove(ctx context.Context, env *Env) error {
	ps, c, err := wholePoolAndSite(env)
	if err != nil {
		return err
	}
	return asUsage(mirror.RemovePeer(ctx, c, ps.Pool, env.Inv.Arg("uuid")))
}

func runPeerSet(ctx context.Context, env *Env) error {
	ps, c, err := wholePoolAndSite(env)
	if err != nil {
		return err
	}
	return asUsage(mirror.SetPeer(ctx, c, ps.Pool, env.Inv.Arg("uuid"), env.Inv.Arg("key"), env.Inv.Arg("value")))
}

func runBootstrapCreate(ctx context.Context, env *Env) error {
	ps, c, err := wholePoolAndSite(env)
	if err != nil {
		return err
	}
	out, show := env.Inv.Flag("output"), env.Inv.Bool("show-token")
	if out == "" && !show {
		return Usagef("a bootstrap token holds a cephx key: write it to a file with --output FILE (mode 0600), or print it with --show-token")
	}
	// The output file is claimed (O_EXCL, mode 0600) before anything
	// changes, so a file that exists or a directory that cannot be
	// written refuses the command with the site name untouched.
	var f *os.File
	if out != "" {
		if f, err = os.OpenFile(out, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600); err != nil {
			return Usagef("--output %s: %v; nothing was changed", out, err)
		}
		defer func() {
			if f != nil { // not written: leave no empty token file behind
				f.Close()
				os.Remove(out)
			}
		}()
	}
	if n := env.Inv.Flag("site-name"); n != "" {
		if err := mirror.SetSiteName(ctx, c, n); err != nil {
			return err
		}
	}
	tok, err := mirror.CreateBootstrapToken(ctx, c, ps.Pool)
	if err != nil {
		return err
	}
	if f != nil {
		_, err := f.WriteString(tok + "\n")
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
		f = nil
		fmt.Fprintf(env.Stderr, "token written to %s (mode 0600)\n", out)
	}
	if show {
		fmt.Fprintln(env.Stdout, tok)
	}
	return nil
}

func runBootstrapImport(ctx context.Context, env *Env) error {
	ps, c, err := wholePoolAndSite(env)
	if err != nil {
		return err
	}
	path := env.Inv.Arg("token-path")
	var data []byte
	if path == "-" {
		data, err = io.ReadAll(env.Stdin)
	} else {
		data, err = os.ReadFile(path)
	}
	if err != nil {
		return Usagef("token %s: %v", path, err)
	}
	if len(strings.TrimSpace(string(data))) == 0 {
		return Usagef("token %s is empty", path)
	}
	dir, err := mirror.ParseDirection(env.Inv.Flag("direction"))
	if err != nil {
		return asUsage(err)
	}
	if n := env.Inv.Flag("site-name"); n != "" {
		if err := mirror.SetSiteName(ctx, c, n); err != nil {
			return err
		}
	}
	if err := asUsage(mirror.ImportBootstrapToken(ctx, c, ps.Pool, string(data), dir)); err != nil {
		return fmt.Errorf("failed to import peer bootstrap token: %w", err)
	}
	return nil
}

// levelArgs is a schedule command's level: --pool (pool or pool/namespace),
// --namespace, --image (which may be a whole image spec), as rbd reads them.
func levelArgs(env *Env) (pool, ns, image string, err error) {
	inv := env.Inv
	if inv.Has("image") {
		spec, err := env.ImageSpec("no-such-arg")
		if err != nil {
			return "", "", "", err
		}
		return spec.Pool, spec.Namespace, spec.Image, nil
	}
	if !inv.Has("pool") {
		if inv.Has("namespace") {
			return "", "", "", Usagef("--namespace needs --pool")
		}
		return "", "", "", nil
	}
	ps, err := env.PoolSpec("no-such-arg")
	if err != nil {
		return "", "", "", err
	}
	return ps.Pool, ps.Namespace, "", nil
}

// scheduleTarget is the site and level spec of a schedule command; an
// unknown namespace is refused here, by name.
func scheduleTarget(ctx context.Context, env *Env) (c *site.Conn, pool, ns, img string, err error) {
	if c, err = env.Site(); err != nil {
		return nil, "", "", "", err
	}
	if pool, ns, img, err = levelArgs(env); err != nil {
		return nil, "", "", "", err
	}
	if pool != "" {
		err = asUsage(mirror.CheckNamespace(ctx, c, pool, ns))
	}
	return c, pool, ns, img, err
}

func runScheduleAdd(ctx context.Context, env *Env) error {
	c, pool, ns, img, err := scheduleTarget(ctx, env)
	if err != nil {
		return err
	}
	return asUsage(mirror.AddSchedule(ctx, c, pool, ns, img, env.Inv.Arg("interval"), env.Inv.Arg("start-time")))
}

func runScheduleRemove(ctx context.Context, env *Env) error {
	c, pool, ns, img, err := scheduleTarget(ctx, env)
	if err != nil {
		return err
	}
	return asUsage(mirror.RemoveSchedule(ctx, c, pool, ns, img, env.Inv.Arg("interval"), env.Inv.Arg("start-time")))
}

func runScheduleLs(ctx context.Context, env *Env) error {
	c, pool, ns, img, err := scheduleTarget(ctx, env)
	if err != nil {
		return err
	}
	recursive := env.Inv.Bool("recursive")
	levels, err := mirror.ListSchedules(ctx, c, pool, ns, img, recursive)
	if err = asUsage(err); err != nil {
		return err
	}
	if !recursive {
		// rbd prints the level's own schedules: a bare list.
		items := levels[0].Items
		if env.Out.JSON() {
			return env.Out.Value(items)
		}
		fmt.Fprintln(env.Stdout, scheduleText(items))
		return nil
	}
	if env.Out.JSON() {
		return env.Out.Value(levels)
	}
	rows := [][]string{}
	for _, l := range levels {
		rows = append(rows, []string{l.Pool, l.Namespace, l.Image, scheduleText(l.Items)})
	}
	return env.Out.Table([]string{"POOL", "NAMESPACE", "IMAGE", "SCHEDULE"}, rows)
}

// scheduleText is rbd's "every 1m, every 1h starting at 19:00:00".
func scheduleText(items []mirror.ScheduleItem) string {
	var out []string
	for _, it := range items {
		s := "every " + it.Interval
		if it.StartTime != "" {
			s += " starting at " + it.StartTime
		}
		out = append(out, s)
	}
	return strings.Join(out, ", ")
}

func runScheduleStatus(ctx context.Context, env *Env) error {
	c, pool, ns, img, err := scheduleTarget(ctx, env)
	if err != nil {
		return err
	}
	st, err := mirror.ScheduleStatus(ctx, c, pool, ns, img)
	if err = asUsage(err); err != nil {
		return err
	}
	if env.Out.JSON() {
		// rbd 16.2.15 prints a bare array.
		return env.Out.Value(st)
	}
	rows := [][]string{}
	for _, s := range st {
		rows = append(rows, []string{s.ScheduleTime, s.Image})
	}
	return env.Out.Table([]string{"SCHEDULE TIME", "IMAGE"}, rows)
}

func init() {
	handleFeature("mirroring", runFeatureMirroring)
}

// runFeatureMirroring is the proposal's `feature enable|disable <image>
// mirroring`, an alias of `mirror image enable|disable` (journal mode).
func runFeatureMirroring(ctx context.Context, env *Env) error {
	spec, _, err := featureTarget(env)
	if err != nil {
		return err
	}
	c, err := env.Site()
	if err != nil {
		return err
	}
	if env.Inv.Cmd.Name() == "feature enable" {
		return mirrorChange(env, spec, "", func() error { return mirror.Enable(ctx, c, spec, model.ModeJournal) }, "Mirroring enabled")
	}
	return mirrorChange(env, spec, disableQuestion(spec, c), func() error { return mirror.Disable(ctx, c, spec, false) }, "Mirroring disabled")
}
