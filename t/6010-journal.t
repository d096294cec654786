#!/bin/bash
# ccapply.journal end to end: an intent before every create and an outcome
# after, hash-chained; a create whose answer was lost to kill -9 is recorded
# as created and recovered (not already_exists) by the next apply; state
# verify finds a changed line, a cut-short line, and a state that the
# journal contradicts.
. "$(dirname "$0")/test-lib.sh"

export CCAPPLY_RETRY_BASE_MS=1
J=ws/.copy-connections/ccapply.journal
LOCK=ws/.copy-connections/ccapply.lock

# Wait until the simulator holds connection NAME (at most 20 s).
wait_for_connection() {
	for i in $(seq 100); do
		[ "$(count_named "$1")" -ge 1 ] && return 0
		sleep 0.2
	done
	echo "$1 was never created" >&2
	return 1
}

# Field FIELD of journal line N.
jfield() {
	sed -n "${1}p" $J | sim_json "$2"
}

test_expect_success 'an apply that sends nothing writes no journal' '
	fresh &&
	test_expect_code 1 ccapply -C ws apply </dev/null >/dev/null 2>&1 &&
	! test -e $J
'

test_expect_success 'every create has an intent before it and an outcome after it' '
	ccapply -C ws apply --auto-approve >out &&
	test_line_count = 10 $J &&
	for n in 1 3 5 7 9; do
		test "$(jfield $n type)" = intent &&
		test "$(jfield $n method)" = POST &&
		test "$(jfield $((n + 1)) type)" = outcome &&
		test "$(jfield $((n + 1)) intent)" = $n &&
		test "$(jfield $((n + 1)) result)" = created &&
		test "$(jfield $((n + 1)) http_status)" = 201 || return 1
	done &&
	test "$(jfield 1 path)" = /v1/connections &&
	test "$(jfield 7 path)" = /v1/transformations &&
	test "$(jfield 1 name)" = postgres_app &&
	test "$(jfield 2 id)" = "$(ccapply -C ws state show postgres_app --json | sim_json id)"
'

test_expect_success 'the intent carries the digest of the body sent: the state.s sent_digest' '
	test "$(jfield 3 body_digest)" = \
		"$(ccapply -C ws state show salesforce_prod --json | sim_json sent_digest)" &&
	sim_requests | perl -MJSON::PP -e "
		my (\$first) = grep { \$_->{method} eq q(POST) }
			@{ JSON::PP->new->decode(join q(), <STDIN>) };
		print JSON::PP->new->canonical->encode(\$first->{body})" |
		b2sum -l 256 | cut -d" " -f1 >expect &&
	jfield 1 body_digest | sed "s/^blake2b-256://" >actual &&
	test_cmp expect actual
'

test_expect_success 'each line chains to the one before: prev = b2sum of its bytes' '
	test "$(jfield 1 prev)" = "$(printf "" | b2sum -l 256 | cut -d" " -f1)" &&
	for n in 2 3 4 5 6 7 8 9 10; do
		test "$(jfield $n seq)" = $n &&
		test "$(jfield $n prev)" = "$(sed -n "$((n - 1))p" $J | b2sum -l 256 | cut -d" " -f1)" ||
		return 1
	done
'

test_expect_success 'a re-run that changes nothing leaves the journal as it was' '
	cp $J journal.before &&
	ccapply -C ws apply --auto-approve >out &&
	cmp journal.before $J &&
	ccapply -C ws state verify >out &&
	test_grep "^journal chain: ok (10 lines" out &&
	test_grep "^journal replay: ok (the journal gives the state.s outcome for all 5 resources" out
'

test_expect_success 'no credentials or config values in the journal' '
	test_grep ! -F sim-secret $J &&
	test_grep ! "password\|api_key\|host" $J
'

