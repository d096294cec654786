#!/bin/bash
# ccapply-sim writes (SPEC §6): connection and Quickstart transformation creates, their
# validation, name conflicts (409), credential masking, deterministic ids and created_at, and the
# create rate limit (429 with Retry-After).
. "$(dirname "$0")/test-lib.sh"

SEED="$TESTDATA/sim/basic.json"

# conn GROUP SCHEMA [MEMBERS]: a stripe connection create request, with extra JSON members.
conn() {
	printf '{"group_id":"%s","service":"stripe","config":{"schema":"%s"}%s}' \
		"$1" "$2" "${3:+,$3}"
}

# qs PACKAGE CONNECTION_ID...: a Quickstart transformation create request.
qs() {
	local package=$1 ids= id
	shift
	for id in "$@"; do
		ids="$ids${ids:+,}\"$id\""
	done
	printf '{"type":"QUICKSTART","transformation_config":%s}' \
		"{\"package_name\":\"$package\",\"connection_ids\":[$ids]}"
}

# post PATH JSON: POST with credentials; body in out, status in code.
post() {
	sim_curl -o out -w "%{http_code}" -H "Content-Type: application/json" -d "$2" \
		"$SIM_URL$1" >code
}

PG='{"group_id":"target_group","service":"postgres","run_setup_tests":false,"paused":true,
"config":{"host":"db.internal.example.com","port":5432,"database":"app","user":"fivetran",
"password":"hunter2","client_private_key":"","schema_prefix":"postgres_app",
"tunnel":{"private_key":"abc","host":"bastion"}}}'

test_expect_success 'create a connection: 201 with the created connection' '
	sim_start --seed "$SEED" &&
	post /v1/connections "$PG" &&
	test "$(cat code)" = 201 &&
	test "$(sim_json code out)" = Success &&
	test "$(sim_json data.id out)" = able_otter &&
	test "$(sim_json data.group_id out)" = target_group &&
	test "$(sim_json data.service out)" = postgres &&
	test "$(sim_json data.schema out)" = postgres_app &&
	test "$(sim_json data.paused out)" = true &&
	test "$(sim_json data.status.setup_state out)" = incomplete &&
	test "$(sim_json data.status.sync_state out)" = paused &&
	test "$(sim_json data.created_at out)" = 2024-01-01T00:00:00Z &&
	test "$(sim_json data.config.port out)" = 5432
'

test_expect_success 'credentials are masked at any depth; empty ones stay empty' '
	test "$(sim_json data.config.password out)" = "******" &&
	test "$(sim_json data.config.client_private_key out)" = "" &&
	test "$(sim_json data.config.tunnel.private_key out)" = "******" &&
	test "$(sim_json data.config.tunnel.host out)" = bastion &&
	test_grep ! hunter2 out
'

test_expect_success 'the new connection is in the state, the lists and by id' '
	sim_state >state.json &&
	test "$(sim_json connections.# state.json)" = 5 &&
	test "$(sim_json connections.4.id state.json)" = able_otter &&
	test "$(sim_json connections.4.config.password state.json)" = "******" &&
	sim_curl -f -o out "$SIM_URL/v1/groups/target_group/connections?schema=postgres_app" &&
	test "$(sim_json data.items.0.id out)" = able_otter &&
	sim_curl -f -o out "$SIM_URL/v1/connections/able_otter" &&
	test "$(sim_json data.schema out)" = postgres_app
'

test_expect_success 'the request log keeps what the client sent, parsed' '
	sim_requests >log.json &&
	test "$(sim_json 0.method log.json)" = POST &&
	test "$(sim_json 0.status log.json)" = 201 &&
	test "$(sim_json 0.body.config.password log.json)" = hunter2 &&
	test "$(sim_json 0.body.run_setup_tests log.json)" = false
'

test_expect_success 'the same name in the same group: 409 Conflict naming it' '
	post /v1/connections "$PG" &&
	test "$(cat code)" = 409 &&
	test "$(sim_json code out)" = Conflict &&
	test_grep "postgres_app" out &&
	sim_state >state.json && test "$(sim_json connections.# state.json)" = 5
