/*
 * tap.c — TAP output for the C unit tests (see tap.h). Plan at the end, so a
 * table-driven test need not count its rows.
 */
#include "t/unit/tap.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/buf.h"
#include "lib/fileio.h"

static int tests_run, tests_failed;
static char scratch[4096]; /* "" until tap_scratch_dir() makes it */
static unsigned long long rand_state = 0x9e3779b97f4a7c15ull;

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

void tap_die(const char *what)
{
	fprintf(stderr, "%s: %s\n", what, strerror(errno));
	exit(2);
}

const char *tap_scratch_dir(void)
{
	const char *base = getenv("TMPDIR");

	if (scratch[0])
		return scratch;
	snprintf(scratch, sizeof scratch, "%s/ccapply-test-XXXXXX", base && *base ? base : "/tmp");
	if (!mkdtemp(scratch))
		tap_die("mkdtemp");
	return scratch;
}

char *tap_scratch_path(const char *name)
{
	struct buf b = BUF_INIT;

	buf_printf(&b, "%s/%s", tap_scratch_dir(), name);
	return buf_detach(&b);
}

void tap_scratch_done(void)
{
	if (scratch[0] && rmdir(scratch))
		diag("%s: %s", scratch, strerror(errno));
	scratch[0] = '\0';
}

char *tap_read_file(const char *path)
{
	struct buf b = BUF_INIT;
	struct err err;

	if (fileio_read_input(path, 0, &b, &err))
		diag("%s", err.msg), exit(2);
	return buf_detach(&b);
}

void tap_write_file(const char *path, const char *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	if (!f || fwrite(data, 1, len, f) != len || fclose(f))
		tap_die(path);
}

void tap_rand_seed(unsigned long long seed)
{
	rand_state = seed;
}

size_t tap_rand(size_t n)
{
	unsigned long long z = (rand_state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	z ^= z >> 31;
	return n ? (size_t)(z % n) : 0;
}

void tap_set_str(char **field, const char *value)
{
	free(*field);
	*field = value ? xstrdup(value) : NULL;
}
