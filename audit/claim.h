/* claim.h - what the mirror holds for an issuer, recomputed from the entries. */
/*
 * ledger-audit verify-claim compares a published figure with sums the
 * auditor computes itself from the mirrored entries (every one of them
 * replayed against the rules at sync), never with the running counters a
 * leaf carries: a dishonest operator writes those.
 */
#ifndef CLAIM_H
#define CLAIM_H

#include <stdint.h>

#include "store.h"

struct json;

struct claim_sum {
	uint64_t	credited;	/* grams of the issuer's credits */
	uint64_t	reversed;	/* grams of the credits its reversals undo */
	uint64_t	net;		/* credited - reversed (0 if negative) */
	uint64_t	entries;	/* credits and reversals counted */
	uint64_t	last;		/* the last entry counted, or NO_INDEX */
	struct json	*findings;	/* [{code, index, related, message}]
					 * that touch these sums; owned */
};

/*
 * Sum the issuer's credits and reversals among the first size leaves of
 * the mirror whose integration time is at most until (UTC seconds), and
 * collect the mirror's findings that touch those sums: log-wide ones (a
 * fork), leaves that do not decode, and leaves of the issuer (its
 * registration, batches, entries) or of a methodology, logged at most at
 * until, as the finding's entry or its related one. LD_OK,
 * LD_EOVERFLOW, or LD_ECORRUPT for a leaf the mirror cannot read. Free
 * with claim_sum_free. Runs in the caller's read transaction t.
 */
int	claim_sum(struct store_txn *t, uint64_t size, const char *issuer,
	    uint64_t until, struct claim_sum *out);
void	claim_sum_free(struct claim_sum *);

#endif /* CLAIM_H */
