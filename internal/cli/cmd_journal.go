package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/rbdtui/rbdtui/internal/grammar"
	"github.com/rbdtui/rbdtui/internal/journal"
	"github.com/rbdtui/rbdtui/internal/progress"
	"github.com/rbdtui/rbdtui/internal/site"
	"github.com/rbdtui/rbdtui/model"
)

func init() {
	handle("journal info", runJournalInfo)
	handle("journal status", runJournalStatus)
	handle("journal inspect", runJournalInspect)
	handle("journal export", runJournalExport)
	handle("journal import", runJournalImport)
	handle("journal reset", runJournalReset)
	handle("journal client disconnect", runJournalDisconnect)
	handle("feature enable", runFeatureEnable)
	handle("feature disable", runFeatureDisable)
}

// journalErr is kept so that the handlers other branches are editing need no
// change; refusals map to their exit code in ExitCode, in one place.
// (Inline it when merged.)
func journalErr(err error) error { return err }

// specNames are the option names that name a journal: the source journal
// (--pool, --image...) or import's destination (--dest-pool, --dest...).
type specNames struct{ pool, ns, image, journal string }

var (
	srcNames  = specNames{"pool", "namespace", "image", "journal"}
	destNames = specNames{"dest-pool", "dest-namespace", "dest", "dest-journal"}
)

// resolveJournal turns rbd's journal-spec grammar into a journal spec:
// [<pool>/[<namespace>/]]<journal-id> positionally, else --journal <id> or
// --image <name> with --pool/--namespace; the pool defaults to rbd.
func resolveJournal(ctx context.Context, env *Env, c *site.Conn, positional, argName string, n specNames) (journal.Spec, error) {
	inv := env.Inv
	pool, ns := inv.Flag(n.pool), inv.Flag(n.ns)
	if i := strings.IndexByte(pool, '/'); i >= 0 {
		// --pool pool/namespace, as rbd accepts it.
		ps, err := model.ParsePoolSpec(pool)
		if err != nil {
			return journal.Spec{}, Usagef("--%s: %v", n.pool, err)
		}
		if ns != "" {
			return journal.Spec{}, Usagef("namespace given twice: in --%s %q and with --%s", n.pool, pool, n.ns)
		}
		pool, ns = ps.Pool, ps.Namespace
	}
	var id string
	if positional != "" {
		if inv.Has(n.journal) || inv.Has(n.image) {
			return journal.Spec{}, Usagef("give the journal either as <%s> or with --%s/--%s, not both", argName, n.journal, n.image)
		}
		parts := strings.Split(positional, "/")
		switch len(parts) {
		case 1:
			id = parts[0]
		case 2:
			pool, id = parts[0], parts[1]
		case 3:
			pool, ns, id = parts[0], parts[1], parts[2]
		default:
			return journal.Spec{}, Usagef("journal spec %q: expected [<pool>/[<namespace>/]]<journal-id>", positional)
		}
		if id == "" || (len(parts) > 1 && pool == "") {
			return journal.Spec{}, Usagef("journal spec %q: empty pool or journal name", positional)
		}
	}
	if pool == "" {
		pool = model.DefaultPool
	}
	switch {
	case id != "":
	case inv.Has(n.journal) && inv.Has(n.image):
		return journal.Spec{}, Usagef("--%s and --%s both name the journal; give one", n.journal, n.image)
	case inv.Has(n.journal):
		id = inv.Flag(n.journal)
	case inv.Has(n.image):
		is := model.ImageSpec{Pool: pool, Namespace: ns, Image: inv.Flag(n.image)}
		if v := inv.Flag(n.image); strings.Contains(v, "/") {
			// --image pool/[namespace/]image, as rbd accepts it.
			if inv.Has(n.pool) || inv.Has(n.ns) {
				return journal.Spec{}, Usagef("--%s %q names its pool; drop --%s/--%s", n.image, v, n.pool, n.ns)
			}
			var err error
			if is, err = model.ParseImageSpec(v, false); err != nil {
				return journal.Spec{}, Usagef("--%s: %v", n.image, err)
			}
		}
		spec, err := journal.SpecOfImage(ctx, c, is)
		return spec, journalErr(err)
	default:
		return journal.Spec{}, grammar.Missing(inv, argName)
	}
	return journal.Spec{Pool: pool, Namespace: ns, ID: id}, nil
}

