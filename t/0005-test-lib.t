#!/bin/bash
# t/test-lib.sh itself: a skip is a skip on a developer's machine, and a failure
# naming what was missing under CI=true, where nothing may skip.
. "$(dirname "$0")/test-lib.sh"

# A copy of the library in a tree of its own, and two scripts over it: one whose
# point needs a prerequisite nobody set, one that skips whole.
mkdir -p fake/t && cp "$TEST_DIRECTORY/test-lib.sh" fake/t/ &&
cat >fake/t/1-prereq.t <<'SCRIPT'
. "$(dirname "$0")/test-lib.sh"
test_expect_success 'runs' 'true'
test_expect_success NOSUCHTOOL 'needs a tool' 'true'
test_done
SCRIPT
cat >fake/t/2-all.t <<'SCRIPT'
. "$(dirname "$0")/test-lib.sh"
test_skip_all "frobnicator is not installed"
SCRIPT

test_expect_success 'outside CI a missing prerequisite skips the point, and the script passes' '
	env -u CI bash fake/t/1-prereq.t >out &&
	test_grep "^ok 2 # SKIP needs a tool (missing prerequisite NOSUCHTOOL)$" out &&
	CI=false bash fake/t/1-prereq.t >out &&
	test_grep "# SKIP" out
'

test_expect_success 'under CI=true the same point fails, naming the prerequisite' '
	test_expect_code 1 env CI=true bash fake/t/1-prereq.t >out &&
	test_grep "^ok 1 - runs$" out &&
	test_grep "^not ok 2 - needs a tool # would skip (missing prerequisite NOSUCHTOOL)" out &&
	test_grep ! "# SKIP" out
'

test_expect_success 'outside CI a script may skip whole; under CI=true that fails' '
	env -u CI bash fake/t/2-all.t >out &&
	test_grep "^1..0 # SKIP frobnicator is not installed$" out &&
	test_expect_code 1 env CI=true bash fake/t/2-all.t >out &&
	test_grep "^not ok 1 - 2-all would skip (frobnicator is not installed)" out &&
	test_grep "^1..1$" out
'

test_done
