/*
 * fuzz-state.c — libFuzzer target for the state file parser (ccapply.lock).
 *
 * A state file is sealed by a digest of everything before its last member, so
 * almost every mutation of a real file stops at the digest check and the field
 * checks behind it would never be reached. Each input is therefore loaded
 * twice with state_load():
 *   1. as it is (hostile files, truncation, the digest check itself);
 *   2. as a body, sealed the way state_save() seals one: the input followed by
 *      `  "digest": "blake2b-256:<digest of the input>"\n}\n`, so mutations
 *      reach the version, type and layout checks.
 * A file that loads must render back to exactly its own bytes (the loader's
 * promise that a loaded file is what ccapply writes); a difference aborts.
 * Findings are crashes, ASan/UBSan reports, leaks and render differences.
 *
 * The seal uses the unkeyed digest; CCAPPLY_STATE_KEY must not be set.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz/memfile.h"
#include "lib/buf.h"
#include "lib/digest.h"
#include "state/state.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void load_one(const uint8_t *data, size_t size)
{
	struct state *st;
	struct err err;
	char *again;

	if (state_load(memfile_put(data, size), &st, &err) || !st)
		return;
	again = state_render(st);
	if (strlen(again) != size || memcmp(again, data, size))
		abort(); /* loaded, yet not what ccapply would write */
	free(again);
	state_free(st);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf sealed = BUF_INIT;
	char hex[65];

	load_one(data, size);

	digest_blake2b_256_hex(data, size, hex);
	buf_append(&sealed, data, size);
	buf_printf(&sealed, "  \"digest\": \"blake2b-256:%s\"\n}\n", hex);
	load_one((const uint8_t *)sealed.data, sealed.len);
	buf_free(&sealed);
	return 0;
}
