/*
 * checksum.c — `ccapply checksum [FILE]`: print blake2b-256:<hex> of FILE, by
 * default the plan in DIR/.copy-connections/. The value to put in
 * validation_report.yaml's metadata.plan_checksum; agrees with b2sum -l 256.
 */
#include <stdio.h>

#include "cmd/cmd.h"
#include "lib/buf.h"
#include "lib/digest.h"

int cmd_checksum(int argc, char **argv, const struct global_options *g)
{
	char sum[CHECKSUM_TEXT_MAX];
	struct buf path = BUF_INIT;
	struct err err;
	int rc = EXIT_OK;

	if (argc > 2) {
		cmd_error("usage: ccapply checksum [FILE]");
		return EXIT_USAGE;
	}
	if (argc == 2)
		buf_puts(&path, argv[1]);
	else
		buf_printf(&path, "%s/.copy-connections/copy_plan.yaml", g->dir);
	if (checksum_file(buf_str(&path), DIGEST_BLAKE2B_256, sum, &err)) {
		cmd_error("%s", err.msg);
		rc = EXIT_ERROR;
	} else {
		puts(sum);
	}
	buf_free(&path);
	return rc;
}
