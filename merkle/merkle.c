/* merkle.c - the incremental tree, inclusion and consistency proofs. */
/*
 * Nodes are named (level, index): the complete subtree of 2^level leaves
 * [index << level, (index + 1) << level). A tree of size n is the fold of
 * its popcount(n) complete subtrees, largest (left) first:
 *
 *	size 7:          k               root = H(k, H(i, j))
 *	             /       \               k = (2,0)  i = (1,2)  j = (0,6)
 *	           g           i    j        the right edge H(i, j) is
 *	         /   \       /   \           "ephemeral": no complete
 *	        a  b c  d   e  f    j         subtree, recomputed from i, j
 *
 * A proof walks from a leaf (or node) up: below `inner` (the highest bit
 * in which the leaf index and size - 1 differ) siblings alternate sides;
 * above it the path runs along the right edge and only left siblings
 * (set bits of the index) appear. At most one sibling, the right one at
 * level inner - 1, is ephemeral; it costs popcount reads to rebuild.
 */
#include <string.h>

#include "merkle.h"

const char *
merkle_strerror(int err)
{
	switch (err) {
	case MERKLE_OK:
		return "success";
	case MERKLE_EINVAL:
		return "index or size out of range";
	case MERKLE_EPROOF:
		return "proof does not match the root";
	case MERKLE_ENODE:
		return "stored hash not available";
	case MERKLE_ESIZE:
		return "proof has the wrong number of hashes";
	default:
		return "unknown merkle error";
	}
}

/* Number of significant bits of x (0 for 0). */
static unsigned
bitlen(uint64_t x)
{
	return x ? 64 - (unsigned)__builtin_clzll(x) : 0;
}

static unsigned
popcount(uint64_t x)
{
	return (unsigned)__builtin_popcountll(x);
}

void
merkle_tree_init(struct merkle_tree *t)
{
	memset(t, 0, sizeof(*t));
}

int
merkle_tree_append(struct merkle_tree *t, const uint8_t leaf[32],
    struct merkle_node out[MERKLE_MAX_LEVELS], size_t *n)
{
	uint8_t		h[32];
	uint64_t	s = t->size;
	unsigned	l = 0;
	size_t		k = 0;

	if (t->size == UINT64_MAX)
		return MERKLE_EINVAL;
	memcpy(h, leaf, 32);
	if (out != NULL) {
		out[0].level = 0;
		out[0].index = s;
		memcpy(out[0].hash, h, 32);
	}
	k = 1;
	/* Carry: each set low bit of the old size is a subtree to merge. */
	while (s & 1) {
		merkle_node_hash(h, t->sub[l], h);
		l++;
		s >>= 1;
		if (out != NULL) {
			out[k].level = l;
			out[k].index = s;
			memcpy(out[k].hash, h, 32);
		}
		k++;
	}
	memcpy(t->sub[l], h, 32);
	t->size++;
	if (n != NULL)
		*n = k;
	return MERKLE_OK;
}

void
merkle_tree_root(const struct merkle_tree *t, uint8_t root[32])
{
	unsigned	l;
	int		have = 0;

	for (l = 0; l < MERKLE_MAX_LEVELS; l++) {
		if (!(t->size >> l & 1))
			continue;
		if (!have)
			memcpy(root, t->sub[l], 32);
		else
			merkle_node_hash(root, t->sub[l], root);
		have = 1;
	}
	if (!have)
		merkle_empty_root(root);
}

int
merkle_subtree_hash(const uint8_t (*h)[32], size_t n, uint8_t out[32])
{
	uint8_t	w[MERKLE_TILE_WIDTH / 2][32];
	size_t	i;

	if (n == 0 || n > MERKLE_TILE_WIDTH || (n & (n - 1)) != 0)
		return MERKLE_EINVAL;
	if (n == 1) {
		memcpy(out, h[0], 32);
		return MERKLE_OK;
	}
	for (i = 0; i < n / 2; i++)
		merkle_node_hash(w[i], h[2 * i], h[2 * i + 1]);
	for (n /= 2; n > 1; n /= 2)
		for (i = 0; i < n / 2; i++)
			merkle_node_hash(w[i], w[2 * i], w[2 * i + 1]);
	memcpy(out, w[0], 32);
	return MERKLE_OK;
}

