/*
 * digest.c — file checksums and byte digests (see digest.h). libb2 for
 * BLAKE2b, OpenSSL's EVP interface for SHA-256; both fed 64 KiB at a time.
 */
#include "lib/digest.h"

#include <blake2.h>
#include <ctype.h>
#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

#include "lib/fileio.h"

const char digest_checksum_forms[] =
	"blake2b-256:<64 hex digits>, blake2b-512:<128 hex digits>, sha256:<64 hex digits>";

static const struct {
	const char *prefix;
	enum digest_algo algo;
	size_t bytes;
} algos[] = {
	{ "blake2b-256:", DIGEST_BLAKE2B_256, 32 },
	{ "blake2b-512:", DIGEST_BLAKE2B_512, 64 },
	{ "sha256:", DIGEST_SHA256, 32 },
};

static void to_hex(const unsigned char *in, size_t n, char *out)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = hex[in[i] >> 4];
		out[2 * i + 1] = hex[in[i] & 15];
	}
	out[2 * n] = '\0';
}

int digest_checksum_parse(const char *text, enum digest_algo *algo, struct err *err)
{
	size_t i, j, plen;

	for (i = 0; i < sizeof algos / sizeof algos[0]; i++) {
		plen = strlen(algos[i].prefix);
		if (strncmp(text, algos[i].prefix, plen))
			continue;
		for (j = 0; text[plen + j]; j++)
			if (!isxdigit((unsigned char)text[plen + j]))
				break;
		if (text[plen + j] || j != 2 * algos[i].bytes)
			break;
		*algo = algos[i].algo;
		return 0;
	}
	return err_set(err, "unsupported checksum '%.80s'; accepted forms: %s", text,
		       digest_checksum_forms);
}

static size_t algo_bytes(enum digest_algo algo)
{
	return algo == DIGEST_BLAKE2B_512 ? 64 : 32;
}

static const char *algo_prefix(enum digest_algo algo)
{
	size_t i;

	for (i = 0; i < sizeof algos / sizeof algos[0]; i++)
		if (algos[i].algo == algo)
			return algos[i].prefix;
	return "?:";
}

static int hash_stream(FILE *f, enum digest_algo algo, unsigned char *md)
{
	unsigned char chunk[65536];
	blake2b_state b2;
	EVP_MD_CTX *sha = NULL;
	size_t n;
	int rc = 0;

	if (algo == DIGEST_SHA256) {
		sha = EVP_MD_CTX_new();
		if (!sha || EVP_DigestInit_ex(sha, EVP_sha256(), NULL) != 1)
			rc = -1;
	} else {
		blake2b_init(&b2, algo_bytes(algo));
	}
	while (!rc && (n = fread(chunk, 1, sizeof chunk, f)) > 0) {
		if (sha)
			rc = EVP_DigestUpdate(sha, chunk, n) == 1 ? 0 : -1;
		else
			blake2b_update(&b2, chunk, n);
	}
	if (!rc && ferror(f))
		rc = -1;
	if (!rc) {
		if (sha)
			rc = EVP_DigestFinal_ex(sha, md, NULL) == 1 ? 0 : -1;
		else
			blake2b_final(&b2, md, algo_bytes(algo));
	}
	EVP_MD_CTX_free(sha);
	return rc;
}

int digest_checksum_file(const char *path, enum digest_algo algo, char out[CHECKSUM_TEXT_MAX],
			 struct err *err)
{
	unsigned char md[64];
	FILE *f = fileio_fopen_input(path, 0, err);
	const char *prefix = algo_prefix(algo);
	int rc;

	if (!f)
		return -1;
	rc = hash_stream(f, algo, md);
	fclose(f);
	if (rc)
		return err_set(err, "%s: read error while hashing", path);
	strcpy(out, prefix);
	to_hex(md, algo_bytes(algo), out + strlen(prefix));
	return 0;
}

void digest_blake2b_256_keyed_hex(const void *data, size_t len, const void *key, size_t keylen,
				  char out[65])
{
	unsigned char md[32];

	blake2b(md, data, key, sizeof md, len, keylen);
	to_hex(md, sizeof md, out);
}

void digest_blake2b_256_hex(const void *data, size_t len, char out[65])
{
	digest_blake2b_256_keyed_hex(data, len, NULL, 0, out);
}
