#!/bin/bash
# ccapply state list | show | verify | sign, and the keyed MAC of
# CCAPPLY_STATE_KEY: what an auditor sees, every check of verify failing
# for the damage it is meant to find, and the key never in any output.
. "$(dirname "$0")/test-lib.sh"

export CCAPPLY_RETRY_BASE_MS=1
KEY='correct horse battery staple 7f3a'
LOCK=ws/.copy-connections/ccapply.lock
command -v python3 >/dev/null && test_set_prereq PYTHON3

# The keyed BLAKE2b-256 MAC of every line of FILE but the last two, under
# BLAKE2b-512(KEY): the recipe of docs/state-format.md, done independently.
mac_of() {
	python3 -c '
import hashlib, sys
key = hashlib.blake2b(sys.argv[1].encode()).digest()
body = b"".join(open(sys.argv[2], "rb").readlines()[:-2])
print(hashlib.blake2b(body, digest_size=32, key=key).hexdigest())
' "$1" "$2"
}

# An applied workspace: ws/ with every resource created through the simulator.
applied() {
	sim_stop &&
	sim_start --seed "$TESTDATA/sim/plan-source.json" --create-limit none &&
	rm -rf ws && plan_workspace ws && write_report ws pass &&
	ccapply -C ws apply --auto-approve "$@" >apply.out 2>&1
}

# Replace the last two lines (tag and brace) with a recomputed plain digest:
# the forger's move, from docs/state-format.md's recipe.
forge_digest() {
	head -n -2 "$1" >"$1.new" &&
	printf '  "digest": "blake2b-256:%s"\n}\n' \
		"$(head -n -2 "$1" | b2sum -l 256 | cut -d' ' -f1)" >>"$1.new" &&
	mv "$1.new" "$1"
}

# An id the state records for NAME.
id_of() {
	ccapply -C ws state show "$1" --json | sim_json id
}

test_expect_success 'no state file: list, show and verify say so and exit 1' '
	rm -rf ws && plan_workspace ws &&
	test_expect_code 1 ccapply -C ws state list 2>err &&
	test_grep "no state file at ws/.copy-connections/ccapply.lock" err &&
	test_expect_code 1 ccapply -C ws state show postgres_app 2>err &&
	test_grep "no state file" err &&
	test_expect_code 1 ccapply -C ws state verify >out 2>err &&
	test_grep "no state file" err
'

test_expect_success 'usage errors exit 64; --help shows every subcommand' '
	test_expect_code 64 ccapply state 2>err &&
	test_grep "a subcommand is needed" err &&
	test_expect_code 64 ccapply state frobnicate 2>err &&
	test_grep "unknown subcommand .frobnicate." err &&
	test_expect_code 64 ccapply state sign --json 2>err &&
	test_expect_code 64 ccapply state show 2>err &&
	ccapply state --help >out &&
	for sub in "list \[--json\]" "show NAME \[--json\]" "verify \[--json\]" sign; do
		test_grep "ccapply state $sub" out || return 1
	done
'

test_expect_success 'list: one line per resource with kind, name, outcome and id' '
	applied &&
	ccapply -C ws state list >out &&
	test_line_count = 5 out &&
	pg=$(id_of postgres_app) && test -n "$pg" &&
	test_grep "^connection  *postgres_app  *created  *$pg\$" out &&
	test_grep "^transformation  *salesforce  *created  *[a-z_]*\$" out &&
	awk "{print \$1, \$2}" out >names &&
	printf "%s\n" "connection postgres_app" "connection salesforce_prod" \
		"connection stripe_prod" "transformation stripe" "transformation salesforce" \
		>expect &&
	test_cmp expect names
'

test_expect_success 'list --json: the same resources, with the header' '
	ccapply -C ws state list --json >list.json &&
	test "$(sim_json "resources.#" list.json)" = 5 &&
	test "$(sim_json resources.0.name list.json)" = postgres_app &&
	test "$(sim_json resources.0.outcome list.json)" = created &&
	test "$(sim_json resources.0.id list.json)" = "$pg" &&
	test "$(sim_json resources.3.kind list.json)" = transformation &&
	test "$(sim_json target.group_id list.json)" = target_group &&
	test "$(sim_json serial list.json)" = "$(sed -n "s/^  \"serial\": \([0-9]*\),$/\1/p" $LOCK)"
'

test_expect_success 'show: everything recorded about one resource' '
	ccapply -C ws state show postgres_app >out &&
	test_grep "^connection postgres_app$" out &&
	test_grep "^  outcome  *created$" out &&
	test_grep "^  id  *$pg$" out &&
	test_grep "^  recovered  *no$" out &&
	test_grep "^  source_id  *src_postgres$" out &&
	test_grep "^  service  *postgres$" out &&
	test_grep "^  sent_digest  *blake2b-256:[0-9a-f]\{64\}$" out &&
	test_grep "^  error  *-$" out &&
	test_grep "^  dashboard  *https://fivetran.com/dashboard/connections/$pg$" out
