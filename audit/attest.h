/* attest.h - the auditor cosigner's check: cosign a checkpoint only once
 * the log is mirrored up to it and every rule replayed, with no finding. */
/*
 * `ledger-audit witness --replay` runs this before it cosigns: a
 * cosignature by its key then states what docs/witnesses.md defines
 * (the "/replayed" statement): the auditor mirrored the log from its
 * tiles up to that checkpoint, verified every entry against the signed
 * root, replayed every rule of docs/protocol.md and recomputed every
 * total, and found nothing.
 *
 * Contract. attest_check is synchronous and may take as long as the sync
 * (seconds for a large gap): run it off the event loop, one at a time per
 * state directory (the mirror has one writer). It does its own I/O and
 * keeps nothing between calls but the mirror on disk.
 */
#ifndef ATTEST_H
#define ATTEST_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

struct attest_opts {
	const char	*state;		/* the mirror's directory */
	const char	*url;		/* the log's URL (tiles, entries) */
	const char	*cacert;	/* https: the CAs to trust, or NULL */
	const char	*vkey;		/* the log's verifier key */
	uint64_t	 mapsize;
};

enum attest_verdict {
	ATTEST_CLEAN = 1,	/* mirrored and replayed: no finding */
	ATTEST_FINDINGS,	/* findings (codes): never cosign */
	ATTEST_BEHIND,		/* not mirrored (the log's tiles could not
				 * be read, or not as signed): cosign
				 * nothing, retry later */
};

struct attest_result {
	enum attest_verdict verdict;
	uint64_t	 size;		/* the checkpoint's */
	uint64_t	 findings;	/* in the mirror, all codes */
	struct buf	 codes;		/* "CODE N\n" per code found */
	char		 error[640];	/* why, when not clean */
};

/*
 * Bring the mirror in o->state to the signed checkpoint note (len bytes,
 * signed by o->vkey) and judge it: ATTEST_CLEAN only when the sync
 * verified every entry up to its size against its root (or the mirror
 * already holds a consistent larger tree) and no finding is recorded;
 * ATTEST_FINDINGS with the finding codes (docs/auditors.md: a rule
 * broken, or "fork": not consistent with the mirror); ATTEST_BEHIND
 * when the log could not be read as signed (or the checkpoint is not the
 * log's). Returns the verdict; free res->codes with buf_free.
 */
enum attest_verdict attest_check(const struct attest_opts *o,
	    const char *note, size_t len, struct attest_result *res);

/*
 * One log's checks on a thread of their own, one at a time (the mirror
 * has one writer): attest_worker_submit hands a checkpoint over, or
 * returns LD_EBUSY while a check runs (a cosigner that is behind answers
 * 503 rather than wait or cosign unchecked). done(arg, res) is called on
 * the worker's thread when the check ends; res is valid during the call
 * only. o is copied, its strings are not: they must outlive the worker.
 * attest_worker_stop waits for a running check, then frees.
 */
struct attest_worker;
typedef void	 attest_done_fn(void *arg, const struct attest_result *res);
int	attest_worker_start(const struct attest_opts *o,
	    struct attest_worker **out);
int	attest_worker_submit(struct attest_worker *, const char *note,
	    size_t len, attest_done_fn *done, void *arg);
/* The size of the checkpoint being checked, or 0 when idle. */
uint64_t attest_worker_busy(struct attest_worker *);
void	attest_worker_stop(struct attest_worker *);

#endif /* ATTEST_H */
