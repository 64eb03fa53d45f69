/* store.h - LMDB persistence: leaves, tree nodes, rule state, metadata. */
/*
 * The only module that includes <lmdb.h>. One environment per data
 * directory; one writer at a time, any number of readers that never block
 * it. Views returned by *_get point into the map and stay valid until the
 * transaction ends or the next write in it.
 */
#ifndef STORE_H
#define STORE_H

#include <stddef.h>
#include <stdint.h>

#include "rules.h"

#define STORE_MAPSIZE_DEFAULT	(16ULL << 40)	/* 16 TiB of address space */
/* Deferred index entries held in memory before they are written out. */
#define STORE_FLUSH_N		(1u << 20)

struct merkle_tree;
struct store;
struct store_txn;

/* Open (creating if needed) the environment in dir. rdonly for tools. */
int	store_open(struct store **, const char *dir, uint64_t mapsize,
	    int rdonly);
void	store_close(struct store *);
/* Flush to disk (for environments opened without sync). */
int	store_sync(struct store *);

int	store_begin(struct store *, int rdonly, struct store_txn **);
/* Commit and end the transaction, whatever the result. LD_EFULL when the
 * disk is full; nothing of the transaction is then on disk. */
int	store_commit(struct store_txn *);
void	store_abort(struct store_txn *);	/* NULL is fine */

/* Leaves by index. put appends: index must be the next one. */
int	store_leaf_put(struct store_txn *, uint64_t index, const void *p,
	    size_t len);
int	store_leaf_get(struct store_txn *, uint64_t index, const uint8_t **p,
	    size_t *len);
/* Complete-subtree hashes; put must follow merkle_tree_append's order. */
int	store_node_put(struct store_txn *, unsigned level, uint64_t index,
	    const uint8_t h[32]);
int	store_node_get(struct store_txn *, unsigned level, uint64_t index,
	    uint8_t h[32]);
/*
 * The leaf hashes (level-0 nodes) of leaves [first, first + n) into out,
 * with one cursor walk instead of n lookups (tiles of level 0).
 */
int	store_leaf_hashes(struct store_txn *, uint64_t first, size_t n,
	    uint8_t (*out)[32]);
/* Visit leaves [first, first + n) in order with one cursor walk. */
int	store_leaves(struct store_txn *, uint64_t first, size_t n,
	    int (*fn)(void *, uint64_t index, const uint8_t *p, size_t len),
	    void *arg);
/* merkle_node_fn over a transaction (arg is the struct store_txn *). */
int	store_node_fn(void *txn, unsigned level, uint64_t index,
	    uint8_t out[32]);
/*
 * A cache of complete nodes at levels >= 8, which never change once
 * written: STORE_NCACHE slots (3 MB), direct-mapped. A thread that makes
 * many proofs keeps one and attaches it to each of its transactions; it
 * is not locked, so one thread at a time.
 */
#define STORE_NCACHE	(1u << 16)
struct store_ncache;
struct store_ncache *store_ncache_new(void);
void	store_ncache_free(struct store_ncache *);	/* NULL is fine */
void	store_txn_ncache(struct store_txn *, struct store_ncache *);
/* The tree of the first size leaves' stored nodes, as a frontier. */
int	store_tree(struct store_txn *, uint64_t size, struct merkle_tree *t);

/* Leaf hash -> index, for lookups. */
int	store_leafhash_put(struct store_txn *, const uint8_t h[32],
	    uint64_t index);
int	store_leafhash_get(struct store_txn *, const uint8_t h[32],
	    uint64_t *index);

/* Small named values: the chain head, the last checkpoint, ... */
int	store_meta_put(struct store_txn *, const char *key, const void *p,
	    size_t len);
int	store_meta_get(struct store_txn *, const char *key, const uint8_t **p,
	    size_t *len);

/* The rules' state over a write (or, for gets, read) transaction. */
extern const struct rules_ops	store_rules_ops;

/* Visit every registered issuer or method, in id order. */
int	store_issuers(struct store_txn *,
	    int (*fn)(void *, const struct issuer_state *), void *arg);
int	store_methods(struct store_txn *,
	    int (*fn)(void *, const struct method_state *), void *arg);
/* An account's current counters (prev = its last leaf). */
int	store_account(struct store_txn *, const char *issuer,
	    const char *account, struct account_ctr *);

/* Visit meta values whose key starts with prefix, in key order. */
int	store_meta_each(struct store_txn *, const char *prefix,
	    int (*fn)(void *, const char *key, size_t klen, const uint8_t *v,
	    size_t vlen), void *arg);
/* Visit every dedup key and the index that used it. */
int	store_dedup_each(struct store_txn *,
	    int (*fn)(void *, const uint8_t key[32], uint64_t index), void *arg);

/*
 * The random-keyed indexes (leaf hash, dedup, daily sums, accounts) are
 * deferred: kept in memory and in a sequential redo log, and every
 * STORE_FLUSH_N entries written into their B-trees, a slice per commit
 * (store.c). Lookups see them at once. A read transaction may get LD_ERETRY from a lookup when the
 * writer moved too far since it began: end it and begin another.
 * set_flush changes the threshold (tests); deferred counts what waits.
 */
void	store_set_flush(struct store *, size_t n);
size_t	store_deferred(struct store *);

/*
 * Hints. The writer's lookups of deferred keys that miss the overlay go
 * to the B-trees, a random page each. Another thread can make them ahead
 * in a read transaction rt: store_hint_* looks a key up in rt's B-trees
 * and keeps the answer (LD_ETOOBIG past the n given to store_hints_new),
 * store_hints_done ends the filling (before rt ends), and store_txn_hints
 * makes a write transaction's lookups that miss the overlay use them
 * (NULL to stop). They are ignored once an overlay was dropped since rt
 * began, because a key written since then may have left the overlay.
 */
struct store_hints;
struct store_hints *store_hints_new(struct store_txn *rt, size_t n);
void	store_hints_free(struct store_hints *);	/* NULL is fine */
int	store_hint_dedup(struct store_hints *, const uint8_t key[32]);
int	store_hint_day(struct store_hints *, const uint8_t key[16]);
int	store_hint_account(struct store_hints *, const char *issuer,
	    const char *account);
/* The lookups the rules make for issuer's submitted entry sub: its dedup
 * key, its daily sum (a credit), its account (not a reversal). */
int	store_hint_sub(struct store_hints *, const char *issuer,
	    const struct sub *sub);
void	store_hints_done(struct store_hints *);
void	store_txn_hints(struct store_txn *, const struct store_hints *);

/* Each table's pages in bytes, then LMDB's free pages (table "free"),
 * for metrics. */
int	store_tables(struct store *, void (*fn)(void *, const char *table,
	    uint64_t bytes), void *arg);
/* Bytes used on disk and leaves count, for metrics. */
int	store_stat(struct store *, uint64_t *bytes);

#endif /* STORE_H */
