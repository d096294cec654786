/*
 * json.c — strict JSON reading (jsmn + validation) and writing (see json.h).
 *
 * Writing comes first in this file: a small streaming writer (jw_*) that
 * tracks only "has the current level a value yet" and "is a key waiting for
 * its value", which is enough for commas, colons, indentation and empty
 * containers without a stack; json_write() is jw_value() on a fresh writer.
 *
 * Reading is two passes. jsmn (non-strict mode, with parent links so closing
 * brackets are O(1)) tokenizes the whole text into a token array that grows
 * by doubling on JSMN_ERROR_NOMEM (jsmn resumes where it stopped). A
 * recursive walk then re-reads the bytes between tokens and enforces the
 * grammar jsmn is lax about: it expects each value to begin exactly where the
 * next token begins, checks every separator, validates and decodes strings
 * (escapes, surrogate pairs, UTF-8), number grammar and literals, bounds the
 * depth, checks duplicate keys (sorting for objects of more than 16 members),
 * and builds the value tree. Non-strict jsmn is deliberate: strict mode
 * refuses a lone top-level number with no byte after it, and the walk checks
 * everything strict mode would have. When jsmn itself fails, the walk still
 * runs over the tokens it made, and the earlier of the walk's complaint and
 * jsmn's stopping point is reported, the latter by examining the byte there.
 *
 * jsmn closes a bracket by walking up the open containers, which is quadratic
 * on deep input, so a linear pre-scan finds the first bracket deeper than
 * JSON_MAX_DEPTH and jsmn only sees the text before it.
 *
 * Positions: lines count LF; columns count characters (UTF-8 code points),
 * both 1-based. A cursor only moves forward while values are built, so
 * filling line/col on every node is linear.
 */
#include "lib/json.h"

#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define JSMN_STATIC
#define JSMN_PARENT_LINKS
#include <jsmn.h>

/* ---------------------------------------------------------------- writing */

void json_write_string(struct buf *out, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, run = 0;

	buf_putc(out, '"');
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		const char *esc = NULL;

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		buf_append(out, s + run, i - run);
		run = i + 1;
		switch (c) {
		case '"': esc = "\\\""; break;
		case '\\': esc = "\\\\"; break;
		case '\b': esc = "\\b"; break;
		case '\f': esc = "\\f"; break;
		case '\n': esc = "\\n"; break;
		case '\r': esc = "\\r"; break;
		case '\t': esc = "\\t"; break;
		default: break;
		}
		if (esc) {
			buf_puts(out, esc);
		} else {
			char u[7] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15], '\0' };
			buf_append(out, u, 6);
		}
	}
	buf_append(out, s + run, len - run);
	buf_putc(out, '"');
}

void jw_init(struct json_writer *w, struct buf *out, int flags)
{
	w->out = out;
	w->flags = flags;
	w->depth = 0;
	w->need_comma = false;
	w->after_key = false;
}

static void jw_newline_indent(struct json_writer *w, size_t depth)
{
	size_t i;

	buf_putc(w->out, '\n');
	for (i = 0; i < depth; i++)
		buf_append(w->out, "  ", 2);
}

/* Whatever must precede an element (array item or object key) at this level. */
static void jw_element_prefix(struct json_writer *w)
{
	if (w->depth == 0) {
		if (w->need_comma)
			buf_putc(w->out, '\n');
		return;
	}
	if (w->need_comma)
		buf_putc(w->out, ',');
	if (w->flags & JSON_PRETTY)
		jw_newline_indent(w, w->depth);
}

/* Called before every value: a member value follows its key directly. */
static void jw_value_prefix(struct json_writer *w)
{
	if (w->after_key)
		w->after_key = false;
	else
		jw_element_prefix(w);
}

static void jw_begin(struct json_writer *w, char open)
{
	jw_value_prefix(w);
	buf_putc(w->out, open);
	w->depth++;
	w->need_comma = false;
}

static void jw_end(struct json_writer *w, char close)
{
	if (w->depth > 0)
		w->depth--;
	if ((w->flags & JSON_PRETTY) && w->need_comma)
		jw_newline_indent(w, w->depth);
	buf_putc(w->out, close);
	w->need_comma = true;
	w->after_key = false;
}

void jw_object_begin(struct json_writer *w)
{
	jw_begin(w, '{');
}

void jw_object_end(struct json_writer *w)
{
	jw_end(w, '}');
}

void jw_array_begin(struct json_writer *w)
{
	jw_begin(w, '[');
}

