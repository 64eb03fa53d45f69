/* t_merkle_tree.c - unit tests for merkle/merkle.c: tree, roots, proofs. */
/*
 * The library is checked against the published RFC 6962 vectors
 * (TLOG.md 5.2-5.4), against the naive references of
 * tests/fixture/merkleref.c for every tree of up to 300 leaves and every
 * proof of up to 64, against random proofs in a tree of 100,001 leaves
 * held in an in-memory node store, and, through "virtual" trees whose
 * leaves are all equal and through synthetic proofs, at 64-bit sizes.
 *
 * Replay a run with: t_merkle_tree SEED
 */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "merkle.h"
#include "t.h"
#include "fixture/merkleref.h"

static const struct {
	uint64_t	 leaf, size;
	const char	*proof[4];
} rfc_incl[] = {
	{ 0, 1, { NULL } },
	{ 0, 8, { "h1", "L1[1]", "L2[1]" } },
	{ 5, 8, { "h4", "L1[3]", "L2[0]" } },
	{ 2, 3, { "L1[0]" } },
	{ 1, 5, { "h0", "L1[1]", "h4" } },
	{ 3, 8, { "h2", "L1[0]", "L2[1]" } },
	{ 7, 8, { "h6", "L1[2]", "L2[0]" } },
	{ 6, 7, { "L1[2]", "L2[0]" } },
	{ 4, 7, { "h5", "h6", "L2[0]" } },
	{ 0, 7, { "h1", "L1[1]", "E" } },
	{ 3, 7, { "h2", "L1[0]", "E" } },
};

static const struct {
	uint64_t	 first, second;
	const char	*proof[5];
} rfc_cons[] = {
	{ 1, 1, { NULL } },
	{ 1, 8, { "h1", "L1[1]", "L2[1]" } },
	{ 6, 8, { "L1[2]", "L1[3]", "L2[0]" } },
	{ 2, 5, { "L1[1]", "h4" } },
	{ 6, 7, { "L1[2]", "h6", "L2[0]" } },
	{ 1, 2, { "h1" } },
	{ 2, 8, { "L1[1]", "L2[1]" } },
	{ 3, 7, { "h2", "h3", "L1[0]", "E" } },
	{ 4, 7, { "E" } },
	{ 4, 8, { "L2[1]" } },
	{ 3, 8, { "h2", "h3", "L1[0]", "L2[1]" } },
	{ 5, 8, { "h4", "h5", "L1[3]", "L2[0]" } },
	{ 7, 8, { "h6", "h7", "L1[2]", "L2[0]" } },
};

static uint64_t		 n_rejected, n_aliases;

static void
test_strerror(void)
{
	static const int	 codes[] = { MERKLE_OK, MERKLE_EINVAL,
	    MERKLE_EPROOF, MERKLE_ENODE, MERKLE_ESIZE };
	const char		*s[T_NCASES(codes)];
	size_t			 i, j;

	T_ASSERT_EQ(MERKLE_OK, 0);
	for (i = 0; i < T_NCASES(codes); i++) {
		s[i] = merkle_strerror(codes[i]);
		CHECK(s[i] != NULL && s[i][0] != '\0', "code %d", codes[i]);
		CHECK(i == 0 || codes[i] < 0, "code %d", codes[i]);
	}
	for (i = 0; i < T_NCASES(codes); i++)
		for (j = i + 1; j < T_NCASES(codes); j++)
			CHECK(codes[i] != codes[j] && s[i] != NULL &&
			    s[j] != NULL && strcmp(s[i], s[j]) != 0,
			    "codes %d and %d", codes[i], codes[j]);
	T_ASSERT(merkle_strerror(-99) != NULL);
	T_ASSERT(merkle_strerror(1) != NULL);
	T_ASSERT(merkle_strerror(INT_MIN) != NULL);
}

/* The 8-leaf tree: roots, frontier, emitted nodes, stored roots. */
static void
test_rfc_tree(void)
{
	struct merkle_tree	t;
	struct merkle_node	out[MERKLE_MAX_LEVELS];
	struct store		s;
	uint8_t			data[32], leaf[32], root[32], want[32];
	char			name[16];
	uint64_t		size;
	size_t			n, k, len;
	unsigned		l;
	int			rc;

	store_init(&s, 8);
	merkle_tree_init(&t);
	T_ASSERT_EQ(t.size, 0);
	for (size = 0; size <= 8; size++) {
		merkle_tree_root(&t, root);
		hash_hex(want, rfc_roots[size]);
		CHECK(memcmp(root, want, 32) == 0, "tree root %" PRIu64, size);
		/* the compact range: sub[l] for every set bit, high first */
		k = 0;
		for (l = MERKLE_MAX_LEVELS; l-- > 0;) {
			if (!((size >> l) & 1))
				continue;
			CHECK(k < 3 && rfc_frontier[size][k] != NULL,
			    "size %" PRIu64, size);
			if (k >= 3 || rfc_frontier[size][k] == NULL)
				break;
			rfc_node(want, rfc_frontier[size][k]);
			CHECK(memcmp(t.sub[l], want, 32) == 0,
			    "size %" PRIu64 " sub[%u] != %s", size, l,
			    rfc_frontier[size][k]);
			k++;
		}
		CHECK(k == 3 || rfc_frontier[size][k] == NULL,
		    "size %" PRIu64 " frontier", size);
		if (size == 8)
			break;
		len = unhex(data, sizeof(data), rfc_data[size]);
		merkle_leaf_hash(leaf, data, len);
		rc = merkle_tree_append(&t, leaf, out, &n);
		CHECK(rc == MERKLE_OK, "append %" PRIu64 ": %d", size, rc);
		CHECK(n == 1 + trailing_ones(size), "append %" PRIu64
		    ": %zu nodes", size, n);
		T_ASSERT_EQ(t.size, size + 1);
		for (k = 0; k < n && k < MERKLE_MAX_LEVELS; k++) {
			CHECK(out[k].level == k && out[k].index == size >> k,
			    "append %" PRIu64 " node %zu: (%u, %" PRIu64 ")",
			    size, k, out[k].level, out[k].index);
			if (k == 0)
				snprintf(name, sizeof(name), "h%" PRIu64,
				    out[k].index);
			else
				snprintf(name, sizeof(name), "L%u[%" PRIu64 "]",
				    out[k].level, out[k].index);
			rfc_node(want, name);
			CHECK(memcmp(out[k].hash, want, 32) == 0, "%s", name);
		}
		store_add(&s, out, n);
	}
	for (size = 0; size <= 8; size++) {
		store_arm(&s, size);
		rc = merkle_root(store_get, &s, size, root);
		hash_hex(want, rfc_roots[size]);
		CHECK(rc == MERKLE_OK && memcmp(root, want, 32) == 0,
		    "merkle_root %" PRIu64 ": rc %d", size, rc);
		CHECK(s.reads == popcount(size) && s.bad == 0, "merkle_root %"
		    PRIu64 ": %" PRIu64 " reads", size, s.reads);
	}
	/* the ephemeral node MTH(d4..d6) and the stored ones */
	store_arm(&s, 7);
	rc = merkle_range_hash(store_get, &s, 4, 7, root);
	rfc_node(want, "E");
	CHECK(rc == MERKLE_OK && memcmp(root, want, 32) == 0, "E: rc %d", rc);
	store_arm(&s, 8);
	rc = merkle_range_hash(store_get, &s, 4, 8, root);
	rfc_node(want, "L2[1]");
	CHECK(rc == MERKLE_OK && memcmp(root, want, 32) == 0, "L2[1]: %d", rc);
	store_free(&s);
}

static struct store rfc_store;

static void
rfc_store_build(void)
{
	struct merkle_tree	t;
	struct merkle_node	out[MERKLE_MAX_LEVELS];
	uint8_t			data[32], leaf[32];
	size_t			i, n, len;

	if (rfc_store.h[0] != NULL)
		return;
	store_init(&rfc_store, 8);
	merkle_tree_init(&t);
	for (i = 0; i < 8; i++) {
		len = unhex(data, sizeof(data), rfc_data[i]);
		merkle_leaf_hash(leaf, data, len);
		if (merkle_tree_append(&t, leaf, out, &n) == MERKLE_OK &&
		    n <= MERKLE_MAX_LEVELS)
			store_add(&rfc_store, out, n);
	}
}

