/*
 * read.h — typed reading of a loaded YAML value tree, with errors that name
 * the file, the node's line:col and the path of the field
 * ("copy_plan.yaml:12:7: connections[1].target_name: expected a string,
 * found a number"). Internal to planner/.
 */
#ifndef CCAPPLY_PLANNER_READ_H
#define CCAPPLY_PLANNER_READ_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/buf.h"
#include "lib/err.h"
#include "lib/value.h"

struct reader {
	const char *file;
	struct err *err;
};

/* Report a problem at node `at` (its line:col; 1:1 when unknown). Returns -1. */
int rd_fail(const struct reader *r, const struct value *at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* What v is, for "found ..." in messages: null, a mapping, a sequence, the
 * boolean true, the number 12, or a string's text quoted (cut after 40
 * bytes with "...", control characters, C0, DEL and C1, shown as '?', so an
 * input cannot drive the terminal). Written into out, which it returns. The
 * plan and the report share it, so their messages read alike. */
#define RD_DESCRIBE_MAX 80
const char *rd_describe(const struct value *v, char *out, size_t cap);
/* Append the NULL-terminated values to b as "a, b or c", for "expected ..."
 * in messages. */
void rd_list_values(struct buf *b, const char *const *values);
/* v must be of type t; path names it in the message. */
int rd_expect(const struct reader *r, const struct value *v, enum value_type t, const char *path);
/* obj[key] as a newly allocated string. Absent or null: *out = NULL, and an
 * error when required. Empty strings are errors when required. */
int rd_string(const struct reader *r, const struct value *obj, const char *key, const char *path,
	      bool required, char **out);
/* obj[key] as a sequence of strings (absent or null: empty). */
int rd_string_list(const struct reader *r, const struct value *obj, const char *key,
		   const char *path, char ***out, size_t *n);
/* obj[key] when present and not null, checked to be of type t; NULL when
 * absent. *failed is set on a type error. */
const struct value *rd_optional(const struct reader *r, const struct value *obj, const char *key,
				enum value_type t, const char *path, int *failed);

void rd_free_string_list(char **list, size_t n);

#endif
