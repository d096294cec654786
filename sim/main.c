/*
 * main.c — ccapply-sim's command line and lifecycle (see sim.h).
 *
 * Options are parsed into struct sim before any thread starts; then the seed
 * is loaded, the daemon listens on 127.0.0.1, the bound port is written to
 * --port-file (temp file + rename, so a reader never sees half a number), and
 * the main thread waits in sigwait() for SIGTERM or SIGINT. Those signals are
 * blocked in every thread (the mask is set before the daemon's threads are
 * created and they inherit it), so no signal handler and no global flag are
 * needed. Shutdown wakes sleeping requests, stops the daemon (which joins its
 * threads) and frees everything, so a run is clean under LeakSanitizer.
 *
 * Exit status: 0 after a signal-initiated shutdown or --help, 1 when the seed,
 * the socket or the port file fails, 2 for a usage error.
 */
#include "sim/sim.h"
#include "sim/clock.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define EXIT_USAGE 2

static const char usage_text[] =
"usage: ccapply-sim [OPTIONS]\n"
"\n"
"A stateful, in-memory Fivetran REST API on 127.0.0.1 for ccapply's demo and\n"
"tests. Answers, with the response shapes of the Fivetran OpenAPI definition:\n"
"  GET  /v1/groups, /v1/groups/{id}, /v1/groups/{id}/connections[?schema=]\n"
"  GET  /v1/destinations/{id}           (a destination's id is its group's id)\n"
"  GET  /v1/connections[?group_id=&schema=], /v1/connections/{id}\n"
"  POST /v1/connections                 (201; 400, 404, 409 name taken, 429)\n"
"  GET  /v1/transformations[?group_id=&type=]\n"
"  POST /v1/transformations             (QUICKSTART only; 404 unknown connection)\n"
"  GET  /v1/transformations/package-metadata[?service=&name=], .../{id}\n"
"Lists take limit (1..1000, default 100) and cursor; next_cursor is absent on\n"
"the last page. Every /v1 request needs HTTP Basic auth (else 401).\n"
"Test endpoints, without auth: GET /_sim/state (the account, in the seed format)\n"
"and GET /_sim/requests (every non-/_sim request: method, path, query, args,\n"
"status, fault, body; headers, and so credentials, are never recorded).\n"
"\n"
"Options:\n"
"  --port N              listen on 127.0.0.1:N (default 0: an ephemeral port)\n"
"  --port-file FILE      write the bound port to FILE once listening (atomically)\n"
"  --seed FILE           load the account from a JSON file: {\"groups\":[...],\n"
"                        \"destinations\":[...], \"connections\":[...],\n"
"                        \"transformations\":[...], \"package_metadata\":[...]},\n"
"                        items shaped as the API returns them (transformations\n"
"                        with an extra group_id); missing keys mean empty, and\n"
"                        fields the API requires get defaults\n"
"  --api-key KEY         the accepted API key (default " SIM_DEFAULT_KEY ")\n"
"  --api-secret SECRET   the accepted API secret (default " SIM_DEFAULT_SECRET ")\n"
"  --page-max N          never put more than N items on a page, whatever limit says\n"
"  --create-limit N/S    at most N connection creates in any S seconds, then 429\n"
"                        with Retry-After (default 20/60; 0 or none: no limit)\n"
"  --latency-ms N        wait N milliseconds before answering each request\n"
"  --clock TIME          created_at of everything the simulator makes, as\n"
"                        YYYY-MM-DDTHH:MM:SSZ (default " SIM_DEFAULT_CLOCK "),\n"
"                        or 'now' for the time it started\n"
"  --fault 'METHOD PATH#K=ACTION'\n"
"                        on the K-th request matching METHOD (or *) and PATH\n"
"                        (no query; a '*' segment matches any one segment), act;\n"
"                        '#K+=' acts on the K-th and every later one. Repeatable;\n"
"                        each rule counts its own matches. ACTION is one of:\n"
"                          400                 refuse: 400 InvalidInput, nothing done\n"
"                          500, 503            answer that, with a JSON error\n"
"                          500-after-commit    do the work (a create happens),\n"
"                                              then answer 500\n"
"                          reset               close the connection, no answer\n"
"                          reset-after-commit  do the work, then close\n"
"                          delay:S             wait S seconds (fractions allowed),\n"
"                                              then answer normally\n"
"                          malformed           do the work, answer its status (200\n"
"                                              if it was an error) with the body\n"
"                                              cut in half: invalid JSON\n"
"                        e.g. --fault 'POST /v1/connections#3=reset-after-commit'\n"
"  -h, --help            show this help\n"
"\n"
"Connection creates follow the service catalog (the official definition's\n"
"{service}_NewConnectorRequestV1), as the real API does: an unknown service,\n"
"a missing naming key (config.schema_prefix; config.schema; config.schema +\n"
"config.table; config.schema + config.table_group_name, by the service), a\n"
"config value of the wrong type or outside its enum, or a read-only key sent\n"
"is a 400 InvalidInput. The name is the top-level schema (prefix; schema;\n"
"schema.table; schema.table_group_name); answers never carry the naming keys\n"
"in config, drop config keys the service does not declare (so a setting sent\n"
"inside config is lost: settings are top-level fields), and carry the\n"
"service's read-only keys, filled by the server.\n"
"Created connections get ids like able_otter (counter-based, deterministic),\n"
"paused unless the request says otherwise, setup_state incomplete, and their\n"
"credentials (\"format\": \"password\" in the definition) masked as " SIM_MASK "\n"
"(\"\" stays \"\"). Seed connections are answers: named by schema, no naming\n"
"key in config, of a service the definition has.\n"
"\n"
"Stops cleanly (exit 0) on SIGTERM or SIGINT.\n";

