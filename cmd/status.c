/*
 * status.c — `ccapply status [--json]`: drift and health of what ccapply.lock
 * records, the answer to "are my copied connections still there, still as
 * sent, and working?".
 *
 * Read-only by construction (the client refuses anything but GET), and
 * frugal: the target group, its connections in one paginated list (items
 * carry config and status), its QUICKSTART transformations, and then only
 * for an id the group no longer holds a GET of that connection, to tell
 * "deleted" (404) from "moved" (found in another group, whose name is read
 * once per group).
 *
 * The plan is loaded with plan_load(), not through the gates: status must
 * still work after the validation report changed. Without a loadable plan,
 * status reports existence and health and says that config was not checked.
 * Config is compared by differ_compare_connection(), the rules plan uses,
 * against the body the current plan would send; when that body's digest is
 * the state's sent_digest, the comparison is against exactly what was sent.
 *
 * As with plandoc.c, the result is built once as a JSON document (the
 * --json output, docs/status.md) and the text is rendered from it, so the two
 * can never disagree.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cmd/common.h"
#include "cmd/options.h"
#include "differ/differ.h"
#include "lib/buf.h"
#include "lib/digest.h"
#include "lib/json.h"
#include "state/state.h"

#define STATUS_FORMAT_VERSION "1"

struct status_run {
	const struct global_options *g;
	struct state *state;
	struct plan *plan;       /* NULL when copy_plan.yaml did not load */
	char *plan_path;
	char *plan_error;        /* why plan is NULL */
	struct client *client;   /* NULL when nothing needs checking */
	bool group_exists;
	char *group_name;
	struct value *connections;     /* the target group's connection items */
	struct value *transformations; /* the group's QUICKSTART transformations */
	struct value *fetched;         /* connections read by id (elsewhere or not listed) */
	struct value *groups;          /* other groups read by id: id -> name or null */
};

/* What one resource check found, before it becomes a JSON object. */
struct check {
	const char *state;           /* ok, drifted, renamed, deleted, moved, not_checked */
	const struct value *live;    /* the live item, borrowed; NULL when gone */
	const char *live_name;       /* renamed: the name it has now */
	const char *moved_to;        /* moved: the group id it is in now */
	struct value *health;        /* object or NULL */
	bool broken;
	struct value *differences;   /* array of {path, sent, live} */
	const char *compared_with;   /* "sent", "plan" or NULL */
	struct value *notes;         /* array of strings */
};

/* ---- small value helpers ------------------------------------------------- */

static struct value *str_or_null(const char *s)
{
	return s ? value_new_cstring(s) : value_new_null();
}

static struct value *count_value(size_t n)
{
	char text[32];

	snprintf(text, sizeof text, "%zu", n);
	return value_new_number(text);
}

static const struct value *find_by_id(const struct value *items, const char *id)
{
	size_t i;

	for (i = 0; items && i < items->u.arr.n; i++) {
		const char *item_id = value_get_string(items->u.arr.items[i], "id");
		if (item_id && !strcmp(item_id, id))
			return items->u.arr.items[i];
	}
	return NULL;
}

static struct value *bool_or_null(const struct value *v)
{
	return v && v->type == VALUE_BOOL ? value_new_bool(v->u.boolean) : value_new_null();
}

static void add_note(struct check *f, const char *text)
{
	value_array_push(f->notes, value_new_cstring(text));
}

static void add_difference(struct check *f, const char *path, const struct value *sent,
			   const struct value *live)
{
	struct value *d = value_new_object();

	value_object_put_c(d, "path", value_new_cstring(path));
	value_object_put_c(d, "sent", sent ? value_clone(sent) : value_new_null());
	value_object_put_c(d, "live", live ? value_clone(live) : value_new_null());
	value_array_push(f->differences, d);
}

/* ---- inputs ---------------------------------------------------------------- */

static int load_state_file(struct status_run *run)
{
	struct buf path = BUF_INIT;
	struct err err;
	int rc = 0;

	buf_printf(&path, "%s/.copy-connections/" STATE_FILE, run->g->dir);
	err_clear(&err);
	if (state_load(path.data, &run->state, &err)) {
		cmd_fail("state_invalid", "%s", err.msg);
		rc = EXIT_ERROR;
	} else if (!run->state) {
		cmd_fail("no_state", "no state file: %s not found\n  ccapply status checks what "
			  "'ccapply apply' recorded; run apply first.", path.data);
		rc = EXIT_ERROR;
	}
	buf_free(&path);
	return rc;
}

