/*
 * server.c — the MCP lifecycle and tools of mcp.h: initialize and version
 * negotiation, ping, tools/list (each tool's inputSchema built from its
 * argument table, so the schema and the checks cannot disagree), tools/call
 * argument checking, notifications/cancelled, and the result and progress
 * messages the caller sends when a call has run.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/err.h"
#include "lib/json.h"
#include "mcp/mcp.h"

/* Newest first. Older clients are answered with the newest (the spec's rule);
 * they may then disconnect. */
static const char *const supported_versions[] = { MCP_PROTOCOL_LATEST, "2025-06-18" };

struct mcp_server {
	const struct mcp_server_info *info;
	struct value *tools;          /* the tools/list result */
	struct value **output_schema; /* per tool */
	bool initialized;
};

/* ---- the tool list ------------------------------------------------------ */

static struct value *str(const char *s)
{
	return value_new_cstring(s);
}

static struct value *arg_schema(const struct mcp_arg *a)
{
	struct value *s = value_new_object(), *any, *one, *list, *item;

	if (a->kind == MCP_ARG_STRING) {
		value_object_put_c(s, "type", str("string"));
		value_object_put_c(s, "minLength", value_new_number("1"));
	} else {
		any = value_new_array();
		one = value_new_object();
		value_object_put_c(one, "type", str("string"));
		value_object_put_c(one, "const", str("all"));
		value_array_push(any, one);
		list = value_new_object();
		value_object_put_c(list, "type", str("array"));
		item = value_new_object();
		value_object_put_c(item, "type", str("string"));
		value_object_put_c(item, "pattern", str("^[A-Za-z0-9_.-]+$"));
		value_object_put_c(list, "items", item);
		value_array_push(any, list);
		value_object_put_c(s, "anyOf", any);
	}
	value_object_put_c(s, "description", str(a->description));
	return s;
}

static struct value *input_schema(const struct mcp_tool *t)
{
	struct value *s = value_new_object(), *props = value_new_object(),
		     *required = value_new_array();
	const struct mcp_arg *a;

	for (a = t->args; a && a->name; a++) {
		value_object_put_c(props, a->name, arg_schema(a));
		if (a->required)
			value_array_push(required, str(a->name));
	}
	value_object_put_c(s, "type", str("object"));
	value_object_put_c(s, "properties", props);
	if (required->u.arr.n)
		value_object_put_c(s, "required", required);
	else
		value_free(required);
	value_object_put_c(s, "additionalProperties", value_new_bool(false));
	return s;
}

static struct value *annotations(const struct mcp_tool *t)
{
	struct value *a = value_new_object();

	value_object_put_c(a, "title", str(t->title));
	value_object_put_c(a, "readOnlyHint", value_new_bool(t->read_only));
	if (!t->read_only) {
		/* apply only adds: it never modifies or deletes, and creates
		 * nothing twice, so running it again has no further effect. */
		value_object_put_c(a, "destructiveHint", value_new_bool(false));
		value_object_put_c(a, "idempotentHint", value_new_bool(true));
	}
	return a;
}

struct mcp_server *mcp_server_new(const struct mcp_server_info *info, struct err *err)
{
	struct mcp_server *s = xcalloc(1, sizeof *s);
	struct value *list = value_new_array();
	size_t i;

	s->info = info;
	s->output_schema = xcalloc(info->n_tools ? info->n_tools : 1, sizeof *s->output_schema);
	for (i = 0; i < info->n_tools; i++) {
		const struct mcp_tool *t = &info->tools[i];
		struct value *tool = value_new_object();

		if (json_parse(t->output_schema, strlen(t->output_schema), &s->output_schema[i],
			       err) || s->output_schema[i]->type != VALUE_OBJECT) {
			if (s->output_schema[i])
				err_set(err, "not an object");
			err_prefix(err, "the output schema of MCP tool %s", t->name);
			value_free(tool);
			value_free(list);
			mcp_server_free(s);
			return NULL;
		}
		value_object_put_c(tool, "name", str(t->name));
		value_object_put_c(tool, "title", str(t->title));
		value_object_put_c(tool, "description", str(t->description));
		value_object_put_c(tool, "inputSchema", input_schema(t));
		value_object_put_c(tool, "outputSchema", value_clone(s->output_schema[i]));
		value_object_put_c(tool, "annotations", annotations(t));
		value_array_push(list, tool);
	}
	s->tools = value_new_object();
	value_object_put_c(s->tools, "tools", list);
	return s;
}

