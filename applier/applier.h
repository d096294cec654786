/*
 * applier.h — execute a diff's actions through the client, one resource at a
 * time in plan order, and record every outcome.
 *
 * Owns: the order of work (connections, then transformations with the target
 * ids of their dependencies), the lifecycle of a resource below, and the
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
 * THE LIFECYCLE OF A RESOURCE
 *
 * A planned resource is one entry of ccapply.lock (state/state.h) and, once
 * a create has been sent for it, one record of ccapply.journal
 * (state/journal.h: its latest intent and that intent's outcome). The
 * states, and what each file says in each:
 *
 *   state           ccapply.lock                      ccapply.journal
 *   PLANNED         pending (nothing sent this run)   nothing, or an earlier
 *                                                     attempt's lines
 *   IN_FLIGHT       not written yet                   an intent, fsynced
 *   CREATED         created, id, sent_digest;         outcome created, id
 *                   recovered when adopted after
 *                   its answer was lost
 *   FAILED          failed: HTTP status, code,        outcome failed
 *                   message, sent_digest
 *   UNKNOWN         pending, error OUTCOME_UNKNOWN    an intent, no outcome
 *                   (an interrupt or a kill leaves
 *                   what was there before)
 *   ALREADY_EXISTS  already_exists, id                nothing
 *   SKIPPED         skipped, reason                   nothing
 *
 *                              differ_diff()
 *                                    |
 *            noop                    | create                     skip
 *       +----------------------------+-----------------------------+
 *       v                            v                             v
 *  ALREADY_EXISTS                 PLANNED <-----------------+   SKIPPED
 *       |                            |                      |
 *       |                            v                      |
 *       |                        IN_FLIGHT                  |
 *       |                            |                      |
 *       |            +---------------+------------+         |
 *       |            v               v            v         |
 *       +-------> CREATED         FAILED       UNKNOWN -----+
 *                    ^               |          |  ^  |     ^
 *                    |               +----------|--|--|-----+
 *                    +--------------------------+  +--+
 *
 * Every arrow out of ALREADY_EXISTS, CREATED, FAILED and UNKNOWN is taken
 * by a later run; UNKNOWN's loop is a transformation held back.
 *
 * The transitions, and the function behind each:
 *
 *   -> PLANNED, ALREADY_EXISTS, SKIPPED
 *        differ_diff() gives each planned resource create, noop or skip;
 *        applier_prepare_state() aligns ccapply.lock with the actions
 *        (prepare_entry()). A create whose dependency connection did not
 *        end created or already_exists turns SKIPPED with
 *        DEPENDENCY_FAILED instead of being sent (create_transformation(),
 *        state_dependency_ids()).
 *   PLANNED -> IN_FLIGHT
 *        create_connection() / create_transformation() build the exact
 *        body (plan_connection_request() / plan_transformation_request()),
 *        record its digest as sent_digest (digest_body():
 *        plan_request_digest(), the BLAKE2b-256 of its canonical JSON), and
 *        journal_before() appends the intent (journal_intent(), fsynced).
 *        If the intent cannot be written nothing is sent: run_actions()
 *        saves what it has and applier_run() fails.
 *   IN_FLIGHT -> CREATED | FAILED
 *        client_create_connection() / client_create_transformation()
 *        answer, record_create() records it, journal_after() appends the
 *        outcome (journal_outcome()). An answer lost on the way (timeout,
 *        reset, 5xx) is looked up by name inside the client first
 *        (create_with_lookup()); what the lookup finds is adopted: CREATED,
 *        recovered. A connection it does not find is sent again under the
 *        same intent (the API refuses a second one of a name).
 *   IN_FLIGHT -> UNKNOWN
 *        CLIENT_E_UNKNOWN_OUTCOME (the lookup failed, or found no
 *        transformation: that create is never sent twice in a run):
 *        record_create() leaves it pending with OUTCOME_UNKNOWN, and
 *        journal_after() writes no outcome: the open intent says exactly
 *        that. An interrupt (CLIENT_E_INTERRUPTED) leaves the entry as it
 *        was and the intent open; so does kill -9 or a crash.
 *   after each of the two above
 *        persist(): ccapply.lock (state_save_flags()) and results.md
 *        (results_write_cached()), before the next resource is sent.
 *        CLIENT_E_AUTH (401/403) and an interrupt then stop run_actions();
 *        the resources it did not reach stay PLANNED, written as pending.
 *
 *   A later run reads both files first (state_load(); journal_open()
 *   checks the chain), reads the live side (live_read()) and diffs again:
 *
 *   UNKNOWN -> CREATED (recovered)
 *        the live read shows it, so differ_diff() says noop:
 *        adopt_from_journal() records it created and recovered, with the
 *        intent's digest, and journal_settle() writes the missing outcome
 *        (journal_outcome()).
 *   ALREADY_EXISTS -> CREATED
 *        the same, when the journal records the create of this very id
 *        (as when ccapply.lock was lost): adopt_from_journal().
 *   UNKNOWN -> PLANNED
 *        the live read does not show it: a connection is planned again at
 *        once (hold_unknown() drops the error); a transformation once
 *        in->settle_seconds have passed since its intent.
 *   UNKNOWN -> UNKNOWN (held)
 *        a transformation the live read does not show, whose intent is
 *        younger than in->settle_seconds: hold_unknown() keeps it pending
 *        with OUTCOME_UNKNOWN, and run_actions() sends nothing for it.
 *   FAILED -> PLANNED
 *        differ_diff() plans it again; the journal keeps the failure.
 *   CREATED -> CREATED
 *        differ_diff() finds it live (a connection by its recorded id) and
 *        says noop; prepare_entry() keeps it created.
 *
 * Invariants:
 *  1. No create leaves the process before its intent is fsynced in the
 *     journal (in->journal; apply always gives one), so every resource
 *     ccapply made has an intent line.
 *  2. The body sent, the state's sent_digest and the intent's body_digest
 *     agree: plan_request_digest() of what planner/request.c built.
 *  3. An outcome line is written only for a known answer. An unknown
 *     outcome is never recorded failed: it stays UNKNOWN, its intent open,
 *     until a later run finds it (CREATED) or settles it as not made.
 *  4. A transformation is sent at most once per intent; a connection may be
 *     re-sent under one intent only after a lookup did not find it.
 *  5. ccapply.lock and results.md are saved after every resource a request
 *     was sent for, before the next: a kill loses at most the resource in
 *     flight, and the journal's open intent names it.
 *  6. The two files agree as journal_compare_state() checks (the replay of
 *     `ccapply state verify`, state/journal.h).
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
