/*
 * live.h — the live reads: what Fivetran holds, read through a client into
 * differ's live-state model. Its own module so that client/ stays a
 * transport (it includes lib/ and the catalog alone) and differ/ stays pure.
 *
 * live_read(): the live state a diff needs, with the fewest requests
 * (SPEC §2): the target group (by id, or by name through the group list), its
 * connections in one paginated list (items carry config), its QUICKSTART
 * transformations, and the source group's name (through the first planned
 * connection). No per-connection GETs.
 *
 * Then it checks what the execute step and SPEC §2 require before anything
 * is written: the target group has a destination (GET
 * /v1/destinations/{group_id}), and metadata.fivetran_account_hint, when
 * set, names a group these credentials can see. Errors, each with its
 * err->code, so callers can tell them apart:
 *   LIVE_E_NO_TARGET       the target group does not exist: re-scope;
 *   LIVE_E_NO_DESTINATION  it exists without a destination: re-scope;
 *   LIVE_E_OTHER_ACCOUNT   the hint names a group (the target, or another)
 *                          these credentials cannot see: another account's key.
 * Each 404 is read as "not there" only on a route that answered before
 * through the same base URL (the hint and the destination are read after the
 * target group), so a wrong --api-url is not mistaken for a missing
 * destination. A source group that cannot be read is not an error:
 * source_group_name stays NULL.
 *
 * Invariant: it sends GET requests only, whatever client it is given.
 *
 * Who may call: cmd/ (plan, apply, status). Ownership: the caller frees the
 * filled live_state with differ_live_state_free() (differ.h).
 */
#ifndef CCAPPLY_LIVE_H
#define CCAPPLY_LIVE_H

#include "client/client.h"
#include "differ/differ.h"
#include "planner/planner.h"
#include "state/state.h"

#define LIVE_E_NO_TARGET 100
#define LIVE_E_NO_DESTINATION 101
#define LIVE_E_OTHER_ACCOUNT 102

int live_read(struct client *c, const struct plan *plan, struct live_state *out,
	      struct err *err);

/* The live side of what st records, for status's drift (differ_drift()),
 * as frugally: the target group by id (a 404 is not an error: group_missing;
 * otherwise group_name), and unless it is missing its connections when st
 * records an existing connection and its QUICKSTART transformations when it
 * records an existing transformation (state_records_existing()); then, in
 * state order, each recorded connection the list does not hold, by id
 * (found: in elsewhere; a 404: deleted, nothing kept) and, for one in
 * another group now, that group's name, once per group and best effort
 * (other_groups: id → name or null). group_id is st's target group. Call it
 * only when st records something existing: otherwise there is nothing to
 * read (a zeroed live_state says "the group exists, nothing was read"). */
int live_read_recorded(struct client *c, const struct state *st, struct live_state *out,
		       struct err *err);

#endif