int
merkle_range_hash(merkle_node_fn *fn, void *arg, uint64_t start,
    uint64_t end, uint8_t out[32])
{
	uint8_t		h[32];
	uint64_t	n, mask, pos;
	unsigned	l;
	int		have = 0;

	if (end <= start)
		return MERKLE_EINVAL;
	n = end - start;
	/* Fold right to left: the lowest set bit is the rightmost piece. */
	for (l = 0; l < 64; l++) {
		if (!(n >> l & 1))
			continue;
		mask = ~((2ULL << l) - 1);	/* wraps to 0 for l == 63 */
		pos = start + (n & mask);
		if (pos & ((1ULL << l) - 1))
			return MERKLE_EINVAL;	/* not an aligned range */
		if (fn(arg, l, pos >> l, h) != 0)
			return MERKLE_ENODE;
		if (!have)
			memcpy(out, h, 32);
		else
			merkle_node_hash(out, h, out);
		have = 1;
	}
	return MERKLE_OK;
}

int
merkle_root(merkle_node_fn *fn, void *arg, uint64_t size, uint8_t root[32])
{
	if (size == 0) {
		merkle_empty_root(root);
		return MERKLE_OK;
	}
	return merkle_range_hash(fn, arg, 0, size, root);
}

/* Append to p the hash of node (level, index). */
static int
proof_push_node(merkle_node_fn *fn, void *arg, unsigned level,
    uint64_t index, struct merkle_proof *p)
{
	if (p->n >= MERKLE_MAX_PROOF)
		return MERKLE_EINVAL;
	if (fn(arg, level, index, p->path[p->n]) != 0)
		return MERKLE_ENODE;
	p->n++;
	return MERKLE_OK;
}

/*
 * Append to p the path from the complete node (level0, m >> level0) to the
 * root of a tree of size leaves; m is the node's first leaf.
 */
static int
proof_path(merkle_node_fn *fn, void *arg, uint64_t m, unsigned level0,
    uint64_t size, struct merkle_proof *p)
{
	uint64_t	idx, start;
	unsigned	inner, i;
	int		rc;

	inner = bitlen(m ^ (size - 1));
	for (i = level0; i < inner; i++) {
		idx = m >> i;
		if (idx & 1) {
			rc = proof_push_node(fn, arg, i, idx - 1, p);
		} else {
			start = (idx + 1) << i;
			if (size - start >= (1ULL << i))
				rc = proof_push_node(fn, arg, i, idx + 1, p);
			else if (p->n >= MERKLE_MAX_PROOF)
				rc = MERKLE_EINVAL;
			else if ((rc = merkle_range_hash(fn, arg, start, size,
			    p->path[p->n])) == MERKLE_OK)
				p->n++;
		}
		if (rc != MERKLE_OK)
			return rc;
	}
	for (i = inner > level0 ? inner : level0; i < 64; i++) {
		idx = m >> i;
		if ((idx & 1) &&
		    (rc = proof_push_node(fn, arg, i, idx - 1, p)) != MERKLE_OK)
			return rc;
	}
	return MERKLE_OK;
}

int
merkle_prove_inclusion(merkle_node_fn *fn, void *arg, uint64_t index,
    uint64_t size, struct merkle_proof *p)
{
	p->n = 0;
	if (index >= size)
		return MERKLE_EINVAL;
	return proof_path(fn, arg, index, 0, size, p);
}

int
merkle_prove_consistency(merkle_node_fn *fn, void *arg, uint64_t old_size,
    uint64_t new_size, struct merkle_proof *p)
{
	uint64_t	idx;
	unsigned	level;
	int		rc;

	p->n = 0;
	if (old_size > new_size)
		return MERKLE_EINVAL;
	if (old_size == new_size || old_size == 0)
		return MERKLE_OK;
	/*
	 * The last complete subtree of the old tree, (level, idx), is also a
	 * node of the new one. Prove it (RFC 9162 2.1.4.1); when the old tree
	 * is that one subtree (a power of two) the verifier already has its
	 * hash, the old root, so it is left out.
	 */
	level = (unsigned)__builtin_ctzll(old_size);
	idx = (old_size - 1) >> level;
	if (idx != 0 &&
	    (rc = proof_push_node(fn, arg, level, idx, p)) != MERKLE_OK)
		return rc;
	return proof_path(fn, arg, idx << level, level, new_size, p);
}