static int check_clock(const char *text, struct err *err)
{
	static const char shape[] = "dddd-dd-ddTdd:dd:dd";
	size_t i, n = strlen(shape);

	if (strlen(text) < n + 1 || text[strlen(text) - 1] != 'Z')
		goto bad;
	for (i = 0; i < n; i++) {
		if (shape[i] == 'd' ? (text[i] < '0' || text[i] > '9') : text[i] != shape[i])
			goto bad;
	}
	if (text[n] != 'Z' && !(text[n] == '.' && strspn(text + n + 1, "0123456789") ==
				strlen(text) - n - 2 && strlen(text) > n + 2))
		goto bad;
	return 0;
bad:
	return err_set(err, "--clock '%s': expected YYYY-MM-DDTHH:MM:SSZ (UTC, optional "
		       "fraction) or now", text);
}

/* ------------------------------------------------------------ options */

enum {
	OPT_PORT = 256,
	OPT_PORT_FILE,
	OPT_SEED,
	OPT_API_KEY,
	OPT_API_SECRET,
	OPT_PAGE_MAX,
	OPT_CREATE_LIMIT,
	OPT_LATENCY,
	OPT_CLOCK,
	OPT_FAULT,
};

static const struct option long_options[] = {
	{ "port", required_argument, NULL, OPT_PORT },
	{ "port-file", required_argument, NULL, OPT_PORT_FILE },
	{ "seed", required_argument, NULL, OPT_SEED },
	{ "api-key", required_argument, NULL, OPT_API_KEY },
	{ "api-secret", required_argument, NULL, OPT_API_SECRET },
	{ "page-max", required_argument, NULL, OPT_PAGE_MAX },
	{ "create-limit", required_argument, NULL, OPT_CREATE_LIMIT },
	{ "latency-ms", required_argument, NULL, OPT_LATENCY },
	{ "clock", required_argument, NULL, OPT_CLOCK },
	{ "fault", required_argument, NULL, OPT_FAULT },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static int parse_number(const char *opt, const char *text, unsigned long max,
			unsigned long *out, struct err *err)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(text, &end, 10);
	if (!*text || *end || text[0] == '-' || errno || v > max)
		return err_set(err, "--%s '%s': expected a whole number from 0 to %lu", opt, text,
			       max);
	*out = v;
	return 0;
}

static int parse_option(struct sim *sim, int c, const char *arg, struct err *err)
{
	unsigned long n;

	switch (c) {
	case OPT_PORT:
		if (parse_number("port", arg, 65535, &n, err))
			return -1;
		sim->opt.port = (unsigned)n;
		return 0;
	case OPT_PORT_FILE: sim->opt.port_file = arg; return 0;
	case OPT_SEED: sim->opt.seed = arg; return 0;
	case OPT_API_KEY: sim->opt.api_key = arg; return 0;
	case OPT_API_SECRET: sim->opt.api_secret = arg; return 0;
	case OPT_PAGE_MAX:
		return parse_number("page-max", arg, 1000000, &sim->opt.page_max, err);
	case OPT_CREATE_LIMIT: return sim_rate_parse(&sim->rate, arg, err);
	case OPT_LATENCY:
		return parse_number("latency-ms", arg, 3600000, &sim->opt.latency_ms, err);
	case OPT_CLOCK:
		if (strcmp(arg, "now") && check_clock(arg, err))
			return -1;
		sim->opt.clock = arg;
		return 0;
	case OPT_FAULT: return sim_faults_add(&sim->faults, arg, err);
	}
	return err_set(err, "unexpected option");
}

