/*
 * resource.h — the vocabulary of the records: the kinds of resource ccapply
 * creates and what became of each, as enums, with the one table of their
 * names.
 *
 * The names are the words the files hold: "kind" and "outcome" in
 * ccapply.lock, "kind" and "result" in ccapply.journal, and the same words
 * in the --json outputs. Everything in between holds the enums; a name is
 * made only where a file or an output is written (*_name()) and read only
 * where one is parsed (*_parse()), so no module compares these words as
 * text.
 *
 * Kinds: a connection, and a (Quickstart) transformation; plan order is
 * connections first, which is also the enum's order.
 *
 * Outcomes (which step of apply sets each: applier/applier.h): pending (planned, not
 * yet attempted), created, already_exists, skipped, failed. The journal
 * records only created and failed; a request it holds no outcome for is
 * JOURNAL_IN_FLIGHT there (state/journal.h), not an outcome here.
 *
 * Who may call: anyone that may include state/ (docs/architecture.md);
 * differ/'s actions and drift use the kinds too. Names are static strings:
 * nothing to free.
 */
#ifndef CCAPPLY_RESOURCE_H
#define CCAPPLY_RESOURCE_H

#include <stdbool.h>

enum resource_kind {
	RESOURCE_CONNECTION,
	RESOURCE_TRANSFORMATION,
};
#define RESOURCE_N_KINDS (RESOURCE_TRANSFORMATION + 1)

enum resource_outcome {
	OUTCOME_PENDING,        /* planned, not yet attempted (never written as such
				 * for a finished apply; an interrupted one may leave it) */
	OUTCOME_CREATED,
	OUTCOME_ALREADY_EXISTS,
	OUTCOME_SKIPPED,
	OUTCOME_FAILED,
};
#define RESOURCE_N_OUTCOMES (OUTCOME_FAILED + 1)

/* "connection", "transformation"; "invalid" for a value outside the enum. */
const char *resource_kind_name(enum resource_kind k);
/* "pending", "created", "already_exists", "skipped", "failed"; "invalid"
 * for a value outside the enum. */
const char *resource_outcome_name(enum resource_outcome o);

/* The enum value named text, exactly (case and all): true and *out set, or
 * false (text NULL or no name; *out untouched). */
bool resource_kind_parse(const char *text, enum resource_kind *out);
bool resource_outcome_parse(const char *text, enum resource_outcome *out);

#endif
