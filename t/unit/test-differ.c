/*
 * test-differ.c — table-driven tests of the pure diff (SPEC §2): every row of
 * the action table and every config comparison rule, plus the request body
 * the comparison is made through; and of status's drift (state × plan ×
 * live → one finding per recorded resource), with the request digest it
 * shares with apply.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "differ/differ.h"
#include "lib/buf.h"
#include "lib/json.h"
#include "t/unit/tap.h"

static struct value *parse(const char *text)
{
	struct value *v = NULL;
	struct err err;

	if (json_parse(text, strlen(text), &v, &err)) {
		fprintf(stderr, "bad test JSON: %s\n%s\n", err.msg, text);
		exit(2);
	}
	return v;
}

/* One planned connection. */
struct conn_spec {
	const char *source_id, *service, *target_name, *config, *create_fields;
	const char *credential_fields[3];
};

static void fill_connection(struct plan_connection *c, const struct conn_spec *s)
{
	size_t i;

	memset(c, 0, sizeof *c);
	c->source_id = xstrdup(s->source_id);
	c->source_service = xstrdup(s->service);
	c->target_name = xstrdup(s->target_name);
	c->config = parse(s->config ? s->config : "{}");
	c->create_fields = parse(s->create_fields ? s->create_fields : "{}");
	for (i = 0; i < 3 && s->credential_fields[i]; i++)
		;
	c->n_credential_fields = i;
	c->credential_fields = xcalloc(i + 1, sizeof *c->credential_fields);
	for (i = 0; i < c->n_credential_fields; i++)
		c->credential_fields[i] = xstrdup(s->credential_fields[i]);
}

struct pkg_spec {
	const char *name;
	const char *deps[3];
};

static struct plan *make_plan(const struct conn_spec *conns, size_t n, const struct pkg_spec *pkgs,
			      size_t npkg)
{
	struct plan *p = xcalloc(1, sizeof *p);
	size_t i, j;

	p->path = xstrdup("copy_plan.yaml");
	p->connections = xcalloc(n + 1, sizeof *p->connections);
	for (i = 0; i < n; i++)
		fill_connection(&p->connections[p->n_connections++], &conns[i]);
	p->packages = xcalloc(npkg + 1, sizeof *p->packages);
	for (i = 0; i < npkg; i++) {
		struct plan_package *pk = &p->packages[p->n_packages++];
		pk->package_name = xstrdup(pkgs[i].name);
		pk->depends_on = xcalloc(4, sizeof *pk->depends_on);
		for (j = 0; j < 3 && pkgs[i].deps[j]; j++)
			pk->depends_on[pk->n_depends_on++] = xstrdup(pkgs[i].deps[j]);
	}
	return p;
}

static void make_live(struct live_state *live, const char *connections, const char *transformations)
{
	memset(live, 0, sizeof *live);
	live->group_id = xstrdup("target_group");
	live->group_name = xstrdup("Analytics Copy");
	live->connections = parse(connections ? connections : "[]");
	live->transformations = parse(transformations ? transformations : "[]");
}

static char *json_of(const struct value *v)
{
	struct buf b = BUF_INIT;

	if (!v)
		return xstrdup("(absent)");
	json_write(&b, v, JSON_COMPACT);
	return buf_detach(&b);
}

/* "action reason [path=plan/live ...]" — a compact summary to compare. */
static char *describe(const struct action *a)
{
	struct buf b = BUF_INIT;
	size_t i;

	buf_printf(&b, "%s %s", action_kind_name(a->action), a->reason ? a->reason : "-");
	if (a->id)
		buf_printf(&b, " id=%s", a->id);
	for (i = 0; i < a->n_differences; i++) {
		char *p = json_of(a->differences[i].plan), *l = json_of(a->differences[i].live);
		buf_printf(&b, " %s=%s/%s", a->differences[i].path, p, l);
		free(p);
		free(l);
	}
	for (i = 0; i < a->n_missing; i++)
		buf_printf(&b, " missing=%s", a->missing[i]);
	return buf_detach(&b);
}

struct connection_row {
	const char *name;
	struct conn_spec plan;
	const char *live; /* JSON array of live connections */
	const char *expect;
	const char *created_id; /* ccapply.lock records the connection created with this id */
};

/* What ccapply.lock records: the connection named name created with id
 * (NULL when id is NULL, as without ccapply.lock). */
static struct state *make_recorded(const char *name, const char *id)
{
	struct state_resource r = { .kind = RESOURCE_CONNECTION, .name = (char *)name,
				    .outcome = OUTCOME_CREATED, .id = (char *)id };
	struct state *st;

	if (!id)
		return NULL;
	st = xcalloc(1, sizeof *st);
	state_add(st, &r);
	return st;
}

#define PG(config) { "src", "postgres", "pg_app", config, NULL, { NULL } }

