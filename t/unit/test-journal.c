/*
 * test-journal.c — the journal (state/journal.h) and the state file's keyed
 * MAC and save cache (state/state.h), below the command line:
 *  - journal: an empty journal, intents and outcomes indexed per resource,
 *    reopening reads back the same index, every rule an outcome must follow,
 *    appends refused when the file changed behind the journal's back, and
 *    damage reported with its line number;
 *  - replay: journal_compare_state() for each journal status and outcome;
 *  - MAC: keyed save and load, the key policy both ways, key derivation;
 *  - save cache: repeated saves compare against memory, yet a file changed
 *    behind the struct's back is loaded again (and refused when damaged).
 *
 * Files live in a fresh directory under $TMPDIR (or /tmp), removed at the end.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/buf.h"
#include "lib/digest.h"
#include "state/journal.h"
#include "state/state.h"
#include "t/unit/tap.h"

#define DIGEST_A "blake2b-256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define DIGEST_B "blake2b-256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"

static bool contains(const char *s, const char *part)
{
	return s && strstr(s, part);
}

/* ------------------------------------------------------------ journal */

static void test_empty_and_append(void)
{
	char *path = tap_scratch_path(JOURNAL_FILE);
	struct journal *j = NULL, *again = NULL;
	const struct journal_entry *e;
	struct journal_result created = { .created = true, .http_status = 201, .id = "conn_1" };
	struct journal_result failed = { .http_status = 400, .error_code = "InvalidInput" };
	struct err err;
	long long line = 0, line2 = 0;

	ok(journal_open(path, &j, &err) == 0 && j, "a missing journal opens empty");
	ok(!journal_exists(j) && journal_lines(j) == 0, "with no lines, and no file made");
	ok(access(path, F_OK) != 0, "opening creates nothing");
	ok(journal_find(j, RESOURCE_CONNECTION, "pg") == NULL, "and knows no resource");

	ok(journal_intent(j, RESOURCE_CONNECTION, "pg", "POST", "/v1/connections", DIGEST_A, &line,
			  &err) == 0 && line == 1, "an intent is line 1");
	e = journal_find(j, RESOURCE_CONNECTION, "pg");
	ok(e && e->status == JOURNAL_IN_FLIGHT && e->intent_line == 1 &&
	   !strcmp(e->body_digest, DIGEST_A), "in flight until its outcome");
	ok(journal_outcome(j, 1, &created, &err) == 0, "its outcome is written");
	e = journal_find(j, RESOURCE_CONNECTION, "pg");
	ok(e && e->status == JOURNAL_CREATED && e->outcome_line == 2 && e->http_status == 201 &&
	   !strcmp(e->id, "conn_1"), "and the resource is created, id conn_1");

	ok(journal_outcome(j, 1, &created, &err) == -1 &&
	   contains(err.msg, "no open request at line 1"), "a second outcome is refused: %s",
	   err.msg);
	ok(journal_intent(j, RESOURCE_TRANSFORMATION, "stripe", "POST", "/v1/transformations",
			  DIGEST_B, &line2, &err) == 0 && line2 == 3, "another intent is line 3");
	ok(journal_outcome(j, 3, &failed, &err) == 0, "a failed outcome is written");
	ok(journal_intent(j, RESOURCE_CONNECTION, "bad", "POST", "/v1/connections", "sha1:00", &line,
			  &err) == -1 && contains(err.msg, "malformed intent"),
	   "a malformed intent is refused before writing: %s", err.msg);
	ok(journal_lines(j) == 4, "four lines written");

	ok(journal_open(path, &again, &err) == 0 && again, "the journal reads back%s%s",
	   again ? "" : ": ", again ? "" : err.msg);
	if (again) {
		e = journal_find(again, RESOURCE_TRANSFORMATION, "stripe");
		ok(journal_lines(again) == 4 && e && e->status == JOURNAL_FAILED &&
		   e->http_status == 400 && !strcmp(e->error_code, "InvalidInput") && !e->id,
		   "with the same index");
		e = journal_find(again, RESOURCE_CONNECTION, "pg");
		ok(e && e->status == JOURNAL_CREATED && !strcmp(e->id, "conn_1"),
		   "for every resource");
		ok(journal_intent(again, RESOURCE_CONNECTION, "pg", "POST", "/v1/connections", DIGEST_B,
				  &line, &err) == 0 && line == 5,
		   "and can go on appending at line 5");
		e = journal_find(again, RESOURCE_CONNECTION, "pg");
		ok(e && e->status == JOURNAL_IN_FLIGHT && !e->id &&
		   !strcmp(e->body_digest, DIGEST_B),
		   "a new intent supersedes the earlier outcome");
	}
	ok(journal_intent(j, RESOURCE_CONNECTION, "x", "POST", "/v1/connections", DIGEST_A, &line,
			  &err) == -1 && contains(err.msg, "changed while apply was running"),
	   "a journal appended to behind this one's back refuses to append: %s", err.msg);
	journal_free(again);
	journal_free(j);
	unlink(path);
	free(path);
}

