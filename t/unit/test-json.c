/*
 * test-json.c — unit tests of lib/json.c: the strict parser (what it accepts,
 * what it refuses and where it says the problem is, how it decodes) and the
 * writer (escaping, pretty and canonical forms, the streaming jw_* API).
 *
 * Table-driven: inputs are C literals with an explicit length (L("...")) so
 * cases can hold NUL bytes. Expected errors are compared whole, position
 * included, because the message is what a user reads.
 */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/err.h"
#include "lib/json.h"
#include "lib/value.h"
#include "t/unit/tap.h"

#define L(s) s, sizeof(s) - 1

/* Canonical form of the parse of s, or "ERR <message>". Caller frees. */
static char *canon_or_error(const char *s, size_t n)
{
	struct buf out = BUF_INIT;
	struct value *v;
	struct err err;

	if (json_parse(s, n, &v, &err)) {
		buf_printf(&out, "ERR %s", err.msg);
		return buf_detach(&out);
	}
	json_write(&out, v, JSON_COMPACT | JSON_SORT_KEYS);
	value_free(v);
	return buf_detach(&out);
}

struct parse_case {
	const char *in;
	size_t len;
	const char *want; /* canonical output, or "ERR line L, column C: ..." */
};

static const struct parse_case valid_cases[] = {
	{ L("{}"), "{}" },
	{ L("[]"), "[]" },
	{ L("0"), "0" },
	{ L(" \t\r\n42 \t\r\n"), "42" },
	{ L("-0"), "-0" },
	{ L("1E400"), "1E400" },
	{ L("[0.5e-3,-12.25E+07,1e1,123456789012345678901234567890]"),
	  "[0.5e-3,-12.25E+07,1e1,123456789012345678901234567890]" },
	{ L("true"), "true" },
	{ L("[false,null]"), "[false,null]" },
	{ L("\"\""), "\"\"" },
	{ L("{ \"b\" : [ 1 , { } ] , \"a\" : \"x\" }"), "{\"a\":\"x\",\"b\":[1,{}]}" },
	{ L("[\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"]"), "[\"\\\"\\\\/\\b\\f\\n\\r\\t\"]" },
	{ L("\"\\u0041\\u00e9\\u20AC\""), "\"A\xC3\xA9\xE2\x82\xAC\"" },
	{ L("\"\\ud83d\\ude00\""), "\"\xF0\x9F\x98\x80\"" },
	{ L("\"\\uDBFF\\uDFFF\""), "\"\xF4\x8F\xBF\xBF\"" },
	{ L("\"\\u0000\\u001f\""), "\"\\u0000\\u001f\"" },
	{ L("\"\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\xF4\x8F\xBF\xBF\xEF\xBF\xBF\""),
	  "\"\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\xF4\x8F\xBF\xBF\xEF\xBF\xBF\"" },
	{ L("\"\x7f\""), "\"\x7f\"" },
	/* a repeated key with an equal value says nothing new: one member kept */
	{ L("{\"a\":[1,{\"b\":2}],\"a\":[1,{\"b\":2}]}"), "{\"a\":[1,{\"b\":2}]}" },
	{ L("{\"a\":1,\"a\":1.0}"), "{\"a\":1}" },
	{ L("{\"a\\u0000\":1,\"a\":2}"), "{\"a\":2,\"a\\u0000\":1}" },
	{ L("[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]"),
	  "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]" },
};

static const struct parse_case invalid_cases[] = {
	{ L(""), "ERR line 1, column 1: no JSON value (the input is empty)" },
	{ L(" \n "), "ERR line 2, column 2: no JSON value (the input is empty)" },
	{ L("\xEF\xBB\xBF{}"),
	  "ERR line 1, column 1: a byte order mark (U+FEFF) is not allowed in JSON text" },
	{ L("{\n  \"a\": 1,\n  \"b\": \"x\\x\"\n}"),
	  "ERR line 3, column 10: invalid escape '\\x' in string" },
	{ L("[\"\\u12G4\"]"),
	  "ERR line 1, column 3: invalid \\u escape in string: expected four hex digits" },
	{ L("[\"a\tb\"]"),
	  "ERR line 1, column 4: control character U+0009 in string must be escaped" },
	{ L("\"a\0b\""),
	  "ERR line 1, column 3: control character U+0000 in string must be escaped" },
	{ L("[1]\0"),
	  "ERR line 1, column 4: unexpected control character U+0000 after the JSON value" },
	{ L("[1,\0]"), "ERR line 1, column 4: unexpected control character U+0000" },
	{ L("\"\\ud800\""),
	  "ERR line 1, column 2: high surrogate \\uD800 in string is not followed by a low "
	  "surrogate \\uDC00-\\uDFFF" },
	{ L("\"\\ud800\\u0041\""),
	  "ERR line 1, column 2: high surrogate \\uD800 in string is not followed by a low "
	  "surrogate \\uDC00-\\uDFFF" },
	{ L("\"\\udc00\\ud800\""), "ERR line 1, column 2: lone low surrogate \\uDC00 in string" },
	{ L("\"\xC0\xAF\""), "ERR line 1, column 2: invalid UTF-8 in string (byte 0xC0)" },
	{ L("\"\xE0\x80\xAF\""), "ERR line 1, column 2: invalid UTF-8 in string (byte 0xE0)" },
	{ L("\"\xED\xA0\x80\""), "ERR line 1, column 2: invalid UTF-8 in string (byte 0xED)" },
	{ L("\"\xF4\x90\x80\x80\""), "ERR line 1, column 2: invalid UTF-8 in string (byte 0xF4)" },
	{ L("\"\xC3\""), "ERR line 1, column 2: invalid UTF-8 in string (byte 0xC3)" },
	{ L("\"\xE2\x82\""), "ERR line 1, column 2: invalid UTF-8 in string (byte 0xE2)" },
	{ L("\"\x80\""), "ERR line 1, column 2: invalid UTF-8 in string (byte 0x80)" },
	{ L("\"abc"), "ERR line 1, column 1: unterminated string" },
	/* columns count characters, not bytes */
	{ L("[\"\xC3\xA9\xE2\x82\xAC\", tru]"),
	  "ERR line 1, column 8: invalid literal 'tru' (expected true, false or null)" },
	{ L("[01]"), "ERR line 1, column 2: invalid number '01': leading zeros are not allowed" },
	{ L("[-]"), "ERR line 1, column 2: invalid number '-': expected a digit after '-'" },
	{ L("[1.]"), "ERR line 1, column 2: invalid number '1.': expected a digit after '.'" },
	{ L("[1e+]"),
	  "ERR line 1, column 2: invalid number '1e+': expected a digit in the exponent" },
	{ L("[1.5x]"),
	  "ERR line 1, column 2: invalid number '1.5x': unexpected character in number" },
	{ L("[+1]"), "ERR line 1, column 2: unexpected '+', expected a value" },
	{ L("[.5]"), "ERR line 1, column 2: unexpected '.', expected a value" },
	{ L("[True]"),
	  "ERR line 1, column 2: invalid literal 'True' (expected true, false or null)" },
	{ L("nulll"),
	  "ERR line 1, column 1: invalid literal 'nulll' (expected true, false or null)" },
	{ L("[1 2]"),
	  "ERR line 1, column 4: expected ',' or ']' after an array element, found '2'" },
	{ L("[1,]"), "ERR line 1, column 4: expected a value, found ']'" },
	{ L("[,1]"), "ERR line 1, column 2: expected a value, found ','" },
	{ L("[1:2]"),
	  "ERR line 1, column 3: expected ',' or ']' after an array element, found ':'" },
	{ L("{\"a\" 1}"), "ERR line 1, column 6: expected ':' after object key, found '1'" },
	{ L("{\"a\"::1}"), "ERR line 1, column 6: expected a value, found ':'" },
	{ L("{\"a\":1,}"), "ERR line 1, column 8: expected a string as object key, found '}'" },
	{ L("{\"a\":1 \"b\":2}"),
	  "ERR line 1, column 8: expected ',' or '}' after an object member, found '\"'" },
	{ L("{1:2}"), "ERR line 1, column 2: expected a string as object key, found '1'" },
	{ L("{[]:2}"), "ERR line 1, column 2: expected a string as object key, found '['" },
	{ L("{\"a\":1]"),
	  "ERR line 1, column 7: expected ',' or '}' after an object member, found ']'" },
	{ L("[1}"), "ERR line 1, column 3: expected ',' or ']' after an array element, found '}'" },
	{ L("[1]]"), "ERR line 1, column 4: unexpected ']' after the JSON value" },
	{ L("[1] [2]"), "ERR line 1, column 5: unexpected '[' after the JSON value" },
	{ L("1 2"), "ERR line 1, column 3: unexpected '2' after the JSON value" },
	{ L("[1,\n[2,\n"),
	  "ERR line 3, column 1: unexpected end of input: the array opened at line 2, column 1 is "
	  "not closed" },
	{ L("{\"a\":"),
	  "ERR line 1, column 6: unexpected end of input: the object opened at line 1, column 1 is "
	  "not closed" },
	{ L("[1,2"),
	  "ERR line 1, column 5: unexpected end of input: the array opened at line 1, column 1 is "
	  "not closed" },
	{ L("[1,2\xC2]"), "ERR line 1, column 5: unexpected byte 0xC2" },
	{ L("\f1"), "ERR line 1, column 1: unexpected control character U+000C" },
	{ L("[1]\xC2\xA0"), "ERR line 1, column 4: unexpected byte 0xC2 after the JSON value" },
	{ L("'a'"), "ERR line 1, column 1: unexpected ''', expected a value" },
	{ L("[1] // c"), "ERR line 1, column 5: unexpected '/' after the JSON value" },
	{ L("{\"k\":1,\n \"k\":2}"),
	  "ERR line 2, column 2: duplicate key \"k\" in object with a different value than at "
	  "line 1, column 2" },
	{ L("{\"k\":{\"x\":1},\"k\":{\"x\":2}}"),
	  "ERR line 1, column 14: duplicate key \"k\" in object with a different value than at "
	  "line 1, column 2" },
};

static void test_parse_tables(void)
{
	size_t i;

	for (i = 0; i < sizeof valid_cases / sizeof valid_cases[0]; i++) {
		char *got = canon_or_error(valid_cases[i].in, valid_cases[i].len);
		is_str(got, valid_cases[i].want, "valid #%zu: %s", i, valid_cases[i].want);
		free(got);
	}
	for (i = 0; i < sizeof invalid_cases / sizeof invalid_cases[0]; i++) {
		char *got = canon_or_error(invalid_cases[i].in, invalid_cases[i].len);
		is_str(got, invalid_cases[i].want, "invalid #%zu: %s", i, invalid_cases[i].want);
		free(got);
	}
}

static void test_decoding(void)
{
	struct value *v;
	struct err err;

	ok(!json_parse(L("\"a\\u0000b\""), &v, &err) && v->type == VALUE_STRING,
	   "\\u0000 is allowed in a string");
	is_int((long long)v->u.str.len, 3, "string with \\u0000 keeps its length");
	ok(!memcmp(v->u.str.ptr, "a\0b", 4), "and its bytes, NUL-terminated");
	value_free(v);

	ok(!json_parse(L("{\"k\\u0000x\": 1}"), &v, &err), "a key may hold NUL");
	is_int((long long)v->u.obj.items[0].keylen, 3, "key length counts the NUL");
	value_free(v);

	ok(!json_parse(L("[12.50, -0, 1E+2]"), &v, &err), "numbers parse");
	is_str(v->u.arr.items[0]->u.number, "12.50", "number keeps its source text");
	is_str(v->u.arr.items[2]->u.number, "1E+2", "exponent kept as written");
	value_free(v);

	ok(!json_parse(L("\"\\/\""), &v, &err), "\\/ parses");
	is_str(v->u.str.ptr, "/", "\\/ decodes to /");
	value_free(v);

	ok(!json_parse(NULL, 0, &v, &err) == false && v == NULL, "NULL input is an empty input");
}

static void test_positions(void)
{
	static const char doc[] = "{\n  \"\xC3\xA9\": [true,\n    \"s\"],\n  \"n\": {\"x\": -1}\n}";
	const struct value *arr, *n;
	struct value *v;
	struct err err;

	if (!ok(!json_parse(L(doc), &v, &err), "multi-line document parses")) {
		diag("%s", err.msg);
		return;
	}
	is_int(v->line * 100 + v->col, 101, "root at 1:1");
	arr = value_get(v, "\xC3\xA9");
	is_int(arr->line * 100 + arr->col, 208, "array value at 2:8 (columns in characters)");
	is_int(arr->u.arr.items[0]->line * 100 + arr->u.arr.items[0]->col, 209, "true at 2:9");
	is_int(arr->u.arr.items[1]->line * 100 + arr->u.arr.items[1]->col, 305, "string at 3:5");
	n = value_get(value_get(v, "n"), "x");
	is_int(n->line * 100 + n->col, 414, "nested number at 4:14");
	value_free(v);
}

/* "[" * depth + "]" * depth */
static char *nested_arrays(size_t depth, size_t *len)
{
	char *s = xmalloc(2 * depth + 1);

	memset(s, '[', depth);
	memset(s + depth, ']', depth);
	s[2 * depth] = '\0';
	*len = 2 * depth;
	return s;
}

static void test_depth(void)
{
	struct value *v;
	struct err err;
	size_t len;
	char *s;

	s = nested_arrays(JSON_MAX_DEPTH, &len);
	ok(!json_parse(s, len, &v, &err), "nesting of exactly JSON_MAX_DEPTH is accepted");
	value_free(v);
	free(s);

	s = nested_arrays(JSON_MAX_DEPTH + 1, &len);
	ok(json_parse(s, len, &v, &err) && v == NULL, "one level deeper is refused");
	is_str(err.msg, "line 1, column 513: nesting is deeper than 512 levels", "depth error");
	free(s);

	s = nested_arrays(200000, &len);
	ok(json_parse(s, len, &v, &err), "200000 levels: an error, not a crash");
	free(s);

	s = nested_arrays(100000, &len);
	s[len - 1] = '\0';
	len--;
	ok(json_parse(s, len, &v, &err), "deep and unclosed: an error");
	is_str(err.msg, "line 1, column 513: nesting is deeper than 512 levels",
	       "the first problem is reported");
	free(s);
}

/* An object of n members "k0".."k{n-1}" whose values are their index, with
 * member `dup` (if < n) repeating the key of member `of`; value `same` or not. */
static char *big_object(size_t n, size_t dup, size_t of, bool same, size_t *len)
{
	struct buf b = BUF_INIT;
	size_t i;

	buf_putc(&b, '{');
	for (i = 0; i < n; i++) {
		if (i)
			buf_putc(&b, ',');
		if (i == dup)
			buf_printf(&b, "\n\"k%zu\":%zu", of, same ? of : i);
		else
			buf_printf(&b, "\n\"k%zu\":%zu", i, i);
	}
	buf_putc(&b, '}');
	*len = b.len;
	return buf_detach(&b);
}

static void test_duplicate_keys_large(void)
{
	struct value *v;
	struct err err;
	size_t len;
	char *s;

	s = big_object(50000, SIZE_MAX, 0, false, &len);
	ok(!json_parse(s, len, &v, &err), "50000 distinct keys are accepted");
	is_int((long long)v->u.obj.n, 50000, "all members kept");
	is_str(v->u.obj.items[49999].key, "k49999", "in document order");
	value_free(v);
	free(s);

	s = big_object(40, 30, 20, false, &len);
	ok(json_parse(s, len, &v, &err), "duplicate in a 40-key object is refused");
	is_str(err.msg, "line 32, column 1: duplicate key \"k20\" in object with a different "
	       "value than at line 22, column 1", "it names both places");
	free(s);

	s = big_object(40, 30, 20, true, &len);
	ok(!json_parse(s, len, &v, &err), "equal repeat in a 40-key object is accepted");
	is_int((long long)v->u.obj.n, 39, "and collapsed to one member");
	is_str(v->u.obj.items[30].key, "k31", "the rest keep their order");
	value_free(v);
	free(s);

	s = big_object(5, 3, 1, false, &len);
	ok(json_parse(s, len, &v, &err), "duplicate in a small object is refused");
	is_str(err.msg, "line 5, column 1: duplicate key \"k1\" in object with a different "
	       "value than at line 3, column 1", "small object error names both places");
	free(s);
}

static void test_big_array(void)
{
	struct buf b = BUF_INIT;
	struct value *v;
	struct err err;
	size_t i;

	buf_putc(&b, '[');
	for (i = 0; i < 300000; i++)
		buf_printf(&b, "%s{\"id\":\"c%zu\",\"n\":%zu}", i ? "," : "", i, i);
	buf_putc(&b, ']');
	ok(!json_parse(b.data, b.len, &v, &err), "300000 objects parse (token array grows)");
	is_int((long long)v->u.arr.n, 300000, "every element present");
	is_str(value_get_string(v->u.arr.items[299999], "id"), "c299999", "the last is intact");
	value_free(v);
	buf_free(&b);
}

static void test_write_string(void)
{
	struct buf out = BUF_INIT;
	char all[32];
	size_t i;

	for (i = 0; i < 32; i++)
		all[i] = (char)i;
	json_write_string(&out, all, sizeof all);
	is_str(buf_str(&out),
	       "\"\\u0000\\u0001\\u0002\\u0003\\u0004\\u0005\\u0006\\u0007\\b\\t\\n\\u000b\\f\\r"
	       "\\u000e\\u000f\\u0010\\u0011\\u0012\\u0013\\u0014\\u0015\\u0016\\u0017\\u0018"
	       "\\u0019\\u001a\\u001b\\u001c\\u001d\\u001e\\u001f\"",
	       "control characters: short escapes, else \\u00XX lowercase");
	buf_reset(&out);
	json_write_string(&out, L("a\"b\\c/d\x7f\xC3\xA9\xF0\x9F\x98\x80 "));
	is_str(buf_str(&out), "\"a\\\"b\\\\c/d\x7f\xC3\xA9\xF0\x9F\x98\x80 \"",
	       "quote and backslash escaped; '/', DEL and UTF-8 verbatim");
	buf_reset(&out);
	json_write_string(&out, "", 0);
	is_str(buf_str(&out), "\"\"", "empty string");
	buf_free(&out);
}

static char *write_doc(const char *json, int flags)
{
	struct buf out = BUF_INIT;
	struct value *v;
	struct err err;

	if (json_parse(json, strlen(json), &v, &err))
		return xstrdup(err.msg);
	json_write(&out, v, flags);
	value_free(v);
	return buf_detach(&out);
}

static void test_write_forms(void)
{
	static const char doc[] =
		"{\"b\":[1,{},[],\"x\",{\"z\":null,\"y\":[true]}],\"a\":{},\"ab\":-1.5e3,\"\":0}";
	char *got;

	got = write_doc(doc, JSON_COMPACT);
	is_str(got, doc, "compact keeps member order and bytes");
	free(got);

	got = write_doc(doc, JSON_COMPACT | JSON_SORT_KEYS);
	is_str(got,
	       "{\"\":0,\"a\":{},\"ab\":-1.5e3,\"b\":[1,{},[],\"x\",{\"y\":[true],\"z\":null}]}",
	       "canonical: keys in bytewise order at every level");
	free(got);

	got = write_doc(doc, JSON_PRETTY);
	is_str(got,
	       "{\n"
	       "  \"b\": [\n"
	       "    1,\n"
	       "    {},\n"
	       "    [],\n"
	       "    \"x\",\n"
	       "    {\n"
	       "      \"z\": null,\n"
	       "      \"y\": [\n"
	       "        true\n"
	       "      ]\n"
	       "    }\n"
	       "  ],\n"
	       "  \"a\": {},\n"
	       "  \"ab\": -1.5e3,\n"
	       "  \"\": 0\n"
	       "}",
	       "pretty: two-space indent, \"key\": value, empty {} and []");
	free(got);

	got = write_doc("{\"b\":1,\"a\":[]}", JSON_PRETTY | JSON_SORT_KEYS);
	is_str(got, "{\n  \"a\": [],\n  \"b\": 1\n}", "pretty and sorted combine");
	free(got);

	got = write_doc("{\"\\u00e9\":1,\"z\":2,\"a\\u0000\":3,\"a\":4,\"B\":5}", JSON_SORT_KEYS);
	is_str(got, "{\"B\":5,\"a\":4,\"a\\u0000\":3,\"z\":2,\"\xC3\xA9\":1}",
	       "bytewise order: uppercase first, prefix first, UTF-8 last");
	free(got);
}

static void test_streaming(void)
{
	struct buf out = BUF_INIT;
	struct json_writer w;

	jw_init(&w, &out, JSON_COMPACT);
	jw_object_begin(&w);
	jw_key(&w, "s");
	jw_string(&w, "a\nb");
	jw_key(&w, "null");
	jw_string(&w, NULL);
	jw_key(&w, "ints");
	jw_array_begin(&w);
	jw_int(&w, 0);
	jw_int(&w, -42);
	jw_int(&w, LLONG_MIN);
	jw_array_end(&w);
	jw_key(&w, "num");
	jw_number(&w, "1.5e-7");
	jw_key(&w, "b");
	jw_bool(&w, false);
	jw_key(&w, "n");
	jw_null(&w);
	jw_key_len(&w, "k\0", 2);
	jw_string_len(&w, "v\0w", 3);
	jw_key(&w, "empty");
	jw_object_begin(&w);
	jw_object_end(&w);
	jw_object_end(&w);
	is_str(buf_str(&out),
	       "{\"s\":\"a\\nb\",\"null\":null,\"ints\":[0,-42,-9223372036854775808],"
	       "\"num\":1.5e-7,\"b\":false,\"n\":null,\"k\\u0000\":\"v\\u0000w\",\"empty\":{}}",
	       "compact streaming output");

	buf_reset(&out);
	jw_init(&w, &out, JSON_PRETTY);
	jw_object_begin(&w);
	jw_key(&w, "a");
	jw_array_begin(&w);
	jw_array_end(&w);
	jw_key(&w, "b");
	jw_array_begin(&w);
	jw_object_begin(&w);
	jw_key(&w, "c");
	jw_bool(&w, true);
	jw_object_end(&w);
	jw_int(&w, 2);
	jw_array_end(&w);
	jw_object_end(&w);
	is_str(buf_str(&out),
	       "{\n  \"a\": [],\n  \"b\": [\n    {\n      \"c\": true\n    },\n    2\n  ]\n}",
	       "pretty streaming output");

	buf_reset(&out);
	jw_init(&w, &out, JSON_COMPACT);
	jw_int(&w, 1);
	jw_object_begin(&w);
	jw_object_end(&w);
	jw_string(&w, "x");
	is_str(buf_str(&out), "1\n{}\n\"x\"", "top-level values are one per line");

	buf_free(&out);
}

static void test_jw_value(void)
{
	struct buf out = BUF_INIT;
	struct json_writer w;
	struct value *v;
	struct err err;

	if (json_parse(L("{\"z\":1,\"a\":[null]}"), &v, &err))
		return (void)ok(false, "parse for jw_value: %s", err.msg);
	jw_init(&w, &out, JSON_SORT_KEYS);
	jw_array_begin(&w);
	jw_value(&w, v);
	jw_value(&w, NULL);
	jw_array_end(&w);
	is_str(buf_str(&out), "[{\"a\":[null],\"z\":1},null]", "jw_value embeds a tree, sorted");
	value_free(v);
	buf_free(&out);
}

static const char *const round_trips[] = {
	"{\"name\":\"caf\xC3\xA9 \\\"q\\\" \\\\ \\n\\t\\u0001\","
	"\"list\":[1,-2.5e-3,true,false,null],"
	"\"nested\":{\"e\":{},\"a\":[],\"s\":\"\\ud83d\\ude00\"},\"nul\":\"a\\u0000b\"}",
	"[\"\\b\\f\\r\\/\",\"\\u001F\\u007f\",\"\xEF\xBF\xBF\"]",
	"\"just a string\"",
	"-0.0",
};

static void test_round_trips(void)
{
	size_t i;
	int flags[] = { JSON_COMPACT, JSON_PRETTY, JSON_SORT_KEYS, JSON_PRETTY | JSON_SORT_KEYS };
	size_t f;

	for (i = 0; i < sizeof round_trips / sizeof round_trips[0]; i++) {
		for (f = 0; f < sizeof flags / sizeof flags[0]; f++) {
			struct buf out = BUF_INIT;
			struct value *a, *b = NULL;
			struct err err;
			bool same;

			if (json_parse(round_trips[i], strlen(round_trips[i]), &a, &err)) {
				ok(false, "round trip #%zu parses: %s", i, err.msg);
				continue;
			}
			json_write(&out, a, flags[f]);
			same = !json_parse(out.data, out.len, &b, &err) && value_equal(a, b);
			if (!ok(same, "round trip #%zu, flags %d: write then parse is equal", i,
				flags[f]))
				diag("wrote: %s", buf_str(&out));
			if (same) {
				const char *doc = round_trips[i];
				char *again = canon_or_error(out.data, out.len);
				char *first = canon_or_error(doc, strlen(doc));

				is_str(again, first,
				       "round trip #%zu, flags %d: canonical form stable", i,
				       flags[f]);
				free(again);
				free(first);
			}
			value_free(a);
			value_free(b);
			buf_free(&out);
		}
	}
}

int main(void)
{
	test_parse_tables();
	test_decoding();
	test_positions();
	test_depth();
	test_duplicate_keys_large();
	test_big_array();
	test_write_string();
	test_write_forms();
	test_streaming();
	test_jw_value();
	test_round_trips();
	return done_testing();
}
