#!/bin/bash
# The API client against the simulator (SPEC §3 "Talking to the API"), one call at a time through
# `test-tool api`: pagination, error messages, retries of reads, the unknown-outcome rule for
# creates (look up, adopt, never a blind re-send), 429 handling, read-only mode, the URL rule,
# and a --debug trace that never shows a secret.
. "$(dirname "$0")/test-lib.sh"

# --- fixtures ------------------------------------------------------------------------------------

cat >seed.json <<'EOF'
{"groups": [{"id": "grp_a", "name": "alpha"}, {"id": "grp_b", "name": "bravo"},
            {"id": "grp_c", "name": "charlie"}, {"id": "grp_d", "name": "delta"},
            {"id": "grp_e", "name": "echo"}],
 "destinations": [{"id": "grp_a", "group_id": "grp_a", "service": "snowflake",
                   "region": "AWS_US_EAST_1", "time_zone_offset": "0",
                   "setup_status": "CONNECTED", "config": {"host": "wh.example.com"}}],
 "connections": [
  {"id": "conn_1", "group_id": "grp_a", "service": "postgres", "schema": "pg_one",
   "config": {"host": "db1", "password": "seed-pw"}},
  {"id": "conn_2", "group_id": "grp_a", "service": "postgres", "schema": "pg_two", "config": {}},
  {"id": "conn_3", "group_id": "grp_a", "service": "postgres", "schema": "pg_three", "config": {}},
  {"id": "conn_4", "group_id": "grp_a", "service": "postgres", "schema": "pg_four", "config": {}},
  {"id": "conn_5", "group_id": "grp_a", "service": "postgres", "schema": "pg_five", "config": {}},
  {"id": "conn_b", "group_id": "grp_b", "service": "postgres", "schema": "pg_one", "config": {}}],
 "transformations": [
  {"id": "tr_1", "group_id": "grp_a", "type": "QUICKSTART",
   "schedule": {"schedule_type": "INTEGRATED"},
   "transformation_config": {"package_name": "postgres", "connection_ids": ["conn_1"]}},
  {"id": "tr_2", "group_id": "grp_a", "type": "QUICKSTART",
   "schedule": {"schedule_type": "INTEGRATED"},
   "transformation_config": {"package_name": "postgres", "connection_ids": ["conn_2"]}},
  {"id": "tr_3", "group_id": "grp_a", "type": "QUICKSTART",
   "schedule": {"schedule_type": "INTEGRATED"},
   "transformation_config": {"package_name": "postgres", "connection_ids": ["conn_3"]}},
  {"id": "dbt_1", "group_id": "grp_a", "type": "DBT_CORE",
   "schedule": {"schedule_type": "INTERVAL", "interval": 60},
   "transformation_config": {"project_id": "p1", "name": "n1", "steps": []}}],
 "package_metadata": [{"id": "postgres", "name": "postgres", "version": "1.0.0",
                       "connector_types": ["postgres"], "output_model_names": ["pg__x"]}]}
EOF

new_connection_body() {
	printf '{"group_id":"grp_a","service":"postgres","run_setup_tests":false,"paused":true,'
	printf '"config":{"schema_prefix":"%s","host":"db9","password":"body-pw-zzz"}}\n' "$1"
}
new_connection_body pg_new >body.json
new_connection_body pg_new2 >body2.json
printf '%s\n' '{"type":"QUICKSTART","paused":true,"schedule":{"schedule_type":"INTEGRATED"},' \
	'"transformation_config":{"package_name":"postgres","connection_ids":["conn_4"]}}' >tbody.json

# Fast retries in every call; the tool's defaults are the product's (500 ms base).
api() {
	test-tool api --retry-base-ms 2 --retry-max-ms 20 "$@"
}

# One line per request the simulator logged: "METHOD PATH[?QUERY] STATUS" (STATUS null while in
# flight, 0 for a reset connection), in arrival order.
request_lines() {
	sim_requests | perl -MJSON::PP -e '
		local $/;
		for my $r (@{decode_json(<STDIN>)}) {
			my $q = defined $r->{query} && $r->{query} ne "" ? "?$r->{query}" : "";
			print "$r->{method} $r->{path}$q ", $r->{status} // "null", "\n";
		}'
}

