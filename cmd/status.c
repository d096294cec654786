/*
 * status.c — `ccapply status [--json]`: drift and health of what ccapply.lock
 * records, the answer to "are my copied connections still there, still as
 * sent, and working?". This file loads the inputs and renders; live/ reads
 * (live_read_recorded(): GET requests only, through a read-only client, and
 * none at all when nothing recorded exists) and differ/ decides
 * (differ_drift(): the rules are in differ.h), as git's builtin/commit.c
 * renders what wt-status.c computes.
 *
 * The plan is loaded with plan_load(), not through the gates: status must
 * still work after the validation report changed. Without a loadable plan,
 * status reports existence and health and says that config was not checked.
 *
 * As with plandoc.c, the result is built once as a JSON document (the
 * --json output, docs/status.md) and the text is rendered from it, so the two
 * can never disagree.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/common.h"
#include "cmd/options.h"
#include "differ/differ.h"
#include "lib/buf.h"
#include "live/live.h"
#include "state/state.h"

#define STATUS_FORMAT_VERSION "1"

struct status_run {
	const struct global_options *g;
	struct state *state;
	struct plan *plan;       /* NULL when copy_plan.yaml did not load */
	const char *plan_path;    /* g->ws.plan */
	char *plan_error;        /* why plan is NULL */
	struct client *client;   /* NULL when nothing needs checking */
	struct live_state live;
};

/* ---- small value helpers ------------------------------------------------- */

static struct value *str_or_null(const char *s)
{
	return s ? value_new_cstring(s) : value_new_null();
}

static struct value *count_value(size_t n)
{
	char text[32];

	snprintf(text, sizeof text, "%zu", n);
	return value_new_number(text);
}

static struct value *bool_or_null(const struct value *v)
{
	return v && v->type == VALUE_BOOL ? value_new_bool(v->u.boolean) : value_new_null();
}

/* ---- inputs ---------------------------------------------------------------- */

static int load_state_file(struct status_run *run)
{
	const char *path = run->g->ws.state;
	struct err err;

	err_clear(&err);
	if (state_load(path, &run->state, &err)) {
		cmd_fail("state_invalid", "%s", err.msg);
		return EXIT_ERROR;
	}
	if (!run->state) {
		cmd_fail("no_state", "no state file: %s not found\n  ccapply status checks what "
			  "'ccapply apply' recorded; run apply first.", path);
		return EXIT_ERROR;
	}
	return 0;
}

/* The plan, best effort: status reports existence and health without it. */
static void load_plan_file(struct status_run *run)
{
	struct err err;

	run->plan_path = run->g->ws.plan;
	err_clear(&err);
	if (plan_load(run->plan_path, &run->plan, &err)) {
		run->plan = NULL;
		run->plan_error = xstrdup(err.msg);
	}
}

/* The live side, when the state records anything that exists. */
static int read_live(struct status_run *run)
{
	struct client_tuning read_only = { .read_only = true, .plan = run->plan };
	struct err err;
	int rc;

	if (!state_records_existing(run->state, RESOURCE_CONNECTION) &&
	    !state_records_existing(run->state, RESOURCE_TRANSFORMATION))
		return 0;
	if ((rc = cmd_open_client(run->g, &read_only, &run->client)))
		return rc;
	err_clear(&err);
	if (live_read_recorded(run->client, run->state, &run->live, &err)) {
		cmd_fail(cmd_client_error_code(&err), "%s", err.msg);
		return EXIT_ERROR;
	}
	return 0;
}

/* ---- the document ---------------------------------------------------------- */

static struct value *health_object(const struct drift *d)
{
	struct value *h = value_new_object();

	value_object_put_c(h, "paused", bool_or_null(d->health.paused));
	value_object_put_c(h, "setup_state", str_or_null(d->health.setup_state));
	value_object_put_c(h, "sync_state", str_or_null(d->health.sync_state));
	if (d->kind == RESOURCE_TRANSFORMATION)
		value_object_put_c(h, "status", str_or_null(d->health.status));
	value_object_put_c(h, "broken", value_new_bool(d->broken));
	return h;
}

