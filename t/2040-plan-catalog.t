#!/bin/bash
#
# Checks before any request, by the service catalog (the official API
# definition): a config key or setting of the wrong JSON type is an error
# naming copy_plan.yaml:LINE:COL and the path, exit 1, nothing sent; an
# unknown config key, a value outside the definition's enum and a service the
# definition does not know are warnings (the definition can lag the API),
# shown by plan and apply and in plan --json's preflight.warnings, and need no
# acknowledgment.

test_description='plan: config checked against the service catalog'
. "$(dirname "$0")/test-lib.sh"

# ws NAME: a workspace whose plan is the YAML on stdin under "connections:".
ws() {
	rm -rf "$1" && mkdir -p "$1/.copy-connections" &&
	{
		printf "schema_version: 1\ndestination:\n  existing_destination_id: target_group\n"
		printf "connections:\n"
		cat
	} >"$1/.copy-connections/copy_plan.yaml" &&
	write_report "$1" pass </dev/null
}

requests() {
	sim_requests | grep -c "\"method\"" || true
}

# refused NAME MESSAGE: plan exits 1 with copy_plan.yaml:MESSAGE, sends nothing.
refused() {
	local before
	before=$(requests) &&
	test_expect_code 1 ccapply -C "$1" plan >out 2>err &&
	test_grep -F "copy_plan.yaml:$2" err &&
	test "$(requests)" = "$before"
}

test_expect_success 'setup: a simulator' '
	sim_start --seed "$TESTDATA/sim/plan-source.json" --create-limit none
'

test_expect_success 'a quoted number for an integer config key is an error' '
	ws port <<-\EOF &&
	  - source_id: s1
	    source_service: postgres
	    target_name: pg
	    config:
	      host: db
	      port: "5432"
	EOF
	refused port "10:13: connections[0].config.port: expected a whole number (postgres config), found \"5432\" (quoted or tagged as a string: the API takes a number)"
'

test_expect_success 'a quoted boolean is an error' '
	ws bool <<-\EOF &&
	  - source_id: s1
	    source_service: postgres
	    target_name: pg
	    config:
	      always_encrypted: "true"
	EOF
	refused bool "9:25: connections[0].config.always_encrypted: expected true or false (postgres config), found \"true\" (quoted or tagged as a string, so not a boolean)"
'

test_expect_success 'a nested key of the wrong type is an error naming its whole path' '
	ws nested <<-\EOF &&
	  - source_id: s1
	    source_service: amplitude
	    target_name: amp
	    config:
	      project_credentials:
	        - project_id: abc
	        - project_id: 42
	EOF
	refused nested "11:23: connections[0].config.project_credentials[1].project_id: expected a string (amplitude config), found the number 42 (quote it to make it a string)"
'

test_expect_success 'a setting inside config of the wrong value is an error' '
	ws freq <<-\EOF &&
	  - source_id: s1
	    source_service: stripe
	    target_name: st
	    config:
	      sync_frequency: 45
	EOF
	refused freq "9:23: connections[0].config.sync_frequency: expected one of 1, 5, 15, 30, 60, 120, 180, 360, 480, 720 or 1440, found the number 45"
'

test_expect_success 'a service the catalog does not know, with no naming key, is refused' '
	ws unnamed <<-\EOF &&
	  - source_id: s1
	    source_service: acme_crm
	    target_name: acme
	    config:
	      host: x
	EOF
	refused unnamed "6:21: connections[0].source_service: \"acme_crm\" is not a service of the official API definition, and its config names no schema, schema_prefix, table or table_group_name"
'

test_expect_success 'unknown keys, values outside an enum and unknown services are warnings' '
	ws warn <<-\EOF &&
	  - source_id: s1
	    source_service: postgres
	    target_name: pg
	    config:
	      host: db
	      update_method: XMIN
	      is_sandbox: false
	  - source_id: s2
	    source_service: acme_crm
	    target_name: acme
	    config:
	      schema_prefix: old
	EOF
	ccapply -C warn plan >out 2>err &&
	test_grep "^Warnings from the service catalog" out &&
	test_grep -F "CATALOG_VALUE_NOT_IN_ENUM (source s1): warn/.copy-connections/copy_plan.yaml:10:22: connections[0].config.update_method: \"XMIN\" is not one of the values the official definition lists for postgres (QUERY_BASED or WAL_PGOUTPUT)" out &&
	test_grep -F "CATALOG_UNKNOWN_KEY (source s1): warn/.copy-connections/copy_plan.yaml:11:19: connections[0].config.is_sandbox: not a config key of postgres" out &&
	test_grep -F "CATALOG_UNKNOWN_SERVICE (source s2): warn/.copy-connections/copy_plan.yaml:13:21: connections[1].source_service: \"acme_crm\" is not a service of the official API definition" out &&
	test_grep "Plan: 2 to create" out
'

test_expect_success 'plan --json lists them in preflight.warnings with their source' '
	ccapply -C warn plan --json >plan.json &&
	sim_json preflight.warnings.# plan.json >n &&
	echo 3 >expect && test_cmp expect n &&
	sim_json preflight.warnings.0.code plan.json >code &&
	echo CATALOG_VALUE_NOT_IN_ENUM >expect && test_cmp expect code &&
	sim_json preflight.warnings.2.source_id plan.json >src &&
	echo s2 >expect && test_cmp expect src
'

# The simulator follows the definition as the API does (SPEC §6): it refuses the value outside
# the enum and the service it does not know. What matters here is that apply sent both as planned,
# without an acknowledgment, and reports the API's answer.
test_expect_success 'apply needs no acknowledgment for them, and names the unknown service by its key' '
	test_expect_code 3 ccapply -C warn apply --auto-approve >out 2>err &&
	sim_requests >requests.json &&
	test_grep "\"update_method\": *\"XMIN\"" requests.json &&
	test_grep "\"schema_prefix\": *\"acme\"" requests.json &&
	! grep "\"schema_prefix\": *\"old\"" requests.json &&
	test_grep "^connection pg: failed: HTTP 400 InvalidInput: Field .config.update_method. must be one of QUERY_BASED, WAL_PGOUTPUT$" out &&
	test_grep "^connection acme: failed: HTTP 400 InvalidInput: Invalid value .acme_crm. for .service.: no such connector service$" out
'

test_done