void jw_array_end(struct json_writer *w)
{
	jw_end(w, ']');
}

void jw_key_len(struct json_writer *w, const char *key, size_t len)
{
	jw_element_prefix(w);
	json_write_string(w->out, key, len);
	if (w->flags & JSON_PRETTY)
		buf_append(w->out, ": ", 2);
	else
		buf_putc(w->out, ':');
	w->after_key = true;
}

void jw_key(struct json_writer *w, const char *key)
{
	jw_key_len(w, key, strlen(key));
}

/* Append raw text as one complete scalar value. */
static void jw_scalar(struct json_writer *w, const char *text, size_t len)
{
	jw_value_prefix(w);
	buf_append(w->out, text, len);
	w->need_comma = true;
}

void jw_string_len(struct json_writer *w, const char *s, size_t len)
{
	jw_value_prefix(w);
	json_write_string(w->out, s, len);
	w->need_comma = true;
}

void jw_string(struct json_writer *w, const char *s)
{
	if (s)
		jw_string_len(w, s, strlen(s));
	else
		jw_null(w);
}

void jw_int(struct json_writer *w, long long n)
{
	jw_value_prefix(w);
	buf_printf(w->out, "%lld", n);
	w->need_comma = true;
}

void jw_number(struct json_writer *w, const char *text)
{
	jw_scalar(w, text, strlen(text));
}

void jw_bool(struct json_writer *w, bool b)
{
	if (b)
		jw_scalar(w, "true", 4);
	else
		jw_scalar(w, "false", 5);
}

void jw_null(struct json_writer *w)
{
	jw_scalar(w, "null", 4);
}

static int member_key_cmp(const void *pa, const void *pb)
{
	const struct member *a = *(const struct member *const *)pa;
	const struct member *b = *(const struct member *const *)pb;
	size_t n = a->keylen < b->keylen ? a->keylen : b->keylen;
	int c = memcmp(a->key, b->key, n);

	if (c)
		return c;
	return (a->keylen > b->keylen) - (a->keylen < b->keylen);
}

static void jw_object_value(struct json_writer *w, const struct value *v)
{
	size_t i, n = v->u.obj.n;
	const struct member **order = xmalloc((n ? n : 1) * sizeof *order);

	for (i = 0; i < n; i++)
		order[i] = &v->u.obj.items[i];
	if (w->flags & JSON_SORT_KEYS)
		qsort(order, n, sizeof *order, member_key_cmp);
	jw_object_begin(w);
	for (i = 0; i < n; i++) {
		jw_key_len(w, order[i]->key, order[i]->keylen);
		jw_value(w, order[i]->val);
	}
	jw_object_end(w);
	free(order);
}

void jw_value(struct json_writer *w, const struct value *v)
{
	size_t i;

	if (!v) {
		jw_null(w);
		return;
	}
	switch (v->type) {
	case VALUE_NULL:
		jw_null(w);
		break;
	case VALUE_BOOL:
		jw_bool(w, v->u.boolean);
		break;
	case VALUE_NUMBER:
		jw_number(w, v->u.number);
		break;
	case VALUE_STRING:
		jw_string_len(w, v->u.str.ptr, v->u.str.len);
		break;
	case VALUE_ARRAY:
		jw_array_begin(w);
		for (i = 0; i < v->u.arr.n; i++)
			jw_value(w, v->u.arr.items[i]);
		jw_array_end(w);
		break;
	case VALUE_OBJECT:
		jw_object_value(w, v);
		break;
	}
}

void json_write(struct buf *out, const struct value *v, int flags)
{
	struct json_writer w;

	jw_init(&w, out, flags);
	jw_value(&w, v);
}

/* ---------------------------------------------------------------- reading */

/* Objects with more members than this are checked for duplicate keys by
 * sorting; smaller ones by comparing each new key with those before it. */
#define JSON_LINEAR_KEY_CHECK 16

struct reader {
	const char *data;
	size_t len;
	jsmntok_t *tok;
	size_t ntok;
	size_t next;          /* index of the next token to consume */
	size_t pos;           /* offset of the next byte to examine */
	int depth;            /* open containers around pos */
	struct buf scratch;   /* decoded string or key */
	size_t *keyoff;       /* offsets of the keys of all open objects */
	size_t nkeyoff, capkeyoff;
	size_t cur_off;       /* position cursor: cur_line/cur_col are at cur_off */
	int cur_line, cur_col;
	struct err *err;
	const char *name;     /* the file, for "NAME:L:C: " in errors; NULL: none */
	size_t err_off;       /* where the reported error is */
	bool out_of_tokens;   /* the walk found no token where a value begins */
};

