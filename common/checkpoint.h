/* checkpoint.h - the body of a C2SP checkpoint (c2sp.org/tlog-checkpoint):
 * parse, format, and open a signed one (note.h). */
/*
 * Contract. checkpoint_parse and checkpoint_open write *c only on LD_OK;
 * checkpoint_format appends to the caller's buffer. No global state: any
 * thread, on its own arguments (keys may be shared, sig.h). Out of
 * memory exits.
 */
#ifndef CHECKPOINT_H
#define CHECKPOINT_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "sig.h"

#define CHECKPOINT_ORIGIN_MAX	255

/* A checkpoint's body (c2sp.org/tlog-checkpoint). */
struct checkpoint {
	char		origin[CHECKPOINT_ORIGIN_MAX + 1];
	uint64_t	size;
	uint8_t		root[32];
	size_t		nextensions;	/* extension lines after the root */
};

/* Parse the note text of a checkpoint (origin, size, root, then any
 * extension lines, counted): LD_EINVAL, *c untouched, on anything else. */
int	checkpoint_parse(const char *text, size_t len, struct checkpoint *c);
/* Append "origin\nsize\nbase64(root)\n" to b (never fails). */
void	checkpoint_format(const struct checkpoint *c, struct buf *b);
/*
 * Parse a signed checkpoint note, verify it with the log key (whose name
 * must be the origin) and return its body in *c (written only on LD_OK).
 * LD_EBADSIG (no valid signature by log, or a checkpoint of another
 * origin) or LD_EINVAL (not a note, over NOTE_MAX included, or not a
 * checkpoint); and
 * LD_ERULE for a checkpoint with extension lines (tlog-checkpoint: NOT
 * RECOMMENDED; this log never writes them, so a signed one is refused,
 * never shown as signed data): CHECKPOINT_EXT_MSG says so.
 */
#define CHECKPOINT_EXT_MSG	"the checkpoint carries extension lines; " \
	"this log never writes them"
int	checkpoint_open(const char *s, size_t len, const struct sig_key *log,
	    struct checkpoint *c);

#endif /* CHECKPOINT_H */
