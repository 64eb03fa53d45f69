/* t_merkle_span.c - unit tests for merkle/span.c: spans of a tree. */
/*
 * Against the RFC 6962 vectors, the shared 100,001-leaf tree and virtual
 * trees of 64-bit sizes (tests/fixture/merkleref.c).
 *
 * Replay a run with: t_merkle_span SEED
 */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "merkle.h"
#include "t.h"
#include "fixture/merkleref.h"

/* The greedy compact range of [end, size): maximal aligned pieces. */
static size_t
ref_right_pieces(uint64_t end, uint64_t size, unsigned lv[], uint64_t ix[])
{
	size_t		n = 0;
	unsigned	l;

	while (end < size) {
		for (l = 63; l > 0; l--)
			if (end % (1ULL << l) == 0 && size - end >= (1ULL << l))
				break;
		lv[n] = l;
		ix[n++] = end >> l;
		end += 1ULL << l;
	}
	return n;
}

/*
 * One span of the big tree (or of the virtual one): every proof derived
 * through merkle_span_node must equal the store's; corrupt boundaries
 * must give proofs that fail.
 */
static void
check_span(struct store *st, const struct ref *r, uint64_t start,
    uint64_t end, uint64_t size)
{
	struct merkle_span	*sp;
	struct merkle_proof	 p, want;
	uint8_t			 left[MERKLE_MAX_LEVELS][32];
	uint8_t			 right[MERKLE_SPAN_MAX_RIGHT][32];
	uint8_t			 root[32], h[32], (*leaves)[32], (*scratch)[32];
	unsigned		 lv[MERKLE_SPAN_MAX_RIGHT];
	uint64_t		 ix[MERKLE_SPAN_MAX_RIGHT], i;
	size_t			 nleft = 0, nright = 0, k, nref;
	unsigned		 l;
	int			 rc, side;

	sp = xcalloc(1, sizeof(*sp));
	leaves = xcalloc((size_t)(end - start) + 1, 32);
	scratch = xcalloc(merkle_span_scratch_len(end - start), 32);
	for (i = start; i < end; i++)
		memcpy(leaves[i - start], st->virt ? vz[0] : st->h[0][i], 32);
	for (l = MERKLE_MAX_LEVELS; l-- > 0;)
		if ((start >> l) & 1)
			ref_mth(r, ((start >> l) - 1) << l, (start >> l) << l,
			    left[nleft++]);
	nref = ref_right_pieces(end, size, lv, ix);
	CHECK(merkle_span_right_len(end, size) == nref, "right_len(%" PRIu64
	    ", %" PRIu64 ") = %zu, want %zu", end, size,
	    merkle_span_right_len(end, size), nref);
	store_arm(st, size);
	rc = merkle_span_right(store_get, st, end, size, right, &nright);
	CHECK(rc == MERKLE_OK && nright == nref && st->bad == 0 &&
	    st->reads == nref, "span_right(%" PRIu64 ", %" PRIu64 "): %d, "
	    "%zu hashes", end, size, rc, nright);
	for (k = 0; k < nref && k < nright; k++) {
		ref_mth(r, ix[k] << lv[k], (ix[k] + 1) << lv[k], h);
		CHECK(memcmp(right[k], h, 32) == 0, "span_right(%" PRIu64
		    ", %" PRIu64 ") piece %zu", end, size, k);
	}
	ref_mth(r, 0, size, root);
	for (side = 0; side < 3; side++) {
		sp->start = start;
		sp->end = end;
		sp->size = size;
		sp->leaves = (const uint8_t (*)[32])leaves;
		sp->left = (const uint8_t (*)[32])left;
		sp->nleft = nleft;
		sp->right = (const uint8_t (*)[32])right;
		sp->nright = nright;
		sp->scratch = scratch;
		/* side 1, 2: one left or right boundary hash corrupted */
		if (side == 1 && nleft == 0)
			continue;
		if (side == 2 && nright == 0)
			continue;
		if (side == 1)
			left[t_rand_below(nleft)][t_rand_below(32)] ^= 0x20;
		if (side == 2)
			right[t_rand_below(nright)][t_rand_below(32)] ^= 0x20;
		rc = merkle_span_init(sp);
		CHECK(rc == MERKLE_OK, "span_init [%" PRIu64 ", %" PRIu64
		    ") of %" PRIu64 ": %d", start, end, size, rc);
		for (i = start; i < end && rc == MERKLE_OK; i++) {
			rc = merkle_prove_inclusion(merkle_span_node, sp, i,
			    size, &p);
			CHECK(rc == MERKLE_OK, "span [%" PRIu64 ", %" PRIu64
			    ") of %" PRIu64 ": proof of %" PRIu64 ": %d",
			    start, end, size, i, rc);
			if (rc != MERKLE_OK)
				break;
			memcpy(h, leaves[i - start], 32);
			if (side != 0) {
				rc = merkle_verify_inclusion(i, size, h, &p,
				    root);
				if ((side == 1 && i == start) ||
				    (side == 2 && i == end - 1))
					CHECK(rc == MERKLE_EPROOF, "span [%"
					    PRIu64 ", %" PRIu64 ") of %" PRIu64
					    ", corrupt %s boundary: proof of %"
					    PRIu64 ": %d", start, end, size,
					    side == 1 ? "left" : "right", i,
					    rc);
				rc = MERKLE_OK;
				continue;
			}
			store_arm(st, size);
			rc = merkle_prove_inclusion(store_get, st, i, size,
			    &want);
			CHECK(rc == MERKLE_OK && proof_eq(&p, &want),
			    "span [%" PRIu64 ", %" PRIu64 ") of %" PRIu64
			    ": proof of %" PRIu64 " differs", start, end,
			    size, i);
			rc = merkle_verify_inclusion(i, size, h, &p, root);
			CHECK(rc == MERKLE_OK, "span [%" PRIu64 ", %" PRIu64
			    ") of %" PRIu64 ": verify %" PRIu64 ": %d", start,
			    end, size, i, rc);
		}
	}
	/* boundaries of the wrong size */
	sp->nleft = nleft + 1;
	CHECK(merkle_span_init(sp) == MERKLE_EINVAL, "nleft + 1");
	sp->nleft = nleft;
	sp->nright = nright + 1;
	CHECK(merkle_span_init(sp) == MERKLE_EINVAL, "nright + 1");
	if (nright > 0) {
		sp->nright = nright - 1;
		CHECK(merkle_span_init(sp) == MERKLE_EINVAL, "nright - 1");
	}
	free(scratch);
	free(leaves);
	free(sp);
}

