package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/rbdtui/rbdtui/internal/cli"
	"github.com/rbdtui/rbdtui/internal/journal"
	"github.com/rbdtui/rbdtui/internal/lab"
	"github.com/rbdtui/rbdtui/internal/labtest"
	"github.com/rbdtui/rbdtui/internal/site"
	"github.com/rbdtui/rbdtui/model"
)

type jlab struct {
	st  *lab.State
	cfg string
	c   *site.Conn
}

func newJLab(t *testing.T) *jlab {
	st := labtest.Require(t)
	m := site.NewManager(labtest.Config(t, st))
	t.Cleanup(m.Close)
	c, _ := m.Site(lab.SiteA)
	return &jlab{st: st, cfg: st.ConfigPath(), c: c}
}

func (l *jlab) rbd(t *testing.T, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, "rbd", append([]string{"-c", l.st.Site(lab.SiteA).Conf}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("rbd %v: %v\n%s", args, err, out)
	}
	return string(out)
}

func (l *jlab) run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	return run(t, append([]string{"--config", l.cfg}, args...)...)
}

var seq = time.Now().UnixNano() % 100000

func (l *jlab) image(t *testing.T, prefix string, args ...string) string {
	seq++
	name := fmt.Sprintf("%s-%d", prefix, seq)
	l.rbd(t, append([]string{"create", "--size", "32M", name}, args...)...)
	t.Cleanup(func() {
		for _, a := range [][]string{{"mirror", "image", "disable", "--force", name}, {"snap", "purge", name}, {"rm", name}} {
			exec.Command("rbd", append([]string{"-c", l.st.Site(lab.SiteA).Conf}, a...)...).Run()
		}
	})
	return name
}

func (l *jlab) info(t *testing.T, name string) journal.Info {
	code, out, errOut := l.run(t, "journal", "info", "--image", name, "--format", "json")
	if code != 0 {
		t.Fatalf("journal info: %d %s", code, errOut)
	}
	var in journal.Info
	if err := json.Unmarshal([]byte(out), &in); err != nil {
		t.Fatal(err)
	}
	return in
}

