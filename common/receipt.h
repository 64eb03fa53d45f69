/* receipt.h - tlog-proof receipts for a run of leaves, from its boundaries. */
/*
 * ledgerd answers a batch with the checkpoint, the leaves it appended and
 * the two compact ranges around them (merkle.h, spans); this turns those
 * into one c2sp.org/tlog-proof@v1 receipt per leaf. The server uses it
 * for JSON replies, the client library for msgpack ones.
 */
#ifndef RECEIPT_H
#define RECEIPT_H

#include <stddef.h>
#include <stdint.h>

#include "merkle.h"
#include "util.h"

struct receipt_span {
	struct merkle_span	 span;
	uint8_t			(*hashes)[32];	/* leaf hashes of the run */
	uint8_t			(*scratch)[32];
	const char		*checkpoint;	/* verbatim signed note */
	size_t			 checkpoint_len;
};

/*
 * Prepare receipts for leaves[0..n) at indexes start.. in a tree of size.
 * left/right are the compact ranges; all pointers must outlive rs.
 */
int	receipt_span_init(struct receipt_span *rs, const char *checkpoint,
	    size_t checkpoint_len, uint64_t size, uint64_t start,
	    const uint8_t *const *leaves, const size_t *lens, size_t n,
	    const uint8_t (*left)[32], size_t nleft,
	    const uint8_t (*right)[32], size_t nright);
void	receipt_span_free(struct receipt_span *rs);
/* Append the receipt of the leaf at index (in the run) to b. */
int	receipt_span_get(struct receipt_span *rs, uint64_t index,
	    const uint8_t *leaf, size_t len, struct buf *b);

#endif /* RECEIPT_H */
