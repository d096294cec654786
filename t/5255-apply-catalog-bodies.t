#!/bin/bash
#
# Request bodies by the service catalog (SPEC §3), end to end: a plan as the
# scope step writes it — config copied from get_connection_details, so the
# settings (sync_frequency, schedule_type, daily_sync_time, …) and read-only
# keys (postgres public_key) sit inside config and no naming key is there —
# is applied against ccapply-sim, and the exact bodies the simulator received
# are checked: settings at the top level, naming keys from target_name by the
# service's naming format, read-only keys left out, credentials blanked by the
# catalog, paused and without setup tests.

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
	mkdir -p ws/.copy-connections &&
	cat >ws/.copy-connections/copy_plan.yaml <<-\EOF &&
	schema_version: 1
	destination:
	  mode: existing
	  existing_destination_id: target_group
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

test_expect_success 'the three exist under target_name, paused' '
	sim_state >state.json &&
	for name in pg_copy sheets_copy.budget stripe_copy; do
		test_grep "\"schema\": *\"$name\"" state.json || return 1
	done
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