// openJournal resolves the command's source journal and opens it.
func openJournal(ctx context.Context, env *Env, positional string) (*journal.Journal, error) {
	c, err := env.Site()
	if err != nil {
		return nil, err
	}
	spec, err := resolveJournal(ctx, env, c, positional, "journal-spec", srcNames)
	if err != nil {
		return nil, err
	}
	j, err := journal.Open(ctx, c, spec)
	if errors.Is(err, journal.ErrNoJournal) && positional != "" {
		// rbd's grammar: a positional spec names the journal id (the
		// image id), not the image; rbd/vol1 is a common slip.
		return nil, fmt.Errorf("%w\n<journal-spec> %s names a journal by its id (the image id); to name the image, use --pool %s --image %s", err, positional, spec.Pool, spec.ID)
	}
	return j, err
}

func sizeText(order uint8) string { return model.Bytes(1 << order) }

func runJournalInfo(ctx context.Context, env *Env) error {
	j, err := openJournal(ctx, env, env.Inv.Arg("journal-spec"))
	if err != nil {
		return err
	}
	in := j.Info()
	if env.Out.JSON() {
		return env.Out.Value(in)
	}
	w := env.Stdout
	fmt.Fprintf(w, "rbd journal '%s':\n", in.JournalID)
	fmt.Fprintf(w, "\theader_oid: %s\n\tobject_oid_prefix: %s\n", in.HeaderOID, in.ObjectOIDPrefix)
	fmt.Fprintf(w, "\torder: %d (%s objects)\n\tsplay_width: %d\n", in.Order, sizeText(in.Order), in.SplayWidth)
	if in.ObjectPool != "" {
		fmt.Fprintf(w, "\tobject_pool: %s\n", in.ObjectPool)
	}
	return nil
}

// statusClientJSON keeps rbd's keys first, then the growth analysis.
type statusClientJSON struct {
	ID             string `json:"id"`
	Data           string `json:"data"`
	CommitPosition struct {
		ObjectPositions []journal.ObjectPosition `json:"object_positions"`
	} `json:"commit_position"`
	State         string              `json:"state"`
	Meta          *journal.ClientMeta `json:"client_meta,omitempty"`
	LagEntries    int                 `json:"lag_entries"`
	LagBytes      int64               `json:"lag_bytes"`
	CommitSet     uint64              `json:"commit_set"`
	PinnedObjects int                 `json:"pinned_objects"`
	PinnedBytes   int64               `json:"pinned_bytes"`
}

