/*
 * differ.c — the diff of SPEC §2 (see differ.h for the rules).
 *
 * Connections are compared through the exact body apply would send
 * (plan_connection_request), so the comparison and the create can never
 * disagree about names or blanked secrets. Transformations are decided after
 * all connections, because whether one already exists depends on the live
 * ids of its dependency connections.
 */
#include "differ/differ.h"
#include "differ/differ-internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog/catalog.h"
#include "lib/buf.h"

const char REASON_ALREADY_EXISTS[] = "ALREADY_EXISTS";
const char REASON_NAME_TAKEN_CONFIG_DIFFERS[] = "NAME_TAKEN_CONFIG_DIFFERS";
const char REASON_MISSING_DEPENDENCY[] = "MISSING_DEPENDENCY";
const char REASON_DEPENDENCY_SKIPPED[] = "DEPENDENCY_SKIPPED";
const char REASON_NO_DEPENDENCIES[] = "NO_DEPENDENCIES";

/* A number and a string are equal when the string is the number's decimal
 * text ("5432" == 5432, "1.50" == 1.5). */
static bool number_text_equal(const char *number, const struct value *s)
{
	char *end;
	double a, b;

	if (!strcmp(number, s->u.str.ptr))
		return true;
	if (s->u.str.len == 0)
		return false;
	b = strtod(s->u.str.ptr, &end);
	if (*end || end != s->u.str.ptr + s->u.str.len)
		return false;
	a = strtod(number, NULL);
	return a == b;
}

static bool loose_equal(const struct value *a, const struct value *b);

static bool loose_object_equal(const struct value *a, const struct value *b)
{
	size_t i;

	if (a->u.obj.n != b->u.obj.n)
		return false;
	for (i = 0; i < a->u.obj.n; i++)
		if (!loose_equal(a->u.obj.items[i].val, value_get(b, a->u.obj.items[i].key)))
			return false;
	return true;
}

static bool loose_equal(const struct value *a, const struct value *b)
{
	size_t i;

	if (!a || !b)
		return a == b;
	if (a->type == VALUE_NUMBER && b->type == VALUE_STRING)
		return number_text_equal(a->u.number, b);
	if (a->type == VALUE_STRING && b->type == VALUE_NUMBER)
		return number_text_equal(b->u.number, a);
	if (a->type != b->type)
		return false;
	if (a->type == VALUE_OBJECT)
		return loose_object_equal(a, b);
	if (a->type != VALUE_ARRAY)
		return value_equal(a, b);
	if (a->u.arr.n != b->u.arr.n)
		return false;
	for (i = 0; i < a->u.arr.n; i++)
		if (!loose_equal(a->u.arr.items[i], b->u.arr.items[i]))
			return false;
	return true;
}

void differ_add_difference(struct difference **list, size_t *n, const char *path,
			   const struct value *plan, const struct value *live)
{
	struct difference *d;

	*list = xrealloc(*list, (*n + 1) * sizeof *d);
	d = &(*list)[(*n)++];
	d->path = xstrdup(path);
	d->plan = value_clone(plan);
	d->live = live ? value_clone(live) : NULL;
}

void differ_free_differences(struct difference *list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(list[i].path);
		value_free(list[i].plan);
		value_free(list[i].live);
	}
	free(list);
}

static void add_difference(struct action *a, const char *path, const struct value *plan,
			   const struct value *live)
{
	differ_add_difference(&a->differences, &a->n_differences, path, plan, live);
}

static bool is_blank(const struct value *v)
{
	return v->type == VALUE_STRING && v->u.str.len == 0;
}

/* Does the connection carry its name in this config key? Those keys are set
 * from target_name by the body and the name already matched, so comparing
 * them again could only find the forms Fivetran stores a name in: the
 * answers carry none of them in config (no {service}_ConnectorResponseV1
 * includes a schema_format_*). Which they are is the naming format the body
 * uses (the service's, or for one the catalog does not know the plan's). */
