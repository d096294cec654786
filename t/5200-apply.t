#!/bin/bash
# ccapply apply end to end against ccapply-sim: creates exactly what is
# missing, exactly once, records results.md and ccapply.lock, and survives
# faults, rate limits, interruption and kill -9.
. "$(dirname "$0")/test-lib.sh"

export CCAPPLY_RETRY_BASE_MS=1

test_expect_success 'fresh copy: every missing resource created, exit 0' '
	fresh &&
	ccapply -C ws apply --auto-approve >out &&
	test_grep "^connection postgres_app: created (id " out &&
	test_grep "^transformation stripe: created (id " out &&
	test_grep "^Apply complete: 5 created, 0 already existed, 0 skipped, 0 failed.$" out &&
	every_connection_once &&
	test -f ws/.copy-connections/ccapply.lock &&
	test -f ws/.copy-connections/results.md
'

test_expect_success 'creates are paused, without setup tests, credentials blank' '
	sim_requests >requests.json &&
	test "$(grep -c "\"run_setup_tests\": *false" requests.json)" -eq 3 &&
	test_grep ! "\"run_setup_tests\": *true" requests.json &&
	test_grep ! "\"paused\": *false" requests.json &&
	test_grep "\"password\": *\"\"" requests.json &&
	test_grep "\"api_key\": *\"\"" requests.json &&
	test_grep ! "\\*\\*\\*" requests.json
'

test_expect_success 'the transformation is created on the new connection ids' '
	sim_state >state.json &&
	id=$(grep -o "\"id\": *\"[^\"]*\", *\"group_id\": *\"target_group\", *\"service\": *\"stripe\"" state.json | head -1) &&
	test_grep "\"package_name\": *\"stripe\"" requests.json
'

test_expect_success 're-running is a no-op: nothing sent, lockfile byte-identical' '
	cp ws/.copy-connections/ccapply.lock lock.before &&
	before=$(posts) &&
	ccapply -C ws apply --auto-approve >out &&
	test "$(posts)" -eq "$before" &&
	cmp lock.before ws/.copy-connections/ccapply.lock &&
	test_grep "^Plan: 0 to create, 5 unchanged, 0 skipped.$" out &&
	test_grep "^connection postgres_app: created earlier (id " out &&
	test_grep "^Apply complete: 5 created (5 by an earlier apply), 0 already existed, 0 skipped, 0 failed.$" out &&
	every_connection_once
'

test_expect_success 'results.md matches the golden layout' '
	sed "s/^\*\*Date:\*\* .*/**Date:** DATE/" ws/.copy-connections/results.md >results.md &&
	test_cmp "$TESTDATA/golden/apply-fresh.results.md" results.md
'

test_expect_success 'partly copied target: only the missing ones are created' '
	sim_stop &&
	sim_start --seed "$TESTDATA/sim/plan-partial.json" --create-limit none &&
	rm -rf ws && plan_workspace ws && write_report ws pass &&
	ccapply -C ws apply --auto-approve >out &&
	test "$(posts)" -eq 3 &&
	test_grep "^connection salesforce_prod: already_exists (id tgt_salesforce)" out &&
	test_grep "^Apply complete: 3 created, 2 already existed, 0 skipped, 0 failed.$" out
'

test_expect_success 'name taken with a different config: skipped, never modified, exit 3' '
	sim_stop &&
	sim_start --seed "$TESTDATA/sim/plan-taken.json" --create-limit none &&
	rm -rf ws && plan_workspace ws && write_report ws pass &&
	test_expect_code 3 ccapply -C ws apply --auto-approve >out &&
	test_grep "^connection postgres_app: skipped (id tgt_postgres) NAME_TAKEN_CONFIG_DIFFERS$" out &&
	test "$(count_named postgres_app)" -eq 1 &&
	sim_requests >requests.json &&
	test_grep ! "\"method\": *\"PATCH\"" requests.json
'

