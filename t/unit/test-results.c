/*
 * test-results.c — results.md against golden files (t/fixtures/results/NAME.md)
 * byte for byte, plus the properties a golden file cannot show on its own:
 * the layout is the execute seed's line for line, input text cannot break
 * the Markdown structure, rendering is deterministic, and results_write()
 * puts exactly the rendered bytes on disk.
 *
 * Inputs are built by hand from static data (no loaders involved), so this
 * test depends only on the struct definitions. UPDATE_GOLDEN=1 rewrites the
 * golden files instead of comparing; review them by hand afterwards.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/buf.h"
#include "lib/fileio.h"
#include "lib/json.h"
#include "state/results.h"
#include "t/unit/tap.h"

/* ---- golden files ---------------------------------------------------------- */

static const char *repo_path(const char *rel)
{
	static char path[4096];
	const char *repo = getenv("REPO");

	snprintf(path, sizeof path, "%s/%s", repo ? repo : ".", rel);
	return path;
}

/* Line `n` (1-based) of text, without its newline, into line. */
static void nth_line(const char *text, int n, char *line, size_t size)
{
	const char *end;
	size_t len;

	while (--n > 0 && text) {
		text = strchr(text, '\n');
		if (text)
			text++;
	}
	if (!text || !*text) {
		snprintf(line, size, "(end of file)");
		return;
	}
	end = strchr(text, '\n');
	len = end ? (size_t)(end - text) : strlen(text);
	snprintf(line, size, "%.*s", (int)len, text);
}

/* A short unified-diff-like hint around the first differing line. */
static void diag_first_difference(const char *expected, const char *got)
{
	const char *e = expected, *g = got;
	int line = 1, from, to, i;
	char a[512], b[512];

	while (*e && *e == *g) {
		if (*e == '\n')
			line++;
		e++, g++;
	}
	diag("first difference at line %d (-golden +rendered):", line);
	from = line > 2 ? line - 2 : 1;
	to = line + 2;
	for (i = from; i <= to; i++) {
		nth_line(expected, i, a, sizeof a);
		nth_line(got, i, b, sizeof b);
		if (!strcmp(a, b)) {
			diag(" %s", a);
		} else {
			diag("-%s", a);
			diag("+%s", b);
		}
	}
}

static void check_golden(const char *name, const struct results_input *in)
{
	char rel[256];
	const char *path;
	char *got = results_render(in);
	struct buf want = BUF_INIT;
	struct err err;
	size_t len = strlen(got);

	snprintf(rel, sizeof rel, "t/fixtures/results/%s.md", name);
	path = repo_path(rel);
	ok(len >= 2 && got[len - 1] == '\n' && got[len - 2] != '\n',
	   "%s: output ends with exactly one newline", name);
	if (getenv("UPDATE_GOLDEN") && !strcmp(getenv("UPDATE_GOLDEN"), "1")) {
		if (!ok(fileio_write_atomic(path, got, len, &err) == 0, "%s: golden rewritten",
			name))
			diag("%s", err.msg);
		free(got);
		return;
	}
	if (!ok(fileio_read_input(path, 0, &want, &err) == 0, "%s: golden file readable", name)) {
		diag("%s (UPDATE_GOLDEN=1 creates it)", err.msg);
	} else if (!ok(!strcmp(buf_str(&want), got), "%s: matches %s byte for byte", name, rel)) {
		diag_first_difference(buf_str(&want), got);
	}
	buf_free(&want);
	free(got);
}

/* ---- inputs -------------------------------------------------------------- */

static char *oauth_fields[] = { NULL };
static char *password_fields[] = { "password" };
static char *api_key_fields[] = { "api_key" };
static char *token_fields[] = { "access_token" };
static char *other_fields[] = { "service_account_json", "json_key" };
static char *stripe_deps[] = { "src_stripe" };
static char *salesforce_deps[] = { "src_salesforce" };