# How many connections of group $1 are named $2 in the simulator's state.
count_connections() {
	sim_state | perl -MJSON::PP -e '
		local $/;
		my $s = decode_json(<STDIN>);
		print scalar(grep { $_->{group_id} eq $ARGV[0] && $_->{schema} eq $ARGV[1] }
			     @{$s->{connections}}), "\n";' "$1" "$2"
}

# How many QUICKSTART transformations of group $1 depend on exactly connection $2.
count_transformations() {
	sim_state | perl -MJSON::PP -e '
		local $/;
		my $s = decode_json(<STDIN>);
		print scalar(grep { $_->{group_id} eq $ARGV[0] && $_->{type} eq "QUICKSTART" &&
				    join(",", @{$_->{transformation_config}{connection_ids}}) eq $ARGV[1] }
			     @{$s->{transformations}}), "\n";' "$1" "$2"
}

# Wait (polling, at most 10 s) until the simulator has no request in flight.
wait_idle() {
	local i=0
	while request_lines | grep -q " null$"; do
		i=$((i + 1))
		[ $i -le 100 ] || { echo "requests still in flight" >&2; return 1; }
		sleep 0.1
	done
}

# --- reads and pagination ------------------------------------------------------------------------

test_expect_success 'start the simulator with two items per page' '
	sim_start --seed seed.json --page-max 2
'

test_expect_success 'list-groups follows every cursor with limit=1000' '
	api list-groups >out 2>err &&
	test "$(sim_json "#" out)" = 5 &&
	test "$(sim_json 0.id out) $(sim_json 4.id out)" = "grp_a grp_e" &&
	request_lines >log &&
	test_line_count = 3 log &&
	test_grep -c "^GET /v1/groups?limit=1000 200$" log &&
	test "$(grep -c "^GET /v1/groups?limit=1000&cursor=[^ ]* 200$" log)" = 2 &&
	test_grep "^status: http=200 code=Success adopted=0 attempts=3$" err
'

test_expect_success 'the cursors sent are the ones the pages returned' '
	sim_requests >reqs &&
	c1=$(sim_curl "$SIM_URL/v1/groups?limit=1000" | sim_json data.next_cursor) &&
	test "$(sim_json 1.args.cursor reqs)" = "$c1" &&
	c2=$(sim_curl "$SIM_URL/v1/groups?limit=1000&cursor=$c1" | sim_json data.next_cursor) &&
	test "$(sim_json 2.args.cursor reqs)" = "$c2"
'

test_expect_success 'list-group-connections returns all pages of that group only' '
	api list-group-connections grp_a >out &&
	test "$(sim_json "#" out)" = 5 &&
	test "$(sim_json 0.id out) $(sim_json 4.id out)" = "conn_1 conn_5" &&
	! grep conn_b out &&
	request_lines | grep "^GET /v1/groups/grp_a/connections" >log &&
	test_line_count = 3 log &&
	! grep -v "limit=1000" log
'

test_expect_success 'list-group-connections with a schema filter' '
	api list-group-connections grp_a pg_three >out &&
	test "$(sim_json "#" out)" = 1 &&
	test "$(sim_json 0.id out)" = conn_3 &&
	request_lines | tail -n 1 >log &&
	test_grep "^GET /v1/groups/grp_a/connections?schema=pg_three&limit=1000 200$" log
'

test_expect_success 'query values are URL-encoded' '
	api list-group-connections grp_a "a b&c=d/é" >out &&
	test "$(sim_json "#" out)" = 0 &&
	sim_requests >reqs &&
	n=$(sim_json "#" reqs) &&
	test "$(sim_json $((n - 1)).args.schema reqs)" = "a b&c=d/é"
'

test_expect_success 'list-transformations filters by group and type, across pages' '
	api list-transformations grp_a QUICKSTART >out &&
	test "$(sim_json "#" out)" = 3 &&
	test "$(sim_json 0.id out) $(sim_json 2.id out)" = "tr_1 tr_3" &&
	request_lines | grep "^GET /v1/transformations" >log &&
	test_line_count = 2 log &&
	test_grep "^GET /v1/transformations?group_id=grp_a&type=QUICKSTART&limit=1000 200$" log
