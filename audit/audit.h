/* audit.h - ledger-audit's shared state: the mirror, findings, aggregates. */
#ifndef AUDIT_H
#define AUDIT_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "checkpoint.h"
#include "entry.h"
#include "fetch.h"
#include "merkle.h"
#include "note.h"
#include "rules.h"
#include "rules_store.h"
#include "sig.h"
#include "store.h"
#include "tlog_proof.h"

/* A running sum kept per issuer, method, activity or month. */
struct agg {
	char		key[REFERENCE_MAX + 8];
	uint64_t	credited, retired, reversed, entries;
};

struct aggs {
	struct agg	*v;
	size_t		 n, cap;
};

/* An open batch whose entries are being collected to check its root. */
struct open_batch {
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
	struct open_batch	 batch;
	struct buf		 scratch;
	struct aggs		 by_issuer, by_method, by_activity, by_month;
	uint64_t		 accounts;	/* distinct (issuer, account) */
	uint64_t		 findings;	/* found in this run */
	uint64_t		 findings_total;
	/* The auditor's clock (UTC seconds): a leaf integrated later than
	 * now + AUDIT_CLOCK_SKEW is a future-time finding, one per distinct
	 * integration time (a group's leaves share theirs). */
	uint64_t		 now;
	uint64_t		 future_last;	/* the last time reported */
};

#define AUDIT_CLOCK_SKEW	300	/* seconds of clock difference allowed */

/* replay.c */
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
/* finding.c: every finding code (NULL-terminated), as documented in
 * docs/auditors.md, and the code a rule of common/rules.c is reported
 * under. */
extern const char *const finding_codes[];
const char	*finding_code(const char *rule);
/* Record a finding (code, leaf index, related index or NO_INDEX). */
void	finding_add(struct replay *, const char *code, uint64_t index,
	    uint64_t related, const char *fmt, ...)
	    __attribute__((format(printf, 5, 6)));
/* Store a finding outside a replay (fork, root-mismatch). */
int	finding_store(struct store_txn *, const char *code, uint64_t index,
	    uint64_t related, const char *msg);

/* tiles.c: reading a log through its C2SP tiles only. */
struct tiles;
struct tiles	*tiles_new(struct fetch *, uint64_t size);
void		 tiles_free(struct tiles *);
int		 tiles_node(void *tiles, unsigned level, uint64_t index,
		    uint8_t out[32]);
const char	*tiles_error(struct tiles *);
/*
 * Check every full hash tile fetched so far against its entry in the tile
 * above, up to the partial tiles of the right edge (which the caller
 * checks against the signed root): LD_OK, LD_EBADPROOF or LD_ENET.
 */
int		 tiles_verify(struct tiles *);

/* prefetch.c: entry bundles fetched, split, hashed and decoded ahead on
 * a thread of their own, handed over in order. */
struct pf_ent {
	const uint8_t	*p;		/* the leaf bytes, in the body */
	size_t		 len;
	uint8_t		 hash[32];	/* its leaf hash */
	int		 decoded;	/* leaf holds its strict decoding */
	struct entry_leaf	 leaf;
};
struct pf_bundle {
	uint64_t	 n;		/* bundle number */
	unsigned	 w;		/* its width: entries expected */
	int		 rc;		/* LD_OK; LD_EBADPROOF: bad framing
					 * (ent[0 .. nent) are fine); other:
					 * no body, err says why */
	char		 err[512];
	char		 path[MERKLE_TILE_PATH_MAX + 2];
	struct buf	 body;
	int		 arrived;
	struct pf_ent	*ent;
	size_t		 nent;
	struct store_hints *hints;	/* its entries' index lookups, or NULL */
};
struct prefetch;
/*
 * Bundles first .. the last of a tree of size entries, from url (cacert:
 * fetch_open's). A bundle larger than tlog-tiles allows (256 entries of
 * at most 65535 bytes, each after its 2-byte length) fails unread. With a
 * mirror st, each bundle also gets the B-tree lookups its entries' rules
 * will make (store.h, hints), made in a read transaction of its own.
 */
int	prefetch_start(const char *url, const char *cacert, struct store *st,
	    uint64_t first, uint64_t size, struct prefetch **);
/* The next bundle in order (the caller frees it); NULL after the last
 * or after a bundle whose rc was a fetch error. */
struct pf_bundle *prefetch_next(struct prefetch *);
void	pf_bundle_free(struct pf_bundle *);
/* Stop the thread and free what it fetched; NULL is fine. */
void	prefetch_stop(struct prefetch *);

#endif /* AUDIT_H */
