/* tlog_proof.h - c2sp.org/tlog-proof@v1 receipts: parse, format, verify. */
/*
 * Contract. The parser copies what it keeps: a parsed struct tlog_proof
 * owns its memory (tlog_proof_free leaves it zeroed and is safe on a
 * zeroed struct or NULL) and holds no pointer into the input.
 * tlog_proof_parse zeroes its output first and, on failure, leaves
 * nothing to free. No global state: any thread, on its own arguments
 * (keys may be shared, sig.h); one thread at a time per tlog_proof_seen.
 * Out of memory exits.
 */
#ifndef TLOG_PROOF_H
#define TLOG_PROOF_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "checkpoint.h"
#include "merkle.h"
#include "sig.h"
#include "trust.h"

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
 * A checkpoint note opened under a trust (trust.h): receipts that carry
 * the very same note bytes, for the same key and policy, skip its
 * checks (the receipts of a batch share their checkpoint, and an Ed25519
 * check costs 75 us). Zero it to start; tlog_proof_seen_free at the end.
 * One thread at a time per tlog_proof_seen.
 */
struct tlog_proof_seen {
	struct buf		 text;
	char			 key_name[SIG_NAME_MAX + 1];
	uint8_t			 key_pub[32];
	const struct policy	*policy;
	struct trust_cp		 tc;
};
void	tlog_proof_seen_free(struct tlog_proof_seen *);
/* tlog_proof_verify, remembering the verified note in seen (NULL: none). */
int	tlog_proof_verify_seen(const struct tlog_proof *p,
	    const struct sig_key *log, struct tlog_proof_seen *seen,
	    struct checkpoint *c);
/*
 * Verify a receipt under t: its checkpoint opened by trust_open (under a
 * policy, the quorum too), then the inclusion of its extra data at index.
 * Errors: trust_open's (e says why), LD_EINVAL for a receipt without
 * extra data, LD_EBADPROOF if the inclusion fails (e not filled for
 * these two). On LD_OK, tc (if not NULL) gets the opened checkpoint.
 */
int	tlog_proof_verify_trust(const struct tlog_proof *p,
	    const struct trust *t, struct tlog_proof_seen *seen,
	    struct trust_cp *tc, struct ld_error *e);

#endif /* TLOG_PROOF_H */
