#!/bin/bash
# ccapply mcp driven by an MCP client nobody here wrote: the official MCP
# TypeScript SDK's Client over stdio (t/contract/mcp-client.js), against
# ccapply-sim. It lists the tools, validates, plans, is refused a write by
# default, applies when writes are allowed, reads status, results and the
# state, and cancels an apply mid-way, after which a second apply converges
# with nothing created twice. The SDK client itself refuses any
# structuredContent that does not validate against its tool's outputSchema.
. "$(dirname "$0")/test-lib.sh"

mcp_sdk_require
ajv_require

export CCAPPLY_RETRY_BASE_MS=1

# script FILE ALLOW-WRITES STEP...: a client script for ccapply -C ws mcp.
script() {
	local file=$1 writes=$2 steps
	shift 2
	steps=$(IFS=,; echo "$*")
	cat >"$file" <<-EOF
	{"command": "$BIN/ccapply", "args": ["-C", "ws", "--api-url", "$SIM_URL", "mcp"],
	 "env": {"FIVETRAN_ALLOW_WRITES": $writes},
	 "steps": [$steps]}
	EOF
}

# The harness first: the SDK defers notifications but handles a response at
# once, so progress sent in the same read as the response reaches it after the
# token is retired (typescript-sdk issue #2580). mcp-client.js keeps those,
# marked late; without that, the progress checks below would fail at random
# on a loaded machine. A server that writes both at once shows it every time;
# with another call's token (late.js SHIFT) the notifications stay errors.
test_expect_success 'the harness keeps progress that arrives with the response' '
	cat >late.js <<-\EOF &&
	const rl = require("readline").createInterface({ input: process.stdin });
	const send = (...m) => process.stdout.write(m.map((x) => JSON.stringify(x) + "\n").join(""));
	rl.on("line", (line) => {
		const m = JSON.parse(line), v = m.params && m.params.protocolVersion;
		if (m.method === "initialize")
			send({ jsonrpc: "2.0", id: m.id, result: { protocolVersion: v,
				capabilities: { tools: {} }, serverInfo: { name: "late", version: "1" } } });
		if (m.method !== "tools/call")
			return;
		const note = (p) => ({ jsonrpc: "2.0", method: "notifications/progress",
			params: { progressToken: m.params._meta.progressToken + Number(process.argv[2] || 0),
				progress: p, message: "step " + p } });
		send(note(1), note(2), { jsonrpc: "2.0", id: m.id,
			result: { content: [{ type: "text", text: "done" }] } });
	});
	EOF
	cat >late.json <<-EOF &&
	{"command": "node", "args": ["$PWD/late.js"], "steps": [{"call": "x", "progress": true}]}
	EOF
	mcp_sdk late.json out.json &&
	test "$(sim_json steps.0.result.content.0.text out.json)" = done &&
	test "$(sim_json steps.0.progress.# out.json)" = 2 &&
	test "$(sim_json steps.0.progress.0.message out.json)" = "step 1" &&
	test "$(sim_json steps.0.progress.1.progress out.json)" = 2 &&
	! test -s mcp-sdk.err &&
	sed "s|late.js\"\]|late.js\", \"1000\"]|" late.json >wrong.json &&
	test_grep "1000\"\]" wrong.json &&
	mcp_sdk wrong.json out.json &&
	test "$(sim_json steps.0.progress.# out.json)" = 0 &&
	test "$(grep -c "unknown token" mcp-sdk.err)" = 2
'

test_expect_success 'the SDK client lists the tools, each with both schemas' '
	fresh &&
	script s.json null "{\"list\": true}" &&
	mcp_sdk s.json out.json &&
	test "$(sim_json server.name out.json)" = ccapply &&
	sim_json steps.0.tools out.json >tools.json &&
	for t in validate plan apply status results state_verify state_list state_show; do
		grep -q "\"name\":\"$t\"" tools.json || { echo "no tool $t"; return 1; }
	done &&
	n=$(sim_json "#" tools.json) && i=0 &&
	while [ $i -lt $n ]; do
		test "$(sim_json $i.inputSchema.type tools.json)" = object &&
		test "$(sim_json $i.outputSchema.type tools.json)" = object || return 1
		i=$((i + 1))
	done
