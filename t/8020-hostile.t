#!/bin/bash
# The hostile-input corpus (testdata/hostile/): plans, validation reports,
# state files and API response bodies that are each wrong in one way. Every
# one must be refused with a clear error — exit 1, a message that names the
# file (or the endpoint) and says what is wrong (the MANIFEST's pattern:
# line:column for parse errors), of a sane length — never a crash or a
# sanitizer report, never a write: no request at all for a bad plan or report
# (the gates come first), no POST and an untouched ccapply.lock for a bad
# state file or API answer.
#
# Plans and reports go through `ccapply plan` and `ccapply apply` in a
# workspace whose other file is valid (a report signing the plan's exact
# bytes, so the point is the content); state files through `apply`, `state
# list`, `state verify`, `status` and `test-tool state-load`; API bodies
# through `test-tool api` and, for the reads plan depends on, `ccapply plan`
# and `apply`, served by testdata/hostile/serve.pl, which answers with any
# bytes at all — and none of them (some echo the API key, the secret or their
# Basic encoding in an error's code, message or a proxy's page) gets a
# credential into anything ccapply writes. The base/ files, from which every
# case is one edit away, must pass, so each refusal is the edit's doing.
. "$(dirname "$0")/test-lib.sh"

HOSTILE=$TESTDATA/hostile
SAFE_MESSAGE_BYTES=4096

export CCAPPLY_RETRY_BASE_MS=1 CCAPPLY_MAX_RETRIES=1 CCAPPLY_TIMEOUT_MS=10000

# The cases of one kind (plans, reports, state, api): "PATH<TAB>REGEX" lines
# from the generated and the hand-written manifest.
cases() {
	grep -hv '^#' "$HOSTILE/MANIFEST" "$HOSTILE/MANIFEST.hand" | grep -E "^(hand/)?$1/"
}

# check_refusal STATUS ERRFILE NAME REGEX — the command behind ERRFILE exited
# STATUS: it must be 1, without a sanitizer report, and ERRFILE must name the
# file or endpoint (NAME, grep -E) and match REGEX (grep -E), in at most
# SAFE_MESSAGE_BYTES.
check_refusal() {
	local status=$1 err=$2 name=$3 regex=$4
	if grep -q "Sanitizer\|runtime error:\|valgrind\|==[0-9]*==" "$err"; then
		echo "a sanitizer or valgrind report:"; head -n 40 "$err"; return 1
	fi
	if [ "$status" -ne 1 ]; then
		echo "exit $status, expected 1; stderr:"; head -c 2000 "$err"; echo; return 1
	fi
	if ! grep -qE -- "$name" "$err"; then
		echo "the message does not name $name:"; head -c 2000 "$err"; echo; return 1
	fi
	if ! grep -qE -- "$regex" "$err"; then
		echo "the message does not match /$regex/:"; head -c 2000 "$err"; echo; return 1
	fi
	if [ "$(wc -c <"$err")" -gt $SAFE_MESSAGE_BYTES ]; then
		echo "a $(wc -c <"$err")-byte message:"; head -c 2000 "$err"; echo; return 1
	fi
}

sim_request_count() {
	sim_requests | grep -c '"method":' || true
}

# No bad plan, report or state file may get as far as a request: checked
# once after each kind, the simulator's log must hold only the $baseline
# requests of the control run in the setup.
no_request_sent() {
	local n
	n=$(sim_request_count)
	if [ "$n" -ne "$baseline" ]; then
		echo "$((n - baseline)) requests were sent:"
		sim_requests | grep '"method"\|"path"\|"body"' | tail -n 30
		return 1
	fi
}

# A workspace with the base plan and a report that signs it (a copy of the
# one the setup makes).
base_workspace() {
	rm -rf "$1" && cp -R base-ws "$1"
}

