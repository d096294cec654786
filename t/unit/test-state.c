/*
 * test-state.c — the state file and the apply lock (state/state.h, SPEC §4):
 * the exact rendering, load/render round trips, save only on change (byte-
 * identical file, same serial), serial and lineage rules, every class of bad
 * file the loader must refuse with a clear message, and the lock across
 * processes (held, refused naming the holder, freed by SIGKILL, removed on
 * release).
 *
 * Files live in a fresh directory under $TMPDIR (or /tmp), removed at the
 * end. Bad files that get past the digest are made the way a forger would:
 * edit, then recompute the digest over every line but the last two.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/buf.h"
#include "lib/digest.h"
#include "state/state.h"
#include "t/unit/tap.h"

/* ------------------------------------------------------------ helpers */

static ino_t inode_of(const char *path)
{
	struct stat sb;

	return stat(path, &sb) ? 0 : sb.st_ino;
}

/* text with the first `from` replaced by `to` (the test aborts if absent). */
static char *replace(const char *text, const char *from, const char *to)
{
	const char *at = strstr(text, from);
	struct buf b = BUF_INIT;

	if (!at) {
		fprintf(stderr, "test-state: '%s' not in the document\n", from);
		exit(2);
	}
	buf_append(&b, text, (size_t)(at - text));
	buf_puts(&b, to);
	buf_puts(&b, at + strlen(from));
	return buf_detach(&b);
}

/* Recompute the digest line as an outsider would: BLAKE2b-256 of every
 * line but the last two (`head -n -2 | b2sum -l 256`). */
static char *forge_digest(const char *text)
{
	const char *line = strstr(text, "  \"digest\": \"");
	struct buf b = BUF_INIT;
	char hex[65];

	if (!line) {
		fprintf(stderr, "test-state: no digest line\n");
		exit(2);
	}
	digest_blake2b_256_hex(text, (size_t)(line - text), hex);
	buf_append(&b, text, (size_t)(line - text));
	buf_printf(&b, "  \"digest\": \"blake2b-256:%s\"\n}\n", hex);
	return buf_detach(&b);
}

/* Load text from a file; returns state_load's status, message in err. */
static int load_from_text(const char *text, size_t len, struct state **out, struct err *err)
{
	char *path = tap_scratch_path("loaded.lock");
	int rc;

	tap_write_file(path, text, len);
	err_clear(err);
	rc = state_load(path, out, err);
	free(path);
	return rc;
}

static bool contains(const char *haystack, const char *needle)
{
	return strstr(haystack, needle) != NULL;
}

/* ---------------------------------------------------------- the sample */

static const char sample_lineage[] = "0123456789abcdef0123456789abcdef";

static struct state *sample_state(void)
{
	static const char *const acks[] = { "B_CODE", "A_CODE", "B_CODE" };
	struct state *st = xcalloc(1, sizeof *st);
	struct state_resource r;
	size_t i;

	st->lineage = xstrdup(sample_lineage);
	st->serial = 3;
	st->plan_checksum = xstrdup("sha256:"
		"00000000000000000000000000000000000000000000000000000000000000ff");
	st->validation_status = xstrdup("pass-with-warnings");
	st->acknowledged = xcalloc(3, sizeof *st->acknowledged);
	for (i = 0; i < 3; i++)
		st->acknowledged[st->n_acknowledged++] = xstrdup(acks[i]);
	st->target_group_id = xstrdup("grp_1");
	st->target_group_name = xstrdup("Prod");

	memset(&r, 0, sizeof r);
	r.kind = RESOURCE_CONNECTION;
	r.name = "postgres_app";
	r.source_id = "src_1";
	r.service = "postgres";
	r.outcome = OUTCOME_CREATED;
	r.id = "conn_9";
	r.recovered = true;
	r.sent_digest = "blake2b-256:"
		"1111111111111111111111111111111111111111111111111111111111111111";
	state_add(st, &r);

	memset(&r, 0, sizeof r);
	r.kind = RESOURCE_TRANSFORMATION;
	r.name = "stripe";
	r.outcome = OUTCOME_FAILED;
	r.error.code = "DEPENDENCY_FAILED";
	r.error.message = "said \"no\"\n";
	state_add(st, &r);
	return st;
}

