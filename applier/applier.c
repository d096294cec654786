/*
 * applier.c — the imperative shell that turns actions into requests and
 * outcomes (see applier.h). Each resource is: decide, maybe send, record,
 * persist. Persisting after every resource costs two atomic writes, which
 * buys "nothing lost" on kill -9; to keep them cheap at a thousand
 * resources, a run renders results.md through a cache (state.c keeps its
 * own), and fsyncs the directory once, at the end, rather than after every
 * rename (lib/fileio.h, FILEIO_DEFER_DIR_SYNC): each file is still fsynced
 * before its rename, and the journal is fsynced before every request.
 */
#include "applier/applier.h"

#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/buf.h"
#include "lib/fileio.h"

const char REASON_DEPENDENCY_FAILED[] = "DEPENDENCY_FAILED";
const char ERROR_OUTCOME_UNKNOWN[] = "OUTCOME_UNKNOWN";

/* Returned by the create functions when the journal could not be written
 * (client error codes are >= 0); the error is in their `fatal` argument. */
#define JOURNAL_FAILED (-1)

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

static void set_str(char **field, const char *value)
{
	free(*field);
	*field = dup_or_null(value);
}

static void clear_error(struct state_error *e)
{
	free(e->code);
	free(e->message);
	memset(e, 0, sizeof *e);
}

static void set_error(struct state_resource *r, const struct api_status *st, const char *code,
		      const char *message)
{
	clear_error(&r->error);
	r->error.http_status = st ? st->http_status : 0;
	r->error.code = dup_or_null(code && *code ? code : NULL);
	r->error.message = dup_or_null(message);
}

/* The state entry for action a, with its planning-time outcome. An entry an
 * earlier apply created stays created while the resource is still there. */
static void prepare_entry(struct state_resource *r, const struct action *a)
{
	bool was_created = r->outcome == OUTCOME_CREATED && r->id && a->id &&
			   !strcmp(r->id, a->id);

	r->kind = a->kind;
	set_str(&r->name, a->name);
	set_str(&r->source_id, a->source_id);
	set_str(&r->service, a->service);
	if (a->action == ACTION_NOOP && was_created)
		return;
	set_str(&r->id, a->id);
	set_str(&r->reason, a->reason);
	r->recovered = false;
	if (a->action != ACTION_CREATE) {
		set_str(&r->sent_digest, NULL);
		clear_error(&r->error);
	}
	r->outcome = a->action == ACTION_NOOP ? OUTCOME_ALREADY_EXISTS :
		     a->action == ACTION_SKIP ? OUTCOME_SKIPPED : OUTCOME_PENDING;
}

/* ---- the journal (state/journal.h): crash recovery. in->journal may be
 * NULL (no journal); journal_find() then finds nothing. */

/* A noop the journal says ccapply itself created: its intent has no outcome
 * (the create committed but the answer was lost: kill -9, crash), or it
 * records the create of this very id. Record it as created — recovered in
 * the first case — with the digest of what was sent, not as already_exists. */
static void adopt_from_journal(const struct applier_input *in, const struct action *a,
			       struct state_resource *r)
{
	const struct journal_entry *e = journal_find(in->journal, r->kind, r->name);

	if (!e || a->action != ACTION_NOOP || r->outcome != OUTCOME_ALREADY_EXISTS || !r->id)
		return;
	if (e->status == JOURNAL_IN_FLIGHT)
		r->recovered = true;
	else if (e->status == JOURNAL_CREATED && e->id && !strcmp(e->id, r->id))
		r->recovered = e->recovered;
	else
		return;
	r->outcome = OUTCOME_CREATED;
	set_str(&r->reason, NULL);
	set_str(&r->sent_digest, e->body_digest);
}

/* Write the outcome line an entry recorded as created still lacks (its
 * answer was lost, and this apply found it live). */
static int journal_settle(struct applier_input *in, const struct state_resource *r,
			  struct err *err)
{
	const struct journal_entry *e = journal_find(in->journal, r->kind, r->name);
	struct journal_result res = { .created = true, .id = r->id, .recovered = r->recovered };

	if (!e || e->status != JOURNAL_IN_FLIGHT || r->outcome != OUTCOME_CREATED || !r->id)
		return 0;
	return journal_outcome(in->journal, e->intent_line, &res, err);
}

/* The intent line, written before a create is sent: -1 (err set) when it
 * cannot be, and then the request must not go out. */
