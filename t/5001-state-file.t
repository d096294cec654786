#!/bin/bash
# The state file (ccapply.lock) seen from outside, as an auditor sees it:
# the digest recipe of docs/state-format.md recomputed with b2sum, byte-
# identical rewrites, serial and lineage, and hostile files refused cleanly.
. "$(dirname "$0")/test-lib.sh"

FIXTURES="$TEST_DIRECTORY/fixtures/state"

# The digest the file records, without its prefix.
recorded_digest() {
	sed -n 's/^  "digest": "blake2b-256:\([0-9a-f]*\)"$/\1/p' "$1"
}

test_expect_success 'first save writes serial 1 with a random lineage' '
	test-tool state-example ccapply.lock >out &&
	test_grep "^written serial 1 lineage [0-9a-f]\{32\}$" out &&
	lineage=$(sed "s/.* lineage //" out) &&
	test_grep "^  \"lineage\": \"$lineage\",$" ccapply.lock
'

test_expect_success 'the digest is b2sum -l 256 of every line but the last two' '
	head -n -2 ccapply.lock | b2sum -l 256 | cut -d" " -f1 >expect &&
	recorded_digest ccapply.lock >actual &&
	test_line_count = 1 actual &&
	test_cmp expect actual
'

test_expect_success 'equivalently: of the lines before the digest member' '
	sed "/^  \"digest\": /,\$d" ccapply.lock | b2sum -l 256 | cut -d" " -f1 >expect &&
	recorded_digest ccapply.lock >actual &&
	test_cmp expect actual
'

test_expect_success 'the file is 2-space pretty JSON ending in a newline, digest last' '
	test-tool json-parse ccapply.lock &&
	test "$(tail -c 2 ccapply.lock | od -An -c | tr -d " ")" = "}\\n" &&
	tail -n 2 ccapply.lock | head -n 1 | grep "^  \"digest\": \"blake2b-256:" &&
	head -n 3 ccapply.lock >top &&
	printf "{\n  \"version\": 1,\n  \"lineage\": \"%s\",\n" "$lineage" >expect &&
	test_cmp expect top
'

test_expect_success 'loading and rendering again gives the same bytes' '
	test-tool state-load ccapply.lock >rendered &&
	test_cmp ccapply.lock rendered
'

test_expect_success 'saving the same content again leaves the file byte-identical' '
	cp ccapply.lock before &&
	test-tool state-example ccapply.lock >out &&
	echo "unchanged serial 1 lineage $lineage" >expect &&
	test_cmp expect out &&
	cmp before ccapply.lock
'

test_expect_success 'a changed outcome bumps the serial and keeps the lineage' '
	test-tool state-example ccapply.lock stripe_raw=created >out &&
	echo "written serial 2 lineage $lineage" >expect &&
	test_cmp expect out &&
	test_grep "^  \"serial\": 2,$" ccapply.lock &&
	head -n -2 ccapply.lock | b2sum -l 256 | cut -d" " -f1 >expect &&
	recorded_digest ccapply.lock >actual &&
	test_cmp expect actual
'

test_expect_success 'changing it back is a change too (serial 3)' '
	test-tool state-example ccapply.lock >out &&
	echo "written serial 3 lineage $lineage" >expect &&
	test_cmp expect out
'

test_expect_success 'an edit made outside ccapply is detected' '
	sed "s/\"conn_new_1\"/\"conn_new_2\"/" ccapply.lock >edited.lock &&
	! cmp -s ccapply.lock edited.lock &&
	test_must_fail test-tool state-load edited.lock 2>err &&
	test_grep "^edited.lock: digest mismatch: the file was modified outside ccapply" err &&
	test_grep "move it away and re-run .ccapply apply." err
'

test_expect_success 'and save refuses to overwrite it' '
	cp edited.lock kept.lock &&
	test_must_fail test-tool state-example edited.lock 2>err &&
	test_grep "cannot update the state: edited.lock: digest mismatch" err &&
	cmp kept.lock edited.lock
'

test_expect_success 'the recipe is complete: recomputing it with b2sum makes an edit load' '
	head -n -2 edited.lock >forged.lock &&
	printf "  \"digest\": \"blake2b-256:%s\"\n}\n" \
		"$(head -n -2 edited.lock | b2sum -l 256 | cut -d" " -f1)" >>forged.lock &&
	test-tool state-load forged.lock >rendered &&
	test_cmp forged.lock rendered
