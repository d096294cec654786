/*
 * fuzz-report.c — libFuzzer target for the validation_report.yaml loader.
 *
 * Each input is loaded with report_load() as gate 1-3 load it; when it loads,
 * the warning codes apply asks to acknowledge are collected too
 * (report_warning_codes), which walks every finding. Findings are crashes,
 * ASan/UBSan reports and leaks.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "fuzz/memfile.h"
#include "planner/planner.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct report *r;
	struct err err;
	const char **codes = NULL;
	size_t n, i;

	if (report_load(memfile_put(data, size), &r, &err))
		return 0;
	if (!r)
		abort(); /* report_load said success without a report */
	n = report_warning_codes(r, &codes);
	for (i = 0; i < n; i++)
		if (!codes[i] || !codes[i][0])
			abort(); /* a code to acknowledge that cannot be typed */
	free(codes);
	(void)report_status_name(r->status);
	report_free(r);
	return 0;
}
