package site_test

import (
	"errors"
	"fmt"
	"syscall"
	"testing"

	"github.com/rbdtui/rbdtui/internal/site"
)

// An image that does not exist is reported in words (site.Error with
// NotFound), yet callers that ask for ENOENT must still recognise it:
// `failover recover` treats a resync target that vanished as already moved.
func TestNotFoundErrorIsENOENT(t *testing.T) {
	nf := &site.Error{Site: "site-a", Op: "open image", Err: errors.New("image rbd/vol1 does not exist"), NotFound: true}
	if !site.IsErrno(nf, syscall.ENOENT) {
		t.Fatal("a NotFound site.Error is not ENOENT")
	}
	if !site.IsErrno(fmt.Errorf("resync: %w", nf), syscall.ENOENT) {
		t.Fatal("a wrapped NotFound site.Error is not ENOENT")
	}
	other := &site.Error{Site: "site-a", Op: "open image", Err: syscall.EACCES}
	if site.IsErrno(other, syscall.ENOENT) || !site.IsErrno(other, syscall.EACCES) {
		t.Fatalf("errno of %v = %d", other, site.Errno(other))
	}
	// NotFound with a real errno inside keeps that errno.
	inner := &site.Error{Site: "b", Op: "x", Err: syscall.ENODATA, NotFound: true}
	if site.Errno(inner) != int(syscall.ENODATA) {
		t.Fatalf("errno of %v = %d", inner, site.Errno(inner))
	}
}
