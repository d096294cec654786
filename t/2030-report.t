#!/bin/bash
# The validation report loader against formats/validation_report.schema.yaml:
# every field with a type in the format is checked for it, and a wrong one is
# refused at FILE:LINE:COL saying what was expected and what was found
# (quoted values cut short and with control characters escaped); keys the
# format does not name are accepted. Most points feed files to the real
# loader through `test-tool report-load`; the last ones go through
# `ccapply plan`, which is what users see (the API URL points nowhere: a
# request would fail differently).
. "$(dirname "$0")/test-lib.sh"

export FIVETRAN_API_URL=http://127.0.0.1:9 FIVETRAN_APIKEY=k FIVETRAN_APISECRET=s

SUM=blake2b-256:e99c87dfcb13632480102cda3f7c1e42256657cd6fa14f11bf286fc310c7e6ff

# report NAME [STATUS] — NAME.yaml: a valid header (schema_version 1,
# metadata, status) followed by the YAML on stdin.
report() {
	{
		printf 'schema_version: 1\nmetadata:\n  plan_checksum: %s\nstatus: %s\n' \
			"$SUM" "${2:-pass-with-warnings}"
		cat
	} >"$1.yaml"
}

# refused NAME — the loader refuses NAME.yaml with exit 1; message in err.
refused() {
	test_expect_code 1 test-tool report-load "$1.yaml" 2>err &&
	cat err
}

test_expect_success 'a report that follows the format loads, unknown keys included' '
	report good <<-\EOF &&
	generator: {name: copy-connections-validate, version: 3}
	summary: {blocking: 0, warnings: 1, info: 0, skipped: 2}
	destination_findings:
	  - {severity: warning, code: NONPORTABLE_FIELD, message: m, field: f, hint: extra}
	connection_findings:
	  - source_id: src_a
	    target_name: a
	    owner_team: data
	    findings:
	      - severity: info
	        code: custom-transformation.not_copyable
	        context: {table_name: t, column_name: ~, reason_code: SYSTEM_TABLE}
	transformation_findings: []
	acknowledgments_required:
	  - {code: NONPORTABLE_FIELD, message: ack it}
	EOF
	test-tool report-load good.yaml >out &&
	test_grep "status pass-with-warnings" out &&
	test_grep "findings blocking 0 warning 1 info 1" out &&
	test_grep "to acknowledge NONPORTABLE_FIELD$" out
'

test_expect_success 'a report without schema_version is refused, saying schema_version: 1' '
	printf "metadata: {plan_checksum: %s}\nstatus: pass\n" "$SUM" >noversion.yaml &&
	refused noversion &&
	test_grep "^noversion.yaml:1:1: schema_version: required field is missing" err &&
	test_grep "expected .schema_version: 1." err
'

test_expect_success 'an unsupported version is named in the message' '
	report v2 </dev/null &&
	sed -i "s/^schema_version: 1/schema_version: 2/" v2.yaml &&
	refused v2 &&
	test_grep "^v2.yaml:1:17: schema_version: unsupported version 2 (this ccapply reads 1)$" err
'

test_expect_success 'the string 1 is not the number 1, and the message says so' '
	report quoted </dev/null &&
	sed -i "s/^schema_version: 1/schema_version: '\''1'\''/" quoted.yaml &&
	refused quoted &&
	test_grep "^quoted.yaml:1:17: schema_version: expected the number 1, found the string .1." err &&
	test_grep "without quotes" err
'

test_expect_success 'a 400-digit version is shown cut to 20 characters' '
	digits=$(printf "9%.0s" $(seq 400)) &&
	report huge </dev/null &&
	sed -i "s/^schema_version: 1/schema_version: $digits/" huge.yaml &&
	refused huge &&
	test_grep "^huge.yaml:1:17: schema_version: unsupported version 99999999999999999999\.\.\. (this ccapply reads 1)$" err &&
	test "$(wc -c <err)" -lt 200
'

test_expect_success 'other types of schema_version say what was found' '
	report boolv </dev/null &&
	sed -i "s/^schema_version: 1/schema_version: true/" boolv.yaml &&
	refused boolv &&
	test_grep "schema_version: expected the number 1, found the boolean true" err &&
	report mapv </dev/null &&
	sed -i "s/^schema_version: 1/schema_version: {major: 1}/" mapv.yaml &&
	refused mapv &&
	test_grep "schema_version: expected the number 1, found a mapping" err
'

test_expect_success 'a second YAML document is refused as a report, not as a plan' '
	report one </dev/null &&
	{ cat one.yaml && echo "---" && cat one.yaml; } >two.yaml &&
	refused two &&
	test_grep "^two.yaml:5:1: more than one document (each input file holds exactly one)$" err &&
	test_grep ! "plan file" err
'

test_expect_success 'status: an upper-case value gets a hint, a number says which' '
	report upper PASS </dev/null &&
	refused upper &&
	test_grep "^upper.yaml:4:9: status: expected pass, pass-with-warnings or fail, found \"PASS\" (the values are lower case)$" err &&
	report num 2 </dev/null &&
	refused num &&
	test_grep "^num.yaml:4:9: status: expected pass, pass-with-warnings or fail, found the number 2$" err
