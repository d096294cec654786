/*
 * common.c — input loading, client setup and colour for the commands (see
 * common.h). Message wording for the gates lives here, so plan and apply
 * refuse in the same words.
 */
#include "cmd/common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "live/live.h"
#include "lib/buf.h"
#include "lib/json.h"
#include "lib/sanitize.h"

/* Report text on stderr on one line: line breaks and tabs become spaces,
 * other control characters are shown escaped (lib/sanitize.h), since the
 * report is untrusted input and must not drive the terminal. */
static void put_report_text(const char *s)
{
	struct buf b = BUF_INIT;

	sanitize_append(&b, s, SANITIZE_SPACES);
	fputs(buf_str(&b), stderr);
	buf_free(&b);
}

const char *cmd_shown(const char *s)
{
	static struct buf ring[8];
	static size_t next;
	struct buf *b = &ring[next++ % 8];

	if (!s)
		return NULL;
	buf_reset(b);
	sanitize_append(b, s, SANITIZE_LINE);
	return buf_str(b);
}

/* The blocking findings under a header, one line each. None, no header:
 * the gate's message already says the report lists none. */
static void list_blocking_findings(const struct report *r)
{
	size_t i, n = 0;

	for (i = 0; i < r->n_findings; i++) {
		const struct finding *f = &r->findings[i];
		const char *about = f->target_name ? f->target_name : f->source_id;
		if (f->severity != SEVERITY_BLOCKING)
			continue;
		if (n++ == 0)
			fputs("Blocking findings:\n", stderr);
		fputs("  - ", stderr);
		put_report_text(f->code);
		if (about || f->package_name || f->field) {
			fputs(about ? " (connection " : f->package_name ? " (package " :
			      " (destination field ", stderr);
			put_report_text(about ? about : f->package_name ? f->package_name :
					f->field);
			fputc(')', stderr);
		}
		if (f->message) {
			fputs(": ", stderr);
			put_report_text(f->message);
		}
		fputc('\n', stderr);
	}
}

/* The --json error code of the gate that refused. */
static const char *gate_code(enum gate gate)
{
	switch (gate) {
	case GATE_PLAN_MISSING:
		return "plan_missing";
	case GATE_REPORT_MISSING:
		return "report_missing";
	case GATE_REPORT_INVALID:
		return "report_invalid";
	case GATE_CHECKSUM_FORM:
		return "checksum_form";
	case GATE_CHECKSUM_MISMATCH:
		return "checksum_mismatch";
	case GATE_STATUS_FAIL:
		return "validation_failed";
	case GATE_PLAN_INVALID:
	case GATE_OK:
		break;
	}
	return "plan_invalid";
}

int cmd_load_inputs(const struct global_options *g, struct planner_inputs *in, struct err *err)
{
	err_clear(err);
	if (!planner_load(g->ws.plan, g->ws.report, in, err))
		return 0;
	cmd_fail(gate_code(in->refused_at), "%s", err->msg);
	if (in->refused_at == GATE_STATUS_FAIL)
		list_blocking_findings(in->report);
	return EXIT_ERROR;
}

int cmd_writes_policy_from_env(enum writes_policy *out, struct err *err)
{
	static const char *const yes[] = { "true", "1", "yes" }, *const no[] = { "false", "0", "no" };
	const char *v = getenv("FIVETRAN_ALLOW_WRITES");
	size_t i;

	*out = WRITES_UNSET;
	if (!v)
		return 0;
	for (i = 0; i < 3; i++) {
		if (!strcasecmp(v, yes[i]))
			*out = WRITES_ALLOWED;
		if (!strcasecmp(v, no[i]))
			*out = WRITES_REFUSED;
	}
	if (*out != WRITES_UNSET)
		return 0;
	return err_set(err, "FIVETRAN_ALLOW_WRITES is \"%s\": it must be true, 1 or yes (apply may "
		       "write) or false, 0 or no (apply refuses); unset, apply may write", v);
}

static const char *env_either(const char *a, const char *b)
{
	const char *v = getenv(a);
	return v && *v ? v : getenv(b);
}

