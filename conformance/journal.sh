# journal.sh: qa/workunits/rbd/journal.sh's test_rbd_journal and
# test_rbd_feature with rbdtui in place of rbd for the journal and feature
# commands (rbd creates, writes, exports and snapshots the images).
jimg=$POOL/testrbdjournal
rbd_a create --image-feature exclusive-lock --image-feature journaling --size 128 $jimg
journal=$(rbd_a info $jimg --format json | jq -r .journal)
t test -n "$journal"
t rbdtui_a journal info -p $POOL $journal
t rbdtui_a journal info -p $POOL --journal $journal
t rbdtui_a journal info --image $jimg
t rbdtui_a journal info $POOL/$journal
t rbdtui_a feature disable $jimg journaling
expect_eq "" "$(rbd_a info $jimg --format json | jq -r '.journal // empty')" "no journal after feature disable"
expect_fail rbdtui_a journal info $POOL/$journal
expect_fail rbdtui_a journal info --image $jimg
t rbdtui_a feature enable $jimg journaling
expect_eq "$journal" "$(rbd_a info $jimg --format json | jq -r .journal)" "same journal id after enable"
t rbdtui_a journal info $POOL/$journal
t rbdtui_a journal status $POOL/$journal
count=10
rados_a -p $POOL getomapval journal.$journal client_ "$TMP/client_.omap" >/dev/null
rbd_a bench --io-type write --io-size 4096 --io-threads 1 --io-total $((4096 * count)) --io-pattern seq $jimg >/dev/null
expect_grep "tid=$((count - 1))" "$(rbdtui_a journal status --image $jimg)" "journal status after $count writes"
# the mirror helpers' get_position regexp reads this line
expect_grep '\[id=,.*positions=\[\[[^]]*\],' "$(rbdtui_a journal status -p $POOL --image testrbdjournal)" "journal status line shape"
rados_a -p $POOL setomapval journal.$journal client_ <"$TMP/client_.omap"
expect_grep "positions=\[\]" "$(rbdtui_a journal status --image $jimg)" "journal status after restoring the commit position"
expect_eq $count "$(rbdtui_a journal inspect --verbose $POOL/$journal | grep -c 'event_type.*AioWrite')" "AioWrite events inspected"
t rbdtui_a journal export $POOL/$journal "$TMP/journal.export"
t test -s "$TMP/journal.export"
rbd_a journal export $POOL/$journal "$TMP/journal.rbd.export" >/dev/null 2>&1
t cmp "$TMP/journal.export" "$TMP/journal.rbd.export"
rbd_a export --no-progress $jimg "$TMP/image.export" >/dev/null
jimg1=${jimg}1
rbd_a create --image-feature exclusive-lock --image-feature journaling --size 128 $jimg1
journal1=$(rbd_a info $jimg1 --format json | jq -r .journal)
rados_a -p $POOL getomapval journal.$journal1 client_ "$TMP/client1_.omap" >/dev/null
t rbdtui_a journal import --dest-pool $POOL --dest testrbdjournal1 "$TMP/journal.export"
rbd_a snap create --no-progress $jimg1@test
rados_a -p $POOL setomapval journal.$journal1 client_ <"$TMP/client1_.omap"
insp=$(rbdtui_a journal inspect --image $jimg1 --verbose)
expect_eq "10 1 1" "$(grep -c AioWrite <<<"$insp") $(grep -c SnapCreate <<<"$insp") $(grep -c OpFinish <<<"$insp")" "imported events: AioWrite SnapCreate OpFinish"
# the workunit's awk reads "N entries inspected, E errors" (N is 12 after
# bench-write; rbd bench adds flushes, so the count is rbd's own)
want=$(rbd_a journal inspect --image $jimg1 --verbose 2>/dev/null | awk '/entries inspected/ {print $1, $4}')
expect_eq "$want" "$(awk '/entries inspected/ {print $1, $4}' <<<"$insp")" "inspect summary: entries and errors"
rbd_a export --no-progress $jimg1@test "$TMP/image1.export" >/dev/null
t cmp "$TMP/image.export" "$TMP/image1.export"
t rbdtui_a journal reset $POOL/$journal
expect_no_grep "event_type" "$(rbdtui_a journal inspect --verbose $POOL/$journal)" "no event after reset"
# journal client disconnect by --image pool/image (rbd's form): with no
# client but the image's, rbd fails with ENOENT
expect_rc 2 rbdtui_a journal client disconnect --image $jimg
rbd_a snap purge --no-progress $jimg1 >/dev/null
rbd_a remove --no-progress $jimg1
rbd_a remove --no-progress $jimg
# test_rbd_feature: journal settings through feature enable
fimg=$POOL/testrbdfeature
rbd_a create --image-feature exclusive-lock --size 256 $fimg
t rbdtui_a feature enable $fimg journaling --journal-pool $POOL --journal-object-size 20M --journal-splay-width 6
ji=$(rbdtui_a journal info --image $fimg --format json)
expect_eq "25 6 $POOL" "$(jq -r '"\(.order) \(.splay_width) \(.object_pool)"' <<<"$ji")" "journal order, splay width, pool"
same_json a journal info --image $fimg
rbd_a remove --no-progress $fimg