'

test_expect_success 'the same name in another group is fine' '
	post /v1/connections "$(conn source_group stripe_copy)" &&
	test "$(cat code)" = 201 &&
	test "$(sim_json data.id out)" = brave_otter
'

test_expect_success 'names: schema_prefix, else schema (+ .table); paused from the request' '
	post /v1/connections "{\"group_id\":\"target_group\",\"service\":\"google_sheets\",
		\"paused\":false,\"config\":{\"schema\":\"sheets\",\"table\":\"budget\"}}" &&
	test "$(cat code)" = 201 &&
	test "$(sim_json data.schema out)" = sheets.budget &&
	test "$(sim_json data.paused out)" = false &&
	test "$(sim_json data.status.sync_state out)" = scheduled &&
	post /v1/connections "{\"group_id\":\"target_group\",\"service\":\"stripe\",
		\"config\":{\"schema\":\"stripe_prod\",\"api_key\":\"\"},
		\"sync_frequency\":1440,\"schedule_type\":\"manual\"}" &&
	test "$(cat code)" = 201 &&
	test "$(sim_json data.schema out)" = stripe_prod &&
	test "$(sim_json data.paused out)" = true &&
	test "$(sim_json data.sync_frequency out)" = 1440 &&
	test "$(sim_json data.schedule_type out)" = manual &&
	test "$(sim_json data.config.api_key out)" = ""
'

test_expect_success 'invalid creates: 400 InvalidInput, 404 for an unknown group' '
	post /v1/connections "{\"group_id\":\"target_group\",\"config\":{\"schema\":\"x\"}}" &&
	test "$(cat code)" = 400 && test "$(sim_json code out)" = InvalidInput &&
	test "$(sim_json message out)" = "Field '\''service'\'' is required" &&
	post /v1/connections "$(conn nope x)" &&
	test "$(cat code)" = 404 && test "$(sim_json code out)" = NotFound &&
	post /v1/connections "{\"group_id\":\"target_group\",\"service\":\"stripe\"" &&
	test "$(cat code)" = 400 && test_grep "Malformed JSON" out &&
	post /v1/connections "[1,2]" && test "$(cat code)" = 400 &&
	post /v1/connections "{\"group_id\":\"target_group\",\"service\":\"s\",\"config\":{}}" &&
	test "$(cat code)" = 400 && test_grep "schema" out &&
	post /v1/connections "{\"group_id\":\"target_group\",\"service\":\"stripe\",
		\"config\":{\"schema\":\"y\"},\"sync_frequency\":7}" &&
	test "$(cat code)" = 400 && test_grep "sync_frequency" out &&
	post /v1/connections "{\"group_id\":\"target_group\",\"service\":\"stripe\",
		\"config\":{\"schema\":\"y\"},\"target_name\":\"y\"}" &&
	test "$(cat code)" = 400 && test_grep "target_name" out &&
	sim_state >state.json && test "$(sim_json connections.# state.json)" = 8
'

test_expect_success 'create a Quickstart transformation: 201, stored with its group' '
	post /v1/transformations "{\"type\":\"QUICKSTART\",\"paused\":true,
		\"schedule\":{\"schedule_type\":\"INTEGRATED\"},
		\"transformation_config\":{\"package_name\":\"stripe\",
		\"connection_ids\":[\"able_otter\"]}}" &&
	test "$(cat code)" = 201 &&
	test "$(sim_json data.id out)" = able_acorn &&
	test "$(sim_json data.type out)" = QUICKSTART &&
	test "$(sim_json data.paused out)" = true &&
	test "$(sim_json data.schedule.schedule_type out)" = INTEGRATED &&
	test "$(sim_json data.transformation_config.connection_ids out)" = "[\"able_otter\"]" &&
	test "$(sim_json data.output_model_names.# out)" = 2 &&
	test_must_fail sim_json data.group_id out &&
	sim_curl -f -o out "$SIM_URL/v1/transformations?group_id=target_group&type=QUICKSTART" &&
	test "$(sim_json data.items.# out)" = 1 &&
	test "$(sim_json data.items.0.id out)" = able_acorn
