/*
 * applier.h — execute a diff's actions through the client, one resource at a
 * time in plan order, and record every outcome.
 *
 * Owns: the order of work (connections, then transformations with the target
 * ids of their dependencies), the per-resource outcome rules, and the
 * persistence rhythm: after every resource a request was sent for, and once
 * at the end, the state file is saved (only when it changed) and results.md
 * is rewritten, both atomically, so an interruption or a kill at any point
 * loses nothing and a re-run continues (a resource decided without a request
 * is recomputed by a re-run, so it needs no write of its own).
 * Those rewrites skip the directory fsync; applier_run() fsyncs the
 * directory once when it returns (lib/fileio.h, FILEIO_DEFER_DIR_SYNC).
 * Before its first request it removes the temporary files a killed apply
 * left (PATH.tmp.PID of a pid that is gone): the caller holds the lock.
 *
 * Rules:
 *  - noop → already_exists, skip → skipped (with the diff's reason), without
 *    any request; a resource an earlier apply created keeps outcome created.
 *  - create → the exact body of planner/request.c; its BLAKE2b-256 (of the
 *    canonical JSON) is recorded as sent_digest; success → created (recovered
 *    when the client adopted it after an unknown outcome); failure → failed
 *    with HTTP status, Fivetran code and message, and apply goes on.
 *  - A transformation whose dependency connection did not end created or
 *    already_exists → skipped with DEPENDENCY_FAILED.
 *  - 401/403 stops at once (the rest stay pending); so does an interrupt.
 *  - Journal (when in->journal is set, state/journal.h): an intent line is
 *    written before every create is sent (if it cannot be, nothing is sent
 *    and applier_run() fails) and an outcome line after its answer. A noop
 *    whose journal record is an intent without an outcome (the answer was
 *    lost: kill -9, crash) or a create of this very id is recorded as
 *    created (recovered for the former), not already_exists; the missing
 *    outcome line is then written.
 *  - A create whose outcome stays unknown (the client could not learn it and
 *    its lookup found nothing) is not failed: it stays pending with the
 *    error code OUTCOME_UNKNOWN and an open intent. A later apply adopts it
 *    when the live read shows it; a transformation it does not show yet is
 *    held (pending, OUTCOME_UNKNOWN, nothing sent) until in->settle_seconds
 *    have passed since the intent — only then does a lookup that still finds
 *    nothing settle it as not made, and it is sent again. (A connection
 *    needs no wait: the API refuses a second one of the same name.)
 *
 * Who may call: cmd/apply.c. Ownership: the caller owns every input; the
 * applier updates in->state in place.
 */
#ifndef CCAPPLY_APPLIER_H
#define CCAPPLY_APPLIER_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "client/client.h"
#include "differ/differ.h"
#include "planner/planner.h"
#include "state/journal.h"
#include "state/results.h"
#include "state/state.h"

extern const char REASON_DEPENDENCY_FAILED[];
extern const char ERROR_OUTCOME_UNKNOWN[]; /* error.code of a create whose outcome is unknown */

struct applier_progress {
	/* Called before a create is sent (index into actions, 0-based) and after
	 * every resource is recorded. May be NULL. */
	void (*before)(void *ctx, size_t index, const struct action *a);
	void (*after)(void *ctx, size_t index, const struct action *a,
		      const struct state_resource *r);
	void *ctx;
};

struct applier_input {
	const struct plan *plan;
	const struct report *report;
	const struct live_state *live;
	const struct action_list *actions;
	struct state *state;         /* previous state or a fresh one; updated */
	struct journal *journal;     /* ccapply.journal, or NULL for none */
	const char *state_path;
	const char *results_path;
	const char *date;            /* for results.md */
	volatile sig_atomic_t *interrupted;
	double settle_seconds;       /* how long an unknown transformation create is held */
	struct applier_progress progress;
	/* Filled by the applier (for -v): how often it saved its records
	 * (state and results.md, each written only when it changed) and how
	 * often the state file did change. */
	struct applier_counts {
		size_t saves, state_writes;
	} counts;
};

/* The default of settle_seconds: ten times the client's default timeout. */
#define APPLIER_SETTLE_SECONDS 600.0

enum applier_end {
	APPLY_COMPLETE,     /* every resource created or already there */
	APPLY_INCOMPLETE,   /* something failed or was skipped (but for skips the
			     * state's acknowledged codes accept) */
	APPLY_AUTH_FAILED,  /* stopped at a 401/403 */
	APPLY_INTERRUPTED,  /* stopped by *interrupted */
};

/* Align in->state with the actions (one entry per action, plan order;
 * outcomes of noop/skip filled in, creates pending unless already created)
 * without writing anything. Exposed so apply can save a no-op state. */
void applier_prepare_state(struct applier_input *in);

/* Run every action. Returns 0 with *end set, or -1 when state or results
 * could not be written (err says which file). */
int applier_run(struct client *c, struct applier_input *in, enum applier_end *end,
		struct err *err);

#endif
