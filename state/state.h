/*
 * state.h — ccapply.lock, the state file: what apply did, per planned
 * resource, in a form an auditor can read and a later apply can trust.
 *
 * A lockfile in the Cargo.lock sense: JSON, keys and resources in a fixed
 * order, one entry per planned resource (plan order: connections, then
 * transformations) with its outcome, Fivetran id, source id, service, the
 * BLAKE2b-256 digest of exactly the request body sent, and the error if any;
 * plus the plan checksum, validation status, acknowledged codes, target
 * group, a random `lineage` fixed at first write, a `serial` bumped on every
 * change, and an integrity tag over the whole file: a plain BLAKE2b-256
 * `digest`, or, with CCAPPLY_STATE_KEY set, a keyed BLAKE2b-256 `mac`.
 * Never holds credentials or config values. Kinds and outcomes are the
 * enums of state/resource.h in the model, their names in the file.
 *
 * The key: state_load(), state_save() and state_render() read
 * CCAPPLY_STATE_KEY themselves (state_key_from_env()), so every command and
 * tool that touches the file applies one policy; the *_keyed variants take
 * the key explicitly (state sign, state verify, tests). Policy (see
 * docs/state-format.md, "Threat model"): with a key, only a file carrying a
 * valid MAC under that key loads; without one, only a file carrying a valid
 * plain digest. A MAC file without the key, a digest file with a key, or a
 * MAC under another key is refused, so apply never overwrites it.
 *
 * Invariants:
 *  - state_save() writes atomically (lib/fileio.h) and only when the content
 *    differs from what is on disk: an apply that changes nothing leaves the
 *    file byte-identical (same serial, same digest).
 *  - Saving is cheap when repeated: a struct state remembers what the file
 *    held when it last loaded or wrote it (struct state_saved: its bytes, a
 *    copy of its content, where each resource's text sits in the bytes). A
 *    save still reads the file, but parses it only when its bytes are not
 *    the remembered ones, checks and renders only the resources that differ
 *    from the copy, and copies the others' text: the bytes written are
 *    always exactly state_render()'s. Apply saves after every resource.
 *    Callers may change any field of st between saves (changes are found by
 *    comparing with the copy, not by being told).
 *  - Loading checks the version, every field's type and the file digest, and
 *    reports problems as "FILE: line L, column C: ..." or "FILE: ...".
 *
 * The apply lock (state_lock_*) is a separate file,
 * .copy-connections/ccapply.lock.lck, held with flock(2) for the whole apply
 * and carrying the holder's pid, host and start time: a second apply is
 * refused at once naming the holder; a lock left by a dead process is free
 * (the kernel drops flock on exit).
 *
 * Who may call: cmd/ and applier/; differ/ and live/ read the model (status's
 * drift and its reads), never the file. Ownership: state_free() frees a state and
 * everything in it; state_lock_release() frees the lock.
 */
#ifndef CCAPPLY_STATE_H
#define CCAPPLY_STATE_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/err.h"
#include "state/resource.h"

#define STATE_VERSION 1
#define STATE_FILE "ccapply.lock"
#define STATE_LOCK_FILE STATE_FILE ".lck" /* the apply lock, beside it */

struct state_error {
	int http_status;  /* 0 when no HTTP answer */
	char *code;       /* Fivetran code, or a ccapply code such as DEPENDENCY_FAILED */
	char *message;    /* redacted */
};

struct state_resource {
	enum resource_kind kind;
	char *name;        /* target_name or package_name */
	char *source_id;   /* source connection / source transformation id, or NULL */
	char *service;     /* connections; NULL for transformations */
	enum resource_outcome outcome;
	char *id;          /* Fivetran id, when known */
	char *reason;      /* skip / already-exists reason code, or NULL */
	char *sent_digest; /* "blake2b-256:<hex>" of the canonical JSON body sent, or NULL */
	bool recovered;    /* created by an earlier, interrupted apply and adopted */
	struct state_error error; /* all zero/NULL when none */
};

