/*
 * ccapply.c — main(): the global options, then the command, both by the
 * tables of options.h, as git dispatches its builtins.
 *
 * Global options come before the command name; each command's options are
 * parsed by its own table before it runs, so `ccapply COMMAND --help`,
 * `ccapply help COMMAND` and usage errors ("did you mean 'apply'?") come
 * from the same declarations. -C DIR must name a directory. With --json,
 * the run's first failure ends the output as one JSON error object.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "cmd/options.h"
#include "lib/buf.h"
#include "lib/err.h"
#include "lib/json.h"
#include "lib/sanitize.h"
#include "planner/planner.h"
#include "state/journal.h"
#include "state/results.h"
#include "state/state.h"

const struct command_spec *const cmd_commands[] = {
	&cmd_plan_spec, &cmd_apply_spec, &cmd_validate_spec, &cmd_show_spec, &cmd_state_spec,
	&cmd_status_spec, &cmd_mcp_spec, &cmd_checksum_spec, &cmd_completion_spec,
	&cmd_version_spec, &cmd_help_spec, NULL,
};

const struct opt_spec cmd_global_options[] = {
	{ .name = "-C", .value = "DIR", .kind = OPT_VALUE, .complete = COMPLETE_DIR,
	  .help = "work in DIR: the inputs are DIR/.copy-connections/, and relative\n"
		  "paths in arguments are taken inside DIR, as git -C does (default .)" },
	{ .name = "--api-url", .value = "URL", .kind = OPT_VALUE, .complete = COMPLETE_WORDS,
	  .words = "https://api.fivetran.com",
	  .help = "the API's base URL (default $FIVETRAN_API_URL, else\n"
		  "https://api.fivetran.com)" },
	{ .name = "--no-color", .help = "no colour, even on a terminal (NO_COLOR does the same)" },
	{ .name = "--verbose", .alias = "-v",
	  .help = "one line per API request and response on stderr" },
	{ .name = "--debug", .help = "also their bodies, credentials redacted" },
	{ .name = "--help", .alias = "-h", .hidden_in_usage = true, .help = "show this help" },
	{ .name = "--version", .hidden_in_usage = true, .help = "print the version" },
	{ 0 },
};

/*
 * Failures. Every message goes to stderr for people; the first failure of a
 * run is also kept, with a machine-readable code, so that a command run with
 * --json ends with one {"error":{"code","message"}} object on stdout
 * (docs/schemas/error.schema.json lists the codes).
 */
static struct {
	bool json;
	char code[64];
	char message[ERR_MSG_MAX];
	char last[ERR_MSG_MAX]; /* the last message, for cmd_last_error() */
} failure;

/* Messages carry untrusted text (API messages, names, file contents): shown
 * escaped (lib/sanitize.h), the message's own line breaks kept. */
static void vfail(const char *code, const char *fmt, va_list ap)
{
	char msg[ERR_MSG_MAX];
	struct buf shown = BUF_INIT;

	vsnprintf(msg, sizeof msg, fmt, ap);
	sanitize_append(&shown, msg, SANITIZE_MULTILINE);
	fprintf(stderr, "ccapply: %s\n", buf_str(&shown));
	snprintf(failure.last, sizeof failure.last, "%s", buf_str(&shown));
	if (!failure.code[0]) {
		snprintf(failure.code, sizeof failure.code, "%s", code);
		snprintf(failure.message, sizeof failure.message, "%s", buf_str(&shown));
	}
	buf_free(&shown);
}

void cmd_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail("error", fmt, ap);
	va_end(ap);
}

const char *cmd_last_error(void)
{
	return failure.last;
}

void cmd_fail(const char *code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail(code, fmt, ap);
	va_end(ap);
}

void cmd_json_errors(void)
{
	failure.json = true;
}

void cmd_json_answered(void)
{
	failure.json = false;
}

/* Exit statuses that are answers, not failures: 2 (changes pending, drift)
 * and 3 (apply finished; its done event says what failed). */
static bool is_failure(int rc)
{
	return rc != EXIT_OK && rc != EXIT_CHANGES && rc != EXIT_INCOMPLETE;
}

static int finish(int rc)
{
	struct buf b = BUF_INIT;
	struct json_writer w;

	if (!failure.json || !is_failure(rc))
		return rc;
	if (rc == EXIT_USAGE || !failure.code[0])
		snprintf(failure.code, sizeof failure.code, "%s", rc == EXIT_USAGE ? "usage" :
			 rc == EXIT_INTERRUPTED ? "interrupted" : "error");
	if (!failure.message[0])
		snprintf(failure.message, sizeof failure.message, "ccapply exited %d", rc);
	jw_init(&w, &b, JSON_COMPACT);
	jw_object_begin(&w);
	jw_key(&w, "error");
	jw_object_begin(&w);
	jw_key(&w, "code");
	jw_string(&w, failure.code);
	jw_key(&w, "message");
	jw_string(&w, failure.message);
	jw_object_end(&w);
	jw_object_end(&w);
	printf("%s\n", b.data);
	fflush(stdout);
	buf_free(&b);
	return rc;
}