void mcp_server_free(struct mcp_server *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; i < s->info->n_tools; i++)
		value_free(s->output_schema[i]);
	free(s->output_schema);
	value_free(s->tools);
	free(s);
}

const struct value *mcp_server_output_schema(const struct mcp_server *s, size_t i)
{
	return i < s->info->n_tools ? s->output_schema[i] : NULL;
}

void mcp_call_free(struct mcp_call *c)
{
	value_free(c->id);
	value_free(c->args);
	value_free(c->progress_token);
	memset(c, 0, sizeof *c);
}

/* ---- requests ----------------------------------------------------------- */

static const char *negotiate(const char *requested)
{
	size_t i;

	for (i = 0; i < sizeof supported_versions / sizeof supported_versions[0]; i++)
		if (!strcmp(requested, supported_versions[i]))
			return supported_versions[i];
	return MCP_PROTOCOL_LATEST;
}

static void initialize(struct mcp_server *s, const struct mcp_message *m, struct buf *out)
{
	const struct value *v = value_get(m->params, "protocolVersion");
	struct value *r, *caps, *tools, *info;

	if (s->initialized) {
		mcp_write_error(out, m->id, MCP_INVALID_REQUEST,
				"Invalid Request: initialize was already received");
		return;
	}
	if (!v || v->type != VALUE_STRING) {
		mcp_write_error(out, m->id, MCP_INVALID_PARAMS,
				"Invalid params: initialize needs params.protocolVersion, a string");
		return;
	}
	r = value_new_object();
	value_object_put_c(r, "protocolVersion", str(negotiate(v->u.str.ptr)));
	caps = value_new_object();
	tools = value_new_object();
	value_object_put_c(tools, "listChanged", value_new_bool(false));
	value_object_put_c(caps, "tools", tools);
	value_object_put_c(r, "capabilities", caps);
	info = value_new_object();
	value_object_put_c(info, "name", str(s->info->name));
	value_object_put_c(info, "version", str(s->info->version));
	value_object_put_c(r, "serverInfo", info);
	if (s->info->instructions)
		value_object_put_c(r, "instructions", str(s->info->instructions));
	mcp_write_result(out, m->id, r);
	value_free(r);
	s->initialized = true;
}

static const struct mcp_tool *find_tool(const struct mcp_server *s, const struct value *name,
					size_t *index)
{
	size_t i;

	for (i = 0; name && name->type == VALUE_STRING && i < s->info->n_tools; i++)
		if (!strcmp(s->info->tools[i].name, name->u.str.ptr) &&
		    strlen(name->u.str.ptr) == name->u.str.len) {
			*index = i;
			return &s->info->tools[i];
		}
	return NULL;
}

static bool is_code(const struct value *v)
{
	const char *ok = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-";

	return v->type == VALUE_STRING && v->u.str.len &&
	       strspn(v->u.str.ptr, ok) == v->u.str.len;
}

/* Is v what argument a takes? On no, says what it must be in why. */
static bool arg_fits(const struct mcp_arg *a, const struct value *v, struct buf *why)
{
	size_t i;

	if (a->kind == MCP_ARG_STRING) {
		if (v->type == VALUE_STRING && v->u.str.len &&
		    strlen(v->u.str.ptr) == v->u.str.len)
			return true;
		buf_printf(why, "argument \"%s\" must be a non-empty string without NUL, found %s",
			   a->name, value_found_phrase(v->type, true));
		return false;
	}
	if (v->type == VALUE_STRING && !strcmp(v->u.str.ptr, "all") && v->u.str.len == 3)
		return true;
	for (i = 0; v->type == VALUE_ARRAY && i < v->u.arr.n; i++)
		if (!is_code(v->u.arr.items[i]))
			break;
	if (v->type == VALUE_ARRAY && i == v->u.arr.n)
		return true;
	buf_printf(why, "argument \"%s\" must be \"all\" or a list of warning codes (letters, "
		   "digits, '_', '.', '-'), found %s", a->name,
		   v->type == VALUE_ARRAY ? "an item that is not one" :
		   value_found_phrase(v->type, true));
	return false;
}

