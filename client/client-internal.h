/*
 * client-internal.h — the pieces of the API client that are shared between
 * its source files and exercised directly by the unit tests
 * (t/unit/test-client-*.c). Nothing outside client/ and those tests may
 * include it; everyone else uses client.h.
 *
 * The pure parts live here so they can be tested without a network:
 *   url.c    — the base-URL rule (https, or http to loopback only) and
 *              escaping of path segments and query values;
 *   pace.c   — the create pacer, backoff with full jitter, the per-client
 *              random source, Retry-After parsing and interruptible waits;
 *   redact.c — recognising credential keys, redacting value trees and
 *              scrubbing the API secret out of text, and the trace writer;
 *   shape.c  — the fields of each kind of API object ccapply reads, and
 *              their types: what a response must look like to be used.
 * http.c (one HTTP exchange over the shared curl handle) and client.c (the
 * calls in client.h: retries, pagination, unknown-outcome lookups) are the
 * impure rest.
 *
 * Ownership: functions returning char * give the caller a string to free().
 */
#ifndef CCAPPLY_CLIENT_INTERNAL_H
#define CCAPPLY_CLIENT_INTERNAL_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include <curl/curl.h>

#include "lib/buf.h"
#include "lib/err.h"
#include "lib/value.h"

/* --- url.c --------------------------------------------------------------- */

/* Check a base URL with curl's URL parser: scheme https, or http when the host
 * is loopback (127.0.0.0/8, ::1, localhost); no user, password, query or
 * fragment. On success *normalized is the URL without trailing slashes
 * ("https://api.fivetran.com", "http://127.0.0.1:8080/prefix"). On failure
 * err->code = CLIENT_E_CONFIG and the message names the URL. */
int client_url_check(const char *url, char **normalized, struct err *err);

/* Is host (as curl reports it: "[::1]" for IPv6) a loopback host? */
bool client_url_host_is_loopback(const char *host);

/* Append s percent-encoded so it is one path segment or one query value:
 * everything but RFC 3986 unreserved characters becomes %XX. */
void client_url_escape(struct buf *out, const char *s);

/* --- pace.c -------------------------------------------------------------- */

/* The connection-create pacer: a bucket of `count` tokens where a token spent
 * at time t comes back at t + window. That guarantees no more than `count`
 * creates in ANY window of that length — what Fivetran enforces — where a
 * classic continuously-refilling bucket would allow up to twice as many. */
struct pacer {
	double *spent;  /* ring of the times (seconds) the last `count` tokens were spent */
	size_t count;
	size_t used;    /* how many slots hold a time (≤ count) */
	size_t next;    /* ring index of the oldest spend once used == count */
	double window;  /* seconds */
};

/* count ≥ 1, 0 < window; returns -1 (and sets err) otherwise. */
int pacer_init(struct pacer *p, int count, double window, struct err *err);
void pacer_release(struct pacer *p);
/* Seconds to wait from `now` until a token is available (0: one is free). */
double pacer_delay(const struct pacer *p, double now);
/* Spend a token at `now`. Call only when pacer_delay(p, now) == 0. */
void pacer_spend(struct pacer *p, double now);
/* Move the token spent last to `now`: called when the create's answer
 * arrives, because the server counts a create when it commits it, not when
 * it was sent; counting from the send let the N+1th create reach the
 * server inside the window and draw a 429. */
void pacer_restamp(struct pacer *p, double now);

/* xorshift64* — a per-client random source (no global state). A zero seed is
 * replaced by a fixed non-zero constant. */
uint64_t client_rng_seed(uint64_t seed);
uint64_t client_rng_next(uint64_t *state);

/* Full-jitter backoff before retry number `retry` (0 for the first retry):
 * uniform in [0, min(cap_ms, base_ms * 2^retry)]. */
long client_backoff_ms(long base_ms, long cap_ms, int retry, uint64_t *rng);

/* Parse a Retry-After header value: delta-seconds ("120") or an HTTP-date
 * (RFC 9110 IMF-fixdate and the two obsolete forms, parsed by curl_getdate).
 * now is the current time for dates. On success *ms is the wait (0 for a date
 * in the past) and 0 is returned; -1 for anything else (the caller then falls
 * back to backoff). */
int client_parse_retry_after(const char *value, time_t now, long *ms);

/* Seconds on the monotonic clock. */
double client_now(void);

/* Sleep ms milliseconds in small steps, returning -1 as soon as *interrupted
 * (when non-NULL) is non-zero, 0 after the full wait. */
int client_sleep_ms(long ms, volatile sig_atomic_t *interrupted);

/* --- http.c -------------------------------------------------------------- */

/* The one curl easy handle and what every request shares. */
struct http {
	CURL *curl;
	struct curl_slist *headers_get;  /* Accept */
	struct curl_slist *headers_body; /* Accept, Content-Type, no Expect */
	const char *const *secrets;      /* for scrubbing (client_secrets); the client's */
	FILE *trace;                     /* NULL: no trace */
	const char *const *secret_keys;  /* extra keys to redact in traces; NULL-terminated */
	bool trace_bodies;               /* trace bodies too, not just request lines */
	char errbuf[CURL_ERROR_SIZE];
};

