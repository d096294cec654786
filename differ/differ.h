/*
 * differ.h — (desired, live) → one action per planned resource (SPEC §2);
 * and (recorded, desired, live) → the drift of each recorded resource
 * (`ccapply status`, below).
 *
 * Owns: the live-state model a diff reads, the action list, and the rules:
 *   connection  ccapply.lock records it created, with an id the group
 *               still holds (whatever its name or config now)    → noop ALREADY_EXISTS
 *               no live connection whose schema == its name      → create
 *               (target_name, or schema.table: plan_connection_api_name)
 *               same name, same service, plan config ⊆ live      → noop ALREADY_EXISTS
 *               same name, other service or config               → skip NAME_TAKEN_CONFIG_DIFFERS
 *   transformation  no dependency listed at all                  → skip NO_DEPENDENCIES
 *               a dependency not in the plan                     → skip MISSING_DEPENDENCY
 *               a dependency connection that is skipped          → skip DEPENDENCY_SKIPPED
 *               a live QUICKSTART transformation with the same
 *               package and exactly the dependencies' live ids   → noop ALREADY_EXISTS
 *               otherwise                                        → create
 * Config comparison — what the user meant, through the body apply would send
 * (plan_connection_request), against the live connection item:
 *   - config: every key sent is compared (recursing into mappings), except
 *     the naming keys (the name already matched), credential fields (listed
 *     in credential_fields, or blanked in the body) and values masked live;
 *     read-only keys are never sent, so never compared;
 *   - settings: every top-level create field sent (sync_frequency,
 *     daily_sync_time, ..., whether the plan has it beside or inside config)
 *     against the item's top-level field of that name, when the item has it;
 *     group_id, paused and run_setup_tests are how apply creates, not what
 *     the user meant, and are not compared;
 *   - keys only the live side has are server defaults and ignored; a key
 *     sent and absent live is a difference when the catalog lists it for
 *     the service (answers carry every {service}_config_V1 key), and not
 *     compared when it does not (the API may drop what it does not know);
 *   - a number equals its decimal string.
 *
 * Pure: no I/O, no network; the same inputs always give the same actions, in
 * plan order (connections, then transformations).
 *
 * It reads ccapply.lock's model (state/state.h) but never the file.
 *
 * Who may call: cmd/, applier/ and live/ (which fills the live state).
 * Ownership: differ_diff() fills a list the caller frees with
 * action_list_free(); differ_live_state_free() frees a live state.
 */
#ifndef CCAPPLY_DIFFER_H
#define CCAPPLY_DIFFER_H

#include <stddef.h>

#include "lib/err.h"
#include "lib/value.h"
#include "planner/planner.h"
#include "state/resource.h"
#include "state/state.h"

struct live_state {
	char *group_id;
	char *group_name;
	char *source_group_name;        /* NULL when it could not be read */
	struct value *connections;      /* array of the group's connection items (with config) */
	struct value *transformations;  /* array of the group's QUICKSTART transformations */
	/* What status reads besides (live_read_recorded(); plan leaves them zero): */
	bool group_missing;             /* the target group answered 404 */
	struct value *elsewhere;        /* recorded connections the group's list lacks, found
					 * by id (array; NULL when none were looked for) */
	struct value *other_groups;     /* object: id → name (or null) of the groups those are in */
};

void differ_live_state_free(struct live_state *live);
/* The item of array items (NULL allowed) whose "id" is id, or NULL. */
const struct value *differ_live_find_by_id(const struct value *items, const char *id);

enum action_kind { ACTION_CREATE, ACTION_NOOP, ACTION_SKIP };

/* Reasons are these static strings (or NULL for a plain create). */
extern const char REASON_ALREADY_EXISTS[];
extern const char REASON_NAME_TAKEN_CONFIG_DIFFERS[];
extern const char REASON_MISSING_DEPENDENCY[];
extern const char REASON_DEPENDENCY_SKIPPED[];
extern const char REASON_NO_DEPENDENCIES[];

struct difference {
	char *path;          /* "service", "config.port", "config.tables[2]" */
	struct value *plan;  /* what apply would send */
	struct value *live;  /* NULL when the live side lacks the key */
};

struct action {
	enum resource_kind kind;
	enum action_kind action;
	const char *reason;
	char *name;      /* connection: target_name; transformation: package_name */
	char *id;        /* live id when one exists (noop; skip of a taken name) */
	char *source_id; /* connection: source_id; transformation: source_transformation_id */
	char *service;   /* connection: source_service */
	char **depends_on; /* transformation: source ids of its dependency connections */
	size_t n_depends_on;
	char **missing;    /* transformation: dependencies not in the plan / skipped */
	size_t n_missing;
	struct difference *differences;
	size_t n_differences;
	size_t plan_index; /* into plan->connections or plan->packages */
};

struct action_list {
	struct action *items;
	size_t n;
	size_t n_create, n_noop, n_skip;
};

/* recorded: what ccapply.lock holds, or NULL (none); the diff reads its
 * connections with outcome created (the first rule above). */