static const struct opt_spec help_options[] = {
	{ .name = "COMMAND", .kind = OPT_POSITIONAL, .complete = COMPLETE_COMMAND },
	{ 0 },
};

static int run_help(const struct cmd_args *a, const struct global_options *g)
{
	const char *name = args_value(a, "COMMAND");
	const struct command_spec *c;

	(void)g;
	if (!name) {
		cmd_help_global(stdout);
		return EXIT_OK;
	}
	c = cmd_find(cmd_commands, name);
	if (!c) {
		cmd_fail("usage", "'%s' is not a ccapply command; see 'ccapply help'", name);
		return EXIT_USAGE;
	}
	cmd_help_command(stdout, c, NULL);
	return EXIT_OK;
}

const struct command_spec cmd_help_spec = {
	.name = "help",
	.summary = "show help for a command",
	.description = "Without COMMAND, list the commands and the global options; with one, show\n"
		       "its usage and options (the same as 'ccapply COMMAND --help').",
	.options = help_options,
	.run = run_help,
};

static int run_version(const struct cmd_args *a, const struct global_options *g)
{
	(void)a;
	(void)g;
	printf("ccapply %s\n", CCAPPLY_VERSION);
	return EXIT_OK;
}

static const struct opt_spec no_options[] = { { 0 } };

const struct command_spec cmd_version_spec = {
	.name = "version",
	.summary = "print the version",
	.description = "Print the version.",
	.options = no_options,
	.run = run_version,
};

/* ---- dispatch ------------------------------------------------------------ */

static const char **names_of(const struct command_spec *const *table, size_t *n)
{
	const char **names;

	for (*n = 0; table[*n]; ++*n)
		;
	names = xcalloc(*n + 1, sizeof *names);
	for (*n = 0; table[*n]; ++*n)
		names[*n] = table[*n]->name;
	return names;
}

/* An unknown command or subcommand, with the nearest one when there is one. */
static int unknown_command(const struct command_spec *const *table, const char *parent,
			   const char *name)
{
	size_t n;
	const char **names = names_of(table, &n);
	const char *near = cmd_nearest_word(name, names, n);

	free(names);
	if (parent && near)
		cmd_fail("usage", "%s: unknown subcommand '%s'; did you mean '%s'?", parent, name,
			 near);
	else if (parent)
		cmd_fail("usage", "%s: unknown subcommand '%s'; see 'ccapply help %s'", parent, name,
			 parent);
	else if (near)
		cmd_fail("usage", "'%s' is not a ccapply command; did you mean '%s'?", name, near);
	else
		cmd_fail("usage", "'%s' is not a ccapply command; see 'ccapply help'", name);
	return EXIT_USAGE;
}

static bool declares(const struct command_spec *c, const char *option)
{
	const struct opt_spec *o;

	for (o = c->options; o && o->name; o++)
		if (!strcmp(o->name, option))
			return true;
	return false;
}

/* A command whose table has --json and whose argv asks for it fails in JSON,
 * usage errors included. */
static void maybe_json_errors(const struct command_spec *c, int argc, char **argv)
{
	int i;

	if (!declares(c, "--json"))
		return;
	for (i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--json"))
			cmd_json_errors();
}

/* -C DIR must be a directory, as for git -C; say so rather than let a later
 * step report a missing input. */
static int check_dir(const struct global_options *g, bool given)
{
	struct stat st;

	if (!given)
		return 0;
	if (stat(g->dir, &st)) {
		cmd_fail("directory_missing", "cannot change to '%s': %s", g->dir,
			 strerror(errno));
		return EXIT_ERROR;
	}
	if (!S_ISDIR(st.st_mode)) {
		cmd_fail("directory_missing", "cannot change to '%s': Not a directory", g->dir);
		return EXIT_ERROR;
	}
	return 0;
}

static char *path_in(const char *dir, const char *name)
{
	struct buf b = BUF_INIT;

	buf_printf(&b, "%s/%s", dir, name);
	return buf_detach(&b);
}

void cmd_workspace_init(struct workspace *ws, const char *dir)
{
	char *wd = path_in(dir, WORKSPACE_DIR);

	*ws = (struct workspace){
		.dir = wd,
		.plan = path_in(wd, PLAN_FILE),
		.report = path_in(wd, REPORT_FILE),
		.state = path_in(wd, STATE_FILE),
		.lock = path_in(wd, STATE_LOCK_FILE),
		.journal = path_in(wd, JOURNAL_FILE),
		.results = path_in(wd, RESULTS_FILE),
	};
}

void cmd_workspace_free(struct workspace *ws)
{
	free(ws->dir);
	free(ws->plan);
	free(ws->report);
	free(ws->state);
	free(ws->lock);
	free(ws->journal);
	free(ws->results);
	memset(ws, 0, sizeof *ws);
}

static int run_command(const struct command_spec *c, int argc, char **argv,
		       const struct global_options *g, bool dir_given)
{
	const struct command_spec *parent = NULL;
	struct cmd_args args;
	int rc;

	if (c->subcommands) {
		if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
			cmd_help_command(argc < 2 ? stderr : stdout, c, NULL);
			if (argc >= 2)
				return EXIT_OK;
			cmd_fail("usage", "%s: a subcommand is needed", c->name);
			return EXIT_USAGE;
		}
		parent = c;
		c = cmd_find(parent->subcommands, argv[1]);
		if (!c)
			return unknown_command(parent->subcommands, parent->name, argv[1]);
		argc--;
		argv++;
	}
	maybe_json_errors(c, argc, argv);
	rc = args_parse(c, parent, argc, argv, g, &args);
	if (rc)
		return rc == 1 ? EXIT_OK : rc;
	rc = check_dir(g, dir_given);
	if (!rc)
		rc = c->run(&args, g);
	args_free(&args);
	return rc;
}

