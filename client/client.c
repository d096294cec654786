/*
 * client.c — the Fivetran API calls of client.h: building requests, reading
 * answers, and the retry rules of SPEC §3.
 *
 * One request goes through three steps: http.c performs the exchange,
 * interpret() turns the answer into a verdict (ok, rate-limited, server error,
 * network failure, client error, auth failure, malformed) with the error text
 * and the api_status filled in, and a policy loop decides what to do next:
 *   - reads: 429 waits Retry-After; 5xx and network failures are retried with
 *     capped exponential backoff and full jitter; everything else is final;
 *   - writes: 429 waits Retry-After (nothing happened), a failure that
 *     happened before the request left is retried, and an unknown outcome
 *     (5xx, timeout, reset, an unreadable 2xx) is never re-sent blindly — the
 *     resource is looked up by name, adopted if it is there, and only when the
 *     lookup proves it absent is the create sent again (at most
 *     CREATE_MAX_SENDS times). A 409 on such a re-send means the earlier
 *     attempt landed after all (a slow server): one more lookup adopts it.
 *     A 409 on a first send is an ordinary error: a resource that merely
 *     has the same name is never adopted.
 * Lists follow next_cursor with limit=1000 and concatenate the items; the
 * cursors already used are remembered, so a server whose cursors go round in
 * a circle is caught at the first repeat.
 * Every 2xx answer is checked before anyone reads it (check_data): the
 * envelope here, the objects against the call's shape (shape.c). A failed
 * check is V_MALFORMED, an error naming the endpoint, the HTTP status, the
 * item and the field; for a create it means "committed, answer unreadable",
 * so the resource is looked up, as for any unknown outcome.
 * Every message that leaves this file has the API secret scrubbed out.
 */
#include "client/client.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "client/client-internal.h"
#include "lib/buf.h"
#include "lib/json.h"

#define DEFAULT_TIMEOUT_MS 60000L
#define DEFAULT_CONNECT_TIMEOUT_MS 10000L
#define DEFAULT_READ_RETRIES 5
#define DEFAULT_RETRY_BASE_MS 500L
#define DEFAULT_RETRY_MAX_MS 30000L
#define PAGE_LIMIT "1000"
#define MAX_PAGES 100000           /* a cursor chain longer than this is a server bug */
#define MAX_RATE_LIMIT_WAITS 10    /* consecutive 429s for one request */
#define MAX_RETRY_AFTER_MS 600000L /* a longer Retry-After is reported, not waited */
#define CREATE_MAX_SENDS 3         /* sends of one create, each after a lookup proved absence */

struct client {
	struct http http;
	char *base_url;   /* normalized, no trailing slash */
	char *api_key;
	char *api_secret;
	char **secrets;          /* scrubbed from everything the client lets out */
	bool read_only;
	FILE *trace;
	int max_read_retries;
	long retry_base_ms;
	long retry_max_ms;
	volatile sig_atomic_t *interrupted;
	void (*on_wait)(void *ctx, double seconds_left, const char *why);
	void *on_wait_ctx;
	struct pacer pacer; /* connection creates */
	uint64_t rng;       /* backoff jitter */
};

/* One logical request: method, path and filters; a list adds limit and cursor. */
struct call {
	const char *method;
	struct buf path;     /* escaped, starts with "/v1/" */
	struct buf filters;  /* escaped query without limit/cursor; may be empty */
	struct buf label;    /* "METHOD /path[?filters]" for messages */
	const struct value *body;
	bool list;           /* add limit=1000 and the cursor */
	const char *cursor;  /* list page cursor, NULL for the first page */
	int page;            /* list page number (1-based), for messages */
	bool paced;          /* a connection create: take a pacer token per send */
	/* What the answer's data must look like (each item's, for a list);
	 * NULL: any object. */
	const struct shape *shape;
};

enum verdict {
	V_OK,
	V_RATE_LIMITED, /* 429 */
	V_SERVER,       /* 5xx */
	V_NETWORK,      /* no complete answer */
	V_CLIENT,       /* another non-2xx status */
	V_AUTH,         /* 401, 403 */
	V_MALFORMED,    /* 2xx with a body that is not what the API promises */
};

/* --- small helpers ------------------------------------------------------- */