static int journal_before(struct applier_input *in, const struct state_resource *r,
			  const char *path, long long *line, struct err *err)
{
	*line = 0;
	if (!in->journal)
		return 0;
	return journal_intent(in->journal, r->kind, r->name, "POST", path, r->sent_digest, line,
			      err);
}

/* The outcome line, after the answer. None when the outcome is unknown (an
 * interrupt, or a create that may have landed but could not be looked up):
 * an open intent says exactly that, and lets a later apply that finds the
 * resource adopt it as created and recovered. */
static int journal_after(struct applier_input *in, long long line, const struct state_resource *r,
			 int code, const struct api_status *st, struct err *err)
{
	struct journal_result res;

	if (!line || code == CLIENT_E_INTERRUPTED || code == CLIENT_E_UNKNOWN_OUTCOME ||
	    r->outcome == OUTCOME_PENDING)
		return 0;
	memset(&res, 0, sizeof res);
	res.created = r->outcome == OUTCOME_CREATED;
	res.http_status = res.created ? (st->adopted ? 0 : st->http_status) :
			  r->error.http_status;
	res.id = res.created ? r->id : NULL;
	res.error_code = res.created ? NULL : r->error.code;
	res.recovered = r->recovered;
	return journal_outcome(in->journal, line, &res, err);
}

static bool outcome_unknown(const struct state_resource *r)
{
	return r->outcome == OUTCOME_PENDING && r->error.code &&
	       !strcmp(r->error.code, ERROR_OUTCOME_UNKNOWN);
}

/* Seconds since an intent's "YYYY-MM-DDTHH:MM:SSZ", or -1 when unreadable. */
static double seconds_since(const char *when)
{
	struct tm tm;
	int n = 0;

	memset(&tm, 0, sizeof tm);
	if (!when || sscanf(when, "%4d-%2d-%2dT%2d:%2d:%2dZ%n", &tm.tm_year, &tm.tm_mon,
			    &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &n) != 6 ||
	    when[n] != '\0')
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	return difftime(time(NULL), timegm(&tm));
}

/* A transformation create sent by an earlier apply whose outcome is still
 * unknown (its intent has no outcome) and that the live read does not show:
 * the server may yet commit it, and nothing in the API would stop a second
 * one, so it is not sent again until a lookup at least in->settle_seconds
 * after the intent still does not find it. Until then it stays pending
 * with the error OUTCOME_UNKNOWN, and run_actions() sends nothing for it.
 * (Connections need no wait: the API refuses a second one of a name.) */
static void hold_unknown(const struct applier_input *in, const struct action *a,
			 struct state_resource *r)
{
	const struct journal_entry *e = journal_find(in->journal, r->kind, r->name);
	struct buf msg = BUF_INIT;
	double age;

	if (a->action != ACTION_CREATE || r->outcome != OUTCOME_PENDING)
		return;
	if (outcome_unknown(r))
		clear_error(&r->error);
	if (a->kind != RESOURCE_TRANSFORMATION || !e || e->status != JOURNAL_IN_FLIGHT)
		return;
	age = seconds_since(e->intent_time);
	if (age >= in->settle_seconds)
		return; /* settled: a lookup this long after finds nothing */
	buf_printf(&msg, "an earlier apply sent this create (journal line %lld, at %s) and never "
		   "learned its outcome; the target does not show it yet, so it is not sent "
		   "again: run apply again later to adopt it, or to send it once %.0f s have "
		   "passed with still nothing there", e->intent_line,
		   e->intent_time ? e->intent_time : "?", in->settle_seconds);
	set_error(r, NULL, ERROR_OUTCOME_UNKNOWN, msg.data);
	buf_free(&msg);
}

void applier_prepare_state(struct applier_input *in)
{
	struct state *st = in->state;
	struct state_resource *old = st->resources;
	size_t n_old = st->n_resources, i, j;

	st->resources = xcalloc(in->actions->n + 1, sizeof *st->resources);
	st->n_resources = in->actions->n;
	for (i = 0; i < in->actions->n; i++) {
		const struct action *a = &in->actions->items[i];
		for (j = 0; j < n_old; j++)
			if (old[j].kind == a->kind && old[j].name &&
			    !strcmp(old[j].name, a->name)) {
				st->resources[i] = old[j];
				memset(&old[j], 0, sizeof old[j]);
				break;
			}
		prepare_entry(&st->resources[i], a);
		adopt_from_journal(in, a, &st->resources[i]);
		hold_unknown(in, a, &st->resources[i]);
	}
	for (j = 0; j < n_old; j++)
		state_resource_clear(&old[j]);
	free(old);
}

