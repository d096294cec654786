/* tt-digest.c — test-tool blake2b FILE: the file's blake2b-256 checksum. */
#include <stdio.h>

#include "lib/digest.h"
#include "tools/test-tool.h"

int tt_blake2b(int argc, char **argv)
{
	char sum[CHECKSUM_TEXT_MAX];
	struct err err;

	if (argc != 2) {
		fputs("usage: test-tool blake2b FILE\n", stderr);
		return 2;
	}
	if (digest_checksum_file(argv[1], DIGEST_BLAKE2B_256, sum, &err)) {
		fprintf(stderr, "test-tool: %s\n", err.msg);
		return 1;
	}
	puts(sum);
	return 0;
}