func TestFeatureEnableDisableJournaling(t *testing.T) {
	l := newJLab(t)
	name := l.image(t, "jfeat", "--image-feature", "layering,exclusive-lock")
	code, out, errOut := l.run(t, "feature", "enable", name, "journaling", "--journal-splay-width", "2",
		"--journal-object-size", "1M", "--journal-option", "commit_age=2", "--journal-option", "rbd_journal_max_payload_bytes=8192")
	if code != 0 {
		t.Fatalf("enable: %d %s %s", code, out, errOut)
	}
	in := l.info(t, name)
	if in.Order != 20 || in.SplayWidth != 2 {
		t.Errorf("journal geometry %+v, want order 20 splay 2", in)
	}
	md := l.rbd(t, "image-meta", "list", name)
	for _, w := range []string{"conf_rbd_journal_commit_age", "conf_rbd_journal_max_payload_bytes"} {
		if !strings.Contains(md, w) {
			t.Errorf("metadata lacks %s:\n%s", w, md)
		}
	}
	// Refusals change nothing and exit 2.
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"feature", "enable", name, "striping"}, `unsupported feature "striping"`},
		{[]string{"feature", "enable", name, "mirroring", "journaling"}, "give it alone"},
		{[]string{"feature", "enable", name, "journaling"}, "already has journaling enabled"},
		{[]string{"feature", "enable", name, "object-map", "--journal-option", "bogus=1"}, `unknown journal option "bogus"`},
		{[]string{"feature", "enable", name, "object-map", "--journal-option", "commit_age"}, "expected key=value"},
	} {
		code, _, errOut := l.run(t, c.args...)
		if code != 2 || !strings.Contains(errOut, c.want) {
			t.Errorf("%v: exit %d %q, want 2 and %q", c.args, code, errOut, c.want)
		}
	}
	// The proposal's alias: `feature enable <image> mirroring` is
	// `mirror image enable <image>` (journal mode).
	if code, out, errOut := l.run(t, "feature", "enable", name, "mirroring"); code != 0 || !strings.Contains(out, "Mirroring enabled") {
		t.Fatalf("feature enable mirroring: %d %s %s", code, out, errOut)
	}
	code, _, errOut = l.run(t, "feature", "disable", name, "journaling", "--yes")
	if code != 2 || !strings.Contains(errOut, "journal-based mirroring is enabled") {
		t.Errorf("disable while mirrored: %d %s", code, errOut)
	}
	if in := l.info(t, name); in.SplayWidth != 2 {
		t.Errorf("journal changed by a refused disable")
	}
	l.rbd(t, "mirror", "image", "disable", name)
	if !strings.Contains(l.rbd(t, "info", name), "journaling") {
		// Pacific's mirror disable may take journaling with it.
		if code, _, errOut := l.run(t, "feature", "enable", name, "journaling"); code != 0 {
			t.Fatalf("re-enable: %d %s", code, errOut)
		}
	}
	code, _, errOut = l.run(t, "feature", "disable", name, "journaling", "--yes")
	if code != 0 {
		t.Fatalf("disable: %d %s", code, errOut)
	}
	if strings.Contains(l.rbd(t, "info", name), "journaling") {
		t.Errorf("journaling still enabled")
	}
	// A consistency group member keeps its journal.
	if code, _, errOut := l.run(t, "feature", "enable", name, "journaling"); code != 0 {
		t.Fatalf("re-enable: %d %s", code, errOut)
	}
	group := fmt.Sprintf("jgrp%d", seq)
	l.rbd(t, "group", "create", group)
	t.Cleanup(func() { exec.Command("rbd", "-c", l.st.Site(lab.SiteA).Conf, "group", "rm", group).Run() })
	l.rbd(t, "group", "image", "add", group, name)
	code, _, errOut = l.run(t, "feature", "disable", name, "journaling", "--yes")
	if code != 2 || !strings.Contains(errOut, "member of consistency group "+group) {
		t.Errorf("disable in a group: %d %s", code, errOut)
	}
	l.rbd(t, "group", "image", "remove", group, name)
	if code, _, errOut := l.run(t, "feature", "disable", name, "journaling", "--yes"); code != 0 {
		t.Errorf("disable after leaving the group: %d %s", code, errOut)
	}
	// Standard features go through too.
	if code, _, errOut := l.run(t, "feature", "enable", name, "object-map,fast-diff"); code != 0 {
		t.Errorf("object-map: %d %s", code, errOut)
	}
}

