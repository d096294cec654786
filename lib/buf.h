/*
 * buf.h — a growable byte buffer and the allocation wrappers everything uses.
 *
 * A `struct buf` owns `data`, which is always NUL-terminated (so it can be used
 * as a C string when it holds text) and may contain NUL bytes before `len`.
 * Allocation failure is not recoverable in a CLI: xmalloc and friends print
 * "fatal: out of memory" and exit(1), as git does.
 *
 * Who may call: everyone. Ownership: buf_free() releases data; buf_detach()
 * hands it to the caller (free() it) and leaves the buffer empty.
 */
#ifndef CCAPPLY_BUF_H
#define CCAPPLY_BUF_H

#include <stddef.h>

struct buf {
	char *data; /* NUL-terminated; NULL only before the first append */
	size_t len;
	size_t cap;
};

#define BUF_INIT { NULL, 0, 0 }

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* Grow an array of `*cap` items of `size` bytes so that it holds `need`. */
void *xgrow(void *p, size_t *cap, size_t need, size_t size);

void buf_init(struct buf *b);
void buf_free(struct buf *b);
void buf_reset(struct buf *b); /* len = 0, keep memory */
void buf_append(struct buf *b, const void *data, size_t len);
void buf_puts(struct buf *b, const char *s);
void buf_putc(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The contents as a C string ("" when empty); valid until the next append. */
const char *buf_str(const struct buf *b);
char *buf_detach(struct buf *b);

#endif
