/*
 * store.c — the simulated Fivetran account (see sim.h).
 *
 * Each resource is kept as the very object the API returns for it, so every
 * read endpoint is "filter, paginate, write the objects" and the shape is
 * fixed once, when the object enters the store (seed or create), by
 * sim_connection_complete() and friends. Lists are plain arrays in creation
 * order, searched linearly: accounts in tests hold tens of resources.
 */
#include "sim/sim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog/catalog.h"
#include "lib/json.h"

/* ------------------------------------------------------------ objects */

static struct member *obj_member(struct value *obj, const char *key)
{
	size_t i, len = strlen(key);

	for (i = 0; i < obj->u.obj.n; i++) {
		struct member *m = &obj->u.obj.items[i];

		if (m->keylen == len && !memcmp(m->key, key, len))
			return m;
	}
	return NULL;
}

void sim_obj_set(struct value *obj, const char *key, struct value *val)
{
	struct member *m = obj_member(obj, key);

	if (m) {
		value_free(m->val);
		m->val = val;
		return;
	}
	value_object_put_c(obj, key, val);
}

void sim_obj_default(struct value *obj, const char *key, struct value *val)
{
	if (obj_member(obj, key)) {
		value_free(val);
		return;
	}
	value_object_put_c(obj, key, val);
}

void sim_obj_remove(struct value *obj, const char *key)
{
	struct member *m = obj_member(obj, key);
	size_t i;

	if (!m)
		return;
	i = (size_t)(m - obj->u.obj.items);
	free(m->key);
	value_free(m->val);
	memmove(m, m + 1, (obj->u.obj.n - i - 1) * sizeof *m);
	obj->u.obj.n--;
}

/* -------------------------------------------------------------- lists */

void sim_list_add(struct sim_list *l, struct value *obj, char *group_id)
{
	l->items = xgrow(l->items, &l->cap, l->n + 1, sizeof *l->items);
	l->items[l->n].obj = obj;
	l->items[l->n].group_id = group_id;
	l->n++;
}

struct sim_item *sim_list_find(const struct sim_list *l, const char *id)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		const char *have = value_get_string(l->items[i].obj, "id");

		if (have && !strcmp(have, id))
			return &l->items[i];
	}
	return NULL;
}

struct sim_item *sim_store_find_connection(const struct sim_store *s, const char *group_id,
					   const char *schema)
{
	size_t i;

	for (i = 0; i < s->connections.n; i++) {
		const struct value *c = s->connections.items[i].obj;
		const char *g = value_get_string(c, "group_id");
		const char *name = value_get_string(c, "schema");

		if (g && name && !strcmp(g, group_id) && !strcmp(name, schema))
			return &s->connections.items[i];
	}
	return NULL;
}

static void list_free(struct sim_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		value_free(l->items[i].obj);
		free(l->items[i].group_id);
	}
	free(l->items);
	memset(l, 0, sizeof *l);
}

void sim_store_init(struct sim_store *s, const char *clock)
{
	memset(s, 0, sizeof *s);
	s->clock = xstrdup(clock);
}

void sim_store_free(struct sim_store *s)
{
	list_free(&s->groups);
	list_free(&s->destinations);
	list_free(&s->connections);
	list_free(&s->transformations);
	list_free(&s->packages);
	free(s->clock);
	s->clock = NULL;
}

/* ---------------------------------------------------------------- ids */

static const char *const id_adjectives[16] = {
	"able", "brave", "calm", "daring", "eager", "fair", "gentle", "happy",
	"jolly", "keen", "lively", "merry", "noble", "proud", "quiet", "swift",
};
static const char *const id_animals[16] = {
	"otter", "badger", "falcon", "heron", "lynx", "marten", "osprey", "puffin",
	"raven", "salmon", "tapir", "walrus", "wombat", "yak", "zebra", "bison",
};
static const char *const id_trees[16] = {
	"acorn", "birch", "cedar", "elm", "fern", "hazel", "ivy", "juniper",
	"larch", "maple", "oak", "pine", "rowan", "spruce", "willow", "yew",
};

/* The n-th id of a kind: adjective_noun for the first 256, then _2, _3 … */
static char *nth_id(const char *const nouns[16], unsigned long n)
{
	struct buf b = BUF_INIT;

	buf_printf(&b, "%s_%s", id_adjectives[n % 16], nouns[(n / 16) % 16]);
	if (n >= 256)
		buf_printf(&b, "_%lu", n / 256 + 1);
	return buf_detach(&b);
}