test_expect_success 'a failed create is journaled with its status and code' '
	fresh --fault "POST /v1/connections#3=400" &&
	test_expect_code 3 ccapply -C ws apply --auto-approve >out &&
	grep "\"name\":\"stripe_prod\"" $J | sed -n 2p >line &&
	test "$(sim_json result line)" = failed &&
	test "$(sim_json http_status line)" = 400 &&
	test "$(sim_json error_code line)" = InvalidInput &&
	test "$(sim_json id line)" = null &&
	ccapply -C ws state verify >out &&
	test_grep "^journal replay: ok" out
'

# The crash: the second create is slow (delay:4), apply is killed with -9 while
# it waits for the answer; the simulator still commits the create.
test_expect_success 'kill -9 between intent and outcome: the journal keeps the open intent' '
	fresh --fault "POST /v1/connections#2=delay:4" &&
	{ ccapply -C ws apply --auto-approve >first.out 2>&1 & pid=$!; } &&
	wait_for_posts 2 &&
	kill -9 $pid &&
	{ wait $pid; true; } &&
	tail -n 1 $J >last &&
	test "$(sim_json type last)" = intent &&
	test "$(sim_json name last)" = salesforce_prod &&
	test_line_count = 3 $J &&
	wait_for_connection salesforce_prod &&
	ccapply -C ws state verify >out &&
	test_grep "^journal replay: ok" out
'

test_expect_success 'the next apply records it as created and recovered, not already_exists' '
	ccapply -C ws apply --auto-approve >out &&
	id=$(test-tool api list-group-connections target_group salesforce_prod |
		sed -n "s/^    \"id\": \"\(.*\)\",$/\1/p") &&
	test -n "$id" &&
	test_grep "^connection salesforce_prod: created earlier (id $id, recovered)$" out &&
	test_grep ! "salesforce_prod: already_exists" out &&
	ccapply -C ws state show salesforce_prod --json >show.json &&
	test "$(sim_json outcome show.json)" = created &&
	test "$(sim_json recovered show.json)" = true &&
	test "$(sim_json id show.json)" = "$id" &&
	test "$(sim_json sent_digest show.json)" = "$(jfield 3 body_digest)" &&
	every_connection_once
'

test_expect_success 'and writes the missing outcome, so the journal and state agree' '
	test "$(jfield 4 type)" = outcome &&
	test "$(jfield 4 intent)" = 3 &&
	test "$(jfield 4 result)" = created &&
	test "$(jfield 4 recovered)" = true &&
	test "$(jfield 4 id)" = "$id" &&
	ccapply -C ws state verify >out &&
	test_grep "^verify: all 5 checks passed$" out &&
	cp $J journal.before &&
	ccapply -C ws apply --auto-approve >out &&
	test_grep "^connection salesforce_prod: created earlier (id $id, recovered)$" out &&
	cmp journal.before $J
'

test_expect_success 'without the journal the same crash would read as already_exists' '
	fresh --fault "POST /v1/connections#2=delay:4" &&
	{ ccapply -C ws apply --auto-approve >first.out 2>&1 & pid=$!; } &&
	wait_for_posts 2 &&
	kill -9 $pid &&
	{ wait $pid; true; } &&
	wait_for_connection salesforce_prod &&
	mv $J journal.aside &&
	ccapply -C ws apply --auto-approve >out &&
	test_grep "^connection salesforce_prod: already_exists" out
'

test_expect_success 'a state file lost after apply: the journal restores "created"' '
	fresh &&
	ccapply -C ws apply --auto-approve >/dev/null &&
	ccapply -C ws state list >before &&
	mv $LOCK lock.aside &&
	ccapply -C ws apply --auto-approve >out &&
	test_grep ! "already_exists" out &&
	ccapply -C ws state list >after &&
	test_cmp before after
'

test_expect_success 'verify: one changed byte in a line → chain FAILED naming the line' '
	cp $J journal.good &&
	sed -i "3s/\"time\":\"2/\"time\":\"3/" $J &&
	test_expect_code 1 ccapply -C ws state verify >out &&
	test_grep "^journal chain: FAILED: .*ccapply.journal: line 4: \"prev\" is not the BLAKE2b-256 of line 3: line 3 was changed after it was written" out &&
	test_grep "^journal replay: FAILED: not checked" out &&
	test_grep "^integrity: ok" out &&
	test_grep "^verify: 2 of 5 checks FAILED$" out
