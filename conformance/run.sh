#!/usr/bin/env bash
# conformance/run.sh: Ceph's rbd qa workunits (mirroring, journal and group
# parts), ported to the two-site lab with rbdtui in place of rbd, plus a
# side-by-side JSON comparison with the real rbd 16.2 on the same state.
#
#   conformance/run.sh [--lab DIR] [--bin PATH] [part...]
#
# Parts: cli_generic journal rbd_groups rbd_mirror_journal
# rbd_mirror_snapshot json (default: all). Each ported file keeps its
# workunit's name; a failure names that file and the line of the check.
#
# It works in pools of its own (cf1 on both sites, made here and deleted at
# the end), so the rest of a test lab is not disturbed. Deliberate safety
# differences go through their documented switches: RBDTUI_ASSUME_YES=1 for
# confirmations (and --yes where the binary predates it), --show-token for
# bootstrap tokens.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
LAB=${RBDTUI_LAB_DIR:-$HERE/../.lab}
BIN=$HERE/../bin/rbdtui
PARTS=()
while [ $# -gt 0 ]; do
	case $1 in
	--lab) LAB=$2; shift ;;
	--bin) BIN=$2; shift ;;
	*) PARTS+=("$1") ;;
	esac
	shift
done
[ ${#PARTS[@]} -gt 0 ] || PARTS=(cli_generic journal rbd_groups rbd_mirror_journal rbd_mirror_snapshot json)
LAB=$(cd "$LAB" && pwd)
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
command -v jq >/dev/null || { echo "conformance: jq is needed (apt-get install jq)"; exit 2; }
[ -x "$BIN" ] || { echo "conformance: no $BIN (make build)"; exit 2; }
[ -f "$LAB/site-a/ceph.conf" ] || { echo "conformance: no lab in $LAB (make lab-up)"; exit 2; }

TMP=$(mktemp -d /tmp/rbdtui-conformance.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
# rbdtui as the workunits run rbd: an admin client on each site.
cat >"$TMP/rbdtui.yaml" <<YAML
timeout: 30s
sites:
  - name: site-a
    conf: $LAB/site-a/ceph.conf
    client: client.admin
    keyring: $LAB/site-a/keys/client.admin.keyring
  - name: site-b
    conf: $LAB/site-b/ceph.conf
    client: client.admin
    keyring: $LAB/site-b/keys/client.admin.keyring
YAML

export RBDTUI_ASSUME_YES=1
YES=()
# The switch is RBDTUI_ASSUME_YES; a binary from before it gets --yes.
grep -q RBDTUI_ASSUME_YES "$BIN" || YES=(--yes)
export CEPH_ARGS=""
rbdtui_a() { "$BIN" --config "$TMP/rbdtui.yaml" --site site-a "${YES[@]}" "$@"; }
rbdtui_b() { "$BIN" --config "$TMP/rbdtui.yaml" --site site-b "${YES[@]}" "$@"; }
rbd_a() { rbd -c "$LAB/site-a/ceph.conf" --keyring "$LAB/site-a/keys/client.admin.keyring" "$@"; }
rbd_b() { rbd -c "$LAB/site-b/ceph.conf" --keyring "$LAB/site-b/keys/client.admin.keyring" "$@"; }
ceph_a() { ceph -c "$LAB/site-a/ceph.conf" --keyring "$LAB/site-a/keys/client.admin.keyring" "$@"; }
ceph_b() { ceph -c "$LAB/site-b/ceph.conf" --keyring "$LAB/site-b/keys/client.admin.keyring" "$@"; }
rados_a() { rados -c "$LAB/site-a/ceph.conf" --keyring "$LAB/site-a/keys/client.admin.keyring" "$@"; }

. "$HERE/lib.sh"

POOL=cf1
cleanup() {
	for s in a b; do
		"ceph_$s" osd pool rm $POOL $POOL --yes-i-really-really-mean-it >/dev/null 2>&1
		"ceph_$s" osd pool rm cf2 cf2 --yes-i-really-really-mean-it >/dev/null 2>&1
		"ceph_$s" osd pool rm cf3 cf3 --yes-i-really-really-mean-it >/dev/null 2>&1
		"rbd_$s" mirror snapshot schedule remove >/dev/null 2>&1
	done
}
trap 'cleanup; rm -rf "$TMP"' EXIT
cleanup
start=$(date +%s)
# setup (rbd_mirror_helpers.sh setup_pools): a pool on each site, mirrored
# in image mode, peers registered by a bootstrap token.
for s in a b; do
	for p in $POOL cf2; do
		"ceph_$s" osd pool create $p 8 >/dev/null 2>&1 && "rbd_$s" pool init $p || { echo "conformance: cannot create pool $p on site-$s"; exit 1; }
	done
done
. "$HERE/setup.sh"
setup_pool $POOL
# the JSON comparison reads whole pools: it has one of its own
JSON_POOL=cf2
setup_pool $JSON_POOL

# run_part P: one ported workunit in a subshell; its counts and failures
# go to files the summary adds up.
run_part() {
	(
		PASS=0 FAIL=0 FAILURES=()
		t0=$(date +%s)
		. "$HERE/$1.sh"
		echo "$PASS $FAIL" >"$TMP/$1.count"
		for f in "${FAILURES[@]}"; do echo "$f"; done >"$TMP/$1.failures"
		echo "== $1: $PASS/$((PASS + FAIL)) in $(($(date +%s) - t0))s"
	) >"$TMP/$1.log" 2>&1
}
# The workunits run side by side (each in its own images and pools,
# schedules on one site each), since most of their time is spent waiting
# for rbd-mirror.
pids=()
for p in "${PARTS[@]}"; do
	[ -f "$HERE/$p.sh" ] || { echo "conformance: no part $p"; exit 2; }
	run_part "$p" &
	pids+=($!)
done
for pid in "${pids[@]}"; do wait "$pid"; done
for p in "${PARTS[@]}"; do
	grep -v '^FAIL ' "$TMP/$p.log"
	read -r ps fl <"$TMP/$p.count" 2>/dev/null || { ps=0 fl=1; echo "$p: did not finish" >"$TMP/$p.failures"; }
	PASS=$((PASS + ps)) FAIL=$((FAIL + fl))
	while IFS= read -r f; do FAILURES+=("$f"); done <"$TMP/$p.failures"
done
echo "== done in $(($(date +%s) - start))s"
summary
