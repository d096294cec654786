/*
 * test-mcp.c — unit tests of mcp/: line framing across reads and overlong
 * lines, the JSON-RPC error for each kind of malformed message, version
 * negotiation, the tool list built from the argument tables, argument checks
 * and the actions the server hands its caller.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/json.h"
#include "mcp/mcp.h"
#include "t/unit/tap.h"

static const struct mcp_arg apply_args[] = {
	{ .name = "acknowledge", .kind = MCP_ARG_CODES, .description = "codes" },
	{ .name = "saved_plan", .kind = MCP_ARG_STRING, .description = "a file" },
	{ .name = NULL },
};
static const struct mcp_arg show_args[] = {
	{ .name = "name", .kind = MCP_ARG_STRING, .required = true, .description = "a resource" },
	{ .name = NULL },
};
static const struct mcp_arg none[] = { { .name = NULL } };

static const struct mcp_tool tools[] = {
	{ .name = "plan", .title = "Plan", .description = "read-only", .args = none,
	  .output_schema = "{\"type\":\"object\"}", .read_only = true },
	{ .name = "apply", .title = "Apply", .description = "writes", .args = apply_args,
	  .output_schema = "{\"type\":\"object\"}" },
	{ .name = "state_show", .title = "Show", .description = "one", .args = show_args,
	  .output_schema = "{\"type\":\"object\"}", .read_only = true },
};
static const struct mcp_server_info info = {
	.name = "ccapply", .version = "9.9", .tools = tools, .n_tools = 3,
};

/* Handle one line; the response (parsed) in *resp, or NULL when none. */
static enum mcp_action handle(struct mcp_server *s, const char *line, struct value **resp,
			      struct mcp_call *call)
{
	struct buf out = BUF_INIT;
	enum mcp_action a = mcp_server_handle(s, line, strlen(line), &out, call);
	struct err err;

	*resp = NULL;
	if (out.len) {
		ok(out.data[out.len - 1] == '\n' && !memchr(out.data, '\n', out.len - 1),
		   "one line: %.60s", line);
		if (json_parse(out.data, out.len, resp, &err))
			ok(false, "response is JSON: %s", err.msg);
	}
	buf_free(&out);
	return a;
}

static long long error_code(const struct value *resp)
{
	const struct value *c = value_get(value_get(resp, "error"), "code");

	return c && c->type == VALUE_NUMBER ? atoll(c->u.number) : 0;
}

static void expect_error(struct mcp_server *s, const char *line, long long code, bool has_id)
{
	struct value *resp;
	struct mcp_call call;

	is_int(handle(s, line, &resp, &call), MCP_ACT_NONE, "no action: %s", line);
	is_int(error_code(resp), code, "error code for %s", line);
	ok(!!value_get(resp, "id") == has_id, "id %s for %s", has_id ? "echoed" : "left out",
	   line);
	value_free(resp);
	mcp_call_free(&call);
}

static void test_reader(void)
{
	struct mcp_reader r;
	const char *line;
	size_t len;

	mcp_reader_init(&r, 16);
	mcp_reader_feed(&r, "{\"a\"", 4);
	is_int(mcp_reader_next(&r, false, &line, &len), MCP_READ_NONE, "half a line waits");
	mcp_reader_feed(&r, ":1}\nxy", 6);
	is_int(mcp_reader_next(&r, false, &line, &len), MCP_READ_LINE, "a line across two reads");
	ok(len == 7 && !memcmp(line, "{\"a\":1}", 7), "its text");
	is_int(mcp_reader_next(&r, false, &line, &len), MCP_READ_NONE, "no newline yet");
	mcp_reader_feed(&r, "0123456789abcdefghij", 20);
	is_int(mcp_reader_next(&r, false, &line, &len), MCP_READ_OVERLONG, "too long: refused");
	mcp_reader_feed(&r, "still the long one\nok\n", 22);
	is_int(mcp_reader_next(&r, false, &line, &len), MCP_READ_LINE, "skipped to its newline");
	ok(len == 2 && !memcmp(line, "ok", 2), "the next line is whole");
	mcp_reader_feed(&r, "last", 4);
	is_int(mcp_reader_next(&r, true, &line, &len), MCP_READ_LINE, "at EOF, a last line");
	is_int(mcp_reader_next(&r, true, &line, &len), MCP_READ_NONE, "then nothing");
	mcp_reader_free(&r);
}

