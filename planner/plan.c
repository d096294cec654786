/*
 * plan.c — copy_plan.yaml into struct plan (see planner.h).
 *
 * The YAML loader builds a value tree of everything except schema_config
 * (discarded at load time, so a 100 MB plan of table selections costs no
 * memory); this file checks each field's type and copies it into the model,
 * naming file:line:col and the field path on any mismatch. Unknown keys are
 * ignored, so newer scope steps can add fields without breaking older
 * ccapply releases.
 *
 * schema_config is never kept, but it is checked while it streams past
 * (schema_config_shape below, applied by lib/yaml.c): a mapping or null;
 * schema_change_handling one of ALLOW_ALL, ALLOW_COLUMNS, BLOCK_ALL; tables
 * a sequence of mappings, each with name_in_source and name_in_destination
 * strings, enabled a boolean, sync_mode one of SOFT_DELETE, HISTORY, LIVE and
 * columns a sequence of mappings with name_in_source and name_in_destination
 * strings and enabled and hashed booleans. Every one of those keys may be
 * absent or null (null means not set, as elsewhere in the plan); other keys
 * are allowed and unchecked, for the same forward compatibility.
 *
 * The top-level create fields beside config (SPEC §3) are checked against
 * what NewConnectorRequestV1 accepts (fivetran-openapi.json, with erratum 1:
 * sync_frequency's enum is integers), one table row per field: its type
 * (string, 32-bit integer or boolean) and, where the definition gives one,
 * its list of values; daily_sync_time also its documented form, a whole hour
 * "00:00" to "23:00". A quoted number is a string and refused for an integer
 * field: the API takes JSON numbers. A null create field means not set and
 * is left out of the request, like an absent one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/yaml.h"
#include "planner/planner.h"
#include "planner/read.h"

enum create_field_type { FIELD_STRING, FIELD_INT32, FIELD_BOOL };

struct create_field {
	const char *name;
	enum create_field_type type;
	/* The values NewConnectorRequestV1 lists (as JSON text for numbers),
	 * NULL-terminated; NULL: any value of the type. */
	const char *const *allowed;
	/* A further rule from the field's description, and how to say it. */
	bool (*valid)(const char *s, size_t len);
	const char *valid_what;
};

static const char *const sync_frequencies[] = {
	"1", "5", "15", "30", "60", "120", "180", "360", "480", "720", "1440", NULL,
};
static const char *const schedule_types[] = { "auto", "manual", NULL };
static const char *const delay_sensitivities[] = {
	"LOW", "NORMAL", "HIGH", "CUSTOM", "SYNC_FREQUENCY", NULL,
};
static const char *const networking_methods[] = {
	"Directly", "PrivateLink", "SshTunnel", "ProxyAgent", NULL,
};
static const char *const schema_namings[] = { "FIVETRAN_NAMING", "SOURCE_NAMING", NULL };

/* "HH:00", HH from 00 to 23: "in one hour increments starting from 00:00 to
 * 23:00". */
static bool whole_hour(const char *s, size_t len)
{
	return len == 5 && s[0] >= '0' && s[0] <= '2' && s[1] >= '0' && s[1] <= '9' &&
	       (s[0] - '0') * 10 + (s[1] - '0') <= 23 && !memcmp(s + 2, ":00", 3);
}

/* Top-level fields of NewConnectorRequestV1 a plan may set beside config
 * (SPEC §3), as that definition types them. */
static const struct create_field create_fields[] = {
	{ "sync_frequency", FIELD_INT32, sync_frequencies, NULL, NULL },
	{ "schedule_type", FIELD_STRING, schedule_types, NULL, NULL },
	{ "daily_sync_time", FIELD_STRING, NULL, whole_hour, "a whole hour from \"00:00\" to "
	  "\"23:00\"" },
	{ "data_delay_sensitivity", FIELD_STRING, delay_sensitivities, NULL, NULL },
	{ "data_delay_threshold", FIELD_INT32, NULL, NULL, NULL },
	{ "networking_method", FIELD_STRING, networking_methods, NULL, NULL },
	{ "proxy_agent_id", FIELD_STRING, NULL, NULL, NULL },
	{ "private_link_id", FIELD_STRING, NULL, NULL, NULL },
	{ "hybrid_deployment_agent_id", FIELD_STRING, NULL, NULL, NULL },
	{ "pause_after_trial", FIELD_BOOL, NULL, NULL, NULL },
	{ "destination_schema_names", FIELD_STRING, schema_namings, NULL, NULL },
};

