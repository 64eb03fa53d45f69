/* sync.h - ledger-audit sync: mirror the log through its tiles and replay it. */
#ifndef SYNC_H
#define SYNC_H

#include <stdint.h>

struct sync_opts {
	const char	*url;
	const char	*cacert;	/* https: the CAs to trust, or NULL */
	const char	*vkey;
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
	double		seconds;
	char		error[640];
};

/*
 * Fetch and verify the checkpoint, prove it extends the last one verified
 * in the state directory (else keep both as evidence: a fork), download
 * the new entries through the entry bundles, replay every rule into the
 * mirror, verify the root against the signed one chunk by chunk (else
 * root-mismatch, the mirror is not updated), and save the checkpoint.
 */
int	sync_run(const struct sync_opts *, struct sync_result *);

#endif /* SYNC_H */