'

test_expect_success 'single reads return the data object' '
	api get-group grp_a >out && test "$(sim_json name out)" = alpha &&
	api get-destination grp_a >out && test "$(sim_json service out)" = snowflake &&
	api get-connection conn_1 >out && test "$(sim_json config.password out)" = "******" &&
	api package-metadata postgres >out && test "$(sim_json version out)" = 1.0.0
'

test_expect_success 'a 404 is an HTTP error naming the endpoint, not retried' '
	n0=$(sim_requests | sim_json "#") &&
	test_expect_code 1 api get-group nope >out 2>err &&
	test_grep "GET /v1/groups/nope: HTTP 404 NotFound: " err &&
	test_grep "^error: CLIENT_E_HTTP$" err &&
	test_grep "^status: http=404 code=NotFound adopted=0 attempts=1$" err &&
	test "$(sim_requests | sim_json "#")" = $((n0 + 1)) &&
	test_must_fail test -s out
'

test_expect_success 'a wrong secret is CLIENT_E_AUTH after one request' '
	n0=$(sim_requests | sim_json "#") &&
	FIVETRAN_APISECRET=wrong-secret test_expect_code 1 api get-group grp_a 2>err &&
	test_grep "GET /v1/groups/grp_a: HTTP 401" err &&
	test_grep "^error: CLIENT_E_AUTH$" err &&
	test "$(sim_requests | sim_json "#")" = $((n0 + 1))
'

test_expect_success 'the FIVETRAN_API_KEY/FIVETRAN_API_SECRET spellings work too' '
	(
		FIVETRAN_API_KEY=$FIVETRAN_APIKEY FIVETRAN_API_SECRET=$FIVETRAN_APISECRET &&
		unset FIVETRAN_APIKEY FIVETRAN_APISECRET &&
		export FIVETRAN_API_KEY FIVETRAN_API_SECRET &&
		api get-group grp_a >out
	) &&
	test "$(sim_json id out)" = grp_a
'

test_expect_success 'missing credentials are a configuration error' '
	(
		unset FIVETRAN_APISECRET &&
		test_expect_code 1 api get-group grp_a 2>err
	) &&
	test_grep "FIVETRAN_APISECRET" err &&
	test_grep "^error: CLIENT_E_CONFIG$" err
'

test_expect_success 'plain http to a host that is not loopback is refused, naming the URL' '
	FIVETRAN_API_URL=http://api.example.com:8080 test_expect_code 1 api get-group grp_a 2>err &&
	test_grep "http://api.example.com:8080" err &&
	test_grep "^error: CLIENT_E_CONFIG$" err &&
	FIVETRAN_API_URL=http://10.1.2.3 test_expect_code 1 api get-group grp_a 2>err &&
	test_grep "^error: CLIENT_E_CONFIG$" err
'

test_expect_success 'https to the plain-http simulator fails as a network error' '
	FIVETRAN_API_URL=https://127.0.0.1:$SIM_PORT test_expect_code 1 \
		api --max-retries 0 get-group grp_a 2>err &&
	test_grep "^error: CLIENT_E_NETWORK$" err
'

test_expect_success 'read-only mode refuses a create without any request' '
	sim_start --seed seed.json &&
	test_expect_code 1 api --read-only create-connection body.json pg_new 2>err &&
	test_grep "^error: CLIENT_E_READ_ONLY$" err &&
	test_grep "POST /v1/connections" err &&
	test_expect_code 1 api --read-only create-transformation tbody.json grp_a 2>err &&
	test_grep "^error: CLIENT_E_READ_ONLY$" err &&
	test "$(sim_requests | sim_json "#")" = 0 &&
	api --read-only get-group grp_a >out &&
	test "$(sim_json id out)" = grp_a
'

# --- faults on reads -----------------------------------------------------------------------------