'

test_expect_success 'show --json: the entry with the members of the state file' '
	ccapply -C ws state show postgres_app --json >show.json &&
	sim_json "#" show.json >count && echo 10 >expect && test_cmp expect count &&
	test "$(sim_json sent_digest show.json)" = \
		"$(grep -A 8 "\"name\": \"postgres_app\"" $LOCK | sed -n "s/.*\"sent_digest\": \"\(.*\)\",/\1/p")" &&
	test "$(sim_json error show.json)" = null &&
	test "$(sim_json recovered show.json)" = false
'

test_expect_success 'show of a failed resource includes its error' '
	sim_stop &&
	sim_start --seed "$TESTDATA/sim/plan-source.json" --create-limit none \
		--fault "POST /v1/connections#3=400" &&
	rm -rf ws2 && plan_workspace ws2 &&
	write_report ws2 pass &&
	test_expect_code 3 ccapply -C ws2 apply --auto-approve >/dev/null &&
	ccapply -C ws2 state show stripe_prod >out &&
	test_grep "^  outcome  *failed$" out &&
	test_grep "^  error  *HTTP 400 InvalidInput: Injected fault" out &&
	ccapply -C ws2 state show stripe_prod --json >show.json &&
	test "$(sim_json error.http_status show.json)" = 400 &&
	test "$(sim_json error.code show.json)" = InvalidInput &&
	ccapply -C ws2 state show stripe >out &&
	test_grep "^  outcome  *skipped$" out &&
	test_grep "^  reason  *DEPENDENCY_FAILED$" out
'

test_expect_success 'show: an unknown name exits 1 naming it; KIND/NAME works' '
	test_expect_code 1 ccapply -C ws state show no_such_thing >out 2>err &&
	test_grep "no resource named \"no_such_thing\"" err &&
	test_must_fail test -s out &&
	ccapply -C ws state show transformation/stripe >out &&
	test_grep "^transformation stripe$" out
'

test_expect_success 'verify: five checks, all ok, exit 0 (digest mode, no key)' '
	ccapply -C ws state verify >out &&
	test_grep "^integrity: ok (its BLAKE2b-256 digest matches; unkeyed" out &&
	test_grep "^entries: ok (5 resources" out &&
	test_grep "^plan checksum: ok (copy_plan.yaml matches blake2b-256:" out &&
	test_grep "^journal chain: ok (10 lines" out &&
	test_grep "^journal replay: ok" out &&
	test_grep "^verify: all 5 checks passed$" out
'

test_expect_success 'verify --json: the same checks as one JSON object' '
	ccapply -C ws state verify --json >verify.json &&
	test "$(sim_json ok verify.json)" = true &&
	test "$(sim_json checks.# verify.json)" = 5 &&
	test "$(sim_json checks.0.check verify.json)" = integrity &&
	test "$(sim_json checks.4.check verify.json)" = "journal replay" &&
	test "$(sim_json checks.4.ok verify.json)" = true
'

test_expect_success 'verify: one byte of the state changed → integrity FAILED, exit 1' '
	cp $LOCK good.lock &&
	sed -i "s/\"service\": \"postgres\"/\"service\": \"postgreS\"/" $LOCK &&
	! cmp -s good.lock $LOCK &&
	test_expect_code 1 ccapply -C ws state verify >out &&
	test_grep "^integrity: FAILED: digest mismatch: the file was modified outside ccapply" out &&
	test_grep "^entries: ok" out &&
	test_grep "^verify: 1 of 5 checks FAILED$" out &&
	test_expect_code 1 ccapply -C ws state verify --json >verify.json &&
	test "$(sim_json ok verify.json)" = false &&
	test "$(sim_json checks.0.ok verify.json)" = false &&
	test_expect_code 1 ccapply -C ws state list 2>err &&
	test_grep "digest mismatch" err &&
	cp good.lock $LOCK
'

test_expect_success 'verify: a changed plan → plan checksum FAILED, saying they differ' '
	cp ws/.copy-connections/copy_plan.yaml plan.good &&
	echo "# edited after apply" >>ws/.copy-connections/copy_plan.yaml &&
	test_expect_code 1 ccapply -C ws state verify >out &&
	test_grep "^plan checksum: FAILED: copy_plan.yaml has changed since the apply that wrote this state: the state records blake2b-256:[0-9a-f]*, the plan now hashes to blake2b-256:" out &&
	test_grep "^integrity: ok" out &&
	rm ws/.copy-connections/copy_plan.yaml &&
	test_expect_code 1 ccapply -C ws state verify >out &&
	test_grep "^plan checksum: FAILED: .*copy_plan.yaml" out &&
	cp plan.good ws/.copy-connections/copy_plan.yaml &&
	ccapply -C ws state verify >/dev/null
