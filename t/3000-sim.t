#!/bin/bash
# ccapply-sim basics (SPEC §6): options, seed loading and its errors, HTTP Basic auth, the read
# endpoints with their response shapes, pagination, filters, the test endpoints and shutdown.
. "$(dirname "$0")/test-lib.sh"

SEED="$TESTDATA/sim/basic.json"

# get PATH: GET with credentials; body in out, status in code.
get() {
	sim_curl -o out -w "%{http_code}" "$SIM_URL$1" >code
}

test_expect_success '--help documents every option' '
	ccapply-sim --help >help &&
	for opt in --port --port-file --seed --api-key --api-secret --page-max --create-limit \
		--latency-ms --clock --fault 500-after-commit reset-after-commit delay: malformed
	do
		test_grep -e "$opt" help || return 1
	done
'

test_expect_success 'bad options are usage errors (exit 2) naming the option' '
	test_expect_code 2 ccapply-sim --no-such-option 2>err &&
	test_grep "no-such-option" err &&
	test_expect_code 2 ccapply-sim --port 70000 2>err && test_grep "port" err &&
	test_expect_code 2 ccapply-sim --create-limit 5 2>err && test_grep "N/SECONDS" err &&
	test_expect_code 2 ccapply-sim --clock yesterday 2>err && test_grep "clock" err &&
	test_expect_code 2 ccapply-sim --fault "GET /v1/groups" 2>err &&
	test_grep "METHOD PATH#K=ACTION" err &&
	test_expect_code 2 ccapply-sim --fault "GET /v1/groups#1=explode" 2>err &&
	test_grep "explode" err &&
	test_expect_code 2 ccapply-sim --fault "GET /v1/groups#1=delay:x" 2>err &&
	test_grep "delay" err
'

test_expect_success 'a malformed seed is an error naming file, line and column (exit 1)' '
	printf "{\n  \"groups\": [\n    {\"id\": \"g\", \"name\": \"G\",}\n  ]\n}\n" >bad.json &&
	test_expect_code 1 ccapply-sim --port 0 --seed bad.json 2>err &&
	test_grep "bad.json:3:[0-9]*: " err
'

test_expect_success 'a seed that breaks the API shapes is refused at its position' '
	cat >wrong.json <<-\EOF &&
	{"groups": [{"id": "g", "name": "G"}],
	 "connections": [{"id": "c", "group_id": "g", "service": "postgres", "schema": "s",
	                  "sync_frequency": 7}]}
	EOF
	test_expect_code 1 ccapply-sim --port 0 --seed wrong.json 2>err &&
	test_grep "wrong.json:3:[0-9]*: .*connections\[0\]: field .sync_frequency." err &&
	cat >orphan.json <<-\EOF &&
	{"groups": [{"id": "g", "name": "G"}],
	 "connections": [{"group_id": "nope", "service": "postgres", "schema": "s"}]}
	EOF
	test_expect_code 1 ccapply-sim --port 0 --seed orphan.json 2>err &&
	test_grep "orphan.json:2:[0-9]*: .*group .nope. is not among" err &&
	printf "{\"grups\": []}" >typo.json &&
	test_expect_code 1 ccapply-sim --port 0 --seed typo.json 2>err &&
	test_grep "unknown key .grups." err &&
	test_expect_code 1 ccapply-sim --port 0 --seed no-such.json 2>err &&
	test_grep "no-such.json" err
'

test_expect_success 'start on an ephemeral port; the port file holds the port' '
	sim_start --seed "$SEED" &&
	test "$SIM_PORT" -gt 0 &&
	grep -qx "[0-9][0-9]*" "$TRASH/sim.port" &&
	test_grep "listening on http://127.0.0.1:$SIM_PORT" "$TRASH/sim.log"
'

test_expect_success 'every /v1 request needs the API key and secret (401 otherwise)' '
	curl -sS -o out -w "%{http_code}" "$SIM_URL/v1/groups" >code &&
	test "$(cat code)" = 401 &&
	test "$(sim_json code out)" = AuthFailed &&
	curl -sS -o out -w "%{http_code}" -u sim-key:wrong "$SIM_URL/v1/groups" >code &&
	test "$(cat code)" = 401 &&
	curl -sS -o out -w "%{http_code}" -u other:sim-secret "$SIM_URL/v1/groups" >code &&
	test "$(cat code)" = 401 &&
	get /v1/groups && test "$(cat code)" = 200
'

