#!/bin/bash
# The pre-flight gates of SPEC §1, in order, each with its own message and
# exit 1, all before any network request (the API URL points nowhere: a
# request would fail differently).
. "$(dirname "$0")/test-lib.sh"

export FIVETRAN_API_URL=http://127.0.0.1:9 FIVETRAN_APIKEY=k FIVETRAN_APISECRET=s

test_expect_success 'missing plan names the scope step' '
	mkdir -p empty/.copy-connections &&
	test_expect_code 1 ccapply -C empty plan 2>err &&
	test_grep "plan not found: empty/.copy-connections/copy_plan.yaml" err &&
	test_grep "scope" err
'

test_expect_success 'missing report names the validate step' '
	plan_workspace noreport &&
	test_expect_code 1 ccapply -C noreport plan 2>err &&
	test_grep "validation report not found" err &&
	test_grep "validate" err
'

test_expect_success 'unsupported checksum form lists the accepted forms, at file:line:col' '
	plan_workspace md5 &&
	write_report_sum md5 pass md5:0123456789abcdef &&
	test_expect_code 1 ccapply -C md5 plan 2>err &&
	test_grep "validation_report.yaml:5:18: metadata.plan_checksum: unsupported checksum" err &&
	test_grep "blake2b-256:<64 hex digits>, blake2b-512:<128 hex digits>, sha256:<64 hex digits>" err
'

test_expect_success 'a blake2b-256 of the wrong length is not an accepted form' '
	plan_workspace short &&
	write_report_sum short pass blake2b-256:abcd &&
	test_expect_code 1 ccapply -C short plan 2>err &&
	test_grep "unsupported checksum" err
'

test_expect_success 'checksum mismatch refuses and says to re-run validate' '
	plan_workspace changed &&
	write_report changed pass &&
	echo "# edited after validation" >>changed/.copy-connections/copy_plan.yaml &&
	test_expect_code 1 ccapply -C changed plan 2>err &&
	test_grep "has changed since it was validated" err &&
	test_grep "Re-run the validate step" err
'

# Past every gate, plan needs API credentials: their absence proves the gates passed.
gates_passed() {
	test_expect_code 1 env -u FIVETRAN_APIKEY ccapply -C "$1" plan 2>err &&
	test_grep ! "changed since\|unsupported checksum\|status fail" err &&
	test_grep "no API credentials" err
}

test_expect_success 'blake2b-512 and sha256 checksums are accepted' '
	plan_workspace b512 &&
	write_report_sum b512 pass "blake2b-512:$(b2sum b512/.copy-connections/copy_plan.yaml | cut -d" " -f1)" &&
	gates_passed b512 &&
	plan_workspace sha &&
	write_report_sum sha pass "sha256:$(sha256sum sha/.copy-connections/copy_plan.yaml | cut -d" " -f1)" &&
	gates_passed sha
'

test_expect_success 'uppercase hex in the report still matches' '
	plan_workspace upper &&
	sum=$(ccapply checksum upper/.copy-connections/copy_plan.yaml) &&
	write_report_sum upper pass "blake2b-256:$(echo ${sum#blake2b-256:} | tr a-f A-F)" &&
	gates_passed upper
'

test_expect_success 'status fail refuses and lists the blocking findings by code' '
	plan_workspace failed &&
	write_report failed fail <<-\EOF &&
	destination_findings:
	  - severity: blocking
	    code: NAMING_COLLISION
	    message: A destination with this name exists
	connection_findings:
	  - source_id: src_postgres
	    target_name: postgres_app
	    findings:
	      - severity: blocking
	        code: SOURCE_IN_ERROR
	        message: The source connection is broken
	      - severity: warning
	        code: UNPATCHABLE_TABLE
	        message: not listed as blocking
	EOF
	test_expect_code 1 ccapply -C failed plan 2>err &&
	test_grep "status fail" err &&
	test_grep "NAMING_COLLISION: A destination with this name exists" err &&
	test_grep "SOURCE_IN_ERROR (connection postgres_app): The source connection is broken" err &&
	test_grep ! "UNPATCHABLE_TABLE" err
