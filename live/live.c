/*
 * live.c — the live-state reads behind plan, apply and status (see live.h).
 * Each read is one client call; pagination, retries and the checks that
 * every object has the fields read here, with their types, live in the
 * client (client.h).
 */
#include "live/live.h"

#include <stdio.h>
#include <string.h>

#include "lib/buf.h"

/* GET /v1/groups/{id}: *missing (and *group NULL) when it answers 404 with
 * Fivetran's NotFound code; any other failure is an error. A 404 without it
 * (a proxy's page, a base URL with /v1 twice) is about the route, not the
 * group, and says so. */
static int get_group(struct client *c, const char *id, struct value **group, bool *missing,
		     struct err *err)
{
	struct api_status st;
	char cause[ERR_MSG_MAX];

	*missing = false;
	memset(&st, 0, sizeof st);
	if (!client_get_group(c, id, group, &st, err))
		return 0;
	*group = NULL;
	if (st.http_status != 404)
		return -1;
	if (strcmp(st.code, "NotFound")) {
		snprintf(cause, sizeof cause, "%s", err->msg);
		return err_set(err, "%s (a 404 without Fivetran's NotFound error: the route was "
			       "not found, not the group; check --api-url or FIVETRAN_API_URL)",
			       cause);
	}
	*missing = true;
	return 0;
}

static int find_group_by_name(struct client *c, const char *name, struct value **group,
			      struct err *err)
{
	struct value *groups = NULL;
	struct api_status st;
	size_t i;

	*group = NULL;
	if (client_list_groups(c, &groups, &st, err))
		return -1;
	for (i = 0; i < groups->u.arr.n; i++) {
		const char *n = value_get_string(groups->u.arr.items[i], "name");
		if (n && !strcmp(n, name)) {
			*group = value_clone(groups->u.arr.items[i]);
			break;
		}
	}
	value_free(groups);
	if (!*group) {
		err_set(err, "target group '%s' does not exist; re-scope the plan (the scope step "
			"creates the destination)", name);
		err->code = LIVE_E_NO_TARGET;
		return -1;
	}
	return 0;
}

static bool names_target(const struct plan *plan, const char *id)
{
	return plan->account_hint && id && !strcmp(plan->account_hint, id);
}

/* The refusal when the account hint names something these credentials cannot
 * see: the key is another account's (SPEC §2). */
static int other_account(struct err *err, const char *hint, const char *what)
{
	err_set(err, "refused: metadata.fivetran_account_hint '%s' names %s these credentials "
		"cannot see: the API key belongs to another Fivetran account than the one the "
		"plan was made in. Use that account's key (FIVETRAN_APIKEY, FIVETRAN_APISECRET), "
		"or re-scope the plan if the group was deleted since.", hint, what);
	err->code = LIVE_E_OTHER_ACCOUNT;
	return -1;
}

/* A target group that did not answer 404 because of the account: the hint
 * names it, and the account's group list, read through the same base URL
 * (so the route is right), does not hold it. Otherwise err stays as it is. */
static int target_in_other_account(struct client *c, const struct plan *plan, const char *id,
				   struct err *err)
{
	struct value *groups = NULL;
	struct api_status st;
	struct err probe;
	bool listed = false;
	size_t i;

	if (!names_target(plan, id) || client_list_groups(c, &groups, &st, &probe))
		return -1;
	for (i = 0; i < groups->u.arr.n && !listed; i++)
		listed = !strcmp(value_get_string(groups->u.arr.items[i], "id"), id);
	value_free(groups);
	return listed ? -1 : other_account(err, id, "the target group "
				      "(destination.existing_destination_id), which");
}

static int read_target_group(struct client *c, const struct plan *plan, struct value **group,
			     struct err *err)
{
	const char *id = plan->destination.existing_destination_id;
	bool missing;

	if (plan->destination.mode == DESTINATION_NEW || !id)
		return find_group_by_name(c, plan->destination.new_group_name, group, err);
	if (get_group(c, id, group, &missing, err))
		return -1;
	if (!missing)
		return 0;
	err_set(err, "target group '%s' (destination.existing_destination_id) does not "
		"exist; re-scope the plan", id);
	err->code = LIVE_E_NO_TARGET;
	return target_in_other_account(c, plan, id, err);
}

/* A hint naming another group than the target must name one these
 * credentials see. Groups and destinations share their ids (one destination
 * per group), so GET /v1/groups/{hint} answers for either. Called after the
 * target group was read through the same base URL, so a 404 here is the
 * group's, not a wrong --api-url's. */
static int check_account_hint(struct client *c, const struct plan *plan, const char *group_id,
			      struct err *err)
{
	struct value *group = NULL;
	bool missing;

	if (!plan->account_hint || !*plan->account_hint || names_target(plan, group_id))
		return 0;
	if (get_group(c, plan->account_hint, &group, &missing, err))
		return -1;
	value_free(group);
	return missing ? other_account(err, plan->account_hint, "a group or destination") : 0;
}

/* The target group's destination: without one nothing can be created
 * (the execute step: stop and re-scope). */