static void expect_damage(const char *text, const char *what, const char *want)
{
	char *path = tap_scratch_path(JOURNAL_FILE);
	struct journal *j = NULL;
	struct err err;

	tap_write_file(path, text, strlen(text));
	ok(journal_open(path, &j, &err) == -1 && !j && contains(err.msg, path) &&
	   contains(err.msg, want), "%s: %s", what, err.msg);
	journal_free(j);
	unlink(path);
	free(path);
}

/* A journal of one connection created, as text. */
static char *sample_journal(void)
{
	char *path = tap_scratch_path(JOURNAL_FILE), *text;
	struct journal *j = NULL;
	struct journal_result created = { .created = true, .http_status = 201, .id = "conn_1" };
	struct err err;
	long long line;

	unlink(path);
	if (journal_open(path, &j, &err) ||
	    journal_intent(j, RESOURCE_CONNECTION, "pg", "POST", "/v1/connections", DIGEST_A, &line,
			   &err) ||
	    journal_outcome(j, line, &created, &err)) {
		fprintf(stderr, "test-journal: %s\n", err.msg);
		exit(2);
	}
	journal_free(j);
	text = tap_read_file(path);
	unlink(path);
	free(path);
	return text;
}

static char *replaced(const char *text, const char *from, const char *to)
{
	const char *at = strstr(text, from);
	struct buf b = BUF_INIT;

	if (!at) {
		fprintf(stderr, "test-journal: '%s' not in the journal\n", from);
		exit(2);
	}
	buf_append(&b, text, (size_t)(at - text));
	buf_puts(&b, to);
	buf_puts(&b, at + strlen(from));
	return buf_detach(&b);
}

/* One edit of the sample journal (its first `from` becomes `to`, in turn
 * for each pair) and the error it must give. An edit of line 2, the last,
 * leaves the chain intact, so what is checked is the line itself. */
struct damage {
	const char *what, *want;
	const char *edits[2][2];
};

static const struct damage damages[] = {
	{ "a changed byte in line 1", "line 2: \"prev\" is not the BLAKE2b-256 of line 1",
	  { { "\"name\":\"pg\"", "\"name\":\"pq\"" } } },
	{ "a space the writer never writes", "line 1: ",
	  { { "{\"seq\":1,", "{\"seq\": 1," } } },
	{ "an unknown type (chain intact: last line)",
	  "line 2: type must be \"intent\" or \"outcome\"",
	  { { "\"type\":\"outcome\"", "\"type\":\"verdict\"" } } },
	{ "an unknown kind (chain intact: last line)",
	  "line 2: kind must be \"connection\" or \"transformation\"",
	  { { "\"intent\":1,\"kind\":\"connection\"", "\"intent\":1,\"kind\":\"table\"" } } },
	{ "an unknown kind in a line not laid out as written: the layout first",
	  "line 2: not laid out exactly as ccapply writes it",
	  { { "\"intent\":1,\"kind\":\"connection\"", "\"intent\":1,\"kind\":\"table\"" },
	    { "{\"seq\":2,", "{\"seq\": 2," } } },
	{ "an outcome the journal never records", "line 2: result must be \"created\" or \"failed\"",
	  { { "\"result\":\"created\"", "\"result\":\"pending\"" } } },
	{ "a result in another case", "line 2: result must be \"created\" or \"failed\"",
	  { { "\"result\":\"created\"", "\"result\":\"Created\"" } } },
	{ "an outcome for no open request",
	  "line 2: an outcome for line 7, which is not the open request",
	  { { "\"intent\":1", "\"intent\":7" } } },
	{ "an extra member", "line 2: not laid out exactly as ccapply writes it",
	  { { "\"result\":\"created\"", "\"result\":\"created\",\"x\":1" } } },
};

