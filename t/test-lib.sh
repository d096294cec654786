# test-lib.sh — shared library of the shell tests in t/, in the manner of git's.
#
# A test script sources this file, then declares test points:
#
#     . "$(dirname "$0")/test-lib.sh"
#     test_expect_success 'checksum agrees with b2sum' '
#         ccapply checksum plan.yaml >actual &&
#         test_cmp expect actual
#     '
#     test_done
#
# Each script runs in its own trash directory, t/trash.<script>/, removed when
# every point passed and kept for inspection otherwise. A point's body is eval'd
# in the script's shell (so earlier points may set variables for later ones);
# its output is shown only when it fails, or always with TEST_VERBOSE=1.
# Binaries come from $BIN (the repository's bin/), Fivetran's definition from
# $API (api/), vendored data from $TESTDATA: no test reads outside the repository.

TEST_NAME=$(basename "$0" .t)
REPO=$(cd "$(dirname "$0")/.." && pwd)
TEST_DIRECTORY="$REPO/t"
BIN="$REPO/bin"
API="$REPO/api"
TESTDATA="$REPO/testdata"
PATH="$BIN:$PATH"
export PATH BIN API TESTDATA REPO

# Sanitizer runs: a sanitizer report aborts (status > 128), so test_must_fail
# can tell a crash from a clean refusal.
export ASAN_OPTIONS="abort_on_error=1:detect_leaks=1:symbolize=1"
export UBSAN_OPTIONS="abort_on_error=1:halt_on_error=1:print_stacktrace=1"
export LSAN_OPTIONS="suppressions=$TEST_DIRECTORY/lsan.supp:print_suppressions=0"

# Never let the developer's environment reach a test.
unset FIVETRAN_APIKEY FIVETRAN_APISECRET FIVETRAN_API_KEY FIVETRAN_API_SECRET \
	FIVETRAN_API_URL FIVETRAN_ALLOW_WRITES CCAPPLY_STATE_KEY NO_COLOR
export LC_ALL=C TZ=UTC

TRASH="$TEST_DIRECTORY/trash.$TEST_NAME"
rm -rf "$TRASH"
mkdir -p "$TRASH" || exit 1
cd "$TRASH" || exit 1

test_count=0
test_failed=0
test_skipped=0
TEST_LOG="$TRASH/.test-log"

say() { printf '# %s\n' "$*"; }

# The body runs inside a function of its own, as git's test_eval_inner_ does,
# so a `return 1` in it ends the point as a failure (a "not ok" line) rather
# than returning from test_expect_success before the result is printed.
test_eval_() { eval "$1"; }

test_expect_success() {
	local desc body status
	if [ $# -eq 3 ]; then
		if ! test_have_prereq "$1"; then
			test_skip "$2" "missing prerequisite $1"
			return
		fi
		shift
	fi
	desc=$1 body=$2
	test_count=$((test_count + 1))
	test_eval_ "$body" >"$TEST_LOG" 2>&1 </dev/null
	status=$?
	cd "$TRASH" || exit 1
	if [ $status -eq 0 ]; then
		echo "ok $test_count - $desc"
		[ -n "$TEST_VERBOSE" ] && sed 's/^/#   /' "$TEST_LOG"
	else
		test_failed=$((test_failed + 1))
		echo "not ok $test_count - $desc"
		sed 's/^/#   /' "$TEST_LOG"
		printf '%s\n' "$body" | sed 's/^/#   > /'
	fi
	return 0
}

# Skipping is for a developer's machine that lacks a tool. CI (CI=true) must run
# everything, so there a skip is a failure that names what was missing; CI's
# setup (scripts/install-deps.sh, run by make) installs every tool a test needs.
test_skip() {
	test_count=$((test_count + 1))
	if [ "${CI:-}" = true ]; then
		test_failed=$((test_failed + 1))
		echo "not ok $test_count - $1 # would skip ($2), but nothing may skip when CI=true"
		return
	fi
	test_skipped=$((test_skipped + 1))
	echo "ok $test_count # SKIP $1 ($2)"
}

test_skip_all() {
	cd "$TEST_DIRECTORY" && rm -rf "$TRASH"
	if [ "${CI:-}" = true ]; then
		echo "not ok 1 - $TEST_NAME would skip ($*), but nothing may skip when CI=true"
		echo "1..1"
		exit 1
	fi
	echo "1..0 # SKIP $*"
	exit 0
}

# Prerequisites are set with test_set_prereq NAME and named before a point.
test_set_prereq() { eval "prereq_$1=1"; }
test_have_prereq() { eval "[ -n \"\${prereq_$1}\" ]"; }

# test_before_done FUNCTION: run FUNCTION (once, however often registered) when the script
# calls test_done, before the plan line: a fixture's closing check, which may add test points
# (t/lib-sim.sh checks every create body the script sent to the simulator).
test_done_checks=
test_before_done() {
	case " $test_done_checks " in
	*" $1 "*) ;;
	*) test_done_checks="$test_done_checks $1" ;;
	esac
}