/* The plan, best effort: status reports existence and health without it. */
static void load_plan_file(struct status_run *run)
{
	struct buf path = BUF_INIT;
	struct err err;

	buf_printf(&path, "%s/.copy-connections/copy_plan.yaml", run->g->dir);
	run->plan_path = buf_detach(&path);
	err_clear(&err);
	if (plan_load(run->plan_path, &run->plan, &err)) {
		run->plan = NULL;
		run->plan_error = xstrdup(err.msg);
	}
}

static bool checkable(const struct state_resource *r)
{
	return r->id && (r->outcome == OUTCOME_CREATED || r->outcome == OUTCOME_ALREADY_EXISTS);
}

static bool needs_kind(const struct state *st, const char *kind)
{
	size_t i;

	for (i = 0; i < st->n_resources; i++)
		if (checkable(&st->resources[i]) && !strcmp(st->resources[i].kind, kind))
			return true;
	return false;
}

/* ---- live reads ---------------------------------------------------------- */

static int read_target_group(struct status_run *run)
{
	struct value *group = NULL;
	struct api_status st;
	struct err err;
	const char *name;

	memset(&st, 0, sizeof st);
	err_clear(&err);
	if (client_get_group(run->client, run->state->target_group_id, &group, &st, &err)) {
		if (st.http_status != 404) {
			cmd_fail(client_error_code(&err), "%s", err.msg);
			return EXIT_ERROR;
		}
		run->group_exists = false;
		return 0;
	}
	run->group_exists = true;
	name = value_get_string(group, "name");
	if (name) {
		free(run->group_name);
		run->group_name = xstrdup(name);
	}
	value_free(group);
	return 0;
}

static int read_live(struct status_run *run)
{
	struct client_tuning read_only = { .read_only = true, .plan = run->plan };
	const char *gid = run->state->target_group_id;
	struct api_status st;
	struct err err;
	int rc;

	run->fetched = value_new_array();
	run->groups = value_new_object();
	if (!needs_kind(run->state, "connection") && !needs_kind(run->state, "transformation"))
		return 0;
	if ((rc = open_client(run->g, &read_only, &run->client)) || (rc = read_target_group(run)))
		return rc;
	if (!run->group_exists)
		return 0;
	err_clear(&err);
	if (needs_kind(run->state, "connection") &&
	    client_list_group_connections(run->client, gid, NULL, &run->connections, &st, &err)) {
		cmd_fail(client_error_code(&err), "%s", err.msg);
		return EXIT_ERROR;
	}
	if (needs_kind(run->state, "transformation") &&
	    client_list_transformations(run->client, gid, "QUICKSTART", &run->transformations, &st,
					&err)) {
		cmd_fail(client_error_code(&err), "%s", err.msg);
		return EXIT_ERROR;
	}
	return 0;
}

/* A connection the group's list does not hold, by id: *item stays NULL on
 * 404 (deleted). */
static int fetch_connection(struct status_run *run, const char *id, const struct value **item)
{
	struct value *conn = NULL;
	struct api_status st;
	struct err err;

	*item = NULL;
	memset(&st, 0, sizeof st);
	err_clear(&err);
	if (client_get_connection(run->client, id, &conn, &st, &err)) {
		if (st.http_status == 404)
			return 0;
		cmd_fail(client_error_code(&err), "%s", err.msg);
		return EXIT_ERROR;
	}
	value_array_push(run->fetched, conn);
	*item = conn;
	return 0;
}

/* Read another group's name once, best effort (moved-to groups). */
static void remember_group(struct status_run *run, const char *group_id)
{
	struct value *group = NULL;
	struct api_status st;
	struct err err;
	const char *name = NULL;

	if (value_get(run->groups, group_id))
		return;
	if (!client_get_group(run->client, group_id, &group, &st, &err))
		name = value_get_string(group, "name");
	value_object_put_c(run->groups, group_id, str_or_null(name));
	value_free(group);
}

/* ---- checks ---------------------------------------------------------------- */

