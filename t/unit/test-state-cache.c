/*
 * test-state-cache.c — state_save()'s incremental writing (state/state.c):
 * a save renders only the resources that changed and copies every other
 * fragment from the bytes it last wrote, so this checks, after long random
 * sequences of changes of every kind (outcomes, ids, errors with hostile
 * text, renames, added and removed resources, header members, values set
 * again to equal text), that every save writes exactly what a full
 * rendering of the same state gives, writes only when that rendering
 * changed, and that the file loads back to the same bytes — with a digest
 * and with a keyed MAC, across another writer replacing the file, and after
 * state_retag(). Also: what the incremental checks must still refuse (a bad
 * resource right after a load, a rename that makes a repeat), the plan
 * checksum forms, and the loader's wording for non-JSON and a misplaced tag.
 *
 * Deterministic: the random sequence comes from a fixed seed. Files live in
 * a fresh directory under $TMPDIR (or /tmp), removed at the end.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/buf.h"
#include "state/state.h"
#include "t/unit/tap.h"

static bool contains(const char *haystack, const char *needle)
{
	return haystack && strstr(haystack, needle) != NULL;
}

static const char *const hostile_texts[] = {
	"plain", "with \"quotes\" and \\backslash\\", "tab\there\nnewline",
	"caf\xc3\xa9 \xe2\x82\xac",
	"bad \xff byte", "cut \xe2\x82", "\x01\x1f control", "/slash/", "", NULL,
};

static const char *pick_text(void)
{
	return hostile_texts[tap_rand(sizeof hostile_texts / sizeof hostile_texts[0])];
}

static char *digest_text(unsigned seed)
{
	struct buf b = BUF_INIT;
	int i;

	buf_puts(&b, "blake2b-256:");
	for (i = 0; i < 64; i++)
		buf_putc(&b, "0123456789abcdef"[(seed * 7u + (unsigned)i * 13u) % 16]);
	return buf_detach(&b);
}

static unsigned name_counter;

static void add_resource(struct state *st, enum resource_kind kind)
{
	struct state_resource r;
	char name[64];
	bool conn = kind == RESOURCE_CONNECTION;

	memset(&r, 0, sizeof r);
	snprintf(name, sizeof name, "%s_%u", conn ? "conn" : "pkg", name_counter++);
	r.kind = kind;
	r.name = name;
	r.source_id = conn ? "src_1" : NULL;
	r.service = conn ? "postgres" : NULL;
	state_add(st, &r);
}

static struct state *make_state(size_t n)
{
	struct state *st = xcalloc(1, sizeof *st);
	size_t i;

	st->lineage = xstrdup("00112233445566778899aabbccddeeff");
	st->plan_checksum = digest_text(1);
	st->validation_status = xstrdup("pass-with-warnings");
	st->acknowledged = xcalloc(3, sizeof *st->acknowledged);
	st->acknowledged[0] = xstrdup("SCHEDULE_DIFFERS");
	st->acknowledged[1] = xstrdup("CUSTOM_TRANSFORMATION_NOT_COPYABLE");
	st->n_acknowledged = 2;
	st->target_group_id = xstrdup("grp_1");
	st->target_group_name = xstrdup("Warehouse");
	for (i = 0; i < n; i++)
		add_resource(st, i % 5 == 4 ? RESOURCE_TRANSFORMATION : RESOURCE_CONNECTION);
	return st;
}

static void remove_resource(struct state *st, size_t i)
{
	state_resource_clear(&st->resources[i]);
	memmove(&st->resources[i], &st->resources[i + 1],
		(st->n_resources - i - 1) * sizeof *st->resources);
	st->n_resources--;
}

/* One random change (or none, or one that changes nothing rendered). */
static void mutate(struct state *st)
{
	struct state_resource *r = st->n_resources ? &st->resources[tap_rand(st->n_resources)] : NULL;
	char buf[64];

	switch (tap_rand(r ? 15 : 2)) {
	case 0:
		add_resource(st, tap_rand(2) ? RESOURCE_CONNECTION : RESOURCE_TRANSFORMATION);
		break;
	case 1:
		tap_set_str(&st->target_group_name, tap_rand(3) ? pick_text() : NULL);
		break;
	case 2:
		r->outcome = (enum resource_outcome)tap_rand(RESOURCE_N_OUTCOMES);
		break;
	case 3:
		snprintf(buf, sizeof buf, "id_%zu", tap_rand(1000));
		tap_set_str(&r->id, tap_rand(4) ? buf : NULL);
		break;
	case 4:
		/* One part of the error at a time: each is written on its own. */
		if (tap_rand(3) == 0)
			r->error.http_status = tap_rand(2) ? 100 + (int)tap_rand(900) : 0;
		else if (tap_rand(2))
			tap_set_str(&r->error.code, tap_rand(2) ? pick_text() : NULL);
		else
			tap_set_str(&r->error.message, pick_text());
		break;
	case 5:
		r->error.http_status = 0;
		tap_set_str(&r->error.code, NULL);
		tap_set_str(&r->error.message, NULL);
		break;
	case 6: {
		char *d = digest_text((unsigned)tap_rand(50));
		tap_set_str(&r->sent_digest, tap_rand(3) ? d : NULL);
		free(d);
		break;
	}
	case 7:
		r->recovered = !r->recovered;
		break;
	case 8:
		tap_set_str(&r->reason, tap_rand(2) ? "DEPENDENCY_FAILED" : NULL);
		break;
	case 9:
		snprintf(buf, sizeof buf, "renamed_%u", name_counter++);
		tap_set_str(&r->name, buf);
		break;
	case 10:
		if (st->n_resources > 1)
			remove_resource(st, tap_rand(st->n_resources));
		break;
	case 11: {
		/* The same text in a new allocation: nothing changes. */
		char *same = r->name ? xstrdup(r->name) : NULL;
		free(r->name);
		r->name = same;
		break;
	}
	case 13:
		if (tap_rand(2))
			tap_set_str(&r->source_id, tap_rand(3) ? pick_text() : NULL);
		else
			tap_set_str(&r->service, tap_rand(3) ? "stripe" : NULL);
		break;
	case 12: {
		/* Acknowledgments reordered: renders the same. */
		char *t = st->acknowledged[0];
		st->acknowledged[0] = st->acknowledged[1];
		st->acknowledged[1] = t;
		break;
	}
	default:
		break; /* no change at all */
	}
}

