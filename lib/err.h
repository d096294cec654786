/*
 * err.h — errors as values.
 *
 * Every fallible function in ccapply returns 0 on success or -1 on failure and,
 * on failure, fills a caller-provided `struct err` with one human-readable
 * message carrying its context (file:line:col, or endpoint + HTTP status +
 * Fivetran code). Callers add context outward with err_prefix(), so the final
 * message reads from the outermost context to the root cause. No global errno-
 * style state: the message travels with the call.
 *
 * Who may call: everyone. Ownership: the struct is the caller's; nothing to free.
 */
#ifndef CCAPPLY_ERR_H
#define CCAPPLY_ERR_H

#include <stddef.h>

#define ERR_MSG_MAX 4096

struct err {
	char msg[ERR_MSG_MAX];
	int code; /* optional classification for callers; 0 when unused */
};

/* Set the message (printf-style). Always returns -1, for `return err_set(...)`. */
int err_set(struct err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Prepend context, "context: old message". Always returns -1. */
int err_prefix(struct err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Name the file an error is about: a message that starts "line L, column C: "
 * (what lib/json.h reports for bytes without a name) becomes
 * "FILE:L:C: ...", the form every input file's errors take; one that starts
 * "line L: " becomes "FILE:L: ..."; any other message becomes "FILE: ...".
 * Always returns -1. */
int err_prefix_file(struct err *e, const char *file);

/* Reset to "no error". */
void err_clear(struct err *e);

#endif
