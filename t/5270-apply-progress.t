#!/bin/bash
# Honest progress: it goes to stderr, so stdout stays clean under `| tee`;
# during a pacing or 429 wait it says "waiting" with the seconds left and why;
# without a terminal a line comes at least every interval (30 s, here 1 s by
# CCAPPLY_PROGRESS_SECONDS) with done/total and the elapsed time. Nothing here
# depends on timing beyond "a wait of seconds happens".
. "$(dirname "$0")/test-lib.sh"

export CCAPPLY_RETRY_BASE_MS=1 CCAPPLY_PROGRESS_SECONDS=1

test_expect_success 'no terminal, client pacing: "Still creating..." with the wait and why' '
	fresh &&
	ccapply -C ws apply --auto-approve --create-rate 1/2 >out 2>err &&
	test_grep "^Apply complete: 5 created" out &&
	test_grep -E "^Still creating\.\.\. [0-4]/5 done, [0-9]+s elapsed; waiting [0-9]+s \(create rate pacing\)$" err &&
	test_grep ! "Still creating" out &&
	test_grep ! "waiting" out
'

test_expect_success 'no terminal, the API answers 429: the wait says so' '
	fresh --create-limit 1/3 &&
	ccapply -C ws apply --auto-approve --create-rate 100/1 >out 2>err &&
	test_grep "^Apply complete: 5 created" out &&
	test_grep -E "^Still creating\.\.\. [0-4]/5 done, [0-9]+s elapsed; waiting [0-9]+s \(HTTP 429, Retry-After: [0-9]+\)$" err
'

test_expect_success 'the interval is honoured: no line before it has passed' '
	fresh &&
	CCAPPLY_PROGRESS_SECONDS=3600 ccapply -C ws apply --auto-approve --create-rate 1/2 \
		>out 2>err &&
	test_grep ! "Still creating" err
'

test_expect_success 'on a terminal, stdout piped to tee: progress on the terminal only' '
	fresh &&
	script -qec "ccapply -C ws apply --auto-approve --create-rate 1/2 | tee stdout.txt >/dev/null" \
		/dev/null >tty.out &&
	test_grep -E "\[[0-9]/5\] waiting [0-9]+s: create rate pacing" tty.out &&
	test_grep "creating connection postgres_app… ETA" tty.out &&
	test_grep "^Apply complete: 5 created" stdout.txt &&
	test_grep ! "waiting" stdout.txt &&
	test_grep ! "ETA" stdout.txt &&
	test_grep ! "$(printf "\r")" stdout.txt
'

test_done
