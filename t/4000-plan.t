#!/bin/bash
# ccapply plan end to end against ccapply-sim: the diff a reviewer reads, the
# JSON a pipeline parses, the saved plan, the exit codes, and proof that plan
# never writes.
. "$(dirname "$0")/test-lib.sh"

export CCAPPLY_RETRY_BASE_MS=1

# No request in the sim's log may be anything but a GET.
only_gets() {
	sim_requests >requests.json &&
	test_grep ! "\"method\": *\"\(POST\|PATCH\|DELETE\|PUT\)\"" requests.json
}

request_count() {
	sim_requests | grep -o "\"method\": *\"GET\"" | wc -l
}

test_expect_success 'empty target: everything to create' '
	sim_start --seed "$TESTDATA/sim/plan-source.json" &&
	plan_workspace ws && write_report ws pass &&
	ccapply -C ws plan >out &&
	test_grep "^  + connection \"postgres_app\" (postgres)$" out &&
	test_grep "^  + connection \"salesforce_prod\" (salesforce)$" out &&
	test_grep "^  + connection \"stripe_prod\" (stripe)$" out &&
	test_grep "^  + transformation \"stripe\"$" out &&
	test_grep "depends on src_stripe" out &&
	test_grep "^Plan: 5 to create, 0 unchanged, 0 skipped.$" out &&
	test_grep "^Target group: Analytics Copy (target_group)$" out &&
	only_gets
'

test_expect_success 'plan reads live state in the fewest requests' '
	# group, its destination, one page of connections, one of
	# transformations, the source connection and the source group
	test "$(request_count)" -eq 6
'

test_expect_success '--detailed-exitcode: 2 with changes pending' '
	test_expect_code 2 ccapply -C ws plan --detailed-exitcode >/dev/null
'

test_expect_success 'no colour when stdout is not a terminal' '
	ccapply -C ws plan >out &&
	test_grep ! "$(printf "\\033")" out
'

test_expect_success 'partly copied target: existing resources unchanged' '
	sim_stop &&
	sim_start --seed "$TESTDATA/sim/plan-partial.json" &&
	ccapply -C ws plan >out &&
	test_grep "^  = connection \"salesforce_prod\" (salesforce) id=tgt_salesforce: ALREADY_EXISTS$" out &&
	test_grep "^  = transformation \"salesforce\" id=tgt_tr_sf: ALREADY_EXISTS$" out &&
	test_grep "^  + connection \"postgres_app\"" out &&
	test_grep "^Plan: 3 to create, 2 unchanged, 0 skipped.$" out &&
	only_gets
'

test_expect_success 'pagination: every page is read (--page-max 1)' '
	sim_stop &&
	sim_start --seed "$TESTDATA/sim/plan-partial.json" --page-max 1 &&
	ccapply -C ws plan >out2 &&
	test_cmp out out2 &&
	sim_requests >requests.json &&
	test "$(grep -c "\"query\": \"limit=1000&cursor=\|\"query\": \"cursor=" requests.json)" -ge 2 &&
	test_grep "limit=1000" requests.json
'

test_expect_success 'name taken with a different config: skipped with each differing path' '
	sim_stop &&
	sim_start --seed "$TESTDATA/sim/plan-taken.json" &&
	test_expect_code 2 ccapply -C ws plan --detailed-exitcode >out &&
	test_grep "^  ! connection \"postgres_app\" (postgres) id=tgt_postgres: NAME_TAKEN_CONFIG_DIFFERS$" out &&
	test_grep "^      ~ config.host: plan \"db.internal.example.com\", live \"other.example.com\"$" out &&
	test_grep ! "config.port" out &&
	test_grep ! "config.password" out &&
	test_grep "^Plan: 4 to create, 0 unchanged, 1 skipped.$" out
'

