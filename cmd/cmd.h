/*
 * cmd.h — the command-line front end: global options and the cmd_* functions
 * the command table in ccapply.c dispatches to.
 *
 * Everything user-facing — argument parsing, message wording, colour, exit
 * codes — lives in cmd/. The modules below it return values and errors; cmd/
 * decides how they look. This is the only place with process-wide state (the
 * parsed options, signal flags).
 */
#ifndef CCAPPLY_CMD_H
#define CCAPPLY_CMD_H

#include <stdbool.h>

/* Exit codes (SPEC §5). */
enum {
	EXIT_OK = 0,
	EXIT_ERROR = 1,       /* error or refusal; nothing written */
	EXIT_CHANGES = 2,     /* plan --detailed-exitcode: changes pending */
	EXIT_INCOMPLETE = 3,  /* apply finished but a resource failed or was skipped */
	EXIT_USAGE = 64,      /* bad command line (sysexits EX_USAGE) */
	EXIT_INTERRUPTED = 130,
};

struct global_options {
	const char *dir;     /* -C DIR; default "." */
	const char *api_url; /* --api-url, else FIVETRAN_API_URL, else the real API */
	bool color;          /* stdout is a terminal, no NO_COLOR, no --no-color */
	int verbose;         /* -v: 1; --debug: 2 (traces requests, redacted) */
};

/* Each command gets its own argv (argv[0] is the command name). */
int cmd_plan(int argc, char **argv, const struct global_options *g);
int cmd_apply(int argc, char **argv, const struct global_options *g);
int cmd_show(int argc, char **argv, const struct global_options *g);
int cmd_status(int argc, char **argv, const struct global_options *g);
int cmd_checksum(int argc, char **argv, const struct global_options *g);
int cmd_state(int argc, char **argv, const struct global_options *g);  /* state.c */
int cmd_version(int argc, char **argv, const struct global_options *g);
int cmd_help(int argc, char **argv, const struct global_options *g);

/* Print "ccapply: " + message to stderr. */
void cmd_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The last message cmd_error() printed (without "ccapply: "; "" before the
 * first), for records that must say why: apply's refusal in results.md. */
const char *cmd_last_error(void);

#endif
