/*
 * common.h — pieces shared by the commands: loading and gating the inputs
 * with user-facing messages, building the API client from the environment,
 * colours.
 *
 * Who may call: cmd/ only (plan.c, apply.c, validate.c, status.c, mcp.c,
 * plandoc.c).
 */
#ifndef CCAPPLY_CMD_COMMON_H
#define CCAPPLY_CMD_COMMON_H

#include <stdbool.h>
#include <signal.h>
#include <stdio.h>

#include "client/client.h"
#include "cmd/cmd.h"
#include "planner/planner.h"

/* planner_load() plus the messages of SPEC §1 on stderr. Returns 0 or
 * EXIT_ERROR; err keeps the refusal for results.md. */
int cmd_load_inputs(const struct global_options *g, struct planner_inputs *in, struct err *err);

/* FIVETRAN_ALLOW_WRITES (SPEC §3), parsed strictly: unset; true, 1 or yes;
 * false, 0 or no (any case). Anything else, the empty string included, is
 * -1 with err naming the accepted values. */
enum writes_policy { WRITES_UNSET, WRITES_ALLOWED, WRITES_REFUSED };
int cmd_writes_policy_from_env(enum writes_policy *out, struct err *err);

/* How apply's client differs from plan's. */
struct client_tuning {
	bool read_only;
	int create_rate_count;      /* 0: default */
	double create_rate_seconds; /* 0: default */
	volatile sig_atomic_t *interrupted;
	const struct plan *plan; /* its credential_fields are redacted in traces */
	void (*on_wait)(void *ctx, double seconds_left, const char *why); /* see client.h */
	void *on_wait_ctx;
};

/* A non-negative integer from the environment; unset or invalid: fallback. */
long cmd_env_long(const char *name, long fallback);

/* A client from --api-url/FIVETRAN_API_URL and the credential variables.
 * Returns 0 or EXIT_ERROR with a message printed. */
int cmd_open_client(const struct global_options *g, const struct client_tuning *t,
		    struct client **out);

/* The --json error code for a client call's err (by err->code). */
const char *cmd_client_error_code(const struct err *err);

struct live_state;
struct action_list;
struct state;
/* Read live state and diff (plan.c); state is what ccapply.lock records, or
 * NULL when there is none. Returns 0 or EXIT_ERROR, printed. */
int cmd_compute_plan(const struct global_options *g, struct client *c,
		     const struct planner_inputs *in, const struct state *state,
		     struct live_state *live, struct action_list *actions);
/* Read and check a plan file saved by plan --out (plan.c). */
struct value;
int cmd_load_saved_plan(const char *path, struct value **doc);

/* A value inside a text line (a plan's or status's differing path): compact
 * JSON, control characters escaped (cmd_shown()); "(absent)" for none or
 * null. */
void cmd_print_value(FILE *out, const struct value *v);
/* Print doc as pretty JSON and a newline on stdout (--json outputs). */
void cmd_print_json(const struct value *doc);

/* ANSI colour around text when enabled. */
const char *cmd_color(const struct global_options *g, const char *code);
#define C_RESET "0"
#define C_GREEN "32"
#define C_YELLOW "33"
#define C_RED "31"
#define C_BOLD "1"
#define C_DIM "2"

#endif
