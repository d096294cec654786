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
	       "\"user\":\"fivetran\",\"password\":\"\",\"schema_prefix\":\"postgres_app\","
	       "\"update_method\":\"XMIN\"}", "config kept verbatim, port a number");
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

int main(void)
{
	test_basic_plan();
	test_report_codes();
	test_plan_errors();
	return done_testing();
}