static void
test_rfc_proofs(void)
{
	struct merkle_proof	p, want;
	uint8_t			leaf[32], r1[32], r2[32];
	size_t			i, k;
	int			rc;

	rfc_store_build();
	for (i = 0; i < T_NCASES(rfc_incl); i++) {
		want.n = 0;
		for (k = 0; k < 4 && rfc_incl[i].proof[k] != NULL; k++)
			rfc_node(ref_push(&want), rfc_incl[i].proof[k]);
		store_arm(&rfc_store, rfc_incl[i].size);
		p.n = 99;
		rc = merkle_prove_inclusion(store_get, &rfc_store,
		    rfc_incl[i].leaf, rfc_incl[i].size, &p);
		CHECK(rc == MERKLE_OK && proof_eq(&p, &want) &&
		    rfc_store.bad == 0, "inclusion %" PRIu64 " in %" PRIu64
		    ": rc %d, %zu hashes", rfc_incl[i].leaf, rfc_incl[i].size,
		    rc, p.n);
		CHECK(merkle_inclusion_len(rfc_incl[i].leaf, rfc_incl[i].size)
		    == want.n, "inclusion_len %" PRIu64 " %" PRIu64,
		    rfc_incl[i].leaf, rfc_incl[i].size);
		rfc_node(leaf, rfc_nodes[rfc_incl[i].leaf].name);
		hash_hex(r1, rfc_roots[rfc_incl[i].size]);
		rc = merkle_verify_inclusion(rfc_incl[i].leaf,
		    rfc_incl[i].size, leaf, &want, r1);
		CHECK(rc == MERKLE_OK, "verify inclusion %" PRIu64 " in %"
		    PRIu64 ": %d", rfc_incl[i].leaf, rfc_incl[i].size, rc);
		CHECK(ref_verify_inclusion(rfc_incl[i].leaf, rfc_incl[i].size,
		    leaf, &want, r1), "reference verifier, row %zu", i);
	}
	for (i = 0; i < T_NCASES(rfc_cons); i++) {
		want.n = 0;
		for (k = 0; k < 5 && rfc_cons[i].proof[k] != NULL; k++)
			rfc_node(ref_push(&want), rfc_cons[i].proof[k]);
		store_arm(&rfc_store, rfc_cons[i].second);
		p.n = 99;
		rc = merkle_prove_consistency(store_get, &rfc_store,
		    rfc_cons[i].first, rfc_cons[i].second, &p);
		CHECK(rc == MERKLE_OK && proof_eq(&p, &want) &&
		    rfc_store.bad == 0, "consistency %" PRIu64 " -> %" PRIu64
		    ": rc %d, %zu hashes", rfc_cons[i].first,
		    rfc_cons[i].second, rc, p.n);
		CHECK(merkle_consistency_len(rfc_cons[i].first,
		    rfc_cons[i].second) == want.n, "consistency_len %" PRIu64
		    " %" PRIu64, rfc_cons[i].first, rfc_cons[i].second);
		hash_hex(r1, rfc_roots[rfc_cons[i].first]);
		hash_hex(r2, rfc_roots[rfc_cons[i].second]);
		rc = merkle_verify_consistency(rfc_cons[i].first,
		    rfc_cons[i].second, r1, r2, &want);
		CHECK(rc == MERKLE_OK, "verify consistency %" PRIu64 " -> %"
		    PRIu64 ": %d", rfc_cons[i].first, rfc_cons[i].second, rc);
		CHECK(ref_verify_consistency(rfc_cons[i].first,
		    rfc_cons[i].second, r1, r2, &want),
		    "reference verifier, row %zu", i);
	}
}

/* Incremental tree vs naive MTH for every size 0..SMALL_N. */
static void
test_small_trees(void)
{
	struct merkle_tree	t, copy;
	struct merkle_node	out[MERKLE_MAX_LEVELS];
	uint8_t			buf[16], root[32], want[32], h[32];
	uint64_t		i, lo;
	size_t			n, k;
	unsigned		l;
	int			rc;

	big_build();
	merkle_tree_init(&t);
	memset(&copy, 0, sizeof(copy));
	for (i = 0; i <= SMALL_N; i++) {
		ref_mth(&big_naive, 0, i, want);
		merkle_tree_root(&t, root);
		CHECK(memcmp(root, want, 32) == 0, "tree root %" PRIu64, i);
		CHECK(t.size == i, "size %" PRIu64, t.size);
		store_arm(&big, i);
		rc = merkle_root(store_get, &big, i, root);
		CHECK(rc == MERKLE_OK && memcmp(root, want, 32) == 0,
		    "merkle_root %" PRIu64 ": %d", i, rc);
		CHECK(big.reads == popcount(i) && big.bad == 0,
		    "merkle_root %" PRIu64 ": %" PRIu64 " reads", i, big.reads);
		if (i == SMALL_N)
			break;
		merkle_leaf_hash(h, buf, leaf_data(buf, i));
		CHECK(memcmp(h, big_leaf[i], 32) == 0, "leaf %" PRIu64, i);
		if (i == SMALL_N / 2)
			copy = t;
		n = 0;
		rc = merkle_tree_append(&t, h, out, &n);
		CHECK(rc == MERKLE_OK, "append %" PRIu64 ": %d", i, rc);
		CHECK(n == 1 + trailing_ones(i), "append %" PRIu64
		    ": %zu nodes", i, n);
		for (k = 0; k < n && k < MERKLE_MAX_LEVELS; k++) {
			l = out[k].level;
			CHECK(l == k && out[k].index == i >> k, "append %"
			    PRIu64 " node %zu: (%u, %" PRIu64 ")", i, k, l,
			    out[k].index);
			if (l != k)
				continue;
			lo = out[k].index << l;
			ref_mth(&big_naive, lo, lo + (1ULL << l), want);
			CHECK(memcmp(out[k].hash, want, 32) == 0, "append %"
			    PRIu64 " node (%u, %" PRIu64 ")", i, l,
			    out[k].index);
		}
	}
	/* a copy is an independent tree; out may be NULL */
	for (i = SMALL_N / 2; i < SMALL_N; i++) {
		n = 99;
		rc = merkle_tree_append(&copy, big_leaf[i], NULL, &n);
		CHECK(rc == MERKLE_OK && n == 1 + trailing_ones(i),
		    "append without out %" PRIu64 ": rc %d n %zu", i, rc, n);
	}
	merkle_tree_root(&copy, root);
	merkle_tree_root(&t, want);
	T_ASSERT_MEM(root, want, 32);
	T_ASSERT_EQ(copy.size, t.size);
}

/*
 * merkle_subtree_hash of n = 1..256 hashes at several offsets is the root
 * of the tree built from those hashes alone; other n are refused.
 */
static void
test_subtree_hash(void)
{
	uint8_t			h[512][32], got[32], want[32];
	struct merkle_tree	t;
	size_t			n, off, i;
	uint32_t		v;

	for (i = 0; i < 512; i++) {
		v = (uint32_t)i;
		merkle_leaf_hash(h[i], &v, sizeof(v));
	}
	for (n = 1; n <= MERKLE_TILE_WIDTH; n *= 2)
		for (off = 0; off + n <= 512; off += 96) {
			merkle_tree_init(&t);
			for (i = 0; i < n; i++)
				merkle_tree_append(&t, h[off + i], NULL, NULL);
			merkle_tree_root(&t, want);
			CHECK(merkle_subtree_hash(
			    (const uint8_t (*)[32])h + off, n, got) ==
			    MERKLE_OK && memcmp(got, want, 32) == 0,
			    "n %zu at %zu", n, off);
		}
	T_ASSERT_EQ(merkle_subtree_hash((const uint8_t (*)[32])h, 0, got),
	    MERKLE_EINVAL);
	T_ASSERT_EQ(merkle_subtree_hash((const uint8_t (*)[32])h, 3, got),
	    MERKLE_EINVAL);
	T_ASSERT_EQ(merkle_subtree_hash((const uint8_t (*)[32])h, 512, got),
	    MERKLE_EINVAL);
}