static const struct plan_connection *planned_connection(const struct plan *p, const char *name)
{
	size_t i;

	for (i = 0; p && i < p->n_connections; i++)
		if (!strcmp(p->connections[i].target_name, name))
			return &p->connections[i];
	return NULL;
}

static const struct plan_package *planned_package(const struct plan *p, const char *name)
{
	size_t i;

	for (i = 0; p && i < p->n_packages; i++)
		if (!strcmp(p->packages[i].package_name, name))
			return &p->packages[i];
	return NULL;
}

/* Is body (freed here) the request whose digest the state holds? The digest
 * is applier.c's: BLAKE2b-256 of the canonical JSON. */
static bool is_what_was_sent(struct value *body, const char *sent_digest)
{
	struct buf canon = BUF_INIT;
	char hex[65];
	bool same = false;

	if (sent_digest && !strncmp(sent_digest, "blake2b-256:", 12)) {
		json_write(&canon, body, JSON_COMPACT | JSON_SORT_KEYS);
		blake2b_256_hex(canon.data, canon.len, hex);
		same = !strcasecmp(hex, sent_digest + 12);
		buf_free(&canon);
	}
	value_free(body);
	return same;
}

/* The transformation request apply sends for package on connection ids. */
static struct value *transformation_request(const char *package, const struct value *ids)
{
	char **list = xcalloc(ids->u.arr.n + 1, sizeof *list);
	struct value *body;
	size_t i;

	for (i = 0; i < ids->u.arr.n; i++)
		list[i] = ids->u.arr.items[i]->u.str.ptr;
	body = plan_transformation_request(package, list, ids->u.arr.n);
	free(list);
	return body;
}

static void compare_connection_config(const struct status_run *run,
				      const struct state_resource *r, struct check *f)
{
	const struct plan_connection *pc = planned_connection(run->plan, r->name);
	struct action a;
	size_t i;

	if (!run->plan)
		return; /* said once, at the top */
	if (!pc) {
		add_note(f, "not in the current copy_plan.yaml: config not checked");
		return;
	}
	memset(&a, 0, sizeof a);
	differ_compare_connection(pc, run->state->target_group_id, f->live, &a);
	for (i = 0; i < a.n_differences; i++)
		add_difference(f, a.differences[i].path, a.differences[i].plan,
			       a.differences[i].live);
	action_clear(&a);
	if (is_what_was_sent(plan_connection_request(pc, run->state->target_group_id),
			     r->sent_digest)) {
		f->compared_with = "sent";
		return;
	}
	f->compared_with = "plan";
	if (r->outcome == OUTCOME_CREATED)
		add_note(f, "copy_plan.yaml has changed since this was sent: config compared "
			 "with what the plan would send now");
}

static struct value *connection_health(const struct value *item, bool *broken)
{
	const struct value *status = value_get(item, "status");
	const char *setup = value_get_string(status, "setup_state");
	struct value *h = value_new_object();

	*broken = setup && !strcmp(setup, "broken");
	value_object_put_c(h, "paused", bool_or_null(value_get(item, "paused")));
	value_object_put_c(h, "setup_state", str_or_null(setup));
	value_object_put_c(h, "sync_state", str_or_null(value_get_string(status, "sync_state")));
	value_object_put_c(h, "broken", value_new_bool(*broken));
	return h;
}

/* Is schema the live name of the connection recorded as r? Fivetran names a
 * connector with a `table` "<schema>.<table>" (plan_connection_api_name). */
static bool is_its_name(const struct status_run *run, const struct state_resource *r,
			const char *schema)
{
	const struct plan_connection *pc = planned_connection(run->plan, r->name);
	char *expected;
	bool same;

	if (!pc)
		return !strcmp(schema, r->name);
	expected = plan_connection_api_name(pc);
	same = !strcmp(schema, expected);
	free(expected);
	return same;
}

static int check_connection(struct status_run *run, const struct state_resource *r,
			    struct check *f)
{
	const char *gid = run->state->target_group_id, *group_id, *schema;
	int rc;