static const struct connection_row connection_rows[] = {
	{ "no connection with the name: create", PG("{\"schema_prefix\":\"pg_app\"}"),
	  "[{\"id\":\"c9\",\"schema\":\"other\",\"service\":\"postgres\",\"config\":{}}]",
	  "create -", NULL },
	{ "same name, same service, plan config a subset: noop",
	  PG("{\"schema_prefix\":\"pg_app\",\"host\":\"db\"}"),
	  "[{\"id\":\"c1\",\"schema\":\"pg_app\",\"service\":\"postgres\","
	  "\"config\":{\"schema_prefix\":\"pg_app\",\"host\":\"db\",\"extra_default\":7}}]",
	  "noop ALREADY_EXISTS id=c1", NULL },
	{ "two live connections with the name: the first listed is compared",
	  PG("{\"schema_prefix\":\"pg_app\"}"),
	  "[{\"id\":\"c0\",\"schema\":\"zz\",\"service\":\"postgres\",\"config\":{}},"
	  "{\"id\":\"c1\",\"schema\":\"pg_app\",\"service\":\"postgres\","
	  "\"config\":{\"schema_prefix\":\"pg_app\"}},"
	  "{\"id\":\"c2\",\"schema\":\"pg_app\",\"service\":\"mysql\",\"config\":{}},"
	  "{\"id\":\"c3\",\"schema\":\"aa\",\"service\":\"postgres\",\"config\":{}}]",
	  "noop ALREADY_EXISTS id=c1", NULL },
	{ "different service: skip with the service path", PG("{\"schema_prefix\":\"pg_app\"}"),
	  "[{\"id\":\"c1\",\"schema\":\"pg_app\",\"service\":\"mysql\","
	  "\"config\":{\"schema_prefix\":\"pg_app\"}}]",
	  "skip NAME_TAKEN_CONFIG_DIFFERS id=c1 service=\"postgres\"/\"mysql\"", NULL },
	{ "different value: skip with path, plan and live values",
	  PG("{\"schema_prefix\":\"pg_app\",\"port\":5432}"),
	  "[{\"id\":\"c1\",\"schema\":\"pg_app\",\"service\":\"postgres\","
	  "\"config\":{\"schema_prefix\":\"pg_app\",\"port\":5433}}]",
	  "skip NAME_TAKEN_CONFIG_DIFFERS id=c1 config.port=5432/5433", NULL },
	{ "a number equals its decimal string", PG("{\"schema_prefix\":\"pg_app\",\"port\":5432}"),
	  "[{\"id\":\"c1\",\"schema\":\"pg_app\",\"service\":\"postgres\","
	  "\"config\":{\"schema_prefix\":\"pg_app\",\"port\":\"5432\"}}]",
	  "noop ALREADY_EXISTS id=c1", NULL },
	{ "a decimal string equals the number", PG("{\"schema_prefix\":\"pg_app\",\"port\":\"5432\"}"),
	  "[{\"id\":\"c1\",\"schema\":\"pg_app\",\"service\":\"postgres\","
	  "\"config\":{\"schema_prefix\":\"pg_app\",\"port\":5432}}]",
	  "noop ALREADY_EXISTS id=c1", NULL },
	{ "a non-numeric string never equals a number",
	  PG("{\"schema_prefix\":\"pg_app\",\"port\":5432}"),
	  "[{\"id\":\"c1\",\"schema\":\"pg_app\",\"service\":\"postgres\","
	  "\"config\":{\"schema_prefix\":\"pg_app\",\"port\":\"5432x\"}}]",
	  "skip NAME_TAKEN_CONFIG_DIFFERS id=c1 config.port=5432/\"5432x\"", NULL },
	{ "a boolean never equals its string", PG("{\"schema_prefix\":\"pg_app\",\"ssl\":true}"),
	  "[{\"id\":\"c1\",\"schema\":\"pg_app\",\"service\":\"postgres\","
	  "\"config\":{\"schema_prefix\":\"pg_app\",\"ssl\":\"true\"}}]",
	  "skip NAME_TAKEN_CONFIG_DIFFERS id=c1 config.ssl=true/\"true\"", NULL },
	{ "a key the live side lacks is a difference",
	  PG("{\"schema_prefix\":\"pg_app\",\"update_method\":\"XMIN\"}"),
	  "[{\"id\":\"c1\",\"schema\":\"pg_app\",\"service\":\"postgres\","
	  "\"config\":{\"schema_prefix\":\"pg_app\"}}]",
	  "skip NAME_TAKEN_CONFIG_DIFFERS id=c1 config.update_method=\"XMIN\"/(absent)", NULL },
	{ "listed credential fields are ignored",
	  { "src", "postgres", "pg_app", "{\"schema_prefix\":\"pg_app\",\"password\":\"x\"}", NULL,
	    { "password", NULL } },
	  "[{\"id\":\"c1\",\"schema\":\"pg_app\",\"service\":\"postgres\","
	  "\"config\":{\"schema_prefix\":\"pg_app\",\"password\":\"different\"}}]",
	  "noop ALREADY_EXISTS id=c1", NULL },
	{ "values empty in the plan are ignored",
	  PG("{\"schema_prefix\":\"pg_app\",\"password\":\"\"}"),
	  "[{\"id\":\"c1\",\"schema\":\"pg_app\",\"service\":\"postgres\","
	  "\"config\":{\"schema_prefix\":\"pg_app\"}}]",
	  "noop ALREADY_EXISTS id=c1", NULL },
	{ "values masked live are ignored", PG("{\"schema_prefix\":\"pg_app\",\"token\":\"abc\"}"),
	  "[{\"id\":\"c1\",\"schema\":\"pg_app\",\"service\":\"postgres\","
	  "\"config\":{\"schema_prefix\":\"pg_app\",\"token\":\"******\"}}]",
	  "noop ALREADY_EXISTS id=c1", NULL },
	{ "the name compared is target_name, not the source's",
	  PG("{\"schema_prefix\":\"source_name\",\"host\":\"db\"}"),
	  "[{\"id\":\"c1\",\"schema\":\"pg_app\",\"service\":\"postgres\","
	  "\"config\":{\"schema_prefix\":\"pg_app\",\"host\":\"db\"}}]",
	  "noop ALREADY_EXISTS id=c1", NULL },
	{ "nested mappings are compared key by key",
	  PG("{\"schema_prefix\":\"pg_app\",\"tunnel\":{\"host\":\"a\",\"port\":22}}"),
	  "[{\"id\":\"c1\",\"schema\":\"pg_app\",\"service\":\"postgres\",\"config\":"
	  "{\"schema_prefix\":\"pg_app\",\"tunnel\":{\"host\":\"b\",\"port\":\"22\",\"x\":1}}}]",
	  "skip NAME_TAKEN_CONFIG_DIFFERS id=c1 config.tunnel.host=\"a\"/\"b\"", NULL },
	{ "lists compare whole, numbers loosely",
	  PG("{\"schema_prefix\":\"pg_app\",\"ports\":[1,2]}"),
	  "[{\"id\":\"c1\",\"schema\":\"pg_app\",\"service\":\"postgres\","
	  "\"config\":{\"schema_prefix\":\"pg_app\",\"ports\":[\"1\",2]}}]",
	  "noop ALREADY_EXISTS id=c1", NULL },
	{ "a top-level create field that differs live",
	  { "src", "postgres", "pg_app", "{\"schema_prefix\":\"pg_app\"}", "{\"sync_frequency\":360}",
	    { NULL } },
	  "[{\"id\":\"c1\",\"schema\":\"pg_app\",\"service\":\"postgres\",\"sync_frequency\":1440,"
	  "\"config\":{\"schema_prefix\":\"pg_app\"}}]",
	  "skip NAME_TAKEN_CONFIG_DIFFERS id=c1 sync_frequency=360/1440", NULL },
	{ "a schema_table connector is matched by its target_name, schema.table",
	  { "src", "google_sheets", "sheets_copy.budget", "{}", NULL, { NULL } },
	  "[{\"id\":\"c7\",\"schema\":\"sheets_copy\",\"service\":\"google_sheets\",\"config\":{}},"
	  "{\"id\":\"c8\",\"schema\":\"sheets_copy.budget\",\"service\":\"google_sheets\","
	  "\"config\":{\"schema\":\"sheets_copy\",\"table\":\"budget\"}}]",
	  "noop ALREADY_EXISTS id=c8", NULL },
	{ "a target_name that already names the table is the whole name",
	  { "src", "google_sheets", "sheets_copy.budget",
	    "{\"schema\":\"sheets\",\"table\":\"budget\"}", NULL, { NULL } },
	  "[{\"id\":\"c8\",\"schema\":\"sheets_copy.budget\",\"service\":\"google_sheets\","
	  "\"config\":{\"schema\":\"sheets_copy\",\"table\":\"budget\"}}]",
	  "noop ALREADY_EXISTS id=c8", NULL },
	{ "a schema_table connector whose schema.table is free: create",
	  { "src", "google_sheets", "sheets_copy.budget", "{}", NULL, { NULL } },
	  "[{\"id\":\"c7\",\"schema\":\"sheets_copy\",\"service\":\"google_sheets\",\"config\":{}}]",
	  "create -", NULL },
	/* SPEC §2: compare what the user meant. One row per rule. */
	{ "naming keys are never compared: the answer's config has none",
	  PG("{\"schema_prefix\":\"source_name\",\"host\":\"db\"}"),
	  "[{\"id\":\"c1\",\"schema\":\"pg_app\",\"service\":\"postgres\","
	  "\"config\":{\"host\":\"db\"}}]",
	  "noop ALREADY_EXISTS id=c1", NULL },
	{ "schema and table of a schema.table connector are naming keys",
	  { "src", "google_sheets", "sheets_copy.budget",
	    "{\"schema\":\"sheets\",\"table\":\"budget\",\"sheet_id\":\"abc\"}", NULL,
	    { NULL } },
	  "[{\"id\":\"c8\",\"schema\":\"sheets_copy.budget\",\"service\":\"google_sheets\","
	  "\"config\":{\"sheet_id\":\"abc\"}}]",
	  "noop ALREADY_EXISTS id=c8", NULL },
	{ "a setting equals the live top-level field's decimal string",
	  { "src", "postgres", "pg_app", "{\"schema_prefix\":\"pg_app\"}",
	    "{\"sync_frequency\":1440,\"daily_sync_time\":\"03:00\"}", { NULL } },
	  "[{\"id\":\"c1\",\"schema\":\"pg_app\",\"service\":\"postgres\","
	  "\"sync_frequency\":\"1440\",\"daily_sync_time\":\"03:00\",\"config\":{}}]",
	  "noop ALREADY_EXISTS id=c1", NULL },
	{ "a setting is compared with the top-level field, not with config",
	  { "src", "postgres", "pg_app", "{\"schema_prefix\":\"pg_app\"}",
	    "{\"schedule_type\":\"manual\"}", { NULL } },
	  "[{\"id\":\"c1\",\"schema\":\"pg_app\",\"service\":\"postgres\","
	  "\"schedule_type\":\"auto\",\"config\":{\"schedule_type\":\"manual\"}}]",
	  "skip NAME_TAKEN_CONFIG_DIFFERS id=c1 schedule_type=\"manual\"/\"auto\"", NULL },
	{ "paused and group_id say how apply creates: an unpaused connection is not drift",
	  PG("{\"schema_prefix\":\"pg_app\",\"host\":\"db\"}"),
	  "[{\"id\":\"c1\",\"schema\":\"pg_app\",\"service\":\"postgres\",\"paused\":false,"
	  "\"group_id\":\"elsewhere\",\"config\":{\"host\":\"db\"}}]",
	  "noop ALREADY_EXISTS id=c1", NULL },
	{ "a key the definition does not list, absent live: the API may drop it",
	  PG("{\"schema_prefix\":\"pg_app\",\"x_not_in_definition\":\"1\"}"),
	  "[{\"id\":\"c1\",\"schema\":\"pg_app\",\"service\":\"postgres\",\"config\":{}}]",
	  "noop ALREADY_EXISTS id=c1", NULL },
	{ "a key the definition does not list, present live: compared",
	  PG("{\"schema_prefix\":\"pg_app\",\"x_not_in_definition\":\"1\"}"),
	  "[{\"id\":\"c1\",\"schema\":\"pg_app\",\"service\":\"postgres\","
	  "\"config\":{\"x_not_in_definition\":\"2\"}}]",
	  "skip NAME_TAKEN_CONFIG_DIFFERS id=c1 config.x_not_in_definition=\"1\"/\"2\"", NULL },
	{ "a read-only key is never sent, so never compared",
	  PG("{\"schema_prefix\":\"pg_app\",\"public_key\":\"copied from the source\"}"),
	  "[{\"id\":\"c1\",\"schema\":\"pg_app\",\"service\":\"postgres\","
	  "\"config\":{\"public_key\":\"generated by the server\"}}]",
	  "noop ALREADY_EXISTS id=c1", NULL },
	{ "a key the catalog marks a credential is never compared, even unlisted",
	  { "src", "stripe", "stripe_prod", "{\"api_key\":\"sk_live_plan\"}", NULL, { NULL } },
	  "[{\"id\":\"c1\",\"schema\":\"stripe_prod\",\"service\":\"stripe\","
	  "\"config\":{\"api_key\":\"sk_live_other\"}}]",
	  "noop ALREADY_EXISTS id=c1", NULL },
	{ "recorded created by ccapply: already exists whatever its config",
	  PG("{\"schema_prefix\":\"pg_app\",\"host\":\"db\"}"),
	  "[{\"id\":\"c1\",\"schema\":\"pg_app\",\"service\":\"postgres\","
	  "\"config\":{\"host\":\"edited-by-hand\"}}]",
	  "noop ALREADY_EXISTS id=c1", "c1" },
	{ "recorded created and renamed since: already exists, never created twice",
	  PG("{\"schema_prefix\":\"pg_app\"}"),
	  "[{\"id\":\"c1\",\"schema\":\"pg_renamed\",\"service\":\"postgres\",\"config\":{}}]",
	  "noop ALREADY_EXISTS id=c1", "c1" },
	{ "recorded created but gone, the name now another's: the name rule decides",
	  PG("{\"schema_prefix\":\"pg_app\",\"host\":\"db\"}"),
	  "[{\"id\":\"c2\",\"schema\":\"pg_app\",\"service\":\"postgres\","
	  "\"config\":{\"host\":\"other\"}}]",
	  "skip NAME_TAKEN_CONFIG_DIFFERS id=c2 config.host=\"db\"/\"other\"", "c1" },
	{ "recorded created but gone, the name free: create",
	  PG("{\"schema_prefix\":\"pg_app\"}"), "[]", "create -", "c1" },
	{ "a create field the list does not echo is not a difference",
	  { "src", "postgres", "pg_app", "{\"schema_prefix\":\"pg_app\"}",
	    "{\"pause_after_trial\":true}", { NULL } },
	  "[{\"id\":\"c1\",\"schema\":\"pg_app\",\"service\":\"postgres\","
	  "\"config\":{\"schema_prefix\":\"pg_app\"}}]",
	  "noop ALREADY_EXISTS id=c1", NULL },
};