test_expect_success 'one connection rejected (400) while the rest succeed; its package skipped' '
	fresh --fault "POST /v1/connections#3=400" &&
	test_expect_code 3 ccapply -C ws apply --auto-approve >out &&
	test_grep "^connection stripe_prod: failed: HTTP 400 InvalidInput: Injected fault" out &&
	test_grep "^transformation stripe: skipped DEPENDENCY_FAILED$" out &&
	test_grep "^transformation salesforce: created" out &&
	test "$(count_named stripe_prod)" -eq 0 &&
	test "$(count_named postgres_app)" -eq 1 &&
	test_grep "\"outcome\": *\"failed\"" ws/.copy-connections/ccapply.lock &&
	test_grep "InvalidInput" ws/.copy-connections/results.md
'

test_expect_success 'a failure that persists through retries is recorded too' '
	fresh --fault "POST /v1/connections#3=500" --fault "POST /v1/connections#4=500" \
		--fault "POST /v1/connections#5=500" &&
	test_expect_code 3 ccapply -C ws apply --auto-approve >out &&
	test_grep "^connection stripe_prod: failed: HTTP 500 " out &&
	test "$(count_named stripe_prod)" -eq 0
'

test_expect_success 'a re-run after the fault clears creates only what failed' '
	ccapply -C ws apply --auto-approve >out &&
	test_grep "^Plan: 2 to create, 3 unchanged" out &&
	every_connection_once &&
	test_grep "^Apply complete" out
'

for fault in 500-after-commit reset-after-commit reset 503 malformed; do
	test_expect_success "fault $fault on a create: each connection present exactly once" "
		fresh --fault 'POST /v1/connections#2=$fault' &&
		ccapply -C ws apply --auto-approve >out &&
		every_connection_once &&
		test_grep '^Apply complete: 5 created' out
	"
done

test_expect_success 'a create slower than the client timeout is adopted, not duplicated' '
	fresh --fault "POST /v1/connections#1=delay:3" &&
	CCAPPLY_TIMEOUT_MS=1000 ccapply -C ws apply --auto-approve >out &&
	sleep 2 &&
	every_connection_once
'

# How many stripe packages the target group holds.
stripe_packages() {
	sim_state | grep -c "\"package_name\": *\"stripe\""
}

test_expect_success 'a transformation create that commits after the timeout is not sent twice' '
	fresh --fault "POST /v1/transformations#1=delay:3" &&
	before=$(stripe_packages) &&
	CCAPPLY_TIMEOUT_MS=1000 test_expect_code 3 ccapply -C ws apply --auto-approve >out &&
	test_grep "^transformation stripe: pending: OUTCOME_UNKNOWN" out &&
	test_grep ! "stripe: failed" out &&
	test_grep "stripe Quickstart package outcome unknown, not sent again" \
		ws/.copy-connections/results.md &&
	: an apply at once, before the commit: held, nothing sent &&
	sent=$(posts) &&
	CCAPPLY_TIMEOUT_MS=1000 test_expect_code 3 ccapply -C ws apply --auto-approve >out &&
	test_grep "^transformation stripe: pending: OUTCOME_UNKNOWN: an earlier apply sent this create" out &&
	test "$(posts)" -eq "$sent" &&
	sleep 3 &&
	test "$(stripe_packages)" -eq $((before + 1)) &&
	: once it shows up, the next apply adopts it: &&
	ccapply -C ws apply --auto-approve >out &&
	test_grep "^transformation stripe: created earlier (id [a-z_]*, recovered)" out &&
	test "$(stripe_packages)" -eq $((before + 1)) &&
	ccapply -C ws state verify >/dev/null
'

test_expect_success 'an unknown transformation create that never landed is sent once the wait is over' '
	fresh --fault "POST /v1/transformations#1=reset" &&
	before=$(stripe_packages) &&
	test_expect_code 3 ccapply -C ws apply --auto-approve >out &&
	test_grep "^transformation stripe: pending: OUTCOME_UNKNOWN" out &&
	test_expect_code 3 ccapply -C ws apply --auto-approve >out &&
	test "$(stripe_packages)" -eq $before &&
	CCAPPLY_SETTLE_SECONDS=0 ccapply -C ws apply --auto-approve >out &&
	test_grep "^transformation stripe: created (id [a-z_]*)$" out &&
	test "$(stripe_packages)" -eq $((before + 1)) &&
	ccapply -C ws state verify >/dev/null
