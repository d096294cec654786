/*
 * journal.c — ccapply.journal, the hash-chained log of write requests (see
 * journal.h and docs/state-format.md, "The journal").
 *
 * One struct (struct jline) describes a line, one function renders it, and a
 * line read back is trusted only when it renders to exactly its own bytes —
 * the state file's rule, so there is one format and no second reader to keep
 * in step. Reading and appending share index_line(), which applies a line to
 * the per-resource index (the latest record of each resource) and enforces
 * the rules an outcome must follow; so apply cannot write a line that a
 * later read would reject.
 *
 * Durability: each line goes out in one write(2) on an O_APPEND descriptor
 * and is fsynced before the call returns (and the directory after the file is
 * created), so an intent is on disk before its request leaves the process. A
 * crash can at worst leave the last line cut short, which reading reports.
 */
#include "state/journal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/buf.h"
#include "lib/digest.h"
#include "lib/fileio.h"
#include "lib/json.h"
#include "lib/value.h"
#include "state/state.h"

#define DIGEST_PREFIX "blake2b-256:"

/* One line. Strings are borrowed: from the caller when writing, from the
 * parsed JSON when reading. */
struct jline {
	long long seq;
	const char *prev;
	const char *time;
	bool outcome;            /* else an intent */
	const char *kind;        /* resource_kind_name(), or as read: checked by index_line() */
	const char *name;
	/* intent */
	const char *method;
	const char *path;
	const char *body_digest;
	/* outcome */
	long long intent;
	enum resource_outcome result; /* OUTCOME_CREATED or OUTCOME_FAILED */
	int http_status;         /* 0 written as null */
	const char *id;
	const char *error_code;
	bool recovered;
};

struct journal {
	char *path;
	bool exists;
	int fd;                  /* -1 until the first append */
	off_t size;              /* bytes in the file as read or written */
	long long lines;
	char prev[65];           /* hash of the last line, or the genesis value */
	struct journal_entry *entries;
	size_t n_entries, cap_entries;
};

/* ------------------------------------------------------------ rendering */

static void render_line(const struct jline *l, struct buf *out)
{
	struct json_writer w;

	jw_init(&w, out, JSON_COMPACT);
	jw_object_begin(&w);
	jw_key(&w, "seq");
	jw_int(&w, l->seq);
	jw_key(&w, "prev");
	jw_string(&w, l->prev);
	jw_key(&w, "time");
	jw_string(&w, l->time);
	jw_key(&w, "type");
	jw_string(&w, l->outcome ? "outcome" : "intent");
	if (l->outcome) {
		jw_key(&w, "intent");
		jw_int(&w, l->intent);
	}
	jw_key(&w, "kind");
	jw_string(&w, l->kind);
	jw_key(&w, "name");
	jw_string(&w, l->name);
	if (!l->outcome) {
		jw_key(&w, "method");
		jw_string(&w, l->method);
		jw_key(&w, "path");
		jw_string(&w, l->path);
		jw_key(&w, "body_digest");
		jw_string(&w, l->body_digest);
	} else {
		jw_key(&w, "result");
		jw_string(&w, resource_outcome_name(l->result));
		jw_key(&w, "http_status");
		if (l->http_status)
			jw_int(&w, l->http_status);
		else
			jw_null(&w);
		jw_key(&w, "id");
		jw_string(&w, l->id);
		jw_key(&w, "error_code");
		jw_string(&w, l->error_code);
		jw_key(&w, "recovered");
		jw_bool(&w, l->recovered);
	}
	jw_object_end(&w);
	buf_putc(out, '\n');
}

/* ---------------------------------------------------------------- index */

static struct journal_entry *find_entry(const struct journal *j, enum resource_kind kind,
					const char *name)
{
	size_t i;

	for (i = 0; i < j->n_entries; i++)
		if (j->entries[i].kind == kind && !strcmp(j->entries[i].name, name))
			return &j->entries[i];
	return NULL;
}

const struct journal_entry *journal_find(const struct journal *j, enum resource_kind kind,
					 const char *name)
{
	return j && name ? find_entry(j, kind, name) : NULL;
}

static void set_str(char **field, const char *value)
{
	free(*field);
	*field = value ? xstrdup(value) : NULL;
}

