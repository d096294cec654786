/*
 * test-planner.c — the plan and report loaders on the bundled example and on
 * small cases: what lands in the model, what is left out (schema_config),
 * and the warning codes apply must have acknowledged.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/json.h"
#include "planner/planner.h"
#include "t/unit/tap.h"

static const char *testdata(const char *rel)
{
	static char path[4096];
	const char *repo = getenv("REPO");

	snprintf(path, sizeof path, "%s/testdata/%s", repo ? repo : ".", rel);
	return path;
}

static char *json_of(const struct value *v)
{
	struct buf b = BUF_INIT;

	json_write(&b, v, JSON_COMPACT);
	return buf_detach(&b);
}

static void test_basic_plan(void)
{
	struct plan *p = NULL;
	struct err err;
	char *s;

	if (!ok(plan_load(testdata("plans/basic/copy_plan.yaml"), &p, &err) == 0,
		"the bundled plan loads")) {
		diag("%s", err.msg);
		return;
	}
	ok(p->destination.mode == DESTINATION_EXISTING, "destination mode existing");
	is_str(p->destination.existing_destination_id, "target_group", "destination id");
	is_int((long long)p->n_connections, 3, "three connections");
	is_str(p->connections[0].target_name, "postgres_app", "target_name");
	is_str(p->connections[0].source_service, "postgres", "source_service");
	ok(p->connections[0].auth_style == AUTH_CREDENTIALS, "auth_style credentials");
	ok(p->connections[1].auth_style == AUTH_OAUTH, "auth_style oauth");
	ok(value_get(p->connections[0].config, "schema_config") == NULL, "schema_config not in config");
	s = json_of(p->connections[0].config);
	is_str(s, "{\"host\":\"db.internal.example.com\",\"port\":5432,\"database\":\"app\","
	       "\"user\":\"fivetran\",\"password\":\"\",\"update_method\":\"QUERY_BASED\"}",
	       "config kept, port a number, the naming key left to the request");
	free(s);
	s = json_of(p->connections[1].create_fields);
	is_str(s, "{\"sync_frequency\":360}", "top-level create fields beside config");
	free(s);
	ok(plan_is_credential_field(&p->connections[2], "api_key"), "credential_fields read");
	is_int((long long)p->n_packages, 2, "two Quickstart packages");
	is_str(p->packages[0].depends_on[0], "src_stripe", "package dependency");
	is_int((long long)p->n_dbt_projects, 1, "custom dbt project listed");
	plan_free(p);
}

static int load_text(const char *text, struct plan **p, struct report **r, struct err *err)
{
	char path[] = "/tmp/ccapply-test-XXXXXX";
	int fd = mkstemp(path), rc;
	FILE *f = fdopen(fd, "w");

	fputs(text, f);
	fclose(f);
	rc = p ? plan_load(path, p, err) : report_load(path, r, err);
	remove(path);
	return rc;
}

static void test_report_codes(void)
{
	struct report *r = NULL;
	const char **codes;
	struct err err;
	size_t n;

	ok(load_text("schema_version: 1\n"
		     "metadata: {plan_checksum: 'blake2b-256:00'}\n"
		     "status: pass-with-warnings\n"
		     "connection_findings:\n"
		     "  - source_id: s1\n"
		     "    target_name: t1\n"
		     "    findings:\n"
		     "      - {severity: warning, code: UNPATCHABLE_TABLE, message: m,\n"
		     "         context: {table_name: users, reason_code: SYSTEM_TABLE}}\n"
		     "      - {severity: info, code: JUST_INFO, message: i}\n"
		     "      - {severity: warning, code: UNPATCHABLE_TABLE, message: again}\n"
		     "acknowledgments_required:\n"
		     "  - {code: NONPORTABLE_FIELD, message: x}\n"
		     "  - {code: UNPATCHABLE_TABLE, message: y}\n", NULL, &r, &err) == 0,
	   "report with findings loads");
	if (!r) {
		diag("%s", err.msg);
		return;
	}
	ok(r->status == REPORT_PASS_WITH_WARNINGS, "status pass-with-warnings");
	is_int((long long)r->n_findings, 3, "findings flattened");
	is_str(r->findings[0].source_id, "s1", "finding knows its connection");
	is_str(value_get_string(r->findings[0].context, "table_name"), "users", "context kept");
	n = report_warning_codes(r, &codes);
	is_int((long long)n, 2, "distinct warning codes");
	is_str(codes[0], "UNPATCHABLE_TABLE", "warning finding code first");
	is_str(codes[1], "NONPORTABLE_FIELD", "then acknowledgments_required");
	free(codes);
	report_free(r);
}

static void test_plan_errors(void)
{
	static const struct {
		const char *text, *expect;
	} rows[] = {
		{ "[1, 2]\n", ":1:1: expected a mapping at the top of the plan, found sequence" },
		{ "schema_version: 1\n", ":1:1: destination: required field is missing" },
		{ "schema_version: '1'\ndestination: {existing_destination_id: g}\n",
		  ":1:17: schema_version: unsupported version '1'" },
		{ "schema_version: 1\ndestination: {mode: sideways, existing_destination_id: g}\n",
		  ":2:21: destination.mode: expected new or existing" },
		{ "schema_version: 1\ndestination: {mode: new}\n",
		  ":2:14: destination.new_group_name: required field is missing" },
		{ "schema_version: 1\ndestination: {existing_destination_id: g}\nconnections: {}\n",
		  ":3:14: connections: expected a sequence, found a mapping" },
		{ "schema_version: 1\ndestination: {existing_destination_id: g}\nconnections:\n"
		  "  - {source_id: a, source_service: s, target_name: t, config: [1]}\n",
		  ":4:63: connections[0].config: expected a mapping, found a sequence" },
		{ "schema_version: 1\ndestination: {existing_destination_id: g}\nconnections:\n"
		  "  - {source_id: a, source_service: s, target_name: '', config: {}}\n",
		  ":4:52: connections[0].target_name: must not be empty" },
		{ "schema_version: 1\ndestination: {existing_destination_id: g}\nconnections:\n"
		  "  - {source_id: a, source_service: s, target_name: t, auth_style: magic}\n",
		  ":4:67: connections[0].auth_style: expected oauth, credentials or none" },
		{ "schema_version: 1\ndestination: {existing_destination_id: g}\nconnections:\n"
		  "  - {source_id: a, source_service: s, target_name: t, credential_fields: [1]}\n",
		  ":4:75: connections[0].credential_fields[0]: expected a string, found a number" },
	};
	size_t i;

	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		struct plan *p = NULL;
		struct err err;
		err_clear(&err);
		ok(load_text(rows[i].text, &p, NULL, &err) == -1 && strstr(err.msg, rows[i].expect),
		   "plan error: %s", rows[i].expect);
		if (!strstr(err.msg, rows[i].expect))
			diag("got: %s", err.msg);
		plan_free(p);
	}
}

#define PLAN_HEAD "schema_version: 1\ndestination: {existing_destination_id: g}\nconnections:\n"

/* The create body of the one connection of a plan, as compact JSON (or the
 * load error). */
