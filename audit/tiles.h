/* tiles.h - reading a log through its C2SP tiles only (tiles.c). */
#ifndef TILES_H
#define TILES_H

#include <stdint.h>

struct fetch;
struct tiles;

/* A reader of the tiles of a tree of size entries, through f. */
struct tiles	*tiles_new(struct fetch *, uint64_t size);
void		 tiles_free(struct tiles *);
/* The hash of node (level, index), recomputed from its hash tile, in
 * merkle_node_fn's shape (tiles: a struct tiles): 0, or -1 if the node
 * is outside the tree or its tile cannot be had. */
int		 tiles_node(void *tiles, unsigned level, uint64_t index,
		    uint8_t out[32]);
const char	*tiles_error(struct tiles *);
/*
 * Check every full hash tile fetched so far against its entry in the tile
 * above, up to the partial tiles of the right edge (which the caller
 * checks against the signed root): LD_OK, LD_EBADPROOF or LD_ENET.
 */
int		 tiles_verify(struct tiles *);
/* Verify with tiles that the tree of size a with root ra extends to the
 * signed tree (size b, root rb): LD_OK, LD_EBADPROOF or LD_ENET. */
int		 tiles_consistent(struct tiles *, uint64_t a,
		    const uint8_t ra[32], uint64_t b, const uint8_t rb[32]);

#endif /* TILES_H */
