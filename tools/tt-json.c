/*
 * tt-json.c — test-tool json-parse, json-equal and json-canon: the JSON
 * parser and writer (lib/json.h) exposed to shell tests.
 *
 * Files are read whole with fileio_read_input and parsed with their length, so
 * NUL bytes reach the parser (which must reject them, not stop at them).
 * Exit status: 0 yes/ok, 1 no/invalid, 2 usage or I/O error.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/err.h"
#include "lib/fileio.h"
#include "lib/json.h"
#include "lib/value.h"
#include "tools/test-tool.h"

/* Parse FILE into *out. Returns 0, 1 (invalid JSON, reported) or 2 (I/O). */
static int load_json(const char *path, struct value **out)
{
	struct buf b = BUF_INIT;
	struct err err;
	int rc;

	*out = NULL;
	if (fileio_read_input(path, 0, &b, &err)) {
		fprintf(stderr, "%s\n", err.msg);
		buf_free(&b);
		return 2;
	}
	rc = json_parse_named(path, b.data, b.len, out, &err);
	buf_free(&b);
	if (rc) {
		fprintf(stderr, "%s\n", err.msg);
		return 1;
	}
	return 0;
}

int tt_json_parse(int argc, char **argv)
{
	struct value *v;
	int rc;

	if (argc != 2) {
		fputs("usage: test-tool json-parse FILE\n", stderr);
		return 2;
	}
	rc = load_json(argv[1], &v);
	value_free(v);
	return rc;
}

int tt_json_equal(int argc, char **argv)
{
	struct value *a = NULL, *b = NULL;
	int rc;

	if (argc != 3) {
		fputs("usage: test-tool json-equal A B\n", stderr);
		return 2;
	}
	rc = load_json(argv[1], &a);
	if (!rc)
		rc = load_json(argv[2], &b);
	if (!rc && !value_equal(a, b)) {
		struct buf ca = BUF_INIT, cb = BUF_INIT;

		json_write(&ca, a, JSON_SORT_KEYS);
		json_write(&cb, b, JSON_SORT_KEYS);
		fprintf(stderr, "%s and %s differ:\n  %s\n  %s\n", argv[1], argv[2], buf_str(&ca),
			buf_str(&cb));
		buf_free(&ca);
		buf_free(&cb);
		rc = 1;
	}
	value_free(a);
	value_free(b);
	return rc;
}

int tt_json_canon(int argc, char **argv)
{
	struct buf out = BUF_INIT;
	struct value *v;
	int rc;

	if (argc != 2) {
		fputs("usage: test-tool json-canon FILE\n", stderr);
		return 2;
	}
	rc = load_json(argv[1], &v);
	if (rc)
		return rc;
	json_write(&out, v, JSON_COMPACT | JSON_SORT_KEYS);
	buf_putc(&out, '\n');
	if (fwrite(out.data, 1, out.len, stdout) != out.len || fflush(stdout)) {
		fprintf(stderr, "test-tool: writing output: %s\n", strerror(errno));
		rc = 2;
	}
	buf_free(&out);
	value_free(v);
	return rc;
}