func runJournalStatus(ctx context.Context, env *Env) error {
	j, err := openJournal(ctx, env, env.Inv.Arg("journal-spec"))
	if err != nil {
		return err
	}
	st, err := j.Status(ctx)
	if err != nil {
		return err
	}
	if env.Out.JSON() {
		out := struct {
			MinimumSet       uint64              `json:"minimum_set"`
			ActiveSet        uint64              `json:"active_set"`
			Clients          []statusClientJSON  `json:"registered_clients"`
			Tags             []journal.TagStatus `json:"tags"`
			Objects          int                 `json:"objects"`
			Bytes            int64               `json:"bytes"`
			Entries          int                 `json:"entries"`
			TrimmableObjects int                 `json:"trimmable_objects"`
			TrimmableBytes   int64               `json:"trimmable_bytes"`
			Problems         []string            `json:"problems,omitempty"`
		}{MinimumSet: st.MinimumSet, ActiveSet: st.ActiveSet, Clients: []statusClientJSON{}, Tags: st.Tags, Objects: st.Objects, Bytes: st.Bytes,
			Entries: st.Entries, TrimmableObjects: st.TrimmableObjects, TrimmableBytes: st.TrimmableBytes, Problems: st.Problems}
		for i, c := range st.Clients {
			x := statusClientJSON{ID: c.ID, Data: journal.Hexdump(j.Header.Clients[i].Data), State: c.State, Meta: c.Meta,
				LagEntries: c.LagEntries, LagBytes: c.LagBytes, CommitSet: c.CommitSet, PinnedObjects: c.PinnedObjects, PinnedBytes: c.PinnedBytes}
			x.CommitPosition.ObjectPositions = c.Commit
			out.Clients = append(out.Clients, x)
		}
		if env.Inv.Bool("verbose") {
			return env.Out.Value(out)
		}
		// rbd's shape exactly: the analysis stays behind --verbose.
		type rbdClient struct {
			ID             string `json:"id"`
			Data           string `json:"data"`
			CommitPosition struct {
				ObjectPositions []journal.ObjectPosition `json:"object_positions"`
			} `json:"commit_position"`
			State string `json:"state"`
		}
		plain := struct {
			MinimumSet uint64      `json:"minimum_set"`
			ActiveSet  uint64      `json:"active_set"`
			Clients    []rbdClient `json:"registered_clients"`
		}{MinimumSet: st.MinimumSet, ActiveSet: st.ActiveSet, Clients: []rbdClient{}}
		for _, c := range out.Clients {
			x := rbdClient{ID: c.ID, Data: c.Data, State: c.State}
			x.CommitPosition.ObjectPositions = c.CommitPosition.ObjectPositions
			plain.Clients = append(plain.Clients, x)
		}
		return env.Out.Value(plain)
	}
	w := env.Stdout
	fmt.Fprintf(w, "minimum_set: %d\nactive_set: %d\nregistered clients: \n", st.MinimumSet, st.ActiveSet)
	for _, c := range st.Clients {
		var ps []string
		for _, p := range c.Commit {
			ps = append(ps, p.String())
		}
		fmt.Fprintf(w, "\t[id=%s, commit_position=[positions=[%s]], state=%s]\n", c.ID, strings.Join(ps, ", "), c.State)
	}
	fmt.Fprintf(w, "\nstored: %d entries, %s in %d objects (sets %d..%d)\n", st.Entries, bytesText(st.Bytes), st.Objects, st.MinimumSet, st.ActiveSet)
	fmt.Fprintf(w, "trimming would free now: %s in %d objects\n", bytesText(st.TrimmableBytes), st.TrimmableObjects)
	var tags []string
	for _, t := range st.Tags {
		tags = append(tags, fmt.Sprintf("%d (class %d, %s)", t.TID, t.Class, t.Owner))
	}
	fmt.Fprintf(w, "tags: %s\n", strings.Join(tags, ", "))
	rows := [][]string{}
	for _, c := range st.Clients {
		id := c.ID
		if id == "" {
			id = `"" (image)`
		}
		kind := "-"
		if c.Meta != nil {
			kind = c.Meta.TypeName
		}
		rows = append(rows, []string{id, kind, c.State, fmt.Sprint(c.LagEntries), bytesText(c.LagBytes), fmt.Sprint(c.CommitSet),
			fmt.Sprintf("%d (%s)", c.PinnedObjects, bytesText(c.PinnedBytes))})
	}
	fmt.Fprintln(w)
	if err := env.Out.Table([]string{"CLIENT", "KIND", "STATE", "LAG-ENTRIES", "LAG-BYTES", "NEEDS-SET", "PINS-OBJECTS"}, rows); err != nil {
		return err
	}
	for _, p := range st.Problems {
		fmt.Fprintf(w, "problem: %s\n", p)
	}
	return nil
}

func bytesText(n int64) string { return model.Bytes(uint64(max(n, 0))) }

// prettyFields renders an event as Ceph's pretty JSON formatter does.
func prettyFields(f journal.Fields) string {
	var b strings.Builder
	b.WriteString("{\n")
	for i, kv := range f {
		one, _ := journal.Fields{kv}.MarshalJSON()
		s := string(one[1 : len(one)-1])
		k := strings.Index(s, `":`)
		b.WriteString("    " + s[:k+2] + " " + s[k+2:])
		if i < len(f)-1 {
			b.WriteByte(',')
		}
		b.WriteByte('\n')
	}
	b.WriteString("}\n")
	return b.String()
}

func runJournalInspect(ctx context.Context, env *Env) error {
	j, err := openJournal(ctx, env, env.Inv.Arg("journal-spec"))
	if err != nil {
		return err
	}
	verbose := env.Inv.Bool("verbose")
	w := bufio.NewWriter(env.Stdout)
	defer w.Flush()
	opt := journal.ScanOptions{}
	if verbose && !env.Out.JSON() {
		opt.Entry = func(r journal.Replayed, ev *journal.Event, err error) {
			if err != nil {
				fmt.Fprintf(env.Stderr, "failed to decode event entry: %v\n", err)
				return
			}
			fmt.Fprintf(w, "Entry: tag_id=%d, commit_tid=%d\n%s", r.TagTID, r.CommitTID, prettyFields(ev.DumpFields()))
		}
	}
	res, err := j.Scan(ctx, opt)
	if err != nil {
		return err
	}
	if env.Out.JSON() {
		if err := env.Out.Value(res); err != nil {
			return err
		}
	} else {
		fmt.Fprintf(w, "Summary:\n  %d entries inspected, %d errors\n", res.Inspected, res.Errors)
		fmt.Fprintf(w, "\nJournal %s: %d entries stored in %d objects (%s)\n", j.Spec, res.Retained, res.Objects, bytesText(res.Bytes))
		if len(res.Findings) == 0 {
			fmt.Fprintln(w, "No structural faults found.")
		}
		for _, f := range res.Findings {
			fmt.Fprintln(w, f.String())
		}
	}
	if res.Faulty() {
		n := 0
		for _, f := range res.Findings {
			if f.Severity == "error" {
				n++
			}
		}
		return fmt.Errorf("journal %s has %d structural faults and %d undecodable entries", j.Spec, n, res.Errors)
	}
	return nil
}

