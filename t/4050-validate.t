#!/bin/bash
# ccapply validate: the SPEC §1 gates and nothing else — offline, without
# credentials, nothing written; exit 0 when the inputs pass, 1 when a gate
# refuses, with the same message plan and apply would give.
. "$(dirname "$0")/test-lib.sh"

# Nothing listens on port 1, and no credentials are set (test-lib unsets them):
# a validate that tried the network or needed credentials would fail.
export FIVETRAN_API_URL=http://127.0.0.1:1

test_expect_success 'inputs that pass: exit 0, a summary, nothing written' '
	plan_workspace ws && write_report ws pass &&
	ls -A ws/.copy-connections >before &&
	ccapply -C ws validate >out 2>err &&
	test_grep "^The inputs pass the gates: copy_plan.yaml matches blake2b-256:" out &&
	test_grep "^To copy: connections 3, Quickstart packages 2.$" out &&
	test_line_count = 0 err &&
	ls -A ws/.copy-connections >after &&
	test_cmp before after
'

test_expect_success 'warnings are listed as plan lists them, and still exit 0' '
	write_report ws pass-with-warnings <<-\EOF &&
	acknowledgments_required:
	  - code: NONPORTABLE_FIELD
	    message: time zone differs
	EOF
	ccapply -C ws validate >out &&
	test_grep "^Warnings from the validation report" out &&
	test_grep "^  NONPORTABLE_FIELD: time zone differs$" out
'

test_expect_success 'each gate refuses with exit 1 and the message of plan' '
	mkdir empty &&
	test_expect_code 1 ccapply -C empty validate 2>err &&
	test_grep "Run the scope" err &&
	plan_workspace ws2 &&
	test_expect_code 1 ccapply -C ws2 validate 2>err &&
	test_grep "validate" err &&
	write_report ws2 fail <<-\EOF &&
	destination_findings:
	  - field: region
	    severity: blocking
	    code: REGION_MISMATCH
	    message: regions differ
	EOF
	test_expect_code 1 ccapply -C ws2 validate 2>err &&
	test_grep "REGION_MISMATCH" err &&
	write_report ws2 pass && echo "# edited" >>ws2/.copy-connections/copy_plan.yaml &&
	test_expect_code 1 ccapply -C ws2 validate 2>validate.err &&
	test_grep "has changed since it was validated" validate.err &&
	FIVETRAN_APIKEY=k FIVETRAN_APISECRET=s test_expect_code 1 ccapply -C ws2 plan 2>plan.err &&
	test_cmp plan.err validate.err
'

test_expect_success 'an unknown option is a usage error' '
	test_expect_code 64 ccapply -C ws validate --bogus 2>err &&
	test_grep "validate" err
'

test_done
