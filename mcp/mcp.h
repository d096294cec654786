/*
 * mcp.h — the Model Context Protocol as ccapply serves it: JSON-RPC 2.0
 * messages, one per line (MCP's stdio transport), the lifecycle
 * (initialize with protocol-version negotiation, ping, notifications) and
 * tools (tools/list, tools/call argument checking, tool results, progress).
 *
 * This module is the protocol only, and pure: it turns input lines into
 * output lines and into "actions" for its caller (run this tool call, cancel
 * that one); it never reads stdin, writes stdout, starts a process or knows
 * what a tool does. cmd/mcp.c is the server around it: the I/O loop, the
 * table of tools (which ccapply command each one runs) and the child
 * processes. docs/mcp.md describes the tools; docs/decisions.md ("MCP
 * server") the choices the specification leaves open.
 *
 * Invariants:
 *  - Every output line is one complete JSON-RPC message followed by "\n"
 *    and nothing else: the JSON writer escapes control characters, so a
 *    message never holds a raw newline.
 *  - Every input line gets at most one response, and a request always gets
 *    one (at once, or later through mcp_tool_result() for a tools/call the
 *    caller runs), unless it is cancelled: a malformed line gets a JSON-RPC
 *    error (-32700 parse error, -32600 invalid request, -32601 method not
 *    found, -32602 invalid params), never a crash, and a notification never
 *    gets a response.
 *  - Input is untrusted: any bytes, any length (lines longer than
 *    MCP_LINE_MAX are refused and skipped to their newline, so memory stays
 *    bounded), any nesting (lib/json.h bounds it).
 *
 * Who may call: cmd/mcp.c (the server); fuzz/fuzz-mcp.c and tools/tt-mcp.c
 * through mcp/fixture.h; the unit tests. Calls lib/ only.
 * Ownership: the reader and server own their memory (free them with
 * mcp_reader_free()/mcp_server_free()); struct mcp_call holds values the
 * caller frees with mcp_call_free(); output goes to caller-owned buffers.
 */
#ifndef CCAPPLY_MCP_H
#define CCAPPLY_MCP_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/buf.h"
#include "lib/err.h"
#include "lib/value.h"

/* The newest MCP revision served, and the oldest accepted: structured tool
 * results (structuredContent, outputSchema) appeared in 2025-06-18. */
#define MCP_PROTOCOL_LATEST "2025-11-25"

/* A message longer than this is refused (-32700) and skipped. */
#define MCP_LINE_MAX ((size_t)16 << 20)

/* JSON-RPC 2.0 error codes. */
enum {
	MCP_PARSE_ERROR = -32700,
	MCP_INVALID_REQUEST = -32600,
	MCP_METHOD_NOT_FOUND = -32601,
	MCP_INVALID_PARAMS = -32602,
	MCP_INTERNAL_ERROR = -32603,
};

/* ---- framing: bytes in, lines out -------------------------------------- */

struct mcp_reader {
	struct buf pending; /* bytes not yet returned as lines, from `start` */
	size_t start;
	size_t max;         /* MCP_LINE_MAX, or smaller for tests */
	bool skipping;      /* inside an overlong line: drop bytes to its newline */
	bool overlong;      /* an overlong line was met: report it once */
};

void mcp_reader_init(struct mcp_reader *r, size_t max);
void mcp_reader_free(struct mcp_reader *r);
void mcp_reader_feed(struct mcp_reader *r, const char *data, size_t n);

enum mcp_read {
	MCP_READ_NONE,     /* no complete line buffered */
	MCP_READ_LINE,     /* *line, *len: one line without its "\n", valid until the next call */
	MCP_READ_OVERLONG, /* a line longer than max was dropped */
};
/* The next line. At end of input pass at_eof = true to get a last line that
 * has no newline. */
enum mcp_read mcp_reader_next(struct mcp_reader *r, bool at_eof, const char **line,
			      size_t *len);

/* ---- messages ---------------------------------------------------------- */

enum mcp_kind {
	MCP_MSG_REQUEST,      /* method and id */
	MCP_MSG_NOTIFICATION, /* method, no id */
	MCP_MSG_RESPONSE,     /* result or error, and id: ccapply sends no requests */
	MCP_MSG_INVALID,      /* code and error say why; id when one could be read */
};