test_expect_success '--json: the SPEC §5 document, field by field' '
	ccapply -C ws plan --json >plan.json &&
	sum=$(ccapply checksum ws/.copy-connections/copy_plan.yaml) &&
	sed "s/@SUM@/$sum/" >expect.json <<-\EOF &&
	{"format_version": 1,
	 "target": {"group_id": "target_group", "group_name": "Analytics Copy"},
	 "preflight": {"plan_checksum": "@SUM@", "validation_status": "pass", "warnings": [
	  {"code": "CATALOG_UNKNOWN_KEY", "source_id": "src_salesforce",
	   "message": "ws/.copy-connections/copy_plan.yaml:42:19: connections[1].config.is_sandbox: not a config key of salesforce in the official API definition; sent as it is"}]},
	 "actions": [
	  {"kind": "connection", "name": "postgres_app", "action": "skip",
	   "reason": "NAME_TAKEN_CONFIG_DIFFERS", "id": "tgt_postgres", "source_id": "src_postgres",
	   "service": "postgres",
	   "differences": [{"path": "config.host", "plan": "db.internal.example.com",
	                    "live": "other.example.com"}]},
	  {"kind": "connection", "name": "salesforce_prod", "action": "create",
	   "source_id": "src_salesforce", "service": "salesforce"},
	  {"kind": "connection", "name": "stripe_prod", "action": "create",
	   "source_id": "src_stripe", "service": "stripe"},
	  {"kind": "transformation", "name": "stripe", "action": "create",
	   "source_id": "tr_stripe", "depends_on": ["src_stripe"]},
	  {"kind": "transformation", "name": "salesforce", "action": "create",
	   "source_id": "tr_sf", "depends_on": ["src_salesforce"]}],
	 "summary": {"create": 4, "noop": 0, "skip": 1}}
	EOF
	test-tool json-equal expect.json plan.json
'

test_expect_success '--json keys come in the documented order' '
	tr -d " \n" <plan.json | grep -q "^{\"format_version\":1,\"target\":{\"group_id\":\"target_group\",\"group_name\":\"AnalyticsCopy\"},\"preflight\":{\"plan_checksum\":"
'

test_expect_success '--out saves the plan; show renders it as plan did' '
	ccapply -C ws plan --out saved.plan >out &&
	ccapply show ws/saved.plan >shown &&
	test_cmp out shown &&
	ccapply show ws/saved.plan --json >shown.json &&
	test_grep "\"live_fingerprint\": \"[0-9a-f]\{64\}\"" shown.json
'

test_expect_success 'show refuses a file that is not a plan' '
	echo "{\"format_version\": 1}" >bogus.plan &&
	test_expect_code 1 ccapply show bogus.plan 2>err &&
	test_grep "not a ccapply plan file" err &&
	echo "{" >broken.plan &&
	test_expect_code 1 ccapply show broken.plan 2>err &&
	test_grep "broken.plan:2:1: .*(not a ccapply plan file)" err
'

test_expect_success 'a transformation whose dependency is outside the plan is skipped' '
	mkdir -p dep/.copy-connections &&
	sed "s/target_connection_source_ids: \[src_stripe\]/target_connection_source_ids: [src_stripe, src_ghost]/" \
		"$TESTDATA/plans/basic/copy_plan.yaml" >dep/.copy-connections/copy_plan.yaml &&
	write_report dep pass-with-warnings <<-\EOF &&
	transformation_findings:
	  - package_name: stripe
	    findings:
	      - severity: warning
	        code: MISSING_DEPENDENCY_CONNECTION
	        message: src_ghost is not being copied
	EOF
	ccapply -C dep plan >out &&
	test_grep "^  ! transformation \"stripe\": MISSING_DEPENDENCY$" out &&
	test_grep "dependency src_ghost is not in the plan" out &&
	test_grep "MISSING_DEPENDENCY_CONNECTION (package stripe): src_ghost is not being copied" out
'

test_expect_success 'a new_group_name plan finds its group by name' '
	mkdir -p byname/.copy-connections &&
	sed "s/mode: existing/mode: new/; s/existing_destination_id: target_group/new_group_name: Analytics Copy/" \
		"$TESTDATA/plans/basic/copy_plan.yaml" >byname/.copy-connections/copy_plan.yaml &&
	write_report byname pass &&
	ccapply -C byname plan >out &&
	test_grep "^Target group: Analytics Copy (target_group)$" out