/* The digest of what is about to be sent, as the state records it. */
static void digest_body(const struct value *body, struct state_resource *r)
{
	free(r->sent_digest);
	r->sent_digest = plan_request_digest(body);
}

/* Record a create's result; returns the client error code (0 on success). */
static int record_create(struct state_resource *r, int rc, struct value *created,
			 const struct api_status *st, const struct err *err)
{
	if (rc == 0) {
		r->outcome = OUTCOME_CREATED;
		set_str(&r->id, value_get_string(created, "id"));
		r->recovered = st->adopted;
		clear_error(&r->error);
		value_free(created);
		return 0;
	}
	if (err->code == CLIENT_E_INTERRUPTED)
		return err->code; /* stays pending: nothing is known to have happened */
	if (err->code == CLIENT_E_UNKNOWN_OUTCOME) {
		/* Not failed: it may have been made. Pending, with the reason,
		 * and the journal's intent stays open for a later lookup. */
		set_error(r, st, ERROR_OUTCOME_UNKNOWN, err->msg);
		return err->code;
	}
	r->outcome = OUTCOME_FAILED;
	set_error(r, st, st->code, st->message[0] ? st->message : err->msg);
	return err->code;
}

/* Returns the client error code, or JOURNAL_FAILED with fatal set. */
static int create_connection(struct client *c, struct applier_input *in, const struct action *a,
			     struct state_resource *r, struct err *fatal)
{
	const struct plan_connection *pc = &in->plan->connections[a->plan_index];
	struct value *body = plan_connection_request(pc, in->live->group_id);
	struct value *created = NULL;
	char *api_name;
	struct api_status st;
	struct err err;
	long long line;
	int rc;

	memset(&st, 0, sizeof st);
	err_clear(&err);
	digest_body(body, r);
	if (journal_before(in, r, "/v1/connections", &line, fatal)) {
		value_free(body);
		return JOURNAL_FAILED;
	}
	api_name = plan_connection_api_name(pc);
	rc = client_create_connection(c, body, api_name, &created, &st, &err);
	free(api_name);
	value_free(body);
	rc = record_create(r, rc, created, &st, &err);
	return journal_after(in, line, r, rc, &st, fatal) ? JOURNAL_FAILED : rc;
}

static int create_transformation(struct client *c, struct applier_input *in,
				 const struct action *a, struct state_resource *r,
				 struct err *fatal)
{
	const struct plan_package *pkg = &in->plan->packages[a->plan_index];
	char **ids = state_dependency_ids(in->state, in->plan, pkg);
	struct value *body, *created = NULL;
	struct api_status st;
	struct err err;
	long long line;
	int rc;

	if (!ids) {
		r->outcome = OUTCOME_SKIPPED;
		set_str(&r->reason, REASON_DEPENDENCY_FAILED);
		return 0;
	}
	body = plan_transformation_request(pkg->package_name, ids, pkg->n_depends_on);
	free(ids);
	memset(&st, 0, sizeof st);
	err_clear(&err);
	digest_body(body, r);
	if (journal_before(in, r, "/v1/transformations", &line, fatal)) {
		value_free(body);
		return JOURNAL_FAILED;
	}
	rc = client_create_transformation(c, body, in->live->group_id, &created, &st, &err);
	value_free(body);
	rc = record_create(r, rc, created, &st, &err);
	return journal_after(in, line, r, rc, &st, fatal) ? JOURNAL_FAILED : rc;
}

/* Save the state (only when it changed) and rewrite results.md, through
 * cache (NULL: none, and the directory is fsynced after each file; with
 * one, applier_run() keeps it for the whole run, and fsyncs the directory
 * when the run ends). */
static int persist(struct applier_input *in, struct results_cache *cache, bool interrupted,
		   struct err *err)
{
	unsigned flags = cache ? FILEIO_DEFER_DIR_SYNC : 0;
	struct results_input ri;
	bool written;

	if (in->state && state_save_flags(in->state_path, in->state, flags, &written, err))
		return -1;
	in->counts.saves++;
	in->counts.state_writes += in->state && written;
	memset(&ri, 0, sizeof ri);
	ri.date = in->date;
	ri.source_group_name = in->live ? in->live->source_group_name : NULL;
	ri.target_group_name = in->live ? in->live->group_name : NULL;
	ri.plan = in->plan;
	ri.report = in->report;
	ri.state = in->state;
	ri.interrupted = interrupted;
	return results_write_cached(in->results_path, cache, &ri, flags, err);
}

