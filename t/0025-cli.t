#!/bin/bash
# The command line behaves like git's: usage errors say what is wrong (a
# missing value is not an unknown option) and suggest the nearest command or
# option; -C DIR works like git -C, relative paths in arguments included, and
# a missing DIR says so; --ack repeats and accumulates.
. "$(dirname "$0")/test-lib.sh"

test_expect_success 'an unknown command suggests the nearest one' '
	test_expect_code 64 ccapply aply 2>err &&
	test_grep "'"'"'aply'"'"' is not a ccapply command; did you mean '"'"'apply'"'"'?" err &&
	test_expect_code 64 ccapply plna 2>err &&
	test_grep "did you mean '"'"'plan'"'"'?" err &&
	test_expect_code 64 ccapply state lsit 2>err &&
	test_grep "state: unknown subcommand '"'"'lsit'"'"'; did you mean '"'"'list'"'"'?" err &&
	test_expect_code 64 ccapply frobnicate 2>err &&
	test_grep ! "did you mean" err &&
	test_grep "see '"'"'ccapply help'"'"'" err
'

test_expect_success 'an unknown option suggests the nearest one' '
	test_expect_code 64 ccapply plan --jsn 2>err &&
	test_grep "plan: unknown option '"'"'--jsn'"'"'; did you mean '"'"'--json'"'"'?" err &&
	test_grep "^usage: ccapply plan " err &&
	test_expect_code 64 ccapply apply --auto-aprove 2>err &&
	test_grep "did you mean '"'"'--auto-approve'"'"'?" err &&
	test_expect_code 64 ccapply --api-ur x plan 2>err &&
	test_grep "did you mean '"'"'--api-url'"'"'?" err &&
	test_expect_code 64 ccapply plan --zzzzzzzz 2>err &&
	test_grep ! "did you mean" err
'

test_expect_success 'a missing option value says so' '
	test_expect_code 64 ccapply plan --out 2>err &&
	test_grep "option '"'"'--out'"'"' needs a value" err &&
	test_grep ! "unknown option" err &&
	test_expect_code 64 ccapply apply --create-rate 2>err &&
	test_grep "option '"'"'--create-rate'"'"' needs a value" err &&
	test_expect_code 64 ccapply -C 2>err &&
	test_grep "option '"'"'-C'"'"' needs a value" err &&
	test_expect_code 64 ccapply plan --json=yes 2>err &&
	test_grep "option '"'"'--json'"'"' takes no value" err
'

test_expect_success 'a missing -C DIR says so, whatever the command' '
	test_expect_code 1 ccapply -C /no/such/dir plan 2>err &&
	test_grep "cannot change to '"'"'/no/such/dir'"'"': No such file or directory" err &&
	test_grep ! "scope" err &&
	test_expect_code 1 ccapply -C /no/such/dir validate 2>err &&
	test_grep "cannot change to" err &&
	: >file &&
	test_expect_code 1 ccapply -C file checksum 2>err &&
	test_grep "Not a directory" err &&
	test_expect_code 1 ccapply -C /no/such/dir status --json >out 2>err &&
	test "$(sim_json error.code out)" = directory_missing
'

test_expect_success '-C DIR: checksum FILE is read inside DIR, as git -C does' '
	plan_workspace ws && write_report ws pass &&
	cp ws/.copy-connections/copy_plan.yaml ws/plan-copy.yaml &&
	ccapply -C ws checksum plan-copy.yaml >sum &&
	ccapply checksum ws/plan-copy.yaml >expect &&
	test_cmp expect sum &&
	ccapply -C ws checksum "$TRASH/ws/plan-copy.yaml" >sum &&
	test_cmp expect sum
'

test_expect_success '-C DIR: plan --out FILE, show FILE and apply FILE are inside DIR' '
	sim_start --seed "$TESTDATA/sim/plan-source.json" --create-limit none &&
	ccapply -C ws plan --out p.out >out &&
	test -f ws/p.out &&
	test ! -e p.out &&
	ccapply -C ws show p.out >shown &&
	test_cmp out shown &&
	ccapply -C ws plan --out=q.out >/dev/null &&
	test -f ws/q.out &&
	ccapply -C ws apply p.out --auto-approve >applied &&
	test_grep "^Apply complete: 5 created" applied
'

test_expect_success '--ack repeats and accumulates' '
	rm -rf ws2 && plan_workspace ws2 &&
	write_report_warnings ws2 &&
	ccapply -C ws2 apply --auto-approve --ack UNPATCHABLE_TABLE \
		--ack NONPORTABLE_FIELD >out &&
	tr -d " \n" <ws2/.copy-connections/ccapply.lock |
		grep -q "\"acknowledged\":\[\"NONPORTABLE_FIELD\",\"UNPATCHABLE_TABLE\"\]"
'

test_expect_success 'a connection error gives the attempts and the real time spent' '
	CCAPPLY_MAX_RETRIES=2 CCAPPLY_RETRY_BASE_MS=1 FIVETRAN_APIKEY=k FIVETRAN_APISECRET=s \
		test_expect_code 1 ccapply --api-url http://127.0.0.1:1 -C ws plan 2>err &&
	test_grep -E "gave up after 3 attempts in [0-9]+\.[0-9] s\)" err
'

test_expect_success 'ccapply COMMAND --help and ccapply help COMMAND agree for every command' '
	for c in $(ccapply help | awk "/^Commands:/ { on = 1; next } on && /^\$/ { exit }
			on { print \$1 }"); do
		ccapply help $c >a && ccapply $c --help >b && test_cmp a b || return 1
	done
'

test_done
