/*
 * shape.c — what the API's objects must look like before anyone reads them
 * (SPEC §3: "strict validation; a malformed body is an error naming the
 * endpoint").
 *
 * Each shape lists the fields ccapply reads from one kind of object, with
 * the JSON type each must have and whether it must be there. The types are
 * the OpenAPI definition's (fivetran-openapi.json, with its errata), and the
 * rule is:
 *  - a field ccapply reads must have that type when it is present (null is
 *    not a string: none of these fields is nullable);
 *  - a field ccapply's decisions rest on must be present: the ids, names and
 *    services the diff matches on (all required by the definition too), and
 *    for a QUICKSTART transformation transformation_config.package_name —
 *    which the definition leaves optional, but without it no live
 *    transformation can be recognised as the planned one and apply would
 *    create a duplicate;
 *  - a field only `ccapply status` shows (paused, status) may be absent: it
 *    then shows null;
 *  - every other field is ignored, so the API may add fields freely.
 *
 * Checking here, once, is what lets the readers (differ, status, the create
 * lookups) use value_get_string() and friends without second-guessing: an
 * item that is not an object, or an id that is a number, is an error naming
 * the item and the field, never an item silently skipped.
 */
#include "client/client-internal.h"

#include <string.h>

#define FIELD(path, type, presence) { path, type, presence, NULL, NULL }
#define FIELD_IF(path, type, key, val) { path, type, SHAPE_REQUIRED_IF, key, val }

/* GroupResponse (GET /v1/groups/{id} and the items of GET /v1/groups). */
static const struct shape_field group_fields[] = {
	FIELD("id", SHAPE_STRING, SHAPE_REQUIRED),
	FIELD("name", SHAPE_STRING, SHAPE_REQUIRED),
};

/* ConnectorResponse: the items of the connection lists, and
 * GET /v1/connections/{id}. config is not required by the definition (the
 * single read's ConnectorResponseV1 has none); for a listed connection
 * without one the diff finds every planned key missing, so it is skipped,
 * never modified. */
static const struct shape_field connection_fields[] = {
	FIELD("id", SHAPE_STRING, SHAPE_REQUIRED),
	FIELD("group_id", SHAPE_STRING, SHAPE_REQUIRED),
	FIELD("service", SHAPE_STRING, SHAPE_REQUIRED),
	FIELD("schema", SHAPE_STRING, SHAPE_REQUIRED),
	FIELD("config", SHAPE_OBJECT, SHAPE_OPTIONAL),
	FIELD("paused", SHAPE_BOOL, SHAPE_OPTIONAL),
	FIELD("status", SHAPE_OBJECT, SHAPE_OPTIONAL),
	FIELD("status.setup_state", SHAPE_STRING, SHAPE_OPTIONAL),
	FIELD("status.sync_state", SHAPE_STRING, SHAPE_OPTIONAL),
};

/* TransformationResponse + QUICKSTART_transformation_config_response_V1. */
static const struct shape_field transformation_fields[] = {
	FIELD("id", SHAPE_STRING, SHAPE_REQUIRED),
	FIELD("type", SHAPE_STRING, SHAPE_REQUIRED),
	FIELD("paused", SHAPE_BOOL, SHAPE_OPTIONAL),
	FIELD("status", SHAPE_STRING, SHAPE_OPTIONAL),
	FIELD_IF("transformation_config", SHAPE_OBJECT, "type", "QUICKSTART"),
	FIELD_IF("transformation_config.package_name", SHAPE_STRING, "type", "QUICKSTART"),
	FIELD("transformation_config.connection_ids", SHAPE_STRING_ARRAY, SHAPE_OPTIONAL),
};

/* DestinationExtendedResponse (GET /v1/destinations/{id}): read only to
 * learn that the group has one; its id is the group's. */
static const struct shape_field destination_fields[] = {
	FIELD("id", SHAPE_STRING, SHAPE_REQUIRED),
	FIELD("group_id", SHAPE_STRING, SHAPE_REQUIRED),
};

