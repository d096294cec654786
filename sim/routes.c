/*
 * routes.c — the endpoints of ccapply-sim (see sim.h).
 *
 * A table maps (path template, method) to a handler; a path that matches with
 * another method is a 405, no match a 404. Handlers run with sim->lock held
 * and only read the request and the store and fill a sim_response: HTTP
 * concerns (auth, faults, latency, sending) are http.c's.
 *
 * Answers follow fivetran-openapi.json: {"code":"Success","data":{…}} for one
 * item, {"code":"Success","data":{"items":[…],"next_cursor":"…"}} for a page,
 * next_cursor left out on the last page (the definition types it as a string,
 * so null would not validate), and {"code":"…","message":"…"} for errors, with
 * the codes the definition's examples use (NotFound, InvalidInput, Conflict).
 *
 * Cursors are opaque to clients: "o<offset>" into the filtered list, which is
 * stable because resources are only ever appended.
 */
#include "sim/sim.h"
#include "sim/clock.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog/catalog.h"
#include "lib/json.h"

/* ------------------------------------------------------------ responses */

void sim_response_init(struct sim_response *r)
{
	memset(r, 0, sizeof *r);
	buf_init(&r->body);
	r->status = 500;
}

void sim_response_free(struct sim_response *r)
{
	buf_free(&r->body);
}

void sim_respond_error(struct sim_response *r, unsigned status, const char *code,
		       const char *fmt, ...)
{
	char msg[ERR_MSG_MAX];
	struct json_writer w;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	r->status = status;
	buf_reset(&r->body);
	jw_init(&w, &r->body, JSON_COMPACT);
	jw_object_begin(&w);
	jw_key(&w, "code");
	jw_string(&w, code);
	jw_key(&w, "message");
	jw_string(&w, msg);
	jw_object_end(&w);
}

static void respond_data(struct sim_response *r, unsigned status, const char *message,
			 const struct value *data)
{
	struct json_writer w;

	r->status = status;
	buf_reset(&r->body);
	jw_init(&w, &r->body, JSON_COMPACT);
	jw_object_begin(&w);
	jw_key(&w, "code");
	jw_string(&w, "Success");
	if (message) {
		jw_key(&w, "message");
		jw_string(&w, message);
	}
	jw_key(&w, "data");
	jw_value(&w, data);
	jw_object_end(&w);
}

/* ----------------------------------------------------------- pagination */

struct page {
	size_t offset, limit;
};

static int parse_size(const char *s, size_t *out)
{
	size_t v = 0, i;

	if (!s[0] || strlen(s) > 9)
		return -1;
	for (i = 0; s[i]; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (size_t)(s[i] - '0');
	}
	*out = v;
	return 0;
}

static int parse_page(const struct sim *sim, const struct sim_request *req, struct page *pg,
		      struct sim_response *resp)
{
	const char *limit = value_get_string(req->query, "limit");
	const char *cursor = value_get_string(req->query, "cursor");

	pg->offset = 0;
	pg->limit = SIM_PAGE_DEFAULT;
	if (limit && (parse_size(limit, &pg->limit) || pg->limit < 1 ||
		      pg->limit > SIM_PAGE_LIMIT_MAX)) {
		sim_respond_error(resp, 400, "InvalidInput", "Invalid value '%s' for 'limit': "
				  "expected a number in the range 1..%d", limit,
				  SIM_PAGE_LIMIT_MAX);
		return -1;
	}
	if (sim->opt.page_max && pg->limit > sim->opt.page_max)
		pg->limit = sim->opt.page_max;
	if (cursor && (cursor[0] != 'o' || parse_size(cursor + 1, &pg->offset))) {
		sim_respond_error(resp, 400, "InvalidInput", "Invalid cursor '%s'", cursor);
		return -1;
	}
	return 0;
}

