/* note.h - C2SP signed notes, checkpoints and tlog-proof receipts. */
/*
 * Contract. Parsers copy what they keep: a parsed struct note or struct
 * tlog_proof owns its memory (note_free, tlog_proof_free; both leave the
 * struct zeroed and are safe on a zeroed struct or NULL) and holds no
 * pointer into the input. note_parse and tlog_proof_parse zero their
 * output first and, on failure, leave nothing to free; checkpoint_parse
 * and checkpoint_open write *c only on LD_OK. Writers append to the
 * caller's buffer only on LD_OK. No global state: any thread, on its own
 * arguments (keys may be shared, sig.h). Out of memory exits.
 */
#ifndef NOTE_H
#define NOTE_H

#include <stddef.h>
#include <stdint.h>

#include "merkle.h"
#include "sig.h"
#include "util.h"

#define NOTE_MAX		(64 * 1024)	/* a whole note, bytes */
#define NOTE_MAX_SIGS		100
#define NOTE_SIG_MAX		4096		/* signature bytes after the ID */
#define CHECKPOINT_ORIGIN_MAX	255

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
/* Append the cosignature/v1 line for note text by cosigner k at time t.
 * LD_EINVAL unless k is a cosigner key (type 0x04) with a private part,
 * t fits the format and text is valid note text; LD_ETOOBIG over
 * NOTE_MAX; LD_ESYS if signing fails. */
int	note_cosign(const char *text, size_t len, const struct sig_key *k,
	    uint64_t t, struct buf *line);

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

/* A c2sp.org/tlog-proof@v1 receipt. */
struct tlog_proof {
	uint8_t			*extra;		/* NULL if no extra line */
	size_t			 extra_len;
	uint64_t		 index;
	struct merkle_proof	 proof;
	char			*checkpoint;	/* the signed note, verbatim */
	size_t			 checkpoint_len;
};

/* Parse a receipt strictly (the checkpoint must parse as a note; nothing
 * is verified): LD_EINVAL, or LD_ETOOBIG over a size limit. On LD_OK *p
 * owns its memory: tlog_proof_free. */
int	tlog_proof_parse(const char *s, size_t len, struct tlog_proof *p);
void	tlog_proof_free(struct tlog_proof *);
/* Append the receipt text to b (never fails; extra may be NULL). */
void	tlog_proof_format(const uint8_t *extra, size_t extra_len,
	    uint64_t index, const struct merkle_proof *proof,
	    const char *checkpoint, size_t checkpoint_len, struct buf *b);
/*
 * Verify a receipt completely: the checkpoint signature with the log key,
 * the inclusion of leaf hash SHA-256(0x00 || extra) at index. The extra
 * bytes are the leaf. On LD_OK, c (if not NULL) gets the checkpoint.
 * Errors: those of checkpoint_open, LD_EINVAL for a receipt without extra
 * data (nothing would be proved), LD_EBADPROOF if the inclusion fails.
 */
int	tlog_proof_verify(const struct tlog_proof *p, const struct sig_key *log,
	    struct checkpoint *c);
/*
 * A checkpoint note whose signature verified, with the key that verified
 * it: receipts that carry the very same note bytes, for the same key,
 * skip the signature check (the receipts of a batch share their
 * checkpoint, and an Ed25519 check costs 75 us). Zero it to start;
 * note_seen_free at the end. One thread at a time per note_seen.
 */
struct note_seen {
	struct buf		text;
	char			key_name[SIG_NAME_MAX + 1];
	uint8_t			key_pub[32];
	struct checkpoint	cp;
};
void	note_seen_free(struct note_seen *);
/* tlog_proof_verify, remembering the verified note in seen (NULL: none). */
int	tlog_proof_verify_seen(const struct tlog_proof *p,
	    const struct sig_key *log, struct note_seen *seen,
	    struct checkpoint *c);

#endif /* NOTE_H */