static struct plan_connection seed_connections[] = {
	{ .source_id = "src_salesforce", .source_service = "salesforce",
	  .target_name = "salesforce_prod", .auth_style = AUTH_OAUTH,
	  .credential_fields = oauth_fields, .n_credential_fields = 0 },
	{ .source_id = "src_postgres", .source_service = "postgres", .target_name = "postgres_app",
	  .auth_style = AUTH_CREDENTIALS, .credential_fields = password_fields,
	  .n_credential_fields = 1 },
	{ .source_id = "src_stripe", .source_service = "stripe", .target_name = "stripe_prod",
	  .auth_style = AUTH_CREDENTIALS, .credential_fields = api_key_fields,
	  .n_credential_fields = 1 },
};

static struct plan_package seed_packages[] = {
	{ .source_transformation_id = "tr_stripe", .package_name = "stripe_analytics",
	  .depends_on = stripe_deps, .n_depends_on = 1 },
};

static struct plan seed_plan = {
	.path = "copy_plan.yaml",
	.connections = seed_connections, .n_connections = 3,
	.packages = seed_packages, .n_packages = 1,
};

static struct state_resource seed_resources[] = {
	{ .kind = RESOURCE_CONNECTION, .name = "salesforce_prod", .source_id = "src_salesforce",
	  .service = "salesforce", .outcome = OUTCOME_CREATED, .id = "tgt_sf_01" },
	{ .kind = RESOURCE_CONNECTION, .name = "postgres_app", .source_id = "src_postgres",
	  .service = "postgres", .outcome = OUTCOME_CREATED, .id = "tgt_pg_02" },
	{ .kind = RESOURCE_CONNECTION, .name = "stripe_prod", .source_id = "src_stripe",
	  .service = "stripe", .outcome = OUTCOME_CREATED, .id = "tgt_st_03" },
	{ .kind = RESOURCE_TRANSFORMATION, .name = "stripe_analytics", .source_id = "tr_stripe",
	  .outcome = OUTCOME_CREATED, .id = "tr_new_1" },
};

static struct state seed_state = {
	.resources = seed_resources, .n_resources = 4,
};

static struct report empty_report = { .status = REPORT_PASS };

static const struct results_input seed_input = {
	.date = "2026-11-21T05:40:00Z",
	.source_group_name = "Production Warehouse",
	.target_group_name = "Analytics Copy",
	.plan = &seed_plan,
	.report = &empty_report,
	.state = &seed_state,
};

/* Mixed: every outcome and every auth line. */
static struct plan_connection mixed_connections[] = {
	{ .source_id = "src_salesforce", .source_service = "salesforce",
	  .target_name = "salesforce_prod", .auth_style = AUTH_OAUTH,
	  .credential_fields = oauth_fields },
	{ .source_id = "src_postgres", .source_service = "postgres", .target_name = "postgres_app",
	  .auth_style = AUTH_CREDENTIALS, .credential_fields = password_fields,
	  .n_credential_fields = 1 },
	{ .source_id = "src_stripe", .source_service = "stripe", .target_name = "stripe_prod",
	  .auth_style = AUTH_CREDENTIALS, .credential_fields = api_key_fields,
	  .n_credential_fields = 1 },
	{ .source_id = "src_github", .source_service = "github", .target_name = "github_main",
	  .auth_style = AUTH_CREDENTIALS, .credential_fields = token_fields,
	  .n_credential_fields = 1 },
	{ .source_id = "src_bigquery", .source_service = "google_bigquery",
	  .target_name = "bigquery_events", .auth_style = AUTH_CREDENTIALS,
	  .credential_fields = other_fields, .n_credential_fields = 2 },
	{ .source_id = "src_webhooks", .source_service = "webhooks", .target_name = "webhooks_in",
	  .auth_style = AUTH_NONE, .credential_fields = oauth_fields },
	{ .source_id = "src_hubspot", .source_service = "hubspot", .target_name = "hubspot_crm",
	  .auth_style = AUTH_OAUTH, .credential_fields = oauth_fields },
	{ .source_id = "src_mysql", .source_service = "mysql", .target_name = "mysql_orders",
	  .auth_style = AUTH_CREDENTIALS, .credential_fields = password_fields,
	  .n_credential_fields = 1 },
};

