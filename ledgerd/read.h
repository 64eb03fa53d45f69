/* read.h - the read path: tiles, proofs, entries, lookups, totals. */
/*
 * One handler per read route (route.c's table names them). Each runs
 * in a read transaction t at the current checkpoint cp (read_run opens
 * both) and replies itself; LD_ERETRY, with nothing replied, asks for a
 * fresh snapshot. Event-loop thread only.
 */
#ifndef READ_H
#define READ_H

#include "ledgerd.h"

struct httpd_req;
struct store_txn;

typedef int	read_fn(struct ledgerd *, struct httpd_req *, struct store_txn *t,
		    const char *path, const struct cp *cp);

/* Run fn for the request (its retries, the store's failure). */
void	read_run(struct ledgerd *, struct httpd_req *, const char *path,
	    read_fn *fn);

read_fn	read_tile;		/* /tile/... */
read_fn	read_inclusion;		/* /v1/proof/inclusion */
read_fn	read_consistency;	/* /v1/proof/consistency */
read_fn	read_entry;		/* /v1/entries/N */
read_fn	read_receipt;		/* /v1/receipt/N */
read_fn	read_lookup;		/* /v1/lookup */
read_fn	read_account;		/* /v1/accounts/ID */
read_fn	read_totals;		/* /v1/totals */
read_fn	read_issuers;		/* /v1/issuers */
read_fn	read_methods;		/* /v1/methods */
read_fn	read_issuer;		/* /v1/issuers/ID */
read_fn	read_health;		/* /healthz */

#endif /* READ_H */
