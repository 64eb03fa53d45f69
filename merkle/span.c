/* span.c - all inclusion proofs of a run of leaves from its boundaries. */
/*
 * For a run [start, end) of a tree of size leaves, a node (level, index)
 * covering [s, e) is one of:
 *	inside	start <= s, e <= end: hashed from the run's leaves (scratch);
 *	left	e <= start: a piece of the compact range of [0, start);
 *	right	s >= end: a piece of the compact range of [end, size);
 *	edge	straddling start or end: H(children), memoised per level
 *		(one node per level straddles each boundary).
 * A proof of a leaf in the run asks only for such nodes: a left sibling
 * lying wholly before start is a sibling of start's own ancestor, which
 * is a piece of [0, start); likewise on the right (docs/merkle.md).
 */
#include <string.h>

#include "merkle.h"

size_t
merkle_span_scratch_len(uint64_t n)
{
	return (size_t)n + 64;
}

/* Greedy decomposition of [pos, end) into maximal aligned pieces. */
static unsigned
piece_level(uint64_t pos, uint64_t end)
{
	unsigned	l = pos ? (unsigned)__builtin_ctzll(pos) : 63;

	while (l > 0 && (l >= 64 || end - pos < (1ULL << l)))
		l--;
	return l;
}

size_t
merkle_span_right_len(uint64_t end, uint64_t size)
{
	size_t	n = 0;

	while (end < size) {
		end += 1ULL << piece_level(end, size);
		n++;
	}
	return n;
}

int
merkle_span_right(merkle_node_fn *fn, void *arg, uint64_t end, uint64_t size,
    uint8_t out[MERKLE_SPAN_MAX_RIGHT][32], size_t *n)
{
	unsigned	l;

	*n = 0;
	if (end > size)
		return MERKLE_EINVAL;
	while (end < size) {
		l = piece_level(end, size);
		if (*n >= MERKLE_SPAN_MAX_RIGHT)
			return MERKLE_EINVAL;
		if (fn(arg, l, end >> l, out[*n]) != 0)
			return MERKLE_ENODE;
		(*n)++;
		end += 1ULL << l;
	}
	return MERKLE_OK;
}

size_t
merkle_tree_frontier(const struct merkle_tree *t,
    uint8_t out[MERKLE_MAX_LEVELS][32])
{
	size_t	n = 0;
	int	l;

	for (l = MERKLE_MAX_LEVELS - 1; l >= 0; l--)
		if (t->size >> l & 1)
			memcpy(out[n++], t->sub[l], 32);
	return n;
}

int
merkle_span_init(struct merkle_span *s)
{
	uint64_t	first, last, i;
	size_t		off = 0, prev_off = 0;
	unsigned	l;

	if (s->start > s->end || s->end > s->size ||
	    s->nleft != (size_t)__builtin_popcountll(s->start) ||
	    s->nright != merkle_span_right_len(s->end, s->size))
		return MERKLE_EINVAL;
	memset(s->edge_ok, 0, sizeof(s->edge_ok));
	/* Level 0 is the leaves themselves; levels above go in scratch. */
	s->lvl_first[0] = s->start;
	s->lvl_off[0] = 0;
	for (l = 1; l < 64; l++) {
		first = (s->start + (1ULL << l) - 1) >> l;
		if (s->start > UINT64_MAX - ((1ULL << l) - 1))
			first = UINT64_MAX;
		last = s->end >> l;		/* exclusive */
		s->lvl_first[l] = first;
		s->lvl_off[l] = off;
		if (first >= last)
			continue;
		for (i = first; i < last; i++) {
			const uint8_t	*a, *b;

			if (l == 1) {
				a = s->leaves[2 * i - s->start];
				b = s->leaves[2 * i + 1 - s->start];
			} else {
				a = s->scratch[prev_off + (2 * i -
				    s->lvl_first[l - 1])];
				b = s->scratch[prev_off + (2 * i + 1 -
				    s->lvl_first[l - 1])];
			}
			merkle_node_hash(s->scratch[off], a, b);
			off++;
		}
		prev_off = s->lvl_off[l];
	}
	return MERKLE_OK;
}

/* Find a piece (level, index) in a compact range laid out from base. */
static int
range_piece(const uint8_t (*pieces)[32], size_t n, uint64_t pos, uint64_t stop,
    unsigned level, uint64_t index, uint8_t out[32])
{
	size_t		k;
	unsigned	l;

	for (k = 0; k < n && pos < stop; k++) {
		l = piece_level(pos, stop);
		if (l == level && (pos >> l) == index) {
			memcpy(out, pieces[k], 32);
			return 0;
		}
		pos += 1ULL << l;
	}
	return -1;
}

int
merkle_span_node(void *arg, unsigned level, uint64_t index, uint8_t out[32])
{
	struct merkle_span	*s = arg;
	uint8_t			 a[32], b[32];
	uint64_t		 lo, hi;
	int			 side;

	if (level >= 64 || index > (UINT64_MAX >> level))
		return -1;
	lo = index << level;
	hi = lo + ((1ULL << level) - 1);	/* inclusive: no overflow */
	if (hi >= s->size)
		return -1;
	if (hi < s->start)
		return range_piece(s->left, s->nleft, 0, s->start, level,
		    index, out);
	if (lo >= s->end)
		return range_piece(s->right, s->nright, s->end, s->size,
		    level, index, out);
	if (lo >= s->start && hi < s->end) {
		if (level == 0)
			memcpy(out, s->leaves[index - s->start], 32);
		else
			memcpy(out, s->scratch[s->lvl_off[level] +
			    (index - s->lvl_first[level])], 32);
		return 0;
	}
	/* Straddles a boundary (level > 0 here). */
	side = lo < s->start ? 0 : 1;
	if (s->edge_ok[side][level]) {
		memcpy(out, s->edge[side][level], 32);
		return 0;
	}
	if (merkle_span_node(s, level - 1, 2 * index, a) != 0 ||
	    merkle_span_node(s, level - 1, 2 * index + 1, b) != 0)
		return -1;
	merkle_node_hash(out, a, b);
	memcpy(s->edge[side][level], out, 32);
	s->edge_ok[side][level] = 1;
	return 0;
}