struct mcp_message {
	enum mcp_kind kind;
	struct value *doc;          /* the parsed line; NULL when it did not parse */
	const struct value *id;     /* a string or an integer; NULL when absent or unusable */
	const char *method;         /* requests and notifications */
	const struct value *params; /* NULL when absent; else an object or an array */
	int code;                   /* MCP_MSG_INVALID: MCP_PARSE_ERROR or MCP_INVALID_REQUEST */
	char error[512];
};

/* Read one line as a JSON-RPC 2.0 message. Returns 0, or -1 with kind
 * MCP_MSG_INVALID. Batches (arrays) are invalid: MCP removed them in
 * 2025-06-18. Free with mcp_message_free() either way. */
int mcp_message_parse(const char *line, size_t len, struct mcp_message *m);
void mcp_message_free(struct mcp_message *m);

/* Append one message line. id NULL writes an error without "id" (MCP's form
 * for a message whose id could not be read). result is written as given. */
void mcp_write_result(struct buf *out, const struct value *id, const struct value *result);
void mcp_write_error(struct buf *out, const struct value *id, int code, const char *message);
void mcp_write_notification(struct buf *out, const char *method, const struct value *params);

/* ---- tools ------------------------------------------------------------- */

enum mcp_arg_kind {
	MCP_ARG_STRING, /* a non-empty string */
	MCP_ARG_CODES,  /* "all", or a list of codes ([A-Za-z0-9_.-]+) */
};

struct mcp_arg {
	const char *name;
	enum mcp_arg_kind kind;
	bool required;
	const char *description;
};

struct mcp_tool {
	const char *name;
	const char *title;
	const char *description;
	const struct mcp_arg *args; /* ends with { NULL }; the inputSchema is built from it */
	const char *output_schema;  /* JSON Schema text, an object schema */
	bool read_only;             /* annotations: readOnlyHint, else destructiveHint
				     * false and idempotentHint true (additive only) */
};

struct mcp_server_info {
	const char *name;
	const char *version;
	const char *instructions; /* may be NULL */
	const struct mcp_tool *tools;
	size_t n_tools;
};

struct mcp_server;

/* The server's tool list is built once; a tool whose output schema does not
 * parse is a programming error: returns NULL with err set. */
struct mcp_server *mcp_server_new(const struct mcp_server_info *info, struct err *err);
void mcp_server_free(struct mcp_server *s);
/* The outputSchema of tool i, parsed. */
const struct value *mcp_server_output_schema(const struct mcp_server *s, size_t i);

enum mcp_action {
	MCP_ACT_NONE,   /* answered (or ignored) in full */
	MCP_ACT_CALL,   /* a checked tools/call: run it, then mcp_tool_result() */
	MCP_ACT_CANCEL, /* notifications/cancelled for the request call->id */
};

struct mcp_call {
	struct value *id;             /* the request's id (MCP_ACT_CANCEL: the cancelled one) */
	size_t tool;                  /* index into info->tools */
	struct value *args;           /* the arguments object, checked against the tool's args */
	struct value *progress_token; /* params._meta.progressToken, or NULL */
};

void mcp_call_free(struct mcp_call *c);

/* Handle one input line: appends the response (if any) to out, and returns
 * what the caller must do. call is filled for MCP_ACT_CALL and
 * MCP_ACT_CANCEL. */
enum mcp_action mcp_server_handle(struct mcp_server *s, const char *line, size_t len,
				  struct buf *out, struct mcp_call *call);
/* Respond -32700 to a line that was too long to read (mcp_reader_next). */
void mcp_server_overlong(struct mcp_server *s, struct buf *out);

/* The result of a tools/call: text for people (and models), and when not
 * NULL the structured content (taken over; it must match the tool's
 * outputSchema). */
void mcp_tool_result(struct buf *out, const struct value *id, const char *text,
		     struct value *structured, bool is_error);

/* notifications/progress; total <= 0 leaves it out; message may be NULL. */
void mcp_progress(struct buf *out, const struct value *token, double progress, double total,
		  const char *message);

#endif
