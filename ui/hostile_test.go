package ui

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/rbdtui/rbdtui/internal/termsafe"
	"github.com/rbdtui/rbdtui/model"
	"github.com/rbdtui/rbdtui/ui/uitest"
)

// hostileNames are the names of issue 15: Ceph accepts each as an image or
// group name, and printed raw each one retitled, cleared or overwrote the
// operator's terminal.
var hostileNames = []string{"title\x1b]0;PWNED\a", "evil\x1b[2J\x1b[31m", "cr\rOVERWRITTEN", "up\x1b[1A\x1b[2K"}

// hostileLab is the full lab with hostile names everywhere a cluster,
// a file or a command's output puts text on the screen: images on both
// sites (one with a journal and watchers), a group and its members, a
// pool, a site's error, a replay description, command output.
func hostileLab() *uitest.Fixture {
	f := fullLab()
	var a, b []model.Image
	for i, n := range hostileNames {
		id := "h" + itoa(i)
		img := model.Image{Site: "site-a", Pool: "rbd", Name: n, ID: id, MirrorMode: model.ModeJournal, MirrorState: model.MirrorEnabled,
			GlobalID: "g-" + id, Primary: true, Class: model.ClassPrimary, Health: "OK"}
		img.Local, img.Peers = ptr(primaryStatus("site-a")), []model.SiteImageStatus{replaying("site-b", 7)}
		img.Peers[0].Description = "replaying " + n
		a = append(a, img)
		bimg := img
		bimg.Site, bimg.Primary, bimg.Class, bimg.Peers = "site-b", false, model.ClassInconsistent, nil
		bimg.Local = &model.SiteImageStatus{SiteName: "site-b", Up: true, State: model.StateError, Description: "error: " + n, LastUpdate: t0.Add(-time.Second)}
		b = append(b, bimg)
		f.SetDetail(model.ImageDetail{Image: img, Size: 64 << 20, ObjectSize: 4 << 20, Features: []string{"exclusive-lock", "journaling"},
			Journal:  &model.JournalSettings{ID: id, Order: 24, SplayWidth: 4, Pool: n},
			Watchers: []model.Watcher{{Address: n, Client: 1, Cookie: 1}}, Group: "rbd/" + n})
		f.SetJournal(model.Journal{Site: "site-a", Pool: "rbd", Image: n, ID: id, Order: 24, SplayWidth: 4,
			Clients: []model.JournalClient{{ID: n, Description: n, Connected: true}}})
	}
	f.SetImages("site-a", "rbd", a...)
	f.SetImages("site-b", "rbd", b...)
	f.SetGroups("site-a", "rbd", model.Group{Site: "site-a", Pool: "rbd", Name: hostileNames[0], ID: "9e9e",
		Members:           []string{"rbd/" + hostileNames[1], "rbd/" + hostileNames[2]},
		ConsistencyPoints: []model.GroupPoint{{ID: "1", Name: hostileNames[3], Timestamp: t0.Add(-time.Minute), Complete: true}}})
	f.SetPools("site-b",
		model.Pool{Site: "site-b", Name: "rbd", ID: 2, MirrorMode: "image", SiteName: hostileNames[1], Peers: 1, Images: 4},
		model.Pool{Site: "site-b", Name: hostileNames[2], ID: 9, MirrorMode: "image", SiteName: hostileNames[3]})
	f.OnExec(func(argv []string) (model.ExecResult, error) {
		return model.ExecResult{Output: strings.Join(hostileNames, "\n"), RBD: "rbd " + hostileNames[0]}, errors.New("failed on " + hostileNames[3])
	})
	return f
}

// TestHostileNamesNeverReachTheTerminal renders every screen of the
// console with hostile names and asserts that no control byte reaches the
// frame: without colour none at all, with colour nothing but the
// console's own SGR (colour) sequences (a name's own colour escape is
// shown visibly too). Each frame must also keep its
// layout, and the names must be there, shown visibly.
func TestHostileNamesNeverReachTheTerminal(t *testing.T) {
	type scenario struct {
		keys []string
		fail bool // site-a stops answering with a hostile error
	}
	palette := func(line string) []string {
		return append(append([]string{":"}, strings.Split(line, "")...), "enter")
	}
	scenarios := map[string]scenario{
		"tree":          {keys: []string{"j", "enter"}},
		"image detail":  {keys: []string{"j", "enter", "j", "j"}},
		"group":         {keys: []string{"j", "enter", "j"}},
		"journal":       {keys: []string{"j", "enter", "j", "j", "enter", "j"}},
		"site-b":        {keys: []string{"G"}},
		"filter":        {keys: []string{"j", "enter", "/", "e"}},
		"menu":          {keys: []string{"j", "enter", "j", "j", "a"}},
		"confirm":       {keys: []string{"j", "enter", "j", "j", "D"}},
		"typed":         {keys: []string{"j", "enter", "j", "j", "X"}},
		"watch":         {keys: []string{"j", "w"}},
		"wizard":        {keys: []string{"j", "F"}},
		"palette out":   {keys: palette("mirror image status rbd/x")},
		"help":          {keys: []string{"?"}},
		"site error":    {keys: nil, fail: true},
		"command error": {keys: append(palette("mirror image status rbd/x"), "esc")},
	}
	for _, colour := range []bool{false, true} {
		for name, sc := range scenarios {
			t.Run(map[bool]string{false: "ascii", true: "colour"}[colour]+"/"+name, func(t *testing.T) {
				if colour {
					lipgloss.SetColorProfile(termenv.TrueColor)
					defer lipgloss.SetColorProfile(termenv.Ascii)
				}
				f := hostileLab()
				if sc.fail {
					f.Fail("site-a", errors.New("mon "+strings.Join(hostileNames, " ")))
				}
				planner := uitest.WithPlanner(f)
				planner.OnPlan(labPlan)
				h := newHarness(t, f, withCommands, func(c *Common) { c.Refresh = 30e9; c.Backend = planner })
				h.init()
				h.press(sc.keys...)
				for _, size := range [][2]int{{MinWidth, MinHeight}, {100, 30}, {200, 50}} {
					h.send(sizeMsg(size[0], size[1]))
					v := h.view()
					if i := termsafe.Raw([]byte(v), colour); i != -1 {
						t.Fatalf("%dx%d: raw control byte %q at %d:\n%q", size[0], size[1], v[i], i, v[max(0, i-40):min(len(v), i+40)])
					}
					checkFrame(t, v, size[0], size[1])
					// In colour the console keeps its own SGR; a name's
					// (hostileNames[1] ends in ESC [31m) is shown visibly.
					if colour && strings.Contains(v, "\x1b[31m") {
						i := strings.Index(v, "\x1b[31m")
						t.Errorf("%dx%d: a name's colour escape reached the frame: %q", size[0], size[1], v[max(0, i-150):i+10])
					}
				}
				v := h.view()
				if !colour && !slices.ContainsFunc([]string{`\e`, `\r`, `\x07`}, func(s string) bool { return strings.Contains(v, s) }) && name != "help" && name != "wizard" {
					t.Errorf("no hostile name shown visibly on this screen:\n%s", v)
				}
			})
		}
	}
}
