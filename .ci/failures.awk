# Reprints the output of every failed test at the end of a `go test -v` log,
# so that the tail of a CI log says why a test failed, not only that it did.
# Output is attributed to the test named by the last "=== RUN/NAME/CONT"
# line; a failed test whose subtests failed too is left to them. At most
# the last 40 lines of each failed test are shown.
#
#   awk -f .ci/failures.awk test.log
function push(name, line) {
	n[name]++
	out[name, n[name]] = line
}
/^=== (RUN|NAME|CONT|PAUSE)  *[^ ]+/ {
	cur = $3
	next
}
/^ *--- FAIL: / {
	name = $3
	failed[name] = 1
	order[++nfailed] = name
	next
}
/^ *--- (PASS|SKIP): / { next }
/^(ok|FAIL|PASS)([ \t]|$)/ {
	cur = ""
	next
}
{
	if (cur != "") push(cur, $0)
}
END {
	shown = 0
	for (i = 1; i <= nfailed; i++) {
		name = order[i]
		parent = 0
		for (other in failed) {
			if (index(other, name "/") == 1) parent = 1
		}
		if (parent) continue
		if (!shown) print "\n=== why the failed tests failed (the last 40 lines each) ==="
		shown = 1
		print "--- " name ":"
		from = n[name] - 39
		if (from < 1) from = 1
		for (j = from; j <= n[name]; j++) print out[name, j]
	}
}