static void test_lifecycle(void)
{
	struct err err;
	struct mcp_server *s = mcp_server_new(&info, &err);
	struct value *resp;
	struct mcp_call call;

	expect_error(s, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}",
		     MCP_INVALID_REQUEST, true);
	handle(s, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":"
		  "{\"protocolVersion\":\"2025-06-18\"}}", &resp, &call);
	is_str(value_get_string(value_get(resp, "result"), "protocolVersion"), "2025-06-18",
	       "a version the server has is answered with itself");
	value_free(resp);
	expect_error(s, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"initialize\",\"params\":"
		     "{\"protocolVersion\":\"2025-06-18\"}}", MCP_INVALID_REQUEST, true);
	mcp_server_free(s);

	s = mcp_server_new(&info, &err);
	handle(s, "{\"jsonrpc\":\"2.0\",\"id\":\"i\",\"method\":\"initialize\",\"params\":"
		  "{\"protocolVersion\":\"2024-11-05\"}}", &resp, &call);
	is_str(value_get_string(value_get(resp, "result"), "protocolVersion"),
	       MCP_PROTOCOL_LATEST, "another version is answered with the newest");
	is_str(value_get_string(resp, "id"), "i", "a string id is echoed");
	value_free(resp);
	handle(s, "{\"jsonrpc\":\"2.0\",\"id\":12345678901234567890,\"method\":\"ping\"}", &resp,
	       &call);
	is_str(value_get(resp, "id")->u.number, "12345678901234567890", "a big id survives");
	ok(value_get(resp, "result") && value_get(resp, "result")->type == VALUE_OBJECT,
	   "ping: an empty result");
	value_free(resp);
	ok(handle(s, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}", &resp,
		  &call) == MCP_ACT_NONE && !resp, "a notification gets no response");
	ok(handle(s, "  \r", &resp, &call) == MCP_ACT_NONE && !resp, "a blank line: nothing");
	mcp_server_free(s);
}

static void test_malformed(void)
{
	struct err err;
	struct mcp_server *s = mcp_server_new(&info, &err);
	struct value *resp;
	struct mcp_call call;

	handle(s, "{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":"
		  "{\"protocolVersion\":\"2025-11-25\"}}", &resp, &call);
	value_free(resp);
	expect_error(s, "{\"jsonrpc\":\"2.0\",", MCP_PARSE_ERROR, false);
	expect_error(s, "\xff", MCP_PARSE_ERROR, false);
	expect_error(s, "[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}]",
		     MCP_INVALID_REQUEST, false);
	expect_error(s, "42", MCP_INVALID_REQUEST, false);
	expect_error(s, "{\"jsonrpc\":\"1.0\",\"id\":1,\"method\":\"ping\"}", MCP_INVALID_REQUEST,
		     true);
	expect_error(s, "{\"jsonrpc\":\"2.0\",\"id\":null,\"method\":\"ping\"}",
		     MCP_INVALID_REQUEST, false);
	expect_error(s, "{\"jsonrpc\":\"2.0\",\"id\":1.5,\"method\":\"ping\"}", MCP_INVALID_REQUEST,
		     false);
	expect_error(s, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":[]}", MCP_INVALID_REQUEST, true);
	expect_error(s, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"params\":\"x\"}",
		     MCP_INVALID_REQUEST, true);
	expect_error(s, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"resources/list\"}",
		     MCP_METHOD_NOT_FOUND, true);
	expect_error(s, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":[1]}",
		     MCP_INVALID_PARAMS, true);
	expect_error(s, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{}}",
		     MCP_INVALID_PARAMS, true);
	expect_error(s, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":"
		     "{\"name\":\"rm\"}}", MCP_INVALID_PARAMS, true);
	expect_error(s, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":"
		     "{\"name\":\"plan\",\"arguments\":[]}}", MCP_INVALID_PARAMS, true);
	ok(handle(s, "{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":{}}", &resp, &call) ==
	   MCP_ACT_NONE && !resp, "a response from the client is ignored");
	mcp_server_free(s);
}

/* A tools/call whose arguments do not fit: a tool error whose text says why. */
static void expect_tool_error(struct mcp_server *s, const char *args, const char *why)
{
	struct buf line = BUF_INIT;
	struct value *resp;
	struct mcp_call call;
	const struct value *r;

	buf_printf(&line, "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"tools/call\",\"params\":"
		   "{\"name\":\"%s\",\"arguments\":%s}}", strstr(args, "name") ? "state_show" :
		   "apply", args);
	is_int(handle(s, line.data, &resp, &call), MCP_ACT_NONE, "not run: %s", args);
	r = value_get(resp, "result");
	ok(value_get(r, "isError") && value_get(r, "isError")->u.boolean, "isError: %s", args);
	ok(strstr(value_get_string(value_at(value_get(r, "content"), 0), "text"), why) != NULL,
	   "says '%s'", why);
	value_free(resp);
	buf_free(&line);
}