static bool is_naming_key(const struct plan_connection *c, const char *key)
{
	const char *const *k;

	for (k = catalog_naming_keys(plan_connection_naming(c)); *k; k++)
		if (!strcmp(*k, key))
			return true;
	return false;
}

/* Does the answer carry this config key of the service when it holds a
 * value? Every key of {service}_config_V1 is in its
 * {service}_ConnectorResponseV1, so one sent and absent live was lost or
 * removed: a difference. A key the definition does not list (the catalog
 * warns of it at plan time) may be dropped by the API, so its absence says
 * nothing. A service the catalog does not know: assume echoed. */
static bool is_echoed(const struct plan_connection *c, const char *key)
{
	const struct catalog_service *s = catalog_service(c->source_service);

	return !s || catalog_config_key(s, key);
}

/* Every key of `sent` (what apply would send) against `live`; c is given at
 * the top of config, where the naming keys are. */
static void compare_mapping(struct action *a, const struct plan_connection *c, const char *prefix,
			    const struct value *sent, const struct value *live)
{
	struct buf path = BUF_INIT;
	size_t i;

	for (i = 0; i < sent->u.obj.n; i++) {
		const struct member *m = &sent->u.obj.items[i];
		const struct value *lv = value_get(live, m->key);

		if (is_blank(m->val) || plan_value_is_masked(lv))
			continue; /* credential, or a secret we cannot see */
		if (c && (is_naming_key(c, m->key) || (!lv && !is_echoed(c, m->key))))
			continue;
		buf_reset(&path);
		buf_printf(&path, "%s.%s", prefix, m->key);
		if (lv && m->val->type == VALUE_OBJECT && lv->type == VALUE_OBJECT)
			compare_mapping(a, NULL, path.data, m->val, lv);
		else if (!loose_equal(m->val, lv))
			add_difference(a, path.data, m->val, lv);
	}
	buf_free(&path);
}

/* Top-level members of the body that say how apply creates, not what the
 * user meant: never compared. (service is compared on its own, config key
 * by key.) */
static bool is_setting(const char *key)
{
	static const char *const fixed[] = { "group_id", "service", "run_setup_tests", "paused",
					     "config" };
	size_t i;

	for (i = 0; i < sizeof fixed / sizeof *fixed; i++)
		if (!strcmp(key, fixed[i]))
			return false;
	return true;
}

/* The settings the body sends at the top level against the item's top-level
 * fields. One the item does not report is not compared (the list does not
 * echo every create field). */
static void compare_settings(struct action *a, const struct value *body, const struct value *item)
{
	size_t i;

	for (i = 0; i < body->u.obj.n; i++) {
		const struct member *m = &body->u.obj.items[i];
		const struct value *lv = value_get(item, m->key);

		if (!is_setting(m->key) || !lv)
			continue;
		if (m->val->type == VALUE_OBJECT && lv->type == VALUE_OBJECT)
			compare_mapping(a, NULL, m->key, m->val, lv);
		else if (!loose_equal(m->val, lv))
			add_difference(a, m->key, m->val, lv);
	}
}

static const char *live_string(const struct value *item, const char *key)
{
	return value_get_string(item, key);
}

/* Live connections by name, sorted, so each planned connection is found in
 * O(log n): a plan of 1,000 against a group of 5,000 is a few thousand string
 * compares instead of five million. */
struct name_entry {
	const char *name;
	const struct value *item;
	size_t order; /* list position: the first of equal names wins */
};

struct name_index {
	struct name_entry *entries;
	size_t n;
};

static int compare_entries(const void *a, const void *b)
{
	const struct name_entry *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c ? c : (x->order > y->order) - (x->order < y->order);
}

