/* ledgerd.h - the server's shared state, configuration and limits. */
#ifndef LEDGERD_H
#define LEDGERD_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "checkpoint.h"
#include "entry.h"
#include "merkle.h"
#include "note.h"
#include "sig.h"
#include "store.h"
#include "tlog_proof.h"

#define LEDGERD_MAX_BODY	(32u << 20)	/* a 10,000-entry JSON batch fits */
#define LEDGERD_MAX_HEADERS	(16u << 10)
#define LEDGERD_TIMEOUT		30		/* seconds, per request read/write */
#define LEDGERD_REQUEST_TIMEOUT	20	/* seconds to deliver a whole request */
#define LEDGERD_QUEUE_MAX	200000		/* entries waiting to be sequenced */
#define LEDGERD_MAX_CONNS	16000	/* at most the fd limit less 64 */
#define LEDGERD_MAX_BUFFERED	(8ull * LEDGERD_MAX_BODY) /* bytes held for
					 * requests not yet answered */

struct cp;
struct httpd;
struct parser;
struct seq;
struct witness;

/* Set by ledgerd init --leaf-hash-index: every leaf hash is indexed. */
#define LEAFHASH_META	"leaf-hash-index"

/*
 * Who touches what: "set once" fields are written by main before any
 * thread starts and only read after; the others say their thread.
 */
struct ledgerd {
	/* configuration: set once (main.c) */
	const char	*datadir;
	const char	*listen;
	const char	*export_dir;	/* keep a static copy current, or NULL */
	char		*origin;
	int		 admin_remote;	/* accept admin calls from any peer */
	uint64_t	 mapsize;
	size_t		 queue_max;
	uint64_t	 max_conns;	/* stop accepting at this many (lowered
					 * by httpd_open to the fd limit) */
	unsigned	 request_timeout; /* seconds for each whole request */
	uint64_t	 max_buffered;	/* bytes held across connections */
	int		 leafhash_index; /* init --leaf-hash-index: lookups by
					  * leaf hash (meta LEAFHASH_META) */

	/* set once (main.c); each is safe to use from any thread */
	struct sig_key	*key;		/* the log's signing key */
	uint8_t		 token[32];	/* admin token, raw */
	struct store	*store;
	struct httpd	*http;		/* httpd_call from any thread */
	struct parser	*parser;	/* submissions, off the loop */
	struct seq	*seq;
	struct witness	*wit;		/* --witness-policy, or NULL */

	/* event loop only (read.c) */
	struct store_ncache *ncache;	/* upper tree nodes for reads */

	/* any thread, under cp_mu (cp.c); the sequencer replaces it */
	pthread_mutex_t	 cp_mu;
	struct cp	*cp;

	/* metrics (atomics): the sequencer adds (core.c, metrics.c), the
	 * event loop reads (/metrics) */
	_Atomic uint64_t m_appended[KIND_MAX + 1];
	_Atomic uint64_t m_commits;
	_Atomic uint64_t m_commit_entries;
	_Atomic uint64_t m_commit_us_hist[25];	/* log2 buckets of us; the last: slower */
	_Atomic uint64_t m_commit_us_sum;
	_Atomic uint64_t m_commit_size_hist[17];	/* log2 buckets, leaves; the last: more */
	_Atomic uint64_t m_submit_rejects;
};

#endif /* LEDGERD_H */
