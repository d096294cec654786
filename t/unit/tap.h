/*
 * tap.h — a tiny TAP producer for the C unit tests in t/unit/.
 *
 * ok() records one test point; the is_*() helpers print what was expected and
 * what was got on failure. done_testing() prints the plan and returns the exit
 * status (0 when every point passed).
 */
#ifndef CCAPPLY_TAP_H
#define CCAPPLY_TAP_H

#include <stdbool.h>
#include <stddef.h>

bool ok(bool cond, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
bool is_str(const char *got, const char *expected, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
bool is_int(long long got, long long expected, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int done_testing(void);

/* Files a test writes live in one scratch directory, made on the first call
 * of tap_scratch_dir() under $TMPDIR (or /tmp) as ccapply-test-XXXXXX and
 * removed by tap_scratch_done() (a diagnostic if the test left files in it).
 * Setup failures are not test points: tap_die() prints "what: strerror(errno)"
 * and exits 2, and the file helpers call it. */
const char *tap_scratch_dir(void);
char *tap_scratch_path(const char *name); /* DIR/name; the caller frees it */
void tap_scratch_done(void);
char *tap_read_file(const char *path);    /* whole file, NUL-terminated; caller frees */
void tap_write_file(const char *path, const char *data, size_t len);
void tap_die(const char *what) __attribute__((noreturn));

/* Deterministic pseudo-random numbers for randomized tests (splitmix64):
 * the same seed gives the same sequence on every run. tap_rand(n) is in
 * [0, n), 0 when n is 0. */
void tap_rand_seed(unsigned long long seed);
size_t tap_rand(size_t n);
/* Replace *field (freed) with a copy of value (NULL stays NULL). */
void tap_set_str(char **field, const char *value);

#endif
