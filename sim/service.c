/*
 * service.c — the service catalog's rules for connections, as the real API
 * applies them (SPEC §6; see sim.h). The facts are catalog/catalog.h, which is
 * generated from the official definition: nothing about a service is written
 * here by hand.
 *
 * A create (POST /v1/connections) is `{service}_NewConnectorRequestV1`: the
 * top-level fields of NewConnectorRequestV1 with their types and enums, plus
 * `config` (the service's config keys with theirs, and its naming keys) and
 * `auth`. So a create is refused (400 InvalidInput, "Field 'PATH' …") when
 * the service is not in the catalog, a naming key of its format is missing or
 * not a non-empty string, a declared key has the wrong type or a value outside
 * its enum (at any depth the definition declares), or a read-only key is sent
 * (the definition has them in `{service}_readonly_config_V1` only, which
 * answers carry and creates do not).
 *
 * An answer carries the name only as the top-level `schema` (schema_prefix;
 * schema; schema.table; schema.table_group_name), never the naming keys in
 * `config`; of the request's config only the keys the service declares (an
 * undeclared key — a connection setting sent inside config, say — is dropped,
 * so such a setting is lost, as the issue saw on a definition-following
 * stand-in); the read-only keys, filled by the server; credentials masked.
 */
#include "sim/sim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog/catalog.h"

/* PATH.KEY or PATH[I], xmalloc'd. */
static char *path_key(const char *path, const char *key)
{
	struct buf b = BUF_INIT;

	buf_printf(&b, "%s.%s", path, key);
	return buf_detach(&b);
}

static char *path_index(const char *path, size_t i)
{
	struct buf b = BUF_INIT;

	buf_printf(&b, "%s[%zu]", path, i);
	return buf_detach(&b);
}

/* ---------------------------------------------------------------- checks */

static bool integer_text(const char *t)
{
	size_t i = t[0] == '-' ? 1 : 0, digits = 0;

	for (; t[i]; i++, digits++) {
		if (t[i] < '0' || t[i] > '9')
			return false;
	}
	return digits > 0;
}

static bool type_matches(const struct value *v, enum catalog_type t)
{
	switch (t) {
	case CATALOG_ANY: return true;
	case CATALOG_STR: return v->type == VALUE_STRING;
	case CATALOG_INT: return v->type == VALUE_NUMBER && integer_text(v->u.number);
	case CATALOG_NUM: return v->type == VALUE_NUMBER;
	case CATALOG_BOOL: return v->type == VALUE_BOOL;
	case CATALOG_OBJ: return v->type == VALUE_OBJECT;
	case CATALOG_ARR: return v->type == VALUE_ARRAY;
	}
	return false;
}

static const char *type_phrase(enum catalog_type t)
{
	switch (t) {
	case CATALOG_STR: return "a string";
	case CATALOG_INT: return "an integer";
	case CATALOG_NUM: return "a number";
	case CATALOG_BOOL: return "true or false";
	case CATALOG_OBJ: return "an object";
	case CATALOG_ARR: return "an array";
	case CATALOG_ANY: break;
	}
	return "a value";
}

static bool enum_ok(const struct catalog_key *k, const struct value *v)
{
	if (!k->n_enum)
		return true;
	if (v->type == VALUE_STRING)
		return catalog_key_enum_has(k, v->u.str.ptr, v->u.str.len);
	if (v->type == VALUE_NUMBER)
		return catalog_key_enum_has(k, v->u.number, strlen(v->u.number));
	return false;
}

static int fail_enum(const struct catalog_key *k, const char *path, struct err *err)
{
	struct buf b = BUF_INIT;
	size_t i;

	for (i = 0; i < k->n_enum; i++)
		buf_printf(&b, "%s%s", i ? ", " : "", catalog_key_enum(k, i));
	err_set(err, "Field '%s' must be one of %s", path, buf_str(&b));
	buf_free(&b);
	return -1;
}

static int check_value(const struct catalog_key *k, enum catalog_type type,
		       const struct value *v, const char *path, struct err *err);

/* The members of object v that k declares as children. */
static int check_children(const struct catalog_key *k, const struct value *v, const char *path,
			  struct err *err)
{
	size_t i;

	for (i = 0; i < v->u.obj.n; i++) {
		const struct member *m = &v->u.obj.items[i];
		const struct catalog_key *c = catalog_key_child(k, m->key);
		char *sub;
		int rc;

		if (!c)
			continue;
		sub = path_key(path, m->key);
		rc = check_value(c, (enum catalog_type)c->type, m->val, sub, err);
		free(sub);
		if (rc)
			return -1;
	}
	return 0;
}

/* v against key k read as `type` (its own type, or its item type for an
 * array's items): type, enum, then what it holds. */
static int check_value(const struct catalog_key *k, enum catalog_type type,
		       const struct value *v, const char *path, struct err *err)
{
	size_t i;

	if (!type_matches(v, type))
		return err_set(err, "Field '%s' must be %s", path, type_phrase(type));
	if (type != CATALOG_ARR && !enum_ok(k, v))
		return fail_enum(k, path, err);
	if (type == CATALOG_OBJ)
		return check_children(k, v, path, err);
	if (type != CATALOG_ARR)
		return 0;
	for (i = 0; i < v->u.arr.n; i++) {
		const struct value *item = v->u.arr.items[i];
		char *sub = path_index(path, i);
		int rc = check_value(k, (enum catalog_type)k->item_type, item, sub, err);

		if (!rc && item->type == VALUE_OBJECT)
			rc = check_children(k, item, sub, err);
		free(sub);
		if (rc)
			return -1;
	}
	return 0;
}