static void test_connection_rows(void)
{
	size_t i;

	for (i = 0; i < sizeof connection_rows / sizeof connection_rows[0]; i++) {
		const struct connection_row *row = &connection_rows[i];
		struct plan *p = make_plan(&row->plan, 1, NULL, 0);
		struct live_state live;
		struct action_list list;
		struct err err;
		char *got;
		struct state *recorded = make_recorded(row->plan.target_name, row->created_id);

		make_live(&live, row->live, NULL);
		ok(differ_diff(p, &live, recorded, &list, &err) == 0 && list.n == 1, "%s: diffed",
		   row->name);
		got = describe(&list.items[0]);
		is_str(got, row->expect, "%s", row->name);
		free(got);
		action_list_free(&list);
		differ_live_state_free(&live);
		state_free(recorded);
		plan_free(p);
	}
}

struct transformation_row {
	const char *name;
	struct pkg_spec pkg;
	const char *live_connections;
	const char *live_transformations;
	const char *expect;
};

/* Planned: stripe (src_a → stripe_prod) and salesforce (src_b → sf_prod). */
static const struct conn_spec two_connections[] = {
	{ "src_a", "stripe", "stripe_prod", "{\"schema\":\"stripe_prod\"}", NULL, { NULL } },
	{ "src_b", "salesforce", "sf_prod", "{\"schema\":\"sf_prod\"}", NULL, { NULL } },
};