/* What schema_config may hold (see the file comment). */
static const char *const change_handlings[] = { "ALLOW_ALL", "ALLOW_COLUMNS", "BLOCK_ALL", NULL };
static const char *const sync_modes[] = { "SOFT_DELETE", "HISTORY", "LIVE", NULL };

static const struct yaml_shape column_members[] = {
	{ "name_in_source", YAML_SHAPE_STRING, NULL, NULL, NULL },
	{ "name_in_destination", YAML_SHAPE_STRING, NULL, NULL, NULL },
	{ "enabled", YAML_SHAPE_BOOL, NULL, NULL, NULL },
	{ "hashed", YAML_SHAPE_BOOL, NULL, NULL, NULL },
	{ NULL, YAML_SHAPE_ANY, NULL, NULL, NULL },
};
static const struct yaml_shape column_shape = {
	NULL, YAML_SHAPE_MAPPING, NULL, column_members, NULL,
};
static const struct yaml_shape table_members[] = {
	{ "name_in_source", YAML_SHAPE_STRING, NULL, NULL, NULL },
	{ "name_in_destination", YAML_SHAPE_STRING, NULL, NULL, NULL },
	{ "enabled", YAML_SHAPE_BOOL, NULL, NULL, NULL },
	{ "sync_mode", YAML_SHAPE_ENUM, sync_modes, NULL, NULL },
	{ "columns", YAML_SHAPE_SEQUENCE, NULL, NULL, &column_shape },
	{ NULL, YAML_SHAPE_ANY, NULL, NULL, NULL },
};
static const struct yaml_shape table_shape = {
	NULL, YAML_SHAPE_MAPPING, NULL, table_members, NULL,
};
static const struct yaml_shape schema_config_members[] = {
	{ "schema_change_handling", YAML_SHAPE_ENUM, change_handlings, NULL, NULL },
	{ "tables", YAML_SHAPE_SEQUENCE, NULL, NULL, &table_shape },
	{ NULL, YAML_SHAPE_ANY, NULL, NULL, NULL },
};
static const struct yaml_shape schema_config_shape = {
	NULL, YAML_SHAPE_MAPPING, NULL, schema_config_members, NULL,
};

/* schema_config sits in connections[i]: root mapping (0) > sequence (1) >
 * the connection's mapping (2). */
static bool discard_schema_config(const char *key, size_t depth, void *ctx)
{
	(void)ctx;
	return depth == 2 && !strcmp(key, "schema_config");
}

static int read_auth_style(const struct reader *r, const struct value *item, const char *path,
			   struct plan_connection *c)
{
	char field[600];
	char *style;

	snprintf(field, sizeof field, "%s.auth_style", path);
	if (rd_string(r, item, "auth_style", field, false, &style))
		return -1;
	if (!style) {
		c->auth_style = c->n_credential_fields ? AUTH_CREDENTIALS : AUTH_NONE;
		return 0;
	}
	if (!strcmp(style, "oauth"))
		c->auth_style = AUTH_OAUTH;
	else if (!strcmp(style, "credentials"))
		c->auth_style = AUTH_CREDENTIALS;
	else if (!strcmp(style, "none"))
		c->auth_style = AUTH_NONE;
	else {
		free(style);
		return rd_fail(r, value_get(item, "auth_style"),
			       "%s: expected oauth, credentials or none", field);
	}
	free(style);
	return 0;
}

/* "a, b or c" */
/* Canonical integer text (as the YAML loader writes integers: -?[0-9]+,
 * no leading zeros) of a value that fits in 32 bits. */
static bool is_int32_text(const char *s, size_t len)
{
	const char *d = s + (len && s[0] == '-');
	size_t n = len - (size_t)(d - s);

	if (!n || n > 10)
		return false;
	for (size_t i = 0; i < n; i++)
		if (d[i] < '0' || d[i] > '9')
			return false;
	return n < 10 || memcmp(d, d == s ? "2147483647" : "2147483648", 10) <= 0;
}