	f->live = find_by_id(run->connections, r->id);
	if (!f->live && (rc = fetch_connection(run, r->id, &f->live)))
		return rc;
	if (!f->live) {
		f->state = "deleted";
		return 0;
	}
	group_id = value_get_string(f->live, "group_id");
	schema = value_get_string(f->live, "schema");
	f->health = connection_health(f->live, &f->broken);
	compare_connection_config(run, r, f);
	if (group_id && strcmp(group_id, gid)) {
		f->state = "moved";
		f->moved_to = group_id;
		remember_group(run, group_id);
	} else if (schema && !is_its_name(run, r, schema)) {
		f->state = "renamed";
		f->live_name = schema;
	} else {
		f->state = f->differences->u.arr.n ? "drifted" : "ok";
	}
	return 0;
}

/* The target ids of a package's dependency connections, from the plan and
 * the state; NULL when one is not known. */
static struct value *expected_connection_ids(const struct status_run *run, const char *package)
{
	const struct plan_package *pkg = planned_package(run->plan, package);
	struct value *ids;
	size_t i;

	if (!pkg)
		return NULL;
	ids = value_new_array();
	for (i = 0; i < pkg->n_depends_on; i++) {
		const struct plan_connection *pc = plan_find_connection(run->plan,
									 pkg->depends_on[i]);
		struct state_resource *dep = pc ? state_find(run->state, "connection",
							     pc->target_name) : NULL;
		if (!dep || !checkable(dep)) {
			value_free(ids);
			return NULL;
		}
		value_array_push(ids, value_new_cstring(dep->id));
	}
	return ids;
}

static bool same_id_set(const struct value *a, const struct value *b)
{
	size_t i, j;

	if (!a || !b || a->type != VALUE_ARRAY || b->type != VALUE_ARRAY || a->u.arr.n != b->u.arr.n)
		return false;
	for (i = 0; i < a->u.arr.n; i++) {
		for (j = 0; j < b->u.arr.n && !value_equal(a->u.arr.items[i], b->u.arr.items[j]);
		     j++)
			;
		if (j == b->u.arr.n)
			return false;
	}
	return true;
}

static void compare_transformation(const struct status_run *run, const struct state_resource *r,
				   struct check *f)
{
	const struct value *cfg = value_get(f->live, "transformation_config");
	const char *package = value_get_string(cfg, "package_name");
	const struct value *live_ids = value_get(cfg, "connection_ids");
	struct value *want, *name;

	if (!package || strcmp(package, r->name)) {
		name = value_new_cstring(r->name);
		add_difference(f, "package_name", name, value_get(cfg, "package_name"));
		value_free(name);
	}
	if (!run->plan)
		return;
	want = expected_connection_ids(run, r->name);
	if (!want) {
		add_note(f, planned_package(run->plan, r->name) ?
			 "a dependency connection has no recorded id: connection ids not checked" :
			 "not in the current copy_plan.yaml: connection ids not checked");
		return;
	}
	f->compared_with = is_what_was_sent(transformation_request(r->name, want),
					    r->sent_digest) ? "sent" : "plan";
	if (!same_id_set(want, live_ids))
		add_difference(f, "connection_ids", want, live_ids);
	value_free(want);
}

static void check_transformation(struct status_run *run, const struct state_resource *r,
				 struct check *f)
{
	const char *status;
	struct value *h;

	f->live = find_by_id(run->transformations, r->id);
	if (!f->live) {
		f->state = "deleted";
		return;
	}
	status = value_get_string(f->live, "status");
	f->broken = status && !strcmp(status, "FAILED");
	h = value_new_object();
	value_object_put_c(h, "paused", bool_or_null(value_get(f->live, "paused")));
	value_object_put_c(h, "setup_state", value_new_null());
	value_object_put_c(h, "sync_state", value_new_null());
	value_object_put_c(h, "status", str_or_null(status));
	value_object_put_c(h, "broken", value_new_bool(f->broken));
	f->health = h;
	compare_transformation(run, r, f);
	f->state = f->differences->u.arr.n ? "drifted" : "ok";
}

/* ---- the document ---------------------------------------------------------- */

static struct value *resource_object(const struct status_run *run, const struct state_resource *r,
				     struct check *f)
{
	struct value *o = value_new_object();

