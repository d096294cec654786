/*
 * catalog.c — lookups in the service catalog (catalog.h): binary searches
 * over the sorted tables catalog-data.c holds. No state, no allocation.
 */
#include "catalog/catalog-internal.h"

#include <ctype.h>
#include <string.h>

/* Binary search of N names reached through NAME_AT; -1 when absent. */
static long find_name(const void *table, size_t n, const char *(*name_at)(const void *, size_t),
		      const char *key)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(key, name_at(table, mid));

		if (!c)
			return (long)mid;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return -1;
}

static const char *service_name_at(const void *table, size_t i)
{
	return ((const struct catalog_service *)table)[i].name;
}

static const char *key_name_at(const void *table, size_t i)
{
	return ((const struct catalog_key *)table)[i].name;
}

static const char *string_at(const void *table, size_t i)
{
	return ((const char *const *)table)[i];
}

const struct catalog_service *catalog_service(const char *name)
{
	long i = name ? find_name(catalog_services, catalog_n_services, service_name_at, name) : -1;

	return i < 0 ? NULL : &catalog_services[i];
}

size_t catalog_service_count(void)
{
	return catalog_n_services;
}

const struct catalog_service *catalog_service_at(size_t i)
{
	return i < catalog_n_services ? &catalog_services[i] : NULL;
}

const char *const *catalog_naming_keys(enum catalog_naming naming)
{
	static const char *const schema[] = { "schema", NULL };
	static const char *const prefix[] = { "schema_prefix", NULL };
	static const char *const table[] = { "schema", "table", NULL };
	static const char *const group[] = { "schema", "table_group_name", NULL };

	switch (naming) {
	case CATALOG_NAMING_SCHEMA_PREFIX:
		return prefix;
	case CATALOG_NAMING_SCHEMA_TABLE:
		return table;
	case CATALOG_NAMING_SCHEMA_TABLE_GROUP:
		return group;
	case CATALOG_NAMING_SCHEMA:
	default:
		return schema;
	}
}

const char *catalog_naming_name(enum catalog_naming naming)
{
	static const char *const names[] = {
		[CATALOG_NAMING_SCHEMA] = "schema",
		[CATALOG_NAMING_SCHEMA_PREFIX] = "schema_prefix",
		[CATALOG_NAMING_SCHEMA_TABLE] = "schema_table",
		[CATALOG_NAMING_SCHEMA_TABLE_GROUP] = "schema_table_group",
	};

	return (size_t)naming < sizeof names / sizeof *names ? names[naming] : "schema";
}

bool catalog_is_naming_key(const char *key)
{
	return !strcmp(key, "schema") || !strcmp(key, "schema_prefix") || !strcmp(key, "table") ||
	       !strcmp(key, "table_group_name");
}

static const struct catalog_key *key_in(unsigned int first, size_t n, const char *name)
{
	long i = name ? find_name(&catalog_keys[first], n, key_name_at, name) : -1;

	return i < 0 ? NULL : &catalog_keys[first + (size_t)i];
}

const struct catalog_key *catalog_config_key(const struct catalog_service *s, const char *key)
{
	return s ? key_in(s->keys, s->n_keys, key) : NULL;
}

const struct catalog_key *catalog_config_key_at(const struct catalog_service *s, size_t i)
{
	return s && i < s->n_keys ? &catalog_keys[s->keys + i] : NULL;
}

const struct catalog_key *catalog_key_child(const struct catalog_key *k, const char *name)
{
	return k ? key_in(k->children, k->n_children, name) : NULL;
}

const struct catalog_key *catalog_key_child_at(const struct catalog_key *k, size_t i)
{
	return k && i < k->n_children ? &catalog_keys[k->children + i] : NULL;
}

const char *catalog_key_enum(const struct catalog_key *k, size_t i)
{
	return k && i < k->n_enum ? catalog_enum_values[k->enum_first + i] : NULL;
}

bool catalog_key_enum_has(const struct catalog_key *k, const char *value, size_t len)
{
	size_t i;

	if (!k || !k->n_enum)
		return true;
	for (i = 0; i < k->n_enum; i++) {
		const char *e = catalog_enum_values[k->enum_first + i];

		if (strlen(e) == len && !memcmp(e, value, len))
			return true;
	}
	return false;
}

static bool any_credential(unsigned int first, size_t n, const char *key)
{
	size_t i;

	for (i = 0; i < n; i++) {
		const struct catalog_key *k = &catalog_keys[first + i];

		if ((k->flags & CATALOG_CREDENTIAL) && !strcmp(k->name, key))
			return true;
		if (k->n_children && any_credential(k->children, k->n_children, key))
			return true;
	}
	return false;
}

bool catalog_service_has_credential(const struct catalog_service *s, const char *key)
{
	return s && key && any_credential(s->keys, s->n_keys, key);
}

const struct catalog_key *catalog_create_field(const char *name)
{
	long i = name ? find_name(catalog_create_fields, catalog_n_create_fields, key_name_at, name)
		      : -1;

	return i < 0 ? NULL : &catalog_create_fields[i];
}

size_t catalog_create_field_count(void)
{
	return catalog_n_create_fields;
}

const struct catalog_key *catalog_create_field_at(size_t i)
{
	return i < catalog_n_create_fields ? &catalog_create_fields[i] : NULL;
}

bool catalog_is_credential_name(const char *name, size_t len)
{
	char lower[128];
	size_t i;

	if (!name || len == 0 || len >= sizeof lower)
		return false; /* no credential name in the definition is that long */
	for (i = 0; i < len; i++) {
		if (name[i] == '\0')
			return false;
		lower[i] = (char)tolower((unsigned char)name[i]);
	}
	lower[len] = '\0';
	return find_name(catalog_credential_names, catalog_n_credential_names, string_at, lower) >= 0;
}

const char *catalog_type_name(enum catalog_type t)
{
	static const char *const names[] = {
		[CATALOG_ANY] = "any",      [CATALOG_STR] = "string", [CATALOG_INT] = "integer",
		[CATALOG_NUM] = "number",   [CATALOG_BOOL] = "boolean", [CATALOG_OBJ] = "object",
		[CATALOG_ARR] = "array",
	};

	return (size_t)t < sizeof names / sizeof *names ? names[t] : "any";
}
