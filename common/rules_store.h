/* rules_store.h - the rules' state and chain head kept in a store. */
/*
 * rules_store_ops is the struct rules_ops of rules.h over a store
 * transaction (arg is the struct store_txn *): ledgerd (through its
 * cache, ledgerd/rcache.c) and the auditor run the rules on it. This file
 * gives the store's state tables and the meta value "head" their byte
 * layout; every integer is fixed-width little-endian, every string a u16
 * little-endian length then its bytes (no NUL), fields in this order:
 *
 *	issuer state	id, name, pub[32], u64 reg_index,
 *			u64 credited, retired, reversed, prev
 *	method state	id, activity, unit, u64 grams_per_unit, max_event,
 *			max_day, u32 valid_from, max_age, reference,
 *			u64 reg_index
 *	account		u64 credited, retired, reversed, prev (32 bytes)
 *	head		u64 size, prev[32], u64 time, u64 credited,
 *			retired, reversed, count[0..KIND_MAX],
 *			u64 batch_index, u32 batch_n, batch_issuer
 *	account key	issuer, NUL, account (no lengths)
 *	day, dedup, reversal keys and u64 values: as rules.h and store.h say
 *
 * A decoder takes exactly one whole value: a short or long value, or a
 * string over its limit, is LD_ECORRUPT. Changing a layout means a new
 * store format (STORE_FORMAT in store.c).
 *
 * Errors, memory and threads are those of store.h: LD_OK, LD_ENOTFOUND
 * for an absent key, LD_ECORRUPT, LD_ERETRY, LD_ESYS, LD_EFULL; results
 * are copied into the caller's structs; one thread per transaction.
 */
#ifndef RULES_STORE_H
#define RULES_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "rules.h"

struct store_hints;
struct store_txn;

/* The rules' state over a write (or, for gets, read) transaction. */
extern const struct rules_ops	rules_store_ops;

/* The longest encodings (a buffer of this size always fits). */
#define RULES_STORE_ISSUER_MAX	(2 + ID_MAX + 2 + TEXT_MAX + 32 + 5 * 8)
#define RULES_STORE_METHOD_MAX	(2 + ID_MAX + 2 * (2 + TEXT_MAX) + \
				 3 * 8 + 2 * 4 + 2 + REFERENCE_MAX + 8)
#define RULES_STORE_ACCOUNT_LEN	32
#define RULES_STORE_HEAD_MAX	(8 + 32 + 8 + (3 + KIND_MAX + 1) * 8 + 8 + \
				 4 + 2 + ID_MAX)

/* Encode into out (at least the _MAX above); return the length. Strings
 * are cut at their limits, which valid states never reach. */
size_t	rules_store_issuer_encode(const struct rules_issuer_state *,
	    uint8_t out[RULES_STORE_ISSUER_MAX]);
size_t	rules_store_method_encode(const struct rules_method_state *,
	    uint8_t out[RULES_STORE_METHOD_MAX]);
void	rules_store_account_encode(const struct entry_account_ctr *,
	    uint8_t out[RULES_STORE_ACCOUNT_LEN]);
size_t	rules_store_head_encode(const struct rules_head *,
	    uint8_t out[RULES_STORE_HEAD_MAX]);
/* Decode p[0 .. len) into the caller's struct: LD_OK or LD_ECORRUPT (the
 * struct is then unspecified). */
int	rules_store_issuer_decode(const uint8_t *p, size_t len,
	    struct rules_issuer_state *);
int	rules_store_method_decode(const uint8_t *p, size_t len,
	    struct rules_method_state *);
int	rules_store_account_decode(const uint8_t *p, size_t len,
	    struct entry_account_ctr *);
int	rules_store_head_decode(const uint8_t *p, size_t len,
	    struct rules_head *);

/* The chain head in meta "head": get gives LD_ENOTFOUND for a store
 * without one (an empty log). */
int	rules_store_head_get(struct store_txn *, struct rules_head *);
int	rules_store_head_put(struct store_txn *, const struct rules_head *);

/* Visit every registered issuer or method, in id order; fn's non-zero
 * return stops the walk and is returned. */
int	rules_store_issuers(struct store_txn *,
	    int (*fn)(void *, const struct rules_issuer_state *), void *arg);
int	rules_store_methods(struct store_txn *,
	    int (*fn)(void *, const struct rules_method_state *), void *arg);
/* An account's current counters (prev = its last leaf). */
int	rules_store_account(struct store_txn *, const char *issuer,
	    const char *account, struct entry_account_ctr *);

/* Hints (store.h) for an account, and for the lookups the rules make for
 * issuer's submitted entry sub: its dedup key, its daily sum (a credit),
 * its account (not a reversal). */
int	rules_store_hint_account(struct store_hints *, const char *issuer,
	    const char *account);
int	rules_store_hint_sub(struct store_hints *, const char *issuer,
	    const struct entry_sub *sub);

#endif /* RULES_STORE_H */
