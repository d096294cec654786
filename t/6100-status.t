#!/bin/bash
# ccapply status end to end against ccapply-sim: after an apply, the live
# account is changed behind ccapply's back (the simulator restarted on its own
# state, edited: it has no PATCH or DELETE) and status must name each change —
# deleted, renamed, moved, config drifted, broken — with exit 2, say nothing
# drifted with exit 0, send only GETs, and never print a credential.
. "$(dirname "$0")/test-lib.sh"

export CCAPPLY_RETRY_BASE_MS=1
LOCK=ws/.copy-connections/ccapply.lock

# Restart the simulator on the account it had right after the apply.
reset_account() {
	sim_stop && sim_start --seed base.json --create-limit none
}

# Restart the simulator on the post-apply account edited by Perl code working
# on $s (the decoded account); conn(ID) and transformation(ID) find items.
edit_account() {
	perl -MJSON::PP -e '
		my $code = shift;
		my $s = do { local $/; JSON::PP->new->decode(<STDIN>) };
		sub find { my ($list, $id) = @_;
			(grep { $_->{id} eq $id } @{$s->{$list}})[0] or die "no $list $id\n" }
		sub conn { find("connections", @_) }
		sub transformation { find("transformations", @_) }
		eval $code; die $@ if $@;
		print JSON::PP->new->canonical->pretty->encode($s);
	' "$1" <base.json >edited.json &&
	sim_stop && sim_start --seed edited.json --create-limit none
}

# Every request status sent since the simulator started was a GET.
only_gets() {
	sim_requests >requests.json &&
	sim_json "#" requests.json >n && test "$(cat n)" -gt 0 &&
	test_grep ! "\"method\": *\"\(POST\|PATCH\|PUT\|DELETE\)\"" requests.json
}

status_json() {
	ccapply -C ws status --json >status.json
}

# The field at PATH (sim_json syntax) of the resource named NAME in status.json.
field() {
	perl -MJSON::PP -e '
		my ($name, $path) = @ARGV;
		my $d = do { local $/; open my $f, "<", "status.json" or die; JSON::PP->new->decode(<$f>) };
		my ($v) = grep { $_->{name} eq $name } @{$d->{resources}};
		die "no resource $name\n" unless $v;
		for my $k (split /\./, $path) { $v = ref $v eq "ARRAY" ? $v->[$k] : $v->{$k} }
		print !defined $v ? "null" : JSON::PP::is_bool($v) ? ($v ? "true" : "false") :
			ref $v ? JSON::PP->new->canonical->encode($v) : $v, "\n";
	' "$1" "$2"
}

test_expect_success 'setup: apply the basic plan' '
	sim_start --seed "$TESTDATA/sim/plan-source.json" --create-limit none &&
	plan_workspace ws && write_report ws pass &&
	ccapply -C ws apply --auto-approve >out &&
	sim_state >base.json &&
	PG=$(sim_json resources.0.id $LOCK) && SF=$(sim_json resources.1.id $LOCK) &&
	ST=$(sim_json resources.2.id $LOCK) && TR_ST=$(sim_json resources.3.id $LOCK) &&
	TR_SF=$(sim_json resources.4.id $LOCK) &&
	test -n "$PG" && test -n "$TR_SF"
'

test_expect_success 'nothing changed: every resource ok, exit 0, three GETs and nothing else' '
	reset_account &&
	ccapply -C ws status >out &&
	test_grep "^Target group: Analytics Copy (target_group)$" out &&
	test_grep "^  = connection \"postgres_app\" (postgres) id=$PG: ok$" out &&
	test_grep "^  = transformation \"stripe\" id=$TR_ST: ok$" out &&
	test_grep "health: paused, setup_state incomplete (as expected: awaiting credentials)" out &&
	test_grep "^Status: 5 ok, 0 drifted, 0 missing, 0 broken.$" out &&
	only_gets &&
	test "$(sim_json "#" requests.json)" -eq 3
'

