/*
 * reqlog.c — the request log of ccapply-sim, served at /_sim/requests (see
 * sim.h), and the UTF-8 helpers that keep it (and every answer) valid JSON.
 *
 * Tests read the log to assert what a client sent: method, path, query and
 * body, and what it was answered. Entries are made when a request arrives, so
 * the log is in arrival order even when a delayed answer finishes last, and
 * completed when it is answered. Headers are deliberately not recorded at all,
 * so no credential (the Authorization header) can leak through the log.
 */
#include "sim/sim.h"

#include <stdlib.h>
#include <string.h>

#include "lib/json.h"

size_t sim_reqlog_begin(struct sim_reqlog *log, const char *method, const char *path,
			const char *query, struct value *args)
{
	struct sim_logentry *e;

	log->items = xgrow(log->items, &log->cap, log->n + 1, sizeof *log->items);
	e = &log->items[log->n];
	memset(e, 0, sizeof *e);
	e->method = xstrdup(method);
	e->path = xstrdup(path);
	e->query = xstrdup(query);
	e->args = args;
	e->status = -1;
	return log->n++;
}

void sim_reqlog_finish(struct sim_reqlog *log, size_t idx, int status, const char *fault,
		       struct value *body)
{
	struct sim_logentry *e = &log->items[idx];

	e->status = status;
	free(e->fault);
	e->fault = fault ? xstrdup(fault) : NULL;
	value_free(e->body);
	e->body = body;
}

void sim_reqlog_write(const struct sim_reqlog *log, struct buf *out)
{
	struct json_writer w;
	size_t i;

	jw_init(&w, out, JSON_PRETTY);
	jw_array_begin(&w);
	for (i = 0; i < log->n; i++) {
		const struct sim_logentry *e = &log->items[i];

		jw_object_begin(&w);
		jw_key(&w, "method");
		jw_string(&w, e->method);
		jw_key(&w, "path");
		jw_string(&w, e->path);
		jw_key(&w, "query");
		jw_string(&w, e->query);
		jw_key(&w, "args");
		jw_value(&w, e->args);
		jw_key(&w, "status");
		if (e->status < 0)
			jw_null(&w);
		else
			jw_int(&w, e->status);
		if (e->fault) {
			jw_key(&w, "fault");
			jw_string(&w, e->fault);
		}
		jw_key(&w, "body");
		if (e->body)
			jw_value(&w, e->body);
		else
			jw_null(&w);
		jw_object_end(&w);
	}
	jw_array_end(&w);
	buf_putc(out, '\n');
}

void sim_reqlog_free(struct sim_reqlog *log)
{
	size_t i;

	for (i = 0; i < log->n; i++) {
		free(log->items[i].method);
		free(log->items[i].path);
		free(log->items[i].fault);
		free(log->items[i].query);
		value_free(log->items[i].args);
		value_free(log->items[i].body);
	}
	free(log->items);
	memset(log, 0, sizeof *log);
}

/* ---------------------------------------------------------------- UTF-8 */

/* Length of the well-formed UTF-8 sequence at s (at most `left` bytes), or 0. */
static size_t utf8_seq(const unsigned char *s, size_t left)
{
	size_t n, i;
	unsigned long cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2;
		cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	if (left < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

bool sim_utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	while (i < len) {
		size_t n = utf8_seq(p + i, len - i);

		if (!n)
			return false;
		i += n;
	}
	return true;
}

char *sim_utf8_sanitize(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = strlen(s), i = 0;
	struct buf b = BUF_INIT;

	while (i < len) {
		size_t n = utf8_seq(p + i, len - i);

		if (n) {
			buf_append(&b, s + i, n);
			i += n;
		} else {
			buf_puts(&b, "\xef\xbf\xbd");
			i++;
		}
	}
	return buf_detach(&b);
}
