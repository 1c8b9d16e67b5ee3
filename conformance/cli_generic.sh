# cli_generic.sh: the mirror, snapshot schedule, bootstrap and namespace
# parts of qa/workunits/rbd/cli_generic.sh, with rbdtui in place of rbd.

# test_mirror_snapshot_schedule (pool $POOL for rbd2, namespace ns1)
t rbdtui_a mirror snapshot schedule remove
expect_fail rbdtui_a mirror snapshot schedule ls
expect_rc 2 rbdtui_a mirror snapshot schedule ls
# (other tests of a shared lab may keep schedules in their own pools: only
# this pool's are counted)
mine='[.[] | select(.pool == "'$POOL'" or (.image // "" | startswith("'$POOL'/")))]'
expect_eq "[]" "$(rbdtui_a mirror snapshot schedule ls -R --format json | jq -c "$mine")" "schedule ls -R --format json with none"
expect_eq "[]" "$(rbdtui_a mirror snapshot schedule status --format json | jq -c "$mine")" "schedule status --format json with none"
expect_eq "array" "$(rbdtui_a mirror snapshot schedule status --format json | jq -r type)" "schedule status --format json is a bare array"
rbd_a create -s 1 $POOL/ns1/test1
expect_eq 0 "$(rbdtui_a mirror image status $POOL/ns1/test1 2>/dev/null | grep -c mirror.primary)" "mirror.primary lines before enable"
t rbdtui_a mirror image enable $POOL/ns1/test1 snapshot
expect_eq 1 "$(rbdtui_a mirror image status $POOL/ns1/test1 | grep -c mirror.primary)" "mirror.primary lines after enable"
t rbdtui_a mirror snapshot schedule add -p $POOL/ns1 --image test1 1m
expect_fail rbdtui_a mirror snapshot schedule ls
expect_grep "$POOL *ns1 *test1 *every 1m" "$(rbdtui_a mirror snapshot schedule ls -R)" "schedule ls -R"
expect_fail rbdtui_a mirror snapshot schedule ls -p $POOL
expect_grep "$POOL *ns1 *test1 *every 1m" "$(rbdtui_a mirror snapshot schedule ls -p $POOL -R)" "schedule ls -p pool -R"
expect_fail rbdtui_a mirror snapshot schedule ls -p $POOL/ns1
expect_grep "$POOL *ns1 *test1 *every 1m" "$(rbdtui_a mirror snapshot schedule ls -p $POOL/ns1 -R)" "schedule ls -p pool/ns -R"
expect_eq "every 1m" "$(rbdtui_a mirror snapshot schedule ls -p $POOL/ns1 --image test1)" "schedule ls at the image level"
# (the workunit waits up to 2 minutes for the schedule to take a snapshot;
# that is the mgr's work, not the CLI's, and is left out to keep this short)
for lv in "" "-p $POOL" "-p $POOL/ns1" "-p $POOL/ns1 --image test1"; do
	# the status JSON is a bare array; the image shows once the mgr's
	# rbd_support has loaded the schedule, which it rereads about once a
	# minute (the workunit allows 2 minutes; 40 s failed once on CI)
	wait_for 120 eval "rbdtui_a mirror snapshot schedule status $lv --format json | jq -e 'map(.image) | index(\"$POOL/ns1/test1\")'"
done
t rbdtui_a mirror image demote $POOL/ns1/test1
t rbdtui_a mirror image promote $POOL/ns1/test1
t rbdtui_a mirror snapshot schedule add 1h 00:15
expect_eq "every 1h starting at 00:15:00" "$(rbdtui_a mirror snapshot schedule ls)" "global schedule ls"
expect_grep "every 1h starting at 00:15:00" "$(rbdtui_a mirror snapshot schedule ls -R)" "schedule ls -R, global"
expect_grep "$POOL *ns1 *test1 *every 1m" "$(rbdtui_a mirror snapshot schedule ls -R)" "schedule ls -R, image"
expect_fail rbdtui_a mirror snapshot schedule ls -p $POOL
expect_grep "every 1h starting at 00:15:00" "$(rbdtui_a mirror snapshot schedule ls -p $POOL -R)" "schedule ls -p pool -R shows the global parent"
expect_fail rbdtui_a mirror snapshot schedule ls -p $POOL/ns1
expect_grep "every 1h starting at 00:15:00" "$(rbdtui_a mirror snapshot schedule ls -p $POOL/ns1 -R)" "schedule ls -p pool/ns -R shows the global parent"
expect_eq "every 1m" "$(rbdtui_a mirror snapshot schedule ls -p $POOL/ns1 --image test1)" "image level after a global add"
# Negative tests
expect_fail rbdtui_a mirror snapshot schedule add dummy
expect_fail rbdtui_a mirror snapshot schedule add -p $POOL/ns1 --image test1 dummy
expect_fail rbdtui_a mirror snapshot schedule remove dummy
expect_fail rbdtui_a mirror snapshot schedule remove -p $POOL/ns1 --image test1 dummy
expect_eq "every 1h starting at 00:15:00" "$(rbdtui_a mirror snapshot schedule ls)" "global schedule unchanged by bad input"
expect_eq "every 1m" "$(rbdtui_a mirror snapshot schedule ls -p $POOL/ns1 --image test1)" "image schedule unchanged by bad input"
# rbdtui-only: an unknown namespace is refused by name, nothing changes
expect_fail rbdtui_a mirror snapshot schedule add -p $POOL/nosuch 1h
t rbdtui_a mirror snapshot schedule remove -p $POOL/ns1 --image test1 1m
t rbdtui_a mirror image disable $POOL/ns1/test1
rbd_a rm --no-progress $POOL/ns1/test1 >/dev/null 2>&1
t rbdtui_a mirror snapshot schedule remove
expect_eq "[]" "$(rbdtui_a mirror snapshot schedule ls -R --format json | jq -c "$mine")" "schedule ls -R after remove"