#define LIVE_BOTH "[{\"id\":\"ca\",\"schema\":\"stripe_prod\",\"service\":\"stripe\"," \
	"\"config\":{\"schema\":\"stripe_prod\"}},{\"id\":\"cb\",\"schema\":\"sf_prod\"," \
	"\"service\":\"salesforce\",\"config\":{\"schema\":\"sf_prod\"}}]"

static const struct transformation_row transformation_rows[] = {
	{ "same package and dependency ids live: noop", { "stripe", { "src_a", NULL } }, LIVE_BOTH,
	  "[{\"id\":\"t1\",\"type\":\"QUICKSTART\",\"transformation_config\":"
	  "{\"package_name\":\"stripe\",\"connection_ids\":[\"ca\"]}}]",
	  "noop ALREADY_EXISTS id=t1" },
	{ "connection ids compared as a set", { "both", { "src_a", "src_b", NULL } }, LIVE_BOTH,
	  "[{\"id\":\"t2\",\"type\":\"QUICKSTART\",\"transformation_config\":"
	  "{\"package_name\":\"both\",\"connection_ids\":[\"cb\",\"ca\"]}}]",
	  "noop ALREADY_EXISTS id=t2" },
	{ "same package on other connections: create", { "stripe", { "src_a", NULL } }, LIVE_BOTH,
	  "[{\"id\":\"t1\",\"type\":\"QUICKSTART\",\"transformation_config\":"
	  "{\"package_name\":\"stripe\",\"connection_ids\":[\"cb\"]}}]",
	  "create -" },
	{ "a dbt core transformation is not a match", { "stripe", { "src_a", NULL } }, LIVE_BOTH,
	  "[{\"id\":\"t1\",\"type\":\"DBT_CORE\",\"transformation_config\":"
	  "{\"package_name\":\"stripe\",\"connection_ids\":[\"ca\"]}}]",
	  "create -" },
	{ "a dependency still to be created: create", { "stripe", { "src_a", NULL } }, "[]", "[]",
	  "create -" },
	{ "a dependency outside the plan: skip", { "stripe", { "src_a", "ghost", NULL } },
	  LIVE_BOTH, "[]", "skip MISSING_DEPENDENCY missing=ghost" },
	{ "no dependency at all: skip, never sent", { "stripe", { NULL } }, LIVE_BOTH,
	  "[{\"id\":\"t1\",\"type\":\"QUICKSTART\",\"transformation_config\":"
	  "{\"package_name\":\"stripe\",\"connection_ids\":[]}}]",
	  "skip NO_DEPENDENCIES" },
	{ "a dependency skipped for a taken name: skip", { "sf", { "src_b", NULL } },
	  "[{\"id\":\"cb\",\"schema\":\"sf_prod\",\"service\":\"hubspot\",\"config\":{}}]", "[]",
	  "skip DEPENDENCY_SKIPPED" },
};

