package mirror

import (
	"context"
	"errors"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/ceph/go-ceph/rbd/admin"
	"github.com/rbdtui/rbdtui/internal/site"
)

// ScheduleLevel is `rbd mirror snapshot schedule ls -R --format json`'s
// element: a level spec and its schedules ("-" means any).
type ScheduleLevel struct {
	Pool      string         `json:"pool"`
	Namespace string         `json:"namespace"`
	Image     string         `json:"image"`
	Items     []ScheduleItem `json:"items"`
}

// ScheduleItem is one interval and start time.
type ScheduleItem struct {
	Interval  string `json:"interval"`
	StartTime string `json:"start_time"`
}

// ScheduledImage is one entry of schedule status.
type ScheduledImage struct {
	ScheduleTime string `json:"schedule_time"`
	Image        string `json:"image"`
}

var intervalRE = regexp.MustCompile(`^[0-9]+[dhm]$`)

// CheckInterval validates an interval as the mgr module expects it, and
// refuses 0 (the mgr would store a "0d" schedule that never fires).
func CheckInterval(s string) error {
	if !intervalRE.MatchString(s) {
		return refuse("interval %q: use a number with d, h or m (e.g. 15m, 1h, 1d)", s)
	}
	if n, err := strconv.ParseUint(s[:len(s)-1], 10, 32); err != nil || n == 0 {
		return refuse("interval %q: must be at least 1 (e.g. 1m, 15m, 1h, 1d)", s)
	}
	return nil
}

// startLayouts are the ISO 8601 forms the mgr module accepts for a start
// time: a time of day, or a date and time, with an optional UTC offset.
var startLayouts = []string{"15:04", "15:04:05", "15:04Z07:00", "15:04:05Z07:00",
	"2006-01-02T15:04", "2006-01-02T15:04:05", "2006-01-02T15:04Z07:00", "2006-01-02T15:04:05Z07:00"}

// CheckStartTime validates a schedule's start time ("" is none), so a
// mistyped one is named here rather than refused by the mgr as "invalid
// argument".
func CheckStartTime(s string) error {
	if s == "" {
		return nil
	}
	for _, l := range startLayouts {
		if _, err := time.Parse(l, s); err == nil {
			return nil
		}
	}
	return refuse("start time %q is not a time: use ISO 8601, HH:MM[:SS] with an optional UTC offset (14:00, 14:00:00-05:00) or a date and time (2026-01-31T14:00)", s)
}

func levelSpec(pool, ns, image string) admin.LevelSpec {
	if pool == "" {
		return admin.NewRawLevelSpec("")
	}
	return admin.NewLevelSpec(pool, ns, image)
}

func schedAdmin(ctx context.Context, c *site.Conn) (*admin.MirrorSnashotScheduleAdmin, error) {
	conn, err := c.Rados(ctx)
	if err != nil {
		return nil, err
	}
	return admin.NewFromConn(conn).MirrorSnashotSchedule(), nil
}

// AddSchedule adds a mirror snapshot schedule.
func AddSchedule(ctx context.Context, c *site.Conn, pool, ns, image, interval, start string) error {
	if err := CheckInterval(interval); err != nil {
		return err
	}
	if err := CheckStartTime(start); err != nil {
		return err
	}
	a, err := schedAdmin(ctx, c)
	if err != nil {
		return err
	}
	st := admin.NoStartTime
	if start != "" {
		st = admin.StartTime(start)
	}
	_, err = site.Call(ctx, c, "add snapshot schedule", func() (struct{}, error) {
		return struct{}{}, a.Add(levelSpec(pool, ns, image), admin.Interval(interval), st)
	})
	return scheduleErr(err)
}

// RemoveSchedule removes schedules (all at the level when interval is "").
func RemoveSchedule(ctx context.Context, c *site.Conn, pool, ns, image, interval, start string) error {
	if interval != "" {
		if err := CheckInterval(interval); err != nil {
			return err
		}
	}
	if err := CheckStartTime(start); err != nil {
		return err
	}
	a, err := schedAdmin(ctx, c)
	if err != nil {
		return err
	}
	// A schedule that is not there is named, not removed silently (the
	// mgr answers success).
	if interval != "" {
		levels, err := ListSchedules(ctx, c, pool, ns, image, false)
		if err != nil && !errors.Is(err, ErrNoSchedule) {
			return err
		}
		var have []string
		found := false
		for _, l := range levels {
			for _, it := range l.Items {
				have = append(have, strings.TrimSpace(it.Interval+" "+it.StartTime))
				// The mgr stores 14:00 as 14:00:00.
				found = found || (it.Interval == interval && (start == "" || it.StartTime == start || strings.HasPrefix(it.StartTime, start+":")))
			}
		}
		if !found {
			what := "none"
			if len(have) > 0 {
				what = strings.Join(have, ", ")
			}
			return refuse("no snapshot schedule every %s%s at %s (schedules there: %s); nothing was removed", interval, map[bool]string{true: "", false: " starting " + start}[start == ""], levelLabel(pool, ns, image), what)
		}
	}
	iv, st := admin.NoInterval, admin.NoStartTime
	if interval != "" {
		iv = admin.Interval(interval)
	}
	if start != "" {
		st = admin.StartTime(start)
	}
	_, err = site.Call(ctx, c, "remove snapshot schedule", func() (struct{}, error) {
		return struct{}{}, a.Remove(levelSpec(pool, ns, image), iv, st)
	})
	return scheduleErr(err)
}