static int fail(struct client *c, struct err *err, int code, const struct call *k,
		const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int fail(struct client *c, struct err *err, int code, const struct call *k,
		const char *fmt, ...)
{
	char text[ERR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	err_set(err, "%s: %s", buf_str(&k->label), text);
	client_scrub_str(err->msg, sizeof err->msg, (const char *const *)c->secrets);
	err->code = code;
	return -1;
}

/* A 2xx (or cut-off) answer that is not what the API promises:
 * "METHOD /path: HTTP 200: malformed response: <what>". */
static int malformed(struct client *c, struct err *err, const struct call *k, long status,
		     const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int malformed(struct client *c, struct err *err, const struct call *k, long status,
		     const char *fmt, ...)
{
	char text[ERR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	if (status > 0)
		return fail(c, err, CLIENT_E_MALFORMED, k, "HTTP %ld: malformed response: %s",
			    status, text);
	return fail(c, err, CLIENT_E_MALFORMED, k, "malformed response: %s", text);
}

/* Add text at the end of an error message (truncating); returns -1. */
static int err_append(struct err *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int err_append(struct err *err, const char *fmt, ...)
{
	size_t n = strlen(err->msg);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err->msg + n, sizeof err->msg - n, fmt, ap);
	va_end(ap);
	return -1;
}

static void trace_note(struct client *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void trace_note(struct client *c, const char *fmt, ...)
{
	char text[ERR_MSG_MAX];
	va_list ap;

	if (!c->trace)
		return;
	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	client_trace_line(c->trace, (const char *const *)c->secrets, "* ", text);
}

static void call_init(struct call *k, const char *method)
{
	memset(k, 0, sizeof *k);
	k->method = method;
	buf_init(&k->path);
	buf_init(&k->filters);
	buf_init(&k->label);
}

static void call_release(struct call *k)
{
	buf_free(&k->path);
	buf_free(&k->filters);
	buf_free(&k->label);
}

static void call_path(struct call *k, const char *prefix, const char *id, const char *suffix)
{
	buf_puts(&k->path, prefix);
	if (id)
		client_url_escape(&k->path, id);
	if (suffix)
		buf_puts(&k->path, suffix);
}

static void call_filter(struct call *k, const char *key, const char *value)
{
	if (!value)
		return;
	if (k->filters.len)
		buf_putc(&k->filters, '&');
	buf_puts(&k->filters, key);
	buf_putc(&k->filters, '=');
	client_url_escape(&k->filters, value);
}

/* Fix the label once path and filters are set. */
static void call_ready(struct call *k)
{
	buf_reset(&k->label);
	buf_printf(&k->label, "%s %s", k->method, buf_str(&k->path));
	if (k->filters.len)
		buf_printf(&k->label, "?%s", buf_str(&k->filters));
}

/* A GET of every page of path, with up to two filters (a NULL value is left
 * out), each item checked against shape. Release with call_release(). */
static void list_call_init(struct call *k, const char *path, const char *key1, const char *val1,
			   const char *key2, const char *val2, const struct shape *shape)
{
	call_init(k, "GET");
	buf_puts(&k->path, path);
	if (key1)
		call_filter(k, key1, val1);
	if (key2)
		call_filter(k, key2, val2);
	k->list = true;
	k->shape = shape;
	call_ready(k);
}

static void build_url(const struct client *c, const struct call *k, struct buf *url)
{
	char sep = '?';

	buf_puts(url, c->base_url);
	buf_puts(url, buf_str(&k->path));
	if (k->filters.len) {
		buf_printf(url, "?%s", buf_str(&k->filters));
		sep = '&';
	}
	if (k->list) {
		buf_printf(url, "%climit=" PAGE_LIMIT, sep);
		if (k->cursor) {
			buf_puts(url, "&cursor=");
			client_url_escape(url, k->cursor);
		}
	}
}

static void status_text(struct client *c, struct api_status *st, const struct value *root)
{
	const char *code = value_get_string(root, "code");
	const char *message = value_get_string(root, "message");

	snprintf(st->code, sizeof st->code, "%s", code ? code : "");
	snprintf(st->message, sizeof st->message, "%s", message ? message : "");
	client_scrub_str(st->code, sizeof st->code, (const char *const *)c->secrets);
	client_scrub_str(st->message, sizeof st->message, (const char *const *)c->secrets);
}

/* --- one exchange and its verdict ---------------------------------------- */

/* Take `data` out of a 2xx body; V_OK or V_MALFORMED. */
static enum verdict take_data(struct client *c, const struct call *k, long status,
			      struct value *root, struct value **data, struct err *err)
{
	size_t i;

	if (root->type != VALUE_OBJECT) {
		malformed(c, err, k, status, "expected a JSON object, found %s",
			  value_found_phrase(root->type, true));
		return V_MALFORMED;
	}
	for (i = 0; i < root->u.obj.n; i++) {
		struct member *m = &root->u.obj.items[i];

		if (strcmp(m->key, "data"))
			continue;
		if (m->val->type != VALUE_OBJECT) {
			malformed(c, err, k, status, "data: expected an object, found %s",
				  value_found_phrase(m->val->type, true));
			return V_MALFORMED;
		}
		*data = m->val;
		m->val = value_new_null();
		return V_OK;
	}
	malformed(c, err, k, status, "data: missing (expected an object)");
	return V_MALFORMED;
}

/* One page of a list: data.items an array of objects of the call's shape,
 * data.next_cursor a string, null or absent. */
static int check_page(struct client *c, const struct call *k, long status,
		      const struct value *data, struct err *err)
{
	const struct value *items = value_get(data, "items");
	const struct value *next = value_get(data, "next_cursor");
	struct buf where = BUF_INIT, problem = BUF_INIT;
	size_t i;
	int ret = 0;

	if (!items)
		return malformed(c, err, k, status, "data.items: missing (expected an array)");
	if (items->type != VALUE_ARRAY)
		return malformed(c, err, k, status, "data.items: expected an array, found %s",
				 value_found_phrase(items->type, true));
	if (next && next->type != VALUE_STRING && next->type != VALUE_NULL)
		return malformed(c, err, k, status, "data.next_cursor: expected a string or "
				 "null, found %s", value_found_phrase(next->type, true));
	for (i = 0; k->shape && i < items->u.arr.n && !ret; i++) {
		buf_reset(&where);
		buf_printf(&where, "data.items[%zu]", i);
		if (shape_check(k->shape, items->u.arr.items[i], buf_str(&where), &problem)) {
			if (k->page > 1)
				buf_printf(&problem, " (page %d)", k->page);
			ret = malformed(c, err, k, status, "%s", buf_str(&problem));
		}
	}
	buf_free(&where);
	buf_free(&problem);
	return ret;
}

/* The data object of a 2xx answer is what the call reads: V_OK or
 * V_MALFORMED (data freed). */
static enum verdict check_data(struct client *c, const struct call *k, long status,
			       struct value **data, struct err *err)
{
	struct buf problem = BUF_INIT;
	int ret = 0;

	if (k->list)
		ret = check_page(c, k, status, *data, err);
	else if (k->shape && shape_check(k->shape, *data, "data", &problem))
		ret = malformed(c, err, k, status, "%s", buf_str(&problem));
	buf_free(&problem);
	if (ret == 0)
		return V_OK;
	value_free(*data);
	*data = NULL;
	return V_MALFORMED;
}

static enum verdict judge_status(struct client *c, const struct call *k,
				 const struct http_response *rs, const struct api_status *st,
				 struct err *err)
{
	char detail[sizeof st->code + sizeof st->message + 8] = "";
	long s = rs->status;

	if (st->code[0] && st->message[0])
		snprintf(detail, sizeof detail, " %s: %s", st->code, st->message);
	else if (st->code[0] || st->message[0])
		snprintf(detail, sizeof detail, " %s", st->code[0] ? st->code : st->message);
	if (s == 401 || s == 403) {
		fail(c, err, CLIENT_E_AUTH, k, "HTTP %ld%s (check FIVETRAN_APIKEY and "
		     "FIVETRAN_APISECRET)", s, detail);
		return V_AUTH;
	}
	fail(c, err, CLIENT_E_HTTP, k, "HTTP %ld%s", s, detail);
	if (s == 429)
		return V_RATE_LIMITED;
	return s >= 500 && s <= 599 ? V_SERVER : V_CLIENT;
}

static enum verdict interpret(struct client *c, const struct call *k,
			      const struct http_response *rs, struct value **data,
			      struct api_status *st, struct err *err)
{
	struct value *root = NULL;
	struct err perr = { "", 0 };
	enum verdict v;
	bool parsed;

	st->http_status = (int)rs->status;
	st->code[0] = st->message[0] = '\0';
	if (rs->too_large) {
		malformed(c, err, k, rs->status, "%s", rs->error);
		return V_MALFORMED;
	}
	if (rs->failed) {
		snprintf(st->message, sizeof st->message, "%s", rs->error);
		fail(c, err, CLIENT_E_NETWORK, k, "%s", rs->error);
		return V_NETWORK;
	}
	parsed = json_parse(rs->body.data ? rs->body.data : "", rs->body.len, &root, &perr) == 0;
	if (parsed)
		status_text(c, st, root);
	if (rs->status >= 200 && rs->status <= 299) {
		if (!parsed) {
			malformed(c, err, k, rs->status, "%s", perr.msg);
			return V_MALFORMED;
		}
		v = take_data(c, k, rs->status, root, data, err);
		if (v == V_OK)
			v = check_data(c, k, rs->status, data, err);
	} else {
		v = judge_status(c, k, rs, st, err);
	}
	value_free(root);
	return v;
}

static int send_once(struct client *c, const struct call *k, struct value **data,
		     struct api_status *st, struct err *err, struct http_response *rs,
		     enum verdict *v)
{
	struct buf url = BUF_INIT, body = BUF_INIT;
	struct http_request rq;

	build_url(c, k, &url);
	memset(&rq, 0, sizeof rq);
	rq.method = k->method;
	rq.url = buf_str(&url);
	if (k->body) {
		json_write(&body, k->body, JSON_COMPACT);
		rq.body = buf_str(&body);
		rq.body_len = body.len;
		rq.fresh_connection = true;
	}
	http_exchange(&c->http, &rq, rs);
	st->attempts++;
	*v = interpret(c, k, rs, data, st, err);
	buf_free(&url);
	buf_free(&body);
	return *v == V_OK ? 0 : -1;
}

/* --- waiting ------------------------------------------------------------- */

static int wait_ms(struct client *c, const struct call *k, long ms, const char *why,
		   struct err *err)
{
	long left = ms;

	trace_note(c, "waiting %ld ms (%s)", ms, why);
	/* In steps of at most a second, telling on_wait how long is left. */
	while (left > 0) {
		long step = left > 1000 ? 1000 : left;
		if (c->on_wait)
			c->on_wait(c->on_wait_ctx, left / 1000.0, why);
		if (client_sleep_ms(step, c->interrupted) != 0)
			break;
		left -= step;
	}
	if (left <= 0)
		return 0;
	return fail(c, err, CLIENT_E_INTERRUPTED, k, "interrupted while waiting (%s)", why);
}

/* A 429: wait what Retry-After asks (or back off), unless it asks too much. */
static int wait_rate_limit(struct client *c, const struct call *k,
			   const struct http_response *rs, int waits, struct err *err)
{
	long ms;
	char why[256];

	if (waits >= MAX_RATE_LIMIT_WAITS)
		return fail(c, err, CLIENT_E_HTTP, k, "HTTP 429: still rate-limited after %d "
			    "waits", waits);
	if (!rs->has_retry_after ||
	    client_parse_retry_after(rs->retry_after, time(NULL), &ms) != 0)
		ms = client_backoff_ms(c->retry_base_ms, c->retry_max_ms, waits, &c->rng);
	if (ms > MAX_RETRY_AFTER_MS)
		return fail(c, err, CLIENT_E_HTTP, k, "HTTP 429: the API asks to wait %ld s "
			    "(Retry-After), more than the %ld s ccapply waits", ms / 1000,
			    MAX_RETRY_AFTER_MS / 1000);
	snprintf(why, sizeof why, "HTTP 429, Retry-After: %s",
		 rs->has_retry_after ? rs->retry_after : "none");
	return wait_ms(c, k, ms, why, err);
}

static int wait_backoff(struct client *c, const struct call *k, int retry, const char *why,
			struct err *err)
{
	return wait_ms(c, k, client_backoff_ms(c->retry_base_ms, c->retry_max_ms, retry, &c->rng),
		       why, err);
}

/* Take a pacer token, waiting for one if the create budget is spent. */
static int wait_pacer(struct client *c, const struct call *k, struct err *err)
{
	double delay;

	while ((delay = pacer_delay(&c->pacer, client_now())) > 0) {
		if (wait_ms(c, k, (long)(delay * 1000.0) + 1, "create rate pacing", err))
			return -1;
	}
	pacer_spend(&c->pacer, client_now());
	return 0;
}

/* --- reads --------------------------------------------------------------- */

static int call_read(struct client *c, const struct call *k, struct value **data,
		     struct api_status *st, struct err *err)
{
	int retries = 0, rate_waits = 0;
	double started = client_now();

	for (;;) {
		struct http_response rs;
		enum verdict v;
		int ret = send_once(c, k, data, st, err, &rs, &v);
		bool again = false;

		if (v == V_RATE_LIMITED) {
			ret = wait_rate_limit(c, k, &rs, rate_waits++, err);
			again = ret == 0;
		} else if (v == V_SERVER || (v == V_NETWORK && rs.retriable)) {
			if (retries < c->max_read_retries) {
				ret = wait_backoff(c, k, retries++, err->msg, err);
				again = ret == 0;
			} else if (retries > 0) {
				err_append(err, " (gave up after %d attempts in %.1f s)", retries + 1,
					   client_now() - started);
			}
		}
		http_response_release(&rs);
		if (!again)
			return ret;
	}
}

/* --- pagination ---------------------------------------------------------- */

/* The cursors a list has been fetched with, to catch a server whose cursors
 * go round in a circle (a -> b -> a) at the first repeat instead of after
 * MAX_PAGES requests: a small open-addressing hash set (FNV-1a). */
struct cursor_seen {
	char *cursor; /* NULL: free slot */
	int page;     /* the page fetched with it */
};

struct cursor_set {
	struct cursor_seen *slots;
	size_t cap; /* a power of two, or 0 */
	size_t n;
};

static uint64_t hash_cursor(const char *s)
{
	uint64_t h = 14695981039346656037ULL;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h;
}

static struct cursor_seen *cursor_slot(const struct cursor_set *set, const char *cursor)
{
	size_t i = (size_t)hash_cursor(cursor) & (set->cap - 1);

	while (set->slots[i].cursor && strcmp(set->slots[i].cursor, cursor))
		i = (i + 1) & (set->cap - 1);
	return &set->slots[i];
}

static const struct cursor_seen *cursor_set_find(const struct cursor_set *set,
						 const char *cursor)
{
	const struct cursor_seen *slot;

	if (!set->cap)
		return NULL;
	slot = cursor_slot(set, cursor);
	return slot->cursor ? slot : NULL;
}

/* Add a cursor (not yet in the set); the set takes ownership of it. */
static void cursor_set_add(struct cursor_set *set, char *cursor, int page)
{
	size_t i;

	if ((set->n + 1) * 2 > set->cap) {
		struct cursor_set bigger = { .cap = set->cap ? set->cap * 2 : 16, .n = set->n };

		bigger.slots = xcalloc(bigger.cap, sizeof *bigger.slots);
		for (i = 0; i < set->cap; i++)
			if (set->slots[i].cursor)
				*cursor_slot(&bigger, set->slots[i].cursor) = set->slots[i];
		free(set->slots);
		*set = bigger;
	}
	*cursor_slot(set, cursor) = (struct cursor_seen){ cursor, page };
	set->n++;
}

static void cursor_set_release(struct cursor_set *set)
{
	size_t i;

	for (i = 0; i < set->cap; i++)
		free(set->slots[i].cursor);
	free(set->slots);
	memset(set, 0, sizeof *set);
}

/* A cursor is shown in a message only when it is short and plain. */
static bool printable_cursor(const char *s)
{
	size_t n = 0;

	for (; *s; s++, n++)
		if (*s < 0x21 || *s > 0x7e || *s == '"' || n >= 64)
			return false;
	return n > 0;
}

/* Page `page` (already fetched) names `next` as the following page's cursor:
 * 0 to go on, or -1 when that cursor was used before or there are too many
 * pages. */
static int check_cursor(struct client *c, const struct call *k, const struct cursor_set *seen,
			const char *next, int page, const struct api_status *st,
			struct err *err)
{
	const struct cursor_seen *earlier = cursor_set_find(seen, next);
	char shown[80] = "";

	if (earlier) {
		if (printable_cursor(next))
			snprintf(shown, sizeof shown, " \"%s\"", next);
		return malformed(c, err, k, st->http_status, "data.next_cursor%s on page %d "
				 "repeats the cursor of page %d: the pages go round in a "
				 "circle", shown, page, earlier->page);
	}
	if (page >= MAX_PAGES)
		return malformed(c, err, k, st->http_status, "more than %d pages: "
				 "data.next_cursor never ends", MAX_PAGES);
	return 0;
}

/* Move the items of a (checked) page to the end of all. */
static void take_items(struct value *all, struct value *data)
{
	struct value *page = value_get_mut(data, "items");
	size_t i;

	for (i = 0; i < page->u.arr.n; i++)
		value_array_push(all, page->u.arr.items[i]);
	page->u.arr.n = 0; /* moved into `all` */
}

/* All pages of a list: data.items concatenated, following data.next_cursor
 * (each page checked by check_page() on its way in). */
static int call_list(struct client *c, struct call *k, struct value **items,
		     struct api_status *st, struct err *err)
{
	struct value *all = value_new_array();
	struct cursor_set seen = { .slots = NULL };
	const char *cursor = NULL;
	int page, ret = -1;

	for (page = 1;; page++) {
		struct value *data = NULL;
		const char *next;
		char *copy;

		k->cursor = cursor;
		k->page = page;
		if (call_read(c, k, &data, st, err))
			break;
		take_items(all, data);
		next = value_get_string(data, "next_cursor");
		if (!next || !*next) {
			value_free(data);
			ret = 0;
			break;
		}
		if (check_cursor(c, k, &seen, next, page, st, err)) {
			value_free(data);
			break;
		}
		copy = xstrdup(next);
		cursor_set_add(&seen, copy, page + 1);
		cursor = copy;
		value_free(data);
	}
	cursor_set_release(&seen);
	k->cursor = NULL;
	k->page = 0;
	if (ret) {
		value_free(all);
		return -1;
	}
	*items = all;
	return 0;
}

/* --- writes -------------------------------------------------------------- */

enum write_outcome {
	W_DONE,     /* created; *data set */
	W_FAILED,   /* definitely not created (or a permanent error) */
	W_UNKNOWN,  /* may have been created: look it up before anything else */
	W_COMMITTED /* the API said 2xx, but the answer was unreadable */
};

static enum write_outcome call_write_once(struct client *c, const struct call *k,
					  struct value **data, struct api_status *st,
					  struct err *err)
{
	int rate_waits = 0, retries = 0;
	double started = client_now();

	for (;;) {
		struct http_response rs;
		enum verdict v;
		enum write_outcome out = W_FAILED;
		bool again = false;

		if (k->paced && wait_pacer(c, k, err))
			return W_FAILED;
		send_once(c, k, data, st, err, &rs, &v);
		if (k->paced) /* the server counts the create when it commits it */
			pacer_restamp(&c->pacer, client_now());
		switch (v) {
		case V_OK:
			out = W_DONE;
			break;
		case V_RATE_LIMITED: /* nothing happened: safe to send again */
			again = wait_rate_limit(c, k, &rs, rate_waits++, err) == 0;
			break;
		case V_NETWORK:
			if (rs.maybe_sent)
				out = W_UNKNOWN;
			else if (rs.retriable && retries < c->max_read_retries)
				again = wait_backoff(c, k, retries++, err->msg, err) == 0;
			else if (retries > 0)
				err_append(err, " (nothing was sent; gave up after %d attempts in %.1f s)",
					   retries + 1, client_now() - started);
			break;
		case V_SERVER:
			out = W_UNKNOWN;
			break;
		case V_MALFORMED:
			out = st->http_status >= 200 && st->http_status <= 299 ?
				W_COMMITTED : W_UNKNOWN;
			break;
		case V_CLIENT:
		case V_AUTH:
			break;
		}
		http_response_release(&rs);
		if (!again)
			return out;
	}
}

/* Looks for the resource a create may have made. 0 with *found (NULL when
 * absent), or -1 when the lookup itself failed. */
typedef int (*lookup_fn)(struct client *c, const void *ctx, struct value **found,
			 struct api_status *st, struct err *err);

static void adopt(struct client *c, const struct call *k, struct value *found,
		  struct value **out, struct api_status *st, const struct err *cause)
{
	const char *id = value_get_string(found, "id");

	trace_note(c, "%s: found by lookup, adopting id %s", buf_str(&k->label), id ? id : "?");
	*out = found;
	st->adopted = true;
	snprintf(st->message, sizeof st->message, "adopted after an unknown outcome: %s",
		 cause->msg);
	client_scrub_str(st->message, sizeof st->message, (const char *const *)c->secrets);
}

/* Run the lookup with its own status, counting its requests as attempts. */
static int run_lookup(struct client *c, lookup_fn lookup, const void *ctx,
		      struct value **found, struct api_status *st, struct err *err)
{
	struct api_status lst;
	int ret;

	memset(&lst, 0, sizeof lst);
	ret = lookup(c, ctx, found, &lst, err);
	st->attempts += lst.attempts;
	return ret;
}

/* resend_safe: the API refuses a second resource of the same name (409), so
 * a create the lookup did not find may be sent again. Transformations have
 * no such guard: a server that commits after the lookup would end up with
 * two, so their create is never sent twice; the next apply settles it. */
static int create_with_lookup(struct client *c, const struct call *k, lookup_fn lookup,
			      const void *ctx, bool resend_safe, struct value **out,
			      struct api_status *st, struct err *err)
{
	bool uncertain = false; /* an earlier send of this create may have landed */
	int sends = 0;

	for (;;) {
		struct value *data = NULL, *found = NULL;
		enum write_outcome o = call_write_once(c, k, &data, st, err);
		struct err cause = *err, lerr = { "", 0 };

		sends++;
		if (o == W_DONE) {
			*out = data;
			return 0;
		}
		if (o == W_FAILED && !(uncertain && st->http_status == 409))
			return -1;
		if (o != W_FAILED)
			trace_note(c, "outcome unknown (%s); looking it up", cause.msg);
		if (run_lookup(c, lookup, ctx, &found, st, &lerr)) {
			if (o == W_FAILED) /* a 409 stays a 409 */
				return -1;
			return fail(c, err, CLIENT_E_UNKNOWN_OUTCOME, k, "outcome unknown (%s), "
				    "and the lookup failed: %s", cause.msg, lerr.msg);
		}
		if (found) {
			adopt(c, k, found, out, st, &cause);
			return 0;
		}
		if (o == W_FAILED)
			return -1;
		if (o == W_COMMITTED)
			return fail(c, err, CLIENT_E_MALFORMED, k, "%s; the lookup does not find "
				    "the resource either", cause.msg);
		uncertain = true;
		if (!resend_safe)
			return fail(c, err, CLIENT_E_UNKNOWN_OUTCOME, k, "outcome unknown (%s) and "
				    "a lookup does not find it yet; not sent again, as nothing would "
				    "stop a duplicate: run apply again to settle it", cause.msg);
		if (sends >= CREATE_MAX_SENDS) {
			*err = cause;
			return err_append(err, "; not created (a lookup after each of %d attempts "
					  "found nothing)", sends);
		}
		if (wait_backoff(c, k, sends - 1, "not created; sending again", err))
			return -1;
	}
}

/* --- lookups after an unknown outcome ------------------------------------ */

/* Is this (shape-checked) list item the resource the lookup wants? */
typedef bool (*item_match_fn)(const struct value *item, const void *key);

/* List every page of k and take out the first item that matches: 0 with
 * *found (NULL when none does), or -1 when the list could not be read. */
static int find_in_list(struct client *c, struct call *k, item_match_fn match, const void *key,
			struct value **found, struct api_status *st, struct err *err)
{
	struct value *items = NULL;
	size_t i;

	*found = NULL;
	if (call_list(c, k, &items, st, err))
		return -1;
	for (i = 0; i < items->u.arr.n; i++) {
		if (match(items->u.arr.items[i], key)) {
			*found = items->u.arr.items[i];
			items->u.arr.items[i] = value_new_null();
			break;
		}
	}
	value_free(items);
	return 0;
}

struct connection_key {
	const char *group_id;
	const char *schema;
};

/* The API filters by group and name; check anyway, in case a filter was
 * ignored. (Items are shape-checked: id, schema and group_id are strings.) */
static bool connection_matches(const struct value *item, const void *ctx)
{
	const struct connection_key *key = ctx;

	return !strcmp(value_get_string(item, "schema"), key->schema) &&
	       !strcmp(value_get_string(item, "group_id"), key->group_id);
}

static int lookup_connection(struct client *c, const void *ctx, struct value **found,
			     struct api_status *st, struct err *err)
{
	const struct connection_key *key = ctx;
	struct call k;
	int ret;

	list_call_init(&k, "/v1/connections", "group_id", key->group_id, "schema", key->schema,
		       &shape_connection);
	ret = find_in_list(c, &k, connection_matches, key, found, st, err);
	call_release(&k);
	return ret;
}

struct transformation_key {
	const char *group_id;
	const char *package_name;
	const struct value *connection_ids; /* array of strings, or NULL */
};

static bool contains_string(const struct value *arr, const struct value *s)
{
	size_t i;

	for (i = 0; arr && arr->type == VALUE_ARRAY && i < arr->u.arr.n; i++)
		if (value_equal(arr->u.arr.items[i], s))
			return true;
	return false;
}

/* Same set of connection ids (order and repetition ignored). */
static bool same_id_set(const struct value *a, const struct value *b)
{
	size_t i;
	size_t na = a && a->type == VALUE_ARRAY ? a->u.arr.n : 0;
	size_t nb = b && b->type == VALUE_ARRAY ? b->u.arr.n : 0;

	for (i = 0; i < na; i++)
		if (!contains_string(b, a->u.arr.items[i]))
			return false;
	for (i = 0; i < nb; i++)
		if (!contains_string(a, b->u.arr.items[i]))
			return false;
	return true;
}

/* A QUICKSTART transformation of the package, on the same connections.
 * (Items are shape-checked: a QUICKSTART one has a package_name.) */
static bool transformation_matches(const struct value *item, const void *ctx)
{
	const struct transformation_key *key = ctx;
	const struct value *config = value_get(item, "transformation_config");

	return !strcmp(value_get_string(item, "type"), "QUICKSTART") &&
	       !strcmp(value_get_string(config, "package_name"), key->package_name) &&
	       same_id_set(value_get(config, "connection_ids"), key->connection_ids);
}

static int lookup_transformation(struct client *c, const void *ctx, struct value **found,
				 struct api_status *st, struct err *err)
{
	const struct transformation_key *key = ctx;
	struct call k;
	int ret;

	list_call_init(&k, "/v1/transformations", "group_id", key->group_id, "type",
		       "QUICKSTART", &shape_transformation);
	ret = find_in_list(c, &k, transformation_matches, key, found, st, err);
	call_release(&k);
	return ret;
}

/* --- setup --------------------------------------------------------------- */

static int check_options(const struct client_options *o, struct err *err)
{
	if (!o->api_key || !*o->api_key || !o->api_secret || !*o->api_secret) {
		err_set(err, "no API credentials: set FIVETRAN_APIKEY and FIVETRAN_APISECRET");
		err->code = CLIENT_E_CONFIG;
		return -1;
	}
	return 0;
}

int client_new(const struct client_options *opts, struct client **out, struct err *err)
{
	struct client *c;
	int count;
	double seconds;

	*out = NULL;
	if (check_options(opts, err))
		return -1;
	c = xcalloc(1, sizeof *c);
	c->api_key = xstrdup(opts->api_key);
	c->api_secret = xstrdup(opts->api_secret);
	c->secrets = client_secrets_new(c->api_key, c->api_secret);
	if (client_url_check(opts->base_url ? opts->base_url : CLIENT_DEFAULT_BASE_URL,
			     &c->base_url, err))
		goto fail;
	c->read_only = opts->read_only;
	c->trace = opts->trace;
	c->interrupted = opts->interrupted;
	c->on_wait = opts->on_wait;
	c->on_wait_ctx = opts->on_wait_ctx;
	c->max_read_retries = opts->max_read_retries < 0 ? DEFAULT_READ_RETRIES :
			      opts->max_read_retries;
	c->retry_base_ms = opts->retry_base_ms > 0 ? opts->retry_base_ms : DEFAULT_RETRY_BASE_MS;
	c->retry_max_ms = opts->retry_max_ms > 0 ? opts->retry_max_ms : DEFAULT_RETRY_MAX_MS;
	count = opts->create_rate_count ? opts->create_rate_count : CLIENT_CREATE_RATE_COUNT;
	seconds = opts->create_rate_seconds != 0 ? opts->create_rate_seconds :
		  (double)CLIENT_CREATE_RATE_SECONDS;
	if (pacer_init(&c->pacer, count, seconds, err))
		goto fail;
	c->rng = client_rng_seed((uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32) ^
				 (uint64_t)(uintptr_t)c);
	if (http_init(&c->http, c->base_url, c->api_key, c->api_secret,
		      (const char *const *)c->secrets,
		      opts->timeout_ms > 0 ? opts->timeout_ms : DEFAULT_TIMEOUT_MS,
		      opts->connect_timeout_ms > 0 ? opts->connect_timeout_ms :
		      DEFAULT_CONNECT_TIMEOUT_MS, c->trace, err))
		goto fail;
	c->http.secret_keys = opts->secret_keys;
	c->http.trace_bodies = opts->trace_bodies;
	*out = c;
	return 0;
fail:
	client_scrub_str(err->msg, sizeof err->msg, (const char *const *)c->secrets);
	client_free(c);
	return -1;
}

void client_free(struct client *c)
{
	if (!c)
		return;
	if (c->http.curl)
		http_release(&c->http);
	pacer_release(&c->pacer);
	free(c->base_url);
	free(c->api_key);
	if (c->api_secret) {
		memset(c->api_secret, 0, strlen(c->api_secret));
		free(c->api_secret);
	}
	client_secrets_free(c->secrets);
	free(c);
}

/* --- the calls ------------------------------------------------------------ */

static void status_reset(struct api_status *st)
{
	memset(st, 0, sizeof *st);
}

/* GET prefix + escaped id; the data checked against shape (NULL: any). */
static int get_one(struct client *c, const char *prefix, const char *id,
		   const struct shape *shape, struct value **out, struct api_status *st,
		   struct err *err)
{
	struct call k;
	int ret;

	status_reset(st);
	*out = NULL;
	call_init(&k, "GET");
	call_path(&k, prefix, id, NULL);
	k.shape = shape;
	call_ready(&k);
	ret = call_read(c, &k, out, st, err);
	call_release(&k);
	return ret;
}

/* A list with up to two filters (NULL values are left out). */
static int list_all(struct client *c, const char *path, const char *key1, const char *val1,
		    const char *key2, const char *val2, const struct shape *shape,
		    struct value **items, struct api_status *st, struct err *err)
{
	struct call k;
	int ret;

	*items = NULL;
	list_call_init(&k, path, key1, val1, key2, val2, shape);
	ret = call_list(c, &k, items, st, err);
	call_release(&k);
	return ret;
}

int client_get_group(struct client *c, const char *group_id, struct value **out,
		     struct api_status *st, struct err *err)
{
	return get_one(c, "/v1/groups/", group_id, &shape_group, out, st, err);
}

int client_list_groups(struct client *c, struct value **items, struct api_status *st,
		       struct err *err)
{
	status_reset(st);
	return list_all(c, "/v1/groups", NULL, NULL, NULL, NULL, &shape_group, items, st, err);
}

int client_get_destination(struct client *c, const char *destination_id, struct value **out,
			   struct api_status *st, struct err *err)
{
	return get_one(c, "/v1/destinations/", destination_id, &shape_destination, out, st, err);
}

int client_list_group_connections(struct client *c, const char *group_id, const char *schema,
				  struct value **items, struct api_status *st, struct err *err)
{
	struct buf path = BUF_INIT;
	int ret;

	status_reset(st);
	buf_puts(&path, "/v1/groups/");
	client_url_escape(&path, group_id);
	buf_puts(&path, "/connections");
	ret = list_all(c, buf_str(&path), "schema", schema, NULL, NULL, &shape_connection, items,
		       st, err);
	buf_free(&path);
	return ret;
}

int client_get_connection(struct client *c, const char *connection_id, struct value **out,
			  struct api_status *st, struct err *err)
{
	return get_one(c, "/v1/connections/", connection_id, &shape_connection, out, st, err);
}

int client_list_transformations(struct client *c, const char *group_id, const char *type,
				struct value **items, struct api_status *st, struct err *err)
{
	status_reset(st);
	return list_all(c, "/v1/transformations", "group_id", group_id, "type", type,
			&shape_transformation, items, st, err);
}

int client_get_package_metadata(struct client *c, const char *package_definition_id,
				struct value **out, struct api_status *st, struct err *err)
{
	return get_one(c, "/v1/transformations/package-metadata/", package_definition_id, NULL,
		       out, st, err);
}

/* Start a write: refused in read-only mode before anything else happens. */
static int write_begin(struct client *c, struct call *k, const char *path,
		       const struct value *body, struct api_status *st, struct err *err)
{
	status_reset(st);
	call_init(k, "POST");
	buf_puts(&k->path, path);
	k->body = body;
	k->shape = &shape_created;
	call_ready(k);
	if (c->read_only) {
		fail(c, err, CLIENT_E_READ_ONLY, k, "refused: this client is read-only; "
		     "nothing was sent");
		call_release(k);
		return -1;
	}
	if (!body || body->type != VALUE_OBJECT) {
		fail(c, err, CLIENT_E_CONFIG, k, "the request body must be a JSON object");
		call_release(k);
		return -1;
	}
	return 0;
}

int client_create_connection(struct client *c, const struct value *body, const char *schema_name,
			     struct value **out, struct api_status *st, struct err *err)
{
	struct connection_key key;
	struct call k;
	int ret;

	*out = NULL;
	if (write_begin(c, &k, "/v1/connections", body, st, err))
		return -1;
	key.group_id = value_get_string(body, "group_id");
	key.schema = schema_name;
	if (!key.group_id || !*key.group_id || !schema_name || !*schema_name) {
		ret = fail(c, err, CLIENT_E_CONFIG, &k, "a connection create needs group_id in "
			   "the body and a schema name, to be looked up safely");
	} else {
		k.paced = true;
		ret = create_with_lookup(c, &k, lookup_connection, &key, true, out, st, err);
	}
	call_release(&k);
	return ret;
}

int client_create_transformation(struct client *c, const struct value *body, const char *group_id,
				 struct value **out, struct api_status *st, struct err *err)
{
	struct transformation_key key;
	const struct value *config;
	struct call k;
	int ret;

	*out = NULL;
	if (write_begin(c, &k, "/v1/transformations", body, st, err))
		return -1;
	config = value_get(body, "transformation_config");
	key.group_id = group_id;
	key.package_name = value_get_string(config, "package_name");
	key.connection_ids = value_get(config, "connection_ids");
	if (!group_id || !*group_id || !key.package_name) {
		ret = fail(c, err, CLIENT_E_CONFIG, &k, "a transformation create needs a group id "
			   "and transformation_config.package_name, to be looked up safely");
	} else {
		ret = create_with_lookup(c, &k, lookup_transformation, &key, false, out, st,
					 err);
	}
	call_release(&k);
	return ret;
}