test_expect_success 'a malformed response is CLIENT_E_MALFORMED naming the endpoint' '
	sim_start --seed seed.json --fault "GET /v1/groups/grp_a#1=malformed" &&
	test_expect_code 1 api get-group grp_a 2>err &&
	want="GET /v1/groups/grp_a: HTTP 200: malformed response: line 1, column [0-9]*: " &&
	test_grep "$want" err &&
	test_grep "^error: CLIENT_E_MALFORMED$" err &&
	test "$(sim_requests | sim_json "#")" = 1
'

test_expect_success 'a 503 on a read is retried' '
	sim_start --seed seed.json --fault "GET /v1/groups/grp_a#1=503" &&
	api get-group grp_a >out 2>err &&
	test "$(sim_json id out)" = grp_a &&
	request_lines >log &&
	printf "%s\n" "GET /v1/groups/grp_a 503" "GET /v1/groups/grp_a 200" >expect &&
	test_cmp expect log &&
	test_grep "attempts=2$" err
'

test_expect_success 'a reset connection on a read is retried' '
	sim_start --seed seed.json --fault "GET /v1/groups/grp_a#1=reset" &&
	api get-group grp_a >out &&
	test "$(sim_json id out)" = grp_a &&
	request_lines >log &&
	printf "%s\n" "GET /v1/groups/grp_a 0" "GET /v1/groups/grp_a 200" >expect &&
	test_cmp expect log
'

test_expect_success 'a 503 in the middle of a list retries that page only' '
	sim_start --seed seed.json --page-max 2 --fault "GET /v1/groups#2=503" &&
	api list-groups >out &&
	test "$(sim_json "#" out)" = 5 &&
	request_lines >log &&
	test_line_count = 4 log &&
	sed -n "2p;3p" log | sed "s/ [0-9]*$//" | uniq >pages &&
	test_line_count = 1 pages &&
	test_grep "cursor=" pages
'

test_expect_success 'a 500 on every read gives up after the retries, with the status' '
	sim_start --seed seed.json --fault "GET /v1/groups/grp_a#1+=500" &&
	test_expect_code 1 api get-group grp_a 2>err &&
	test_grep "GET /v1/groups/grp_a: HTTP 500.*gave up after 6 attempts" err &&
	test_grep "^error: CLIENT_E_HTTP$" err &&
	test "$(sim_requests | sim_json "#")" = 6 &&
	test_expect_code 1 api --max-retries 1 get-group grp_a 2>err &&
	test "$(sim_requests | sim_json "#")" = 8
'

# --- creates -------------------------------------------------------------------------------------

test_expect_success 'a create sends the body and returns the new connection' '
	sim_start --seed seed.json &&
	api create-connection body.json pg_new >out 2>err &&
	test "$(sim_json schema out)" = pg_new &&
	test_grep "^status: http=201 code=Success adopted=0 attempts=1$" err &&
	test "$(count_connections grp_a pg_new)" = 1 &&
	sim_requests >reqs &&
	test "$(sim_json 0.body.config.host reqs)" = db9 &&
	test "$(sim_json 0.body.paused reqs)" = true
'

test_expect_success 'a 4xx on a create is reported and not retried' '
	printf "%s\n" "{\"group_id\":\"grp_a\",\"config\":{\"schema\":\"x\"}}" >noservice.json &&
	test_expect_code 1 api create-connection noservice.json x 2>err &&
	test_grep "POST /v1/connections: HTTP 400 InvalidInput: Field .service. is required" err &&
	test_grep "attempts=1$" err
'

test_expect_success 'a name already taken is a 409, never adopted' '
	new_connection_body pg_one >taken.json &&
	test_expect_code 1 api create-connection taken.json pg_one 2>err &&
	test_grep "HTTP 409" err &&
	test_grep "adopted=0 attempts=1$" err &&
	test "$(count_connections grp_a pg_one)" = 1
'

# A window of 6 s: the second create must land inside it even when valgrind
# slows the start of each process (with 2 s it once did not).
test_expect_success '429 with Retry-After is absorbed on a create' '
	sim_start --seed seed.json --create-limit 1/6 &&
	api create-connection body.json pg_new >out1 &&
	api create-connection body2.json pg_new2 >out2 2>err &&
	test "$(sim_json schema out2)" = pg_new2 &&
	request_lines >log &&
	printf "%s\n" "POST /v1/connections 201" "POST /v1/connections 429" \
		"POST /v1/connections 201" >expect &&
	test_cmp expect log &&
	test "$(count_connections grp_a pg_new) $(count_connections grp_a pg_new2)" = "1 1"
