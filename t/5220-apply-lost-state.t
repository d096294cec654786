#!/bin/bash
# Idempotency that survives a lost state file (SPEC §2): the diff compares
# what the user meant — naming keys, read-only keys and credentials never;
# settings against the live top-level fields — so after an apply of a plan
# as the scope step writes it (testdata/plans/scope-step), deleting
# ccapply.lock and ccapply.journal and planning again finds everything there,
# and apply sends nothing. With the lock, a connection it records as created
# is ALREADY_EXISTS whatever its config. A Quickstart package with no
# dependency is skipped, never sent.
. "$(dirname "$0")/test-lib.sh"

export CCAPPLY_RETRY_BASE_MS=1

# How many POST /v1/transformations the simulator received.
transformation_posts() {
	sim_requests | perl -MJSON::PP -e '
		my $log = decode_json(do { local $/; <STDIN> });
		print scalar grep { $_->{method} eq "POST" && $_->{path} eq "/v1/transformations" } @$log;
	'
}

test_expect_success 'a scope-step plan: every resource created' '
	sim_start --seed "$TESTDATA/sim/plan-source.json" --create-limit none &&
	plan_workspace ws "$TESTDATA/plans/scope-step/copy_plan.yaml" && write_report ws pass &&
	ccapply -C ws apply --auto-approve >out &&
	test_grep "^Apply complete: 4 created, 0 already existed, 0 skipped, 0 failed.$" out &&
	test "$(sim_writes)" = 4
'

test_expect_success 'lock and journal lost: plan finds everything, nothing to create or skip' '
	lose_state &&
	ccapply -C ws plan >out &&
	test_grep "^  = connection \"postgres_app\" (postgres) id=[^ ]*: ALREADY_EXISTS$" out &&
	test_grep "^  = connection \"sheets_copy.budget\" (google_sheets) id=[^ ]*: ALREADY_EXISTS$" out &&
	test_grep "^  = connection \"stripe_prod\" (stripe) id=[^ ]*: ALREADY_EXISTS$" out &&
	test_grep "^  = transformation \"stripe\" id=[^ ]*: ALREADY_EXISTS$" out &&
	test_grep "^Plan: 0 to create, 4 unchanged, 0 skipped.$" out
'

test_expect_success 'lock and journal lost: apply sends nothing' '
	apply_sends_nothing 4
'

test_expect_success 'a package without dependency: skipped with its reason, never sent' '
	rm -rf ws && plan_workspace ws &&
	sed -i "s/target_connection_source_ids: \[src_salesforce\]/target_connection_source_ids: []/" \
		ws/.copy-connections/copy_plan.yaml &&
	write_report ws pass &&
	sim_start --seed "$TESTDATA/sim/plan-source.json" --create-limit none &&
	test_expect_code 3 ccapply -C ws apply --auto-approve >out &&
	test_grep "^  ! transformation \"salesforce\": NO_DEPENDENCIES$" out &&
	test_grep "target_connection_source_ids is empty" out &&
	test_grep "^Apply finished with problems: 4 created, 0 already existed, 1 skipped, 0 failed.$" out &&
	test "$(transformation_posts)" = 1 &&
	test_grep "salesforce Quickstart package skipped: NO_DEPENDENCIES (the plan lists no connection for it" \
		ws/.copy-connections/results.md &&
	ccapply -C ws state show salesforce >state.out &&
	test_grep "skipped" state.out &&
	test_grep "NO_DEPENDENCIES" state.out
'

test_expect_success 'recorded created: ALREADY_EXISTS whatever its config, never skipped' '
	rm -rf ws && plan_workspace ws && write_report ws pass &&
	sim_start --seed "$TESTDATA/sim/plan-source.json" --create-limit none &&
	ccapply -C ws apply --auto-approve >/dev/null &&
	sed -i "s/host: db.internal.example.com/host: db2.internal.example.com/" \
		ws/.copy-connections/copy_plan.yaml &&
	write_report ws pass &&
	ccapply -C ws plan >out &&
	test_grep "^  = connection \"postgres_app\" (postgres) id=[^ ]*: ALREADY_EXISTS$" out &&
	ccapply -C ws apply --auto-approve >out &&
	test_grep "^connection postgres_app: created earlier (id " out &&
	ccapply -C ws state show postgres_app >state.out &&
	test_grep "created" state.out
'

test_expect_success 'without the lock the same edit is a config that differs' '
	lose_state &&
	ccapply -C ws plan >out &&
	test_grep "^  ! connection \"postgres_app\" (postgres) id=[^ ]*: NAME_TAKEN_CONFIG_DIFFERS$" out &&
	test_grep "config.host: plan \"db2.internal.example.com\", live \"db.internal.example.com\"" out
'

test_expect_success 'a damaged lock stops plan as it stops apply' '
	echo "{" >ws/.copy-connections/ccapply.lock &&
	test_expect_code 1 ccapply -C ws plan >out 2>err &&
	test_grep "ccapply.lock" err &&
	test_grep "plan reads it to know what ccapply created" err
'

test_done
