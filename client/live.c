/*
 * live.c — the live-state reads behind plan, apply and status (see live.h).
 * Each read is one client call; pagination, retries and the checks that
 * every object has the fields read here, with their types, live in the
 * client (client.h).
 */
#include "client/live.h"

#include <string.h>

#include "lib/buf.h"

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

static int read_target_group(struct client *c, const struct plan *plan, struct value **group,
			     struct err *err)
{
	struct api_status st;
	const char *id = plan->destination.existing_destination_id;

	if (plan->destination.mode == DESTINATION_NEW || !id)
		return find_group_by_name(c, plan->destination.new_group_name, group, err);
	memset(&st, 0, sizeof st);
	if (!client_get_group(c, id, group, &st, err))
		return 0;
	if (st.http_status == 404) {
		err_set(err, "target group '%s' (destination.existing_destination_id) does not "
			"exist; re-scope the plan", id);
		err->code = LIVE_E_NO_TARGET;
	}
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
	if (client_list_group_connections(c, out->group_id, NULL, &out->connections, &st, err) ||
	    client_list_transformations(c, out->group_id, "QUICKSTART", &out->transformations,
					&st, err)) {
		live_state_free(out);
		return -1;
	}
	out->source_group_name = read_source_group_name(c, plan);
	return 0;
}