static void test_transformation_rows(void)
{
	size_t i;

	for (i = 0; i < sizeof transformation_rows / sizeof transformation_rows[0]; i++) {
		const struct transformation_row *row = &transformation_rows[i];
		struct plan *p = make_plan(two_connections, 2, &row->pkg, 1);
		struct live_state live;
		struct action_list list;
		struct err err;
		char *got;

		make_live(&live, row->live_connections, row->live_transformations);
		ok(differ_diff(p, &live, NULL, &list, &err) == 0 && list.n == 3, "%s: diffed",
		   row->name);
		got = describe(&list.items[2]);
		is_str(got, row->expect, "%s", row->name);
		free(got);
		action_list_free(&list);
		differ_live_state_free(&live);
		plan_free(p);
	}
}

static void test_summary_and_order(void)
{
	static const struct pkg_spec pkg = { "stripe", { "src_a", NULL } };
	struct plan *p = make_plan(two_connections, 2, &pkg, 1);
	struct live_state live;
	struct action_list list;
	struct err err;

	make_live(&live, "[{\"id\":\"ca\",\"schema\":\"stripe_prod\",\"service\":\"stripe\","
		  "\"config\":{\"schema\":\"stripe_prod\"}}]", NULL);
	differ_diff(p, &live, NULL, &list, &err);
	is_str(list.items[0].name, "stripe_prod", "actions follow plan order (1)");
	is_str(list.items[1].name, "sf_prod", "actions follow plan order (2)");
	ok(list.items[2].kind == RESOURCE_TRANSFORMATION, "transformations come last");
	is_int((long long)list.n_create, 2, "two to create");
	is_int((long long)list.n_noop, 1, "one unchanged");
	is_int((long long)list.n_skip, 0, "none skipped");
	action_list_free(&list);
	differ_live_state_free(&live);
	plan_free(p);
}

static void test_request_body(void)
{
	static const struct conn_spec spec = {
		"src", "postgres", "pg_copy",
		"{\"host\":\"db\",\"password\":\"hunter2\",\"token\":\"****\",\"schema_prefix\":\"pg\","
		"\"nested\":{\"password\":\"x\"}}",
		"{\"sync_frequency\":360}", { "password", NULL } };
	struct plan *p = make_plan(&spec, 1, NULL, 0);
	struct value *body = plan_connection_request(&p->connections[0], "g1");
	struct buf b = BUF_INIT;

	json_write(&b, body, JSON_COMPACT);
	is_str(b.data,
	       "{\"group_id\":\"g1\",\"service\":\"postgres\",\"run_setup_tests\":false,"
	       "\"paused\":true,\"sync_frequency\":360,\"config\":{\"host\":\"db\","
	       "\"password\":\"\",\"token\":\"\",\"nested\":{\"password\":\"\"},"
	       "\"schema_prefix\":\"pg_copy\"}}",
	       "connection body: paused, no setup tests, secrets blanked, name from target_name");
	buf_free(&b);
	value_free(body);
	plan_free(p);
}

static void test_request_body_schema(void)
{
	static const struct conn_spec spec = { "src", "stripe", "stripe_copy", "{}", NULL, { NULL } };
	struct plan *p = make_plan(&spec, 1, NULL, 0);
	struct value *body = plan_connection_request(&p->connections[0], "g1");

	is_str(value_get_string(value_get(body, "config"), "schema"), "stripe_copy",
	       "without schema_prefix the name goes to config.schema");
	value_free(body);
	plan_free(p);
}

/* Which name Fivetran gives a connection (target_name), and the naming keys
 * apply sends for it: the service's naming format in the catalog decides,
 * whatever naming keys the plan's config holds. */
