/* store_priv.h - what the parts of the store share; not for its callers. */
/*
 * The store is three files over one LMDB environment:
 *	store.c		the environment, transactions, the format check,
 *			leaves, metadata and the rules' state tables
 *	store_index.c	the deferred-index engine: the overlay, the redo
 *			log (ixlog), the flush and the hints
 *	store_tree.c	the tree layout: rows, tiles0, tail0, node cache
 * Only these three include <lmdb.h> (tools/lint.sh). Databases (keys
 * big-endian so LMDB's byte order is numeric order):
 *	leaves		u64 index -> leaf bytes (appended)
 *	rows, tiles0, tail0	the tree's hashes (store_tree.c)
 *	leafhash	32-byte leaf hash -> u64 index (big-endian)
 *	dedup		32-byte dedup key -> u64 index
 *	days		16-byte day key -> u64 grams
 *	accounts	account key -> account counters
 *	issuers		id -> issuer state
 *	methods		id -> method state
 *	reversals	u64 credit index -> u64 reversal index
 *	meta		name -> value
 *	ixlog		u64 commit number -> the deferred puts of that commit
 * The values of accounts, issuers and methods and the "head" of meta are
 * encoded by common/rules_store.c (fixed-width little-endian fields);
 * the auditor's counters in meta (audit/..., agg/..., ev/...) are
 * 8-byte little-endian u64s (u64.h u64_le_put); the store only keeps
 * bytes.
 *
 * Threads: one writer (a write transaction at a time) and any number of
 * readers, as store.h says; the deferred-index fields of struct store
 * are changed only by the writer, under the write lock of mu.
 */
#ifndef STORE_PRIV_H
#define STORE_PRIV_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include <lmdb.h>

#include "ovl.h"
#include "store.h"

/* The databases; DB_ISSUERS .. DB_REVERSALS match enum store_table. */
enum {
	DB_LEAVES, DB_ROWS, DB_LEAFHASH, DB_DEDUP, DB_DAYS, DB_ACCOUNTS,
	DB_ISSUERS, DB_METHODS, DB_REVERSALS, DB_META, DB_IXLOG, DB_TILES0,
	DB_TAIL0, DB_COUNT
};

/* The random-keyed tables kept in the overlay first (store_index.c). */
#define DEFERRED(db)	((db) == DB_LEAFHASH || (db) == DB_DEDUP || \
			 (db) == DB_DAYS || (db) == DB_ACCOUNTS)

/* A flush entry: the table and the key's first 7 bytes, big-endian,
 * so that most comparisons are one integer comparison. */
struct fl_ent {
	uint64_t		 pre;
	const struct ovl_ent	*e;
};

struct store {
	MDB_env		*env;
	char		*dir;
	MDB_dbi		 dbi[DB_COUNT];
	int		 rdonly;
	size_t		 flush_n;	/* flush s->c at this many entries */

	/* The deferred indexes (store_index.c); the writer changes them
	 * under mu. */
	pthread_rwlock_t mu;
	struct ovl	 c;		/* written since f_start */
	struct ovl	 f;		/* frozen at f_start, being flushed */
	uint64_t	 cseq;		/* commits done so far */
	int		 f_live;	/* f holds entries */
	uint64_t	 f_start;	/* f holds the writes up to this commit */
	uint64_t	 f_end;		/* its flush ended here (0: not yet) */
	uint64_t	 drop_end;	/* readers before this need a dropped f */
	uint64_t	 drops;		/* overlays dropped so far (hints) */
	/* The writer's own: f sorted by key, and how much is written. */
	struct fl_ent	*f_sorted;
	size_t		 f_n, f_pos;
};

#define ROW_H	4	/* a stored row every ROW_H levels */
#define ROW_G	16	/* 2^ROW_H: a row's hashes under one node of the next */

struct store_txn {
	struct store	*s;
	MDB_txn		*txn;
	int		 write;
	uint64_t	 cseq;		/* readers: commits done at begin */
	uint64_t	 drops;		/* s->drops at begin */
	const struct store_hints *hints; /* writers: B-tree answers */
	struct store_ncache *ncache;	/* or NULL (store_tree.c) */
	struct {			/* the last group of a row read */
		unsigned	 row;
		uint64_t	 first;	/* a multiple of ROW_G */
		size_t		 n;	/* 0: none */
		uint8_t		 h[ROW_G][32];
	}		 grp;
};

/* ---- store.c ---- */

/* An LMDB or errno code as LD_* (LD_ESYS, logged, for the unexpected). */
int	store_map_err(int rc);
void	store_be64(uint8_t out[8], uint64_t v);
uint64_t store_get_be64(const uint8_t *p);
/* The database of a table of store.h, or -1 for no such table. */
int	store_table_db(enum store_table);
/* Put (overlay for a deferred db) and get (a view into the map, valid
 * until the transaction ends or its next write; non-deferred dbs). */
int	store_put(struct store_txn *, int db, const void *k, size_t klen,
	    const void *v, size_t vlen, unsigned flags);
int	store_get(struct store_txn *, int db, const void *k, size_t klen,
	    const uint8_t **v, size_t *vlen);

/* ---- store_index.c: the deferred indexes ---- */

/* What a commit did to the deferred indexes, for store_index_committed. */
struct store_index_commit {
	int	all;		/* flushed everything (store_close) */
	int	slice;		/* wrote a slice of f */
	size_t	pos;		/* f's position after the slice */
};

/* Set up s's overlays, lock and flush threshold (before the env opens);
 * _fini releases them. */
void	store_index_init(struct store *);
void	store_index_fini(struct store *);
/* Replay ixlog into s->c (store_open): 0 or an LMDB code. */
int	store_index_replay(struct store *, MDB_txn *);
/* Entries waiting to be flushed (store_close writes them out first). */
int	store_index_pending(struct store *);
/* Write transaction t is about to commit as s->cseq + 1: log its deferred
 * writes and flush what is due, in t. 0, an LMDB code or an LD_* code. */
int	store_index_prepare(struct store_txn *, struct store_index_commit *);
/* t committed: its deferred writes are now those of commit s->cseq + 1. */
void	store_index_committed(struct store_txn *,
	    const struct store_index_commit *);
/* t failed or was aborted: take its deferred writes back out. */
void	store_index_undo(struct store *);
/* Write a deferred table's entry into the overlay (write transactions). */
int	store_index_put(struct store_txn *, int db, const void *k,
	    size_t klen, const void *v, size_t vlen);
/*
 * A deferred table's value, copied into out (n bytes): LD_OK,
 * LD_ENOTFOUND to look in the B-tree, LD_EEXIST when a hint says the
 * B-tree has none, LD_ERETRY, or LD_ECORRUPT for a wrong size.
 */
int	store_index_get(struct store_txn *, int db, const void *k,
	    size_t klen, void *out, size_t n);

#endif /* STORE_PRIV_H */
