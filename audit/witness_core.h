/* witness_core.h - the witness's add-checkpoint decision (C2SP
 * tlog-witness), without HTTP. */
/*
 * The checks, in the spec's order, and their statuses:
 *
 *	404	the origin is not a log of the policy
 *	403	no line of a log key of that origin verifies, or one fails
 *	400	old > the checkpoint's size (and a body that does not parse)
 *	409	old is not the size of the latest checkpoint cosigned for the
 *		origin (0 if never); body "<that size>\n", text/x.tlog.size
 *	422	size 0 with a root other than SHA-256(""); old 0 with a proof;
 *		old == size with another root (or a proof); a consistency
 *		proof from old that does not verify
 *	200	one cosignature/v1 line of the witness key, timestamp
 *		max(now, the last one given for the origin) >= 1
 *	500	the state cannot be read or written (nothing cosigned)
 *
 * On 200 the new record (the checkpoint text, the log signature lines
 * verified, the cosignature) is durable before the reply exists
 * (witness_state.h). The cosignature's timestamp never goes back for an
 * origin, so two cosignatures never claim conflicting "largest tree as
 * of t" statements if the clock steps back.
 *
 * Contract. The policy and key are read-only and may be shared by
 * threads; a reply is the caller's (witness_core_reply_free). Out of
 * memory exits.
 */
#ifndef WITNESS_CORE_H
#define WITNESS_CORE_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "policy.h"
#include "sig.h"
#include "tlog_witness.h"
#include "witness_state.h"

/* What to answer. */
struct witness_core_reply {
	int		 status;	/* 200, 400, 403, 404, 409, 422, 500 */
	const char	*content_type;	/* static; TLOG_WITNESS_SIZE_TYPE on
					 * 409, "text/plain" otherwise */
	struct buf	 body;		/* 200: the cosignature line; 409:
					 * "<size>\n"; else empty */
	uint64_t	 size;		/* 409: the witness's size */
	char		 why[256];	/* for the witness's log: what failed */
};

/*
 * The pure decision for a parsed request req, given the origin's current
 * record cur (cur->found 0: never cosigned), the logs of p, the witness's
 * cosigner key (type 0x04, private) and the time now (POSIX seconds).
 * Fills out; on 200 also appends the record to persist to next. LD_OK
 * whatever the status; LD_EINVAL for a key that cannot cosign or now 0.
 */
int	witness_core_decide(const struct policy *p, const struct sig_key *key,
	    const struct tlog_witness_req *req,
	    const struct witness_state_rec *cur, uint64_t now,
	    struct witness_core_reply *out, struct buf *next);

/*
 * The whole add-checkpoint for a request body: parse (400 on failure),
 * then witness_core_decide inside witness_state_update (the atomic
 * compare-and-set), then the reply. LD_OK with a 2xx or 4xx status;
 * otherwise the state's error with status 500 (and no cosignature).
 */
int	witness_core_add(const struct policy *p, const struct sig_key *key,
	    struct witness_state *st, const char *body, size_t len,
	    uint64_t now, struct witness_core_reply *out);

/*
 * The monitoring read (GET <prefix>/<origin hash>/checkpoint): for the
 * log of p whose origin's SHA-256 in lowercase hex is hash (64 bytes),
 * append its latest cosigned checkpoint to b, verbatim with the log
 * signatures verified and the witness's cosignature. LD_ENOTFOUND (404)
 * for a hash that is not exactly such a log's or a log never cosigned;
 * else witness_state_read's codes.
 */
int	witness_core_latest(const struct policy *p, struct witness_state *st,
	    const char *hash, size_t len, struct buf *b);

void	witness_core_reply_free(struct witness_core_reply *);

#endif /* WITNESS_CORE_H */