// ErrNoSchedule is ListSchedules' answer, as rbd's ENOENT, when the level
// itself has no schedule (not recursive).
var ErrNoSchedule = &Refusal{Msg: "no mirror snapshot schedule at this level (-R lists the levels below it too)"}

// levelName is the mgr's name of a level: "" (global), "pool/",
// "pool/ns/", "pool/image", "pool/ns/image".
func levelName(pool, ns, image string) string {
	switch {
	case pool == "":
		return ""
	case image != "" && ns != "":
		return pool + "/" + ns + "/" + image
	case image != "":
		return pool + "/" + image
	case ns != "":
		return pool + "/" + ns + "/"
	}
	return pool + "/"
}

// ListSchedules lists the schedules the mgr reports for a level, as rbd
// does: not recursive, the level's own schedules only (ErrNoSchedule when
// it has none); recursive, the level, its nearest scheduled parent and every
// level below it.
func ListSchedules(ctx context.Context, c *site.Conn, pool, ns, image string, recursive bool) ([]ScheduleLevel, error) {
	a, err := schedAdmin(ctx, c)
	if err != nil {
		return nil, err
	}
	all, err := site.Call(ctx, c, "list snapshot schedules", func() ([]admin.SnapshotSchedule, error) {
		return a.List(levelSpec(pool, ns, image))
	})
	if err != nil {
		return nil, scheduleErr(err)
	}
	want := levelName(pool, ns, image)
	out := []ScheduleLevel{}
	for _, s := range all {
		if !recursive && s.Name != want {
			continue
		}
		lv := parseLevelName(s.Name)
		for _, t := range s.Schedule {
			lv.Items = append(lv.Items, ScheduleItem{Interval: string(t.Interval), StartTime: string(t.StartTime)})
		}
		out = append(out, lv)
	}
	if !recursive && len(out) == 0 {
		return nil, ErrNoSchedule
	}
	sort.Slice(out, func(i, j int) bool {
		return out[i].Pool+out[i].Namespace+out[i].Image < out[j].Pool+out[j].Namespace+out[j].Image
	})
	return out, nil
}

// levelLabel names a schedule level for messages: the cluster, a pool,
// pool/namespace or pool/[namespace/]image.
func levelLabel(pool, ns, image string) string {
	if pool == "" {
		return "the cluster level"
	}
	return strings.Join(nonEmpty(pool, ns, image), "/")
}

// scheduleErr turns the mgr's EINVAL about a level (an unknown namespace or
// image) into a refusal that names it.
func scheduleErr(err error) error {
	if err == nil {
		return nil
	}
	if site.IsErrno(err, syscall.EINVAL) || strings.Contains(err.Error(), "Invalid level spec") {
		return refuse("%v; nothing was changed", err)
	}
	return err
}

func nonEmpty(parts ...string) []string {
	var out []string
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return out
}

func dash(s string) string {
	if s == "-" {
		return ""
	}
	return s
}

// parseLevelName turns the mgr's level name ("rbd/", "rbd/ns/", "rbd/img",
// "rbd/ns/img") into rbd's JSON fields.
func parseLevelName(name string) ScheduleLevel {
	lv := ScheduleLevel{Pool: "-", Namespace: "-", Image: "-"}
	if name == "" {
		return lv
	}
	parts := strings.Split(name, "/")
	switch len(parts) {
	case 1:
		lv.Pool = parts[0]
	case 2:
		lv.Pool = parts[0]
		if parts[1] != "" {
			lv.Namespace, lv.Image = "", parts[1]
		}
	default:
		lv.Pool, lv.Namespace = parts[0], parts[1]
		if parts[2] != "" {
			lv.Image = parts[2]
		}
	}
	return lv
}

// ScheduleStatus lists the next scheduled snapshot per image.
func ScheduleStatus(ctx context.Context, c *site.Conn, pool, ns, image string) ([]ScheduledImage, error) {
	a, err := schedAdmin(ctx, c)
	if err != nil {
		return nil, err
	}
	imgs, err := site.Call(ctx, c, "snapshot schedule status", func() ([]admin.ScheduledImage, error) {
		return a.Status(levelSpec(pool, ns, image))
	})
	if err != nil {
		return nil, scheduleErr(err)
	}
	out := []ScheduledImage{}
	for _, i := range imgs {
		out = append(out, ScheduledImage{ScheduleTime: string(i.ScheduleTime), Image: i.Image})
	}
	return out, nil
}
