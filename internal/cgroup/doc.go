// Package cgroup implements consistency groups on rbd groups: group journal
// settings, membership with journaling, consistency points (group
// snapshots) and group-consistent failover.
package cgroup
