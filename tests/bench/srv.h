/* srv.h - a private ledgerd for the benchmarks, and signed batches for it. */
/*
 * Each server runs the real build/bin/ledgerd on a temporary data
 * directory, listens on 127.0.0.1 on a port the kernel picks (parsed from
 * its log, as tests/e2e/lib.sh does) and is killed when the bench exits,
 * however it exits. Batches are credits signed with the client library
 * (client_sign_batch), with distinct dedup keys (SHA-256 of a salt and a
 * counter) and accounts spread over BENCH_ACCOUNTS ids.
 */
#ifndef SRV_H
#define SRV_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "buf.h"

#define BENCH_ACCOUNTS	100000
#define BENCH_ISSUER	"bench-issuer"
#define BENCH_METHOD	"transit.bus.v1"
#define BENCH_DAY0	19905		/* 2024-07-01 */

struct fetch;
struct sig_key;

struct srv {
	char		 dir[512];	/* the data directory */
	char		 logpath[560];
	char		 origin[128];
	char		 auth[80];	/* "Bearer <admin token>" */
	char		 vkey[512];	/* the log's verifier key */
	pid_t		 pid;
	int		 port;
	char		 url[64];
	struct fetch	*f;
	const char	*witness_policy;	/* serve --witness-policy, or NULL */
};

/* A scratch directory under $TMPDIR or /tmp, removed at exit. */
const char	*bench_tmpdir(void);
/* The programs under test: $B/bin (build/bin) copied into the scratch
 * directory on first use. */
const char	*bench_bindir(void);

/* ledgerd init in tmpdir/name. */
int	srv_init(struct srv *, const char *name);
/* ledgerd serve; returns once GET /checkpoint answers 200 and sets
 * *ready to the seconds from fork to that answer (may be NULL). */
int	srv_start(struct srv *, double *ready);
/* Start argv (killed at exit like the servers), its output to logpath;
 * wait until it logs "listening on 127.0.0.1:PORT": its pid, or -1. */
pid_t	srv_spawn_listening(char *const argv[], const char *logpath,
	    int *port);
/* SIGTERM, wait (bounded), SIGKILL if need be. */
void	srv_stop(struct srv *);
/* kill -9: no flush of the deferred indexes, no clean close. */
void	srv_kill(struct srv *);
/* The value of a gauge or counter in /metrics, 0 if absent. */
uint64_t srv_metric(struct srv *, const char *name);
/* Register the bench issuer (key k) and the bench method (huge caps). */
int	srv_register(struct srv *, const struct sig_key *k);
/* GET path into out (a NUL-terminated body); the HTTP status or -1. */
int	srv_get(struct srv *, const char *path, struct buf *out);
/* The log size from /checkpoint, or 0. */
uint64_t srv_size(struct srv *);
/* Memory of a process in KiB, from /proc/PID/status. */
int	proc_rss(pid_t, uint64_t *rss, uint64_t *anon, uint64_t *file);
/* Bytes a process caused to be written to storage (/proc/PID/io). */
uint64_t proc_write_bytes(pid_t);
/* CPU seconds (user + system) of this process so far. */
double	self_cpu(void);
/* A metric's value from /metrics text (first sample of that name). */
double	metric(const char *text, const char *name);
/* ledger_commit_seconds buckets from /metrics, cumulative: 24 finite
 * (1 us .. 8.4 s) and +Inf (le 1e9). */
#define COMMIT_BUCKETS	25
int	metric_commit_hist(const char *text, uint64_t cum[COMMIT_BUCKETS],
	    double le[COMMIT_BUCKETS]);

/* Run argv, wait up to timeout seconds; stdout into out (may be NULL).
 * Returns the exit status, or -1; *secs gets the wall time. */
int	run_cmd(char *const argv[], struct buf *out, double timeout,
	    double *secs);

/* perf record -g on pid for the given seconds into $BENCH_PERF/name.data
 * when BENCH_PERF is set (a directory); BENCH_PERF_CALLGRAPH=dwarf for
 * usable call chains. Returns the perf pid or 0. */
pid_t	perf_start(pid_t pid, const char *name, double seconds);
void	perf_wait(pid_t);

/* Signed batches. */
struct gen {
	struct sig_key		*key;
	char			 origin[128];
	uint8_t			 salt[16];
	_Atomic uint64_t	 next;		/* the next entry's counter */
};

void	gen_init(struct gen *, struct sig_key *key, const char *origin,
	    const char *salt);
/* n credits, counters [first, first + n), signed (codec_batch_free). */
struct codec_batch;
void	gen_batch_signed(struct gen *, uint64_t first, uint32_t n,
	    struct codec_batch *b);
/* A signed msgpack body of n credits, counters [first, first + n). */
void	gen_batch(struct gen *, uint64_t first, uint32_t n, struct buf *body);
/* count bodies of n credits each, built on nthreads threads. */
struct buf *gen_pool(struct gen *, uint32_t n, size_t count, int nthreads);
void	gen_pool_free(struct buf *, size_t count);
/* The dedup key of counter i (hex, 64 digits + NUL). */
void	gen_dedup_hex(const struct gen *, uint64_t i, char hex[65]);

#endif /* SRV_H */
