# conformance/lib.sh: the helpers every ported workunit uses. Sourced by
# run.sh; nothing here runs by itself.
#
# rbdtui runs in place of rbd for every command the two share (through the
# functions rbdtui_a/rbdtui_b, one per lab site); the real rbd (rbd_a/rbd_b)
# only prepares state rbdtui does not manage (create, rm, bench, namespace
# create) and is the reference of the side-by-side JSON comparisons.

PASS=0
FAIL=0
FAILURES=()

# where: the ported workunit's file and line of the calling check.
where() {
	local i=1
	while [[ "${BASH_SOURCE[$i]}" == */lib.sh ]]; do i=$((i + 1)); done
	echo "$(basename "${BASH_SOURCE[$i]}"):${BASH_LINENO[$((i - 1))]}"
}

pass() { PASS=$((PASS + 1)); }
fail() {
	FAIL=$((FAIL + 1))
	local msg
	msg=$(tr '\n' ' ' <<<"$*")
	FAILURES+=("$(where): $msg")
	echo "FAIL $(where): $msg" >&2
}

# t CMD...: the command must succeed (a workunit's plain line under sh -e).
t() {
	local out
	if out=$("$@" 2>&1); then pass; else fail "exit $? from: $* :: $(tail -c 400 <<<"$out")"; fi
}

# expect_fail CMD...: the command must fail (the workunits' expect_fail).
expect_fail() {
	local out
	if out=$("$@" 2>&1); then fail "expected failure, got success from: $* :: $(tail -c 200 <<<"$out")"; else pass; fi
}

# expect_rc N CMD...: exit code N exactly (rbd's errno).
expect_rc() {
	local want=$1 rc=0
	shift
	"$@" >/dev/null 2>&1 || rc=$?
	if [ "$rc" = "$want" ]; then pass; else fail "exit $rc, want $want (rbd's), from: $*"; fi
}

# expect_eq WANT GOT WHAT
expect_eq() {
	if [ "$1" = "$2" ]; then pass; else fail "$3: got '$2', want '$1'"; fi
}

# expect_grep PATTERN TEXT WHAT
expect_grep() {
	if grep -qE -- "$1" <<<"$2"; then pass; else fail "$3: no line matches '$1' in: $(head -c 300 <<<"$2")"; fi
}

# expect_no_grep PATTERN TEXT WHAT
expect_no_grep() {
	if grep -qE -- "$1" <<<"$2"; then fail "$3: a line matches '$1'"; else pass; fi
}

# same_json SITE ARGS...: rbdtui and rbd print the same JSON for the same
# command on the same site and state (keys sorted; volatile fields removed
# by $JQ_DROP when set).
same_json() {
	local s=$1
	shift
	local drop=${JQ_DROP:-.}
	local a b
	# stdout only: librbd may log a line on stderr
	a=$("rbd_$s" "$@" --format json 2>/dev/null | jq -S "$drop" 2>&1) || true
	b=$("rbdtui_$s" "$@" --format json 2>/dev/null | jq -S "$drop" 2>&1) || true
	if [ "$a" = "$b" ]; then pass; else
		fail "JSON differs for '$*' on site-$s: rbd: $(tr -d ' \n' <<<"$a" | head -c 400) rbdtui: $(tr -d ' \n' <<<"$b" | head -c 400)"
	fi
}

# retry N SECONDS CMD...: poll until CMD succeeds (the workunits' wait_for_*).
retry() {
	local n=$1 s=$2
	shift 2
	for _ in $(seq "$n"); do
		"$@" >/dev/null 2>&1 && return 0
		sleep "$s"
	done
	return 1
}

# wait_for T CMD...: a check that CMD succeeds within about T seconds.
wait_for() {
	local secs=$1 t0=$SECONDS
	shift
	if retry "$((secs / 2 + 1))" 2 "$@"; then pass; else fail "not true within ${secs}s: $*"; fi
	[ -z "${CONFORMANCE_TIMING:-}" ] || echo "  $(where): $((SECONDS - t0))s waiting for: $*" >&2
}

# status_is SITE SPEC STATE_RE [DESC_RE]: rbd's test_status_in_pool_dir
# with rbdtui's `mirror image status` (plain output, the lines it greps).
status_is() {
	local out
	out=$(rbdtui_$1 mirror image status "$2" 2>&1) || return 1
	grep -qE "^  state: .*$3" <<<"$out" || return 1
	[ -z "${4:-}" ] || grep -qE "^  description: .*${4:-}" <<<"$out" || return 1
	if grep -qE '^up\+' <<<"$3"; then
		grep -qE "service: *rbd-mirror.* on " <<<"$out" || return 1
	fi
}

summary() {
	local total=$((PASS + FAIL))
	echo
	for f in "${FAILURES[@]}"; do echo "FAIL $f"; done
	echo "$PASS/$total checks pass"
	[ "$FAIL" = 0 ]
}
