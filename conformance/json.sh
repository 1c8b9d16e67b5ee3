# json.sh: every command rbdtui shares with rbd that has --format json,
# side by side with rbd 16.2 on the same site and state, in a pool of its
# own (nothing else changes there meanwhile).
POOL=$JSON_POOL
for P in $POOL $POOL/ns1; do
	rbd_b create --size 64 --image-feature layering,exclusive-lock,journaling $P/jj
	rbd_b create --size 64 --image-feature layering,exclusive-lock $P/js
	rbdtui_b mirror image enable $P/jj journal >/dev/null
	rbdtui_b mirror image enable $P/js snapshot >/dev/null
	rbd_b bench --io-type write --io-total 64K $P/jj >/dev/null
done
for P in $POOL $POOL/ns1; do
	retry 30 2 status_is a $P/jj 'up\+replaying'
	retry 30 2 status_is a $P/js 'up\+replaying'
done
for s in a b; do
	same_json $s mirror pool info $POOL
	same_json $s mirror pool info $POOL/ns1
	same_json $s mirror pool info --all $POOL
	same_json $s mirror pool status $POOL
	same_json $s mirror pool status $POOL/ns1
	same_json $s mirror pool status -p $POOL --namespace ns1
	for P in $POOL $POOL/ns1; do
		# times and the replay rates inside descriptions move between the
		# two calls: compare the description's words before its JSON
		JQ_DROP='del(.last_update, .peer_sites[]?.last_update) | .description |= sub(",\\{.*"; "") | (.peer_sites[]?.description) |= sub(",\\{.*"; "")'
		JQ_DROP=$JQ_DROP same_json $s mirror image status $P/jj
		JQ_DROP=$JQ_DROP same_json $s mirror image status $P/js
	done
done
JQ_DROP='del(.images[]?.last_update, .images[]?.peer_sites[]?.last_update) | (.images[]?.description) |= sub(",\\{.*"; "") | (.images[]?.peer_sites[]?.description) |= sub(",\\{.*"; "")'
JQ_DROP=$JQ_DROP same_json b mirror pool status --verbose $POOL
JQ_DROP=$JQ_DROP same_json a mirror pool status --verbose $POOL/ns1
same_json b journal info --image $POOL/jj
same_json b journal status --image $POOL/jj
same_json b journal info -p $POOL --namespace ns1 --image jj
same_json b journal status --image $POOL/ns1/jj
# schedules at each level
rbdtui_b mirror snapshot schedule add -p $POOL/ns1 --image js 1h >/dev/null
rbdtui_b mirror snapshot schedule add -p $POOL 2h 01:00 >/dev/null
same_json b mirror snapshot schedule ls -R
same_json b mirror snapshot schedule ls -p $POOL
same_json b mirror snapshot schedule ls -p $POOL/ns1 --image js
same_json b mirror snapshot schedule ls -p $POOL/ns1 -R
same_json b mirror snapshot schedule status
same_json b mirror snapshot schedule status -p $POOL/ns1
rbdtui_b mirror snapshot schedule remove -p $POOL/ns1 --image js >/dev/null
rbdtui_b mirror snapshot schedule remove -p $POOL >/dev/null
# groups
for P in $POOL $POOL/ns1; do
	rbd_b create --size 16 $P/gimg
	rbdtui_b group create $P/jg >/dev/null
	rbdtui_b group image add $P/jg $P/gimg >/dev/null
	rbdtui_b group snap create $P/jg@s1 >/dev/null
	same_json b group list $P
	same_json b group image list $P/jg
	same_json b group snap list $P/jg
	rbdtui_b group remove $P/jg >/dev/null
	rbd_b rm --no-progress $P/gimg >/dev/null 2>&1
done
for P in $POOL $POOL/ns1; do
	for i in jj js; do
		rbdtui_b mirror image disable --force $P/$i >/dev/null 2>&1
		rbd_b rm --no-progress $P/$i >/dev/null 2>&1
	done
done