	value_object_put_c(o, "kind", value_new_cstring(r->kind));
	value_object_put_c(o, "name", value_new_cstring(r->name));
	value_object_put_c(o, "id", str_or_null(r->id));
	if (r->service)
		value_object_put_c(o, "service", value_new_cstring(r->service));
	value_object_put_c(o, "outcome", value_new_cstring(outcome_name(r->outcome)));
	if (r->reason)
		value_object_put_c(o, "reason", value_new_cstring(r->reason));
	value_object_put_c(o, "state", value_new_cstring(f->state));
	if (f->live_name)
		value_object_put_c(o, "live_name", value_new_cstring(f->live_name));
	if (f->moved_to) {
		struct value *m = value_new_object();
		const struct value *name = value_get(run->groups, f->moved_to);
		value_object_put_c(m, "group_id", value_new_cstring(f->moved_to));
		value_object_put_c(m, "group_name", name ? value_clone(name) : value_new_null());
		value_object_put_c(o, "moved_to", m);
	}
	value_object_put_c(o, "health", f->health ? f->health : value_new_null());
	value_object_put_c(o, "differences", f->differences);
	value_object_put_c(o, "compared_with", str_or_null(f->compared_with));
	value_object_put_c(o, "notes", f->notes);
	return o;
}

struct tally {
	size_t ok, drifted, missing, broken, not_checked;
};

/* Each resource counts once, under the first that applies. */
static void count_finding(struct tally *t, const struct check *f)
{
	if (!strcmp(f->state, "not_checked"))
		t->not_checked++;
	else if (!strcmp(f->state, "deleted"))
		t->missing++;
	else if (f->broken)
		t->broken++;
	else if (strcmp(f->state, "ok"))
		t->drifted++;
	else
		t->ok++;
}

static int check_resource(struct status_run *run, const struct state_resource *r,
			  struct check *f)
{
	memset(f, 0, sizeof *f);
	f->differences = value_new_array();
	f->notes = value_new_array();
	if (!checkable(r)) {
		f->state = "not_checked";
		add_note(f, "not created by ccapply: not checked");
		return 0;
	}
	if (!run->group_exists && !strcmp(r->kind, "transformation")) {
		f->state = "deleted";
		return 0;
	}
	if (!strcmp(r->kind, "connection"))
		return check_connection(run, r, f);
	check_transformation(run, r, f);
	return 0;
}

static struct value *summary_object(const struct tally *t)
{
	struct value *s = value_new_object();

	value_object_put_c(s, "ok", count_value(t->ok));
	value_object_put_c(s, "drifted", count_value(t->drifted));
	value_object_put_c(s, "missing", count_value(t->missing));
	value_object_put_c(s, "broken", count_value(t->broken));
	value_object_put_c(s, "not_checked", count_value(t->not_checked));
	return s;
}

static struct value *head_objects(const struct status_run *run, struct value *doc)
{
	struct value *target = value_new_object(), *plan = value_new_object();

	value_object_put_c(doc, "format_version", value_new_number(STATUS_FORMAT_VERSION));
	value_object_put_c(target, "group_id", value_new_cstring(run->state->target_group_id));
	value_object_put_c(target, "group_name", str_or_null(run->group_name));
	value_object_put_c(target, "exists", value_new_bool(run->group_exists));
	value_object_put_c(doc, "target", target);
	value_object_put_c(plan, "path", value_new_cstring(run->plan_path));
	value_object_put_c(plan, "loaded", value_new_bool(run->plan != NULL));
	value_object_put_c(plan, "error", str_or_null(run->plan_error));
	value_object_put_c(doc, "plan", plan);
	return doc;
}

/* Build the document; *drift says whether anything is not as recorded. */
static int build_document(struct status_run *run, struct value **out, bool *drift)
{
	struct value *doc = head_objects(run, value_new_object());
	struct value *list = value_new_array();
	struct tally t;
	size_t i;
	int rc = 0;

	memset(&t, 0, sizeof t);
	for (i = 0; i < run->state->n_resources && !rc; i++) {
		const struct state_resource *r = &run->state->resources[i];
		struct check f;
		if ((rc = check_resource(run, r, &f))) {
			value_free(f.differences);
			value_free(f.notes);
			value_free(f.health);
			break;
		}
		count_finding(&t, &f);
		value_array_push(list, resource_object(run, r, &f));
	}
	value_object_put_c(doc, "resources", list);
	value_object_put_c(doc, "summary", summary_object(&t));
	*drift = !run->group_exists || t.drifted || t.missing || t.broken;
	if (rc)
		value_free(doc);
	*out = rc ? NULL : doc;
	return rc;
}

/* ---- text ------------------------------------------------------------------ */