# test_mirror_pool_peer_bootstrap_create: the token is the same across
# calls and pools (rbdtui prints it only with --show-token)
ceph_a osd pool create cf3 8 >/dev/null 2>&1 && rbd_a pool init cf3
t rbdtui_a mirror pool enable cf3 pool
TOKEN=$(rbdtui_a mirror pool peer bootstrap create --show-token $POOL | base64 -d)
expect_eq "$(ceph_a fsid)" "$(jq -r .fsid <<<"$TOKEN")" "token fsid"
expect_eq "$(ceph_a auth get-key client.$(jq -r .client_id <<<"$TOKEN"))" "$(jq -r .key <<<"$TOKEN")" "token key"
expect_eq "$TOKEN" "$(rbdtui_a mirror pool peer bootstrap create --show-token $POOL | base64 -d)" "token stable"
expect_eq "$TOKEN" "$(rbdtui_a mirror pool peer bootstrap create --show-token cf3 | base64 -d)" "token the same across pools"
expect_eq "$TOKEN" "$(rbd_a mirror pool peer bootstrap create $POOL | base64 -d)" "rbd's token is the same"
# the safety difference: no token on stdout without --show-token or --output
expect_fail rbdtui_a mirror pool peer bootstrap create $POOL
t rbdtui_a mirror pool peer bootstrap create --output "$TMP/tok2" $POOL
expect_eq 600 "$(stat -c %a "$TMP/tok2")" "token file mode"

# namespaces (test_namespace's mirror side, and this issue's bad input)
expect_eq '{"mode":"image"}' "$(rbdtui_a mirror pool info $POOL/ns1 --format json)" "namespace info"
rbd_a namespace create $POOL/ns2
t rbdtui_a mirror pool enable $POOL/ns2 image
expect_eq '{"mode":"image"}' "$(rbd_a mirror pool info $POOL/ns2 --format json)" "rbd sees the namespace enabled"
t rbdtui_a mirror pool disable $POOL/ns2
expect_eq '{"mode":"disabled"}' "$(rbd_a mirror pool info $POOL/ns2 --format json)" "rbd sees the namespace disabled"
expect_eq "$(rbd_a mirror pool info $POOL --format json)" "$(rbdtui_a mirror pool info $POOL --format json)" "the pool untouched by its namespace"
# unknown namespace, a namespace on one site only, malformed specs
for cmd in "mirror pool info $POOL/nosuch" "mirror pool status $POOL/nosuch" "mirror pool enable $POOL/nosuch image" \
	"mirror pool disable $POOL/nosuch" "mirror pool promote $POOL/nosuch" "mirror pool demote $POOL/nosuch"; do
	expect_fail rbdtui_a $cmd
done
expect_fail rbdtui_b mirror pool enable $POOL/ns2 image
expect_eq '{"mode":"disabled"}' "$(rbd_a mirror pool info $POOL/ns2 --format json)" "site-a's namespace untouched by site-b's refusal"
for spec in "$POOL/ns1/x/y" "$POOL//x" "/ns1/x" "$POOL/ns1/"; do
	expect_rc 2 rbdtui_a mirror image enable "$spec" journal
done
expect_rc 2 rbdtui_a mirror pool info "$POOL/ns1/x"
# peers belong to a whole pool: rbd refuses a namespace there (EINVAL)
expect_fail rbdtui_a mirror pool peer add $POOL/ns1 client.x@y
expect_fail rbdtui_a mirror pool peer bootstrap create --show-token $POOL/ns1
rbd_a namespace rm $POOL/ns2
t rbdtui_a mirror pool disable cf3
ceph_a osd pool rm cf3 cf3 --yes-i-really-really-mean-it >/dev/null 2>&1
