#!/bin/bash
# ccapply checksum agrees with b2sum -l 256 (SPEC §5), and test-tool blake2b too.
. "$(dirname "$0")/test-lib.sh"

check_file() {
	ccapply checksum "$1" >actual &&
	echo "blake2b-256:$(b2sum -l 256 "$1" | cut -d" " -f1)" >expect &&
	test_cmp expect actual &&
	bin_out=$(test-tool blake2b "$1") &&
	test "$bin_out" = "$(cat expect)"
}

test_expect_success 'empty file' '
	: >empty && check_file empty
'

test_expect_success 'small text file' '
	printf "schema_version: 1\n" >small && check_file small
'

test_expect_success 'file larger than one read chunk' '
	head -c 300000 /dev/urandom >big && check_file big
'

test_expect_success 'default file is the plan under -C DIR' '
	mkdir -p proj/.copy-connections &&
	printf "a: 1\n" >proj/.copy-connections/copy_plan.yaml &&
	ccapply -C proj checksum >actual &&
	echo "blake2b-256:$(b2sum -l 256 proj/.copy-connections/copy_plan.yaml | cut -d" " -f1)" >expect &&
	test_cmp expect actual
'

test_expect_success 'a missing file is an error naming it, exit 1' '
	test_expect_code 1 ccapply checksum nosuch 2>err &&
	test_grep "nosuch" err
'

test_done
