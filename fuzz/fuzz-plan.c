/*
 * fuzz-plan.c — libFuzzer target for the copy_plan.yaml loader.
 *
 * Each input is a candidate copy_plan.yaml, loaded with plan_load() exactly as
 * ccapply loads it (YAML parser, schema_config discarded, type checks). When
 * it loads, the rest of what plan and apply do with a model without the
 * network runs too: gate 4 (plan_check_sound) and the request body of every
 * connection and package (plan_connection_request, json_write), so the model's
 * invariants are exercised, not just the parser. Findings are crashes, ASan/
 * UBSan reports and leaks; an input the loader rejects is the normal case.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "fuzz/memfile.h"
#include "lib/buf.h"
#include "lib/json.h"
#include "planner/planner.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Build and serialise every request body the plan implies. */
static void render_requests(const struct plan *p)
{
	struct buf out = BUF_INIT;
	size_t i;

	for (i = 0; i < p->n_connections; i++) {
		struct value *body = plan_connection_request(&p->connections[i], "group_fuzz");

		json_write(&out, body, JSON_COMPACT | JSON_SORT_KEYS);
		value_free(body);
	}
	for (i = 0; i < p->n_packages; i++) {
		struct value *body = plan_transformation_request(p->packages[i].package_name,
								 p->packages[i].depends_on,
								 p->packages[i].n_depends_on);

		json_write(&out, body, JSON_COMPACT);
		value_free(body);
	}
	buf_free(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct plan *p;
	struct err err;

	if (plan_load(memfile_put(data, size), &p, &err))
		return 0;
	if (!p)
		abort(); /* plan_load said success without a plan */
	(void)plan_check_sound(p, NULL, &err);
	render_requests(p);
	plan_free(p);
	return 0;
}
