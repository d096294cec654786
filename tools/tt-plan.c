/* tt-plan.c — test-tool plan-load FILE: load a plan exactly as ccapply does
 * (schema_config discarded) and print what the model holds, for benchmarks
 * and tests of the loader on large files. */
#include <stdio.h>

#include "planner/planner.h"
#include "tools/test-tool.h"

int tt_plan_load(int argc, char **argv)
{
	struct plan *p;
	struct err err;

	if (argc != 2) {
		fputs("usage: test-tool plan-load FILE\n", stderr);
		return 2;
	}
	if (plan_load(argv[1], &p, &err)) {
		fprintf(stderr, "%s\n", err.msg);
		return 1;
	}
	printf("connections %zu packages %zu dbt_projects %zu\n", p->n_connections, p->n_packages,
	       p->n_dbt_projects);
	plan_free(p);
	return 0;
}
