package ui

import (
	"fmt"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/rbdtui/rbdtui/model"
	"github.com/rbdtui/rbdtui/ui/uitest"
)

// bigPool is the lab with n images in site-a/rbd, in a mix of states.
func bigPool(n int) *uitest.Fixture {
	f := lab()
	imgs := make([]model.Image, n)
	for i := range imgs {
		img := model.Image{Site: "site-a", Pool: "rbd", Name: fmt.Sprintf("vol-%05d", i), ID: fmt.Sprintf("%012x", i*7919),
			MirrorMode: model.ModeJournal, MirrorState: model.MirrorEnabled, Class: model.ClassConsistent}
		switch i % 10 {
		case 0:
			img.Local = &model.SiteImageStatus{SiteName: "site-a", Up: true, State: model.StateSyncing, BootstrapPercent: ptr(i % 100)}
		case 1:
			img.Local = &model.SiteImageStatus{SiteName: "site-a", Up: false, State: model.StateError}
		default:
			r := replaying("site-a", int64(i%50))
			img.Local = &r
		}
		imgs[i] = img
	}
	f.SetImages("site-a", "rbd", imgs...)
	return f
}

func bigHarness(b *testing.B, w, h int) *harness {
	hs := newHarness(b, bigPool(10000), func(c *Common) { c.Width, c.Height = w, h })
	hs.init()
	hs.press("j")
	hs.do(ActionExpand)
	if len(hs.a.tree.rows) < 10000 {
		b.Fatalf("tree has %d rows", len(hs.a.tree.rows))
	}
	for range 5000 {
		hs.a.tree.move(1)
	}
	return hs
}

// BenchmarkRenderFrame10k draws one full frame with a 10,000-image pool
// open and the cursor in its middle. Budget: 5 ms.
func BenchmarkRenderFrame10k(b *testing.B) {
	for _, sz := range [][2]int{{80, 24}, {250, 80}} {
		b.Run(fmt.Sprintf("%dx%d", sz[0], sz[1]), func(b *testing.B) {
			h := bigHarness(b, sz[0], sz[1])
			b.ResetTimer()
			for b.Loop() {
				_ = h.a.View()
			}
		})
	}
}

// BenchmarkFilterKeystroke10k is one key typed into the filter over a
// 10,000-image pool: Update (fuzzy match, tree rebuild, cursor jump) and
// the frame that follows. Budget: 20 ms.
func BenchmarkFilterKeystroke10k(b *testing.B) {
	for _, tc := range []struct{ name, typed, key string }{
		{"fuzzy", "vol-0042", "7"},
		{"inverted", "!replayin", "g"},
	} {
		b.Run(tc.name, func(b *testing.B) {
			h := bigHarness(b, 160, 48)
			h.do(ActionFilter)
			h.typeText(tc.typed)
			add := tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(tc.key)}
			del := tea.KeyMsg{Type: tea.KeyBackspace}
			b.ResetTimer()
			i := 0
			for b.Loop() {
				k := add
				if i%2 == 1 {
					k = del
				}
				i++
				_, cmd := h.a.Update(k)
				_ = cmd
				_ = h.a.View()
			}
		})
	}
}

// bigWatch is a watch of n images on two sites: site-a primary, site-b
// replaying with lag histories, a tenth syncing, a tenth in error.
func bigWatch(b *testing.B, n int, siteBDown bool) *harness {
	f := lab()
	var as, bs []model.Image
	for i := range n {
		name := fmt.Sprintf("vol-%05d", i)
		as = append(as, model.Image{Site: "site-a", Pool: "rbd", Name: name, MirrorMode: model.ModeJournal, MirrorState: model.MirrorEnabled, Primary: true, Local: ptr(primaryStatus("site-a"))})
		st := replaying("site-b", int64(i%50))
		switch i % 10 {
		case 0:
			st = model.SiteImageStatus{SiteName: "site-b", Up: true, State: model.StateSyncing, BootstrapPercent: ptr(i % 100)}
		case 1:
			st = model.SiteImageStatus{SiteName: "site-b", Up: false, State: model.StateError}
		}
		bs = append(bs, model.Image{Site: "site-b", Pool: "rbd", Name: name, MirrorMode: model.ModeJournal, MirrorState: model.MirrorEnabled, Local: &st})
		hist := make([]int64, 59)
		for j := range hist {
			hist[j] = int64((i + j) % 37)
		}
		f.SetLagHistory("site-b", "rbd/"+name, hist...)
	}
	f.SetImages("site-a", "rbd", as...)
	f.SetImages("site-b", "rbd", bs...)
	h := newHarness(b, f, func(c *Common) { c.Width, c.Height = 160, 48 })
	f.SetWatchClock(h.clock.Now)
	h.init()
	h.run(pushScreen(newWatch(h.a.env(), watchScope{Pool: "rbd"})))
	if siteBDown {
		f.Fail("site-b", fmt.Errorf("rados_connect timed out"))
		h.firePoll()
	}
	if w := h.a.topScreen().(*watch); len(w.rows) != n {
		b.Fatalf("watch has %d rows, want %d", len(w.rows), n)
	}
	return h
}

// BenchmarkWatchPoll10k is what one poll costs the UI goroutine with 1,000
// and 10,000 images, with both sites up and with site-b down: applying the
// frame (every row precomputed, sorted) and drawing the next screen. The
// poll itself runs in a Cmd and is not counted.
func BenchmarkWatchPoll(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		for _, down := range []bool{false, true} {
			b.Run(fmt.Sprintf("%d/siteBDown=%v", n, down), func(b *testing.B) {
				h := bigWatch(b, n, down)
				w := h.a.topScreen().(*watch)
				frame, err := w.sess.Poll(h.a.ctx)
				if err != nil {
					b.Fatal(err)
				}
				b.ResetTimer()
				for b.Loop() {
					w.seq++
					h.a.Update(watchFrameMsg{w: w, seq: w.seq, frame: frame})
					_ = h.a.View()
				}
			})
		}
	}
}

// BenchmarkWatchKeystroke is one key on a watch of 1,000 or 10,000 images
// (the cursor moving down, or the sort changing) and the frame after it.
func BenchmarkWatchKeystroke(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		for _, down := range []bool{false, true} {
			for _, key := range []string{"j", "s"} {
				b.Run(fmt.Sprintf("%d/siteBDown=%v/key=%s", n, down, key), func(b *testing.B) {
					h := bigWatch(b, n, down)
					k := keyMsg(key)
					b.ResetTimer()
					for b.Loop() {
						h.a.Update(k)
						_ = h.a.View()
					}
				})
			}
		}
	}
}