/* merkle_range_hash over every range of the first 64 leaves. */
static void
test_range_hash(void)
{
	uint8_t		h[32], want[32];
	uint64_t	s, e, w, unaligned = 0;
	int		rc;

	big_build();
	for (s = 0; s < 64; s++)
		for (e = s + 1; e <= 64; e++) {
			for (w = 1; w < e - s; w <<= 1)
				;
			store_arm(&big, e);
			rc = merkle_range_hash(store_get, &big, s, e, h);
			/*
			 * merkle.h only promises aligned ranges. Others
			 * may be refused, or hashed as the list D[s:e].
			 */
			if (s % w != 0) {
				CHECK(rc == MERKLE_EINVAL || rc == MERKLE_OK,
				    "unaligned [%" PRIu64 ", %" PRIu64 "): %d",
				    s, e, rc);
				if (rc != MERKLE_OK)
					continue;
				unaligned++;
			}
			ref_mth(&big_naive, s, e, want);
			CHECK(rc == MERKLE_OK && memcmp(h, want, 32) == 0,
			    "[%" PRIu64 ", %" PRIu64 "): %d", s, e, rc);
			CHECK(big.reads == popcount(e - s) && big.bad == 0,
			    "[%" PRIu64 ", %" PRIu64 "): %" PRIu64 " reads",
			    s, e, big.reads);
		}
	printf("# range_hash: %" PRIu64 " unaligned ranges of the first 64 "
	    "leaves accepted (as the MTH of D[start:end])\n", unaligned);
	store_arm(&big, BIG_N);
	T_ASSERT_EQ(merkle_range_hash(store_get, &big, 5, 3, h),
	    MERKLE_EINVAL);
	T_ASSERT_EQ(merkle_range_hash(store_get, &big, UINT64_MAX, 0, h),
	    MERKLE_EINVAL);
	T_ASSERT_EQ(big.reads, 0);
	/* at the top of a 64-bit tree */
	store_arm(&vstore, UINT64_MAX);
	rc = merkle_range_hash(store_get, &vstore, 1ULL << 63, UINT64_MAX, h);
	ref_mth(&virt_ref, 1ULL << 63, UINT64_MAX, want);
	CHECK(rc == MERKLE_OK && memcmp(h, want, 32) == 0 &&
	    vstore.reads == 63 && vstore.bad == 0, "[2^63, 2^64-1): %d", rc);
	store_arm(&vstore, UINT64_MAX);
	rc = merkle_range_hash(store_get, &vstore, 0, 1ULL << 63, h);
	CHECK(rc == MERKLE_OK && memcmp(h, vz[63], 32) == 0 &&
	    vstore.reads == 1, "[0, 2^63): %d", rc);
	store_arm(&vstore, UINT64_MAX);
	rc = merkle_range_hash(store_get, &vstore, 1ULL << 62,
	    (1ULL << 62) * 3, h);
	CHECK(rc == MERKLE_EINVAL, "[2^62, 3*2^62): %d", rc);
	store_arm(&vstore, UINT64_MAX);
	rc = merkle_range_hash(store_get, &vstore, 1, 3, h);
	CHECK(rc == MERKLE_EINVAL, "[1, 3): %d", rc);
}

static void
test_exhaustive_inclusion(void)
{
	struct merkle_proof	p, want;
	uint8_t			root[EXH_N + 1][32];
	uint64_t		n, i;
	int			rc;

	big_build();
	for (n = 0; n <= EXH_N; n++)
		ref_mth(&big_naive, 0, n, root[n]);
	for (n = 1; n <= EXH_N; n++)
		for (i = 0; i < n; i++) {
			store_arm(&big, n);
			rc = merkle_prove_inclusion(store_get, &big, i, n, &p);
			CHECK(rc == MERKLE_OK && big.bad == 0, "prove %" PRIu64
			    " in %" PRIu64 ": %d", i, n, rc);
			CHECK(big.reads <= max_reads(n), "prove %" PRIu64
			    " in %" PRIu64 ": %" PRIu64 " reads", i, n,
			    big.reads);
			ref_inclusion(&big_naive, i, n, &want);
			CHECK(proof_eq(&p, &want), "prove %" PRIu64 " in %"
			    PRIu64 ": not RFC 6962 PATH (%zu vs %zu hashes)",
			    i, n, p.n, want.n);
			CHECK(merkle_inclusion_len(i, n) == want.n &&
			    ref_inclusion_len(i, n) == want.n,
			    "inclusion_len(%" PRIu64 ", %" PRIu64 ") = %zu",
			    i, n, merkle_inclusion_len(i, n));
			rc = merkle_verify_inclusion(i, n, big_leaf[i], &want,
			    root[n]);
			CHECK(rc == MERKLE_OK, "verify %" PRIu64 " in %" PRIu64
			    ": %d", i, n, rc);
			CHECK(ref_verify_inclusion(i, n, big_leaf[i], &want,
			    root[n]), "reference %" PRIu64 " in %" PRIu64, i,
			    n);
		}
}

static void
test_exhaustive_consistency(void)
{
	struct merkle_proof	p, want;
	uint8_t			root[EXH_N + 1][32];
	uint64_t		n, m;
	int			rc;

	big_build();
	for (n = 0; n <= EXH_N; n++)
		ref_mth(&big_naive, 0, n, root[n]);
	for (n = 0; n <= EXH_N; n++)
		for (m = 0; m <= n; m++) {
			store_arm(&big, n);
			p.n = 99;
			rc = merkle_prove_consistency(store_get, &big, m, n,
			    &p);
			CHECK(rc == MERKLE_OK && big.bad == 0, "prove %" PRIu64
			    " -> %" PRIu64 ": %d", m, n, rc);
			CHECK(big.reads <= max_reads(n), "prove %" PRIu64
			    " -> %" PRIu64 ": %" PRIu64 " reads", m, n,
			    big.reads);
			ref_consistency(&big_naive, m, n, &want);
			CHECK(proof_eq(&p, &want), "prove %" PRIu64 " -> %"
			    PRIu64 ": not RFC 6962 PROOF (%zu vs %zu hashes)",
			    m, n, p.n, want.n);
			CHECK(merkle_consistency_len(m, n) == want.n &&
			    ref_consistency_len(m, n) == want.n,
			    "consistency_len(%" PRIu64 ", %" PRIu64 ") = %zu",
			    m, n, merkle_consistency_len(m, n));
			rc = merkle_verify_consistency(m, n, root[m], root[n],
			    &want);
			if (m == 0 && n > 0) {
				CHECK(rc < 0, "verify 0 -> %" PRIu64 ": %d",
				    n, rc);
				continue;
			}
			CHECK(rc == MERKLE_OK, "verify %" PRIu64 " -> %" PRIu64
			    ": %d", m, n, rc);
			CHECK(ref_verify_consistency(m, n, root[m], root[n],
			    &want), "reference %" PRIu64 " -> %" PRIu64, m, n);
		}
}

/* Whether bit b of a hash is flipped in this round: all, or one a byte. */
static int
flip_bit(size_t b, size_t salt, int allbits)
{
	return allbits || b % 8 == (b / 8 + salt) % 8;
}

/* Insert h at pos into a copy of p. */
static void
proof_insert(struct merkle_proof *q, const struct merkle_proof *p,
    size_t pos, const uint8_t h[32])
{
	q->n = p->n + 1;
	memcpy(q->path, p->path, pos * 32);
	memcpy(q->path[pos], h, 32);
	memcpy(q->path[pos + 1], p->path[pos], (p->n - pos) * 32);
}

static void
proof_drop(struct merkle_proof *q, const struct merkle_proof *p, size_t pos)
{
	q->n = p->n - 1;
	memcpy(q->path, p->path, pos * 32);
	memcpy(q->path[pos], p->path[pos + 1], (p->n - pos - 1) * 32);
}

/*
 * Every single-bit change of a proof hash, the leaf or the root; other
 * indexes and sizes; a hash more or less; neighbours swapped. An index
 * or size change is refused unless that tree shape folds the very same
 * hash chain (e.g. leaf 0 of 7 and of 8), which RFC 9162 accepts: the
 * reference verifier decides those.
 */
