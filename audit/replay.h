/* replay.h - replaying a log's rules into the auditor's mirror (replay.c). */
#ifndef REPLAY_H
#define REPLAY_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "entry.h"
#include "merkle.h"
#include "rules.h"
#include "store.h"

/* A running sum kept per issuer, method, activity or month. */
struct replay_agg {
	char		key[REFERENCE_MAX + 8];
	uint64_t	credited, retired, reversed, entries;
};

struct replay_aggs {
	struct replay_agg	*v;
	size_t			 n, cap;
};

/* An open batch whose entries are being collected to check its root. */
struct replay_batch {
	uint64_t	  index;		/* NO_INDEX when none */
	char		  issuer[ID_MAX + 1];
	uint32_t	  n, filled;
	uint8_t		  root[32];
	uint8_t		(*hashes)[32];
	uint8_t		 *have;
};

/* Replaying the log into the mirror, one leaf at a time. */
struct replay {
	struct store_txn	*txn;
	struct rules		 rules;
	struct merkle_tree	 tree;
	const char		*origin;
	struct replay_batch	 batch;
	struct buf		 scratch;
	struct replay_aggs	 by_issuer, by_method, by_activity, by_month;
	uint64_t		 accounts;	/* distinct (issuer, account) */
	uint64_t		 findings;	/* found in this run */
	uint64_t		 findings_total;
	/* The auditor's clock (UTC seconds): a leaf integrated later than
	 * now + REPLAY_CLOCK_SKEW is a future-time finding, one per distinct
	 * integration time (a group's leaves share theirs). */
	uint64_t		 now;
	uint64_t		 future_last;	/* the last time reported */
};

#define REPLAY_CLOCK_SKEW	300	/* seconds of clock difference allowed */

int	replay_load(struct replay *, struct store_txn *, const char *origin);
/*
 * Append and check the leaf at index, p[0 .. len), given its leaf hash and
 * its strict decoding l (NULL: the bytes are not a canonical leaf; l stays
 * the caller's); findings go into the transaction.
 */
int	replay_leaf(struct replay *, uint64_t index, const uint8_t *p,
	    size_t len, const uint8_t hash[32], const struct entry_leaf *l);
/* At the end of a signed tree: check the last batch's completeness. */
void	replay_finish(struct replay *);
/* Write the head, tree size and aggregates into the transaction. */
int	replay_save(struct replay *);
void	replay_free(struct replay *);

#endif /* REPLAY_H */
