#!/bin/bash
# ccapply-sim misbehaving on purpose (SPEC §6): every --fault action, on the K-th matching request
# and on K-th-and-later, latency, and hostile requests that must never crash it.
. "$(dirname "$0")/test-lib.sh"

SEED="$TESTDATA/sim/basic.json"

# req METHOD PATH [JSON]: with credentials; body in out, status in code, curl's exit in rc.
req() {
	if [ $# -ge 3 ]; then
		sim_curl -o out -w "%{http_code}" -X "$1" -H "Content-Type: application/json" \
			-d "$3" "$SIM_URL$2" >code
	else
		sim_curl -o out -w "%{http_code}" -X "$1" "$SIM_URL$2" >code
	fi
	echo $? >rc
	return 0
}

new_conn() {
	echo "{\"group_id\":\"target_group\",\"service\":\"stripe\",\"config\":{\"schema\":\"$1\"}}"
}

connection_count() {
	sim_state >state.json && sim_json connections.# state.json
}

# milliseconds on the wall clock
now_ms() {
	echo $(($(date +%s%N) / 1000000))
}

test_expect_success '500 and 503 on the K-th match only, with a JSON error body' '
	sim_start --seed "$SEED" --fault "GET /v1/groups#2=500" \
		--fault "GET /v1/groups/*/connections#2=503" &&
	req GET /v1/groups && test "$(cat code)" = 200 &&
	req GET /v1/groups && test "$(cat code)" = 500 &&
	test "$(sim_json code out)" = InternalServerError && sim_json message out >/dev/null &&
	req GET /v1/groups && test "$(cat code)" = 200 &&
	req GET /v1/groups/source_group/connections && test "$(cat code)" = 200 &&
	req GET /v1/groups/target_group/connections && test "$(cat code)" = 503 &&
	test "$(sim_json code out)" = ServiceUnavailable &&
	req GET /v1/groups/target_group/connections && test "$(cat code)" = 200
'

test_expect_success 'the request log names the fault applied' '
	sim_requests >log.json &&
	test "$(sim_json 1.status log.json)" = 500 &&
	test "$(sim_json 1.fault log.json)" = "GET /v1/groups#2=500" &&
	test_must_fail sim_json 0.fault log.json
'

test_expect_success 'a 500 or 503 fault on a create commits nothing' '
	sim_stop && sim_start --seed "$SEED" --fault "POST /v1/connections#1=503" &&
	req POST /v1/connections "$(new_conn a)" && test "$(cat code)" = 503 &&
	test "$(connection_count)" = 4 &&
	req POST /v1/connections "$(new_conn a)" && test "$(cat code)" = 201 &&
	test "$(connection_count)" = 5
'

test_expect_success '400: the K-th create is refused as invalid and nothing is made' '
	sim_start --seed "$SEED" --fault "POST /v1/connections#2=400" &&
	before=$(connection_count) &&
	req POST /v1/connections "$(new_conn one)" && test "$(cat code)" = 201 &&
	req POST /v1/connections "$(new_conn two)" && test "$(cat code)" = 400 &&
	test "$(sim_json code out)" = InvalidInput &&
	test_grep "Injected fault" out &&
	test "$(connection_count)" = $((before + 1)) &&
	req POST /v1/connections "$(new_conn two)" && test "$(cat code)" = 201
'

test_expect_success '500-after-commit: answers 500 but the connection exists' '
	sim_stop && sim_start --seed "$SEED" --fault "POST /v1/connections#1=500-after-commit" &&
	req POST /v1/connections "$(new_conn made_anyway)" && test "$(cat code)" = 500 &&
	test "$(sim_json code out)" = InternalServerError &&
	test "$(connection_count)" = 5 &&
	sim_curl -f -o out "$SIM_URL/v1/connections?group_id=target_group&schema=made_anyway" &&
	test "$(sim_json data.items.# out)" = 1
'

test_expect_success 'reset: the connection closes without an answer, nothing is created' '
	sim_stop && sim_start --seed "$SEED" --fault "POST /v1/connections#1=reset" &&
	req POST /v1/connections "$(new_conn lost)" &&
	rc=$(cat rc) && { test "$rc" = 52 || test "$rc" = 56; } &&
	test "$(connection_count)" = 4 &&
	sim_requests >log.json && test "$(sim_json 0.status log.json)" = 0
'

test_expect_success 'reset-after-commit: no answer, but the connection exists' '
	sim_stop && sim_start --seed "$SEED" \
		--fault "POST /v1/connections#2=reset-after-commit" &&
	req POST /v1/connections "$(new_conn first)" && test "$(cat code)" = 201 &&
	req POST /v1/connections "$(new_conn second)" &&
	rc=$(cat rc) && { test "$rc" = 52 || test "$rc" = 56; } &&
	test "$(connection_count)" = 6 &&
	sim_curl -f -o out "$SIM_URL/v1/connections?group_id=target_group&schema=second" &&
	test "$(sim_json data.items.# out)" = 1
'

test_expect_success 'malformed: status 200 and a body that is not JSON' '
	sim_stop && sim_start --seed "$SEED" --fault "GET /v1/groups/*#1=malformed" &&
	req GET /v1/groups/source_group && test "$(cat code)" = 200 &&
	test -s out && test_must_fail sim_json "" out &&
	req GET /v1/groups/source_group && test "$(cat code)" = 200 && sim_json "" out
'

test_expect_success 'malformed on a create: the connection is made, the answer unreadable' '
	sim_stop && sim_start --seed "$SEED" --fault "POST /v1/connections#1=malformed" &&
	req POST /v1/connections "$(new_conn garbled)" &&
	test_must_fail sim_json "" out &&
	test "$(connection_count)" = 5
'

test_expect_success '#K+ acts on the K-th and every later match' '
	sim_stop && sim_start --seed "$SEED" --fault "GET /v1/groups#2+=503" &&
	req GET /v1/groups && test "$(cat code)" = 200 &&
	req GET /v1/groups && test "$(cat code)" = 503 &&
	req GET /v1/groups && test "$(cat code)" = 503 &&
	req GET /v1/groups/source_group && test "$(cat code)" = 200
'

test_expect_success 'a * method matches any method' '
	sim_stop && sim_start --seed "$SEED" --fault "* /v1/connections#1=500" &&
	req POST /v1/connections "$(new_conn a)" && test "$(cat code)" = 500 &&
	req GET /v1/connections && test "$(cat code)" = 200
'

test_expect_success 'delay:1 answers normally, at least a second later' '
	sim_stop && sim_start --seed "$SEED" --fault "GET /v1/groups#1=delay:1" &&
	start=$(now_ms) && req GET /v1/groups && end=$(now_ms) &&
	test "$(cat code)" = 200 && test "$(sim_json data.items.# out)" = 2 &&
	test $((end - start)) -ge 1000
'

test_expect_success 'a delayed request does not hold up the others; SIGTERM cuts it short' '
	sim_stop && sim_start --seed "$SEED" --fault "GET /v1/groups#1=delay:600" &&
	{ sim_curl -o slow.out "$SIM_URL/v1/groups" & } &&
	i=0; while ! sim_requests | grep -q "\"path\": \"/v1/groups\"" && test $i -lt 200; do
		sleep 0.05; i=$((i + 1)); done &&
	req GET /v1/groups/source_group && test "$(cat code)" = 200 &&
	sim_requests >log.json &&
	test "$(sim_json 0.path log.json)" = /v1/groups &&
	test "$(sim_json 0.status log.json)" = null &&
	test "$(sim_json 1.status log.json)" = 200 &&
	sim_stop && wait
'

test_expect_success '--latency-ms delays every /v1 answer' '
	sim_start --seed "$SEED" --latency-ms 300 &&
	start=$(now_ms) && req GET /v1/groups && end=$(now_ms) &&
	test "$(cat code)" = 200 && test $((end - start)) -ge 300
'

test_expect_success 'unknown paths: 404 JSON; wrong methods: 405 JSON with Allow' '
	req GET /v1/nothing && test "$(cat code)" = 404 && test "$(sim_json code out)" = NotFound &&
	req GET /elsewhere && test "$(cat code)" = 404 && sim_json "" out &&
	req GET /v1/groups/ && test "$(cat code)" = 404 &&
	sim_curl -D headers -o out -w "%{http_code}" -X DELETE "$SIM_URL/v1/groups" >code &&
	test "$(cat code)" = 405 && test "$(sim_json code out)" = MethodNotAllowed &&
	test_grep -i "^Allow: GET" headers &&
	req GET /_sim/nothing && test "$(cat code)" = 404
'

test_expect_success 'a body over 10 MB is refused with 413' '
	head -c 11000000 /dev/zero | tr "\\0" x >big &&
	sim_curl -o out -w "%{http_code}" -H "Content-Type: application/json" \
		--data-binary @big "$SIM_URL/v1/connections" >code &&
	test "$(cat code)" = 413 && test "$(sim_json code out)" = PayloadTooLarge &&
	sim_curl -o out -w "%{http_code}" -H "Content-Type: application/json" \
		-H "Transfer-Encoding: chunked" --data-binary @big \
		"$SIM_URL/v1/connections" >code &&
	test "$(cat code)" = 413
'

test_expect_success 'hostile bytes: answers and logs stay valid JSON' '
	printf "{\"group_id\":\"target_group\",\"service\":\"\\377\\000\"}" >binary &&
	sim_curl -o out -H "Content-Type: application/json" --data-binary @binary \
		"$SIM_URL/v1/connections" && sim_json "" out >/dev/null &&
	req GET "/v1/groups/%FF%FE/connections?schema=%C0%AF" && test "$(cat code)" = 404 &&
	sim_json "" out >/dev/null &&
	req POST /v1/connections "{\"group_id\":\"target_group\",\"service\":\"s\",\"config\":[" &&
	test "$(cat code)" = 400 &&
	nest=$(printf "%0.s[" $(seq 1 5000)) && req POST /v1/connections "$nest" &&
	test "$(cat code)" = 400 &&
	sim_requests >log.json && sim_json "" log.json >/dev/null &&
	sim_state >state.json && sim_json "" state.json >/dev/null &&
	sim_stop
'

test_done