func TestJournalResetAndDisconnect(t *testing.T) {
	l := newJLab(t)
	name := l.image(t, "jreset", "--image-feature", "layering,exclusive-lock,journaling", "--journal-splay-width", "2", "--journal-object-size", "64K")
	ctx := context.Background()
	spec, err := journal.SpecOfImage(ctx, l.c, modelImage(name))
	if err != nil {
		t.Fatal(err)
	}
	j, err := journal.Open(ctx, l.c, spec)
	if err != nil {
		t.Fatal(err)
	}
	if err := j.RegisterClient(ctx, "pin", journal.EncodeCLIClientMeta()); err != nil {
		t.Fatal(err)
	}
	l.rbd(t, "bench", "--io-type", "write", "--io-size", "4K", "--io-total", "256K", name)

	// Growth: the pin client lags by every entry; the image by none.
	code, out, errOut := l.run(t, "journal", "status", "--image", name, "--format", "json", "--verbose")
	if code != 0 {
		t.Fatalf("status: %d %s", code, errOut)
	}
	var st struct {
		Entries int `json:"entries"`
		Clients []struct {
			ID         string `json:"id"`
			State      string `json:"state"`
			LagEntries int    `json:"lag_entries"`
			LagBytes   int64  `json:"lag_bytes"`
		} `json:"registered_clients"`
	}
	if err := json.Unmarshal([]byte(out), &st); err != nil {
		t.Fatal(err)
	}
	if st.Entries < 64 || len(st.Clients) != 2 || st.Clients[0].LagEntries != 0 || st.Clients[1].LagEntries != st.Entries || st.Clients[1].LagBytes < 256<<10 {
		t.Errorf("status: %s", out)
	}
	code, out, _ = l.run(t, "journal", "status", "--image", name)
	if code != 0 || !strings.Contains(out, "registered clients: \n\t[id=, commit_position=[positions=[[object_number=") || !strings.Contains(out, "LAG-ENTRIES") {
		t.Errorf("plain status:\n%s", out)
	}

	code, out, errOut = l.run(t, "journal", "client", "disconnect", "--image", name, "--client-id", "pin", "--yes")
	if code != 0 || out != "client pin disconnected\n" {
		t.Errorf("disconnect: %d %q %s", code, out, errOut)
	}
	// rbd exits 2 (ENOENT) too; nothing was changed
	if code, _, errOut := l.run(t, "journal", "client", "disconnect", "--image", name, "--client-id", "nobody", "--yes"); code != 2 || !strings.Contains(errOut, `client "nobody" is not registered`) {
		t.Errorf("disconnect unknown: %d %s", code, errOut)
	}

	// Without a terminal and without --yes: refused, nothing changed.
	code, _, errOut = l.run(t, "journal", "reset", "--image", name)
	if code != 2 || !strings.Contains(errOut, "re-run with --yes or RBDTUI_ASSUME_YES=1") {
		t.Errorf("reset without --yes: %d %s", code, errOut)
	}
	if err := j.Refresh(ctx); err != nil || j.Header.Client("pin") == nil {
		t.Fatalf("reset without --yes changed the journal: %v", err)
	}
	// On a terminal the question is asked, with the name typed as in the
	// console; anything else changes nothing.
	var o, e bytes.Buffer
	code = cli.New("test").Run([]string{"--config", l.cfg, "journal", "reset", "--image", name}, strings.NewReader("n\n"), &o, &e, true)
	if code != 2 || !strings.Contains(e.String(), "Reset the journal of rbd/"+name) || !strings.Contains(e.String(), `Type "`+name+`" to proceed`) || !strings.Contains(e.String(), "cancelled; nothing was changed") {
		t.Errorf("reset answered no: %d %s", code, e.String())
	}
	if err := j.Refresh(ctx); err != nil || j.Header.Client("pin") == nil {
		t.Fatalf("reset answered no changed the journal: %v", err)
	}
	code, out, errOut = l.run(t, "journal", "reset", "--image", name, "--keep-geometry", "--yes")
	if code != 0 || !strings.Contains(out, "order 16, splay width 2") {
		t.Fatalf("reset --keep-geometry: %d %s %s", code, out, errOut)
	}
	if err := j.Refresh(ctx); err != nil || j.Header.Client("pin") != nil || len(j.Header.Clients) != 1 || len(j.Header.Tags) != 1 {
		t.Fatalf("after reset: %+v %v", j.Header, err)
	}
	// librbd can use the recreated journal.
	l.rbd(t, "bench", "--io-type", "write", "--io-size", "4K", "--io-total", "16K", name)
	code, out, errOut = l.run(t, "journal", "inspect", "--image", name)
	if code != 0 {
		t.Errorf("inspect after reset: %d %s %s", code, out, errOut)
	}
	// rbd's reset takes the geometry from the current settings.
	code, out, errOut = l.run(t, "journal", "reset", "--image", name, "--yes")
	if code != 0 || !strings.Contains(out, "order 24, splay width 4") {
		t.Errorf("reset: %d %s %s", code, out, errOut)
	}
	// Refused while journal mirroring needs the journal.
	l.rbd(t, "mirror", "image", "enable", name, "journal")
	code, _, errOut = l.run(t, "journal", "reset", "--image", name, "--yes")
	if code != 2 || !strings.Contains(errOut, "journal-based mirroring is enabled") {
		t.Errorf("reset while mirrored: %d %s", code, errOut)
	}
}