# Only apply may leave something in .copy-connections beyond the two inputs
# (results.md, saying why it refused); never a state file or a journal.
check_no_state_written() {
	local dir=$1/.copy-connections
	if [ -e "$dir/ccapply.lock" ] || [ -e "$dir/ccapply.journal" ]; then
		echo "a state file or journal was written:"; ls -la "$1/.copy-connections"; return 1
	fi
	if [ -e "$1/.copy-connections/results.md" ] &&
	   ! grep -q "refused" "$1/.copy-connections/results.md"; then
		echo "results.md written, but it does not say the apply was refused:"
		cat "$1/.copy-connections/results.md"; return 1
	fi
}

# run_all KIND FUNCTION — FUNCTION PATH REGEX for every case of KIND; a
# failure is reported with the case's path, and the rest still run.
run_all() {
	local kind=$1 fn=$2 path regex failed=0 n=0
	while IFS=$'\t' read -r path regex; do
		n=$((n + 1))
		if ! "$fn" "$HOSTILE/$path" "$regex" >case.log 2>&1 </dev/null; then
			echo "--- $path"
			cat case.log
			failed=$((failed + 1))
		fi
	done < <(cases "$kind")
	echo "$n $kind cases, $failed failed"
	[ $n -gt 0 ] && [ $failed -eq 0 ]
}

test_expect_success 'the corpus has at least 150 files, each in a manifest' '
	(cd "$HOSTILE" && find plans reports state api hand -type f | sort) >files &&
	grep -hv "^#" "$HOSTILE/MANIFEST" "$HOSTILE/MANIFEST.hand" |
		cut -f1 | sort >listed &&
	test_cmp files listed &&
	test "$(cases "(plans|reports|state|api)" | wc -l)" -ge 150 &&
	for kind in plans reports state api; do
		test "$(cases $kind | wc -l)" -ge 10 || return 1
	done
'

test_expect_success 'setup: the simulator, and the base files pass' '
	sim_start --seed "$TESTDATA/sim/plan-source.json" --create-limit none &&
	plan_workspace base-ws "$HOSTILE/base/copy_plan.yaml" && write_report base-ws pass &&
	base_workspace ws &&
	ccapply -C ws plan >out &&
	test_grep "^Plan: 5 to create" out &&
	baseline=$(sim_request_count) &&
	test "$baseline" -gt 0 &&
	cp "$HOSTILE/base/ccapply.lock" ws/.copy-connections/ccapply.lock &&
	test-tool state-load ws/.copy-connections/ccapply.lock >/dev/null &&
	ccapply -C ws state list >out &&
	test_grep "postgres_app" out &&
	for f in "$HOSTILE"/base/api/*.json; do test-tool json-parse "$f" || return 1; done
'

# --- plans and reports -------------------------------------------------------

# A bad input file: plan and apply refuse it before any request, write
# nothing but apply's refusal in results.md.
refuse_input() {
	local name=$1 file=$2 regex=$3 status
	case ${file##*/} in
	ack-*)	;; # warnings to acknowledge: only apply refuses
	*)	ccapply -C ws plan >out 2>err
		status=$?
		check_refusal $status err "$name" "$regex" || return 1
		if [ "$(ls ws/.copy-connections | wc -l)" -ne 2 ]; then
			echo "plan wrote into .copy-connections:"; ls ws/.copy-connections; return 1
		fi ;;
	esac
	ccapply -C ws apply --auto-approve >out 2>err
	status=$?
	check_refusal $status err "$name" "$regex" &&
	check_no_state_written ws
}

hostile_plan() {
	rm -rf ws && plan_workspace ws "$1" && write_report ws pass &&
	refuse_input 'copy_plan\.yaml' "$1" "$2"
}

hostile_report() {
	base_workspace ws &&
	cp "$1" ws/.copy-connections/validation_report.yaml &&
	# A checksum mismatch is about the plan file; warnings about the report.
	refuse_input 'validation_report\.yaml|copy_plan\.yaml|validation report' "$1" "$2"
}

test_expect_success 'hostile plans: refused by plan and apply, nothing sent' '
	run_all plans hostile_plan &&
	no_request_sent
'

