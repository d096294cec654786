#!/bin/bash
# 5265-apply-by-catalog.t — issue #12's "Done when", end to end against ccapply-sim, which follows
# the service catalog as the real API does (SPEC §6): a plan written as the scope step writes one
# — config copied from get_connection_details, so settings and read-only keys inside `config`, no
# naming keys — for postgres (prefix naming), google_sheets (schema + table) and stripe (schema).
# apply creates all three, paused, settings at the top level, nothing read-only sent; and every
# create body validates against its service's `{service}_NewConnectorRequestV1` with Ajv (here
# explicitly, and by t/lib-sim.sh's check at the end of every script).
. "$(dirname "$0")/test-lib.sh"

export CCAPPLY_RETRY_BASE_MS=1

cat >seed.json <<\EOF
{"groups": [{"id": "source_group", "name": "Production"},
            {"id": "target_group", "name": "Analytics Copy"}],
 "destinations": [{"id": "source_group"}, {"id": "target_group"}],
 "connections": [
  {"id": "src_pg", "group_id": "source_group", "service": "postgres", "schema": "pg_app",
   "sync_frequency": 360,
   "config": {"host": "db.internal.example.com", "port": 5432, "database": "app",
              "user": "fivetran", "password": "******", "update_method": "QUERY_BASED",
              "public_key": "ssh-rsa AAAAB3NzaC1yc2E source-public-key"}},
  {"id": "src_sheets", "group_id": "source_group", "service": "google_sheets",
   "schema": "sheets.budget",
   "config": {"sheet_id": "1AbCdEf", "named_range": "budget_2026", "auth_type": "ServiceAccount"}},
  {"id": "src_stripe", "group_id": "source_group", "service": "stripe", "schema": "stripe",
   "sync_frequency": 1440, "daily_sync_time": "03:00",
   "config": {"api_key": "******"}}]}
EOF

mkdir -p ws/.copy-connections
cat >ws/.copy-connections/copy_plan.yaml <<\EOF
schema_version: 1
metadata:
  created_at: "2026-12-01T09:00:00Z"
  created_by: scope
destination:
  mode: existing
  existing_destination_id: target_group
connections:
  - source_id: src_pg
    source_service: postgres
    target_name: pg_copy
    config:
      host: db.internal.example.com
      port: 5432
      database: app
      user: fivetran
      password: "******"
      update_method: QUERY_BASED
      public_key: "ssh-rsa AAAAB3NzaC1yc2E source-public-key"
      sync_frequency: 360
      schedule_type: auto
      networking_method: Directly
      data_delay_threshold: 0
    credential_fields: [password]
    auth_style: credentials
  - source_id: src_sheets
    source_service: google_sheets
    target_name: sheets_copy.budget
    config:
      sheet_id: 1AbCdEf
      named_range: budget_2026
      auth_type: ServiceAccount
    credential_fields: []
    auth_style: oauth
  - source_id: src_stripe
    source_service: stripe
    target_name: stripe_copy
    config:
      api_key: "******"
      sync_frequency: 1440
      daily_sync_time: "03:00"
    credential_fields: [api_key]
    auth_style: credentials
transformations:
  quickstart_packages: []
EOF

# The create bodies the simulator received, one compact JSON line each, in order.
create_bodies() {
	sim_requests | perl -MJSON::PP -e '
		my $log = decode_json(do { local $/; <STDIN> });
		my $json = JSON::PP->new->canonical;
		print $json->encode($_->{body}), "\n"
			for grep { $_->{method} eq "POST" && $_->{path} eq "/v1/connections" } @$log;'
}

test_expect_success 'apply sends one create per planned connection' '
	sim_start --seed seed.json &&
	write_report ws pass &&
	{ ccapply -C ws apply --auto-approve >out 2>err; rc=$?; test $rc -eq 0 || test $rc -eq 3; } &&
	create_bodies >bodies.jsonl &&
	test_line_count = 3 bodies.jsonl &&
	sim_state >state.json
'

test_expect_success 'apply creates the three connections' '
	test_grep "^Apply complete: 3 created, 0 already existed, 0 skipped, 0 failed.$" out
'

test_expect_success 'every create body validates against its service schema (Ajv)' '
	prism_install >/dev/null 2>&1 || test "${CI:-}" != true ||
		{ echo "Ajv is required when CI=true" >&2; false; } &&
	if prism_works; then
		node "$TEST_DIRECTORY/contract/validate-create.js" "$API/fivetran-openapi.json" \
			bodies.jsonl >valid.out &&
		test_grep "^3 create bodies, 0 invalid$" valid.out
	fi
