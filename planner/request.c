/*
 * request.c — the exact create bodies SPEC §3 prescribes, built from the plan
 * model. One place decides what is sent, so `plan` compares, `apply` sends
 * and the state file digests the same bytes. Key order is fixed, so the
 * canonical JSON of a body is stable across runs.
 */
#include <string.h>

#include "catalog/catalog.h"
#include "lib/buf.h"
#include "lib/digest.h"
#include "lib/json.h"
#include "planner/planner.h"

bool plan_value_is_masked(const struct value *v)
{
	size_t i;

	if (!v || v->type != VALUE_STRING || v->u.str.len == 0)
		return false;
	for (i = 0; i < v->u.str.len; i++)
		if (v->u.str.ptr[i] != '*')
			return false;
	return true;
}

enum catalog_naming plan_connection_naming(const struct plan_connection *c)
{
	const struct catalog_service *s = catalog_service(c->source_service);

	return s ? (enum catalog_naming)s->naming : c->naming;
}

const char *plan_connection_name_key(const struct plan_connection *c)
{
	return catalog_naming_keys(plan_connection_naming(c))[0];
}

char *plan_connection_api_name(const struct plan_connection *c)
{
	return xstrdup(c->target_name);
}

/* Is KEY (at catalog key K, NULL when the catalog does not describe it) a
 * credential of c? */
static bool is_credential(const struct plan_connection *c, const struct catalog_key *k,
			  const struct member *m)
{
	if (plan_is_credential_field(c, m->key) || plan_value_is_masked(m->val))
		return true;
	if (k)
		return k->flags & CATALOG_CREDENTIAL;
	return catalog_is_credential_name(m->key, m->keylen);
}

static void blank_secrets(const struct plan_connection *c, const struct catalog_service *s,
			  const struct catalog_key *parent, struct value *v);

/* The members of mapping V, described by PARENT (or, at the top, by S). */
static void blank_members(const struct plan_connection *c, const struct catalog_service *s,
			  const struct catalog_key *parent, struct value *v)
{
	size_t i;

	for (i = 0; i < v->u.obj.n; i++) {
		struct member *m = &v->u.obj.items[i];
		const struct catalog_key *k = strlen(m->key) != m->keylen ? NULL :
					      parent ? catalog_key_child(parent, m->key) :
					      catalog_config_key(s, m->key);

		if (is_credential(c, k, m)) {
			value_free(m->val);
			m->val = value_new_cstring("");
		} else {
			blank_secrets(c, s, k, m->val);
		}
	}
}

/* Blank every credential in V, at any depth (see plan_connection_request).
 * PARENT describes V: its items when V is a sequence, its members when a
 * mapping; NULL (with S NULL) when nothing does. */
static void blank_secrets(const struct plan_connection *c, const struct catalog_service *s,
			  const struct catalog_key *parent, struct value *v)
{
	size_t i;

	if (v->type == VALUE_ARRAY) {
		for (i = 0; i < v->u.arr.n; i++)
			blank_secrets(c, s, parent, v->u.arr.items[i]);
	} else if (v->type == VALUE_OBJECT) {
		blank_members(c, parent ? s : NULL, parent, v);
	}
}

/* config as sent, without its naming keys and read-only keys. */
static struct value *sent_config(const struct plan_connection *c, const struct catalog_service *s)
{
	struct value *config = value_new_object();
	size_t i;

	for (i = 0; i < c->config->u.obj.n; i++) {
		const struct member *m = &c->config->u.obj.items[i];
		const struct catalog_key *k = catalog_config_key(s, m->key);

		if (k ? (k->flags & CATALOG_READ_ONLY) : catalog_is_naming_key(m->key))
			continue;
		value_object_put(config, m->key, m->keylen, value_clone(m->val));
	}
	blank_members(c, s, NULL, config);
	return config;
}

/* The naming keys of c's format, from target_name. */
static void put_naming(struct value *config, const struct plan_connection *c)
{
	const char *const *keys = catalog_naming_keys(plan_connection_naming(c));
	const char *name = c->target_name, *dot = strchr(name, '.');

	if (!keys[1] || !dot) {
		value_object_put_c(config, keys[0], value_new_cstring(name));
		return;
	}
	value_object_put_c(config, keys[0], value_new_string(name, (size_t)(dot - name)));
	value_object_put_c(config, keys[1], value_new_cstring(dot + 1));
}

struct value *plan_connection_request(const struct plan_connection *c, const char *group_id)
{
	const struct catalog_service *s = catalog_service(c->source_service);
	struct value *body = value_new_object();
	struct value *config = sent_config(c, s);
	size_t i;

	put_naming(config, c);
	value_object_put_c(body, "group_id", value_new_cstring(group_id));
	value_object_put_c(body, "service", value_new_cstring(c->source_service));
	value_object_put_c(body, "run_setup_tests", value_new_bool(false));
	value_object_put_c(body, "paused", value_new_bool(true));
	for (i = 0; i < c->create_fields->u.obj.n; i++) {
		const struct member *m = &c->create_fields->u.obj.items[i];
		if (!value_get(body, m->key))
			value_object_put(body, m->key, m->keylen, value_clone(m->val));
	}
	value_object_put_c(body, "config", config);
	return body;
}

static void add_credential(const char ***out, size_t *n, const char *name)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if (!strcmp((*out)[i], name))
			return;
	*out = xrealloc(*out, (*n + 1) * sizeof **out);
	(*out)[(*n)++] = name;
}

/* The catalog's credential keys that V (described by PARENT, or at the top by
 * S) sets to anything but null. */
static void find_credentials(const struct catalog_service *s, const struct catalog_key *parent,
			     const struct value *v, const char ***out, size_t *n)
{
	size_t i;

	if (v->type == VALUE_ARRAY) {
		for (i = 0; i < v->u.arr.n; i++)
			find_credentials(s, parent, v->u.arr.items[i], out, n);
		return;
	}
	if (v->type != VALUE_OBJECT)
		return;
	for (i = 0; i < v->u.obj.n; i++) {
		const struct member *m = &v->u.obj.items[i];
		const struct catalog_key *k = strlen(m->key) != m->keylen ? NULL :
					      parent ? catalog_key_child(parent, m->key) :
					      catalog_config_key(s, m->key);

		if (!k || m->val->type == VALUE_NULL)
			continue;
		if (k->flags & CATALOG_CREDENTIAL)
			add_credential(out, n, k->name);
		else
			find_credentials(s, k, m->val, out, n);
	}
}

const char **plan_connection_credentials(const struct plan_connection *c, size_t *n)
{
	const struct catalog_service *s = catalog_service(c->source_service);
	const char **out = NULL;
	size_t i;

	*n = 0;
	for (i = 0; i < c->n_credential_fields; i++)
		if (c->credential_fields[i])
			add_credential(&out, n, c->credential_fields[i]);
	if (s && c->config)
		find_credentials(s, NULL, c->config, &out, n);
	return out;
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

char *plan_request_digest(const struct value *body)
{
	static const char prefix[] = "blake2b-256:";
	struct buf canon = BUF_INIT;
	char *digest = xmalloc(sizeof prefix + 64);

	json_write(&canon, body, JSON_COMPACT | JSON_SORT_KEYS);
	memcpy(digest, prefix, sizeof prefix - 1);
	digest_blake2b_256_hex(canon.data, canon.len, digest + sizeof prefix - 1);
	buf_free(&canon);
	return digest;
}
