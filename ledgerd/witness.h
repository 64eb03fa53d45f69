/* witness.h - ledgerd as a C2SP tlog-witness client: checkpoints sent to
 * the witnesses of a policy, their cosignatures collected and served. */
/*
 * ledgerd serve --witness-policy FILE. The policy (policy.h) must list
 * this log (its origin and key) and give every witness a URL, the
 * witness's submission prefix. One thread per witness sends it the latest
 * checkpoint (POST URL/add-checkpoint, tlog_witness.h) with the
 * consistency proof from the size that witness last cosigned, read from
 * the store in a read transaction; that size is learned from a 409 at
 * start. A round starts when a newer checkpoint exists and the previous
 * round started at least WITNESS_ROUND_MS earlier: under load each witness
 * gets about one checkpoint a second. A witness that fails is retried on
 * the latest checkpoint after a backoff (1 s doubling to
 * WITNESS_BACKOFF_MAX_S); a slow one delays nobody: it has its own
 * thread, and no thread of the log waits for any of them.
 *
 * The returned lines are kept only if they are cosignature/v1 lines of
 * the witness's key from the policy that verify (note_verify), with a
 * timestamp that is not 0. witness_checkpoint gives the newest checkpoint
 * sent whose cosignatures meet the policy's quorum (policy_check), with
 * them appended.
 *
 * Contract. witness_start once (main thread, after seq_start: it needs
 * the current checkpoint); witness_checkpoint and witness_metrics from any
 * thread; witness_stop joins every thread (each ends within the fetch
 * timeout, WITNESS_TIMEOUT_S) before the store closes. Memory is bounded:
 * WITNESS_CANDIDATES checkpoints held, each with at most one line per
 * witness of at most TLOG_WITNESS_MAX_RESP bytes.
 */
#ifndef WITNESS_H
#define WITNESS_H

#include "buf.h"
#include "err.h"
#include "ledgerd.h"

#define WITNESS_ROUND_MS	1000
#define WITNESS_BACKOFF_MAX_S	4
#define WITNESS_TIMEOUT_S	5
#define WITNESS_CANDIDATES	8

struct witness;
struct cp;

/*
 * Load the policy at path and start the threads. LD_EINVAL (e says why:
 * the policy's own error, "does not list this log's key", "witness X has
 * no URL", "witness X: URL ..."), or the policy's codes; nothing started
 * then.
 */
int	witness_start(struct ledgerd *, const char *path, struct witness **,
	    struct ld_error *e);
/* Stop and join the threads, free everything. NULL is fine. */
void	witness_stop(struct witness *);
/*
 * The newest checkpoint whose collected cosignatures meet the quorum,
 * with them appended to its note (a reference: cp_put it), or NULL if
 * none does yet.
 */
struct cp *witness_checkpoint(struct witness *);
/* Append the per-witness metrics (ledger_witness_*) to out. */
void	witness_metrics(struct witness *, struct buf *out);
/* The witnesses, their URLs and the quorum, for the startup line:
 * "witnesses W1 <URL1>, W2 <URL2> (quorum Q)". */
void	witness_describe(struct witness *, struct buf *out);

#endif /* WITNESS_H */
