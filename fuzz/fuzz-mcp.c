/*
 * fuzz-mcp.c — libFuzzer target for the MCP message reader (mcp/): the
 * bytes an MCP client writes to `ccapply mcp`'s stdin.
 *
 * The input is fed to the line reader in chunks (sizes taken from the input
 * itself, so line breaks fall across reads as they do on a pipe), with a
 * small line limit so overlong lines are reached; each line goes through
 * mcp_server_handle() on a server with two tools, and a tools/call it
 * accepts is answered with a result and a progress notification. Every
 * output line must be one JSON-RPC 2.0 message — a JSON object with
 * "jsonrpc": "2.0" — ending in "\n" with no other newline; anything else
 * aborts, so libFuzzer records it. Findings are crashes, ASan/UBSan reports,
 * leaks and broken output.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/json.h"
#include "mcp/fixture.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_output(struct buf *out)
{
	const char *p = out->data ? out->data : "", *end = p + out->len, *nl;
	struct value *v;
	struct err err;

	for (; p < end; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			abort(); /* a message without its newline */
		if (json_parse(p, (size_t)(nl - p), &v, &err))
			abort(); /* not JSON, or a raw newline inside */
		if (v->type != VALUE_OBJECT || !value_get_string(v, "jsonrpc") ||
		    strcmp(value_get_string(v, "jsonrpc"), "2.0"))
			abort();
		value_free(v);
	}
	buf_reset(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mcp_server *s;
	struct mcp_reader r;
	struct buf out = BUF_INIT;
	struct err err;
	size_t off = 0;
	bool eof = false;

	if (!(s = mcp_server_new(&mcp_fixture_info, &err)))
		abort();
	mcp_reader_init(&r, 4096);
	while (!eof) {
		size_t chunk = size - off;
		const char *line;
		size_t len;
		enum mcp_read rd;

		if (off < size && data[off] < 32) /* a chunk-size byte, not a message byte */
			chunk = (size_t)data[off++] * 16 + 1;
		if (chunk > size - off)
			chunk = size - off;
		mcp_reader_feed(&r, (const char *)data + off, chunk);
		off += chunk;
		eof = off >= size;
		while ((rd = mcp_reader_next(&r, eof, &line, &len)) != MCP_READ_NONE) {
			struct mcp_call call;
			if (rd == MCP_READ_OVERLONG) {
				mcp_server_overlong(s, &out);
				continue;
			}
			if (mcp_server_handle(s, line, len, &out, &call) == MCP_ACT_CALL) {
				if (call.progress_token)
					mcp_progress(&out, call.progress_token, 0.5, 2, "half");
				mcp_tool_result(&out, call.id, "done", value_clone(call.args),
						false);
			}
			mcp_call_free(&call);
		}
		check_output(&out);
	}
	mcp_reader_free(&r);
	mcp_server_free(s);
	buf_free(&out);
	return 0;
}
