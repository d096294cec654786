#!/bin/bash
# Every --json output has a JSON Schema in docs/schemas/, and the outputs of
# real runs — successes and failures of validate, plan, show, apply, status and
# state — validate against them with Ajv (pinned in t/contract/). With --json a
# failure is one {"error":{"code","message"}} object on stdout, whatever failed.
. "$(dirname "$0")/test-lib.sh"

ajv_require

export CCAPPLY_RETRY_BASE_MS=1 CCAPPLY_MAX_RETRIES=0

# json_fails CODE EXIT ARGS...: ccapply ARGS exits EXIT and prints exactly one
# line on stdout, the error object with CODE, valid against error.schema.json.
json_fails() {
	local code=$1 status=$2
	shift 2
	test_expect_code "$status" ccapply "$@" >fail.json 2>fail.err &&
	test_line_count = 1 fail.json &&
	schema_check error fail.json &&
	test "$(sim_json error.code fail.json)" = "$code" &&
	test -n "$(sim_json error.message fail.json)"
}

test_expect_success 'the schemas compile in strict mode and name their files' '
	for f in "$SCHEMA_DIR"/*.schema.json; do
		node "$AJV_SCRIPT" "$f" "$f" >/dev/null 2>compile.err; status=$?
		# 0 or 1 (a schema is not an instance of itself), never 2 (no compile)
		test $status -le 1 || { cat compile.err; exit 1; }
		test "$(sim_json "\$id" "$f")" = \
			"https://github.com/ccapply/ccapply/docs/schemas/$(basename "$f")" || exit 1
	done
'

test_expect_success 'every error code in cmd/ is in error.schema.json' '
	{
		grep -rhoE "cmd_fail\(\"[a-z_]+\"" "$REPO"/cmd
		grep -hoE "return \"[a-z_]+\";" "$REPO"/cmd/common.c
	} | sed "s/^[^\"]*\"//; s/\".*//" | sort -u >used &&
	test_grep -x checksum_mismatch used &&
	sim_json properties.error.properties.code.enum "$SCHEMA_DIR/error.schema.json" |
		tr -d "[]\"" | tr , "\n" | sort -u >declared &&
	comm -23 used declared >undeclared &&
	test_line_count = 0 undeclared
'

test_expect_success 'validate --json: pass and pass-with-warnings' '
	plan_workspace ws && write_report ws pass &&
	ccapply -C ws validate --json >validate.json &&
	schema_check validate validate.json &&
	write_report_warnings ws &&
	ccapply -C ws validate --json >validate.json &&
	schema_check validate validate.json &&
	# two warnings from the report, then one from the catalog (is_sandbox)
	test "$(sim_json preflight.warnings.# validate.json)" = 3
'

test_expect_success 'validate --json failures' '
	mkdir empty &&
	json_fails plan_missing 1 -C empty validate --json &&
	plan_workspace ws2 &&
	json_fails report_missing 1 -C ws2 validate --json &&
	write_report_sum ws2 pass blake2b-256:abc &&
	json_fails checksum_form 1 -C ws2 validate --json &&
	write_report ws2 fail &&
	json_fails validation_failed 1 -C ws2 validate --json &&
	write_report ws2 pass && echo "x: [" >>ws2/.copy-connections/copy_plan.yaml &&
	json_fails checksum_mismatch 1 -C ws2 validate --json &&
	json_fails usage 64 -C ws validate --json --bogus
'

test_expect_success 'the check can fail: a doctored output is rejected' '
	sed "s/\"valid\": true/\"valid\": \"yes\"/" validate.json >doctored.json &&
	! schema_check validate doctored.json >why &&
	test_grep "/valid" why
'

test_expect_success 'plan --json: creates, skips with differences; --out and show --json' '
	sim_start --seed "$TESTDATA/sim/plan-taken.json" &&
	write_report ws pass &&
	ccapply -C ws plan --json --out saved.plan >plan.json &&
	test_grep "\"differences\"" plan.json &&
	schema_check plan plan.json ws/saved.plan &&
	ccapply show ws/saved.plan --json >show.json &&
	schema_check plan show.json
'

test_expect_success 'plan --json failures: no credentials, API down, another account, usage' '
	(unset FIVETRAN_APIKEY && json_fails no_credentials 1 -C ws plan --json) &&
	json_fails network 1 --api-url http://127.0.0.1:1 -C ws plan --json &&
	echo "{\"groups\": []}" >no-groups.json &&
	sim_start --seed no-groups.json &&
	json_fails other_account 1 -C ws plan --json &&
	json_fails usage 64 -C ws plan --json --bogus &&
	json_fails plan_file_invalid 1 show no-such.plan --json
'

test_expect_success 'apply --json failures end the stream with the error object' '
	fresh && rm -rf ws3 && plan_workspace ws3 && write_report ws3 pass &&
	FIVETRAN_ALLOW_WRITES=no test_expect_code 1 \
		ccapply -C ws3 apply --auto-approve --json >apply.jsonl 2>err &&
	schema_check_lines apply-event apply.jsonl &&
	test "$(tail -n 1 apply.jsonl | sim_json error.code)" = writes_disabled &&
	test_expect_code 1 ccapply -C ws3 apply --json >apply.jsonl 2>err </dev/null &&
	schema_check_lines apply-event apply.jsonl &&
	test "$(tail -n 1 apply.jsonl | sim_json error.code)" = not_confirmed &&
	FIVETRAN_APISECRET=wrong test_expect_code 1 \
		ccapply -C ws3 apply --auto-approve --json >apply.jsonl 2>err &&
	schema_check_lines apply-event apply.jsonl &&
	test "$(tail -n 1 apply.jsonl | sim_json error.code)" = auth_failed
'

test_expect_success 'apply --json: every line of the stream is valid' '
	fresh &&
	ccapply -C ws apply --auto-approve --json >apply.jsonl &&
	schema_check_lines apply-event apply.jsonl &&
	tail -n 1 apply.jsonl | grep -q "^{\"event\":\"done\",\"result\":\"complete\""
'

test_expect_success 'status --json, state list --json, state show --json' '
	{ ccapply -C ws status --json >status.json || test $? = 2; } &&
	schema_check status status.json &&
	ccapply -C ws state list --json >list.json &&
	schema_check state-list list.json &&
	ccapply -C ws state show postgres_app --json >show-res.json &&
	schema_check state-show show-res.json
'

test_expect_success 'status and state --json failures' '
	json_fails no_state 1 -C empty status --json &&
	json_fails no_state 1 -C empty state list --json &&
	json_fails not_found 1 -C ws state show nothing-like-it --json &&
	json_fails usage 64 -C ws state list --json --bogus &&
	json_fails usage 64 -C ws status --json --bogus
'

test_expect_success 'apply --json: a 429 wait is a wait event, valid like the rest' '
	fresh --create-limit 1/3 &&
	ccapply -C ws apply --auto-approve --json --create-rate 100/1 >apply.jsonl 2>err &&
	schema_check_lines apply-event apply.jsonl &&
	grep "^{\"event\":\"wait\"" apply.jsonl >waits &&
	test_grep -E "^\{\"event\":\"wait\",\"seconds\":[0-9]+,\"reason\":\"HTTP 429, Retry-After: [0-9]+\"\}$" waits &&
	test "$(wc -l <waits)" -lt "$(($(grep -c "\"event\":\"start\"" apply.jsonl) * 2))" &&
	tail -n 1 apply.jsonl | grep -q "^{\"event\":\"done\",\"result\":\"complete\",\"created\":5,"
'

test_done