static void
mutate_inclusion(uint64_t idx, uint64_t size, const uint8_t leaf[32],
    const struct merkle_proof *p, const uint8_t root[32], int allbits)
{
	struct merkle_proof	q;
	uint8_t			l[32], r[32], x[32], *target;
	uint64_t		idxs[14], sizes[14], i2, s2;
	size_t			j, b, k, ni, ns;
	int			rc, want;

	rc = merkle_verify_inclusion(idx, size, leaf, p, root);
	CHECK(rc == MERKLE_OK, "unmutated %" PRIu64 " in %" PRIu64 ": %d",
	    idx, size, rc);
	q = *p;
	memcpy(l, leaf, 32);
	memcpy(r, root, 32);
	for (j = 0; j < p->n + 2; j++) {
		target = j < p->n ? q.path[j] : j == p->n ? l : r;
		for (b = 0; b < 256; b++) {
			if (!flip_bit(b, j, allbits))
				continue;
			target[b / 8] ^= (uint8_t)(1 << (b % 8));
			rc = merkle_verify_inclusion(idx, size, l, &q, r);
			target[b / 8] ^= (uint8_t)(1 << (b % 8));
			n_rejected++;
			CHECK(rc == MERKLE_EPROOF, "%" PRIu64 " in %" PRIu64
			    ", bit %zu of hash %zu (of %zu + leaf + root): %d",
			    idx, size, b, j, p->n, rc);
		}
	}
	ni = 0;
	idxs[ni++] = idx + 1;
	idxs[ni++] = idx - 1;
	idxs[ni++] = idx ^ 1;
	idxs[ni++] = idx ^ 2;
	idxs[ni++] = idx ^ 4;
	idxs[ni++] = idx ^ 8;
	idxs[ni++] = idx << 1;
	idxs[ni++] = idx >> 1;
	idxs[ni++] = size;
	idxs[ni++] = size - 1;
	idxs[ni++] = size + 1;
	idxs[ni++] = 0;
	idxs[ni++] = UINT64_MAX;
	ns = 0;
	sizes[ns++] = size + 1;
	sizes[ns++] = size - 1;
	sizes[ns++] = size ^ 1;
	sizes[ns++] = size ^ 2;
	sizes[ns++] = size ^ 4;
	sizes[ns++] = size * 2;
	sizes[ns++] = size / 2;
	sizes[ns++] = size + 2;
	sizes[ns++] = idx;
	sizes[ns++] = idx + 1;
	sizes[ns++] = 0;
	sizes[ns++] = UINT64_MAX;
	sizes[ns++] = size + 8;
	for (j = 0; j <= ni; j++)
		for (k = 0; k <= ns; k++) {
			i2 = j < ni ? idxs[j] : idx;
			s2 = k < ns ? sizes[k] : size;
			if (i2 == idx && s2 == size)
				continue;
			rc = merkle_verify_inclusion(i2, s2, leaf, p, root);
			n_rejected++;
			if (i2 >= s2) {
				CHECK(rc == MERKLE_EINVAL, "index %" PRIu64
				    " >= size %" PRIu64 ": %d", i2, s2, rc);
				continue;
			}
			want = ref_verify_inclusion(i2, s2, leaf, p, root);
			if (want) {
				n_aliases++;
				n_rejected--;
			}
			CHECK(want ? rc == MERKLE_OK : rc == MERKLE_EPROOF ||
			    rc == MERKLE_ESIZE, "proof of %" PRIu64 " in %"
			    PRIu64 " as %" PRIu64 " in %" PRIu64 ": %d, "
			    "reference %s", idx, size, i2, s2, rc,
			    want ? "accepts" : "refuses");
			if (p->n != ref_inclusion_len(i2, s2))
				CHECK(rc == MERKLE_ESIZE, "proof of %" PRIu64
				    " in %" PRIu64 " as %" PRIu64 " in %" PRIu64
				    ": %d, want ESIZE", idx, size, i2, s2, rc);
		}
	for (j = 0; j <= p->n && p->n < MERKLE_MAX_PROOF; j++)
		for (k = 0; k < 4; k++) {
			if (k == 3 && p->n == 0)
				continue;
			if (k == 0)
				random_hash(x);
			else
				memcpy(x, k == 1 ? leaf : k == 2 ? root :
				    p->path[j < p->n ? j : j - 1], 32);
			proof_insert(&q, p, j, x);
			rc = merkle_verify_inclusion(idx, size, leaf, &q, root);
			n_rejected++;
			CHECK(rc == MERKLE_ESIZE, "%" PRIu64 " in %" PRIu64
			    ": hash inserted at %zu: %d", idx, size, j, rc);
		}
	for (j = 0; j < p->n; j++) {
		proof_drop(&q, p, j);
		rc = merkle_verify_inclusion(idx, size, leaf, &q, root);
		n_rejected++;
		CHECK(rc == MERKLE_ESIZE, "%" PRIu64 " in %" PRIu64
		    ": hash %zu dropped: %d", idx, size, j, rc);
	}
	for (j = 0; j + 1 < p->n; j++) {
		q = *p;
		memcpy(q.path[j], p->path[j + 1], 32);
		memcpy(q.path[j + 1], p->path[j], 32);
		rc = merkle_verify_inclusion(idx, size, leaf, &q, root);
		n_rejected++;
		CHECK(rc == MERKLE_EPROOF, "%" PRIu64 " in %" PRIu64
		    ": hashes %zu, %zu swapped: %d", idx, size, j, j + 1, rc);
	}
	if (memcmp(leaf, root, 32) != 0) {
		rc = merkle_verify_inclusion(idx, size, root, p, leaf);
		n_rejected++;
		CHECK(rc == MERKLE_EPROOF, "%" PRIu64 " in %" PRIu64
		    ": leaf and root swapped: %d", idx, size, rc);
	}
}

