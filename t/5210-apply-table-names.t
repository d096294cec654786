#!/bin/bash
#
# Connectors whose config names a table (google_sheets, file connectors) are
# named "<schema>.<table>" by Fivetran. plan, apply and status must match them
# by that name: a second apply finds them instead of creating them again (which
# Fivetran would refuse with a 409).

test_description='apply: connectors Fivetran names schema.table'
. "$(dirname "$0")/test-lib.sh"

test_expect_success 'setup: a plan with two sheets connectors' '
	sim_start --seed "$TESTDATA/sim/plan-source.json" --create-limit none &&
	mkdir -p ws/.copy-connections &&
	cat >ws/.copy-connections/copy_plan.yaml <<-\EOF &&
	schema_version: 1
	destination:
	  mode: existing
	  existing_destination_id: target_group
	connections:
	  - source_id: src_budget
	    source_service: google_sheets
	    target_name: finance_copy
	    config:
	      schema: finance
	      table: budget
	      sheet_id: "https://docs.google.com/spreadsheets/d/abc"
	  - source_id: src_forecast
	    source_service: google_sheets
	    target_name: finance_copy.forecast
	    config:
	      schema: finance
	      table: forecast
	EOF
	write_report ws pass
'

test_expect_success 'plan shows both as creates under their Fivetran names' '
	ccapply -C ws plan --json >plan.json &&
	test-tool json-parse plan.json &&
	test_grep "\"action\": *\"create\"" plan.json &&
	test "$(grep -c "\"action\": *\"create\"" plan.json)" = 2
'

test_expect_success 'apply sends schema without the table and creates both' '
	ccapply -C ws apply --auto-approve >out 2>err &&
	sim_requests >requests.json &&
	test_grep "\"schema\": *\"finance_copy\"" requests.json &&
	! grep "finance_copy.forecast\\\\\"" requests.json &&
	test "$(count_named finance_copy.budget)" = 1 &&
	test "$(count_named finance_copy.forecast)" = 1
'

test_expect_success 'a second apply finds them: nothing created, exit 0' '
	before=$(posts) &&
	ccapply -C ws apply --auto-approve >out2 2>err2 &&
	test "$(posts)" = "$before" &&
	test_grep "0 to create" out2 &&
	test "$(count_named finance_copy.budget)" = 1
'

test_expect_success 'plan after apply: both unchanged' '
	ccapply -C ws plan >plan.txt &&
	test_grep "Plan: 0 to create, 2 unchanged, 0 skipped." plan.txt
'

test_expect_success 'status does not call them renamed' '
	ccapply -C ws status --json >status.json &&
	! grep "renamed" status.json
'

test_expect_success 'a create whose answer is lost is found by its full name, not sent again' '
	sim_stop &&
	sim_start --seed "$TESTDATA/sim/plan-source.json" --create-limit none \
		--fault "POST /v1/connections#1=reset-after-commit" &&
	rm -f ws/.copy-connections/ccapply.* ws/.copy-connections/results.md &&
	ccapply -C ws apply --auto-approve >out3 2>err3 &&
	test "$(count_named finance_copy.budget)" = 1 &&
	test "$(posts)" = 2 &&
	ccapply -C ws state show finance_copy >show.txt &&
	test_grep "created" show.txt
'

test_expect_success 'the simulator stops cleanly' '
	sim_stop
'

test_done
