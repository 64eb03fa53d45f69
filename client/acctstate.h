/* acctstate.h - what `ledger account --state DIR` remembers of each account. */
/*
 * One query proves that the entries shown are in the log and chain
 * together; it cannot prove that the server named the account's newest
 * entry. A user who queries again with the same state directory is
 * protected against a rollback: DIR/accounts/ISSUER~ACCOUNT keeps the
 * newest index, counters and checkpoint size verified for the account,
 * and a later answer must still hold that entry, with the same counters,
 * at or after it. Files are written atomically; the caller owns dir.
 */
#ifndef ACCTSTATE_H
#define ACCTSTATE_H

#include "client_account.h"
#include "err.h"

/*
 * Check a verified account a (client_account) against what dir holds:
 * LD_OK (also when nothing is held yet), LD_EBADPROOF for a rollback (the
 * newest entry is older than one verified before, or the account is gone)
 * or for a different history (the entry verified before is no longer in
 * the chain, or its counters changed); e->msg says which. found is 0 when
 * the server answered "no such account" (a is then empty).
 */
int	acctstate_check(const char *dir, const char *issuer,
	    const char *account, const struct client_account *a, int found,
	    struct ld_error *e);
/* Remember a's newest entry for (issuer, account): LD_OK or LD_ESYS. */
int	acctstate_save(const char *dir, const char *issuer,
	    const char *account, const struct client_account *a);

#endif /* ACCTSTATE_H */