// exportTarget splits export's positionals: with --journal/--image (or
// --path) a single positional is the path.
func exportTarget(env *Env) (spec, path string, err error) {
	inv := env.Inv
	spec, path = inv.Arg("journal-spec"), inv.Arg("path")
	if inv.Has("path") {
		if path != "" {
			return "", "", Usagef("the export path is given twice (positional and --path)")
		}
		path = inv.Flag("path")
	}
	if path == "" && spec != "" && (inv.Has("journal") || inv.Has("image")) {
		spec, path = "", spec
	}
	if path == "" {
		return "", "", grammar.Missing(inv, "path")
	}
	return spec, path, nil
}

func runJournalExport(ctx context.Context, env *Env) error {
	specArg, path, err := exportTarget(env)
	if err != nil {
		return err
	}
	j, err := openJournal(ctx, env, specArg)
	if err != nil {
		return err
	}
	var out io.Writer
	var f *os.File
	summary := env.Stdout
	if path == "-" {
		out, summary = env.RawStdout, env.Stderr
	} else {
		// O_EXCL as rbd: never overwrite an existing file.
		f, err = os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600) // it holds the image's data
		if err != nil {
			return fmt.Errorf("export file: %w", err)
		}
		out = f
	}
	// No bufio: the engine writes chunks of a megabyte or more, and
	// copying them once more costs as much as writing them.
	opt := journal.ExportOptions{FromStart: env.Inv.Bool("from-start"), NoError: env.Inv.Bool("no-error"), Decode: env.Inv.Bool("decode")}
	if env.Inv.Bool("verbose") {
		// rbd prints these on stdout, where they mix with `-`; stderr here.
		vw := bufio.NewWriter(env.Stderr)
		defer vw.Flush()
		opt.Written = func(r journal.Replayed) {
			if ev, err := journal.DecodeEvent(r.Data); err == nil {
				fmt.Fprintf(vw, "Entry: tag_id=%d, commit_tid=%d\n%s", r.TagTID, r.CommitTID, prettyFields(ev.DumpFields()))
			}
		}
	}
	if env.Progress != nil {
		// The console's job shows how far the export is: every 1,024
		// entries written (and the last) is one progress event.
		verbose, n, start := opt.Written, int64(0), time.Now()
		opt.Written = func(r journal.Replayed) {
			if verbose != nil {
				verbose(r)
			}
			if n++; n%1024 == 0 {
				env.Progressf(model.Progress{Step: "export", Object: j.Spec.String(), Done: n, Elapsed: time.Since(start), Message: fmt.Sprintf("%d entries written", n)})
			}
		}
	}
	pl := env.progressLine("exporting " + j.Spec.String())
	var counts progress.Counts
	if pl != nil {
		// On a terminal: entries, bytes and rate on stderr as they are written.
		inner := opt.Written
		opt.Written = func(r journal.Replayed) {
			if inner != nil {
				inner(r)
			}
			counts.Entries++
			counts.Bytes += int64(len(r.Data))
			pl.Update(counts)
		}
	}
	res, err := j.Export(ctx, out, opt)
	if pl != nil {
		pl.Done(counts)
	}
	if f != nil {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if !env.Out.JSON() {
		fmt.Fprintf(summary, "%d entries processed, %d errors\n", res.Entries, res.Errors)
	} else if path != "-" {
		if verr := env.Out.Value(res); verr != nil && err == nil {
			err = verr
		}
	}
	return err
}