test_expect_success 'groups: list and details in the API shape' '
	get /v1/groups &&
	test "$(sim_json code out)" = Success &&
	test "$(sim_json data.items.# out)" = 2 &&
	test "$(sim_json data.items.0.id out)" = source_group &&
	test "$(sim_json data.items.1.name out)" = "Analytics Copy" &&
	test_must_fail sim_json data.next_cursor out &&
	get /v1/groups/target_group &&
	test "$(sim_json data.name out)" = "Analytics Copy" &&
	test "$(sim_json data.created_at out)" = "2026-10-30T16:20:00Z" &&
	get /v1/groups/nope && test "$(cat code)" = 404 &&
	test "$(sim_json code out)" = NotFound && test_grep "nope" out
'

test_expect_success 'destinations: the id is the group id; defaults fill the shape' '
	get /v1/destinations/target_group &&
	test "$(sim_json data.group_id out)" = target_group &&
	test "$(sim_json data.setup_status out)" = CONNECTED &&
	test "$(sim_json data.config.password out)" = "******" &&
	get /v1/destinations/nope && test "$(cat code)" = 404
'

test_expect_success 'group connections: the list carries config; schema filters exactly' '
	get /v1/groups/source_group/connections &&
	test "$(sim_json data.items.# out)" = 3 &&
	test "$(sim_json data.items.0.config.host out)" = db.internal.example.com &&
	test "$(sim_json data.items.2.config.api_key out)" = "******" &&
	get "/v1/groups/source_group/connections?schema=stripe_prod" &&
	test "$(sim_json data.items.# out)" = 1 &&
	test "$(sim_json data.items.0.id out)" = src_stripe &&
	get "/v1/groups/source_group/connections?schema=stripe" &&
	test "$(sim_json data.items.# out)" = 0 &&
	get /v1/groups/nope/connections && test "$(cat code)" = 404
'

test_expect_success 'seed connections get every field the response schemas require' '
	get /v1/connections/src_salesforce &&
	for f in id group_id service schema paused pause_after_trial connected_by created_at \
		service_version sync_frequency schedule_type data_delay_sensitivity \
		status.setup_state status.sync_state status.update_state status.is_historical_sync
	do
		sim_json data.$f out >/dev/null || { echo "missing $f"; return 1; }
	done &&
	test "$(sim_json data.status.setup_state out)" = connected &&
	get /v1/connections/nope && test "$(cat code)" = 404 &&
	test "$(sim_json code out)" = NotFound
'

test_expect_success '/v1/connections filters by group_id and schema' '
	get "/v1/connections?group_id=target_group" &&
	test "$(sim_json data.items.# out)" = 1 &&
	test "$(sim_json data.items.0.schema out)" = finance.budget &&
	get "/v1/connections?group_id=source_group&schema=postgres_app" &&
	test "$(sim_json data.items.# out)" = 1 &&
	test "$(sim_json data.items.0.id out)" = src_postgres &&
	get "/v1/connections" && test "$(sim_json data.items.# out)" = 4
'

test_expect_success 'transformations: filters by group_id and type; group_id is not returned' '
	get "/v1/transformations?group_id=source_group&type=QUICKSTART" &&
	test "$(sim_json data.items.# out)" = 2 &&
	test "$(sim_json data.items.0.transformation_config.package_name out)" = stripe &&
	test_must_fail sim_json data.items.0.group_id out &&
	get "/v1/transformations?group_id=target_group" &&
	test "$(sim_json data.items.# out)" = 0 &&
	get "/v1/transformations?type=DBT_CORE" &&
	test "$(sim_json data.items.0.id out)" = dbt_finance &&
	get "/v1/transformations?type=BOGUS" && test "$(cat code)" = 400
'

test_expect_success 'package metadata: list, filter by service, details' '
	get /v1/transformations/package-metadata &&
	test "$(sim_json data.items.# out)" = 2 &&
	get "/v1/transformations/package-metadata?service=salesforce" &&
	test "$(sim_json data.items.# out)" = 1 &&
	test "$(sim_json data.items.0.id out)" = salesforce &&
	get /v1/transformations/package-metadata/stripe &&
	test "$(sim_json data.version out)" = 0.15.0 &&
	get /v1/transformations/package-metadata/nope && test "$(cat code)" = 404
'

test_expect_success 'limit: 1..1000, else 400 InvalidInput' '
	get "/v1/connections?limit=1" &&
	test "$(sim_json data.items.# out)" = 1 &&
	test "$(sim_json data.next_cursor out)" != "" &&
	for bad in 0 1001 abc -1; do
		get "/v1/connections?limit=$bad" && test "$(cat code)" = 400 &&
		test "$(sim_json code out)" = InvalidInput || return 1
	done &&
	get "/v1/connections?cursor=garbage" && test "$(cat code)" = 400
