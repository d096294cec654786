#!/bin/bash
#
# Request bodies by the service catalog (SPEC §3), end to end: a plan as the
# scope step writes it — config copied from get_connection_details, so the
# settings (sync_frequency, schedule_type, daily_sync_time, …) and read-only
# keys (postgres public_key) sit inside config and no naming key is there —
# is applied against ccapply-sim, and the exact bodies the simulator received
# are checked: settings at the top level, naming keys from target_name by the
# service's naming format, read-only keys left out, credentials blanked by the
# catalog, paused and without setup tests (issue #12's "Done when"; every body
# is also validated against its service's {service}_NewConnectorRequestV1 with
# Ajv by t/lib-sim.sh at the end of the script). The simulator keeps them as
# the API does; after deleting ccapply.lock and ccapply.journal, planning again
# finds all three and apply sends nothing.

test_description='apply: create bodies by the service catalog'
. "$(dirname "$0")/test-lib.sh"

# bodies FILE: the body of every POST /v1/connections in the request log FILE,
# one canonical JSON (sorted keys) per line, in the order they were sent.
bodies() {
	perl -MJSON::PP -e '
		local $/; my $log = JSON::PP->new->decode(<STDIN>);
		my $json = JSON::PP->new->canonical;
		for my $r (@$log) {
			next unless $r->{method} eq "POST" && $r->{path} eq "/v1/connections";
			my $b = $r->{body};
			$b = $json->decode($b) unless ref $b;
			print $json->encode($b), "\n";
		}' <"$1"
}

test_expect_success 'setup: a scope-step plan for postgres, google_sheets and stripe' '
	sim_start --seed "$TESTDATA/sim/plan-source.json" --create-limit none &&
	plan_existing ws <<-\EOF &&
	connections:
	  - source_id: src_pg
	    source_service: postgres
	    target_name: pg_copy
	    config:
	      host: db.example.com
	      port: 5432
	      database: app
	      user: fivetran
	      password: "******"
	      public_key: "ssh-rsa AAAAB3NzaC1yc2E fivetran"
	      update_method: QUERY_BASED
	      connection_type: Directly
	      sync_frequency: 360
	      schedule_type: auto
	      networking_method: Directly
	      data_delay_sensitivity: NORMAL
	      data_delay_threshold: 0
	      pause_after_trial: false
	      paused: false
	    credential_fields: [password]
	    auth_style: credentials
	  - source_id: src_sheets
	    source_service: google_sheets
	    target_name: sheets_copy.budget
	    config:
	      sheet_id: "https://docs.google.com/spreadsheets/d/abc"
	      named_range: budget_range
	      auth_type: ServiceAccount
	    auth_style: none
	  - source_id: src_stripe
	    source_service: stripe
	    target_name: stripe_copy
	    sync_frequency: 1440
	    config:
	      api_key: "sk_live_should_never_be_sent"
	      daily_sync_time: "03:00"
	      sync_frequency: 1440
	      historical_sync_time_frame: ALL_TIME
	    auth_style: credentials
	EOF
	write_report ws pass
'

test_expect_success 'plan: three creates, no warning' '
	ccapply -C ws plan >plan.txt 2>err &&
	test_grep "Plan: 3 to create, 0 unchanged, 0 skipped." plan.txt &&
	! grep -i warning plan.txt
'

test_expect_success 'apply creates all three' '
	ccapply -C ws apply --auto-approve >out 2>err &&
	test_grep "3 created" out &&
	sim_requests >requests.json &&
	bodies requests.json >actual
'

test_expect_success 'postgres: settings at the top level, schema_prefix from target_name, no public_key' '
	cat >expect.pg <<-\EOF &&
	{"config":{"connection_type":"Directly","database":"app","host":"db.example.com","password":"","port":5432,"schema_prefix":"pg_copy","update_method":"QUERY_BASED","user":"fivetran"},"data_delay_sensitivity":"NORMAL","data_delay_threshold":0,"group_id":"target_group","networking_method":"Directly","pause_after_trial":false,"paused":true,"run_setup_tests":false,"schedule_type":"auto","service":"postgres","sync_frequency":360}
	EOF
	sed -n 1p actual >actual.pg &&
	test_cmp expect.pg actual.pg
