/* store.h - LMDB persistence: leaves, tree nodes, state tables, metadata. */
/*
 * The store module (store.c, store_index.c, store_tree.c) is the only one
 * that includes <lmdb.h>. One environment per data directory. It knows
 * bytes, not rules: the rules' state (issuers, methods, accounts, ...) is
 * encoded and decoded by rules_store.h over the tables below.
 *
 * Conventions for every function here, unless its comment says otherwise:
 *  - Errors: LD_OK (0) or a negative LD_* code (err.h). Any function
 *    that touches LMDB may also return LD_ESYS (an unexpected LMDB or
 *    system error, logged), LD_ECORRUPT (a stored value fails its own
 *    checks) and, in a write transaction, LD_EFULL (map or disk full).
 *    A read of a deferred table (below) in a read transaction may return
 *    LD_ERETRY: end the transaction and begin another.
 *  - Memory: views (const uint8_t **p, size_t *len) point into the map,
 *    are owned by the store, must not be written, and stay valid until
 *    the transaction ends or the next write in it. Everything else is
 *    copied into the caller's buffers. Objects returned by *_new or
 *    store_open are owned by the caller and released by the matching
 *    *_free or store_close.
 *  - Threads: a struct store may be shared by threads. Only one write
 *    transaction exists at a time (store_begin waits for the previous to
 *    end), and one thread uses a transaction and the objects attached to
 *    it. Read transactions never block the writer, nor each other.
 */
#ifndef STORE_H
#define STORE_H

#include <stddef.h>
#include <stdint.h>

#define STORE_MAPSIZE_DEFAULT	(16ULL << 40)	/* 16 TiB of address space */
/* Deferred index entries held in memory before they are written out. */
#define STORE_FLUSH_N		(1u << 20)

struct merkle_tree;
struct store;
struct store_txn;

/*
 * Open (creating dir and the store if needed, unless rdonly) the
 * environment in dir; mapsize 0 for STORE_MAPSIZE_DEFAULT. rdonly for
 * tools: then nothing is written. A store of another format with leaves
 * in it is refused (LD_ECORRUPT, and a logged message naming its format
 * and this program's). The struct store is the caller's until
 * store_close; any thread, once per directory in a process.
 */
int	store_open(struct store **, const char *dir, uint64_t mapsize,
	    int rdonly);
/* Write the deferred indexes out (unless rdonly) and release everything.
 * No transaction may be open. NULL is fine. */
void	store_close(struct store *);
/* Flush to disk (for environments opened without sync). Any thread. */
int	store_sync(struct store *);

/*
 * Begin a transaction: rdonly 1 for a reader (a snapshot; never blocks),
 * 0 for the writer (waits while another write transaction is open). The
 * transaction is the caller's until store_commit or store_abort, and is
 * used by one thread.
 */
int	store_begin(struct store *, int rdonly, struct store_txn **);
/* Commit and end the transaction, whatever the result: t is freed. LD_EFULL
 * when the disk is full; nothing of the transaction is then on disk. */
int	store_commit(struct store_txn *);
void	store_abort(struct store_txn *);	/* NULL is fine */

/* Leaves by index. put appends: index must be the next one (LD_EEXIST
 * otherwise); get returns a view, LD_ENOTFOUND past the end. */
int	store_leaf_put(struct store_txn *, uint64_t index, const void *p,
	    size_t len);
int	store_leaf_get(struct store_txn *, uint64_t index, const uint8_t **p,
	    size_t *len);
/* Complete-subtree hashes; put must follow merkle_tree_append's order.
 * get copies the hash out: LD_ENOTFOUND for a node not yet complete,
 * LD_EINVAL for a level >= 64 or an index beyond it. */
int	store_node_put(struct store_txn *, unsigned level, uint64_t index,
	    const uint8_t h[32]);
int	store_node_get(struct store_txn *, unsigned level, uint64_t index,
	    uint8_t h[32]);
/*
 * The leaf hashes (level-0 nodes) of leaves [first, first + n) into out,
 * with one cursor walk instead of n lookups (tiles of level 0).
 * LD_ENOTFOUND if any of them is not stored.
 */
int	store_leaf_hashes(struct store_txn *, uint64_t first, size_t n,
	    uint8_t (*out)[32]);
/* Visit leaves [first, first + n) in order with one cursor walk; the views
 * given to fn last until fn returns. A non-zero return of fn stops the
 * walk and is returned (an LD_* code is passed through). */
int	store_leaves(struct store_txn *, uint64_t first, size_t n,
	    int (*fn)(void *, uint64_t index, const uint8_t *p, size_t len),
	    void *arg);
/* merkle_node_fn over a transaction (arg is the struct store_txn *):
 * 0, or -1 for any error. */
int	store_node_fn(void *txn, unsigned level, uint64_t index,
	    uint8_t out[32]);
/*
 * A cache of complete nodes at levels >= 8, which never change once
 * written: STORE_NCACHE slots (3 MB), direct-mapped. A thread that makes
 * many proofs keeps one (the caller's until store_ncache_free) and
 * attaches it to each of its transactions; it is not locked, so one
 * thread at a time. It must outlive the transactions it is attached to.
 */
#define STORE_NCACHE	(1u << 16)
struct store_ncache;
struct store_ncache *store_ncache_new(void);	/* never NULL */
void	store_ncache_free(struct store_ncache *);	/* NULL is fine */
void	store_txn_ncache(struct store_txn *, struct store_ncache *);
/* The tree of the first size leaves' stored nodes, as a frontier, into
 * the caller's t; LD_ECORRUPT when a node it needs is missing. */
int	store_tree(struct store_txn *, uint64_t size, struct merkle_tree *t);

/* Leaf hash -> index, for lookups (a deferred table). get: LD_ENOTFOUND
 * for an unknown hash. */