static struct value *differences_array(const struct drift *d)
{
	struct value *list = value_new_array();
	size_t i;

	for (i = 0; i < d->n_differences; i++) {
		struct value *o = value_new_object();
		const struct difference *diff = &d->differences[i];
		value_object_put_c(o, "path", value_new_cstring(diff->path));
		value_object_put_c(o, "sent", value_clone(diff->plan));
		value_object_put_c(o, "live", diff->live ? value_clone(diff->live) :
					      value_new_null());
		value_array_push(list, o);
	}
	return list;
}

static struct value *resource_object(const struct drift *d)
{
	const struct state_resource *r = d->resource;
	struct value *o = value_new_object(), *notes = value_new_array();
	size_t i;

	value_object_put_c(o, "kind", value_new_cstring(resource_kind_name(r->kind)));
	value_object_put_c(o, "name", value_new_cstring(r->name));
	value_object_put_c(o, "id", str_or_null(r->id));
	if (r->service)
		value_object_put_c(o, "service", value_new_cstring(r->service));
	value_object_put_c(o, "outcome", value_new_cstring(resource_outcome_name(r->outcome)));
	if (r->reason)
		value_object_put_c(o, "reason", value_new_cstring(r->reason));
	value_object_put_c(o, "state", value_new_cstring(drift_state_name(d->state)));
	if (d->live_name)
		value_object_put_c(o, "live_name", value_new_cstring(d->live_name));
	if (d->moved_to) {
		struct value *m = value_new_object();
		value_object_put_c(m, "group_id", value_new_cstring(d->moved_to));
		value_object_put_c(m, "group_name", str_or_null(d->moved_to_name));
		value_object_put_c(o, "moved_to", m);
	}
	value_object_put_c(o, "health", d->has_health ? health_object(d) : value_new_null());
	value_object_put_c(o, "differences", differences_array(d));
	value_object_put_c(o, "compared_with", str_or_null(drift_basis_name(d->compared_with)));
	for (i = 0; i < d->n_notes; i++)
		value_array_push(notes, value_new_cstring(d->notes[i]));
	value_object_put_c(o, "notes", notes);
	return o;
}

static struct value *summary_object(const struct drift_report *dr)
{
	struct value *s = value_new_object();

	value_object_put_c(s, "ok", count_value(dr->ok));
	value_object_put_c(s, "drifted", count_value(dr->drifted));
	value_object_put_c(s, "missing", count_value(dr->missing));
	value_object_put_c(s, "broken", count_value(dr->broken));
	value_object_put_c(s, "not_checked", count_value(dr->not_checked));
	return s;
}

static struct value *build_document(const struct status_run *run, const struct drift_report *dr)
{
	struct value *doc = value_new_object(), *target = value_new_object();
	struct value *plan = value_new_object(), *list = value_new_array();
	size_t i;

	value_object_put_c(doc, "format_version", value_new_number(STATUS_FORMAT_VERSION));
	value_object_put_c(target, "group_id", value_new_cstring(run->state->target_group_id));
	value_object_put_c(target, "group_name", str_or_null(dr->group_name));
	value_object_put_c(target, "exists", value_new_bool(dr->group_exists));
	value_object_put_c(doc, "target", target);
	value_object_put_c(plan, "path", value_new_cstring(run->plan_path));
	value_object_put_c(plan, "loaded", value_new_bool(run->plan != NULL));
	value_object_put_c(plan, "error", str_or_null(run->plan_error));
	value_object_put_c(doc, "plan", plan);
	for (i = 0; i < dr->n; i++)
		value_array_push(list, resource_object(&dr->items[i]));
	value_object_put_c(doc, "resources", list);
	value_object_put_c(doc, "summary", summary_object(dr));
	return doc;
}

/* ---- text ------------------------------------------------------------------ */

struct look {
	const char *symbol, *color;
};

