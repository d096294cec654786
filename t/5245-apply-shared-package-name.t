#!/bin/bash
# Two Quickstart packages with the same package_name, each on its own
# connection (two Stripe accounts, each with its Stripe package): a plan the
# schema allows. A package's identity is its source_transformation_id (SPEC
# §3): both are planned, created once each, recorded as two resources, and
# a re-run changes nothing. Names shared in the plan are qualified in the
# state ("stripe (tr_stripe_eu)"); unique ones stay as they were.
. "$(dirname "$0")/test-lib.sh"

export CCAPPLY_RETRY_BASE_MS=1

test_expect_success 'setup: a plan with two stripe packages' '
	sim_start --seed "$TESTDATA/sim/plan-source.json" --create-limit none &&
	plan_existing ws <<-\EOF &&
	connections:
	  - source_id: src_stripe
	    source_service: stripe
	    target_name: stripe_us
	    config: {schema: stripe_us, api_key: ""}
	    credential_fields: [api_key]
	    auth_style: credentials
	  - source_id: src_stripe_eu
	    source_service: stripe
	    target_name: stripe_eu
	    config: {schema: stripe_eu, api_key: ""}
	    credential_fields: [api_key]
	    auth_style: credentials
	transformations:
	  quickstart_packages:
	    - source_transformation_id: tr_stripe_us
	      package_name: stripe
	      target_connection_source_ids: [src_stripe]
	    - source_transformation_id: tr_stripe_eu
	      package_name: stripe
	      target_connection_source_ids: [src_stripe_eu]
	EOF
	write_report ws pass
'

test_expect_success 'plan shows both packages, each by its identity' '
	ccapply -C ws plan >out &&
	test_grep "^  + transformation \"stripe (tr_stripe_us)\"" out &&
	test_grep "^  + transformation \"stripe (tr_stripe_eu)\"" out &&
	test_grep "^Plan: 4 to create" out
'

test_expect_success 'apply creates each once and records two resources' '
	ccapply -C ws apply --auto-approve >out &&
	test_grep "^Apply complete: 4 created" out &&
	test "$(sim_state | grep -c "\"package_name\": *\"stripe\"")" -ge 2 &&
	ccapply -C ws state list >list &&
	test_grep "^transformation  *stripe (tr_stripe_us)  *created" list &&
	test_grep "^transformation  *stripe (tr_stripe_eu)  *created" list &&
	test_grep "stripe (tr_stripe_eu) Quickstart package installed" ws/.copy-connections/results.md &&
	ccapply -C ws state verify >/dev/null
'

test_expect_success 'a re-run creates nothing' '
	before=$(sim_state | grep -c "\"package_name\": *\"stripe\"") &&
	ccapply -C ws apply --auto-approve >out &&
	test_grep "^Apply complete: 4 created (4 by an earlier apply), 0 already existed" out &&
	test "$(sim_state | grep -c "\"package_name\": *\"stripe\"")" -eq "$before" &&
	ccapply -C ws state show "stripe (tr_stripe_eu)" >show &&
	test_grep "tr_stripe_eu" show
'

test_done
