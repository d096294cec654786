#!/bin/bash
# Acknowledgments (issue #14, items 2 and 3): --ack repeats and accumulates;
# a code the validation report does not have is a usage error (exit 64)
# listing the report's codes, with nothing written and nothing sent; on a
# terminal the plan and every warning, with its context, come before any
# question; and a pipeline accepts a known skip by naming its reason
# (--ack REASON or REASON:NAME), so apply exits 0 while the skip stays
# visible in the plan, results.md and ccapply.lock.
. "$(dirname "$0")/test-lib.sh"

export CCAPPLY_RETRY_BASE_MS=1
R=ws/.copy-connections/results.md
L=ws/.copy-connections/ccapply.lock

acknowledged() {
	perl -MJSON::PP -0777 -ne 'print join(",", @{decode_json($_)->{validation}{acknowledged}}), "\n"' $L
}

test_expect_success 'an unknown --ack code: usage error listing the report codes, nothing sent' '
	fresh && write_report_warnings ws &&
	test_expect_code 64 ccapply -C ws apply --auto-approve --ack UNPATCHABLE_TABLE --ack TYPO_CODE 2>err &&
	test_grep "ack TYPO_CODE: not a code of the validation report" err &&
	test_grep "warning codes: UNPATCHABLE_TABLE, NONPORTABLE_FIELD$" err &&
	test "$(sim_requests | sim_json "#")" -eq 0 &&
	ls -A ws/.copy-connections >files &&
	printf "copy_plan.yaml\nvalidation_report.yaml\n" >expect &&
	test_cmp expect files
'

test_expect_success 'repeated --ack options accumulate; the lock records every code' '
	ccapply -C ws apply --auto-approve --ack UNPATCHABLE_TABLE --ack NONPORTABLE_FIELD >out &&
	test_grep "^Apply complete" out &&
	test "$(acknowledged)" = "NONPORTABLE_FIELD,UNPATCHABLE_TABLE"
'

test_expect_success 'after an apply, an unknown code still writes nothing: files unchanged, no POST' '
	cp $R results.before && cp $L lock.before && cp ws/.copy-connections/ccapply.journal journal.before &&
	posts_before=$(posts) &&
	test_expect_code 64 ccapply -C ws apply --auto-approve --ack=all,NOPE 2>err &&
	test_grep "ack NOPE: not a code" err &&
	test "$(posts)" -eq "$posts_before" &&
	cmp results.before $R && cmp lock.before $L &&
	cmp journal.before ws/.copy-connections/ccapply.journal &&
	test ! -e ws/.copy-connections/ccapply.lock.lck
'

test_expect_success 'a skip reason that cannot be accepted is a usage error too' '
	test_expect_code 64 ccapply -C ws apply --auto-approve --ack all,DEPENDENCY_FAILED 2>err &&
	test_expect_code 64 ccapply -C ws apply --auto-approve --ack all,NAME_TAKEN_CONFIG_DIFFERS: 2>err &&
	cmp results.before $R && cmp lock.before $L
'

test_expect_success 'plan shows every warning with its context' '
	ccapply -C ws plan >out &&
	test_grep "^  UNPATCHABLE_TABLE (connection postgres_app, source src_postgres): audit_log cannot be patched$" out &&
	test_grep "^      context: {\"table_name\":\"audit_log\",\"column_name\":\"payload\",\"reason_code\":\"SYSTEM_TABLE\"}$" out &&
	test_grep "^  NONPORTABLE_FIELD: time zone differs$" out
'

# On a terminal: the plan, the warnings and their context are printed, and
# only then is anything asked.
test_expect_success 'on a terminal, the plan and every warning come before any question' '
	fresh && write_report_warnings ws &&
	printf "yes\nyes\nyes\n" | script -qec "ccapply -C ws apply" /dev/null >tty.out &&
	tr -d "\r" <tty.out >tty.txt &&
	plan_at=$(grep -n "Plan:.* 5 to create" tty.txt | cut -d: -f1) &&
	ctx_at=$(grep -n "context: {\"table_name\":\"audit_log\"" tty.txt | cut -d: -f1) &&
	first_q=$(grep -n "Acknowledge warning\|Do you want" tty.txt | head -1 | cut -d: -f1) &&
	test -n "$plan_at" && test -n "$ctx_at" && test -n "$first_q" &&
	test "$ctx_at" -lt "$first_q" && test "$plan_at" -lt "$first_q" &&
	test_grep "Acknowledge warning UNPATCHABLE_TABLE" tty.txt &&
	test_grep "Acknowledge warning NONPORTABLE_FIELD" tty.txt &&
	test_grep "Apply complete: 5 created" tty.txt &&
	test "$(acknowledged)" = "NONPORTABLE_FIELD,UNPATCHABLE_TABLE"
