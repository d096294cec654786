/*
 * ack.h — apply's acknowledgments: the `--ack` options, the codes they may
 * name, and which of the validation report's warnings and the plan's skips
 * they acknowledge (SPEC §1 gate 3, §5; docs/ccapply.1, ACKNOWLEDGMENTS).
 *
 * `--ack` repeats and accumulates (`--ack A --ack B,C`). A code is one of:
 *  - a warning code of the validation report (every `warning` finding's code
 *    and every `acknowledgments_required` code), or `all` for every one;
 *  - a skip reason apply may be told to accept — NAME_TAKEN_CONFIG_DIFFERS,
 *    MISSING_DEPENDENCY, DEPENDENCY_SKIPPED, NO_DEPENDENCIES — alone (every skip with that
 *    reason) or as REASON:NAME (only the resource of that target_name or
 *    package_name). An accepted skip stays a skip everywhere (plan,
 *    results.md, ccapply.lock) but no longer makes apply exit 3; `all`
 *    does not accept skips: each must be named.
 * Anything else is a usage error listing the report's codes, found before
 * anything is written or sent. Every code acknowledged is recorded in
 * ccapply.lock's validation.acknowledged (state_skip_accepted() reads the
 * skip ones back).
 *
 * Who may call: cmd/apply.c. Ownership: struct acks owns its codes
 * (acks_free()); returned arrays are the caller's (free each string).
 */
#ifndef CCAPPLY_CMD_ACK_H
#define CCAPPLY_CMD_ACK_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/buf.h"
#include "planner/planner.h"

struct acks {
	char **codes; /* every code of every --ack, in order, "all" excluded */
	size_t n;
	bool all;     /* --ack all: every warning of the report */
};

/* Every value of the list option name (cmd/options.h splits "A,B" and
 * drops empty and repeated items). */
struct cmd_args;
void acks_from_list(struct acks *a, const struct cmd_args *args, const char *name);
void acks_free(struct acks *a);

/* Every code is the report's or an acceptable skip; else prints the usage
 * error (naming the unknown codes and listing the report's) and returns -1. */
int acks_check(const struct acks *a, const struct report *r);

/* The report's warning codes acknowledged — by --ack, or, when ask, by the
 * user typing 'yes' for each (the plan and warnings already shown) — are
 * appended to *out; the others, comma-separated, to *missing. */
void acks_warnings(const struct acks *a, const struct report *r, bool ask, char ***out,
		   size_t *n_out, struct buf *missing);

/* The skip codes given (REASON or REASON:NAME), appended to *out. */
void acks_skips(const struct acks *a, char ***out, size_t *n_out);

/* Is code an acceptable skip, REASON or REASON:NAME? (NULL: no.) */
bool acks_is_skip_code(const char *code);

/* A note on stderr for each skip code that accepts no skip of actions (a
 * conflict resolved since the pipeline was written, say): not an error. */
struct action_list;
void acks_note_unused(const struct acks *a, const struct action_list *actions);

/* Ask prompt on stdout; true when the answer is exactly "yes". */
bool cmd_ask_yes(const char *prompt);

#endif