static const char sample_text[] =
	"{\n"
	"  \"version\": 1,\n"
	"  \"lineage\": \"0123456789abcdef0123456789abcdef\",\n"
	"  \"serial\": 3,\n"
	"  \"plan_checksum\": \"sha256:"
	"00000000000000000000000000000000000000000000000000000000000000ff\",\n"
	"  \"validation\": {\n"
	"    \"status\": \"pass-with-warnings\",\n"
	"    \"acknowledged\": [\n"
	"      \"A_CODE\",\n"
	"      \"B_CODE\"\n"
	"    ]\n"
	"  },\n"
	"  \"target\": {\n"
	"    \"group_id\": \"grp_1\",\n"
	"    \"group_name\": \"Prod\"\n"
	"  },\n"
	"  \"resources\": [\n"
	"    {\n"
	"      \"kind\": \"connection\",\n"
	"      \"name\": \"postgres_app\",\n"
	"      \"source_id\": \"src_1\",\n"
	"      \"service\": \"postgres\",\n"
	"      \"outcome\": \"created\",\n"
	"      \"id\": \"conn_9\",\n"
	"      \"recovered\": true,\n"
	"      \"reason\": null,\n"
	"      \"sent_digest\": \"blake2b-256:"
	"1111111111111111111111111111111111111111111111111111111111111111\",\n"
	"      \"error\": null\n"
	"    },\n"
	"    {\n"
	"      \"kind\": \"transformation\",\n"
	"      \"name\": \"stripe\",\n"
	"      \"source_id\": null,\n"
	"      \"service\": null,\n"
	"      \"outcome\": \"failed\",\n"
	"      \"id\": null,\n"
	"      \"recovered\": false,\n"
	"      \"reason\": null,\n"
	"      \"sent_digest\": null,\n"
	"      \"error\": {\n"
	"        \"http_status\": null,\n"
	"        \"code\": \"DEPENDENCY_FAILED\",\n"
	"        \"message\": \"said \\\"no\\\"\\n\"\n"
	"      }\n"
	"    }\n"
	"  ],\n"
	"  \"digest\": \"blake2b-256:"
	"a9df1e9fd998e657d87ee55abf61f9fa8103661c32ea97d5371d75ba15b378fc\"\n"
	"}\n";

/* ------------------------------------------------------------- tests */

static void test_render(void)
{
	struct state *st = sample_state();
	char *got = state_render(st), *want = forge_digest(sample_text);
	const char *line = strstr(got, "  \"digest\": ");
	char hex[65], expect_line[128];

	is_str(got, sample_text, "render: fixed key order, every key, nulls, sorted unique acks, "
	       "2-space pretty JSON, trailing newline, digest last");
	is_str(want, sample_text, "the expected digest agrees with libb2 over all but 2 lines");
	ok(line != NULL, "render: a digest line");
	if (line) {
		digest_blake2b_256_hex(got, (size_t)(line - got), hex);
		snprintf(expect_line, sizeof expect_line,
			 "  \"digest\": \"blake2b-256:%s\"\n}\n", hex);
		is_str(line, expect_line, "render: digest = BLAKE2b-256 of every line but the "
		       "last two, and it closes the file");
	}
	free(got);
	free(want);
	state_free(st);
}

static void test_round_trip(void)
{
	struct state *st = sample_state(), *back = NULL;
	char *text = state_render(st), *again;
	struct err err;
	struct state_resource *r;
	int rc = load_from_text(text, strlen(text), &back, &err);

	ok(rc == 0 && back, "load(render) succeeds%s%s", back ? "" : ": ", back ? "" : err.msg);
	if (!back) {
		free(text);
		state_free(st);
		return;
	}
	again = state_render(back);
	is_str(again, text, "render(load(render)) is the same bytes");
	is_str(back->lineage, sample_lineage, "lineage read back");
	is_int(back->serial, 3, "serial read back");
	is_int((long long)back->n_acknowledged, 2, "acknowledged read back, without repeats");
	r = state_find(back, RESOURCE_TRANSFORMATION, "stripe");
	ok(r && r->outcome == OUTCOME_FAILED && r->error.http_status == 0 &&
	   !strcmp(r->error.message, "said \"no\"\n") && !r->source_id && !r->id,
	   "failed transformation read back with its error and nulls");
	r = state_find(back, RESOURCE_CONNECTION, "postgres_app");
	ok(r && r->recovered && r->outcome == OUTCOME_CREATED && !strcmp(r->id, "conn_9"),
	   "created, recovered connection read back");
	ok(state_find(back, RESOURCE_CONNECTION, "stripe") == NULL,
	   "state_find matches kind and name");
	free(again);
	free(text);
	state_free(back);
	state_free(st);
}

