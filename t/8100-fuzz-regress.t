#!/bin/bash
# 8100-fuzz-regress.t — the fuzz corpora through the normal build's loaders.
#
# Every seed in testdata/fuzz/<target>/ goes to the loader its fuzz target
# drives (fuzz/fuzz-<target>.c), and every input a fuzzer found to crash, hang
# or leak (testdata/fuzz/regress/) goes to all of them. A loader may accept or
# refuse an input (exit 0 or 1, refusals with a message); it must never crash,
# hang or exit otherwise. Runs under `timeout` so a hang fails the point
# instead of the suite. `make fuzz` is not needed: this is the part of fuzzing
# that belongs in `make check`.
. "$(dirname "$0")/test-lib.sh"

FUZZ="$TESTDATA/fuzz"
LIMIT=${FUZZ_REGRESS_TIMEOUT:-5}

loader_for() {
	case $1 in
	plan) echo plan-load ;;
	report) echo report-load ;;
	yaml) echo yaml2json ;;
	json) echo json-parse ;;
	state) echo state-load ;;
	mcp) echo mcp-read ;;
	esac
}

# Exit 0 when the loader finished cleanly with status 0 or 1; otherwise say
# what happened (signal, timeout, other status) and the end of its stderr.
clean_exit() {
	local status
	timeout "$LIMIT" test-tool "$1" "$2" >out 2>err
	status=$?
	[ "$status" -le 1 ] && return 0
	case $status in
	124) echo "test-tool $1 $2: still running after ${LIMIT}s (hang)" ;;
	12[89]|1[3-9][0-9]|2[0-9][0-9])
		echo "test-tool $1 $2: killed by signal $((status - 128))" ;;
	*) echo "test-tool $1 $2: exit $status" ;;
	esac
	tail -n 5 err
	return 1
}

for dir in "$FUZZ"/*/; do
	target=$(basename "$dir")
	[ "$target" = regress ] && continue
	loader=$(loader_for "$target")
	if [ -z "$loader" ]; then
		test_expect_success "testdata/fuzz/$target has a known loader" 'false'
		continue
	fi
	for file in "$dir"*; do
		[ -f "$file" ] || continue
		test_expect_success "seed $target/$(basename "$file"): $loader exits cleanly" \
			"clean_exit $loader '$file'"
	done
done

test_expect_success 'every fuzz target has a seed corpus' '
	for src in "$REPO"/fuzz/fuzz-*.c; do
		name=$(basename "$src" .c) && name=${name#fuzz-} &&
		ls "$FUZZ/$name"/* >/dev/null || return 1
	done
'

for file in "$FUZZ"/regress/*; do
	[ -f "$file" ] && [ "$(basename "$file")" != README ] || continue
	for loader in plan-load report-load yaml2json json-parse state-load mcp-read; do
		test_expect_success "regress $(basename "$file"): $loader exits cleanly" \
			"clean_exit $loader '$file'"
	done
done

test_expect_success 'a refused seed says why on stderr' '
	test_expect_code 1 test-tool yaml2json "$FUZZ/yaml/two-docs.yaml" 2>err &&
	test_grep "more than one document" err
'

test_done