test_done() {
	local check
	for check in $test_done_checks; do
		"$check"
	done
	echo "1..$test_count"
	test_cleanup_hooks
	if [ $test_failed -eq 0 ]; then
		cd "$TEST_DIRECTORY" && rm -rf "$TRASH"
		exit 0
	fi
	say "failed $test_failed of $test_count; trash kept in $TRASH"
	exit 1
}

# --- assertions ------------------------------------------------------------

# The command must fail cleanly: a non-zero status that is not a signal
# (a crash or a sanitizer abort is a failure of the test).
test_must_fail() {
	"$@"
	local status=$?
	if [ $status -eq 0 ]; then
		echo "test_must_fail: '$*' succeeded" >&2
		return 1
	elif [ $status -gt 128 ]; then
		echo "test_must_fail: '$*' died with status $status" >&2
		return 1
	fi
	return 0
}

# test_expect_code N CMD... — the command must exit with exactly N.
test_expect_code() {
	local want=$1 status
	shift
	"$@"
	status=$?
	if [ $status -ne "$want" ]; then
		echo "test_expect_code: '$*' exited $status, expected $want" >&2
		return 1
	fi
	return 0
}

test_cmp() {
	diff -u "$1" "$2"
}

# test_grep [-v] [grep options] PATTERN FILE — like grep, but shows FILE on failure.
test_grep() {
	local negate=
	if [ "$1" = "!" ]; then
		negate=1
		shift
	fi
	local file
	eval "file=\${$#}"
	if [ -n "$negate" ]; then
		if grep "$@" >/dev/null; then
			echo "test_grep: found unexpected '$*' in:" >&2
			cat "$file" >&2
			return 1
		fi
		return 0
	fi
	if ! grep "$@" >/dev/null; then
		echo "test_grep: no match for '$*' in:" >&2
		cat "$file" >&2
		return 1
	fi
	return 0
}

test_line_count() {
	local n
	n=$(wc -l <"$3")
	if ! [ "$n" "$1" "$2" ]; then
		echo "test_line_count: $3 has $n lines, expected $1 $2" >&2
		cat "$3" >&2
		return 1
	fi
}

# --- cleanup ---------------------------------------------------------------
test_cleanup_cmds=
test_when_finished_script() { test_cleanup_cmds="$1; $test_cleanup_cmds"; }
test_cleanup_hooks() {
	[ -n "$test_cleanup_cmds" ] && eval "$test_cleanup_cmds" >/dev/null 2>&1
	test_cleanup_cmds=
}
trap 'test_cleanup_hooks' EXIT

# Shared fixtures (simulator control, plan writers) live in t/lib-*.sh.
for lib in "$TEST_DIRECTORY"/lib-*.sh; do
	[ -f "$lib" ] && . "$lib"
done
