/*
 * ccapply.c — main(): global options, then a table of commands, as git does.
 *
 * Global options come before the command name; each command parses its own
 * options. Unknown commands and options are usage errors (exit 64) with a hint.
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
	{ "checksum", cmd_checksum, "print blake2b-256:<hex> of a file (default: the plan)" },
	{ "version", cmd_version, "print the version" },
	{ "help", cmd_help, "show help for a command" },
};

void cmd_error(const char *fmt, ...)
{
	va_list ap;

	fputs("ccapply: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void usage(FILE *out)
{
	size_t i;

	fputs("usage: ccapply [-C DIR] [--api-url URL] [--no-color] [-v|--debug] COMMAND [options]\n\n"
	      "Commands:\n", out);
	for (i = 0; i < sizeof commands / sizeof commands[0]; i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fputs("\nRun 'ccapply help COMMAND' for a command's options.\n", out);
}

int cmd_help(int argc, char **argv, const struct global_options *g)
{
	(void)g;
	(void)argv;
	if (argc < 2) {
		usage(stdout);
		return EXIT_OK;
	}
	usage(stdout);
	return EXIT_OK;
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
	int i;
	size_t c;

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
	for (c = 0; c < sizeof commands / sizeof commands[0]; c++)
		if (!strcmp(argv[i], commands[c].name))
			return commands[c].fn(argc - i, argv + i, &g);
	cmd_error("'%s' is not a ccapply command; see 'ccapply help'", argv[i]);
	return EXIT_USAGE;
}
