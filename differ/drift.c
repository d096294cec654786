/*
 * drift.c — what became of each resource ccapply.lock records (see the
 * drift section of differ.h): `ccapply status` decides here and only renders
 * in cmd/status.c, as git's wt-status.c computes what builtin/commit.c
 * prints. Pure: the live reads are live/'s (live_read_recorded()), done
 * before; config is compared by the connection rule of the diff
 * (differ_compare_connection()), dependency ids come from the state as apply
 * takes them (state_dependency_ids()), and "as sent" is the digest apply
 * records (plan_request_digest()).
 */
#include <stdlib.h>
#include <string.h>

#include "differ/differ-internal.h"
#include "differ/differ.h"
#include "lib/buf.h"

const char DRIFT_NOTE_NOT_CREATED[] = "not created by ccapply: not checked";
const char DRIFT_NOTE_NOT_PLANNED[] = "not in the current copy_plan.yaml: config not checked";
const char DRIFT_NOTE_PLAN_CHANGED[] = "copy_plan.yaml has changed since this was sent: config "
				       "compared with what the plan would send now";
const char DRIFT_NOTE_IDS_NOT_PLANNED[] = "not in the current copy_plan.yaml: connection ids "
					  "not checked";
const char DRIFT_NOTE_DEPENDENCY_UNKNOWN[] = "a dependency connection has no recorded id: "
					     "connection ids not checked";

/* The inputs of one differ_drift() call. */
struct drift_input {
	const struct state *st;
	const struct plan *plan; /* NULL: not loaded */
	const struct live_state *live;
};

static void add_note(struct drift *d, const char *note)
{
	if (d->n_notes < sizeof d->notes / sizeof *d->notes)
		d->notes[d->n_notes++] = note;
}

static void add_difference(struct drift *d, const char *path, const struct value *sent,
			   const struct value *live)
{
	differ_add_difference(&d->differences, &d->n_differences, path, sent, live);
}

static const struct plan_connection *planned_connection(const struct plan *p, const char *name)
{
	size_t i;

	for (i = 0; p && i < p->n_connections; i++)
		if (!strcmp(p->connections[i].target_name, name))
			return &p->connections[i];
	return NULL;
}

static const struct plan_package *planned_package(const struct plan *p, const char *name)
{
	size_t i;

	for (i = 0; p && i < p->n_packages; i++)
		if (!strcmp(plan_package_name(&p->packages[i]), name))
			return &p->packages[i];
	return NULL;
}

/* Is body (freed here) the request whose digest the state records? */
static bool is_what_was_sent(struct value *body, const char *sent_digest)
{
	char *digest = plan_request_digest(body);
	bool same = sent_digest && !strcmp(digest, sent_digest);

	free(digest);
	value_free(body);
	return same;
}

static void compare_connection_config(const struct drift_input *in, const struct state_resource *r,
				      struct drift *d)
{
	const struct plan_connection *pc = planned_connection(in->plan, r->name);
	const char *gid = in->st->target_group_id;
	struct action a = { 0 };

	if (!in->plan)
		return; /* the whole report says so */
	if (!pc) {
		add_note(d, DRIFT_NOTE_NOT_PLANNED);
		return;
	}
	differ_compare_connection(pc, gid, d->live, &a);
	d->differences = a.differences;
	d->n_differences = a.n_differences;
	a.differences = NULL;
	a.n_differences = 0;
	action_clear(&a);
	if (is_what_was_sent(plan_connection_request(pc, gid), r->sent_digest)) {
		d->compared_with = DRIFT_COMPARED_WITH_SENT;
		return;
	}
	d->compared_with = DRIFT_COMPARED_WITH_PLAN;
	if (r->outcome == OUTCOME_CREATED)
		add_note(d, DRIFT_NOTE_PLAN_CHANGED);
}

/* Is schema the live name of the connection recorded as r? Fivetran names a
 * connection by plan_connection_api_name(). */
static bool is_its_name(const struct drift_input *in, const struct state_resource *r,
			const char *schema)
{
	const struct plan_connection *pc = planned_connection(in->plan, r->name);
	char *expected;
	bool same;

	if (!pc)
		return !strcmp(schema, r->name);
	expected = plan_connection_api_name(pc);
	same = !strcmp(schema, expected);
	free(expected);
	return same;
}

static void check_connection(const struct drift_input *in, const struct state_resource *r,
			     struct drift *d)
{
	const struct value *status;
	const char *group_id, *schema;

	d->live = differ_live_find_by_id(in->live->connections, r->id);
	if (!d->live)
		d->live = differ_live_find_by_id(in->live->elsewhere, r->id);
	if (!d->live) {
		d->state = DRIFT_DELETED;
		return;
	}
	status = value_get(d->live, "status");
	d->has_health = true;
	d->health.paused = value_get(d->live, "paused");
	d->health.setup_state = value_get_string(status, "setup_state");
	d->health.sync_state = value_get_string(status, "sync_state");
	d->broken = d->health.setup_state && !strcmp(d->health.setup_state, "broken");
	compare_connection_config(in, r, d);
	group_id = value_get_string(d->live, "group_id");
	schema = value_get_string(d->live, "schema");
	if (group_id && strcmp(group_id, in->st->target_group_id)) {
		d->state = DRIFT_MOVED;
		d->moved_to = group_id;
		d->moved_to_name = value_get_string(in->live->other_groups, group_id);
	} else if (schema && !is_its_name(in, r, schema)) {
		d->state = DRIFT_RENAMED;
		d->live_name = schema;
	} else {
		d->state = d->n_differences ? DRIFT_DRIFTED : DRIFT_OK;
	}
}

