/* client.h - the ledger client library: submit, receipts, verification. */
/*
 * What the ledger CLI does, for programs that embed it. Submitting: sign
 * a batch of entries with the issuer's key and get one receipt per entry
 * (c2sp.org/tlog-proof@v1, the leaf in its extra line). Verifying: a
 * receipt offline against the log's verifier key; a checkpoint fetched
 * from a server. Errors are LD_* codes with a message in a caller's
 * struct ld_error. An account's verified entries: client_account.h.
 */
#ifndef CLIENT_H
#define CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "checkpoint.h"
#include "codec.h"
#include "entry.h"
#include "err.h"
#include "fetch.h"
#include "note.h"
#include "sig.h"
#include "tlog_proof.h"
#include "trust.h"

struct json;

struct client_receipt {
	uint64_t	index;
	uint8_t		leaf_hash[32];
	int		duplicate;
	struct buf	text;		/* the tlog-proof receipt */
};

/* Sign b (issuer, entries) for the log origin with the issuer's key. */
int	client_sign_batch(struct codec_batch *b, const char *origin,
	    const struct sig_key *issuer_key);
/* The msgpack body of a signed batch. */
int	client_batch_body(const struct codec_batch *b, struct buf *body);
/*
 * Turn a submit reply (msgpack) into receipts: out[i] for entry i of the
 * batch b. Each receipt's leaf must hold exactly entry i of b for b's
 * issuer; with log != NULL every receipt is also verified against the
 * signed checkpoint. LD_EBADPROOF if the reply does not add up.
 */
int	client_submit_reply(const uint8_t *p, size_t len,
	    const struct codec_batch *b, const struct sig_key *log,
	    struct client_receipt *out, struct ld_error *e);
/* Map an error reply (JSON or msgpack) and status into e. */
void	client_error_reply(const struct fetch_resp *r, struct ld_error *e);
void	client_receipt_free(struct client_receipt *);

/* Submit one batch and wait (with retries of 503 and network errors). */
int	client_submit(struct fetch *f, struct codec_batch *b,
	    const struct sig_key *log, struct client_receipt *out,
	    struct ld_error *e);

/*
 * Verify a receipt offline: its checkpoint opened under t (trust.h: the
 * log key's signature; under a policy its quorum of cosignatures too),
 * the inclusion of the leaf in its extra line. On LD_OK l (if not NULL)
 * gets the decoded leaf (entry_leaf_free it) and c the checkpoint.
 */
int	client_verify_receipt(const char *text, size_t len,
	    const struct trust *t, struct entry_leaf *l, struct trust_cp *c,
	    struct ld_error *e);
/* The same, checking each distinct checkpoint once (seen: see
 * tlog_proof.h; zeroed by the caller, tlog_proof_seen_free after). */
int	client_verify_receipt_seen(const char *text, size_t len,
	    const struct trust *t, struct tlog_proof_seen *seen,
	    struct entry_leaf *l, struct trust_cp *c, struct ld_error *e);

/* Fetch /checkpoint and open it under t; note gets the signed note text. */
int	client_checkpoint(struct fetch *f, const struct trust *t,
	    struct trust_cp *c, struct buf *note, struct ld_error *e);
/*
 * Open the checkpoint note s (a page's or a receipt's, which the server
 * signed when it answered, before any witness cosigned it) under t. With
 * the log key alone, or a note that meets the policy itself: trust_open.
 * Else, under a policy: the note is opened with the log key alone, the
 * server's /checkpoint is opened under t, and the first is proved a
 * prefix of the second (consistency proof): c gets the first with the
 * second's policy_result and size (prefix_of). When the cosigned one is
 * older (the witnesses lag) nothing is proved: LD_EBADSIG, rule
 * "quorum-not-met", e says so. cnote and ccp (if not NULL) get the note
 * and body of the checkpoint that met t (s itself, or /checkpoint's).
 */
int	client_cover(struct fetch *f, const struct trust *t, const char *s,
	    size_t len, struct trust_cp *c, struct buf *cnote,
	    struct checkpoint *ccp, struct ld_error *e);
/*
 * Prove with the server's consistency proof that checkpoint b extends a
 * (same origin, a.size <= b.size). LD_EBADPROOF if it does not: with two
 * signed checkpoints, that is evidence of a fork.
 */
int	client_consistency(struct fetch *f, const struct checkpoint *a,
	    const struct checkpoint *b, struct ld_error *e);
/* GET path with Accept: application/json and parse it (LD_ENOTFOUND on
 * 404). *doc is freed with json_free. */
int	client_get_json(struct fetch *f, const char *path, struct json **doc,
	    struct ld_error *e);
/* The log's origin from an unverified /checkpoint (for signing). */
int	client_origin(struct fetch *f, char *origin, size_t len,
	    struct ld_error *e);

#endif /* CLIENT_H */
