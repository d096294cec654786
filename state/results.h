/*
 * results.h — results.md, the human record of an apply, in exactly the layout
 * of the execute seed (shared/seeds/000_*.txt): title, date, source and
 * target, Summary counts, Per-connection results (with the auth line chosen
 * from auth_style and credential_fields, and the dashboard URL
 * https://fivetran.com/dashboard/connections/<id>), Transformations, Next
 * steps (listing every CUSTOM_TRANSFORMATION_NOT_COPYABLE finding of the
 * validation report) and Cleanup.
 *
 * Pure: results_render() turns the inputs into text; results_write() puts it
 * on disk atomically. The applier rewrites the file after every resource, and
 * on every outcome, refusals and interruptions included, so it is always the
 * source of truth for what happened.
 *
 * Who may call: applier/ and cmd/. Ownership: results_render() returns a
 * string the caller frees; the inputs are only read.
 */
#ifndef CCAPPLY_RESULTS_H
#define CCAPPLY_RESULTS_H

#include "lib/err.h"
#include "planner/planner.h"
#include "state/state.h"

#define RESULTS_FILE "results.md"

struct results_input {
	const char *date;              /* ISO 8601 UTC, e.g. 2026-11-21T05:40:00Z */
	const char *source_group_name; /* NULL: "(unknown)" */
	const char *target_group_name;
	const struct plan *plan;       /* may be NULL when the plan could not load */
	const struct report *report;   /* may be NULL */
	const struct state *state;     /* outcomes per resource, plan order */
	const char *refusal;           /* when apply refused or stopped before its
					* writes: why (one paragraph); else NULL */
	bool interrupted;              /* apply was interrupted (SIGINT/SIGTERM) */
};

char *results_render(const struct results_input *in);
int results_write(const char *path, const struct results_input *in, struct err *err);

#endif