'

test_expect_success 'verify: a forged state (digest recomputed) is caught by the journal' '
	sed -i "0,/\"outcome\": \"created\"/s//\"outcome\": \"already_exists\"/" $LOCK &&
	forge_digest $LOCK &&
	ccapply -C ws state list >out &&
	test_grep "^connection  *postgres_app  *already_exists" out &&
	test_expect_code 1 ccapply -C ws state verify >out &&
	test_grep "^integrity: ok" out &&
	test_grep "^journal replay: FAILED: 1 of the 5 resources the journal covers differ" out &&
	test_grep "^    connection postgres_app: the journal says created, id $pg, HTTP 201 (line 2), the state says already_exists, id $pg$" out &&
	cp good.lock $LOCK
'

# fixture  what list and verify must say (grep -F)
while read -r fixture message; do
	test_expect_success "malformed state $fixture: list and verify exit 1, clearly" "
		cp '$TEST_DIRECTORY/fixtures/state/$fixture' $LOCK &&
		test_expect_code 1 ccapply -C ws state list >out 2>err &&
		test_line_count = 1 err &&
		test_grep -F 'ccapply.lock:' err &&
		test_grep -F '$message' err &&
		test_expect_code 1 ccapply -C ws state verify >out 2>err &&
		test_grep '^entries: FAILED: ' out &&
		test_grep -F '$message' out &&
		test_grep '^plan checksum: FAILED: not checked' out &&
		test_grep 'checks FAILED$' out &&
		test_expect_code 1 ccapply -C ws state show postgres_app 2>err &&
		test_grep -F '$message' err &&
		cp good.lock $LOCK
	"
done <<'EOF'
truncated.lock :21:1: unexpected end of input
version-2.lock unsupported state version 2 (this ccapply reads 1)
nested-error.lock resources[0].error.http_status: expected a number, found an object
huge-serial.lock serial: expected a whole number of at least 1
array.lock not a ccapply state file: the top level is an array
EOF

test_expect_success 'a truncated state: integrity FAILED too, not only entries' '
	head -c 300 good.lock >$LOCK &&
	test_expect_code 1 ccapply -C ws state verify >out &&
	test_grep "^integrity: FAILED: digest: not the last line before the closing brace" out &&
	test_grep "^entries: FAILED: .*truncated" out &&
	cp good.lock $LOCK
'

# ---- the keyed MAC ----------------------------------------------------------

test_expect_success 'with CCAPPLY_STATE_KEY, apply writes a MAC instead of a digest' '
	CCAPPLY_STATE_KEY=$KEY applied --json &&
	tail -n 2 $LOCK | head -n 1 >tagline &&
	test_grep "^  \"mac\": \"blake2b-256-keyed:[0-9a-f]\{64\}\"$" tagline &&
	test_grep ! "\"digest\"" $LOCK &&
	cp $LOCK mac.lock &&
	CCAPPLY_STATE_KEY=$KEY ccapply -C ws state verify >out &&
	test_grep "^integrity: ok (its keyed BLAKE2b-256 MAC matches" out &&
	test_grep "^verify: all 5 checks passed$" out
'

test_expect_success PYTHON3 'the MAC is keyed BLAKE2b-256 under BLAKE2b-512(key) (documented recipe)' '
	mac_of "$KEY" $LOCK >expect &&
	sed -n "s/^  \"mac\": \"blake2b-256-keyed:\([0-9a-f]*\)\"$/\1/p" $LOCK >actual &&
	test_cmp expect actual
'

test_expect_success 'MAC mode round trip: a re-run with the key changes nothing' '
	CCAPPLY_STATE_KEY=$KEY ccapply -C ws apply --auto-approve >out &&
	cmp mac.lock $LOCK &&
	CCAPPLY_STATE_KEY=$KEY ccapply -C ws state list >out &&
	test_line_count = 5 out
'

test_expect_success 'one byte changed under a MAC → FAILED, without showing a valid MAC' '
	sed -i "s/\"service\": \"postgres\"/\"service\": \"postgreS\"/" $LOCK &&
	CCAPPLY_STATE_KEY=$KEY test_expect_code 1 ccapply -C ws state verify >out &&
	test_grep "^integrity: FAILED: MAC mismatch: the file was changed without the key" out &&
	CCAPPLY_STATE_KEY=$KEY test_expect_code 1 ccapply -C ws state list >>out 2>&1 &&
	CCAPPLY_STATE_KEY=$KEY test_expect_code 1 ccapply -C ws apply --auto-approve >>out 2>&1 &&
	test_grep ! "blake2b-256-keyed:" out