size_t
merkle_inclusion_len(uint64_t index, uint64_t size)
{
	unsigned	inner;

	if (index >= size)
		return 0;
	inner = bitlen(index ^ (size - 1));
	return inner + popcount(inner < 64 ? index >> inner : 0);
}

size_t
merkle_consistency_len(uint64_t old_size, uint64_t new_size)
{
	uint64_t	m;
	unsigned	level, inner, top;

	if (old_size == 0 || old_size >= new_size)
		return 0;
	level = (unsigned)__builtin_ctzll(old_size);
	m = ((old_size - 1) >> level) << level;
	inner = bitlen(m ^ (new_size - 1));
	top = inner > level ? inner : level;
	return (m != 0) + (inner > level ? inner - level : 0) +
	    popcount(top < 64 ? m >> top : 0);
}

int
merkle_verify_inclusion(uint64_t index, uint64_t size, const uint8_t leaf[32],
    const struct merkle_proof *p, const uint8_t root[32])
{
	uint8_t		r[32];
	uint64_t	fn, sn;
	size_t		i;

	if (index >= size)
		return MERKLE_EINVAL;
	if (p->n > MERKLE_MAX_PROOF)
		return MERKLE_ESIZE;
	fn = index;
	sn = size - 1;
	memcpy(r, leaf, 32);
	for (i = 0; i < p->n; i++) {
		if (sn == 0)
			return MERKLE_ESIZE;		/* a hash too many */
		if ((fn & 1) || fn == sn) {
			merkle_node_hash(r, p->path[i], r);
			if (!(fn & 1))
				while (!(fn & 1) && fn != 0) {
					fn >>= 1;
					sn >>= 1;
				}
		} else
			merkle_node_hash(r, r, p->path[i]);
		fn >>= 1;
		sn >>= 1;
	}
	if (sn != 0)
		return MERKLE_ESIZE;			/* a hash too few */
	return memcmp(r, root, 32) == 0 ? MERKLE_OK : MERKLE_EPROOF;
}

int
merkle_verify_consistency(uint64_t old_size, uint64_t new_size,
    const uint8_t old_root[32], const uint8_t new_root[32],
    const struct merkle_proof *p)
{
	uint8_t		 fr[32], sr[32];
	const uint8_t	*c;
	uint64_t	 fn, sn;
	size_t		 i, first;

	if (old_size > new_size)
		return MERKLE_EINVAL;
	if (p->n > MERKLE_MAX_PROOF)
		return MERKLE_ESIZE;
	if (old_size == new_size) {
		if (p->n != 0)
			return MERKLE_ESIZE;
		return memcmp(old_root, new_root, 32) == 0 ?
		    MERKLE_OK : MERKLE_EPROOF;
	}
	if (old_size == 0)
		return MERKLE_EINVAL;	/* proves nothing (RFC 9162 2.1.4) */
	if (p->n == 0)
		return MERKLE_ESIZE;
	/* Step 2: for a power-of-two old size the old root is the seed. */
	if ((old_size & (old_size - 1)) == 0) {
		c = old_root;
		first = 0;
	} else {
		c = p->path[0];
		first = 1;
	}
	fn = old_size - 1;
	sn = new_size - 1;
	while (fn & 1) {
		fn >>= 1;
		sn >>= 1;
	}
	memcpy(fr, c, 32);
	memcpy(sr, c, 32);
	for (i = first; i < p->n; i++) {
		if (sn == 0)
			return MERKLE_ESIZE;
		c = p->path[i];
		if ((fn & 1) || fn == sn) {
			merkle_node_hash(fr, c, fr);
			merkle_node_hash(sr, c, sr);
			if (!(fn & 1))
				while (!(fn & 1) && fn != 0) {
					fn >>= 1;
					sn >>= 1;
				}
		} else
			merkle_node_hash(sr, sr, c);
		fn >>= 1;
		sn >>= 1;
	}
	if (sn != 0)
		return MERKLE_ESIZE;
	if (memcmp(fr, old_root, 32) != 0 || memcmp(sr, new_root, 32) != 0)
		return MERKLE_EPROOF;
	return MERKLE_OK;
}
