/*
 * json.h — strict JSON (RFC 8259) reading and writing.
 *
 * Reading: jsmn (Debian libjsmn-dev) tokenizes; on top of it we enforce what
 * jsmn lets through — string contents and escapes, \u surrogate pairs, UTF-8
 * validity, the number grammar, the literals true/false/null, separators, and
 * exactly one top-level value with nothing but whitespace around it — and
 * decode strings. Nesting is bounded (JSON_MAX_DEPTH) so hostile input cannot
 * exhaust the stack. The result is a value tree (value.h); numbers keep their
 * source text. A key repeated in one object with a different value is an
 * error; repeated with an equal value (value_equal) it is accepted and kept
 * once, at its first place (JSONTestSuite's y_object_duplicated_key_and_value),
 * so trees never hold duplicate keys.
 *
 * Writing: escaping per RFC 8259 (", \, control characters as \n \t ... or
 * \u00XX; everything else, including UTF-8, verbatim; "/" is not escaped), so
 * output is byte-for-byte stable. A streaming writer for documents built in
 * code, and json_write() for whole value trees.
 *
 * Who may call: everyone. Ownership: json_parse() gives the caller a tree to
 * value_free(); writers append to a caller-owned struct buf.
 */
#ifndef CCAPPLY_JSON_H
#define CCAPPLY_JSON_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/buf.h"
#include "lib/err.h"
#include "lib/value.h"

#define JSON_MAX_DEPTH 512

/* Length of the well-formed UTF-8 sequence at s[0..n) whose lead byte is
 * >= 0x80: no overlong forms, no surrogates, nothing above U+10FFFF; 0 when
 * it is not one. The rule json_parse() reads strings with. */
size_t json_utf8_sequence(const unsigned char *s, size_t n);

/* Parse exactly one JSON text from data[0..len). On error returns -1 and sets
 * err to "line L, column C: what was wrong" (callers prefix the endpoint).
 * Node positions (line/col) are filled in. */
int json_parse(const char *data, size_t len, struct value **out, struct err *err);
/* The same for the contents of the file `name`: errors read "NAME:L:C: what
 * was wrong", the form every input file's errors take (as lib/yaml.h's). */
int json_parse_named(const char *name, const char *data, size_t len, struct value **out,
		     struct err *err);

enum json_flags {
	JSON_COMPACT = 0,
	JSON_PRETTY = 1,    /* two-space indent, newline after each element */
	JSON_SORT_KEYS = 2, /* object keys in bytewise order (canonical form) */
};

/* Append the JSON text of v. JSON_COMPACT|JSON_SORT_KEYS is the canonical form
 * used for digests. */
void json_write(struct buf *out, const struct value *v, int flags);
/* Append s[0..len) as a quoted, escaped JSON string. */
void json_write_string(struct buf *out, const char *s, size_t len);

/* Streaming writer. Usage:
 *   struct json_writer w; jw_init(&w, &buf, JSON_PRETTY);
 *   jw_object_begin(&w); jw_key(&w, "a"); jw_int(&w, 1); jw_object_end(&w);
 * Commas, colons and indentation are handled by the writer. No newline is
 * written after the last closing bracket; several top-level values in a row
 * are separated by a newline (JSON Lines). */
struct json_writer {
	struct buf *out;
	int flags;
	size_t depth;
	bool need_comma;  /* a value was written at the current level */
	bool after_key;   /* the next value completes a member */
};

void jw_init(struct json_writer *w, struct buf *out, int flags);
void jw_object_begin(struct json_writer *w);
void jw_object_end(struct json_writer *w);
void jw_array_begin(struct json_writer *w);
void jw_array_end(struct json_writer *w);
void jw_key(struct json_writer *w, const char *key);
void jw_key_len(struct json_writer *w, const char *key, size_t len); /* key may hold NUL */
void jw_string(struct json_writer *w, const char *s); /* NULL writes null */
void jw_string_len(struct json_writer *w, const char *s, size_t len);
void jw_int(struct json_writer *w, long long n);
void jw_number(struct json_writer *w, const char *text); /* text in JSON number grammar */
void jw_bool(struct json_writer *w, bool b);
void jw_null(struct json_writer *w);
void jw_value(struct json_writer *w, const struct value *v); /* a whole tree */

#endif