/* Answer one page of items[0..n) (the filtered list, in creation order). */
static void respond_page(struct sim_response *r, const struct page *pg,
			 const struct value *const *items, size_t n)
{
	struct json_writer w;
	size_t i, end;

	r->status = 200;
	buf_reset(&r->body);
	jw_init(&w, &r->body, JSON_COMPACT);
	jw_object_begin(&w);
	jw_key(&w, "code");
	jw_string(&w, "Success");
	jw_key(&w, "data");
	jw_object_begin(&w);
	jw_key(&w, "items");
	jw_array_begin(&w);
	end = pg->offset < n ? pg->offset + pg->limit : pg->offset;
	if (end > n)
		end = n;
	for (i = pg->offset; i < end; i++)
		jw_value(&w, items[i]);
	jw_array_end(&w);
	if (end < n) {
		char cursor[32];

		snprintf(cursor, sizeof cursor, "o%zu", end);
		jw_key(&w, "next_cursor");
		jw_string(&w, cursor);
	}
	jw_object_end(&w);
	jw_object_end(&w);
}

/* A selection of a list's objects, for filtering before paginating. */
struct selection {
	const struct value **items;
	size_t n;
};

static void select_init(struct selection *sel, const struct sim_list *l)
{
	sel->items = xcalloc(l->n + 1, sizeof *sel->items);
	sel->n = 0;
}

static void respond_selection(const struct sim *sim, const struct sim_request *req,
			      struct selection *sel, struct sim_response *resp)
{
	struct page pg;

	if (!parse_page(sim, req, &pg, resp))
		respond_page(resp, &pg, sel->items, sel->n);
	free(sel->items);
}

static bool str_eq(const char *a, const char *b)
{
	return a && b && !strcmp(a, b);
}

/* --------------------------------------------------------------- groups */

typedef void (*handler_fn)(struct sim *sim, const struct sim_request *req, char **caps,
			   struct sim_response *resp);

static void list_groups(struct sim *sim, const struct sim_request *req, char **caps,
			struct sim_response *resp)
{
	struct selection sel;
	size_t i;

	(void)caps;
	select_init(&sel, &sim->store.groups);
	for (i = 0; i < sim->store.groups.n; i++)
		sel.items[sel.n++] = sim->store.groups.items[i].obj;
	respond_selection(sim, req, &sel, resp);
}

static void get_group(struct sim *sim, const struct sim_request *req, char **caps,
		      struct sim_response *resp)
{
	const struct sim_item *g = sim_list_find(&sim->store.groups, caps[0]);

	(void)req;
	if (!g)
		sim_respond_error(resp, 404, "NotFound", "Group with id '%s' not found", caps[0]);
	else
		respond_data(resp, 200, NULL, g->obj);
}

static void get_destination(struct sim *sim, const struct sim_request *req, char **caps,
			    struct sim_response *resp)
{
	const struct sim_item *d = sim_list_find(&sim->store.destinations, caps[0]);

	(void)req;
	if (!d)
		sim_respond_error(resp, 404, "NotFound", "Destination with id '%s' not found",
				  caps[0]);
	else
		respond_data(resp, 200, NULL, d->obj);
}

/* ---------------------------------------------------------- connections */

static void select_connections(struct sim *sim, const char *group_id, const char *schema,
			       struct selection *sel)
{
	size_t i;

	select_init(sel, &sim->store.connections);
	for (i = 0; i < sim->store.connections.n; i++) {
		const struct value *c = sim->store.connections.items[i].obj;

		if (group_id && !str_eq(value_get_string(c, "group_id"), group_id))
			continue;
		if (schema && !str_eq(value_get_string(c, "schema"), schema))
			continue;
		sel->items[sel->n++] = c;
	}
}

static void list_group_connections(struct sim *sim, const struct sim_request *req, char **caps,
				   struct sim_response *resp)
{
	struct selection sel;

