/* merkle.h - RFC 6962 / RFC 9162 Merkle trees, proofs and C2SP tiles. */
/*
 * libmerkle is pure: no I/O, no allocation, no global state. Every hash is
 * SHA-256 and every hash argument is 32 bytes. Tree sizes and indexes are
 * uint64_t. Functions that can fail return MERKLE_OK (0) or a negative
 * MERKLE_E* code; functions that cannot fail return void.
 */
#ifndef MERKLE_H
#define MERKLE_H

#include <stddef.h>
#include <stdint.h>

#define MERKLE_HASH_LEN		32
#define MERKLE_MAX_LEVELS	64	/* a 64-bit size has at most 64 subtrees */
#define MERKLE_MAX_PROOF	66	/* any proof for a 64-bit size fits */
#define MERKLE_TILE_HEIGHT	8	/* C2SP tlog-tiles: fixed height 8 */
#define MERKLE_TILE_WIDTH	256	/* hashes in a full tile */
#define MERKLE_TILE_MAX_LEVEL	63	/* C2SP: L is 0..63 */
#define MERKLE_TILE_PATH_MAX	96	/* longest tile path plus NUL */

enum {
	MERKLE_OK	=  0,
	MERKLE_EINVAL	= -1,	/* index, size or argument out of range */
	MERKLE_EPROOF	= -2,	/* proof does not match the root(s) */
	MERKLE_ENODE	= -3,	/* the caller's node callback failed */
	MERKLE_ESIZE	= -4,	/* proof has too many or too few hashes */
};

/* Return a static string for a MERKLE_* code. */
const char	*merkle_strerror(int err);

/* Hashing (RFC 6962 section 2.1). */

/* out = SHA-256(data). */
void	merkle_sha256(uint8_t out[32], const void *data, size_t len);
/* out = SHA-256(0x00 || data): the leaf hash. */
void	merkle_leaf_hash(uint8_t out[32], const void *data, size_t len);
/* out = SHA-256(0x01 || l || r): an interior node. out may alias l or r. */
void	merkle_node_hash(uint8_t out[32], const uint8_t l[32],
	    const uint8_t r[32]);
/* out = SHA-256(""), the root of the empty tree. */
void	merkle_empty_root(uint8_t out[32]);

/*
 * Incremental tree: the compact range (right frontier) of a tree of any
 * size. It holds one hash per set bit of size: sub[l] is the hash of the
 * complete subtree of 2^l leaves at level l when bit l of size is set.
 * A caller-owned value; copy it freely. About 2 KiB.
 */
struct merkle_tree {
	uint64_t	size;
	uint8_t		sub[MERKLE_MAX_LEVELS][32];
};

/* A complete subtree hash that became final during an append. */
struct merkle_node {
	unsigned	level;		/* 0 = leaf */
	uint64_t	index;		/* index among the nodes of that level */
	uint8_t		hash[32];
};

/* Make t the empty tree. */
void	merkle_tree_init(struct merkle_tree *t);
/*
 * Append one leaf hash. Every complete subtree that this leaf finishes is
 * written to out (leaf first, then parents upward); *n gets their number,
 * 1 + trailing ones of the old size, at most 64. A store that keeps them
 * never needs to rehash history. out may be NULL when not wanted.
 * MERKLE_EINVAL if the tree already has 2^64-1 leaves.
 */
int	merkle_tree_append(struct merkle_tree *t, const uint8_t leaf[32],
	    struct merkle_node out[MERKLE_MAX_LEVELS], size_t *n);
/* Root hash of t (popcount(size)-1 node hashes; empty root for size 0). */
void	merkle_tree_root(const struct merkle_tree *t, uint8_t root[32]);

/*
 * Stored hashes. Proofs and roots of past sizes need the hashes of
 * complete subtrees, which the caller stores where it likes. The callback
 * writes the hash of the complete subtree at (level, index), covering
 * leaves [index << level, (index + 1) << level), and returns 0, or
 * non-zero to abort with MERKLE_ENODE.
 */
typedef int merkle_node_fn(void *arg, unsigned level, uint64_t index,
    uint8_t out[32]);

/* A proof owned by the caller. */
struct merkle_proof {
	size_t		n;			/* hashes used in path */
	uint8_t		path[MERKLE_MAX_PROOF][32];
};

/* Root of the first size leaves: popcount(size) callback reads. */
int	merkle_root(merkle_node_fn *fn, void *arg, uint64_t size,
	    uint8_t root[32]);
/*
 * Hash of leaves [start, end), which must be an aligned range of the RFC
 * 6962 recursion (start a multiple of the power of two >= end - start).
 */
int	merkle_range_hash(merkle_node_fn *fn, void *arg, uint64_t start,
	    uint64_t end, uint8_t out[32]);
/*
 * Hash of the complete subtree over n consecutive hashes of one level
 * (h[0 .. n), n a power of two, 1..MERKLE_TILE_WIDTH): what a tile or a
 * store's group hashes up to. MERKLE_EINVAL for any other n.
 */
int	merkle_subtree_hash(const uint8_t (*h)[32], size_t n, uint8_t out[32]);
/* Inclusion proof of leaf index in a tree of size leaves (RFC 9162 order). */
int	merkle_prove_inclusion(merkle_node_fn *fn, void *arg, uint64_t index,
	    uint64_t size, struct merkle_proof *p);
/*
 * Consistency proof from old_size to new_size (RFC 9162 2.1.4.1). Empty
 * when old_size == new_size or old_size == 0. MERKLE_EINVAL if old > new.
 */
