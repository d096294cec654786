/* tt-json.c — test-tool json-* (placeholder until lib/json.c lands). */
#include <stdio.h>
#include "tools/test-tool.h"
static int todo(void) { fputs("not implemented\n", stderr); return 2; }
int tt_json_parse(int argc, char **argv) { (void)argc; (void)argv; return todo(); }
int tt_json_equal(int argc, char **argv) { (void)argc; (void)argv; return todo(); }
int tt_json_canon(int argc, char **argv) { (void)argc; (void)argv; return todo(); }
