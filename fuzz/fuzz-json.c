/*
 * fuzz-json.c — libFuzzer target for the JSON parser that reads every API
 * response body (and the state file).
 *
 * Each input is parsed with json_parse(). When it parses, the tree is written
 * back (compact and pretty) and parsed again, and the two trees must be equal:
 * the writer must never produce text the parser rejects or reads differently.
 * A violation aborts, so libFuzzer records it. Findings are crashes, ASan/UBSan
 * reports, leaks and round-trip differences.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "lib/buf.h"
#include "lib/json.h"
#include "lib/value.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void round_trip(const struct value *v, int flags)
{
	struct buf text = BUF_INIT;
	struct value *again = NULL;
	struct err err;

	json_write(&text, v, flags);
	if (json_parse(text.data, text.len, &again, &err))
		abort(); /* the writer produced JSON the parser rejects */
	if (!value_equal(v, again))
		abort(); /* the round trip changed the value */
	value_free(again);
	buf_free(&text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct value *v = NULL;
	struct err err;

	if (json_parse((const char *)data, size, &v, &err))
		return 0;
	round_trip(v, JSON_COMPACT);
	round_trip(v, JSON_PRETTY | JSON_SORT_KEYS);
	value_free(v);
	return 0;
}
