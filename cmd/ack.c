/*
 * ack.c — apply's acknowledgments (see ack.h): parsing repeated --ack
 * options, refusing a code nobody could mean before anything is written,
 * and deciding which warnings and skips they acknowledge. A pipeline names
 * the codes once; a person on a terminal is asked, code by code, only after
 * the plan and every warning with its context are on the screen.
 */
#include "cmd/ack.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "cmd/options.h"
#include "differ/differ.h"
#include "state/state.h"

/* The skip reasons an --ack may accept. DEPENDENCY_FAILED is not one: it
 * follows a failed create, which is never accepted. */
static const char *const skip_reasons[] = {
	REASON_NAME_TAKEN_CONFIG_DIFFERS,
	REASON_MISSING_DEPENDENCY,
	REASON_DEPENDENCY_SKIPPED,
	REASON_NO_DEPENDENCIES,
};

#define N_SKIP_REASONS (sizeof skip_reasons / sizeof skip_reasons[0])

void acks_from_list(struct acks *a, const struct cmd_args *args, const char *name)
{
	char *const *values;
	size_t n = args_list(args, name, &values), i;

	memset(a, 0, sizeof *a);
	a->codes = xcalloc(n + 1, sizeof *a->codes);
	for (i = 0; i < n; i++) {
		if (!strcmp(values[i], "all"))
			a->all = true;
		else
			a->codes[a->n++] = xstrdup(values[i]);
	}
}

void acks_free(struct acks *a)
{
	size_t i;

	for (i = 0; i < a->n; i++)
		free(a->codes[i]);
	free(a->codes);
	memset(a, 0, sizeof *a);
}

/* REASON or REASON:NAME with an acceptable reason and a non-empty name. */
bool acks_is_skip_code(const char *code)
{
	size_t i;

	if (!code)
		return false;
	for (i = 0; i < N_SKIP_REASONS; i++) {
		size_t n = strlen(skip_reasons[i]);
		if (!strncmp(code, skip_reasons[i], n) &&
		    (!code[n] || (code[n] == ':' && code[n + 1])))
			return true;
	}
	return false;
}

static bool in_codes(const char *const *codes, size_t n, const char *code)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(codes[i], code))
			return true;
	return false;
}

int acks_check(const struct acks *a, const struct report *r)
{
	const char **codes;
	size_t n = report_warning_codes(r, &codes), i;
	struct buf unknown = BUF_INIT, known = BUF_INIT;

	for (i = 0; i < a->n; i++)
		if (!in_codes(codes, n, a->codes[i]) && !acks_is_skip_code(a->codes[i]))
			buf_printf(&unknown, "%s%s", unknown.len ? ", " : "", a->codes[i]);
	if (unknown.len) {
		for (i = 0; i < n; i++)
			buf_printf(&known, "%s%s", i ? ", " : "", codes[i]);
		cmd_error("apply: --ack %s: not a code of the validation report %s\n"
			  "  Its warning codes: %s\n"
			  "  A skip is accepted with --ack REASON or REASON:NAME, REASON one of "
			  "%s, %s, %s, %s.", unknown.data, r->path ? r->path : "",
			  n ? known.data : "(none)", skip_reasons[0], skip_reasons[1],
			  skip_reasons[2], skip_reasons[3]);
	}
	free(codes);
	buf_free(&known);
	i = unknown.len;
	buf_free(&unknown);
	return i ? -1 : 0;
}

bool cmd_ask_yes(const char *prompt)
{
	char line[64];

	fputs(prompt, stdout);
	fflush(stdout);
	if (!fgets(line, sizeof line, stdin))
		return false;
	line[strcspn(line, "\r\n")] = '\0';
	return !strcmp(line, "yes");
}

static void push(char ***out, size_t *n, const char *code)
{
	*out = xrealloc(*out, (*n + 1) * sizeof **out);
	(*out)[(*n)++] = xstrdup(code);
}

void acks_warnings(const struct acks *a, const struct report *r, bool ask, char ***out,
		   size_t *n_out, struct buf *missing)
{
	const char **codes;
	size_t n = report_warning_codes(r, &codes), i;

	for (i = 0; i < n; i++) {
		bool ok = a->all || in_codes((const char *const *)a->codes, a->n, codes[i]);
		if (!ok && ask) {
			char prompt[512];
			snprintf(prompt, sizeof prompt, "Acknowledge warning %.400s (listed above)? "
				 "Only 'yes' will be accepted: ", codes[i]);
			ok = cmd_ask_yes(prompt);
		}
		if (ok)
			push(out, n_out, codes[i]);
		else
			buf_printf(missing, "%s%s", missing->len ? "," : "", codes[i]);
	}
	free(codes);
}

void acks_skips(const struct acks *a, char ***out, size_t *n_out)
{
	size_t i;

	for (i = 0; i < a->n; i++)
		if (acks_is_skip_code(a->codes[i]))
			push(out, n_out, a->codes[i]);
}

void acks_note_unused(const struct acks *a, const struct action_list *actions)
{
	size_t i, k;

	for (k = 0; k < a->n; k++) {
		bool used = false;
		if (!acks_is_skip_code(a->codes[k]))
			continue;
		for (i = 0; i < actions->n && !used; i++) {
			const struct action *x = &actions->items[i];
			used = x->action == ACTION_SKIP &&
			       state_ack_accepting(&a->codes[k], 1, x->reason, x->name);
		}
		if (!used)
			fprintf(stderr, "ccapply: note: --ack %s accepts no skip of this plan\n",
				a->codes[k]);
	}
}
