#!/bin/bash
# FIVETRAN_ALLOW_WRITES is parsed strictly (SPEC §3): unset, true/1/yes let
# apply write; false/0/no refuse before any request that writes; anything
# else, the empty string included, is an error naming the accepted values,
# and nothing is written: no request to Fivetran, no results.md, no lock.
. "$(dirname "$0")/test-lib.sh"

export CCAPPLY_RETRY_BASE_MS=1

for v in fals off on enabled "" " true" "yes please"; do
	test_expect_success "FIVETRAN_ALLOW_WRITES='$v' is an error; nothing is written" '
		fresh &&
		FIVETRAN_ALLOW_WRITES="'"$v"'" test_expect_code 1 \
			ccapply -C ws apply --auto-approve >out 2>err &&
		test_grep "FIVETRAN_ALLOW_WRITES is \"'"$v"'\"" err &&
		test_grep "true, 1 or yes" err &&
		test_grep "false, 0 or no" err &&
		test "$(posts)" -eq 0 &&
		test ! -e ws/.copy-connections/results.md &&
		test ! -e ws/.copy-connections/ccapply.lock
	'
done

test_expect_success 'with --json the refusal is the error object on stdout' '
	FIVETRAN_ALLOW_WRITES=off test_expect_code 1 \
		ccapply -C ws apply --auto-approve --json >out 2>err &&
	test_line_count = 1 out &&
	test "$(sim_json error.code out)" = writes_policy_invalid
'

for v in false 0 no NO False; do
	test_expect_success "FIVETRAN_ALLOW_WRITES=$v refuses before any write" '
		fresh &&
		FIVETRAN_ALLOW_WRITES='"$v"' test_expect_code 1 \
			ccapply -C ws apply --auto-approve >out 2>err &&
		test_grep "apply refuses to write" err &&
		test "$(posts)" -eq 0
	'
done

for v in true 1 yes YES; do
	test_expect_success "FIVETRAN_ALLOW_WRITES=$v lets apply write" '
		fresh &&
		FIVETRAN_ALLOW_WRITES='"$v"' ccapply -C ws apply --auto-approve >out &&
		test_grep "^Apply complete: 5 created" out
	'
done

test_expect_success 'unset lets apply write' '
	fresh &&
	(unset FIVETRAN_ALLOW_WRITES && ccapply -C ws apply --auto-approve >out) &&
	test_grep "^Apply complete: 5 created" out
'

test_done