static bool is_digest_text(const char *s)
{
	size_t i, plen = sizeof DIGEST_PREFIX - 1;

	if (!s || strlen(s) != plen + 64 || strncmp(s, DIGEST_PREFIX, plen))
		return false;
	for (i = plen; s[i]; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

/* Apply line l to the index, after checking what its content must satisfy.
 * Errors name no line: callers prefix it. */
static int index_line(struct journal *j, const struct jline *l, struct err *err)
{
	struct journal_entry *e;
	enum resource_kind kind;

	if (!resource_kind_parse(l->kind, &kind))
		return err_set(err, "kind must be \"connection\" or \"transformation\"");
	if (!l->name || !*l->name)
		return err_set(err, "no resource name");
	e = find_entry(j, kind, l->name);
	if (!l->outcome) {
		if (!l->method || !*l->method || !l->path || l->path[0] != '/')
			return err_set(err, "an intent needs a method and a path starting with /");
		if (!is_digest_text(l->body_digest))
			return err_set(err, "body_digest must be \"%s\" and 64 lowercase hex "
				       "digits", DIGEST_PREFIX);
		if (!e) {
			j->entries = xgrow(j->entries, &j->cap_entries, j->n_entries + 1,
					   sizeof *j->entries);
			e = &j->entries[j->n_entries++];
			memset(e, 0, sizeof *e);
			e->kind = kind;
			e->name = xstrdup(l->name);
		}
		e->status = JOURNAL_IN_FLIGHT;
		e->intent_line = l->seq;
		e->outcome_line = 0;
		set_str(&e->body_digest, l->body_digest);
		set_str(&e->intent_time, l->time);
		e->http_status = 0;
		set_str(&e->id, NULL);
		set_str(&e->error_code, NULL);
		e->recovered = false;
		return 0;
	}
	if (!e || e->status != JOURNAL_IN_FLIGHT || e->intent_line != l->intent)
		return err_set(err, "an outcome for line %lld, which is not the open request of "
			       "%s \"%s\"", l->intent, l->kind, l->name);
	if (l->result == OUTCOME_CREATED && (!l->id || !*l->id))
		return err_set(err, "a created outcome without an id");
	if (l->http_status && (l->http_status < 100 || l->http_status > 999))
		return err_set(err, "http_status %d is not an HTTP status", l->http_status);
	e->status = l->result == OUTCOME_CREATED ? JOURNAL_CREATED : JOURNAL_FAILED;
	e->outcome_line = l->seq;
	e->http_status = l->http_status;
	set_str(&e->id, l->id);
	set_str(&e->error_code, l->error_code);
	e->recovered = l->recovered;
	return 0;
}

/* -------------------------------------------------------------- reading */

static const char *member_string(const struct value *o, const char *key, bool nullable,
				 bool *bad)
{
	const struct value *v = value_get(o, key);

	if (v && v->type == VALUE_NULL && nullable)
		return NULL;
	if (!v || v->type != VALUE_STRING || strlen(v->u.str.ptr) != v->u.str.len) {
		*bad = true;
		return NULL;
	}
	return v->u.str.ptr;
}

/* A whole number of at most 18 digits, or 0 for null when nullable. */
static long long member_int(const struct value *o, const char *key, bool nullable, bool *bad)
{
	const struct value *v = value_get(o, key);
	size_t n;

	if (v && v->type == VALUE_NULL && nullable)
		return 0;
	if (!v || v->type != VALUE_NUMBER) {
		*bad = true;
		return 0;
	}
	n = strspn(v->u.number, "0123456789");
	if (n == 0 || n > 18 || v->u.number[n]) {
		*bad = true;
		return 0;
	}
	return strtoll(v->u.number, NULL, 10);
}

static bool member_bool(const struct value *o, const char *key, bool *bad)
{
	const struct value *v = value_get(o, key);

	if (!v || v->type != VALUE_BOOL) {
		*bad = true;
		return false;
	}
	return v->u.boolean;
}

/* Fill l from the parsed object (strings borrowed from it). */
static int line_fields(const struct value *o, struct jline *l, struct err *err)
{
	const char *type, *result = NULL;
	bool bad = false;

	if (o->type != VALUE_OBJECT)
		return err_set(err, "not a JSON object");
	l->seq = member_int(o, "seq", false, &bad);
	l->prev = member_string(o, "prev", false, &bad);
	l->time = member_string(o, "time", false, &bad);
	type = member_string(o, "type", false, &bad);
	l->kind = member_string(o, "kind", false, &bad);
	l->name = member_string(o, "name", false, &bad);
	if (bad)
		return err_set(err, "seq, prev, time, type, kind and name must all be there, with "
			       "the types ccapply writes");
	l->outcome = !strcmp(type, "outcome");
	if (!l->outcome && strcmp(type, "intent"))
		return err_set(err, "type must be \"intent\" or \"outcome\"");
	if (!l->outcome) {
		l->method = member_string(o, "method", false, &bad);
		l->path = member_string(o, "path", false, &bad);
		l->body_digest = member_string(o, "body_digest", false, &bad);
	} else {
		l->intent = member_int(o, "intent", false, &bad);
		result = member_string(o, "result", false, &bad);
		l->http_status = (int)member_int(o, "http_status", true, &bad);
		l->id = member_string(o, "id", true, &bad);
		l->error_code = member_string(o, "error_code", true, &bad);
		l->recovered = member_bool(o, "recovered", &bad);
	}
	if (bad)
		return err_set(err, "a member of this %s is missing or of the wrong type",
			       l->outcome ? "outcome" : "intent");
	if (result && (!resource_outcome_parse(result, &l->result) ||
		       (l->result != OUTCOME_CREATED && l->result != OUTCOME_FAILED)))
		return err_set(err, "result must be \"created\" or \"failed\"");
	return 0;
}

/* Check line number n (text[0..len), its newline included) against the
 * chain and the rules, and apply it. */
static int read_line(struct journal *j, const char *text, size_t len, struct err *err)
{
	struct value *root = NULL;
	struct buf again = BUF_INIT;
	struct jline l;
	long long n = j->lines + 1;
	int rc = -1;

	memset(&l, 0, sizeof l);
	if (json_parse(text, len - 1, &root, err)) {
		err_prefix(err, "line %lld: not valid JSON", n);
		return -1;
	}
	if (line_fields(root, &l, err)) {
		err_prefix(err, "line %lld", n);
		goto out;
	}
	if (strcmp(l.prev, j->prev)) {
		if (n == 1)
			err_set(err, "line 1: \"prev\" is not %s, the value that starts a journal: "
				"lines were removed from its start, or line 1 was changed",
				JOURNAL_GENESIS);
		else
			err_set(err, "line %lld: \"prev\" is not the BLAKE2b-256 of line %lld: "
				"line %lld was changed after it was written, or lines were "
				"removed, inserted or reordered", n, n - 1, n - 1);
		goto out;
	}
	if (l.seq != n) {
		err_set(err, "line %lld: \"seq\" is %lld, not the line number", n, l.seq);
		goto out;
	}
	render_line(&l, &again);
	if (again.len != len || memcmp(again.data, text, len)) {
		err_set(err, "line %lld: not laid out exactly as ccapply writes it", n);
		goto out;
	}
	if (index_line(j, &l, err)) {
		err_prefix(err, "line %lld", n);
		goto out;
	}
	digest_blake2b_256_hex(text, len, j->prev);
	j->lines = n;
	rc = 0;
out:
	buf_free(&again);
	value_free(root);
	return rc;
}

static int read_all(struct journal *j, const char *data, size_t len, struct err *err)
{
	size_t at = 0;

	while (at < len) {
		const char *nl = memchr(data + at, '\n', len - at);
		if (!nl)
			return err_set(err, "line %lld is cut short (no newline at its end): a "
				       "write was interrupted, by a crash or a full disk",
				       j->lines + 1);
		if (read_line(j, data + at, (size_t)(nl - (data + at)) + 1, err))
			return -1;
		at = (size_t)(nl - data) + 1;
	}
	return 0;
}

int journal_open(const char *path, struct journal **out, struct err *err)
{
	struct journal *j = xcalloc(1, sizeof *j);
	struct buf data = BUF_INIT;

	*out = NULL;
	j->path = xstrdup(path);
	j->fd = -1;
	memcpy(j->prev, JOURNAL_GENESIS, sizeof j->prev);
	/* Never through a link: apply appends to what it reads here. */
	if (fileio_read_input(j->path, FILEIO_NOFOLLOW, &data, err)) {
		buf_free(&data);
		if (err->code == ENOENT) {
			*out = j;
			return 0;
		}
		err_prefix(err, "cannot read the journal");
		journal_free(j);
		return -1;
	}
	j->exists = true;
	j->size = (off_t)data.len;
	if (read_all(j, data.data ? data.data : "", data.len, err)) {
		err_prefix(err, "%s", j->path);
		buf_free(&data);
		journal_free(j);
		return -1;
	}
	buf_free(&data);
	*out = j;
	return 0;
}

void journal_free(struct journal *j)
{
	size_t i;

	if (!j)
		return;
	if (j->fd >= 0)
		close(j->fd);
	for (i = 0; i < j->n_entries; i++) {
		free(j->entries[i].name);
		free(j->entries[i].body_digest);
		free(j->entries[i].intent_time);
		free(j->entries[i].id);
		free(j->entries[i].error_code);
	}
	free(j->entries);
	free(j->path);
	free(j);
}

const char *journal_path(const struct journal *j)
{
	return j->path;
}

bool journal_exists(const struct journal *j)
{
	return j->exists;
}

long long journal_lines(const struct journal *j)
{
	return j->lines;
}

/* ------------------------------------------------------------ appending */

static int open_for_append(struct journal *j, struct err *err)
{
	struct stat sb;
	bool created = !j->exists;

	if (j->fd < 0) {
		/* O_NOFOLLOW | O_NONBLOCK: a link or FIFO put there since the
		 * read is refused, never written through or waited on; the
		 * name's creation is made durable (fileio_fsync_parent_dir). */
		j->fd = open(j->path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_NONBLOCK |
			     O_CLOEXEC, 0644);
		if (j->fd < 0)
			return err_set(err, "cannot open %s for appending: %s", j->path,
				       errno == ELOOP ? "it is a symbolic link; ccapply does not "
				       "follow links to the files it writes" : strerror(errno));
		j->exists = true;
		if (created && fileio_fsync_parent_dir(j->path, err))
			return -1;
	}
	/* Only this apply (which holds the apply lock) appends: anything else
	 * means the file was changed behind its back. */
	if (fstat(j->fd, &sb))
		return err_set(err, "%s: %s", j->path, strerror(errno));
	if (!S_ISREG(sb.st_mode))
		return err_set(err, "%s: not a regular file; stopping", j->path);
	if (sb.st_size != j->size)
		return err_set(err, "%s changed while apply was running (it has %lld bytes, "
			       "%lld were expected); stopping", j->path, (long long)sb.st_size,
			       (long long)j->size);
	return 0;
}

static int write_fully(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static void now_text(char out[32])
{
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Number, chain, check, write, fsync, then index line l. */
static int append(struct journal *j, struct jline *l, struct err *err)
{
	struct buf text = BUF_INIT;
	char when[32];
	int rc = -1;

	now_text(when);
	l->seq = j->lines + 1;
	l->prev = j->prev;
	l->time = when;
	render_line(l, &text);
	if (open_for_append(j, err))
		goto out;
	if (write_fully(j->fd, text.data, text.len) || fsync(j->fd)) {
		err_set(err, "cannot write %s: %s", j->path, strerror(errno));
		goto out;
	}
	j->size += (off_t)text.len;
	if (index_line(j, l, err)) /* checked by the callers first: cannot fail */
		goto out;
	digest_blake2b_256_hex(text.data, text.len, j->prev);
	j->lines = l->seq;
	rc = 0;
out:
	buf_free(&text);
	return rc;
}

int journal_intent(struct journal *j, enum resource_kind kind, const char *name,
		   const char *method, const char *path, const char *body_digest, long long *line,
		   struct err *err)
{
	struct jline l;

	memset(&l, 0, sizeof l);
	l.kind = resource_kind_name(kind);
	l.name = name;
	l.method = method;
	l.path = path;
	l.body_digest = body_digest;
	if ((unsigned)kind >= RESOURCE_N_KINDS || !name || !*name || !method || !path ||
	    path[0] != '/' || !is_digest_text(body_digest))
		return err_set(err, "%s: refusing to journal a malformed intent", j->path);
	if (append(j, &l, err))
		return -1;
	*line = l.seq;
	return 0;
}

int journal_outcome(struct journal *j, long long intent_line, const struct journal_result *res,
		    struct err *err)
{
	struct journal_entry *e = NULL;
	struct jline l;
	size_t i;

	for (i = 0; i < j->n_entries; i++)
		if (j->entries[i].status == JOURNAL_IN_FLIGHT &&
		    j->entries[i].intent_line == intent_line)
			e = &j->entries[i];
	if (!e)
		return err_set(err, "%s: no open request at line %lld to record an outcome for",
			       j->path, intent_line);
	if (res->created && (!res->id || !*res->id))
		return err_set(err, "%s: refusing to journal a created outcome without an id",
			       j->path);
	memset(&l, 0, sizeof l);
	l.outcome = true;
	l.intent = intent_line;
	l.kind = resource_kind_name(e->kind);
	l.name = e->name;
	l.result = res->created ? OUTCOME_CREATED : OUTCOME_FAILED;
	l.http_status = res->http_status >= 100 && res->http_status <= 999 ? res->http_status : 0;
	l.id = res->id;
	l.error_code = res->error_code && *res->error_code ? res->error_code : NULL;
	l.recovered = res->recovered;
	return append(j, &l, err);
}

/* ---------------------------------------------------------------- replay */

static void describe_entry(const struct journal_entry *e, struct buf *out)
{
	if (e->status == JOURNAL_IN_FLIGHT) {
		buf_printf(out, "a create request with no outcome (line %lld)", e->intent_line);
		return;
	}
	buf_puts(out, resource_outcome_name(e->status == JOURNAL_CREATED ? OUTCOME_CREATED :
					    OUTCOME_FAILED));
	if (e->id)
		buf_printf(out, ", id %s", e->id);
	if (e->recovered)
		buf_puts(out, ", recovered");
	if (e->http_status)
		buf_printf(out, ", HTTP %d", e->http_status);
	if (e->error_code)
		buf_printf(out, ", %s", e->error_code);
	buf_printf(out, " (line %lld)", e->outcome_line);
}

static void describe_resource(const struct state_resource *r, struct buf *out)
{
	buf_puts(out, resource_outcome_name(r->outcome));
	if (r->id)
		buf_printf(out, ", id %s", r->id);
	if (r->recovered)
		buf_puts(out, ", recovered");
	if (r->error.http_status)
		buf_printf(out, ", HTTP %d", r->error.http_status);
	if (r->error.code)
		buf_printf(out, ", %s", r->error.code);
}

static bool same_text(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

static bool consistent(const struct journal_entry *e, const struct state_resource *r)
{
	switch (e->status) {
	case JOURNAL_IN_FLIGHT: /* failed: an apply that could not learn the outcome */
		return r->outcome == OUTCOME_PENDING || r->outcome == OUTCOME_FAILED;
	case JOURNAL_CREATED:
		return r->outcome == OUTCOME_CREATED && same_text(r->id, e->id) &&
		       r->recovered == e->recovered && same_text(r->sent_digest, e->body_digest);
	case JOURNAL_FAILED:
		if (r->outcome == OUTCOME_FAILED)
			return r->error.http_status == e->http_status &&
			       same_text(r->error.code, e->error_code) &&
			       same_text(r->sent_digest, e->body_digest);
		return r->outcome == OUTCOME_PENDING || r->outcome == OUTCOME_ALREADY_EXISTS ||
		       r->outcome == OUTCOME_SKIPPED;
	}
	return false;
}

size_t journal_compare_state(const struct journal *j, const struct state *st, size_t *covered,
			     struct buf *why)
{
	size_t i, differ = 0;

	*covered = 0;
	for (i = 0; i < st->n_resources; i++) {
		const struct state_resource *r = &st->resources[i];
		const struct journal_entry *e = journal_find(j, r->kind, r->name);

		if (!e && r->outcome == OUTCOME_CREATED) {
			/* Every create goes through the journal first: a created
			 * resource it does not mention means lines were lost (an
			 * emptied or cut journal, or another directory's). */
			++*covered;
			differ++;
			buf_printf(why, "%s %s: the journal has no record of it, the state says ",
				   resource_kind_name(r->kind), r->name);
			describe_resource(r, why);
			buf_puts(why, " (was the journal truncated or replaced?)\n");
			continue;
		}
		if (!e)
			continue;
		++*covered;
		if (consistent(e, r))
			continue;
		differ++;
		buf_printf(why, "%s %s: the journal says ", resource_kind_name(r->kind), r->name);
		describe_entry(e, why);
		buf_puts(why, ", the state says ");
		describe_resource(r, why);
		if (((e->status == JOURNAL_CREATED && r->outcome == OUTCOME_CREATED) ||
		     (e->status == JOURNAL_FAILED && r->outcome == OUTCOME_FAILED)) &&
		    !same_text(r->sent_digest, e->body_digest))
			buf_puts(why, " (and a different sent_digest)");
		buf_putc(why, '\n');
	}
	return differ;
}
