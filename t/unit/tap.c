/*
 * tap.c — TAP output for the C unit tests (see tap.h). Plan at the end, so a
 * table-driven test need not count its rows.
 */
#include "t/unit/tap.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int tests_run, tests_failed;

static bool report(bool cond, const char *fmt, va_list ap)
{
	tests_run++;
	if (!cond)
		tests_failed++;
	printf("%sok %d - ", cond ? "" : "not ", tests_run);
	vprintf(fmt, ap);
	putchar('\n');
	fflush(stdout);
	return cond;
}

bool ok(bool cond, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	report(cond, fmt, ap);
	va_end(ap);
	return cond;
}

bool is_str(const char *got, const char *expected, const char *fmt, ...)
{
	bool cond = got && expected ? !strcmp(got, expected) : got == expected;
	va_list ap;

	va_start(ap, fmt);
	report(cond, fmt, ap);
	va_end(ap);
	if (!cond)
		printf("#   got:      '%s'\n#   expected: '%s'\n", got ? got : "(null)",
		       expected ? expected : "(null)");
	return cond;
}

bool is_int(long long got, long long expected, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report(got == expected, fmt, ap);
	va_end(ap);
	if (got != expected)
		printf("#   got:      %lld\n#   expected: %lld\n", got, expected);
	return got == expected;
}

void diag(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

int done_testing(void)
{
	printf("1..%d\n", tests_run);
	return tests_failed ? 1 : 0;
}