/* The per-service parts of a create body beside the top-level fields. */
static const char *const service_parts[] = { "config", "auth", "external_secrets_keys_config" };

static bool is_service_part(const char *key)
{
	size_t i;

	for (i = 0; i < sizeof service_parts / sizeof service_parts[0]; i++) {
		if (!strcmp(key, service_parts[i]))
			return true;
	}
	return false;
}

int sim_service_check_fields(const struct value *body, struct err *err)
{
	size_t i;

	for (i = 0; i < body->u.obj.n; i++) {
		const struct member *m = &body->u.obj.items[i];
		const struct catalog_key *f = catalog_create_field(m->key);

		if (is_service_part(m->key)) {
			if (m->val->type != VALUE_OBJECT)
				return err_set(err, "Field '%s' must be an object", m->key);
			continue;
		}
		if (!f)
			return err_set(err, "Unknown field '%s'", m->key);
		if (check_value(f, (enum catalog_type)f->type, m->val, m->key, err))
			return -1;
	}
	return 0;
}

static int check_naming(const struct catalog_service *s, const struct value *config,
			struct err *err)
{
	const char *const *key;

	for (key = catalog_naming_keys((enum catalog_naming)s->naming); *key; key++) {
		const struct value *v = config ? value_get(config, *key) : NULL;

		if (!v)
			return err_set(err, "Field 'config.%s' is required", *key);
		if (v->type != VALUE_STRING || !v->u.str.len)
			return err_set(err, "Field 'config.%s' must be a non-empty string", *key);
	}
	return 0;
}

const struct catalog_service *sim_service_check_create(const struct value *body,
							struct err *err)
{
	const char *name = value_get_string(body, "service");
	const struct value *config = value_get(body, "config");
	const struct catalog_service *s = catalog_service(name);
	size_t i;

	if (!s) {
		err_set(err, "Invalid value '%s' for 'service': no such connector service", name);
		return NULL;
	}
	if (check_naming(s, config, err))
		return NULL;
	for (i = 0; config && i < config->u.obj.n; i++) {
		const struct member *m = &config->u.obj.items[i];
		const struct catalog_key *k = catalog_config_key(s, m->key);
		char *path;
		int rc;

		if (!k)
			continue;
		path = path_key("config", m->key);
		if (k->flags & CATALOG_READ_ONLY)
			rc = err_set(err, "Field '%s' is read-only", path);
		else
			rc = check_value(k, (enum catalog_type)k->type, m->val, path, err);
		free(path);
		if (rc)
			return NULL;
	}
	return s;
}

/* ---------------------------------------------------------------- names */

char *sim_service_name(const struct catalog_service *s, const struct value *config)
{
	const char *const *key = catalog_naming_keys((enum catalog_naming)s->naming);
	struct buf b = BUF_INIT;

	for (; *key; key++) {
		if (b.len)
			buf_putc(&b, '.');
		buf_puts(&b, value_get_string(config, *key));
	}
	return buf_detach(&b);
}

/* -------------------------------------------------------------- answers */

/* A generated string value: "<key> of <id>, generated by ccapply-sim". */
static struct value *generated_string(const char *key, const char *id)
{
	struct buf b = BUF_INIT;
	struct value *v;

	buf_printf(&b, "%s of %s, generated by ccapply-sim", key, id);
	v = value_new_cstring(buf_str(&b));
	buf_free(&b);
	return v;
}

/* What the server fills a read-only key with: deterministic, of its type
 * (the first enum value when it has one). */
static struct value *read_only_value(const struct catalog_key *k, const char *id)
{
	switch ((enum catalog_type)k->type) {
	case CATALOG_INT:
	case CATALOG_NUM: return value_new_number("0");
	case CATALOG_BOOL: return value_new_bool(false);
	case CATALOG_OBJ: return value_new_object();
	case CATALOG_ARR: return value_new_array();
	case CATALOG_STR:
	case CATALOG_ANY: break;
	}
	if (k->n_enum)
		return value_new_cstring(catalog_key_enum(k, 0));
	return generated_string(k->name, id);
}

void sim_service_fill_read_only(const struct catalog_service *s, struct value *config,
				const char *id)
{
	size_t i;

	for (i = 0; i < s->n_keys; i++) {
		const struct catalog_key *k = catalog_config_key_at(s, i);

		if ((k->flags & CATALOG_READ_ONLY) && !value_get(config, k->name))
			value_object_put_c(config, k->name, read_only_value(k, id));
	}
}

struct value *sim_service_answer_config(const struct catalog_service *s,
					const struct value *config, const char *id)
{
	struct value *out = value_new_object();
	size_t i;

	for (i = 0; config && i < config->u.obj.n; i++) {
		const struct member *m = &config->u.obj.items[i];

		if (catalog_config_key(s, m->key))
			value_object_put_c(out, m->key, value_clone(m->val));
	}
	sim_service_fill_read_only(s, out, id);
	return out;
}
