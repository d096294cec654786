/*
 * known.c — filters for problems already found (see known.h). Each is as
 * narrow as the problem it sets aside.
 */
#include <stdlib.h>

#include "fuzz/known.h"
#include "lib/json.h"

static bool skipping_enabled(void)
{
	const char *e = getenv("FUZZ_NO_SKIP");

	return !e || !*e || *e == '0';
}

/* True when v nests more than `room` collections (v itself included). */
static bool deeper_than(const struct value *v, size_t room)
{
	size_t i;

	if (v->type != VALUE_ARRAY && v->type != VALUE_OBJECT)
		return false;
	if (room == 0)
		return true;
	if (v->type == VALUE_ARRAY) {
		for (i = 0; i < v->u.arr.n; i++)
			if (deeper_than(v->u.arr.items[i], room - 1))
				return true;
	} else {
		for (i = 0; i < v->u.obj.n; i++)
			if (deeper_than(v->u.obj.items[i].val, room - 1))
				return true;
	}
	return false;
}

bool known_deeper_than_json(const struct value *v)
{
	return skipping_enabled() && deeper_than(v, JSON_MAX_DEPTH);
}