static void
mutate_consistency(uint64_t m, uint64_t n, const uint8_t r1[32],
    const uint8_t r2[32], const struct merkle_proof *p, int allbits)
{
	struct merkle_proof	q;
	uint8_t			a[32], b2[32], x[32], *target;
	uint64_t		olds[12], news[12], m2, n2;
	size_t			j, b, k, no, nn;
	int			rc, want;

	rc = merkle_verify_consistency(m, n, r1, r2, p);
	CHECK(rc == MERKLE_OK, "unmutated %" PRIu64 " -> %" PRIu64 ": %d",
	    m, n, rc);
	q = *p;
	memcpy(a, r1, 32);
	memcpy(b2, r2, 32);
	for (j = 0; j < p->n + 2; j++) {
		target = j < p->n ? q.path[j] : j == p->n ? a : b2;
		for (b = 0; b < 256; b++) {
			if (!flip_bit(b, j, allbits))
				continue;
			target[b / 8] ^= (uint8_t)(1 << (b % 8));
			rc = merkle_verify_consistency(m, n, a, b2, &q);
			target[b / 8] ^= (uint8_t)(1 << (b % 8));
			n_rejected++;
			CHECK(rc == MERKLE_EPROOF, "%" PRIu64 " -> %" PRIu64
			    ", bit %zu of hash %zu (of %zu + 2 roots): %d",
			    m, n, b, j, p->n, rc);
		}
	}
	if (memcmp(r1, r2, 32) != 0) {
		rc = merkle_verify_consistency(m, n, r2, r1, p);
		n_rejected++;
		CHECK(rc != MERKLE_OK, "%" PRIu64 " -> %" PRIu64
		    ": roots swapped: %d", m, n, rc);
	}
	no = 0;
	olds[no++] = m + 1;
	olds[no++] = m - 1;
	olds[no++] = m ^ 1;
	olds[no++] = m ^ 2;
	olds[no++] = m ^ 4;
	olds[no++] = m * 2;
	olds[no++] = m / 2;
	olds[no++] = 0;
	olds[no++] = n;
	olds[no++] = n + 1;
	olds[no++] = UINT64_MAX;
	nn = 0;
	news[nn++] = n + 1;
	news[nn++] = n - 1;
	news[nn++] = n ^ 1;
	news[nn++] = n ^ 2;
	news[nn++] = n * 2;
	news[nn++] = n / 2;
	news[nn++] = m;
	news[nn++] = m - 1;
	news[nn++] = 0;
	news[nn++] = UINT64_MAX;
	news[nn++] = n + 8;
	for (j = 0; j <= no; j++)
		for (k = 0; k <= nn; k++) {
			m2 = j < no ? olds[j] : m;
			n2 = k < nn ? news[k] : n;
			if (m2 == m && n2 == n)
				continue;
			rc = merkle_verify_consistency(m2, n2, r1, r2, p);
			n_rejected++;
			if (m2 > n2) {
				CHECK(rc == MERKLE_EINVAL, "old %" PRIu64
				    " > new %" PRIu64 ": %d", m2, n2, rc);
				continue;
			}
			want = ref_verify_consistency(m2, n2, r1, r2, p);
			if (want) {
				n_aliases++;
				n_rejected--;
			}
			CHECK(want ? rc == MERKLE_OK : rc < 0, "proof %" PRIu64
			    " -> %" PRIu64 " as %" PRIu64 " -> %" PRIu64
			    ": %d, reference %s", m, n, m2, n2, rc,
			    want ? "accepts" : "refuses");
			if (m2 > 0 && m2 < n2 &&
			    p->n != ref_consistency_len(m2, n2))
				CHECK(rc == MERKLE_ESIZE, "proof %" PRIu64
				    " -> %" PRIu64 " as %" PRIu64 " -> %" PRIu64
				    ": %d, want ESIZE", m, n, m2, n2, rc);
		}
	for (j = 0; j <= p->n && p->n < MERKLE_MAX_PROOF; j++)
		for (k = 0; k < 4; k++) {
			if (k == 3 && p->n == 0)
				continue;
			if (k == 0)
				random_hash(x);
			else
				memcpy(x, k == 1 ? r1 : k == 2 ? r2 :
				    p->path[j < p->n ? j : j - 1], 32);
			proof_insert(&q, p, j, x);
			rc = merkle_verify_consistency(m, n, r1, r2, &q);
			n_rejected++;
			if (m < n)
				CHECK(rc == MERKLE_ESIZE, "%" PRIu64 " -> %"
				    PRIu64 ": hash inserted at %zu: %d", m, n,
				    j, rc);
			else
				CHECK(rc < 0, "%" PRIu64 " -> %" PRIu64
				    ": hash inserted at %zu: %d", m, n, j, rc);
		}
	for (j = 0; j < p->n; j++) {
		proof_drop(&q, p, j);
		rc = merkle_verify_consistency(m, n, r1, r2, &q);
		n_rejected++;
		CHECK(rc == MERKLE_ESIZE, "%" PRIu64 " -> %" PRIu64
		    ": hash %zu dropped: %d", m, n, j, rc);
	}
	for (j = 0; j + 1 < p->n; j++) {
		q = *p;
		memcpy(q.path[j], p->path[j + 1], 32);
		memcpy(q.path[j + 1], p->path[j], 32);
		rc = merkle_verify_consistency(m, n, r1, r2, &q);
		n_rejected++;
		CHECK(rc == MERKLE_EPROOF, "%" PRIu64 " -> %" PRIu64
		    ": hashes %zu, %zu swapped: %d", m, n, j, j + 1, rc);
	}
}

static void
test_mutation(void)
{
	struct merkle_proof	p;
	uint8_t			root[MUT_N + 1][32];
	uint64_t		n, i, rejected = n_rejected;
	uint64_t		aliases = n_aliases;
	int			rc;

	big_build();
	for (n = 0; n <= MUT_N; n++)
		ref_mth(&big_naive, 0, n, root[n]);
	for (n = 1; n <= MUT_N; n++)
		for (i = 0; i < n; i++) {
			store_arm(&big, n);
			rc = merkle_prove_inclusion(store_get, &big, i, n, &p);
			CHECK(rc == MERKLE_OK, "prove %" PRIu64 " in %" PRIu64
			    ": %d", i, n, rc);
			if (rc == MERKLE_OK)
				mutate_inclusion(i, n, big_leaf[i], &p, root[n],
				    n <= ALLBITS_N);
		}
	for (n = 1; n <= MUT_N; n++)
		for (i = 1; i <= n; i++) {
			store_arm(&big, n);
			rc = merkle_prove_consistency(store_get, &big, i, n,
			    &p);
			CHECK(rc == MERKLE_OK, "prove %" PRIu64 " -> %" PRIu64
			    ": %d", i, n, rc);
			if (rc == MERKLE_OK)
				mutate_consistency(i, n, root[i], root[n], &p,
				    n <= ALLBITS_N);
		}
	printf("# mutation: %" PRIu64 " mutated proofs refused, %" PRIu64
	    " index/size changes folding the same hash chain accepted\n",
	    n_rejected - rejected, n_aliases - aliases);
}

/* A failing node callback aborts every call with MERKLE_ENODE. */
static void
test_node_failure(void)
{
	struct merkle_proof	p;
	uint8_t			h[32];
	uint64_t		n, i, k, reads = 0;
	int			rc, kind;

	big_build();
	for (kind = 0; kind < 3; kind++)
		for (n = 1; n <= MUT_N; n++)
			for (i = kind == 0 ? 0 : 1; i <= n; i++) {
				if (kind == 0 && i == n)
					continue;
				if (kind == 2 && i > 1)
					break;
				for (k = 0;; k++) {
					store_arm(&big, n);
					big.fail_at = k;
					if (kind == 0)
						rc = merkle_prove_inclusion(
						    store_get, &big, i, n, &p);
					else if (kind == 1)
						rc = merkle_prove_consistency(
						    store_get, &big, i, n, &p);
					else
						rc = merkle_root(store_get,
						    &big, n, h);
					if (k == 0) {
						CHECK(rc == MERKLE_OK, "kind %d"
						    " %" PRIu64 " %" PRIu64
						    ": %d", kind, i, n, rc);
						reads = big.reads;
						if (reads == 0)
							break;
						continue;
					}
					CHECK(rc == MERKLE_ENODE, "kind %d %"
					    PRIu64 " %" PRIu64 ", read %" PRIu64
					    " of %" PRIu64 " fails: %d", kind,
					    i, n, k, reads, rc);
					CHECK(big.reads == k, "kind %d: %"
					    PRIu64 " reads after a failure at %"
					    PRIu64, kind, big.reads, k);
					if (k == reads)
						break;
				}
			}
	store_arm(&big, 64);
	big.fail_at = 1;
	rc = merkle_range_hash(store_get, &big, 32, 64, h);
	T_ASSERT_EQ(rc, MERKLE_ENODE);
	/* a store without the node: also ENODE */
	store_arm(&big, 10);
	big.quiet = 1;
	rc = merkle_prove_inclusion(store_get, &big, 3, 12, &p);
	T_ASSERT_EQ(rc, MERKLE_ENODE);
	store_arm(&big, BIG_N);
	big.quiet = 1;
	rc = merkle_root(store_get, &big, (uint64_t)BIG_N + 1, h);
	T_ASSERT_EQ(rc, MERKLE_ENODE);
	big.bad = 0;
}