	if (!sim_list_find(&sim->store.groups, caps[0])) {
		sim_respond_error(resp, 404, "NotFound", "Group with id '%s' not found", caps[0]);
		return;
	}
	select_connections(sim, caps[0], value_get_string(req->query, "schema"), &sel);
	respond_selection(sim, req, &sel, resp);
}

static void list_connections(struct sim *sim, const struct sim_request *req, char **caps,
			     struct sim_response *resp)
{
	struct selection sel;

	(void)caps;
	select_connections(sim, value_get_string(req->query, "group_id"),
			   value_get_string(req->query, "schema"), &sel);
	respond_selection(sim, req, &sel, resp);
}

static void get_connection(struct sim *sim, const struct sim_request *req, char **caps,
			   struct sim_response *resp)
{
	const struct sim_item *c = sim_list_find(&sim->store.connections, caps[0]);

	(void)req;
	if (!c)
		sim_respond_error(resp, 404, "NotFound", "Connection with id '%s' not found",
				  caps[0]);
	else
		respond_data(resp, 200, NULL, c->obj);
}

/* The request body as an object, or an error answer. */
static const struct value *body_object(const struct sim_request *req, struct sim_response *resp)
{
	if (req->json_error) {
		sim_respond_error(resp, 400, "InvalidInput", "Malformed JSON request body: %s",
				  req->json_error);
		return NULL;
	}
	if (!req->json || req->json->type != VALUE_OBJECT) {
		sim_respond_error(resp, 400, "InvalidInput", "The request body must be a JSON "
				  "object");
		return NULL;
	}
	return req->json;
}

/* The top level of a create (types and enums of NewConnectorRequestV1, by the
 * catalog), its group and its service's rules; the service, or NULL with an
 * error answer. */
static const struct catalog_service *validate_connection(struct sim *sim,
							 const struct sim_request *req,
							 const struct value **body_out,
							 struct sim_response *resp)
{
	const struct value *body = body_object(req, resp);
	const struct catalog_service *svc;
	struct err e;

	if (!body)
		return NULL;
	err_clear(&e);
	if (sim_service_check_fields(body, &e)) {
		sim_respond_error(resp, 400, "InvalidInput", "%s", e.msg);
		return NULL;
	}
	if (!value_get(body, "group_id")) {
		sim_respond_error(resp, 400, "InvalidInput", "Field 'group_id' is required");
		return NULL;
	}
	if (!value_get(body, "service")) {
		sim_respond_error(resp, 400, "InvalidInput", "Field 'service' is required");
		return NULL;
	}
	if (!sim_list_find(&sim->store.groups, value_get_string(body, "group_id"))) {
		sim_respond_error(resp, 404, "NotFound", "Group with id '%s' not found",
				  value_get_string(body, "group_id"));
		return NULL;
	}
	if (!(svc = sim_service_check_create(body, &e))) {
		sim_respond_error(resp, 400, "InvalidInput", "%s", e.msg);
		return NULL;
	}
	*body_out = body;
	return svc;
}

/* Is `name` a member of a connection answer (sim_connection_fields)? */
static bool is_answer_field(const char *name)
{
	size_t i;

	for (i = 0; i < sim_connection_nfields; i++) {
		if (!strcmp(sim_connection_fields[i].name, name))
			return true;
	}
	return false;
}

/* The answer for a create: its id and name, every top-level create field
 * sent that an answer carries (group_id, service, paused and the settings:
 * sync_frequency, schedule_type, …), the config as the service keeps it, and
 * the defaults of a fresh connection. */
