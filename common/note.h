/* note.h - C2SP signed notes, checkpoints and tlog-proof receipts. */
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

/* A parsed note. text is the signed part, ending in "\n". */
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
/* Append text (ending in "\n"), a blank line and k's signature line to b. */
int	note_sign(const char *text, size_t len, const struct sig_key *k,
	    struct buf *b);
/*
 * Verify n against the known keys. Signature lines of unknown keys are
 * ignored; a known key whose signature fails rejects the note
 * (LD_EBADSIG); so does a note with no verified signature. On LD_OK,
 * *nverified (if not NULL) gets how many distinct known keys verified.
 * Cosigner keys (type 0x04) verify cosignature/v1 lines.
 */
int	note_verify(const struct note *n, const struct sig_key *const *keys,
	    size_t nkeys, size_t *nverified);
/* The cosignature/v1 line for note text by cosigner k at time t. */
int	note_cosign(const char *text, size_t len, const struct sig_key *k,
	    uint64_t t, struct buf *line);

/* A checkpoint's body (c2sp.org/tlog-checkpoint). */
struct checkpoint {
	char		origin[CHECKPOINT_ORIGIN_MAX + 1];
	uint64_t	size;
	uint8_t		root[32];
	size_t		nextensions;	/* extension lines after the root */
};

/* Parse the note text of a checkpoint. */
int	checkpoint_parse(const char *text, size_t len, struct checkpoint *c);
/* Append "origin\nsize\nbase64(root)\n" to b. */
void	checkpoint_format(const struct checkpoint *c, struct buf *b);
/*
 * Parse a signed checkpoint note, verify it with the log key (whose name
 * must be the origin) and return its body. LD_EBADSIG or LD_EINVAL; and
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

int	tlog_proof_parse(const char *s, size_t len, struct tlog_proof *p);
void	tlog_proof_free(struct tlog_proof *);
/* Append the receipt text to b. */
void	tlog_proof_format(const uint8_t *extra, size_t extra_len,
	    uint64_t index, const struct merkle_proof *proof,
	    const char *checkpoint, size_t checkpoint_len, struct buf *b);
/*
 * Verify a receipt completely: the checkpoint signature with the log key,
 * the inclusion of leaf hash SHA-256(0x00 || extra) at index. The extra
 * bytes are the leaf. On LD_OK, c (if not NULL) gets the checkpoint.
 */
int	tlog_proof_verify(const struct tlog_proof *p, const struct sig_key *log,
	    struct checkpoint *c);
/*
 * A checkpoint note whose signature verified, with the key that verified
 * it: receipts that carry the very same note bytes, for the same key,
 * skip the signature check (the receipts of a batch share their
 * checkpoint, and an Ed25519 check costs 75 us). Zero it to start.
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
