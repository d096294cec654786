#!/bin/bash
# The destination and the account (SPEC §2): plan and apply read the target
# group's destination, stop with zero writes when it has none (the execute
# step: re-scope), and refuse a key whose account cannot see the group the
# plan's metadata.fivetran_account_hint names. Each refusal has its own
# message, and none is mistaken for another failure (a 5xx, a wrong
# --api-url).
. "$(dirname "$0")/test-lib.sh"

export CCAPPLY_RETRY_BASE_MS=1

# seed.json: plan-source.json without the target group's destination.
write_seed_without_destination() {
	perl -MJSON::PP -e '
		my $s = decode_json(do { local $/; <STDIN> });
		$s->{destinations} = [ grep { $_->{id} ne "target_group" } @{$s->{destinations}} ];
		print JSON::PP->new->canonical->encode($s);
	' <"$TESTDATA/sim/plan-source.json" >no-destination.json
}

# A workspace whose plan has metadata.fivetran_account_hint HINT.
hinted() {
	rm -rf "$1" && plan_workspace "$1" &&
	sed -i "s/fivetran_account_hint: target_group/fivetran_account_hint: $2/" \
		"$1/.copy-connections/copy_plan.yaml" &&
	write_report "$1" pass
}

test_expect_success 'plan reads the target group'"'"'s destination' '
	sim_start --seed "$TESTDATA/sim/plan-source.json" &&
	plan_workspace ws && write_report ws pass &&
	ccapply -C ws plan >out &&
	test_grep "^Plan: 5 to create" out &&
	sim_requests >requests.json &&
	test_grep "\"path\": *\"/v1/destinations/target_group\"" requests.json
'

test_expect_success 'a group without a destination: plan stops, says to re-scope' '
	write_seed_without_destination &&
	sim_start --seed no-destination.json &&
	test_expect_code 1 ccapply -C ws plan >out 2>err &&
	test_grep "target group .target_group. has no destination (GET /v1/destinations/target_group: HTTP 404)" err &&
	test_grep "Re-scope the plan" err &&
	test_grep ! "^Plan:" out &&
	test "$(sim_writes)" = 0
'

test_expect_success 'a group without a destination: apply writes nothing' '
	test_expect_code 1 ccapply -C ws apply --auto-approve >out 2>err &&
	test_grep "has no destination" err &&
	test "$(sim_writes)" = 0 &&
	test_grep ! "dashboard/connections/" ws/.copy-connections/results.md &&
	test_grep "Apply refused" ws/.copy-connections/results.md
'

test_expect_success 'a failing destination read is not a missing destination' '
	sim_start --seed "$TESTDATA/sim/plan-source.json" \
		--fault "GET /v1/destinations/*#1=500" --fault "GET /v1/destinations/*#2=500" &&
	CCAPPLY_MAX_RETRIES=1 test_expect_code 1 ccapply -C ws plan 2>err &&
	test_grep "GET /v1/destinations/target_group: HTTP 500" err &&
	test_grep ! "no destination" err &&
	test "$(sim_writes)" = 0
'

test_expect_success 'account hint naming a group these credentials see: plan goes on' '
	sim_start --seed "$TESTDATA/sim/plan-source.json" &&
	hinted seen source_group &&
	ccapply -C seen plan >out &&
	test_grep "^Plan: 5 to create" out
'

test_expect_success 'account hint naming a group they cannot see: refused, nothing written' '
	hinted other acct_elsewhere &&
	test_expect_code 1 ccapply -C other plan 2>err &&
	test_grep "metadata.fivetran_account_hint .acct_elsewhere. names a group or destination these credentials cannot see: the API key belongs to another Fivetran account" err &&
	test_expect_code 1 ccapply -C other apply --auto-approve 2>err &&
	test_grep "the API key belongs to another Fivetran account" err &&
	test "$(sim_writes)" = 0
'

test_expect_success 'another account'"'"'s key: the target group the hint names is not visible' '
	# The basic plan hints at its own target group; these credentials
	# list their groups, and it is not among them.
	sim_start --seed "$TESTDATA/sim/plan-source.json" &&
	mkdir -p theirs/.copy-connections &&
	sed "s/target_group/their_group/g" "$TESTDATA/plans/basic/copy_plan.yaml" \
		>theirs/.copy-connections/copy_plan.yaml &&
	write_report theirs pass &&
	test_expect_code 1 ccapply -C theirs apply --auto-approve 2>err &&
	test_grep "fivetran_account_hint .their_group. names the target group (destination.existing_destination_id), which these credentials cannot see: the API key belongs to another Fivetran account" err &&
	test "$(sim_writes)" = 0
'

test_expect_success 'a wrong --api-url is not taken for another account or a missing destination' '
	test_expect_code 1 ccapply -C ws --api-url "$SIM_URL/v1" plan 2>err &&
	test_grep ! "another Fivetran account" err &&
	test_grep ! "no destination" err &&
	test "$(sim_writes)" = 0
'

test_done
