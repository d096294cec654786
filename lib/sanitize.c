/*
 * sanitize.c — control characters shown, not sent (see sanitize.h).
 */
#include "lib/sanitize.h"

#include <stddef.h>

/* Length of the well-formed UTF-8 sequence at p (2-4), or 0. */
static size_t utf8_sequence(const unsigned char *p)
{
	size_t n, i;
	unsigned long cp;

	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2, cp = p[0] & 0x1f;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		n = 3, cp = p[0] & 0x0f;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		n = 4, cp = p[0] & 0x07;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return n;
}

void sanitize_append(struct buf *out, const char *s, enum sanitize_mode mode)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n;

	for (; p && *p; p++) {
		if (*p >= 0x20 && *p < 0x7f) {
			buf_putc(out, (char)*p);
		} else if ((*p == '\n' || *p == '\t' || *p == '\r') && mode == SANITIZE_SPACES) {
			buf_putc(out, ' ');
		} else if ((*p == '\n' || *p == '\t') && mode == SANITIZE_MULTILINE) {
			buf_putc(out, (char)*p);
		} else if (*p < 0x80) {
			buf_printf(out, "\\x%02x", *p);
		} else if (!(n = utf8_sequence(p))) {
			buf_printf(out, "\\x%02x", *p);
		} else if (n == 2 && p[0] == 0xc2 && p[1] < 0xa0) {
			buf_printf(out, "\\u%04x", p[1]);
			p++;
		} else {
			buf_append(out, p, n);
			p += n - 1;
		}
	}
}