static void locate(struct reader *r, size_t off, int *line, int *col)
{
	if (off > r->len)
		off = r->len;
	if (off < r->cur_off) {
		r->cur_off = 0;
		r->cur_line = 1;
		r->cur_col = 1;
	}
	for (; r->cur_off < off; r->cur_off++) {
		unsigned char c = (unsigned char)r->data[r->cur_off];

		if (c == '\n') {
			r->cur_line++;
			r->cur_col = 1;
		} else if ((c & 0xC0) != 0x80) {
			r->cur_col++;
		}
	}
	*line = r->cur_line;
	*col = r->cur_col;
}

static int fail(struct reader *r, size_t off, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct reader *r, size_t off, const char *fmt, ...)
{
	char what[1024];
	int line, col;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	r->err_off = off;
	locate(r, off, &line, &col);
	if (r->name)
		return err_set(r->err, "%s:%d:%d: %s", r->name, line, col, what);
	return err_set(r->err, "line %d, column %d: %s", line, col, what);
}

/* A byte as the user should read it in a message. */
static const char *describe_byte(char *dst, size_t n, unsigned char c)
{
	if (c > 0x20 && c < 0x7f)
		snprintf(dst, n, "'%c'", c);
	else if (c == ' ')
		snprintf(dst, n, "a space");
	else if (c < 0x20 || c == 0x7f)
		snprintf(dst, n, "control character U+%04X", c);
	else
		snprintf(dst, n, "byte 0x%02X", c);
	return dst;
}

/* What is at off: a byte, or the end of the input. */
static const char *describe_at(struct reader *r, char *dst, size_t n, size_t off)
{
	if (off >= r->len) {
		snprintf(dst, n, "end of input");
		return dst;
	}
	return describe_byte(dst, n, (unsigned char)r->data[off]);
}

/* Source text for a message: printable ASCII kept, other bytes as '?', long
 * text shortened. */
static const char *excerpt(char *dst, size_t n, const char *s, size_t len)
{
	size_t i, o = 0, max = n > 4 ? n - 4 : 0;

	for (i = 0; i < len && o < max; i++) {
		unsigned char c = (unsigned char)s[i];
		dst[o++] = c >= 0x20 && c < 0x7f ? (char)c : '?';
	}
	if (i < len && n >= 4) {
		memcpy(dst + o, "...", 3);
		o += 3;
	}
	dst[o] = '\0';
	return dst;
}

static bool is_json_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static void skip_space(struct reader *r)
{
	while (r->pos < r->len && is_json_space(r->data[r->pos]))
		r->pos++;
}

/* ---- strings */

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The code unit of a "\uXXXX" at off, or -1 when it is not one. */
static long read_u_escape(const struct reader *r, size_t off)
{
	long v = 0;
	size_t i;

	if (off + 6 > r->len || r->data[off] != '\\' || r->data[off + 1] != 'u')
		return -1;
	for (i = 2; i < 6; i++) {
		int h = hex_value(r->data[off + i]);
		if (h < 0)
			return -1;
		v = v * 16 + h;
	}
	return v;
}

static void put_utf8(struct buf *b, uint32_t cp)
{
	char u[4];
	size_t n;

	if (cp < 0x80) {
		u[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xC0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3F));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xE0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		u[2] = (char)(0x80 | (cp & 0x3F));
		n = 3;
	} else {
		u[0] = (char)(0xF0 | (cp >> 18));
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
		u[3] = (char)(0x80 | (cp & 0x3F));
		n = 4;
	}
	buf_append(b, u, n);
}

/* Decode the \u escape (or surrogate pair) at off into dec; returns the
 * number of source bytes it took, or 0 after reporting the error. */
static size_t decode_u_escape(struct reader *r, size_t off, struct buf *dec)
{
	long hi = read_u_escape(r, off), lo;

	if (hi < 0)
		return fail(r, off, "invalid \\u escape in string: expected four hex digits"), 0;
	if (hi >= 0xDC00 && hi <= 0xDFFF)
		return fail(r, off, "lone low surrogate \\u%04lX in string", hi), 0;
	if (hi < 0xD800 || hi > 0xDBFF) {
		put_utf8(dec, (uint32_t)hi);
		return 6;
	}
	lo = read_u_escape(r, off + 6);
	if (lo < 0xDC00 || lo > 0xDFFF) {
		if (off + 7 < r->len && r->data[off + 6] == '\\' && r->data[off + 7] == 'u' &&
		    lo < 0)
			return fail(r, off + 6,
				    "invalid \\u escape in string: expected four hex digits"), 0;
		return fail(r, off, "high surrogate \\u%04lX in string is not followed by a "
			    "low surrogate \\uDC00-\\uDFFF", hi), 0;
	}
	put_utf8(dec, (uint32_t)(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)));
	return 12;
}

