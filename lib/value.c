/*
 * value.c — construction, lookup, cloning and comparison of value trees
 * (see value.h). Deliberately simple: objects are searched linearly, which is
 * right for the small mappings ccapply reads (configs, API items).
 */
#include "lib/value.h"

#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"

static struct value *value_alloc(enum value_type t)
{
	struct value *v = xcalloc(1, sizeof *v);
	v->type = t;
	return v;
}

struct value *value_new_null(void)
{
	return value_alloc(VALUE_NULL);
}

struct value *value_new_bool(bool b)
{
	struct value *v = value_alloc(VALUE_BOOL);
	v->u.boolean = b;
	return v;
}

struct value *value_new_number(const char *text)
{
	struct value *v = value_alloc(VALUE_NUMBER);
	v->u.number = xstrdup(text);
	return v;
}

struct value *value_new_string(const char *s, size_t len)
{
	struct value *v = value_alloc(VALUE_STRING);
	v->u.str.ptr = xstrndup(s, len);
	v->u.str.len = len;
	return v;
}

struct value *value_new_cstring(const char *s)
{
	return value_new_string(s, strlen(s));
}

struct value *value_new_array(void)
{
	return value_alloc(VALUE_ARRAY);
}

struct value *value_new_object(void)
{
	return value_alloc(VALUE_OBJECT);
}

void value_free(struct value *v)
{
	size_t i;

	if (!v)
		return;
	switch (v->type) {
	case VALUE_NUMBER:
		free(v->u.number);
		break;
	case VALUE_STRING:
		free(v->u.str.ptr);
		break;
	case VALUE_ARRAY:
		for (i = 0; i < v->u.arr.n; i++)
			value_free(v->u.arr.items[i]);
		free(v->u.arr.items);
		break;
	case VALUE_OBJECT:
		for (i = 0; i < v->u.obj.n; i++) {
			free(v->u.obj.items[i].key);
			value_free(v->u.obj.items[i].val);
		}
		free(v->u.obj.items);
		break;
	default:
		break;
	}
	free(v);
}

struct value *value_clone(const struct value *v)
{
	struct value *c;
	size_t i;

	if (!v)
		return NULL;
	switch (v->type) {
	case VALUE_NULL:
		c = value_new_null();
		break;
	case VALUE_BOOL:
		c = value_new_bool(v->u.boolean);
		break;
	case VALUE_NUMBER:
		c = value_new_number(v->u.number);
		break;
	case VALUE_STRING:
		c = value_new_string(v->u.str.ptr, v->u.str.len);
		break;
	case VALUE_ARRAY:
		c = value_new_array();
		for (i = 0; i < v->u.arr.n; i++)
			value_array_push(c, value_clone(v->u.arr.items[i]));
		break;
	default:
		c = value_new_object();
		for (i = 0; i < v->u.obj.n; i++)
			value_object_put(c, v->u.obj.items[i].key, v->u.obj.items[i].keylen,
					 value_clone(v->u.obj.items[i].val));
		break;
	}
	c->line = v->line;
	c->col = v->col;
	return c;
}

void value_array_push(struct value *arr, struct value *item)
{
	arr->u.arr.items = xgrow(arr->u.arr.items, &arr->u.arr.cap, arr->u.arr.n + 1,
				 sizeof *arr->u.arr.items);
	arr->u.arr.items[arr->u.arr.n++] = item;
}

void value_object_put(struct value *obj, const char *key, size_t keylen, struct value *val)
{
	struct member *m;

	obj->u.obj.items = xgrow(obj->u.obj.items, &obj->u.obj.cap, obj->u.obj.n + 1,
				 sizeof *obj->u.obj.items);
	m = &obj->u.obj.items[obj->u.obj.n++];
	m->key = xstrndup(key, keylen);
	m->keylen = keylen;
	m->val = val;
}

void value_object_put_c(struct value *obj, const char *key, struct value *val)
{
	value_object_put(obj, key, strlen(key), val);
}

struct value *value_get_mut(struct value *obj, const char *key)
{
	size_t i, len;

	if (!obj || obj->type != VALUE_OBJECT)
		return NULL;
	len = strlen(key);
	for (i = 0; i < obj->u.obj.n; i++)
		if (obj->u.obj.items[i].keylen == len && !memcmp(obj->u.obj.items[i].key, key, len))
			return obj->u.obj.items[i].val;
	return NULL;
}

const struct value *value_get(const struct value *obj, const char *key)
{
	return value_get_mut((struct value *)obj, key);
}

const struct value *value_at(const struct value *arr, size_t i)
{
	if (!arr || arr->type != VALUE_ARRAY || i >= arr->u.arr.n)
		return NULL;
	return arr->u.arr.items[i];
}

const char *value_get_string(const struct value *obj, const char *key)
{
	const struct value *v = value_get(obj, key);
	return v && v->type == VALUE_STRING ? v->u.str.ptr : NULL;
}

static bool numbers_equal(const char *a, const char *b)
{
	return !strcmp(a, b) || strtod(a, NULL) == strtod(b, NULL);
}

static const struct value *object_find(const struct value *obj, const char *key, size_t len)
{
	size_t i;

	for (i = 0; i < obj->u.obj.n; i++)
		if (obj->u.obj.items[i].keylen == len && !memcmp(obj->u.obj.items[i].key, key, len))
			return obj->u.obj.items[i].val;
	return NULL;
}

bool value_equal(const struct value *a, const struct value *b)
{
	size_t i;

	if (!a || !b)
		return a == b;
	if (a->type != b->type)
		return false;
	switch (a->type) {
	case VALUE_NULL:
		return true;
	case VALUE_BOOL:
		return a->u.boolean == b->u.boolean;
	case VALUE_NUMBER:
		return numbers_equal(a->u.number, b->u.number);
	case VALUE_STRING:
		return a->u.str.len == b->u.str.len && !memcmp(a->u.str.ptr, b->u.str.ptr, a->u.str.len);
	case VALUE_ARRAY:
		if (a->u.arr.n != b->u.arr.n)
			return false;
		for (i = 0; i < a->u.arr.n; i++)
			if (!value_equal(a->u.arr.items[i], b->u.arr.items[i]))
				return false;
		return true;
	case VALUE_OBJECT:
		if (a->u.obj.n != b->u.obj.n)
			return false;
		for (i = 0; i < a->u.obj.n; i++) {
			const struct member *m = &a->u.obj.items[i];
			if (!value_equal(m->val, object_find(b, m->key, m->keylen)))
				return false;
		}
		return true;
	}
	return false;
}

const char *value_found_phrase(enum value_type t, bool json_words)
{
	switch (t) {
	case VALUE_NULL:
		return "null";
	case VALUE_BOOL:
		return "a boolean";
	case VALUE_NUMBER:
		return "a number";
	case VALUE_STRING:
		return "a string";
	case VALUE_ARRAY:
		return json_words ? "an array" : "a sequence";
	case VALUE_OBJECT:
		return json_words ? "an object" : "a mapping";
	}
	return "an unknown value";
}

const char *value_type_name(enum value_type t)
{
	switch (t) {
	case VALUE_NULL:
		return "null";
	case VALUE_BOOL:
		return "boolean";
	case VALUE_NUMBER:
		return "number";
	case VALUE_STRING:
		return "string";
	case VALUE_ARRAY:
		return "sequence";
	case VALUE_OBJECT:
		return "mapping";
	}
	return "?";
}
