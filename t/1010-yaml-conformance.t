#!/bin/bash
# YAML loader against the yaml-test-suite cases in $TESTDATA/conformance/yaml
# (vendored, see its README; SPEC §1): each in.json case must load as that JSON value; each error case
# must be refused cleanly (exit 1, not a crash or a hang) with a message that
# names in.yaml:LINE:COL.
. "$(dirname "$0")/test-lib.sh"

CASES="$TESTDATA/conformance/yaml"

# The test-tool subcommands themselves.
test_expect_success 'yaml2json: a missing file is exit 1 naming it' '
	test_expect_code 1 test-tool yaml2json nosuch.yaml 2>err &&
	test_grep "nosuch.yaml" err
'

test_expect_success 'yaml-load-discard leaves out the named key at that depth only' '
	printf "a: 1\nc:\n  - {schema_config: {t: [1]}, x: 2}\nschema_config: 3\n" >plan.yaml &&
	test-tool yaml-load-discard plan.yaml schema_config 2 >actual &&
	echo "{\"a\":1,\"c\":[{\"x\":2}],\"schema_config\":3}" >expect &&
	test_cmp expect actual
'

test_expect_success 'yaml-load-discard still reports errors inside the discarded value' '
	printf "c:\n  - schema_config: {t: .nan}\n" >bad.yaml &&
	test_expect_code 1 test-tool yaml-load-discard bad.yaml schema_config 2 2>err &&
	test_grep "^bad.yaml:2:24: " err
'


for dir in "$CASES"/*/; do
	name=$(basename "$dir")
	if [ -f "$dir/in.json" ]; then
		test_expect_success "$name loads as in.json" '
			timeout 10 test-tool yaml2json "'"$dir"'in.yaml" >actual &&
			test-tool json-equal "'"$dir"'in.json" actual
		'
	elif [ -f "$dir/error" ]; then
		test_expect_success "$name is refused with a position" '
			test_expect_code 1 timeout 10 test-tool yaml2json "'"$dir"'in.yaml" 2>err &&
			test_grep -E "in\.yaml:[0-9]+:[0-9]+: " err
		'
	fi
done

test_done
