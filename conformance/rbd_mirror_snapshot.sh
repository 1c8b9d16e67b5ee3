# rbd_mirror_snapshot.sh: qa/workunits/rbd/rbd_mirror_snapshot.sh's replay
# and failover tests in snapshot mode, with rbdtui for the mirroring
# commands, in $POOL and in its namespace ns1.
sspecs=($POOL/stest $POOL/ns1/stest)
snap_synced() { # spec: site-a holds site-b's newest primary snapshot
	local id
	id=$(rbdtui_b mirror image status "$1" --format json | jq -r '.snapshots[-1].id // empty')
	[ -n "$id" ] && rbd_a snap ls --all "$1" --format json |
		jq -e --argjson id "$id" 'map(select(.namespace.type == "mirror" and .namespace.primary_snap_id == $id and .namespace.complete == true)) | length > 0' >/dev/null
}
for spec in "${sspecs[@]}"; do
	rbd_b create --size 128 --image-feature layering,exclusive-lock "$spec"
	t rbdtui_b mirror image enable "$spec" snapshot
	expect_eq 1 "$(rbdtui_b mirror image status "$spec" | grep -c mirror.primary)" "one primary mirror snapshot after enable ($spec)"
done
for spec in "${sspecs[@]}"; do
	wait_for 60 status_is a "$spec" 'up\+replaying'
	rbd_b bench --io-type write --io-total 256K "$spec" >/dev/null
	out=$(rbdtui_b mirror image snapshot "$spec")
	expect_grep '^Snapshot ID: [0-9]+$' "$out" "mirror image snapshot output"
	wait_for 60 snap_synced "$spec"
done
# failover and failback
for spec in "${sspecs[@]}"; do
	t rbdtui_b mirror image demote "$spec"
done
for spec in "${sspecs[@]}"; do
	wait_for 60 status_is a "$spec" 'up\+unknown'
	t rbdtui_a mirror image promote "$spec"
done
for spec in "${sspecs[@]}"; do
	wait_for 60 status_is b "$spec" 'up\+replaying'
	t rbdtui_a mirror image demote "$spec"
done
for spec in "${sspecs[@]}"; do
	wait_for 60 status_is b "$spec" 'up\+unknown'
	t rbdtui_b mirror image promote "$spec"
done
for spec in "${sspecs[@]}"; do
	wait_for 60 status_is a "$spec" 'up\+replaying'
	rbdtui_b mirror image disable --force "$spec" >/dev/null 2>&1
	rbd_b rm --no-progress "$spec" >/dev/null 2>&1
done