'

test_expect_success 'a target group that does not exist: stop, re-scope' '
	mkdir -p gone/.copy-connections &&
	sed "s/existing_destination_id: target_group/existing_destination_id: deleted_group/" \
		"$TESTDATA/plans/basic/copy_plan.yaml" >gone/.copy-connections/copy_plan.yaml &&
	write_report gone pass &&
	test_expect_code 1 ccapply -C gone plan 2>err &&
	test_grep "target group .deleted_group. .*does not exist; re-scope" err &&
	sed "s/Analytics Copy/No Such Group/" byname/.copy-connections/copy_plan.yaml >gone/.copy-connections/copy_plan.yaml &&
	write_report gone pass &&
	test_expect_code 1 ccapply -C gone plan 2>err &&
	test_grep "target group .No Such Group. does not exist; re-scope" err &&
	only_gets
'

test_expect_success 'wrong credentials: HTTP 401 named, exit 1' '
	FIVETRAN_APISECRET=wrong test_expect_code 1 ccapply -C ws plan 2>err &&
	test_grep "GET /v1/groups/target_group: HTTP 401" err
'

test_expect_success 'a malformed response names the endpoint' '
	sim_stop &&
	sim_start --seed "$TESTDATA/sim/plan-source.json" --fault "GET /v1/groups/*/connections#1=malformed" &&
	test_expect_code 1 ccapply -C ws plan 2>err &&
	test_grep "GET /v1/groups/target_group/connections.*malformed" err
'

test_expect_success '5xx after the retries are spent is an error naming the endpoint' '
	sim_stop &&
	sim_start --seed "$TESTDATA/sim/plan-source.json" \
		--fault "GET /v1/groups/target_group#1=500" --fault "GET /v1/groups/target_group#2=500" \
		--fault "GET /v1/groups/target_group#3=500" --fault "GET /v1/groups/target_group#4=500" \
		--fault "GET /v1/groups/target_group#5=500" --fault "GET /v1/groups/target_group#6=500" &&
	CCAPPLY_MAX_RETRIES=3 test_expect_code 1 ccapply -C ws plan 2>err &&
	test_grep "GET /v1/groups/target_group: HTTP 500" err
'

test_expect_success 'a 503 on a read is retried and the plan goes on' '
	sim_stop &&
	sim_start --seed "$TESTDATA/sim/plan-source.json" --fault "GET /v1/groups/target_group#1=503" &&
	ccapply -C ws plan >out &&
	test_grep "^Plan: 5 to create" out
'

test_expect_success 'an unreachable API is an error naming the endpoint' '
	sim_stop &&
	FIVETRAN_API_URL=http://127.0.0.1:9 CCAPPLY_MAX_RETRIES=1 test_expect_code 1 ccapply -C ws plan 2>err &&
	test_grep "GET /v1/groups/target_group" err
'

test_expect_success '-v traces request lines; --debug adds bodies, secrets redacted' '
	sim_stop &&
	sim_start --seed "$TESTDATA/sim/plan-source.json" &&
	ccapply -v -C ws plan >/dev/null 2>trace &&
	test_grep "^> GET http://127.0.0.1:[0-9]*/v1/groups/target_group$" trace &&
	test_grep "^< 200 (" trace &&
	test_grep ! "body:" trace &&
	ccapply --debug -C ws plan >/dev/null 2>trace &&
	test_grep "^< body: " trace &&
	test_grep "\"password\":\"<redacted>\"" trace &&
	test_grep ! "sim-secret" trace &&
	test_grep ! "$(printf %s sim-key:sim-secret | base64)" trace
'

test_expect_success 'plain http to a host other than loopback is refused' '
	FIVETRAN_API_URL=http://api.example.com test_expect_code 1 ccapply -C ws plan 2>err &&
	test_grep "http://api.example.com" err
'

test_done