static void test_save(void)
{
	char *path = tap_scratch_path("save.lock");
	struct state *st = sample_state(), *again = sample_state();
	char *first, *second;
	char lineage[40];
	struct err err;
	bool written = false;
	ino_t ino;

	free(st->lineage);
	st->lineage = NULL;
	st->serial = 0;
	ok(state_save(path, st, &written, &err) == 0 && written, "first save writes");
	is_int(st->serial, 1, "a new file starts at serial 1");
	ok(st->lineage && strlen(st->lineage) == 32 &&
	   strspn(st->lineage, "0123456789abcdef") == 32,
	   "a new file gets a random 32-hex lineage");
	snprintf(lineage, sizeof lineage, "%s", st->lineage ? st->lineage : "");
	first = tap_read_file(path);
	ino = inode_of(path);

	ok(state_save(path, st, &written, &err) == 0 && !written, "saving the same state again "
	   "does not write");
	second = tap_read_file(path);
	is_str(second, first, "the file is byte-identical after a no-op save");
	ok(inode_of(path) == ino, "the file was not even replaced");
	is_int(st->serial, 1, "serial unchanged by a no-op save");
	free(second);

	/* A fresh struct with no lineage and a stale serial: same content. */
	free(again->lineage);
	again->lineage = NULL;
	again->serial = 0;
	ok(state_save(path, again, &written, &err) == 0 && !written, "an equal state built "
	   "afresh does not write either");
	is_str(again->lineage, lineage, "it adopts the file's lineage");
	is_int(again->serial, 1, "and the file's serial");

	st->resources[0].outcome = OUTCOME_ALREADY_EXISTS;
	ok(state_save(path, st, &written, &err) == 0 && written, "a changed outcome is written");
	is_int(st->serial, 2, "serial bumped by one");
	is_str(st->lineage, lineage, "lineage kept");
	second = tap_read_file(path);
	ok(contains(second, "\"serial\": 2,") && contains(second, "\"already_exists\""),
	   "the file has the new serial and outcome");
	ok(state_save(path, st, &written, &err) == 0 && !written && st->serial == 2,
	   "and saving it again is a no-op");
	free(second);
	free(first);
	state_free(again);
	state_free(st);
	free(path);
}

static void test_save_refusals(void)
{
	char *path = tap_scratch_path("refuse.lock"), *text, *after;
	struct state *st = sample_state();
	struct state_resource r = { 0 };
	struct err err;
	bool written = true;

	tap_write_file(path, "{\"version\": 1", 13);
	ok(state_save(path, st, &written, &err) == -1 && !written,
	   "save refuses to overwrite a file it cannot load");
	ok(contains(err.msg, path) && contains(err.msg, "truncated"), "and says why: %s", err.msg);
	after = tap_read_file(path);
	is_str(after, "{\"version\": 1", "the bad file is left as it was");
	free(after);

	st->resources[1].outcome = (enum resource_outcome)42;
	ok(state_save(path, st, &written, &err) == -1 && contains(err.msg, "invalid outcome"),
	   "save refuses a state the loader would reject: %s", err.msg);
	st->resources[1].outcome = OUTCOME_FAILED;
	st->resources[1].kind = (enum resource_kind)7;
	ok(state_save(path, st, &written, &err) == -1 &&
	   contains(err.msg, "resources[1]: kind must be \"connection\" or \"transformation\""),
	   "save refuses a kind outside the enum: %s", err.msg);
	free(st->resources[1].name);
	st->resources[1].name = xstrdup("postgres_app");
	st->resources[1].kind = RESOURCE_CONNECTION;
	ok(state_save(path, st, &written, &err) == -1 && contains(err.msg, "listed twice"),
	   "save refuses two entries for one resource: %s", err.msg);

	state_free(st);
	st = sample_state();
	r.kind = RESOURCE_TRANSFORMATION;
	r.name = "other";
	state_add(st, &r);
	r.kind = RESOURCE_CONNECTION;
	r.name = "postgres_app";
	state_add(st, &r);
	ok(state_save(path, st, &written, &err) == -1 &&
	   contains(err.msg, "resources[3]: connection \"postgres_app\" is listed twice"),
	   "a repeat far from the first is found too: %s", err.msg);

	unlink(path);
	state_free(st);
	st = sample_state();
	st->serial = 7;
	ok(state_save(path, st, &written, &err) == 0 && st->serial == 8,
	   "serial never goes backwards for a struct that is ahead of the file");
	text = tap_read_file(path);
	ok(contains(text, sample_lineage), "a caller-set lineage is kept");
	free(text);
	state_free(st);
	free(path);
}

