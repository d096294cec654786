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
 * Rewriting after every resource is O(resources) each time; a struct
 * results_cache keeps that cheap: the *_cached variants remember every
 * connection's section and package's line with the inputs it came from, and
 * render again only those whose inputs changed. The bytes are always those
 * of results_render(). A cache serves one plan: while it is used, the plan
 * (in->plan, the same pointer each time) must not change; a different plan
 * pointer makes the cache start afresh. Without a plan nothing is cached.
 *
 * Who may call: applier/ and cmd/. Ownership: results_render() returns a
 * string the caller frees; the inputs are only read; the cache belongs to
 * its creator (results_cache_free()) and keeps no pointer into the inputs
 * but the plan's address.
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
/* Write the rendering to path atomically, unless the file there already
 * says the same, its date aside: then it is left byte-identical, so its
 * date is that of the last change and an apply that changes nothing
 * changes nothing here either. */
int results_write(const char *path, const struct results_input *in, struct err *err);
/* The source group name the results.md at path records (its **Source:**
 * line), or NULL (no file, no such line, "(unknown)"): for a refusal that
 * never read the live state. Caller frees. */
char *results_recorded_source(const char *path);

struct results_cache;
struct results_cache *results_cache_new(void);
void results_cache_free(struct results_cache *cache);
/* As above, through cache (NULL: none); flags as fileio_write_atomic_flags()'s
 * (lib/fileio.h): FILEIO_DEFER_DIR_SYNC for a run of rewrites whose caller
 * fsyncs the directory when the run ends. */
char *results_render_cached(struct results_cache *cache, const struct results_input *in);
int results_write_cached(const char *path, struct results_cache *cache,
			 const struct results_input *in, unsigned flags, struct err *err);

#endif