func TestJournalSpecGrammar(t *testing.T) {
	l := newJLab(t)
	name := l.image(t, "jspec", "--image-feature", "layering,exclusive-lock,journaling")
	id := l.info(t, name).JournalID
	for _, args := range [][]string{
		{"journal", "info", id},
		{"journal", "info", "rbd/" + id},
		{"journal", "info", "--journal", id},
		{"journal", "info", "--pool", "rbd", "--image", name},
	} {
		code, out, errOut := l.run(t, args...)
		if code != 0 || !strings.Contains(out, "rbd journal '"+id+"':\n\theader_oid: journal."+id) {
			t.Errorf("%v: %d %s %s", args, code, out, errOut)
		}
	}
	want := l.rbd(t, "journal", "info", "--journal", id)
	if _, out, _ := l.run(t, "journal", "info", id); out != want {
		t.Errorf("plain info differs from rbd:\n%s\n%s", out, want)
	}
	want = l.rbd(t, "journal", "info", "--journal", id, "--format", "json")
	if _, out, _ := l.run(t, "journal", "info", id, "--format", "json"); out != want {
		t.Errorf("json info differs from rbd:\n%s\n%s", out, want)
	}
	// status: rbd's text first, then the growth analysis; rbd's JSON keys
	// carry rbd's values.
	l.rbd(t, "bench", "--io-type", "write", "--io-size", "4K", "--io-total", "8K", name)
	want = l.rbd(t, "journal", "status", "--journal", id)
	if _, out, _ := l.run(t, "journal", "status", id); !strings.HasPrefix(out, strings.TrimRight(want, "\n")+"\n\n") {
		t.Errorf("plain status does not start with rbd's:\n%s\n%s", out, want)
	}
	var rj, oj map[string]any
	json.Unmarshal([]byte(l.rbd(t, "journal", "status", "--journal", id, "--format", "json")), &rj)
	_, out, _ := l.run(t, "journal", "status", id, "--format", "json")
	json.Unmarshal([]byte(out), &oj)
	for _, k := range []string{"minimum_set", "active_set"} {
		if fmt.Sprint(rj[k]) != fmt.Sprint(oj[k]) {
			t.Errorf("status %s: %v, rbd %v", k, oj[k], rj[k])
		}
	}
	// Without --verbose the JSON is rbd's shape exactly: the same keys.
	if len(oj) != len(rj) {
		t.Errorf("status JSON keys: %v, rbd %v", oj, rj)
	}
	rc, _ := rj["registered_clients"].([]any)
	oc, _ := oj["registered_clients"].([]any)
	if len(rc) != len(oc) || len(rc) == 0 {
		t.Fatalf("clients: %v vs rbd %v", oc, rc)
	}
	for i := range rc {
		r, o := rc[i].(map[string]any), oc[i].(map[string]any)
		for _, k := range []string{"id", "data", "commit_position", "state"} {
			if fmt.Sprint(r[k]) != fmt.Sprint(o[k]) {
				t.Errorf("client %d %s: %v, rbd %v", i, k, o[k], r[k])
			}
		}
	}
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"journal", "info"}, 2, "missing <journal-spec>"},
		{[]string{"journal", "info", "a/b/c/d"}, 2, "expected [<pool>/[<namespace>/]]<journal-id>"},
		{[]string{"journal", "info", "nosuchjournal"}, 1, "journal does not exist"},
		{[]string{"journal", "info", "--image", "nosuchimage"}, 1, "image nosuchimage does not exist"},
		{[]string{"journal", "export", "--journal", id}, 2, "missing <path>"},
	} {
		code, _, errOut := l.run(t, c.args...)
		if code != c.code || !strings.Contains(errOut, c.want) {
			t.Errorf("%v: %d %q, want %d %q", c.args, code, errOut, c.code, c.want)
		}
	}
	// --verbose dumps each event as rbd's inspect --verbose does, on stderr.
	l.rbd(t, "bench", "--io-type", "write", "--io-size", "4K", "--io-total", "8K", name)
	if code, _, errOut := l.run(t, "journal", "export", "--journal", id, "--verbose", "--from-start", t.TempDir()+"/v"); code != 0 ||
		!strings.Contains(errOut, "Entry: tag_id=") || !strings.Contains(errOut, `"event_type": "AioWrite"`) {
		t.Errorf("export --verbose: %d %s", code, errOut)
	}
	// export to stdout: the stream is rbd's, the summary goes to stderr.
	code, out, errOut := l.run(t, "journal", "export", "--journal", id, "-")
	if code != 0 || !strings.HasPrefix(out, "# journal_id: "+id+"\n") || !strings.Contains(errOut, "entries processed") {
		t.Errorf("export -: %d %q %q", code, out, errOut)
	}
}