struct http_request {
	const char *method; /* "GET" or "POST" */
	const char *url;    /* complete, escaped */
	const char *body;   /* NULL: no body */
	size_t body_len;
	bool fresh_connection; /* do not reuse a kept-alive connection (writes) */
};

#define HTTP_MAX_RESPONSE (64u << 20) /* bytes; a larger body is an error */

struct http_response {
	long status;          /* 0 when no status line arrived */
	bool failed;          /* no complete HTTP answer (see error) */
	bool maybe_sent;      /* failed after the request left: the server may have acted */
	bool retriable;       /* failed in a way worth retrying (not e.g. a bad certificate) */
	char error[CURL_ERROR_SIZE + 64]; /* network error text, secret scrubbed */
	bool has_retry_after;
	char retry_after[128];
	struct buf body;
	bool too_large;
	long elapsed_ms;
};

/* Set up the handle: TLS verification, timeouts, auth, headers, no signals,
 * no progress output, and the proxy rule (plain http and loopback never
 * through a proxy). base_url is the checked base URL; api_key, api_secret
 * and secrets must outlive h. */
int http_init(struct http *h, const char *base_url, const char *api_key,
	      const char *api_secret, const char *const *secrets, long timeout_ms,
	      long connect_timeout_ms, FILE *trace, struct err *err);
void http_release(struct http *h);
/* Perform one exchange (no retries). Always fills rs; release it with
 * http_response_release. Traces the request and the response when enabled. */
void http_exchange(struct http *h, const struct http_request *rq, struct http_response *rs);
void http_response_release(struct http_response *rs);

/* --- shape.c ------------------------------------------------------------- */

/* The fields of one kind of API object that ccapply reads, each with the JSON
 * type it must have; members not listed are ignored (the API may add fields).
 * See shape.c for the rule that decides what is required. */
enum shape_type {
	SHAPE_STRING,
	SHAPE_BOOL,
	SHAPE_OBJECT,
	SHAPE_STRING_ARRAY, /* an array whose every element is a string */
};

enum shape_presence {
	SHAPE_OPTIONAL,    /* checked only when present */
	SHAPE_REQUIRED,    /* must be present (when its parent is) */
	SHAPE_REQUIRED_IF, /* required when the object's string when_key is when_value */
};

struct shape_field {
	const char *path; /* "key", or "parent.key" with the parent listed earlier */
	enum shape_type type;
	enum shape_presence presence;
	const char *when_key, *when_value; /* SHAPE_REQUIRED_IF only */
};

struct shape {
	const struct shape_field *fields;
	size_t n;
};

extern const struct shape shape_group;          /* GroupResponse */
extern const struct shape shape_connection;     /* ConnectorResponse */
extern const struct shape shape_transformation; /* QUICKSTART/DBT_CORE TransformationResponse */
extern const struct shape shape_destination;    /* DestinationExtendedResponse */
extern const struct shape shape_created;        /* a create's answer: its id */

/* Check v against s. where names v in the message ("data", "data.items[3]").
 * 0, or -1 with one line appended to problem, for example
 * "data.items[3].schema: expected a string, found a number" or
 * "data.items[0]: expected an object, found null". */
int shape_check(const struct shape *s, const struct value *v, const char *where,
		struct buf *problem);

/* --- redact.c ------------------------------------------------------------ */

#define CLIENT_REDACTED "<redacted>"

/* Is this object key one whose value is a credential (password, token, ...)?
 * Case-insensitive; see redact.c for the list. */
bool client_is_credential_key(const char *key, size_t len);

/* Replace, in place, the value of every credential key (and of every key
 * in extra_keys, a NULL-terminated list or NULL) at any depth with the
 * string "<redacted>". */
void client_redact_tree(struct value *v, const char *const *extra_keys);

/* What is scrubbed from every string the client lets out: the API key, the
 * secret, and "key:secret" in base64 (the HTTP Basic credential), as a
 * NULL-terminated list. client_secrets_new builds it; client_secrets_free
 * wipes and frees it. */
#define CLIENT_SECRETS_MAX 4
char **client_secrets_new(const char *api_key, const char *api_secret);
void client_secrets_free(char **secrets);

/* Replace every occurrence of each of secrets (NULL-terminated, or NULL) in
 * b with "<redacted>". A value shorter than CLIENT_MIN_SCRUB_LEN is left
 * alone: scrubbing "s" would garble every message, and real API keys and
 * secrets are 16 and 32 characters. Nothing prints them on purpose; this
 * guards against libcurl, a proxy or the API echoing them (in an error's
 * message or code). */
#define CLIENT_MIN_SCRUB_LEN 6
void client_scrub_buf(struct buf *b, const char *const *secrets);
/* The same on a fixed-size NUL-terminated array (the result is truncated to
 * size - 1 bytes if it grows). */
void client_scrub_str(char *s, size_t size, const char *const *secrets);

/* Trace output: one line "<prefix><text>\n" with the secrets scrubbed. */
void client_trace_line(FILE *f, const char *const *secrets, const char *prefix,
		       const char *text);
/* Trace a JSON body: parse it, redact credential keys, write compact JSON on
 * one line "<prefix>body: ...". A body that is not JSON is described, not
 * printed (it cannot be redacted reliably). */
void client_trace_body(FILE *f, const char *const *secrets, const char *const *extra_keys,
		       const char *prefix, const char *data, size_t len);

#endif