static enum applier_end final_end(const struct state *st)
{
	size_t i;

	for (i = 0; i < st->n_resources; i++)
		if (st->resources[i].outcome != OUTCOME_CREATED &&
		    st->resources[i].outcome != OUTCOME_ALREADY_EXISTS &&
		    !state_skip_accepted(st, &st->resources[i]))
			return APPLY_INCOMPLETE;
	return APPLY_COMPLETE;
}

/* The loop of applier_run(), persisting through cache: after every
 * resource a request was sent for (or whose journal record was completed),
 * so a kill loses nothing, and once at the end. A resource decided without
 * a request (noop, skip, created earlier) changes nothing a re-run would not
 * recompute, so a no-op apply over 10,000 connections writes results.md
 * once, not 10,000 times (docs/performance.md). */
static int run_actions(struct client *c, struct applier_input *in, struct results_cache *cache,
		       enum applier_end *end, struct err *err)
{
	size_t i;
	int code = 0;

	*end = APPLY_COMPLETE;
	for (i = 0; i < in->actions->n; i++) {
		const struct action *a = &in->actions->items[i];
		struct state_resource *r = &in->state->resources[i];
		long long lines = in->journal ? journal_lines(in->journal) : 0;
		bool sent = false;

		if (in->interrupted && *in->interrupted) {
			*end = APPLY_INTERRUPTED;
			break;
		}
		code = 0;
		if (r->outcome == OUTCOME_PENDING && !outcome_unknown(r)) {
			if (in->progress.before)
				in->progress.before(in->progress.ctx, i, a);
			sent = true;
			code = a->kind == RESOURCE_CONNECTION ?
				create_connection(c, in, a, r, err) :
				create_transformation(c, in, a, r, err);
		} else if (journal_settle(in, r, err)) {
			code = JOURNAL_FAILED;
		}
		if (code == JOURNAL_FAILED) {
			struct err ignored;
			/* Keep what is known, then stop: no request goes out unjournaled. */
			persist(in, cache, false, &ignored);
			return -1;
		}
		if ((sent || (in->journal && journal_lines(in->journal) != lines)) &&
		    persist(in, cache, false, err))
			return -1;
		if (in->progress.after && code != CLIENT_E_INTERRUPTED)
			in->progress.after(in->progress.ctx, i, a, r);
		if (code == CLIENT_E_AUTH) {
			*end = APPLY_AUTH_FAILED;
			return persist(in, cache, false, err);
		}
		if (code == CLIENT_E_INTERRUPTED) {
			*end = APPLY_INTERRUPTED;
			break;
		}
	}
	if (*end == APPLY_INTERRUPTED)
		return persist(in, cache, true, err);
	*end = final_end(in->state);
	return persist(in, cache, false, err);
}

/* Temporary files an earlier apply left when it was killed mid-write
 * (PATH.tmp.PID of a pid that no longer runs). The caller holds the apply
 * lock, so no other apply is writing there; a failure only leaves them. */
static void remove_leftovers(const char *state_path)
{
	char *copy = xstrdup(state_path);
	struct err ignored;

	fileio_remove_stale_temps(dirname(copy), &ignored);
	free(copy);
}

/* Make the run's last renames durable: both files' directory (one, as
 * apply lays them out, but they may differ). */
static int sync_dirs(const struct applier_input *in, struct err *err)
{
	char *a = xstrdup(in->state_path), *b = xstrdup(in->results_path);
	int rc = fileio_fsync_parent_dir(in->state_path, err);

	if (!rc && strcmp(dirname(a), dirname(b)))
		rc = fileio_fsync_parent_dir(in->results_path, err);
	free(a);
	free(b);
	return rc;
}

int applier_run(struct client *c, struct applier_input *in, enum applier_end *end,
		struct err *err)
{
	struct results_cache *cache = results_cache_new();
	struct err sync_err;
	int rc;

	remove_leftovers(in->state_path);
	applier_prepare_state(in);
	rc = run_actions(c, in, cache, end, err);
	results_cache_free(cache);
	if (sync_dirs(in, &sync_err) && !rc) {
		*err = sync_err;
		rc = -1;
	}
	return rc;
}
