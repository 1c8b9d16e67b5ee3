# setup.sh: rbd_mirror_helpers.sh's setup_pools with rbdtui: mirroring
# enabled in image mode on both sites, peers by bootstrap token (rbdtui
# needs --show-token to print one), and a namespace mirrored on both.
t rbdtui_a mirror pool enable $POOL image
t rbdtui_b mirror pool enable $POOL image
rbdtui_a mirror pool peer bootstrap create --show-token --site-name site-a $POOL >"$TMP/token" 2>"$TMP/err"
expect_eq 0 $? "bootstrap create"
t rbdtui_b mirror pool peer bootstrap import --site-name site-b --direction rx-tx $POOL "$TMP/token"
info_a=$(rbdtui_a mirror pool info $POOL --format json)
expect_eq site-b "$(jq -r '.peers[0].site_name' <<<"$info_a")" "site-a's peer after bootstrap import"
expect_eq rx-tx "$(jq -r '.peers[0].direction' <<<"$info_a")" "site-a's peer direction"
for s in a b; do
	rbd_$s namespace create $POOL/ns1
	t rbdtui_$s mirror pool enable $POOL/ns1 image
	expect_eq '{"mode":"image"}' "$(rbdtui_$s mirror pool info $POOL/ns1 --format json)" "mirror pool info $POOL/ns1 on site-$s"
done