static void test_connection_naming(void)
{
	static const struct {
		const char *service, *target_name, *config, *key, *sent, *key2, *sent2;
	} rows[] = {
		{ "postgres", "pg_copy", "{\"schema_prefix\":\"pg\"}", "schema_prefix", "pg_copy",
		  "schema", NULL },
		{ "postgres", "pg_copy", "{\"schema\":\"pg\"}", "schema_prefix", "pg_copy", "schema",
		  NULL },
		{ "stripe", "stripe_copy", "{\"schema\":\"stripe\"}", "schema", "stripe_copy",
		  "schema_prefix", NULL },
		{ "stripe", "stripe_copy", "{\"schema_prefix\":\"x\",\"table\":\"t\"}", "schema",
		  "stripe_copy", "table", NULL },
		{ "google_sheets", "s_copy.t", "{\"schema\":\"s\",\"table\":\"x\"}", "schema",
		  "s_copy", "table", "t" },
		{ "google_sheets", "a.b.c", "{}", "schema", "a", "table", "b.c" },
		{ "s3", "f_copy.g", "{\"table\":\"t\"}", "schema", "f_copy", "table_group_name", "g" },
	};
	size_t i;

	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		struct conn_spec spec = { "src", rows[i].service, rows[i].target_name, rows[i].config,
					  NULL, { NULL } };
		struct plan *p = make_plan(&spec, 1, NULL, 0);
		struct value *body = plan_connection_request(&p->connections[0], "g1");
		const struct value *config = value_get(body, "config");
		char *api_name = plan_connection_api_name(&p->connections[0]);
		const char *sent2 = value_get_string(config, rows[i].key2);

		is_str(api_name, rows[i].target_name, "%s %s: Fivetran names it target_name",
		       rows[i].service, rows[i].target_name);
		is_str(value_get_string(config, rows[i].key), rows[i].sent, "%s %s with %s: %s %s",
		       rows[i].service, rows[i].target_name, rows[i].config, rows[i].key,
		       rows[i].sent);
		if (rows[i].sent2)
			is_str(sent2, rows[i].sent2, "  and %s %s", rows[i].key2, rows[i].sent2);
		else
			ok(!sent2, "  and no %s", rows[i].key2);
		free(api_name);
		value_free(body);
		plan_free(p);
	}
}

/* ---- drift (status) ------------------------------------------------------ */

static const struct conn_spec drift_connections[] = {
	{ "src_pg", "postgres", "pg_app", "{\"schema_prefix\":\"pg_app\",\"host\":\"db\"}", NULL,
	  { NULL } },
	{ "src_sf", "salesforce", "sf_prod", "{\"schema\":\"sf_prod\"}", NULL, { NULL } },
};
static const struct pkg_spec drift_package = { "pg_pkg", { "src_pg", NULL } };

static void add_recorded(struct state *st, enum resource_kind kind, const char *name,
			 enum resource_outcome o, const char *id, char *digest)
{
	struct state_resource r = { .kind = kind, .name = (char *)name, .outcome = o,
				    .id = (char *)id, .sent_digest = digest };

	state_add(st, &r);
	free(digest);
}

/* What apply recorded for the plan: pg_app created as the plan sends it now,
 * sf_prod found already there, pg_pkg created on pg_app's id, ghost skipped. */
static struct state *drift_state(const struct plan *p)
{
	struct state *st = xcalloc(1, sizeof *st);
	char *ids[] = { "c1" };
	struct value *body;
	char *digest;

	st->target_group_id = xstrdup("target_group");
	st->target_group_name = xstrdup("Recorded Name");
	body = plan_connection_request(&p->connections[0], "target_group");
	digest = plan_request_digest(body);
	value_free(body);
	add_recorded(st, RESOURCE_CONNECTION, "pg_app", OUTCOME_CREATED, "c1", digest);
	add_recorded(st, RESOURCE_CONNECTION, "sf_prod", OUTCOME_ALREADY_EXISTS, "c2", NULL);
	body = plan_transformation_request("pg_pkg", ids, 1);
	digest = plan_request_digest(body);
	value_free(body);
	add_recorded(st, RESOURCE_TRANSFORMATION, "pg_pkg", OUTCOME_CREATED, "t1", digest);
	add_recorded(st, RESOURCE_CONNECTION, "ghost", OUTCOME_SKIPPED, NULL, NULL);
	return st;
}

static const char *note_name(const char *note)
{
	return note == DRIFT_NOTE_NOT_CREATED ? "not-created" :
	       note == DRIFT_NOTE_NOT_PLANNED ? "not-planned" :
	       note == DRIFT_NOTE_PLAN_CHANGED ? "plan-changed" :
	       note == DRIFT_NOTE_IDS_NOT_PLANNED ? "ids-not-planned" :
	       note == DRIFT_NOTE_DEPENDENCY_UNKNOWN ? "dependency-unknown" : "?";
}

/* "tally; name state [broken] [basis] [path=sent/live] [>group(name)] [@name] [note]..." */
static char *describe_drift(const struct drift_report *dr)
{
	struct buf b = BUF_INIT;
	size_t i, j;

	buf_printf(&b, "group %s%s: ok=%zu drifted=%zu missing=%zu broken=%zu not_checked=%zu%s",
		   dr->group_name ? dr->group_name : "-", dr->group_exists ? "" : " gone", dr->ok,
		   dr->drifted, dr->missing, dr->broken, dr->not_checked, dr->drift ? " DRIFT" : "");
	for (i = 0; i < dr->n; i++) {
		const struct drift *d = &dr->items[i];
		buf_printf(&b, "; %s %s", d->resource->name, drift_state_name(d->state));
		if (d->broken)
			buf_puts(&b, " broken");
		if (drift_basis_name(d->compared_with))
			buf_printf(&b, " %s", drift_basis_name(d->compared_with));
		for (j = 0; j < d->n_differences; j++) {
			char *p = json_of(d->differences[j].plan), *l = json_of(d->differences[j].live);
			buf_printf(&b, " %s=%s/%s", d->differences[j].path, p, l);
			free(p);
			free(l);
		}
		if (d->moved_to)
			buf_printf(&b, " >%s(%s)", d->moved_to,
				   d->moved_to_name ? d->moved_to_name : "?");
		if (d->live_name)
			buf_printf(&b, " @%s", d->live_name);
		for (j = 0; j < d->n_notes; j++)
			buf_printf(&b, " [%s]", note_name(d->notes[j]));
	}
	return buf_detach(&b);
}

#define DRIFT_C1(group, schema, setup, host) \
	"{\"id\":\"c1\",\"group_id\":\"" group "\",\"schema\":\"" schema "\",\"service\":" \
	"\"postgres\",\"paused\":true,\"status\":{\"setup_state\":\"" setup "\"," \
	"\"sync_state\":\"paused\"},\"config\":{\"host\":\"" host "\"}}"
