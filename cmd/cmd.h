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

/* The directory apply and the gates work in, under DIR. */
#define WORKSPACE_DIR ".copy-connections"

/* The paths of a run's files, built once at dispatch from -C DIR
 * (cmd_workspace_init, in ccapply.c) and used by every command; the modules
 * below cmd/ take these paths as arguments and build none of their own.
 * Each is DIR/.copy-connections/NAME, spelled as DIR was given (relative
 * stays relative), so messages print them as the user typed DIR. */
struct workspace {
	char *dir;     /* DIR/.copy-connections */
	char *plan;    /* .../copy_plan.yaml (PLAN_FILE, planner.h) */
	char *report;  /* .../validation_report.yaml (REPORT_FILE) */
	char *state;   /* .../ccapply.lock (STATE_FILE, state.h) */
	char *lock;    /* .../ccapply.lock.lck, the apply lock (STATE_LOCK_FILE) */
	char *journal; /* .../ccapply.journal (JOURNAL_FILE, journal.h) */
	char *results; /* .../results.md (RESULTS_FILE, results.h) */
};

void cmd_workspace_init(struct workspace *ws, const char *dir);
void cmd_workspace_free(struct workspace *ws);

struct global_options {
	const char *dir;     /* -C DIR; default "." */
	struct workspace ws; /* the paths under DIR */
	const char *api_url; /* --api-url, else FIVETRAN_API_URL, else the real API */
	bool color;          /* stdout is a terminal, no NO_COLOR, no --no-color */
	int verbose;         /* -v: 1; --debug: 2 (traces requests, redacted) */
};

/* The commands, each declared beside its code (options.h): plan.c has
 * plan and show, state.c state and its subcommands, and so on. */
struct command_spec;
extern const struct command_spec cmd_plan_spec, cmd_apply_spec, cmd_validate_spec,
	cmd_show_spec, cmd_state_spec, cmd_status_spec, cmd_mcp_spec, cmd_checksum_spec,
	cmd_completion_spec,
	cmd_version_spec, cmd_help_spec;

/* Print "ccapply: " + message to stderr. The first failure of a run is also
 * kept: with --json, the command ends with {"error":{"code","message"}} on
 * stdout (docs/schemas/error.schema.json). cmd_error's code is "error";
 * cmd_fail names one of the schema's codes. */
void cmd_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cmd_fail(const char *code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Untrusted text (a name, an id, an API or report message) for one printed
 * line: control characters shown escaped (lib/sanitize.h). NULL stays NULL.
 * The result lives in one of eight rotating buffers: use it at once, in one
 * printf at most eight times. */
const char *cmd_shown(const char *s);

/* The command asked for --json: its failure ends with the error object. */
void cmd_json_errors(void);
/* The command printed its JSON answer although it exits 1 (state verify
 * with a failed check): no error object after it. */
void cmd_json_answered(void);
/* The last message cmd_error() or cmd_fail() printed (without "ccapply: ";
 * "" before the first), for records that must say why: apply's refusal in
 * results.md. */
const char *cmd_last_error(void);

#endif
