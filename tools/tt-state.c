/*
 * tt-state.c — test-tool state-load and state-example: the state file
 * (state/state.h) exposed to shell tests, so they can check the file with
 * outside tools (b2sum, sed) and feed hostile files to the real loader.
 *
 *   state-load FILE      load FILE as apply would; print its rendering.
 *                        Exit 0 loaded, 1 invalid (message on stderr),
 *                        3 no such file, 2 usage.
 *   state-example FILE [NAME=OUTCOME...]
 *                        state_save() a fixed three-resource example (with
 *                        the outcomes given) to FILE; print "written" or
 *                        "unchanged", then the serial and the lineage.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "state/state.h"
#include "tools/test-tool.h"

int tt_state_load(int argc, char **argv)
{
	struct state *st;
	struct err err;
	char *text;

	if (argc != 2) {
		fputs("usage: test-tool state-load FILE\n", stderr);
		return 2;
	}
	if (state_load(argv[1], &st, &err)) {
		fprintf(stderr, "%s\n", err.msg);
		return 1;
	}
	if (!st) {
		fprintf(stderr, "%s: no such file\n", argv[1]);
		return 3;
	}
	text = state_render(st);
	fputs(text, stdout);
	free(text);
	state_free(st);
	return 0;
}

static struct state *example_state(void)
{
	static const char *const acks[] = { "SCHEDULE_DIFFERS",
					    "CUSTOM_TRANSFORMATION_NOT_COPYABLE" };
	struct state *st = xcalloc(1, sizeof *st);
	struct state_resource r;
	size_t i;

	st->plan_checksum = xstrdup("blake2b-256:"
		"3f0c1d2e3f405162738495a6b7c8d9eaf0b1c2d3e4f5061728394a5b6c7d8e9f");
	st->validation_status = xstrdup("pass-with-warnings");
	st->acknowledged = xcalloc(2, sizeof *st->acknowledged);
	for (i = 0; i < 2; i++)
		st->acknowledged[st->n_acknowledged++] = xstrdup(acks[i]);
	st->target_group_id = xstrdup("decent_dropsy");
	st->target_group_name = xstrdup("Warehouse \"prod\"");

	memset(&r, 0, sizeof r);
	r.kind = RESOURCE_CONNECTION;
	r.name = "postgres_app";
	r.source_id = "src_pg_1";
	r.service = "postgres";
	r.outcome = OUTCOME_CREATED;
	r.id = "conn_new_1";
	r.sent_digest = "blake2b-256:"
		"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
	state_add(st, &r);

	r.name = "stripe_raw";
	r.source_id = "src_stripe";
	r.service = "stripe";
	r.outcome = OUTCOME_FAILED;
	r.id = NULL;
	r.error.http_status = 400;
	r.error.code = "InvalidInput";
	r.error.message = "Field 'schema' is invalid";
	state_add(st, &r);

	memset(&r, 0, sizeof r);
	r.kind = RESOURCE_TRANSFORMATION;
	r.name = "stripe";
	r.source_id = "tr_1";
	r.outcome = OUTCOME_SKIPPED;
	r.reason = "DEPENDENCY_FAILED";
	state_add(st, &r);
	return st;
}

/* Apply "NAME=OUTCOME" to the example; 0 or -1 (reported). */
static int set_outcome(struct state *st, const char *arg)
{
	const char *eq = strchr(arg, '=');
	char *name;
	struct state_resource *r = NULL;
	size_t i;
	enum resource_outcome o;

	if (!eq || !resource_outcome_parse(eq + 1, &o)) {
		fprintf(stderr, "test-tool: expected NAME=OUTCOME, got '%s'\n", arg);
		return -1;
	}
	name = xstrndup(arg, (size_t)(eq - arg));
	for (i = 0; i < st->n_resources && !r; i++)
		if (!strcmp(st->resources[i].name, name))
			r = &st->resources[i];
	free(name);
	if (!r) {
		fprintf(stderr, "test-tool: no resource in '%s'\n", arg);
		return -1;
	}
	r->outcome = o;
	return 0;
}

int tt_state_example(int argc, char **argv)
{
	struct state *st;
	struct err err;
	bool written;
	int i;

	if (argc < 2) {
		fputs("usage: test-tool state-example FILE [NAME=OUTCOME...]\n", stderr);
		return 2;
	}
	st = example_state();
	for (i = 2; i < argc; i++)
		if (set_outcome(st, argv[i])) {
			state_free(st);
			return 2;
		}
	if (state_save(argv[1], st, &written, &err)) {
		fprintf(stderr, "%s\n", err.msg);
		state_free(st);
		return 1;
	}
	printf("%s serial %lld lineage %s\n", written ? "written" : "unchanged", st->serial,
	       st->lineage);
	state_free(st);
	return 0;
}
