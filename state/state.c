/*
 * state.c — ccapply.lock, the state file (see state.h and
 * docs/state-format.md): the in-memory model, the one rendering, the strict
 * loader, the write-only-on-change saver and the integrity tag (a digest, or
 * a keyed MAC with CCAPPLY_STATE_KEY).
 *
 * Everything goes through one renderer. A file is trusted only when it is
 * exactly what that renderer makes of its own content: the loader parses it,
 * checks the version, verifies the digest over the raw bytes, checks every
 * field, then renders what it read and compares byte for byte. So "the same
 * content" can be decided by comparing renderings, which is how state_save()
 * knows to leave a file alone (byte-identical on a no-op apply).
 *
 * The tag covers the rendered document up to the tag member: every line but
 * the last two, so `head -n -2 ccapply.lock | b2sum -l 256` recomputes a
 * digest. tag_hex() is the only place a tag is computed: unkeyed
 * ("digest": "blake2b-256:…") or keyed ("mac": "blake2b-256-keyed:…", BLAKE2b
 * with the 64-byte key state_key_derive() makes). The tag is checked on the
 * raw bytes (state_check_tag()), so `state verify` can report it even for a
 * file that no longer parses.
 *
 * The document is assembled from pieces: a head (every member before the
 * resources), one fragment per resource, exactly as it sits in the array,
 * and a fixed tail. Saving after every resource must stay cheap, and at a
 * thousand resources the file is 360 KB, so a struct state keeps what the
 * file held (struct state_saved: its bytes, a copy of its content, and where
 * each resource's fragment sits in the bytes). A save reads the file (cheap:
 * it is in the page cache) and, when the bytes are still the ones
 * remembered, compares the new content with the copy field by field; it
 * renders only the resources that changed, copies every other fragment from
 * the remembered bytes, and parses the file only when someone else changed
 * it. What remains linear in the file per save is copying, reading it back,
 * and the tag, which by its definition covers every byte.
 */
#include "state/state.h"

#include <blake2.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/buf.h"
#include "lib/digest.h"
#include "lib/fileio.h"
#include "lib/json.h"
#include "lib/value.h"
#include "planner/planner.h"

#define DIGEST_PREFIX "blake2b-256:"
#define DIGEST_TEXT_LEN (sizeof DIGEST_PREFIX - 1 + 64)
#define MAC_PREFIX "blake2b-256-keyed:"
#define TAG_LINE_TAIL "\"\n}\n"
#define LINEAGE_LEN 32

/* The two forms of the last member: which key, which value prefix. */
struct tag_form {
	const char *member; /* "digest" or "mac" */
	const char *head;   /* the line up to the opening quote of the value */
	const char *prefix; /* the value up to the hex */
};
static const struct tag_form digest_form = {
	.member = "digest", .head = "  \"digest\": \"", .prefix = DIGEST_PREFIX,
};
static const struct tag_form mac_form = {
	.member = "mac", .head = "  \"mac\": \"", .prefix = MAC_PREFIX,
};

/* Where one resource's fragment sits in a document: doc[at, at + len). */
struct span {
	size_t at, len;
};

/* What the file at a path held when a struct state last loaded or wrote it
 * (see state.h): its bytes, a copy of its content, its head rendered with
 * serial 0, and where each resource's fragment sits in the bytes. */
struct state_saved {
	char *path;
	bool keyed;            /* doc was checked with this key (else: digest) */
	struct state_key key;
	struct buf doc;        /* the file's bytes */
	struct state *content; /* deep copy, serial and lineage included */
	struct buf head0;      /* render_head(content, 0) */
	struct span *spans;    /* content->n_resources fragments, in doc */
	struct buf spare;      /* scratch reused by every save: the file read
				* back, then the next document */
};

/* What to do about a file that cannot be trusted, appended to such errors. */
#define ADVICE "restore it (from version control or a backup), or move it away and re-run " \
	"`ccapply apply`, which records the live state afresh"

/* ------------------------------------------------------------ the model */

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

void state_resource_clear(struct state_resource *r)
{
	if (!r)
		return;
	free(r->name);
	free(r->source_id);
	free(r->service);
	free(r->id);
	free(r->reason);
	free(r->sent_digest);
	free(r->error.code);
	free(r->error.message);
	memset(r, 0, sizeof *r);
}

static void key_wipe(struct state_key *key);

static void saved_free(struct state_saved *sv)
{
	if (!sv)
		return;
	key_wipe(&sv->key);
	free(sv->path);
	buf_free(&sv->doc);
	state_free(sv->content);
	buf_free(&sv->head0);
	free(sv->spans);
	buf_free(&sv->spare);
	free(sv);
}

void state_free(struct state *st)
{
	size_t i;

	if (!st)
		return;
	saved_free(st->saved);
	free(st->lineage);
	free(st->plan_checksum);
	free(st->validation_status);
	for (i = 0; i < st->n_acknowledged; i++)
		free(st->acknowledged[i]);
	free(st->acknowledged);
	free(st->target_group_id);
	free(st->target_group_name);
	for (i = 0; i < st->n_resources; i++)
		state_resource_clear(&st->resources[i]);
	free(st->resources);
	free(st);
}

struct state_resource *state_find(struct state *st, enum resource_kind kind, const char *name)
{
	size_t i;

	for (i = 0; st && name && i < st->n_resources; i++) {
		struct state_resource *r = &st->resources[i];
		if (r->kind == kind && r->name && !strcmp(r->name, name))
			return r;
	}
	return NULL;
}

bool state_resource_exists(const struct state_resource *r)
{
	return r->id && (r->outcome == OUTCOME_CREATED || r->outcome == OUTCOME_ALREADY_EXISTS);
}

bool state_records_existing(const struct state *st, enum resource_kind kind)
{
	size_t i;

	for (i = 0; i < st->n_resources; i++)
		if (state_resource_exists(&st->resources[i]) && st->resources[i].kind == kind)
			return true;
	return false;
}

char **state_dependency_ids(const struct state *st, const struct plan *plan,
			    const struct plan_package *pkg)
{
	char **ids = xcalloc(pkg->n_depends_on + 1, sizeof *ids);
	size_t i;

	for (i = 0; i < pkg->n_depends_on; i++) {
		const struct plan_connection *pc = plan_find_connection(plan, pkg->depends_on[i]);
		const struct state_resource *dep =
			pc ? state_find((struct state *)st, RESOURCE_CONNECTION, pc->target_name) : NULL;
		if (!dep || !state_resource_exists(dep)) {
			free(ids);
			return NULL;
		}
		ids[i] = dep->id;
	}
	return ids;
}

static void copy_resource(struct state_resource *n, const struct state_resource *r)
{
	n->kind = r->kind;
	n->name = dup_or_null(r->name);
	n->source_id = dup_or_null(r->source_id);
	n->service = dup_or_null(r->service);
	n->outcome = r->outcome;
	n->id = dup_or_null(r->id);
	n->reason = dup_or_null(r->reason);
	n->sent_digest = dup_or_null(r->sent_digest);
	n->recovered = r->recovered;
	n->error.http_status = r->error.http_status;
	n->error.code = dup_or_null(r->error.code);
	n->error.message = dup_or_null(r->error.message);
}

struct state_resource *state_add(struct state *st, const struct state_resource *r)
{
	struct state_resource *n;

