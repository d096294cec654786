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
	{ "json-parse", tt_json_parse, "json-parse FILE     exit 0 if FILE is valid JSON, 1 if not" },
	{ "json-equal", tt_json_equal, "json-equal A B      exit 0 if A and B are the same JSON value" },
	{ "json-canon", tt_json_canon, "json-canon FILE     print FILE's JSON in canonical form" },
	{ "blake2b", tt_blake2b, "blake2b FILE        print blake2b-256:<hex> of FILE" },
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
