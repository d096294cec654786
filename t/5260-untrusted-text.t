#!/bin/bash
# Untrusted text is never raw: report messages, config values the API
# returns, and names reach stdout, stderr and results.md with their control
# characters shown escaped (\x1b, \u009b), never sent (lib/sanitize.h).
. "$(dirname "$0")/test-lib.sh"

ESC=$(printf "\033")
C1=$(printf "\302\233") # U+009B, CSI on terminals that take 8-bit controls

# no_raw_controls FILE...: no ESC, BEL, CR or C1 byte pair in any FILE.
no_raw_controls() {
	! grep -l "$ESC\|$(printf "\a")\|$(printf "\r")\|$C1" "$@"
}

test_expect_success 'a report warning with escape sequences: validate and plan show them escaped' '
	plan_workspace ws &&
	write_report ws pass-with-warnings <<-\EOF &&
	connection_findings:
	  - source_id: src_postgres
	    target_name: postgres_app
	    findings:
	      - severity: warning
	        code: UNPATCHABLE_TABLE
	        message: "table \e]0;pwned\a audit_log \e[31mcannot\e[0m be patched\r"
	EOF
	ccapply -C ws validate >validate.out 2>validate.err &&
	test_grep "table \\\\x1b\]0;pwned\\\\x07 audit_log \\\\x1b\[31mcannot" validate.out &&
	no_raw_controls validate.out validate.err &&
	sim_start --seed "$TESTDATA/sim/plan-source.json" &&
	ccapply -C ws plan >plan.out 2>plan.err &&
	test_grep "\\\\x1b\[31mcannot" plan.out &&
	no_raw_controls plan.out plan.err
'

test_expect_success 'apply shows the plan and its warnings escaped, and records results.md' '
	ccapply -C ws apply --auto-approve --ack all >apply.out 2>apply.err &&
	test_grep "\\\\x1b\[31mcannot" apply.out &&
	test_grep "^Apply complete" apply.out &&
	no_raw_controls apply.out apply.err ws/.copy-connections/results.md
'

test_expect_success 'a live config value with a C1 control: the plan shows it escaped' '
	sed "s/\"other.example.com\"/\"other\\\\u009b2J\\\\u001b[0m.example.com\"/" \
		"$TESTDATA/sim/plan-taken.json" >taken.json &&
	test_grep "u009b" taken.json &&
	sim_start --seed taken.json &&
	write_report ws pass &&
	ccapply -C ws plan >plan.out 2>plan.err &&
	test_grep "config.host: plan \"db.internal.example.com\", live \"other\\\\u009b2J\\\\u001b\[0m.example.com\"" plan.out &&
	no_raw_controls plan.out plan.err
'

test_expect_success 'an error message quoting input is escaped on stderr and in --json' '
	printf "schema_version: 1\ndestination: \"\033[2J\"\n" >ws/.copy-connections/copy_plan.yaml &&
	write_report ws pass &&
	test_expect_code 1 ccapply -C ws validate --json >v.json 2>v.err &&
	no_raw_controls v.json v.err
'

test_done