/* Optional decimal integer text, as someone might quote a number: " 360". */
static bool looks_like_integer(const char *s, size_t len)
{
	size_t i = len && (s[0] == '-' || s[0] == '+');

	if (i == len)
		return false;
	for (; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

static bool is_allowed(const char *const *allowed, const char *s, size_t len)
{
	for (; *allowed; allowed++)
		if (strlen(*allowed) == len && !memcmp(*allowed, s, len))
			return true;
	return false;
}

/* A create field's value v (not null) is what NewConnectorRequestV1 takes. */
static int check_create_field(const struct reader *r, const struct create_field *cf,
			      const struct value *v, const char *path)
{
	const char *text = v->type == VALUE_NUMBER ? v->u.number :
			   v->type == VALUE_STRING ? v->u.str.ptr : "";
	size_t len = v->type == VALUE_STRING ? v->u.str.len : strlen(text);
	const char *hint = "";
	char found[RD_DESCRIBE_MAX];
	struct buf want = BUF_INIT;
	bool fits = false;

	switch (cf->type) {
	case FIELD_BOOL:
		fits = v->type == VALUE_BOOL;
		if (v->type == VALUE_STRING && (!strcmp(text, "true") || !strcmp(text, "false")))
			hint = " (quoted or tagged as a string, so not a boolean)";
		break;
	case FIELD_STRING:
		fits = v->type == VALUE_STRING && (!cf->valid || cf->valid(text, len)) &&
		       (!cf->allowed || is_allowed(cf->allowed, text, len));
		if (v->type == VALUE_NUMBER || v->type == VALUE_BOOL)
			hint = " (quote it to make it a string)";
		break;
	case FIELD_INT32:
		fits = v->type == VALUE_NUMBER && (cf->allowed ? is_allowed(cf->allowed, text, len)
							       : is_int32_text(text, len));
		if (v->type == VALUE_STRING && looks_like_integer(text, len))
			hint = " (quoted or tagged as a string: the API takes a number)";
		break;
	}
	if (fits)
		return 0;
	if (cf->allowed) {
		buf_puts(&want, "one of ");
		rd_list_values(&want, cf->allowed);
	} else if (cf->valid) {
		buf_puts(&want, cf->valid_what);
	} else {
		buf_puts(&want, cf->type == FIELD_BOOL ? "true or false" :
			  cf->type == FIELD_INT32 ? "a whole number from -2147483648 to 2147483647" :
			  "a string");
	}
	rd_fail(r, v, "%s: expected %s, found %s%s", path, buf_str(&want),
		rd_describe(v, found, sizeof found), hint);
	buf_free(&want);
	return -1;
}

static int read_connection(const struct reader *r, const struct value *item, size_t index,
			   struct plan_connection *c)
{
	char path[64], field[128];
	const struct value *config;
	int failed = 0;
	size_t i;

	snprintf(path, sizeof path, "connections[%zu]", index);
	c->line = item->line;
	c->col = item->col;
	if (rd_expect(r, item, VALUE_OBJECT, path))
		return -1;
	snprintf(field, sizeof field, "%s.source_id", path);
	if (rd_string(r, item, "source_id", field, true, &c->source_id))
		return -1;
	snprintf(field, sizeof field, "%s.source_service", path);
	if (rd_string(r, item, "source_service", field, true, &c->source_service))
		return -1;
	snprintf(field, sizeof field, "%s.target_name", path);
	if (rd_string(r, item, "target_name", field, true, &c->target_name))
		return -1;
	snprintf(field, sizeof field, "%s.config", path);
	config = rd_optional(r, item, "config", VALUE_OBJECT, field, &failed);
	if (failed)
		return -1;
	c->config = config ? value_clone(config) : value_new_object();
	snprintf(field, sizeof field, "%s.credential_fields", path);
	if (rd_string_list(r, item, "credential_fields", field, &c->credential_fields,
			   &c->n_credential_fields))
		return -1;
	if (read_auth_style(r, item, path, c))
		return -1;
	c->create_fields = value_new_object();
	for (i = 0; i < sizeof create_fields / sizeof create_fields[0]; i++) {
		const struct value *v = value_get(item, create_fields[i].name);
		if (!v || v->type == VALUE_NULL)
			continue;
		snprintf(field, sizeof field, "%s.%s", path, create_fields[i].name);
		if (check_create_field(r, &create_fields[i], v, field))
			return -1;
		value_object_put_c(c->create_fields, create_fields[i].name, value_clone(v));
	}
	return 0;
}

static int read_connections(const struct reader *r, const struct value *root, struct plan *p)
{
	const struct value *list;
	int failed = 0;
	size_t i;

	list = rd_optional(r, root, "connections", VALUE_ARRAY, "connections", &failed);
	if (failed)
		return -1;
	if (!list)
		return 0;
	p->connections = xcalloc(list->u.arr.n, sizeof *p->connections);
	for (i = 0; i < list->u.arr.n; i++) {
		p->n_connections = i + 1;
		if (read_connection(r, list->u.arr.items[i], i, &p->connections[i]))
			return -1;
	}
	return 0;
}

static int read_package(const struct reader *r, const struct value *item, size_t index,
			struct plan_package *pkg)
{
	char path[96], field[160];

	snprintf(path, sizeof path, "transformations.quickstart_packages[%zu]", index);
	pkg->line = item->line;
	pkg->col = item->col;
	if (rd_expect(r, item, VALUE_OBJECT, path))
		return -1;
	snprintf(field, sizeof field, "%s.package_name", path);
	if (rd_string(r, item, "package_name", field, true, &pkg->package_name))
		return -1;
	snprintf(field, sizeof field, "%s.source_transformation_id", path);
	if (rd_string(r, item, "source_transformation_id", field, false,
		      &pkg->source_transformation_id))
		return -1;
	snprintf(field, sizeof field, "%s.target_connection_source_ids", path);
	return rd_string_list(r, item, "target_connection_source_ids", field, &pkg->depends_on,
			      &pkg->n_depends_on);
}

static int read_dbt_project(const struct reader *r, const struct value *item, size_t index,
			    struct plan_dbt_project *d)
{
	char path[96], field[160];

	snprintf(path, sizeof path, "transformations.custom_dbt_projects_detected[%zu]", index);
	if (rd_expect(r, item, VALUE_OBJECT, path))
		return -1;
	snprintf(field, sizeof field, "%s.project_id", path);
	if (rd_string(r, item, "project_id", field, false, &d->project_id))
		return -1;
	snprintf(field, sizeof field, "%s.note", path);
	return rd_string(r, item, "note", field, false, &d->note);
}

static int read_transformations(const struct reader *r, const struct value *root, struct plan *p)
{
	const struct value *t, *list;
	int failed = 0;
	size_t i;

	t = rd_optional(r, root, "transformations", VALUE_OBJECT, "transformations", &failed);
	if (failed)
		return -1;
	if (!t)
		return 0;
	list = rd_optional(r, t, "quickstart_packages", VALUE_ARRAY,
			   "transformations.quickstart_packages", &failed);
	if (failed)
		return -1;
	if (list) {
		p->packages = xcalloc(list->u.arr.n, sizeof *p->packages);
		for (i = 0; i < list->u.arr.n; i++) {
			p->n_packages = i + 1;
			if (read_package(r, list->u.arr.items[i], i, &p->packages[i]))
				return -1;
		}
	}
	list = rd_optional(r, t, "custom_dbt_projects_detected", VALUE_ARRAY,
			   "transformations.custom_dbt_projects_detected", &failed);
	if (failed)
		return -1;
	if (list) {
		p->dbt_projects = xcalloc(list->u.arr.n, sizeof *p->dbt_projects);
		for (i = 0; i < list->u.arr.n; i++) {
			p->n_dbt_projects = i + 1;
			if (read_dbt_project(r, list->u.arr.items[i], i, &p->dbt_projects[i]))
				return -1;
		}
	}
	return 0;
}

static int read_destination(const struct reader *r, const struct value *root, struct plan *p)
{
	const struct value *d, *cfg;
	char *mode;
	int failed = 0;

	d = value_get(root, "destination");
	if (!d || d->type == VALUE_NULL)
		return rd_fail(r, root, "destination: required field is missing");
	if (rd_expect(r, d, VALUE_OBJECT, "destination"))
		return -1;
	if (rd_string(r, d, "mode", "destination.mode", false, &mode))
		return -1;
	if (mode && strcmp(mode, "new") && strcmp(mode, "existing")) {
		free(mode);
		return rd_fail(r, value_get(d, "mode"), "destination.mode: expected new or existing");
	}
	if (rd_string(r, d, "existing_destination_id", "destination.existing_destination_id",
		      mode && !strcmp(mode, "existing"), &p->destination.existing_destination_id) ||
	    rd_string(r, d, "new_group_name", "destination.new_group_name",
		      mode && !strcmp(mode, "new"), &p->destination.new_group_name)) {
		free(mode);
		return -1;
	}
	/* Without a mode, whichever of the two is given decides. */
	p->destination.mode = (mode ? !strcmp(mode, "new") : !p->destination.existing_destination_id)
				      ? DESTINATION_NEW : DESTINATION_EXISTING;
	free(mode);
	if (!p->destination.existing_destination_id && !p->destination.new_group_name)
		return rd_fail(r, d, "destination: needs existing_destination_id or new_group_name");
	cfg = rd_optional(r, d, "new_destination_config", VALUE_OBJECT,
			  "destination.new_destination_config", &failed);
	if (failed)
		return -1;
	return cfg ? rd_string(r, cfg, "service", "destination.new_destination_config.service",
			       false, &p->destination.service) : 0;
}

static int read_schema_version(const struct reader *r, const struct value *root)
{
	const struct value *v = value_get(root, "schema_version");

	if (!v)
		return rd_fail(r, root, "schema_version: required field is missing (expected 1)");
	if (v->type != VALUE_NUMBER || strcmp(v->u.number, "1"))
		return rd_fail(r, v, "schema_version: unsupported version %s%s%s (this ccapply reads 1)",
			       v->type == VALUE_STRING ? "'" : "",
			       v->type == VALUE_NUMBER ? v->u.number :
			       v->type == VALUE_STRING ? v->u.str.ptr : value_type_name(v->type),
			       v->type == VALUE_STRING ? "'" : "");
	return 0;
}

static int read_metadata(const struct reader *r, const struct value *root, struct plan *p)
{
	const struct value *meta;
	int failed = 0;

	meta = rd_optional(r, root, "metadata", VALUE_OBJECT, "metadata", &failed);
	if (failed)
		return -1;
	return meta ? rd_string(r, meta, "fivetran_account_hint", "metadata.fivetran_account_hint",
				false, &p->account_hint) : 0;
}

static void collect_secret_keys(struct plan *p)
{
	size_t i, j, n = 0;

	for (i = 0; i < p->n_connections; i++)
		n += p->connections[i].n_credential_fields;
	p->secret_keys = xcalloc(n + 1, sizeof *p->secret_keys);
	n = 0;
	for (i = 0; i < p->n_connections; i++)
		for (j = 0; j < p->connections[i].n_credential_fields; j++)
			p->secret_keys[n++] = p->connections[i].credential_fields[j];
}

const char *const *plan_secret_keys(const struct plan *p)
{
	return p->secret_keys;
}

int plan_load(const char *path, struct plan **out, struct err *err)
{
	struct yaml_options opts = { discard_schema_config, NULL, 0, &schema_config_shape };
	struct reader r = { path, err };
	struct value *root = NULL;
	struct plan *p;
	int rc;

	*out = NULL;
	if (yaml_load_path(path, &opts, &root, err))
		return -1;
	p = xcalloc(1, sizeof *p);
	p->path = xstrdup(path);
	if (root->type != VALUE_OBJECT)
		rc = rd_fail(&r, root, "expected a mapping at the top of the plan, found %s",
			     value_type_name(root->type));
	else
		rc = read_schema_version(&r, root) || read_metadata(&r, root, p) ||
		     read_destination(&r, root, p) || read_connections(&r, root, p) ||
		     read_transformations(&r, root, p) ? -1 : 0;
	value_free(root);
	if (rc) {
		plan_free(p);
		return -1;
	}
	collect_secret_keys(p);
	*out = p;
	return 0;
}

static void connection_free(struct plan_connection *c)
{
	free(c->source_id);
	free(c->source_service);
	free(c->target_name);
	value_free(c->config);
	value_free(c->create_fields);
	free_string_list(c->credential_fields, c->n_credential_fields);
}

void plan_free(struct plan *p)
{
	size_t i;

	if (!p)
		return;
	for (i = 0; i < p->n_connections; i++)
		connection_free(&p->connections[i]);
	free(p->connections);
	for (i = 0; i < p->n_packages; i++) {
		free(p->packages[i].source_transformation_id);
		free(p->packages[i].package_name);
		free_string_list(p->packages[i].depends_on, p->packages[i].n_depends_on);
	}
	free(p->packages);
	for (i = 0; i < p->n_dbt_projects; i++) {
		free(p->dbt_projects[i].project_id);
		free(p->dbt_projects[i].note);
	}
	free(p->dbt_projects);
	free(p->destination.existing_destination_id);
	free(p->destination.new_group_name);
	free(p->destination.service);
	free(p->account_hint);
	free(p->secret_keys);
	free(p->checksum);
	free(p->path);
	free(p);
}

const struct plan_connection *plan_find_connection(const struct plan *p, const char *source_id)
{
	size_t i;

	for (i = 0; i < p->n_connections; i++)
		if (!strcmp(p->connections[i].source_id, source_id))
			return &p->connections[i];
	return NULL;
}

bool plan_is_credential_field(const struct plan_connection *c, const char *key)
{
	size_t i;

	for (i = 0; i < c->n_credential_fields; i++)
		if (!strcmp(c->credential_fields[i], key))
			return true;
	return false;
}

const char *auth_style_name(enum auth_style a)
{
	return a == AUTH_OAUTH ? "oauth" : a == AUTH_CREDENTIALS ? "credentials" : "none";
}