test_expect_success 'colour on a terminal only, and never with NO_COLOR' '
	script -qec "ccapply -C ws status" /dev/null >tty.out &&
	test_grep "$(printf "\033")\[32m= connection \"postgres_app\"" tty.out &&
	NO_COLOR=1 script -qec "ccapply -C ws status" /dev/null >tty-nocolor.out &&
	test_grep "= connection \"postgres_app\"" tty-nocolor.out &&
	test_grep ! "$(printf "\033")" tty-nocolor.out &&
	ccapply -C ws status >out &&
	test_grep ! "$(printf "\033")" out
'

test_expect_success '--json: the documented document' '
	status_json &&
	test-tool json-parse status.json &&
	test "$(sim_json format_version status.json)" = 1 &&
	test "$(sim_json target.group_id status.json)" = target_group &&
	test "$(sim_json target.exists status.json)" = true &&
	test "$(sim_json plan.loaded status.json)" = true &&
	test "$(sim_json "resources.#" status.json)" = 5 &&
	test "$(field postgres_app state)" = ok &&
	test "$(field postgres_app id)" = "$PG" &&
	test "$(field postgres_app outcome)" = created &&
	test "$(field postgres_app health)" = \
		"{\"broken\":false,\"paused\":true,\"setup_state\":\"incomplete\",\"sync_state\":\"paused\"}" &&
	test "$(field postgres_app differences)" = "[]" &&
	test "$(field postgres_app compared_with)" = sent &&
	test "$(field stripe health.status)" = NEW &&
	test "$(field stripe compared_with)" = sent &&
	test "$(sim_json summary status.json)" = \
		"{\"broken\":0,\"drifted\":0,\"missing\":0,\"not_checked\":0,\"ok\":5}"
'

test_expect_success 'a deleted connection: "-", state deleted, exit 2, told apart by a GET' '
	edit_account "\$s->{connections} = [grep { \$_->{id} ne \"$PG\" } @{\$s->{connections}}]" &&
	test_expect_code 2 ccapply -C ws status >out &&
	test_grep "^  - connection \"postgres_app\" (postgres) id=$PG: deleted$" out &&
	test_grep "^Status: 4 ok, 0 drifted, 1 missing, 0 broken.$" out &&
	only_gets &&
	test_grep "\"path\": *\"/v1/connections/$PG\"" requests.json &&
	test_expect_code 2 ccapply -C ws status --json >status.json &&
	test "$(field postgres_app state)" = deleted &&
	test "$(field postgres_app health)" = null &&
	test "$(sim_json summary.missing status.json)" = 1
'

test_expect_success 'a renamed connection: state renamed with its new name, exit 2' '
	edit_account "conn(\"$SF\")->{schema} = \"salesforce_renamed\"" &&
	test_expect_code 2 ccapply -C ws status >out &&
	test_grep "^  ~ connection \"salesforce_prod\" (salesforce) id=$SF: renamed to \"salesforce_renamed\"$" out &&
	test_grep "^Status: 4 ok, 1 drifted, 0 missing, 0 broken.$" out &&
	test_expect_code 2 ccapply -C ws status --json >status.json &&
	test "$(field salesforce_prod state)" = renamed &&
	test "$(field salesforce_prod live_name)" = salesforce_renamed
'

