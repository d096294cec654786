/*
 * test-sanitize.c — lib/sanitize.h: control characters shown, not sent.
 */
#include <string.h>

#include "lib/sanitize.h"
#include "t/unit/tap.h"

static void check(const char *in, enum sanitize_mode mode, const char *want, const char *what)
{
	struct buf b = BUF_INIT;

	sanitize_append(&b, in, mode);
	is_str(buf_str(&b), want, "%s", what);
	buf_free(&b);
}

/* No byte of the output is a control character or a C1 code in UTF-8. */
static bool inert(const char *s, enum sanitize_mode mode)
{
	const unsigned char *p = (const unsigned char *)s;

	for (; *p; p++) {
		if (mode == SANITIZE_MULTILINE && (*p == '\n' || *p == '\t'))
			continue;
		if (*p < 0x20 || *p == 0x7f || (*p == 0xc2 && p[1] >= 0x80 && p[1] < 0xa0))
			return false;
	}
	return true;
}

int main(void)
{
	int i;

	check("plain text, é and 日本", SANITIZE_LINE, "plain text, é and 日本", "text is kept");
	check("\x1b[31mred\x1b[0m", SANITIZE_LINE, "\\x1b[31mred\\x1b[0m", "ESC is shown as \\x1b");
	check("a\x07" "b\x7f", SANITIZE_LINE, "a\\x07b\\x7f", "BEL and DEL are escaped");
	check("a\nb\tc\rd", SANITIZE_LINE, "a\\x0ab\\x09c\\x0dd", "one line: breaks escaped");
	check("a\nb\tc\rd", SANITIZE_SPACES, "a b c d", "one line: breaks become spaces");
	check("a\nb\tc\rd\x1b", SANITIZE_MULTILINE, "a\nb\tc\\x0dd\\x1b",
	      "multiline: \\n and \\t kept, \\r and ESC escaped");
	check("\xc2\x9b" "31m", SANITIZE_LINE, "\\u009b31m", "C1 CSI (U+009B) is escaped");
	check("\xc2\xa0", SANITIZE_LINE, "\xc2\xa0", "U+00A0 is not C1 and is kept");
	check("\x9b" "31m", SANITIZE_LINE, "\\x9b31m", "a lone 0x9b byte is escaped");
	check("\xe2\x82", SANITIZE_LINE, "\\xe2\\x82", "a truncated sequence is escaped");
	check("\xed\xa0\x80", SANITIZE_LINE, "\\xed\\xa0\\x80", "a UTF-16 surrogate is escaped");
	check("\xc0\xaf", SANITIZE_LINE, "\\xc0\\xaf", "an overlong form is escaped");
	check("\xe0\x80\xaf", SANITIZE_LINE, "\\xe0\\x80\\xaf", "an overlong three-byte form is escaped");
	check("\xf4\x90\x80\x80", SANITIZE_LINE, "\\xf4\\x90\\x80\\x80", "above U+10FFFF is escaped");
	check("\xf0\x9f\x98\x80", SANITIZE_LINE, "\xf0\x9f\x98\x80", "a four-byte character is kept");
	check(NULL, SANITIZE_LINE, "", "NULL appends nothing");

	/* Every byte value, alone and after a lead byte, comes out inert. */
	for (i = 1; i < 256; i++) {
		char in[4] = { (char)i, 0 }, pair[4] = { (char)0xc2, (char)i, 0 };
		struct buf b = BUF_INIT, c = BUF_INIT;
		sanitize_append(&b, in, SANITIZE_LINE);
		sanitize_append(&c, pair, SANITIZE_MULTILINE);
		if (!inert(buf_str(&b), SANITIZE_LINE) || !inert(buf_str(&c), SANITIZE_MULTILINE))
			ok(false, "byte 0x%02x comes out inert", i);
		buf_free(&b);
		buf_free(&c);
	}
	ok(true, "every byte value comes out inert");
	return done_testing();
}