'

test_expect_success 'and apply refuses to build on it, sending nothing' '
	before=$(posts) &&
	test_expect_code 1 ccapply -C ws apply --auto-approve >out 2>err &&
	test_grep "line 4: \"prev\" is not the BLAKE2b-256 of line 3" err &&
	test_grep "will not append to a journal it cannot verify" err &&
	test "$(posts)" -eq "$before" &&
	cp journal.good $J
'

test_expect_success 'verify: a line that is not JSON, a removed line, a cut-short line' '
	sed -i "5s/{/[/" $J &&
	test_expect_code 1 ccapply -C ws state verify >out &&
	test_grep "^journal chain: FAILED: .*line 5: not valid JSON" out &&
	cp journal.good $J && sed -i 1d $J &&
	test_expect_code 1 ccapply -C ws state verify >out &&
	test_grep "^journal chain: FAILED: .*line 1: \"prev\" is not 0e5751c0" out &&
	cp journal.good $J && head -c -1 journal.good >$J &&
	test_expect_code 1 ccapply -C ws state verify >out &&
	test_grep "^journal chain: FAILED: .*line 10 is cut short (no newline at its end)" out &&
	cp journal.good $J &&
	ccapply -C ws state verify >/dev/null
'

test_expect_success 'verify: a last line rewritten with a valid chain is caught by the replay' '
	last=$(tail -n 1 journal.good) &&
	head -n -1 journal.good >$J &&
	printf "%s\n" "$last" | sed "s/\"id\":\"[^\"]*\"/\"id\":\"someone_else\"/" >>$J &&
	test_expect_code 1 ccapply -C ws state verify >out &&
	test_grep "^journal chain: ok" out &&
	test_grep "^journal replay: FAILED: 1 of the 5 resources" out &&
	test_grep "^    transformation salesforce: the journal says created, id someone_else" out &&
	cp journal.good $J
'

test_expect_success 'verify: created resources but no journal at all → FAILED' '
	rm $J &&
	test_expect_code 1 ccapply -C ws state verify >out &&
	test_grep "^journal chain: FAILED: there is no .*ccapply.journal, but the state records 5 resources as created" out &&
	cp journal.good $J
'

test_expect_success 'verify: an emptied journal → replay FAILED for every created resource' '
	: >$J &&
	test_expect_code 1 ccapply -C ws state verify >out &&
	test_grep "^journal chain: ok" out &&
	test_grep "^journal replay: FAILED: 5 of the 5 resources" out &&
	test_grep "^    connection postgres_app: the journal has no record of it, the state says created" out &&
	cp journal.good $J
'

test_expect_success 'verify: a journal cut after whole lines → replay FAILED for the rest' '
	head -n 4 journal.good >$J &&
	test_expect_code 1 ccapply -C ws state verify >out &&
	test_grep "^journal chain: ok (4 lines" out &&
	test_grep "^journal replay: FAILED: 3 of the 5 resources" out &&
	test_grep "^    transformation salesforce: the journal has no record of it" out &&
	test_grep ! "^    connection postgres_app:" out &&
	cp journal.good $J &&
	ccapply -C ws state verify >/dev/null
'

test_expect_success 'a journal outcome that answers no open request is refused' '
	sed -n 2p journal.good >dup &&
	cp journal.good $J &&
	prev=$(tail -n 1 $J | b2sum -l 256 | cut -d" " -f1) &&
	sed "s/\"seq\":2,\"prev\":\"[0-9a-f]*\"/\"seq\":11,\"prev\":\"$prev\"/" dup >>$J &&
	test_expect_code 1 ccapply -C ws state verify >out &&
	test_grep "^journal chain: FAILED: .*line 11: an outcome for line 1, which is not the open request of connection \"postgres_app\"" out &&
	cp journal.good $J
'

test_done