int differ_diff(const struct plan *plan, const struct live_state *live,
		const struct state *recorded, struct action_list *out, struct err *err);
void action_list_free(struct action_list *list);

/* The connection rule on its own: compare planned connection c with one
 * live connection item (however it was found) — service, every config key
 * apply would send to group_id, and the top-level create fields the item
 * reports — by the comparison rules above. Appends to out->differences
 * (plan = what apply sends, live = the item's value, NULL when absent), sets
 * out->id to the item's id, and out->action/reason to noop ALREADY_EXISTS
 * when nothing differs, else skip NAME_TAKEN_CONFIG_DIFFERS; other fields
 * are left alone. out starts zeroed; free it with action_clear(). Used by
 * the diff and by `ccapply status` (drift from what apply sent). */
void differ_compare_connection(const struct plan_connection *c, const char *group_id,
			       const struct value *item, struct action *out);
/* Free what one action holds and zero it. */
void action_clear(struct action *a);

const char *action_kind_name(enum action_kind a);

/* ---- drift: state × plan × live → what became of each recorded resource ----
 *
 * `ccapply status` asks of every resource ccapply.lock records: is it still
 * there, still as sent, and working? differ_drift() answers from the state,
 * the plan (NULL when copy_plan.yaml did not load: existence and health
 * only) and the live state live_read_recorded() read (live/live.h), with no
 * I/O, one finding per recorded resource, in state order:
 *   no id, or an outcome other than created / already_exists → not_checked
 *   connection  neither in the group's list nor found by id  → deleted
 *               its group_id is another group's               → moved
 *               its schema is not its name                    → renamed
 *               a config difference (the connection rule
 *               above, against what the current plan sends)   → drifted, else ok
 *   transformation  the group is gone, or it is not among the
 *               group's QUICKSTART transformations            → deleted
 *               another package_name, or connection_ids not
 *               exactly the ids the state records for its
 *               dependencies (state_dependency_ids())         → drifted, else ok
 * compared_with is "sent" when the body the current plan would send has the
 * state's sent_digest (plan_request_digest(), the digest apply records), so
 * the comparison is against exactly what was sent; "plan" otherwise (a
 * created connection then gets a note saying so). Health: a connection is
 * broken when its setup_state is "broken", a transformation when its status
 * is "FAILED". The tally counts each resource once, under the first that
 * applies: not_checked, missing (deleted), broken, drifted (any other state
 * but ok), ok. There is drift (status exits 2) when the target group is gone
 * or anything is missing, broken or drifted.
 *
 * Notes are these static strings; states and bases print with
 * drift_state_name() and drift_basis_name() (NULL for DRIFT_NOT_COMPARED).
 * Ownership: a finding borrows from the state and the live state (which must
 * outlive the report) and owns its differences; drift_report_free() frees
 * them.
 */
enum drift_state { DRIFT_OK, DRIFT_DRIFTED, DRIFT_RENAMED, DRIFT_DELETED, DRIFT_MOVED,
		   DRIFT_NOT_CHECKED };
enum drift_basis { DRIFT_NOT_COMPARED, DRIFT_COMPARED_WITH_SENT, DRIFT_COMPARED_WITH_PLAN };

extern const char DRIFT_NOTE_NOT_CREATED[];
extern const char DRIFT_NOTE_NOT_PLANNED[];
extern const char DRIFT_NOTE_PLAN_CHANGED[];
extern const char DRIFT_NOTE_IDS_NOT_PLANNED[];
extern const char DRIFT_NOTE_DEPENDENCY_UNKNOWN[];

/* Read from the live item (borrowed): a connection's paused, setup_state and
 * sync_state; a transformation's paused and status. */
struct drift_health {
	const struct value *paused;    /* NULL, or not a boolean: unknown */
	const char *setup_state, *sync_state, *status;
};

struct drift {
	const struct state_resource *resource;
	enum resource_kind kind;
	enum drift_state state;
	const struct value *live;      /* the live item; NULL when deleted or not checked */
	bool has_health;               /* live is set: health and broken say something */
	struct drift_health health;
	bool broken;
	const char *live_name;         /* renamed: the name it has now */
	const char *moved_to;          /* moved: the id of the group it is in now */
	const char *moved_to_name;     /* and that group's name; NULL when unknown */
	struct difference *differences; /* plan: what was (or would be) sent; live */
	size_t n_differences;
	enum drift_basis compared_with;
	const char *notes[2];
	size_t n_notes;
};

struct drift_report {
	struct drift *items;
	size_t n;
	bool group_exists;
	const char *group_name;        /* the live name, else the state's; may be NULL */
	size_t ok, drifted, missing, broken, not_checked;
	bool drift;
};

void differ_drift(const struct state *st, const struct plan *plan, const struct live_state *live,
		  struct drift_report *out);
void drift_report_free(struct drift_report *r);
const char *drift_state_name(enum drift_state s);
const char *drift_basis_name(enum drift_basis b);

#endif