/* Text from outside that is not UTF-8 must not make an unreadable file. */
static void test_invalid_utf8(void)
{
	char *path = tap_scratch_path("utf8.lock"), *text;
	struct state *st = sample_state(), *back = NULL;
	struct err err;
	bool written;
	long long serial;
	int rc;

	free(st->resources[1].error.message);
	st->resources[1].error.message = xstrdup("caf\xc3\xa9 \xff cut \xe2\x82");
	rc = state_save(path, st, &written, &err);
	ok(rc == 0 && written, "a message with invalid UTF-8 is saved%s%s", rc ? ": " : "",
	   rc ? err.msg : "");
	text = tap_read_file(path);
	ok(contains(text, "\"caf\xc3\xa9 \xef\xbf\xbd cut \xef\xbf\xbd\xef\xbf\xbd\""),
	   "each bad byte is written as U+FFFD, good UTF-8 kept");
	rc = state_load(path, &back, &err);
	ok(rc == 0 && back, "and the file loads back%s%s", rc ? ": " : "", rc ? err.msg : "");
	serial = st->serial;
	ok(state_save(path, st, &written, &err) == 0 && !written && st->serial == serial,
	   "saving the same state again is still a no-op");
	unlink(path);
	free(text);
	state_free(back);
	state_free(st);
	free(path);
}

static void test_missing_and_not_regular(void)
{
	char *path = tap_scratch_path("no-such.lock");
	struct state *st = (struct state *)1;
	struct err err;

	ok(state_load(path, &st, &err) == 0 && st == NULL, "a missing file loads as NULL");
	free(path);
	st = NULL;
	ok(state_load(tap_scratch_dir(), &st, &err) == -1 && contains(err.msg, "not a regular file"),
	   "a directory is refused: %s", err.msg);
}

struct bad_case {
	const char *from, *to;
	bool forge; /* recompute the digest after the edit */
	const char *expect[3];
	const char *what;
};

