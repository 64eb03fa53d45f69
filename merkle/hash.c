/* hash.c - SHA-256 leaf and node hashing (RFC 6962 section 2.1). */
/*
 * OpenSSL 3's EVP interface fetches an implementation and allocates a
 * context; the low-level SHA256_* calls work on a stack context with no
 * allocation and no failure path, and measured fastest here for the
 * 33..65-byte inputs a Merkle tree hashes (docs/merkle.md). They are
 * deprecated in 3.0 but still supported; this file is the only user.
 */
#define OPENSSL_API_COMPAT 0x10100000L
#include <openssl/sha.h>

#include <string.h>

#include "merkle.h"

static const uint8_t	empty_root[32] = {
	0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14,
	0x9a, 0xfb, 0xf4, 0xc8, 0x99, 0x6f, 0xb9, 0x24,
	0x27, 0xae, 0x41, 0xe4, 0x64, 0x9b, 0x93, 0x4c,
	0xa4, 0x95, 0x99, 0x1b, 0x78, 0x52, 0xb8, 0x55,
};

void
merkle_sha256(uint8_t out[32], const void *data, size_t len)
{
	SHA256_CTX	c;

	SHA256_Init(&c);
	SHA256_Update(&c, data, len);
	SHA256_Final(out, &c);
}

void
merkle_leaf_hash(uint8_t out[32], const void *data, size_t len)
{
	static const uint8_t	prefix = 0x00;
	SHA256_CTX		c;

	SHA256_Init(&c);
	SHA256_Update(&c, &prefix, 1);
	SHA256_Update(&c, data, len);
	SHA256_Final(out, &c);
}

void
merkle_node_hash(uint8_t out[32], const uint8_t l[32], const uint8_t r[32])
{
	uint8_t		buf[65];

	/*
	 * One contiguous buffer: a single Update, and out may alias l or r.
	 * (Feeding pre-padded blocks to SHA256_Transform, or one 128-byte
	 * Update and reading the state words, measured 10-15% slower here.)
	 */
	buf[0] = 0x01;
	memcpy(buf + 1, l, 32);
	memcpy(buf + 33, r, 32);
	merkle_sha256(out, buf, sizeof(buf));
}

void
merkle_empty_root(uint8_t out[32])
{
	memcpy(out, empty_root, 32);
}
