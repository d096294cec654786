/*
 * tt-mcp.c — test-tool mcp-read: a file through the MCP message reader as
 * `ccapply mcp` reads its stdin (mcp/), for t/8100 (the fuzz seeds) and
 * t/0040. Prints every message the server would write; exits 0 whatever the
 * input was (malformed input is answered, not fatal).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/fileio.h"
#include "mcp/fixture.h"
#include "tools/test-tool.h"

int tt_mcp_read(int argc, char **argv)
{
	struct buf in = BUF_INIT, out = BUF_INIT;
	struct mcp_reader r;
	struct mcp_server *s;
	struct err err;
	const char *line;
	size_t len;
	enum mcp_read rd;

	if (argc != 2) {
		fprintf(stderr, "usage: test-tool mcp-read FILE\n");
		return 2;
	}
	if (fileio_read_input(argv[1], 0, &in, &err)) {
		fprintf(stderr, "%s\n", err.msg);
		return 2;
	}
	if (!(s = mcp_server_new(&mcp_fixture_info, &err))) {
		fprintf(stderr, "%s\n", err.msg);
		return 2;
	}
	mcp_reader_init(&r, 0);
	mcp_reader_feed(&r, in.data ? in.data : "", in.len);
	while ((rd = mcp_reader_next(&r, true, &line, &len)) != MCP_READ_NONE) {
		struct mcp_call call;
		if (rd == MCP_READ_OVERLONG)
			mcp_server_overlong(s, &out);
		else if (mcp_server_handle(s, line, len, &out, &call) == MCP_ACT_CALL)
			mcp_tool_result(&out, call.id, "called", NULL, false);
		mcp_call_free(&call);
	}
	fwrite(out.data ? out.data : "", 1, out.len, stdout);
	mcp_reader_free(&r);
	mcp_server_free(s);
	buf_free(&in);
	buf_free(&out);
	return 0;
}