'

test_expect_success 'an unknown status is an input error at file:line:col' '
	plan_workspace weird &&
	write_report weird maybe &&
	test_expect_code 1 ccapply -C weird plan 2>err &&
	test_grep "validation_report.yaml:6:9: status: expected pass, pass-with-warnings or fail" err
'

unsound() {
	mkdir -p "$1/.copy-connections" &&
	cat >"$1/.copy-connections/copy_plan.yaml" &&
	write_report "$1" pass &&
	test_expect_code 1 ccapply -C "$1" plan 2>err
}

test_expect_success 'duplicate target names are refused with both positions' '
	unsound dup <<-\EOF &&
	schema_version: 1
	destination: {existing_destination_id: g}
	connections:
	  - {source_id: a, source_service: postgres, target_name: same}
	  - {source_id: b, source_service: mysql, target_name: same}
	EOF
	test_grep "copy_plan.yaml:5:5: connections\[1\].target_name .same. is already used by connections\[0\] (line 4)" err
'

test_expect_success 'an unknown schema_version is refused' '
	unsound v2 <<-\EOF &&
	schema_version: 2
	destination: {existing_destination_id: g}
	EOF
	test_grep "copy_plan.yaml:1:17: schema_version: unsupported version 2" err
'

test_expect_success 'a wrong type names the field and position' '
	unsound types <<-\EOF &&
	schema_version: 1
	destination: {existing_destination_id: g}
	connections:
	  - source_id: a
	    source_service: postgres
	    target_name: 2024
	EOF
	test_grep "copy_plan.yaml:6:18: connections\[0\].target_name: expected a string, found a number" err
'

test_expect_success 'a missing required field is named' '
	unsound missing <<-\EOF &&
	schema_version: 1
	destination: {existing_destination_id: g}
	connections:
	  - source_id: a
	    target_name: x
	EOF
	test_grep "copy_plan.yaml:4:5: connections\[0\].source_service: required field is missing" err
'

test_expect_success 'a dependency outside the plan must be reported as missing' '
	unsound deps <<-\EOF &&
	schema_version: 1
	destination: {existing_destination_id: g}
	connections:
	  - {source_id: a, source_service: stripe, target_name: x}
	transformations:
	  quickstart_packages:
	    - package_name: stripe
	      target_connection_source_ids: [a, ghost]
	EOF
	test_grep "copy_plan.yaml:7:7: quickstart package .stripe. depends on connection .ghost." err
'

test_expect_success 'a dependency the report lists as missing passes the gate' '
	mkdir -p reported/.copy-connections &&
	cp deps/.copy-connections/copy_plan.yaml reported/.copy-connections/ &&
	write_report reported pass-with-warnings <<-\EOF &&
	transformation_findings:
	  - package_name: stripe
	    findings:
	      - severity: warning
	        code: MISSING_DEPENDENCY_CONNECTION
	        message: ghost is not being copied
	EOF
	gates_passed reported
'

test_expect_success 'malformed YAML in the plan is reported at file:line:col' '
	unsound syntax <<-\EOF &&
	schema_version: 1
	destination: [unclosed
	EOF
	test_grep "copy_plan.yaml:[0-9]*:[0-9]*: " err
'

test_expect_success 'a duplicate key in the report is reported at file:line:col' '
	plan_workspace dupkey &&
	write_report dupkey pass &&
	echo "status: fail" >>dupkey/.copy-connections/validation_report.yaml &&
	test_expect_code 1 ccapply -C dupkey plan 2>err &&
	test_grep "validation_report.yaml:7:1: .*duplicate" err
'

test_expect_success 'schema_config is checked for syntax though not kept' '
	unsound schemacfg <<-\EOF &&
	schema_version: 1
	destination: {existing_destination_id: g}
	connections:
	  - source_id: a
	    source_service: postgres
	    target_name: x
	    schema_config:
	      tables:
	        - {name_in_source: t, enabled: true, enabled: false}
	EOF
	test_grep "copy_plan.yaml:9:46: duplicate key .enabled." err
'

test_done
