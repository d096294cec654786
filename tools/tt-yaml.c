/*
 * tt-yaml.c — test-tool yaml2json and yaml-load-discard: the YAML loader
 * (lib/yaml.h) exposed to shell tests.
 *
 * yaml2json FILE prints the loaded document as pretty JSON. yaml-load-discard
 * FILE KEY DEPTH loads FILE leaving out every member named KEY of a mapping at
 * DEPTH (the plan loader's use of the discard option) and prints the result
 * compactly; it is how the tests and the 100 MB measurement exercise the
 * streaming path. Exit status: 0 loaded, 1 load error (message on stderr),
 * 2 usage.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/err.h"
#include "lib/json.h"
#include "lib/value.h"
#include "lib/yaml.h"
#include "tools/test-tool.h"

struct discard_rule {
	const char *key;
	size_t depth;
};

static bool discard_matching(const char *key, size_t depth, void *ctx)
{
	const struct discard_rule *rule = ctx;

	return depth == rule->depth && !strcmp(key, rule->key);
}

/* Load path with opts and print it as JSON with flags. */
static int load_and_print(const char *path, const struct yaml_options *opts, int flags)
{
	struct buf out = BUF_INIT;
	struct value *v;
	struct err err;

	if (yaml_load_path(path, opts, &v, &err)) {
		fprintf(stderr, "%s\n", err.msg);
		return 1;
	}
	json_write(&out, v, flags);
	buf_putc(&out, '\n');
	fwrite(out.data, 1, out.len, stdout);
	buf_free(&out);
	value_free(v);
	return fflush(stdout) ? 1 : 0;
}

int tt_yaml2json(int argc, char **argv)
{
	if (argc != 2) {
		fputs("usage: test-tool yaml2json FILE\n", stderr);
		return 2;
	}
	return load_and_print(argv[1], NULL, JSON_PRETTY);
}

int tt_yaml_load_discard(int argc, char **argv)
{
	struct discard_rule rule;
	struct yaml_options opts = { .discard = discard_matching, .ctx = &rule };
	char *end;

	if (argc != 4) {
		fputs("usage: test-tool yaml-load-discard FILE KEY DEPTH\n", stderr);
		return 2;
	}
	rule.key = argv[2];
	rule.depth = strtoul(argv[3], &end, 10);
	if (*end || !*argv[3]) {
		fputs("yaml-load-discard: DEPTH must be a number\n", stderr);
		return 2;
	}
	return load_and_print(argv[1], &opts, JSON_COMPACT);
}