'

# follow PATH: walk every page of a list, printing the item ids in order, one per line.
follow() {
	local cursor= sep="?" n=0
	case "$1" in *\?*) sep="&" ;; esac
	while :; do
		if [ -n "$cursor" ]; then
			sim_curl -f -o page "$SIM_URL$1${sep}cursor=$cursor" || return 1
		else
			sim_curl -f -o page "$SIM_URL$1" || return 1
		fi
		i=0
		while sim_json data.items.$i.id page; do i=$((i + 1)); done
		n=$((n + 1))
		echo "$i" >>pages
		cursor=$(sim_json data.next_cursor page) || break
		[ $n -lt 50 ] || return 1
	done
}

test_expect_success 'pagination under --page-max 2: follow next_cursor to the end' '
	sim_stop && sim_start --seed "$SEED" --page-max 2 &&
	rm -f pages && follow /v1/connections >ids &&
	printf "src_postgres\nsrc_salesforce\nsrc_stripe\ntgt_sheets\n" >expect &&
	test_cmp expect ids &&
	printf "2\n2\n" >expect && test_cmp expect pages &&
	rm -f pages && follow "/v1/groups/source_group/connections?limit=1000" >ids &&
	printf "src_postgres\nsrc_salesforce\nsrc_stripe\n" >expect && test_cmp expect ids &&
	printf "2\n1\n" >expect && test_cmp expect pages
'

test_expect_success 'the last page has no next_cursor' '
	sim_curl -f -o out "$SIM_URL/v1/groups/source_group/connections?cursor=o2" &&
	test "$(sim_json data.items.# out)" = 1 &&
	test_must_fail sim_json data.next_cursor out
'

test_expect_success 'the request log: method, path, query; never the Authorization header' '
	sim_curl -f -o /dev/null "$SIM_URL/v1/connections?group_id=target_group&limit=5" &&
	sim_requests >log.json &&
	n=$(sim_json "#" log.json) && last=$((n - 1)) &&
	test "$(sim_json $last.method log.json)" = GET &&
	test "$(sim_json $last.path log.json)" = /v1/connections &&
	test "$(sim_json $last.query log.json)" = "group_id=target_group&limit=5" &&
	test "$(sim_json $last.args.limit log.json)" = 5 &&
	test "$(sim_json $last.status log.json)" = 200 &&
	test_grep ! -i "authorization" log.json &&
	test_grep ! "sim-secret" log.json &&
	test_grep ! "$(printf sim-key:sim-secret | base64)" log.json &&
	test_grep ! "_sim/" log.json
'

test_expect_success 'the state dump seeds an identical simulator' '
	sim_state >state1.json &&
	test "$(sim_json connections.# state1.json)" = 4 &&
	test "$(sim_json transformations.0.group_id state1.json)" = source_group &&
	sim_stop && sim_start --seed state1.json &&
	sim_state >state2.json &&
	test_cmp state1.json state2.json
'

test_expect_success 'no seed: an empty account' '
	sim_stop && sim_start &&
	get /v1/groups && test "$(sim_json data.items.# out)" = 0 &&
	sim_state >state.json && test "$(sim_json groups.# state.json)" = 0
'

test_expect_success 'custom credentials with --api-key/--api-secret' '
	sim_stop && sim_start --api-key k1 --api-secret=s1 &&
	test "$FIVETRAN_APIKEY" = k1 && test "$FIVETRAN_APISECRET" = s1 &&
	get /v1/groups && test "$(cat code)" = 200 &&
	curl -sS -o out -w "%{http_code}" -u sim-key:sim-secret "$SIM_URL/v1/groups" >code &&
	test "$(cat code)" = 401
'

test_expect_success 'SIGTERM stops it cleanly (exit 0) and removes the port file' '
	sim_stop &&
	! test -e "$TRASH/sim.port"
'

test_expect_success 'SIGINT stops it cleanly too' '
	ccapply-sim --port 0 --port-file int.port 2>int.log & pid=$! &&
	i=0; while ! test -s int.port && test $i -lt 200; do sleep 0.05; i=$((i + 1)); done &&
	test -s int.port &&
	kill -INT $pid && wait $pid
'

test_expect_success 'a port already in use is an error (exit 1)' '
	sim_start &&
	test_expect_code 1 ccapply-sim --port "$SIM_PORT" 2>err &&
	test_grep "cannot listen on 127.0.0.1:$SIM_PORT" err &&
	sim_stop
'

test_done