static struct plan_package mixed_packages[] = {
	{ .package_name = "salesforce_analytics", .depends_on = salesforce_deps,
	  .n_depends_on = 1 },
	{ .package_name = "stripe_analytics", .depends_on = stripe_deps, .n_depends_on = 1 },
	{ .package_name = "hubspot_analytics" },
	{ .package_name = "mysql_analytics" },
	{ .package_name = "zendesk_analytics" },
	{ .package_name = "github_analytics" },
};

static struct plan_dbt_project mixed_dbt[] = {
	{ .project_id = "dbt_proj_7",
	  .note = "Custom dbt projects are out of scope. Set up separately on the new "
		  "destination." },
};

static struct plan mixed_plan = {
	.path = "copy_plan.yaml",
	.connections = mixed_connections, .n_connections = 8,
	.packages = mixed_packages, .n_packages = 6,
	.dbt_projects = mixed_dbt, .n_dbt_projects = 1,
};

static struct state_resource mixed_resources[] = {
	{ .kind = RESOURCE_CONNECTION, .name = "salesforce_prod", .outcome = OUTCOME_ALREADY_EXISTS,
	  .id = "tgt_sf_01", .reason = "ALREADY_EXISTS" },
	{ .kind = RESOURCE_CONNECTION, .name = "postgres_app", .outcome = OUTCOME_CREATED,
	  .id = "tgt_pg_02" },
	{ .kind = RESOURCE_CONNECTION, .name = "stripe_prod", .outcome = OUTCOME_SKIPPED,
	  .id = "tgt_st_other", .reason = "NAME_TAKEN_CONFIG_DIFFERS" },
	{ .kind = RESOURCE_CONNECTION, .name = "github_main", .outcome = OUTCOME_CREATED,
	  .id = "tgt_gh_04", .recovered = true },
	{ .kind = RESOURCE_CONNECTION, .name = "bigquery_events", .outcome = OUTCOME_CREATED,
	  .id = "tgt_bq_05" },
	{ .kind = RESOURCE_CONNECTION, .name = "webhooks_in", .outcome = OUTCOME_ALREADY_EXISTS,
	  .id = "tgt_wh_06", .reason = "ALREADY_EXISTS" },
	{ .kind = RESOURCE_CONNECTION, .name = "hubspot_crm", .outcome = OUTCOME_FAILED,
	  .error = { .http_status = 400, .code = "InvalidInput",
		     .message = "Invalid config: field 'portal_id' is required" } },
	{ .kind = RESOURCE_CONNECTION, .name = "mysql_orders", .outcome = OUTCOME_FAILED,
	  .error = { .http_status = 0, .code = "NETWORK_ERROR",
		     .message = "connection reset by peer; looked up by name: not created" } },
	{ .kind = RESOURCE_TRANSFORMATION, .name = "salesforce_analytics",
	  .outcome = OUTCOME_ALREADY_EXISTS, .id = "tr_sf_9", .reason = "ALREADY_EXISTS" },
	{ .kind = RESOURCE_TRANSFORMATION, .name = "stripe_analytics", .outcome = OUTCOME_SKIPPED,
	  .reason = "DEPENDENCY_SKIPPED" },
	{ .kind = RESOURCE_TRANSFORMATION, .name = "hubspot_analytics", .outcome = OUTCOME_SKIPPED,
	  .error = { .code = "DEPENDENCY_FAILED",
		     .message = "dependency src_hubspot (hubspot_crm) failed to create" } },
	{ .kind = RESOURCE_TRANSFORMATION, .name = "mysql_analytics", .outcome = OUTCOME_CREATED,
	  .id = "tr_my_2" },
	{ .kind = RESOURCE_TRANSFORMATION, .name = "zendesk_analytics", .outcome = OUTCOME_FAILED,
	  .error = { .http_status = 404, .code = "NotFound_Package",
		     .message = "Quickstart package zendesk_analytics not found" } },
	{ .kind = RESOURCE_TRANSFORMATION, .name = "github_analytics", .outcome = OUTCOME_SKIPPED,
	  .reason = "MISSING_DEPENDENCY" },
	/* Not in this plan (left from an earlier one, or a refusal rendered
	 * with a changed plan): listed after the plan's, never dropped. */
	{ .kind = RESOURCE_CONNECTION, .name = "old_connection", .outcome = OUTCOME_CREATED,
	  .id = "tgt_old" },
};