static void
test_edge_cases(void)
{
	static const uint64_t	 sizes[] = { 0, 1, 2, 7, 8, 1ULL << 63,
	    UINT64_MAX };
	struct merkle_proof	 p, *hp;
	uint8_t			 r1[32], r2[32], leaf[32];
	size_t			 i, j, len;
	int			 rc;

	big_build();
	memset(&p, 0, sizeof(p));
	memcpy(leaf, big_leaf[0], 32);
	memcpy(r1, big_root[8], 32);
	memcpy(r2, big_root[8], 32);
	/* index >= size */
	for (i = 0; i < T_NCASES(sizes); i++) {
		uint64_t bad[3] = { sizes[i], sizes[i] + 5, UINT64_MAX };

		for (j = 0; j < 3; j++) {
			if (bad[j] < sizes[i])
				continue;
			store_arm(&big, BIG_N);
			rc = merkle_prove_inclusion(store_get, &big, bad[j],
			    sizes[i], &p);
			CHECK(rc == MERKLE_EINVAL && big.reads == 0,
			    "prove %" PRIu64 " in %" PRIu64 ": %d", bad[j],
			    sizes[i], rc);
			p.n = 0;
			rc = merkle_verify_inclusion(bad[j], sizes[i], leaf, &p,
			    r1);
			CHECK(rc == MERKLE_EINVAL, "verify %" PRIu64 " in %"
			    PRIu64 ": %d", bad[j], sizes[i], rc);
			p.n = 3;
			rc = merkle_verify_inclusion(bad[j], sizes[i], leaf, &p,
			    r1);
			CHECK(rc == MERKLE_EINVAL, "verify %" PRIu64 " in %"
			    PRIu64 ": %d", bad[j], sizes[i], rc);
		}
	}
	/* old > new */
	for (i = 0; i < T_NCASES(sizes); i++)
		for (j = 0; j < T_NCASES(sizes); j++) {
			if (sizes[i] <= sizes[j])
				continue;
			store_arm(&big, BIG_N);
			rc = merkle_prove_consistency(store_get, &big, sizes[i],
			    sizes[j], &p);
			CHECK(rc == MERKLE_EINVAL && big.reads == 0,
			    "prove %" PRIu64 " -> %" PRIu64 ": %d", sizes[i],
			    sizes[j], rc);
			for (len = 0; len < 3; len++) {
				p.n = len;
				rc = merkle_verify_consistency(sizes[i],
				    sizes[j], r1, r2, &p);
				CHECK(rc == MERKLE_EINVAL, "verify %" PRIu64
				    " -> %" PRIu64 ": %d", sizes[i], sizes[j],
				    rc);
			}
		}
	/* old == new and old == 0: empty proofs, nothing read */
	for (i = 0; i < T_NCASES(sizes); i++) {
		store_arm(&big, BIG_N);
		p.n = 7;
		rc = merkle_prove_consistency(store_get, &big, sizes[i],
		    sizes[i], &p);
		CHECK(rc == MERKLE_OK && p.n == 0 && big.reads == 0,
		    "prove %" PRIu64 " -> itself: %d", sizes[i], rc);
		p.n = 7;
		rc = merkle_prove_consistency(store_get, &big, 0, sizes[i], &p);
		CHECK(rc == MERKLE_OK && p.n == 0 && big.reads == 0,
		    "prove 0 -> %" PRIu64 ": %d", sizes[i], rc);
		T_ASSERT_EQ(merkle_consistency_len(sizes[i], sizes[i]), 0);
		T_ASSERT_EQ(merkle_consistency_len(0, sizes[i]), 0);
		p.n = 0;
		rc = merkle_verify_consistency(sizes[i], sizes[i], r1, r1, &p);
		CHECK(rc == MERKLE_OK, "verify %" PRIu64 " -> itself: %d",
		    sizes[i], rc);
		r2[5] ^= 0x10;
		rc = merkle_verify_consistency(sizes[i], sizes[i], r1, r2, &p);
		r2[5] ^= 0x10;
		CHECK(rc == MERKLE_EPROOF, "verify %" PRIu64 " -> itself, "
		    "roots differ: %d", sizes[i], rc);
		p.n = 1;
		memcpy(p.path[0], r1, 32);
		rc = merkle_verify_consistency(sizes[i], sizes[i], r1, r1, &p);
		CHECK(rc < 0, "verify %" PRIu64 " -> itself, one hash: %d",
		    sizes[i], rc);
		if (sizes[i] == 0)
			continue;
		/* old == 0 < new proves nothing, whatever the proof */
		merkle_empty_root(r2);
		for (len = 0; len < 3; len++) {
			p.n = len;
			for (j = 0; j < len; j++)
				memcpy(p.path[j], r2, 32);
			rc = merkle_verify_consistency(0, sizes[i], r2, r2, &p);
			CHECK(rc < 0, "verify 0 -> %" PRIu64 " with %zu "
			    "hashes: %d", sizes[i], len, rc);
			rc = merkle_verify_consistency(0, sizes[i], r2, r1, &p);
			CHECK(rc < 0, "verify 0 -> %" PRIu64 " with %zu "
			    "hashes: %d", sizes[i], len, rc);
		}
		memcpy(r2, r1, 32);
	}
	/* 0 < old < new with an empty proof */
	p.n = 0;
	T_ASSERT_EQ(merkle_verify_consistency(1, 2, r1, r2, &p), MERKLE_ESIZE);
	T_ASSERT_EQ(merkle_verify_consistency(4, 8, r1, r1, &p), MERKLE_ESIZE);
	/*
	 * p->n beyond MERKLE_MAX_PROOF: refused, and nothing read past the
	 * array (a heap proof of exact size lets ASan see an overread).
	 */
	if ((hp = malloc(sizeof(*hp))) == NULL)
		abort();
	store_arm(&big, 8);
	T_ASSERT_EQ(merkle_prove_inclusion(store_get, &big, 0, 8, hp),
	    MERKLE_OK);
	for (i = 0; i < 4; i++) {
		static const size_t ns[4] = { MERKLE_MAX_PROOF + 1,
		    MERKLE_MAX_PROOF + 100, SIZE_MAX / 32 + 1, SIZE_MAX };

		hp->n = ns[i];
		rc = merkle_verify_inclusion(0, 8, big_leaf[0], hp,
		    big_root[8]);
		CHECK(rc == MERKLE_ESIZE, "inclusion with n = %zu: %d", ns[i],
		    rc);
		rc = merkle_verify_inclusion(5, UINT64_MAX, big_leaf[0], hp,
		    big_root[8]);
		CHECK(rc == MERKLE_ESIZE, "inclusion with n = %zu: %d", ns[i],
		    rc);
		rc = merkle_verify_consistency(1, 8, big_root[1], big_root[8],
		    hp);
		CHECK(rc == MERKLE_ESIZE, "consistency with n = %zu: %d",
		    ns[i], rc);
		rc = merkle_verify_consistency(3, UINT64_MAX, big_root[3],
		    big_root[8], hp);
		CHECK(rc == MERKLE_ESIZE, "consistency with n = %zu: %d",
		    ns[i], rc);
		rc = merkle_verify_consistency(8, 8, big_root[8], big_root[8],
		    hp);
		CHECK(rc < 0, "consistency 8 -> 8 with n = %zu: %d", ns[i],
		    rc);
	}
	hp->n = MERKLE_MAX_PROOF;
	rc = merkle_verify_inclusion(0, UINT64_MAX, big_leaf[0], hp,
	    big_root[8]);
	CHECK(rc == MERKLE_ESIZE, "inclusion with n = %d: %d",
	    MERKLE_MAX_PROOF, rc);
	free(hp);
	/* proof lengths at the edges */
	T_ASSERT_EQ(merkle_inclusion_len(0, 1), 0);
	T_ASSERT_EQ(merkle_inclusion_len(0, 2), 1);
	T_ASSERT_EQ(merkle_inclusion_len(0, UINT64_MAX), 64);
	T_ASSERT_EQ(merkle_inclusion_len(UINT64_MAX - 1, UINT64_MAX), 63);
	T_ASSERT_EQ(merkle_inclusion_len((1ULL << 63) - 1, 1ULL << 63), 63);
	T_ASSERT_EQ(merkle_consistency_len(1, 2), 1);
	T_ASSERT_EQ(merkle_consistency_len(1, UINT64_MAX), 64);
	T_ASSERT_EQ(merkle_consistency_len(UINT64_MAX - 1, UINT64_MAX),
	    ref_consistency_len(UINT64_MAX - 1, UINT64_MAX));
	T_ASSERT_EQ(merkle_consistency_len(3, UINT64_MAX),
	    ref_consistency_len(3, UINT64_MAX));
}

