/*
 * validate.c — `ccapply validate [--json]`: the input gates of SPEC §1 and
 * nothing else. Offline and without credentials, so a pull request from a
 * fork (which has no secrets) can still check its inputs, and `ccapply mcp`
 * can offer it as a tool.
 *
 * The same planner_load() and the same messages as plan and apply: what
 * validate accepts, they accept up to the network. On success the text is a
 * one-line summary and the report's warnings as plan shows them; --json
 * prints {"format_version","valid","preflight","plan"}
 * (docs/schemas/validate.schema.json); a refusal is the JSON error object.
 */
#include <stdio.h>
#include <string.h>

#include "cmd/common.h"
#include "cmd/options.h"
#include "cmd/plandoc.h"
#include "lib/json.h"

static struct value *count(size_t n)
{
	char text[32];

	snprintf(text, sizeof text, "%zu", n);
	return value_new_number(text);
}

static struct value *build_result(const struct planner_inputs *in)
{
	struct value *doc = value_new_object(), *plan = value_new_object();

	value_object_put_c(plan, "connections", count(in->plan->n_connections));
	value_object_put_c(plan, "transformations", count(in->plan->n_packages));
	value_object_put_c(doc, "format_version", count(1));
	value_object_put_c(doc, "valid", value_new_bool(true));
	value_object_put_c(doc, "preflight", plandoc_build_preflight(in));
	value_object_put_c(doc, "plan", plan);
	return doc;
}

static void render_text(const struct value *doc, const struct global_options *g)
{
	const struct value *preflight = value_get(doc, "preflight");
	const struct value *plan = value_get(doc, "plan");

	printf("The inputs pass the gates: copy_plan.yaml matches %s, the validation report "
	       "says %s.\nTo copy: connections %s, Quickstart packages %s.\n",
	       value_get_string(preflight, "plan_checksum"),
	       value_get_string(preflight, "validation_status"),
	       value_get(plan, "connections")->u.number,
	       value_get(plan, "transformations")->u.number);
	if (value_get(preflight, "warnings")->u.arr.n)
		fputc('\n', stdout);
	plandoc_render_warnings(stdout, preflight, g);
}

static int run_validate(const struct cmd_args *a, const struct global_options *g)
{
	struct planner_inputs in;
	struct value *doc;
	struct err err;
	int rc;

	if ((rc = cmd_load_inputs(g, &in, &err))) {
		planner_inputs_free(&in);
		return rc;
	}
	doc = build_result(&in);
	if (args_flag(a, "--json"))
		cmd_print_json(doc);
	else
		render_text(doc, g);
	value_free(doc);
	planner_inputs_free(&in);
	return EXIT_OK;
}

static const struct opt_spec validate_options[] = {
	{ .name = "--json",
	  .help = "print the result as one JSON object\n(docs/schemas/validate.schema.json)" },
	{ 0 },
};

const struct command_spec cmd_validate_spec = {
	.name = "validate",
	.summary = "run the input gates only: offline, no credentials needed",
	.description =
		"Run the pre-flight gates only: both input files present and well formed,\n"
		"the plan checksum, the report's status, the plan's soundness. No network,\n"
		"no credentials needed, nothing written.",
	.after = "Exit status: 0 the inputs pass the gates, 1 refused.",
	.options = validate_options,
	.run = run_validate,
};