size_t json_utf8_sequence(const unsigned char *s, size_t n)
{
	unsigned char lo = 0x80, hi = 0xBF;
	size_t len, i;

	if (s[0] >= 0xC2 && s[0] <= 0xDF)
		len = 2;
	else if (s[0] >= 0xE0 && s[0] <= 0xEF)
		len = 3;
	else if (s[0] >= 0xF0 && s[0] <= 0xF4)
		len = 4;
	else
		return 0;
	if (s[0] == 0xE0)
		lo = 0xA0; /* overlong */
	else if (s[0] == 0xED)
		hi = 0x9F; /* UTF-16 surrogates */
	else if (s[0] == 0xF0)
		lo = 0x90; /* overlong */
	else if (s[0] == 0xF4)
		hi = 0x8F; /* above U+10FFFF */
	if (n < len || s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < len; i++)
		if (s[i] < 0x80 || s[i] > 0xBF)
			return 0;
	return len;
}

static size_t simple_escape(struct reader *r, size_t off, struct buf *dec)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	const char *hit;
	char what[64];

	if (off + 1 >= r->len)
		return 0; /* the string is unterminated; the caller says so */
	hit = memchr(from, r->data[off + 1], sizeof from - 1);
	if (hit) {
		buf_putc(dec, to[hit - from]);
		return 2;
	}
	if (r->data[off + 1] == 'u')
		return decode_u_escape(r, off, dec);
	if (r->data[off + 1] > 0x20 && r->data[off + 1] < 0x7f)
		fail(r, off, "invalid escape '\\%c' in string", r->data[off + 1]);
	else
		fail(r, off, "invalid escape in string: '\\' followed by %s",
		     describe_byte(what, sizeof what, (unsigned char)r->data[off + 1]));
	return 0;
}

/*
 * Validate and decode the string whose opening quote is at quote. On success
 * dec holds the decoded bytes (appended) and *close the closing quote's offset.
 */
static int scan_string(struct reader *r, size_t quote, struct buf *dec, size_t *close)
{
	const unsigned char *d = (const unsigned char *)r->data;
	size_t i = quote + 1, run = i, n;

	while (i < r->len) {
		unsigned char c = d[i];

		if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
			i++;
			continue;
		}
		buf_append(dec, r->data + run, i - run);
		if (c == '"') {
			*close = i;
			return 0;
		}
		if (c < 0x20)
			return fail(r, i, "control character U+%04X in string must be escaped", c);
		if (c == '\\') {
			n = simple_escape(r, i, dec);
			if (!n && i + 1 >= r->len)
				break;
			if (!n)
				return -1;
		} else {
			n = json_utf8_sequence(d + i, r->len - i);
			if (!n)
				return fail(r, i, "invalid UTF-8 in string (byte 0x%02X)", c);
			buf_append(dec, r->data + i, n);
		}
		i += n;
		run = i;
	}
	return fail(r, quote, "unterminated string");
}

/* ---- tokens and scalars */

/* Consume the token that must begin at r->pos with the given type. */
static jsmntok_t *take_token(struct reader *r, jsmntype_t type)
{
	jsmntok_t *t = r->next < r->ntok ? &r->tok[r->next] : NULL;
	size_t start;
	char what[64];

	if (t) {
		start = (size_t)t->start - (t->type == JSMN_STRING ? 1 : 0);
		if (t->type == type && start == r->pos) {
			r->next++;
			return t;
		}
	}
	r->out_of_tokens = true;
	fail(r, r->pos, "unexpected %s", describe_at(r, what, sizeof what, r->pos));
	return NULL;
}

