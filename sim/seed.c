/*
 * seed.c — load a --seed account file into the simulator's store (see sim.h).
 *
 * The file is {"groups":[…],"destinations":[…],"connections":[…],
 * "transformations":[…],"package_metadata":[…]}, each item shaped as the API
 * returns it (transformations with an extra "group_id"), missing keys meaning
 * empty. Items are checked here — known fields, types, enums, references
 * between items, unique ids and connection names — so that everything the
 * simulator later serves validates against the API definition, and a mistake
 * in a seed is reported at its line and column rather than as a puzzling
 * contract-test failure. Fields the response schemas require but the seed
 * leaves out get defaults (documented in sim.h and ccapply-sim --help).
 */
#include "sim/sim.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog/catalog.h"
#include "lib/fileio.h"
#include "lib/json.h"

struct seed {
	struct sim_store *store;
	const char *path;
	struct err *err;
};

__attribute__((format(printf, 3, 4)))
static int seed_fail(struct seed *sd, const struct value *at, const char *fmt, ...)
{
	char msg[ERR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return err_set(sd->err, "%s:%d:%d: %s", sd->path, at->line, at->col, msg);
}

/* Check fields and report the offender at its position as "what[i]: …". */
static int seed_check(struct seed *sd, const struct value *item, const char *what, size_t i,
		      const struct sim_field *specs, size_t n)
{
	struct err e;
	const struct value *bad;

	err_clear(&e);
	bad = sim_check_fields(item, specs, n, true, &e);
	if (bad)
		return seed_fail(sd, bad, "%s[%zu]: %s", what, i, e.msg);
	return 0;
}

static int seed_require(struct seed *sd, const struct value *item, const char *what, size_t i,
			const char *field)
{
	if (!value_get(item, field))
		return seed_fail(sd, item, "%s[%zu]: field '%s' is required", what, i, field);
	return 0;
}

static int seed_unique_id(struct seed *sd, const struct sim_list *l, const struct value *item,
			  const char *what, size_t i)
{
	const struct value *id = value_get(item, "id");

	if (id && sim_list_find(l, id->u.str.ptr))
		return seed_fail(sd, id, "%s[%zu]: id '%s' is used twice", what, i, id->u.str.ptr);
	return 0;
}

static int seed_known_group(struct seed *sd, const struct value *item, const char *what,
			    size_t i)
{
	const struct value *g = value_get(item, "group_id");

	if (g && !sim_list_find(&sd->store->groups, g->u.str.ptr))
		return seed_fail(sd, g, "%s[%zu]: group '%s' is not among the seed's groups", what,
				 i, g->u.str.ptr);
	return 0;
}

/* -------------------------------------------------------------- groups */

static const struct sim_field group_fields[] = {
	{ "id", SIM_FT_STRING, NULL },
	{ "name", SIM_FT_STRING, NULL },
	{ "created_at", SIM_FT_STRING, NULL },
};

static int load_group(struct seed *sd, const struct value *item, size_t i)
{
	struct value *obj;

	if (seed_check(sd, item, "groups", i, group_fields, 3) ||
	    seed_require(sd, item, "groups", i, "id") ||
	    seed_require(sd, item, "groups", i, "name") ||
	    seed_unique_id(sd, &sd->store->groups, item, "groups", i))
		return -1;
	obj = value_clone(item);
	sim_obj_default(obj, "created_at", value_new_cstring(sd->store->clock));
	sim_list_add(&sd->store->groups, obj, NULL);
	return 0;
}

/* -------------------------------------------------------- destinations */

static const char *const regions[] = {
	"GCP_US_EAST4", "GCP_US_WEST1", "GCP_US_CENTRAL1", "GCP_EUROPE_WEST3",
	"GCP_AUSTRALIA_SOUTHEAST1", "GCP_NORTHAMERICA_NORTHEAST1", "GCP_EUROPE_WEST2",
	"GCP_ASIA_SOUTHEAST1", "GCP_ASIA_SOUTHEAST2", "GCP_ASIA_SOUTH1", "GCP_ASIA_NORTHEAST1",
	"AWS_US_EAST_1", "AWS_US_EAST_2", "AWS_US_WEST_2", "AWS_AP_NORTHEAST_1",
	"AWS_AP_SOUTHEAST_1", "AWS_AP_SOUTHEAST_2", "AWS_EU_CENTRAL_1", "AWS_EU_WEST_1",
	"AWS_EU_WEST_2", "AWS_AP_SOUTH_1", "AWS_CA_CENTRAL_1", "AWS_US_GOV_WEST_1",
	"AZURE_EASTUS2", "AZURE_AUSTRALIAEAST", "AZURE_UKSOUTH", "AZURE_WESTEUROPE",
	"AZURE_CENTRALUS", "AZURE_CANADACENTRAL", "AZURE_UAENORTH", "AZURE_SOUTHEASTASIA",
	"AZURE_EASTUS", "AZURE_JAPANEAST", "AZURE_CENTRALINDIA", NULL,
};
static const char *const tz_offsets[] = {
	"-11", "-10", "-9", "-8", "-7", "-6", "-5", "-4", "-3", "-2", "-1", "0",
	"+1", "+2", "+3", "+4", "+5", "+6", "+7", "+8", "+9", "+10", "+11", "+12", NULL,
};
static const char *const setup_statuses[] = { "INCOMPLETE", "CONNECTED", "BROKEN", NULL };
static const char *const dest_networking[] = {
	"Directly", "PrivateLink", "SshTunnel", "ProxyAgent", NULL,
};

static const struct sim_field destination_fields[] = {
	{ "id", SIM_FT_STRING, NULL },
	{ "group_id", SIM_FT_STRING, NULL },
	{ "service", SIM_FT_STRING, NULL },
	{ "region", SIM_FT_STRING, regions },
	{ "time_zone_offset", SIM_FT_STRING, tz_offsets },
	{ "setup_status", SIM_FT_STRING, setup_statuses },
	{ "daylight_saving_time_enabled", SIM_FT_BOOL, NULL },
	{ "private_link_id", SIM_FT_STRING, NULL },
	{ "networking_method", SIM_FT_STRING, dest_networking },
	{ "local_processing_agent_id", SIM_FT_STRING, NULL },
	{ "hybrid_deployment_agent_id", SIM_FT_STRING, NULL },
	{ "proxy_agent_id", SIM_FT_STRING, NULL },
	{ "external_secrets_manager_id", SIM_FT_STRING, NULL },
	{ "setup_tests", SIM_FT_ARRAY, NULL },
	{ "config", SIM_FT_OBJECT, NULL },
};

static int load_destination(struct seed *sd, const struct value *item, size_t i)
{
	const char *what = "destinations";
	const struct value *id = value_get(item, "id"), *gid = value_get(item, "group_id");
	struct value *obj;

	if (seed_check(sd, item, what, i, destination_fields,
		       sizeof destination_fields / sizeof destination_fields[0]))
		return -1;
	if (!id && !gid)
		return seed_fail(sd, item, "%s[%zu]: needs 'id' or 'group_id' (they are equal)",
				 what, i);
	if (id && gid && strcmp(id->u.str.ptr, gid->u.str.ptr))
		return seed_fail(sd, gid, "%s[%zu]: a destination's id is its group's id, here "
				 "'%s' and '%s'", what, i, id->u.str.ptr, gid->u.str.ptr);
	obj = value_clone(item);
	sim_obj_default(obj, "id", value_new_cstring((id ? id : gid)->u.str.ptr));
	sim_obj_default(obj, "group_id", value_new_cstring((id ? id : gid)->u.str.ptr));
	if (seed_known_group(sd, obj, what, i) ||
	    seed_unique_id(sd, &sd->store->destinations, obj, what, i)) {
		value_free(obj);
		return -1;
	}
	sim_obj_default(obj, "service", value_new_cstring("snowflake"));
	sim_obj_default(obj, "region", value_new_cstring("GCP_US_EAST4"));
	sim_obj_default(obj, "time_zone_offset", value_new_cstring("0"));
	sim_obj_default(obj, "setup_status", value_new_cstring("CONNECTED"));
	sim_mask_credentials(NULL, value_get_mut(obj, "config"));
	sim_list_add(&sd->store->destinations, obj, NULL);
	return 0;
}

/* --------------------------------------------------------- connections */

/* A seed connection is an answer: named by its top-level "schema", of a
 * service the catalog knows, and with no naming key in its config (answers
 * never carry them: SPEC §6). */
static int check_connection_shape(struct seed *sd, const struct value *item, size_t i,
				  const struct catalog_service **svc)
{
	const struct value *service = value_get(item, "service");
	const struct value *config = value_get(item, "config");
	size_t j;

	if (!(*svc = catalog_service(service->u.str.ptr)))
		return seed_fail(sd, service, "connections[%zu]: service '%s' is not in the API "
				 "definition", i, service->u.str.ptr);
	for (j = 0; config && j < config->u.obj.n; j++) {
		const struct member *m = &config->u.obj.items[j];

		if (catalog_is_naming_key(m->key))
			return seed_fail(sd, m->val, "connections[%zu]: config.%s: answers never "
					 "carry naming keys in config; the name is the top-level "
					 "'schema'", i, m->key);
	}
	return 0;
}

static int load_connection(struct seed *sd, const struct value *item, size_t i)
{
	const char *what = "connections";
	const struct value *schema = value_get(item, "schema");
	const struct catalog_service *svc;
	struct value *obj;

	if (seed_check(sd, item, what, i, sim_connection_fields, sim_connection_nfields) ||
	    seed_require(sd, item, what, i, "group_id") ||
	    seed_require(sd, item, what, i, "service") ||
	    seed_require(sd, item, what, i, "schema") ||
	    seed_unique_id(sd, &sd->store->connections, item, what, i) ||
	    seed_unique_id(sd, &sd->store->transformations, item, what, i) ||
	    seed_known_group(sd, item, what, i) ||
	    check_connection_shape(sd, item, i, &svc))
		return -1;
	if (sim_store_find_connection(sd->store, value_get_string(item, "group_id"),
				      schema->u.str.ptr))
		return seed_fail(sd, schema, "%s[%zu]: group '%s' already has a connection named "
				 "'%s'", what, i, value_get_string(item, "group_id"),
				 schema->u.str.ptr);
	obj = value_clone(item);
	if (!value_get(obj, "id")) {
		char *id = sim_store_new_connection_id(sd->store);

		sim_obj_set(obj, "id", value_new_cstring(id));
		free(id);
	}
	sim_connection_complete(obj, svc, sd->store->clock, false);
	sim_list_add(&sd->store->connections, obj, NULL);
	return 0;
}

/* ----------------------------------------------------- transformations */

static const char *const transformation_types[] = { "DBT_CORE", "QUICKSTART", NULL };
static const char *const transformation_statuses[] = {
	"NEW", "SCHEDULING", "RUNNING", "TERMINATING", "SUCCEEDED", "FAILED", "BLOCKED",
	"CANCELED", "PARTIALLY_SUCCEEDED", NULL,
};
static const struct sim_field transformation_fields[] = {
	{ "id", SIM_FT_STRING, NULL },
	{ "group_id", SIM_FT_STRING, NULL },
	{ "type", SIM_FT_STRING, transformation_types },
	{ "status", SIM_FT_STRING, transformation_statuses },
	{ "schedule", SIM_FT_OBJECT, NULL },
	{ "paused", SIM_FT_BOOL, NULL },
	{ "created_at", SIM_FT_STRING, NULL },
	{ "created_by_id", SIM_FT_STRING, NULL },
	{ "last_started_at", SIM_FT_STRING, NULL },
	{ "last_ended_at", SIM_FT_STRING, NULL },
	{ "output_model_names", SIM_FT_ARRAY, NULL },
	{ "transformation_config", SIM_FT_OBJECT, NULL },
};

/* The transformation's connection_ids must name seed connections; returns the
 * group of the first, for a transformation that does not say its group. */
static int check_transformation_connections(struct seed *sd, const struct value *config,
					    size_t i, const char **group)
{
	const struct value *ids = value_get(config, "connection_ids");
	size_t j;

	*group = NULL;
	for (j = 0; ids && j < ids->u.arr.n; j++) {
		const struct value *id = ids->u.arr.items[j];
		const struct sim_item *c;

		if (id->type != VALUE_STRING)
			return seed_fail(sd, id, "transformations[%zu]: connection ids are strings",
					 i);
		c = sim_list_find(&sd->store->connections, id->u.str.ptr);
		if (!c)
			return seed_fail(sd, id, "transformations[%zu]: connection '%s' is not "
					 "among the seed's connections", i, id->u.str.ptr);
		if (!*group)
			*group = value_get_string(c->obj, "group_id");
	}
	return 0;
}

static int check_transformation_parts(struct seed *sd, const struct value *item, size_t i)
{
	const struct value *schedule = value_get(item, "schedule");
	const struct value *config = value_get(item, "transformation_config");
	const char *type = value_get_string(item, "type");
	struct err e;
	const struct value *bad;

	err_clear(&e);
	if (schedule && (bad = sim_check_fields(schedule, sim_schedule_fields,
						 sim_schedule_nfields, true, &e)))
		return seed_fail(sd, bad, "transformations[%zu].schedule: %s", i, e.msg);
	if (config && (!type || !strcmp(type, "QUICKSTART")) &&
	    (bad = sim_check_fields(config, sim_quickstart_fields,
				    sim_quickstart_nfields, true, &e)))
		return seed_fail(sd, bad, "transformations[%zu].transformation_config: %s", i,
				 e.msg);
	return 0;
}

static int load_transformation(struct seed *sd, const struct value *item, size_t i)
{
	const char *what = "transformations";
	const struct value *config = value_get(item, "transformation_config");
	const char *group = value_get_string(item, "group_id"), *first_group;
	struct value *obj, *schedule;

	if (seed_check(sd, item, what, i, transformation_fields,
		       sizeof transformation_fields / sizeof transformation_fields[0]) ||
	    check_transformation_parts(sd, item, i) ||
	    seed_unique_id(sd, &sd->store->transformations, item, what, i) ||
	    seed_unique_id(sd, &sd->store->connections, item, what, i) ||
	    seed_known_group(sd, item, what, i) ||
	    check_transformation_connections(sd, config, i, &first_group))
		return -1;
	if (!group)
		group = first_group;
	if (!group)
		return seed_fail(sd, item, "%s[%zu]: needs a 'group_id' (or connection_ids in its "
				 "transformation_config to take it from)", what, i);
	obj = value_clone(item);
	group = xstrdup(group);
	/* group_id lives beside the object: TransformationResponse has none */
	sim_obj_remove(obj, "group_id");
	if (!value_get(obj, "id")) {
		char *id = sim_store_new_transformation_id(sd->store);

		sim_obj_set(obj, "id", value_new_cstring(id));
		free(id);
	}
	sim_obj_default(obj, "type", value_new_cstring("QUICKSTART"));
	sim_obj_default(obj, "status", value_new_cstring("SUCCEEDED"));
	sim_obj_default(obj, "paused", value_new_bool(false));
	sim_obj_default(obj, "schedule", value_new_object());
	schedule = value_get_mut(obj, "schedule");
	sim_obj_default(schedule, "schedule_type", value_new_cstring("INTEGRATED"));
	sim_obj_default(obj, "created_at", value_new_cstring(sd->store->clock));
	sim_obj_default(obj, "created_by_id", value_new_cstring(SIM_USER_ID));
	sim_list_add(&sd->store->transformations, obj, (char *)group);
	return 0;
}

/* ---------------------------------------------------- package metadata */

static const struct sim_field package_fields[] = {
	{ "id", SIM_FT_STRING, NULL },
	{ "name", SIM_FT_STRING, NULL },
	{ "version", SIM_FT_STRING, NULL },
	{ "connector_types", SIM_FT_ARRAY, NULL },
	{ "output_model_names", SIM_FT_ARRAY, NULL },
	{ "configurable_variables", SIM_FT_OBJECT, NULL },
};

static int load_package(struct seed *sd, const struct value *item, size_t i)
{
	struct value *obj;

	if (seed_check(sd, item, "package_metadata", i, package_fields,
		       sizeof package_fields / sizeof package_fields[0]) ||
	    seed_require(sd, item, "package_metadata", i, "name"))
		return -1;
	obj = value_clone(item);
	sim_obj_default(obj, "id", value_new_cstring(value_get_string(item, "name")));
	if (seed_unique_id(sd, &sd->store->packages, obj, "package_metadata", i)) {
		value_free(obj);
		return -1;
	}
	sim_obj_default(obj, "version", value_new_cstring("1.0.0"));
	sim_list_add(&sd->store->packages, obj, NULL);
	return 0;
}

/* ---------------------------------------------------------------- file */

typedef int (*load_fn)(struct seed *sd, const struct value *item, size_t i);

static const struct {
	const char *key;
	load_fn load;
} sections[] = {
	{ "groups", load_group },
	{ "destinations", load_destination },
	{ "connections", load_connection },
	{ "transformations", load_transformation },
	{ "package_metadata", load_package },
};

static int load_section(struct seed *sd, const struct value *root, size_t s)
{
	const struct value *list = value_get(root, sections[s].key);
	size_t i;

	if (!list)
		return 0;
	if (list->type != VALUE_ARRAY)
		return seed_fail(sd, list, "'%s' must be an array", sections[s].key);
	for (i = 0; i < list->u.arr.n; i++) {
		const struct value *item = list->u.arr.items[i];

		if (item->type != VALUE_OBJECT)
			return seed_fail(sd, item, "%s[%zu] must be an object", sections[s].key, i);
		if (sections[s].load(sd, item, i))
			return -1;
	}
	return 0;
}

static int load_root(struct seed *sd, const struct value *root)
{
	size_t i, s;

	if (root->type != VALUE_OBJECT)
		return seed_fail(sd, root, "expected an object with groups, destinations, "
				 "connections, transformations and package_metadata");
	for (i = 0; i < root->u.obj.n; i++) {
		const char *key = root->u.obj.items[i].key;

		for (s = 0; s < sizeof sections / sizeof sections[0]; s++) {
			if (!strcmp(key, sections[s].key))
				break;
		}
		if (s == sizeof sections / sizeof sections[0])
			return seed_fail(sd, root->u.obj.items[i].val, "unknown key '%s' (expected "
					 "groups, destinations, connections, transformations or "
					 "package_metadata)", key);
	}
	for (s = 0; s < sizeof sections / sizeof sections[0]; s++) {
		if (load_section(sd, root, s))
			return -1;
	}
	return 0;
}

int sim_seed_load(struct sim_store *store, const char *path, struct err *err)
{
	struct seed sd = { store, path, err };
	struct buf text = BUF_INIT;
	struct value *root = NULL;
	int rc;

	if (fileio_read_input(path, 0, &text, err)) {
		buf_free(&text);
		return -1;
	}
	if (json_parse_named(path, buf_str(&text), text.len, &root, err)) {
		buf_free(&text);
		return -1;
	}
	buf_free(&text);
	rc = load_root(&sd, root);
	value_free(root);
	return rc;
}