/* Tuning knobs for slow or flaky networks (and fast tests); documented in
 * ccapply(1) under ENVIRONMENT. Unset or invalid: the default. */
long cmd_env_long(const char *name, long fallback)
{
	const char *v = getenv(name);
	char *end;
	long n;

	if (!v || !*v)
		return fallback;
	n = strtol(v, &end, 10);
	return *end || n < 0 ? fallback : n;
}

int cmd_open_client(const struct global_options *g, const struct client_tuning *t,
		    struct client **out)
{
	struct client_options opts;
	struct err err;
	int rc;

	memset(&opts, 0, sizeof opts);
	opts.base_url = g->api_url;
	opts.api_key = env_either("FIVETRAN_APIKEY", "FIVETRAN_API_KEY");
	opts.api_secret = env_either("FIVETRAN_APISECRET", "FIVETRAN_API_SECRET");
	opts.read_only = t->read_only;
	opts.create_rate_count = t->create_rate_count;
	opts.create_rate_seconds = t->create_rate_seconds;
	opts.interrupted = t->interrupted;
	opts.on_wait = t->on_wait;
	opts.on_wait_ctx = t->on_wait_ctx;
	opts.secret_keys = t->plan ? plan_secret_keys(t->plan) : NULL;
	opts.trace = g->verbose >= 1 ? stderr : NULL;
	opts.trace_bodies = g->verbose >= 2;
	opts.max_read_retries = (int)cmd_env_long("CCAPPLY_MAX_RETRIES", -1);
	opts.retry_base_ms = cmd_env_long("CCAPPLY_RETRY_BASE_MS", 0);
	opts.timeout_ms = cmd_env_long("CCAPPLY_TIMEOUT_MS", 0);
	if (!opts.api_key || !*opts.api_key || !opts.api_secret || !*opts.api_secret) {
		cmd_fail("no_credentials",
			 "no API credentials: set FIVETRAN_APIKEY and FIVETRAN_APISECRET");
		return EXIT_ERROR;
	}
	rc = client_new(&opts, out, &err);
	if (rc)
		cmd_fail("client_config", "%s", err.msg);
	return rc ? EXIT_ERROR : 0;
}

const char *cmd_client_error_code(const struct err *err)
{
	switch (err->code) {
	case CLIENT_E_CONFIG:
		return "client_config";
	case CLIENT_E_NETWORK:
		return "network";
	case CLIENT_E_AUTH:
		return "auth_failed";
	case CLIENT_E_MALFORMED:
		return "api_malformed";
	case CLIENT_E_INTERRUPTED:
		return "interrupted";
	case CLIENT_E_UNKNOWN_OUTCOME:
		return "unknown_outcome";
	case LIVE_E_NO_TARGET:
		return "target_missing";
	case LIVE_E_NO_DESTINATION:
		return "destination_missing";
	case LIVE_E_OTHER_ACCOUNT:
		return "other_account";
	}
	return "api_error";
}

void cmd_print_value(FILE *out, const struct value *v)
{
	struct buf b = BUF_INIT;

	if (!v || v->type == VALUE_NULL) {
		fputs("(absent)", out);
		return;
	}
	json_write(&b, v, JSON_COMPACT);
	fputs(cmd_shown(b.data), out);
	buf_free(&b);
}

void cmd_print_json(const struct value *doc)
{
	struct buf b = BUF_INIT;

	json_write(&b, doc, JSON_PRETTY);
	fputs(b.data, stdout);
	fputc('\n', stdout);
	buf_free(&b);
}

const char *cmd_color(const struct global_options *g, const char *code)
{
	static const struct {
		const char *code, *seq;
	} table[] = {
		{ C_RESET, "\033[0m" }, { C_GREEN, "\033[32m" }, { C_YELLOW, "\033[33m" },
		{ C_RED, "\033[31m" }, { C_BOLD, "\033[1m" }, { C_DIM, "\033[2m" },
	};
	size_t i;

	if (!g->color)
		return "";
	for (i = 0; i < sizeof table / sizeof table[0]; i++)
		if (!strcmp(table[i].code, code))
			return table[i].seq;
	return "";
}
