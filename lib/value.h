/*
 * value.h — the in-memory tree that both parsers (YAML and JSON) produce.
 *
 * A value is null, a boolean, a number, a string, an array or an object. Numbers
 * keep their canonical JSON text (for example "1440", "-0.5", "1e+30") rather
 * than a double, so large ids and exact decimals survive a round trip, and so a
 * plan number can be compared with a live decimal string character for
 * character. Strings carry an explicit length (JSON "\u0000" is legal). Object
 * members keep document order; parsers reject duplicate keys before they get
 * here. Every node remembers where it came from (line and column, 1-based; 0
 * when made in code) so later stages can report file:line:col.
 *
 * Who may call: everyone. Ownership: a parent owns its children; value_free()
 * frees a whole subtree. The *_push / *_put functions take ownership of the
 * child passed in.
 */
#ifndef CCAPPLY_VALUE_H
#define CCAPPLY_VALUE_H

#include <stdbool.h>
#include <stddef.h>

enum value_type {
	VALUE_NULL,
	VALUE_BOOL,
	VALUE_NUMBER,
	VALUE_STRING,
	VALUE_ARRAY,
	VALUE_OBJECT,
};

struct value;

struct member {
	char *key; /* NUL-terminated; may also contain NUL before keylen */
	size_t keylen;
	struct value *val;
};

struct value {
	enum value_type type;
	int line, col;
	union {
		bool boolean;
		char *number; /* canonical JSON number text */
		struct {
			char *ptr; /* NUL-terminated */
			size_t len;
		} str;
		struct {
			struct value **items;
			size_t n, cap;
		} arr;
		struct {
			struct member *items;
			size_t n, cap;
		} obj;
	} u;
};

struct value *value_new_null(void);
struct value *value_new_bool(bool b);
struct value *value_new_number(const char *text); /* text must be JSON number grammar */
struct value *value_new_string(const char *s, size_t len);
struct value *value_new_cstring(const char *s);
struct value *value_new_array(void);
struct value *value_new_object(void);
void value_free(struct value *v);
struct value *value_clone(const struct value *v);

void value_array_push(struct value *arr, struct value *item);
/* Append a member (no duplicate check). */
void value_object_put(struct value *obj, const char *key, size_t keylen, struct value *val);
void value_object_put_c(struct value *obj, const char *key, struct value *val);

/* Lookups return NULL when v is not an object/array or the key/index is absent. */
const struct value *value_get(const struct value *obj, const char *key);
struct value *value_get_mut(struct value *obj, const char *key);
const struct value *value_at(const struct value *arr, size_t i);
/* Typed getters: NULL / false when absent or of another type. */
const char *value_get_string(const struct value *obj, const char *key);

/* Structural equality; numbers equal when their text is equal or they denote
 * the same double; object member order does not matter. */
bool value_equal(const struct value *a, const struct value *b);

const char *value_type_name(enum value_type t);
/* What a value of type t is, for "found ..." in messages: "null",
 * "a boolean", "a number", "a string", and for collections the words of the
 * input's language: "a sequence"/"a mapping" (YAML), or "an array"/"an
 * object" with json_words (JSON). */
const char *value_found_phrase(enum value_type t, bool json_words);

#endif