'

test_expect_success 'validate: the gates, offline' '
	script s.json null "{\"call\": \"validate\"}" &&
	mcp_sdk s.json out.json &&
	test "$(sim_json steps.0.result.isError out.json)" = false &&
	test "$(sim_json steps.0.result.structuredContent.valid out.json)" = true &&
	sim_json steps.0.result.structuredContent out.json >validate.json &&
	schema_check validate validate.json &&
	test "$(posts)" = 0
'

test_expect_success 'plan: structured content, as plan --json prints it' '
	script s.json null "{\"call\": \"plan\"}" &&
	mcp_sdk s.json out.json &&
	test "$(sim_json steps.0.result.isError out.json)" = false &&
	sim_json steps.0.result.structuredContent out.json >plan.json &&
	ccapply -C ws plan --json >cli.json &&
	test-tool json-equal plan.json cli.json &&
	schema_check plan plan.json &&
	test "$(grep -o "\"action\":\"create\"" plan.json | wc -l)" -eq 5 &&
	sim_json steps.0.result.content.0.text out.json | test_grep "^Plan: 5 to create"
'

test_expect_success 'apply is refused without FIVETRAN_ALLOW_WRITES=true, and nothing is sent' '
	script s.json null "{\"call\": \"apply\", \"arguments\": {\"acknowledge\": \"all\"}}" &&
	mcp_sdk s.json out.json &&
	test "$(sim_json steps.0.result.isError out.json)" = true &&
	sim_json steps.0.result.content.0.text out.json | test_grep "FIVETRAN_ALLOW_WRITES" &&
	script s.json "\"false\"" "{\"call\": \"apply\"}" &&
	mcp_sdk s.json out.json &&
	test "$(sim_json steps.0.result.isError out.json)" = true &&
	test "$(posts)" = 0 &&
	test ! -e ws/.copy-connections/ccapply.lock
'