func modelImage(name string) model.ImageSpec { return model.ImageSpec{Pool: "rbd", Image: name} }

// A journal whose data objects live in another pool (--journal-pool).
func TestJournalInOtherPool(t *testing.T) {
	l := newJLab(t)
	pool := fmt.Sprintf("jpool%d", seq)
	ceph := func(args ...string) {
		out, err := exec.Command("ceph", append([]string{"-c", l.st.Site(lab.SiteA).Conf}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("ceph %v: %v %s", args, err, out)
		}
	}
	ceph("osd", "pool", "create", pool, "8")
	t.Cleanup(func() {
		exec.Command("ceph", "-c", l.st.Site(lab.SiteA).Conf, "osd", "pool", "rm", pool, pool, "--yes-i-really-really-mean-it").Run()
	})
	l.rbd(t, "pool", "init", pool)
	name := l.image(t, "jopool", "--image-feature", "layering,exclusive-lock")
	if code, out, errOut := l.run(t, "feature", "enable", name, "journaling", "--journal-pool", pool); code != 0 {
		t.Fatalf("enable: %d %s %s", code, out, errOut)
	}
	in := l.info(t, name)
	if in.ObjectPool != pool {
		t.Errorf("object_pool %q, want %q", in.ObjectPool, pool)
	}
	want := l.rbd(t, "journal", "info", "--image", name)
	if _, out, _ := l.run(t, "journal", "info", "--image", name); out != want {
		t.Errorf("info differs from rbd:\n%s\n%s", out, want)
	}
	ctx := context.Background()
	spec, err := journal.SpecOfImage(ctx, l.c, modelImage(name))
	if err != nil {
		t.Fatal(err)
	}
	j, err := journal.Open(ctx, l.c, spec)
	if err != nil || j.DataPool != pool {
		t.Fatalf("open: %v, data pool %q", err, j.DataPool)
	}
	if err := j.RegisterClient(ctx, "pin", journal.EncodeCLIClientMeta()); err != nil {
		t.Fatal(err)
	}
	l.rbd(t, "bench", "--io-type", "write", "--io-size", "4K", "--io-total", "64K", name)
	dir := t.TempDir()
	l.rbd(t, "journal", "export", "--journal", spec.ID, dir+"/rbd")
	if code, _, errOut := l.run(t, "journal", "export", "--journal", spec.ID, dir+"/ours"); code != 0 {
		t.Fatalf("export: %s", errOut)
	}
	a, _ := exec.Command("cmp", dir+"/rbd", dir+"/ours").CombinedOutput()
	if len(a) > 0 {
		t.Errorf("exports differ: %s", a)
	}
	if code, out, errOut := l.run(t, "journal", "inspect", "--journal", spec.ID); code != 0 || !strings.Contains(out, "No structural faults") {
		t.Errorf("inspect: %d %s %s", code, out, errOut)
	}
}