test_expect_success 'hostile reports: refused by plan and apply, nothing sent' '
	run_all reports hostile_report &&
	no_request_sent
'

# --- state files -------------------------------------------------------------

hostile_state() {
	local file=$1 regex=$2 lock=ws/.copy-connections/ccapply.lock status
	base_workspace ws && cp "$file" $lock || return 1

	ccapply -C ws apply --auto-approve >out 2>err
	status=$?
	check_refusal $status err 'ccapply\.lock' "$regex" || return 1
	cmp "$file" $lock || { echo "apply changed the state file"; return 1; }
	[ ! -e ws/.copy-connections/ccapply.journal ] || { echo "apply wrote a journal"; return 1; }

	ccapply -C ws state list >out 2>err
	check_refusal $? err 'ccapply\.lock' "$regex" || return 1

	test-tool state-load $lock >out 2>err
	check_refusal $? err 'ccapply\.lock' "$regex" || return 1

	# verify and status report in their own layouts; they must fail cleanly.
	ccapply -C ws state verify >out 2>err
	status=$?
	cat out >>err
	check_refusal $status err 'ccapply\.lock' "" || return 1
	ccapply -C ws status >out 2>err
	check_refusal $? err 'ccapply\.lock' "" || return 1
	cmp "$file" $lock || { echo "state verify or status changed the state file"; return 1; }
}

test_expect_success 'hostile state files: refused by apply, state, status; never rewritten' '
	run_all state hostile_state &&
	no_request_sent
'

# --- a hostile or careless environment ---------------------------------------
# What cannot be a file in the corpus: links, FIFOs and devices where ccapply
# reads or writes. Inputs must be regular files (a FIFO or /dev/zero is a
# clear error, not a hang or an out-of-memory exit); nothing is ever written
# through a link; an output that is not a regular file is refused.

# refuse_quickly REGEX CMD... — CMD exits 1 within 20 s saying REGEX.
refuse_quickly() {
	local regex=$1 status
	shift
	timeout 20 "$@" >out 2>err </dev/null
	status=$?
	[ $status -ne 124 ] || { echo "$* hung"; return 1; }
	check_refusal $status err "" "$regex"
}

test_expect_success 'inputs that are FIFOs or devices are refused, without a hang' '
	base_workspace env-ws && d=env-ws/.copy-connections &&
	mv $d/copy_plan.yaml plan.yaml && mkfifo $d/copy_plan.yaml &&
	refuse_quickly "copy_plan\.yaml.*not a regular file" ccapply -C env-ws plan &&
	refuse_quickly "copy_plan\.yaml.*FIFO" ccapply -C env-ws checksum &&
	rm $d/copy_plan.yaml && ln -s /dev/zero $d/copy_plan.yaml &&
	refuse_quickly "copy_plan\.yaml.*not a regular file" ccapply -C env-ws plan &&
	refuse_quickly "copy_plan\.yaml.*character device" ccapply -C env-ws checksum &&
	refuse_quickly "copy_plan\.yaml.*not a regular file" ccapply -C env-ws apply --auto-approve &&
	rm $d/copy_plan.yaml && cp plan.yaml $d/copy_plan.yaml &&
	mv $d/validation_report.yaml report.yaml && mkfifo $d/validation_report.yaml &&
	refuse_quickly "validation_report\.yaml.*not a regular file" ccapply -C env-ws plan &&
	rm $d/validation_report.yaml && mv report.yaml $d/validation_report.yaml &&
	mkfifo $d/ccapply.lock &&
	refuse_quickly "ccapply\.lock.*FIFO" ccapply -C env-ws state verify &&
	refuse_quickly "ccapply\.lock.*FIFO" ccapply -C env-ws state list &&
	refuse_quickly "ccapply\.lock.*FIFO" ccapply -C env-ws apply --auto-approve &&
	rm $d/ccapply.lock && ln -s /dev/zero $d/ccapply.lock &&
	refuse_quickly "ccapply\.lock.*character device" ccapply -C env-ws state verify &&
	rm $d/ccapply.lock && mkfifo $d/ccapply.journal &&
	refuse_quickly "ccapply\.journal.*FIFO" ccapply -C env-ws apply --auto-approve &&
	rm $d/ccapply.journal && mkfifo env-ws/saved.plan &&
	refuse_quickly "saved\.plan.*FIFO" ccapply -C env-ws show saved.plan &&
	refuse_quickly "saved\.plan.*FIFO" ccapply -C env-ws apply --auto-approve saved.plan &&
	refuse_quickly "/dev/zero.*character device" ccapply -C env-ws show /dev/zero &&
	refuse_quickly "/dev/zero.*character device" ccapply checksum /dev/zero &&
	check_no_state_written env-ws &&
	no_request_sent
