/*
 * ccapply.c — main(): global options, then a table of commands, as git does.
 *
 * Global options come before the command name; each command parses its own
 * options. Unknown commands and options are usage errors (exit 64) with a hint.
 * `ccapply help COMMAND` and `ccapply COMMAND --help` are answered here, from
 * one table of help texts, before the command runs.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"

struct command {
	const char *name;
	int (*fn)(int argc, char **argv, const struct global_options *g);
	const char *summary;
};

static const struct command commands[] = {
	{ "plan", cmd_plan, "show what apply would create, without writing anything" },
	{ "apply", cmd_apply, "create what is missing, record results.md and ccapply.lock" },
	{ "show", cmd_show, "render a plan saved with plan --out" },
	{ "state", cmd_state, "list, show, verify or sign what ccapply.lock records" },
	{ "status", cmd_status, "drift and health of what the state file records (read-only)" },
	{ "checksum", cmd_checksum, "print blake2b-256:<hex> of a file (default: the plan)" },
	{ "version", cmd_version, "print the version" },
	{ "help", cmd_help, "show help for a command" },
};

static char last_error[4096];

void cmd_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(last_error, sizeof last_error, fmt, ap);
	va_end(ap);
	fputs("ccapply: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

const char *cmd_last_error(void)
{
	return last_error;
}

/*
 * Help. `ccapply help COMMAND` and `ccapply COMMAND --help` print the same
 * text, from this table; docs/ccapply.1 says the same in more words, and
 * t/7010-docs.t checks that both name the same options. A command without an
 * entry here gets "--help" passed on to its own function, so it can answer
 * for itself.
 */
struct command_help {
	const char *name;
	const char *text; /* usage line, what it does, "Options:" with one option a line */
};

static const struct command_help command_helps[] = {
	{ "plan",
	  "usage: ccapply plan [--json] [--out FILE] [--detailed-exitcode]\n\n"
	  "Run the pre-flight gates, read the target group (GET requests only) and\n"
	  "show what apply would do: + create, = already exists, ! skipped (with the\n"
	  "reason and every differing config path). Writes nothing but --out FILE.\n\n"
	  "Options:\n"
	  "  --json               print the plan as one JSON object (docs/plan-output.md)\n"
	  "  --out FILE           also save the plan, for 'ccapply show' and\n"
	  "                       'ccapply apply FILE'\n"
	  "  --detailed-exitcode  exit 2 when something would be created, 0 when not\n\n"
	  "Exit status: 0 done (or nothing to create), 1 refused or error, 2 changes\n"
	  "pending (only with --detailed-exitcode).\n" },
	{ "apply",
	  "usage: ccapply apply [PLANFILE] [--auto-approve] [--ack CODES|all] [--json]\n"
	  "                     [--create-rate N/SECONDS]\n\n"
	  "Run the gates, compute the plan, ask for 'yes', then create each missing\n"
	  "connection (paused, no setup tests, credentials empty) and Quickstart\n"
	  "transformation, recording .copy-connections/results.md and ccapply.lock\n"
	  "after each. Never modifies or deletes; re-running creates nothing twice.\n\n"
	  "Options:\n"
	  "  PLANFILE                a plan saved with 'ccapply plan --out'; refuse if\n"
	  "                          the live state no longer matches it\n"
	  "  --auto-approve          do not ask for confirmation (needed without a terminal)\n"
	  "  --ack CODES|all         acknowledge the report's warnings: comma-separated\n"
	  "                          codes, or all\n"
	  "  --json                  one JSON event per line instead of text\n"
	  "  --create-rate N/SECONDS at most N connection creates per SECONDS\n"
	  "                          (default 20/60)\n\n"
	  "Exit status: 0 done, 1 refused or error, 3 some resource failed or was\n"
	  "skipped, 130 interrupted (run apply again to continue).\n" },
	{ "show",
	  "usage: ccapply show PLANFILE [--json]\n\n"
	  "Render a plan saved with 'ccapply plan --out' as plan did. No network.\n\n"
	  "Options:\n"
	  "  --json  print the saved plan as JSON\n" },
	{ "checksum",
	  "usage: ccapply checksum [FILE]\n\n"
	  "Print blake2b-256:<hex> of FILE (default: DIR/.copy-connections/copy_plan.yaml),\n"
	  "the value validation_report.yaml's metadata.plan_checksum expects; agrees\n"
	  "with 'b2sum -l 256'.\n" },
	{ "version",
	  "usage: ccapply version\n\n"
	  "Print the version.\n" },
	{ "help",
	  "usage: ccapply help [COMMAND]\n\n"
	  "Without COMMAND, list the commands and the global options; with one, show\n"
	  "its usage and options (the same as 'ccapply COMMAND --help').\n" },
};

