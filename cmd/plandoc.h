/*
 * plandoc.h — the plan as a document: the JSON object of SPEC §5 that
 * `plan --json` prints, `plan --out` saves (with a fingerprint of the live
 * state) and `show` renders. Text rendering works from the document, so
 * `plan` and `show` can never print different things for the same plan.
 *
 * Who may call: cmd/ only — plan.c (plan, show), apply.c, validate.c (the
 * preflight and its warnings) and mcp.c (a plan tool's text).
 * Ownership: plandoc_build() returns a tree the caller value_free()s.
 */
#ifndef CCAPPLY_CMD_PLANDOC_H
#define CCAPPLY_CMD_PLANDOC_H

#include <stdio.h>

#include "cmd/cmd.h"
#include "differ/differ.h"
#include "planner/planner.h"

#define PLANDOC_FORMAT_VERSION 1

struct value *plandoc_build(const struct planner_inputs *in, const struct live_state *live,
			    const struct action_list *actions);
/* The "preflight" member alone (checksum, status, warnings): what
 * `validate --json` prints too. */
struct value *plandoc_build_preflight(const struct planner_inputs *in);
/* The warnings of a preflight object, as plan shows them; nothing when none. */
void plandoc_render_warnings(FILE *out, const struct value *preflight,
			     const struct global_options *g);
/* BLAKE2b-256 hex of the live facts the actions depend on: connection ids,
 * names and services, transformation ids, packages and connection ids. */
void plandoc_live_fingerprint(const struct live_state *live, char out[65]);

/* Terraform-style text: warnings, one line per action (+ = !) with reasons
 * and differing paths, then "Plan: N to create, M unchanged, K skipped." */
void plandoc_render_text(FILE *out, const struct value *doc, const struct global_options *g);

/* Check that a parsed document has the shape plandoc_build() gives; file
 * names it in the message. */
int plandoc_check(const struct value *doc, const char *file, struct err *err);

#endif