#define DRIFT_C2 "{\"id\":\"c2\",\"group_id\":\"target_group\",\"schema\":\"sf_prod\"," \
	"\"service\":\"salesforce\",\"paused\":false,\"config\":{}}"
#define DRIFT_T1(ids, status) "[{\"id\":\"t1\",\"type\":\"QUICKSTART\",\"status\":\"" status \
	"\",\"paused\":true,\"transformation_config\":{\"package_name\":\"pg_pkg\"," \
	"\"connection_ids\":" ids "}}]"
#define DRIFT_OK_C1 DRIFT_C1("target_group", "pg_app", "incomplete", "db")

/* The plan now, when it changed since apply: pg_app only, another host. */
static const struct conn_spec drift_changed[] = {
	{ "src_pg", "postgres", "pg_app", "{\"schema_prefix\":\"pg_app\",\"host\":\"db2\"}",
	  NULL, { NULL } },
};

struct drift_row {
	const char *name;
	const char *connections, *elsewhere, *other_groups, *transformations;
	bool group_missing, no_plan, plan_changed; /* plan_changed: drift_changed is the plan */
	const char *expect;
};

static const struct drift_row drift_rows[] = {
	{ .name = "nothing changed: ok, compared with what was sent",
	  .connections = "[" DRIFT_OK_C1 "," DRIFT_C2 "]",
	  .transformations = DRIFT_T1("[\"c1\"]", "NEW"),
	  .expect = "group Live Name: ok=3 drifted=0 missing=0 broken=0 not_checked=1; pg_app ok "
		    "sent; sf_prod ok plan; pg_pkg ok sent; ghost not_checked [not-created]" },
	{ .name = "a config value changed: drifted, with the path, what was sent and what is live",
	  .connections = "[" DRIFT_C1("target_group", "pg_app", "incomplete", "elsewhere") ","
			 DRIFT_C2 "]",
	  .transformations = DRIFT_T1("[\"c1\"]", "NEW"),
	  .expect = "group Live Name: ok=2 drifted=1 missing=0 broken=0 not_checked=1 DRIFT; "
		    "pg_app drifted sent config.host=\"db\"/\"elsewhere\"; sf_prod ok plan; "
		    "pg_pkg ok sent; ghost not_checked [not-created]" },
	{ .name = "gone from the group's list and not found by id: deleted",
	  .connections = "[" DRIFT_C2 "]", .elsewhere = "[]", .other_groups = "{}",
	  .transformations = DRIFT_T1("[\"c1\"]", "NEW"),
	  .expect = "group Live Name: ok=2 drifted=0 missing=1 broken=0 not_checked=1 DRIFT; "
		    "pg_app deleted; sf_prod ok plan; pg_pkg ok sent; ghost not_checked "
		    "[not-created]" },
	{ .name = "found by id in another group: moved, with that group's name",
	  .connections = "[" DRIFT_C2 "]",
	  .elsewhere = "[" DRIFT_C1("other_group", "pg_app", "incomplete", "db") "]",
	  .other_groups = "{\"other_group\":\"Other\"}",
	  .transformations = DRIFT_T1("[\"c1\"]", "NEW"),
	  .expect = "group Live Name: ok=2 drifted=1 missing=0 broken=0 not_checked=1 DRIFT; "
		    "pg_app moved sent >other_group(Other); sf_prod ok plan; pg_pkg ok sent; "
		    "ghost not_checked [not-created]" },
	{ .name = "another schema: renamed; setup_state broken: broken (counted once, as broken)",
	  .connections = "[" DRIFT_C1("target_group", "pg_renamed", "broken", "db") ","
			 DRIFT_C2 "]",
	  .transformations = DRIFT_T1("[\"c1\"]", "NEW"),
	  .expect = "group Live Name: ok=2 drifted=0 missing=0 broken=1 not_checked=1 DRIFT; "
		    "pg_app renamed broken sent @pg_renamed; sf_prod ok plan; pg_pkg ok sent; "
		    "ghost not_checked [not-created]" },
	{ .name = "a transformation on other connections, and FAILED: drifted and broken",
	  .connections = "[" DRIFT_OK_C1 "," DRIFT_C2 "]",
	  .transformations = DRIFT_T1("[\"c2\"]", "FAILED"),
	  .expect = "group Live Name: ok=2 drifted=0 missing=0 broken=1 not_checked=1 DRIFT; "
		    "pg_app ok sent; sf_prod ok plan; pg_pkg drifted broken sent "
		    "connection_ids=[\"c1\"]/[\"c2\"]; ghost not_checked [not-created]" },
	{ .name = "the target group is gone: its transformations with it, connections by id",
	  .elsewhere = "[]", .other_groups = "{}", .group_missing = true,
	  .expect = "group Recorded Name gone: ok=0 drifted=0 missing=3 broken=0 not_checked=1 "
		    "DRIFT; pg_app deleted; sf_prod deleted; pg_pkg deleted; ghost not_checked "
		    "[not-created]" },
	{ .name = "no plan: existence and health only, config not compared",
	  .connections = "[" DRIFT_C1("target_group", "pg_app", "incomplete", "elsewhere") ","
			 DRIFT_C2 "]",
	  .transformations = DRIFT_T1("[\"c2\"]", "NEW"), .no_plan = true,
	  .expect = "group Live Name: ok=3 drifted=0 missing=0 broken=0 not_checked=1; pg_app ok; "
		    "sf_prod ok; pg_pkg ok; ghost not_checked [not-created]" },
	{ .name = "the plan changed since: compared with what it sends now, and said",
	  .connections = "[" DRIFT_OK_C1 "," DRIFT_C2 "]",
	  .transformations = DRIFT_T1("[\"c1\"]", "NEW"), .plan_changed = true,
	  .expect = "group Live Name: ok=2 drifted=1 missing=0 broken=0 not_checked=1 DRIFT; "
		    "pg_app drifted plan config.host=\"db2\"/\"db\" [plan-changed]; sf_prod ok "
		    "[not-planned]; pg_pkg ok [ids-not-planned]; ghost not_checked [not-created]" },
};

