/* rcache.h - the rules' state over a store, with registries in memory. */
/*
 * rules_store_ops reads and writes every piece of rule state in LMDB. A
 * credit touches its issuer twice (get, put: a few hundred bytes) and its
 * method once (about 1.6 KB), in small B-trees that never grow; the same
 * few keys over and over. rcache_ops keeps those in memory: methods as
 * read (they never change once registered), issuers written back in one
 * put each when the transaction is about to commit (rcache_flush).
 *
 * Use, for each write transaction t of one writer:
 *	rcache_begin(c, t); rules calls with rcache_ops and arg c;
 *	then rcache_flush(c) and store_commit(t), or rcache_abort(c) and
 *	store_abort(t).
 * Only that writer may change the registries while the cache is in use.
 * The other state (dedup keys, accounts, daily sums, reversals, leaves)
 * goes straight to the store.
 */
#ifndef RCACHE_H
#define RCACHE_H

#include <stdint.h>

#include "rules.h"

struct rcache;
struct store_txn;

struct rcache	*rcache_new(void);
void		 rcache_free(struct rcache *);	/* NULL is fine */
void		 rcache_begin(struct rcache *, struct store_txn *);
/* Write the issuers changed since rcache_begin into the transaction. */
int		 rcache_flush(struct rcache *);
/* Forget what changed since rcache_begin (the transaction is aborted). */
void		 rcache_abort(struct rcache *);
/*
 * The caller has just looked key up in this transaction and found it
 * absent: the next dedup_get of exactly that key answers LD_ENOTFOUND
 * without asking the store again. One key at a time.
 */
void		 rcache_dedup_absent(struct rcache *, const uint8_t key[32]);

/* The rules' state access through the cache; arg is the struct rcache *. */
extern const struct rules_ops	rcache_ops;

#endif /* RCACHE_H */