static void test_damage(void)
{
	char *good = sample_journal(), *bad;
	const char *second = strchr(good, '\n') + 1;
	size_t i, k;

	for (i = 0; i < sizeof damages / sizeof damages[0]; i++) {
		bad = xstrdup(good);
		for (k = 0; k < 2 && damages[i].edits[k][0]; k++) {
			char *next = replaced(bad, damages[i].edits[k][0], damages[i].edits[k][1]);
			free(bad);
			bad = next;
		}
		expect_damage(bad, damages[i].what, damages[i].want);
		free(bad);
	}
	expect_damage(second, "line 1 removed", "line 1: \"prev\" is not " JOURNAL_GENESIS);
	bad = xstrndup(good, strlen(good) - 1);
	expect_damage(bad, "the newline of the last line missing",
		      "line 2 is cut short (no newline at its end)");
	free(bad);
	expect_damage("not json\n", "not JSON at all", "line 1: not valid JSON");
	free(good);
}

/* ------------------------------------------------------------- replay */

static struct state *one_resource_state(enum resource_outcome o, const char *id, bool recovered,
					const char *digest)
{
	struct state *st = xcalloc(1, sizeof *st);
	struct state_resource r;

	memset(&r, 0, sizeof r);
	r.kind = RESOURCE_CONNECTION;
	r.name = "pg";
	r.outcome = o;
	r.id = (char *)id;
	r.recovered = recovered;
	r.sent_digest = (char *)digest;
	state_add(st, &r);
	return st;
}

static size_t compare(struct journal *j, struct state *st, struct buf *why)
{
	size_t covered, n;

	buf_reset(why);
	n = journal_compare_state(j, st, &covered, why);
	state_free(st);
	return n;
}

static void test_replay(void)
{
	struct journal *j = NULL;
	struct journal_result created = { .created = true, .http_status = 201, .id = "conn_1" };
	struct buf why = BUF_INIT;
	struct err err;
	long long line;
	size_t n;
	char *path = tap_scratch_path(JOURNAL_FILE);

	unlink(path);
	if (journal_open(path, &j, &err) ||
	    journal_intent(j, RESOURCE_CONNECTION, "pg", "POST", "/v1/connections", DIGEST_A, &line,
			   &err)) {
		fprintf(stderr, "test-journal: %s\n", err.msg);
		exit(2);
	}
	/* compare() first, then ok(): why.data moves as compare() appends. */
	n = compare(j, one_resource_state(OUTCOME_PENDING, NULL, false, DIGEST_A), &why);
	ok(n == 0, "in flight ↔ pending agrees");
	n = compare(j, one_resource_state(OUTCOME_FAILED, NULL, false, DIGEST_A), &why);
	ok(n == 0, "in flight ↔ failed (the outcome could not be learnt) agrees");
	n = compare(j, one_resource_state(OUTCOME_ALREADY_EXISTS, "conn_1", false, NULL), &why);
	ok(n == 1 && contains(why.data, "a create request with no outcome (line 1)"),
	   "in flight ↔ already_exists differs: %s", why.data);
	journal_outcome(j, line, &created, &err);
	n = compare(j, one_resource_state(OUTCOME_CREATED, "conn_1", false, DIGEST_A), &why);
	ok(n == 0, "created ↔ created, same id and digest, agrees");
	n = compare(j, one_resource_state(OUTCOME_CREATED, "conn_2", false, DIGEST_A), &why);
	ok(n == 1, "another id differs: %s", why.data);
	n = compare(j, one_resource_state(OUTCOME_CREATED, "conn_1", true, DIGEST_A), &why);
	ok(n == 1, "another recovered flag differs");
	n = compare(j, one_resource_state(OUTCOME_CREATED, "conn_1", false, DIGEST_B), &why);
	ok(n == 1 && contains(why.data, "a different sent_digest"),
	   "another sent_digest differs: %s", why.data);
	n = compare(j, one_resource_state(OUTCOME_ALREADY_EXISTS, "conn_1", false, NULL), &why);
	ok(n == 1 && contains(why.data, "connection pg: the journal says created, id conn_1, "
			      "HTTP 201 (line 2), the state says already_exists, id conn_1"),
	   "created ↔ already_exists differs: %s", why.data);
	journal_free(j);
	unlink(path);
	free(path);
	buf_free(&why);
}

/* ------------------------------------------------------- MAC and cache */

static struct state *sample_state(void)
{
	struct state *st = xcalloc(1, sizeof *st);
	struct state_resource r;

	st->plan_checksum = xstrdup(DIGEST_A);
	st->validation_status = xstrdup("pass");
	st->target_group_id = xstrdup("grp_1");
	memset(&r, 0, sizeof r);
	r.kind = RESOURCE_CONNECTION;
	r.name = "pg";
	r.outcome = OUTCOME_CREATED;
	r.id = "conn_1";
	state_add(st, &r);
	r.name = "sf";
	r.outcome = OUTCOME_PENDING;
	r.id = NULL;
	state_add(st, &r);
	return st;
}

