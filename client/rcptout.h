/* rcptout.h - the receipts file of ledger submit, written safely. */
/*
 * Receipts are written one batch (whole lines) at a time, so the file
 * never holds half a line. Two ways:
 *   - replace (no --skip, or no file yet): into a temporary file beside
 *     the target, renamed over it at the end; an existing file stays as
 *     it was until then, and for ever if the run writes no receipt;
 *   - continue (--skip N and the file exists): appended to, after
 *     checking that it ends with a whole line whose "line" is at most N,
 *     so a resume adds exactly the receipts after the first run's.
 * A receipts path naming the input (same device and inode: also through
 * a symlink, another path or a hard link) is refused before anything is
 * written.
 *
 * Contract. A struct rcptout is the caller's: rcptout_open, then
 * rcptout_write per batch, then rcptout_close exactly once (also after a
 * failed write). Not thread-safe.
 */
#ifndef RCPTOUT_H
#define RCPTOUT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

struct rcptout {
	int		 fd;
	char		*target;	/* the file, symlinks resolved */
	char		*tmp;		/* temporary file, NULL when continuing */
	off_t		 good;		/* size after the last whole batch */
	uint64_t	 written;	/* receipts written by this run */
	uint64_t	 last_line;	/* continuing: the file's last "line" */
};

/*
 * Open path for the receipts of input in_st (the input's fstat, or NULL
 * if unknown), resuming after skip input lines. LD_OK, or LD_EINVAL with
 * a one-line reason in why (a usage error: nothing was written), or
 * LD_ESYS with why naming the path. On failure o holds nothing to
 * close or free.
 */
int	rcptout_open(struct rcptout *o, const char *path,
	    const struct stat *in_st, uint64_t skip, char *why, size_t whylen);
/*
 * Write n receipts (len bytes of whole lines). LD_OK, or LD_ESYS (errno
 * set) with the file cut back to its last whole batch.
 */
int	rcptout_write(struct rcptout *o, const void *p, size_t len,
	    uint64_t n);
/*
 * Finish: flush to disk and, when replacing, rename the temporary file
 * over the target if keep (else remove it; the target is untouched).
 * LD_OK or LD_ESYS. Frees what o holds.
 */
int	rcptout_close(struct rcptout *o, int keep);
/* Whether the file is being continued (a resume). */
int	rcptout_continues(const struct rcptout *o);

#endif /* RCPTOUT_H */