'

test_expect_success 'transformation creates: unknown connection 404, bad bodies 400' '
	post /v1/transformations "$(qs stripe nope)" &&
	test "$(cat code)" = 404 && test "$(sim_json code out)" = NotFound && test_grep nope out &&
	post /v1/transformations "{\"type\":\"QUICKSTART\",
		\"transformation_config\":{\"package_name\":\"stripe\"}}" &&
	test "$(cat code)" = 400 &&
	post /v1/transformations "{\"type\":\"DBT_CORE\",\"transformation_config\":{}}" &&
	test "$(cat code)" = 400 &&
	post /v1/transformations "$(qs x able_otter src_stripe)" &&
	test "$(cat code)" = 400 && test_grep "different groups" out
'

test_expect_success 'ids and created_at are deterministic; --clock sets created_at' '
	sim_stop && sim_start --seed "$SEED" --clock 2026-11-01T12:00:00Z &&
	post /v1/connections "$PG" &&
	test "$(sim_json data.id out)" = able_otter &&
	test "$(sim_json data.created_at out)" = 2026-11-01T12:00:00Z
'

test_expect_success 'generated ids skip ids the seed already uses' '
	cat >taken.json <<-\EOF &&
	{"groups": [{"id": "g", "name": "G"}],
	 "connections": [{"id": "able_otter", "group_id": "g", "service": "stripe", "schema": "a"}]}
	EOF
	sim_stop && sim_start --seed taken.json &&
	post /v1/connections "$(conn g b)" &&
	test "$(sim_json data.id out)" = brave_otter
'

test_expect_success 'over --create-limit 2/60: 429 with Retry-After and a JSON error' '
	sim_stop && sim_start --seed "$SEED" --create-limit 2/60 &&
	for name in a b; do
		post /v1/connections "$(conn target_group $name)" && test "$(cat code)" = 201 || return 1
	done &&
	sim_curl -D headers -o out -w "%{http_code}" -H "Content-Type: application/json" \
		-d "$(conn target_group c)" \
		"$SIM_URL/v1/connections" >code &&
	test "$(cat code)" = 429 &&
	test "$(sim_json code out)" = TooManyRequests &&
	retry=$(sed -n "s/^Retry-After: *\([0-9]*\).*/\1/ip" headers) &&
	test "$retry" -ge 1 && test "$retry" -le 60 &&
	sim_state >state.json && test "$(sim_json connections.# state.json)" = 6
'

test_expect_success 'reads and transformation creates are not rate limited' '
	sim_curl -f -o /dev/null "$SIM_URL/v1/groups" &&
	post /v1/transformations "$(qs stripe src_stripe)" &&
	test "$(cat code)" = 201
'

test_expect_success 'only committed creates count: a 409 does not use a slot' '
	sim_stop && sim_start --seed "$SEED" --create-limit 1/60 &&
	post /v1/connections "$(conn target_group finance.budget)" &&
	test "$(cat code)" = 409 &&
	post /v1/connections "$(conn target_group a)" &&
	test "$(cat code)" = 201
'

test_expect_success '--create-limit none disables the limit' '
	sim_stop && sim_start --seed "$SEED" --create-limit none &&
	for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22; do
		post /v1/connections "$(conn target_group s$i)" && test "$(cat code)" = 201 || return 1
	done
'

test_expect_success 'the default limit is 20 per minute' '
	sim_stop && sim_start --seed "$SEED" &&
	for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
		post /v1/connections "$(conn target_group s$i)" && test "$(cat code)" = 201 || return 1
	done &&
	post /v1/connections "$(conn target_group s21)" && test "$(cat code)" = 429 &&
	sim_stop
'

test_done
