/* ovl.h - an in-memory overlay of small keyed values, for deferred indexes. */
/*
 * A hash table of (table, key) -> value with short keys and values (each
 * at most 255 bytes), stamped with the commit that last wrote each one
 * and the commit that first wrote it into this overlay. The store keeps
 * its random-keyed indexes here between flushes (see store.c); this file
 * does no I/O and takes no locks.
 */
#ifndef OVL_H
#define OVL_H

#include <stddef.h>
#include <stdint.h>

struct ovl_ent {
	struct ovl_ent	*next;		/* in insertion order */
	uint64_t	 cseq;		/* the commit that last wrote it */
	uint64_t	 first;		/* the commit that first wrote it */
	uint32_t	 hash;
	uint8_t		 db, klen, vlen;
	uint8_t		 data[];	/* key, then value */
};

struct ovl_chunk;

struct ovl_slot {
	uint32_t	 hash;
	struct ovl_ent	*e;
};

struct ovl {
	uint64_t	  seed;		/* of the hash: see ovl.c */
	struct ovl_slot	 *slot;
	size_t		  cap;		/* a power of two, or 0 */
	size_t		  n;
	struct ovl_ent	 *head, **tail;	/* every entry, insertion order */
	struct ovl_chunk *chunks;	/* entry memory */
	struct ovl_chunk *spare;	/* kept by ovl_reset */
	size_t		  bytes;	/* entry memory in use */
};

#define OVL_KEY(e)	((e)->data)
#define OVL_VAL(e)	((e)->data + (e)->klen)

/* seed keys the hash; overlays that merge share one for speed. */
void	ovl_init(struct ovl *, uint64_t seed);
/* Drop every entry and its memory. */
void	ovl_clear(struct ovl *);
/* Drop every entry, keeping memory for the next ones. */
void	ovl_reset(struct ovl *);
struct ovl_ent	*ovl_get(const struct ovl *, unsigned db, const void *k,
		    size_t klen);
/*
 * Set (db, k) to v at commit cseq; first is kept from an existing entry
 * and set to cseq for a new one. LD_EINVAL for a key or value over 255
 * bytes or a value whose length differs from the existing one.
 */
int	ovl_put(struct ovl *, unsigned db, const void *k, size_t klen,
	    const void *v, size_t vlen, uint64_t cseq);
/* Copy every entry of from into to, each stamped with cseq. */
int	ovl_merge(struct ovl *to, const struct ovl *from, uint64_t cseq);

/* The serialised form (a redo record): per entry db, klen, vlen, k, v. */
size_t	ovl_record_len(const struct ovl *);
void	ovl_record(const struct ovl *, uint8_t *out);
/* Apply a record made by ovl_record; LD_ECORRUPT if it does not parse. */
int	ovl_apply(struct ovl *, const uint8_t *p, size_t len, uint64_t cseq);

#endif /* OVL_H */