/* What a create's answer must give: the new resource's id, recorded in the
 * state file. (Anything else the caller wants it looks up by list.) */
static const struct shape_field created_fields[] = {
	FIELD("id", SHAPE_STRING, SHAPE_REQUIRED),
};

#define SHAPE(name, fields) \
	const struct shape name = { fields, sizeof fields / sizeof fields[0] }

SHAPE(shape_group, group_fields);
SHAPE(shape_connection, connection_fields);
SHAPE(shape_transformation, transformation_fields);
SHAPE(shape_destination, destination_fields);
SHAPE(shape_created, created_fields);

static const char *expected_name(enum shape_type t)
{
	switch (t) {
	case SHAPE_STRING:
		return "a string";
	case SHAPE_BOOL:
		return "a boolean";
	case SHAPE_OBJECT:
		return "an object";
	case SHAPE_STRING_ARRAY:
		return "an array of strings";
	}
	return "?";
}

static bool has_type(const struct value *v, enum shape_type t)
{
	switch (t) {
	case SHAPE_STRING:
		return v->type == VALUE_STRING;
	case SHAPE_BOOL:
		return v->type == VALUE_BOOL;
	case SHAPE_OBJECT:
		return v->type == VALUE_OBJECT;
	case SHAPE_STRING_ARRAY:
		return v->type == VALUE_ARRAY;
	}
	return false;
}

/* The member at path ("key" or "parent.key") of obj, NULL when it (or its
 * parent) is absent. *parent_ok is false when the parent exists but is not an
 * object: its own rule, listed earlier, reports that. */
static const struct value *lookup_path(const struct value *obj, const char *path,
				       bool *parent_ok)
{
	const char *dot = strchr(path, '.');
	const struct value *parent;
	char key[64];
	size_t n;

	*parent_ok = true;
	if (!dot)
		return value_get(obj, path);
	n = (size_t)(dot - path);
	if (n >= sizeof key)
		n = sizeof key - 1;
	memcpy(key, path, n);
	key[n] = '\0';
	parent = value_get(obj, key);
	if (!parent)
		return NULL;
	if (parent->type != VALUE_OBJECT) {
		*parent_ok = false;
		return NULL;
	}
	return value_get(parent, dot + 1);
}

static bool is_required(const struct shape_field *f, const struct value *obj)
{
	const char *v;

	if (f->presence != SHAPE_REQUIRED_IF)
		return f->presence == SHAPE_REQUIRED;
	v = value_get_string(obj, f->when_key);
	return v && !strcmp(v, f->when_value);
}

static int check_field(const struct shape_field *f, const struct value *obj, const char *where,
		       struct buf *problem)
{
	bool parent_ok;
	const struct value *v = lookup_path(obj, f->path, &parent_ok);
	size_t i;

	if (!parent_ok)
		return 0;
	if (!v) {
		if (!is_required(f, obj))
			return 0;
		buf_printf(problem, "%s.%s: missing (expected %s)", where, f->path,
			   expected_name(f->type));
		return -1;
	}
	if (!has_type(v, f->type)) {
		buf_printf(problem, "%s.%s: expected %s, found %s", where, f->path,
			   expected_name(f->type), value_found_phrase(v->type, true));
		return -1;
	}
	for (i = 0; f->type == SHAPE_STRING_ARRAY && i < v->u.arr.n; i++) {
		if (v->u.arr.items[i]->type != VALUE_STRING) {
			buf_printf(problem, "%s.%s[%zu]: expected a string, found %s", where,
				   f->path, i, value_found_phrase(v->u.arr.items[i]->type, true));
			return -1;
		}
	}
	return 0;
}

int shape_check(const struct shape *s, const struct value *v, const char *where,
		struct buf *problem)
{
	size_t i;

	if (v->type != VALUE_OBJECT) {
		buf_printf(problem, "%s: expected an object, found %s", where,
			   value_found_phrase(v->type, true));
		return -1;
	}
	for (i = 0; i < s->n; i++)
		if (check_field(&s->fields[i], v, where, problem))
			return -1;
	return 0;
}
