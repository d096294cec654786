# lib-mcp.sh — drive `ccapply mcp` from the shell tests.
#
# Sourced by test-lib.sh like every t/lib-*.sh, so it only defines functions:
#
#   mcp_session ARGS... <LINES   `ccapply ARGS mcp` after an initialize line, with LINES as the
#                                rest of its stdin; stdout in mcp.out, stderr in mcp.err. Fails
#                                unless the server exits 0 and every stdout line is one JSON-RPC
#                                2.0 message (stdout carries nothing else).
#   mcp_reply ID [FILE]          the message with "id": ID (JSON text, e.g. 3 or "a") in FILE
#                                (default mcp.out); fails when there is not exactly one
#   mcp_sdk_require              at the top of a script, outside any test point: install the
#                                pinned packages of t/contract/ (the official MCP TypeScript SDK
#                                is pinned there beside Prism) or end the script — skipped
#                                normally, failed when CI=true
#   mcp_sdk SCRIPT OUT           run t/contract/mcp-client.js on the JSON SCRIPT (see its header:
#                                the server command, environment and the steps), output in OUT

MCP_CLIENT="$TEST_DIRECTORY/contract/mcp-client.js"
MCP_INIT='{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}'

mcp_session() {
	{ printf '%s\n' "$MCP_INIT"; cat; } | ccapply "$@" mcp >mcp.out 2>mcp.err || {
		echo "ccapply mcp exited $?"; cat mcp.err; return 1
	}
	local n=0 line
	while IFS= read -r line; do
		n=$((n + 1))
		printf '%s' "$line" >mcp.line &&
		test-tool json-parse mcp.line &&
		test "$(sim_json jsonrpc mcp.line)" = 2.0 || {
			echo "stdout line $n is not a JSON-RPC message: $line"; return 1
		}
	done <mcp.out
}

mcp_reply() {
	local found
	found=$(grep -F "{\"jsonrpc\":\"2.0\",\"id\":$1," "${2:-mcp.out}")
	[ -n "$found" ] && [ "$(printf '%s\n' "$found" | wc -l)" -eq 1 ] || {
		echo "not one reply with id $1 in ${2:-mcp.out}:"; cat "${2:-mcp.out}"; return 1
	}
	printf '%s\n' "$found"
}

mcp_sdk_require() {
	node_package_require 'the MCP SDK' @modelcontextprotocol/sdk/dist/cjs/client/index.js
}

mcp_sdk() {
	node "$MCP_CLIENT" "$1" >"$2" 2>mcp-sdk.err || { echo "mcp-client failed:"; cat mcp-sdk.err; return 1; }
}
