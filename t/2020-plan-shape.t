#!/bin/bash
# What the plan loader refuses beyond syntax (issue 8, "hostile input"): the
# shape of schema_config (checked while it streams past, never kept), the
# types and values of the top-level create fields NewConnectorRequestV1
# accepts, and numbers a double cannot hold. Each refusal is `ccapply plan`
# exiting 1 with "copy_plan.yaml:LINE:COL: PATH: ..." before any request (the
# simulator's request log must not grow); each acceptance is a plan that
# goes through. Plans are the bundled basic plan with one edit (sed), or a
# fixture in testdata/plans-shape/ where an edit would not read well.
. "$(dirname "$0")/test-lib.sh"

export CCAPPLY_RETRY_BASE_MS=1
SHAPES=$TESTDATA/plans-shape
# Paths in the basic plan, and the values sync_frequency may take.
SC=connections[0].schema_config
T0=$SC.tables[0]
C0=$T0.columns[0]
FREQS="1, 5, 15, 30, 60, 120, 180, 360, 480, 720 or 1440"
NUMBER="a whole number from -2147483648 to 2147483647"
QUOTED_NUMBER="(quoted or tagged as a string: the API takes a number)"
QUOTED_BOOL="(quoted or tagged as a string, so not a boolean)"

sim_request_count() {
	sim_requests | grep -c '"method":' || true
}

# ws NAME SED-SCRIPT: workspace NAME with the basic plan edited by the sed
# script, and a report that signs the result.
ws() {
	rm -rf "$1" && plan_workspace "$1" &&
	sed -i -e "$2" "$1/.copy-connections/copy_plan.yaml" &&
	write_report "$1" pass
}

# refused NAME MESSAGE: `ccapply plan` on workspace NAME exits 1, says
# "copy_plan.yaml:MESSAGE" (a fixed string: LINE:COL: PATH: what), and sends
# nothing.
refused() {
	local before
	before=$(sim_request_count) &&
	test_expect_code 1 ccapply -C "$1" plan >out 2>err &&
	test_grep -F "$1/.copy-connections/copy_plan.yaml:$2" err &&
	test "$(sim_request_count)" -eq "$before"
}

# accepted NAME: `ccapply plan` on workspace NAME goes through.
accepted() {
	ccapply -C "$1" plan >out 2>err &&
	test_grep "^Plan: " out
}

# case NAME SED MESSAGE: one refused edit of the basic plan.
refused_edit() {
	ws "$1" "$2" && refused "$1" "$3"
}

test_expect_success 'setup: a simulator, and the unedited plan goes through' '
	sim_start --seed "$TESTDATA/sim/plan-source.json" &&
	ws base "" && accepted base
'

# --- schema_config ---------------------------------------------------------

test_expect_success 'schema_config must be a mapping' '
	refused_edit sc-string "s/^    schema_config:\$/    schema_config: everything\n    was:/" \
		"23:20: $SC: expected a mapping, found \"everything\"" &&
	refused_edit sc-seq "s/^    schema_config:\$/    schema_config: []\n    was:/" \
		"23:20: $SC: expected a mapping, found a sequence" &&
	refused_edit sc-true "s/^    schema_config:\$/    schema_config: true\n    was:/" \
		"23:20: $SC: expected a mapping, found the boolean true"
'

test_expect_success 'schema_config may be null, or absent' '
	ws sc-null "s/^    schema_config:\$/    schema_config: null\n    was:/" && accepted sc-null &&
	ws sc-none "/^    schema_config:\$/,/^          enabled: false\$/d" && accepted sc-none
'

test_expect_success 'schema_change_handling is ALLOW_ALL, ALLOW_COLUMNS or BLOCK_ALL' '
	refused_edit sch-some "s/ALLOW_COLUMNS/ALLOW_SOME/" \
		"24:31: $SC.schema_change_handling: expected one of ALLOW_ALL, ALLOW_COLUMNS, BLOCK_ALL, found \"ALLOW_SOME\"" &&
	refused_edit sch-case "s/ALLOW_COLUMNS/allow_columns/" \
		"24:31: $SC.schema_change_handling: expected one of" &&
	ws sch-all "s/ALLOW_COLUMNS/BLOCK_ALL/" && accepted sch-all &&
	ws sch-quoted "s/ALLOW_COLUMNS/\"ALLOW_ALL\"/" && accepted sch-quoted
'

test_expect_success 'tables is a sequence of mappings' '
	refused_edit tables-map "s/^      tables:\$/      tables: {users: {}}\n      was:/" \
		"25:15: $SC.tables: expected a sequence, found a mapping" &&
	refused_edit tables-item "25a\\        - users_table" \
		"26:11: $T0: expected a mapping, found \"users_table\"" &&
	refused_edit tables-null-item "25a\\        - null" \
		"26:11: $T0: expected a mapping, found null"
'