static struct value *new_connection(struct sim *sim, const struct catalog_service *svc,
				    const struct value *body, const char *name)
{
	struct value *obj = value_new_object();
	char *id = sim_store_new_connection_id(&sim->store);
	size_t i;

	value_object_put_c(obj, "id", value_new_cstring(id));
	value_object_put_c(obj, "group_id", value_clone(value_get(body, "group_id")));
	value_object_put_c(obj, "service", value_clone(value_get(body, "service")));
	value_object_put_c(obj, "schema", value_new_cstring(name));
	for (i = 0; i < catalog_create_field_count(); i++) {
		const char *field = catalog_create_field_at(i)->name;
		const struct value *v = value_get(body, field);

		if (v && is_answer_field(field))
			sim_obj_default(obj, field, value_clone(v));
	}
	if (value_get(body, "external_secrets_keys_config")) /* {service}_esm_keys_config_V1 */
		value_object_put_c(obj, "external_secrets_keys_config",
				   value_clone(value_get(body, "external_secrets_keys_config")));
	value_object_put_c(obj, "config",
			   sim_service_answer_config(svc, value_get(body, "config"), id));
	free(id);
	sim_connection_complete(obj, svc, sim->store.clock, true);
	return obj;
}

static void create_connection(struct sim *sim, const struct sim_request *req, char **caps,
			      struct sim_response *resp)
{
	unsigned long wait = sim_rate_check(&sim->rate, sim_now());
	const struct catalog_service *svc;
	const struct value *body = NULL;
	struct value *obj;
	char *name;

	(void)caps;
	if (wait) {
		sim_respond_error(resp, 429, "TooManyRequests", "No more than %lu connections can "
				  "be created in %.0f seconds; retry after %lu seconds",
				  sim->rate.max, sim->rate.window, wait);
		resp->retry_after = wait;
		return;
	}
	if (!(svc = validate_connection(sim, req, &body, resp)))
		return;
	name = sim_service_name(svc, value_get(body, "config"));
	if (sim_store_find_connection(&sim->store, value_get_string(body, "group_id"), name)) {
		sim_respond_error(resp, 409, "Conflict", "A connection named '%s' already exists "
				  "in group '%s'", name, value_get_string(body, "group_id"));
		free(name);
		return;
	}
	obj = new_connection(sim, svc, body, name);
	free(name);
	sim_list_add(&sim->store.connections, obj, NULL);
	sim_rate_record(&sim->rate, sim_now());
	respond_data(resp, 201, "Connection has been created", obj);
}

/* ------------------------------------------------------ transformations */

static void list_transformations(struct sim *sim, const struct sim_request *req, char **caps,
				 struct sim_response *resp)
{
	const char *group_id = value_get_string(req->query, "group_id");
	const char *type = value_get_string(req->query, "type");
	const struct sim_list *l = &sim->store.transformations;
	struct selection sel;
	size_t i;

	(void)caps;
	if (type && strcmp(type, "QUICKSTART") && strcmp(type, "DBT_CORE")) {
		sim_respond_error(resp, 400, "InvalidInput", "Invalid value '%s' for 'type': "
				  "expected DBT_CORE or QUICKSTART", type);
		return;
	}
	select_init(&sel, l);
	for (i = 0; i < l->n; i++) {
		if (group_id && !str_eq(l->items[i].group_id, group_id))
			continue;
		if (type && !str_eq(value_get_string(l->items[i].obj, "type"), type))
			continue;
		sel.items[sel.n++] = l->items[i].obj;
	}
	respond_selection(sim, req, &sel, resp);
}

static const char *const transformation_types[] = { "DBT_CORE", "QUICKSTART", NULL };

static const struct sim_field create_transformation_fields[] = {
	{ "type", SIM_FT_STRING, transformation_types },
	{ "paused", SIM_FT_BOOL, NULL },
	{ "schedule", SIM_FT_OBJECT, NULL },
	{ "transformation_config", SIM_FT_OBJECT, NULL },
};

/* An array of distinct strings, or NULL. */
static const char *check_string_set(const struct value *arr)
{
	size_t i, j;

	for (i = 0; i < arr->u.arr.n; i++) {
		const struct value *v = arr->u.arr.items[i];

		if (v->type != VALUE_STRING)
			return "must hold strings";
		for (j = 0; j < i; j++) {
			if (!strcmp(arr->u.arr.items[j]->u.str.ptr, v->u.str.ptr))
				return "must not repeat an item";
		}
	}
	return NULL;
}