'

test_expect_success '429 storms are absorbed: every connection once' '
	sim_stop &&
	sim_start --seed "$TESTDATA/sim/plan-source.json" --create-limit 1/1 &&
	rm -rf ws && plan_workspace ws && write_report ws pass &&
	ccapply -C ws apply --auto-approve --create-rate 100/1 >out &&
	every_connection_once &&
	sim_requests | grep -q "\"status\": *429"
'

test_expect_success 'a no-op apply writes results.md once, not once per resource' '
	fresh &&
	ccapply -v -C ws apply --auto-approve >out 2>err &&
	test_grep "^\* apply saved ccapply.lock and results.md 6 times; ccapply.lock changed [0-9]* times" err &&
	ccapply -v -C ws apply --auto-approve >out 2>err &&
	test_grep "^Apply complete: 5 created (5 by an earlier apply), 0 already existed" out &&
	test_grep "^\* apply saved ccapply.lock and results.md 1 times; ccapply.lock changed 0 times" err
'

test_expect_success 'a bad --create-rate is a usage error (64) in its own words, sending nothing' '
	fresh &&
	for rate in 99999999999999999999/1 0/60 -1/60 20 20/0 20/abc 1.5/60 20/1e400; do
		test_expect_code 64 ccapply -C ws apply --auto-approve --create-rate $rate \
			>out 2>err || return 1
		test_grep "create-rate .$rate." err || return 1
		test_grep ! -- "-1/1" err || return 1
	done &&
	test_expect_code 64 ccapply -C ws apply --auto-approve \
		--create-rate=99999999999999999999/1 2>err &&
	test_grep "N must be from 1 to 100000" err &&
	test "$(posts)" -eq 0 &&
	! test -e ws/.copy-connections/ccapply.lock
'

test_expect_success 'a live read that fails: results.md says why, not "see the error above"' '
	fresh &&
	CCAPPLY_MAX_RETRIES=0 FIVETRAN_API_URL=http://127.0.0.1:1 \
		test_expect_code 1 ccapply -C ws apply --auto-approve >out 2>err &&
	test_grep "Apply refused: .*GET /v1/groups/target_group" ws/.copy-connections/results.md &&
	test_grep ! "error above" ws/.copy-connections/results.md &&
	FIVETRAN_APIKEY= test_expect_code 1 ccapply -C ws apply --auto-approve >out 2>err &&
	test_grep "Apply refused: .*no API credentials" ws/.copy-connections/results.md
'

test_expect_success 'FIVETRAN_ALLOW_WRITES=false refuses before any write' '
	fresh &&
	FIVETRAN_ALLOW_WRITES=false test_expect_code 1 ccapply -C ws apply --auto-approve 2>err &&
	test_grep "FIVETRAN_ALLOW_WRITES" err &&
	test "$(posts)" -eq 0 &&
	test_grep "refused" ws/.copy-connections/results.md
'

test_expect_success 'without --auto-approve and no terminal: refused, nothing written' '
	test_expect_code 1 ccapply -C ws apply 2>err </dev/null &&
	test_grep "auto-approve" err &&
	test "$(posts)" -eq 0
'

test_expect_success 'warnings need acknowledgment; the acknowledged codes are recorded' '
	write_report_warnings ws &&
	test_expect_code 1 ccapply -C ws apply --auto-approve 2>err &&
	test_grep "need acknowledgment: UNPATCHABLE_TABLE,NONPORTABLE_FIELD" err &&
	test_expect_code 1 ccapply -C ws apply --auto-approve --ack UNPATCHABLE_TABLE 2>err &&
	test_grep "need acknowledgment: NONPORTABLE_FIELD" err &&
	test "$(posts)" -eq 0 &&
	ccapply -C ws apply --auto-approve --ack all >out &&
	tr -d " \n" <ws/.copy-connections/ccapply.lock | grep -q "\"acknowledged\":\[\"NONPORTABLE_FIELD\",\"UNPATCHABLE_TABLE\"\]"
