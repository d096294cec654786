/*
 * conform.h — a planned connection checked against and shaped by the
 * service catalog while the plan loads (see conform.c). Internal to planner/.
 */
#ifndef CCAPPLY_PLANNER_CONFORM_H
#define CCAPPLY_PLANNER_CONFORM_H

#include "catalog/catalog.h"
#include "planner/planner.h"
#include "planner/read.h"

/* Fill c->create_fields (the settings, from beside config and inside it),
 * c->naming and c->config (the plan's CONFIG, NULL when it has none, without
 * settings, ccapply's own fields, naming keys and read-only keys) for the
 * connection ITEM at PATH ("connections[3]"), whose source_service and
 * target_name are already read. Errors name FILE:LINE:COL and return -1;
 * warnings are appended to plan->warnings. */
int plan_conform_connection(const struct reader *r, struct plan *plan, const struct value *item,
			    const char *path, const struct value *config, struct plan_connection *c);

#endif
