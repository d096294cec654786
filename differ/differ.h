/*
 * differ.h — (desired, live) → one action per planned resource (SPEC §2).
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
 * Who may call: cmd/ and applier/. Ownership: differ_diff() fills a list the
 * caller frees with action_list_free(); live_state_free() frees a live state
 * (live/live.h fills it).
 */
#ifndef CCAPPLY_DIFFER_H
#define CCAPPLY_DIFFER_H

#include <stddef.h>

#include "lib/err.h"
#include "lib/value.h"
#include "planner/planner.h"

struct live_state {
	char *group_id;
	char *group_name;
	char *source_group_name;        /* NULL when it could not be read */
	struct value *connections;      /* array of the group's connection items (with config) */
	struct value *transformations;  /* array of the group's QUICKSTART transformations */
};

void live_state_free(struct live_state *live);

enum resource_kind { RESOURCE_CONNECTION, RESOURCE_TRANSFORMATION };
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

/* The connections ccapply.lock records as created by ccapply: target_name
 * and Fivetran id of each (cmd/ fills it from state/, which the differ does
 * not include). The strings are borrowed. */
struct created_connection {
	const char *name;
	const char *id;
};

struct created_list {
	const struct created_connection *items;
	size_t n;
};

/* created may be NULL (no ccapply.lock). */
int differ_diff(const struct plan *plan, const struct live_state *live,
		const struct created_list *created, struct action_list *out, struct err *err);
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
const char *resource_kind_name(enum resource_kind k);

#endif
