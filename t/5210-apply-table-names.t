#!/bin/bash
#
# Connectors of the schema_table naming format (google_sheets, file
# connectors; the service catalog says which) are named "<schema>.<table>" by
# Fivetran, and their target_name is that name: apply sends config.schema and
# config.table from its two halves (whatever naming keys the plan's config
# copied), and plan, apply and status match them by it, so a second apply
# finds them instead of creating them again (which Fivetran would refuse with
# a 409). A target_name without the dot is refused before any request.

test_description='apply: connectors Fivetran names schema.table'
. "$(dirname "$0")/test-lib.sh"

test_expect_success 'setup: a plan with two sheets connectors' '
	sim_start --seed "$TESTDATA/sim/plan-source.json" --create-limit none &&
	plan_existing ws <<-\EOF &&
	connections:
	  - source_id: src_budget
	    source_service: google_sheets
	    target_name: finance_copy.budget
	    config:
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

test_expect_success 'a target_name without the dot is refused at plan time, naming its place' '
	cp -r ws nodot &&
	sed -i "s/target_name: finance_copy.budget/target_name: finance_copy/" \
		nodot/.copy-connections/copy_plan.yaml &&
	write_report nodot pass &&
	before=$(posts) &&
	test_expect_code 1 ccapply -C nodot plan >out 2>err &&
	test_grep "copy_plan.yaml:8:18: connections\[0\].target_name: a google_sheets connection is named \"<schema>.<table>\"" err &&
	test_grep "found \"finance_copy\"" err &&
	test "$(posts)" = "$before"
'

test_expect_success 'apply sends schema and table from the halves of target_name' '
	ccapply -C ws apply --auto-approve >out 2>err &&
	sim_requests >requests.json &&
	test_grep "\"schema\": *\"finance_copy\"" requests.json &&
	test_grep "\"table\": *\"budget\"" requests.json &&
	test_grep "\"table\": *\"forecast\"" requests.json &&
	! grep "\"finance\"" requests.json &&
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
	ccapply -C ws state show finance_copy.budget >show.txt &&
	test_grep "created" show.txt
'

test_expect_success 'the simulator stops cleanly' '
	sim_stop
'

test_done