'

test_expect_success 'an output that exists and is not a regular file is refused' '
	base_workspace env-ws && mkfifo env-ws/out.fifo &&
	refuse_quickly "out\.fifo.*FIFO" ccapply -C env-ws plan --out out.fifo &&
	test -p env-ws/out.fifo &&
	! ls env-ws/out.fifo.tmp.* 2>/dev/null
'

test_expect_success 'a committed .lck or journal link: refused, its target untouched' '
	base_workspace env-ws && d=env-ws/.copy-connections &&
	echo precious >victim && ln -s ../../victim $d/ccapply.lock.lck &&
	refuse_quickly "ccapply\.lock\.lck.*symbolic link" \
		ccapply -C env-ws apply --auto-approve &&
	echo precious >expect && test_cmp expect victim &&
	test -L $d/ccapply.lock.lck &&
	rm $d/ccapply.lock.lck &&
	ln -s ../../victim $d/ccapply.journal &&
	refuse_quickly "ccapply\.journal.*symbolic link" \
		ccapply -C env-ws apply --auto-approve &&
	test_cmp expect victim && test -L $d/ccapply.journal &&
	rm $d/ccapply.journal && check_no_state_written env-ws &&
	! sim_requests | grep "\"POST\""
'

test_expect_success 'a linked state file or results.md is replaced, never written through' '
	base_workspace env-ws && d=env-ws/.copy-connections &&
	echo precious >victim && echo precious >victim2 && echo precious >expect &&
	ln -s ../../victim $d/ccapply.lock && ln -s ../../victim2 $d/results.md &&
	: the link to an empty-looking file is not a state file: apply refuses to read it &&
	test_must_fail ccapply -C env-ws apply --auto-approve >out 2>err &&
	test_cmp expect victim && test_cmp expect victim2 &&
	rm $d/ccapply.lock && : a link to a valid state file is read, then replaced: &&
	cp "$HOSTILE/base/ccapply.lock" state-target &&
	cp state-target state-copy &&
	ln -s ../../state-target $d/ccapply.lock &&
	ccapply -C env-ws plan --out plan.out >out 2>err &&
	ln -s ../victim env-ws/plan-link && ccapply -C env-ws plan --out plan-link >out 2>err &&
	test_cmp expect victim && test -f env-ws/plan-link && ! test -L env-ws/plan-link &&
	test_cmp state-copy state-target
'

# --- API response bodies -----------------------------------------------------

test_expect_success 'setup: a server that answers with any bytes' '
	rm -f serve.port serve.log &&
	{ perl "$HOSTILE/serve.pl" serve.port routes serve.log 2>serve.err & serve_pid=$!; } &&
	test_when_finished_script "kill $serve_pid" &&
	for i in $(seq 100); do [ -s serve.port ] && break; sleep 0.05; done &&
	test -s serve.port &&
	SERVE_URL=http://127.0.0.1:$(cat serve.port) &&
	base_workspace api-ws
'

