/* prefetch.h - entry bundles fetched, split, hashed and decoded ahead. */
/* On a thread of their own (prefetch.c), handed over in order. */
#ifndef PREFETCH_H
#define PREFETCH_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "entry.h"
#include "merkle.h"
#include "store.h"

/* One entry of a bundle. */
struct prefetch_ent {
	const uint8_t	*p;		/* the leaf bytes, in the body */
	size_t		 len;
	uint8_t		 hash[32];	/* its leaf hash */
	int		 decoded;	/* leaf holds its strict decoding */
	struct entry_leaf	 leaf;
};

struct prefetch_bundle {
	uint64_t	 n;		/* bundle number */
	unsigned	 w;		/* its width: entries expected */
	int		 rc;		/* LD_OK; LD_EBADPROOF: bad framing
					 * (ent[0 .. nent) are fine); other:
					 * no body, err says why */
	char		 err[512];
	char		 path[MERKLE_TILE_PATH_MAX + 2];
	struct buf	 body;
	int		 arrived;
	struct prefetch_ent	*ent;
	size_t		 nent;
	struct store_hints *hints;	/* its entries' index lookups, or NULL */
};

struct prefetch;

/*
 * Bundles first .. the last of a tree of size entries, from url (cacert:
 * fetch_open's). A bundle larger than tlog-tiles allows (256 entries of
 * at most 65535 bytes, each after its 2-byte length) fails unread. With a
 * mirror st, each bundle also gets the B-tree lookups its entries' rules
 * will make (store.h, hints), made in a read transaction of its own.
 */
int	prefetch_start(const char *url, const char *cacert, struct store *st,
	    uint64_t first, uint64_t size, struct prefetch **);
/* The next bundle in order (the caller frees it); NULL after the last
 * or after a bundle whose rc was a fetch error. */
struct prefetch_bundle *prefetch_next(struct prefetch *);
void	prefetch_bundle_free(struct prefetch_bundle *);
/* Stop the thread and free what it fetched; NULL is fine. */
void	prefetch_stop(struct prefetch *);

#endif /* PREFETCH_H */