static char *new_id(struct sim_store *s, const char *const nouns[16], unsigned long *seq)
{
	for (;;) {
		char *id = nth_id(nouns, (*seq)++);

		if (!sim_list_find(&s->connections, id) && !sim_list_find(&s->transformations, id))
			return id;
		free(id);
	}
}

char *sim_store_new_connection_id(struct sim_store *s)
{
	return new_id(s, id_animals, &s->conn_seq);
}

char *sim_store_new_transformation_id(struct sim_store *s)
{
	return new_id(s, id_trees, &s->trans_seq);
}

/* -------------------------------------------------------- credentials */

static bool is_blank(const struct value *v)
{
	return v->type == VALUE_NULL || (v->type == VALUE_STRING && v->u.str.len == 0);
}

/* Is key a credential of service s (NULL: of no particular service)? The
 * service's own "format": "password" marks at any depth; a key the service
 * does not declare (or any key, without a service) when some service marks a
 * property of that name. */
static bool is_credential(const struct catalog_service *s, const struct member *m)
{
	if (catalog_service_has_credential(s, m->key))
		return true;
	if (s && catalog_config_key(s, m->key))
		return false;
	return catalog_is_credential_name(m->key, m->keylen);
}

static void mask_value(const struct catalog_service *s, struct value *v)
{
	size_t i;

	if (v->type == VALUE_OBJECT) {
		sim_mask_credentials(s, v);
	} else if (v->type == VALUE_ARRAY) {
		for (i = 0; i < v->u.arr.n; i++)
			mask_value(s, v->u.arr.items[i]);
	}
}

void sim_mask_credentials(const struct catalog_service *s, struct value *config)
{
	size_t i;

	if (!config || config->type != VALUE_OBJECT)
		return;
	for (i = 0; i < config->u.obj.n; i++) {
		struct member *m = &config->u.obj.items[i];

		if (is_credential(s, m) && !is_blank(m->val)) {
			value_free(m->val);
			m->val = value_new_cstring(SIM_MASK);
		} else {
			mask_value(s, m->val);
		}
	}
}

/* --------------------------------------------------------- connections */

static void status_complete(struct value *status, bool fresh, bool paused)
{
	sim_obj_default(status, "setup_state",
			value_new_cstring(fresh ? "incomplete" : "connected"));
	sim_obj_default(status, "sync_state", value_new_cstring(paused ? "paused" : "scheduled"));
	sim_obj_default(status, "update_state", value_new_cstring("on_schedule"));
	sim_obj_default(status, "is_historical_sync", value_new_bool(fresh));
	sim_obj_default(status, "tasks", value_new_array());
	sim_obj_default(status, "warnings", value_new_array());
}

void sim_connection_complete(struct value *obj, const struct catalog_service *s,
			     const char *clock, bool fresh)
{
	const struct value *paused;
	struct value *status;

	sim_obj_default(obj, "paused", value_new_bool(fresh));
	paused = value_get(obj, "paused");
	sim_obj_default(obj, "pause_after_trial", value_new_bool(false));
	sim_obj_default(obj, "connected_by", value_new_cstring(SIM_USER_ID));
	sim_obj_default(obj, "created_at", value_new_cstring(clock));
	sim_obj_default(obj, "service_version", value_new_number("1"));
	sim_obj_default(obj, "sync_frequency", value_new_number("360"));
	sim_obj_default(obj, "schedule_type", value_new_cstring("auto"));
	sim_obj_default(obj, "data_delay_sensitivity", value_new_cstring("NORMAL"));
	sim_obj_default(obj, "data_delay_threshold", value_new_number("0"));
	sim_obj_default(obj, "status", value_new_object());
	status = value_get_mut(obj, "status");
	status_complete(status, fresh, paused->type == VALUE_BOOL && paused->u.boolean);
	sim_obj_default(obj, "config", value_new_object());
	sim_service_fill_read_only(s, value_get_mut(obj, "config"), value_get_string(obj, "id"));
	sim_mask_credentials(s, value_get_mut(obj, "config"));
}

/* -------------------------------------------------------- field checks */

static const char *const delay_sensitivities[] = {
	"LOW", "NORMAL", "HIGH", "CUSTOM", "SYNC_FREQUENCY", NULL,
};
static const char *const response_networking[] = {
	"Directly", "SshTunnel", "PrivateLink", "ProxyAgent", "UnmanagedProxyAgent", "Unknown",
	NULL,
};
static const char *const schema_namings[] = { "FIVETRAN_NAMING", "SOURCE_NAMING", NULL };

