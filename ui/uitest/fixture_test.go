package uitest

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/rbdtui/rbdtui/model"
)

func TestFixtureAnswersWhatWasSet(t *testing.T) {
	f := New(model.Site{Name: "a"})
	ctx := context.Background()

	if _, err := f.SiteStatus(ctx, "a"); err == nil {
		t.Error("SiteStatus with no status set succeeded")
	}
	f.SetStatus(model.SiteStatus{Site: "a", Reachable: true, Health: model.HealthOK})
	st, err := f.SiteStatus(ctx, "a")
	if err != nil || st.Health != model.HealthOK {
		t.Fatalf("SiteStatus = %+v, %v", st, err)
	}

	f.SetPools("a", model.Pool{Name: "rbd"}, model.Pool{Name: "vms"})
	pools, _ := f.Pools(ctx, "a")
	pools[0].Name = "changed"
	again, _ := f.Pools(ctx, "a")
	if again[0].Name != "rbd" || len(again) != 2 {
		t.Fatalf("Pools handed out its own slice: %+v", again)
	}

	if _, err := f.Pools(ctx, "nope"); err == nil {
		t.Error("Pools for an unknown site succeeded")
	}
	if n := f.Calls("Pools", "a"); n != 2 {
		t.Errorf("Calls(Pools, a) = %d, want 2", n)
	}
}

func TestFixtureFail(t *testing.T) {
	f := New(model.Site{Name: "a"})
	f.SetStatus(model.SiteStatus{Site: "a", Reachable: true})
	boom := errors.New("boom")
	f.Fail("a", boom)
	if _, err := f.SiteStatus(context.Background(), "a"); !errors.Is(err, boom) {
		t.Fatalf("err = %v, want boom", err)
	}
	if _, err := f.Pools(context.Background(), "a"); !errors.Is(err, boom) {
		t.Fatalf("err = %v, want boom", err)
	}
	f.Fail("a", nil)
	if _, err := f.SiteStatus(context.Background(), "a"); err != nil {
		t.Fatalf("after recovery: %v", err)
	}
}

func TestFixtureDelayHonoursContext(t *testing.T) {
	f := New(model.Site{Name: "a"})
	f.SetStatus(model.SiteStatus{Site: "a"})
	f.SetDelay("a", time.Hour)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := f.SiteStatus(ctx, "a")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want DeadlineExceeded", err)
	}
	if time.Since(start) > 5*time.Second {
		t.Fatal("delay ignored the deadline")
	}
}

// TestFixtureConcurrentUse is for -race: the console reads the fixture from
// Cmd goroutines while a test rewrites it.
func TestFixtureConcurrentUse(t *testing.T) {
	f := New(model.Site{Name: "a"}, model.Site{Name: "b"})
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(2)
		go func() {
			defer wg.Done()
			for range 100 {
				f.SetStatus(model.SiteStatus{Site: "a", MirrorDaemons: i})
				f.SetPools("b", model.Pool{Name: "rbd"})
				f.Fail("b", nil)
				f.SetSites(model.Site{Name: "a"}, model.Site{Name: "b"})
			}
		}()
		go func() {
			defer wg.Done()
			for range 100 {
				_, _ = f.SiteStatus(context.Background(), "a")
				_, _ = f.Pools(context.Background(), "b")
				_ = f.Sites()
				_ = f.Calls("Pools", "b")
			}
		}()
	}
	wg.Wait()
}