static struct state mixed_state = {
	.resources = mixed_resources, .n_resources = 15,
};

static struct finding mixed_findings[] = {
	{ .scope = SCOPE_CONNECTION, .severity = SEVERITY_WARNING,
	  .code = "CUSTOM_TRANSFORMATION_NOT_COPYABLE", .source_id = "src_salesforce",
	  .target_name = "salesforce_prod",
	  .message = "Custom SQL transformation 'opportunity_rollup' reads this connection" },
	{ .scope = SCOPE_CONNECTION, .severity = SEVERITY_WARNING, .code = "UNPATCHABLE_TABLE",
	  .source_id = "src_postgres", .target_name = "postgres_app",
	  .message = "table audit_log cannot be patched" },
	{ .scope = SCOPE_TRANSFORMATION, .severity = SEVERITY_INFO,
	  .code = "CUSTOM_TRANSFORMATION_NOT_COPYABLE", .package_name = "finance_models",
	  .message = "dbt Core project transformation; recreate it by hand" },
	{ .scope = SCOPE_CONNECTION, .severity = SEVERITY_WARNING,
	  .code = "CUSTOM_TRANSFORMATION_NOT_COPYABLE", .source_id = "src_legacy" },
};

static struct report mixed_report = {
	.status = REPORT_PASS_WITH_WARNINGS,
	.findings = mixed_findings, .n_findings = 4,
};

static const struct results_input mixed_input = {
	.date = "2026-11-21T06:02:13Z",
	.source_group_name = "Production Warehouse",
	.target_group_name = "Analytics Copy",
	.plan = &mixed_plan,
	.report = &mixed_report,
	.state = &mixed_state,
};

/* Refused before any write: no state yet. */
static const struct results_input refusal_input = {
	.date = "2026-11-21T07:00:00Z",
	.source_group_name = "Production Warehouse",
	.target_group_name = "Analytics Copy",
	.plan = &seed_plan,
	.report = &empty_report,
	.state = NULL,
	.refusal = "FIVETRAN_ALLOW_WRITES is false; apply makes no writes.\n"
		   "Unset it or set it to true to continue.",
};

/* Interrupted after the first connection. */
static struct state_resource interrupted_resources[] = {
	{ .kind = RESOURCE_CONNECTION, .name = "salesforce_prod", .outcome = OUTCOME_CREATED,
	  .id = "tgt_sf_01" },
	{ .kind = RESOURCE_CONNECTION, .name = "postgres_app", .outcome = OUTCOME_PENDING },
};

static struct state interrupted_state = {
	.resources = interrupted_resources, .n_resources = 2,
};

static const struct results_input interrupted_input = {
	.date = "2026-11-21T08:15:00Z",
	.source_group_name = "Production Warehouse",
	.target_group_name = "Analytics Copy",
	.plan = &seed_plan,
	.report = &empty_report,
	.state = &interrupted_state,
	.interrupted = true,
};

/* Refused after an earlier apply created some: the recorded resources keep
 * their links and auth steps, and the plan's unrecorded ones read "not
 * attempted". */
static const struct results_input refusal_recorded_input = {
	.date = "2026-11-21T07:30:00Z",
	.source_group_name = "Production Warehouse",
	.target_group_name = "Analytics Copy",
	.plan = &seed_plan,
	.report = &empty_report,
	.state = &interrupted_state,
	.refusal = "copy_plan.yaml has changed since it was validated",
};

/* The plan could not load: nothing known but the refusal. */
static const struct results_input no_plan_input = {
	.date = "2026-11-21T09:00:00Z",
	.refusal = "copy_plan.yaml: line 3, column 1: expected a mapping",
};