'

test_expect_success 'status: a long value is cut, control characters are escaped' '
	report long "$(printf "x%.0s" $(seq 5000))" </dev/null &&
	refused long &&
	test_grep "found \"x\{40\}\.\.\.\"$" err &&
	test "$(wc -c <err)" -lt 300 &&
	report esc "\"\\e[2Jpass\\u009b\"" </dev/null &&
	refused esc &&
	test_grep "found \"?\[2Jpass?\"$" err &&
	! grep -q "$(printf "\033")" err
'

test_expect_success 'severity must be blocking, warning or info' '
	report sevnum <<-\EOF &&
	destination_findings:
	  - {severity: 3, code: X}
	EOF
	refused sevnum &&
	test_grep "^sevnum.yaml:6:16: destination_findings\[0\].severity: expected blocking, warning or info, found the number 3$" err &&
	report sevmissing <<-\EOF &&
	transformation_findings:
	  - package_name: stripe
	    findings:
	      - {code: X}
	EOF
	refused sevmissing &&
	test_grep "^sevmissing.yaml:8:9: transformation_findings\[0\].findings\[0\].severity: required field is missing (expected blocking, warning or info)$" err
'

test_expect_success 'summary counts must be whole numbers, 0 or more' '
	for bad in "\"3\"" -1 2.5 "[1]" null; do
		report summary <<-EOF &&
		summary:
		  blocking: 0
		  warnings: $bad
		EOF
		refused summary &&
		test_grep "^summary.yaml:7:13: summary.warnings: expected a count (a whole number, 0 or more), found" err ||
		return 1
	done &&
	report summary <<-\EOF &&
	summary: 3 blocking
	EOF
	refused summary &&
	test_grep "^summary.yaml:5:10: summary: expected a mapping, found a string" err
'

test_expect_success 'findings sections must be sequences of mappings' '
	report destmap <<-\EOF &&
	destination_findings: {severity: warning, code: X}
	EOF
	refused destmap &&
	test_grep "^destmap.yaml:5:23: destination_findings: expected a sequence, found a mapping" err &&
	report item <<-\EOF &&
	connection_findings:
	  - just a string
	EOF
	refused item &&
	test_grep "^item.yaml:6:5: connection_findings\[0\]: expected a mapping, found a string" err &&
	report inner <<-\EOF &&
	connection_findings:
	  - source_id: a
	    findings: [SOURCE_IN_ERROR]
	EOF
	refused inner &&
	test_grep "^inner.yaml:7:16: connection_findings\[0\].findings\[0\]: expected a mapping, found a string" err &&
	report acks <<-\EOF &&
	acknowledgments_required: {code: X}
	EOF
	refused acks &&
	test_grep "^acks.yaml:5:27: acknowledgments_required: expected a sequence, found a mapping" err
'

test_expect_success 'codes are strings made of code characters' '
	report codenum <<-\EOF &&
	acknowledgments_required:
	  - code: 404
	EOF
	refused codenum &&
	test_grep "^codenum.yaml:6:11: acknowledgments_required\[0\].code: expected a string, found a number" err &&
	report comma <<-\EOF &&
	destination_findings:
	  - {severity: warning, code: "A,B"}
	EOF
	refused comma &&
	test_grep "^comma.yaml:6:31: destination_findings\[0\].code: expected a short code like NAMING_COLLISION (at most 100 letters, digits, ._., .-. or .\..), found \"A,B\"$" err &&
	report longcode <<-EOF &&
	destination_findings:
	  - {severity: warning, code: $(printf "A%.0s" $(seq 101))}
	EOF
	refused longcode &&
	test_grep "code: expected a short code like NAMING_COLLISION" err
'

test_expect_success 'metadata fields with a type are checked' '
	printf "schema_version: 1\nmetadata:\n  plan_checksum: %s\n  plan_path: 7\nstatus: pass\n" \
		"$SUM" >meta.yaml &&
	refused meta &&
	test_grep "^meta.yaml:4:14: metadata.plan_path: expected a string, found a number" err
'

test_expect_success 'status fail without blocking findings says so, with no empty list' '
	plan_workspace nofind &&
	write_report nofind fail &&
	test_expect_code 1 ccapply -C nofind plan 2>err &&
	cat err &&
	test_grep "status fail but lists no blocking findings" err &&
	test_grep "Re-run the validate step" err &&
	test_grep ! "Blocking findings" err &&
	test_grep ! "Re-scope" err
'

test_expect_success 'blocking findings are listed on one line each, control characters escaped' '
	plan_workspace ctl &&
	write_report ctl fail <<-\EOF &&
	destination_findings:
	  - severity: blocking
	    code: NAMING_COLLISION
	    message: "two\nlines \e[31mred"
	    field: "name\ttab"
	EOF
	test_expect_code 1 ccapply -C ctl plan 2>err &&
	cat err &&
	test_grep "^Blocking findings:$" err &&
	test_grep "^  - NAMING_COLLISION (destination field name tab): two lines \\\\x1b\[31mred$" err &&
	! grep -q "$(printf "\033")" err
'

test_done
