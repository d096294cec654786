/*
 * test-tool.c — dispatch for bin/test-tool. A table of subcommands, each a
 * thin wrapper that exposes one library function to shell tests.
 */
#include <stdio.h>
#include <string.h>

#include "tools/test-tool.h"

struct subcommand {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *usage;
};

static const struct subcommand subcommands[] = {
	{ "yaml2json", tt_yaml2json, "yaml2json FILE      print the JSON the YAML document loads as" },
	{ "yaml-load-discard", tt_yaml_load_discard,
	  "yaml-load-discard FILE KEY DEPTH  yaml2json, compact, without KEY members at DEPTH" },
	{ "json-parse", tt_json_parse, "json-parse FILE     exit 0 if FILE is valid JSON, 1 if not" },
	{ "json-equal", tt_json_equal, "json-equal A B      exit 0 if A and B are the same JSON value" },
	{ "json-canon", tt_json_canon, "json-canon FILE     print FILE's JSON in canonical form" },
	{ "plan-load", tt_plan_load, "plan-load FILE      load a plan as ccapply does; print counts" },
	{ "report-load", tt_report_load,
	  "report-load FILE    load a validation report as the gates do; print a summary" },
	{ "yaml-events", tt_yaml_events,
	  "yaml-events FILE    libfyaml's events for FILE, discarded (the bench's floor)" },
	{ "blake2b", tt_blake2b, "blake2b FILE        print blake2b-256:<hex> of FILE" },
	{ "api", tt_api, "api [OPTIONS] OP ARGS  call the Fivetran API client (see tt-client.c)" },
	{ "state-load", tt_state_load,
	  "state-load FILE     load a state file as apply does; print its rendering" },
	{ "mcp-read", tt_mcp_read,
	  "mcp-read FILE       FILE as ccapply mcp's stdin: print the messages it answers" },
	{ "state-example", tt_state_example,
	  "state-example FILE [NAME=OUTCOME...]  save the example state (see tt-state.c)" },
	{ "catalog", tt_catalog,
	  "catalog SERVICE | --counts | --create-fields | --credential NAME  (see tt-catalog.c)" },
};

int main(int argc, char **argv)
{
	size_t i;

	if (argc >= 2)
		for (i = 0; i < sizeof subcommands / sizeof subcommands[0]; i++)
			if (!strcmp(argv[1], subcommands[i].name))
				return subcommands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "usage: test-tool SUBCOMMAND ARGS\n");
	for (i = 0; i < sizeof subcommands / sizeof subcommands[0]; i++)
		fprintf(stderr, "  %s\n", subcommands[i].usage);
	return 2;
}
