#!/bin/bash
# ccapply mcp at the wire: raw JSON-RPC lines in, and what a client reads out.
# Version negotiation, the tool list, a JSON-RPC error for every kind of
# malformed message (and the session going on after it), stdout carrying
# nothing but protocol messages, the write gate, and the read-only tools
# against ccapply-sim. No node needed: t/5310 drives the same server with the
# official SDK.
. "$(dirname "$0")/test-lib.sh"

export CCAPPLY_RETRY_BASE_MS=1

call() { # ID TOOL [ARGUMENTS-JSON]
	printf '{"jsonrpc":"2.0","id":%s,"method":"tools/call","params":{"name":"%s","arguments":%s}}\n' \
		"$1" "$2" "${3:-{\}}"
}

test_expect_success 'initialize: the client'"'"'s version, or the newest' '
	mkdir empty &&
	mcp_session -C empty </dev/null &&
	test "$(mcp_reply 0 | sim_json result.protocolVersion)" = 2025-11-25 &&
	test "$(mcp_reply 0 | sim_json result.serverInfo.name)" = ccapply &&
	test "$(mcp_reply 0 | sim_json result.capabilities.tools.listChanged)" = false &&
	printf "%s\n" "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\"}}" |
		ccapply -C empty mcp >out &&
	test "$(sim_json result.protocolVersion <out)" = 2025-06-18 &&
	printf "%s\n" "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2024-11-05\"}}" |
		ccapply -C empty mcp >out &&
	test "$(sim_json result.protocolVersion <out)" = 2025-11-25
'

test_expect_success 'tools/list: every tool with its schemas and annotations' '
	echo "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}" | mcp_session -C empty &&
	mcp_reply 1 >list.json &&
	for t in validate plan apply status results state_verify state_list state_show; do
		grep -q "\"name\":\"$t\"" list.json || { echo "no tool $t"; return 1; }
	done &&
	n=$(sim_json result.tools.# list.json) &&
	i=0 && while [ $i -lt $n ]; do
		name=$(sim_json result.tools.$i.name list.json) &&
		test "$(sim_json result.tools.$i.inputSchema.type list.json)" = object &&
		test "$(sim_json result.tools.$i.outputSchema.type list.json)" = object &&
		ro=$(sim_json result.tools.$i.annotations.readOnlyHint list.json) &&
		if [ "$name" = apply ]; then
			test "$ro" = false &&
			test "$(sim_json result.tools.$i.annotations.destructiveHint list.json)" = false &&
			test "$(sim_json result.tools.$i.annotations.idempotentHint list.json)" = true
		else
			test "$ro" = true
		fi || { echo "tool $name"; return 1; }
		i=$((i + 1))
	done
'

test_expect_success 'an outputSchema is the --json output'"'"'s schema file, compiled in' '
	i=0 && while [ "$(sim_json result.tools.$i.name list.json)" != plan ]; do i=$((i + 1)); done &&
	sim_json result.tools.$i.outputSchema list.json >plan-schema.json &&
	test-tool json-equal plan-schema.json "$REPO/docs/schemas/plan.schema.json"
'

# One malformed line each, then a ping: the error, and the session goes on.
malformed() { # CODE HAS-ID LINE
	printf "%s\n%s\n" "$3" "{\"jsonrpc\":\"2.0\",\"id\":\"after\",\"method\":\"ping\"}" |
		mcp_session -C empty &&
	test_line_count = 3 mcp.out &&
	sed -n 2p mcp.out >err.json &&
	test "$(sim_json error.code err.json)" = "$1" &&
	test -n "$(sim_json error.message err.json)" &&
	if [ "$2" = id ]; then sim_json id err.json >/dev/null; else ! sim_json id err.json; fi &&
	test "$(mcp_reply "\"after\"" | sim_json result.#)" = 0 ||
	{ echo "for the line: $3"; return 1; }
}

test_expect_success 'malformed JSON-RPC gets JSON-RPC errors, and the session goes on' '
	malformed -32700 no "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":" &&
	malformed -32700 no "$(printf "\377\376")" &&
	malformed -32600 no "[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}]" &&
	malformed -32600 no "\"ping\"" &&
	malformed -32600 id "{\"jsonrpc\":\"1.0\",\"id\":1,\"method\":\"ping\"}" &&
	malformed -32600 id "{\"id\":1,\"method\":\"ping\"}" &&
	malformed -32600 no "{\"jsonrpc\":\"2.0\",\"id\":null,\"method\":\"ping\"}" &&
	malformed -32600 no "{\"jsonrpc\":\"2.0\",\"id\":{},\"method\":\"ping\"}" &&
	malformed -32600 id "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":null}" &&
	malformed -32600 id "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"params\":1}" &&
	malformed -32601 id "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"resources/list\"}" &&
	malformed -32602 id "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{}}" &&
	malformed -32602 id "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"rm\"}}" &&
	malformed -32602 id "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"plan\",\"arguments\":[]}}"
'

