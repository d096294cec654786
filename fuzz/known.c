/*
 * known.c — filters for bugs already found (see known.h). Deliberately broad:
 * a filter may skip some harmless inputs, never a different bug's trigger
 * that it cannot cause.
 */
#include <stdlib.h>

#include "fuzz/known.h"

static bool skipping_enabled(void)
{
	const char *e = getenv("FUZZ_NO_SKIP");

	return !e || !*e || *e == '0';
}

/* Length of the well-formed UTF-8 character at s[0..n), 0 if it is not one
 * (overlong, surrogate, above U+10FFFF, cut short). */
static size_t utf8_char_len(const uint8_t *s, size_t n)
{
	uint32_t cp, min;
	size_t len, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xC2 && s[0] <= 0xDF)
		len = 2, cp = s[0] & 0x1F, min = 0x80;
	else if (s[0] >= 0xE0 && s[0] <= 0xEF)
		len = 3, cp = s[0] & 0x0F, min = 0x800;
	else if (s[0] >= 0xF0 && s[0] <= 0xF4)
		len = 4, cp = s[0] & 0x07, min = 0x10000;
	else
		return 0;
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3F);
	}
	if (cp < min || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
		return 0;
	return len;
}

bool known_directive_hang(const uint8_t *data, size_t size)
{
	size_t i = 0;
	bool directive = false, line_start = true;

	if (!skipping_enabled())
		return false;
	if (size >= 3 && data[0] == 0xEF && data[1] == 0xBB && data[2] == 0xBF)
		i = 3; /* a BOM: the next character still starts the first line */
	while (i < size) {
		size_t len;

		if (line_start)
			directive = data[i] == '%';
		line_start = data[i] == '\n' || data[i] == '\r';
		len = utf8_char_len(data + i, size - i);
		if (!len) {
			if (directive)
				return true;
			len = 1;
		}
		i += len;
	}
	return false;
}