static char *body_of(const char *connection)
{
	struct plan *p = NULL;
	struct value *body;
	struct err err;
	char *s, *text = xmalloc(strlen(PLAN_HEAD) + strlen(connection) + 1);

	strcpy(text, PLAN_HEAD);
	strcat(text, connection);
	err_clear(&err);
	if (load_text(text, &p, NULL, &err)) {
		free(text);
		return xstrdup(err.msg);
	}
	free(text);
	body = plan_connection_request(&p->connections[0], "g");
	s = json_of(body);
	value_free(body);
	plan_free(p);
	return s;
}

/* SPEC §3 by the service catalog, one row per rule. */
static void test_request_bodies(void)
{
	static const struct {
		const char *name, *connection, *body;
	} rows[] = {
		{ "schema_prefix from target_name; settings inside config go to the top; "
		  "read-only and ccapply's own fields dropped",
		  "  - source_id: a\n    source_service: postgres\n    target_name: pg_copy\n"
		  "    config: {host: db, schema_prefix: old, public_key: k, sync_frequency: 360,\n"
		  "             schedule_type: manual, paused: false, run_setup_tests: true,\n"
		  "             password: hunter2}\n",
		  "{\"group_id\":\"g\",\"service\":\"postgres\",\"run_setup_tests\":false,"
		  "\"paused\":true,\"schedule_type\":\"manual\",\"sync_frequency\":360,"
		  "\"config\":{\"host\":\"db\",\"password\":\"\",\"schema_prefix\":\"pg_copy\"}}" },
		{ "the same setting beside and inside config, equal: sent once",
		  "  - source_id: a\n    source_service: stripe\n    target_name: st\n"
		  "    sync_frequency: 1440\n    config: {sync_frequency: 1440, daily_sync_time: '03:00'}\n",
		  "{\"group_id\":\"g\",\"service\":\"stripe\",\"run_setup_tests\":false,"
		  "\"paused\":true,\"daily_sync_time\":\"03:00\",\"sync_frequency\":1440,"
		  "\"config\":{\"schema\":\"st\"}}" },
		{ "schema_table: schema and table from the halves of target_name",
		  "  - source_id: a\n    source_service: google_sheets\n    target_name: sheets.budget\n"
		  "    config: {schema: x, table: y, sheet_id: s}\n",
		  "{\"group_id\":\"g\",\"service\":\"google_sheets\",\"run_setup_tests\":false,"
		  "\"paused\":true,\"config\":{\"sheet_id\":\"s\",\"schema\":\"sheets\","
		  "\"table\":\"budget\"}}" },
		{ "schema_table_group: split at the first dot",
		  "  - source_id: a\n    source_service: s3\n    target_name: lake.events.v2\n",
		  "{\"group_id\":\"g\",\"service\":\"s3\",\"run_setup_tests\":false,"
		  "\"paused\":true,\"config\":{\"schema\":\"lake\","
		  "\"table_group_name\":\"events.v2\"}}" },
		{ "a credential nested in a sequence is blanked by the catalog; its neighbour kept",
		  "  - source_id: a\n    source_service: amplitude\n    target_name: amp\n"
		  "    config: {project_credentials: [{project_id: p1, secret_key: s, api_key: k}]}\n",
		  "{\"group_id\":\"g\",\"service\":\"amplitude\",\"run_setup_tests\":false,"
		  "\"paused\":true,\"config\":{\"project_credentials\":[{\"project_id\":\"p1\","
		  "\"secret_key\":\"\",\"api_key\":\"\"}],\"schema\":\"amp\"}}" },
		{ "credential_fields and masked values are blanked too",
		  "  - source_id: a\n    source_service: stripe\n    target_name: st\n"
		  "    credential_fields: [backward_sync_limit]\n"
		  "    config: {backward_sync_limit: '2020', historical_sync_time_frame: '***'}\n",
		  "{\"group_id\":\"g\",\"service\":\"stripe\",\"run_setup_tests\":false,"
		  "\"paused\":true,\"config\":{\"backward_sync_limit\":\"\","
		  "\"historical_sync_time_frame\":\"\",\"schema\":\"st\"}}" },
		{ "a service the catalog does not know: named by its own naming key",
		  "  - source_id: a\n    source_service: acme\n    target_name: acme_copy\n"
		  "    config: {schema_prefix: acme, token_value: t, api_secret: s}\n",
		  "{\"group_id\":\"g\",\"service\":\"acme\",\"run_setup_tests\":false,"
		  "\"paused\":true,\"config\":{\"token_value\":\"t\",\"api_secret\":\"\","
		  "\"schema_prefix\":\"acme_copy\"}}" },
		{ "a schema_table target_name without a dot is refused where it is",
		  "  - source_id: a\n    source_service: google_sheets\n    target_name: budget\n",
		  ":6:18: connections[0].target_name: a google_sheets connection is named "
		  "\"<schema>.<table>\" (naming format schema_table of the official definition), "
		  "found \"budget\"" },
		{ "an unknown service named by table: target_name needs the dot as well",
		  "  - source_id: a\n    source_service: acme_files\n    target_name: nodot\n"
		  "    config: {table: t}\n",
		  ":6:18: connections[0].target_name: a \"acme_files\" connection is named "
		  "\"<schema>.<table>\"" },
		{ "inside and beside config with different values is refused",
		  "  - source_id: a\n    source_service: stripe\n    target_name: st\n"
		  "    schedule_type: auto\n    config: {schedule_type: manual}\n",
		  ":8:29: connections[0].config.schedule_type: \"manual\" here but \"auto\" in "
		  "connections[0].schedule_type (line 7:20)" },
		{ "a setting of the wrong type inside config is refused",
		  "  - source_id: a\n    source_service: stripe\n    target_name: st\n"
		  "    config: {pause_after_trial: 'yes'}\n",
		  ":7:33: connections[0].config.pause_after_trial: expected true or false, found "
		  "\"yes\"" },
	};
	size_t i;

	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		char *got = body_of(rows[i].connection);

		if (rows[i].body[0] == '{')
			is_str(got, rows[i].body, "body: %s", rows[i].name);
		else if (!ok(strstr(got, rows[i].body) != NULL, "refused: %s", rows[i].name))
			diag("got: %s", got);
		free(got);
	}
}

int main(void)
{
	test_request_bodies();
	test_basic_plan();
	test_report_codes();
	test_plan_errors();
	return done_testing();
}
