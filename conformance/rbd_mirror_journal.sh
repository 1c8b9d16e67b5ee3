# rbd_mirror_journal.sh: qa/workunits/rbd/rbd_mirror_journal.sh's replay,
# failover/failback and force-promote tests (with rbd_mirror_helpers.sh's
# checks), rbdtui in place of rbd for the mirroring commands, in $POOL and in
# its namespace ns1. site-b is CLUSTER2 (the first primary), site-a CLUSTER1.

# get_position: the helpers read `journal status` plain output
get_position() { # site spec id_regexp
	rbdtui_$1 journal status --image "$2" 2>/dev/null |
		sed -nEe 's/^.*\[id='"$3"',.*positions=\[\[([^]]*)\],.*$/\1/p'
}
replay_complete() { # primary-site spec: the mirror client caught up
	local m r
	m=$(get_position "$1" "$2" '')
	r=$(get_position "$1" "$2" '..*')
	[ -n "$m" ] && [ "$m" = "$r" ]
}

specs=($POOL/test $POOL/ns1/test)
for spec in "${specs[@]}"; do
	rbd_b create --size 128 --image-feature layering,exclusive-lock,journaling "$spec"
	t rbdtui_b mirror image enable "$spec" journal
	rbd_b image-meta set "$spec" key1 value1 >/dev/null
done
# add image and test replay
for spec in "${specs[@]}"; do
	wait_for 60 status_is a "$spec" 'up\+replaying'
	rbd_b bench --io-type write --io-total 256K "$spec" >/dev/null
	wait_for 60 replay_complete b "$spec"
	wait_for 60 status_is a "$spec" 'up\+replaying' 'primary_position'
	expect_eq value1 "$(rbd_a image-meta get "$spec" key1 2>/dev/null)" "image meta replayed to site-a ($spec)"
	wait_for 40 status_is b "$spec" 'up\+stopped'
done
# failover and failback (in the namespace, the path this issue is about):
# demote on site-b, promote on site-a, and back
spec=$POOL/ns1/test
t rbdtui_b mirror image demote "$spec"
wait_for 60 status_is a "$spec" 'up\+unknown'
wait_for 60 status_is b "$spec" 'up\+unknown'
t rbdtui_a mirror image promote "$spec"
wait_for 60 status_is b "$spec" 'up\+replaying'
t rbdtui_a mirror image demote "$spec"
wait_for 60 status_is b "$spec" 'up\+unknown'
t rbdtui_b mirror image promote "$spec"
wait_for 60 status_is a "$spec" 'up\+replaying'
# rbdtui's failover in the namespace: to site-a and back, the default
# namespace's image of the same name untouched
ns_img=$POOL/ns1/test
t rbdtui_a failover --to site-a --from site-b --image $ns_img --step-timeout 90s
expect_eq true "$(rbd_a info $ns_img --format json | jq -r .mirroring.primary)" "namespace image primary on site-a after failover"
expect_eq true "$(rbd_b info $POOL/test --format json | jq -r .mirroring.primary)" "default-namespace image of the same name still primary on site-b"
t rbdtui_a failover --to site-b --from site-a --image $ns_img --step-timeout 90s
expect_eq true "$(rbd_b info $ns_img --format json | jq -r .mirroring.primary)" "namespace image primary on site-b after failback"
# force promote
fp=$POOL/test_force_promote
rbd_b create --size 128 --image-feature layering,exclusive-lock,journaling $fp
t rbdtui_b mirror image enable $fp journal
wait_for 60 status_is a $fp 'up\+replaying'
t rbdtui_a mirror image promote --force $fp
wait_for 60 status_is a $fp 'up\+stopped'
wait_for 60 status_is b $fp 'up\+stopped'
# split-brain recovery: demote and resync site-a's copy (the workunit
# removes the image instead; resync is checked by internal/cli's tests)
t rbdtui_a mirror image demote $fp
t rbdtui_a mirror image resync $fp
for spec in "${specs[@]}" $fp; do
	rbdtui_b mirror image disable --force "$spec" >/dev/null 2>&1
	rbd_b rm --no-progress "$spec" >/dev/null 2>&1
done
