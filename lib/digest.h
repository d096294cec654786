/*
 * digest.h — checksums of files and digests of bytes.
 *
 * The plan checksum that validation_report.yaml records comes in three
 * accepted forms: "blake2b-256:<64 hex>" (what `ccapply checksum` prints and
 * `b2sum -l 256` agrees with), "blake2b-512:<128 hex>" and "sha256:<64 hex>".
 * BLAKE2b comes from libb2 (the reference family), SHA-256 from libcrypto.
 * Files are hashed in fixed-size chunks, so memory does not grow with them.
 * Hex is lowercase; parsing accepts either case.
 *
 * Who may call: everyone. Ownership: outputs are caller-provided arrays.
 */
#ifndef CCAPPLY_DIGEST_H
#define CCAPPLY_DIGEST_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/err.h"

enum digest_algo {
	DIGEST_BLAKE2B_256,
	DIGEST_BLAKE2B_512,
	DIGEST_SHA256,
};

/* Longest "algo:hex" text, with its NUL. */
#define CHECKSUM_TEXT_MAX (sizeof "blake2b-512:" + 128)

/* The accepted forms, for messages. */
extern const char digest_checksum_forms[];

/* Parse "algo:hex". On a form that is not accepted returns -1 with a message
 * that lists the accepted forms. */
int digest_checksum_parse(const char *text, enum digest_algo *algo, struct err *err);

/* "algo:hex" of the bytes of the file at path. */
int digest_checksum_file(const char *path, enum digest_algo algo, char out[CHECKSUM_TEXT_MAX],
			 struct err *err);

/* Lowercase hex BLAKE2b-256 of data (65 bytes with NUL). With a key (keylen
 * 1..64) it is the keyed BLAKE2b MAC. */
void digest_blake2b_256_hex(const void *data, size_t len, char out[65]);
void digest_blake2b_256_keyed_hex(const void *data, size_t len, const void *key, size_t keylen,
				  char out[65]);

#endif
