#!/bin/bash
# 3900-contract-proxy.t — contract test: every API client call goes through Prism's validating
# proxy (`prism proxy --errors`, the official Fivetran definition with the errata applied) in front
# of the simulator, so both what the client sends and what the simulator answers are checked
# against the definition nobody here wrote. One Prism start for the whole script; each point
# fails naming the endpoint and the violation (t/lib-prism.sh records Prism's findings).
# Deliberately broken exchanges prove that a violation is detected, so this test can fail.
. "$(dirname "$0")/test-lib.sh"

prism_require

# The simulator (t/lib-sim.sh) with the contract seed: every shape (nulls, masked credentials,
# warnings, tasks, QUICKSTART and DBT_CORE transformations, package metadata). --page-max 2 makes
# the client follow cursors through Prism. Faults: the 2nd connection create commits and answers
# 500 (the client then looks the name up and adopts it); one package id answers malformed JSON.
contract_sim_start() {
	sim_start --seed "$TESTDATA/sim/contract.json" \
		--api-key contract-key --api-secret contract-secret \
		--page-max 2 --create-limit 0 \
		--fault 'POST /v1/connections#2=500-after-commit' \
		--fault 'GET /v1/transformations/package-metadata/contract_malformed#1+=malformed'
}

# sim_received METHOD PATH: how many such requests reached the simulator.
sim_received() {
	sim_requests >sim-requests.json &&
	node -e 'const [m, p] = process.argv.slice(1);
		const log = JSON.parse(require("fs").readFileSync("sim-requests.json", "utf8"));
		console.log(log.filter((r) => r.method === m && r.path === p).length);' "$1" "$2"
}

