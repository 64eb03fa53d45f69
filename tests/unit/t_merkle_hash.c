/* t_merkle_hash.c - unit tests for merkle/hash.c: leaf, node, empty hashes. */
/*
 * Checked against the published RFC 6962 vectors (TLOG.md 5.2) and against
 * SHA-256 straight from OpenSSL's EVP interface (tests/fixture/merkleref.c).
 *
 * Replay a run with: t_merkle_hash SEED
 */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "merkle.h"
#include "t.h"
#include "fixture/merkleref.h"

static void
test_hash(void)
{
	uint8_t		data[256], a[32], b[32], want[32], h[8][32];
	size_t		len, i;

	merkle_empty_root(a);
	hash_hex(want, rfc_roots[0]);
	T_ASSERT_MEM(a, want, 32);
	merkle_sha256(a, "", 0);
	T_ASSERT_MEM(a, want, 32);
	merkle_sha256(a, "abc", 3);
	hash_hex(want, "ba7816bf8f01cfea414140de5dae2223"
	    "b00361a396177a9cb410ff61f20015ad");
	T_ASSERT_MEM(a, want, 32);
	for (len = 0; len <= sizeof(data); len++) {
		for (i = 0; i < len; i++)
			data[i] = (uint8_t)t_rand();
		merkle_sha256(a, data, len);
		ref_sha(want, data, len, "", 0, "", 0);
		CHECK(memcmp(a, want, 32) == 0, "sha256 of %zu bytes", len);
		merkle_leaf_hash(a, data, len);
		ref_leaf(want, data, len);
		CHECK(memcmp(a, want, 32) == 0, "leaf hash of %zu bytes", len);
	}
	for (i = 0; i < 8; i++) {
		len = unhex(data, sizeof(data), rfc_data[i]);
		merkle_leaf_hash(h[i], data, len);
		hash_hex(want, rfc_nodes[i].hex);
		CHECK(memcmp(h[i], want, 32) == 0, "leaf hash %zu", i);
	}
	for (i = 0; i < 4; i++) {
		merkle_node_hash(a, h[2 * i], h[2 * i + 1]);
		hash_hex(want, rfc_nodes[8 + i].hex);
		CHECK(memcmp(a, want, 32) == 0, "L1[%zu]", i);
	}
	/* out may alias l or r, or both. */
	rfc_node(want, "L1[0]");
	memcpy(a, h[0], 32);
	merkle_node_hash(a, a, h[1]);
	T_ASSERT_MEM(a, want, 32);
	memcpy(b, h[1], 32);
	merkle_node_hash(b, h[0], b);
	T_ASSERT_MEM(b, want, 32);
	ref_node(want, h[2], h[2]);
	memcpy(a, h[2], 32);
	merkle_node_hash(a, a, a);
	T_ASSERT_MEM(a, want, 32);
	/* random node hashes */
	for (i = 0; i < 1000; i++) {
		random_hash(a);
		random_hash(b);
		ref_node(want, a, b);
		merkle_node_hash(data, a, b);
		CHECK(memcmp(data, want, 32) == 0, "node hash %zu", i);
	}
}

int
main(int argc, char **argv)
{
	static const struct t_case	cases[] = {
		T_CASE(test_hash),
	};
	int				rc;

	merkleref_init(&t_failed_checks);
	rc = t_main(argc, argv, "t_merkle_hash", cases, T_NCASES(cases));
	merkleref_free();
	return rc;
}