static void list_args(const struct mcp_tool *t, struct buf *why)
{
	const struct mcp_arg *a;

	if (!t->args || !t->args->name) {
		buf_printf(why, "; %s takes no arguments", t->name);
		return;
	}
	buf_printf(why, "; %s takes", t->name);
	for (a = t->args; a->name; a++)
		buf_printf(why, "%s %s%s", a == t->args ? "" : ",", a->name,
			   a->required ? " (required)" : "");
}

/* Check the arguments against the tool's table; on a mismatch says why. */
static bool check_args(const struct mcp_tool *t, const struct value *args, struct buf *why)
{
	const struct mcp_arg *a;
	size_t i;

	for (i = 0; i < args->u.obj.n; i++) {
		const struct member *m = &args->u.obj.items[i];
		for (a = t->args; a && a->name; a++)
			if (!strcmp(a->name, m->key) && strlen(m->key) == m->keylen)
				break;
		if (!a || !a->name) {
			buf_puts(why, "unknown argument ");
			json_write_string(why, m->key, m->keylen);
			list_args(t, why);
			return false;
		}
		if (!arg_fits(a, m->val, why))
			return false;
	}
	for (a = t->args; a && a->name; a++)
		if (a->required && !value_get(args, a->name)) {
			buf_printf(why, "missing argument \"%s\"", a->name);
			list_args(t, why);
			return false;
		}
	return true;
}

static enum mcp_action call_tool(struct mcp_server *s, const struct mcp_message *m,
				 struct buf *out, struct mcp_call *call)
{
	const struct value *name = value_get(m->params, "name"),
			   *args = value_get(m->params, "arguments"),
			   *token = value_get(value_get(m->params, "_meta"), "progressToken");
	const struct mcp_tool *t;
	struct buf why = BUF_INIT;
	size_t index = 0;

	if (!name || name->type != VALUE_STRING) {
		mcp_write_error(out, m->id, MCP_INVALID_PARAMS,
				"Invalid params: tools/call needs params.name, a string");
		return MCP_ACT_NONE;
	}
	if (!(t = find_tool(s, name, &index))) {
		buf_puts(&why, "Invalid params: unknown tool ");
		json_write_string(&why, name->u.str.ptr, name->u.str.len);
		buf_puts(&why, "; see tools/list");
		mcp_write_error(out, m->id, MCP_INVALID_PARAMS, why.data);
		buf_free(&why);
		return MCP_ACT_NONE;
	}
	if (args && args->type != VALUE_OBJECT) {
		mcp_write_error(out, m->id, MCP_INVALID_PARAMS,
				"Invalid params: params.arguments must be an object");
		return MCP_ACT_NONE;
	}
	if (token && token->type != VALUE_STRING &&
	    !(token->type == VALUE_NUMBER && strspn(token->u.number, "-0123456789") ==
	      strlen(token->u.number))) {
		mcp_write_error(out, m->id, MCP_INVALID_PARAMS,
				"Invalid params: _meta.progressToken must be a string or an integer");
		return MCP_ACT_NONE;
	}
	/* Arguments that do not fit the inputSchema are a tool error, which a
	 * model can read and correct (the 2025-11-25 tools page). */
	if (args && !check_args(t, args, &why)) {
		mcp_tool_result(out, m->id, why.data, NULL, true);
		buf_free(&why);
		return MCP_ACT_NONE;
	}
	buf_free(&why);
	call->id = value_clone(m->id);
	call->tool = index;
	call->args = args ? value_clone(args) : value_new_object();
	call->progress_token = token ? value_clone(token) : NULL;
	return MCP_ACT_CALL;
}

static enum mcp_action request(struct mcp_server *s, const struct mcp_message *m,
			       struct buf *out, struct mcp_call *call)
{
	static const char *const known[] = { "initialize", "ping", "tools/list", "tools/call" };
	struct buf msg = BUF_INIT;
	size_t i;