test_expect_success 'apply with FIVETRAN_ALLOW_WRITES=true: created, with progress' '
	script s.json "\"true\"" \
		"{\"call\": \"apply\", \"arguments\": {\"acknowledge\": []}, \"progress\": true}" &&
	mcp_sdk s.json out.json &&
	test "$(sim_json steps.0.result.isError out.json)" = false &&
	sim_json steps.0.result.structuredContent out.json >apply.json &&
	node -e "for (const e of require(process.argv[1]).events) console.log(JSON.stringify(e))" \
		"$PWD/apply.json" >events &&
	schema_check_lines apply-event events &&
	# a wait (a retry backoff, on a loaded machine) adds its own event
	grep -v "^{\"event\":\"wait\"" events >steps &&
	test_line_count = 11 steps &&
	tail -n 1 steps >done.json &&
	test "$(sim_json result done.json)" = complete &&
	test "$(sim_json created done.json)" = 5 &&
	n=$(sim_json steps.0.progress.# out.json) && i=0 &&
	while [ $i -lt $n ]; do
		sim_json steps.0.progress.$i.message out.json || return 1
		i=$((i + 1))
	done >messages &&
	grep -v "^waiting " messages >told &&
	test_line_count = 10 told &&
	test "$(sim_json steps.0.progress.$((n - 1)).progress out.json)" = 5 &&
	test "$(head -n 1 told)" = "creating connection postgres_app" &&
	every_connection_once &&
	test "$(posts)" = 5
'

test_expect_success 'status, results and the state tools' '
	script s.json null "{\"call\": \"status\"}" "{\"call\": \"results\"}" \
		"{\"call\": \"state_list\"}" \
		"{\"call\": \"state_show\", \"arguments\": {\"name\": \"stripe_prod\"}}" \
		"{\"call\": \"state_verify\"}" &&
	mcp_sdk s.json out.json &&
	for i in 0 1 2 3 4; do
		test "$(sim_json steps.$i.result.isError out.json)" = false || return 1
	done &&
	sim_json steps.0.result.structuredContent out.json >status.json &&
	ccapply -C ws status --json >cli.json &&
	test-tool json-equal status.json cli.json &&
	sim_json steps.1.result.structuredContent.text out.json | head -c -1 >results.md &&
	test_cmp ws/.copy-connections/results.md results.md &&
	test "$(sim_json steps.2.result.structuredContent.resources.# out.json)" = 5 &&
	test "$(sim_json steps.3.result.structuredContent.name out.json)" = stripe_prod &&
	test "$(sim_json steps.4.result.structuredContent.ok out.json)" = true &&
	i=0 && for name in status results state-list state-show state-verify; do
		sim_json steps.$i.result.structuredContent out.json >sc.json &&
		schema_check $name sc.json || return 1
		i=$((i + 1))
	done &&
	test "$(posts)" = 5
'

test_expect_success 'an unknown resource for state_show is a tool error' '
	script s.json null "{\"call\": \"state_show\", \"arguments\": {\"name\": \"nope\"}}" &&
	mcp_sdk s.json out.json &&
	test "$(sim_json steps.0.result.isError out.json)" = true &&
	sim_json steps.0.result.content.0.text out.json | test_grep "nope"
'

# The first resource is recorded (its second progress notification), then the
# client cancels. The request in flight finishes and is recorded, the apply
# stops; results (queued behind it) reads what it recorded; a second apply
# creates the rest, nothing twice.
test_expect_success 'cancelled mid-apply, like Ctrl-C; a second apply converges' '
	fresh --latency-ms 300 &&
	script s.json "\"true\"" \
		"{\"call\": \"apply\", \"progress\": true, \"cancelAfter\": 2}" \
		"{\"call\": \"results\"}" "{\"call\": \"apply\"}" &&
	mcp_sdk s.json out.json &&
	sim_json steps.0.error out.json | test_grep -i "abort\|cancel" &&
	! sim_json steps.0.result out.json &&
	sim_json steps.1.result.structuredContent.text out.json >results.md &&
	test_grep "interrupted" results.md &&
	test_grep "postgres_app" results.md &&
	test "$(sim_json steps.2.result.isError out.json)" = false &&
	sim_json steps.2.result.structuredContent out.json >apply.json &&
	last=$(($(sim_json events.# apply.json) - 1)) &&
	test "$(sim_json events.$last.result apply.json)" = complete &&
	test "$(sim_json events.$last.created apply.json)" = 5 &&
	test "$(sim_json events.$last.created_earlier apply.json)" -ge 1 &&
	every_connection_once &&
	test "$(posts)" = 5 ||
	{ echo "the client saw:"; cat out.json; sim_requests | grep "\"method\"" | sort | uniq -c; false; }
'

# The API allows one create every 3 s: the client waits out each 429, and the
# agent hears about it in a progress notification while it waits.
test_expect_success 'progress notifications during a rate-limit wait' '
	fresh --create-limit 1/3 &&
	script s.json "\"true\"" "{\"call\": \"apply\", \"progress\": true}" &&
	mcp_sdk s.json out.json &&
	test "$(sim_json steps.0.result.isError out.json)" = false &&
	n=$(sim_json steps.0.progress.# out.json) && i=0 && prev=0 &&
	while [ $i -lt $n ]; do
		sim_json steps.0.progress.$i.message out.json || return 1
		p=$(sim_json steps.0.progress.$i.progress out.json) &&
		node -e "process.exit($p > $prev ? 0 : 1)" || { echo "progress $p after $prev"; return 1; }
		prev=$p i=$((i + 1))
	done >messages &&
	test_grep -E "^waiting [0-9]+ s \(HTTP 429, Retry-After: [0-9]+\)$" messages &&
	test "$(sim_json steps.0.progress.$((n - 1)).progress out.json)" = 5 &&
	every_connection_once
'

test_done