struct tally {
	int bytes, written, serial, reload, failed_save;
};

/* Save st to path and compare with a full rendering; count what is wrong. */
static void save_and_check(const char *path, const struct state_key *key, struct state *st,
			   char **last, struct tally *bad, size_t step)
{
	char *would = state_render_keyed(st, key), *now, *again;
	bool expect_write = !*last || strcmp(would, *last) != 0, written = false;
	long long serial = st->serial;
	struct state *back = NULL;
	struct err err;

	if (state_save_keyed(path, key, st, &written, &err)) {
		if (!bad->failed_save++)
			diag("step %zu: save failed: %s", step, err.msg);
		free(would);
		return;
	}
	now = tap_read_file(path);
	free(would);
	would = state_render_keyed(st, key);
	if (strcmp(now, would) && !bad->bytes++)
		diag("step %zu: the file is not the full rendering", step);
	if (written != expect_write && !bad->written++)
		diag("step %zu: written %d, expected %d", step, written, expect_write);
	if (*last && st->serial != (expect_write ? serial + 1 : serial) && !bad->serial++)
		diag("step %zu: serial %lld after %lld", step, st->serial, serial);
	if (state_load_keyed(path, key, &back, &err) || !back) {
		if (!bad->reload++)
			diag("step %zu: does not load back: %s", step, err.msg);
	} else {
		again = state_render_keyed(back, key);
		if (strcmp(again, now) && !bad->reload++)
			diag("step %zu: loads back differently", step);
		free(again);
	}
	state_free(back);
	free(would);
	free(*last);
	*last = now;
}

