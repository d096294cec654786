#!/bin/bash
# The binaries exist, answer --version, and refuse what they do not know.
. "$(dirname "$0")/test-lib.sh"

test_expect_success 'version prints the version' '
	ccapply version >out &&
	test_grep "^ccapply [0-9][0-9.]*$" out
'

test_expect_success 'an unknown command is a usage error naming it' '
	test_expect_code 64 ccapply frobnicate 2>err &&
	test_grep "frobnicate" err
'

test_expect_success 'an unknown global option is a usage error' '
	test_expect_code 64 ccapply --frob plan 2>err &&
	test_grep "unknown option .--frob." err
'

test_done