/* The MAC key: 64 bytes, BLAKE2b-512 of the CCAPPLY_STATE_KEY value. */
#define STATE_KEY_ENV "CCAPPLY_STATE_KEY"
#define STATE_KEY_LEN 64
struct state_key {
	unsigned char bytes[STATE_KEY_LEN];
};

/* What the file at a path held when this struct last loaded or wrote it;
 * private to state.c (freed by state_free()). */
struct state_saved;

struct state {
	char *lineage;           /* 32 hex chars, random, fixed at first write */
	long long serial;        /* bumped by state_save() when content changes */
	char *plan_checksum;
	char *validation_status; /* "pass" or "pass-with-warnings" */
	char **acknowledged;     /* codes acknowledged for this plan, sorted */
	size_t n_acknowledged;
	char *target_group_id;
	char *target_group_name;
	struct state_resource *resources;
	size_t n_resources;
	struct state_saved *saved; /* NULL until loaded from or saved to a file */
};

/* The key from CCAPPLY_STATE_KEY. Unset: *have = false (digest mode). Set:
 * BLAKE2b-512 of its bytes, *have = true. Set but empty is an error (a
 * missing CI secret must not silently mean "no key"). The value is never
 * copied into any message. */
int state_key_from_env(struct state_key *key, bool *have, struct err *err);
/* The same derivation from a given text (non-empty), e.g. another variable. */
void state_key_derive(const char *text, struct state_key *key);

/* Load DIR/.copy-connections/ccapply.lock. A missing file is not an error:
 * *out = NULL. A present but invalid file is (truncated, wrong types,
 * unknown version, digest mismatch, a plan_checksum of none of the forms a
 * validation report may use, or not byte for byte what state_render() makes
 * of its content); the message says what to do. */
int state_load(const char *path, struct state **out, struct err *err);
/* The same with the key given: NULL means digest mode. */
int state_load_keyed(const char *path, const struct state_key *key, struct state **out,
		     struct err *err);

/* The pieces of loading, for `state verify`, which reports them one by one.
 * state_check_tag() checks only the integrity tag that closes data (its last
 * two lines) against the bytes before it, without parsing JSON; on success
 * *mode is "digest" or "mac". state_parse() is the rest of the loader (JSON,
 * version, fields, layout), with the tag check skipped when check_tag is
 * false. Neither names a file: callers prefix the path. */
int state_check_tag(const char *data, size_t len, const struct state_key *key,
		    const char **mode, struct err *err);
int state_parse(const char *data, size_t len, const struct state_key *key, bool check_tag,
		struct state **out, struct err *err);

/* Write st to path atomically when its content (everything but serial and
 * the digest) differs from the file there now; then serial is bumped first,
 * to one more than the larger of the file's serial and st->serial (1 for a
 * new file). When nothing differs, st->serial becomes the file's and nothing
 * is written. A NULL lineage is taken from the file, or made randomly for a
 * new one. *written says whether it wrote.
 * Refuses (nothing written) a state the loader would reject: NULL
 * target_group_id, a plan_checksum NULL or of no accepted form
 * (lib/digest.h, digest_checksum_parse()), a validation_status other than
 * "pass" / "pass-with-warnings", a resource with a kind outside enum
 * resource_kind or without a name, an outcome outside the enum, http_status not 0
 * or 100..999, a sent_digest not "blake2b-256:<64 hex>", a kind+name twice.
 * Also refuses to replace a file that does not load (someone else wrote it).
 * Strings that are not UTF-8 are written with U+FFFD for each bad byte. */
int state_save(const char *path, struct state *st, bool *written, struct err *err);
int state_save_keyed(const char *path, const struct state_key *key, struct state *st,
		     bool *written, struct err *err);
/* state_save() writing with fileio_write_atomic_flags()'s flags (lib/fileio.h):
 * FILEIO_DEFER_DIR_SYNC for a run of saves whose caller fsyncs the
 * directory when the run ends (apply, which saves after every resource). */
int state_save_flags(const char *path, struct state *st, unsigned flags, bool *written,
		     struct err *err);