test_expect_success 'a table: names are strings, enabled a boolean, sync_mode from the list' '
	refused_edit t-name "27s/users\$/42/" \
		"27:32: $T0.name_in_destination: expected a string, found the number 42 (quote it to make it a string)" &&
	refused_edit t-enabled "28s/true/maybe/" \
		"28:20: $T0.enabled: expected true or false, found \"maybe\"" &&
	refused_edit t-enabled-quoted "28s/true/\"true\"/" \
		"28:20: $T0.enabled: expected true or false, found \"true\" $QUOTED_BOOL" &&
	refused_edit t-enabled-yes "28s/true/yes/" \
		"28:20: $T0.enabled: expected true or false, found \"yes\"" &&
	refused_edit t-sync-mode "s/SOFT_DELETE/HARD_DELETE/" \
		"29:22: $T0.sync_mode: expected one of SOFT_DELETE, HISTORY, LIVE, found \"HARD_DELETE\"" &&
	refused_edit t2-enabled "34s/false/0/" \
		"34:20: $SC.tables[1].enabled: expected true or false, found the number 0"
'

test_expect_success 'columns: a sequence of mappings with string names, boolean flags' '
	refused_edit cols-string "s/^          columns:\$/          columns: email\n          was:/" \
		"30:20: $T0.columns: expected a sequence, found \"email\"" &&
	refused_edit col-hashed "31s/hashed: true/hashed: 1/" \
		"31:90: $C0.hashed: expected true or false, found the number 1" &&
	refused_edit col-name "31s/name_in_source: email/name_in_source: [email]/" \
		"31:32: $C0.name_in_source: expected a string, found a sequence" &&
	refused_edit col-enabled "31s/enabled: true/enabled: !!str true/" \
		"31:76: $C0.enabled: expected true or false, found \"true\" $QUOTED_BOOL"
'

test_expect_success 'null members, unknown keys, tags and core-schema types are accepted' '
	ws sc-lenient "s/sync_mode: SOFT_DELETE/sync_mode: null\n          x_future: {a: [1, 2]}/;
		s/^      schema_change_handling: ALLOW_COLUMNS/      schema_change_handling: ~\n      x_new_field: 5/;
		34s/false/!!bool \"false\"/;
		31s/name_in_source: email/name_in_source: \"123\"/;
		31s/hashed: true/hashed: TRUE, x_mask: sha256/" &&
	accepted sc-lenient
'

test_expect_success 'aliases are checked by what they stand for' '
	cp -R base alias-ok &&
	cp "$SHAPES/alias-ok.yaml" alias-ok/.copy-connections/copy_plan.yaml &&
	write_report alias-ok pass && accepted alias-ok &&
	cp -R base alias-bad &&
	cp "$SHAPES/alias-bad.yaml" alias-bad/.copy-connections/copy_plan.yaml &&
	write_report alias-bad pass &&
	refused alias-bad \
		"30:20: connections[1].schema_config.tables[0].enabled: expected true or false, found \"on\""
'

# --- create fields ----------------------------------------------------------

test_expect_success 'sync_frequency is one of the integers the API lists' '
	refused_edit sf-word "s/sync_frequency: 360/sync_frequency: hourly/" \
		"43:21: connections[1].sync_frequency: expected one of $FREQS, found \"hourly\"" &&
	refused_edit sf-map "s/sync_frequency: 360/sync_frequency: {minutes: 360}/" \
		"43:21: connections[1].sync_frequency: expected one of $FREQS, found a mapping" &&
	refused_edit sf-7 "s/sync_frequency: 360/sync_frequency: 7/" \
		"43:21: connections[1].sync_frequency: expected one of $FREQS, found the number 7" &&
	refused_edit sf-float "s/sync_frequency: 360/sync_frequency: 360.0/" \
		"43:21: connections[1].sync_frequency: expected one of $FREQS, found the number 360.0" &&
	refused_edit sf-quoted "s/sync_frequency: 360/sync_frequency: \"360\"/" \
		"43:21: connections[1].sync_frequency: expected one of $FREQS, found \"360\" $QUOTED_NUMBER" &&
	ws sf-1440 "s/sync_frequency: 360/sync_frequency: 1440/" && accepted sf-1440 &&
	ws sf-null "s/sync_frequency: 360/sync_frequency: null/" && accepted sf-null
'

# refused_field NAME 'FIELD: VALUE' MESSAGE: the create field set on stripe_prod
# (line 49, after target_name).
refused_field() {
	refused_edit "$1" "48a\\    $2" "49:$3"
}

