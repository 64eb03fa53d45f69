/* witness.h - ledger-audit witness: the C2SP tlog-witness HTTP server. */
/*
 * Routes, under the listen root:
 *
 *	POST /add-checkpoint		witness_core_add (its statuses and
 *					content types, tlog-witness)
 *	GET  /<hex SHA-256(origin)>/checkpoint	the monitoring read
 *					(witness_core_latest)
 *
 * 404 for any other path, 405 (with Allow) for another method on a
 * known one, 413 for a body over TLOG_WITNESS_MAX_BODY. Each request is
 * answered on the event loop, the state's fsync included: the answer
 * exists only once the new record is durable. SIGTERM or SIGINT stops the
 * server after the replies in flight. Nothing a request carries makes it
 * exit.
 */
#ifndef WITNESS_H
#define WITNESS_H

/* The command line of "ledger-audit witness". */
struct witness_opts {
	const char	*listen;	/* HOST:PORT */
	const char	*key;		/* file: the cosigner's private key */
	const char	*policy;	/* file: tlog-policy, its log lines */
	const char	*state;		/* directory (must exist) */
	int		 replay;	/* the auditor cosigner (attest.h) */
	const char	*cacert;	/* --replay over https: the CAs */
};

/*
 * Load the key (a cosignature/v1 key, type 0x04, in a file others cannot
 * read), the policy (at least one log) and the state, listen, print one
 * line naming the key's vkey, the logs and the address, and serve until
 * a signal. The state directory is locked (DIR/witness.lock, flock) while
 * serving: a second witness on it is refused. Returns a CLI_EXIT_* code:
 * CLI_EXIT_USAGE for bad local input (the reason logged), CLI_EXIT_FAIL
 * if the state is locked or the server cannot start.
 *
 * With replay (the auditor cosigner), every log line of the policy needs
 * the log's URL; each log gets a mirror (DIR/replay/<hex SHA-256 of its
 * vkey>) and a worker thread (attest.h). A request the witness would
 * answer 200 is first checked there: the mirror synced from the log's
 * tiles up to its checkpoint and every rule replayed. No finding: the
 * witness decides and cosigns as usual (a 409 if its state moved
 * meanwhile). Findings: 422 with one "CODE COUNT" line per finding code,
 * the evidence kept in the mirror. Not mirrored (the log unreadable, or a
 * check already running): 503 with Retry-After; never a cosignature for
 * what was not replayed.
 */
int	witness_serve(const struct witness_opts *);

#endif /* WITNESS_H */
