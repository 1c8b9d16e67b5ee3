# rbd_groups.sh: qa/workunits/rbd/rbd_groups.sh with rbdtui in place of rbd
# for every group command (rbd still creates and removes the images), in
# $POOL and in its namespace ns1.
for P in $POOL $POOL/ns1; do
	group=$P/test_consistency_group
	new_group=$P/test_new_consistency_group
	image=$P/test_image
	# create remove consistency group
	t rbdtui_a group create $group
	expect_grep "^test_consistency_group$" "$(rbdtui_a group list $P)" "group list after create"
	t rbdtui_a group rename $group test_new_consistency_group
	expect_grep "^test_new_consistency_group$" "$(rbdtui_a group list $P)" "group list after rename"
	t rbdtui_a group remove $new_group
	expect_no_grep "^test_new_consistency_group$" "$(rbdtui_a group list $P)" "group list after remove"
	# add remove images to consistency group
	rbd_a create --size 10M $image
	t rbdtui_a group create $group
	t rbdtui_a group image add $group $image
	expect_grep "(^|/)test_image$" "$(rbdtui_a group image list $group)" "group image list after add"
	t rbdtui_a group image remove $group $image
	expect_no_grep "(^|/)test_image$" "$(rbdtui_a group image list $group)" "group image list after remove"
	# the option forms rbd lists in `rbd help group image add`
	pool=${P%%/*}
	ns=""; [ "$P" = "$pool" ] || ns=${P#*/}
	t rbdtui_a group image add --group-pool $pool ${ns:+--group-namespace $ns} --group test_consistency_group \
		--image-pool $pool ${ns:+--image-namespace $ns} --image test_image
	expect_grep "(^|/)test_image$" "$(rbdtui_a group image list $group)" "group image list after add by options"
	t rbdtui_a group image rm --group-pool $pool ${ns:+--group-namespace $ns} --group test_consistency_group \
		--image-pool $pool ${ns:+--image-namespace $ns} --image test_image
	expect_no_grep "(^|/)test_image$" "$(rbdtui_a group image list $group)" "group image list after rm by options"
	t rbdtui_a group remove $group
	rbd_a remove --no-progress $image
	# create remove snapshots of consistency group
	rbd_a create --size 10M $image
	t rbdtui_a group create $group
	t rbdtui_a group image add $group $image
	t rbdtui_a group snap create $group@group_snap
	expect_grep "group_snap" "$(rbdtui_a group snap list $group)" "group snap list after create"
	t rbdtui_a group snap rename $group@group_snap new_group_snap
	expect_no_grep "^group_snap( |$)" "$(rbdtui_a group snap list $group | awk '{print $1}')" "old snap name gone"
	t rbdtui_a group snap remove $group@new_group_snap
	expect_no_grep "^new_group_snap( |$)" "$(rbdtui_a group snap list $group | awk '{print $1}')" "snap gone"
	# rbd removes a group with members (rbdtui asks first: RBDTUI_ASSUME_YES)
	t rbdtui_a group remove $group
	expect_no_grep "^test_consistency_group$" "$(rbdtui_a group list $P)" "group with a member removed"
	expect_eq "" "$(rbd_a info $image --format json | jq -r '.group // empty')" "the former member is in no group"
	# consistency-group remove keeps its refusal of a group with members
	t rbdtui_a group create $group
	t rbdtui_a group image add $group $image
	expect_fail rbdtui_a consistency-group remove $group
	t rbdtui_a group image rm $group $image
	t rbdtui_a consistency-group remove $group
	rbd_a remove --no-progress $image
done