static int check_part(const struct value *part, const char *name,
		      const struct sim_field *specs, size_t n, struct sim_response *resp)
{
	struct err e;

	err_clear(&e);
	if (part && sim_check_fields(part, specs, n, true, &e)) {
		sim_respond_error(resp, 400, "InvalidInput", "In '%s': %s", name, e.msg);
		return -1;
	}
	return 0;
}

static const struct value *validate_transformation(const struct sim_request *req,
						   struct sim_response *resp)
{
	const struct value *body = body_object(req, resp), *config, *ids, *schedule;
	const char *type, *why;
	struct err e;

	if (!body)
		return NULL;
	err_clear(&e);
	if (sim_check_fields(body, create_transformation_fields,
			     sizeof create_transformation_fields /
				     sizeof create_transformation_fields[0], true, &e)) {
		e.msg[0] = (char)toupper((unsigned char)e.msg[0]);
		sim_respond_error(resp, 400, "InvalidInput", "%s", e.msg);
		return NULL;
	}
	type = value_get_string(body, "type");
	config = value_get(body, "transformation_config");
	schedule = value_get(body, "schedule");
	if (!type) {
		sim_respond_error(resp, 400, "InvalidInput", "Field 'type' is required");
		return NULL;
	}
	if (strcmp(type, "QUICKSTART")) {
		sim_respond_error(resp, 400, "InvalidInput", "The simulator creates only "
				  "QUICKSTART transformations");
		return NULL;
	}
	if (!config) {
		sim_respond_error(resp, 400, "InvalidInput", "Field 'transformation_config' is "
				  "required");
		return NULL;
	}
	if (check_part(schedule, "schedule", sim_schedule_fields, sim_schedule_nfields, resp) ||
	    check_part(config, "transformation_config", sim_quickstart_fields,
		       sim_quickstart_nfields, resp))
		return NULL;
	if (schedule && !value_get(schedule, "schedule_type")) {
		sim_respond_error(resp, 400, "InvalidInput", "Field 'schedule.schedule_type' is "
				  "required");
		return NULL;
	}
	if (value_get(config, "upgrade_available")) {
		sim_respond_error(resp, 400, "InvalidInput", "Field "
				  "'transformation_config.upgrade_available' is read-only");
		return NULL;
	}
	if (!value_get(config, "package_name")) {
		sim_respond_error(resp, 400, "InvalidInput", "Field "
				  "'transformation_config.package_name' is required");
		return NULL;
	}
	ids = value_get(config, "connection_ids");
	if (!ids || !ids->u.arr.n) {
		sim_respond_error(resp, 400, "InvalidInput", "Field "
				  "'transformation_config.connection_ids' must name at least one "
				  "connection");
		return NULL;
	}
	if ((why = check_string_set(ids))) {
		sim_respond_error(resp, 400, "InvalidInput", "Field "
				  "'transformation_config.connection_ids' %s", why);
		return NULL;
	}
	return body;
}

/* The group of the connections a transformation depends on, or an error. */
static const char *transformation_group(struct sim *sim, const struct value *ids,
					struct sim_response *resp)
{
	const char *group = NULL;
	size_t i;

	for (i = 0; i < ids->u.arr.n; i++) {
		const char *id = ids->u.arr.items[i]->u.str.ptr;
		const struct sim_item *c = sim_list_find(&sim->store.connections, id);
		const char *g;

		if (!c) {
			sim_respond_error(resp, 404, "NotFound",
					  "Connection with id '%s' not found", id);
			return NULL;
		}
		g = value_get_string(c->obj, "group_id");
		if (group && !str_eq(group, g)) {
			sim_respond_error(resp, 400, "InvalidInput",
					  "Connections '%s' and '%s' are in different groups",
					  ids->u.arr.items[0]->u.str.ptr, id);
			return NULL;
		}
		group = g;
	}
	return group;
}

