# lib-valgrind.sh — `make check VALGRIND=1`: every ccapply, ccapply-sim and
# test-tool a shell test runs goes through valgrind.
#
# Sourced by test-lib.sh like every t/lib-*.sh. Does nothing unless
# CCAPPLY_VALGRIND=1 (the Makefile's check target passes VALGRIND through).
# Then it makes a directory of wrapper scripts, one per binary in bin/ (the
# other entries of bin/, such as bin/t/, are symlinked), and points both BIN
# and PATH at it, so `ccapply ...`, "$BIN/ccapply-sim" (t/lib-sim.sh) and
# commands run by other programs are all caught — shell functions would miss
# the last two. Each wrapper runs
#
#     valgrind --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite
#              --show-leak-kinds=definite --quiet --suppressions=t/valgrind.supp
#              --log-file=DIR/NAME.%p.log BINARY ARGS
#
# (t/valgrind.supp holds the leaks of third-party libraries we cannot fix.)
# A memory error or a definite leak makes that process exit 99, which fails
# the test point that expected 0 — but not one that expected a failure
# (test_must_fail accepts 99), so the logs are checked too: when the script
# ends, every non-empty log is printed as TAP comments and the script exits 1,
# which prove reports as a failure. Logs live outside the trash directory
# (which test_done removes) in ${TMPDIR:-/tmp}/ccapply-valgrind.NAME.PID/,
# removed when clean and kept, with their path printed, otherwise.
# The C unit tests (bin/t/test-*) are exec'd by their .t files and do not
# source test-lib.sh; the Makefile runs them under valgrind separately.

if [ "$CCAPPLY_VALGRIND" = 1 ]; then
	if ! command -v valgrind >/dev/null; then
		echo "1..0 # SKIP CCAPPLY_VALGRIND=1 but valgrind is not installed"
		exit 0
	fi
	VALGRIND_LOGS=${TMPDIR:-/tmp}/ccapply-valgrind.$TEST_NAME.$$
	VALGRIND_BIN=$VALGRIND_LOGS/bin
	rm -rf "$VALGRIND_LOGS"
	mkdir -p "$VALGRIND_BIN" || exit 1
	for valgrind_target in "$BIN"/*; do
		valgrind_name=${valgrind_target##*/}
		if [ -f "$valgrind_target" ] && [ -x "$valgrind_target" ]; then
			cat >"$VALGRIND_BIN/$valgrind_name" <<-EOF
			#!/bin/sh
			exec valgrind --error-exitcode=99 --leak-check=full --quiet \\
				--errors-for-leak-kinds=definite --show-leak-kinds=definite \\
				--suppressions="$TEST_DIRECTORY/valgrind.supp" \\
				--log-file="$VALGRIND_LOGS/$valgrind_name.%p.log" \\
				"$valgrind_target" "\$@"
			EOF
			chmod +x "$VALGRIND_BIN/$valgrind_name"
		else
			ln -s "$valgrind_target" "$VALGRIND_BIN/$valgrind_name"
		fi
	done
	unset valgrind_target valgrind_name
	BIN=$VALGRIND_BIN
	PATH="$VALGRIND_BIN:$PATH"
	export BIN PATH
	# Time limits meant for native speed: t/8100-fuzz-regress.t's per-input one.
	: "${FUZZ_REGRESS_TIMEOUT:=60}"
	export FUZZ_REGRESS_TIMEOUT

	# At exit: any report fails the script (prove sees "Dubious, test returned 1").
	valgrind_check_logs() {
		local status=$? log reports=0
		for log in "$VALGRIND_LOGS"/*.log; do
			[ -s "$log" ] || continue
			reports=$((reports + 1))
			printf '# valgrind report %s:\n' "${log##*/}"
			sed 's/^/#   /' "$log"
		done
		if [ $reports -eq 0 ]; then
			rm -rf "$VALGRIND_LOGS"
			return $status
		fi
		printf '# valgrind: %d report(s), kept in %s\n' $reports "$VALGRIND_LOGS"
		exit 1
	}
	trap 'test_cleanup_hooks; valgrind_check_logs' EXIT
fi
