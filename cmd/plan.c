/* plan.c — `ccapply plan` (placeholder; gates arrive with planner/). */
#include "cmd/cmd.h"
int cmd_plan(int argc, char **argv, const struct global_options *g)
{
	(void)argc; (void)argv; (void)g;
	cmd_error("plan: not implemented yet");
	return EXIT_ERROR;
}
