/* policy.h - C2SP tlog-policy: which checkpoints a verifier accepts. */
/*
 * A policy file (c2sp.org/tlog-policy) lists logs, witnesses, groups of
 * witnesses with thresholds and one quorum:
 *
 *	log <vkey> [<url>]			vkey type 0x01, name = origin
 *	witness <name> <vkey> [<url>]		vkey type 0x04 (cosignature/v1)
 *	group <name> <k>|all|any <member>...	1 <= k <= n members
 *	quorum <name>|none			exactly one
 *
 * Items are separated by spaces and tabs; leading and trailing ones are
 * allowed; blank lines and lines whose first item starts with "#" are
 * ignored. Every line ends in "\n" (the last one too). Octets allowed:
 * tab, newline, 0x20-0x7e and 0x80-0xff (opaque: names compare as bytes).
 * Witnesses and groups share one namespace; a group or the quorum names
 * only what earlier lines defined; each name is a group member at most
 * once in the whole file; "none" is predefined and valid only in the
 * quorum line. The same public key twice (under any name, as log or as
 * witness) is refused: the cosignature/v1 message does not commit to the
 * cosigner's name. Only Ed25519 keys are supported (an ML-DSA-44 0x06
 * witness is refused with a message saying so).
 *
 * Limits: POLICY_MAX_LOGS logs, POLICY_MAX_WITNESSES witnesses,
 * POLICY_MAX_GROUPS groups, POLICY_MAX_BYTES bytes, names up to
 * POLICY_NAME_MAX bytes, URLs up to POLICY_URL_MAX bytes: memory is
 * bounded by these, whatever the input.
 *
 * Contract. A struct policy is the caller's (policy_free); it is
 * read-only once parsed, so any number of threads may evaluate with it at
 * once. Strings and keys the accessors return are borrowed from it.
 * Out of memory exits.
 */
#ifndef POLICY_H
#define POLICY_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "err.h"
#include "note.h"
#include "sig.h"

#define POLICY_MAX_LOGS		64
#define POLICY_MAX_WITNESSES	64
#define POLICY_MAX_GROUPS	64
#define POLICY_MAX_BYTES	(256 * 1024)
#define POLICY_NAME_MAX		255
#define POLICY_URL_MAX		2048

struct policy;		/* opaque */

/*
 * Parse a policy file of len bytes. LD_EINVAL for any syntax or meaning
 * error, LD_ETOOBIG over a limit; e (if not NULL) then says why, with the
 * line number: "line 7: witness X2: the same public key as witness X1".
 * On failure nothing is allocated.
 */
int	policy_parse(const char *s, size_t len, struct policy **out,
	    struct ld_error *e);
/* policy_parse of a file (at most POLICY_MAX_BYTES): LD_ENOTFOUND,
 * LD_ESYS, or policy_parse's codes; e's message names the path. */
int	policy_load(const char *path, struct policy **out, struct ld_error *e);
void	policy_free(struct policy *);

/*
 * Append p in canonical form to b: the log lines, then the witnesses and
 * groups in the order they were defined (thresholds as numbers), then
 * the quorum; single spaces, no comments. policy_parse of it gives the
 * same policy, and formatting that gives the same bytes.
 */
void	policy_format(const struct policy *p, struct buf *b);

/* Logs in file order: the origin (the key's name), the key, the URL or
 * NULL. i < policy_nlogs. */
size_t			 policy_nlogs(const struct policy *);
const char		*policy_log_origin(const struct policy *, size_t i);
const struct sig_key	*policy_log_key(const struct policy *, size_t i);
const char		*policy_log_url(const struct policy *, size_t i);
/* The index of the first log of origin at or after from, or -1. A log
 * may be listed under several keys (key rotation): loop with from. */
long	policy_log_find(const struct policy *, const char *origin,
	    size_t from);

/* Witnesses in file order: the policy's name, the key (its key name is
 * the cosigner name of the signature lines), the URL or NULL. */
size_t			 policy_nwitnesses(const struct policy *);
const char		*policy_witness_name(const struct policy *, size_t i);
const struct sig_key	*policy_witness_key(const struct policy *, size_t i);
const char		*policy_witness_url(const struct policy *, size_t i);

/* The quorum's name ("none" for quorum none). */
const char	*policy_quorum(const struct policy *);

/* Why a witness counts or not, in a policy_result. */
enum policy_cosig {
	POLICY_COSIG_MISSING = 0,	/* no line of its key */
	POLICY_COSIG_OK,		/* verified, timestamp not zero */
	POLICY_COSIG_ZERO_TIME,		/* verified, timestamp 0: no
					 * statement of freshness; not
					 * counted */
};

/* What policy_check found. */
struct policy_result {
	int		log;		/* the log whose signature verified, or -1 */
	int		quorum_met;	/* 1 if the quorum is satisfied */
	uint64_t	size;		/* the checkpoint's size */
	enum policy_cosig cosig[POLICY_MAX_WITNESSES];	/* per witness */
	uint64_t	time[POLICY_MAX_WITNESSES];	/* its timestamp */
};

/*
 * Check a signed checkpoint n (note_parse) against p: its body must be a
 * checkpoint (checkpoint.h) whose origin is a listed log's, with a
 * verified signature by that log's key; every line of a listed key (log
 * or witness) must verify, or the whole note is refused (signed-note: a
 * note with a known key's failing signature is malformed); lines of
 * unknown keys are ignored; then the quorum is evaluated over the
 * witnesses whose cosignature/v1 line verified with a non-zero
 * timestamp (tlog-witness: a witness never cosigns with 0).
 *
 * LD_OK if the quorum is met. Else LD_EINVAL (e's rule
 * "not-a-checkpoint") or LD_EBADSIG, e's rule naming which:
 * "unknown-origin", "no-log-signature", "bad-log-signature",
 * "bad-cosignature" (e's message names the witness) or "quorum-not-met"
 * (e's message is policy_describe's, cut at 511 bytes: call it for the
 * whole text). r is filled as far as the check went (also on failure).
 */
int	policy_check(const struct policy *p, const struct note *n,
	    struct policy_result *r, struct ld_error *e);
/*
 * Append to b what r means for p's quorum, one line without "\n":
 * "quorum X needs 2 of {A, B, C}; cosigned by A; missing B, C" (nested
 * groups are written out: "X-and-Y needs all of {X-witnesses (2 of {X1,
 * X2, X3}), Y-witnesses (any of {Y1, Y2})}"); "quorum none: no
 * cosignature needed" for none. Only the witnesses the quorum reaches are
 * listed; one with a zero timestamp is shown as "W (timestamp 0, not
 * counted)" among the missing.
 */
void	policy_describe(const struct policy *p, const struct policy_result *r,
	    struct buf *b);

#endif /* POLICY_H */