static const struct sim_item *find_package_by_name(const struct sim_store *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->packages.n; i++) {
		if (str_eq(value_get_string(s->packages.items[i].obj, "name"), name))
			return &s->packages.items[i];
	}
	return NULL;
}

static struct value *new_transformation(struct sim *sim, const struct value *body)
{
	const struct value *config = value_get(body, "transformation_config");
	const struct value *schedule = value_get(body, "schedule");
	const struct value *paused = value_get(body, "paused");
	const struct value *vars = value_get(config, "configurable_variables");
	const struct value *excluded = value_get(config, "excluded_models");
	const char *package = value_get_string(config, "package_name");
	const struct sim_item *meta = find_package_by_name(&sim->store, package);
	struct value *obj = value_new_object(), *tc = value_new_object(), *sched;
	char *id = sim_store_new_transformation_id(&sim->store);

	value_object_put_c(obj, "id", value_new_cstring(id));
	free(id);
	value_object_put_c(obj, "status", value_new_cstring("NEW"));
	sched = schedule ? value_clone(schedule) : value_new_object();
	sim_obj_default(sched, "schedule_type", value_new_cstring("INTEGRATED"));
	value_object_put_c(obj, "schedule", sched);
	value_object_put_c(obj, "type", value_new_cstring("QUICKSTART"));
	value_object_put_c(obj, "paused", paused ? value_clone(paused) : value_new_bool(true));
	value_object_put_c(obj, "created_at", value_new_cstring(sim->store.clock));
	value_object_put_c(obj, "created_by_id", value_new_cstring(SIM_USER_ID));
	if (meta && value_get(meta->obj, "output_model_names"))
		value_object_put_c(obj, "output_model_names",
				   value_clone(value_get(meta->obj, "output_model_names")));
	value_object_put_c(tc, "package_name", value_new_cstring(package));
	value_object_put_c(tc, "connection_ids", value_clone(value_get(config, "connection_ids")));
	value_object_put_c(tc, "excluded_models",
			   excluded ? value_clone(excluded) : value_new_array());
	value_object_put_c(tc, "upgrade_available", value_new_bool(false));
	if (vars)
		value_object_put_c(tc, "configurable_variables", value_clone(vars));
	value_object_put_c(obj, "transformation_config", tc);
	return obj;
}

static void create_transformation(struct sim *sim, const struct sim_request *req, char **caps,
				  struct sim_response *resp)
{
	const struct value *body;
	const char *group;
	struct value *obj;

	(void)caps;
	if (!(body = validate_transformation(req, resp)))
		return;
	group = transformation_group(sim, value_get(value_get(body, "transformation_config"),
						    "connection_ids"), resp);
	if (!group)
		return;
	obj = new_transformation(sim, body);
	sim_list_add(&sim->store.transformations, obj, xstrdup(group));
	respond_data(resp, 201, "Transformation created successfully", obj);
}

/* ----------------------------------------------------- package metadata */

static bool array_has_string(const struct value *arr, const char *s)
{
	size_t i;

	for (i = 0; arr && arr->type == VALUE_ARRAY && i < arr->u.arr.n; i++) {
		const struct value *v = arr->u.arr.items[i];

		if (v->type == VALUE_STRING && !strcmp(v->u.str.ptr, s))
			return true;
	}
	return false;
}

static void list_packages(struct sim *sim, const struct sim_request *req, char **caps,
			  struct sim_response *resp)
{
	const char *service = value_get_string(req->query, "service");
	const char *name = value_get_string(req->query, "name");
	const struct sim_list *l = &sim->store.packages;
	struct selection sel;
	size_t i;

	(void)caps;
	select_init(&sel, l);
	for (i = 0; i < l->n; i++) {
		const struct value *p = l->items[i].obj;

		if (service && !array_has_string(value_get(p, "connector_types"), service))
			continue;
		if (name && !str_eq(value_get_string(p, "name"), name))
			continue;
		sel.items[sel.n++] = p;
	}
	respond_selection(sim, req, &sel, resp);
}