static void run_sequence(const char *name, const struct state_key *key, size_t steps)
{
	char *path = tap_scratch_path(name), *last = NULL;
	struct state *st = make_state(40);
	struct tally bad = { 0, 0, 0, 0, 0 };
	size_t i;

	for (i = 0; i < steps; i++) {
		if (i)
			mutate(st);
		save_and_check(path, key, st, &last, &bad, i);
	}
	ok(!bad.failed_save, "%s: every save of %zu succeeds", name, steps);
	ok(!bad.bytes, "%s: every save writes exactly the full rendering", name);
	ok(!bad.written, "%s: a save writes exactly when the rendering changed", name);
	ok(!bad.serial, "%s: the serial grows by one per write, else stays", name);
	ok(!bad.reload, "%s: every file loads back to the same bytes", name);
	free(last);
	state_free(st);
	unlink(path);
	free(path);
}

/* Two structs take turns on one file: each notices the other's writes. */
static void test_two_writers(void)
{
	char *path = tap_scratch_path("two.lock"), *text, *want;
	struct state *a = make_state(30), *b = make_state(30);
	struct err err;
	bool written, all = true;
	int i;

	for (i = 0; i < 40 && all; i++) {
		struct state *w = i % 2 ? b : a;
		w->resources[tap_rand(w->n_resources)].outcome =
			(enum resource_outcome)tap_rand(RESOURCE_N_OUTCOMES);
		all = !state_save_keyed(path, NULL, w, &written, &err);
		text = tap_read_file(path);
		want = state_render_keyed(w, NULL);
		all = all && !strcmp(text, want);
		free(text);
		free(want);
	}
	ok(all, "two structs writing in turn: each write is its full rendering%s%s",
	   all ? "" : ": ", all ? "" : err.msg);
	state_free(a);
	state_free(b);
	unlink(path);
	free(path);
}

static void test_retag(void)
{
	char *path = tap_scratch_path("retag.lock"), *text, *want;
	struct state *st = make_state(20), *back = NULL;
	struct state_key key;
	struct err err;
	bool written;

	state_key_derive("a passphrase", &key);
	ok(!state_save_keyed(path, NULL, st, &written, &err) && written, "a digest file");
	ok(!state_retag(path, NULL, &key, &err), "put under a key");
	ok(!state_load_keyed(path, &key, &back, &err) && back && back->serial == 2,
	   "loads with the key, serial 2");
	text = tap_read_file(path);
	want = back ? state_render_keyed(back, &key) : xstrdup("");
	is_str(text, want, "the retagged file is the full rendering under the key");
	free(text);
	free(want);
	back->resources[3].outcome = OUTCOME_CREATED;
	ok(!state_save_keyed(path, &key, back, &written, &err) && written,
	   "a later keyed save of the loaded struct");
	text = tap_read_file(path);
	want = state_render_keyed(back, &key);
	is_str(text, want, "is the full rendering too");
	free(text);
	free(want);
	state_free(back);
	state_free(st);
	unlink(path);
	free(path);
}

/* What check_state() must refuse although it only looks at changes. */
static void test_refusals(void)
{
	char *path = tap_scratch_path("refuse.lock"), *before, *after;
	struct state *st = make_state(10), *loaded = NULL;
	struct err err;
	bool written;

	ok(!state_save_keyed(path, NULL, st, &written, &err), "saved");
	before = tap_read_file(path);
	ok(!state_load_keyed(path, NULL, &loaded, &err) && loaded, "loaded into a new struct");
	loaded->resources[2].outcome = (enum resource_outcome)42;
	ok(state_save_keyed(path, NULL, loaded, &written, &err) == -1 &&
	   contains(err.msg, "invalid outcome"), "a bad outcome right after a load: %s",
	   err.msg);
	loaded->resources[2].outcome = OUTCOME_FAILED;
	tap_set_str(&loaded->resources[5].sent_digest, "blake2b-256:short");
	ok(state_save_keyed(path, NULL, loaded, &written, &err) == -1 &&
	   contains(err.msg, "sent_digest"), "a bad sent_digest: %s", err.msg);
	tap_set_str(&loaded->resources[5].sent_digest, NULL);
	tap_set_str(&loaded->resources[6].name, loaded->resources[1].name);
	loaded->resources[6].kind = loaded->resources[1].kind;
	ok(state_save_keyed(path, NULL, loaded, &written, &err) == -1 &&
	   contains(err.msg, "is listed twice"), "a rename that makes a repeat: %s", err.msg);
	after = tap_read_file(path);
	is_str(after, before, "none of them touched the file");
	free(after);
	free(before);
	state_free(loaded);

	tap_set_str(&st->plan_checksum, "md5:0123456789abcdef0123456789abcdef");
	ok(state_save_keyed(path, NULL, st, &written, &err) == -1 &&
	   contains(err.msg, "plan_checksum"), "a plan checksum of no accepted form: %s",
	   err.msg);
	state_free(st);
	unlink(path);
	free(path);
}