static const struct bad_case bad_cases[] = {
	{ "\"name\": \"postgres_app\"", "\"name\": \"postgres_apq\"", false,
	  { "digest mismatch: the file was modified outside ccapply", "restore it",
	    "re-run `ccapply apply`" }, "one byte of a value flipped" },
	{ "\"version\": 1,", "\"version\": 2,", false,
	  { "unsupported state version 2 (this ccapply reads 1)" }, "unknown version" },
	{ "\"version\": 1,", "\"version\": \"1\",", false,
	  { "loaded.lock:2:14: version: expected a number, found a string" }, "version type" },
	{ "\"serial\": 3,", "\"serial\": \"3\",", true,
	  { "loaded.lock:4:13: serial: expected a number, found a string" }, "serial type" },
	{ "\"serial\": 3,", "\"serial\": 0,", true,
	  { "serial: expected a whole number of at least 1" }, "serial zero" },
	{ "\"serial\": 3,", "\"serial\": 3.5,", true, { "found 3.5" }, "fractional serial" },
	{ "\"serial\": 3,", "\"serial\": 99999999999999999999999,", true,
	  { "serial: expected a whole number" }, "serial too large" },
	{ "\"lineage\": \"0123456789abcdef0123456789abcdef\"", "\"lineage\": \"xyz\"", true,
	  { "loaded.lock:3:14: lineage: expected 32 lowercase hex digits" }, "bad lineage" },
	{ "\"outcome\": \"created\"", "\"outcome\": \"made\"", true,
	  { "resources[0]: outcome must be one of", "found \"made\"" }, "unknown outcome" },
	{ "\"recovered\": true", "\"recovered\": 1", true,
	  { "resources[0]: recovered must be true or false, found a number" }, "recovered type" },
	{ "\"kind\": \"connection\"", "\"kind\": \"table\"", true,
	  { "resources[0]: kind must be \"connection\" or \"transformation\"" }, "unknown kind" },
	{ "\"id\": \"conn_9\"", "\"id\": 9", true,
	  { "resources[0].id: expected a string or null, found a number" }, "id type" },
	{ "\"name\": \"postgres_app\"", "\"name\": null", true,
	  { "resources[0].name: expected a string, found null" }, "name null" },
	{ "\"name\": \"postgres_app\"", "\"name\": \"a\\u0000b\"", true,
	  { "resources[0].name: contains a NUL character" }, "NUL in a string" },
	{ "\"http_status\": null", "\"http_status\": 42", true,
	  { "resources[1].error.http_status: expected a whole number from 100 to 999" },
	  "http status out of range" },
	{ "\"error\": null", "\"error\": \"boom\"", true,
	  { "resources[0].error: expected an object, found a string" }, "error type" },
	{ "\"sent_digest\": \"blake2b-256:1", "\"sent_digest\": \"sha1:1", true,
	  { "sent_digest must be \"blake2b-256:\"" }, "sent digest form" },
	{ "\"resources\": [", "\"resources\": {\"x\": [", true,
	  { "line" }, "resources not an array (invalid JSON after the edit)" },
	{ "\"acknowledged\": [", "\"acknowledged\": [1, ", true,
	  { "validation.acknowledged[0]: expected a code (a string), found a number" },
	  "acknowledged item type" },
	{ "\"status\": \"pass-with-warnings\"", "\"status\": \"fail\"", true,
	  { "validation.status: expected \"pass\" or \"pass-with-warnings\"" }, "fail status" },
	{ "\"group_name\": \"Prod\"", "\"group_name\": \"Prod\", \"owner\": \"me\"", true,
	  { "target: unknown key \"owner\"" }, "unknown key" },
	{ "\"group_id\": \"grp_1\",\n    \"group_name\": \"Prod\"\n", "\"group_id\": \"grp_1\"\n",
	  true, { "loaded.lock:13:13: target: missing key \"group_name\"" }, "missing key" },
	{ "\"version\": 1,", "\"version\": 1, \"plan_checksum\": \"x\",", true,
	  { "duplicate key \"plan_checksum\"" }, "duplicate key" },
	{ "\"name\": \"stripe\"", "\"name\": \"postgres_app\"", false,
	  { "digest mismatch" }, "digest checked before content" },
	{ "\"kind\": \"transformation\",\n      \"name\": \"stripe\"",
	  "\"kind\": \"connection\",\n      \"name\": \"postgres_app\"", true,
	  { "resources[1]: connection \"postgres_app\" is listed twice" }, "duplicate resource" },
	{ "\"A_CODE\",\n      \"B_CODE\"", "\"B_CODE\",\n      \"A_CODE\"", true,
	  { "loaded.lock:9: not laid out exactly as ccapply writes it", "digest matches" },
	  "unsorted acknowledgments (layout)" },
	{ "\"serial\": 3,", "\"serial\":  3,", true, { "loaded.lock:4: not laid out exactly" },
	  "extra space (layout)" },
	{ "  \"digest\": \"blake2b-256:", "  \"digest\": \"blake2b-256:00", false,
	  { "digest: expected \"blake2b-256:\" and 64 lowercase hex digits" }, "digest form" },
	{ "\"\n}\n", "\"\n}\n\n", false,
	  { "digest: not the last line before the closing brace" }, "a blank line at the end" },
};

static void test_bad_files(void)
{
	struct state *st = sample_state(), *out;
	char *good = state_render(st);
	size_t i, k;

	for (i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
		const struct bad_case *c = &bad_cases[i];
		char *edited = replace(good, c->from, c->to);
		struct err err;
		bool all = true;

		if (c->forge) {
			char *forged = forge_digest(edited);
			free(edited);
			edited = forged;
		}
		out = NULL;
		all = load_from_text(edited, strlen(edited), &out, &err) == -1 && !out;
		for (k = 0; all && k < 3 && c->expect[k]; k++)
			all = contains(err.msg, c->expect[k]);
		all = all && contains(err.msg, "loaded.lock:");
		ok(all, "refused, %s: %s", c->what, err.msg);
		state_free(out);
		free(edited);
	}
	free(good);
	state_free(st);
}

static void test_truncated(void)
{
	struct state *st = sample_state(), *out = NULL;
	char *good = state_render(st);
	size_t len = strlen(good);
	struct err err;

	ok(load_from_text(good, len / 2, &out, &err) == -1 && !out,
	   "a file cut in half is refused");
	ok(contains(err.msg, "loaded.lock:26:17: ") &&
	   contains(err.msg, "the file looks truncated"), "with its position and a hint: %s",
	   err.msg);
	ok(load_from_text(good, len - 2, &out, &err) == -1 && contains(err.msg, "truncated"),
	   "a file missing only its closing brace is refused: %s", err.msg);
	ok(load_from_text(good, 0, &out, &err) == -1 && contains(err.msg, "empty") &&
	   contains(err.msg, "truncated"), "an empty file is refused: %s", err.msg);
	ok(load_from_text("[1, 2]\n", 7, &out, &err) == -1 &&
	   contains(err.msg, "not a ccapply state file: the top level is an array"),
	   "a JSON array is not a state file: %s", err.msg);
	ok(load_from_text("{\"a\": 1}\n", 9, &out, &err) == -1 &&
	   contains(err.msg, "no \"version\" member"), "an object without version: %s", err.msg);
	free(good);
	state_free(st);
}

