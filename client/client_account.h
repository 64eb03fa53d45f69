/* client_account.h - an account's entries and balance, verified. */
/*
 * The client library's account walk (client_account.c): every entry of
 * an account, each proved against a signed checkpoint, the chain of
 * previous-entry indexes walked with no gaps, the counters and the
 * balance recomputed.
 */
#ifndef CLIENT_ACCOUNT_H
#define CLIENT_ACCOUNT_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "checkpoint.h"
#include "entry.h"
#include "err.h"
#include "fetch.h"
#include "sig.h"
#include "trust.h"

struct json;

/* An account's entries and balance, verified (client_account). */
struct client_account {
	struct checkpoint	 cp;		/* what the proofs are against */
	struct buf		 note;		/* its signed note, verbatim */
	struct trust_cp		 tc;		/* cp as opened (client_cover) */
	struct checkpoint	 ccp;		/* the checkpoint that met the
						 * trust: cp, or a cosigned one
						 * cp is a prefix of */
	struct buf		 cnote;		/* its signed note */
	size_t			 n;		/* entries, newest first */
	uint64_t		*index;
	struct entry_leaf		*leaves;
	uint64_t		 credited, retired, reversed;	/* recomputed */
	int64_t			 balance;
	int64_t			 server_balance;
	int			 have_server_balance;
	/* The walk (client_account_page): zero to begin. */
	int			 started;
	uint64_t		 expect;	/* the next index the chain names */
	size_t			 cap;
};

/*
 * Fetch every entry of (issuer, account), each inclusion-verified against
 * a checkpoint opened under t (the first page's, by client_cover: under a
 * policy, cosigned or proved a prefix of a cosigned one), each an entry of that issuer and account (a
 * reversal: of an earlier credit of that account, reversed once), walk
 * the chain of previous-entry indexes with no gaps and strictly
 * decreasing indexes, check every entry's account counters against the
 * running sums of the entries up to it, and compare the balance with the
 * server's figure. What it cannot prove: that the server named the
 * account's newest entry (see ledger account --state, acctstate.h).
 * LD_ENOTFOUND for an unknown account, LD_EBADSIG or LD_EBADPROOF if
 * anything fails to verify (e->msg says what). *out is the caller's
 * (zeroed here); free it with client_account_free, also after an error.
 */
int	client_account(struct fetch *f, const struct trust *t,
	    const char *issuer, const char *account,
	    struct client_account *out, struct ld_error *e);
/*
 * The same, one page at a time, for callers with pages from elsewhere:
 * verify the page doc (GET /v1/accounts JSON) into a (zeroed before the
 * first page) and set *next to the next page's cursor, or NO_INDEX after
 * the last; f (may be NULL) fetches consistency proofs when pages are
 * against different checkpoints, and under a policy the cosigned
 * checkpoint (client_cover; without f the first page's checkpoint must
 * meet the policy itself). Later pages' checkpoints need the log's
 * signature and consistency with the first. Then client_account_finish checks the
 * chain ended and recomputes the counters.
 */
int	client_account_page(struct client_account *a, const struct json *doc,
	    const struct trust *t, const char *issuer,
	    const char *account, struct fetch *f, uint64_t *next,
	    struct ld_error *e);
int	client_account_finish(struct client_account *a,
	    struct ld_error *e);
void	client_account_free(struct client_account *);

#endif /* CLIENT_ACCOUNT_H */
