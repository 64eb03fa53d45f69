/* b_merkle.c - libmerkle appends and proofs beside the raw SHA-256 rate. */
/*
 * Limit: raw SHA-256 compressions (64-byte blocks) per second, measured
 * here by hashing a large buffer. An append of a leaf hash needs the node
 * hashes of the subtrees it completes (on average one per leaf), each a
 * 65-byte input, i.e. two compressions; so the hashing limit for appends
 * is raw / (2 * nodes per append). Proofs are generated from a 10^6-leaf
 * tree held in memory (the node callback reads an array).
 */
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "merkle.h"

#define NLEAVES		1000000ULL
#define RAWBUF		(1 << 20)

struct mem {
	uint8_t		*level[64];
	uint64_t	 count[64];
};

static int
mem_node(void *arg, unsigned level, uint64_t index, uint8_t out[32])
{
	struct mem	*m = arg;

	if (level >= 64 || index >= m->count[level])
		return -1;
	memcpy(out, m->level[level] + index * 32, 32);
	return 0;
}

static double
raw_sha256(void)
{
	uint8_t		*buf = calloc(1, RAWBUF), out[32];
	uint64_t	 t0, t, n = 0;

	if (buf == NULL)
		abort();
	t0 = bench_now_ns();
	do {
		merkle_sha256(out, buf, RAWBUF);
		buf[0] ^= out[0];
		n++;
		t = bench_now_ns();
	} while (t - t0 < 500000000ULL);
	free(buf);
	return (double)n * (RAWBUF / 64) / ((double)(t - t0) / 1e9);
}

int
main(int argc, char **argv)
{
	struct merkle_tree	 tree;
	struct merkle_node	 nodes[MERKLE_MAX_LEVELS];
	struct merkle_proof	 p;
	struct mem		 m;
	uint8_t			*leaves, root[32], leaf[32];
	uint64_t		 i, t0, t1, merges = 0, nproofs, size;
	size_t			 n, k, l;
	double			 raw, appends, limit, rate;
	int			 rounds = argc > 1 ? atoi(argv[1]) : 3;

	memset(&m, 0, sizeof(m));
	for (l = 0; l < 64; l++) {
		m.level[l] = malloc((size_t)((NLEAVES >> l) + 1) * 32);
		if (m.level[l] == NULL)
			abort();
	}
	leaves = malloc(NLEAVES * 32);
	if (leaves == NULL)
		abort();
	for (i = 0; i < NLEAVES; i++)
		merkle_leaf_hash(leaves + i * 32, &i, sizeof(i));

	raw = raw_sha256();
	bench_row("raw SHA-256 (64-byte compressions)", raw, "blocks/s",
	    "(the limit itself)", raw);

	/* Appends: the best of a few rounds over the same 10^6 leaf hashes. */
	appends = 0;
	for (; rounds > 0; rounds--) {
		merkle_tree_init(&tree);
		merges = 0;
		t0 = bench_now_ns();
		for (i = 0; i < NLEAVES; i++) {
			merkle_tree_append(&tree, leaves + i * 32, nodes, &n);
			merges += n - 1;
			if (rounds == 1)
				for (k = 0; k < n; k++) {
					memcpy(m.level[nodes[k].level] +
					    nodes[k].index * 32,
					    nodes[k].hash, 32);
					m.count[nodes[k].level] =
					    nodes[k].index + 1;
				}
		}
		t1 = bench_now_ns();
		rate = NLEAVES / ((double)(t1 - t0) / 1e9);
		if (rate > appends)
			appends = rate;
	}
	merkle_tree_root(&tree, root);
	limit = raw / (2.0 * (double)merges / NLEAVES);
	bench_row("merkle append (leaf hash given), 10^6 leaves", appends,
	    "leaves/s", "raw SHA-256 / 2 blocks per node", limit);

	/* Appends including the leaf hash of a 200-byte entry (5 blocks). */
	{
		uint8_t	entry[200];

		memset(entry, 0x5a, sizeof(entry));
		merkle_tree_init(&tree);
		t0 = bench_now_ns();
		for (i = 0; i < NLEAVES; i++) {
			memcpy(entry, &i, sizeof(i));
			merkle_leaf_hash(leaf, entry, sizeof(entry));
			merkle_tree_append(&tree, leaf, NULL, NULL);
		}
		t1 = bench_now_ns();
		rate = NLEAVES / ((double)(t1 - t0) / 1e9);
		bench_row("merkle append + leaf hash of 200 B entry", rate,
		    "leaves/s", "raw SHA-256 / (4 + 2) blocks",
		    raw / (4.0 + 2.0 * (double)merges / NLEAVES));
	}

	/* Inclusion proofs: generate, then verify, random leaves. */
	size = NLEAVES;
	nproofs = 200000;
	t0 = bench_now_ns();
	for (i = 0; i < nproofs; i++) {
		uint64_t idx = (i * 2654435761ULL) % size;

		if (merkle_prove_inclusion(mem_node, &m, idx, size - (i & 7),
		    &p) != MERKLE_OK)
			abort();
	}
	t1 = bench_now_ns();
	rate = nproofs / ((double)(t1 - t0) / 1e9);
	bench_row("inclusion proof generation, 10^6-leaf tree", rate,
	    "proofs/s", "raw SHA-256 / 20 blocks", raw / 20);

	t0 = bench_now_ns();
	if (merkle_prove_inclusion(mem_node, &m, 123457, size, &p) != MERKLE_OK)
		abort();
	for (i = 0; i < nproofs; i++)
		if (merkle_verify_inclusion(123457, size, leaves + 123457 * 32,
		    &p, root) != MERKLE_OK)
			abort();
	t1 = bench_now_ns();
	rate = nproofs / ((double)(t1 - t0) / 1e9);
	bench_row("inclusion proof verification (20 hashes)", rate,
	    "proofs/s", "raw SHA-256 / 40 blocks", raw / 40);

	t0 = bench_now_ns();
	for (i = 0; i < nproofs; i++) {
		uint64_t old = 1 + (i * 2654435761ULL) % (size - 1);

		if (merkle_prove_consistency(mem_node, &m, old, size, &p) !=
		    MERKLE_OK)
			abort();
	}
	t1 = bench_now_ns();
	rate = nproofs / ((double)(t1 - t0) / 1e9);
	bench_row("consistency proof generation, 10^6-leaf tree", rate,
	    "proofs/s", "raw SHA-256 / 20 blocks", raw / 20);

	for (l = 0; l < 64; l++)
		free(m.level[l]);
	free(leaves);
	return 0;
}
