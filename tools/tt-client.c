/*
 * tt-client.c — test-tool api: every call of the API client (client/client.h)
 * exposed to shell tests, so the end-to-end tests can drive the client
 * against the simulator one call at a time.
 *
 *   test-tool api [--read-only] [--create-rate N/S] [--retry-base-ms N]
 *                 [--retry-max-ms N] [--max-retries N] [--timeout-ms N]
 *                 [--debug] OP ARGS...
 *
 * Credentials come from FIVETRAN_APIKEY/FIVETRAN_APISECRET (or
 * FIVETRAN_API_KEY/FIVETRAN_API_SECRET) and the base URL from
 * FIVETRAN_API_URL, as for ccapply. The result is printed as pretty JSON on
 * stdout; stderr ends with "status: http=N code=C adopted=0|1 attempts=N",
 * and on failure also carries the error message and "error: CLIENT_E_...".
 * --debug sends the client's redacted trace to stderr. SIGINT/SIGTERM set
 * the client's interrupt flag, so waits end early (CLIENT_E_INTERRUPTED).
 * Exit status: 0 success, 1 client error, 2 usage or input-file error.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/client.h"
#include "lib/buf.h"
#include "lib/err.h"
#include "lib/fileio.h"
#include "lib/json.h"
#include "lib/value.h"
#include "tools/test-tool.h"

/* The one piece of process state: what the signal handler sets. */
static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
}

static const char *const usage_text =
	"usage: test-tool api [--read-only] [--create-rate N/S] [--retry-base-ms N]\n"
	"                     [--retry-max-ms N] [--max-retries N] [--timeout-ms N] [--debug]\n"
	"                     OP ARGS...\n"
	"ops: get-group ID | list-groups | get-destination ID |\n"
	"     list-group-connections ID [SCHEMA] | get-connection ID |\n"
	"     list-transformations GROUP [TYPE] | package-metadata ID |\n"
	"     create-connection BODYFILE SCHEMA | create-transformation BODYFILE GROUP\n";

static int usage(void)
{
	fputs(usage_text, stderr);
	return 2;
}

static const char *code_name(int code)
{
	static const char *const names[] = {
		[CLIENT_E_NONE] = "CLIENT_E_NONE",
		[CLIENT_E_CONFIG] = "CLIENT_E_CONFIG",
		[CLIENT_E_READ_ONLY] = "CLIENT_E_READ_ONLY",
		[CLIENT_E_NETWORK] = "CLIENT_E_NETWORK",
		[CLIENT_E_HTTP] = "CLIENT_E_HTTP",
		[CLIENT_E_AUTH] = "CLIENT_E_AUTH",
		[CLIENT_E_MALFORMED] = "CLIENT_E_MALFORMED",
		[CLIENT_E_INTERRUPTED] = "CLIENT_E_INTERRUPTED",
		[CLIENT_E_UNKNOWN_OUTCOME] = "CLIENT_E_UNKNOWN_OUTCOME",
	};

	if (code >= 0 && (size_t)code < sizeof names / sizeof names[0] && names[code])
		return names[code];
	return "CLIENT_E_?";
}

static int parse_long(const char *opt, const char *s, long *out)
{
	char *end;

	errno = 0;
	*out = strtol(s, &end, 10);
	if (errno || end == s || *end || *out < 0) {
		fprintf(stderr, "test-tool api: %s needs a non-negative integer, got '%s'\n",
			opt, s);
		return -1;
	}
	return 0;
}

static int parse_rate(const char *s, struct client_options *o)
{
	char *end;
	long n;
	double secs;

	errno = 0;
	n = strtol(s, &end, 10);
	if (errno || end == s || *end != '/' || n <= 0 || n > 1000000)
		goto bad;
	s = end + 1;
	secs = strtod(s, &end);
	if (end == s || *end || !(secs > 0))
		goto bad;
	o->create_rate_count = (int)n;
	o->create_rate_seconds = secs;
	return 0;
bad:
	fprintf(stderr, "test-tool api: --create-rate needs N/SECONDS, like 20/60\n");
	return -1;
}

/* Options before OP; returns the index of OP, or -1 after a message. */
static int parse_options(int argc, char **argv, struct client_options *o)
{
	int i;
	long n;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--read-only")) {
			o->read_only = true;
		} else if (!strcmp(a, "--debug")) {
			o->trace = stderr;
			o->trace_bodies = true;
		} else if (!v) {
			fprintf(stderr, "test-tool api: unknown option or missing value: %s\n", a);
			return -1;
		} else if (!strcmp(a, "--create-rate")) {
			if (parse_rate(v, o))
				return -1;
			i++;
		} else if (!strcmp(a, "--retry-base-ms") || !strcmp(a, "--retry-max-ms") ||
			   !strcmp(a, "--timeout-ms") || !strcmp(a, "--max-retries")) {
			if (parse_long(a, v, &n))
				return -1;
			if (!strcmp(a, "--retry-base-ms"))
				o->retry_base_ms = n;
			else if (!strcmp(a, "--retry-max-ms"))
				o->retry_max_ms = n;
			else if (!strcmp(a, "--timeout-ms"))
				o->timeout_ms = n;
			else
				o->max_read_retries = n > 1000 ? 1000 : (int)n;
			i++;
		} else {
			fprintf(stderr, "test-tool api: unknown option %s\n", a);
			return -1;
		}
	}
	return i < argc ? i : -1;
}