/* ---- properties ---------------------------------------------------------- */

#define SEED_FILE "testdata/seeds/execute-step.txt"

/* The seed's template lines: from "# Copy Connections Results" to the last
 * Cleanup bullet. The copy of the seed has lost its blank lines and
 * indentation, so lines are compared trimmed and blank lines are ignored. */
static char **seed_template_lines(size_t *n)
{
	char path[4096];
	struct err err;
	struct buf seed = BUF_INIT;
	char **lines = NULL, *line, *save = NULL;
	size_t cap = 0;
	bool in = false;

	*n = 0;
	snprintf(path, sizeof path, "%s", repo_path(SEED_FILE));
	if (fileio_read_input(path, 0, &seed, &err)) {
		diag("%s", err.msg);
		return NULL;
	}
	for (line = strtok_r(seed.data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (!strcmp(line, "# Copy Connections Results"))
			in = true;
		if (!in)
			continue;
		lines = xgrow(lines, &cap, *n + 1, sizeof *lines);
		lines[(*n)++] = xstrdup(line);
		if (!strncmp(line, "- If you used a credentials file", 32))
			break;
	}
	buf_free(&seed);
	return lines;
}

/* "- N <noun>s <rest>": the seed's letter with the plural noun it uses
 * ("1 Quickstart package installed" is right for us, "P ... packages" for it). */
static char *pluralized_count(char *tmp, size_t size, char letter, const char *rest)
{
	static const char *const nouns[] = { " connection ", " Quickstart package " };
	size_t i, n;

	for (i = 0; i < 2; i++) {
		n = strlen(nouns[i]);
		if (!strncmp(rest, nouns[i], n)) {
			snprintf(tmp, size, "- %c%.*ss %s", letter, (int)n - 1, rest, rest + n);
			return tmp;
		}
	}
	snprintf(tmp, size, "- %c%s", letter, rest);
	return tmp;
}

/* Rendered text made comparable with the seed's template: blank lines
 * dropped, leading spaces trimmed, the four counts turned back into the
 * seed's letters and the ids into its placeholder. */
static char **comparable_lines(char *text, size_t *n)
{
	static const char letters[] = "NKPQ";
	char **lines = NULL, *line, *save = NULL, *at, tmp[1024];
	size_t cap = 0, counts = 0;

	*n = 0;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		while (*line == ' ')
			line++;
		if (!*line)
			continue;
		if (counts < 4 && line[0] == '-' && line[1] == ' ' && line[2] >= '0' &&
		    line[2] <= '9') {
			line = pluralized_count(tmp, sizeof tmp, letters[counts++],
						strchr(line + 2, ' '));
		} else if ((at = strstr(line, "/connections/tgt_"))) {
			snprintf(tmp, sizeof tmp, "%.*s/connections/<connection_id>",
				 (int)(at - line), line);
			line = tmp;
		} else if (!strncmp(line, "- Quickstart packages are created paused too", 44)) {
			continue; /* the one line added to the seed's (issue #12, item 6) */
		} else if (!strcmp(line, "- (none flagged during validation)")) {
			line = "- (list any CUSTOM_TRANSFORMATION_NOT_COPYABLE items from "
			       "validation report here)";
		}
		lines = xgrow(lines, &cap, *n + 1, sizeof *lines);
		lines[(*n)++] = xstrdup(line);
	}
	return lines;
}

static void free_lines(char **lines, size_t n)
{
	while (n)
		free(lines[--n]);
	free(lines);
}