static void get_package(struct sim *sim, const struct sim_request *req, char **caps,
			struct sim_response *resp)
{
	const struct sim_item *p = sim_list_find(&sim->store.packages, caps[0]);

	(void)req;
	if (!p)
		sim_respond_error(resp, 404, "NotFound", "Transformation package with id '%s' not "
				  "found", caps[0]);
	else
		respond_data(resp, 200, NULL, p->obj);
}

/* ---------------------------------------------------------- test routes */

static void get_state(struct sim *sim, const struct sim_request *req, char **caps,
		      struct sim_response *resp)
{
	(void)req;
	(void)caps;
	resp->status = 200;
	buf_reset(&resp->body);
	sim_store_write_state(&sim->store, &resp->body);
}

static void get_requests(struct sim *sim, const struct sim_request *req, char **caps,
			 struct sim_response *resp)
{
	(void)req;
	(void)caps;
	resp->status = 200;
	buf_reset(&resp->body);
	sim_reqlog_write(&sim->log, &resp->body);
}

/* ------------------------------------------------------------- dispatch */

struct route {
	const char *pattern;
	const char *method;
	handler_fn fn;
};

static const struct route api_routes[] = {
	{ "/v1/groups", "GET", list_groups },
	{ "/v1/groups/*", "GET", get_group },
	{ "/v1/groups/*/connections", "GET", list_group_connections },
	{ "/v1/destinations/*", "GET", get_destination },
	{ "/v1/connections", "GET", list_connections },
	{ "/v1/connections", "POST", create_connection },
	{ "/v1/connections/*", "GET", get_connection },
	{ "/v1/transformations", "GET", list_transformations },
	{ "/v1/transformations", "POST", create_transformation },
	{ "/v1/transformations/package-metadata", "GET", list_packages },
	{ "/v1/transformations/package-metadata/*", "GET", get_package },
};

static const struct route test_routes[] = {
	{ "/_sim/state", "GET", get_state },
	{ "/_sim/requests", "GET", get_requests },
};

#define MAX_CAPS 4

static void dispatch(struct sim *sim, const struct route *routes, size_t nroutes,
		     const struct sim_request *req, struct sim_response *resp)
{
	char *caps[MAX_CAPS];
	size_t ncaps = 0, i, j;
	bool path_known = false;

	resp->allow[0] = '\0';
	for (i = 0; i < nroutes; i++) {
		if (!sim_path_match(routes[i].pattern, req->path, caps, MAX_CAPS, &ncaps))
			continue;
		if (!strcmp(routes[i].method, req->method)) {
			routes[i].fn(sim, req, caps, resp);
			for (j = 0; j < ncaps; j++)
				free(caps[j]);
			return;
		}
		for (j = 0; j < ncaps; j++)
			free(caps[j]);
		path_known = true;
		if (strlen(resp->allow) + strlen(routes[i].method) + 3 < sizeof resp->allow) {
			if (resp->allow[0])
				strcat(resp->allow, ", ");
			strcat(resp->allow, routes[i].method);
		}
	}
	if (path_known)
		sim_respond_error(resp, 405, "MethodNotAllowed", "%s is not allowed on %s "
				  "(allowed: %s)", req->method, req->path, resp->allow);
	else
		sim_respond_error(resp, 404, "NotFound", "No such endpoint: %s %s", req->method,
				  req->path);
}

void sim_route_api(struct sim *sim, const struct sim_request *req, struct sim_response *resp)
{
	dispatch(sim, api_routes, sizeof api_routes / sizeof api_routes[0], req, resp);
}

void sim_route_test(struct sim *sim, const struct sim_request *req, struct sim_response *resp)
{
	dispatch(sim, test_routes, sizeof test_routes / sizeof test_routes[0], req, resp);
}
