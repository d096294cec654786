/* tt-bench.c — test-tool yaml-events FILE: parse FILE with libfyaml's event
 * parser and discard every event, keeping nothing, and print the counts.
 * It is the floor under lib/yaml.c's loading time (which adds UTF-8 checks,
 * scalar resolution and the value tree on top of the same parser), so
 * `make bench` can show how much of a plan load is libfyaml itself.
 * Same parser flags and callback input as lib/yaml.c.
 * Exit 0 parsed, 1 parse error, 2 usage or I/O error. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <libfyaml.h>

#include "tools/test-tool.h"

/* libfyaml's input callback: plain fread, as lib/yaml.c reads through one
 * (which also checks the bytes). */
static ssize_t read_plain(void *user, void *buf, size_t count)
{
	return (ssize_t)fread(buf, 1, count, (FILE *)user);
}

/* Count the events of f; -1 on a parse error. */
static long count_events(struct fy_parser *fyp, long *scalars)
{
	struct fy_event *e;
	long n = 0;

	while ((e = fy_parser_parse(fyp))) {
		n++;
		if (e->type == FYET_SCALAR) {
			size_t len;

			(*scalars)++;
			/* the loader asks for every scalar's text: so does the floor */
			(void)fy_token_get_text(e->scalar.value, &len);
		}
		fy_parser_event_free(fyp, e);
	}
	return fy_parser_get_stream_error(fyp) ? -1 : n;
}

int tt_yaml_events(int argc, char **argv)
{
	struct fy_parse_cfg cfg;
	struct fy_parser *fyp;
	long n, scalars = 0;
	FILE *f;

	if (argc != 2) {
		fputs("usage: test-tool yaml-events FILE\n", stderr);
		return 2;
	}
	f = fopen(argv[1], "rb");
	if (!f) {
		fprintf(stderr, "%s: %s\n", argv[1], strerror(errno));
		return 2;
	}
	memset(&cfg, 0, sizeof cfg);
	cfg.flags = FYPCF_QUIET | FYPCF_DEFAULT_VERSION_1_2 | FYPCF_JSON_NONE; /* as lib/yaml.c */
	fyp = fy_parser_create(&cfg);
	if (!fyp || fy_parser_set_input_callback(fyp, f, read_plain)) {
		fprintf(stderr, "%s: cannot set up libfyaml\n", argv[1]);
		if (fyp)
			fy_parser_destroy(fyp);
		fclose(f);
		return 2;
	}
	n = count_events(fyp, &scalars);
	fy_parser_destroy(fyp);
	fclose(f);
	if (n < 0) {
		fprintf(stderr, "%s: libfyaml reported a parse error\n", argv[1]);
		return 1;
	}
	printf("events %ld scalars %ld\n", n, scalars);
	return 0;
}
