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

bool ok(bool cond, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
bool is_str(const char *got, const char *expected, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
bool is_int(long long got, long long expected, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int done_testing(void);

#endif
