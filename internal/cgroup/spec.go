package cgroup

import (
	"fmt"
	"strings"

	"github.com/rbdtui/rbdtui/model"
)

// Spec names a group the way rbd does: [pool/[namespace/]]group[@snap].
type Spec struct {
	Pool      string
	Namespace string
	Group     string
	Snap      string
}

// String spells the spec as rbd does; a group spec has an image spec's shape.
func (s Spec) String() string {
	return model.ImageSpec{Pool: s.Pool, Namespace: s.Namespace, Image: s.Group, Snap: s.Snap}.String()
}

// WithoutSnap is the group's spec without a snapshot.
func (s Spec) WithoutSnap() Spec { s.Snap = ""; return s }

// ParseSpec parses [pool/[namespace/]]group[@snap]; a missing pool is rbd's
// default pool.
func ParseSpec(s string, allowSnap bool) (Spec, error) {
	is, err := model.ParseImageSpec(s, allowSnap)
	if err != nil {
		return Spec{}, fmt.Errorf("group spec %s", strings.TrimPrefix(err.Error(), "image spec "))
	}
	return Spec{Pool: is.Pool, Namespace: is.Namespace, Group: is.Image, Snap: is.Snap}, nil
}

// memberSpec renders a member the way rbd group image ls shows it.
func memberSpec(pool, ns, image string) string {
	return model.ImageSpec{Pool: pool, Namespace: ns, Image: image}.String()
}
