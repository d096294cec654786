/*
 * differ-internal.h — what differ.c (the diff) shares with drift.c (status's
 * drift), so both decide by the same rules: a list of differences, and "the
 * live connection_ids are exactly these ids". For differ/ only; everyone
 * else reads differ.h.
 */
#ifndef CCAPPLY_DIFFER_INTERNAL_H
#define CCAPPLY_DIFFER_INTERNAL_H

#include "differ/differ.h"

/* Append {path, a copy of plan, a copy of live (NULL stays NULL)}. */
void differ_add_difference(struct difference **list, size_t *n, const char *path,
			   const struct value *plan, const struct value *live);
void differ_free_differences(struct difference *list, size_t n);
/* Is ids an array holding exactly the n strings of want, in any order? */
bool differ_same_ids(const struct value *ids, char *const *want, size_t n);

#endif