static struct look look_of(const struct value *res)
{
	const char *state = value_get_string(res, "state");
	const struct value *broken = value_get(value_get(res, "health"), "broken");
	struct look l = { "~", C_YELLOW };

	if (!strcmp(state, "not_checked"))
		l = (struct look){ "?", C_DIM };
	else if (!strcmp(state, "deleted"))
		l = (struct look){ "-", C_RED };
	else if (broken && broken->type == VALUE_BOOL && broken->u.boolean)
		l = (struct look){ "!", C_RED };
	else if (!strcmp(state, "moved"))
		l = (struct look){ ">", C_YELLOW };
	else if (!strcmp(state, "ok"))
		l = (struct look){ "=", C_GREEN };
	return l;
}

static void render_verdict(FILE *out, const struct value *res)
{
	const char *state = value_get_string(res, "state");
	const struct value *moved = value_get(res, "moved_to");
	const struct value *broken = value_get(value_get(res, "health"), "broken");
	bool is_broken = broken && broken->type == VALUE_BOOL && broken->u.boolean;

	if (!strcmp(state, "not_checked")) {
		const char *reason = value_get_string(res, "reason");
		fprintf(out, "not created by ccapply (%s%s%s), not checked",
			value_get_string(res, "outcome"), reason ? " " : "", reason ? cmd_shown(reason) : "");
		return;
	}
	if (!strcmp(state, "renamed"))
		fprintf(out, "renamed to \"%s\"", cmd_shown(value_get_string(res, "live_name")));
	else if (moved && value_get_string(moved, "group_name"))
		fprintf(out, "moved to group \"%s\" (%s)",
			cmd_shown(value_get_string(moved, "group_name")),
			cmd_shown(value_get_string(moved, "group_id")));
	else if (moved)
		fprintf(out, "moved to group %s", cmd_shown(value_get_string(moved, "group_id")));
	else if (strcmp(state, "ok") || !is_broken)
		fputs(state, out);
	if (is_broken)
		fprintf(out, "%sbroken", strcmp(state, "ok") ? ", " : "");
}

static void render_health(FILE *out, const struct value *h, const struct global_options *g)
{
	const struct value *paused = value_get(h, "paused");
	const char *setup = value_get_string(h, "setup_state");
	const char *sync = value_get_string(h, "sync_state");
	const char *status = value_get_string(h, "status");

	if (!h || h->type != VALUE_OBJECT)
		return;
	fprintf(out, "      %shealth: %s", cmd_color(g, C_DIM),
		!paused || paused->type != VALUE_BOOL ? "paused unknown" :
		paused->u.boolean ? "paused" : "not paused");
	if (setup)
		fprintf(out, ", setup_state %s%s", cmd_shown(setup), !strcmp(setup, "incomplete") ?
			" (as expected: awaiting credentials)" : "");
	if (sync)
		fprintf(out, ", sync_state %s", cmd_shown(sync));
	if (status)
		fprintf(out, ", status %s", cmd_shown(status));
	fprintf(out, "%s\n", cmd_color(g, C_RESET));
}

static void render_resource(FILE *out, const struct value *res, const struct global_options *g)
{
	const struct value *diffs = value_get(res, "differences");
	const struct value *notes = value_get(res, "notes");
	const char *service = value_get_string(res, "service");
	const char *id = value_get_string(res, "id");
	struct look l = look_of(res);
	size_t i;

	fprintf(out, "  %s%s %s \"%s\"%s", cmd_color(g, l.color), l.symbol,
		value_get_string(res, "kind"), cmd_shown(value_get_string(res, "name")),
		cmd_color(g, C_RESET));
	if (service)
		fprintf(out, " (%s)", cmd_shown(service));
	if (id)
		fprintf(out, " id=%s", cmd_shown(id));
	fputs(": ", out);
	render_verdict(out, res);
	fputc('\n', out);
	for (i = 0; i < diffs->u.arr.n; i++) {
		const struct value *d = diffs->u.arr.items[i];
		fprintf(out, "      ~ %s: sent ", cmd_shown(value_get_string(d, "path")));
		cmd_print_value(out, value_get(d, "sent"));
		fputs(", live ", out);
		cmd_print_value(out, value_get(d, "live"));
		fputc('\n', out);
	}
	render_health(out, value_get(res, "health"), g);
	for (i = 0; i < notes->u.arr.n; i++)
		if (strcmp(value_get_string(res, "state"), "not_checked"))
			fprintf(out, "      note: %s\n", cmd_shown(notes->u.arr.items[i]->u.str.ptr));
}