'

test_expect_success 'a saved plan that no longer matches the live state is refused' '
	fresh &&
	ccapply -C ws plan --out saved.plan >/dev/null &&
	test-tool api create-connection "$TESTDATA/sim/stray-stripe.json" stripe_prod >/dev/null 2>&1 &&
	test_expect_code 1 ccapply -C ws apply saved.plan --auto-approve 2>err &&
	test_grep "no longer matches the live state: connection \"stripe_prod\" was planned as create, is now" err &&
	test "$(posts)" -eq 1
'

test_expect_success 'a saved plan whose live_fingerprint is stale is refused' '
	fresh &&
	ccapply -C ws plan --out saved.plan >/dev/null &&
	sed "s/stripe_prod/unrelated_thing/" "$TESTDATA/sim/stray-stripe.json" >unrelated.json &&
	test-tool api create-connection unrelated.json unrelated_thing >/dev/null 2>&1 &&
	test_expect_code 1 ccapply -C ws apply saved.plan --auto-approve 2>err &&
	test_grep "saved.plan is stale: the target group changed since it was saved" err &&
	test_grep "is stale" ws/.copy-connections/results.md &&
	test "$(posts)" -eq 1 &&
	perl -0pi -e "s/,\\s*\"live_fingerprint\": \"[0-9a-f]*\"//" ws/saved.plan &&
	test_grep ! live_fingerprint ws/saved.plan &&
	test_expect_code 1 ccapply -C ws apply saved.plan --auto-approve 2>err &&
	test_grep "has no live_fingerprint" err &&
	test "$(posts)" -eq 1
'

test_expect_success 'a saved plan that still matches is applied' '
	fresh &&
	ccapply -C ws plan --out saved.plan >/dev/null &&
	ccapply -C ws apply saved.plan --auto-approve >out &&
	every_connection_once
'

test_expect_success 'a second apply in the same directory is refused, naming the holder' '
	fresh --latency-ms 300 &&
	{ ccapply -C ws apply --auto-approve >first.out 2>&1 & pid=$!; } &&
	wait_for_posts 1 &&
	test_expect_code 1 ccapply -C ws apply --auto-approve 2>err &&
	test_grep "another ccapply apply is running.*pid $pid" err &&
	wait $pid &&
	every_connection_once
'

test_expect_success '--json streams one JSON event per line' '
	fresh &&
	ccapply -C ws apply --auto-approve --json >events &&
	test_line_count = 11 events &&
	while read -r line; do
		printf "%s" "$line" >event.json &&
		test-tool json-parse event.json || return 1
	done <events &&
	test "$(grep -c "^{\"event\":\"start\"" events)" -eq 5 &&
	test "$(grep -c "^{\"event\":\"resource\".*\"outcome\":\"created\"" events)" -eq 5 &&
	tail -n 1 events | grep -q "^{\"event\":\"done\",\"result\":\"complete\",\"created\":5,"
'

# The error of an event is the state file's: http_status is the HTTP status,
# or null when no answer came (never 0, which is no status).
test_expect_success '--json: a failure carries the error as the state file records it' '
	fresh --fault "POST /v1/connections#3=400" &&
	test_expect_code 3 ccapply -C ws apply --auto-approve --json >events &&
	grep "^{\"event\":\"resource\".*\"name\":\"stripe_prod\"" events >failed.json &&
	test "$(sim_json error.http_status failed.json)" = 400 &&
	test "$(sim_json error.code failed.json)" = InvalidInput &&
	ccapply -C ws state show stripe_prod --json >show.json &&
	test "$(sim_json error failed.json)" = "$(sim_json error show.json)"
