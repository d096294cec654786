/*
 * options.h — the command line, declared once.
 *
 * Each command is a struct command_spec: its name, summary, description,
 * exit statuses and a table of options (git's parse-options, curl's single
 * option table). Everything about the command line derives from these
 * tables: parsing (values, repeats, paths resolved inside -C DIR), `--help`
 * and `ccapply help`, usage errors with "did you mean", the checks of
 * t/7010 against docs/ccapply.1, and the bash, zsh and fish completions
 * `ccapply completion SHELL` prints (contrib/ holds their output, and
 * t/7025 checks that it is current). `state` has a sub-table of
 * subcommands. Defaults shared with the code below (the create rate) are
 * macros here, used by both the help text and the code.
 *
 * Who may call: cmd/ only. Ownership: the tables are static; a cmd_args
 * owns its value arrays and resolved paths until args_free().
 */
#ifndef CCAPPLY_CMD_OPTIONS_H
#define CCAPPLY_CMD_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "client/client.h"

struct global_options;

/* The default create rate as --create-rate writes it, "20/60", from the
 * client's one definition. */
#define OPT_STR_(x) #x
#define OPT_STR(x) OPT_STR_(x)
#define CREATE_RATE_DEFAULT \
	OPT_STR(CLIENT_CREATE_RATE_COUNT) "/" OPT_STR(CLIENT_CREATE_RATE_SECONDS)

enum opt_kind {
	OPT_FLAG,       /* --json */
	OPT_VALUE,      /* --out FILE, --out=FILE; given twice, the last wins */
	OPT_LIST,       /* --ack A --ack B,C: repeats and accumulates */
	OPT_POSITIONAL, /* PLANFILE: at most one */
};

/* What a shell completes for an option's value or a positional. */
enum opt_complete {
	COMPLETE_NONE,
	COMPLETE_FILE,
	COMPLETE_DIR,
	COMPLETE_WORDS,      /* the words of opt_spec.words */
	COMPLETE_COMMAND,    /* a ccapply command name */
	COMPLETE_STATE_NAME, /* a resource name ccapply.lock records */
};

struct opt_spec {
	const char *name;  /* "--out", "-C"; a positional: its metavariable, "PLANFILE" */
	const char *alias; /* "-v" beside "--verbose", or NULL */
	const char *value; /* OPT_VALUE and OPT_LIST: the metavariable, "FILE" */
	enum opt_kind kind;
	bool path;         /* the value is a path: a relative one is resolved in -C DIR */
	bool required;     /* a positional that must be given */
	bool hidden_in_usage; /* -h, --version: in the option list, not the usage line */
	enum opt_complete complete;
	const char *words; /* COMPLETE_WORDS: space-separated candidates */
	const char *help;  /* "\n" starts a continuation line, aligned */
};

struct cmd_args;

struct command_spec {
	const char *name;
	const char *summary;     /* its line under "Commands:" */
	const char *description; /* the paragraph after the usage line(s) */
	const char *after;       /* the last paragraph ("Exit status: ..."), or NULL */
	const struct opt_spec *options;                /* ends with { 0 } */
	const struct command_spec *const *subcommands; /* NULL-terminated, or NULL */
	int (*run)(const struct cmd_args *args, const struct global_options *g);
	bool json_errors; /* with --json, a failure prints the JSON error object */
};

/* What one command line said, by the command's table. */
struct opt_value {
	int count;     /* times given (flags) */
	char **values; /* OPT_VALUE: the last is the value; OPT_LIST: every item,
			* comma-separated ones split; paths resolved in -C DIR */
	size_t n;
};

struct cmd_args {
	const struct command_spec *cmd;    /* the subcommand, for state */
	const struct command_spec *parent; /* state, or NULL */
	struct opt_value *v;               /* one per cmd->options entry */
};

/* The tables: every command, in the order `ccapply help` lists them
 * (NULL-terminated; each command's spec sits beside its code), and the
 * global options (before COMMAND). */
extern const struct command_spec *const cmd_commands[];
extern const struct opt_spec cmd_global_options[];

const struct command_spec *cmd_find(const struct command_spec *const *table, const char *name);

/* Parse a command's argv (argv[0] its name) by its table. Returns 0 with
 * *out filled; 1 when it printed help (exit 0); EXIT_USAGE with the message
 * printed, naming the nearest option for an unknown one. */
int args_parse(const struct command_spec *c, const struct command_spec *parent, int argc,
	       char **argv, const struct global_options *g, struct cmd_args *out);
void args_free(struct cmd_args *a);

bool args_flag(const struct cmd_args *a, const char *name);
const char *args_value(const struct cmd_args *a, const char *name); /* last given, or NULL */
size_t args_list(const struct cmd_args *a, const char *name, char *const **values);

/* Help: the global usage and command list, or one command's. */
void cmd_help_global(FILE *out);
void cmd_help_global_usage(FILE *out); /* its usage line(s) only */
void cmd_help_command(FILE *out, const struct command_spec *c, const struct command_spec *parent);
/* "usage: ccapply NAME ..." lines only (usage errors end with them). */
void cmd_help_usage_lines(FILE *out, const struct command_spec *c,
			  const struct command_spec *parent);

/* The nearest of the candidates to word, when near enough to be a likely
 * typo, else NULL. */
const char *cmd_nearest_word(const char *word, const char *const *candidates, size_t n);

/* `ccapply completion bash|zsh|fish`: the script, from the tables. */
int cmd_completion_print(FILE *out, const char *shell);

#endif