	/* Grow by one each time: n_resources is the capacity, so state_free()
	 * and every reader need no separate capacity field. */
	st->resources = xrealloc(st->resources, (st->n_resources + 1) * sizeof *st->resources);
	n = &st->resources[st->n_resources++];
	copy_resource(n, r);
	return n;
}

/* ------------------------------------------------ rules shared by load and save */

static bool is_lower_hex(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return s[n] == '\0';
}

static bool is_lineage(const char *s)
{
	return s && strlen(s) == LINEAGE_LEN && is_lower_hex(s, LINEAGE_LEN);
}

/* "blake2b-256:" and 64 lowercase hex digits: sent_digest and digest. */
static bool is_digest_text(const char *s)
{
	size_t plen = sizeof DIGEST_PREFIX - 1;

	return s && strlen(s) == DIGEST_TEXT_LEN && !strncmp(s, DIGEST_PREFIX, plen) &&
	       is_lower_hex(s + plen, 64);
}

static bool is_validation_status(const char *s)
{
	return s && (!strcmp(s, "pass") || !strcmp(s, "pass-with-warnings"));
}

/* HTTP's status syntax is three digits. */
static bool is_http_status(long long n)
{
	return n >= 100 && n <= 999;
}

static int resource_key_cmp(const void *pa, const void *pb)
{
	const struct state_resource *a = *(const struct state_resource *const *)pa;
	const struct state_resource *b = *(const struct state_resource *const *)pb;
	int c = (a->kind > b->kind) - (a->kind < b->kind);

	if (!c)
		c = strcmp(a->name, b->name);
	if (!c)
		c = a < b ? -1 : a > b; /* array order, so the earlier entry sorts first */
	return c;
}

/* The index of the first entry (in file order) whose kind and name an
 * earlier entry already has, or n_resources when there is none. Sorting
 * keeps this O(n log n): apply saves after every resource. Every
 * name must be non-NULL. */
static size_t first_repeat(const struct state *st)
{
	const struct state_resource **order;
	size_t i, first = st->n_resources;

	if (st->n_resources < 2)
		return first;
	order = xcalloc(st->n_resources, sizeof *order);
	for (i = 0; i < st->n_resources; i++)
		order[i] = &st->resources[i];
	qsort(order, st->n_resources, sizeof *order, resource_key_cmp);
	for (i = 1; i < st->n_resources; i++)
		if (order[i]->kind == order[i - 1]->kind &&
		    !strcmp(order[i]->name, order[i - 1]->name) &&
		    (size_t)(order[i] - st->resources) < first)
			first = (size_t)(order[i] - st->resources);
	free(order);
	return first;
}

