/*
 * applier.c — the imperative shell that turns actions into requests and
 * outcomes (see applier.h). Each resource is: decide, maybe send, record,
 * persist. Persisting after every resource costs two small atomic writes,
 * which is nothing next to an API call and buys "nothing lost" on kill -9.
 */
#include "applier/applier.h"

#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/digest.h"
#include "lib/json.h"

const char REASON_DEPENDENCY_FAILED[] = "DEPENDENCY_FAILED";

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

	set_str(&r->kind, resource_kind_name(a->kind));
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
			if (old[j].kind && !strcmp(old[j].kind, resource_kind_name(a->kind)) &&
			    old[j].name && !strcmp(old[j].name, a->name)) {
				st->resources[i] = old[j];
				memset(&old[j], 0, sizeof old[j]);
				break;
			}
		prepare_entry(&st->resources[i], a);
	}
	for (j = 0; j < n_old; j++)
		state_resource_clear(&old[j]);
	free(old);
}

static void digest_body(const struct value *body, struct state_resource *r)
{
	struct buf canon = BUF_INIT;
	char hex[65];

	json_write(&canon, body, JSON_COMPACT | JSON_SORT_KEYS);
	blake2b_256_hex(canon.data, canon.len, hex);
	free(r->sent_digest);
	r->sent_digest = xmalloc(sizeof "blake2b-256:" + 64);
	strcpy(r->sent_digest, "blake2b-256:");
	strcat(r->sent_digest, hex);
	buf_free(&canon);
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
	r->outcome = OUTCOME_FAILED;
	set_error(r, st, st->code, st->message[0] ? st->message : err->msg);
	return err->code;
}

static int create_connection(struct client *c, struct applier_input *in, const struct action *a,
			     struct state_resource *r)
{
	const struct plan_connection *pc = &in->plan->connections[a->plan_index];
	struct value *body = plan_connection_request(pc, in->live->group_id);
	struct value *created = NULL;
	struct api_status st;
	struct err err;
	int rc;

	memset(&st, 0, sizeof st);
	err_clear(&err);
	digest_body(body, r);
	rc = client_create_connection(c, body, pc->target_name, &created, &st, &err);
	value_free(body);
	return record_create(r, rc, created, &st, &err);
}

/* Target ids of a package's dependencies, or NULL when one did not end up
 * created or already there. */
static char **dependency_ids(struct applier_input *in, const struct plan_package *pkg)
{
	char **ids = xcalloc(pkg->n_depends_on + 1, sizeof *ids);
	size_t i;

	for (i = 0; i < pkg->n_depends_on; i++) {
		const struct plan_connection *pc = plan_find_connection(in->plan, pkg->depends_on[i]);
		struct state_resource *dep = pc ? state_find(in->state, "connection",
							     pc->target_name) : NULL;
		if (!dep || !dep->id || (dep->outcome != OUTCOME_CREATED &&
					 dep->outcome != OUTCOME_ALREADY_EXISTS)) {
			free(ids);
			return NULL;
		}
		ids[i] = dep->id;
	}
	return ids;
}

static int create_transformation(struct client *c, struct applier_input *in,
				 const struct action *a, struct state_resource *r)
{
	const struct plan_package *pkg = &in->plan->packages[a->plan_index];
	char **ids = dependency_ids(in, pkg);
	struct value *body, *created = NULL;
	struct api_status st;
	struct err err;
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
	rc = client_create_transformation(c, body, in->live->group_id, &created, &st, &err);
	value_free(body);
	return record_create(r, rc, created, &st, &err);
}

int applier_persist(struct applier_input *in, const char *refusal, bool interrupted,
		    struct err *err)
{
	struct results_input ri;
	bool written;

	if (in->state && state_save(in->state_path, in->state, &written, err))
		return -1;
	memset(&ri, 0, sizeof ri);
	ri.date = in->date;
	ri.source_group_name = in->live ? in->live->source_group_name : NULL;
	ri.target_group_name = in->live ? in->live->group_name : NULL;
	ri.plan = in->plan;
	ri.report = in->report;
	ri.state = in->state;
	ri.refusal = refusal;
	ri.interrupted = interrupted;
	return results_write(in->results_path, &ri, err);
}

static enum applier_end final_end(const struct state *st)
{
	size_t i;

	for (i = 0; i < st->n_resources; i++)
		if (st->resources[i].outcome != OUTCOME_CREATED &&
		    st->resources[i].outcome != OUTCOME_ALREADY_EXISTS)
			return APPLY_INCOMPLETE;
	return APPLY_COMPLETE;
}

int applier_run(struct client *c, struct applier_input *in, enum applier_end *end,
		struct err *err)
{
	size_t i;
	int code = 0;

	applier_prepare_state(in);
	*end = APPLY_COMPLETE;
	for (i = 0; i < in->actions->n; i++) {
		const struct action *a = &in->actions->items[i];
		struct state_resource *r = &in->state->resources[i];

		if (in->interrupted && *in->interrupted) {
			*end = APPLY_INTERRUPTED;
			break;
		}
		if (r->outcome == OUTCOME_PENDING) {
			if (in->progress.before)
				in->progress.before(in->progress.ctx, i, a);
			code = a->kind == RESOURCE_CONNECTION ? create_connection(c, in, a, r) :
				create_transformation(c, in, a, r);
		}
		if (applier_persist(in, NULL, false, err))
			return -1;
		if (in->progress.after && code != CLIENT_E_INTERRUPTED)
			in->progress.after(in->progress.ctx, i, a, r);
		if (code == CLIENT_E_AUTH) {
			*end = APPLY_AUTH_FAILED;
			return 0;
		}
		if (code == CLIENT_E_INTERRUPTED) {
			*end = APPLY_INTERRUPTED;
			break;
		}
	}
	if (*end == APPLY_INTERRUPTED)
		return applier_persist(in, NULL, true, err);
	*end = final_end(in->state);
	return 0;
}
