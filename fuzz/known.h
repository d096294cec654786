/*
 * known.h — inputs the fuzz targets set aside because they hit a problem
 * already found, reported and kept as a regression test, so a long run looks
 * for new bugs instead of stopping at the same one every few seconds.
 *
 * Each filter names its regression file in testdata/fuzz/regress/ and is
 * removed once the problem is fixed (docs/fuzzing.md keeps the history).
 * FUZZ_NO_SKIP=1 in the environment turns every filter off, to check whether
 * a problem is still there.
 *
 * Fuzz harness only (built by `make fuzz`).
 */
#ifndef CCAPPLY_FUZZ_KNOWN_H
#define CCAPPLY_FUZZ_KNOWN_H

#include <stdbool.h>

#include "lib/value.h"

/* lib/yaml.c accepts nesting up to YAML_MAX_DEPTH (1000) but lib/json.c
 * refuses JSON deeper than JSON_MAX_DEPTH (512), so a plan value nested
 * between the two loads but cannot be read back from the JSON ccapply
 * writes of it (regress/yaml-deeper-than-json.yaml). True when v is nested
 * deeper than JSON_MAX_DEPTH, so the YAML target skips its JSON round trip. */
bool known_deeper_than_json(const struct value *v);

#endif