'

test_expect_success 'an interrupt during the Retry-After wait stops the call' '
	sim_start --seed seed.json --create-limit 1/60 &&
	api create-connection body.json pg_new >/dev/null &&
	{ test-tool api create-connection body2.json pg_new2 >/dev/null 2>err & } &&
	pid=$! &&
	i=0 &&
	while ! request_lines | grep -q " 429$"; do
		i=$((i + 1)) && test $i -lt 100 && sleep 0.1 || break
	done &&
	kill -INT $pid &&
	{ wait $pid; status=$?; } &&
	test $status = 1 &&
	test_grep "^error: CLIENT_E_INTERRUPTED$" err &&
	test "$(count_connections grp_a pg_new2)" = 0
'

test_expect_success '500 after commit on a create: looked up and adopted, one connection' '
	sim_start --seed seed.json --fault "POST /v1/connections#1=500-after-commit" &&
	api create-connection body.json pg_new >out 2>err &&
	test_grep "adopted=1" err &&
	test "$(count_connections grp_a pg_new)" = 1 &&
	test "$(sim_json id out)" = "$(sim_state | sim_json connections.6.id)" &&
	request_lines >log &&
	printf "%s\n" "POST /v1/connections 500" \
		"GET /v1/connections?group_id=grp_a&schema=pg_new&limit=1000 200" >expect &&
	test_cmp expect log
'

test_expect_success 'reset after commit on a create: adopted, one connection' '
	sim_start --seed seed.json --fault "POST /v1/connections#1=reset-after-commit" &&
	api create-connection body.json pg_new >out 2>err &&
	test_grep "adopted=1" err &&
	test "$(count_connections grp_a pg_new)" = 1 &&
	test "$(request_lines | grep -c "^POST")" = 1
'

test_expect_success 'a malformed answer to a create: adopted, one connection' '
	sim_start --seed seed.json --fault "POST /v1/connections#1=malformed" &&
	api create-connection body.json pg_new >out 2>err &&
	test_grep "adopted=1" err &&
	test "$(count_connections grp_a pg_new)" = 1 &&
	test "$(request_lines | grep -c "^POST")" = 1
'

test_expect_success 'reset before commit: looked up, not found, created exactly once' '
	sim_start --seed seed.json --fault "POST /v1/connections#1=reset" &&
	api create-connection body.json pg_new >out 2>err &&
	test_grep "adopted=0" err &&
	test "$(count_connections grp_a pg_new)" = 1 &&
	request_lines >log &&
	printf "%s\n" "POST /v1/connections 0" \
		"GET /v1/connections?group_id=grp_a&schema=pg_new&limit=1000 200" \
		"POST /v1/connections 201" >expect &&
	test_cmp expect log
'

test_expect_success '500 before commit: looked up, not found, created exactly once' '
	sim_start --seed seed.json --fault "POST /v1/connections#1=500" &&
	api create-connection body.json pg_new >out 2>err &&
	test_grep "adopted=0" err &&
	test "$(count_connections grp_a pg_new)" = 1 &&
	test "$(request_lines | grep -c "^POST")" = 2
'

test_expect_success 'a create failing every time stops after 3 sends, each after a lookup' '
	sim_start --seed seed.json --fault "POST /v1/connections#1+=503" &&
	test_expect_code 1 api create-connection body.json pg_new 2>err &&
	test_grep "POST /v1/connections: HTTP 503.*not created" err &&
	test "$(count_connections grp_a pg_new)" = 0 &&
	request_lines | sed "s/?.*//; s/ [0-9]*$//" >log &&
	printf "%s\n" "POST /v1/connections" "GET /v1/connections" "POST /v1/connections" \
		"GET /v1/connections" "POST /v1/connections" "GET /v1/connections" >expect &&
	test_cmp expect log
'