static void test_mac(void)
{
	char *path = tap_scratch_path("mac.lock"), *text;
	struct state_key key, other;
	struct state *st = sample_state(), *back = NULL;
	struct err err;
	bool written;

	state_key_derive("secret", &key);
	state_key_derive("secreT", &other);
	ok(memcmp(key.bytes, other.bytes, STATE_KEY_LEN), "different texts, different keys");
	ok(state_save_keyed(path, &key, st, &written, &err) == 0 && written, "a keyed save");
	text = tap_read_file(path);
	ok(contains(text, "\n  \"mac\": \"blake2b-256-keyed:") && !contains(text, "\"digest\""),
	   "ends with a mac member, no digest");
	ok(!contains(text, "secret"), "and does not hold the key");
	ok(state_load_keyed(path, &key, &back, &err) == 0 && back, "loads with the key");
	state_free(back);
	back = NULL;
	ok(state_load_keyed(path, &other, &back, &err) == -1 && contains(err.msg, "MAC mismatch"),
	   "not with another key: %s", err.msg);
	ok(state_load_keyed(path, NULL, &back, &err) == -1 &&
	   contains(err.msg, "CCAPPLY_STATE_KEY is not set"), "nor without one: %s", err.msg);
	ok(state_save_keyed(path, NULL, st, &written, &err) == -1 && !written,
	   "an unkeyed save refuses to replace it");
	ok(state_retag(path, &key, NULL, &err) == 0, "retag to a plain digest");
	ok(state_load_keyed(path, NULL, &back, &err) == 0 && back && back->serial == 2,
	   "which loads without a key, serial bumped");
	state_free(back);
	back = NULL;
	ok(state_load_keyed(path, &key, &back, &err) == -1 &&
	   contains(err.msg, "unauthenticated"), "and is refused with one: %s", err.msg);
	free(text);
	state_free(st);
	unlink(path);
	free(path);
}

static void test_save_cache(void)
{
	char *path = tap_scratch_path("cache.lock"), *text, *edited;
	struct state *st = sample_state(), *other = sample_state();
	struct err err;
	bool written;
	char *at;

	ok(state_save_keyed(path, NULL, st, &written, &err) == 0 && written && st->serial == 1,
	   "first save");
	ok(state_save_keyed(path, NULL, st, &written, &err) == 0 && !written,
	   "no change: no write");
	/* Another writer (same content but one outcome) replaces the file. */
	other->resources[1].outcome = OUTCOME_FAILED;
	other->serial = 41;
	ok(state_save_keyed(path, NULL, other, &written, &err) == 0 && written &&
	   other->serial == 42, "another struct writes serial 42");
	ok(state_save_keyed(path, NULL, st, &written, &err) == 0 && written && st->serial == 43,
	   "the first struct notices the new file: its save is a change, serial 43");
	text = tap_read_file(path);
	ok(contains(text, "\"serial\": 43,") && contains(text, "\"pending\""),
	   "written with the spliced serial");
	/* An edit behind its back, same size and inode, is still noticed. */
	at = strstr(text, "\"conn_1\"");
	edited = xstrdup(text);
	edited[at - text + 6] = '9'; /* "conn_1" → "conn_9" */
	tap_write_file(path, edited, strlen(edited));
	st->resources[1].outcome = OUTCOME_SKIPPED;
	ok(state_save_keyed(path, NULL, st, &written, &err) == -1 && !written &&
	   contains(err.msg, "digest mismatch"), "a file edited behind its back is refused: %s",
	   err.msg);
	free(edited);
	free(text);
	text = tap_read_file(path);
	ok(contains(text, "conn_9"), "and left as it was");
	free(text);
	/* Acknowledgments in another order render the same: no write. */
	unlink(path);
	state_free(other);
	other = sample_state();
	other->acknowledged = xcalloc(2, sizeof *other->acknowledged);
	other->acknowledged[0] = xstrdup("B");
	other->acknowledged[1] = xstrdup("A");
	other->n_acknowledged = 2;
	ok(state_save_keyed(path, NULL, other, &written, &err) == 0 && written, "save with B, A");
	free(other->acknowledged[0]);
	free(other->acknowledged[1]);
	other->acknowledged[0] = xstrdup("A");
	other->acknowledged[1] = xstrdup("B");
	ok(state_save_keyed(path, NULL, other, &written, &err) == 0 && !written,
	   "A, B renders the same: no write");
	unlink(path);
	state_free(other);
	state_free(st);
	free(path);
}

int main(void)
{
	unsetenv(STATE_KEY_ENV);
	tap_scratch_dir();
	test_empty_and_append();
	test_damage();
	test_replay();
	test_mac();
	test_save_cache();
	tap_scratch_done();
	return done_testing();
}