'

test_expect_success '--json: an outcome without an HTTP answer has http_status null' '
	fresh --fault "POST /v1/transformations#1=reset" &&
	test_expect_code 3 ccapply -C ws apply --auto-approve --json >events &&
	grep "^{\"event\":\"resource\".*\"outcome\":\"pending\"" events >failed.json &&
	test "$(sim_json error.code failed.json)" = OUTCOME_UNKNOWN &&
	test_line_count = 1 failed.json &&
	test "$(sim_json name failed.json)" = stripe &&
	test "$(sim_json error.http_status failed.json)" = null &&
	test -n "$(sim_json error.message failed.json)" &&
	ccapply -C ws state show transformation/stripe --json >show.json &&
	test "$(sim_json error failed.json)" = "$(sim_json error show.json)"
'

test_expect_success 'on a terminal, one updating progress line with an ETA' '
	fresh &&
	script -qec "ccapply -C ws apply --auto-approve" /dev/null >tty.out &&
	test_grep "\[1/5\] creating connection postgres_app… ETA [0-9]*s" tty.out &&
	test_grep "$(printf "\r")" tty.out
'

test_expect_success 'SIGINT mid-apply: records, exits 130; a re-run converges' '
	fresh --latency-ms 300 &&
	{ ccapply -C ws apply --auto-approve >out 2>&1 & pid=$!; } &&
	wait_for_posts 1 &&
	kill -INT $pid &&
	{ wait $pid; status=$?; } ;
	test $status -eq 130 &&
	test_grep "Interrupted" out &&
	test_grep "interrupted" ws/.copy-connections/results.md &&
	test "$(posts)" -lt 5 &&
	ccapply -C ws apply --auto-approve >out &&
	every_connection_once &&
	test_grep "Apply complete" out
'

for sig in HUP TERM; do
	test_expect_success "SIG$sig mid-apply: like SIGINT, exit 130, lock gone, results.md says so" '
		fresh --latency-ms 300 &&
		{ ccapply -C ws apply --auto-approve >out 2>&1 & pid=$!; } &&
		wait_for_posts 1 &&
		kill -$sig $pid &&
		{ wait $pid; status=$?; } ;
		test $status -eq 130 &&
		test_grep "Interrupted" out &&
		test_grep "Apply was interrupted" ws/.copy-connections/results.md &&
		! test -e ws/.copy-connections/ccapply.lock.lck
	'
done

test_expect_success 'SIGINT then SIGTERM: the create in flight is still recorded, not abandoned' '
	fresh --fault "POST /v1/connections#2=delay:2" &&
	{ ccapply -C ws apply --auto-approve >out 2>&1 & pid=$!; } &&
	wait_for_posts 2 &&
	kill -INT $pid && sleep 0.2 && kill -TERM $pid &&
	{ wait $pid; status=$?; } ;
	test $status -eq 130 &&
	test_grep "finishing the request in flight" out &&
	ccapply -C ws state list >list &&
	test "$(grep -c " created " list)" -eq 2 &&
	test "$(grep -c "\"type\":\"intent\"" ws/.copy-connections/ccapply.journal)" -eq 2 &&
	test "$(grep -c "\"type\":\"outcome\"" ws/.copy-connections/ccapply.journal)" -eq 2 &&
	ccapply -C ws state verify >/dev/null &&
	! test -e ws/.copy-connections/ccapply.lock.lck
'

test_expect_success 'kill -9 mid-apply: a re-run converges, nothing twice' '
	fresh --latency-ms 300 &&
	{ ccapply -C ws apply --auto-approve >out 2>&1 & pid=$!; } &&
	wait_for_posts 2 &&
	kill -9 $pid &&
	{ wait $pid; true; } &&
	ccapply -C ws apply --auto-approve >out &&
	every_connection_once &&
	test_grep "Apply complete" out &&
	test_grep "\"outcome\": *\"created\"" ws/.copy-connections/ccapply.lock
'

test_done