'

test_expect_success PYTHON3 'no output ever shows the MAC the edited file would need' '
	mac_of "$KEY" $LOCK >needed &&
	test_line_count = 1 needed &&
	test_grep ! -F -f needed out
'

test_expect_success 'a plain digest recomputed over the edit is refused when a key is set' '
	forge_digest $LOCK &&
	ccapply -C ws state list >/dev/null &&
	CCAPPLY_STATE_KEY=$KEY test_expect_code 1 ccapply -C ws state verify >out &&
	test_grep "^integrity: FAILED: the file carries a plain digest, not a MAC, although CCAPPLY_STATE_KEY is set: it is unauthenticated" out &&
	cp $LOCK forged.lock &&
	CCAPPLY_STATE_KEY=$KEY test_expect_code 1 ccapply -C ws apply --auto-approve >out 2>err &&
	test_grep "unauthenticated" err &&
	cmp forged.lock $LOCK &&
	cp mac.lock $LOCK
'

test_expect_success 'a wrong key fails; so does no key at all' '
	CCAPPLY_STATE_KEY="not the key" test_expect_code 1 ccapply -C ws state verify >out &&
	test_grep "^integrity: FAILED: MAC mismatch" out &&
	test_expect_code 1 ccapply -C ws state verify >out &&
	test_grep "^integrity: FAILED: the file carries a keyed MAC (\"mac\"), and CCAPPLY_STATE_KEY is not set" out &&
	test_expect_code 1 ccapply -C ws state list 2>err &&
	test_grep "CCAPPLY_STATE_KEY is not set" err
'

test_expect_success 'apply without the key refuses to overwrite a MAC file' '
	test_expect_code 1 ccapply -C ws apply --auto-approve >out 2>err &&
	test_grep "CCAPPLY_STATE_KEY is not set" err &&
	test_grep "will not overwrite a state file it cannot trust" err &&
	cmp mac.lock $LOCK &&
	CCAPPLY_STATE_KEY="wrong" test_expect_code 1 ccapply -C ws apply --auto-approve 2>err &&
	test_grep "MAC mismatch" err &&
	cmp mac.lock $LOCK
'

test_expect_success 'an empty CCAPPLY_STATE_KEY is an error, not "no key"' '
	CCAPPLY_STATE_KEY= test_expect_code 1 ccapply -C ws state verify 2>err &&
	test_grep "CCAPPLY_STATE_KEY is set but empty" err &&
	CCAPPLY_STATE_KEY= test_expect_code 1 ccapply -C ws apply --auto-approve 2>err &&
	test_grep "CCAPPLY_STATE_KEY is set but empty" err &&
	cmp mac.lock $LOCK
'

test_expect_success 'state sign: a digest file put under the key, then rotated' '
	applied &&
	test_expect_code 1 ccapply -C ws state sign 2>err &&
	test_grep "CCAPPLY_STATE_KEY is not set" err &&
	CCAPPLY_STATE_KEY=$KEY ccapply -C ws state sign >out &&
	test_grep "is now signed with the key in CCAPPLY_STATE_KEY" out &&
	CCAPPLY_STATE_KEY=$KEY ccapply -C ws state verify >out &&
	test_grep "^integrity: ok (its keyed" out &&
	CCAPPLY_STATE_KEY=$KEY ccapply -C ws state sign >out &&
	test_grep "already signed" out &&
	CCAPPLY_STATE_KEY=new-key test_expect_code 1 ccapply -C ws state sign 2>err &&
	test_grep "signed with another key: set CCAPPLY_STATE_OLD_KEY" err &&
	CCAPPLY_STATE_OLD_KEY=$KEY CCAPPLY_STATE_KEY=new-key ccapply -C ws state sign >out &&
	CCAPPLY_STATE_KEY=new-key ccapply -C ws state verify >out &&
	test_grep "^verify: all 5 checks passed$" out &&
	CCAPPLY_STATE_KEY=$KEY test_expect_code 1 ccapply -C ws state verify >/dev/null
'

test_expect_success 'the key never appears in any output or file' '
	for f in apply.out out err ws/.copy-connections/*; do
		test_grep ! -F "$KEY" "$f" || return 1
		test_grep ! -F "new-key" "$f" || return 1
	done &&
	CCAPPLY_STATE_KEY=$KEY ccapply --debug -C ws state verify >out 2>&1;
	test_grep ! -F "$KEY" out
'

test_done
