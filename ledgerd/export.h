/* export.h - write the read path as static files for nginx, a CDN, a bucket. */
#ifndef EXPORT_H
#define EXPORT_H

#include "buf.h"
#include "ledgerd.h"
#include "merkle.h"
#include "store.h"

/*
 * Bring outdir up to the checkpoint cp: the hash tiles and entry bundles
 * it implies (only those not written before; a partial tile's older
 * widths are removed once the full tile exists), then "checkpoint" last,
 * after the tiles are synced. *exported carries the size written last
 * time (0 at first; the function also reads outdir/checkpoint).
 */
int	export_tree(struct store *, const struct cp *cp, const char *outdir,
	    uint64_t *exported);

/* Append the bytes of a tile (hashes, or an entry bundle) to b. */
int	export_tile_bytes(struct store_txn *, const struct merkle_tile *,
	    struct buf *);

#endif /* EXPORT_H */