test_expect_success 'notifications and client responses get no answer' '
	printf "%s\n" "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}" \
		"{\"jsonrpc\":\"2.0\",\"method\":\"no/such/notification\"}" \
		"{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":99}}" \
		"{\"jsonrpc\":\"2.0\",\"id\":5,\"result\":{}}" "" "   " | mcp_session -C empty &&
	test_line_count = 1 mcp.out
'

test_expect_success 'before initialize only ping is answered; initialize only once' '
	printf "%s\n" "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}" \
		"{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\"}" |
		ccapply -C empty mcp >out &&
	test "$(sed -n 1p out | sim_json result.#)" = 0 &&
	test "$(sed -n 2p out | sim_json error.code)" = -32600 &&
	echo "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{}}" |
		ccapply -C empty mcp >out &&
	test "$(sim_json error.code <out)" = -32602 &&
	echo "$MCP_INIT" | sed "s/\"id\":0/\"id\":3/" | mcp_session -C empty &&
	test "$(mcp_reply 3 | sim_json error.code)" = -32600
'

test_expect_success 'a message larger than 16 MiB is refused and skipped, not read into memory' '
	{ printf "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"params\":{\"x\":\"" &&
	  head -c 17000000 /dev/zero | tr "\0" a &&
	  printf "\"}}\n{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"ping\"}\n"; } | mcp_session -C empty &&
	test_line_count = 3 mcp.out &&
	test "$(sed -n 2p mcp.out | sim_json error.code)" = -32700 &&
	sed -n 2p mcp.out | sim_json error.message | test_grep "longer than" &&
	test "$(mcp_reply 2 | sim_json result.#)" = 0
'

test_expect_success 'a last line without a newline is answered; end of input ends the server' '
	{ echo "$MCP_INIT"; printf "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}"; } |
		timeout 10 ccapply -C empty mcp >out &&
	test_line_count = 2 out
'

test_expect_success 'arguments that do not fit are a tool error that says why' '
	{ call 1 apply "{\"acknowledge\":\"some\"}" && call 2 plan "{\"force\":true}" &&
	  call 3 state_show; } | mcp_session -C empty &&
	test "$(mcp_reply 1 | sim_json result.isError)" = true &&
	mcp_reply 1 | sim_json result.content.0.text | test_grep "\"acknowledge\" must be \"all\" or a list" &&
	mcp_reply 2 | sim_json result.content.0.text | test_grep "unknown argument \"force\"; plan takes" &&
	mcp_reply 3 | sim_json result.content.0.text | test_grep "missing argument \"name\""
'

test_expect_success 'plan against the simulator: structured content and the plan text' '
	fresh &&
	call 1 plan | mcp_session -C ws &&
	test "$(mcp_reply 1 | sim_json result.isError)" = false &&
	mcp_reply 1 | sim_json result.structuredContent >plan.json &&
	ccapply -C ws plan --json >cli.json &&
	test-tool json-equal plan.json cli.json &&
	mcp_reply 1 | sim_json result.content.0.text | test_grep "^Plan: 5 to create, 0 unchanged, 0 skipped.$"
'

test_expect_success 'apply without FIVETRAN_ALLOW_WRITES=true: a tool error, nothing sent, nothing run' '
	for v in unset false "" TRUE1; do
		if [ "$v" = unset ]; then unset FIVETRAN_ALLOW_WRITES; else export FIVETRAN_ALLOW_WRITES=$v; fi &&
		call 1 apply "{\"acknowledge\":\"all\"}" | mcp_session -C ws &&
		test "$(mcp_reply 1 | sim_json result.isError)" = true &&
		mcp_reply 1 | sim_json result.content.0.text | test_grep "FIVETRAN_ALLOW_WRITES=true" || return 1
	done &&
	unset FIVETRAN_ALLOW_WRITES &&
	test "$(posts)" = 0 &&
	test ! -e ws/.copy-connections/results.md &&
	test ! -e ws/.copy-connections/ccapply.lock
'

test_expect_success 'a command'"'"'s diagnostics go to stderr, never stdout' '
	call 1 status | mcp_session -C ws &&
	test "$(mcp_reply 1 | sim_json result.isError)" = true &&
	mcp_reply 1 | sim_json result.content.0.text | test_grep "no state file" &&
	test_grep "no state file" mcp.err
'

test_expect_success 'apply with FIVETRAN_ALLOW_WRITES=true; progress for each resource' '
	printf "%s\n" "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"apply\",\"_meta\":{\"progressToken\":\"p\"}}}" |
		FIVETRAN_ALLOW_WRITES=true mcp_session -C ws &&
	test "$(mcp_reply 1 | sim_json result.isError)" = false &&
	test "$(mcp_reply 1 | sim_json result.structuredContent.events.10.created)" = 5 &&
	grep "\"method\":\"notifications/progress\"" mcp.out >progress &&
	test_line_count = 10 progress &&
	sed "s/.*\"progress\":\([0-9.]*\),.*/\1/" progress >values &&
	sort -n -c values && test "$(sort -n -u values | wc -l)" = 10 &&
	test "$(tail -n 1 values)" = 5 &&
	every_connection_once
'

test_expect_success 'results: the text of results.md' '
	call 1 results | mcp_session -C ws &&
	mcp_reply 1 | sim_json result.structuredContent.text | head -c -1 >text &&
	test_cmp ws/.copy-connections/results.md text
'

test_done
