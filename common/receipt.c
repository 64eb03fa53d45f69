/* receipt.c - tlog-proof receipts for a run of leaves, from its boundaries. */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "err.h"
#include "note.h"
#include "receipt.h"
#include "tlog_proof.h"
#include "xmalloc.h"

int
receipt_span_init(struct receipt_span *rs, const char *checkpoint,
    size_t checkpoint_len, uint64_t size, uint64_t start,
    const uint8_t *const *leaves, const size_t *lens, size_t n,
    const uint8_t (*left)[32], size_t nleft, const uint8_t (*right)[32],
    size_t nright)
{
	size_t	i;

	memset(rs, 0, sizeof(*rs));
	if (n == 0 || start > size || n > size - start)
		return LD_EINVAL;
	rs->hashes = xcalloc(n, 32);
	rs->scratch = xcalloc(merkle_span_scratch_len(n), 32);
	for (i = 0; i < n; i++)
		merkle_leaf_hash(rs->hashes[i], leaves[i], lens[i]);
	rs->span.start = start;
	rs->span.end = start + n;
	rs->span.size = size;
	rs->span.leaves = (const uint8_t (*)[32])rs->hashes;
	rs->span.left = left;
	rs->span.nleft = nleft;
	rs->span.right = right;
	rs->span.nright = nright;
	rs->span.scratch = rs->scratch;
	rs->checkpoint = checkpoint;
	rs->checkpoint_len = checkpoint_len;
	if (merkle_span_init(&rs->span) != MERKLE_OK) {
		receipt_span_free(rs);
		return LD_EBADPROOF;
	}
	return LD_OK;
}

void
receipt_span_free(struct receipt_span *rs)
{
	free(rs->hashes);
	free(rs->scratch);
	rs->hashes = rs->scratch = NULL;
}

int
receipt_span_get(struct receipt_span *rs, uint64_t index, const uint8_t *leaf,
    size_t len, struct buf *b)
{
	struct merkle_proof	p;

	if (index < rs->span.start || index >= rs->span.end)
		return LD_EINVAL;
	if (merkle_prove_inclusion(merkle_span_node, &rs->span, index,
	    rs->span.size, &p) != MERKLE_OK)
		return LD_EBADPROOF;
	tlog_proof_format(leaf, len, index, &p, rs->checkpoint,
	    rs->checkpoint_len, b);
	return LD_OK;
}
