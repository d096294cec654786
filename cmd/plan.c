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

#include "live/live.h"
#include "cmd/common.h"
#include "cmd/options.h"
#include "cmd/plandoc.h"
#include "lib/buf.h"
#include "lib/fileio.h"
#include "lib/json.h"
#include "state/state.h"

/* Read the live state and diff it; on error prints and returns EXIT_ERROR. */
int cmd_compute_plan(const struct global_options *g, struct client *c,
		     const struct planner_inputs *in, const struct state *state,
		     struct live_state *live, struct action_list *actions)
{
	struct err err;
	int rc;

	err_clear(&err);
	if (live_read(c, in->plan, live, &err)) {
		cmd_fail(cmd_client_error_code(&err), "%s", err.msg);
		return EXIT_ERROR;
	}
	rc = differ_diff(in->plan, live, state, actions, &err);
	if (rc) {
		cmd_fail("diff_failed", "%s", err.msg);
		differ_live_state_free(live);
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
	rc = fileio_write_atomic(path, b.data, b.len, &err);
	if (rc)
		cmd_fail("write_failed", "%s", err.msg);
	buf_free(&b);
	value_free(saved);
	return rc ? EXIT_ERROR : 0;
}

/* What ccapply.lock records, for the diff: read-only here (plan writes
 * nothing). A file apply would refuse to trust is refused here too, so plan
 * never shows what apply will not do. */
static int read_state(const struct global_options *g, struct state **out)
{
	struct err err;

	if (!state_load(g->ws.state, out, &err))
		return 0;
	cmd_fail("state_invalid", "%s\n  plan reads it to know what ccapply created; restore "
		 "it from version control or move it aside.", err.msg);
	return EXIT_ERROR;
}

static int run_plan(const struct cmd_args *a, const struct global_options *g)
{
	const char *out = args_value(a, "--out");
	struct planner_inputs in;
	struct live_state live;
	struct action_list actions;
	struct client_tuning read_only = { .read_only = true };
	struct client *c = NULL;
	struct state *state = NULL;
	struct value *doc;
	struct err err;
	int rc;

	if ((rc = cmd_load_inputs(g, &in, &err)) || (rc = read_state(g, &state)))
		goto out_inputs;
	read_only.plan = in.plan;
	if ((rc = cmd_open_client(g, &read_only, &c)))
		goto out_inputs;
	if ((rc = cmd_compute_plan(g, c, &in, state, &live, &actions)))
		goto out_client;
	doc = plandoc_build(&in, &live, &actions);
	if (args_flag(a, "--json"))
		cmd_print_json(doc);
	else
		plandoc_render_text(stdout, doc, g);
	rc = out ? save_plan(out, doc, &live) : 0;
	if (!rc && args_flag(a, "--detailed-exitcode") && actions.n_create)
		rc = EXIT_CHANGES;
	value_free(doc);
	action_list_free(&actions);
	differ_live_state_free(&live);
out_client:
	client_free(c);
out_inputs:
	state_free(state);
	planner_inputs_free(&in);
	return rc;
}

static const struct opt_spec plan_options[] = {
	{ .name = "--json", .help = "print the plan as one JSON object (docs/plan-output.md)" },
	{ .name = "--out", .value = "FILE", .kind = OPT_VALUE, .path = true,
	  .complete = COMPLETE_FILE,
	  .help = "also save the plan, for 'ccapply show' and\n'ccapply apply FILE'" },
	{ .name = "--detailed-exitcode",
	  .help = "exit 2 when something would be created, 0 when not" },
	{ 0 },
};

const struct command_spec cmd_plan_spec = {
	.name = "plan",
	.summary = "show what apply would create, without writing anything",
	.description =
		"Run the pre-flight gates, read the target group (GET requests only) and\n"
		"show what apply would do: + create, = already exists, ! skipped (with the\n"
		"reason and every differing config path). Writes nothing but --out FILE.",
	.after = "Exit status: 0 done (or nothing to create), 1 refused or error, 2 changes\n"
		 "pending (only with --detailed-exitcode).",
	.options = plan_options,
	.run = run_plan,
};

/* Load and check a saved plan file. */
int cmd_load_saved_plan(const char *path, struct value **doc)
{
	struct buf b = BUF_INIT;
	struct err err;

	*doc = NULL;
	if (fileio_read_input(path, 0, &b, &err)) {
		cmd_fail("plan_file_invalid", "cannot read the plan file %s", err.msg);
		buf_free(&b);
		return EXIT_ERROR;
	}
	if (json_parse_named(path, b.data, b.len, doc, &err)) {
		cmd_fail("plan_file_invalid", "%s (not a ccapply plan file)", err.msg);
		buf_free(&b);
		return EXIT_ERROR;
	}
	buf_free(&b);
	if (plandoc_check(*doc, path, &err)) {
		cmd_fail("plan_file_invalid", "%s", err.msg);
		value_free(*doc);
		*doc = NULL;
		return EXIT_ERROR;
	}
	return 0;
}

static int run_show(const struct cmd_args *a, const struct global_options *g)
{
	struct value *doc;
	int rc;

	if ((rc = cmd_load_saved_plan(args_value(a, "PLANFILE"), &doc)))
		return rc;
	if (args_flag(a, "--json"))
		cmd_print_json(doc);
	else
		plandoc_render_text(stdout, doc, g);
	value_free(doc);
	return EXIT_OK;
}

static const struct opt_spec show_options[] = {
	{ .name = "PLANFILE", .kind = OPT_POSITIONAL, .required = true, .path = true,
	  .complete = COMPLETE_FILE },
	{ .name = "--json", .help = "print the saved plan as JSON" },
	{ 0 },
};

const struct command_spec cmd_show_spec = {
	.name = "show",
	.summary = "render a plan saved with plan --out",
	.description = "Render a plan saved with 'ccapply plan --out' as plan did. No network.",
	.options = show_options,
	.run = run_show,
};
