/* refresh.h - receipts moved onto a newer, cosigned checkpoint. */
/*
 * A receipt issued at commit time carries the checkpoint the log signed
 * then, which no witness has cosigned yet. Refreshing it replaces that
 * checkpoint by the server's current one (opened under a trust: under a
 * policy, cosigned by its quorum) with a new inclusion proof, after
 * proving the new checkpoint consistent with the old one, so that the
 * receipt then verifies offline under the policy.
 *
 * Contract. A struct refresh_to is the caller's (zero it, refresh_to_free
 * after); the trust it names must outlive it. One thread at a time per
 * struct refresh_to.
 */
#ifndef REFRESH_H
#define REFRESH_H

#include <stddef.h>

#include "buf.h"
#include "err.h"
#include "fetch.h"
#include "trust.h"

/* The checkpoint receipts are moved onto. */
struct refresh_to {
	const struct trust	*t;
	struct trust_cp		 tc;	/* opened under t */
	struct buf		 note;	/* its signed note, verbatim */
};

/* Fetch /checkpoint and open it under t into to. LD_OK, or
 * client_checkpoint's errors (e says why: the witnesses it lacks). */
int	refresh_to_fetch(struct fetch *f, const struct trust *t,
	    struct refresh_to *to, struct ld_error *e);
void	refresh_to_free(struct refresh_to *);

/*
 * Refresh the receipt text (len bytes) onto to: the old receipt must
 * verify with the log key alone (signature, inclusion of its leaf); the
 * new checkpoint must be at least as large and proved consistent with
 * the old one by the server's consistency proof; the leaf's inclusion
 * proof at the new size comes from the server and is verified; the new
 * receipt (same leaf and index) is appended to out and verified under
 * to's trust. *old_size (if not NULL) gets the old checkpoint's size.
 * LD_OK; LD_EEXIST if the receipt already carries to's very note (out
 * untouched); LD_ESTALE if the new checkpoint is smaller than the old
 * (the witnesses lag: try later); LD_EBADSIG or LD_EBADPROOF if the old
 * receipt does not verify or the checkpoints are inconsistent (e->rule
 * "fork"); network errors. e says which; out is untouched on failure.
 */
int	refresh_receipt(struct fetch *f, const struct refresh_to *to,
	    const char *text, size_t len, struct buf *out, uint64_t *old_size,
	    struct ld_error *e);

#endif /* REFRESH_H */
