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
 * A connection's settings (the top-level create fields of
 * NewConnectorRequestV1), naming and config keys are checked against the
 * service catalog by conform.c, which also takes the settings out of config.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/yaml.h"
#include "planner/conform.h"
#include "planner/planner.h"
#include "planner/read.h"

/* What schema_config may hold (see the file comment). */
static const char *const change_handlings[] = { "ALLOW_ALL", "ALLOW_COLUMNS", "BLOCK_ALL", NULL };
static const char *const sync_modes[] = { "SOFT_DELETE", "HISTORY", "LIVE", NULL };

static const struct yaml_shape column_members[] = {
	{ .key = "name_in_source", .kind = YAML_SHAPE_STRING },
	{ .key = "name_in_destination", .kind = YAML_SHAPE_STRING },
	{ .key = "enabled", .kind = YAML_SHAPE_BOOL },
	{ .key = "hashed", .kind = YAML_SHAPE_BOOL },
	{ .key = NULL },
};
static const struct yaml_shape column_shape = {
	.kind = YAML_SHAPE_MAPPING,
	.children = column_members,
};
static const struct yaml_shape table_members[] = {
	{ .key = "name_in_source", .kind = YAML_SHAPE_STRING },
	{ .key = "name_in_destination", .kind = YAML_SHAPE_STRING },
	{ .key = "enabled", .kind = YAML_SHAPE_BOOL },
	{ .key = "sync_mode", .kind = YAML_SHAPE_ENUM, .allowed = sync_modes },
	{ .key = "columns", .kind = YAML_SHAPE_SEQUENCE, .items = &column_shape },
	{ .key = NULL },
};
static const struct yaml_shape table_shape = {
	.kind = YAML_SHAPE_MAPPING,
	.children = table_members,
};
static const struct yaml_shape schema_config_members[] = {
	{ .key = "schema_change_handling", .kind = YAML_SHAPE_ENUM, .allowed = change_handlings },
	{ .key = "tables", .kind = YAML_SHAPE_SEQUENCE, .items = &table_shape },
	{ .key = NULL },
};
static const struct yaml_shape schema_config_shape = {
	.kind = YAML_SHAPE_MAPPING,
	.children = schema_config_members,
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

static int read_connection(const struct reader *r, struct plan *p, const struct value *item,
			   size_t index, struct plan_connection *c)
{
	char path[64], field[128];
	const struct value *config;
	int failed = 0;

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
	snprintf(field, sizeof field, "%s.credential_fields", path);
	if (rd_string_list(r, item, "credential_fields", field, &c->credential_fields,
			   &c->n_credential_fields))
		return -1;
	if (read_auth_style(r, item, path, c))
		return -1;
	return plan_conform_connection(r, p, item, path, config, c);
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
		if (read_connection(r, p, list->u.arr.items[i], i, &p->connections[i]))
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

/* Each package's resource name (see struct plan_package): its package_name
 * unless another package shares it. Unique names stay as they always were,
 * so existing state files and journals keep matching. */
static void name_packages(struct plan *p)
{
	size_t i, j, k;

	for (i = 0; i < p->n_packages; i++) {
		struct plan_package *pkg = &p->packages[i];
		struct buf name = BUF_INIT;
		bool shared = false;

		for (j = 0; j < p->n_packages && !shared; j++)
			shared = j != i && !strcmp(p->packages[j].package_name, pkg->package_name);
		buf_puts(&name, pkg->package_name);
		if (shared && pkg->source_transformation_id) {
			buf_printf(&name, " (%s)", pkg->source_transformation_id);
		} else if (shared) {
			buf_puts(&name, " (");
			for (k = 0; k < pkg->n_depends_on; k++)
				buf_printf(&name, "%s%s", k ? ", " : "", pkg->depends_on[k]);
			buf_putc(&name, ')');
		}
		pkg->name = buf_detach(&name);
	}
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
		name_packages(p);
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
	struct yaml_options opts = {
		.discard = discard_schema_config,
		.discard_shape = &schema_config_shape,
	};
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
	rd_free_string_list(c->credential_fields, c->n_credential_fields);
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
		free(p->packages[i].name);
		rd_free_string_list(p->packages[i].depends_on, p->packages[i].n_depends_on);
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
	for (i = 0; i < p->n_warnings; i++) {
		free(p->warnings[i].code);
		free(p->warnings[i].message);
		free(p->warnings[i].source_id);
	}
	free(p->warnings);
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
