/*
 * client.h — the one door between ccapply and the Fivetran REST API.
 *
 * Owns: the HTTP connection (one libcurl easy handle, reused: keep-alive),
 * authentication (HTTP Basic from the API key and secret), the base URL and
 * its safety rules (https everywhere; plain http only to loopback hosts; TLS
 * verification always on), retries and pacing (SPEC §3), response parsing
 * (strict JSON, lib/json.h) and redacted debug tracing.
 *
 * Invariants:
 *  - In read-only mode no request other than GET ever leaves the process:
 *    write calls fail inside the client before any network activity.
 *  - The API secret and every credential value in request or response bodies
 *    never appear in traces or error messages.
 *  - A create whose outcome is unknown (timeout, connection reset, 5xx) is
 *    never re-sent before the resource has been looked up by name; if the
 *    lookup finds it, it is adopted (result.adopted = true).
 *  - Every list call follows next_cursor to the end, limit=1000; a cursor
 *    that comes back a second time (a -> b -> a) is an error, not a loop.
 *  - Every answer is checked before it is returned: the envelope (`data` an
 *    object; for lists data.items an array, data.next_cursor a string, null
 *    or absent) and, in each group, connection and transformation (each list
 *    item, or the single object), the fields ccapply reads, with their types
 *    (client-internal.h, shape.c). Extra fields are ignored. So callers may
 *    rely on, for example, every connection item having string id, group_id,
 *    service and schema. A create's answer must carry its id.
 *  - Errors are values: err->msg reads "METHOD /path: HTTP 404 NotFound:
 *    <Fivetran message>" (or "...: <network error>", or for an answer that
 *    is not what the API promises "METHOD /path?query: HTTP 200: malformed
 *    response: data.items[3].schema: expected a string, found a number"),
 *    and the optional struct api_status gives the pieces to callers that
 *    record them.
 *
 * A transport: requests and answers. It knows nothing of plans, diffs or
 * records (it includes lib/ and, for the credential names it redacts, the
 * catalog); live/ turns its answers into the live state a diff reads.
 *
 * Who may call: cmd/ (to create and configure), applier/ and live/.
 * planner/ and differ/ never do (they are pure).
 * Ownership: every struct value returned is the caller's to value_free().
 */
#ifndef CCAPPLY_CLIENT_H
#define CCAPPLY_CLIENT_H

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>

#include "lib/err.h"
#include "lib/value.h"

#define CLIENT_DEFAULT_BASE_URL "https://api.fivetran.com"

struct client_options {
	const char *base_url;   /* NULL: CLIENT_DEFAULT_BASE_URL */
	const char *api_key;    /* required */
	const char *api_secret; /* required */
	bool read_only;         /* refuse every non-GET request */
	FILE *trace;            /* -v: one line per request and response; NULL: none */
	bool trace_bodies;      /* --debug: the (redacted) bodies too */
	/* More keys whose values are secrets, beyond the built-in list (the
	 * plan's credential_fields); NULL-terminated, may be NULL; must outlive
	 * the client. */
	const char *const *secret_keys;
	long timeout_ms;        /* whole-request timeout; 0: 60000 */
	long connect_timeout_ms;/* 0: 10000 */
	int max_read_retries;   /* retries of a read after 5xx/network error; -1: default 5 */
	long retry_base_ms;     /* first backoff step; 0: 500 (tests set it small) */
	long retry_max_ms;      /* backoff cap; 0: 30000 */
	int create_rate_count;  /* connection creates allowed per window; 0: 20
				 * (client_create_rate_parse checks a user's) */
	double create_rate_seconds; /* window length; 0: 60 */
	/* Set by a signal handler; waits (pacing, backoff, Retry-After) end
	 * early when it becomes non-zero and the call fails with
	 * err->code = CLIENT_E_INTERRUPTED. May be NULL. */
	volatile sig_atomic_t *interrupted;
	/* Told about every wait (create pacing, backoff, Retry-After) at its
	 * start and about once a second until it ends: the seconds left and
	 * why ("create rate pacing", "HTTP 429, Retry-After: 30"). So progress
	 * can say "waiting" instead of freezing. May be NULL. */
	void (*on_wait)(void *ctx, double seconds_left, const char *why);
	void *on_wait_ctx;
};