static const char *env_either(const char *a, const char *b)
{
	const char *v = getenv(a);

	return v && *v ? v : getenv(b);
}

static int load_body(const char *path, struct value **out)
{
	struct buf b = BUF_INIT;
	struct err err;
	int rc;

	if (fileio_read_input(path, 0, &b, &err)) {
		fprintf(stderr, "test-tool api: %s\n", err.msg);
		buf_free(&b);
		return -1;
	}
	rc = json_parse(b.data ? b.data : "", b.len, out, &err);
	buf_free(&b);
	if (rc)
		fprintf(stderr, "test-tool api: %s: %s\n", path, err.msg);
	return rc;
}

/* Run OP; returns 0, 1 (client error: err set) or 2 (usage / input file). */
static int run_op(struct client *c, int argc, char **argv, struct value **out,
		  struct api_status *st, struct err *err)
{
	const char *op = argv[0];
	const char *a1 = argc > 1 ? argv[1] : NULL, *a2 = argc > 2 ? argv[2] : NULL;
	struct value *body = NULL;
	int ret;

#define NEED(min, max) do { if (argc - 1 < (min) || argc - 1 > (max)) return usage(); } while (0)
	if (!strcmp(op, "get-group")) {
		NEED(1, 1);
		ret = client_get_group(c, a1, out, st, err);
	} else if (!strcmp(op, "list-groups")) {
		NEED(0, 0);
		ret = client_list_groups(c, out, st, err);
	} else if (!strcmp(op, "get-destination")) {
		NEED(1, 1);
		ret = client_get_destination(c, a1, out, st, err);
	} else if (!strcmp(op, "list-group-connections")) {
		NEED(1, 2);
		ret = client_list_group_connections(c, a1, a2, out, st, err);
	} else if (!strcmp(op, "get-connection")) {
		NEED(1, 1);
		ret = client_get_connection(c, a1, out, st, err);
	} else if (!strcmp(op, "list-transformations")) {
		NEED(1, 2);
		ret = client_list_transformations(c, a1, a2, out, st, err);
	} else if (!strcmp(op, "package-metadata")) {
		NEED(1, 1);
		ret = client_get_package_metadata(c, a1, out, st, err);
	} else if (!strcmp(op, "create-connection") || !strcmp(op, "create-transformation")) {
		NEED(2, 2);
		if (load_body(a1, &body))
			return 2;
		if (!strcmp(op, "create-connection"))
			ret = client_create_connection(c, body, a2, out, st, err);
		else
			ret = client_create_transformation(c, body, a2, out, st, err);
		value_free(body);
	} else {
		fprintf(stderr, "test-tool api: unknown op '%s'\n", op);
		return usage();
	}
#undef NEED
	return ret ? 1 : 0;
}

static void print_status(const struct api_status *st)
{
	fprintf(stderr, "status: http=%d code=%s adopted=%d attempts=%d\n", st->http_status,
		st->code[0] ? st->code : "-", st->adopted ? 1 : 0, st->attempts);
}

int tt_api(int argc, char **argv)
{
	struct client_options o;
	struct client *c = NULL;
	struct api_status st;
	struct err err = { "", 0 };
	struct value *out = NULL;
	struct sigaction sa;
	int op, rc;

	memset(&o, 0, sizeof o);
	memset(&st, 0, sizeof st);
	o.max_read_retries = -1;
	op = parse_options(argc, argv, &o);
	if (op < 0)
		return usage();
	o.base_url = getenv("FIVETRAN_API_URL");
	o.api_key = env_either("FIVETRAN_APIKEY", "FIVETRAN_API_KEY");
	o.api_secret = env_either("FIVETRAN_APISECRET", "FIVETRAN_API_SECRET");
	o.interrupted = &interrupted;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	if (client_new(&o, &c, &err)) {
		fprintf(stderr, "test-tool api: %s\nerror: %s\n", err.msg, code_name(err.code));
		return 1;
	}
	rc = run_op(c, argc - op, argv + op, &out, &st, &err);
	if (rc == 0) {
		struct buf b = BUF_INIT;

		json_write(&b, out, JSON_PRETTY);
		puts(buf_str(&b));
		buf_free(&b);
	} else if (rc == 1) {
		fprintf(stderr, "test-tool api: %s\n", err.msg);
	}
	if (rc != 2)
		print_status(&st);
	if (rc == 1)
		fprintf(stderr, "error: %s\n", code_name(err.code));
	value_free(out);
	client_free(c);
	return rc;
}