	for (i = 0; i < sizeof known / sizeof known[0]; i++)
		if (!strcmp(m->method, known[i]))
			break;
	if (i == sizeof known / sizeof known[0]) {
		buf_puts(&msg, "Method not found: ");
		json_write_string(&msg, m->method, strlen(m->method));
		mcp_write_error(out, m->id, MCP_METHOD_NOT_FOUND, msg.data);
		buf_free(&msg);
		return MCP_ACT_NONE;
	}
	if (m->params && m->params->type != VALUE_OBJECT) {
		mcp_write_error(out, m->id, MCP_INVALID_PARAMS,
				"Invalid params: params must be an object");
		return MCP_ACT_NONE;
	}
	if (!strcmp(m->method, "initialize")) {
		initialize(s, m, out);
		return MCP_ACT_NONE;
	}
	if (!strcmp(m->method, "ping")) {
		struct value *empty = value_new_object();
		mcp_write_result(out, m->id, empty);
		value_free(empty);
		return MCP_ACT_NONE;
	}
	if (!s->initialized) {
		mcp_write_error(out, m->id, MCP_INVALID_REQUEST,
				"Invalid Request: not initialized; send initialize first");
		return MCP_ACT_NONE;
	}
	if (!strcmp(m->method, "tools/list")) {
		mcp_write_result(out, m->id, s->tools);
		return MCP_ACT_NONE;
	}
	return call_tool(s, m, out, call);
}

static bool blank(const char *line, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (line[i] != ' ' && line[i] != '\t' && line[i] != '\r')
			return false;
	return true;
}

enum mcp_action mcp_server_handle(struct mcp_server *s, const char *line, size_t len,
				  struct buf *out, struct mcp_call *call)
{
	struct mcp_message m;
	enum mcp_action act = MCP_ACT_NONE;
	const struct value *rid;

	memset(call, 0, sizeof *call);
	if (blank(line, len))
		return MCP_ACT_NONE; /* a blank line is no message */
	if (mcp_message_parse(line, len, &m)) {
		mcp_write_error(out, m.id, m.code, m.error);
	} else if (m.kind == MCP_MSG_REQUEST) {
		act = request(s, &m, out, call);
	} else if (m.kind == MCP_MSG_NOTIFICATION && !strcmp(m.method, "notifications/cancelled")) {
		/* A malformed or unknown cancellation is ignored (the spec's rule). */
		rid = value_get(m.params, "requestId");
		if (rid && (rid->type == VALUE_STRING || rid->type == VALUE_NUMBER)) {
			call->id = value_clone(rid);
			act = MCP_ACT_CANCEL;
		}
	}
	/* Other notifications (initialized, progress, ...) and responses need
	 * nothing: ccapply sends no requests. */
	mcp_message_free(&m);
	return act;
}

void mcp_server_overlong(struct mcp_server *s, struct buf *out)
{
	char msg[128];

	(void)s;
	snprintf(msg, sizeof msg, "Parse error: message longer than %zu bytes", MCP_LINE_MAX);
	mcp_write_error(out, NULL, MCP_PARSE_ERROR, msg);
}

/* ---- results ------------------------------------------------------------ */

void mcp_tool_result(struct buf *out, const struct value *id, const char *text,
		     struct value *structured, bool is_error)
{
	struct value *r = value_new_object(), *content = value_new_array(),
		     *block = value_new_object();

	value_object_put_c(block, "type", str("text"));
	value_object_put_c(block, "text", str(text));
	value_array_push(content, block);
	value_object_put_c(r, "content", content);
	if (structured)
		value_object_put_c(r, "structuredContent", structured);
	value_object_put_c(r, "isError", value_new_bool(is_error));
	mcp_write_result(out, id, r);
	value_free(r);
}

static struct value *number(double d)
{
	char text[64];

	if (!isfinite(d))
		d = 0;
	snprintf(text, sizeof text, "%.15g", d);
	return value_new_number(text);
}

void mcp_progress(struct buf *out, const struct value *token, double progress, double total,
		  const char *message)
{
	struct value *p = value_new_object();

	value_object_put_c(p, "progressToken", value_clone(token));
	value_object_put_c(p, "progress", number(progress));
	if (total > 0)
		value_object_put_c(p, "total", number(total));
	if (message)
		value_object_put_c(p, "message", str(message));
	mcp_write_notification(out, "notifications/progress", p);
	value_free(p);
}