static void render_value(FILE *out, const struct value *v)
{
	struct buf b = BUF_INIT;

	if (!v || v->type == VALUE_NULL) {
		fputs("(absent)", out);
		return;
	}
	json_write(&b, v, JSON_COMPACT);
	fputs(cmd_shown(b.data), out);
	buf_free(&b);
}

struct look {
	const char *symbol, *color;
};

static struct look look_of(const struct value *res)
{
	const char *state = value_get_string(res, "state");
	const struct value *broken = value_get(value_get(res, "health"), "broken");
	struct look l = { "~", C_YELLOW };

	if (!strcmp(state, "not_checked"))
		l = (struct look){ "?", C_DIM };
	else if (!strcmp(state, "deleted"))
		l = (struct look){ "-", C_RED };
	else if (broken && broken->type == VALUE_BOOL && broken->u.boolean)
		l = (struct look){ "!", C_RED };
	else if (!strcmp(state, "moved"))
		l = (struct look){ ">", C_YELLOW };
	else if (!strcmp(state, "ok"))
		l = (struct look){ "=", C_GREEN };
	return l;
}

static void render_verdict(FILE *out, const struct value *res)
{
	const char *state = value_get_string(res, "state");
	const struct value *moved = value_get(res, "moved_to");
	const struct value *broken = value_get(value_get(res, "health"), "broken");
	bool is_broken = broken && broken->type == VALUE_BOOL && broken->u.boolean;

	if (!strcmp(state, "not_checked")) {
		const char *reason = value_get_string(res, "reason");
		fprintf(out, "not created by ccapply (%s%s%s), not checked",
			value_get_string(res, "outcome"), reason ? " " : "", reason ? cmd_shown(reason) : "");
		return;
	}
	if (!strcmp(state, "renamed"))
		fprintf(out, "renamed to \"%s\"", cmd_shown(value_get_string(res, "live_name")));
	else if (moved && value_get_string(moved, "group_name"))
		fprintf(out, "moved to group \"%s\" (%s)",
			cmd_shown(value_get_string(moved, "group_name")),
			cmd_shown(value_get_string(moved, "group_id")));
	else if (moved)
		fprintf(out, "moved to group %s", cmd_shown(value_get_string(moved, "group_id")));
	else if (strcmp(state, "ok") || !is_broken)
		fputs(state, out);
	if (is_broken)
		fprintf(out, "%sbroken", strcmp(state, "ok") ? ", " : "");
}

static void render_health(FILE *out, const struct value *h, const struct global_options *g)
{
	const struct value *paused = value_get(h, "paused");
	const char *setup = value_get_string(h, "setup_state");
	const char *sync = value_get_string(h, "sync_state");
	const char *status = value_get_string(h, "status");

	if (!h || h->type != VALUE_OBJECT)
		return;
	fprintf(out, "      %shealth: %s", color(g, C_DIM),
		!paused || paused->type != VALUE_BOOL ? "paused unknown" :
		paused->u.boolean ? "paused" : "not paused");
	if (setup)
		fprintf(out, ", setup_state %s%s", cmd_shown(setup), !strcmp(setup, "incomplete") ?
			" (as expected: awaiting credentials)" : "");
	if (sync)
		fprintf(out, ", sync_state %s", cmd_shown(sync));
	if (status)
		fprintf(out, ", status %s", cmd_shown(status));
	fprintf(out, "%s\n", color(g, C_RESET));
}

static void render_resource(FILE *out, const struct value *res, const struct global_options *g)
{
	const struct value *diffs = value_get(res, "differences");
	const struct value *notes = value_get(res, "notes");
	const char *service = value_get_string(res, "service");
	const char *id = value_get_string(res, "id");
	struct look l = look_of(res);
	size_t i;

	fprintf(out, "  %s%s %s \"%s\"%s", color(g, l.color), l.symbol,
		value_get_string(res, "kind"), cmd_shown(value_get_string(res, "name")),
		color(g, C_RESET));
	if (service)
		fprintf(out, " (%s)", cmd_shown(service));
	if (id)
		fprintf(out, " id=%s", cmd_shown(id));
	fputs(": ", out);
	render_verdict(out, res);
	fputc('\n', out);
	for (i = 0; i < diffs->u.arr.n; i++) {
		const struct value *d = diffs->u.arr.items[i];
		fprintf(out, "      ~ %s: sent ", cmd_shown(value_get_string(d, "path")));
		render_value(out, value_get(d, "sent"));
		fputs(", live ", out);
		render_value(out, value_get(d, "live"));
		fputc('\n', out);
	}
	render_health(out, value_get(res, "health"), g);
	for (i = 0; i < notes->u.arr.n; i++)
		if (strcmp(value_get_string(res, "state"), "not_checked"))
			fprintf(out, "      note: %s\n", cmd_shown(notes->u.arr.items[i]->u.str.ptr));
}

