/*
 * fuzz-yaml.c — libFuzzer target for the YAML loader on its own, without the
 * plan's schema (what `test-tool yaml2json` does).
 *
 * Each input is loaded with yaml_load_path() and no options (nothing
 * discarded, default alias bound). When it loads, the tree is written as JSON
 * and parsed back, and the two must be equal: every value the YAML loader
 * makes must be representable in the JSON the rest of ccapply speaks. A
 * difference aborts. Findings are crashes, ASan/UBSan reports, leaks and
 * round-trip differences.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "fuzz/memfile.h"
#include "lib/buf.h"
#include "lib/json.h"
#include "lib/value.h"
#include "lib/yaml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct value *v = NULL, *again = NULL;
	struct buf text = BUF_INIT;
	struct err err;

	if (yaml_load_path(memfile_put(data, size), NULL, &v, &err))
		return 0;
	json_write(&text, v, JSON_COMPACT);
	if (json_parse(text.data, text.len, &again, &err))
		abort(); /* the YAML loader made a value JSON cannot carry */
	if (!value_equal(v, again))
		abort(); /* the value changed on its way through JSON */
	value_free(again);
	value_free(v);
	buf_free(&text);
	return 0;
}
