/*
 * checksum.c — `ccapply checksum [FILE]`: print blake2b-256:<hex> of FILE, by
 * default the plan in DIR/.copy-connections/. The value to put in
 * validation_report.yaml's metadata.plan_checksum; agrees with b2sum -l 256.
 */
#include <stdio.h>

#include "cmd/cmd.h"
#include "cmd/options.h"
#include "lib/buf.h"
#include "lib/digest.h"

static int run_checksum(const struct cmd_args *a, const struct global_options *g)
{
	const char *file = args_value(a, "FILE");
	char sum[CHECKSUM_TEXT_MAX];
	struct err err;

	if (digest_checksum_file(file ? file : g->ws.plan, DIGEST_BLAKE2B_256, sum, &err)) {
		cmd_error("%s", err.msg);
		return EXIT_ERROR;
	}
	puts(sum);
	return EXIT_OK;
}

static const struct opt_spec checksum_options[] = {
	{ .name = "FILE", .kind = OPT_POSITIONAL, .path = true, .complete = COMPLETE_FILE },
	{ 0 },
};

const struct command_spec cmd_checksum_spec = {
	.name = "checksum",
	.summary = "print blake2b-256:<hex> of a file (default: the plan)",
	.description =
		"Print blake2b-256:<hex> of FILE (default: DIR/.copy-connections/copy_plan.yaml),\n"
		"the value validation_report.yaml's metadata.plan_checksum expects; agrees\n"
		"with 'b2sum -l 256'.",
	.options = checksum_options,
	.run = run_checksum,
};
