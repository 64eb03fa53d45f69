/* tlog_witness.h - the bodies of C2SP tlog-witness add-checkpoint:
 * the request, the 200 response (cosignature lines), the 409 size. */
/*
 * Request (c2sp.org/tlog-witness), every line ending in "\n":
 *
 *	old <size, decimal, no leading zeros; "0" for none>
 *	<base64 of a 32-byte hash>	0..63 lines: the consistency proof
 *	<empty line>
 *	<checkpoint: a signed note, verbatim, any number of signatures>
 *
 * 200 response: one or more note signature lines "— <name> <base64>\n".
 * 409 response (Content-Type TLOG_WITNESS_SIZE_TYPE): "<size>\n".
 *
 * Contract. Parsers are strict and bounded (TLOG_WITNESS_MAX_BODY) and
 * copy what they keep; a parsed request owns its memory
 * (tlog_witness_req_free, safe on a zeroed struct) and on failure leaves
 * nothing to free. No global state: any thread on its own arguments.
 * Out of memory exits.
 */
#ifndef TLOG_WITNESS_H
#define TLOG_WITNESS_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "checkpoint.h"
#include "note.h"

#define TLOG_WITNESS_MAX_PROOF	63
/* "old " + 20 digits + "\n", 63 proof lines of 45 bytes, "\n", a note. */
#define TLOG_WITNESS_MAX_BODY	(25 + TLOG_WITNESS_MAX_PROOF * 45 + 1 + \
				 NOTE_MAX)
/* The 200 response: at most this many lines, this many bytes. */
#define TLOG_WITNESS_MAX_COSIGS	16
#define TLOG_WITNESS_MAX_RESP	(16 * 1024)
#define TLOG_WITNESS_SIZE_TYPE	"text/x.tlog.size"

/* A parsed add-checkpoint request. */
struct tlog_witness_req {
	uint64_t		old;
	size_t			nproof;
	uint8_t			proof[TLOG_WITNESS_MAX_PROOF][32];
	struct note		note;	/* the checkpoint note, parsed */
	struct checkpoint	cp;	/* its body (extension lines counted) */
};

/*
 * Parse a request body. LD_EINVAL for anything but the format above
 * (including a checkpoint note whose text is not a checkpoint), LD_ETOOBIG
 * over TLOG_WITNESS_MAX_BODY, more than 63 proof lines or a note limit
 * (note.h). Signatures are not verified here. On failure *r is zeroed.
 */
int	tlog_witness_req_parse(const char *body, size_t len,
	    struct tlog_witness_req *r);
void	tlog_witness_req_free(struct tlog_witness_req *r);

/*
 * Append a request body to b: "old N\n", the proof lines, "\n" and the
 * checkpoint note cp (verbatim, cplen bytes). LD_EINVAL if nproof is over
 * 63, old is 0 with a proof, or cp is not a signed note (note_parse);
 * LD_ETOOBIG past TLOG_WITNESS_MAX_BODY. b is unchanged on failure.
 */
int	tlog_witness_req_format(uint64_t old, const uint8_t (*proof)[32],
	    size_t nproof, const char *cp, size_t cplen, struct buf *b);

/*
 * Parse a 200 response to a request for the checkpoint whose note text
 * (without signatures) is text: out becomes that text signed with exactly
 * the response's lines, ready for note_verify with the witness keys a
 * caller trusts (unknown keys are then ignored, a failing known one
 * refuses). LD_EINVAL unless the body is one or more signature lines
 * (note.h syntax) and nothing else; LD_ETOOBIG over
 * TLOG_WITNESS_MAX_RESP or TLOG_WITNESS_MAX_COSIGS lines. On failure out
 * is zeroed.
 */
int	tlog_witness_resp_parse(const char *text, size_t text_len,
	    const char *body, size_t len, struct note *out);

/* Parse a 409 body: "<decimal, no leading zeros>\n", nothing else.
 * LD_EINVAL otherwise. */
int	tlog_witness_size_parse(const char *body, size_t len, uint64_t *size);
/* Append "<size>\n" to b. */
void	tlog_witness_size_format(uint64_t size, struct buf *b);

#endif /* TLOG_WITNESS_H */
