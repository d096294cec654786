/*
 * err.c — the error-value helpers declared in err.h. Messages are truncated,
 * never overflowed, at ERR_MSG_MAX bytes.
 */
#include "lib/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int err_set(struct err *e, const char *fmt, ...)
{
	va_list ap;

	if (!e)
		return -1;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof e->msg, fmt, ap);
	va_end(ap);
	return -1;
}

int err_prefix(struct err *e, const char *fmt, ...)
{
	char prefix[ERR_MSG_MAX];
	char old[ERR_MSG_MAX];
	char joined[2 * ERR_MSG_MAX + 3];
	va_list ap;

	if (!e)
		return -1;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof prefix, fmt, ap);
	va_end(ap);
	memcpy(old, e->msg, sizeof old);
	snprintf(joined, sizeof joined, "%s: %s", prefix, old);
	memcpy(e->msg, joined, sizeof e->msg - 1);
	e->msg[sizeof e->msg - 1] = '\0';
	return -1;
}

int err_prefix_file(struct err *e, const char *file)
{
	int line, col, used = 0;

	if (e && sscanf(e->msg, "line %d, column %d: %n", &line, &col, &used) == 2 && used > 0) {
		char rest[ERR_MSG_MAX];

		memcpy(rest, e->msg + used, sizeof rest - (size_t)used);
		return err_set(e, "%s:%d:%d: %s", file, line, col, rest);
	}
	if (e && sscanf(e->msg, "line %d: %n", &line, &used) == 1 && used > 0) {
		char rest[ERR_MSG_MAX];

		memcpy(rest, e->msg + used, sizeof rest - (size_t)used);
		return err_set(e, "%s:%d: %s", file, line, rest);
	}
	return err_prefix(e, "%s", file);
}

void err_clear(struct err *e)
{
	if (e) {
		e->msg[0] = '\0';
		e->code = 0;
	}
}