static void render_text(FILE *out, const struct value *doc, const struct global_options *g)
{
	const struct value *target = value_get(doc, "target");
	const struct value *plan = value_get(doc, "plan");
	const struct value *list = value_get(doc, "resources");
	const struct value *s = value_get(doc, "summary");
	const char *name = value_get_string(target, "group_name");
	const char *not_checked = value_get(s, "not_checked")->u.number;
	size_t i;

	fprintf(out, "Target group: %s (%s)", name ? cmd_shown(name) : "(unknown)",
		cmd_shown(value_get_string(target, "group_id")));
	if (!value_get(target, "exists")->u.boolean)
		fprintf(out, ": %sno longer exists%s", cmd_color(g, C_RED), cmd_color(g, C_RESET));
	fputs("\n\n", out);
	if (!value_get(plan, "loaded")->u.boolean)
		fprintf(out, "%sConfig drift not checked:%s the plan did not load:\n  %s\n"
			"  (existence and health are still checked)\n\n", cmd_color(g, C_YELLOW),
			cmd_color(g, C_RESET), value_get_string(plan, "error"));
	if (!list->u.arr.n)
		fputs("  The state file records no resources.\n", out);
	for (i = 0; i < list->u.arr.n; i++)
		render_resource(out, list->u.arr.items[i], g);
	fprintf(out, "\n%sStatus:%s %s ok, %s drifted, %s missing, %s broken",
		cmd_color(g, C_BOLD), cmd_color(g, C_RESET), value_get(s, "ok")->u.number,
		value_get(s, "drifted")->u.number, value_get(s, "missing")->u.number,
		value_get(s, "broken")->u.number);
	if (strcmp(not_checked, "0"))
		fprintf(out, "; %s not checked (not created by ccapply)", not_checked);
	fputs(".\n", out);
}

/* ---- the command ------------------------------------------------------------ */

static void run_free(struct status_run *run)
{
	state_free(run->state);
	plan_free(run->plan);
	free(run->plan_error);
	client_free(run->client);
	differ_live_state_free(&run->live);
}

static int run_status(const struct cmd_args *a, const struct global_options *g)
{
	struct status_run run = { .g = g };
	struct drift_report drift;
	struct value *doc;
	int rc;

	if (!(rc = load_state_file(&run))) {
		load_plan_file(&run);
		rc = read_live(&run);
	}
	if (!rc) {
		differ_drift(run.state, run.plan, &run.live, &drift);
		doc = build_document(&run, &drift);
		if (args_flag(a, "--json"))
			cmd_print_json(doc);
		else
			render_text(stdout, doc, g);
		rc = drift.drift ? EXIT_CHANGES : EXIT_OK;
		value_free(doc);
		drift_report_free(&drift);
	}
	run_free(&run);
	return rc;
}

static const struct opt_spec status_options[] = {
	{ .name = "--json", .help = "print one JSON object (docs/status.md)" },
	{ 0 },
};

const struct command_spec cmd_status_spec = {
	.name = "status",
	.summary = "drift and health of what the state file records (read-only)",
	.description =
		"Check what .copy-connections/ccapply.lock records against Fivetran (GET\n"
		"requests only): for every resource ccapply created or found, whether it is\n"
		"still there, renamed, deleted or moved to another group, whether its config\n"
		"drifted from what was sent, and its health (paused, setup_state,\n"
		"sync_state; broken when setup_state is broken).",
	.after = "Exit status: 0 nothing drifted, 1 error, 2 something drifted, is missing\n"
		 "or is broken.",
	.options = status_options,
	.run = run_status,
};
