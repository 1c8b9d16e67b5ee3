// Package mirror is the mirroring engine: pool and image mirroring, peers,
// status polling and failover orchestration, over go-ceph. It never imports
// the UI; the console reaches it through model.Backend.
package mirror
