/* note.h - C2SP signed notes (checkpoint.h: their checkpoint body;
 * tlog_proof.h: receipts). */
/*
 * Contract. The parser copies what it keeps: a parsed struct note owns
 * its memory (note_free leaves it zeroed and is safe on a zeroed struct
 * or NULL) and holds no pointer into the input. note_parse zeroes its
 * output first and, on failure, leaves nothing to free. Writers append
 * to the caller's buffer only on LD_OK. No global state: any thread, on its own
 * arguments (keys may be shared, sig.h). Out of memory exits.
 */
#ifndef NOTE_H
#define NOTE_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "sig.h"

#define NOTE_MAX		(64 * 1024)	/* a whole note, bytes */
#define NOTE_MAX_SIGS		100
#define NOTE_SIG_MAX		4096		/* signature bytes after the ID */

struct note_sig {
	char		 name[SIG_NAME_MAX + 1];
	uint32_t	 id;
	uint8_t		*sig;		/* bytes after the key ID */
	size_t		 len;
};

/* A parsed note. text is the signed part, ending in "\n" (and NUL-
 * terminated after text_len); each sigs[i].sig is owned by the note. */
struct note {
	char		*text;
	size_t		 text_len;
	struct note_sig	*sigs;
	size_t		 nsigs;
};

/*
 * Parse a signed note (strict: UTF-8, no control characters but "\n",
 * every signature line "— <name> <base64>\n"). LD_EINVAL, or LD_ETOOBIG
 * over a size limit. note_free releases it.
 */
int	note_parse(const char *s, size_t len, struct note *out);
void	note_free(struct note *);
/* Whether text is valid note text: non-empty, strict UTF-8 without
 * control characters but "\n", ending in "\n". */
int	note_text_valid(const char *text, size_t len);
/* Append text (ending in "\n"), a blank line and k's signature line to b.
 * LD_EINVAL unless k is an Ed25519 note key (type 0x01) with a private
 * part and text is valid note text; LD_ETOOBIG if the note would exceed
 * NOTE_MAX; LD_ESYS if signing fails. */
int	note_sign(const char *text, size_t len, const struct sig_key *k,
	    struct buf *b);
/*
 * Verify n against the known keys. Signature lines of unknown keys are
 * ignored; a known key whose signature fails rejects the note
 * (LD_EBADSIG); so does a note with no verified signature. On LD_OK,
 * *nverified (if not NULL) gets how many distinct known keys verified.
 * Cosigner keys (type 0x04) verify cosignature/v1 lines. NULL entries of
 * keys are skipped; LD_EINVAL for a note not parsed.
 */
int	note_verify(const struct note *n, const struct sig_key *const *keys,
	    size_t nkeys, size_t *nverified);
/* The first signature line of n by k (its name and key ID), or NULL;
 * a view into n. */
const struct note_sig *note_sig_of(const struct note *n,
	    const struct sig_key *k);
/* The timestamp of a cosignature/v1 line (8 bytes big-endian, then the
 * Ed25519 signature); 0 if s is not that long. Nothing is verified. */
uint64_t note_cosig_time(const struct note_sig *s);
/* Append the cosignature/v1 line for note text by cosigner k at time t.
 * LD_EINVAL unless k is a cosigner key (type 0x04) with a private part,
 * t fits the format and text is valid note text; LD_ETOOBIG over
 * NOTE_MAX; LD_ESYS if signing fails. */
int	note_cosign(const char *text, size_t len, const struct sig_key *k,
	    uint64_t t, struct buf *line);

#endif /* NOTE_H */