/* Appends that finish 64 subtrees at once, and the last possible one. */
static void
test_append_limits(void)
{
	struct merkle_tree	t, before;
	struct merkle_node	out[MERKLE_MAX_LEVELS];
	uint8_t			root[32], want[32];
	size_t			n, k;
	unsigned		l;
	int			rc;

	merkle_tree_init(&t);
	t.size = (1ULL << 63) - 1;
	for (l = 0; l < 63; l++)
		memcpy(t.sub[l], vz[l], 32);
	merkle_tree_root(&t, root);
	ref_mth(&virt_ref, 0, t.size, want);
	T_ASSERT_MEM(root, want, 32);
	n = 0;
	rc = merkle_tree_append(&t, vz[0], out, &n);
	T_ASSERT_EQ(rc, MERKLE_OK);
	T_ASSERT_EQ(n, 64);
	for (k = 0; k < n && k < MERKLE_MAX_LEVELS; k++)
		CHECK(out[k].level == k &&
		    out[k].index == ((1ULL << 63) - 1) >> k &&
		    memcmp(out[k].hash, vz[k], 32) == 0,
		    "node %zu: (%u, %" PRIu64 ")", k, out[k].level,
		    out[k].index);
	T_ASSERT_EQ(t.size, 1ULL << 63);
	merkle_tree_root(&t, root);
	T_ASSERT_MEM(root, vz[63], 32);
	rc = merkle_tree_append(&t, vz[0], out, &n);
	T_ASSERT(rc == MERKLE_OK && n == 1);
	merkle_tree_root(&t, root);
	ref_node(want, vz[63], vz[0]);
	T_ASSERT_MEM(root, want, 32);

	/* 2^64 - 2 -> 2^64 - 1, then full */
	merkle_tree_init(&t);
	t.size = UINT64_MAX - 1;
	for (l = 1; l < 64; l++)
		memcpy(t.sub[l], vz[l], 32);
	rc = merkle_tree_append(&t, vz[0], out, &n);
	T_ASSERT(rc == MERKLE_OK && n == 1);
	T_ASSERT(out[0].level == 0 && out[0].index == UINT64_MAX - 1);
	T_ASSERT_EQ(t.size, UINT64_MAX);
	merkle_tree_root(&t, root);
	ref_mth(&virt_ref, 0, UINT64_MAX, want);
	T_ASSERT_MEM(root, want, 32);
	before = t;
	rc = merkle_tree_append(&t, vz[0], out, &n);
	T_ASSERT_EQ(rc, MERKLE_EINVAL);
	T_ASSERT(memcmp(&t, &before, sizeof(t)) == 0);
	rc = merkle_tree_append(&t, vz[0], NULL, &n);
	T_ASSERT_EQ(rc, MERKLE_EINVAL);
	merkle_tree_root(&t, root);
	T_ASSERT_MEM(root, want, 32);
}


/* Flip one random bit of a random hash among proof, a and b. */
static void
flip_random(struct merkle_proof *p, uint8_t a[32], uint8_t b[32],
    size_t *which, size_t *bit)
{
	uint8_t	*target;

	*which = (size_t)t_rand_below(p->n + 2);
	*bit = (size_t)t_rand_below(256);
	target = *which < p->n ? p->path[*which] : *which == p->n ? a : b;
	target[*bit / 8] ^= (uint8_t)(1 << (*bit % 8));
}

/* Random proofs in the 100,001-leaf tree. */
static void
test_random_big(void)
{
	struct merkle_proof	p, want;
	uint8_t			a[32], b[32], h[32];
	uint64_t		k, size, idx, old, max_r = 0;
	size_t			which, bit;
	int			rc;

	big_build();
	for (k = 0; k < RAND_PROOFS; k++) {
		size = rand_size(BIG_N);
		idx = rand_below_edge(size);
		store_arm(&big, size);
		rc = merkle_prove_inclusion(store_get, &big, idx, size, &p);
		CHECK(rc == MERKLE_OK && big.bad == 0, "prove %" PRIu64
		    " in %" PRIu64 ": %d", idx, size, rc);
		CHECK(big.reads <= max_reads(size), "prove %" PRIu64 " in %"
		    PRIu64 ": %" PRIu64 " reads", idx, size, big.reads);
		if (big.reads > max_r)
			max_r = big.reads;
		ref_inclusion(&big_fast, idx, size, &want);
		CHECK(proof_eq(&p, &want) &&
		    p.n == merkle_inclusion_len(idx, size), "prove %" PRIu64
		    " in %" PRIu64 ": not RFC 6962 PATH", idx, size);
		memcpy(a, big_leaf[idx], 32);
		memcpy(b, big_root[size], 32);
		rc = merkle_verify_inclusion(idx, size, a, &p, b);
		CHECK(rc == MERKLE_OK, "verify %" PRIu64 " in %" PRIu64
		    ": %d", idx, size, rc);
		CHECK(ref_verify_inclusion(idx, size, a, &p, b),
		    "reference %" PRIu64 " in %" PRIu64, idx, size);
		flip_random(&p, a, b, &which, &bit);
		rc = merkle_verify_inclusion(idx, size, a, &p, b);
		CHECK(rc == MERKLE_EPROOF, "%" PRIu64 " in %" PRIu64
		    ", bit %zu of hash %zu flipped: %d", idx, size, bit,
		    which, rc);
		if (k % 50 == 0) {
			store_arm(&big, size);
			rc = merkle_root(store_get, &big, size, h);
			CHECK(rc == MERKLE_OK && big.reads == popcount(size) &&
			    memcmp(h, big_root[size], 32) == 0,
			    "merkle_root %" PRIu64 ": %d", size, rc);
		}
	}
	for (k = 0; k < RAND_PROOFS; k++) {
		size = rand_size(BIG_N);
		switch (t_rand_below(4)) {
		case 0:
			old = 1ULL << t_rand_below(bitlen(size));
			break;
		case 1:
			old = size - t_rand_below(size < 3 ? size : 3);
			break;
		default:
			old = 1 + t_rand_below(size);
			break;
		}
		store_arm(&big, size);
		rc = merkle_prove_consistency(store_get, &big, old, size, &p);
		CHECK(rc == MERKLE_OK && big.bad == 0, "prove %" PRIu64
		    " -> %" PRIu64 ": %d", old, size, rc);
		CHECK(big.reads <= max_reads(size), "prove %" PRIu64 " -> %"
		    PRIu64 ": %" PRIu64 " reads", old, size, big.reads);
		if (big.reads > max_r)
			max_r = big.reads;
		ref_consistency(&big_fast, old, size, &want);
		CHECK(proof_eq(&p, &want) &&
		    p.n == merkle_consistency_len(old, size), "prove %" PRIu64
		    " -> %" PRIu64 ": not RFC 6962 PROOF", old, size);
		memcpy(a, big_root[old], 32);
		memcpy(b, big_root[size], 32);
		rc = merkle_verify_consistency(old, size, a, b, &p);
		CHECK(rc == MERKLE_OK, "verify %" PRIu64 " -> %" PRIu64
		    ": %d", old, size, rc);
		CHECK(ref_verify_consistency(old, size, a, b, &p),
		    "reference %" PRIu64 " -> %" PRIu64, old, size);
		flip_random(&p, a, b, &which, &bit);
		rc = merkle_verify_consistency(old, size, a, b, &p);
		CHECK(rc == MERKLE_EPROOF, "%" PRIu64 " -> %" PRIu64
		    ", bit %zu of hash %zu flipped: %d", old, size, bit,
		    which, rc);
	}
	printf("# random: %d inclusion and %d consistency proofs in %d "
	    "leaves, at most %" PRIu64 " node reads\n", RAND_PROOFS,
	    RAND_PROOFS, BIG_N, max_r);
}

