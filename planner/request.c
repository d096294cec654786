/*
 * request.c — the exact create bodies SPEC §3 prescribes, built from the plan
 * model. One place decides what is sent, so `plan` compares, `apply` sends
 * and the state file digests the same bytes. Key order is fixed, so the
 * canonical JSON of a body is stable across runs.
 */
#include <string.h>

#include "lib/buf.h"
#include "planner/planner.h"

bool value_is_masked(const struct value *v)
{
	size_t i;

	if (!v || v->type != VALUE_STRING || v->u.str.len == 0)
		return false;
	for (i = 0; i < v->u.str.len; i++)
		if (v->u.str.ptr[i] != '*')
			return false;
	return true;
}

const char *plan_connection_name_key(const struct plan_connection *c)
{
	return value_get(c->config, "schema_prefix") ? "schema_prefix" : "schema";
}

/* The table a schema.table connector names itself after, or NULL. */
static const char *table_suffix(const struct plan_connection *c)
{
	static const char *const keys[] = { "table", "table_group_name" };
	size_t i;

	if (value_get(c->config, "schema_prefix"))
		return NULL;
	for (i = 0; i < sizeof keys / sizeof *keys; i++) {
		const char *table = value_get_string(c->config, keys[i]);
		if (table && *table)
			return table;
	}
	return NULL;
}

/* Does target_name end in ".<table>" with something before the dot? */
static bool names_its_table(const char *target_name, const char *table)
{
	size_t n = strlen(target_name), t = strlen(table);

	return n > t + 1 && target_name[n - t - 1] == '.' && !strcmp(target_name + n - t, table);
}

char *plan_connection_api_name(const struct plan_connection *c)
{
	const char *table = table_suffix(c);
	struct buf name = BUF_INIT;

	buf_puts(&name, c->target_name);
	if (table && !names_its_table(c->target_name, table))
		buf_printf(&name, ".%s", table);
	return buf_detach(&name);
}

/* The value the name key is sent with: target_name without the ".<table>"
 * Fivetran adds itself. */
static struct value *sent_name(const struct plan_connection *c)
{
	const char *table = table_suffix(c);

	if (table && names_its_table(c->target_name, table))
		return value_new_string(c->target_name, strlen(c->target_name) - strlen(table) - 1);
	return value_new_cstring(c->target_name);
}

/* Blank every credential field and every masked value, at any depth. */
static void blank_secrets(const struct plan_connection *c, struct value *v)
{
	size_t i;

	if (v->type == VALUE_ARRAY) {
		for (i = 0; i < v->u.arr.n; i++)
			blank_secrets(c, v->u.arr.items[i]);
		return;
	}
	if (v->type != VALUE_OBJECT)
		return;
	for (i = 0; i < v->u.obj.n; i++) {
		struct member *m = &v->u.obj.items[i];
		if (plan_is_credential_field(c, m->key) || value_is_masked(m->val)) {
			value_free(m->val);
			m->val = value_new_cstring("");
		} else {
			blank_secrets(c, m->val);
		}
	}
}

static void set_member(struct value *obj, const char *key, struct value *val)
{
	size_t i;

	for (i = 0; i < obj->u.obj.n; i++)
		if (!strcmp(obj->u.obj.items[i].key, key)) {
			value_free(obj->u.obj.items[i].val);
			obj->u.obj.items[i].val = val;
			return;
		}
	value_object_put_c(obj, key, val);
}

struct value *plan_connection_request(const struct plan_connection *c, const char *group_id)
{
	struct value *body = value_new_object();
	struct value *config = value_clone(c->config);
	size_t i;

	blank_secrets(c, config);
	set_member(config, plan_connection_name_key(c), sent_name(c));
	value_object_put_c(body, "group_id", value_new_cstring(group_id));
	value_object_put_c(body, "service", value_new_cstring(c->source_service));
	value_object_put_c(body, "run_setup_tests", value_new_bool(false));
	value_object_put_c(body, "paused", value_new_bool(true));
	for (i = 0; i < c->create_fields->u.obj.n; i++) {
		const struct member *m = &c->create_fields->u.obj.items[i];
		value_object_put(body, m->key, m->keylen, value_clone(m->val));
	}
	value_object_put_c(body, "config", config);
	return body;
}

struct value *plan_transformation_request(const char *package_name, char *const *connection_ids,
					  size_t n_connection_ids)
{
	struct value *body = value_new_object();
	struct value *schedule = value_new_object();
	struct value *config = value_new_object();
	struct value *ids = value_new_array();
	size_t i;

	for (i = 0; i < n_connection_ids; i++)
		value_array_push(ids, value_new_cstring(connection_ids[i]));
	value_object_put_c(schedule, "schedule_type", value_new_cstring("INTEGRATED"));
	value_object_put_c(config, "package_name", value_new_cstring(package_name));
	value_object_put_c(config, "connection_ids", ids);
	value_object_put_c(body, "type", value_new_cstring("QUICKSTART"));
	value_object_put_c(body, "paused", value_new_bool(true));
	value_object_put_c(body, "schedule", schedule);
	value_object_put_c(body, "transformation_config", config);
	return body;
}