'

test_expect_success 'google_sheets: schema and table from the halves of target_name' '
	cat >expect.gs <<-\EOF &&
	{"config":{"auth_type":"ServiceAccount","named_range":"budget_range","schema":"sheets_copy","sheet_id":"https://docs.google.com/spreadsheets/d/abc","table":"budget"},"group_id":"target_group","paused":true,"run_setup_tests":false,"service":"google_sheets"}
	EOF
	sed -n 2p actual >actual.gs &&
	test_cmp expect.gs actual.gs
'

test_expect_success 'stripe: sync_frequency and daily_sync_time at the top, api_key blanked by the catalog' '
	cat >expect.st <<-\EOF &&
	{"config":{"api_key":"","historical_sync_time_frame":"ALL_TIME","schema":"stripe_copy"},"daily_sync_time":"03:00","group_id":"target_group","paused":true,"run_setup_tests":false,"service":"stripe","sync_frequency":1440}
	EOF
	sed -n 3p actual >actual.st &&
	test_cmp expect.st actual.st &&
	test_line_count = 3 actual &&
	! grep sk_live_should_never_be_sent requests.json ws/.copy-connections/ccapply.lock \
		ws/.copy-connections/ccapply.journal ws/.copy-connections/results.md
'

# The account as the simulator (which follows the catalog as the API does, SPEC §6) keeps it:
# the created connections are the last three of the state, in plan order.
test_expect_success 'the account: three paused connections under target_name, settings live at the top level' '
	sim_state >state.json &&
	test "$(sim_json connections.# state.json)" = 6 &&
	test "$(sim_json connections.3.schema state.json)" = pg_copy &&
	test "$(sim_json connections.4.schema state.json)" = sheets_copy.budget &&
	test "$(sim_json connections.5.schema state.json)" = stripe_copy &&
	for i in 3 4 5; do
		test "$(sim_json connections.$i.paused state.json)" = true &&
		test "$(sim_json connections.$i.group_id state.json)" = target_group || return 1
	done &&
	test "$(sim_json connections.3.sync_frequency state.json)" = 360 &&
	test "$(sim_json connections.3.schedule_type state.json)" = auto &&
	test "$(sim_json connections.5.sync_frequency state.json)" = 1440 &&
	test "$(sim_json connections.5.daily_sync_time state.json)" = 03:00 &&
	test "$(sim_json connections.3.config.public_key state.json)" = \
		"public_key of $(sim_json connections.3.id state.json), generated by ccapply-sim"
'

test_expect_success 'lock and journal lost: plan finds all three, 0 to create, 0 skipped' '
	lose_state &&
	ccapply -C ws plan >plan2 &&
	test_grep "^  = connection \"pg_copy\" (postgres) id=[^ ]*: ALREADY_EXISTS$" plan2 &&
	test_grep "^  = connection \"sheets_copy.budget\" (google_sheets) id=[^ ]*: ALREADY_EXISTS$" plan2 &&
	test_grep "^  = connection \"stripe_copy\" (stripe) id=[^ ]*: ALREADY_EXISTS$" plan2 &&
	test_grep "^Plan: 0 to create, 3 unchanged, 0 skipped.$" plan2
'

test_expect_success 'lock and journal lost: apply sends nothing' '
	apply_sends_nothing 3
'

test_expect_success 'a setting inside and beside config with different values is refused at plan time' '
	cp -r ws differs &&
	rm -f differs/.copy-connections/ccapply.* differs/.copy-connections/results.md &&
	sed -i "s/^      sync_frequency: 1440/      sync_frequency: 60/" \
		differs/.copy-connections/copy_plan.yaml &&
	write_report differs pass &&
	before=$(sim_requests | grep -c "\"method\"") &&
	test_expect_code 1 ccapply -C differs plan >out 2>err &&
	test_grep "copy_plan.yaml:42:23: connections\[2\].config.sync_frequency: the number 60 here but the number 1440 in connections\[2\].sync_frequency (line 38:21)" err &&
	test "$(sim_requests | grep -c "\"method\"")" = "$((before + 0))"
'

test_done