static void test_tools(void)
{
	struct err err;
	struct mcp_server *s = mcp_server_new(&info, &err);
	struct value *resp;
	struct mcp_call call;
	const struct value *list, *apply, *ack;

	handle(s, "{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":"
		  "{\"protocolVersion\":\"2025-11-25\"}}", &resp, &call);
	value_free(resp);
	handle(s, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}", &resp, &call);
	list = value_get(value_get(resp, "result"), "tools");
	is_int(list ? (long long)list->u.arr.n : -1, 3, "three tools listed");
	apply = value_at(list, 1);
	is_str(value_get_string(apply, "name"), "apply", "in table order");
	ok(!value_get(value_get(apply, "annotations"), "readOnlyHint")->u.boolean &&
	   !value_get(value_get(apply, "annotations"), "destructiveHint")->u.boolean &&
	   value_get(value_get(apply, "annotations"), "idempotentHint")->u.boolean,
	   "apply: not read-only, not destructive, idempotent");
	ok(value_get(value_get(value_at(list, 0), "annotations"), "readOnlyHint")->u.boolean,
	   "plan: read-only");
	ack = value_get(value_get(value_get(apply, "inputSchema"), "properties"), "acknowledge");
	ok(ack && value_get(ack, "anyOf"), "acknowledge: \"all\" or a list");
	ok(!value_get(value_get(apply, "inputSchema"), "additionalProperties")->u.boolean,
	   "no other arguments");
	ack = value_at(value_get(value_get(value_at(list, 2), "inputSchema"), "required"), 0);
	is_str(ack && ack->type == VALUE_STRING ? ack->u.str.ptr : NULL, "name",
	       "state_show requires name");
	value_free(resp);

	is_int(handle(s, "{\"jsonrpc\":\"2.0\",\"id\":\"a\",\"method\":\"tools/call\",\"params\":"
			 "{\"name\":\"apply\",\"arguments\":{\"acknowledge\":[\"W_1\",\"x.y\"]},"
			 "\"_meta\":{\"progressToken\":\"p\"}}}", &resp, &call),
	       MCP_ACT_CALL, "a good call is handed over");
	ok(!resp, "and not answered yet");
	is_int((long long)call.tool, 1, "the tool's index");
	is_str(call.id->u.str.ptr, "a", "its id");
	is_str(call.progress_token->u.str.ptr, "p", "its progress token");
	mcp_call_free(&call);

	expect_tool_error(s, "{\"acknowledge\":\"some\"}", "\"acknowledge\" must be \"all\"");
	expect_tool_error(s, "{\"acknowledge\":[\"A,B\"]}", "a list of warning codes");
	expect_tool_error(s, "{\"acknowledge\":[\"A B\"]}", "a list of warning codes");
	expect_tool_error(s, "{\"saved_plan\":\"\"}", "\"saved_plan\" must be a non-empty");
	expect_tool_error(s, "{\"force\":true}", "unknown argument \"force\"");
	expect_tool_error(s, "{\"name\":1}", "\"name\" must be");

	is_int(handle(s, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":"
			 "{\"requestId\":\"a\",\"reason\":\"user\"}}", &resp, &call),
	       MCP_ACT_CANCEL, "a cancellation is handed over");
	ok(!resp, "without a response");
	is_str(call.id ? call.id->u.str.ptr : NULL, "a", "naming the request");
	mcp_call_free(&call);
	is_int(handle(s, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":"
			 "{}}", &resp, &call), MCP_ACT_NONE, "a malformed one is ignored");
	mcp_server_free(s);
}

static void test_progress(void)
{
	struct buf out = BUF_INIT;
	struct value *token = value_new_number("7"), *v;
	struct err err;

	mcp_progress(&out, token, 2.75, 0, "waiting");
	ok(!json_parse(out.data, out.len, &v, &err), "progress is JSON");
	is_str(value_get_string(v, "method"), "notifications/progress", "a progress notification");
	is_str(value_get(value_get(v, "params"), "progress")->u.number, "2.75", "its value");
	ok(!value_get(value_get(v, "params"), "total"), "no total when unknown");
	ok(!value_get(v, "id"), "no id: a notification");
	value_free(v);
	value_free(token);
	buf_free(&out);
}

int main(void)
{
	test_reader();
	test_lifecycle();
	test_malformed();
	test_tools();
	test_progress();
	return done_testing();
}