static void render_text(FILE *out, const struct value *doc, const struct global_options *g)
{
	const struct value *target = value_get(doc, "target");
	const struct value *plan = value_get(doc, "plan");
	const struct value *list = value_get(doc, "resources");
	const struct value *s = value_get(doc, "summary");
	const char *name = value_get_string(target, "group_name");
	const char *not_checked = value_get(s, "not_checked")->u.number;
	size_t i;

	fprintf(out, "Target group: %s (%s)", name ? cmd_shown(name) : "(unknown)",
		cmd_shown(value_get_string(target, "group_id")));
	if (!value_get(target, "exists")->u.boolean)
		fprintf(out, ": %sno longer exists%s", color(g, C_RED), color(g, C_RESET));
	fputs("\n\n", out);
	if (!value_get(plan, "loaded")->u.boolean)
		fprintf(out, "%sConfig drift not checked:%s the plan did not load:\n  %s\n"
			"  (existence and health are still checked)\n\n", color(g, C_YELLOW),
			color(g, C_RESET), value_get_string(plan, "error"));
	if (!list->u.arr.n)
		fputs("  The state file records no resources.\n", out);
	for (i = 0; i < list->u.arr.n; i++)
		render_resource(out, list->u.arr.items[i], g);
	fprintf(out, "\n%sStatus:%s %s ok, %s drifted, %s missing, %s broken", color(g, C_BOLD),
		color(g, C_RESET), value_get(s, "ok")->u.number,
		value_get(s, "drifted")->u.number, value_get(s, "missing")->u.number,
		value_get(s, "broken")->u.number);
	if (strcmp(not_checked, "0"))
		fprintf(out, "; %s not checked (not created by ccapply)", not_checked);
	fputs(".\n", out);
}

/* ---- the command ------------------------------------------------------------ */

static void run_free(struct status_run *run)
{
	state_free(run->state);
	plan_free(run->plan);
	free(run->plan_path);
	free(run->plan_error);
	client_free(run->client);
	free(run->group_name);
	value_free(run->connections);
	value_free(run->transformations);
	value_free(run->fetched);
	value_free(run->groups);
}

static int run_status(const struct cmd_args *a, const struct global_options *g)
{
	struct status_run run;
	struct value *doc = NULL;
	bool drift = false;
	int rc;

	memset(&run, 0, sizeof run);
	run.g = g;
	if (!(rc = load_state_file(&run))) {
		run.group_exists = true;
		run.group_name = run.state->target_group_name ?
				 xstrdup(run.state->target_group_name) : NULL;
		load_plan_file(&run);
		rc = read_live(&run);
	}
	if (!rc)
		rc = build_document(&run, &doc, &drift);
	if (!rc) {
		if (args_flag(a, "--json"))
			print_json(doc);
		else
			render_text(stdout, doc, g);
		rc = drift ? EXIT_CHANGES : EXIT_OK;
	}
	value_free(doc);
	run_free(&run);
	return rc;
}

static const struct opt_spec status_options[] = {
	{ .name = "--json", .help = "print one JSON object (docs/status.md)" },
	{ 0 },
};

const struct command_spec cmd_status_spec = {
	.name = "status",
	.summary = "drift and health of what the state file records (read-only)",
	.description =
		"Check what .copy-connections/ccapply.lock records against Fivetran (GET\n"
		"requests only): for every resource ccapply created or found, whether it is\n"
		"still there, renamed, deleted or moved to another group, whether its config\n"
		"drifted from what was sent, and its health (paused, setup_state,\n"
		"sync_state; broken when setup_state is broken).",
	.after = "Exit status: 0 nothing drifted, 1 error, 2 something drifted, is missing\n"
		 "or is broken.",
	.options = status_options,
	.run = run_status,
};
