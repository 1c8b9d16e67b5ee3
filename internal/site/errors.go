package site

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"strings"
	"syscall"

	"github.com/rbdtui/rbdtui/internal/release"
)

// Error is a failure on one site, worded for an operator: which site, what
// rbdtui was doing, and what went wrong in words rather than errno numbers.
type Error struct {
	Site string
	Op   string
	Err  error
	// Hint says what to do about it, when there is something to say.
	Hint string
	// NotFound marks a pool, image or other object that does not exist:
	// a mistake in what was asked for rather than a failure.
	NotFound bool
}

func (e *Error) Error() string {
	s := fmt.Sprintf("site %s: %s: %v", e.Site, e.Op, e.Err)
	if e.Hint != "" {
		s += " (" + e.Hint + ")"
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// Errno extracts the (positive) errno from a go-ceph error, or 0. An Error
// marked NotFound is ENOENT even when its words replaced librados' error.
func Errno(err error) int {
	var se0 *Error
	if errors.As(err, &se0) && se0.NotFound && Errno(se0.Err) == 0 {
		return int(syscall.ENOENT)
	}
	var ec interface{ ErrorCode() int }
	if errors.As(err, &ec) {
		n := ec.ErrorCode()
		if n < 0 {
			n = -n
		}
		return n
	}
	var se syscall.Errno
	if errors.As(err, &se) {
		return int(se)
	}
	return 0
}

// IsErrno reports whether err carries errno n.
func IsErrno(err error, n syscall.Errno) bool { return Errno(err) == int(n) }

// Words is a short operator phrase for common errnos, used when wrapping
// librados errors whose own text is "rados: ret=-110, Connection timed out".
func Words(err error) string {
	if err == nil {
		return ""
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return "timed out"
	}
	switch syscall.Errno(Errno(err)) {
	case syscall.ETIMEDOUT:
		return "timed out"
	case syscall.EACCES, syscall.EPERM:
		return "permission denied"
	case syscall.ENOENT:
		return "not found"
	case syscall.EEXIST:
		return "already exists"
	case syscall.EBUSY:
		return "busy"
	case syscall.EINVAL:
		return "invalid argument"
	case syscall.ENOTCONN, syscall.ESHUTDOWN:
		return "not connected"
	case syscall.ENOSYS, syscall.EOPNOTSUPP:
		return "not supported by this cluster"
	}
	return err.Error()
}

// connectError turns a failed connect into an operator message.
func connectError(site, client, keyring, monHost string, timeout string, err error) error {
	e := &Error{Site: site, Op: "connect as " + client, Err: err}
	switch {
	case errors.Is(err, context.DeadlineExceeded) || IsErrno(err, syscall.ETIMEDOUT):
		e.Err = fmt.Errorf("no monitor answered within %s", timeout)
		e.Hint = "is the site up and is " + monHost + " reachable?"
	case IsErrno(err, syscall.EACCES) || IsErrno(err, syscall.EPERM):
		e.Err = errors.New("authentication failed")
		if keyring != "" {
			e.Hint = "the key in " + keyring + " is not accepted by this cluster for " + client
		} else {
			e.Hint = "no keyring configured for " + client
		}
	case IsErrno(err, syscall.ENOENT):
		e.Err = errors.New("no key found for " + client)
		e.Hint = "check the keyring file and the client name"
	case IsErrno(err, syscall.EIO) && keyring != "" && keyringType(keyring, client) == keyAES256K:
		// librados before Ceph 20 cannot parse an aes256k key: it logs
		// "Malformed input" and returns EIO, which says nothing.
		if hint := release.AES256KHint(site); hint != "" {
			e.Err = errors.New("cannot read the aes256k key of " + client + " in " + keyring)
			e.Hint = hint
		}
	case IsErrno(err, syscall.EIO) && keyring != "":
		// librados says only "Input/output error" when the key it read
		// does not decode (a truncated or mistyped key).
		e.Err = errors.New("the key could not be used (input/output error)")
		e.Hint = "is the key of " + client + " in " + keyring + " complete and unchanged? it must be the base64 key `ceph auth get-key " + client + "` prints"
	}
	return e
}

// Ceph key types (CEPH_CRYPTO_* in Ceph's include/ceph_fs.h): the first
// byte of a key's binary form, so "AQ..." in base64 is aes and "Ag..." is
// aes256k.
const (
	keyAES     = 1
	keyAES256K = 2
)

// keyringType returns the type of client's key in a keyring file (0 when
// the file or the key cannot be read: the caller then says nothing more).
func keyringType(path, client string) int {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	section := ""
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]") {
			section = strings.TrimSpace(line[1 : len(line)-1])
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok || strings.TrimSpace(k) != "key" || (section != client && section != "") {
			continue
		}
		raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(v))
		if err != nil || len(raw) == 0 {
			return 0
		}
		return int(raw[0])
	}
	return 0
}
