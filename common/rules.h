/* rules.h - the ledger's rules: validation and running counters, pure. */
/*
 * One implementation of docs/protocol.md section "Rules", run by ledgerd on
 * its store before appending and by ledger-audit on its mirror when it
 * replays the log. The state (registries, accounts, dedup keys, daily
 * sums, reversals) lives behind struct rules_ops, so this module does no
 * I/O of its own. Each rules_* call checks one entry against the state,
 * and on success builds its leaf (counters included), encodes it, updates
 * the state and advances the chain (size, previous leaf hash, totals).
 * On failure nothing is changed and *e says which rule and why.
 *
 * Contract. A struct rules is the caller's and is used by one thread at
 * a time; the ops are called on that thread, synchronously, and keep
 * their own data (nothing here allocates beyond a call). A refusal
 * returns e->code: LD_EINVAL, LD_EEXIST, LD_EAUTH, LD_ERULE or
 * LD_EOVERFLOW (LD_ETOOBIG for a leaf over LEAF_MAX), with e->rule a
 * static name and e->msg the message; nothing is changed. A failing
 * state get or put (rule "store", e->code the op's own code, such as
 * LD_ESYS, LD_EFULL or LD_ECORRUPT) is not a refusal: the state may be
 * half-written, the head advanced and out appended to, so the caller
 * aborts its transaction and starts again from its stored head. The
 * functions after rules_entry keep no state: any thread.
 */
#ifndef RULES_H
#define RULES_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "entry.h"
#include "err.h"

struct rules_issuer_state {
	struct entry_issuer	reg;
	uint64_t		reg_index;	/* leaf that registered it */
	struct entry_issuer_ctr	ctr;		/* after its last entry */
};

struct rules_method_state {
	struct entry_method	reg;
	uint64_t		reg_index;
};

/* State access. get returns LD_OK, LD_ENOTFOUND or another LD_* error;
 * put LD_OK or an LD_* error. Values are copied in and out. */
struct rules_ops {
	int	(*issuer_get)(void *, const char *id, struct rules_issuer_state *);
	int	(*issuer_put)(void *, const struct rules_issuer_state *);
	int	(*method_get)(void *, const char *id, struct rules_method_state *);
	int	(*method_put)(void *, const struct rules_method_state *);
	int	(*account_get)(void *, const char *issuer, const char *account,
		    struct entry_account_ctr *);
	int	(*account_put)(void *, const char *issuer, const char *account,
		    const struct entry_account_ctr *);
	int	(*dedup_get)(void *, const uint8_t key[32], uint64_t *index);
	int	(*dedup_put)(void *, const uint8_t key[32], uint64_t index);
	int	(*day_get)(void *, const uint8_t key[16], uint64_t *grams);
	int	(*day_put)(void *, const uint8_t key[16], uint64_t grams);
	/* The leaf bytes at index (view valid until the next call). */
	int	(*leaf_get)(void *, uint64_t index, const uint8_t **p,
		    size_t *len);
	/* Reversal of a credit: the index that reversed it. */
	int	(*reversal_get)(void *, uint64_t credit, uint64_t *by);
	int	(*reversal_put)(void *, uint64_t credit, uint64_t by);
};

/* The chain head: everything the next leaf builds on. */
struct rules_head {
	uint64_t	size;		/* leaves so far = next index */
	uint8_t		prev[32];	/* leaf hash of the last leaf */
	uint64_t	time;		/* integration time of the last leaf */
	struct entry_totals	totals;
	/* The batch whose entries are being appended. */
	uint64_t	batch_index;	/* NO_INDEX when none */
	uint32_t	batch_n;
	char		batch_issuer[ID_MAX + 1];
};

struct rules {
	const struct rules_ops	*ops;
	void			*arg;
	struct rules_head	 head;
};

/* Start with an empty log (head NULL) or a copy of a stored head. ops and
 * arg are kept, not copied: they must outlive r. */
void	rules_init(struct rules *, const struct rules_ops *, void *arg,
	    const struct rules_head *head);

/*
 * Each appends the new leaf's encoding to out (the caller stores it),
 * writes its leaf hash to leaf_hash and advances r->head. time is the
 * integration time in UTC seconds, never before the head's.
 */
int	rules_issuer(struct rules *, uint64_t time, const struct entry_issuer *,
	    struct buf *out, uint8_t leaf_hash[32], struct ld_error *e);
int	rules_method(struct rules *, uint64_t time, const struct entry_method *,
	    struct buf *out, uint8_t leaf_hash[32], struct ld_error *e);
/* The batch leaf; the issuer must be registered. The signature is checked by
 * rules_batch_verify, not here (the caller may do it off-thread). */
int	rules_batch(struct rules *, uint64_t time, const struct entry_batch *,
	    struct buf *out, uint8_t leaf_hash[32], struct ld_error *e);
/* One submitted entry of the batch whose leaf is at batch_index. */
int	rules_entry(struct rules *, uint64_t time, const char *issuer,
	    uint64_t batch_index, uint32_t pos, const struct entry_sub *,
	    struct buf *out, uint8_t leaf_hash[32], struct ld_error *e);

/*
 * Admission: what the log already holds, checked once, here (ledgerd
 * asks before appending; rules_batch and rules_entry use the same
 * lookups). A store error is returned as the ops gave it, with e set
 * (rule "store").
 *
 * rules_issuer_find: the registered issuer id, or LD_EAUTH
 * "unknown-issuer".
 * rules_entry_logged: whether issuer's entry s is already logged.
 * LD_ENOTFOUND: its dedup key is unused (a new entry); LD_OK: the same
 * issuer logged the very same entry at *index (a retry, to answer with
 * that index); LD_EEXIST "duplicate-dedup": the key is used by a
 * different entry at *index (also e->index).
 * rules_issuer_logged, rules_method_logged: LD_OK when the identical
 * registration is logged at *index (a retry), else LD_ENOTFOUND (new,
 * or a conflicting one that rules_issuer/rules_method refuse).
 */
int	rules_issuer_find(struct rules *, const char *id,
	    struct rules_issuer_state *, struct ld_error *e);
int	rules_entry_logged(struct rules *, const char *issuer,
	    const struct entry_sub *s, uint64_t *index, struct ld_error *e);
int	rules_issuer_logged(struct rules *, const struct entry_issuer *,
	    uint64_t *index, struct ld_error *e);
int	rules_method_logged(struct rules *, const struct entry_method *,
	    uint64_t *index, struct ld_error *e);

/* Append the message an issuer signs for a batch to msg. */
void	rules_batch_message(const char *origin, const char *issuer, uint32_t n,
	    const uint8_t root[32], struct buf *msg);
/* The batch root: MTH of the leaf hashes of the entries' encodings (the
 * empty root for n = 0). */
void	rules_batch_root(const struct entry_sub *subs, uint32_t n, uint8_t root[32]);
/* Verify an issuer's batch signature: LD_OK or LD_EBADSIG (also when
 * iss->pub is not a usable key). */
int	rules_batch_verify(const char *origin, const struct entry_issuer *iss,
	    uint32_t n, const uint8_t root[32], const uint8_t sig[64]);
/* The same with the issuer's key already made from iss->pub (a caller
 * that verifies many batches keeps its issuers' keys). */
struct sig_key;
int	rules_batch_verify_key(const char *origin, const struct entry_issuer *iss,
	    const struct sig_key *key, uint32_t n, const uint8_t root[32],
	    const uint8_t sig[64]);
/* The key of an account's daily sum for a method. */
void	rules_day_key(const char *issuer, const char *account,
	    const char *method, uint32_t day, uint8_t key[16]);

#endif /* RULES_H */
