/* sync.h - ledger-audit sync: mirror the log through its tiles and replay it. */
#ifndef SYNC_H
#define SYNC_H

#include <stdint.h>

#include "trust.h"

struct sync_opts {
	const char	*url;
	const char	*cacert;	/* https: the CAs to trust, or NULL */
	const char	*vkey;		/* the log's vkey, when trust is NULL */
	const struct trust *trust;	/* or what to trust (trust.h): under
					 * a policy the checkpoint synced to
					 * must meet its quorum; vkey is then
					 * ignored */
	const char	*state;
	uint64_t	 mapsize;
	int		 progress;
	uint64_t	 now;		/* the auditor's clock, UTC seconds */
	/* The signed checkpoint to sync to (checked as a fetched one is),
	 * or NULL: the log's GET /checkpoint. */
	const char	*checkpoint;
	size_t		 checkpoint_len;
};

struct sync_result {
	uint64_t	size;		/* the checkpoint's */
	uint64_t	old_size;	/* the last verified one's */
	uint64_t	start;		/* entries in the mirror, verified */
	uint64_t	entries;	/* new entries this sync */
	uint64_t	findings_before, findings_new, findings_total;
	int		fork, root_mismatch;
	int		stale;		/* an older checkpoint, consistent:
					 * nothing done, error says so */
	struct trust_cp	tc;		/* the checkpoint synced to, opened */
	double		seconds;
	char		error[640];
};

/*
 * Fetch the checkpoint and open it under the trust (trust_open: the log
 * key's signature; under a policy its quorum of cosignatures, else
 * LD_EBADSIG and error says which witnesses it has and lacks), prove it extends the last one verified
 * in the state directory (else keep both as evidence: a fork), download
 * the new entries through the entry bundles, replay every rule into the
 * mirror, verify the root against the signed one chunk by chunk (else
 * root-mismatch, the mirror is not updated), and save the checkpoint.
 */
int	sync_run(const struct sync_opts *, struct sync_result *);

#endif /* SYNC_H */