const struct sim_field sim_connection_fields[] = {
	{ "id", SIM_FT_STRING, NULL },
	{ "group_id", SIM_FT_STRING, NULL },
	{ "service", SIM_FT_STRING, NULL },
	{ "schema", SIM_FT_STRING, NULL },
	{ "paused", SIM_FT_BOOL, NULL },
	{ "pause_after_trial", SIM_FT_BOOL, NULL },
	{ "connected_by", SIM_FT_STRING_OR_NULL, NULL },
	{ "created_at", SIM_FT_STRING, NULL },
	{ "succeeded_at", SIM_FT_STRING_OR_NULL, NULL },
	{ "failed_at", SIM_FT_STRING_OR_NULL, NULL },
	{ "service_version", SIM_FT_INT, NULL },
	{ "sync_frequency", SIM_FT_SYNC_FREQUENCY, NULL },
	{ "schedule_type", SIM_FT_STRING, NULL },
	{ "data_delay_sensitivity", SIM_FT_STRING, delay_sensitivities },
	{ "data_delay_threshold", SIM_FT_INT, NULL },
	{ "daily_sync_time", SIM_FT_STRING_OR_NULL, NULL },
	{ "networking_method", SIM_FT_STRING, response_networking },
	{ "status", SIM_FT_OBJECT, NULL },
	{ "config", SIM_FT_OBJECT, NULL },
	{ "setup_tests", SIM_FT_ARRAY, NULL },
	{ "private_link_id", SIM_FT_STRING, NULL },
	{ "proxy_agent_id", SIM_FT_STRING, NULL },
	{ "hybrid_deployment_agent_id", SIM_FT_STRING, NULL },
	{ "destination_schema_names", SIM_FT_STRING, schema_namings },
	{ "external_secrets_manager_id", SIM_FT_STRING, NULL },
	{ "external_secrets_keys_config", SIM_FT_OBJECT, NULL },
	{ "source_sync_details", SIM_FT_OBJECT, NULL },
	{ "connect_card", SIM_FT_OBJECT, NULL },
	{ "connect_card_config", SIM_FT_OBJECT, NULL },
	{ "destination_configuration", SIM_FT_OBJECT, NULL },
};
const size_t sim_connection_nfields =
	sizeof sim_connection_fields / sizeof sim_connection_fields[0];

static const char *const schedule_types[] = {
	"INTEGRATED", "TIME_OF_DAY", "INTERVAL", "CRON", NULL,
};

const struct sim_field sim_schedule_fields[] = {
	{ "schedule_type", SIM_FT_STRING, schedule_types },
	{ "cron", SIM_FT_ARRAY, NULL },
	{ "interval", SIM_FT_INT, NULL },
	{ "days_of_week", SIM_FT_ARRAY, NULL },
	{ "time_of_day", SIM_FT_STRING, NULL },
	{ "connection_ids", SIM_FT_ARRAY, NULL },
	{ "transformation_ids", SIM_FT_ARRAY, NULL },
	{ "smart_syncing", SIM_FT_BOOL, NULL },
};
const size_t sim_schedule_nfields = sizeof sim_schedule_fields / sizeof sim_schedule_fields[0];

const struct sim_field sim_quickstart_fields[] = {
	{ "package_name", SIM_FT_STRING, NULL },
	{ "connection_ids", SIM_FT_ARRAY, NULL },
	{ "excluded_models", SIM_FT_ARRAY, NULL },
	{ "upgrade_available", SIM_FT_BOOL, NULL },
	{ "configurable_variables", SIM_FT_OBJECT, NULL },
};
const size_t sim_quickstart_nfields =
	sizeof sim_quickstart_fields / sizeof sim_quickstart_fields[0];

static bool is_integer_text(const char *t)
{
	size_t i = t[0] == '-' ? 1 : 0, digits = 0;

	for (; t[i]; i++, digits++) {
		if (t[i] < '0' || t[i] > '9')
			return false;
	}
	return digits > 0 && digits <= 9;
}

static bool is_sync_frequency(const struct value *v)
{
	static const char *const allowed[] = {
		"1", "5", "15", "30", "60", "120", "180", "360", "480", "720", "1440",
	};
	size_t i;

	if (v->type != VALUE_NUMBER)
		return false;
	for (i = 0; i < sizeof allowed / sizeof allowed[0]; i++) {
		if (!strcmp(v->u.number, allowed[i]))
			return true;
	}
	return false;
}

