/* tt-report.c — test-tool report-load FILE: load a validation_report.yaml
 * exactly as the gates do and print what the model holds (status, checksum,
 * findings by severity, the codes apply asks to acknowledge), so shell tests
 * and the fuzz regression corpus can feed files to the real loader.
 * Exit 0 loaded, 1 invalid (message on stderr), 2 usage. */
#include <stdio.h>
#include <stdlib.h>

#include "planner/planner.h"
#include "tools/test-tool.h"

int tt_report_load(int argc, char **argv)
{
	struct report *r;
	struct err err;
	const char **codes = NULL;
	size_t i, n, by_severity[3] = { 0, 0, 0 };

	if (argc != 2) {
		fputs("usage: test-tool report-load FILE\n", stderr);
		return 2;
	}
	if (report_load(argv[1], &r, &err)) {
		fprintf(stderr, "%s\n", err.msg);
		return 1;
	}
	for (i = 0; i < r->n_findings; i++)
		by_severity[r->findings[i].severity]++;
	printf("status %s checksum %s\n", report_status_name(r->status), r->plan_checksum);
	printf("findings blocking %zu warning %zu info %zu\n", by_severity[SEVERITY_BLOCKING],
	       by_severity[SEVERITY_WARNING], by_severity[SEVERITY_INFO]);
	n = report_warning_codes(r, &codes);
	printf("to acknowledge");
	for (i = 0; i < n; i++)
		printf(" %s", codes[i]);
	printf("\n");
	free(codes);
	report_free(r);
	return 0;
}