static int read_string(struct reader *r)
{
	jsmntok_t *t = take_token(r, JSMN_STRING);
	size_t close;

	if (!t)
		return -1;
	buf_reset(&r->scratch);
	if (scan_string(r, r->pos, &r->scratch, &close))
		return -1;
	if (close != (size_t)t->end)
		return fail(r, r->pos, "malformed string");
	r->pos = close + 1;
	return 0;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* NULL when s[0..n) is in the RFC 8259 number grammar, else why not. */
static const char *number_problem(const char *s, size_t n)
{
	size_t i = 0;

	if (i < n && s[i] == '-')
		i++;
	if (i >= n || !is_digit(s[i]))
		return "expected a digit after '-'";
	if (s[i] == '0' && i + 1 < n && is_digit(s[i + 1]))
		return "leading zeros are not allowed";
	while (i < n && is_digit(s[i]))
		i++;
	if (i < n && s[i] == '.') {
		if (++i >= n || !is_digit(s[i]))
			return "expected a digit after '.'";
		while (i < n && is_digit(s[i]))
			i++;
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		if (i >= n || !is_digit(s[i]))
			return "expected a digit in the exponent";
		while (i < n && is_digit(s[i]))
			i++;
	}
	return i < n ? "unexpected character in number" : NULL;
}

static struct value *number_value(const char *s, size_t n)
{
	char small[64];
	struct value *v;
	char *text;

	if (n < sizeof small) {
		memcpy(small, s, n);
		small[n] = '\0';
		return value_new_number(small);
	}
	text = xstrndup(s, n);
	v = value_new_number(text);
	free(text);
	return v;
}

static struct value *read_primitive(struct reader *r)
{
	jsmntok_t *t = take_token(r, JSMN_PRIMITIVE);
	const char *s, *why;
	size_t n;
	char text[48];

	if (!t)
		return NULL;
	s = r->data + t->start;
	n = (size_t)(t->end - t->start);
	r->pos = (size_t)t->end;
	if (s[0] == '-' || is_digit(s[0])) {
		why = number_problem(s, n);
		if (!why)
			return number_value(s, n);
		fail(r, (size_t)t->start, "invalid number '%s': %s",
		     excerpt(text, sizeof text, s, n), why);
		return NULL;
	}
	if (n == 4 && !memcmp(s, "true", 4))
		return value_new_bool(true);
	if (n == 5 && !memcmp(s, "false", 5))
		return value_new_bool(false);
	if (n == 4 && !memcmp(s, "null", 4))
		return value_new_null();
	if ((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z'))
		fail(r, (size_t)t->start, "invalid literal '%s' (expected true, false or null)",
		     excerpt(text, sizeof text, s, n));
	else
		fail(r, (size_t)t->start, "unexpected %s, expected a value",
		     describe_byte(text, sizeof text, (unsigned char)s[0]));
	return NULL;
}

/* ---- containers */

static struct value *read_value(struct reader *r);

/* After an element: skip space, then take ',' (returns 1) or close (0). */
static int element_separator(struct reader *r, char close, const char *after)
{
	char what[64];

	skip_space(r);
	if (r->pos < r->len && r->data[r->pos] == ',') {
		r->pos++;
		return 1;
	}
	if (r->pos < r->len && r->data[r->pos] == close) {
		r->pos++;
		return 0;
	}
	return fail(r, r->pos, "expected ',' or '%c' after %s, found %s", close, after,
		    describe_at(r, what, sizeof what, r->pos));
}

static int enter(struct reader *r)
{
	if (r->depth >= JSON_MAX_DEPTH)
		return fail(r, r->pos, "nesting is deeper than %d levels", JSON_MAX_DEPTH);
	r->depth++;
	return 0;
}

static struct value *read_array(struct reader *r)
{
	struct value *arr, *item;
	int sep;

	if (enter(r) || !take_token(r, JSMN_ARRAY))
		return NULL;
	arr = value_new_array();
	r->pos++;
	skip_space(r);
	if (r->pos < r->len && r->data[r->pos] == ']') {
		r->pos++;
		r->depth--;
		return arr;
	}
	do {
		item = read_value(r);
		if (!item) {
			value_free(arr);
			return NULL;
		}
		value_array_push(arr, item);
		sep = element_separator(r, ']', "an array element");
	} while (sep == 1);
	if (sep < 0) {
		value_free(arr);
		return NULL;
	}
	r->depth--;
	return arr;
}

struct key_ref {
	const char *key;
	size_t len;
	size_t index;
};

static int key_ref_cmp(const void *pa, const void *pb)
{
	const struct key_ref *a = pa, *b = pb;
	size_t n = a->len < b->len ? a->len : b->len;
	int c = memcmp(a->key, b->key, n);

	if (c)
		return c;
	if (a->len != b->len)
		return a->len < b->len ? -1 : 1;
	return (a->index > b->index) - (a->index < b->index);
}

static int duplicate_key(struct reader *r, const struct member *m, size_t keyoff,
			 size_t firstoff)
{
	char text[80];
	int line, col;

	locate(r, firstoff, &line, &col);
	return fail(r, keyoff, "duplicate key \"%s\" in object with a different value than at "
		    "line %d, column %d", excerpt(text, sizeof text, m->key, m->keylen), line, col);
}

static void drop_member(struct value *obj, size_t i)
{
	struct member *items = obj->u.obj.items;

	free(items[i].key);
	value_free(items[i].val);
	memmove(items + i, items + i + 1, (obj->u.obj.n - i - 1) * sizeof *items);
	obj->u.obj.n--;
}

static bool same_key(const struct member *a, const struct member *b)
{
	return a->keylen == b->keylen && !memcmp(a->key, b->key, a->keylen);
}

/*
 * The newest member (index n-1) of a small object against those before it. A
 * key repeated with an equal value says nothing new and is dropped (RFC 8259
 * leaves duplicates to the reader; JSONTestSuite expects that case accepted);
 * with a different value the document is ambiguous and refused. keyoff holds
 * the members' key offsets.
 */
static int check_new_key(struct reader *r, struct value *obj, const size_t *keyoff)
{
	size_t i, n = obj->u.obj.n;
	const struct member *m = &obj->u.obj.items[n - 1];

	if (n > JSON_LINEAR_KEY_CHECK)
		return 0; /* left to check_all_keys() */
	for (i = 0; i + 1 < n; i++) {
		if (!same_key(&obj->u.obj.items[i], m))
			continue;
		if (!value_equal(obj->u.obj.items[i].val, m->val))
			return duplicate_key(r, m, keyoff[n - 1], keyoff[i]);
		drop_member(obj, n - 1);
		r->nkeyoff--;
		return 0;
	}
	return 0;
}

/* The same rule for a large object, by sorting: reports the differing
 * duplicate that comes first in the document, as the linear check would, or
 * drops the repeats that carry equal values. */
static int check_all_keys(struct reader *r, struct value *obj, const size_t *keyoff)
{
	size_t i, n = obj->u.obj.n, first = SIZE_MAX, group = 0;
	struct member *items = obj->u.obj.items;
	struct key_ref *refs;
	bool *repeat;

	if (n <= JSON_LINEAR_KEY_CHECK)
		return 0;
	refs = xmalloc(n * sizeof *refs);
	repeat = xcalloc(n, sizeof *repeat);
	for (i = 0; i < n; i++) {
		refs[i].key = items[i].key;
		refs[i].len = items[i].keylen;
		refs[i].index = i;
	}
	qsort(refs, n, sizeof *refs, key_ref_cmp);
	for (i = 1; i < n; i++) {
		if (!same_key(&items[refs[i].index], &items[refs[group].index])) {
			group = i;
			continue;
		}
		repeat[refs[i].index] = true;
		if (!value_equal(items[refs[group].index].val, items[refs[i].index].val) &&
		    refs[i].index < first)
			first = refs[i].index;
	}
	if (first != SIZE_MAX) {
		for (i = 0; i < n && !same_key(&items[i], &items[first]); i++)
			;
		free(refs);
		free(repeat);
		return duplicate_key(r, &items[first], keyoff[first], keyoff[i]);
	}
	for (i = 0, group = 0; i < n; i++) {
		if (repeat[i]) {
			free(items[i].key);
			value_free(items[i].val);
		} else {
			items[group++] = items[i];
		}
	}
	obj->u.obj.n = group;
	free(refs);
	free(repeat);
	return 0;
}

/* One "key": value member, appended to obj; the object's key offsets start at
 * r->keyoff[keybase]. */
static int read_member(struct reader *r, struct value *obj, size_t keybase)
{
	struct value *val;
	size_t keyoff = r->pos;
	char what[64];

	if (r->pos >= r->len || r->data[r->pos] != '"')
		return fail(r, r->pos, "expected a string as object key, found %s",
			    describe_at(r, what, sizeof what, r->pos));
	if (read_string(r))
		return -1;
	value_object_put(obj, buf_str(&r->scratch), r->scratch.len, NULL);
	r->keyoff = xgrow(r->keyoff, &r->capkeyoff, r->nkeyoff + 1, sizeof *r->keyoff);
	r->keyoff[r->nkeyoff++] = keyoff;
	skip_space(r);
	if (r->pos >= r->len || r->data[r->pos] != ':')
		return fail(r, r->pos, "expected ':' after object key, found %s",
			    describe_at(r, what, sizeof what, r->pos));
	r->pos++;
	val = read_value(r);
	if (!val)
		return -1;
	obj->u.obj.items[obj->u.obj.n - 1].val = val;
	return check_new_key(r, obj, r->keyoff + keybase);
}

static struct value *read_object(struct reader *r)
{
	struct value *obj;
	size_t keybase = r->nkeyoff;
	int sep = 0;

	if (enter(r) || !take_token(r, JSMN_OBJECT))
		return NULL;
	obj = value_new_object();
	r->pos++;
	skip_space(r);
	if (r->pos < r->len && r->data[r->pos] == '}') {
		r->pos++;
	} else {
		do {
			skip_space(r);
			if (read_member(r, obj, keybase)) {
				sep = -1;
				break;
			}
			sep = element_separator(r, '}', "an object member");
		} while (sep == 1);
	}
	if (sep == 0 && obj->u.obj.n && check_all_keys(r, obj, r->keyoff + keybase))
		sep = -1;
	r->nkeyoff = keybase;
	if (sep < 0) {
		value_free(obj);
		return NULL;
	}
	r->depth--;
	return obj;
}

static struct value *read_value(struct reader *r)
{
	struct value *v;
	int line, col;
	char what[64];

	skip_space(r);
	if (r->pos >= r->len)
		return fail(r, r->pos, "unexpected end of input, expected a value"), NULL;
	locate(r, r->pos, &line, &col);
	switch (r->data[r->pos]) {
	case '"':
		v = read_string(r) ? NULL : value_new_string(buf_str(&r->scratch), r->scratch.len);
		break;
	case '[':
		v = read_array(r);
		break;
	case '{':
		v = read_object(r);
		break;
	case ',':
	case ':':
	case ']':
	case '}':
		return fail(r, r->pos, "expected a value, found %s",
			    describe_at(r, what, sizeof what, r->pos)), NULL;
	default:
		v = read_primitive(r);
		break;
	}
	if (v) {
		v->line = line;
		v->col = col;
	}
	return v;
}

/* ---- when jsmn itself refuses */

/* The innermost container jsmn saw opened and never closed, or NULL. */
static const jsmntok_t *unclosed_container(const jsmn_parser *p, const jsmntok_t *tok)
{
	size_t i;

	for (i = p->toknext; i-- > 0;)
		if ((tok[i].type == JSMN_ARRAY || tok[i].type == JSMN_OBJECT) &&
		    tok[i].start != -1 && tok[i].end == -1)
			return &tok[i];
	return NULL;
}

static bool is_primitive_end(char c)
{
	return is_json_space(c) || c == ',' || c == ':' || c == ']' || c == '}';
}

/* jsmn stopped at p->pos with rc; say what is wrong there. */
static int explain_jsmn_error(struct reader *r, const jsmn_parser *p, int rc)
{
	size_t at = p->pos, i, close;
	const jsmntok_t *open;
	char what[64];
	int line, col;

	if (at >= r->len) {
		open = rc == JSMN_ERROR_PART ? unclosed_container(p, r->tok) : NULL;
		if (!open)
			return fail(r, r->len, "unexpected end of input");
		locate(r, (size_t)open->start, &line, &col);
		return fail(r, r->len, "unexpected end of input: the %s opened at line %d, "
			    "column %d is not closed",
			    open->type == JSMN_ARRAY ? "array" : "object", line, col);
	}
	switch (r->data[at]) {
	case '"':
		buf_reset(&r->scratch);
		if (scan_string(r, at, &r->scratch, &close))
			return -1;
		break;
	case ']':
	case '}':
		return fail(r, at, "unexpected '%c' (no matching '%c')", r->data[at],
			    r->data[at] == ']' ? '[' : '{');
	default:
		/* a primitive jsmn refused for a control or non-ASCII byte */
		for (i = at; i < r->len && !is_primitive_end(r->data[i]); i++) {
			unsigned char c = (unsigned char)r->data[i];
			if (c < 0x20 || c >= 0x7f)
				return fail(r, i, "unexpected %s",
					    describe_byte(what, sizeof what, c));
		}
		break;
	}
	return fail(r, at, "unexpected %s", describe_at(r, what, sizeof what, at));
}

/*
 * Offset of the first bracket that opens level JSON_MAX_DEPTH + 1, counting
 * brackets outside strings (delimited as jsmn delimits them), or len. jsmn
 * closes a bracket by walking up through the containers around it, so on very
 * deep input it is quadratic; it is only given the part the walk can accept.
 */
static size_t shallow_prefix(const char *d, size_t len)
{
	size_t i, depth = 0;
	bool in_string = false;

	for (i = 0; i < len; i++) {
		if (in_string) {
			if (d[i] == '\\')
				i++;
			else if (d[i] == '"')
				in_string = false;
			continue;
		}
		if (d[i] == '"')
			in_string = true;
		else if ((d[i] == '[' || d[i] == '{') && ++depth > JSON_MAX_DEPTH)
			return i;
		else if ((d[i] == ']' || d[i] == '}') && depth > 0)
			depth--;
	}
	return len;
}

/* Run jsmn over data[0..limit), growing the token array as needed. Returns
 * jsmn's result; p->pos is where it stopped. */
static int tokenize(struct reader *r, jsmn_parser *p, size_t limit)
{
	size_t cap = limit / 8 + 16;
	int rc;

	if (cap > UINT_MAX / 2)
		cap = UINT_MAX / 2;
	r->tok = xmalloc(cap * sizeof *r->tok);
	jsmn_init(p);
	for (;;) {
		rc = jsmn_parse(p, r->data, limit, r->tok, (unsigned int)cap);
		r->ntok = p->toknext;
		if (rc != JSMN_ERROR_NOMEM || cap >= UINT_MAX / 2)
			return rc;
		cap *= 2;
		r->tok = xrealloc(r->tok, cap * sizeof *r->tok);
	}
}

/* The value and nothing but space after it. */
static struct value *read_top_value(struct reader *r)
{
	struct value *v = read_value(r);
	char what[64];

	if (!v)
		return NULL;
	skip_space(r);
	if (r->pos < r->len) {
		value_free(v);
		return fail(r, r->pos, "unexpected %s after the JSON value",
			    describe_at(r, what, sizeof what, r->pos)), NULL;
	}
	return v;
}

static struct value *read_document(struct reader *r)
{
	struct value *v;
	jsmn_parser p;
	size_t limit;
	int rc;

	if (r->len >= 3 && !memcmp(r->data, "\xEF\xBB\xBF", 3))
		return fail(r, 0, "a byte order mark (U+FEFF) is not allowed in JSON text"), NULL;
	if (r->len >= (size_t)INT_MAX)
		return fail(r, 0, "input too large (%zu bytes)", r->len), NULL;
	skip_space(r);
	if (r->pos >= r->len)
		return fail(r, r->pos, "no JSON value (the input is empty)"), NULL;
	r->pos = 0;
	limit = shallow_prefix(r->data, r->len);
	rc = tokenize(r, &p, limit);
	if (rc == JSMN_ERROR_NOMEM)
		return fail(r, p.pos, "too many JSON tokens"), NULL;
	v = read_top_value(r);
	if (v)
		return v;
	/* Past limit there are no tokens: too deep is all that can be said. */
	if (limit < r->len && r->err_off >= limit)
		return fail(r, limit, "nesting is deeper than %d levels", JSON_MAX_DEPTH), NULL;
	/*
	 * When jsmn refused at p.pos, the walk over the tokens before that point
	 * may still have found an earlier mistake jsmn let through; the earliest
	 * is the one to report. At the very byte jsmn refused, the walk's
	 * "expected ..." says more, unless the walk just ran out of tokens there
	 * (jsmn knows why) or it is the end of the input (jsmn knows what is
	 * still open).
	 */
	if (rc >= 0 || r->err_off < p.pos ||
	    (r->err_off == p.pos && p.pos < r->len && !r->out_of_tokens))
		return NULL;
	explain_jsmn_error(r, &p, rc);
	return NULL;
}

int json_parse(const char *data, size_t len, struct value **out, struct err *err)
{
	return json_parse_named(NULL, data, len, out, err);
}

int json_parse_named(const char *name, const char *data, size_t len, struct value **out,
		     struct err *err)
{
	struct reader r;

	memset(&r, 0, sizeof r);
	r.name = name;
	r.data = data ? data : "";
	r.len = data ? len : 0;
	r.cur_line = 1;
	r.cur_col = 1;
	r.err = err;
	r.err_off = SIZE_MAX;
	buf_init(&r.scratch);
	*out = read_document(&r);
	buf_free(&r.scratch);
	free(r.tok);
	free(r.keyoff);
	return *out ? 0 : -1;
}
