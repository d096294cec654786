/*
 * live.h — read the live state a diff needs, with the fewest requests
 * (SPEC §2): the target group (by id, or by name through the group list), its
 * connections in one paginated list (items carry config), its QUICKSTART
 * transformations, and the source group's name (through the first planned
 * connection). No per-connection GETs.
 *
 * A missing target group is an error with err->code = LIVE_E_NO_TARGET, so the
 * caller can tell the user to re-scope. A source group that cannot be read is
 * not an error: source_group_name stays NULL.
 *
 * Who may call: cmd/ (plan, apply, status). Ownership: the caller frees the
 * filled live_state with live_state_free() (differ.h).
 */
#ifndef CCAPPLY_CLIENT_LIVE_H
#define CCAPPLY_CLIENT_LIVE_H

#include "client/client.h"
#include "differ/differ.h"
#include "planner/planner.h"

#define LIVE_E_NO_TARGET 100

int live_read(struct client *c, const struct plan *plan, struct live_state *out,
	      struct err *err);

#endif