/* Proofs in virtual trees of 64-bit sizes vs the naive recursion. */
static void
test_virtual_64bit(void)
{
	struct merkle_proof	p, want;
	uint8_t			r1[32], r2[32], h[32];
	uint64_t		size, idx, old;
	size_t			which, bit;
	int			k, j, rc;

	for (k = 0; k < 200; k++) {
		size = k < 4 ? UINT64_MAX - (uint64_t)k : rand_size64();
		store_arm(&vstore, size);
		rc = merkle_root(store_get, &vstore, size, r2);
		ref_mth(&virt_ref, 0, size, h);
		CHECK(rc == MERKLE_OK && memcmp(r2, h, 32) == 0 &&
		    vstore.reads == popcount(size) && vstore.bad == 0,
		    "merkle_root %" PRIu64 ": %d", size, rc);
		for (j = 0; j < 3; j++) {
			idx = j == 0 ? size - 1 : rand_below_edge(size);
			store_arm(&vstore, size);
			rc = merkle_prove_inclusion(store_get, &vstore, idx,
			    size, &p);
			CHECK(rc == MERKLE_OK && vstore.bad == 0 &&
			    vstore.reads <= max_reads(size), "prove %" PRIu64
			    " in %" PRIu64 ": %d, %" PRIu64 " reads", idx,
			    size, rc, vstore.reads);
			ref_inclusion(&virt_ref, idx, size, &want);
			CHECK(proof_eq(&p, &want) &&
			    p.n == merkle_inclusion_len(idx, size),
			    "prove %" PRIu64 " in %" PRIu64 ": not PATH", idx,
			    size);
			memcpy(h, vz[0], 32);
			memcpy(r1, r2, 32);
			rc = merkle_verify_inclusion(idx, size, h, &p, r1);
			CHECK(rc == MERKLE_OK, "verify %" PRIu64 " in %" PRIu64
			    ": %d", idx, size, rc);
			flip_random(&p, h, r1, &which, &bit);
			rc = merkle_verify_inclusion(idx, size, h, &p, r1);
			CHECK(rc == MERKLE_EPROOF, "%" PRIu64 " in %" PRIu64
			    ", bit %zu of %zu: %d", idx, size, bit, which, rc);

			switch (j) {
			case 0:
				old = size == 1 ? 1 : size - 1;
				break;
			case 1:
				old = 1ULL << t_rand_below(bitlen(size));
				break;
			default:
				old = 1 + t_rand_below(size);
				break;
			}
			store_arm(&vstore, size);
			rc = merkle_prove_consistency(store_get, &vstore, old,
			    size, &p);
			CHECK(rc == MERKLE_OK && vstore.bad == 0 &&
			    vstore.reads <= max_reads(size), "prove %" PRIu64
			    " -> %" PRIu64 ": %d, %" PRIu64 " reads", old,
			    size, rc, vstore.reads);
			ref_consistency(&virt_ref, old, size, &want);
			CHECK(proof_eq(&p, &want) &&
			    p.n == merkle_consistency_len(old, size),
			    "prove %" PRIu64 " -> %" PRIu64 ": not PROOF", old,
			    size);
			ref_mth(&virt_ref, 0, old, r1);
			memcpy(h, r2, 32);
			rc = merkle_verify_consistency(old, size, r1, h, &p);
			CHECK(rc == MERKLE_OK, "verify %" PRIu64 " -> %" PRIu64
			    ": %d", old, size, rc);
			flip_random(&p, r1, h, &which, &bit);
			rc = merkle_verify_consistency(old, size, r1, h, &p);
			CHECK(rc == MERKLE_EPROOF, "%" PRIu64 " -> %" PRIu64
			    ", bit %zu of %zu: %d", old, size, bit, which, rc);
		}
	}
}

/*
 * Synthetic proofs of random hashes at 64-bit sizes: the closed-form
 * reference folds them into roots, the library must agree.
 */
static void
test_synthetic_64bit(void)
{
	struct merkle_proof	p;
	uint8_t			leaf[32], root[32], r1[32], r2[32];
	uint64_t		size, idx, old;
	size_t			len, j, which, bit, maxlen = 0;
	int			k, rc;

	for (k = 0; k < 2000; k++) {
		size = rand_size64();
		idx = rand_below_edge(size);
		len = ref_inclusion_len(idx, size);
		CHECK(merkle_inclusion_len(idx, size) == len,
		    "inclusion_len(%" PRIu64 ", %" PRIu64 ") = %zu, want %zu",
		    idx, size, merkle_inclusion_len(idx, size), len);
		p.n = len;
		for (j = 0; j < len; j++)
			random_hash(p.path[j]);
		random_hash(leaf);
		if (ref_inclusion_root(idx, size, leaf, &p, root) != 0)
			abort();
		rc = merkle_verify_inclusion(idx, size, leaf, &p, root);
		CHECK(rc == MERKLE_OK, "synthetic %" PRIu64 " in %" PRIu64
		    ": %d", idx, size, rc);
		p.n = len + 1;
		random_hash(p.path[len]);
		rc = merkle_verify_inclusion(idx, size, leaf, &p, root);
		CHECK(rc == MERKLE_ESIZE, "synthetic %" PRIu64 " in %" PRIu64
		    " + 1 hash: %d", idx, size, rc);
		if (len > 0) {
			p.n = len - 1;
			rc = merkle_verify_inclusion(idx, size, leaf, &p, root);
			CHECK(rc == MERKLE_ESIZE, "synthetic %" PRIu64 " in %"
			    PRIu64 " - 1 hash: %d", idx, size, rc);
		}
		p.n = len;
		flip_random(&p, leaf, root, &which, &bit);
		rc = merkle_verify_inclusion(idx, size, leaf, &p, root);
		CHECK(rc == MERKLE_EPROOF, "synthetic %" PRIu64 " in %" PRIu64
		    ", bit %zu of %zu: %d", idx, size, bit, which, rc);

		size = rand_size64();
		if (size == 1)
			size = 2;
		old = rand_below_edge(size);
		if (old == 0)
			old = t_rand_below(2) ? 1 : size - 1;
		len = ref_consistency_len(old, size);
		if (len > maxlen)
			maxlen = len;
		CHECK(merkle_consistency_len(old, size) == len,
		    "consistency_len(%" PRIu64 ", %" PRIu64 ") = %zu, want %zu",
		    old, size, merkle_consistency_len(old, size), len);
		p.n = len;
		for (j = 0; j < len; j++)
			random_hash(p.path[j]);
		random_hash(root);
		if (ref_consistency_roots(old, size, root, &p, r1, r2) != 0)
			abort();
		rc = merkle_verify_consistency(old, size, r1, r2, &p);
		CHECK(rc == MERKLE_OK, "synthetic %" PRIu64 " -> %" PRIu64
		    ": %d", old, size, rc);
		if (len < MERKLE_MAX_PROOF) {
			p.n = len + 1;
			random_hash(p.path[len]);
			rc = merkle_verify_consistency(old, size, r1, r2, &p);
			CHECK(rc == MERKLE_ESIZE, "synthetic %" PRIu64 " -> %"
			    PRIu64 " + 1 hash: %d", old, size, rc);
		}
		p.n = len - 1;
		rc = merkle_verify_consistency(old, size, r1, r2, &p);
		CHECK(rc == MERKLE_ESIZE, "synthetic %" PRIu64 " -> %" PRIu64
		    " - 1 hash: %d", old, size, rc);
		p.n = len;
		flip_random(&p, r1, r2, &which, &bit);
		rc = merkle_verify_consistency(old, size, r1, r2, &p);
		CHECK(rc == MERKLE_EPROOF, "synthetic %" PRIu64 " -> %" PRIu64
		    ", bit %zu of %zu: %d", old, size, bit, which, rc);
	}
	CHECK(maxlen <= MERKLE_MAX_PROOF, "consistency length %zu", maxlen);
}


int
main(int argc, char **argv)
{
	static const struct t_case	cases[] = {
		T_CASE(test_strerror),
		T_CASE(test_rfc_tree),
		T_CASE(test_rfc_proofs),
		T_CASE(test_small_trees),
		T_CASE(test_range_hash),
		T_CASE(test_subtree_hash),
		T_CASE(test_exhaustive_inclusion),
		T_CASE(test_exhaustive_consistency),
		T_CASE(test_mutation),
		T_CASE(test_node_failure),
		T_CASE(test_edge_cases),
		T_CASE(test_append_limits),
		T_CASE(test_random_big),
		T_CASE(test_virtual_64bit),
		T_CASE(test_synthetic_64bit),
	};
	int				rc;

	merkleref_init(&t_failed_checks);
	rc = t_main(argc, argv, "t_merkle_tree", cases, T_NCASES(cases));
	store_free(&rfc_store);
	merkleref_free();
	return rc;
}