/* Rewrite the file at path under a new tag: load it with old_key (NULL:
 * digest mode), bump the serial and write it with new_key (NULL: digest
 * mode). For `ccapply state sign`; the caller holds the apply lock. */
int state_retag(const char *path, const struct state_key *old_key,
		const struct state_key *new_key, struct err *err);

/* The bytes state_save() would write (with st->serial as it is), for tests
 * and `state show`; the tag as CCAPPLY_STATE_KEY says (a digest when it is
 * unset or unusable). Caller frees. */
char *state_render(const struct state *st);
char *state_render_keyed(const struct state *st, const struct state_key *key);

/* The one writer of a resource entry and of its error, shared by the file
 * (state_render()) and every output that shows them as the file holds them:
 * `state show --json` prints the entry, apply's --json events the error.
 * Each writes one JSON value where w expects one (at the top level, after
 * jw_key(), or in an array), in w's layout, pretty or compact. Strings are
 * written as in the file: NULL as null, each byte that does not begin a
 * well-formed UTF-8 sequence as U+FFFD, so the output is always valid JSON.
 *
 * state_write_resource_json(): the object with members kind, name,
 * source_id, service, outcome, id, recovered, reason, sent_digest, error, in
 * that order (docs/state-format.md).
 * state_write_error_json(): null when e holds no error (http_status 0, code
 * and message NULL); else {"http_status", "code", "message"}, http_status a
 * number, or null when it is 0 (there was no HTTP answer).
 * Who may call: anyone holding a writer (lib/json.h); nothing is kept. */
struct json_writer;
void state_write_resource_json(struct json_writer *w, const struct state_resource *r);
void state_write_error_json(struct json_writer *w, const struct state_error *e);

void state_free(struct state *st);

struct state_resource *state_find(struct state *st, enum resource_kind kind, const char *name);
/* Does the record say Fivetran holds r: created or already_exists, with its
 * id? (What status checks, and what a transformation's dependencies must be.) */
bool state_resource_exists(const struct state_resource *r);
/* Does st record a resource of this kind that exists (as above)? */
bool state_records_existing(const struct state *st, enum resource_kind kind);
/* The Fivetran ids st records for the dependency connections of package pkg
 * of plan, in depends_on order: the connection_ids of the transformation
 * apply sends. NULL when one of them is not a connection of plan that st
 * records as existing. A NULL-terminated array of borrowed strings (they
 * point into st); the caller frees the array. Used by apply (to create) and
 * by status's drift (to compare). */
struct plan;
struct plan_package;
char **state_dependency_ids(const struct state *st, const struct plan *plan,
			    const struct plan_package *pkg);
/* Append a resource (fields copied); returns the new entry, valid until the
 * next state_add(). */
struct state_resource *state_add(struct state *st, const struct state_resource *r);
void state_resource_clear(struct state_resource *r);

/* Accepted skips (docs/ccapply.1, ACKNOWLEDGMENTS): the acknowledged code
 * that accepts a skip with this reason of the resource called name — the
 * reason itself, or "REASON:NAME" — or NULL. state_skip_accepted() asks it
 * of a skipped entry with the state's validation.acknowledged (NULL for any
 * other outcome). Such a skip stays a skip; it only no longer makes apply
 * incomplete. */
const char *state_ack_accepting(char *const *acknowledged, size_t n, const char *reason,
				const char *name);
const char *state_skip_accepted(const struct state *st, const struct state_resource *r);

/* The apply lock. Release unlinks the lock file (only if the path still
 * names the file it locked) and then drops the lock. */
struct state_lock;
/* Take the lock file at path (DIR/ccapply.lock.lck, DIR the
 * .copy-connections directory). When another live process holds it, fail at
 * once with "another ccapply apply is running in DIR (pid P on HOST since
 * TIME); wait for it to finish or stop it". */
int state_lock_acquire(const char *path, struct state_lock **out, struct err *err);
void state_lock_release(struct state_lock *lock);

#endif
