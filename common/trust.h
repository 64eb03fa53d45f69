/* trust.h - what a verifier trusts (the log's key alone, or a C2SP
 * tlog-policy) and opening a signed checkpoint under it. */
/*
 * Every client command and ledger-audit sync accept a checkpoint only
 * through trust_open: with the log key alone, a checkpoint signed by
 * that key; under a policy (policy.h), also a quorum of the policy's
 * witnesses' cosignatures (policy_check). One struct trust carries
 * which, so that the code between the command line and the check never
 * threads a key and a policy side by side.
 *
 * Contract. A struct trust borrows its key and policy: the caller keeps
 * them alive as long as the trust is used. It is read-only after
 * trust_init, so any number of threads may open checkpoints with it at
 * once. trust_open writes *out only on LD_OK. Out of memory exits.
 */
#ifndef TRUST_H
#define TRUST_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "checkpoint.h"
#include "err.h"
#include "policy.h"
#include "sig.h"

struct json;

/* What a verifier trusts. */
struct trust {
	const struct sig_key	*log;		/* the log's key, always set */
	const struct policy	*policy;	/* NULL: the log key alone */
	const char		*policy_name;	/* names it in messages */
};

/*
 * The trust in log alone (policy NULL), or in policy p, whose log key is
 * log if given, else the policy's only log line. LD_EINVAL when log is
 * not one of p's log keys (same name and public key) or when log is NULL
 * and p lists more than one log (or none); e's message says which.
 * name (may be NULL: "the policy") is how messages name p.
 */
int	trust_init(struct trust *t, const struct sig_key *log,
	    const struct policy *p, const char *name, struct ld_error *e);

/* A checkpoint that trust_open accepted. */
struct trust_cp {
	struct checkpoint	cp;
	struct policy_result	pr;	/* under a policy: what it found */
	/* 0: cp itself was opened under the trust. Else cp was opened with
	 * the log key alone and proved (a verified consistency proof) a
	 * prefix of a checkpoint of this size opened under the trust, whose
	 * policy_result pr is (client_cover, client.h). */
	uint64_t		prefix_of;
};

/*
 * Open the signed checkpoint note s (len bytes) under t: the log key's
 * signature (checkpoint_open: the origin is the key's name, no
 * extension lines), then under a policy every listed key's line must
 * verify and the quorum must be met (policy_check). Errors, e (if not
 * NULL) naming what failed with the checkpoint's size when it is known:
 * LD_EINVAL (rule "checkpoint-format": not a checkpoint note), LD_ERULE
 * (rule "checkpoint-extensions", CHECKPOINT_EXT_MSG), LD_EBADSIG (rule
 * "checkpoint-signature": not signed by the log key; or policy_check's
 * rule: "bad-cosignature" naming the witness, "quorum-not-met" with
 * policy_describe's text: the witnesses it has and the ones it lacks).
 */
int	trust_open(const struct trust *t, const char *s, size_t len,
	    struct trust_cp *out, struct ld_error *e);

/*
 * Append what opening c under t proved, for people: "signed by LOG" with
 * the key alone; under a policy "signed by LOG and cosigned by W1, W2
 * (policy NAME: quorum Q needs 2 of {W1, W2, W3})", or "... (policy NAME:
 * quorum none: no cosignature needed)"; with prefix_of, "checkpoint of
 * size N signed by LOG, a prefix (consistency proof verified) of the
 * checkpoint of size M signed by LOG and cosigned by ..." (M = N: "the
 * same tree (same size and root) as the checkpoint signed by LOG and
 * cosigned by ...").
 */
void	trust_describe(const struct trust *t, const struct trust_cp *c,
	    struct buf *b);
/*
 * The same for JSON outputs: {"log_key": LOG, "policy": NAME or null,
 * "quorum": Q or null, "quorum_met": bool, "cosigned_by": [W...],
 * "quorum_rule": the text in parentheses above or null, "prefix_of":
 * M or null}.
 */
struct json	*trust_json(const struct trust *t, const struct trust_cp *c);

/* The policy's quorum rule, for people: "quorum Q needs 2 of {W1, W2,
 * W3}" or "quorum none: no cosignature needed"; nothing with the key
 * alone. */
void	trust_rule(const struct trust *t, struct buf *b);

/* Key names of cosigners that attest a replay end in this. */
#define TRUST_REPLAYED_SUFFIX	"/replayed"
/*
 * The policy's auditor cosigners (witnesses whose key name ends in
 * TRUST_REPLAYED_SUFFIX) whose cosignature of c verified with a non-zero
 * timestamp: their names, "NAME (KEY NAME)" joined by ", ", appended to
 * b; returns how many (0 with the key alone).
 */
size_t	trust_replayed(const struct trust *t, const struct trust_cp *c,
	    struct buf *b);

#endif /* TRUST_H */
