/*
 * plan.c — `ccapply plan` and `ccapply show`.
 *
 * plan: gates, then the live state through a read-only client (no POST,
 * PATCH or DELETE can leave it), then the pure diff, then the document of
 * plandoc.h rendered as text or printed as JSON, and optionally saved with
 * --out for `apply PLANFILE`. show renders a saved plan without network.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/live.h"
#include "cmd/common.h"
#include "cmd/plandoc.h"
#include "lib/buf.h"
#include "lib/fileio.h"
#include "lib/json.h"
#include "state/state.h"

struct plan_args {
	bool json;
	bool detailed_exitcode;
	const char *out;
};

static int parse_plan_args(int argc, char **argv, struct plan_args *a)
{
	int i;

	memset(a, 0, sizeof *a);
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			a->json = true;
		else if (!strcmp(argv[i], "--detailed-exitcode"))
			a->detailed_exitcode = true;
		else if (!strcmp(argv[i], "--out") && i + 1 < argc)
			a->out = argv[++i];
		else if (!strncmp(argv[i], "--out=", 6))
			a->out = argv[i] + 6;
		else {
			cmd_error("plan: unknown option '%s'\nusage: ccapply plan [--json] "
				  "[--out FILE] [--detailed-exitcode]", argv[i]);
			return -1;
		}
	}
	return 0;
}

/* The connections state records as created, for the differ (which does not
 * read state/): borrowed strings; the caller frees the array. */
static struct created_connection *created_connections(const struct state *state, size_t *n)
{
	size_t i, cap = state ? state->n_resources : 0;
	struct created_connection *list = xcalloc(cap + 1, sizeof *list);

	*n = 0;
	for (i = 0; i < cap; i++) {
		const struct state_resource *r = &state->resources[i];
		if (r->outcome == OUTCOME_CREATED && r->kind && !strcmp(r->kind, "connection"))
			list[(*n)++] = (struct created_connection){ r->name, r->id };
	}
	return list;
}

/* Read the live state and diff it; on error prints and returns EXIT_ERROR. */
int compute_plan(const struct global_options *g, struct client *c, const struct planner_inputs *in,
		 const struct state *state, struct live_state *live, struct action_list *actions)
{
	struct created_list created;
	struct created_connection *items;
	struct err err;
	int rc;

	err_clear(&err);
	if (live_read(c, in->plan, live, &err)) {
		cmd_error("%s", err.msg);
		return EXIT_ERROR;
	}
	items = created_connections(state, &created.n);
	created.items = items;
	rc = differ_diff(in->plan, live, &created, actions, &err);
	free(items);
	if (rc) {
		cmd_error("%s", err.msg);
		live_state_free(live);
		return EXIT_ERROR;
	}
	(void)g;
	return 0;
}

static int save_plan(const char *path, const struct value *doc, const struct live_state *live)
{
	struct value *saved = value_clone(doc);
	char fingerprint[65];
	struct buf b = BUF_INIT;
	struct err err;
	int rc;

	plandoc_live_fingerprint(live, fingerprint);
	value_object_put_c(saved, "live_fingerprint", value_new_cstring(fingerprint));
	json_write(&b, saved, JSON_PRETTY);
	buf_putc(&b, '\n');
	rc = write_file_atomic(path, b.data, b.len, &err);
	if (rc)
		cmd_error("%s", err.msg);
	buf_free(&b);
	value_free(saved);
	return rc ? EXIT_ERROR : 0;
}

/* What ccapply.lock records, for the diff: read-only here (plan writes
 * nothing). A file apply would refuse to trust is refused here too, so plan
 * never shows what apply will not do. */
static int read_state(const struct global_options *g, struct state **out)
{
	struct buf path = BUF_INIT;
	struct err err;
	int rc;

	buf_printf(&path, "%s/.copy-connections/" STATE_FILE, g->dir);
	rc = state_load(path.data, out, &err);
	if (rc)
		cmd_error("%s\n  plan reads it to know what ccapply created; restore it from version "
			  "control or move it aside.", err.msg);
	buf_free(&path);
	return rc ? EXIT_ERROR : 0;
}

int cmd_plan(int argc, char **argv, const struct global_options *g)
{
	struct planner_inputs in;
	struct plan_args args;
	struct live_state live;
	struct action_list actions;
	struct client_tuning read_only = { true, 0, 0, NULL, NULL };
	struct client *c = NULL;
	struct state *state = NULL;
	struct value *doc;
	struct err err;
	int rc;

	if (parse_plan_args(argc, argv, &args))
		return EXIT_USAGE;
	if ((rc = load_inputs(g, &in, &err)) || (rc = read_state(g, &state)))
		goto out_inputs;
	read_only.plan = in.plan;
	if ((rc = open_client(g, &read_only, &c)))
		goto out_inputs;
	if ((rc = compute_plan(g, c, &in, state, &live, &actions)))
		goto out_client;
	doc = plandoc_build(&in, &live, &actions);
	if (args.json)
		print_json(doc);
	else
		plandoc_render_text(stdout, doc, g);
	rc = args.out ? save_plan(args.out, doc, &live) : 0;
	if (!rc && args.detailed_exitcode && actions.n_create)
		rc = EXIT_CHANGES;
	value_free(doc);
	action_list_free(&actions);
	live_state_free(&live);
out_client:
	client_free(c);
out_inputs:
	state_free(state);
	planner_inputs_free(&in);
	return rc;
}

/* Load and check a saved plan file. */
int load_saved_plan(const char *path, struct value **doc)
{
	struct buf b = BUF_INIT;
	struct err err;

	*doc = NULL;
	if (buf_read_file(&b, path)) {
		cmd_error("cannot read plan file %s: %s", path, strerror(errno));
		return EXIT_ERROR;
	}
	if (json_parse_named(path, b.data, b.len, doc, &err)) {
		cmd_error("%s (not a ccapply plan file)", err.msg);
		buf_free(&b);
		return EXIT_ERROR;
	}
	buf_free(&b);
	if (plandoc_check(*doc, path, &err)) {
		cmd_error("%s", err.msg);
		value_free(*doc);
		*doc = NULL;
		return EXIT_ERROR;
	}
	return 0;
}

int cmd_show(int argc, char **argv, const struct global_options *g)
{
	const char *file = NULL;
	bool json = false;
	struct value *doc;
	int i, rc;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			json = true;
		else if (argv[i][0] == '-' || file) {
			cmd_error("show: unexpected '%s'\nusage: ccapply show PLANFILE [--json]",
				  argv[i]);
			return EXIT_USAGE;
		} else
			file = argv[i];
	}
	if (!file) {
		cmd_error("usage: ccapply show PLANFILE [--json]");
		return EXIT_USAGE;
	}
	if ((rc = load_saved_plan(file, &doc)))
		return rc;
	if (json)
		print_json(doc);
	else
		plandoc_render_text(stdout, doc, g);
	value_free(doc);
	return EXIT_OK;
}