static int check_destination(struct client *c, const char *group_id, struct err *err)
{
	struct value *destination = NULL;
	struct api_status st;

	memset(&st, 0, sizeof st);
	if (!client_get_destination(c, group_id, &destination, &st, err)) {
		value_free(destination);
		return 0;
	}
	if (st.http_status != 404)
		return -1;
	err_set(err, "target group '%s' has no destination (GET /v1/destinations/%s: HTTP 404); "
		"nothing was created. Re-scope the plan: the scope step creates the destination.",
		group_id, group_id);
	err->code = LIVE_E_NO_DESTINATION;
	return -1;
}

/* The source group's name, through the first planned connection. Best
 * effort: the report shows "(unknown)" rather than failing the plan. */
static char *read_source_group_name(struct client *c, const struct plan *plan)
{
	struct value *conn = NULL, *group = NULL;
	const char *group_id;
	char *name = NULL;
	struct api_status st;
	struct err ignored;

	if (!plan->n_connections)
		return NULL;
	if (client_get_connection(c, plan->connections[0].source_id, &conn, &st, &ignored))
		return NULL;
	group_id = value_get_string(conn, "group_id");
	if (group_id && !client_get_group(c, group_id, &group, &st, &ignored) &&
	    value_get_string(group, "name"))
		name = xstrdup(value_get_string(group, "name"));
	value_free(conn);
	value_free(group);
	return name;
}

int live_read(struct client *c, const struct plan *plan, struct live_state *out,
	      struct err *err)
{
	struct value *group = NULL;
	struct api_status st;
	const char *id, *name;

	memset(out, 0, sizeof *out);
	if (read_target_group(c, plan, &group, err))
		return -1;
	/* The client checked the group's shape: id and name are strings. */
	id = value_get_string(group, "id");
	name = value_get_string(group, "name");
	out->group_id = xstrdup(id);
	out->group_name = xstrdup(name);
	value_free(group);
	if (check_account_hint(c, plan, out->group_id, err) ||
	    check_destination(c, out->group_id, err) ||
	    client_list_group_connections(c, out->group_id, NULL, &out->connections, &st, err) ||
	    client_list_transformations(c, out->group_id, "QUICKSTART", &out->transformations,
					&st, err)) {
		differ_live_state_free(out);
		return -1;
	}
	out->source_group_name = read_source_group_name(c, plan);
	return 0;
}

/* ---- status: the live side of what ccapply.lock records ---- */

/* A recorded connection: in the group's list, or else read by id (kept in
 * out->elsewhere; a 404 means deleted, and nothing is kept); when it is in
 * another group now, that group's name, once per group and best effort. */
static int read_recorded_connection(struct client *c, const char *id, struct live_state *out,
				    struct err *err)
{
	const struct value *item = differ_live_find_by_id(out->connections, id);
	struct value *conn = NULL, *group = NULL;
	const char *group_id;
	struct api_status st;
	struct err ignored;

	if (!item) {
		memset(&st, 0, sizeof st);
		if (client_get_connection(c, id, &conn, &st, err))
			return st.http_status == 404 ? 0 : -1;
		value_array_push(out->elsewhere, conn);
		item = conn;
	}
	group_id = value_get_string(item, "group_id");
	if (!group_id || !strcmp(group_id, out->group_id) || value_get(out->other_groups, group_id))
		return 0;
	memset(&st, 0, sizeof st);
	value_object_put_c(out->other_groups, group_id,
			   client_get_group(c, group_id, &group, &st, &ignored) ||
			   !value_get_string(group, "name") ? value_new_null() :
			   value_new_cstring(value_get_string(group, "name")));
	value_free(group);
	return 0;
}

int live_read_recorded(struct client *c, const struct state *st, struct live_state *out,
		       struct err *err)
{
	const char *gid = st->target_group_id;
	struct value *group = NULL;
	struct api_status api;
	size_t i;

	memset(out, 0, sizeof *out);
	out->group_id = xstrdup(gid);
	out->elsewhere = value_new_array();
	out->other_groups = value_new_object();
	if (get_group(c, gid, &group, &out->group_missing, err))
		goto fail;
	if (group && value_get_string(group, "name"))
		out->group_name = xstrdup(value_get_string(group, "name"));
	value_free(group);
	if (!out->group_missing &&
	    ((state_records_existing(st, RESOURCE_CONNECTION) &&
	      client_list_group_connections(c, gid, NULL, &out->connections, &api, err)) ||
	     (state_records_existing(st, RESOURCE_TRANSFORMATION) &&
	      client_list_transformations(c, gid, "QUICKSTART", &out->transformations, &api,
					  err))))
		goto fail;
	for (i = 0; i < st->n_resources; i++) {
		const struct state_resource *r = &st->resources[i];
		if (state_resource_exists(r) && r->kind == RESOURCE_CONNECTION &&
		    read_recorded_connection(c, r->id, out, err))
			goto fail;
	}
	return 0;
fail:
	differ_live_state_free(out);
	return -1;
}