static void test_matches_seed_template(void)
{
	struct results_input in = seed_input;
	char *text;
	char **want, **got;
	size_t n_want, n_got, i;

	in.date = "<ISO timestamp>";
	in.source_group_name = "<source group name>";
	in.target_group_name = "<target group name>";
	want = seed_template_lines(&n_want);
	if (!ok(want && n_want > 30, "the execute seed's results template is readable"))
		return;
	text = results_render(&in);
	got = comparable_lines(text, &n_got);
	is_int((long long)n_got, (long long)n_want, "as many non-blank lines as the seed template");
	for (i = 0; i < n_got && i < n_want; i++)
		if (strcmp(got[i], want[i]))
			break;
	if (!ok(i == n_got && i == n_want, "every line is the seed template's line"))
		diag("line %zu:\n#   seed: %s\n#   ours: %s", i + 1, i < n_want ? want[i] : "(end)",
		     i < n_got ? got[i] : "(end)");
	free_lines(want, n_want);
	free_lines(got, n_got);
	free(text);
}

static bool has_line_starting(const char *text, const char *prefix)
{
	const char *p = text;
	size_t n = strlen(prefix);

	for (; p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (!strncmp(p, prefix, n))
			return true;
	return false;
}

static void test_input_cannot_break_structure(void)
{
	struct state_resource r[] = {
		{ .kind = RESOURCE_CONNECTION, .name = "salesforce_prod", .outcome = OUTCOME_FAILED,
		  .error = { .http_status = 500, .code = "Boom",
			     .message = "line one\n## Injected heading\r\n- fake bullet" } },
	};
	struct state st = { .resources = r, .n_resources = 1 };
	struct results_input in = seed_input;
	char *text;

	in.state = &st;
	in.source_group_name = "Prod\n# Not a title";
	text = results_render(&in);
	ok(!has_line_starting(text, "## Injected"), "a message's newline does not start a heading");
	ok(!has_line_starting(text, "# Not a title"), "a group name's newline does not either");
	ok(strstr(text, "- Failed: HTTP 500 Boom: line one ## Injected heading  - fake bullet\n")
		   != NULL, "the message is kept, flattened onto one line");
	ok(strstr(text, "**Source:** Prod # Not a title\n") != NULL, "group name flattened");
	free(text);
}

static void test_deterministic(void)
{
	char *a = results_render(&mixed_input), *b = results_render(&mixed_input);

	is_str(a, b, "same input, same bytes");
	free(a);
	free(b);
}

/* A rewrite that says the same, its date aside, leaves the file as it was:
 * the date is that of the last change. */
static void test_write_unchanged(char *dir, char *path)
{
	struct results_input later = seed_input;
	struct buf first = BUF_INIT, back = BUF_INIT;
	struct err err;

	later.date = "2027-01-01T00:00:00Z";
	if (!ok(mkdir(dir, 0700) == 0, "temporary directory again"))
		return;
	ok(results_write(path, &seed_input, &err) == 0 && !fileio_read_input(path, 0, &first, &err),
	   "written once");
	ok(results_write(path, &later, &err) == 0 && !fileio_read_input(path, 0, &back, &err) &&
	   back.len == first.len && !memcmp(back.data, first.data, back.len),
	   "the same content later: byte-identical, the first date kept");
	later.state = &interrupted_state;
	buf_reset(&back);
	ok(results_write(path, &later, &err) == 0 && !fileio_read_input(path, 0, &back, &err) &&
	   strstr(buf_str(&back), "**Date:** 2027-01-01T00:00:00Z\n"),
	   "a change is written with its own date");
	unlink(path);
	rmdir(dir);
	buf_free(&first);
	buf_free(&back);
}

static void test_write(void)
{
	char dir[] = "/tmp/test-results.XXXXXX", path[256];
	struct buf back = BUF_INIT;
	struct err err;
	char *want;

	if (!ok(mkdtemp(dir) != NULL, "temporary directory"))
		return;
	snprintf(path, sizeof path, "%s/%s", dir, RESULTS_FILE);
	if (!ok(results_write(path, &seed_input, &err) == 0, "results_write succeeds"))
		diag("%s", err.msg);
	want = results_render(&seed_input);
	ok(fileio_read_input(path, 0, &back, &err) == 0 && !strcmp(buf_str(&back), want),
	   "the file holds exactly the rendered text");
	/* Rewriting after another resource replaces the file. */
	ok(results_write(path, &interrupted_input, &err) == 0, "rewrite succeeds");
	free(want);
	want = results_render(&interrupted_input);
	buf_reset(&back);
	ok(fileio_read_input(path, 0, &back, &err) == 0 && !strcmp(buf_str(&back), want),
	   "the rewrite replaced the content");
	unlink(path);
	rmdir(dir);
	test_write_unchanged(dir, path);
	snprintf(path, sizeof path, "%s/missing/%s", dir, RESULTS_FILE);
	ok(results_write(path, &seed_input, &err) == -1, "writing into a missing directory fails");
	ok(strstr(err.msg, "missing") != NULL, "and the error names the path: %s", err.msg);
	buf_free(&back);
	free(want);
}

static struct value *config_of(const char *json)
{
	struct value *v = NULL;
	struct err err;

	if (json_parse(json, strlen(json), &v, &err))
		v = value_new_object();
	return v;
}

/* Which credential a connection needs, when the plan lists no
 * credential_fields: the service catalog's "format": "password" keys the
 * config sets say it. */
static void test_auth_from_catalog(void)
{
	struct plan_connection c[] = {
		{ .source_id = "s1", .source_service = "stripe", .target_name = "stripe_prod",
		  .auth_style = AUTH_CREDENTIALS, .config = config_of("{\"api_key\":\"******\"}") },
		{ .source_id = "s2", .source_service = "postgres", .target_name = "pg_app",
		  .auth_style = AUTH_NONE,
		  .config = config_of("{\"host\":\"db\",\"password\":\"\"}") },
		{ .source_id = "s3", .source_service = "amplitude", .target_name = "amp",
		  .auth_style = AUTH_NONE,
		  .config = config_of("{\"project_credentials\":[{\"secret_key\":\"\"}]}") },
		{ .source_id = "s4", .source_service = "stripe", .target_name = "stripe_two",
		  .auth_style = AUTH_NONE, .config = config_of("{\"api_key\":null}") },
	};
	struct state_resource r[] = {
		{ .kind = RESOURCE_CONNECTION, .name = "stripe_prod", .outcome = OUTCOME_CREATED, .id = "i1" },
		{ .kind = RESOURCE_CONNECTION, .name = "pg_app", .outcome = OUTCOME_CREATED, .id = "i2" },
		{ .kind = RESOURCE_CONNECTION, .name = "amp", .outcome = OUTCOME_CREATED, .id = "i3" },
		{ .kind = RESOURCE_CONNECTION, .name = "stripe_two", .outcome = OUTCOME_CREATED, .id = "i4" },
	};
	struct plan p = { .path = "copy_plan.yaml", .connections = c, .n_connections = 4 };
	struct state st = { .resources = r, .n_resources = 4 };
	struct results_input in = seed_input;
	char *text;
	size_t i;

	in.plan = &p;
	in.state = &st;
	text = results_render(&in);
	ok(strstr(text, "### stripe_prod\n- Created (paused)\n- Auth: API key needed") != NULL,
	   "stripe's api_key is a credential by the catalog: API key needed");
	ok(strstr(text, "### pg_app\n- Created (paused)\n- Auth: Password needed") != NULL,
	   "postgres' password: Password needed, though auth_style says none");
	ok(strstr(text, "### amp\n- Created (paused)\n- Auth: API key needed") != NULL,
	   "a credential nested in a sequence of mappings is found");
	ok(strstr(text, "### stripe_two\n- Created (paused)\n- Auth: none needed") != NULL,
	   "a credential key the plan sets to null is not one it needs");
	free(text);
	for (i = 0; i < 4; i++)
		value_free(c[i].config);
}

int main(void)
{
	test_auth_from_catalog();
	check_golden("seed", &seed_input);
	check_golden("mixed", &mixed_input);
	check_golden("refusal", &refusal_input);
	check_golden("interrupted", &interrupted_input);
	check_golden("no-plan", &no_plan_input);
	check_golden("refusal-recorded", &refusal_recorded_input);
	test_matches_seed_template();
	test_input_cannot_break_structure();
	test_deterministic();
	test_write();
	return done_testing();
}
