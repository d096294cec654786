#!/bin/bash
# The JSON parser against JSONTestSuite's test_parsing cases in
# $TESTDATA/conformance/json: y_* accepted, n_* rejected cleanly (exit 1, an
# error naming file, line and column), i_* either way but never a crash or a
# hang. One test point per family; a failure lists every file that failed.
# Then the writer over the accepted cases: the canonical form of each y_* file
# is the same value, and writing it again changes nothing.
. "$(dirname "$0")/test-lib.sh"

CASES="$TESTDATA/conformance/json"

# run_family PREFIX CHECK: run json-parse on every PREFIX* file under
# `timeout 10`; CHECK STATUS FILE says whether the status is right. Failing
# files and their statuses go to stdout (the point's diagnostic).
run_family() {
	local prefix=$1 check=$2 f status failed=0 total=0
	for f in "$CASES/$prefix"*; do
		[ -f "$f" ] || continue
		total=$((total + 1))
		timeout 10 test-tool json-parse "$f" >/dev/null 2>"$prefix.err"
		status=$?
		if ! $check "$status" "$f"; then
			echo "FAIL $(basename "$f"): exit $status"
			sed 's/^/    /' "$prefix.err"
			failed=$((failed + 1))
		fi
	done
	echo "$prefix: $failed of $total failed"
	[ "$total" -gt 0 ] && [ "$failed" -eq 0 ]
}

must_accept() { [ "$1" -eq 0 ]; }
# Rejected cleanly: exactly 1, and the message has the FILE:LINE:COL: form.
must_reject() {
	[ "$1" -eq 1 ] && grep -q "^$2:[0-9]*:[0-9]*: ." n_.err
}
no_crash() { [ "$1" -le 1 ]; }

test_expect_success 'y_* cases are accepted' '
	run_family y_ must_accept
'

test_expect_success 'n_* cases are rejected with file, line and column' '
	run_family n_ must_reject
'

test_expect_success 'i_* cases neither crash nor hang' '
	run_family i_ no_crash
'

test_expect_success 'canonical form of every y_* case is the same value, and stable' '
	failed=0 &&
	for f in "$CASES"/y_*; do
		name=$(basename "$f") &&
		if ! test-tool json-canon "$f" >"$name.canon" ||
		   ! test-tool json-equal "$f" "$name.canon" ||
		   ! test-tool json-canon "$name.canon" >"$name.again" ||
		   ! cmp -s "$name.canon" "$name.again"; then
			echo "FAIL $name" && failed=$((failed + 1))
		fi
	done &&
	test "$failed" -eq 0
'

test_expect_success 'json-equal tells different values apart and names both files' '
	printf "{\"a\":[1,{\"b\":\"x\"}]}" >one.json &&
	printf "{ \"a\" : [ 1.0 , { \"b\" : \"\\u0078\" } ] }\n" >same.json &&
	printf "{\"a\":[1,{\"b\":\"y\"}]}" >other.json &&
	test-tool json-equal one.json same.json &&
	test_expect_code 1 test-tool json-equal one.json other.json 2>err &&
	test_grep "one.json and other.json differ" err
'

test_done