test_expect_success 'a create slower than --timeout-ms: adopted or created, exactly once' '
	sim_start --seed seed.json --fault "POST /v1/connections#1=delay:1.5" &&
	api --timeout-ms 300 create-connection body.json pg_new >out 2>err &&
	wait_idle &&
	test "$(count_connections grp_a pg_new)" = 1 &&
	test "$(sim_json schema out)" = pg_new
'

test_expect_success '500 after commit on a transformation create: adopted by package and ids' '
	sim_start --seed seed.json --fault "POST /v1/transformations#1=500-after-commit" &&
	api create-transformation tbody.json grp_a >out 2>err &&
	test_grep "adopted=1" err &&
	test "$(count_transformations grp_a conn_4)" = 1 &&
	test "$(sim_json transformation_config.connection_ids out)" = "[\"conn_4\"]" &&
	request_lines >log &&
	printf "%s\n" "POST /v1/transformations 500" \
		"GET /v1/transformations?group_id=grp_a&type=QUICKSTART&limit=1000 200" >expect &&
	test_cmp expect log
'

test_expect_success 'reset before commit on a transformation create: not sent again' '
	# Nothing stops a second transformation of the same package (no 409), so
	# one the lookup does not find is left for the next apply to settle.
	sim_start --seed seed.json --fault "POST /v1/transformations#1=reset" &&
	test_must_fail api create-transformation tbody.json grp_a >out 2>err &&
	test_grep "CLIENT_E_UNKNOWN_OUTCOME" err &&
	test_grep "not sent again" err &&
	test "$(count_transformations grp_a conn_4)" = 0 &&
	api create-transformation tbody.json grp_a >out 2>err &&
	test "$(count_transformations grp_a conn_4)" = 1
'

# --- the trace and the secret --------------------------------------------------------------------

secret='Zq9-s3cr3t-Vx7'

test_expect_success '--debug traces requests and responses on stderr, redacted' '
	sim_start --seed seed.json --page-max 2 --api-secret "$secret" \
		--fault "POST /v1/connections#1=500-after-commit" &&
	api --debug list-group-connections grp_a >out 2>trace &&
	test-tool json-parse out &&
	api --debug create-connection body.json pg_new >out 2>>trace &&
	test-tool json-parse out &&
	test_expect_code 1 api --debug get-group nope 2>>trace &&
	test_grep "^> GET $SIM_URL/v1/groups/grp_a/connections?limit=1000$" trace &&
	test_grep "^> POST $SIM_URL/v1/connections$" trace &&
	test_grep "^> body: {\"group_id\":\"grp_a\".*\"password\":\"<redacted>\"" trace &&
	test_grep "^< 200 ([0-9]* ms)$" trace &&
	test_grep "^< 500 ([0-9]* ms)$" trace &&
	test_grep "^< 404 ([0-9]* ms)$" trace &&
	test_grep "^< body: {\"code\":\"Success\"" trace &&
	test_grep "^\* .*adopting" trace &&
	test_grep ! "body-pw-zzz" trace &&
	test_grep ! "seed-pw" trace &&
	test_grep ! -i "authorization" trace
'

test_expect_success 'the API secret appears nowhere, whatever happens' '
	{
		api --debug list-groups &&
		api --debug get-connection conn_1 &&
		api --debug create-connection body2.json pg_new2 &&
		test_expect_code 1 api --debug get-group nope &&
		FIVETRAN_API_URL=https://127.0.0.1:$SIM_PORT \
			test_expect_code 1 api --debug --max-retries 0 get-group grp_a &&
		FIVETRAN_API_URL=http://127.0.0.1:1 \
			test_expect_code 1 api --debug --max-retries 0 get-group grp_a &&
		FIVETRAN_APISECRET="$secret-but-wrong" test_expect_code 1 api --debug get-group grp_a
	} >all 2>&1 &&
	test_grep "^> GET" all &&
	test_grep "^error: CLIENT_E_AUTH$" all &&
	test_grep ! -F "$secret" all &&
	basic=$(printf "%s" "sim-key:$secret" | base64) &&
	test_grep ! -F "$basic" all
'

test_expect_success 'the simulator stops cleanly' '
	sim_stop
'

test_done
