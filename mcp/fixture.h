/*
 * mcp/fixture.h — a two-tool server description for the protocol's own
 * tests: fuzz/fuzz-mcp.c and test-tool mcp-read drive mcp_server_handle()
 * with it, so both exercise one read-only tool and one that writes, with
 * arguments, without ccapply's real tool table (which lives in cmd/mcp.c and
 * runs commands). Not included by ccapply itself.
 */
#ifndef CCAPPLY_MCP_FIXTURE_H
#define CCAPPLY_MCP_FIXTURE_H

#include "mcp/mcp.h"

static const struct mcp_arg mcp_fixture_apply_args[] = {
	{ .name = "acknowledge", .kind = MCP_ARG_CODES, .description = "codes" },
	{ .name = "saved_plan", .kind = MCP_ARG_STRING, .description = "a file" },
	{ .name = NULL },
};

static const struct mcp_arg mcp_fixture_no_args[] = { { .name = NULL } };

static const struct mcp_tool mcp_fixture_tools[] = {
	{ .name = "plan", .title = "Plan", .description = "read-only",
	  .args = mcp_fixture_no_args, .output_schema = "{\"type\":\"object\"}",
	  .read_only = true },
	{ .name = "apply", .title = "Apply", .description = "writes",
	  .args = mcp_fixture_apply_args,
	  .output_schema = "{\"type\":\"object\",\"properties\":{\"events\":{\"type\":\"array\"}}}",
	  .read_only = false },
};

static const struct mcp_server_info mcp_fixture_info = {
	.name = "ccapply",
	.version = "fixture",
	.tools = mcp_fixture_tools,
	.n_tools = sizeof mcp_fixture_tools / sizeof mcp_fixture_tools[0],
};

#endif
