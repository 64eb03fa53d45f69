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

/*
 * Check the checkpoint cp (note: its signed text, nlen bytes) against
 * DIR/checkpoint, with consistency proofs from f, and save it when it is
 * newer. LD_OK (saved, or the same), LD_ESTALE (older and consistent;
 * not saved), LD_EBADPROOF for a fork (e->rule "fork": proven
 * inconsistent; DIR/fork-SIZE keeps cp's note beside DIR/checkpoint) or
 * an older checkpoint the server cannot prove a prefix (e->rule
 * "unproven": nothing kept), LD_ESYS if DIR cannot be written, or a
 * network error.
 * e->msg says which. The caller owns every argument.
 */
int	cpstate_check(struct fetch *f, const char *dir,
	    const struct sig_key *log, const struct checkpoint *cp,
	    const char *note, size_t nlen, struct ld_error *e);
/* Read a signed checkpoint file and verify it with log; *text is the
 * caller's to free (NULL on error). */
int	cpstate_load(const char *path, const struct sig_key *log,
	    struct checkpoint *c, char **text, size_t *len);

#endif /* CPSTATE_H */