static void test_drift_rows(void)
{
	size_t i;

	for (i = 0; i < sizeof drift_rows / sizeof drift_rows[0]; i++) {
		const struct drift_row *row = &drift_rows[i];
		struct plan *p = make_plan(drift_connections, 2, &drift_package, 1);
		struct plan *now = row->plan_changed ? make_plan(drift_changed, 1, NULL, 0) : NULL;
		struct state *st = drift_state(p);
		struct live_state live = { 0 };
		struct drift_report dr;
		char *got;

		live.group_id = xstrdup("target_group");
		live.group_missing = row->group_missing;
		live.group_name = row->group_missing ? NULL : xstrdup("Live Name");
		live.connections = row->connections ? parse(row->connections) : NULL;
		live.elsewhere = row->elsewhere ? parse(row->elsewhere) : NULL;
		live.other_groups = row->other_groups ? parse(row->other_groups) : NULL;
		live.transformations = row->transformations ? parse(row->transformations) : NULL;
		differ_drift(st, row->no_plan ? NULL : now ? now : p, &live, &dr);
		got = describe_drift(&dr);
		is_str(got, row->expect, "drift: %s", row->name);
		free(got);
		drift_report_free(&dr);
		differ_live_state_free(&live);
		state_free(st);
		plan_free(p);
		plan_free(now);
	}
}

/* apply records, and status compares, "blake2b-256:" + the BLAKE2b-256 of the
 * canonical JSON (compact, sorted keys): b2sum -l 256 of {"a":1,"b":"x"}. */
static void test_request_digest(void)
{
	struct value *body = parse("{\"b\":\"x\",\"a\":1}");
	char *digest = plan_request_digest(body);

	is_str(digest, "blake2b-256:5329bfc33aed112f40007d755bc552e8f350dd9606e0e4e6970db85a6cd5a2b1",
	       "the request digest is of the canonical JSON");
	free(digest);
	value_free(body);
}

/* The state file lost: testdata/plans/scope-step (settings and postgres's
 * read-only public_key inside config, no naming key, google_sheets named
 * schema.table) loaded as apply loads it,
 * against the group as the API answers after that plan was applied: the
 * name only as the top-level schema, settings at the top level, read-only
 * keys filled by the server, credentials masked, numbers maybe as strings. */
#define SCOPE_LIVE(stripe_frequency) \
	"[{\"id\":\"c1\",\"schema\":\"postgres_app\",\"service\":\"postgres\",\"paused\":false," \
	"\"sync_frequency\":360,\"schedule_type\":\"auto\",\"networking_method\":\"Directly\"," \
	"\"config\":{\"host\":\"db.internal.example.com\",\"port\":\"5432\",\"database\":\"app\"," \
	"\"user\":\"fivetran\",\"password\":\"******\",\"update_method\":\"QUERY_BASED\"," \
	"\"public_key\":\"ssh-rsa SERVER-GENERATED\"}}," \
	"{\"id\":\"c2\",\"schema\":\"sheets_copy.budget\",\"service\":\"google_sheets\"," \
	"\"sync_frequency\":360,\"config\":{\"sheet_id\":" \
	"\"https://docs.google.com/spreadsheets/d/1AbC/edit\",\"named_range\":\"budget_range\"," \
	"\"auth_type\":\"ServiceAccount\"}}," \
	"{\"id\":\"c3\",\"schema\":\"stripe_prod\",\"service\":\"stripe\",\"sync_frequency\":" \
	stripe_frequency ",\"daily_sync_time\":\"03:00\",\"config\":{\"api_key\":\"******\"}}]"

static void test_lost_state(void)
{
	static const char transformations[] =
		"[{\"id\":\"t1\",\"type\":\"QUICKSTART\",\"transformation_config\":"
		"{\"package_name\":\"stripe\",\"connection_ids\":[\"c3\"]}}]";
	const char *repo = getenv("REPO");
	struct buf path = BUF_INIT;
	struct plan *p = NULL;
	struct live_state live;
	struct action_list list;
	struct err err;
	char *got;

	buf_printf(&path, "%s/testdata/plans/scope-step/copy_plan.yaml", repo ? repo : ".");
	if (!ok(plan_load(path.data, &p, &err) == 0, "the scope-step plan loads")) {
		diag("%s", err.msg);
		buf_free(&path);
		return;
	}
	make_live(&live, SCOPE_LIVE("\"1440\""), transformations);
	differ_diff(p, &live, NULL, &list, &err);
	ok(list.n_create == 0 && list.n_noop == 4 && list.n_skip == 0,
	   "without ccapply.lock: 0 to create, 4 unchanged, 0 skipped (%zu, %zu, %zu)",
	   list.n_create, list.n_noop, list.n_skip);
	action_list_free(&list);
	differ_live_state_free(&live);

	make_live(&live, SCOPE_LIVE("360"), transformations);
	differ_diff(p, &live, NULL, &list, &err);
	got = describe(&list.items[2]);
	is_str(got, "skip NAME_TAKEN_CONFIG_DIFFERS id=c3 sync_frequency=1440/360",
	       "a setting the plan has inside config is compared with the live top-level field");
	free(got);
	action_list_free(&list);
	differ_live_state_free(&live);
	plan_free(p);
	buf_free(&path);
}

int main(void)
{
	test_connection_rows();
	test_transformation_rows();
	test_summary_and_order();
	test_request_body();
	test_request_body_schema();
	test_connection_naming();
	test_drift_rows();
	test_request_digest();
	test_lost_state();
	return done_testing();
}
