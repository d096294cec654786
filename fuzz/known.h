/*
 * known.h — inputs the fuzz targets set aside because they hit a bug already
 * found, reported and kept as a regression test, so a long run can look for
 * new bugs instead of stopping at the same one every few seconds.
 *
 * Each filter names its regression file in testdata/fuzz/regress/ and is
 * removed once the bug is fixed. Setting FUZZ_NO_SKIP=1 in the environment
 * turns every filter off (to check whether a bug is still there).
 *
 * Fuzz harness only (built by `make fuzz`).
 */
#ifndef CCAPPLY_FUZZ_KNOWN_H
#define CCAPPLY_FUZZ_KNOWN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Whether the input hits one of the filters above (none is open now). */
bool known_bug(const uint8_t *data, size_t size);

#endif
