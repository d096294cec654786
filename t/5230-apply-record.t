#!/bin/bash
# results.md never loses what happened (SPEC §4, issue #14): it is rendered
# from what ccapply.lock records plus this run, so a refusal, a cancel or a
# credentials failure keeps every connection created earlier, with its
# dashboard link and auth step, and says why this run refused; an apply that
# changes nothing leaves results.md and ccapply.lock byte-identical; a
# resumed apply counts what it created earlier as created.
. "$(dirname "$0")/test-lib.sh"

export CCAPPLY_RETRY_BASE_MS=1 CCAPPLY_MAX_RETRIES=0
R=ws/.copy-connections/results.md
L=ws/.copy-connections/ccapply.lock

# The auth lines (each ending in its dashboard link) of results.md now are
# all still there, and every connection the lock records as created has one.
links_kept() {
	grep -F -x -f auth.before $R >auth.now &&
	test_cmp auth.before auth.now &&
	perl -MJSON::PP -0777 -ne 'for (@{decode_json($_)->{resources}}) {
		print "$_->{id}\n" if $_->{kind} eq "connection" && $_->{outcome} eq "created" }' \
		$L >created.ids &&
	test_line_count = 2 created.ids &&
	while read -r id; do
		test_grep "^- Auth: .*: https://fivetran.com/dashboard/connections/$id$" $R || return 1
	done <created.ids
}

# A refusal: exit 1, nothing sent, the lock unchanged, results.md says why.
refused_keeping_links() {
	test "$(posts)" -eq "$posts_before" &&
	cmp lock.before $L &&
	test_grep "^- Apply refused: $1" $R &&
	links_kept
}

test_expect_success 'an apply where one connection fails leaves two created' '
	fresh --fault "POST /v1/connections#3=400" &&
	ccapply -C ws plan --out saved.plan >/dev/null &&
	test_expect_code 3 ccapply -C ws apply --auto-approve >out &&
	test_grep "^- 2 connections created successfully$" $R &&
	grep "^- Auth: " $R >auth.before &&
	test_line_count = 2 auth.before &&
	cp $L lock.before &&
	posts_before=$(posts)
'

test_expect_success 'plan changed since validation: refused, every link kept' '
	cp ws/.copy-connections/copy_plan.yaml plan.orig &&
	echo "# edited" >>ws/.copy-connections/copy_plan.yaml &&
	test_expect_code 1 ccapply -C ws apply --auto-approve 2>err &&
	test_grep "changed since it was validated" err &&
	refused_keeping_links ".*changed since it was validated" &&
	test_grep "^\*\*Source:\*\* Production$" $R &&
	test_grep "^\*\*Target:\*\* Analytics Copy$" $R &&
	cp plan.orig ws/.copy-connections/copy_plan.yaml
'

test_expect_success 'wrong API key (401): refused, every link kept, the 401 said' '
	FIVETRAN_APISECRET=wrong-secret test_expect_code 1 ccapply -C ws apply --auto-approve 2>err &&
	refused_keeping_links ".*401" &&
	test_grep ! "wrong-secret" $R
'

test_expect_success 'no credentials at all: refused, every link kept' '
	env -u FIVETRAN_APISECRET ccapply -C ws apply --auto-approve 2>err;
	test $? -eq 1 &&
	refused_keeping_links "no API credentials"
'

# saved.plan was made before the first apply: it planned creates that
# are done now.
test_expect_success 'stale saved plan: refused, every link kept' '
	test_expect_code 1 ccapply -C ws apply saved.plan --auto-approve 2>err &&
	refused_keeping_links ".*no longer matches the live state"
'

test_expect_success 'not confirmed (no terminal): refused, every link kept' '
	test "$(ccapply -C ws plan | grep -c "^  + ")" -ge 1 &&
	posts_before=$(posts) &&
	test_expect_code 1 ccapply -C ws apply </dev/null 2>err &&
	refused_keeping_links "not confirmed"
'

test_expect_success 'cancelled at the prompt: refused, every link kept' '
	printf "no\n" | script -qec "ccapply -C ws apply" /dev/null >tty.out;
	test_grep "Only .yes. will be accepted" tty.out &&
	refused_keeping_links "cancelled at the confirmation prompt"
'

test_expect_success 'FIVETRAN_ALLOW_WRITES=false: refused, every link kept' '
	FIVETRAN_ALLOW_WRITES=false test_expect_code 1 ccapply -C ws apply --auto-approve 2>err &&
	refused_keeping_links "FIVETRAN_ALLOW_WRITES"
'

test_expect_success 'the resumed apply counts what it created earlier as created' '
	ccapply -C ws apply --auto-approve >out &&
	test_grep "^Apply complete: 5 created (3 by an earlier apply), 0 already existed, 0 skipped, 0 failed.$" out &&
	test_grep ! "already existed (left unchanged)" $R &&
	test_grep "^- 3 connections created successfully$" $R &&
	test_grep "^- 2 Quickstart packages installed$" $R &&
	test_grep ! "Apply refused" $R &&
	every_connection_once
'

test_expect_success '--json: the done event counts them the same way' '
	ccapply -C ws apply --auto-approve --json >events &&
	tail -n 1 events >done.json &&
	test "$(sim_json created done.json)" = 5 &&
	test "$(sim_json created_earlier done.json)" = 5 &&
	test "$(sim_json already_exists done.json)" = 0
'

test_expect_success 'an apply that changes nothing leaves results.md and the lock byte-identical' '
	cp $R results.before && cp $L lock.before &&
	sleep 1 &&
	ccapply -C ws apply --auto-approve >out &&
	test_grep "^Plan: 0 to create, 5 unchanged, 0 skipped.$" out &&
	cmp results.before $R &&
	cmp lock.before $L
'

test_expect_success 'after a refusal, the next change is dated anew' '
	FIVETRAN_ALLOW_WRITES=false test_expect_code 1 ccapply -C ws apply --auto-approve 2>err &&
	! cmp -s results.before $R &&
	cmp lock.before $L &&
	test_grep "^- Apply refused: " $R &&
	ccapply -C ws apply --auto-approve >out &&
	test_grep ! "Apply refused" $R &&
	cmp lock.before $L
'

test_done
