package model

import (
	"fmt"
	"strings"
)

// DefaultPool is the pool rbd assumes when a spec names none.
const DefaultPool = "rbd"

// ImageSpec names an image the way rbd does: [pool/[namespace/]]image[@snap].
type ImageSpec struct {
	Pool      string
	Namespace string
	Image     string
	Snap      string
}

func (s ImageSpec) String() string {
	out := s.Pool + "/"
	if s.Namespace != "" {
		out += s.Namespace + "/"
	}
	out += s.Image
	if s.Snap != "" {
		out += "@" + s.Snap
	}
	return out
}

// ParseImageSpec parses [pool/[namespace/]]name[@snap]. A missing pool is
// DefaultPool. allowSnap says whether "@snap" may appear.
func ParseImageSpec(s string, allowSnap bool) (ImageSpec, error) {
	var spec ImageSpec
	if s == "" {
		return spec, fmt.Errorf("empty image spec (expected [pool/[namespace/]]image)")
	}
	if i := strings.IndexByte(s, '@'); i >= 0 {
		if !allowSnap {
			return spec, fmt.Errorf("image spec %q: a snapshot name is not allowed here", s)
		}
		spec.Snap = s[i+1:]
		s = s[:i]
		if spec.Snap == "" {
			return spec, fmt.Errorf("image spec %q: empty snapshot name after '@'", s+"@")
		}
	}
	parts := strings.Split(s, "/")
	switch len(parts) {
	case 1:
		spec.Pool, spec.Image = DefaultPool, parts[0]
	case 2:
		spec.Pool, spec.Image = parts[0], parts[1]
	case 3:
		spec.Pool, spec.Namespace, spec.Image = parts[0], parts[1], parts[2]
	default:
		return spec, fmt.Errorf("image spec %q: too many '/' (expected [pool/[namespace/]]image)", s)
	}
	for what, v := range map[string]string{"pool": spec.Pool, "image": spec.Image} {
		if v == "" {
			return spec, fmt.Errorf("image spec %q: empty %s name", s, what)
		}
	}
	if len(parts) == 3 && spec.Namespace == "" {
		return spec, fmt.Errorf("image spec %q: empty namespace name", s)
	}
	return spec, nil
}

// PoolSpec names a pool, optionally on a cluster: [cluster/]pool, or a pool
// with a namespace: pool[/namespace], depending on the command.
type PoolSpec struct {
	Cluster   string
	Pool      string
	Namespace string
}

// ParsePoolSpec parses pool[/namespace].
func ParsePoolSpec(s string) (PoolSpec, error) {
	if s == "" {
		return PoolSpec{Pool: DefaultPool}, nil
	}
	parts := strings.Split(s, "/")
	if len(parts) > 2 || parts[0] == "" || (len(parts) == 2 && parts[1] == "") {
		return PoolSpec{}, fmt.Errorf("pool spec %q: expected pool[/namespace]", s)
	}
	p := PoolSpec{Pool: parts[0]}
	if len(parts) == 2 {
		p.Namespace = parts[1]
	}
	return p, nil
}