static const struct name_entry *entry_find(const struct name_entry *entries, size_t n,
					   const char *name)
{
	size_t lo = 0, hi = n;

	while (lo < hi) { /* first entry whose name is >= name */
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(entries[mid].name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && !strcmp(entries[lo].name, name) ? &entries[lo] : NULL;
}

static void index_connections(const struct live_state *live, struct name_index *idx)
{
	size_t i, n = live->connections ? live->connections->u.arr.n : 0;

	idx->entries = xcalloc(n + 1, sizeof *idx->entries);
	idx->n = 0;
	for (i = 0; i < n; i++) {
		const struct value *item = live->connections->u.arr.items[i];
		const char *schema = live_string(item, "schema");
		if (schema)
			idx->entries[idx->n++] = (struct name_entry){ schema, item, i };
	}
	qsort(idx->entries, idx->n, sizeof *idx->entries, compare_entries);
}

static const struct value *index_find(const struct name_index *idx, const char *name)
{
	const struct name_entry *e = entry_find(idx->entries, idx->n, name);

	return e ? e->item : NULL;
}

static void set_id(struct action *a, const struct value *item)
{
	const char *id = live_string(item, "id");

	free(a->id);
	a->id = id ? xstrdup(id) : NULL;
}

void differ_compare_connection(const struct plan_connection *c, const char *group_id,
			       const struct value *item, struct action *a)
{
	const char *service = live_string(item, "service");
	struct value *body = plan_connection_request(c, group_id);
	struct value *service_plan = value_new_cstring(c->source_service);
	const struct value *live_config = value_get(item, "config");

	if (!service || strcmp(service, c->source_service))
		add_difference(a, "service", service_plan, value_get(item, "service"));
	compare_mapping(a, c, "config", value_get(body, "config"),
			live_config && live_config->type == VALUE_OBJECT ? live_config : NULL);
	compare_settings(a, body, item);
	value_free(service_plan);
	value_free(body);
	set_id(a, item);
	a->action = a->n_differences ? ACTION_SKIP : ACTION_NOOP;
	a->reason = a->n_differences ? REASON_NAME_TAKEN_CONFIG_DIFFERS : REASON_ALREADY_EXISTS;
}

/* What ccapply.lock says ccapply created, by name (entries whose item is
 * NULL, order their position in ids), and the live connections by id, so
 * both look-ups are O(log n). */
struct created_index {
	struct name_entry *by_name;    /* name: a recorded target_name; id in ids[order] */
	const char **ids;
	size_t n;
	struct name_entry *live_by_id; /* name: a live item's id */
	size_t n_live;
};

static void index_created(const struct state *recorded, const struct live_state *live,
			  struct created_index *idx)
{
	size_t i, n_recorded = recorded ? recorded->n_resources : 0;
	size_t n_live = live->connections ? live->connections->u.arr.n : 0;

	memset(idx, 0, sizeof *idx);
	idx->by_name = xcalloc(n_recorded + 1, sizeof *idx->by_name);
	idx->ids = xcalloc(n_recorded + 1, sizeof *idx->ids);
	for (i = 0; i < n_recorded; i++) {
		const struct state_resource *r = &recorded->resources[i];
		if (r->outcome != OUTCOME_CREATED || r->kind != RESOURCE_CONNECTION || !r->name ||
		    !r->id)
			continue;
		idx->ids[idx->n] = r->id;
		idx->by_name[idx->n] = (struct name_entry){ r->name, NULL, idx->n };
		idx->n++;
	}
	qsort(idx->by_name, idx->n, sizeof *idx->by_name, compare_entries);
	idx->live_by_id = xcalloc(idx->n ? n_live + 1 : 1, sizeof *idx->live_by_id);
	for (i = 0; idx->n && i < n_live; i++) {
		const struct value *item = live->connections->u.arr.items[i];
		const char *id = live_string(item, "id");
		if (id)
			idx->live_by_id[idx->n_live++] = (struct name_entry){ id, item, i };
	}
	qsort(idx->live_by_id, idx->n_live, sizeof *idx->live_by_id, compare_entries);
}

static void created_index_free(struct created_index *idx)
{
	free(idx->by_name);
	free(idx->ids);
	free(idx->live_by_id);
}

/* The live item ccapply.lock records as created for this connection, when
 * the group still holds that id. */
static const struct value *created_item(const struct created_index *idx,
					const struct plan_connection *c)
{
	const struct name_entry *e = entry_find(idx->by_name, idx->n, c->target_name);

	e = e ? entry_find(idx->live_by_id, idx->n_live, idx->ids[e->order]) : NULL;
	return e ? e->item : NULL;
}

static void diff_connection(const struct plan *plan, size_t index, const struct name_index *by_name,
			    const struct created_index *created, const char *group_id,
			    struct action *a)
{
	const struct plan_connection *c = &plan->connections[index];
	char *api_name = plan_connection_api_name(c);
	const struct value *item = index_find(by_name, api_name);
	const struct value *ours = created_item(created, c);

	free(api_name);

	a->kind = RESOURCE_CONNECTION;
	a->plan_index = index;
	a->name = xstrdup(c->target_name);
	a->source_id = xstrdup(c->source_id);
	a->service = xstrdup(c->source_service);
	if (ours) { /* ccapply made it: whatever was changed since is the user's */
		set_id(a, ours);
		a->action = ACTION_NOOP;
		a->reason = REASON_ALREADY_EXISTS;
	} else if (item) {
		differ_compare_connection(c, group_id, item, a);
	} else {
		a->action = ACTION_CREATE;
	}
}

static void add_missing(struct action *a, const char *source_id)
{
	a->missing = xrealloc(a->missing, (a->n_missing + 1) * sizeof *a->missing);
	a->missing[a->n_missing++] = xstrdup(source_id);
}

bool differ_same_ids(const struct value *ids, char *const *want, size_t n)
{
	size_t i, j;

	if (!ids || ids->type != VALUE_ARRAY || ids->u.arr.n != n)
		return false;
	for (i = 0; i < n; i++) {
		for (j = 0; j < n; j++) {
			const struct value *v = ids->u.arr.items[j];
			if (v->type == VALUE_STRING && !strcmp(v->u.str.ptr, want[i]))
				break;
		}
		if (j == n)
			return false;
	}
	return true;
}

static const struct value *find_live_transformation(const struct live_state *live,
						    const char *package, char **ids, size_t n)
{
	size_t i;

	for (i = 0; live->transformations && i < live->transformations->u.arr.n; i++) {
		const struct value *t = live->transformations->u.arr.items[i];
		const struct value *cfg = value_get(t, "transformation_config");
		const char *type = live_string(t, "type");
		const char *name = value_get_string(cfg, "package_name");
		if (type && !strcmp(type, "QUICKSTART") && name && !strcmp(name, package) &&
		    differ_same_ids(value_get(cfg, "connection_ids"), ids, n))
			return t;
	}
	return NULL;
}

/* connection_actions: the first plan->n_connections actions, in plan order. */
static void diff_transformation(const struct plan *plan, size_t index,
				const struct live_state *live,
				const struct action *connection_actions, struct action *a)
{
	const struct plan_package *pkg = &plan->packages[index];
	char **live_ids = xcalloc(pkg->n_depends_on + 1, sizeof *live_ids);
	bool all_live = true, skipped = false;
	const struct value *t;
	size_t i;

	a->kind = RESOURCE_TRANSFORMATION;
	a->plan_index = index;
	a->name = xstrdup(plan_package_name(pkg));
	a->source_id = pkg->source_transformation_id ? xstrdup(pkg->source_transformation_id) : NULL;
	a->depends_on = xcalloc(pkg->n_depends_on + 1, sizeof *a->depends_on);
	for (i = 0; i < pkg->n_depends_on; i++) {
		const struct plan_connection *c = plan_find_connection(plan, pkg->depends_on[i]);
		const struct action *dep;

		a->depends_on[a->n_depends_on++] = xstrdup(pkg->depends_on[i]);
		if (!c) {
			add_missing(a, pkg->depends_on[i]);
			continue;
		}
		dep = &connection_actions[c - plan->connections];
		skipped = skipped || dep->action == ACTION_SKIP;
		if (dep->action == ACTION_NOOP && dep->id)
			live_ids[i] = dep->id;
		else
			all_live = false;
	}
	a->action = ACTION_CREATE;
	if (!pkg->n_depends_on) { /* a package on no connection cannot be installed */
		a->action = ACTION_SKIP;
		a->reason = REASON_NO_DEPENDENCIES;
	} else if (a->n_missing) {
		a->action = ACTION_SKIP;
		a->reason = REASON_MISSING_DEPENDENCY;
	} else if (skipped) {
		a->action = ACTION_SKIP;
		a->reason = REASON_DEPENDENCY_SKIPPED;
	} else if (all_live &&
		   (t = find_live_transformation(live, pkg->package_name, live_ids,
						 pkg->n_depends_on))) {
		a->action = ACTION_NOOP;
		a->reason = REASON_ALREADY_EXISTS;
		a->id = live_string(t, "id") ? xstrdup(live_string(t, "id")) : NULL;
	}
	free(live_ids);
}

static void count(struct action_list *list)
{
	size_t i;

	for (i = 0; i < list->n; i++) {
		enum action_kind k = list->items[i].action;
		list->n_create += k == ACTION_CREATE;
		list->n_noop += k == ACTION_NOOP;
		list->n_skip += k == ACTION_SKIP;
	}
}

int differ_diff(const struct plan *plan, const struct live_state *live,
		const struct state *recorded, struct action_list *out, struct err *err)
{
	size_t i, n = plan->n_connections + plan->n_packages;
	struct name_index by_name;
	struct created_index created;

	(void)err;
	memset(out, 0, sizeof *out);
	out->items = xcalloc(n + 1, sizeof *out->items);
	index_connections(live, &by_name);
	index_created(recorded, live, &created);
	for (i = 0; i < plan->n_connections; i++)
		diff_connection(plan, i, &by_name, &created, live->group_id,
				&out->items[out->n++]);
	free(by_name.entries);
	created_index_free(&created);
	for (i = 0; i < plan->n_packages; i++)
		diff_transformation(plan, i, live, out->items, &out->items[out->n++]);
	count(out);
	return 0;
}

void action_clear(struct action *a)
{
	size_t i;

	free(a->name);
	free(a->id);
	free(a->source_id);
	free(a->service);
	for (i = 0; i < a->n_depends_on; i++)
		free(a->depends_on[i]);
	free(a->depends_on);
	for (i = 0; i < a->n_missing; i++)
		free(a->missing[i]);
	free(a->missing);
	differ_free_differences(a->differences, a->n_differences);
	memset(a, 0, sizeof *a);
}

void action_list_free(struct action_list *list)
{
	size_t i;

	for (i = 0; i < list->n; i++)
		action_clear(&list->items[i]);
	free(list->items);
	memset(list, 0, sizeof *list);
}

void differ_live_state_free(struct live_state *live)
{
	free(live->group_id);
	free(live->group_name);
	free(live->source_group_name);
	value_free(live->connections);
	value_free(live->transformations);
	value_free(live->elsewhere);
	value_free(live->other_groups);
	memset(live, 0, sizeof *live);
}

const struct value *differ_live_find_by_id(const struct value *items, const char *id)
{
	size_t i;

	for (i = 0; items && i < items->u.arr.n; i++) {
		const char *item_id = value_get_string(items->u.arr.items[i], "id");
		if (item_id && !strcmp(item_id, id))
			return items->u.arr.items[i];
	}
	return NULL;
}

const char *action_kind_name(enum action_kind a)
{
	return a == ACTION_CREATE ? "create" : a == ACTION_NOOP ? "noop" : "skip";
}
