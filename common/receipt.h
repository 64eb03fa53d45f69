/* receipt.h - tlog-proof receipts for a run of leaves, from its boundaries. */
/*
 * ledgerd answers a batch with the checkpoint, the leaves it appended and
 * the two compact ranges around them (merkle.h, spans); this turns those
 * into one c2sp.org/tlog-proof@v1 receipt per leaf. The server uses it
 * for JSON replies, the client library for msgpack ones. Nothing here
 * verifies a receipt: boundary hashes are taken as given, and a wrong one
 * yields receipts that tlog_proof_verify (note.h) rejects. One thread at
 * a time per struct receipt_span. Out of memory exits.
 */
#ifndef RECEIPT_H
#define RECEIPT_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "merkle.h"

struct receipt_span {
	struct merkle_span	 span;
	uint8_t			(*hashes)[32];	/* leaf hashes of the run */
	uint8_t			(*scratch)[32];
	const char		*checkpoint;	/* verbatim signed note */
	size_t			 checkpoint_len;
};

/*
 * Prepare receipts for leaves[0..n) at indexes start.. in a tree of size.
 * left/right are the compact ranges. The leaves are hashed here and not
 * kept; checkpoint, left and right are kept, not copied: they must stay
 * valid and unchanged until receipt_span_free. LD_EINVAL for n = 0 or a
 * run outside the tree, LD_EBADPROOF if the boundaries do not have the
 * sizes the run implies; on failure nothing is left to free. On LD_OK
 * call receipt_span_free.
 */
int	receipt_span_init(struct receipt_span *rs, const char *checkpoint,
	    size_t checkpoint_len, uint64_t size, uint64_t start,
	    const uint8_t *const *leaves, const size_t *lens, size_t n,
	    const uint8_t (*left)[32], size_t nleft,
	    const uint8_t (*right)[32], size_t nright);
/* Free what init allocated (safe twice, and after a failed init). */
void	receipt_span_free(struct receipt_span *rs);
/* Append the receipt of the leaf at index (an absolute index inside the
 * run; leaf/len its bytes, written as the extra line) to b. LD_EINVAL
 * outside the run (b untouched), LD_EBADPROOF if no proof derives. */
int	receipt_span_get(struct receipt_span *rs, uint64_t index,
	    const uint8_t *leaf, size_t len, struct buf *b);

#endif /* RECEIPT_H */