test_expect_success 'the other create fields have the types and values the API lists' '
	refused_field st "schedule_type: AUTO" \
		"20: connections[2].schedule_type: expected one of auto or manual, found \"AUTO\"" &&
	refused_field dst "daily_sync_time: \"14:30\"" \
		"22: connections[2].daily_sync_time: expected a whole hour from \"00:00\" to \"23:00\", found \"14:30\"" &&
	refused_field dst24 "daily_sync_time: \"24:00\"" \
		"22: connections[2].daily_sync_time: expected a whole hour" &&
	refused_field dst-num "daily_sync_time: 1400" \
		"22: connections[2].daily_sync_time: expected a whole hour from \"00:00\" to \"23:00\", found the number 1400 (quote it to make it a string)" &&
	refused_field dds "data_delay_sensitivity: low" \
		"29: connections[2].data_delay_sensitivity: expected one of LOW, NORMAL, HIGH, CUSTOM or SYNC_FREQUENCY, found \"low\"" &&
	refused_field ddt "data_delay_threshold: 2147483648" \
		"27: connections[2].data_delay_threshold: expected $NUMBER, found the number 2147483648" &&
	refused_field ddt-frac "data_delay_threshold: 1.5" \
		"27: connections[2].data_delay_threshold: expected $NUMBER, found the number 1.5" &&
	refused_field ddt-quoted "data_delay_threshold: \"60\"" \
		"27: connections[2].data_delay_threshold: expected $NUMBER, found \"60\" $QUOTED_NUMBER" &&
	refused_field nm "networking_method: directly" \
		"24: connections[2].networking_method: expected one of Directly, PrivateLink, SshTunnel or ProxyAgent, found \"directly\"" &&
	refused_field pa "proxy_agent_id: 12345" \
		"21: connections[2].proxy_agent_id: expected a string, found the number 12345 (quote it to make it a string)" &&
	refused_field pl "private_link_id: [a]" \
		"22: connections[2].private_link_id: expected a string, found a sequence" &&
	refused_field hd "hybrid_deployment_agent_id: true" \
		"33: connections[2].hybrid_deployment_agent_id: expected a string, found the boolean true (quote it to make it a string)" &&
	refused_field pat "pause_after_trial: \"false\"" \
		"24: connections[2].pause_after_trial: expected true or false, found \"false\" $QUOTED_BOOL" &&
	refused_field pat-yes "pause_after_trial: yes" \
		"24: connections[2].pause_after_trial: expected true or false, found \"yes\"" &&
	refused_field dsn "destination_schema_names: FIVETRAN" \
		"31: connections[2].destination_schema_names: expected one of FIVETRAN_NAMING or SOURCE_NAMING, found \"FIVETRAN\""
'

# --- numbers ----------------------------------------------------------------

test_expect_success 'a number too large for a double is refused anywhere in the plan' '
	refused_edit big-port "s/port: 5432/port: 1e400/" \
		"17:13: connections[0].config.port: \"1e400\" is out of range: too large for a number" &&
	refused_edit big-neg "s/port: 5432/port: -1e400/" \
		"17:13: connections[0].config.port: \"-1e400\" is out of range" &&
	refused_edit big-schema "29a\\          x_weight: -1e400" \
		"30:21: $T0.x_weight: \"-1e400\" is out of range" &&
	refused_edit big-meta "7a\\  x_size: 2.5e308" \
		"8:11: metadata.x_size: \"2.5e308\" is out of range"
'

test_expect_success 'a large float that fits, and a very long integer, load' '
	ws fits "s/port: 5432/port: 5432\n      scale: 1.7976931348623157e308/" && accepted fits &&
	ws long-int "s/port: 5432/port: 123456789012345678901234567890123456789/" &&
	accepted long-int
'

# --- what apply sends ---------------------------------------------------------

# The top-level members of each connection create the simulator received,
# one "NAME KEY=VALUE" line each (NAME from config), sorted.
create_members() {
	sim_requests | perl -MJSON::PP -e '
		my $log = decode_json(do { local $/; <STDIN> });
		for my $r (grep { $_->{method} eq "POST" && $_->{path} eq "/v1/connections" } @$log) {
			my $b = $r->{body};
			my $name = $b->{config}{schema_prefix} // $b->{config}{schema};
			for my $k (grep { !ref $b->{$_} || JSON::PP::is_bool($b->{$_}) } keys %$b) {
				my $v = $b->{$k};
				$v = $v ? "true" : "false" if JSON::PP::is_bool($v);
				print "$name $k=$v\n";
			}
		}' | sort
}

test_expect_success 'apply sends valid create fields as written, a null one not at all' '
	fresh &&
	sed -i -e "s/sync_frequency: 360/sync_frequency: null/" \
		-e "s/port: 5432/port: 2147483647/" \
		-e "48a\\    schedule_type: manual\n    daily_sync_time: \"03:00\"" \
		-e "48a\\    data_delay_threshold: -5\n    pause_after_trial: false" \
		-e "48a\\    destination_schema_names: SOURCE_NAMING" \
		ws/.copy-connections/copy_plan.yaml &&
	write_report ws pass &&
	ccapply -C ws apply --auto-approve >out &&
	create_members >members &&
	test_grep "^salesforce_prod service=salesforce\$" members &&
	test_grep ! "^salesforce_prod sync_frequency" members &&
	grep "^stripe_prod" members >stripe &&
	cat >expect <<-\EOF &&
	stripe_prod daily_sync_time=03:00
	stripe_prod data_delay_threshold=-5
	stripe_prod destination_schema_names=SOURCE_NAMING
	stripe_prod group_id=target_group
	stripe_prod pause_after_trial=false
	stripe_prod paused=true
	stripe_prod run_setup_tests=false
	stripe_prod schedule_type=manual
	stripe_prod service=stripe
	EOF
	test_cmp expect stripe &&
	sim_requests >requests.json &&
	test_grep "\"port\": *2147483647,*\$" requests.json
'

test_done