int	store_leafhash_put(struct store_txn *, const uint8_t h[32],
	    uint64_t index);
int	store_leafhash_get(struct store_txn *, const uint8_t h[32],
	    uint64_t *index);

/* Small named values: the chain head, the last checkpoint, ... key is a
 * NUL-terminated name; get returns a view, LD_ENOTFOUND when unset. */
int	store_meta_put(struct store_txn *, const char *key, const void *p,
	    size_t len);
int	store_meta_get(struct store_txn *, const char *key, const uint8_t **p,
	    size_t *len);
/* Visit meta values whose key starts with prefix, in key order (views
 * valid until fn returns; a non-zero return of fn stops and is returned). */
int	store_meta_each(struct store_txn *, const char *prefix,
	    int (*fn)(void *, const char *key, size_t klen, const uint8_t *v,
	    size_t vlen), void *arg);

/*
 * The rules' state tables. The store gives their bytes no meaning; their
 * keys and values are made by rules_store.c. dedup, days and accounts are
 * deferred tables (below); issuers, methods and reversals are B-trees.
 * Every function returns LD_EINVAL for a table not in the enum.
 */
enum store_table {
	STORE_DEDUP,		/* 32-byte dedup key -> u64 index */
	STORE_DAYS,		/* 16-byte day key -> u64 grams */
	STORE_ACCOUNTS,		/* account key -> account counters */
	STORE_ISSUERS,		/* issuer id -> issuer state */
	STORE_METHODS,		/* method id -> method state */
	STORE_REVERSALS,	/* u64 credit index -> u64 reversal index */
};
/* Value limits of a deferred table's entry (key, value). */
#define STORE_HINT_KEY_MAX	129
#define STORE_HINT_VAL_MAX	32
/* The value of key copied into out, which must be exactly n bytes long
 * (LD_ECORRUPT otherwise); LD_ENOTFOUND when absent. */
int	store_state_get(struct store_txn *, enum store_table,
	    const void *key, size_t klen, void *out, size_t n);
/* A view of the value of key in a B-tree table (LD_EINVAL for a deferred
 * one); LD_ENOTFOUND when absent. */
int	store_state_view(struct store_txn *, enum store_table,
	    const void *key, size_t klen, const uint8_t **p, size_t *len);
/* Set key's value (write transactions only: LD_EINVAL otherwise). A
 * deferred table's key and value must fit STORE_HINT_KEY_MAX and
 * STORE_HINT_VAL_MAX. */
int	store_state_put(struct store_txn *, enum store_table,
	    const void *key, size_t klen, const void *v, size_t vlen);
/* The same for u64 values, stored as 8 bytes big-endian. */
int	store_state_get_u64(struct store_txn *, enum store_table,
	    const void *key, size_t klen, uint64_t *out);
int	store_state_put_u64(struct store_txn *, enum store_table,
	    const void *key, size_t klen, uint64_t v);
/* Visit every entry of a B-tree table in key order (LD_EINVAL for a
 * deferred one); views valid until fn returns, whose non-zero return
 * stops the walk and is returned. */
int	store_state_each(struct store_txn *, enum store_table,
	    int (*fn)(void *, const uint8_t *key, size_t klen,
	    const uint8_t *v, size_t vlen), void *arg);
/* Visit every dedup key and the index that used it, deferred ones
 * included (B-tree entries first, then the overlay's). */
int	store_dedup_each(struct store_txn *,
	    int (*fn)(void *, const uint8_t key[32], uint64_t index), void *arg);

/*
 * The random-keyed indexes (leaf hash, dedup, daily sums, accounts) are
 * deferred: kept in memory and in a sequential redo log, and every
 * STORE_FLUSH_N entries written into their B-trees, a slice per commit
 * (store_index.c). Lookups see them at once. A read transaction may get
 * LD_ERETRY from a lookup when the writer moved too far since it began:
 * end it and begin another.
 * set_flush changes the threshold (tests; the writer's thread, with no
 * write transaction open); deferred counts what waits (any thread).
 */
void	store_set_flush(struct store *, size_t n);
size_t	store_deferred(struct store *);

/*
 * Hints. The writer's lookups of deferred keys that miss the overlay go
 * to the B-trees, a random page each. Another thread can make them ahead
 * in a read transaction rt: store_hint looks a key of a deferred table up
 * in rt's B-trees and keeps the answer (LD_ETOOBIG past the n given to
 * store_hints_new or for a key over STORE_HINT_KEY_MAX, LD_EINVAL for a
 * table that is not deferred), store_hints_done ends the filling (before
 * rt ends), and store_txn_hints makes a write transaction's lookups that
 * miss the overlay use them (NULL to stop). They are ignored once an
 * overlay was dropped since rt began, because a key written since then
 * may have left the overlay. The hints are the caller's until
 * store_hints_free; filled by one thread, then read by the writer's
 * thread, which must not free them while its transaction uses them.
 */
struct store_hints;
struct store_hints *store_hints_new(struct store_txn *rt, size_t n);
void	store_hints_free(struct store_hints *);	/* NULL is fine */
int	store_hint(struct store_hints *, enum store_table, const void *key,
	    size_t klen);
void	store_hints_done(struct store_hints *);
void	store_txn_hints(struct store_txn *, const struct store_hints *);

/* Each table's pages in bytes, then LMDB's free pages (table "free"),
 * for metrics. Any thread; opens its own read transaction. */
int	store_tables(struct store *, void (*fn)(void *, const char *table,
	    uint64_t bytes), void *arg);
/* Bytes used on disk, for metrics (LD_ESYS on failure). Any thread. */
int	store_stat(struct store *, uint64_t *bytes);

#endif /* STORE_H */
