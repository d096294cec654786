/*
 * memfile.h — hand a fuzz input to loaders that only take a path.
 *
 * plan_load(), report_load() and state_load() read files by name, as ccapply
 * does; a fuzz target must not touch the disk for every execution. memfile
 * keeps one memfd (an anonymous in-memory regular file) for the life of the
 * process and rewrites it for each input; the loaders open it by its
 * /proc/self/fd/N name, which stat(2) reports as a regular file.
 *
 * Fuzz harness only (built by `make fuzz`, never into ccapply). Any failure
 * of the memfd itself aborts: that is a broken harness, not a finding.
 */
#ifndef CCAPPLY_FUZZ_MEMFILE_H
#define CCAPPLY_FUZZ_MEMFILE_H

#include <stddef.h>
#include <stdint.h>

/* Replace the memfd's contents with data[0..size) and return its path (a
 * static string, valid for the life of the process). */
const char *memfile_put(const uint8_t *data, size_t size);

#endif
