package lab

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// startDaemon starts a Ceph daemon in the foreground (-f) in its own session,
// so it outlives `rbdtui lab up`, with its output in logPath. The returned PID
// is the daemon itself, which is what `down` stops.
func startDaemon(env []string, logPath string, name string, args ...string) (int, error) {
	logf, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return 0, err
	}
	defer logf.Close()
	cmd := exec.Command(name, args...)
	cmd.Env = env
	cmd.Stdout = logf
	cmd.Stderr = logf
	cmd.Stdin = nil
	// From /: Debian sid's Tentacle has a relative osd_class_dir default
	// ("lib/x86_64-linux-gnu/rados-classes"), so an OSD started elsewhere
	// loads no object classes and every rbd call fails with EOPNOTSUPP.
	cmd.Dir = "/"
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return 0, fmt.Errorf("start %s: %w", name, err)
	}
	pid := cmd.Process.Pid
	// Reap it if it dies while we are still running, so that alive() sees a
	// dead daemon as dead rather than as a zombie.
	go cmd.Wait()
	return pid, nil
}

// alive reports whether pid runs and is the daemon we started: its command
// line must mention marker (the site's ceph.conf), which guards against a
// recycled PID.
func alive(pid int, marker string) bool {
	if pid <= 0 {
		return false
	}
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	if err != nil {
		return false
	}
	if st, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid)); err == nil {
		// Field 3 is the state; Z means it already exited.
		if i := bytes.LastIndexByte(st, ')'); i > 0 && i+2 < len(st) && st[i+2] == 'Z' {
			return false
		}
	}
	return strings.Contains(string(bytes.ReplaceAll(data, []byte{0}, []byte{' '})), marker)
}

// stop sends SIGTERM, waits up to grace, then SIGKILLs. It only touches the
// given PID, and only if it is still the daemon we started.
func stop(pid int, marker string, grace time.Duration) error {
	if !alive(pid, marker) {
		return nil
	}
	_ = syscall.Kill(pid, syscall.SIGTERM)
	deadline := time.Now().Add(grace)
	for time.Now().Before(deadline) {
		if !alive(pid, marker) {
			waitReaped(pid)
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	_ = syscall.Kill(pid, syscall.SIGKILL)
	for i := 0; i < 100; i++ {
		if !alive(pid, marker) {
			waitReaped(pid)
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("pid %d did not exit after SIGKILL", pid)
}

// waitReaped gives init a moment to reap an exited daemon so that nothing of
// the lab, not even a zombie, is left in the process table when down returns.
func waitReaped(pid int) {
	for i := 0; i < 60; i++ {
		if _, err := os.Stat(fmt.Sprintf("/proc/%d", pid)); err != nil {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// run executes a Ceph CLI command with a deadline and returns its stdout; on
// failure the error carries stderr.
func run(ctx context.Context, env []string, stdin []byte, name string, args ...string) ([]byte, error) {
	return runShown(ctx, env, stdin, append([]string{name}, args...), name, args...)
}

// runShown is run, with errors naming the command as shown rather than as
// executed (a chrooted command is named without its wrapper).
func runShown(ctx context.Context, env []string, stdin []byte, shown []string, name string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = env
	var out, errb bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &errb
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(errb.String())
		if ctx.Err() != nil {
			err = ctx.Err()
		}
		return out.Bytes(), fmt.Errorf("%s: %w: %s", strings.Join(shown, " "), err, lastLines(msg, 3))
	}
	return out.Bytes(), nil
}

func lastLines(s string, n int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, " | ")
}

// retry calls fn until it succeeds or ctx ends, returning the last error.
func retry(ctx context.Context, every time.Duration, what string, fn func() error) error {
	var last error
	for {
		if last = fn(); last == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for %s: %w (last error: %v)", what, ctx.Err(), last)
		case <-time.After(every):
		}
	}
}

func atoiTrim(b []byte) (int, error) {
	s := strings.TrimSpace(string(b))
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, errors.New("expected a number, got " + strconv.Quote(s))
	}
	return n, nil
}

// Freeze stops every daemon of a lab site with SIGSTOP (by recorded PID), as
// a site that dropped off the network would look to its peer and clients.
func (s *SiteState) Freeze() error {
	for _, pid := range s.PIDs.list() {
		if !alive(pid, s.Conf) {
			return fmt.Errorf("%s: pid %d is not running", s.Name, pid)
		}
		if err := syscall.Kill(pid, syscall.SIGSTOP); err != nil {
			return err
		}
	}
	return nil
}

// Thaw resumes a frozen site. A memstore OSD that was stopped keeps client
// ops "waiting for readable" after it resumes (its PG read leases ran out
// while it was stopped), so Thaw marks it down once, which makes it re-peer
// and serve again at once.
func (s *SiteState) Thaw(ctx context.Context) error {
	for _, pid := range s.PIDs.list() {
		syscall.Kill(pid, syscall.SIGCONT)
	}
	return retry(ctx, time.Second, s.Name+" OSD re-peering", func() error {
		_, err := s.ceph(ctx, "osd", "down", "0")
		return err
	})
}

// Stopped reports whether any daemon of the site is stopped (SIGSTOP).
func (s *SiteState) Stopped() bool {
	for _, pid := range s.PIDs.list() {
		st, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			continue
		}
		if i := bytes.LastIndexByte(st, ')'); i > 0 && i+2 < len(st) && st[i+2] == 'T' {
			return true
		}
	}
	return false
}