test_expect_success 'a config value changed: drifted, each path with sent and live values' '
	edit_account "conn(\"$PG\")->{config}{host} = \"db2.example.com\";
		conn(\"$PG\")->{config}{port} = \"5432\"; conn(\"$PG\")->{config}{extra} = 1" &&
	test_expect_code 2 ccapply -C ws status >out &&
	test_grep "^  ~ connection \"postgres_app\" (postgres) id=$PG: drifted$" out &&
	test_grep "^      ~ config.host: sent \"db.internal.example.com\", live \"db2.example.com\"$" out &&
	test_grep ! "config.port" out &&
	test_grep ! "config.extra" out &&
	test_grep "^Status: 4 ok, 1 drifted, 0 missing, 0 broken.$" out &&
	test_expect_code 2 ccapply -C ws status --json >status.json &&
	test "$(field postgres_app state)" = drifted &&
	test "$(field postgres_app differences)" = \
		"[{\"live\":\"db2.example.com\",\"path\":\"config.host\",\"sent\":\"db.internal.example.com\"}]"
'

test_expect_success 'a top-level create field changed: drifted' '
	edit_account "conn(\"$SF\")->{sync_frequency} = 60" &&
	test_expect_code 2 ccapply -C ws status >out &&
	test_grep "^      ~ sync_frequency: sent 360, live 60$" out
'

test_expect_success 'a connection moved to another group: ">", the group named, exit 2' '
	edit_account "push @{\$s->{groups}}, {id => \"sandbox\", name => \"Sandbox\"};
		push @{\$s->{destinations}}, {id => \"sandbox\", group_id => \"sandbox\",
			service => \"snowflake\"};
		conn(\"$ST\")->{group_id} = \"sandbox\"" &&
	test_expect_code 2 ccapply -C ws status >out &&
	test_grep "^  > connection \"stripe_prod\" (stripe) id=$ST: moved to group \"Sandbox\" (sandbox)$" out &&
	test_grep "^Status: 4 ok, 1 drifted, 0 missing, 0 broken.$" out &&
	only_gets &&
	test_expect_code 2 ccapply -C ws status --json >status.json &&
	test "$(field stripe_prod state)" = moved &&
	test "$(field stripe_prod moved_to)" = \
		"{\"group_id\":\"sandbox\",\"group_name\":\"Sandbox\"}"
'

test_expect_success 'a broken connection: "!", exit 2' '
	edit_account "conn(\"$PG\")->{status}{setup_state} = \"broken\";
		conn(\"$PG\")->{paused} = JSON::PP::false;
		conn(\"$PG\")->{status}{sync_state} = \"scheduled\"" &&
	test_expect_code 2 ccapply -C ws status >out &&
	test_grep "^  ! connection \"postgres_app\" (postgres) id=$PG: broken$" out &&
	test_grep "health: not paused, setup_state broken, sync_state scheduled$" out &&
	test_grep "^Status: 4 ok, 0 drifted, 0 missing, 1 broken.$" out &&
	test_expect_code 2 ccapply -C ws status --json >status.json &&
	test "$(field postgres_app health.broken)" = true &&
	test "$(field postgres_app health.paused)" = false &&
	test "$(field postgres_app health.setup_state)" = broken
'

test_expect_success 'a connection set up and running is ok: health is not drift' '
	edit_account "conn(\"$SF\")->{status}{setup_state} = \"connected\";
		conn(\"$SF\")->{paused} = JSON::PP::false" &&
	ccapply -C ws status >out &&
	test_grep "id=$SF: ok$" out &&
	test_grep "health: not paused, setup_state connected, sync_state paused$" out
'

test_expect_success 'transformations: deleted, and attached to other connections' '
	edit_account "\$s->{transformations} = [grep { \$_->{id} ne \"$TR_SF\" } @{\$s->{transformations}}];
		transformation(\"$TR_ST\")->{transformation_config}{connection_ids} = [\"src_stripe\"]" &&
	test_expect_code 2 ccapply -C ws status >out &&
	test_grep "^  - transformation \"salesforce\" id=$TR_SF: deleted$" out &&
	test_grep "^  ~ transformation \"stripe\" id=$TR_ST: drifted$" out &&
	test_grep "^      ~ connection_ids: sent \[\"$ST\"\], live \[\"src_stripe\"\]$" out &&
	test_grep "^Status: 3 ok, 1 drifted, 1 missing, 0 broken.$" out
'

test_expect_success 'a transformation unpaused and failed: broken' '
	edit_account "transformation(\"$TR_ST\")->{paused} = JSON::PP::false;
		transformation(\"$TR_ST\")->{status} = \"FAILED\"" &&
	test_expect_code 2 ccapply -C ws status >out &&
	test_grep "^  ! transformation \"stripe\" id=$TR_ST: broken$" out &&
	test_grep "health: not paused, status FAILED$" out
'

test_expect_success 'the target group gone with its connections: all missing, exit 2' '
	edit_account "\$s->{groups} = [grep { \$_->{id} ne \"target_group\" } @{\$s->{groups}}];
		\$s->{destinations} = [grep { \$_->{id} ne \"target_group\" } @{\$s->{destinations}}];
		\$s->{transformations} = [grep { \$_->{group_id} ne \"target_group\" } @{\$s->{transformations}}];
		\$s->{connections} = [grep { \$_->{group_id} ne \"target_group\" } @{\$s->{connections}}]" &&
	test_expect_code 2 ccapply -C ws status >out &&
	test_grep "^Target group: Analytics Copy (target_group): no longer exists$" out &&
	test_grep "^Status: 0 ok, 0 drifted, 5 missing, 0 broken.$" out &&
	only_gets
'

# The --debug trace is the client's: it redacts credential-like keys, the
# plan's own credential_fields (account_pin here) and the API secret.
test_expect_success 'status never prints a credential, not even with --debug' '
	cp ws/.copy-connections/copy_plan.yaml plan.orig &&
	sed -e "s/^      password: \"\"/&\n      account_pin: \"PLANSECRETVALUE\"/" \
		-e "s/credential_fields: \[password\]/credential_fields: [password, account_pin]/" \
		plan.orig >ws/.copy-connections/copy_plan.yaml &&
	test_grep PLANSECRETVALUE ws/.copy-connections/copy_plan.yaml &&
	edit_account "conn(\"$ST\")->{config}{api_key} = \"sk_live_NAMEDSECRET\";
		conn(\"$PG\")->{config}{password} = \"hunter2-NAMEDSECRET\";
		conn(\"$PG\")->{config}{account_pin} = \"LIVESECRETVALUE\";
		conn(\"$PG\")->{config}{host} = \"changed\"" &&
	sim_curl "$SIM_URL/v1/connections/$PG" | grep -q LIVESECRETVALUE &&
	test_expect_code 2 ccapply --debug -C ws status >out 2>err &&
	test_expect_code 2 ccapply -C ws status --json >status.json &&
	cp plan.orig ws/.copy-connections/copy_plan.yaml &&
	test_grep "config.host" out &&
	test_grep ! "SECRETVALUE\|NAMEDSECRET" out &&
	test_grep ! "SECRETVALUE\|NAMEDSECRET" status.json &&
	test_grep ! "SECRETVALUE\|NAMEDSECRET" err &&
	test_grep "account_pin\":\"<redacted>\"" err &&
	test_grep ! sim-secret out &&
	test_grep ! sim-secret err &&
	test_grep ! "config.password\|config.api_key\|config.account_pin" out
'

test_expect_success 'the plan changed since apply: compared with the plan now, and said so' '
	reset_account &&
	cp ws/.copy-connections/copy_plan.yaml plan.orig &&
	sed "s/update_method: QUERY_BASED/update_method: TELEPORT/" plan.orig \
		>ws/.copy-connections/copy_plan.yaml &&
	test_expect_code 2 ccapply -C ws status >out &&
	test_grep "^      ~ config.update_method: sent \"TELEPORT\", live \"QUERY_BASED\"$" out &&
	test_grep "note: copy_plan.yaml has changed since this was sent" out &&
	test_expect_code 2 ccapply -C ws status --json >status.json &&
	test "$(field postgres_app compared_with)" = plan &&
	test "$(field salesforce_prod compared_with)" = sent &&
	cp plan.orig ws/.copy-connections/copy_plan.yaml
'

test_expect_success 'without a loadable plan: existence and health still checked, drift not' '
	edit_account "conn(\"$PG\")->{config}{host} = \"changed\";
		\$s->{connections} = [grep { \$_->{id} ne \"$SF\" } @{\$s->{connections}}];
		\$s->{transformations} = [grep { \$_->{id} ne \"$TR_SF\" } @{\$s->{transformations}}]" &&
	mv ws/.copy-connections/copy_plan.yaml plan.saved &&
	test_expect_code 2 ccapply -C ws status >out &&
	test_grep "^Config drift not checked: the plan did not load:" out &&
	test_grep "id=$PG: ok$" out &&
	test_grep "id=$SF: deleted$" out &&
	test_grep "id=$TR_SF: deleted$" out &&
	test_expect_code 2 ccapply -C ws status --json >status.json &&
	test "$(sim_json plan.loaded status.json)" = false &&
	test "$(field postgres_app compared_with)" = null &&
	echo "schema_version: [" >ws/.copy-connections/copy_plan.yaml &&
	test_expect_code 2 ccapply -C ws status >out &&
	test_grep "copy_plan.yaml:[0-9]*:[0-9]*: flow sequence" out &&
	mv plan.saved ws/.copy-connections/copy_plan.yaml
'

test_expect_success 'status does not need the validation report (no gates)' '
	reset_account &&
	mv ws/.copy-connections/validation_report.yaml report.saved &&
	ccapply -C ws status >out &&
	test_grep "^Status: 5 ok" out &&
	mv report.saved ws/.copy-connections/validation_report.yaml
'

test_expect_success 'skipped and failed resources: listed as not created, not checked' '
	reset_account &&
	rm -rf ws2 && plan_workspace ws2 &&
	write_report ws2 pass &&
	sim_stop && sim_start --seed "$TESTDATA/sim/plan-source.json" --create-limit none \
		--fault "POST /v1/connections#3=400" &&
	test_expect_code 3 ccapply -C ws2 apply --auto-approve >apply.out &&
	ccapply -C ws2 status >out &&
	test_grep "^  ? connection \"stripe_prod\" (stripe): not created by ccapply (failed), not checked$" out &&
	test_grep "^  ? transformation \"stripe\": not created by ccapply (skipped DEPENDENCY_FAILED), not checked$" out &&
	test_grep "^Status: 3 ok, 0 drifted, 0 missing, 0 broken; 2 not checked (not created by ccapply).$" out &&
	ccapply -C ws2 status --json >status.json &&
	test "$(sim_json summary.not_checked status.json)" = 2
'

test_expect_success 'resources that already existed are checked too, against the plan' '
	sim_stop && sim_start --seed "$TESTDATA/sim/plan-partial.json" --create-limit none &&
	rm -rf ws3 && plan_workspace ws3 && write_report ws3 pass &&
	ccapply -C ws3 apply --auto-approve >apply.out &&
	test_grep "already_exists (id tgt_salesforce)" apply.out &&
	ccapply -C ws3 status >out &&
	test_grep "^  = connection \"salesforce_prod\" (salesforce) id=tgt_salesforce: ok$" out &&
	test_grep "^Status: 5 ok, 0 drifted, 0 missing, 0 broken.$" out &&
	ccapply -C ws3 status --json >status.json &&
	test "$(field salesforce_prod outcome)" = already_exists &&
	test "$(field salesforce_prod compared_with)" = plan &&
	test "$(field salesforce_prod notes)" = "[]"
'

test_expect_success 'no state file: a clear error, exit 1, no request' '
	reset_account &&
	rm -rf empty && plan_workspace empty &&
	test_expect_code 1 ccapply -C empty status >out 2>err &&
	test_grep "no state file: empty/.copy-connections/ccapply.lock not found" err &&
	test_grep "run apply first" err &&
	sim_requests >requests.json &&
	test "$(sim_json "#" requests.json)" = 0
'

for f in truncated version-2 digest-mismatch array empty; do
	test_expect_success "a damaged state file ($f): a clear error naming it, exit 1" '
		rm -rf bad && plan_workspace bad &&
		cp "$TEST_DIRECTORY/fixtures/state/'$f'.lock" bad/.copy-connections/ccapply.lock &&
		test_expect_code 1 ccapply -C bad status >out 2>err &&
		test_grep "^ccapply: .*bad/.copy-connections/ccapply.lock" err &&
		test_line_count = 0 out
	'
done

test_expect_success 'an API error is an error: exit 1, not "nothing drifted"' '
	sim_stop && sim_start --seed base.json --fault "GET /v1/groups/*/connections#1+=500" &&
	CCAPPLY_MAX_RETRIES=1 test_expect_code 1 ccapply -C ws status >out 2>err &&
	test_grep "HTTP 500" err &&
	FIVETRAN_APISECRET=wrong test_expect_code 1 ccapply -C ws status 2>err &&
	test_grep "401" err
'

test_expect_success 'usage: an unknown option is a usage error; --help answers' '
	test_expect_code 64 ccapply -C ws status --bogus 2>err &&
	test_grep "unknown option" err &&
	ccapply status --help >help &&
	test_grep "^usage: ccapply status \[--json\]" help
'

test_done
