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

/* libfyaml 0.7.12 loops forever in fy_scan_directive() on bytes that are not
 * UTF-8 in a directive line, and lib/yaml.c's input filter still lets some
 * through (a character found bad on its last byte, or cut off by the end of
 * the file): regress/yaml-directive-*. True when a line starting with '%'
 * holds anything but well-formed UTF-8. */
bool known_directive_hang(const uint8_t *data, size_t size);

#endif
