/*
 * schemas.h — the JSON Schemas of docs/schemas/, compiled in.
 *
 * The Makefile generates the table (build/gen/schemas.c, by
 * scripts/embed-schemas.pl) from docs/schemas/NAME.schema.json, the files
 * that document every --json output and that the tests validate real
 * outputs against; `ccapply mcp` gives them to MCP clients as its tools'
 * outputSchema. So there is one schema source for both.
 */
#ifndef CCAPPLY_CMD_SCHEMAS_H
#define CCAPPLY_CMD_SCHEMAS_H

struct cmd_schema {
	const char *name; /* "plan" for docs/schemas/plan.schema.json */
	const char *text; /* the file's bytes */
};

/* Ends with { NULL, NULL }. */
extern const struct cmd_schema cmd_schemas[];

/* The text of docs/schemas/NAME.schema.json, or NULL. */
const char *cmd_schema_text(const char *name);

#endif
