#!/bin/bash
# What a killed apply leaves in .copy-connections besides its outputs: the
# atomic writer's temporary files (ccapply.lock.tmp.PID, results.md.tmp.PID),
# written and renamed after every resource, stay behind when kill -9 lands
# between the two. The next apply, once it holds the apply lock, removes
# those of processes that are gone, and nothing else; and its own writes
# leave none.
. "$(dirname "$0")/test-lib.sh"

export CCAPPLY_RETRY_BASE_MS=1

# A pid that is not running: a shell that has exited.
gone_pid() {
	sh -c 'echo $$'
}

test_expect_success 'setup: a workspace with the leftovers of a killed apply' '
	fresh &&
	dead=$(gone_pid) &&
	! kill -0 "$dead" 2>/dev/null &&
	dir=ws/.copy-connections &&
	echo "{ partial" >$dir/ccapply.lock.tmp.$dead &&
	echo "# partial" >$dir/results.md.tmp.$dead &&
	echo "# being written" >$dir/results.md.tmp.$$ &&
	echo "keep me" >$dir/notes.tmp.txt
'

test_expect_success 'apply removes the gone process'"'"'s temporary files' '
	ccapply -C ws apply --auto-approve >out &&
	test_grep "^Apply complete: 5 created" out &&
	! test -e $dir/ccapply.lock.tmp.$dead &&
	! test -e $dir/results.md.tmp.$dead
'

test_expect_success 'and keeps a running process'"'"'s, and names that only look alike' '
	test -f $dir/results.md.tmp.$$ &&
	test -f $dir/notes.tmp.txt
'

test_expect_success 'its own writes leave no temporary file behind' '
	rm $dir/results.md.tmp.$$ &&
	ls -A $dir >files &&
	test_grep ! "\.tmp\.[0-9]" files &&
	test-tool state-load $dir/ccapply.lock >/dev/null
'

test_done
