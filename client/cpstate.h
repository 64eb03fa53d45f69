/* cpstate.h - the checkpoint a user's state directory remembers (--state DIR). */
/*
 * DIR/checkpoint holds the newest signed checkpoint verified there (by
 * `ledger checkpoint --state DIR` and `ledger account --state DIR`). Each
 * new one must be consistent with it: newer and consistent replaces it;
 * older and consistent is stale (a lagging cache or a replay: kept as it
 * is); inconsistent is a fork, and both signed notes are kept.
 */
#ifndef CPSTATE_H
#define CPSTATE_H

#include <stddef.h>

#include "client.h"
#include "err.h"
#include "trust.h"

/*
 * Check the checkpoint cp (note: its signed text, nlen bytes, which the
 * caller opened under t) against DIR/checkpoint, opened under t too, with
 * consistency proofs from f, and save it when it is newer. A
 * DIR/checkpoint that does not open under t (another log, or under a
 * policy not cosigned as it requires) is refused: LD_EBADSIG, e->rule
 * "state", e->msg names the file and why (nothing is replaced). LD_OK (saved, or the same), LD_ESTALE (older and consistent;
 * not saved), LD_EBADPROOF for a fork (e->rule "fork": proven
 * inconsistent; DIR/fork-SIZE keeps cp's note beside DIR/checkpoint) or
 * an older checkpoint the server cannot prove a prefix (e->rule
 * "unproven": nothing kept), LD_ESYS if DIR cannot be written, or a
 * network error.
 * e->msg says which. The caller owns every argument.
 */
int	cpstate_check(struct fetch *f, const char *dir,
	    const struct trust *t, const struct checkpoint *cp,
	    const char *note, size_t nlen, struct ld_error *e);
/* Read a signed checkpoint file and open it under t (trust_open; e if
 * not NULL says why not; LD_ENOTFOUND: no such file); *text is the
 * caller's to free (NULL on error). */
int	cpstate_load(const char *path, const struct trust *t,
	    struct trust_cp *c, char **text, size_t *len, struct ld_error *e);

#endif /* CPSTATE_H */