'

test_expect_success 'on a terminal, --ack answers for its codes; only the others are asked' '
	fresh && write_report_warnings ws &&
	printf "yes\nyes\n" | script -qec "ccapply -C ws apply --ack NONPORTABLE_FIELD" /dev/null >tty.out &&
	test_grep "Acknowledge warning UNPATCHABLE_TABLE" tty.out &&
	test_grep ! "Acknowledge warning NONPORTABLE_FIELD" tty.out &&
	test "$(acknowledged)" = "NONPORTABLE_FIELD,UNPATCHABLE_TABLE"
'

# Permanent skips.
taken() {
	sim_stop &&
	sim_start --seed "$TESTDATA/sim/plan-taken.json" --create-limit none &&
	rm -rf ws && plan_workspace ws && write_report ws pass
}

test_expect_success 'a skip not accepted: exit 3, and apply says how to accept it' '
	taken &&
	test_expect_code 3 ccapply -C ws apply --auto-approve >out &&
	test_grep "^Skipped on purpose? .*--ack NAME_TAKEN_CONFIG_DIFFERS:postgres_app$" out
'

test_expect_success 'the skip accepted by REASON:NAME: exit 0, the skip visible in plan, results.md and lock' '
	ccapply -C ws apply --auto-approve --ack NAME_TAKEN_CONFIG_DIFFERS:postgres_app >out &&
	test_grep "^  ! connection \"postgres_app\" (postgres) id=tgt_postgres: NAME_TAKEN_CONFIG_DIFFERS (accepted by --ack)$" out &&
	test_grep "^connection postgres_app: skipped (id tgt_postgres) NAME_TAKEN_CONFIG_DIFFERS (accepted by --ack)$" out &&
	test_grep "^Apply complete: .*, 1 skipped (1 accepted), 0 failed.$" out &&
	test_grep "^- Skipped: NAME_TAKEN_CONFIG_DIFFERS (" $R &&
	test_grep "^- Skip accepted with --ack NAME_TAKEN_CONFIG_DIFFERS:postgres_app: not created, by choice" $R &&
	test_grep "^- 1 connection skipped (name taken with a different config)$" $R &&
	perl -MJSON::PP -0777 -ne "for (@{decode_json(\$_)->{resources}}) {
		print \"\$_->{outcome} \$_->{reason}\\n\" if \$_->{name} eq \"postgres_app\" }" $L >entry &&
	echo "skipped NAME_TAKEN_CONFIG_DIFFERS" >expect &&
	test_cmp expect entry &&
	test "$(acknowledged)" = "NAME_TAKEN_CONFIG_DIFFERS:postgres_app" &&
	test "$(count_named postgres_app)" -eq 1
'

test_expect_success 'the pipeline re-runs with the same --ack: exit 0, nothing changes' '
	cp $R results.before && cp $L lock.before &&
	sleep 1 &&
	ccapply -C ws apply --auto-approve --ack NAME_TAKEN_CONFIG_DIFFERS:postgres_app >out &&
	cmp results.before $R && cmp lock.before $L &&
	ccapply -C ws plan >plan.out &&
	test_grep "^  ! connection \"postgres_app\" (postgres) id=tgt_postgres: NAME_TAKEN_CONFIG_DIFFERS$" plan.out
'

test_expect_success 'the reason alone accepts every skip with it; --ack all accepts none' '
	ccapply -C ws apply --auto-approve --ack NAME_TAKEN_CONFIG_DIFFERS >out &&
	test "$(acknowledged)" = "NAME_TAKEN_CONFIG_DIFFERS" &&
	test_expect_code 3 ccapply -C ws apply --auto-approve --ack all >out &&
	test_grep "^- Skipped: NAME_TAKEN_CONFIG_DIFFERS" $R &&
	test_grep ! "Skip accepted" $R
'

test_expect_success 'a skip code for another resource accepts nothing, and says so' '
	test_expect_code 3 ccapply -C ws apply --auto-approve --ack NAME_TAKEN_CONFIG_DIFFERS:stripe_prod >out 2>err &&
	test_grep "note: --ack NAME_TAKEN_CONFIG_DIFFERS:stripe_prod accepts no skip of this plan" err
'

test_done