/* The global options before COMMAND: -1 with *next the index of COMMAND,
 * or the exit status when they said it all (help, version, an error). */
static int parse_globals(int argc, char **argv, struct global_options *g, bool *no_color,
			 bool *dir_given, int *next)
{
	int i;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i], *eq = a[1] == '-' ? strchr(a, '=') : NULL, *value = NULL;
		size_t len = eq ? (size_t)(eq - a) : strlen(a);
		const struct opt_spec *o;

		if (!strncmp(a, "-C", 2) && a[2]) { /* -CDIR, as getopt allows */
			g->dir = a + 2;
			*dir_given = true;
			continue;
		}
		for (o = cmd_global_options; o->name; o++)
			if ((strlen(o->name) == len && !strncmp(o->name, a, len)) ||
			    (o->alias && !strcmp(o->alias, a)))
				break;
		if (!o->name) {
			const char *names[32];
			size_t n = 0;
			char *given = xstrndup(a, len);
			const char *near;
			for (o = cmd_global_options; o->name && n < 30; o++) {
				names[n++] = o->name;
				if (o->alias)
					names[n++] = o->alias;
			}
			near = cmd_nearest_word(given, names, n);
			if (near)
				cmd_fail("usage", "unknown option '%s'; did you mean '%s'?", given, near);
			else
				cmd_fail("usage", "unknown option '%s'", given);
			free(given);
			cmd_help_global_usage(stderr);
			return EXIT_USAGE;
		}
		if (o->kind == OPT_VALUE) {
			value = eq ? eq + 1 : i + 1 < argc ? argv[++i] : NULL;
			if (!value) {
				cmd_fail("usage", "option '%s' needs a value (%s)", o->name, o->value);
				return EXIT_USAGE;
			}
		} else if (eq) {
			cmd_fail("usage", "option '%s' takes no value", o->name);
			return EXIT_USAGE;
		}
		if (!strcmp(o->name, "-C")) {
			g->dir = value;
			*dir_given = true;
		} else if (!strcmp(o->name, "--api-url")) {
			g->api_url = value;
		} else if (!strcmp(o->name, "--no-color")) {
			*no_color = true;
		} else if (!strcmp(o->name, "--verbose")) {
			g->verbose = g->verbose > 1 ? g->verbose : 1;
		} else if (!strcmp(o->name, "--debug")) {
			g->verbose = 2;
		} else if (!strcmp(o->name, "--help")) {
			cmd_help_global(stdout);
			return EXIT_OK;
		} else if (!strcmp(o->name, "--version")) {
			return run_version(NULL, g);
		}
	}
	*next = i;
	return -1;
}

int main(int argc, char **argv)
{
	struct global_options g = { .dir = "." };
	bool no_color = getenv("NO_COLOR") != NULL, dir_given = false;
	const struct command_spec *cmd;
	int i = 0, rc = parse_globals(argc, argv, &g, &no_color, &dir_given, &i);

	if (rc >= 0)
		return rc;
	if (!g.api_url)
		g.api_url = getenv("FIVETRAN_API_URL");
	g.color = !no_color && isatty(STDOUT_FILENO);
	if (i >= argc) {
		cmd_help_global(stderr);
		return EXIT_USAGE;
	}
	cmd = cmd_find(cmd_commands, argv[i]);
	if (!cmd)
		return unknown_command(cmd_commands, NULL, argv[i]);
	cmd_workspace_init(&g.ws, g.dir);
	rc = run_command(cmd, argc - i, argv + i, &g, dir_given);
	cmd_workspace_free(&g.ws);
	return finish(rc);
}