/* Fivetran's published limit, the default pace of connection creates (the
 * one definition: ccapply's help and progress use it too). */
#define CLIENT_CREATE_RATE_COUNT 20
#define CLIENT_CREATE_RATE_SECONDS 60

/* err->code values set by client calls. */
enum client_error_code {
	CLIENT_E_NONE = 0,
	CLIENT_E_CONFIG,      /* bad URL, missing credentials, refused http */
	CLIENT_E_READ_ONLY,   /* a write in read-only mode; nothing was sent */
	CLIENT_E_NETWORK,     /* no HTTP answer (DNS, refused, reset, timeout) */
	CLIENT_E_HTTP,        /* an HTTP error status; see api_status */
	CLIENT_E_AUTH,        /* 401 or 403: nothing else can succeed */
	CLIENT_E_MALFORMED,   /* the body was not the JSON the definition promises */
	CLIENT_E_INTERRUPTED, /* *interrupted became non-zero while waiting */
	CLIENT_E_UNKNOWN_OUTCOME, /* create may or may not have happened, and
				   * the lookup could not tell */
};

/* What one API call ended with, for callers that record it (state file,
 * results.md). Filled on success and on failure. */
struct api_status {
	int http_status;   /* last HTTP status; 0 when none was received */
	char code[128];    /* Fivetran's "code" ("Success", "NotFound", ...) or "" */
	char message[1024];/* Fivetran's "message", or the network error; redacted */
	bool adopted;      /* create: outcome was unknown, found by lookup, adopted */
	int attempts;      /* requests sent for this call, retries included */
};

struct client;

/* Validate options (URL scheme and host rule, credentials present) and set up
 * the handle. Does no network I/O. */
int client_new(const struct client_options *opts, struct client **out, struct err *err);
void client_free(struct client *c);

/* Reads. On success *out is the response's `data` object (single resources)
 * or an array of all items across pages (lists). */
int client_get_group(struct client *c, const char *group_id, struct value **out,
		     struct api_status *st, struct err *err);
int client_list_groups(struct client *c, struct value **items, struct api_status *st,
		       struct err *err);
int client_get_destination(struct client *c, const char *destination_id, struct value **out,
			   struct api_status *st, struct err *err);
/* GET /v1/groups/{id}/connections[?schema=...]; schema may be NULL. */
int client_list_group_connections(struct client *c, const char *group_id, const char *schema,
				  struct value **items, struct api_status *st, struct err *err);
int client_get_connection(struct client *c, const char *connection_id, struct value **out,
			  struct api_status *st, struct err *err);
/* GET /v1/transformations?group_id=...&type=...; type may be NULL. */
int client_list_transformations(struct client *c, const char *group_id, const char *type,
				struct value **items, struct api_status *st, struct err *err);
int client_get_package_metadata(struct client *c, const char *package_definition_id,
				struct value **out, struct api_status *st, struct err *err);

/* Writes (refused in read-only mode). body is the complete request object.
 * Connection creates wait for the pacing token bucket first. When the
 * outcome is unknown, the connection is looked up with
 * GET /v1/connections?group_id=<body.group_id>&schema=<schema_name> and
 * adopted if present (st->adopted); a transformation is looked up among the
 * group's transformations by package name and connection ids. On success *out
 * is the created (or adopted) resource's data object. */
int client_create_connection(struct client *c, const struct value *body, const char *schema_name,
			     struct value **out, struct api_status *st, struct err *err);
int client_create_transformation(struct client *c, const struct value *body, const char *group_id,
				 struct value **out, struct api_status *st, struct err *err);

/* Parse a create rate "N/SECONDS" (--create-rate): N a whole number from 1
 * to CLIENT_RATE_MAX_COUNT, SECONDS a positive number of at most a year.
 * 0, or -1 with err saying what is wrong in the user's terms (never a
 * number the text did not hold: 99999999999999999999 is "too large", not
 * wrapped). The one check of a rate: the pacer's own refusal is for
 * callers that skip this. */
#define CLIENT_RATE_MAX_COUNT 100000
#define CLIENT_RATE_MAX_SECONDS (86400.0 * 365)
int client_create_rate_parse(const char *text, int *count, double *seconds, struct err *err);

#endif