static void usage(FILE *out)
{
	size_t i;

	fputs("usage: ccapply [-C DIR] [--api-url URL] [--no-color] [-v|--debug] "
	      "COMMAND [options]\n\nCommands:\n", out);
	for (i = 0; i < sizeof commands / sizeof commands[0]; i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fputs("\nGlobal options (before COMMAND):\n"
	      "  -C DIR         work in DIR: the inputs are DIR/.copy-connections/ (default .)\n"
	      "  --api-url URL  the API's base URL (default $FIVETRAN_API_URL, else\n"
	      "                 https://api.fivetran.com)\n"
	      "  --no-color     no colour, even on a terminal (NO_COLOR does the same)\n"
	      "  -v, --verbose  one line per API request and response on stderr\n"
	      "  --debug        also their bodies, credentials redacted\n"
	      "  -h, --help     show this help\n"
	      "  --version      print the version\n"
	      "\nRun 'ccapply help COMMAND' for a command's options; 'man ccapply' for more.\n",
	      out);
}

static const struct command *find_command(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

static const struct command_help *find_help(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof command_helps / sizeof command_helps[0]; i++)
		if (!strcmp(command_helps[i].name, name))
			return &command_helps[i];
	return NULL;
}

/* Does a command's argv (argv[0] its name) ask for help? */
static bool wants_help(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
			return true;
	return false;
}

/* Help for one command: from the table, else from the command itself. */
static int command_usage(const struct command *c, const struct global_options *g)
{
	const struct command_help *h = find_help(c->name);
	char *args[3];

	if (h) {
		fputs(h->text, stdout);
		return EXIT_OK;
	}
	args[0] = (char *)c->name;
	args[1] = (char *)"--help";
	args[2] = NULL;
	return c->fn(2, args, g);
}

int cmd_help(int argc, char **argv, const struct global_options *g)
{
	const struct command *c;

	if (argc < 2) {
		usage(stdout);
		return EXIT_OK;
	}
	if (argc > 2) {
		cmd_error("usage: ccapply help [COMMAND]");
		return EXIT_USAGE;
	}
	c = find_command(argv[1]);
	if (!c) {
		cmd_error("'%s' is not a ccapply command; see 'ccapply help'", argv[1]);
		return EXIT_USAGE;
	}
	return command_usage(c, g);
}

int cmd_version(int argc, char **argv, const struct global_options *g)
{
	(void)argc;
	(void)argv;
	(void)g;
	printf("ccapply %s\n", CCAPPLY_VERSION);
	return EXIT_OK;
}

static const char *option_value(int argc, char **argv, int *i, const char *name)
{
	size_t n = strlen(name);

	if (!strncmp(argv[*i], name, n) && argv[*i][n] == '=')
		return argv[*i] + n + 1;
	if (*i + 1 >= argc) {
		cmd_error("option %s needs a value", name);
		exit(EXIT_USAGE);
	}
	return argv[++*i];
}

int main(int argc, char **argv)
{
	struct global_options g = { ".", NULL, false, 0 };
	bool no_color = getenv("NO_COLOR") != NULL;
	const struct command *cmd;
	int i;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "-C") || !strncmp(a, "-C", 2))
			g.dir = a[2] ? a + 2 : option_value(argc, argv, &i, "-C");
		else if (!strncmp(a, "--api-url", 9) && (a[9] == '\0' || a[9] == '='))
			g.api_url = option_value(argc, argv, &i, "--api-url");
		else if (!strcmp(a, "--no-color"))
			no_color = true;
		else if (!strcmp(a, "-v") || !strcmp(a, "--verbose"))
			g.verbose = g.verbose > 1 ? g.verbose : 1;
		else if (!strcmp(a, "--debug"))
			g.verbose = 2;
		else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return EXIT_OK;
		} else if (!strcmp(a, "--version")) {
			return cmd_version(0, NULL, &g);
		} else {
			cmd_error("unknown option '%s'", a);
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (!g.api_url)
		g.api_url = getenv("FIVETRAN_API_URL");
	g.color = !no_color && isatty(STDOUT_FILENO);
	if (i >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	cmd = find_command(argv[i]);
	if (!cmd) {
		cmd_error("'%s' is not a ccapply command; see 'ccapply help'", argv[i]);
		return EXIT_USAGE;
	}
	if (find_help(cmd->name) && wants_help(argc - i, argv + i))
		return command_usage(cmd, &g);
	return cmd->fn(argc - i, argv + i, &g);
}