static void
test_span(void)
{
	struct merkle_tree	t;
	struct merkle_span	sp;
	uint8_t			out[MERKLE_MAX_LEVELS][32], want[32], data[32];
	uint8_t			right[MERKLE_SPAN_MAX_RIGHT][32];
	uint64_t		start, end, size;
	size_t			n, k, len;
	int			i;

	/* the frontier of the RFC tree */
	merkle_tree_init(&t);
	for (size = 0; size <= 8; size++) {
		n = merkle_tree_frontier(&t, out);
		CHECK(n == popcount(size), "frontier of %" PRIu64 ": %zu",
		    size, n);
		for (k = 0; k < n && k < 3; k++) {
			rfc_node(want, rfc_frontier[size][k]);
			CHECK(memcmp(out[k], want, 32) == 0, "frontier of %"
			    PRIu64 ": hash %zu", size, k);
		}
		if (size == 8)
			break;
		len = unhex(data, sizeof(data), rfc_data[size]);
		merkle_leaf_hash(want, data, len);
		merkle_tree_append(&t, want, NULL, &n);
	}
	big_build();
	check_span(&big, &big_fast, 0, 8, 8);
	check_span(&big, &big_fast, 3, 4, 8);
	check_span(&big, &big_fast, 0, 1000, 1000);
	check_span(&big, &big_fast, BIG_N - 1000, BIG_N, BIG_N);
	check_span(&big, &big_fast, 65535, 65537, BIG_N);
	for (i = 0; i < 60; i++) {
		size = rand_size(BIG_N);
		start = rand_below_edge(size);
		end = start + 1 + t_rand_below(i < 30 ? 16 : 256);
		if (end > size)
			end = size;
		check_span(&big, &big_fast, start, end, size);
	}
	/* 64-bit edges, in the virtual tree */
	check_span(&vstore, &virt_ref, (1ULL << 63) - 5, (1ULL << 63) + 7,
	    UINT64_MAX);
	check_span(&vstore, &virt_ref, UINT64_MAX - 9, UINT64_MAX, UINT64_MAX);
	check_span(&vstore, &virt_ref, 0, 3, UINT64_MAX);
	for (i = 0; i < 20; i++) {
		size = rand_size64();
		start = rand_below_edge(size);
		end = start + 1 + t_rand_below(20);
		if (end > size || end < start)
			end = size;
		check_span(&vstore, &virt_ref, start, end, size);
	}
	/* ranges out of order */
	store_arm(&big, BIG_N);
	CHECK(merkle_span_right(store_get, &big, 9, 8, right, &n) ==
	    MERKLE_EINVAL, "span_right(9, 8)");
	memset(&sp, 0, sizeof(sp));
	sp.start = 5;
	sp.end = 4;
	sp.size = 8;
	sp.nleft = 2;
	CHECK(merkle_span_init(&sp) == MERKLE_EINVAL, "start > end");
	sp.start = 4;
	sp.end = 9;
	sp.nleft = 1;
	CHECK(merkle_span_init(&sp) == MERKLE_EINVAL, "end > size");
}

int
main(int argc, char **argv)
{
	static const struct t_case	cases[] = {
		T_CASE(test_span),
	};
	int				rc;

	merkleref_init(&t_failed_checks);
	rc = t_main(argc, argv, "t_merkle_span", cases, T_NCASES(cases));
	merkleref_free();
	return rc;
}