func runJournalImport(ctx context.Context, env *Env) error {
	inv := env.Inv
	path, dest := inv.Arg("path"), inv.Arg("dest-journal-spec")
	if inv.Has("path") {
		if dest == "" && path != "" {
			dest = path
		}
		path = inv.Flag("path")
	}
	if path == "" {
		return grammar.Missing(inv, "path")
	}
	var data []byte
	var err error
	if path == "-" {
		data, err = io.ReadAll(env.Stdin)
	} else {
		data, err = os.ReadFile(path)
	}
	if err != nil {
		return fmt.Errorf("import file: %w", err)
	}
	// The whole file is checked before anything is written.
	recs, err := journal.ParseExport(data)
	if err != nil {
		return &exitError{code: ExitFail, err: fmt.Errorf("%s: %w; nothing was imported", path, err)}
	}
	c, err := env.Site()
	if err != nil {
		return err
	}
	spec, err := resolveJournal(ctx, env, c, dest, "dest-journal-spec", destNames)
	if err != nil {
		return err
	}
	j, err := journal.Open(ctx, c, spec)
	if err != nil {
		return err
	}
	// A librbd client with the image open appends with its own entry
	// tids; interleaving with it would corrupt the journal.
	if n, err := journal.ImageWatchers(ctx, c, spec); err == nil && n > 0 {
		return &exitError{code: ExitUsage, err: fmt.Errorf("image of journal %s is open by %d client(s); close it before importing; nothing was imported", spec, n)}
	}
	if inv.Bool("verbose") {
		for _, r := range recs {
			if ev, err := journal.DecodeEvent(r.Data); err == nil {
				fmt.Fprintf(env.Stderr, "Entry: tag_id=%d, commit_tid=%d\n%s", r.TagTID, r.CommitTID, prettyFields(ev.DumpFields()))
			}
		}
	}
	var report func(int, int64)
	pl := env.progressLine("importing into " + spec.String())
	counts := progress.Counts{TotalEntries: int64(len(recs))}
	if pl != nil {
		report = func(n int, b int64) {
			counts.Entries, counts.Bytes = int64(n), b
			pl.Update(counts)
		}
	}
	res, err := j.ImportReporting(ctx, recs, journal.ImportOptions{SkipExisting: inv.Bool("skip-existing")}, report)
	if pl != nil {
		pl.Done(counts)
	}
	if env.Out.JSON() {
		if verr := env.Out.Value(res); verr != nil && err == nil {
			err = verr
		}
	} else if err == nil || res.Entries > 0 {
		fmt.Fprintf(env.Stdout, "%d entries processed, 0 errors\n", res.Entries)
		if res.Skipped > 0 {
			fmt.Fprintf(env.Stdout, "%d entries skipped: the journal already held them\n", res.Skipped)
		}
	}
	return journalErr(err)
}

// confirm asks at the level the command declares (Env.Confirm).
func confirm(env *Env, question string) error { return env.Confirm(question, "") }

func runJournalReset(ctx context.Context, env *Env) error {
	j, err := openJournal(ctx, env, env.Inv.Arg("journal-spec"))
	if err != nil {
		return err
	}
	h := j.Header
	how := "recreated from the current journal settings"
	if env.Inv.Bool("keep-geometry") {
		how = fmt.Sprintf("recreated with order %d, splay width %d", h.Order, h.SplayWidth)
	}
	var ids []string
	for _, c := range h.Clients {
		ids = append(ids, fmt.Sprintf("%q", c.ID))
	}
	opt := journal.ResetOptions{KeepGeometry: env.Inv.Bool("keep-geometry")}
	// Refusals and warnings come before the question.
	plan, err := journal.PlanReset(ctx, j.Conn(), j.Spec, opt)
	if err != nil {
		return journalErr(err)
	}
	for _, w := range plan.Warnings {
		fmt.Fprintf(env.Stderr, "warning: %s\n", w)
	}
	q := fmt.Sprintf("Reset the journal of %s (%s)? Every entry (sets %d..%d) and tag is deleted, clients %s are unregistered, and the journal is %s.",
		plan.Image, j.Spec, h.MinimumSet, h.ActiveSet, strings.Join(ids, ", "), how)
	if err := confirm(env, q); err != nil {
		return err
	}
	res, err := journal.Reset(ctx, j.Conn(), j.Spec, opt)
	if err != nil {
		return journalErr(err)
	}
	if env.Out.JSON() {
		return env.Out.Value(res)
	}
	fmt.Fprintf(env.Stdout, "journal of %s reset: order %d, splay width %d", res.Image, res.After.Order, res.After.SplayWidth)
	if res.After.ObjectPool != "" {
		fmt.Fprintf(env.Stdout, ", pool %s", res.After.ObjectPool)
	}
	fmt.Fprintln(env.Stdout)
	return nil
}