# routes BODYFILE ENDPOINT STATUS — every read plan makes answered well, but
# ENDPOINT's, which gets STATUS and BODYFILE's bytes.
routes() {
	local body=$1 endpoint=$2 status=$3 good=$HOSTILE/base/api e f s
	for e in group connections transformations connection groups; do
		f=$good/$e.json s=200
		if [ $e = "$endpoint" ]; then f=$body s=${status:-200}; fi
		case $e in
		group) echo "GET /v1/groups/target_group $s $f" ;;
		connections) echo "GET /v1/groups/target_group/connections $s $f" ;;
		transformations) echo "GET /v1/transformations $s $f" ;;
		connection) echo "GET /v1/connections/src_postgres $s $f" ;;
		groups) echo "GET /v1/groups $s $f" ;;
		esac
	done
	echo "GET /v1/destinations/target_group 200 $good/destination.json"
	echo "GET /v1/groups/source_group 200 $good/source-group.json"
	echo "GET /v1/connections 200 $good/empty-list.json"
}

# no_credentials FILE... — none of the files holds the API key, the secret or
# their HTTP Basic encoding, whatever the API answered (some bodies echo them).
no_credentials() {
	local basic
	basic=$(printf '%s:%s' "$FIVETRAN_APIKEY" "$FIVETRAN_APISECRET" | base64 -w0)
	if grep -F -e "$FIVETRAN_APIKEY" -e "$FIVETRAN_APISECRET" -e "$basic" -- "$@"; then
		echo "a credential was written (above)"; return 1
	fi
}

hostile_api() {
	local file=$1 regex=$2 base endpoint status op path
	base=$(basename "$file")
	endpoint=${base%%.*}
	status=$(expr "$base" : '.*\.status\([0-9][0-9][0-9]\)')
	case $endpoint in
	group) op="get-group target_group"; path=/v1/groups/target_group ;;
	connections) op="list-group-connections target_group"
		path=/v1/groups/target_group/connections ;;
	transformations) op="list-transformations target_group QUICKSTART"
		path=/v1/transformations ;;
	connection) op="get-connection src_postgres"; path=/v1/connections/src_postgres ;;
	groups) op="list-groups"; path="/v1/groups" ;;
	*) echo "unknown endpoint in $base"; return 1 ;;
	esac
	routes "$file" $endpoint "$status" >routes || return 1
	case $base in
	*.item-*|group.id-*)
		# well-formed envelopes the client passes on: plan must refuse them
		path="$path|target group" ;;
	*)	FIVETRAN_API_URL=$SERVE_URL test-tool api --max-retries 1 --retry-base-ms 1 \
			$op >out 2>err
		check_refusal $? err "$path" "$regex" || return 1
		no_credentials out err || return 1 ;;
	esac
	case $endpoint in connection|groups) return 0 ;; esac

	rm -f serve.log
	FIVETRAN_API_URL=$SERVE_URL ccapply -C api-ws plan >out 2>err
	check_refusal $? err "$path" "$regex" || return 1
	no_credentials out err || return 1
	FIVETRAN_API_URL=$SERVE_URL ccapply -C api-ws apply --auto-approve >out 2>err
	check_refusal $? err "$path" "$regex" || return 1
	no_credentials out err api-ws/.copy-connections/* || return 1
	check_no_state_written api-ws || return 1
	rm -f api-ws/.copy-connections/results.md
	if grep -v "^GET " serve.log; then echo "a request other than GET was sent"; return 1; fi
}

test_expect_success 'hostile API bodies: refused by the client, plan and apply; no write' '
	run_all api hostile_api
'

test_expect_success 'a 404 on a route is not reported as a missing target group' '
	routes "$HOSTILE/hand/api/group.status404-route-not-found.json" group 404 >routes &&
	FIVETRAN_API_URL=$SERVE_URL test_expect_code 1 ccapply -C api-ws plan >out 2>err &&
	test_grep "HTTP 404.*the route was not found, not the group; check --api-url" err &&
	test_grep ! "does not exist" err &&
	test_expect_code 1 ccapply --api-url "$SERVE_URL/v1" -C api-ws plan >out 2>err &&
	test_grep "leave out the /v1" err &&
	test_grep ! "does not exist" err
'

test_expect_success 'the simulator stops cleanly' '
	sim_stop
'

test_done
