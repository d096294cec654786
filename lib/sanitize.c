/*
 * sanitize.c — control characters shown, not sent (see sanitize.h).
 */
#include "lib/sanitize.h"

#include <stddef.h>
#include <string.h>

#include "lib/json.h"

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
		} else if (!(n = json_utf8_sequence(p, strnlen((const char *)p, 4)))) {
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