/* 0 to run, 1 when --help was shown, -1 on a usage error (message in err). */
static int parse_args(struct sim *sim, int argc, char **argv, struct err *err)
{
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", long_options, NULL)) != -1) {
		if (c == 'h') {
			fputs(usage_text, stdout);
			return 1;
		}
		if (c == '?' || c == ':') {
			if (optopt)
				return err_set(err, "option '-%c' is unknown or needs a value",
					       optopt);
			return err_set(err, "option '%s' is unknown or needs a value",
				       argv[optind - 1]);
		}
		if (parse_option(sim, c, optarg, err))
			return -1;
	}
	if (optind < argc)
		return err_set(err, "unexpected argument '%s'", argv[optind]);
	return 0;
}

/* ---------------------------------------------------------- lifecycle */

static void sim_init(struct sim *sim)
{
	memset(sim, 0, sizeof *sim);
	sim->opt.api_key = SIM_DEFAULT_KEY;
	sim->opt.api_secret = SIM_DEFAULT_SECRET;
	sim->opt.clock = SIM_DEFAULT_CLOCK;
	sim->rate.max = 20;
	sim->rate.window = 60;
	pthread_mutex_init(&sim->lock, NULL);
	sim_stop_init(&sim->stop);
}

static void sim_free(struct sim *sim)
{
	sim_store_free(&sim->store);
	sim_reqlog_free(&sim->log);
	sim_faults_free(&sim->faults);
	sim_rate_free(&sim->rate);
	pthread_mutex_destroy(&sim->lock);
	sim_stop_free(&sim->stop);
}

static char *clock_now(void)
{
	char text[32];
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return xstrdup(text);
}

static int write_port_file(const char *path, unsigned port, struct err *err)
{
	struct buf tmp = BUF_INIT;
	FILE *f;
	int rc = 0;

	buf_printf(&tmp, "%s.tmp.%ld", path, (long)getpid());
	f = fopen(tmp.data, "w");
	if (!f) {
		err_set(err, "cannot write port file %s: %s", tmp.data, strerror(errno));
		buf_free(&tmp);
		return -1;
	}
	if (fprintf(f, "%u\n", port) < 0 || fflush(f) || fsync(fileno(f)))
		rc = err_set(err, "cannot write port file %s: %s", tmp.data, strerror(errno));
	if (fclose(f) && !rc)
		rc = err_set(err, "cannot write port file %s: %s", tmp.data, strerror(errno));
	if (!rc && rename(tmp.data, path))
		rc = err_set(err, "cannot rename %s to %s: %s", tmp.data, path, strerror(errno));
	if (rc)
		unlink(tmp.data);
	buf_free(&tmp);
	return rc;
}

static void wait_for_stop_signal(struct sim *sim, const sigset_t *set)
{
	int sig = 0;

	while (sigwait(set, &sig) != 0)
		;
	sim_stop_signal(&sim->stop);
}

/* Seed, listen, publish the port, wait for a signal, stop. */
static int run(struct sim *sim, const sigset_t *stop_signals)
{
	unsigned port = 0;
	struct err err;

	err_clear(&err);
	if (sim->opt.seed && sim_seed_load(&sim->store, sim->opt.seed, &err)) {
		fprintf(stderr, "ccapply-sim: seed %s\n", err.msg);
		return 1;
	}
	if (sim_http_start(sim, &port, &err)) {
		fprintf(stderr, "ccapply-sim: %s\n", err.msg);
		return 1;
	}
	if (sim->opt.port_file && write_port_file(sim->opt.port_file, port, &err)) {
		fprintf(stderr, "ccapply-sim: %s\n", err.msg);
		sim_http_stop(sim);
		return 1;
	}
	fprintf(stderr, "ccapply-sim: listening on http://127.0.0.1:%u\n", port);
	wait_for_stop_signal(sim, stop_signals);
	sim_http_stop(sim);
	if (sim->opt.port_file)
		unlink(sim->opt.port_file);
	return 0;
}

int main(int argc, char **argv)
{
	struct sim sim;
	struct err err;
	sigset_t stop_signals;
	char *now = NULL;
	int rc;

	/* before any thread exists, so that every thread inherits the mask */
	sigemptyset(&stop_signals);
	sigaddset(&stop_signals, SIGTERM);
	sigaddset(&stop_signals, SIGINT);
	pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);
	signal(SIGPIPE, SIG_IGN);

	sim_init(&sim);
	err_clear(&err);
	rc = parse_args(&sim, argc, argv, &err);
	if (rc) {
		if (rc < 0)
			fprintf(stderr, "ccapply-sim: %s\n(see ccapply-sim --help)\n", err.msg);
		sim_free(&sim);
		return rc < 0 ? EXIT_USAGE : 0;
	}
	if (!strcmp(sim.opt.clock, "now"))
		sim.opt.clock = now = clock_now();
	sim_store_init(&sim.store, sim.opt.clock);
	rc = run(&sim, &stop_signals);
	sim_free(&sim);
	free(now);
	return rc;
}
