#!/bin/bash
# The API key, the secret and their HTTP Basic encoding never reach any byte
# ccapply writes: an API (or a proxy in front of it) that echoes them in an
# error's code or message leaves them in neither stdout, stderr, --json,
# --debug traces, results.md, ccapply.lock nor the journal. The API is
# testdata/hostile/serve.pl, which answers the reads like the simulator and
# every create with an error made of the credentials.
. "$(dirname "$0")/test-lib.sh"

HOSTILE=$TESTDATA/hostile
export CCAPPLY_RETRY_BASE_MS=1 CCAPPLY_MAX_RETRIES=1
export FIVETRAN_APIKEY=key-0123456789abcdef FIVETRAN_APISECRET=secret-fedcba9876543210aa
BASIC=$(printf '%s:%s' "$FIVETRAN_APIKEY" "$FIVETRAN_APISECRET" | base64 -w0)

# leaks FILE... — the files that hold the key, the secret or the Basic
# credential, with the matching lines.
leaks() {
	grep -F -e "$FIVETRAN_APIKEY" -e "$FIVETRAN_APISECRET" -e "$BASIC" -- "$@"
}

test_expect_success 'setup: an API whose create errors echo the credentials' '
	good=$HOSTILE/base/api &&
	printf "{\"code\":\"Forbidden %s Basic %s\",\"message\":\"key %s secret %s\"}" \
		"$FIVETRAN_APISECRET" "$BASIC" "$FIVETRAN_APIKEY" "$FIVETRAN_APISECRET" \
		>echo-error.json &&
	cat >routes <<-EOF &&
	GET /v1/groups/target_group 200 $good/group.json
	GET /v1/destinations/target_group 200 $good/destination.json
	GET /v1/groups/target_group/connections 200 $good/connections.json
	GET /v1/transformations 200 $good/transformations.json
	GET /v1/connections/src_postgres 200 $good/connection.json
	GET /v1/groups 200 $good/groups.json
	GET /v1/groups/source_group 200 $good/source-group.json
	GET /v1/connections 200 $good/empty-list.json
	POST * 400 $PWD/echo-error.json
	EOF
	{ perl "$HOSTILE/serve.pl" serve.port routes serve.log 2>serve.err & serve_pid=$!; } &&
	test_when_finished_script "kill $serve_pid" &&
	for i in $(seq 100); do [ -s serve.port ] && break; sleep 0.05; done &&
	export FIVETRAN_API_URL=http://127.0.0.1:$(cat serve.port) &&
	plan_workspace ws "$HOSTILE/base/copy_plan.yaml" && write_report ws pass
'

test_expect_success 'apply --debug: the failed creates are recorded, no credential anywhere' '
	test_expect_code 3 ccapply --debug -C ws apply --auto-approve >out 2>err &&
	grep -q "^POST " serve.log &&
	test_grep "Forbidden <redacted> Basic <redacted>" ws/.copy-connections/results.md &&
	test_grep "<redacted>" err &&
	! leaks out err ws/.copy-connections/*
'

test_expect_success 'apply --json: no credential in the events either' '
	rm -rf ws && plan_workspace ws "$HOSTILE/base/copy_plan.yaml" && write_report ws pass &&
	test_expect_code 3 ccapply -C ws apply --auto-approve --json >out 2>err &&
	test_grep "<redacted>" out &&
	! leaks out err ws/.copy-connections/* &&
	ccapply -C ws state list --json >out 2>err &&
	ccapply -C ws state verify >>out 2>>err &&
	! leaks out err
'

test_done