'

test_expect_success 'a missing file is not an error for the loader' '
	test_expect_code 3 test-tool state-load no-such.lock 2>err &&
	test_grep "no such file" err
'

test_expect_success 'a very long value round-trips' '
	long=$(head -c 300000 /dev/zero | tr "\0" "x") &&
	printf "s/\"conn_new_1\"/\"%s\"/\n" "$long" >long.sed &&
	sed -f long.sed ccapply.lock >long.lock &&
	test $(wc -c <long.lock) -gt 300000 &&
	head -n -2 long.lock >long2.lock &&
	printf "  \"digest\": \"blake2b-256:%s\"\n}\n" \
		"$(head -n -2 long.lock | b2sum -l 256 | cut -d" " -f1)" >>long2.lock &&
	test-tool state-load long2.lock >rendered &&
	test_cmp long2.lock rendered
'

test_expect_success 'the example in docs/state-format.md is a valid state file' '
	sed -n "/^\`\`\`json\$/,/^\`\`\`\$/p" "$REPO/docs/state-format.md" >block &&
	sed "1d;\$d" block >doc.lock &&
	test_line_count -gt 50 doc.lock &&
	test-tool state-load doc.lock >rendered &&
	test_cmp doc.lock rendered
'

# fixture  expected message (grep -F)
while read -r fixture message; do
	test_expect_success "hostile file $fixture is refused cleanly" "
		test_must_fail test-tool state-load '$FIXTURES/$fixture' 2>err &&
		test_line_count = 1 err &&
		test_grep -F '$fixture:' err &&
		test_grep -F '$message' err
	"
done <<'EOF'
array.lock not a ccapply state file: the top level is an array
binary.lock :1:1: unexpected control character
bom.lock :1:1: a byte order mark
crlf.lock digest: not the last line before the closing brace
deep-nesting.lock nesting is deeper than 512 levels
digest-mismatch.lock digest mismatch: the file was modified outside ccapply
empty.lock no JSON value (the input is empty); the file looks truncated
escape-in-outcome.lock found "created\u001b[31m"
huge-serial.lock serial: expected a whole number of at least 1, found 1e999999
nested-error.lock resources[0].error.http_status: expected a number, found an object
not-utf8.lock :20:25: invalid UTF-8
nul-byte.lock unexpected control character U+0000
truncated.lock :21:1: unexpected end of input
version-2.lock unsupported state version 2 (this ccapply reads 1)
EOF

HOSTILE="$TESTDATA/hostile/state"

test_expect_success 'bytes that are not JSON are not called truncated' '
	test_must_fail test-tool state-load "$HOSTILE/binary-garbage.lock" 2>err &&
	test_grep ":1:1: .*this is not a ccapply state file (not JSON" err &&
	test_grep ! "truncated" err
'

test_expect_success 'a misplaced tag line shows the member as ccapply writes it' '
	test_must_fail test-tool state-load "$HOSTILE/truncated-last-byte.lock" 2>err &&
	test_grep -F "(as \"digest\": \"blake2b-256:<64 hex>\")" err
'

test_expect_success 'a plan checksum of no accepted form is refused, digest or not' '
	test_must_fail test-tool state-load "$HOSTILE/type-plan-checksum-bad-form.lock" 2>err &&
	test_grep ":5:20: plan_checksum: expected one of blake2b-256:<64 hex" err &&
	test_grep -F "found \"md5:" err
'

test_expect_success 'the accepted forms load: sha256 and blake2b-512 too' '
	for form in "sha256:$(printf "%064d" 0)" "blake2b-512:$(printf "%0128d" 7)"; do
		sed "s/^  \"plan_checksum\": .*/  \"plan_checksum\": \"$form\",/" \
			ccapply.lock >form.lock &&
		head -n -2 form.lock >sealed.lock &&
		printf "  \"digest\": \"blake2b-256:%s\"\n}\n" \
			"$(head -n -2 form.lock | b2sum -l 256 | cut -d" " -f1)" >>sealed.lock &&
		test-tool state-load sealed.lock >rendered &&
		test_cmp sealed.lock rendered || return 1
	done
'

test_expect_success 'every fixture is covered above' '
	ls "$FIXTURES" | grep "\.lock$" | wc -l >count &&
	echo 14 >expect &&
	test_cmp expect count
'

test_done
