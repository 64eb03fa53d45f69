/* ovl.h - an in-memory overlay of small keyed values, for deferred indexes. */
/*
 * A hash table of (table, key) -> value with short keys and values (each
 * at most 255 bytes). One writer changes it, a commit at a time: its
 * writes are stamped with the pending commit number and can be taken
 * back (ovl_undo) or kept (ovl_done). Each entry also keeps the value it
 * had before its last commit, so that a reader whose snapshot predates
 * that commit still finds its value (ovl_read). The store keeps its
 * random-keyed indexes here between flushes (store_index.c); this file does
 * no I/O and takes no locks: the caller serialises the writer against
 * readers.
 *
 * Contract. The struct ovl is the caller's (ovl_init, then ovl_clear to
 * free its memory). Entries and values handed out point into the
 * overlay's own memory, which never moves: an entry stays valid until
 * ovl_reset or ovl_clear, or ovl_undo for one the pending commit created;
 * its value bytes change in place when a later write of the same key (or
 * an undo) lands, so a reader copies them under the caller's lock. Out
 * of memory exits. Errors: LD_EINVAL, LD_ERETRY, LD_ECORRUPT as below.
 */
#ifndef OVL_H
#define OVL_H

#include <stddef.h>
#include <stdint.h>

struct ovl_ent {
	struct ovl_ent	*next;		/* in insertion order */
	uint64_t	 cseq;		/* the commit of the value */
	uint64_t	 ocseq;		/* of the old value, 0 if none */
	uint64_t	 first;		/* the commit that created it */
	uint32_t	 hash;
	uint8_t		 db, klen, vlen;
	uint8_t		 data[];	/* key, value, old value */
};

struct ovl_chunk;

struct ovl_slot {
	uint32_t	 hash;
	struct ovl_ent	*e;
};

/* How to take back the pending commit's change of an existing entry. */
struct ovl_undo {
	struct ovl_ent	*e;
	uint64_t	 ocseq;		/* e's old version before the change */
	uint8_t		 old[];		/* e->vlen bytes (struct ovl_undo
					 * records are packed in a buffer) */
};

struct ovl {
	uint64_t	  seed;		/* of the hash: see ovl.c */
	struct ovl_slot	 *slot;
	size_t		  cap;		/* a power of two, or 0 */
	size_t		  n;
	struct ovl_ent	 *head, **tail;	/* every entry, insertion order */
	struct ovl_chunk *chunks;	/* entry memory, newest first */
	struct ovl_chunk *spare;	/* kept by ovl_reset and ovl_undo */
	size_t		  bytes;	/* entry memory in use */
	/* The pending commit (0 when none): where it began. */
	uint64_t	  pend;
	struct ovl_ent	**pend_tail;	/* its new entries start at *pend_tail */
	size_t		  pend_n, pend_bytes, pend_used;
	struct ovl_chunk *pend_chunk;
	uint8_t		 *undo;		/* packed struct ovl_undo records */
	size_t		  undo_len, undo_cap, nundo;
};

#define OVL_KEY(e)	((e)->data)
#define OVL_VAL(e)	((e)->data + (e)->klen)
#define OVL_OLD(e)	((e)->data + (e)->klen + (e)->vlen)

/* Make o empty; seed keys the hash. No memory is allocated yet. */
void	ovl_init(struct ovl *, uint64_t seed);
/* Drop every entry and its memory. */
void	ovl_clear(struct ovl *);
/* Drop every entry, keeping memory for the next ones. */
void	ovl_reset(struct ovl *);
/* Exchange two overlays (the store turns its current one into the old). */
void	ovl_swap(struct ovl *, struct ovl *);
/* The entry of (db, k), whatever its commit, or NULL. */
struct ovl_ent	*ovl_get(const struct ovl *, unsigned db, const void *k,
		    size_t klen);
/*
 * Write (db, k) = v as part of commit cseq, which must be newer than
 * every commit written so far and stays pending until ovl_done or
 * ovl_undo. A write with a newer cseq than the pending one first keeps
 * the pending commit's writes (as ovl_done would). LD_EINVAL for a db
 * over 255, a key or value over 255 bytes, cseq 0, or a value whose
 * length differs from the existing one; no entry is then changed.
 */
int	ovl_write(struct ovl *, unsigned db, const void *k, size_t klen,
	    const void *v, size_t vlen, uint64_t cseq);
/* The pending commit is durable: keep its writes. */
void	ovl_done(struct ovl *);
/* The pending commit failed: put everything back as it was before it
 * (entries it created are dropped). No-op without a pending commit. */
void	ovl_undo(struct ovl *);
/*
 * What a reader whose snapshot holds the commits up to snap sees of
 * (db, k): 1 and *v (e->vlen bytes) when the overlay has its value, 0
 * when it has nothing for it (look in the B-tree), LD_ERETRY when the
 * value the reader needs was overwritten twice since. *e and *v are set
 * on 1 (and *e on LD_ERETRY); see above for how long they stay valid.
 */
int	ovl_read(const struct ovl *, unsigned db, const void *k, size_t klen,
	    uint64_t snap, const struct ovl_ent **e, const uint8_t **v);

/*
 * The pending commit's writes in serialised form (a redo record): per
 * entry db, klen, vlen, k, v. ovl_record writes ovl_record_len bytes to
 * the caller's out; both are 0 bytes without a pending commit.
 */
size_t	ovl_record_len(const struct ovl *);
void	ovl_record(const struct ovl *, uint8_t *out);
/* Apply a record made by ovl_record as commit cseq (done at once);
 * LD_ECORRUPT if it does not parse, every write of cseq then undone. */
int	ovl_apply(struct ovl *, const uint8_t *p, size_t len, uint64_t cseq);

#endif /* OVL_H */