/* The transformation's package and connection ids against the plan's
 * package and the ids the state records for its dependencies. */
static void compare_transformation(const struct drift_input *in, const struct state_resource *r,
				   struct drift *d)
{
	const struct value *cfg = value_get(d->live, "transformation_config");
	const char *package = value_get_string(cfg, "package_name");
	const struct value *live_ids = value_get(cfg, "connection_ids");
	const struct plan_package *pkg = planned_package(in->plan, r->name);
	struct value *want, *name;
	char **ids;
	size_t i;

	if (!package || strcmp(package, r->name)) {
		name = value_new_cstring(r->name);
		add_difference(d, "package_name", name, value_get(cfg, "package_name"));
		value_free(name);
	}
	if (!in->plan)
		return;
	ids = pkg ? state_dependency_ids(in->st, in->plan, pkg) : NULL;
	if (!ids) {
		add_note(d, pkg ? DRIFT_NOTE_DEPENDENCY_UNKNOWN : DRIFT_NOTE_IDS_NOT_PLANNED);
		return;
	}
	d->compared_with = is_what_was_sent(plan_transformation_request(r->name, ids,
									 pkg->n_depends_on),
					    r->sent_digest) ?
			   DRIFT_COMPARED_WITH_SENT : DRIFT_COMPARED_WITH_PLAN;
	if (!differ_same_ids(live_ids, ids, pkg->n_depends_on)) {
		want = value_new_array();
		for (i = 0; i < pkg->n_depends_on; i++)
			value_array_push(want, value_new_cstring(ids[i]));
		add_difference(d, "connection_ids", want, live_ids);
		value_free(want);
	}
	free(ids);
}

static void check_transformation(const struct drift_input *in, const struct state_resource *r,
				 struct drift *d)
{
	d->live = in->live->group_missing ? NULL :
		  differ_live_find_by_id(in->live->transformations, r->id);
	if (!d->live) {
		d->state = DRIFT_DELETED;
		return;
	}
	d->has_health = true;
	d->health.paused = value_get(d->live, "paused");
	d->health.status = value_get_string(d->live, "status");
	d->broken = d->health.status && !strcmp(d->health.status, "FAILED");
	compare_transformation(in, r, d);
	d->state = d->n_differences ? DRIFT_DRIFTED : DRIFT_OK;
}

/* Each resource counts once, under the first that applies. */
static void tally(struct drift_report *out, const struct drift *d)
{
	if (d->state == DRIFT_NOT_CHECKED)
		out->not_checked++;
	else if (d->state == DRIFT_DELETED)
		out->missing++;
	else if (d->broken)
		out->broken++;
	else if (d->state != DRIFT_OK)
		out->drifted++;
	else
		out->ok++;
}

void differ_drift(const struct state *st, const struct plan *plan, const struct live_state *live,
		  struct drift_report *out)
{
	const struct drift_input in = { .st = st, .plan = plan, .live = live };
	size_t i;

	memset(out, 0, sizeof *out);
	out->items = xcalloc(st->n_resources + 1, sizeof *out->items);
	out->group_exists = !live->group_missing;
	out->group_name = live->group_name ? live->group_name : st->target_group_name;
	for (i = 0; i < st->n_resources; i++) {
		const struct state_resource *r = &st->resources[i];
		struct drift *d = &out->items[out->n++];

		d->resource = r;
		d->kind = r->kind;
		if (!state_resource_exists(r)) {
			d->state = DRIFT_NOT_CHECKED;
			add_note(d, DRIFT_NOTE_NOT_CREATED);
		} else if (d->kind == RESOURCE_CONNECTION) {
			check_connection(&in, r, d);
		} else {
			check_transformation(&in, r, d);
		}
		tally(out, d);
	}
	out->drift = !out->group_exists || out->drifted || out->missing || out->broken;
}

void drift_report_free(struct drift_report *r)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		differ_free_differences(r->items[i].differences, r->items[i].n_differences);
	free(r->items);
	memset(r, 0, sizeof *r);
}

const char *drift_state_name(enum drift_state s)
{
	static const char *const names[] = {
		[DRIFT_OK] = "ok",           [DRIFT_DRIFTED] = "drifted", [DRIFT_RENAMED] = "renamed",
		[DRIFT_DELETED] = "deleted", [DRIFT_MOVED] = "moved",
		[DRIFT_NOT_CHECKED] = "not_checked",
	};

	return names[s];
}

const char *drift_basis_name(enum drift_basis b)
{
	return b == DRIFT_COMPARED_WITH_SENT ? "sent" : b == DRIFT_COMPARED_WITH_PLAN ? "plan" : NULL;
}
