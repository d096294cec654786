#!/bin/bash
# 3920-contract-creates.t — contract test of connection creates (issue #12): every create body is
# checked against its own service's schema, `{service}_NewConnectorRequestV1` of the official
# definition (errata applied), with a real JSON Schema validator (Ajv, pinned in t/contract/) —
# which Prism cannot do, since POST /v1/connections references only the generic
# NewConnectorRequestV1 — and ccapply-sim refuses exactly what that schema refuses.
#
#  - t/contract/validate-create.js is the validator; t/lib-sim.sh runs it, as the last test point
#    of every script that started a simulator, on every create body the simulator received.
#    Both are shown to fail on a bad body here.
#  - t/contract/create-sweep.js sends probe creates for every service of the definition (naming
#    keys, config types and enums, read-only keys, settings) to the simulator and compares its
#    verdicts with Ajv's, and checks each answer against `{service}_ConnectorResponseV1`.
. "$(dirname "$0")/test-lib.sh"

ajv_require

VALIDATE="$TEST_DIRECTORY/contract/validate-create.js"
SWEEP="$TEST_DIRECTORY/contract/create-sweep.js"

test_expect_success 'the validator accepts the create bodies the definition allows' '
	cat >valid.jsonl <<-\EOF &&
	{"group_id":"g","service":"postgres","paused":true,"run_setup_tests":false,"sync_frequency":1440,"config":{"schema_prefix":"pg","host":"db","port":5432,"password":"","update_method":"WAL_PGOUTPUT"}}
	{"group_id":"g","service":"google_sheets","paused":true,"config":{"schema":"sheets_copy","table":"budget","sheet_id":"x","auth_type":"ServiceAccount"}}
	{"group_id":"g","service":"stripe","paused":true,"sync_frequency":1440,"daily_sync_time":"03:00","config":{"schema":"stripe"}}
	{"group_id":"g","service":"s3","config":{"schema":"files","table_group_name":"landing","file_type":"csv"}}
	EOF
	node "$VALIDATE" "$API/fivetran-openapi.json" valid.jsonl >out &&
	test_grep "^valid valid.jsonl:1 postgres$" out &&
	test_grep "^4 create bodies, 0 invalid$" out
'

test_expect_success 'the validator refuses each bad body, naming the path and the rule' '
	cat >bad.jsonl <<-\EOF &&
	{"group_id":"g","service":"postgres","config":{"host":"db"}}
	{"group_id":"g","service":"postgres","config":{"schema_prefix":"pg","port":"5432"}}
	{"group_id":"g","service":"postgres","config":{"schema_prefix":"pg","update_method":"XMIN"}}
	{"group_id":"g","service":"google_sheets","config":{"schema":"sheets_copy.budget"}}
	{"group_id":"g","service":"stripe","sync_frequency":7,"config":{"schema":"stripe"}}
	{"group_id":"g","service":"stripe","sync_frequency":"1440","config":{"schema":"stripe"}}
	{"group_id":"g","service":"no_such_service","config":{"schema":"x"}}
	{"service":"stripe","config":{"schema":"stripe"}}
	EOF
	test_expect_code 1 node "$VALIDATE" "$API/fivetran-openapi.json" bad.jsonl >out &&
	test_grep "^invalid bad.jsonl:1 postgres: config must have required property .schema_prefix.$" out &&
	test_grep "^invalid bad.jsonl:2 postgres: config.port must be integer$" out &&
	test_grep "^invalid bad.jsonl:3 postgres: config.update_method must be equal to one of the allowed values (\"QUERY_BASED\", \"WAL_PGOUTPUT\")$" out &&
	test_grep "^invalid bad.jsonl:4 google_sheets: config must have required property .table.$" out &&
	test_grep "^invalid bad.jsonl:5 stripe: sync_frequency must be equal to one of the allowed values" out &&
	test_grep "^invalid bad.jsonl:6 stripe: sync_frequency must be integer" out &&
	test_grep "^invalid bad.jsonl:7 no_such_service: the definition has no no_such_service_NewConnectorRequestV1$" out &&
	test_grep "^invalid bad.jsonl:8 stripe: body must have required property .group_id.$" out &&
	test_grep "^8 create bodies, 8 invalid$" out
'

# A script of its own (in t/, so test-lib.sh finds the repository), whose one create reaches the
# simulator's log but not its validation: an injected 500 answers before the route runs.
run_sub_script() {
	local name="zz-3920-sub-$1" body=$2
	(
		export BODY=$body
		bash -c '
			. "$(dirname "$0")/test-lib.sh"
			test_expect_success "a create that a fault answers" "
				sim_start --seed \"$TESTDATA/sim/basic.json\" \
					--fault \"POST /v1/connections#1=500\" &&
				sim_curl -o /dev/null -d \"\$BODY\" \"\$SIM_URL/v1/connections\"
			"
			test_done
		' "$TEST_DIRECTORY/$name.t"
	) >"sub-$1.out" 2>&1
}

test_expect_success 'the check at the end of a script fails on a create body the schema refuses' '
	test_expect_code 1 run_sub_script bad \
		"{\"group_id\":\"target_group\",\"service\":\"postgres\",\"config\":{\"update_method\":\"XMIN\"}}" &&
	test_grep "^not ok 2 - every create body sent to ccapply-sim validates .*1 bodies" sub-bad.out &&
	test_grep "invalid .*\.sim-creates\.jsonl:1 postgres: config.update_method must be equal to one of the allowed values .*config must have required property .schema_prefix." sub-bad.out &&
	run_sub_script good \
		"{\"group_id\":\"target_group\",\"service\":\"postgres\",\"config\":{\"schema_prefix\":\"pg\"}}" &&
	test_grep "^ok 2 - every create body sent to ccapply-sim validates .*1 bodies" sub-good.out
'
rm -rf "$TEST_DIRECTORY/trash.zz-3920-sub-bad" "$TEST_DIRECTORY/trash.zz-3920-sub-good"

cat >sweep-seed.json <<\EOF
{"groups": [{"id": "sweep", "name": "sweep"}]}
EOF

# Under valgrind every request is slow: one service per naming format, and those of issue #12.
SWEEP_SERVICES=
[ "$CCAPPLY_VALGRIND" = 1 ] && SWEEP_SERVICES="postgres google_sheets stripe s3"

test_expect_success 'the simulator refuses exactly the creates the definition refuses, every service' '
	sim_start --seed sweep-seed.json --create-limit none &&
	node "$SWEEP" "$API/fivetran-openapi.json" "$SIM_URL" sweep $SWEEP_SERVICES >sweep.out &&
	tail -n 1 sweep.out &&
	if [ -z "$SWEEP_SERVICES" ]; then
		test_grep "^services 773, probes [0-9]*, mismatches 0$" sweep.out
	else
		test_grep "^services 4, probes [0-9]*, mismatches 0$" sweep.out
	fi
'
test -f sweep.out && sed -n '$s/^/# sweep: /p' sweep.out

test_expect_success 'the sweep reports a simulator that refuses a valid create' '
	sim_start --seed sweep-seed.json --create-limit none \
		--fault "POST /v1/connections#3=400" &&
	test_expect_code 1 node "$SWEEP" "$API/fivetran-openapi.json" "$SIM_URL" sweep \
		postgres >sweep.out &&
	test_grep "^MISMATCH postgres: without config.table: sim 400 .*, Ajv valid$" sweep.out &&
	test_grep "^services 1, probes [0-9]*, mismatches 1$" sweep.out
'

test_done
