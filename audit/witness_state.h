/* witness_state.h - the witness's durable state: per log origin, the
 * latest checkpoint it cosigned (c2sp.org/tlog-witness). */
/*
 * One file per origin in the state directory, named by the lowercase hex
 * of SHA-256(origin) (the monitoring path's origin hash), holding the
 * latest cosigned checkpoint verbatim: its text, the log signature lines
 * the witness verified and the witness's cosignature line(s). Written
 * with file_write (temp file, fsync, rename, directory fsync, the last
 * checked here), so a crash leaves the old or the new record, never a
 * torn one, and a record reported written survives a crash.
 *
 * Contract. witness_state_update is the compare-and-set the spec asks
 * for: under the store's one mutex it reads the record, lets the caller
 * decide, and writes the new record to disk before it unlocks and
 * returns, so two requests for one origin never both pass a check of
 * the same old size, and nothing is answered before it is durable. Any
 * thread may call any function on one store; only one process may use a
 * state directory (not checked). Out of memory exits.
 */
#ifndef WITNESS_STATE_H
#define WITNESS_STATE_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "checkpoint.h"
#include "note.h"

#define WITNESS_STATE_NAME_LEN	64	/* hex of SHA-256 */

struct witness_state;	/* opaque: the directory and the mutex */

/* One origin's record, as read. When found is 0 the rest is zero. */
struct witness_state_rec {
	int			found;
	struct checkpoint	cp;	/* the body of the cosigned checkpoint */
	struct note		note;	/* all of it, parsed */
	const char		*raw;	/* the file's bytes, raw_len long */
	size_t			raw_len;
};

/* Open the state directory dir (it must exist): LD_ENOTFOUND if it
 * does not, LD_EINVAL if it is not a directory. */
int	witness_state_open(const char *dir, struct witness_state **out);
void	witness_state_close(struct witness_state *);

/* The file name of origin: hex(SHA-256(origin)), NUL-terminated. */
void	witness_state_name(const char *origin,
	    char out[WITNESS_STATE_NAME_LEN + 1]);

/*
 * Read origin's record into *rec (rec->found 0 if the witness never
 * cosigned for it). LD_ESYS if the file cannot be read, LD_ECORRUPT if
 * it is not a signed note of a checkpoint of that origin. The caller
 * frees rec with witness_state_rec_free, on any return. Reads need no
 * lock: a record is replaced by rename, never written in place. This is
 * also the monitoring read (rec->raw is the checkpoint to serve).
 */
int	witness_state_read(struct witness_state *st, const char *origin,
	    struct witness_state_rec *rec);
void	witness_state_rec_free(struct witness_state_rec *rec);

/*
 * The decision inside the compare-and-set: given the current record,
 * return LD_OK and put the new record's bytes in next to replace it,
 * leave next empty to write nothing, or return an error (nothing
 * written, returned as is).
 */
typedef int	witness_state_fn(const struct witness_state_rec *cur,
		    void *arg, struct buf *next);
/*
 * Lock the store, read origin's record, call fn, write the new record
 * (durably) if fn gave one, unlock. Returns fn's code, or the read's
 * (LD_ESYS, LD_ECORRUPT: fn not called) or the write's (LD_ESYS,
 * LD_EFULL: then fn's decision must not be acted on; the record on disk
 * is the old one, or the new one if only the directory sync failed,
 * either way one the witness may keep to).
 */
int	witness_state_update(struct witness_state *st, const char *origin,
	    witness_state_fn *fn, void *arg);

#endif /* WITNESS_STATE_H */