test_expect_success 'the errata are applied to a temporary copy of the definition' '
	prism_corrected_definition >errata.out &&
	test_line_count = 4 errata.out &&
	test_grep "^erratum 1: .*: 3 places changed" errata.out &&
	test_grep "^erratum 2: .*: 1 place changed" errata.out &&
	test_grep "^erratum 3: .*: 8 places changed" errata.out &&
	test_grep "^erratum 4: .*\"type\": \"string\": 684 places changed (620 top-level config fields, 63 fields nested in a config, 1 field elsewhere)$" errata.out &&
	node -e "const s = JSON.parse(require(\"fs\").readFileSync(process.argv[1], \"utf8\"))
			.components.schemas.postgres_config_V1.properties.config.properties;
		if (s.update_method.type !== \"string\" || s.port.type !== \"integer\") process.exit(1);" \
		"$PRISM_DEFINITION" &&
	! cmp -s "$PRISM_DEFINITION" "$API/fivetran-openapi.json"
'
sed 's/^/# corrected definition: /' errata.out

test_expect_success 'errata whose target is gone or already fixed fail loudly' '
	test_must_fail node "$REPO/scripts/openapi-errata.js" "$PRISM_DEFINITION" again.json \
		2>err &&
	test_grep "erratum 1 .*already fixed upstream" err &&
	! test -e again.json &&
	node -e "const fs = require(\"fs\");
		const doc = JSON.parse(fs.readFileSync(process.argv[1], \"utf8\"));
		delete doc.components.schemas.ConnectorResponse.properties.config;
		fs.writeFileSync(\"no-config.json\", JSON.stringify(doc));" \
		"$API/fivetran-openapi.json" &&
	test_must_fail node "$REPO/scripts/openapi-errata.js" no-config.json out.json 2>err &&
	test_grep "erratum 2 .*property config not found in schema ConnectorResponse" err &&
	node -e "const fs = require(\"fs\");
		const doc = JSON.parse(fs.readFileSync(process.argv[1], \"utf8\"));
		const fix = (o) => { if (o && typeof o === \"object\") {
			if (o.type === \"object\" && Array.isArray(o.enum)) o.type = \"string\";
			Object.values(o).forEach(fix); } };
		fix(doc.components.schemas);
		fs.writeFileSync(\"enums-fixed.json\", JSON.stringify(doc));" \
		"$API/fivetran-openapi.json" &&
	test_must_fail node "$REPO/scripts/openapi-errata.js" enums-fixed.json out.json 2>err &&
	test_grep "erratum 4 .*no enum-valued field is declared .*already fixed upstream" err &&
	! test -e out.json
'

test_expect_success 'start the simulator and Prism proxy in front of it' '
	contract_sim_start &&
	test "$FIVETRAN_APISECRET" = contract-secret &&
	prism_proxy_start "$SIM_URL" &&
	test_set_prereq PRISM
'
say "Prism proxy answered ${PRISM_STARTUP_SECONDS:-?}s after start"

# --- reads ---------------------------------------------------------------------------------

test_expect_success PRISM 'get-group validates (Basic auth reached the simulator)' '
	prism_api get-group contract_target >out &&
	prism_saw "$PRISM_CALL_MARK" "GET /v1/groups/contract_target -> 200" &&
	test_grep "\"name\": \"contract_warehouse\"" out
'

test_expect_success PRISM 'list-groups validates' '
	prism_api list-groups >out &&
	prism_saw "$PRISM_CALL_MARK" "GET /v1/groups\?.*limit=1000.* -> 200" &&
	test_grep "\"id\": \"contract_source\"" out
'

test_expect_success PRISM 'get-destination validates' '
	prism_api get-destination contract_target >out &&
	prism_saw "$PRISM_CALL_MARK" "GET /v1/destinations/contract_target -> 200" &&
	test_grep "\"setup_status\": \"CONNECTED\"" out
'

test_expect_success PRISM 'list-group-connections validates, page after page' '
	prism_api list-group-connections contract_target >out &&
	prism_saw "$PRISM_CALL_MARK" "GET /v1/groups/contract_target/connections\?.* -> 200" &&
	prism_saw "$PRISM_CALL_MARK" "GET /v1/groups/contract_target/connections\?.*cursor=" &&
	test_grep "\"id\": \"contract_pg\"" out &&
	test_grep "\"id\": \"contract_failing\"" out
'

test_expect_success PRISM 'list-group-connections with a schema validates' '
	prism_api list-group-connections contract_target sheets.budget >out &&
	prism_saw "$PRISM_CALL_MARK" \
		"GET /v1/groups/contract_target/connections\?.*schema=sheets.budget.* -> 200" &&
	test_grep "\"id\": \"contract_sheet\"" out &&
	test_grep ! "\"id\": \"contract_pg\"" out
'

test_expect_success PRISM 'get-connection validates (nulls, masked credentials, tasks, warnings)' '
	for id in contract_pg contract_sheet contract_failing; do
		prism_api get-connection $id >out &&
		prism_saw "$PRISM_CALL_MARK" "GET /v1/connections/$id -> 200" &&
		test_grep "\"id\": \"$id\"" out || return 1
	done
'

test_expect_success PRISM 'list-transformations, all types and QUICKSTART, validate' '
	prism_api list-transformations contract_target >all &&
	prism_saw "$PRISM_CALL_MARK" \
		"GET /v1/transformations\?.*group_id=contract_target.* -> 200" &&
	test_grep "\"id\": \"contract_dbt\"" all &&
	prism_api list-transformations contract_target QUICKSTART >quick &&
	prism_saw "$PRISM_CALL_MARK" "GET /v1/transformations\?.*type=QUICKSTART.* -> 200" &&
	test_grep "\"id\": \"contract_qs_pg\"" quick &&
	test_grep ! "\"id\": \"contract_dbt\"" quick
'

test_expect_success PRISM 'package metadata, one and the list, validate' '
	prism_api package-metadata postgres_package >out &&
	prism_saw "$PRISM_CALL_MARK" \
		"GET /v1/transformations/package-metadata/postgres_package -> 200" &&
	test_grep "\"version\": \"0.4.2\"" out &&
	prism_request GET /v1/transformations/package-metadata >list &&
	prism_assert_valid "$PRISM_CALL_MARK" &&
	test_grep "^HTTP 200$" list &&
	test_grep "\"id\":\"google_sheets_package\"" list
'

test_expect_success PRISM 'the name lookup list (GET /v1/connections?group_id&schema) validates' '
	prism_request GET "/v1/connections?group_id=contract_target&schema=pg_prod" >out &&
	prism_assert_valid "$PRISM_CALL_MARK" &&
	test_grep "^HTTP 200$" out &&
	test_grep "\"contract_pg\"" out
'

# --- writes --------------------------------------------------------------------------------

# What apply sends (SPEC §3): credentials "", run_setup_tests false, paused true, top-level
# create fields (sync_frequency an integer) beside config.
cat >connection.json <<'EOF'
{"group_id": "contract_target", "service": "postgres", "run_setup_tests": false, "paused": true,
 "sync_frequency": 1440, "schedule_type": "auto", "data_delay_sensitivity": "NORMAL",
 "networking_method": "Directly",
 "config": {"schema_prefix": "pg_copy", "host": "db.internal.example", "port": 5432,
            "database": "app", "user": "fivetran", "password": "",
            "update_method": "WAL_PGOUTPUT", "replication_slot": "fivetran_slot",
            "publication_name": "fivetran_pub", "always_encrypted": true}}
EOF

test_expect_success PRISM 'create-connection: request and response validate' '
	prism_api create-connection connection.json pg_copy >created &&
	prism_saw "$PRISM_CALL_MARK" "POST /v1/connections -> 201" &&
	test_grep "\"schema\": \"pg_copy\"" created &&
	test_grep "\"paused\": true" created &&
	sed -n "s/^  \"id\": \"\(.*\)\",$/\1/p" created >created.id &&
	test_line_count = 1 created.id
'

test_expect_success PRISM 'create-transformation (QUICKSTART): request and response validate' '
	cat >transformation.json <<-EOF &&
	{"type": "QUICKSTART", "paused": true, "schedule": {"schedule_type": "INTEGRATED"},
	 "transformation_config": {"package_name": "postgres_package",
	                           "connection_ids": ["$(cat created.id)"]}}
	EOF
	prism_api create-transformation transformation.json contract_target >out &&
	prism_saw "$PRISM_CALL_MARK" "POST /v1/transformations -> 201" &&
	test_grep "\"package_name\": \"postgres_package\"" out
'

test_expect_success PRISM 'a create whose answer is lost: name lookup validates, adoption' '
	sed "s/pg_copy/pg_copy2/" connection.json >connection2.json &&
	test_must_fail prism_api --retry-base-ms 1 create-connection connection2.json pg_copy2 \
		>adopted 2>err &&
	test_grep "adopted=1" err &&
	test_grep "\"schema\": \"pg_copy2\"" adopted &&
	prism_saw "$PRISM_CALL_MARK" "POST /v1/connections -> 500" &&
	prism_saw "$PRISM_CALL_MARK" \
		"GET /v1/connections\?.*schema=pg_copy2.* -> 200" &&
	prism_violations "$PRISM_CALL_MARK" >found &&
	test_grep "POST /v1/connections -> 500" found &&
	test_grep "Unable to match the returned status code" found &&
	test_line_count = 2 found
'

# --- the contract can fail -----------------------------------------------------------------

test_expect_success PRISM 'a request without service is refused by Prism and never forwarded' '
	cat >no-service.json <<-\EOF &&
	{"group_id": "contract_target", "paused": true, "config": {"schema": "nope"}}
	EOF
	before=$(sim_received POST /v1/connections) &&
	prism_request POST /v1/connections no-service.json >out &&
	test_grep "^HTTP 422$" out &&
	test_must_fail prism_assert_valid "$PRISM_CALL_MARK" 2>found &&
	test_grep "POST /v1/connections -> 422 UNPROCESSABLE_ENTITY" found &&
	test_grep "request.body: .*required property .service." found &&
	after=$(sim_received POST /v1/connections) &&
	test "$before" = "$after"
'

test_expect_success PRISM 'a client request breaking the contract fails naming endpoint and field' '
	sed "s/\"sync_frequency\": 1440/\"sync_frequency\": 7/; s/pg_copy/pg_bad/" \
		connection.json >bad-frequency.json &&
	test_must_fail prism_api --max-retries 0 create-connection bad-frequency.json pg_bad \
		>out 2>err &&
	test_grep "POST /v1/connections -> 422 UNPROCESSABLE_ENTITY" err &&
	test_grep "request.body.sync_frequency: .*allowed values" err
'

test_expect_success PRISM 'a response that is not the promised JSON fails naming the endpoint' '
	test_must_fail prism_api --max-retries 0 package-metadata contract_malformed >out 2>err &&
	test_grep "GET /v1/transformations/package-metadata/contract_malformed -> 500" err &&
	test_grep "violation Error prism: invalid json response body" err
'

test_expect_success PRISM 'a request without credentials is refused by Prism' '
	PRISM_NO_AUTH=1 prism_request GET /v1/groups/contract_target >out &&
	test_grep "^HTTP 401$" out &&
	test_must_fail prism_assert_valid "$PRISM_CALL_MARK" 2>found &&
	test_grep "GET /v1/groups/contract_target -> 401 UNAUTHORIZED" found
'

test_expect_success PRISM 'the simulator exits cleanly after the contract traffic' '
	sim_stop
'

test_done