/* ---------------------------------------------------------- the lock */

/* Fork a child that takes the lock, reports through a pipe, and waits to be
 * killed. Returns its pid, or -1 when it could not take the lock. */
static pid_t spawn_holder(void)
{
	int fds[2];
	char status = 0;
	pid_t pid;

	if (pipe(fds))
		tap_die("pipe");
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		tap_die("fork");
	if (pid == 0) {
		struct state_lock *lock;
		struct err err;
		close(fds[0]);
		status = state_lock_acquire(tap_scratch_path(STATE_LOCK_FILE), &lock, &err) ?
			 'n' : 'y';
		if (write(fds[1], &status, 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	close(fds[1]);
	if (read(fds[0], &status, 1) != 1)
		status = 'n';
	close(fds[0]);
	return status == 'y' ? pid : -1;
}

static void test_lock(void)
{
	char *lockfile = tap_scratch_path(STATE_LOCK_FILE);
	struct state_lock *lock = NULL;
	struct err err;
	char pidtext[32], *text;
	pid_t child = spawn_holder();
	int rc;

	ok(child > 0, "a child process takes the lock");
	if (child <= 0) {
		free(lockfile);
		return;
	}
	ok(state_lock_acquire(lockfile, &lock, &err) == -1 && lock == NULL,
	   "a second acquire is refused while the child holds it");
	snprintf(pidtext, sizeof pidtext, "(pid %ld on ", (long)child);
	ok(contains(err.msg, "another ccapply apply is running in ") &&
	   contains(err.msg, tap_scratch_dir()) && contains(err.msg, pidtext) && contains(err.msg, " since ") &&
	   contains(err.msg, "wait for it to finish or stop it"),
	   "the refusal names the directory and the holder: %s", err.msg);

	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	ok(access(lockfile, F_OK) == 0, "the killed holder left its lock file behind");
	rc = state_lock_acquire(lockfile, &lock, &err);
	ok(rc == 0 && lock, "the lock of a killed process is free%s%s", lock ? "" : ": ",
	   lock ? "" : err.msg);
	text = tap_read_file(lockfile);
	snprintf(pidtext, sizeof pidtext, "pid %ld\nhost ", (long)getpid());
	ok(!strncmp(text, pidtext, strlen(pidtext)) && contains(text, "\nstarted ") &&
	   text[strlen(text) - 1] == '\n' && contains(text, "Z\n"),
	   "the lock file names the new holder, replacing the old: %s", text);
	free(text);
	state_lock_release(lock);
	ok(access(lockfile, F_OK) == -1 && errno == ENOENT, "release removes the lock file");

	/* A file put in its place is not the holder's to remove. */
	ok(state_lock_acquire(lockfile, &lock, &err) == 0, "acquire again");
	unlink(lockfile);
	tap_write_file(lockfile, "someone else\n", 13);
	state_lock_release(lock);
	ok(access(lockfile, F_OK) == 0, "release leaves a lock file that is no longer its own");
	unlink(lockfile);

	ok(state_lock_acquire("/nonexistent-ccapply-dir/" STATE_LOCK_FILE, &lock, &err) == -1 &&
	   contains(err.msg, "/nonexistent-ccapply-dir/ccapply.lock.lck"),
	   "a missing directory is a clear error: %s", err.msg);
	free(lockfile);
}

static void remove_tmpdir(void)
{
	static const char *const names[] = { "loaded.lock", "save.lock", "refuse.lock",
					     "ccapply.lock.lck", NULL };
	size_t i;

	for (i = 0; names[i]; i++) {
		char *p = tap_scratch_path(names[i]);
		unlink(p);
		free(p);
	}
	tap_scratch_done();
}

int main(void)
{
	tap_scratch_dir();
	test_render();
	test_round_trip();
	test_save();
	test_save_refusals();
	test_invalid_utf8();
	test_missing_and_not_regular();
	test_bad_files();
	test_truncated();
	test_lock();
	remove_tmpdir();
	return done_testing();
}
