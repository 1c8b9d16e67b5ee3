package model

import (
	"fmt"
	"strconv"
	"time"
)

// Bytes is rbdtui's one way of printing a size, as rbd info does: whole
// units without decimals (64 MiB, 4 KiB), else one decimal (1.5 MiB).
// The console and the CLI both print sizes through it.
func Bytes(n uint64) string {
	units := []string{"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"}
	v, u := float64(n), 0
	for v >= 1024 && u < len(units)-1 {
		v /= 1024
		u++
	}
	if v == float64(int64(v)) {
		return fmt.Sprintf("%d %s", int64(v), units[u])
	}
	return fmt.Sprintf("%.1f %s", v, units[u])
}

// Ago is rbdtui's one way of printing the age of a piece of data: 5s ago,
// 3m ago, 2h5m ago (a negative age, from clock skew, is 0s ago).
func Ago(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	switch {
	case d < time.Minute:
		return strconv.Itoa(int(d/time.Second)) + "s ago"
	case d < time.Hour:
		return strconv.Itoa(int(d/time.Minute)) + "m ago"
	default:
		return strconv.Itoa(int(d/time.Hour)) + "h" + strconv.Itoa(int(d%time.Hour/time.Minute)) + "m ago"
	}
}

// Refusal is a request an engine refused because it would be wrong (in
// the object's current state, or as given); nothing was changed. Every
// engine refuses with this one type, and the CLI maps it to its exit code
// in one place.
type Refusal struct{ Msg string }

func (r *Refusal) Error() string { return r.Msg }

// NothingToDo says a command changed nothing because the sites already
// are as asked ("rbd/vol1 is already primary on site-b: nothing to do"):
// not a failure, and never a completed action. Engines return it; the CLI
// reports it with exit 0, the console from ExecResult.NoOp.
type NothingToDo struct{ Msg string }

func (e *NothingToDo) Error() string { return e.Msg }

// Refusef makes a Refusal.
func Refusef(format string, args ...any) error {
	return &Refusal{Msg: fmt.Sprintf(format, args...)}
}
