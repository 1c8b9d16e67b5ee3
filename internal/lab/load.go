package lab

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"time"

	"github.com/ceph/go-ceph/rados"
	"github.com/ceph/go-ceph/rbd"
	"github.com/rbdtui/rbdtui/internal/config"
	"github.com/rbdtui/rbdtui/internal/site"
)

// LoadOptions bound the write workload of `rbdtui lab load`.
type LoadOptions struct {
	Site     string        // site whose primary images get the writes
	Pool     string        // pool of the images
	Images   int           // create lab-load-N images until this many primaries exist
	Ops      int           // total writes, at most
	Duration time.Duration // and for at most this long
	Rate     int           // writes per second, at most
	Log      io.Writer
}

// LoadResult is what the workload did.
type LoadResult struct {
	Images  []string      `json:"images"`
	Writes  int           `json:"writes"`
	Bytes   int64         `json:"bytes"`
	Elapsed time.Duration `json:"-"`
	Seconds float64       `json:"seconds"`
}

// AdminConn opens a librados connection as client.admin to a lab site.
// Shut it down with site.Release (after closing what was opened on it), so
// that it is created and shut down under the process-wide lifecycle lock
// like every other connection.
func (s *SiteState) AdminConn() (*rados.Conn, error) {
	sc := config.Site{Name: s.Name, Conf: s.Conf, Client: AdminClient, Keyring: s.Keyring(AdminClient)}
	return site.Dial(sc, 10*time.Second, map[string]string{"rados_osd_op_timeout": "30"})
}

// RunLoad writes random blocks to the site's primary mirrored images, creating
// journal-mirrored lab-load-N images first when there are too few. It stops
// after Ops writes or Duration, whichever comes first.
func RunLoad(ctx context.Context, st *State, o LoadOptions) (*LoadResult, error) {
	if o.Site == "" {
		o.Site = SiteA
	}
	if o.Pool == "" {
		o.Pool = Pool
	}
	if o.Images <= 0 {
		o.Images = 2
	}
	if o.Ops <= 0 {
		o.Ops = 2000
	}
	if o.Duration <= 0 {
		o.Duration = 30 * time.Second
	}
	if o.Rate <= 0 {
		o.Rate = 200
	}
	s := st.Site(o.Site)
	if s == nil {
		return nil, fmt.Errorf("lab has no site %q (sites: %s, %s)", o.Site, SiteA, SiteB)
	}
	conn, err := s.AdminConn()
	if err != nil {
		return nil, err
	}
	defer site.Release(conn)
	ioctx, err := conn.OpenIOContext(o.Pool)
	if err != nil {
		return nil, fmt.Errorf("%s: pool %s: %w", o.Site, o.Pool, err)
	}
	defer ioctx.Destroy()
	names, err := rbd.GetImageNames(ioctx)
	if err != nil {
		return nil, err
	}
	var images []*rbd.Image
	defer func() {
		for _, img := range images {
			img.Close()
		}
	}()
	res := &LoadResult{}
	for _, n := range names {
		img, err := rbd.OpenImage(ioctx, n, rbd.NoSnapshot)
		if err != nil {
			continue
		}
		info, err := img.GetMirrorImageInfo()
		if err != nil || info.State != rbd.MirrorImageEnabled || !info.Primary {
			img.Close()
			continue
		}
		images = append(images, img)
		res.Images = append(res.Images, n)
	}
	for i := 0; len(images) < o.Images; i++ {
		name := fmt.Sprintf("lab-load-%d", i)
		if contains(names, name) {
			continue
		}
		if err := rbd.CreateImage(ioctx, name, 256<<20, rbd.NewRbdImageOptions()); err != nil {
			return nil, fmt.Errorf("create %s/%s: %w", o.Pool, name, err)
		}
		img, err := rbd.OpenImage(ioctx, name, rbd.NoSnapshot)
		if err != nil {
			return nil, err
		}
		if err := img.MirrorEnable(rbd.ImageMirrorModeJournal); err != nil {
			img.Close()
			return nil, fmt.Errorf("mirror enable %s/%s: %w", o.Pool, name, err)
		}
		if o.Log != nil {
			fmt.Fprintf(o.Log, "lab: created %s/%s (journal mirroring)\n", o.Pool, name)
		}
		images = append(images, img)
		res.Images = append(res.Images, name)
	}
	start := time.Now()
	deadline := start.Add(o.Duration)
	tick := time.NewTicker(time.Second / time.Duration(o.Rate))
	defer tick.Stop()
	buf := make([]byte, 64<<10)
	rng := rand.New(rand.NewPCG(uint64(start.UnixNano()), 7))
	for res.Writes < o.Ops && time.Now().Before(deadline) {
		select {
		case <-ctx.Done():
			return res, ctx.Err()
		case <-tick.C:
		}
		img := images[res.Writes%len(images)]
		size, err := img.GetSize()
		if err != nil {
			return res, err
		}
		n := 4096 * (1 + rng.IntN(16))
		for i := 0; i < n; i += 8 {
			v := rng.Uint64()
			for j := 0; j < 8; j++ {
				buf[i+j] = byte(v >> (8 * j))
			}
		}
		off := int64(rng.Uint64N(size/4096-16)) * 4096
		if _, err := img.WriteAt(buf[:n], off); err != nil {
			return res, fmt.Errorf("write %s at %d: %w", img.GetName(), off, err)
		}
		res.Writes++
		res.Bytes += int64(n)
	}
	for _, img := range images {
		if err := img.Flush(); err != nil {
			return res, err
		}
	}
	res.Elapsed = time.Since(start)
	res.Seconds = res.Elapsed.Seconds()
	return res, nil
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}
