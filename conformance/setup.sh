# setup.sh: rbd_mirror_helpers.sh's setup_pools with rbdtui: mirroring
# enabled in image mode on both sites, peers by bootstrap token (rbdtui
# needs --show-token to print one), and a namespace ns1 mirrored on both.
setup_pool() {
	local pool=$1
	t rbdtui_a mirror pool enable $pool image
	t rbdtui_b mirror pool enable $pool image
	rbdtui_a mirror pool peer bootstrap create --show-token --site-name site-a $pool >"$TMP/token" 2>"$TMP/err"
	expect_eq 0 $? "bootstrap create"
	t rbdtui_b mirror pool peer bootstrap import --site-name site-b --direction rx-tx $pool "$TMP/token"
	local info_a
	info_a=$(rbdtui_a mirror pool info $pool --format json)
	expect_eq site-b "$(jq -r '.peers[0].site_name' <<<"$info_a")" "site-a's peer after bootstrap import"
	expect_eq rx-tx "$(jq -r '.peers[0].direction' <<<"$info_a")" "site-a's peer direction"
	for s in a b; do
		rbd_$s namespace create $pool/ns1
		t rbdtui_$s mirror pool enable $pool/ns1 image
		expect_eq '{"mode":"image"}' "$(rbdtui_$s mirror pool info $pool/ns1 --format json)" "mirror pool info $pool/ns1 on site-$s"
	done
}
