/*
 * journal.h — .copy-connections/ccapply.journal: an append-only, hash-chained
 * record of every write request apply sends, for crash recovery and audits.
 *
 * One JSON object per line (compact, keys in a fixed order; the format is in
 * docs/state-format.md, "The journal"):
 *  - an intent, written and fsynced BEFORE a create request is sent: seq,
 *    prev, time, kind, name, method, path and body_digest (BLAKE2b-256 of the
 *    canonical request body: the state's sent_digest);
 *  - an outcome, written AFTER the answer: the intent's seq, result
 *    ("created" or "failed": those two outcomes of state/resource.h), HTTP
 *    status, Fivetran id, error code, and whether the resource was
 *    recovered (found after its answer was lost).
 * Kinds are state/resource.h's enum in the model, its names in the file.
 * An intent with no outcome is a request whose answer nobody saw. Which
 * function writes each line, and what a later apply makes of an open
 * intent, is drawn once: the lifecycle of a resource in applier/applier.h.
 * One intent covers one create call, including the client's re-sends after
 * a lookup found nothing.
 *
 * Invariants:
 *  - Line N has "seq": N, and "prev" is the lowercase hex BLAKE2b-256 of the
 *    bytes of line N-1 including its newline; line 1's prev is the BLAKE2b-256
 *    of nothing (JOURNAL_GENESIS). So `sed -n Np | b2sum -l 256` gives line
 *    N+1's prev, and changing, removing or reordering any line but the last
 *    breaks the chain at the line after it.
 *  - Every line is exactly what ccapply writes for its content; an outcome
 *    answers the latest intent for its resource, which had none yet.
 *  - The file is only ever appended to (O_APPEND), one whole line per
 *    write(2), fsynced before the call returns. Nothing is created until the
 *    first append, so an apply that sends nothing leaves no journal.
 *  - It holds no credentials and no config values: names, ids, codes and
 *    digests only.
 *
 * Who may call: cmd/ (apply opens it after taking the apply lock and hands it
 * to the applier; `state verify` reads it) and applier/. Ownership: the
 * journal owns every string it hands out; journal_free() frees them all.
 */
#ifndef CCAPPLY_JOURNAL_H
#define CCAPPLY_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/buf.h"
#include "lib/err.h"
#include "state/resource.h"

#define JOURNAL_FILE "ccapply.journal"
/* BLAKE2b-256 of the empty string: the "prev" of line 1. */
#define JOURNAL_GENESIS "0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8"

/* What the journal last says about one resource. */
enum journal_status {
	JOURNAL_IN_FLIGHT, /* its latest intent has no outcome: answer unknown */
	JOURNAL_CREATED,
	JOURNAL_FAILED,
};

struct journal_entry {
	enum resource_kind kind;
	char *name;
	enum journal_status status;
	long long intent_line;   /* line of the latest intent */
	long long outcome_line;  /* line of its outcome; 0 while in flight */
	char *body_digest;       /* of the latest intent: "blake2b-256:<hex>" */
	char *intent_time;       /* of the latest intent: "YYYY-MM-DDTHH:MM:SSZ" */
	/* From the outcome (zero / NULL while in flight): */
	int http_status;         /* 0: no HTTP answer */
	char *id;
	char *error_code;
	bool recovered;
};

struct journal;

/* Read the journal at path (DIR/.copy-connections/ccapply.journal) and
 * check every line and the chain. A missing file is an empty journal. A
 * damaged one is an error "PATH: line N: what" (a last line without its
 * newline is reported as cut short). Nothing is opened for writing yet. */
int journal_open(const char *path, struct journal **out, struct err *err);
void journal_free(struct journal *j);

const char *journal_path(const struct journal *j);
bool journal_exists(const struct journal *j); /* the file was there when read */
long long journal_lines(const struct journal *j);

/* The latest record for kind/name, or NULL when the journal has none.
 * Valid until the next append or journal_free(). */
const struct journal_entry *journal_find(const struct journal *j, enum resource_kind kind,
					 const char *name);

/* Append an intent before sending `method path` with a body whose digest is
 * body_digest ("blake2b-256:<hex>"); *line gets its line number. When this
 * fails the request must not be sent. */
int journal_intent(struct journal *j, enum resource_kind kind, const char *name,
		   const char *method, const char *path, const char *body_digest, long long *line,
		   struct err *err);

struct journal_result {
	bool created;           /* else failed */
	int http_status;        /* 0: none (no HTTP answer, or found by a lookup) */
	const char *id;         /* required when created */
	const char *error_code; /* Fivetran's code or ccapply's; may be NULL */
	bool recovered;
};

/* Append the outcome of the intent at intent_line, which must be the latest,
 * still open, intent for its resource. */
int journal_outcome(struct journal *j, long long intent_line, const struct journal_result *res,
		    struct err *err);

/* Replay: compare what the journal last says about each resource of st with
 * what st records, for every resource the journal mentions (*covered counts
 * them). Consistent means: a created record ↔ created with the same id,
 * recovered flag and sent_digest; a failed record ↔ failed with the same
 * HTTP status, code and sent_digest, or since decided without a request
 * (already_exists, skipped) or pending again; a request without an outcome ↔
 * pending (the apply that sent it stopped before recording anything) or
 * failed (it could not learn the outcome). A resource the state records as
 * created must be in the journal (every create is journalled before it is
 * sent): one that is not counts as covered and differing, so an emptied or
 * cut journal fails the replay.
 * Returns the number of resources that differ, each described in *why (one
 * per line: "KIND NAME: the journal (line N) says ..., the state says ..."). */
struct state;
size_t journal_compare_state(const struct journal *j, const struct state *st, size_t *covered,
			     struct buf *why);

#endif