'

# body N PATH: the value at PATH in the N-th create body (0-based).
body() {
	sed -n "$(($1 + 1))p" bodies.jsonl | sim_json "$2"
}

test_expect_success 'postgres: named by schema_prefix, settings at the top level, no public_key sent' '
	test "$(body 0 service)" = postgres &&
	test "$(body 0 paused)" = true &&
	test "$(body 0 run_setup_tests)" = false &&
	test "$(body 0 config.schema_prefix)" = pg_copy &&
	test_must_fail body 0 config.schema &&
	test "$(body 0 config.password)" = "" &&
	test "$(body 0 sync_frequency)" = 360 &&
	test "$(body 0 schedule_type)" = auto &&
	test "$(body 0 networking_method)" = Directly &&
	test "$(body 0 data_delay_threshold)" = 0 &&
	for key in public_key sync_frequency schedule_type networking_method data_delay_threshold; do
		test_must_fail body 0 config.$key || return 1
	done
'

test_expect_success 'google_sheets: target_name schema.table gives config.schema and config.table' '
	test "$(body 1 service)" = google_sheets &&
	test "$(body 1 paused)" = true &&
	test "$(body 1 config.schema)" = sheets_copy &&
	test "$(body 1 config.table)" = budget &&
	test "$(body 1 config.sheet_id)" = 1AbCdEf
'

test_expect_success 'stripe: sync_frequency and daily_sync_time go at the top level' '
	test "$(body 2 service)" = stripe &&
	test "$(body 2 paused)" = true &&
	test "$(body 2 config.schema)" = stripe_copy &&
	test "$(body 2 config.api_key)" = "" &&
	test "$(body 2 sync_frequency)" = 1440 &&
	test "$(body 2 daily_sync_time)" = 03:00 &&
	test_must_fail body 2 config.sync_frequency &&
	test_must_fail body 2 config.daily_sync_time
'

# The created connections are the last three of the state, in plan order.
test_expect_success 'the account: three paused connections, settings live at the top level' '
	test "$(sim_json connections.# state.json)" = 6 &&
	test "$(sim_json connections.3.schema state.json)" = pg_copy &&
	test "$(sim_json connections.4.schema state.json)" = sheets_copy.budget &&
	test "$(sim_json connections.5.schema state.json)" = stripe_copy &&
	for i in 3 4 5; do
		test "$(sim_json connections.$i.paused state.json)" = true &&
		test "$(sim_json connections.$i.group_id state.json)" = target_group || return 1
	done &&
	test "$(sim_json connections.3.sync_frequency state.json)" = 360 &&
	test "$(sim_json connections.5.sync_frequency state.json)" = 1440 &&
	test "$(sim_json connections.5.daily_sync_time state.json)" = 03:00 &&
	test "$(sim_json connections.3.config.public_key state.json)" = \
		"public_key of $(sim_json connections.3.id state.json), generated by ccapply-sim"
'

# Every request that could change the account.
writes() {
	sim_requests | grep -c "\"method\": *\"\(POST\|PATCH\|DELETE\|PUT\)\"" || true
}

test_expect_success 'the same plan again sends nothing' '
	before=$(writes) &&
	ccapply -C ws apply --auto-approve >out2 &&
	test_grep "^Plan: 0 to create, 3 unchanged, 0 skipped.$" out2 &&
	test "$(writes)" = "$before"
'

test_expect_success 'lock and journal lost: plan finds all three, 0 to create, 0 skipped' '
	rm ws/.copy-connections/ccapply.lock ws/.copy-connections/ccapply.journal &&
	ccapply -C ws plan >plan3 &&
	test_grep "^  = connection \"pg_copy\" (postgres) id=[^ ]*: ALREADY_EXISTS$" plan3 &&
	test_grep "^  = connection \"sheets_copy.budget\" (google_sheets) id=[^ ]*: ALREADY_EXISTS$" plan3 &&
	test_grep "^  = connection \"stripe_copy\" (stripe) id=[^ ]*: ALREADY_EXISTS$" plan3 &&
	test_grep "^Plan: 0 to create, 3 unchanged, 0 skipped.$" plan3
'

test_expect_success 'lock and journal lost: apply sends nothing' '
	before=$(writes) &&
	ccapply -C ws apply --auto-approve >out3 &&
	test_grep "^Apply complete: 0 created, 3 already existed, 0 skipped, 0 failed.$" out3 &&
	test "$(writes)" = "$before"
'

test_done