static bool str_eq(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

static bool same_resource(const struct state_resource *a, const struct state_resource *b)
{
	return a->kind == b->kind && str_eq(a->name, b->name) &&
	       str_eq(a->source_id, b->source_id) && str_eq(a->service, b->service) &&
	       a->outcome == b->outcome && str_eq(a->id, b->id) && a->recovered == b->recovered &&
	       str_eq(a->reason, b->reason) && str_eq(a->sent_digest, b->sent_digest) &&
	       a->error.http_status == b->error.http_status &&
	       str_eq(a->error.code, b->error.code) && str_eq(a->error.message, b->error.message);
}

/* Which resources of a state differ from the copy a struct state_saved
 * keeps (NULL: all of them). Apply changes one resource per save, so the
 * checks and the rendering are done for those alone. */
struct changes {
	bool *changed;    /* one flag per resource of the state */
	size_t n_changed;
	bool same_names;  /* as many resources as the copy, each kind and name the same */
};

static void find_changes(const struct state *st, const struct state_saved *sv,
			 struct changes *c)
{
	const struct state *was = sv ? sv->content : NULL;
	size_t i;

	c->changed = xcalloc(st->n_resources + 1, sizeof *c->changed);
	c->n_changed = 0;
	c->same_names = was && was->n_resources == st->n_resources;
	for (i = 0; i < st->n_resources; i++) {
		const struct state_resource *r = &st->resources[i];
		const struct state_resource *o = was && i < was->n_resources ?
						 &was->resources[i] : NULL;
		if (o && same_resource(o, r))
			continue;
		c->changed[i] = true;
		c->n_changed++;
		if (!o || o->kind != r->kind || !str_eq(o->name, r->name))
			c->same_names = false;
	}
}

static void changes_free(struct changes *c)
{
	free(c->changed);
	memset(c, 0, sizeof *c);
}

/* What state_save() refuses to write (a bug in the caller, never user
 * input): whatever state_load() would reject in the file. */
static int check_resource(const struct state_resource *r, size_t i, struct err *err)
{
	if ((unsigned)r->kind >= RESOURCE_N_KINDS)
		return err_set(err, "resources[%zu]: kind must be \"connection\" or "
			       "\"transformation\"", i);
	if (!r->name)
		return err_set(err, "resources[%zu]: no name", i);
	if ((unsigned)r->outcome >= RESOURCE_N_OUTCOMES)
		return err_set(err, "resources[%zu] (%s): invalid outcome %d", i, r->name,
			       (int)r->outcome);
	if (r->sent_digest && !is_digest_text(r->sent_digest))
		return err_set(err, "resources[%zu] (%s): sent_digest must be %s<64 hex>", i,
			       r->name, DIGEST_PREFIX);
	if (r->error.http_status && !is_http_status(r->error.http_status))
		return err_set(err, "resources[%zu] (%s): http_status %d is not an HTTP status", i,
			       r->name, r->error.http_status);
	return 0;
}

/* Only the resources in ch->changed are checked: the others equal the
 * remembered copy, which was checked when it was loaded or written. */
static int check_state(const struct state *st, const struct changes *ch, struct err *err)
{
	enum digest_algo algo;
	struct err why;
	size_t i;

	if (st->lineage && !is_lineage(st->lineage))
		return err_set(err, "lineage must be %d lowercase hex digits", LINEAGE_LEN);
	if (!st->plan_checksum)
		return err_set(err, "no plan_checksum");
	if (digest_checksum_parse(st->plan_checksum, &algo, &why))
		return err_set(err, "plan_checksum must be one of %s", digest_checksum_forms);
	if (!is_validation_status(st->validation_status))
		return err_set(err, "validation status must be \"pass\" or \"pass-with-warnings\"");
	for (i = 0; i < st->n_acknowledged; i++)
		if (!st->acknowledged[i])
			return err_set(err, "acknowledged[%zu] is NULL", i);
	if (!st->target_group_id)
		return err_set(err, "no target group id");
	for (i = 0; i < st->n_resources; i++)
		if (ch->changed[i] && check_resource(&st->resources[i], i, err))
			return -1;
	i = ch->same_names ? st->n_resources : first_repeat(st);
	if (i < st->n_resources)
		return err_set(err, "resources[%zu]: %s \"%s\" is listed twice", i,
			       resource_kind_name(st->resources[i].kind), st->resources[i].name);
	return 0;
}

/* ------------------------------------------------------------ rendering */

/* A string member value. Text from outside (an API message cut short, say)
 * may not be UTF-8, which the loader would refuse, leaving a file no later
 * apply could read: each byte that does not start a well-formed sequence is
 * written as U+FFFD instead, so what is written always loads back the same. */
static size_t utf8_char_len(const unsigned char *s)
{
	return s[0] < 0x80 ? 1 : json_utf8_sequence(s, strnlen((const char *)s, 4));
}

static void render_text(struct json_writer *w, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	struct buf clean = BUF_INIT;
	size_t i = 0, n;

	while (p && p[i] && (n = utf8_char_len(p + i)) > 0)
		i += n;
	if (!p || !p[i]) {
		jw_string(w, s);
		return;
	}
	for (i = 0; p[i]; i += n ? n : 1) {
		n = utf8_char_len(p + i);
		if (n)
			buf_append(&clean, p + i, n);
		else
			buf_puts(&clean, "\xEF\xBF\xBD");
	}
	jw_string(w, clean.data);
	buf_free(&clean);
}

static int strptr_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Acknowledged codes sorted and without repeats, whatever order they came in. */
static void render_acknowledged(struct json_writer *w, const struct state *st)
{
	char **codes = xcalloc(st->n_acknowledged + 1, sizeof *codes);
	size_t i;

	for (i = 0; i < st->n_acknowledged; i++)
		codes[i] = st->acknowledged[i] ? st->acknowledged[i] : "";
	qsort(codes, st->n_acknowledged, sizeof *codes, strptr_cmp);
	jw_array_begin(w);
	for (i = 0; i < st->n_acknowledged; i++)
		if (i == 0 || strcmp(codes[i], codes[i - 1]))
			render_text(w, codes[i]);
	jw_array_end(w);
	free(codes);
}

/* The error member of an entry; apply's --json events write it too. */
void state_write_error_json(struct json_writer *w, const struct state_error *e)
{
	if (!e->http_status && !e->code && !e->message) {
		jw_null(w);
		return;
	}
	jw_object_begin(w);
	jw_key(w, "http_status");
	if (e->http_status)
		jw_int(w, e->http_status);
	else
		jw_null(w);
	jw_key(w, "code");
	render_text(w, e->code);
	jw_key(w, "message");
	render_text(w, e->message);
	jw_object_end(w);
}

/* One entry of the resources array; `state show --json` prints it alone. */
void state_write_resource_json(struct json_writer *w, const struct state_resource *r)
{
	jw_object_begin(w);
	jw_key(w, "kind");
	jw_string(w, resource_kind_name(r->kind));
	jw_key(w, "name");
	render_text(w, r->name);
	jw_key(w, "source_id");
	render_text(w, r->source_id);
	jw_key(w, "service");
	render_text(w, r->service);
	jw_key(w, "outcome");
	jw_string(w, resource_outcome_name(r->outcome));
	jw_key(w, "id");
	render_text(w, r->id);
	jw_key(w, "recovered");
	jw_bool(w, r->recovered);
	jw_key(w, "reason");
	render_text(w, r->reason);
	jw_key(w, "sent_digest");
	render_text(w, r->sent_digest);
	jw_key(w, "error");
	state_write_error_json(w, &r->error);
	jw_object_end(w);
}

/* The document is laid out as
 *   head  = `{` ... `"resources": [`      (render_head)
 *   fragment, `,` fragment, ...            (render_fragment, one per resource)
 *   tail  = `\n  ],\n` (`],\n` when there are no resources)
 *   the tag line and `}\n`                (append_tag)
 * head, fragments and tail are exactly the bytes the tag covers, and exactly
 * what one pretty json_writer pass over the whole object writes, cut at the
 * tag member. */

/* Every member before the resources, through the opening `[`. */
static void render_head(const struct state *st, long long serial, struct buf *out)
{
	struct json_writer w;

	jw_init(&w, out, JSON_PRETTY);
	jw_object_begin(&w);
	jw_key(&w, "version");
	jw_int(&w, STATE_VERSION);
	jw_key(&w, "lineage");
	render_text(&w, st->lineage);
	jw_key(&w, "serial");
	jw_int(&w, serial);
	jw_key(&w, "plan_checksum");
	render_text(&w, st->plan_checksum);
	jw_key(&w, "validation");
	jw_object_begin(&w);
	jw_key(&w, "status");
	render_text(&w, st->validation_status);
	jw_key(&w, "acknowledged");
	render_acknowledged(&w, st);
	jw_object_end(&w);
	jw_key(&w, "target");
	jw_object_begin(&w);
	jw_key(&w, "group_id");
	render_text(&w, st->target_group_id);
	jw_key(&w, "group_name");
	render_text(&w, st->target_group_name);
	jw_object_end(&w);
	jw_key(&w, "resources");
	jw_array_begin(&w);
}

/* One resource as it sits in the array: `\n    {` ... `\n    }`, without the
 * comma that separates it from the one before. A writer two levels deep (the
 * top-level object, then the array) with nothing written yet at its level
 * writes exactly that. */
static void render_fragment(const struct state_resource *r, struct buf *out)
{
	struct json_writer w;

	jw_init(&w, out, JSON_PRETTY);
	w.depth = 2;
	state_write_resource_json(&w, r);
}

/* After the last fragment: the array's end, and the comma before the tag
 * member (the pretty writer's `\n}` ending is not written: the tag line and
 * `}` follow). */
static void render_tail(size_t n_resources, struct buf *out)
{
	buf_puts(out, n_resources ? "\n  ],\n" : "],\n");
}

/* The bytes the tag covers, rendered in full; spans (NULL, or one per
 * resource) gets where each fragment sits in out. */
static void render_body(const struct state *st, long long serial, struct buf *out,
			struct span *spans)
{
	size_t i;

	render_head(st, serial, out);
	for (i = 0; i < st->n_resources; i++) {
		size_t at;
		if (i)
			buf_putc(out, ',');
		at = out->len;
		render_fragment(&st->resources[i], out);
		if (spans) {
			spans[i].at = at;
			spans[i].len = out->len - at;
		}
	}
	render_tail(st->n_resources, out);
}

/* ------------------------------------------------------------ the tag */

void state_key_derive(const char *text, struct state_key *key)
{
	blake2b(key->bytes, text, NULL, STATE_KEY_LEN, strlen(text), 0);
}

int state_key_from_env(struct state_key *key, bool *have, struct err *err)
{
	const char *text = getenv(STATE_KEY_ENV);

	*have = false;
	if (!text)
		return 0;
	if (!*text)
		return err_set(err, STATE_KEY_ENV " is set but empty: unset it to use a plain "
			       "digest, or set it to the state key");
	state_key_derive(text, key);
	*have = true;
	return 0;
}

/* Forget key material held on the stack once it is no longer needed. */
static void key_wipe(struct state_key *key)
{
	volatile unsigned char *p = key->bytes;
	size_t i;

	for (i = 0; i < sizeof key->bytes; i++)
		p[i] = 0;
}

/* The hex of the tag over body[0..len): keyed when key is not NULL. The one
 * place a tag is computed. */
static void tag_hex(const char *body, size_t len, const struct state_key *key, char hex[65])
{
	if (key)
		digest_blake2b_256_keyed_hex(body, len, key->bytes, STATE_KEY_LEN, hex);
	else
		digest_blake2b_256_hex(body, len, hex);
}

/* Append the tag line and the closing brace for the body now in out. */
static void append_tag(struct buf *out, const struct state_key *key)
{
	const struct tag_form *f = key ? &mac_form : &digest_form;
	char hex[65];

	tag_hex(out->data, out->len, key, hex);
	buf_printf(out, "%s%s%s%s", f->head, f->prefix, hex, TAG_LINE_TAIL);
}

static void render_document(const struct state *st, const struct state_key *key,
			    struct buf *out)
{
	render_body(st, st->serial, out, NULL);
	append_tag(out, key);
}

char *state_render_keyed(const struct state *st, const struct state_key *key)
{
	struct buf out = BUF_INIT;

	render_document(st, key, &out);
	return buf_detach(&out);
}

char *state_render(const struct state *st)
{
	struct state_key key;
	struct err err;
	bool have = false;
	char *text;

	if (state_key_from_env(&key, &have, &err))
		have = false; /* no error channel here: render with a digest */
	text = state_render_keyed(st, have ? &key : NULL);
	key_wipe(&key);
	return text;
}

/* ------------------------------------------------------------- loading */

static int field_error(struct err *err, const struct value *v, const char *path,
		       const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int field_error(struct err *err, const struct value *v, const char *path,
		       const char *fmt, ...)
{
	char what[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	return err_set(err, "line %d, column %d: %s: %s", v->line, v->col, path, what);
}

static const char *json_type_name(enum value_type t)
{
	switch (t) {
	case VALUE_NULL: return "null";
	case VALUE_BOOL: return "a boolean";
	case VALUE_NUMBER: return "a number";
	case VALUE_STRING: return "a string";
	case VALUE_ARRAY: return "an array";
	case VALUE_OBJECT: return "an object";
	}
	return "a value";
}

/* A hostile string, quoted and cut short, safe to print. */
static const char *quoted(struct buf *scratch, const char *s, size_t len)
{
	buf_reset(scratch);
	json_write_string(scratch, s, len > 60 ? 60 : len);
	if (len > 60)
		buf_puts(scratch, "...");
	return buf_str(scratch);
}

/* obj must be an object with exactly `keys` (in any order: the layout check
 * that comes later fixes the order). */
static int check_object(const struct value *obj, const char *path, const char *const *keys,
			struct err *err)
{
	struct buf scratch = BUF_INIT;
	size_t i, k;

	if (obj->type != VALUE_OBJECT)
		return field_error(err, obj, path, "expected an object, found %s",
				   json_type_name(obj->type));
	for (i = 0; i < obj->u.obj.n; i++) {
		const struct member *m = &obj->u.obj.items[i];
		for (k = 0; keys[k]; k++)
			if (m->keylen == strlen(keys[k]) && !memcmp(m->key, keys[k], m->keylen))
				break;
		if (!keys[k]) {
			field_error(err, m->val, path, "unknown key %s",
				    quoted(&scratch, m->key, m->keylen));
			buf_free(&scratch);
			return -1;
		}
	}
	for (k = 0; keys[k]; k++)
		if (!value_get(obj, keys[k]))
			return field_error(err, obj, path, "missing key \"%s\"", keys[k]);
	return 0;
}

/* A string member (or null when nullable), copied out. */
static int take_string(const struct value *obj, const char *key, const char *path, bool nullable,
		       char **out, struct err *err)
{
	const struct value *v = value_get(obj, key);
	char where[160];

	snprintf(where, sizeof where, "%s%s%s", path, *path ? "." : "", key);
	if (v->type == VALUE_NULL && nullable) {
		*out = NULL;
		return 0;
	}
	if (v->type != VALUE_STRING)
		return field_error(err, v, where, "expected a string%s, found %s",
				   nullable ? " or null" : "", json_type_name(v->type));
	if (strlen(v->u.str.ptr) != v->u.str.len)
		return field_error(err, v, where, "contains a NUL character");
	*out = xstrdup(v->u.str.ptr);
	return 0;
}

/* A whole number in [min, max] written as plain digits; range says so in words. */
static int take_integer(const struct value *v, const char *path, long long min, long long max,
			const char *range, long long *out, struct err *err)
{
	const char *t;
	size_t i;

	if (v->type != VALUE_NUMBER)
		return field_error(err, v, path, "expected a number, found %s",
				   json_type_name(v->type));
	t = v->u.number;
	for (i = 0; t[i]; i++)
		if (t[i] < '0' || t[i] > '9')
			break;
	if (t[i] || i == 0 || i > 18 || strtoll(t, NULL, 10) < min || strtoll(t, NULL, 10) > max)
		return field_error(err, v, path, "expected a whole number %s, found %.40s", range,
				   t);
	*out = strtoll(t, NULL, 10);
	return 0;
}

static int load_error(const struct value *v, const char *path, struct state_error *e,
		      struct err *err)
{
	static const char *const keys[] = { "http_status", "code", "message", NULL };
	const struct value *status;
	long long n = 0;

	if (v->type == VALUE_NULL)
		return 0;
	if (check_object(v, path, keys, err))
		return -1;
	status = value_get(v, "http_status");
	if (status->type != VALUE_NULL) {
		char where[160];
		snprintf(where, sizeof where, "%s.http_status", path);
		if (take_integer(status, where, 100, 999, "from 100 to 999 or null", &n,
				 err))
			return -1;
	}
	e->http_status = (int)n;
	if (take_string(v, "code", path, true, &e->code, err) ||
	    take_string(v, "message", path, true, &e->message, err))
		return -1;
	return 0;
}

static int load_resource_strings(const struct value *v, const char *path,
				 struct state_resource *r, struct err *err)
{
	char *kind = NULL;
	bool known;

	if (take_string(v, "kind", path, false, &kind, err) ||
	    take_string(v, "name", path, false, &r->name, err) ||
	    take_string(v, "source_id", path, true, &r->source_id, err) ||
	    take_string(v, "service", path, true, &r->service, err) ||
	    take_string(v, "id", path, true, &r->id, err) ||
	    take_string(v, "reason", path, true, &r->reason, err) ||
	    take_string(v, "sent_digest", path, true, &r->sent_digest, err)) {
		free(kind);
		return -1;
	}
	known = resource_kind_parse(kind, &r->kind);
	free(kind);
	if (!known)
		return field_error(err, value_get(v, "kind"), path,
				   "kind must be \"connection\" or \"transformation\"");
	if (r->sent_digest && !is_digest_text(r->sent_digest))
		return field_error(err, value_get(v, "sent_digest"), path,
				   "sent_digest must be \"%s\" and 64 lowercase hex digits",
				   DIGEST_PREFIX);
	return 0;
}

static int load_resource(const struct value *v, const char *path, struct state_resource *r,
			 struct err *err)
{
	static const char *const keys[] = { "kind", "name", "source_id", "service", "outcome",
					    "id", "recovered", "reason", "sent_digest", "error",
					    NULL };
	const struct value *outcome, *recovered;
	char where[160];

	if (check_object(v, path, keys, err) || load_resource_strings(v, path, r, err))
		return -1;
	outcome = value_get(v, "outcome");
	if (outcome->type != VALUE_STRING ||
	    !resource_outcome_parse(outcome->u.str.ptr, &r->outcome)) {
		struct buf scratch = BUF_INIT, names = BUF_INIT;
		enum resource_outcome o;
		for (o = 0; o < RESOURCE_N_OUTCOMES; o++)
			buf_printf(&names, "%s%s", o ? ", " : "", resource_outcome_name(o));
		field_error(err, outcome, path, "outcome must be one of %s; found %s", names.data,
			    outcome->type == VALUE_STRING ?
			    quoted(&scratch, outcome->u.str.ptr, outcome->u.str.len) :
			    json_type_name(outcome->type));
		buf_free(&names);
		buf_free(&scratch);
		return -1;
	}
	recovered = value_get(v, "recovered");
	if (recovered->type != VALUE_BOOL)
		return field_error(err, recovered, path,
				   "recovered must be true or false, found %s",
				   json_type_name(recovered->type));
	r->recovered = recovered->u.boolean;
	snprintf(where, sizeof where, "%s.error", path);
	return load_error(value_get(v, "error"), where, &r->error, err);
}

static int load_resources(const struct value *arr, struct state *st, struct err *err)
{
	char path[64];
	size_t i;

	if (arr->type != VALUE_ARRAY)
		return field_error(err, arr, "resources", "expected an array, found %s",
				   json_type_name(arr->type));
	st->resources = xcalloc(arr->u.arr.n + 1, sizeof *st->resources);
	for (i = 0; i < arr->u.arr.n; i++) {
		snprintf(path, sizeof path, "resources[%zu]", i);
		st->n_resources = i + 1;
		if (load_resource(arr->u.arr.items[i], path, &st->resources[i], err))
			return -1;
	}
	i = first_repeat(st);
	if (i == st->n_resources)
		return 0;
	snprintf(path, sizeof path, "resources[%zu]", i);
	return field_error(err, arr->u.arr.items[i], path, "%s \"%s\" is listed twice",
			   resource_kind_name(st->resources[i].kind), st->resources[i].name);
}

static int load_validation(const struct value *v, struct state *st, struct err *err)
{
	static const char *const keys[] = { "status", "acknowledged", NULL };
	const struct value *acks;
	char path[64];
	size_t i;

	if (check_object(v, "validation", keys, err) ||
	    take_string(v, "status", "validation", false, &st->validation_status, err))
		return -1;
	if (!is_validation_status(st->validation_status))
		return field_error(err, value_get(v, "status"), "validation.status",
				   "expected \"pass\" or \"pass-with-warnings\"");
	acks = value_get(v, "acknowledged");
	if (acks->type != VALUE_ARRAY)
		return field_error(err, acks, "validation.acknowledged",
				   "expected an array, found %s", json_type_name(acks->type));
	st->acknowledged = xcalloc(acks->u.arr.n + 1, sizeof *st->acknowledged);
	for (i = 0; i < acks->u.arr.n; i++) {
		const struct value *code = acks->u.arr.items[i];
		snprintf(path, sizeof path, "validation.acknowledged[%zu]", i);
		if (code->type != VALUE_STRING)
			return field_error(err, code, path, "expected a code (a string), found %s",
					   json_type_name(code->type));
		if (strlen(code->u.str.ptr) != code->u.str.len)
			return field_error(err, code, path, "contains a NUL character");
		st->acknowledged[i] = xstrdup(code->u.str.ptr);
		st->n_acknowledged = i + 1;
	}
	return 0;
}

/* One of the forms a validation report's plan_checksum may take (what
 * apply copies here): blake2b-256:<64 hex>, blake2b-512:<128 hex>,
 * sha256:<64 hex>. */
static int check_plan_checksum(const struct value *v, const char *text, struct err *err)
{
	struct buf scratch = BUF_INIT;
	enum digest_algo algo;
	struct err why;

	if (!digest_checksum_parse(text, &algo, &why))
		return 0;
	field_error(err, v, "plan_checksum", "expected one of %s; found %s", digest_checksum_forms,
		    quoted(&scratch, v->u.str.ptr, v->u.str.len));
	buf_free(&scratch);
	return -1;
}

/* tag_member: "digest" or "mac", whichever closes this file. */
static int load_fields(const struct value *root, const char *tag_member, struct state *st,
		       struct err *err)
{
	const char *const keys[] = { "version", "lineage", "serial", "plan_checksum",
				     "validation", "target", "resources", tag_member, NULL };
	static const char *const target_keys[] = { "group_id", "group_name", NULL };
	const struct value *target = value_get(root, "target");

	if (check_object(root, "the state", keys, err) ||
	    take_string(root, "lineage", "", false, &st->lineage, err))
		return -1;
	if (!is_lineage(st->lineage))
		return field_error(err, value_get(root, "lineage"), "lineage",
				   "expected %d lowercase hex digits", LINEAGE_LEN);
	if (take_integer(value_get(root, "serial"), "serial", 1, LLONG_MAX, "of at least 1",
			 &st->serial, err) ||
	    take_string(root, "plan_checksum", "", false, &st->plan_checksum, err) ||
	    check_plan_checksum(value_get(root, "plan_checksum"), st->plan_checksum, err) ||
	    load_validation(value_get(root, "validation"), st, err) ||
	    check_object(target, "target", target_keys, err) ||
	    take_string(target, "group_id", "target", false, &st->target_group_id, err) ||
	    take_string(target, "group_name", "target", true, &st->target_group_name, err) ||
	    load_resources(value_get(root, "resources"), st, err))
		return -1;
	return 0;
}

/* The version decides how the rest is read, so it is checked first. */
static int check_version(const struct value *root, struct err *err)
{
	const struct value *v;

	if (root->type != VALUE_OBJECT)
		return err_set(err, "not a ccapply state file: the top level is %s, not an object",
			       json_type_name(root->type));
	v = value_get(root, "version");
	if (!v)
		return err_set(err, "not a ccapply state file: no \"version\" member");
	if (v->type != VALUE_NUMBER)
		return field_error(err, v, "version", "expected a number, found %s",
				   json_type_name(v->type));
	if (strcmp(v->u.number, "1"))
		return err_set(err, "unsupported state version %.40s (this ccapply reads %d); "
			       "use the ccapply that wrote it", v->u.number, STATE_VERSION);
	return 0;
}

/* Where the tag line starts: the line before the closing "}\n", or -1 when
 * data does not end in "\n}\n". */
static ptrdiff_t tag_line_start(const char *data, size_t len)
{
	size_t i;

	if (len < 3 || memcmp(data + len - 3, "\n}\n", 3))
		return -1;
	for (i = len - 3; i > 0 && data[i - 1] != '\n'; i--)
		;
	return (ptrdiff_t)i;
}

/* Does line (through its newline, then "}\n") have form f with 64 hex? */
static bool is_tag_line(const char *line, size_t len, const struct tag_form *f)
{
	size_t head = strlen(f->head), prefix = strlen(f->prefix);
	size_t i;

	if (len != head + prefix + 64 + sizeof TAG_LINE_TAIL - 1 || memcmp(line, f->head, head) ||
	    memcmp(line + head, f->prefix, prefix) ||
	    memcmp(line + len - (sizeof TAG_LINE_TAIL - 1), TAG_LINE_TAIL,
		   sizeof TAG_LINE_TAIL - 1))
		return false;
	for (i = 0; i < 64; i++) {
		char c = line[head + prefix + i];
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			return false;
	}
	return true;
}

/* The key policy of state.h: a MAC needs the key, a key needs a MAC. */
static int check_tag_policy(const struct tag_form *found, const struct state_key *key,
			    struct err *err)
{
	if (found == &mac_form && !key)
		return err_set(err, "the file carries a keyed MAC (\"mac\"), and "
			       STATE_KEY_ENV " is not set: set it to the key the file was "
			       "written with; without the key ccapply cannot tell the file from a "
			       "forgery, and will neither use nor overwrite it");
	if (found == &digest_form && key)
		return err_set(err, "the file carries a plain digest, not a MAC, although "
			       STATE_KEY_ENV " is set: it is unauthenticated (anyone can write a "
			       "file with a valid digest). If you trust it (review it; `ccapply "
			       "state verify` without the key checks its digest), put it under the "
			       "key with `ccapply state sign`");
	return 0;
}

int state_check_tag(const char *data, size_t len, const struct state_key *key,
		    const char **mode, struct err *err)
{
	const struct tag_form *f = key ? &mac_form : &digest_form;
	ptrdiff_t at = tag_line_start(data, len);
	const char *value;
	char hex[65];

	if (at >= 0 && is_tag_line(data + at, len - (size_t)at, &digest_form))
		f = &digest_form;
	else if (at >= 0 && is_tag_line(data + at, len - (size_t)at, &mac_form))
		f = &mac_form;
	else
		return err_set(err, "%s: not the last line before the closing brace, where ccapply "
			       "writes it (as %s%s<64 hex>\"): the file was modified outside "
			       "ccapply, or is truncated; " ADVICE, f->member,
			       f->head + 2 /* the indentation */, f->prefix);
	if (check_tag_policy(f, key, err))
		return -1;
	value = data + at + strlen(f->head) + strlen(f->prefix);
	tag_hex(data, (size_t)at, key, hex);
	if (f == &mac_form && memcmp(hex, value, 64))
		/* Never show the MAC the contents would need: that would forge it. */
		return err_set(err, "MAC mismatch: the file was changed without the key, or "
			       STATE_KEY_ENV " is not the key it was written with; " ADVICE);
	if (memcmp(hex, value, 64))
		return err_set(err, "digest mismatch: the file was modified outside ccapply "
			       "(it records %s%.64s, its contents hash to %s%s); " ADVICE,
			       DIGEST_PREFIX, value, DIGEST_PREFIX, hex);
	*mode = f->member;
	return 0;
}

/* The tag member as JSON sees it, before the raw check: there, of the right
 * form, and allowed by the key policy. *member gets its name. */
static int check_tag_member(const struct value *root, const struct state_key *key,
			    const char **member, struct err *err)
{
	const struct value *d = value_get(root, "digest"), *m = value_get(root, "mac");
	const struct tag_form *f = d ? &digest_form : &mac_form;
	const struct value *v = d ? d : m;
	size_t plen = strlen(f->prefix);

	if (d && m)
		return field_error(err, m, "mac", "a state file carries a digest or a mac, not "
				   "both: the file was modified outside ccapply; " ADVICE);
	if (!v)
		return err_set(err, "no \"%s\" member: the file was modified outside ccapply; "
			       ADVICE, key ? "mac" : "digest");
	if (v->type != VALUE_STRING || v->u.str.len != plen + 64 ||
	    strncmp(v->u.str.ptr, f->prefix, plen) || !is_lower_hex(v->u.str.ptr + plen, 64))
		return field_error(err, v, f->member, "expected \"%s\" and 64 lowercase hex digits",
				   f->prefix);
	*member = f->member;
	return check_tag_policy(f, key, err);
}

/* The file must be exactly what ccapply renders from its content: the body,
 * then one tag line (checked by state_check_tag()) and "}\n". */
static int check_layout(const char *data, size_t len, const struct state *st,
			const char *tag_member, struct span *spans, struct err *err)
{
	struct buf canon = BUF_INIT;
	ptrdiff_t at = tag_line_start(data, len);
	size_t i, n;
	int line = 1;

	render_body(st, st->serial, &canon, spans);
	if (at >= 0 && canon.len == (size_t)at && !memcmp(canon.data, data, canon.len) &&
	    (is_tag_line(data + at, len - (size_t)at, &digest_form) ||
	     is_tag_line(data + at, len - (size_t)at, &mac_form))) {
		buf_free(&canon);
		return 0;
	}
	n = canon.len < len ? canon.len : len;
	for (i = 0; i < n && canon.data[i] == data[i]; i++)
		if (data[i] == '\n')
			line++;
	buf_free(&canon);
	return err_set(err, "line %d: not laid out exactly as ccapply writes it, although its "
		       "%s matches (was the %s recomputed after an edit?); " ADVICE, line,
		       tag_member, tag_member);
}

/* Does data begin the way a JSON object does (after a byte order mark,
 * which the parser reports, and white space)? Empty counts: what a crash
 * while creating the file leaves. */
static bool starts_like_object(const char *data, size_t len)
{
	size_t i = 0;

	if (len >= 3 && !memcmp(data, "\xEF\xBB\xBF", 3))
		i = 3;
	while (i < len && (data[i] == ' ' || data[i] == '\t' || data[i] == '\n' ||
			   data[i] == '\r'))
		i++;
	return i == len || data[i] == '{';
}

/* Say what a parse error probably means: bytes that do not even start like
 * JSON (binary data, another format) are not a state file at all; a file
 * that starts like one but does not end in "}" and a newline was cut off. */
static void hint_parse_error(const char *data, size_t len, struct err *err)
{
	char msg[ERR_MSG_MAX];

	if (!starts_like_object(data, len))
		snprintf(msg, sizeof msg, "%s; this is not a ccapply state file (not JSON: a "
			 "state file is a JSON object, starting with \"{\"): %s", err->msg,
			 ADVICE);
	else if (len >= 2 && !memcmp(data + len - 2, "}\n", 2))
		return;
	else
		snprintf(msg, sizeof msg, "%s; the file looks truncated (a state file ends with "
			 "\"}\" and a newline): %s", err->msg, ADVICE);
	err_set(err, "%s", msg);
}

/* The tag member's name when the tag is not being checked: whichever is
 * there (load_fields() then insists on exactly the known keys). */
static const char *present_tag_member(const struct value *root)
{
	return value_get(root, "mac") && !value_get(root, "digest") ? "mac" : "digest";
}

/* state_parse(); with spans (not NULL), *spans gets where each resource's
 * fragment sits in data (the caller frees it). */
static int parse_document(const char *data, size_t len, const struct state_key *key,
			  bool check_tag, struct state **out, struct span **spans,
			  struct err *err)
{
	struct value *root = NULL;
	struct state *st;
	struct span *where = NULL;
	const char *member = NULL, *mode;
	int rc = -1;

	*out = NULL;
	if (json_parse(data, len, &root, err)) {
		hint_parse_error(data, len, err);
		return -1;
	}
	st = xcalloc(1, sizeof *st);
	if (!check_version(root, err) &&
	    !(check_tag && (check_tag_member(root, key, &member, err) ||
			    state_check_tag(data, len, key, &mode, err)))) {
		if (!member)
			member = present_tag_member(root);
		if (!load_fields(root, member, st, err)) {
			where = xcalloc(st->n_resources + 1, sizeof *where);
			rc = check_layout(data, len, st, member, where, err);
		}
	}
	value_free(root);
	if (rc) {
		free(where);
		state_free(st);
		return -1;
	}
	if (spans)
		*spans = where;
	else
		free(where);
	*out = st;
	return 0;
}

int state_parse(const char *data, size_t len, const struct state_key *key, bool check_tag,
		struct state **out, struct err *err)
{
	return parse_document(data, len, key, check_tag, out, NULL, err);
}

static char **copy_strings(char *const *v, size_t n)
{
	char **out = xcalloc(n + 1, sizeof *out);
	size_t i;

	for (i = 0; i < n; i++)
		out[i] = dup_or_null(v[i]);
	return out;
}

/* Make c hold the same content as st: every member but the resources, and
 * the resources flagged in changed (NULL: all of them; a resource c does
 * not have yet counts as changed). The others are equal already. */
static void content_sync(struct state *c, const struct state *st, const bool *changed)
{
	size_t i, had = c->n_resources;

	free(c->lineage);
	c->lineage = dup_or_null(st->lineage);
	c->serial = st->serial;
	free(c->plan_checksum);
	c->plan_checksum = dup_or_null(st->plan_checksum);
	free(c->validation_status);
	c->validation_status = dup_or_null(st->validation_status);
	for (i = 0; i < c->n_acknowledged; i++)
		free(c->acknowledged[i]);
	free(c->acknowledged);
	c->acknowledged = copy_strings(st->acknowledged, st->n_acknowledged);
	c->n_acknowledged = st->n_acknowledged;
	free(c->target_group_id);
	c->target_group_id = dup_or_null(st->target_group_id);
	free(c->target_group_name);
	c->target_group_name = dup_or_null(st->target_group_name);
	for (i = st->n_resources; i < had; i++)
		state_resource_clear(&c->resources[i]);
	if (had != st->n_resources || !c->resources) {
		c->resources = xrealloc(c->resources, (st->n_resources + 1) * sizeof *c->resources);
		for (i = had; i < st->n_resources; i++)
			memset(&c->resources[i], 0, sizeof c->resources[i]);
	}
	c->n_resources = st->n_resources;
	for (i = 0; i < st->n_resources; i++) {
		if (changed && !changed[i] && i < had)
			continue;
		state_resource_clear(&c->resources[i]);
		copy_resource(&c->resources[i], &st->resources[i]);
	}
}

/* A struct state_saved for path under key (NULL: a digest), holding
 * nothing yet. */
static struct state_saved *saved_new(const char *path, const struct state_key *key)
{
	struct state_saved *sv = xcalloc(1, sizeof *sv);

	sv->path = xstrdup(path);
	sv->keyed = key != NULL;
	if (key)
		sv->key = *key;
	sv->content = xcalloc(1, sizeof *sv->content);
	return sv;
}

static void forget(struct state *st)
{
	saved_free(st->saved);
	st->saved = NULL;
}

static void buf_swap(struct buf *a, struct buf *b)
{
	struct buf t = *a;

	*a = *b;
	*b = t;
}

/* Read the state file at path into data (emptied first); *exists false
 * (and no error) when there is none. A regular file of bounded size,
 * checked on the descriptor it is read from (lib/fileio.h). */
static int read_state_file(const char *path, struct buf *data, bool *exists, struct err *err)
{
	*exists = false;
	buf_reset(data);
	if (fileio_read_input(path, 0, data, err)) {
		buf_reset(data);
		if (err->code == ENOENT)
			return 0;
		return -1;
	}
	*exists = true;
	return 0;
}

/* Parse data, the bytes of path, and remember them (taken over: data is
 * left empty) in the result. */
static int load_bytes(const char *path, struct buf *data, const struct state_key *key,
		      struct state **out, struct err *err)
{
	struct state_saved *sv;
	struct span *spans;

	if (parse_document(data->data ? data->data : "", data->len, key, true, out, &spans, err))
		return err_prefix_file(err, path);
	sv = saved_new(path, key);
	content_sync(sv->content, *out, NULL);
	render_head(*out, 0, &sv->head0);
	sv->spans = spans;
	buf_swap(&sv->doc, data);
	(*out)->saved = sv;
	return 0;
}

int state_load_keyed(const char *path, const struct state_key *key, struct state **out,
		     struct err *err)
{
	struct buf data = BUF_INIT;
	bool exists;
	int rc;

	*out = NULL;
	if (read_state_file(path, &data, &exists, err))
		return -1;
	if (!exists)
		return 0;
	rc = load_bytes(path, &data, key, out, err);
	buf_free(&data);
	return rc;
}

int state_load(const char *path, struct state **out, struct err *err)
{
	struct state_key key;
	bool have;
	int rc;

	*out = NULL;
	if (state_key_from_env(&key, &have, err))
		return err_prefix(err, "%s", path);
	rc = state_load_keyed(path, have ? &key : NULL, out, err);
	key_wipe(&key);
	return rc;
}

/* -------------------------------------------------------------- saving */

static int read_random(unsigned char *p, size_t n, struct err *err)
{
	size_t got = 0;
	int fd;

	while (got < n) {
		ssize_t r = getrandom(p + got, n - got, 0);
		if (r > 0)
			got += (size_t)r;
		else if (r < 0 && errno != EINTR)
			break;
	}
	if (got == n)
		return 0;
	fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return err_set(err, "cannot read random bytes: %s", strerror(errno));
	for (got = 0; got < n;) {
		ssize_t r = read(fd, p + got, n - got);
		if (r <= 0 && !(r < 0 && errno == EINTR)) {
			close(fd);
			return err_set(err, "cannot read random bytes from /dev/urandom");
		}
		if (r > 0)
			got += (size_t)r;
	}
	close(fd);
	return 0;
}

static int new_lineage(char **out, struct err *err)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char raw[LINEAGE_LEN / 2];
	char *text;
	size_t i;

	if (read_random(raw, sizeof raw, err))
		return -1;
	text = xmalloc(LINEAGE_LEN + 1);
	for (i = 0; i < sizeof raw; i++) {
		text[2 * i] = hex[raw[i] >> 4];
		text[2 * i + 1] = hex[raw[i] & 15];
	}
	text[LINEAGE_LEN] = '\0';
	*out = text;
	return 0;
}

/* Bring st->saved up to date with the file at path: kept while the file
 * holds the bytes it remembers (*kept), else loaded again (NULL when there
 * is no file). A file that does not load is an error: it is never
 * overwritten. */
static int refresh_saved(const char *path, const struct state_key *key, struct state *st,
			 bool *kept, struct err *err)
{
	struct state_saved *sv = st->saved;
	struct buf fresh = BUF_INIT;
	struct buf *data = sv ? &sv->spare : &fresh;
	struct state *old = NULL;
	bool exists;

	*kept = false;
	if (read_state_file(path, data, &exists, err))
		return -1;
	if (exists && sv && !strcmp(sv->path, path) && sv->keyed == (key != NULL) &&
	    (!key || !memcmp(sv->key.bytes, key->bytes, STATE_KEY_LEN)) &&
	    sv->doc.len == data->len && !memcmp(sv->doc.data, data->data, data->len)) {
		*kept = true;
		return 0;
	}
	if (data != &fresh)
		buf_swap(&fresh, data);
	forget(st);
	if (exists && load_bytes(path, &fresh, key, &old, err)) {
		buf_free(&fresh);
		return -1;
	}
	buf_free(&fresh);
	if (old) {
		st->saved = old->saved;
		old->saved = NULL;
		state_free(old);
	}
	return 0;
}

/* The fragments of the changed resources, rendered one after another into
 * out; spans[i] says where resource i's is (only changed ones are set). */
static void render_changed(const struct state *st, const struct changes *ch, struct buf *out,
			   struct span *spans)
{
	size_t i;

	for (i = 0; i < st->n_resources; i++) {
		if (!ch->changed[i])
			continue;
		spans[i].at = out->len;
		render_fragment(&st->resources[i], out);
		spans[i].len = out->len - spans[i].at;
	}
}

static bool same_bytes(const char *a, size_t alen, const char *b, size_t blen)
{
	return alen == blen && !memcmp(a, b, alen);
}

/* Would st render (serial aside) to the bytes sv remembers? head0 is
 * render_head(st, 0), fresh and spans the fragments of the changed
 * resources. Fields can differ and still render the same: acknowledgments
 * in another order, a bad UTF-8 byte against its U+FFFD. */
static bool renders_as_saved(const struct state *st, const struct state_saved *sv,
			     const struct changes *ch, const struct buf *head0,
			     const struct buf *fresh, const struct span *spans)
{
	size_t i;

	if (st->n_resources != sv->content->n_resources ||
	    !same_bytes(head0->data, head0->len, sv->head0.data, sv->head0.len))
		return false;
	for (i = 0; i < st->n_resources; i++)
		if (ch->changed[i] &&
		    !same_bytes(fresh->data + spans[i].at, spans[i].len,
				sv->doc.data + sv->spans[i].at, sv->spans[i].len))
			return false;
	return true;
}

/* Write st with the given serial and tag, and remember what was written.
 * The document is assembled: the head rendered now, the fragments of the
 * changed resources from fresh (at fresh_spans), every other fragment copied
 * from the bytes st->saved remembers (which then must be the file's: see
 * refresh_saved()). head0 (render_head(st, 0)) is taken over. */
static int write_state(const char *path, const struct state_key *key, struct state *st,
		       long long serial, const struct changes *ch, const struct buf *fresh,
		       const struct span *fresh_spans, struct buf *head0, unsigned flags,
		       struct err *err)
{
	struct state_saved *sv = st->saved;
	struct buf own = BUF_INIT;
	struct buf *doc = sv ? &sv->spare : &own;
	struct span *spans = xcalloc(st->n_resources + 1, sizeof *spans);
	size_t i;

	buf_reset(doc);
	render_head(st, serial, doc);
	for (i = 0; i < st->n_resources; i++) {
		const char *from = ch->changed[i] ? fresh->data + fresh_spans[i].at :
				   sv->doc.data + sv->spans[i].at;
		size_t len = ch->changed[i] ? fresh_spans[i].len : sv->spans[i].len;

		if (i)
			buf_putc(doc, ',');
		spans[i].at = doc->len;
		spans[i].len = len;
		buf_append(doc, from, len);
	}
	render_tail(st->n_resources, doc);
	append_tag(doc, key);
	if (fileio_write_atomic_flags(path, doc->data, doc->len, flags, err)) {
		free(spans);
		buf_free(&own);
		return -1;
	}
	st->serial = serial;
	if (!sv) {
		sv = saved_new(path, key);
		st->saved = sv;
		content_sync(sv->content, st, NULL);
	} else {
		content_sync(sv->content, st, ch->changed);
		sv->keyed = key != NULL;
		if (key)
			sv->key = *key;
		else
			key_wipe(&sv->key);
	}
	buf_swap(&sv->doc, doc);
	buf_free(&own);
	free(sv->spans);
	sv->spans = spans;
	buf_swap(&sv->head0, head0);
	return 0;
}

/* state_save_keyed() with fileio_write_atomic_flags()'s flags. */
static int save(const char *path, const struct state_key *key, struct state *st,
		unsigned flags, bool *written, struct err *err)
{
	struct buf head0 = BUF_INIT, fresh = BUF_INIT;
	struct span *spans = NULL;
	struct changes ch;
	const struct state *was;
	long long base;
	bool kept;
	int rc = -1;

	*written = false;
	/* The copy st->saved holds was checked when it was loaded or written,
	 * so only what differs from it needs checking (even if the file has
	 * changed since: the check is of st). */
	find_changes(st, st->saved, &ch);
	if (check_state(st, &ch, err)) {
		changes_free(&ch);
		return err_prefix(err, "%s: refusing to write an invalid state", path);
	}
	if (refresh_saved(path, key, st, &kept, err)) {
		changes_free(&ch);
		return err_prefix(err, "cannot update the state");
	}
	if (!kept) {
		changes_free(&ch);
		find_changes(st, st->saved, &ch);
	}
	was = st->saved ? st->saved->content : NULL;
	if (!st->lineage && was)
		st->lineage = xstrdup(was->lineage);
	if (!st->lineage && new_lineage(&st->lineage, err)) {
		err_prefix(err, "%s", path);
		goto out;
	}
	render_head(st, 0, &head0);
	spans = xcalloc(st->n_resources + 1, sizeof *spans);
	render_changed(st, &ch, &fresh, spans);
	/* Same content (serial and tag aside): leave the file alone. */
	if (was && renders_as_saved(st, st->saved, &ch, &head0, &fresh, spans)) {
		st->serial = was->serial;
		rc = 0;
		goto out;
	}
	base = was && was->serial > st->serial ? was->serial : st->serial;
	if (base == LLONG_MAX) {
		err_set(err, "%s: serial cannot grow any further", path);
		goto out;
	}
	rc = write_state(path, key, st, base + 1, &ch, &fresh, spans, &head0, flags, err);
	*written = rc == 0;
out:
	changes_free(&ch);
	buf_free(&head0);
	buf_free(&fresh);
	free(spans);
	return rc;
}

int state_save_keyed(const char *path, const struct state_key *key, struct state *st,
		     bool *written, struct err *err)
{
	return save(path, key, st, 0, written, err);
}

int state_save_flags(const char *path, struct state *st, unsigned flags, bool *written,
		     struct err *err)
{
	struct state_key key;
	bool have;
	int rc;

	*written = false;
	if (state_key_from_env(&key, &have, err))
		return err_prefix(err, "cannot update the state %s", path);
	rc = save(path, have ? &key : NULL, st, flags, written, err);
	key_wipe(&key);
	return rc;
}

int state_save(const char *path, struct state *st, bool *written, struct err *err)
{
	return state_save_flags(path, st, 0, written, err);
}

int state_retag(const char *path, const struct state_key *old_key,
		const struct state_key *new_key, struct err *err)
{
	struct state *st = NULL;
	struct buf head0 = BUF_INIT, none = BUF_INIT;
	struct changes ch;
	int rc;

	if (state_load_keyed(path, old_key, &st, err))
		return -1;
	if (!st)
		return err_set(err, "%s: no state file", path);
	if (st->serial == LLONG_MAX) {
		state_free(st);
		return err_set(err, "%s: serial cannot grow any further", path);
	}
	find_changes(st, st->saved, &ch); /* nothing: every fragment is reused */
	render_head(st, 0, &head0);
	rc = write_state(path, new_key, st, st->serial + 1, &ch, &none, NULL, &head0, 0, err);
	changes_free(&ch);
	buf_free(&head0);
	state_free(st);
	return rc;
}

const char *state_ack_accepting(char *const *acknowledged, size_t n, const char *reason,
				const char *name)
{
	size_t i, len = reason ? strlen(reason) : 0;

	for (i = 0; len && i < n; i++) {
		const char *a = acknowledged[i];
		if (!a || strncmp(a, reason, len))
			continue;
		if (!a[len] || (a[len] == ':' && name && !strcmp(a + len + 1, name)))
			return a;
	}
	return NULL;
}

const char *state_skip_accepted(const struct state *st, const struct state_resource *r)
{
	if (!st || !r || r->outcome != OUTCOME_SKIPPED)
		return NULL;
	return state_ack_accepting(st->acknowledged, st->n_acknowledged, r->reason, r->name);
}