static void test_plan_checksum_forms(void)
{
	static const char *const forms[] = { "sha256:", "blake2b-512:", "blake2b-256:" };
	static const size_t hex[] = { 64, 128, 64 };
	char *path = tap_scratch_path("forms.lock");
	size_t f, i;

	for (f = 0; f < 3; f++) {
		struct state *st = make_state(2), *back = NULL;
		struct buf text = BUF_INIT;
		struct err err;
		bool written;

		buf_puts(&text, forms[f]);
		for (i = 0; i < hex[f]; i++)
			buf_putc(&text, "0123456789ABCDEF"[i % 16]);
		tap_set_str(&st->plan_checksum, text.data);
		ok(!state_save_keyed(path, NULL, st, &written, &err) &&
		   !state_load_keyed(path, NULL, &back, &err) && back &&
		   !strcmp(back->plan_checksum, text.data),
		   "plan checksum %s<%zu hex> saves and loads", forms[f], hex[f]);
		state_free(back);
		state_free(st);
		buf_free(&text);
		unlink(path);
	}
	free(path);
}

/* The loader's words for bytes that are not JSON and for a broken tag line. */
static void test_messages(void)
{
	static const char garbage[] = "\xe3\x81\x00\x7f\x89PNG\r\n\x1a\n";
	char *path = tap_scratch_path("words.lock"), *good, *cut;
	struct state *st = make_state(3), *out = NULL;
	struct err err;
	size_t len;

	tap_write_file(path, garbage, sizeof garbage - 1);
	ok(state_load_keyed(path, NULL, &out, &err) == -1 &&
	   contains(err.msg, "not a ccapply state file") && contains(err.msg, "not JSON") &&
	   !contains(err.msg, "truncated"), "binary garbage is not a state file: %s", err.msg);
	good = state_render_keyed(st, NULL);
	len = strlen(good);
	cut = xmalloc(len + 2);
	memcpy(cut, good, len);
	cut[len] = '\n'; /* a blank line after the closing brace */
	cut[len + 1] = '\0';
	tap_write_file(path, cut, len + 1);
	ok(state_load_keyed(path, NULL, &out, &err) == -1 &&
	   contains(err.msg, "(as \"digest\": \"blake2b-256:<64 hex>\")"),
	   "a broken tag line shows the member as written: %s", err.msg);
	tap_write_file(path, good, len / 2);
	ok(state_load_keyed(path, NULL, &out, &err) == -1 && contains(err.msg, "truncated") &&
	   !contains(err.msg, "not JSON"), "a file cut short is still called truncated: %s",
	   err.msg);
	free(cut);
	free(good);
	state_free(st);
	unlink(path);
	free(path);
}

int main(void)
{
	struct state_key key;

	tap_rand_seed(0x9e3779b97f4a7c15ull);
	tap_scratch_dir();
	run_sequence("digest.lock", NULL, 400);
	state_key_derive("test key", &key);
	run_sequence("mac.lock", &key, 200);
	test_two_writers();
	test_retag();
	test_refusals();
	test_plan_checksum_forms();
	test_messages();
	tap_scratch_done();
	return done_testing();
}