func runJournalDisconnect(ctx context.Context, env *Env) error {
	j, err := openJournal(ctx, env, env.Inv.Arg("journal-spec"))
	if err != nil {
		return err
	}
	var id *string
	if env.Inv.Has("client-id") {
		s := env.Inv.Flag("client-id")
		id = &s
	}
	res, err := j.DisconnectClients(ctx, id)
	if err != nil {
		return journalErr(err)
	}
	if env.Out.JSON() {
		return env.Out.Value(res)
	}
	for _, c := range res.Disconnected {
		fmt.Fprintf(env.Stdout, "client %s disconnected\n", c)
	}
	return nil
}

// featureTarget splits feature's positionals: with --image every
// positional is a feature.
func featureTarget(env *Env) (model.ImageSpec, []string, error) {
	inv := env.Inv
	args := append([]string(nil), inv.Args["image-spec"]...)
	args = append(args, inv.Args["features"]...)
	var spec model.ImageSpec
	if inv.Has("image") {
		s, err := env.ImageSpec("no-such-arg")
		if err != nil {
			return spec, nil, err
		}
		spec = s
	} else {
		if len(args) == 0 {
			return spec, nil, grammar.Missing(inv, "image-spec")
		}
		s, err := model.ParseImageSpec(args[0], false)
		if err != nil {
			return spec, nil, Usagef("%v", err)
		}
		if inv.Has("pool") && !strings.Contains(args[0], "/") {
			s.Pool = inv.Flag("pool")
		}
		if inv.Has("namespace") && s.Namespace == "" {
			s.Namespace = inv.Flag("namespace")
		}
		spec, args = s, args[1:]
	}
	if len(args) == 0 {
		return spec, nil, grammar.Missing(inv, "features")
	}
	return spec, args, nil
}

// featureHandlers lets another area own a feature name of `feature
// enable|disable` (the mirroring area registers "mirroring" with
// handleFeature in its init); the journal area handles the rest.
var featureHandlers = map[string]Handler{}

func handleFeature(name string, h Handler) {
	if _, dup := featureHandlers[name]; dup {
		panic("cli: two handlers for feature " + name)
	}
	featureHandlers[name] = h
}

func runFeatureEnable(ctx context.Context, env *Env) error { return runFeature(ctx, env, true) }

func runFeatureDisable(ctx context.Context, env *Env) error { return runFeature(ctx, env, false) }

func runFeature(ctx context.Context, env *Env, enable bool) error {
	spec, features, err := featureTarget(env)
	if err != nil {
		return err
	}
	for _, f := range features {
		if h := featureHandlers[f]; h != nil {
			if len(features) > 1 {
				return Usagef("feature %s is handled on its own; give it alone", f)
			}
			return h(ctx, env)
		}
	}
	inv := env.Inv
	js := journal.JournalSettings{Pool: inv.Flag("journal-pool"), SplayWidth: inv.Int("journal-splay-width", 0),
		ObjectSize: inv.SizeBytes("journal-object-size", 0), Options: map[string]string{}}
	if inv.Has("journal-splay-width") && js.SplayWidth == 0 {
		return Usagef("--journal-splay-width must be at least 1")
	}
	for _, kv := range inv.Flags["journal-option"] {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" || v == "" {
			return Usagef("--journal-option %q: expected key=value (e.g. commit_age=2)", kv)
		}
		js.Options[k] = v
	}
	c, err := env.Site()
	if err != nil {
		return err
	}
	res, err := journal.UpdateFeatures(ctx, c, spec, features, enable, js)
	if err != nil {
		return journalErr(err)
	}
	if env.Out.JSON() {
		return env.Out.Value(res)
	}
	verb := "disabled"
	if enable {
		verb = "enabled"
	}
	fmt.Fprintf(env.Stdout, "%s on %s: %s\n", verb, spec, strings.Join(features, " "))
	keys := make([]string, 0, len(res.Metadata))
	for k := range res.Metadata {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(env.Stdout, "  metadata %s = %s\n", k, res.Metadata[k])
	}
	if res.Journal != nil {
		fmt.Fprintf(env.Stdout, "  journal %s: order %d (%s objects), splay width %d\n", res.Journal.JournalID, res.Journal.Order, sizeText(res.Journal.Order), res.Journal.SplayWidth)
	}
	return nil
}
