#!/bin/bash
# Convergence under kill -9: a 200-connection (+4 package) apply against
# ccapply-sim is killed with SIGKILL at 50 seeded points and re-run each time;
# at the end every resource exists exactly once in the simulator, ccapply.lock
# loads and records each one as created or already_exists with the id the
# simulator holds, and results.md lists them all.
#
# The kill points are chosen, reproducibly, from a fixed seed (override with
# CCAPPLY_CONVERGENCE_SEED): each is a number of creates the simulator must
# have received, plus a short extra delay, so the kills spread over the whole
# apply and land in every phase — mid-request (the simulator sleeps
# --latency-ms before it commits a create), between the answer and the state
# write, during planning. Where exactly a kill lands depends on timing; what is
# asserted (nothing twice, nothing lost, the state file always loads) must hold
# wherever it lands. The figures are printed as comments (# kills: ...).
. "$(dirname "$0")/test-lib.sh"

export CCAPPLY_RETRY_BASE_MS=1
# A kill can land after a package's journal intent and before its request
# leaves: the next run finds it missing and, by default, holds it for ten
# minutes (it might still commit). Here settle() (below) waits out every
# request a killed run left in flight before the next run reads, so a
# package missing then was never made: the next run's lookup settles it at
# once, and a duplicate would still show. The held case is tested in t/5200.
export CCAPPLY_SETTLE_SECONDS=0

CONNECTIONS=200
PACKAGES=4
RESOURCES=$((CONNECTIONS + PACKAGES))
KILLS=50
LATENCY_MS=25
seed=${CCAPPLY_CONVERGENCE_SEED:-8000}
LOCK=ws/.copy-connections/ccapply.lock

# A portable 31-bit LCG, so the same seed gives the same points with any bash.
lcg() {
	seed=$(( (seed * 1103515245 + 12345) % 2147483648 ))
}

# KILLS distinct kill points in 1..RESOURCES-1, ascending.
kill_points() {
	local -A seen=()
	local n=0 k
	while [ $n -lt $KILLS ]; do
		lcg
		k=$(( 1 + (seed >> 8) % (RESOURCES - 1) ))
		if [ -z "${seen[$k]}" ]; then
			seen[$k]=1
			n=$((n + 1))
		fi
	done
	printf '%s\n' "${!seen[@]}" | sort -n
}

posts() {
	sim_requests | grep -c '"method": *"POST"' || true
}

# Requests the simulator has logged but not yet answered.
in_flight() {
	sim_requests | grep -c '"status": *null' || true
}

# Wait (at most 10 s) until the simulator holds no unanswered request, so a
# create the killed process left in flight has committed before the next run
# reads the live state. (Without this the next run's reads, which sleep the
# same latency, still come after it; settling keeps that true on a loaded
# machine. A transformation create still in flight from a dead process cannot
# be told from a missing one by any client: the API has no idempotency key and
# transformations have no unique name.)
settle() {
	local i
	for i in $(seq 1000); do
		[ "$(in_flight)" -eq 0 ] && return 0
		sleep 0.01
	done
	echo "settle: a request stayed in flight for 10 s" >&2
	return 1
}

apply_bg() {
	ccapply -C ws apply --auto-approve --create-rate 100000/1 >"$1" 2>&1 &
	pid=$!
}

test_expect_success 'setup: 200 connections and 4 packages to copy, simulator with latency' '
	perl "$TESTDATA/gen-apply-plan.pl" ws --connections $CONNECTIONS --packages $PACKAGES &&
	write_report ws pass &&
	sim_start --seed ws/seed.json --create-limit none --latency-ms $LATENCY_MS &&
	kill_points >points &&
	test_line_count = $KILLS points &&
	test "$(sort -un points | wc -l)" -eq $KILLS
'

test_expect_success "kill -9 at $KILLS seeded points, re-running each time" '
	killed=0 mid=0 finished=0 planning=0 i=0 &&
	while read k; do
		i=$((i + 1)) &&
		lcg && delay=$(( (seed >> 8) % (2 * LATENCY_MS + 1) )) &&
		sent=$(posts) &&
		apply_bg run.$i.out &&
		waited=0 &&
		while [ "$(posts)" -lt $k ] && kill -0 $pid 2>/dev/null && [ $waited -lt 3000 ]
		do
			sleep 0.01; waited=$((waited + 1))
		done &&
		sleep "0.$(printf %03d $delay)" &&
		if kill -9 $pid 2>/dev/null; then
			n=$(in_flight) &&
			{ wait $pid; status=$?; } 2>/dev/null &&
			if [ $status -ne 137 ] && [ $status -ne 0 ]; then
				echo "run $i: exited $status before the kill landed:" &&
				cat run.$i.out && false
			fi &&
			killed=$((killed + 1)) &&
			if [ "$n" -gt 0 ]; then mid=$((mid + 1)); fi &&
			if [ "$(posts)" -eq "$sent" ]; then planning=$((planning + 1)); fi
		else
			{ wait $pid; status=$?; } &&
			if [ $status -ne 0 ]; then
				echo "run $i: exited $status:" && cat run.$i.out && false
			fi &&
			finished=$((finished + 1))
		fi &&
		if [ -e $LOCK ]; then
			test-tool state-load $LOCK 2>&1 >/dev/null ||
			{ echo "run $i (kill point $k): the state file does not load"; false; }
		fi &&
		settle 2>&1 || break
	done <points 2>/dev/null &&
	echo "kills: $killed landed: $mid with a request in flight, $planning before the run" \
	     "sent a create; $finished runs finished before their kill" >figures &&
	test $i -eq $KILLS &&
	test $killed -ge 1
'
[ -f figures ] && say "$(cat figures)"

test_expect_success 'a last apply completes with exit 0' '
	ccapply -C ws apply --auto-approve --create-rate 100000/1 >final.out 2>&1 &&
	test_grep "^Apply complete: [0-9]* created\( ([0-9]* by an earlier apply)\)\?, [0-9]* already existed, 0 skipped, 0 failed.$" \
		final.out
'

test_expect_success 'every resource exists exactly once; the lock and results.md record each' '
	sim_state >state.json &&
	perl "$TESTDATA/check-converged.pl" state.json $LOCK ws/.copy-connections/results.md \
		$CONNECTIONS $PACKAGES >converged || { cat converged; false; }
'
[ -f converged ] && say "$(tail -n 1 converged)"

test_expect_success 'the state file loads; no create was answered twice (no 409)' '
	test-tool state-load $LOCK >/dev/null &&
	sim_requests >requests.json &&
	test_grep ! "\"status\": *409" requests.json &&
	test "$(grep -c "\"status\": *201" requests.json)" -eq $RESOURCES
'

test_expect_success 'one more apply sends nothing and leaves the state byte-identical' '
	cp $LOCK lock.before &&
	before=$(posts) &&
	ccapply -C ws apply --auto-approve >again.out &&
	test "$(posts)" -eq "$before" &&
	cmp lock.before $LOCK &&
	test_grep "^Plan: 0 to create, $RESOURCES unchanged, 0 skipped.$" again.out
'

test_expect_success 'ccapply state verify passes' '
	ccapply -C ws state verify
'

test_expect_success 'the simulator stops cleanly' '
	sim_stop
'

test_done
