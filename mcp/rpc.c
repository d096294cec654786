/*
 * rpc.c — JSON-RPC 2.0 over lines: the framing reader, the message reader
 * and the message writers of mcp.h. The reader is what fuzz/fuzz-mcp.c
 * feeds arbitrary bytes to.
 */
#include <stdio.h>
#include <string.h>

#include "lib/json.h"
#include "mcp/mcp.h"

/* ---- framing ------------------------------------------------------------ */

void mcp_reader_init(struct mcp_reader *r, size_t max)
{
	memset(r, 0, sizeof *r);
	buf_init(&r->pending);
	r->max = max ? max : MCP_LINE_MAX;
}

void mcp_reader_free(struct mcp_reader *r)
{
	buf_free(&r->pending);
}

/* Drop what was returned already, so pending holds only unread bytes. */
static void compact(struct mcp_reader *r)
{
	if (!r->start)
		return;
	memmove(r->pending.data, r->pending.data + r->start, r->pending.len - r->start);
	r->pending.len -= r->start;
	r->pending.data[r->pending.len] = '\0';
	r->start = 0;
}

void mcp_reader_feed(struct mcp_reader *r, const char *data, size_t n)
{
	compact(r);
	if (r->skipping) {
		const char *nl = memchr(data, '\n', n);
		if (!nl)
			return;
		r->skipping = false;
		n -= (size_t)(nl + 1 - data);
		data = nl + 1;
	}
	buf_append(&r->pending, data, n);
	if (!r->pending.data)
		buf_append(&r->pending, "", 0);
}

enum mcp_read mcp_reader_next(struct mcp_reader *r, bool at_eof, const char **line, size_t *len)
{
	const char *p = r->pending.data ? r->pending.data + r->start : NULL;
	size_t avail = r->pending.len - r->start;
	const char *nl = avail ? memchr(p, '\n', avail) : NULL;
	size_t n = nl ? (size_t)(nl - p) : avail;

	if (r->overlong) {
		r->overlong = false;
		return MCP_READ_OVERLONG;
	}
	if (n > r->max) {
		/* Too long, complete or not: drop it (and, if its newline has not
		 * come yet, everything up to it). */
		if (nl) {
			r->start += n + 1;
		} else {
			r->start += n;
			r->skipping = !at_eof;
		}
		compact(r);
		return MCP_READ_OVERLONG;
	}
	if (!nl && !(at_eof && avail))
		return MCP_READ_NONE;
	*line = p;
	*len = n;
	r->start += nl ? n + 1 : n;
	return MCP_READ_LINE;
}

/* ---- messages ----------------------------------------------------------- */

static int invalid(struct mcp_message *m, int code, const char *what)
{
	m->kind = MCP_MSG_INVALID;
	m->code = code;
	snprintf(m->error, sizeof m->error, "%s: %s",
		 code == MCP_PARSE_ERROR ? "Parse error" : "Invalid Request", what);
	return -1;
}

/* MCP: a request id is a string or an integer (never null, never 1.5). */
static bool usable_id(const struct value *id)
{
	const char *p;

	if (!id)
		return false;
	if (id->type == VALUE_STRING)
		return true;
	if (id->type != VALUE_NUMBER)
		return false;
	p = id->u.number + (id->u.number[0] == '-');
	return *p && strspn(p, "0123456789") == strlen(p);
}

int mcp_message_parse(const char *line, size_t len, struct mcp_message *m)
{
	const struct value *v, *id, *method, *result, *error;
	struct err err;

	memset(m, 0, sizeof *m);
	if (json_parse(line, len, &m->doc, &err)) {
		m->doc = NULL;
		return invalid(m, MCP_PARSE_ERROR, err.msg);
	}
	if (m->doc->type == VALUE_ARRAY)
		return invalid(m, MCP_INVALID_REQUEST, "batches are not supported (MCP "
			       "removed JSON-RPC batching in 2025-06-18); send one message a line");
	if (m->doc->type != VALUE_OBJECT)
		return invalid(m, MCP_INVALID_REQUEST, "a message is a JSON object");
	v = value_get(m->doc, "jsonrpc");
	id = value_get(m->doc, "id");
	method = value_get(m->doc, "method");
	result = value_get(m->doc, "result");
	error = value_get(m->doc, "error");
	m->id = usable_id(id) ? id : NULL;
	if (!v || v->type != VALUE_STRING || strcmp(v->u.str.ptr, "2.0") || v->u.str.len != 3)
		return invalid(m, MCP_INVALID_REQUEST, "\"jsonrpc\" must be \"2.0\"");
	if (id && !m->id)
		return invalid(m, MCP_INVALID_REQUEST, "\"id\" must be a string or an integer");
	if (!method) {
		if (m->id && (!result) != (!error)) {
			m->kind = MCP_MSG_RESPONSE;
			return 0;
		}
		return invalid(m, MCP_INVALID_REQUEST, "a request needs \"method\" (a response "
			       "needs \"id\" and one of \"result\" and \"error\")");
	}
	if (method->type != VALUE_STRING || strlen(method->u.str.ptr) != method->u.str.len)
		return invalid(m, MCP_INVALID_REQUEST, "\"method\" must be a string");
	if (result || error)
		return invalid(m, MCP_INVALID_REQUEST, "a request has no \"result\" or \"error\"");
	m->method = method->u.str.ptr;
	m->params = value_get(m->doc, "params");
	if (m->params && m->params->type != VALUE_OBJECT && m->params->type != VALUE_ARRAY)
		return invalid(m, MCP_INVALID_REQUEST, "\"params\" must be an object or an array");
	m->kind = m->id ? MCP_MSG_REQUEST : MCP_MSG_NOTIFICATION;
	return 0;
}

void mcp_message_free(struct mcp_message *m)
{
	value_free(m->doc);
	memset(m, 0, sizeof *m);
}

/* ---- writers ------------------------------------------------------------ */

static void begin(struct json_writer *w, struct buf *out, const struct value *id)
{
	jw_init(w, out, JSON_COMPACT);
	jw_object_begin(w);
	jw_key(w, "jsonrpc");
	jw_string(w, "2.0");
	if (id) {
		jw_key(w, "id");
		jw_value(w, id);
	}
}

static void end(struct json_writer *w, struct buf *out)
{
	jw_object_end(w);
	buf_putc(out, '\n');
}

void mcp_write_result(struct buf *out, const struct value *id, const struct value *result)
{
	struct json_writer w;

	begin(&w, out, id);
	jw_key(&w, "result");
	jw_value(&w, result);
	end(&w, out);
}

void mcp_write_error(struct buf *out, const struct value *id, int code, const char *message)
{
	struct json_writer w;

	begin(&w, out, id);
	jw_key(&w, "error");
	jw_object_begin(&w);
	jw_key(&w, "code");
	jw_int(&w, code);
	jw_key(&w, "message");
	jw_string(&w, message);
	jw_object_end(&w);
	end(&w, out);
}

void mcp_write_notification(struct buf *out, const char *method, const struct value *params)
{
	struct json_writer w;

	begin(&w, out, NULL);
	jw_key(&w, "method");
	jw_string(&w, method);
	if (params) {
		jw_key(&w, "params");
		jw_value(&w, params);
	}
	end(&w, out);
}