static const char *type_expectation(enum sim_field_type t)
{
	switch (t) {
	case SIM_FT_STRING: return "a string";
	case SIM_FT_STRING_OR_NULL: return "a string or null";
	case SIM_FT_BOOL: return "true or false";
	case SIM_FT_INT: return "an integer";
	case SIM_FT_OBJECT: return "an object";
	case SIM_FT_ARRAY: return "an array";
	case SIM_FT_ANY: return "a value";
	case SIM_FT_SYNC_FREQUENCY:
		return "one of the integers 1, 5, 15, 30, 60, 120, 180, 360, 480, 720, 1440";
	}
	return "?";
}

static bool type_ok(const struct value *v, enum sim_field_type t)
{
	switch (t) {
	case SIM_FT_STRING: return v->type == VALUE_STRING;
	case SIM_FT_STRING_OR_NULL: return v->type == VALUE_STRING || v->type == VALUE_NULL;
	case SIM_FT_BOOL: return v->type == VALUE_BOOL;
	case SIM_FT_INT: return v->type == VALUE_NUMBER && is_integer_text(v->u.number);
	case SIM_FT_OBJECT: return v->type == VALUE_OBJECT;
	case SIM_FT_ARRAY: return v->type == VALUE_ARRAY;
	case SIM_FT_ANY: return true;
	case SIM_FT_SYNC_FREQUENCY: return is_sync_frequency(v);
	}
	return false;
}

static bool choice_ok(const struct value *v, const char *const *choices)
{
	for (; *choices; choices++) {
		if (!strcmp(v->u.str.ptr, *choices))
			return true;
	}
	return false;
}

static void describe_choices(struct buf *b, const char *const *choices)
{
	const char *sep = "";

	for (; *choices; choices++) {
		buf_printf(b, "%s%s", sep, *choices);
		sep = ", ";
	}
}

static const struct sim_field *find_spec(const struct sim_field *specs, size_t n,
					 const char *name)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (!strcmp(specs[i].name, name))
			return &specs[i];
	}
	return NULL;
}

const struct value *sim_check_fields(const struct value *obj, const struct sim_field *specs,
				     size_t n, bool reject_unknown, struct err *err)
{
	size_t i;

	for (i = 0; i < obj->u.obj.n; i++) {
		const struct member *m = &obj->u.obj.items[i];
		const struct sim_field *f = find_spec(specs, n, m->key);

		if (!f) {
			if (!reject_unknown)
				continue;
			err_set(err, "unknown field '%s'", m->key);
			return obj;
		}
		if (!type_ok(m->val, f->type)) {
			err_set(err, "field '%s' must be %s", f->name, type_expectation(f->type));
			return m->val;
		}
		if (f->choices && m->val->type == VALUE_STRING && !choice_ok(m->val, f->choices)) {
			struct buf b = BUF_INIT;

			describe_choices(&b, f->choices);
			err_set(err, "field '%s' must be one of %s", f->name, buf_str(&b));
			buf_free(&b);
			return m->val;
		}
	}
	return NULL;
}

/* -------------------------------------------------------------- state */

static void write_list(struct json_writer *w, const char *name, const struct sim_list *l)
{
	size_t i, j;

	jw_key(w, name);
	jw_array_begin(w);
	for (i = 0; i < l->n; i++) {
		const struct value *obj = l->items[i].obj;

		jw_object_begin(w);
		for (j = 0; j < obj->u.obj.n; j++) {
			jw_key(w, obj->u.obj.items[j].key);
			jw_value(w, obj->u.obj.items[j].val);
		}
		if (l->items[i].group_id) {
			jw_key(w, "group_id");
			jw_string(w, l->items[i].group_id);
		}
		jw_object_end(w);
	}
	jw_array_end(w);
}

void sim_store_write_state(const struct sim_store *s, struct buf *out)
{
	struct json_writer w;

	jw_init(&w, out, JSON_PRETTY);
	jw_object_begin(&w);
	write_list(&w, "groups", &s->groups);
	write_list(&w, "destinations", &s->destinations);
	write_list(&w, "connections", &s->connections);
	write_list(&w, "transformations", &s->transformations);
	write_list(&w, "package_metadata", &s->packages);
	jw_object_end(&w);
	buf_putc(out, '\n');
}
