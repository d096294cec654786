/* tt-yaml.c — test-tool yaml2json (placeholder until lib/yaml.c lands). */
#include <stdio.h>
#include "tools/test-tool.h"
int tt_yaml2json(int argc, char **argv)
{
	(void)argc; (void)argv;
	fputs("yaml2json: not implemented\n", stderr);
	return 2;
}
