/*
 * test-tool.h — subcommands of bin/test-tool, the tests' window into the
 * libraries (in the manner of git's t/helper/test-tool). Each subcommand lives
 * in its own tools/tt-*.c and returns the process exit status.
 */
#ifndef CCAPPLY_TEST_TOOL_H
#define CCAPPLY_TEST_TOOL_H

int tt_yaml2json(int argc, char **argv);   /* tt-yaml.c */
int tt_yaml_load_discard(int argc, char **argv); /* tt-yaml.c */
int tt_json_parse(int argc, char **argv);  /* tt-json.c */
int tt_json_equal(int argc, char **argv);  /* tt-json.c */
int tt_json_canon(int argc, char **argv);  /* tt-json.c */
int tt_blake2b(int argc, char **argv);     /* tt-digest.c */
int tt_plan_load(int argc, char **argv);   /* tt-plan.c */
int tt_report_load(int argc, char **argv); /* tt-report.c */
int tt_yaml_events(int argc, char **argv); /* tt-bench.c */
int tt_api(int argc, char **argv);         /* tt-client.c */
int tt_state_load(int argc, char **argv);  /* tt-state.c */
int tt_state_example(int argc, char **argv); /* tt-state.c */
int tt_catalog(int argc, char **argv);     /* tt-catalog.c */
int tt_mcp_read(int argc, char **argv);    /* tt-mcp.c */

#endif
