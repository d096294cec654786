#!/bin/bash
# run.sh — run the libFuzzer targets built by `make fuzz` and summarise them.
#
#   fuzz/run.sh SECONDS NAME...      (from the top of the tree)
#
# For each NAME, runs build/fuzz/fuzz-NAME for SECONDS with:
#   - corpus build/fuzz/corpus/NAME/ (new inputs are kept there between runs)
#     seeded from testdata/fuzz/NAME/ (read only: libFuzzer writes to the first
#     corpus directory only);
#   - dictionary fuzz/NAME.dict when there is one;
#   - crash, leak and timeout inputs written to build/fuzz/crashes/NAME/;
#   - its log in build/fuzz/logs/NAME.log.
# FUZZ_PARALLEL=N runs N targets at a time (default 1); FUZZ_FLAGS adds
# libFuzzer options. Leaks inside libfyaml are suppressed (fuzz/lsan.supp).
# Prints one line per target (executions, exec/s, coverage, features, corpus
# size, findings) and exits 1 when any target found something, listing the
# inputs to minimise and add to testdata/fuzz/regress/.
set -u

seconds=${1:?usage: fuzz/run.sh SECONDS NAME...}
shift
parallel=${FUZZ_PARALLEL:-1}
extra=${FUZZ_FLAGS:-}
export LSAN_OPTIONS="suppressions=$PWD/fuzz/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"

run_one() {
	local name=$1 dict=()

	mkdir -p "build/fuzz/corpus/$name" "build/fuzz/crashes/$name" build/fuzz/logs
	[ -f "fuzz/$name.dict" ] && dict=("-dict=fuzz/$name.dict")
	# shellcheck disable=SC2086
	"build/fuzz/fuzz-$name" -max_total_time="$seconds" -timeout=10 -print_final_stats=1 \
		"${dict[@]}" -artifact_prefix="build/fuzz/crashes/$name/" $extra \
		"build/fuzz/corpus/$name" "testdata/fuzz/$name" >"build/fuzz/logs/$name.log" 2>&1
	echo $? >"build/fuzz/logs/$name.rc"
}

stat_of() { sed -n "s/^stat::$2: *//p" "build/fuzz/logs/$1.log" | tail -n 1; }

summarise() {
	local name=$1 rc last cov ft corp found
	rc=$(cat "build/fuzz/logs/$name.rc" 2>/dev/null || echo '?')
	last=$(grep -E '^#[0-9]+.*cov: ' "build/fuzz/logs/$name.log" | tail -n 1)
	cov=$(sed -n 's/.*cov: \([0-9]*\).*/\1/p' <<<"$last")
	ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
	corp=$(sed -n 's/.* corp: \([0-9]*\).*/\1/p' <<<"$last")
	found=$(found_files "$name" | wc -l)
	printf '%-8s %12s %8s %6s %7s %6s %8s %s\n' "$name" \
		"$(stat_of "$name" number_of_executed_units)" \
		"$(stat_of "$name" average_exec_per_sec)" "${cov:-?}" "${ft:-?}" "${corp:-?}" \
		"$found" "$([ "$rc" = 0 ] && echo ok || echo "exit $rc")"
}

# Findings are the files this run adds to build/fuzz/crashes/ (older ones are
# left there, and not counted again).
mkdir -p build/fuzz
marker=build/fuzz/.run-start
touch "$marker"
found_files() { find "build/fuzz/crashes/$1" -type f -newer "$marker"; }

running=0
for name in "$@"; do
	if [ ! -x "build/fuzz/fuzz-$name" ]; then
		echo "fuzz: build/fuzz/fuzz-$name is not built (run make fuzz)" >&2
		exit 2
	fi
	echo "fuzz: $name for ${seconds}s (log build/fuzz/logs/$name.log)" >&2
	run_one "$name" &
	running=$((running + 1))
	if [ "$running" -ge "$parallel" ]; then
		wait -n
		running=$((running - 1))
	fi
done
wait

status=0
printf '%-8s %12s %8s %6s %7s %6s %8s %s\n' target executions exec/s cov ft corpus findings result
for name in "$@"; do
	summarise "$name"
	if [ "$(cat "build/fuzz/logs/$name.rc")" != 0 ] ||
	   [ -n "$(found_files "$name")" ]; then
		status=1
	fi
done
if [ "$status" != 0 ]; then
	echo "fuzz: findings (minimise: build/fuzz/fuzz-NAME -minimize_crash=1" \
	     "-max_total_time=60 -exact_artifact_path=OUT FILE;" >&2
	echo "      then add OUT to testdata/fuzz/regress/, see docs/fuzzing.md):" >&2
	for name in "$@"; do found_files "$name"; done | sed 's/^/  /' >&2
fi
exit "$status"