int	merkle_prove_consistency(merkle_node_fn *fn, void *arg,
	    uint64_t old_size, uint64_t new_size, struct merkle_proof *p);

/*
 * Verification, exactly RFC 9162 2.1.3.2 and 2.1.4.2. MERKLE_OK only if
 * the proof holds; MERKLE_EINVAL for index >= size or old > new;
 * MERKLE_ESIZE for a proof with a hash too many or too few; MERKLE_EPROOF
 * for any mismatch. Consistency with old == new needs an empty proof and
 * equal roots; old == 0 < new is refused (it proves nothing).
 */
int	merkle_verify_inclusion(uint64_t index, uint64_t size,
	    const uint8_t leaf[32], const struct merkle_proof *p,
	    const uint8_t root[32]);
int	merkle_verify_consistency(uint64_t old_size, uint64_t new_size,
	    const uint8_t old_root[32], const uint8_t new_root[32],
	    const struct merkle_proof *p);
/* Expected proof lengths, so parsers can refuse a wrong count early. */
size_t	merkle_inclusion_len(uint64_t index, uint64_t size);
size_t	merkle_consistency_len(uint64_t old_size, uint64_t new_size);

/*
 * Tiles (C2SP tlog-tiles). A tile (level L, index N, width W) holds the
 * hashes at tree level 8L with indexes [256N, 256N + W); W is 256 for a
 * full tile and 1..255 for a partial one. level -1 names an entry bundle.
 */
#define MERKLE_TILE_ENTRIES	(-1)

struct merkle_tile {
	int		level;		/* 0..63, or MERKLE_TILE_ENTRIES */
	uint64_t	index;
	unsigned	width;		/* 1..256 */
};

/* Number of tile levels a tree of size has (0 for the empty tree). */
unsigned	merkle_tile_levels(uint64_t size);
/*
 * The tiles at level that a tree of size has: *full tiles with 256 hashes,
 * then one partial tile of *partial (0 if none) hashes.
 */
void	merkle_tile_count(uint64_t size, unsigned level, uint64_t *full,
	    unsigned *partial);
/*
 * Whether tile t exists in a tree of size: MERKLE_OK, or MERKLE_EINVAL if
 * it lies beyond the tree or its width does not match the tree's.
 */
int	merkle_tile_check(const struct merkle_tile *t, uint64_t size);
/*
 * Write the path of t ("tile/0/x001/x234/067", "tile/entries/000.p/7"),
 * NUL-terminated, into buf of len bytes. MERKLE_EINVAL if t is invalid
 * or buf too small.
 */
int	merkle_tile_path(const struct merkle_tile *t, char *buf, size_t len);
/*
 * Parse a tile path (without leading slash) of len bytes. Strict: the
 * canonical encoding only (no leading zeros, no empty "x000" groups,
 * W 1..255). MERKLE_EINVAL on anything else.
 */
int	merkle_tile_parse(const char *path, size_t len, struct merkle_tile *t);

/*
 * Spans: every inclusion proof of a contiguous run of leaves [start, end)
 * in a tree of size leaves, from only the run's leaf hashes and two
 * boundaries: the compact range of [0, start) (merkle_tree_frontier of
 * the tree at size start) and that of [end, size) (merkle_span_right).
 * A log sends these once per batch instead of one proof per entry; the
 * receiver derives each proof with merkle_prove_inclusion(merkle_span_node,
 * span, ...). Boundary hashes are not trusted: each derived proof is
 * verified against a signed root like any other.
 */
#define MERKLE_SPAN_MAX_RIGHT	128

struct merkle_span {
	uint64_t	  start, end, size;
	const uint8_t	(*leaves)[32];	/* end - start leaf hashes */
	const uint8_t	(*left)[32];	/* popcount(start), largest first */
	size_t		  nleft;
	const uint8_t	(*right)[32];	/* merkle_span_right order */
	size_t		  nright;
	uint8_t		(*scratch)[32];	/* merkle_span_scratch_len slots */
	/* Filled by merkle_span_init. */
	uint64_t	  lvl_first[64];	/* first inner index per level */
	size_t		  lvl_off[64];		/* its slot in scratch */
	uint8_t		  edge[2][64][32];	/* nodes straddling start/end */
	uint8_t		  edge_ok[2][64];
};

/* Scratch slots (32 bytes each) a span of n leaves needs. */
size_t	merkle_span_scratch_len(uint64_t n);
/*
 * Check the counts and hash the run's inner nodes into scratch. The
 * caller sets start, end, size and the pointers first. MERKLE_EINVAL if
 * the boundaries do not have the sizes the range implies.
 */
int	merkle_span_init(struct merkle_span *s);
/* A merkle_node_fn over an initialised span. */
int	merkle_span_node(void *span, unsigned level, uint64_t index,
	    uint8_t out[32]);
/* The compact range of a tree: popcount(size) hashes, largest first. */
size_t	merkle_tree_frontier(const struct merkle_tree *t,
	    uint8_t out[MERKLE_MAX_LEVELS][32]);
/*
 * The compact range of [end, size) read through fn: the maximal complete
 * subtrees, left to right; *n gets their number.
 */
int	merkle_span_right(merkle_node_fn *fn, void *arg, uint64_t end,
	    uint64_t size, uint8_t out[MERKLE_SPAN_MAX_RIGHT][32], size_t *n);
/* Number of hashes merkle_span_right gives for [end, size). */
size_t	merkle_span_right_len(uint64_t end, uint64_t size);

#endif /* MERKLE_H */
