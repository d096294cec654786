/*
 * read.c — typed access to loaded YAML trees for the plan and report loaders
 * (see read.h). All wording of type errors lives here so both files read the
 * same way.
 */
#include "planner/read.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"

int rd_fail(const struct reader *r, const struct value *at, const char *fmt, ...)
{
	char what[ERR_MSG_MAX];
	va_list ap;
	int line = at && at->line ? at->line : 1;
	int col = at && at->col ? at->col : 1;

	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	return err_set(r->err, "%s:%d:%d: %s", r->file, line, col, what);
}

const char *rd_describe(const struct value *v, char *out, size_t cap)
{
	const size_t cut = 40;
	size_t i, n, o = 0;

	switch (v->type) {
	case VALUE_BOOL:
		snprintf(out, cap, "the boolean %s", v->u.boolean ? "true" : "false");
		return out;
	case VALUE_NUMBER:
		snprintf(out, cap, "the number %.*s%s", (int)cut, v->u.number,
			 strlen(v->u.number) > cut ? "..." : "");
		return out;
	case VALUE_STRING:
		break;
	default:
		snprintf(out, cap, "%s", value_found_phrase(v->type, false));
		return out;
	}
	n = v->u.str.len > cut ? cut : v->u.str.len;
	while (n < v->u.str.len && n && ((unsigned char)v->u.str.ptr[n] & 0xC0) == 0x80)
		n--; /* cut between UTF-8 characters */
	if (cap < n + 8)
		n = cap > 8 ? cap - 8 : 0;
	out[o++] = '"';
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)v->u.str.ptr[i];
		if (c == 0xC2 && i + 1 < n && (unsigned char)v->u.str.ptr[i + 1] < 0xA0) {
			out[o++] = '?'; /* a C1 control (U+0080..U+009F), two bytes */
			i++;
		} else {
			out[o++] = c < 0x20 || c == 0x7F ? '?' : (char)c;
		}
	}
	snprintf(out + o, cap - o, "%s", n < v->u.str.len ? "...\"" : "\"");
	return out;
}

void rd_list_values(struct buf *b, const char *const *values)
{
	const char *const *w;

	for (w = values; *w; w++)
		buf_printf(b, "%s%s", w == values ? "" : w[1] ? ", " : " or ", *w);
}

int rd_expect(const struct reader *r, const struct value *v, enum value_type t, const char *path)
{
	if (v->type == t)
		return 0;
	if (t == VALUE_STRING && (v->type == VALUE_NUMBER || v->type == VALUE_BOOL))
		return rd_fail(r, v, "%s: expected a string, found %s (quote it to make it a string)",
			       path, value_found_phrase(v->type, false));
	return rd_fail(r, v, "%s: expected %s, found %s", path,
		       t == VALUE_OBJECT ? "a mapping" : t == VALUE_ARRAY ? "a sequence" :
		       t == VALUE_STRING ? "a string" : t == VALUE_NUMBER ? "a number" :
		       t == VALUE_BOOL ? "a boolean" : "null", value_found_phrase(v->type, false));
}

const struct value *rd_optional(const struct reader *r, const struct value *obj, const char *key,
				enum value_type t, const char *path, int *failed)
{
	const struct value *v = value_get(obj, key);

	if (!v || v->type == VALUE_NULL)
		return NULL;
	if (rd_expect(r, v, t, path)) {
		*failed = 1;
		return NULL;
	}
	return v;
}

int rd_string(const struct reader *r, const struct value *obj, const char *key, const char *path,
	      bool required, char **out)
{
	const struct value *v = value_get(obj, key);

	*out = NULL;
	if (!v || v->type == VALUE_NULL) {
		if (required)
			return rd_fail(r, v ? v : obj, "%s: required field is missing", path);
		return 0;
	}
	if (rd_expect(r, v, VALUE_STRING, path))
		return -1;
	if (required && v->u.str.len == 0)
		return rd_fail(r, v, "%s: must not be empty", path);
	if (memchr(v->u.str.ptr, '\0', v->u.str.len))
		return rd_fail(r, v, "%s: must not contain a NUL character", path);
	*out = xstrdup(v->u.str.ptr);
	return 0;
}

int rd_string_list(const struct reader *r, const struct value *obj, const char *key,
		   const char *path, char ***out, size_t *n)
{
	char item_path[512];
	const struct value *list;
	int failed = 0;
	size_t i;

	*out = NULL;
	*n = 0;
	list = rd_optional(r, obj, key, VALUE_ARRAY, path, &failed);
	if (failed)
		return -1;
	if (!list)
		return 0;
	*out = xcalloc(list->u.arr.n, sizeof **out);
	for (i = 0; i < list->u.arr.n; i++) {
		const struct value *item = list->u.arr.items[i];
		snprintf(item_path, sizeof item_path, "%s[%zu]", path, i);
		if (rd_expect(r, item, VALUE_STRING, item_path)) {
			rd_free_string_list(*out, *n);
			*out = NULL;
			*n = 0;
			return -1;
		}
		(*out)[(*n)++] = xstrdup(item->u.str.ptr);
	}
	return 0;
}

void rd_free_string_list(char **list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(list[i]);
	free(list);
}
