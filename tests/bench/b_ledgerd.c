/* b_ledgerd.c - the real ledgerd over loopback, each figure beside its limit. */
/*
 * One private ledgerd (build/bin/ledgerd, 127.0.0.1, a kernel-picked
 * port, a scratch data directory) is driven by the C load generator in
 * load.c; the limits are measured in this process in the same run:
 *
 *  1. batched submissions (8 connections x 1000-entry signed batches,
 *     durable): entries/s, p50/p99 request latency, ledgerd's mean group
 *     commit time (measured time / commits, its /metrics histogram
 *     beside it) and bytes written per entry; limits: the same LMDB puts
 *     per entry with the same sync policy and group size through
 *     common/store.c, and the SHA-256 work per entry.
 *  2. single-entry submissions (64 keep-alive connections): requests/s,
 *     p50/p99; limits: the null route (the same evhttp setup answering a
 *     fixed 100-byte body) under the same requests, and Ed25519 verify/s.
 *  3. GET /v1/proof/inclusion and GET /tile/0/N (64 connections, random
 *     indexes on a log of >= 200,000 entries); limit: the null route.
 *  5. restart time (fork to the first GET /checkpoint answered), after
 *     SIGTERM and after kill -9, RSS and bytes on disk at 10^6 and 10^7
 *     entries (quick: 2*10^4, 5*10^4).
 *  7. bounded cost per request: 64 connections send the largest allowed
 *     body (32 MiB of JSON that passes the pre-pass, parsed in full) for
 *     10 s (quick 3 s) to a fresh ledgerd: its peak RSS (VmHWM) beside
 *     the most body bytes it held (ledger_http_buffered_bytes, sampled
 *     every 10 ms), target under 3 times.
 *  6. ledger submit end to end (10^6 credits; quick 2*10^4), beside row 1's
 *     rate, and ledger-audit sync of that log into a fresh state, beside
 *     the 300,000 entries/s target.
 *
 * Row 4 (checkpoint signing) is b_sign. argv[1] is the number of rounds:
 * 1 is the quick smoke run (1-second submissions, half-second reads, small
 * logs); otherwise rows 2 and 3 measure each limit and figure that many
 * times, alternately, and report the median round, and row 1 runs once
 * for 10 s (it grows the log). BENCH_PERF=DIR records perf profiles of
 * ledgerd during rows 1, 2 and 3 (the first round) into DIR (BENCH_PERF_CALLGRAPH=dwarf for
 * call chains). BENCH_KEEP=1 keeps the scratch files. For working on one
 * row: BENCH_ONLY=single,batched,reads,cli,bodies (any of them) runs only those,
 * BENCH_SECONDS=S measures submissions for S seconds.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench.h"
#include "buf.h"
#include "client.h"
#include "codec.h"
#include "day.h"
#include "entry.h"
#include "err.h"
#include "fetch.h"
#include "file.h"
#include "load.h"
#include "merkle.h"
#include "note.h"
#include "policy.h"
#include "rules.h"
#include "rules_store.h"
#include "sig.h"
#include "srv.h"
#include "store.h"
#include "wipe.h"
#include "xmalloc.h"

#define MAX_ROUNDS	7

static int	quick, rounds;
static double	dur_submit;	/* seconds per submission measurement */
static double	dur_read;	/* seconds per read measurement */
static int	failed;

static void
note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
note(const char *fmt, ...)
{
	va_list	ap;

	fprintf(stderr, "# b_ledgerd: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static double
now_s(void)
{
	return (double)bench_now_ns() / 1e9;
}

/* ---- request sources ------------------------------------------------------ */

/*
 * Pre-built bodies, POSTed in order; cycled for the null route. With
 * live set, batches of live_n are signed as they are sent once the pool
 * runs out (the load generator then spends CPU signing: noted).
 */
struct src_pool {
	struct buf	*bodies;
	size_t		 count, next;
	int		 cycle;
	struct gen	*live;
	uint32_t	 live_n;
	uint64_t	 live_sent;
	struct buf	 lbufs[8];
};

static int
gen_from_pool(void *arg, unsigned conn, struct load_req *r)
{
	struct src_pool	*s = arg;
	struct buf	*b;

	if (s->next >= s->count && s->live != NULL) {
		b = &s->lbufs[conn % 8];
		gen_batch(s->live, atomic_fetch_add(&s->live->next,
		    s->live_n), s->live_n, b);
		s->live_sent++;
		goto send;
	}
	if (s->next >= s->count) {
		if (!s->cycle || s->count == 0)
			return -1;
		s->next = 0;
	}
	b = &s->bodies[s->next++];
send:
	load_head(r, "POST", "/v1/submit", "application/msgpack", NULL,
	    b->len);
	r->body = b->p;
	r->body_len = b->len;
	return 0;
}

/* Batches signed as they are sent (filling a log; not a measurement). */
struct src_live {
	struct gen	*g;
	uint32_t	 n;
	uint64_t	 left;
	struct buf	 bufs[64];
};

static int
gen_live(void *arg, unsigned conn, struct load_req *r)
{
	struct src_live	*s = arg;
	struct buf	*b = &s->bufs[conn % 64];
	uint64_t	 first;

	if (s->left == 0)
		return -1;
	first = atomic_fetch_add(&s->g->next, s->n);
	gen_batch(s->g, first, s->n, b);
	s->left = s->left > s->n ? s->left - s->n : 0;
	load_head(r, "POST", "/v1/submit", "application/msgpack", NULL,
	    b->len);
	r->body = b->p;
	r->body_len = b->len;
	return 0;
}

enum { READ_NULL, READ_PROOF, READ_TILE };

struct src_read {
	int		 kind;
	uint64_t	 size;
	uint64_t	 rng;
};

static uint64_t
xorshift(uint64_t *s)
{
	uint64_t	x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *s = x;
}

static int
gen_read(void *arg, unsigned conn, struct load_req *r)
{
	struct src_read		*s = arg;
	struct merkle_tile	 t;
	char			 path[MERKLE_TILE_PATH_MAX + 64];

	(void)conn;
	switch (s->kind) {
	case READ_PROOF:
		snprintf(path, sizeof(path), "/v1/proof/inclusion?index=%llu",
		    (unsigned long long)(xorshift(&s->rng) % s->size));
		break;
	case READ_TILE:
		t.level = 0;
		t.index = xorshift(&s->rng) % (s->size / MERKLE_TILE_WIDTH);
		t.width = MERKLE_TILE_WIDTH;
		path[0] = '/';
		if (merkle_tile_path(&t, path + 1, sizeof(path) - 1) !=
		    MERKLE_OK)
			abort();
		break;
	default:
		snprintf(path, sizeof(path), "/checkpoint");
		break;
	}
	load_head(r, "GET", path, NULL, NULL, 0);
	r->body = NULL;
	r->body_len = 0;
	return 0;
}

/* The round with the median rate (rounds are few: a sort by index). */
static int
median_round(const struct load_result *res, int n)
{
	int	idx[MAX_ROUNDS], i, j, t;

	for (i = 0; i < n; i++)
		idx[i] = i;
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && res[idx[j]].rps < res[idx[j - 1]].rps;
		    j--) {
			t = idx[j];
			idx[j] = idx[j - 1];
			idx[j - 1] = t;
		}
	return idx[n / 2];
}

static void
check_result(const char *what, const struct load_result *r)
{
	if (r->errors > 0 || r->requests == 0) {
		note("%s: %llu ok, %llu errors (first bad status %d)", what,
		    (unsigned long long)r->requests,
		    (unsigned long long)r->errors, r->bad_status);
		if (r->requests == 0)
			failed = 1;
	}
	if (r->exhausted)
		note("%s: the pre-signed pool ran out after %.2f s; the rate "
		    "is over that time", what, r->seconds);
}

/* ---- limits measured in this process --------------------------------------- */

/*
 * sig_verify (what ledgerd calls per batch) on one core for 0.3 s, with a
 * public key made once from the raw bytes, as ledgerd makes its own.
 */
static double
ed25519_verify_rate(struct sig_key *k)
{
	struct sig_key	*pub;
	uint8_t		 msg[120], sig[64];
	uint64_t	 t0, t, n = 0;

	memset(msg, 'm', sizeof(msg));
	if (sig_sign(k, msg, sizeof(msg), sig) != LD_OK ||
	    sig_key_from_pub(sig_key_name(k), SIG_TYPE_ED25519, sig_key_pub(k),
	    &pub) != LD_OK)
		abort();
	t0 = bench_now_ns();
	do {
		if (sig_verify(pub, msg, sizeof(msg), sig) != LD_OK)
			abort();
		n++;
		t = bench_now_ns();
	} while (t - t0 < 300000000ULL);
	sig_key_free(pub);
	return (double)n / ((double)(t - t0) / 1e9);
}

/*
 * ledgerd's own check of one batch's signature, as its verifier thread
 * runs it per submission: rules_batch_verify_key with the issuer's key
 * kept, formats the signed message and verifies.
 */
static double
batch_verify_rate(struct sig_key *k, const char *origin)
{
	struct entry_issuer	 iss;
	struct sig_key		*pk;
	struct buf		 msg = { 0 };
	uint8_t			 root[32], sig[64];
	uint64_t		 t0, t, n = 0;

	memset(&iss, 0, sizeof(iss));
	STR_SET(iss.id, sig_key_name(k), strlen(sig_key_name(k)));
	memcpy(iss.pub, sig_key_pub(k), 32);
	memset(root, 0x42, sizeof(root));
	rules_batch_message(origin, iss.id.s, 1, root, &msg);
	if (sig_sign(k, msg.p, msg.len, sig) != LD_OK)
		abort();
	buf_free(&msg);
	/* With the public key made once, as ledgerd's verifier keeps it. */
	if (sig_key_from_pub(iss.id.s, SIG_TYPE_ED25519, iss.pub, &pk) !=
	    LD_OK)
		abort();
	t0 = bench_now_ns();
	do {
		if (rules_batch_verify_key(origin, &iss, pk, 1, root, sig) !=
		    LD_OK)
			abort();
		n++;
		t = bench_now_ns();
	} while (t - t0 < 300000000ULL);
	sig_key_free(pk);
	return (double)n / ((double)(t - t0) / 1e9);
}

/* The encoding of a typical submitted credit (for the batch root). */
static size_t
sub_len(void)
{
	struct entry_sub	s;
	struct buf	b = { 0 };
	size_t		n;

	memset(&s, 0, sizeof(s));
	s.kind = KIND_CREDIT;
	STR_SET(s.account, "u-12345", 7);
	STR_SET(s.method, BENCH_METHOD, strlen(BENCH_METHOD));
	s.units = 1;
	s.grams = 80;
	s.day = BENCH_DAY0;
	memset(s.dedup, 0xab, 32);
	codec_sub_encode(&s, &b);
	n = b.len;
	buf_free(&b);
	return n;
}

/*
 * The SHA-256 work ledgerd does per credit, with libmerkle's functions:
 * the entry's hash and one node for the batch root, the daily-sum key,
 * the leaf hash and one node for the log tree.
 */
static double
sha_rate(size_t leaf_len)
{
	uint8_t		*leaf = calloc(1, leaf_len + 256), h[32], a[32] = { 1 };
	size_t		 slen = sub_len();
	uint64_t	 t0, t, n;
	double		 best = 0, rate;
	int		 r, i;

	if (leaf == NULL)
		abort();
	for (r = 0; r < rounds; r++) {
		n = 0;
		t0 = bench_now_ns();
		do {
			for (i = 0; i < 1000; i++) {
				memcpy(leaf, &n, 8);
				merkle_leaf_hash(h, leaf, slen);
				merkle_node_hash(a, a, h);
				merkle_sha256(h, leaf + 8, 60);
				merkle_leaf_hash(h, leaf, leaf_len);
				merkle_node_hash(a, h, a);
				n++;
			}
			t = bench_now_ns();
		} while (t - t0 < 300000000ULL);
		rate = (double)n / ((double)(t - t0) / 1e9);
		if (rate > best)
			best = rate;
	}
	free(leaf);
	return best;
}

static int
cmp_dbl(const void *a, const void *b)
{
	double	x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/*
 * Raw LMDB: an environment opened by common/store.c (so the same flags and
 * sync policy as ledgerd), and per entry the store calls the sequencer
 * makes for a credit: dedup get (x2), issuer get and put, method get,
 * daily sum get and put, account get and put, dedup put, the leaf
 * append and its tree node appends (no leaf-hash index: ledgerd's
 * default, docs/operators.md); one write
 * transaction per group of `group` entries (ledgerd's mean group in row
 * 1), committed (fsync) as ledgerd commits. The store is first filled,
 * untimed, to the size ledgerd's log had when row 1 started, because the
 * cost of random-key inserts grows with the trees. Keys, leaves and
 * hashes are prepared outside the timed part.
 */
struct raw_result {
	double	rate;			/* entries/s in transactions */
	double	p50_ms, p99_ms, mean_ms;	/* per group transaction */
	double	wbytes;			/* bytes written per entry */
	double	cpu;			/* CPU seconds / transaction seconds */
};

struct raw {
	struct store		*st;
	size_t			 leaf_len, cap;
	uint64_t		 size;
	struct merkle_tree	 tree;
	struct rules_head	 head;
	struct rules_issuer_state	 ist;
	struct rules_method_state	 mst;
	uint8_t			*leaves, (*lh)[32], (*dd)[32], (*dk)[16];
	char			(*acct)[16];
	size_t			*noff;
	struct merkle_node	*nodes;
};

/* One group of n entries; returns the nanoseconds of its transaction. */
static uint64_t
raw_group(struct raw *w, uint32_t n)
{
	const struct rules_ops	*o = &rules_store_ops;
	struct store_txn	*t;
	struct entry_account_ctr	 a;
	uint8_t			 seed[16];
	uint64_t		 x, idx, day, t0, k;
	size_t			 nn = 0, m;
	uint32_t		 j;

	memset(seed, 0x5c, sizeof(seed));
	for (j = 0; j < n; j++) {
		uint8_t	*l = w->leaves + (size_t)j * w->leaf_len;

		x = w->size + j;
		memset(l, 0xa5, w->leaf_len);
		memcpy(l, &x, 8);
		merkle_leaf_hash(w->lh[j], l, w->leaf_len);
		memcpy(seed, &x, 8);
		merkle_sha256(w->dd[j], seed, sizeof(seed));
		snprintf(w->acct[j], sizeof(w->acct[j]), "u-%llu",
		    (unsigned long long)(x % BENCH_ACCOUNTS));
		rules_day_key(BENCH_ISSUER, w->acct[j], BENCH_METHOD,
		    BENCH_DAY0 + (uint32_t)(x / BENCH_ACCOUNTS % 365), w->dk[j]);
		w->noff[j] = nn;
		merkle_tree_append(&w->tree, w->lh[j], w->nodes + nn, &m);
		nn += m;
	}
	w->noff[n] = nn;
	/* The group's transaction, as the sequencer runs it. */
	t0 = bench_now_ns();
	if (store_begin(w->st, 0, &t) != LD_OK)
		abort();
	for (j = 0; j < n; j++) {
		x = w->size + j;
		if (o->dedup_get(t, w->dd[j], &idx) != LD_ENOTFOUND ||
		    o->issuer_get(t, BENCH_ISSUER, &w->ist) != LD_OK ||
		    o->dedup_get(t, w->dd[j], &idx) != LD_ENOTFOUND ||
		    o->method_get(t, BENCH_METHOD, &w->mst) != LD_OK)
			abort();
		if (o->day_get(t, w->dk[j], &day) != LD_OK)
			day = 0;
		if (o->account_get(t, BENCH_ISSUER, w->acct[j], &a) != LD_OK) {
			memset(&a, 0, sizeof(a));
			a.prev = NO_INDEX;
		}
		a.credited += 80;
		a.prev = x;
		w->ist.ctr.credited += 80;
		w->ist.ctr.prev = x;
		if (o->day_put(t, w->dk[j], day + 80) != LD_OK ||
		    o->dedup_put(t, w->dd[j], x) != LD_OK ||
		    o->account_put(t, BENCH_ISSUER, w->acct[j], &a) != LD_OK ||
		    o->issuer_put(t, &w->ist) != LD_OK ||
		    store_leaf_put(t, x, w->leaves + (size_t)j * w->leaf_len,
		    w->leaf_len) != LD_OK)
			abort();
		for (k = w->noff[j]; k < w->noff[j + 1]; k++)
			if (store_node_put(t, w->nodes[k].level,
			    w->nodes[k].index, w->nodes[k].hash) != LD_OK)
				abort();
	}
	w->size += n;
	w->head.size = w->size;
	if (rules_store_head_put(t, &w->head) != LD_OK ||
	    store_commit(t) != LD_OK)
		abort();
	return bench_now_ns() - t0;
}

#define RAW_FILL_GROUP	50000

static void
raw_lmdb(size_t leaf_len, uint32_t group, uint64_t prefill, double secs,
    struct raw_result *rr)
{
	struct raw		 w;
	struct store_txn	*t;
	char			 dir[600];
	uint64_t		 ns, timed = 0, done = 0, w0, w1;
	double			*lat = NULL, wall0, cpu0, cpu = 0, fill0 = now_s();
	size_t			 nlat = 0, caplat = 0;

	memset(rr, 0, sizeof(*rr));
	memset(&w, 0, sizeof(w));
	snprintf(dir, sizeof(dir), "%s/raw-lmdb", bench_tmpdir());
	if (store_open(&w.st, dir, 0, 0) != LD_OK) {
		note("raw LMDB: cannot open %s", dir);
		return;
	}
	STR_SET(w.ist.reg.id, BENCH_ISSUER, strlen(BENCH_ISSUER));
	STR_SET(w.mst.reg.id, BENCH_METHOD, strlen(BENCH_METHOD));
	w.mst.reg.grams_per_unit = 80;
	if (store_begin(w.st, 0, &t) != LD_OK ||
	    rules_store_ops.issuer_put(t, &w.ist) != LD_OK ||
	    rules_store_ops.method_put(t, &w.mst) != LD_OK ||
	    store_commit(t) != LD_OK)
		abort();
	w.leaf_len = leaf_len;
	w.cap = group > RAW_FILL_GROUP ? group : RAW_FILL_GROUP;
	w.leaves = calloc(w.cap, leaf_len);
	w.lh = calloc(w.cap, 32);
	w.dd = calloc(w.cap, 32);
	w.dk = calloc(w.cap, 16);
	w.acct = calloc(w.cap, 16);
	w.noff = calloc(w.cap + 1, sizeof(*w.noff));
	w.nodes = calloc(2 * w.cap + 2 * MERKLE_MAX_LEVELS, sizeof(*w.nodes));
	if (!w.leaves || !w.lh || !w.dd || !w.dk || !w.acct || !w.noff ||
	    !w.nodes)
		abort();
	merkle_tree_init(&w.tree);
	/* Untimed: the size ledgerd's log had (bounded in time). */
	while (w.size < prefill && now_s() - fill0 < 60)
		raw_group(&w, prefill - w.size < RAW_FILL_GROUP ?
		    (uint32_t)(prefill - w.size) : RAW_FILL_GROUP);
	fill0 = now_s() - fill0;
	w0 = proc_write_bytes(getpid());
	wall0 = now_s();
	while (timed < (uint64_t)(secs * 1e9) && now_s() - wall0 < 4 * secs) {
		cpu0 = self_cpu();
		ns = raw_group(&w, group);
		cpu += self_cpu() - cpu0;
		timed += ns;
		done += group;
		if (nlat == caplat) {
			caplat = caplat ? 2 * caplat : 256;
			lat = xreallocarray(lat, caplat, sizeof(*lat));
		}
		lat[nlat++] = (double)ns / 1e6;
	}
	w1 = proc_write_bytes(getpid());
	store_close(w.st);
	qsort(lat, nlat, sizeof(*lat), cmp_dbl);
	rr->p50_ms = nlat ? lat[nlat / 2] : 0;
	rr->p99_ms = nlat ? lat[(size_t)((double)(nlat - 1) * 0.99 + 0.5)] : 0;
	rr->mean_ms = nlat ? (double)timed / 1e6 / (double)nlat : 0;
	rr->rate = timed ? (double)done / ((double)timed / 1e9) : 0;
	rr->wbytes = done ? (double)(w1 - w0) / (double)done : 0;
	rr->cpu = timed ? cpu / ((double)timed / 1e9) : 0;
	note("raw LMDB: filled to %llu entries in %.1f s, then %llu entries "
	    "in groups of %u: %.2f s in transactions (%.0f%% of it on CPU), "
	    "%.0f bytes written per entry", (unsigned long long)(w.size - done),
	    fill0, (unsigned long long)done, group, (double)timed / 1e9,
	    100 * rr->cpu, rr->wbytes);
	free(lat);
	free(w.leaves);
	free(w.lh);
	free(w.dd);
	free(w.dk);
	free(w.acct);
	free(w.noff);
	free(w.nodes);
}

/* ---- helpers on a running ledgerd ----------------------------------------- */

/* The mean leaf size in an entry bundle of the log (GET /tile/entries). */
static double
mean_leaf_len(struct srv *s, uint64_t size)
{
	struct merkle_tile	t;
	struct buf		b = { 0 };
	char			path[MERKLE_TILE_PATH_MAX + 1];
	size_t			off = 0, n = 0, len;

	if (size < 3 * MERKLE_TILE_WIDTH)
		return 0;
	t.level = MERKLE_TILE_ENTRIES;
	t.index = size / MERKLE_TILE_WIDTH / 2;
	t.width = MERKLE_TILE_WIDTH;
	path[0] = '/';
	if (merkle_tile_path(&t, path + 1, sizeof(path) - 1) != MERKLE_OK ||
	    srv_get(s, path, &b) != 200) {
		buf_free(&b);
		return 0;
	}
	while (off + 2 <= b.len) {
		len = (size_t)b.p[off] << 8 | b.p[off + 1];
		off += 2 + len;
		n++;
	}
	buf_free(&b);
	return n ? (double)(off - 2 * n) / (double)n : 0;
}

struct commit_stats {
	double	p50_ms, p99_ms;		/* bucket upper bounds */
	int	p50_open, p99_open;	/* in the last, open-ended bucket */
};

/* ledgerd's commit counters from /metrics. */
struct commit_snap {
	uint64_t	cum[COMMIT_BUCKETS];	/* ledger_commit_seconds buckets */
	double		le[COMMIT_BUCKETS];
	double		commits, entries, seconds;
};

static int
commit_snapshot(struct srv *s, struct commit_snap *c)
{
	struct buf	b = { 0 };
	int		rc = -1;

	memset(c, 0, sizeof(*c));
	if (srv_get(s, "/metrics", &b) == 200 &&
	    metric_commit_hist((const char *)b.p, c->cum, c->le) == 0) {
		c->commits = metric((const char *)b.p, "ledger_commits_total");
		c->entries = metric((const char *)b.p,
		    "ledger_commit_entries_total");
		c->seconds = metric((const char *)b.p,
		    "ledger_commit_seconds_sum");
		rc = 0;
	}
	buf_free(&b);
	return rc;
}

static void
commit_delta(const struct commit_snap *a, const struct commit_snap *b,
    struct commit_stats *cs)
{
	const uint64_t	*c0 = a->cum, *c1 = b->cum;
	const double	*le = b->le;
	uint64_t	 total, d;
	int		k;

	total = c1[COMMIT_BUCKETS - 1] - c0[COMMIT_BUCKETS - 1];
	cs->p50_ms = cs->p99_ms = 0;
	cs->p50_open = cs->p99_open = 0;
	for (k = 0; k < COMMIT_BUCKETS && total > 0; k++) {
		d = c1[k] - c0[k];
		if (cs->p50_ms == 0 && (double)d >= 0.5 * (double)total) {
			cs->p50_ms = le[k] * 1e3;
			cs->p50_open = k == COMMIT_BUCKETS - 1;
		}
		if (cs->p99_ms == 0 && (double)d >= 0.99 * (double)total) {
			cs->p99_ms = le[k] * 1e3;
			cs->p99_open = k == COMMIT_BUCKETS - 1;
		}
	}
}

/* Fill the log to at least want entries, signing as it goes (bounded). */
static uint64_t
fill(struct srv *s, struct gen *g, uint64_t want, double max_secs)
{
	struct src_live		 live;
	struct load_result	 res;
	uint64_t		 size = srv_size(s), size0 = size, w0;
	double			 t0 = now_s();
	int			 i;

	if (size >= want)
		return size;
	w0 = proc_write_bytes(s->pid);
	memset(&live, 0, sizeof(live));
	live.g = g;
	live.n = 1000;
	live.left = want - size;
	load_run(s->port, 8, max_secs, gen_live, &live, &res);
	for (i = 0; i < 64; i++)
		buf_free(&live.bufs[i]);
	size = srv_size(s);
	note("filled the log from %llu to %llu entries in %.1f s (%.0f "
	    "entries/s, signing included; ledgerd wrote %.1f KB/entry)",
	    (unsigned long long)size0, (unsigned long long)size, now_s() - t0,
	    (double)res.requests * 1000 / (res.seconds > 0 ? res.seconds : 1),
	    size > size0 ? (double)(proc_write_bytes(s->pid) - w0) /
	    (double)(size - size0) / 1e3 : 0);
	if (size < want)
		note("the fill stopped at %llu of %llu entries (time bound "
		    "%.0f s)", (unsigned long long)size,
		    (unsigned long long)want, max_secs);
	return size;
}

/* ---- the rows ------------------------------------------------------------------ */

/* 2. Single-entry submissions beside the null route and Ed25519 verify. */
static void
row_single(struct srv *s, int nullport, struct gen *g)
{
	struct load_result	 lr[MAX_ROUNDS], nr[MAX_ROUNDS];
	struct src_pool		 src;
	struct commit_snap	 c0, c1;
	double			 verify, bverify, est;
	uint64_t		 w0, w1;
	size_t			 count;
	pid_t			 perf;
	int			 r, m, mn;

	/* Best of `rounds`, the two measured alternately. */
	verify = bverify = 0;
	for (r = 0; r < rounds; r++) {
		if ((est = ed25519_verify_rate(g->key)) > verify)
			verify = est;
		if ((est = batch_verify_rate(g->key, g->origin)) > bverify)
			bverify = est;
	}
	est = 2 * verify;	/* both cores verifying: a generous bound */
	for (r = 0; r < rounds; r++) {
		count = (size_t)(est * dur_submit) + 1000;
		memset(&src, 0, sizeof(src));
		src.bodies = gen_pool(g, 1, count, 2);
		src.count = count;
		src.next = 0;
		src.cycle = 1;
		load_run(nullport, 64, dur_submit, gen_from_pool, &src, &nr[r]);
		check_result("null route, 1-entry POSTs", &nr[r]);
		src.next = 0;
		src.cycle = 0;
		perf = r == 0 ? perf_start(s->pid, "row2-single",
		    dur_submit) : 0;
		w0 = proc_write_bytes(s->pid);
		commit_snapshot(s, &c0);
		load_run(s->port, 64, dur_submit, gen_from_pool, &src, &lr[r]);
		w1 = proc_write_bytes(s->pid);
		if (commit_snapshot(s, &c1) != 0)
			c1 = c0;
		perf_wait(perf);
		note("row 2, round %d: %.0f req/s (%.0f leaves appended so far), "
		    "%.1f requests per group commit, ledgerd wrote %.1f KB "
		    "per request", r + 1, lr[r].rps, c1.entries,
		    c1.commits > c0.commits ? (c1.entries - c0.entries) / 2 /
		    (c1.commits - c0.commits) : 0, lr[r].requests ?
		    (double)(w1 - w0) / (double)lr[r].requests / 1e3 : 0);
		check_result("ledgerd, 1-entry submissions", &lr[r]);
		gen_pool_free(src.bodies, count);
		if (lr[r].rps > 0)
			est = 1.5 * lr[r].rps;
	}
	m = median_round(lr, rounds);
	mn = median_round(nr, rounds);
	bench_row_lat("single-entry submit, 64 conns", lr[m].p50_ms,
	    lr[m].p99_ms, lr[m].rps, "req/s", "null route, same requests",
	    nr[mn].rps);
	bench_row_lat("  null route itself (1-entry POST, 100 B reply)",
	    nr[mn].p50_ms, nr[mn].p99_ms, nr[mn].rps, "req/s",
	    "(the limit itself)", nr[mn].rps);
	bench_row("  single-entry submit vs signature checks",
	    lr[m].rps, "req/s", "Ed25519 verify (sig_verify), 1 core",
	    verify);
	bench_row("  ledgerd's batch check (rules_batch_verify_key)", bverify,
	    "checks/s", "Ed25519 verify (sig_verify), 1 core", verify);
}

/* 1. Batched submissions beside raw LMDB and SHA-256. Returns entries/s. */
static double
row_batched(struct srv *s, struct gen *g)
{
	struct load_result	 res;
	struct commit_stats	 cs;
	struct raw_result	 rr;
	struct src_pool		 src;
	struct commit_snap	 c0, c1;
	uint64_t		 w0, w1, size0, size1;
	double			 eps, leaf, sha, group, commit_ms, ncommits;
	size_t			 count;
	pid_t			 perf;
	char			 text[240], lim[120];
	double			 t0 = now_s();
	int			 k;

	/* Bodies for 300,000 entries/s, far above any rate seen here; then
	 * signed as sent (noted). */
	count = (size_t)(dur_submit * 300) + 16;
	memset(&src, 0, sizeof(src));
	src.bodies = gen_pool(g, 1000, count, 2);
	src.count = count;
	src.live = g;
	src.live_n = 1000;
	note("signed %zu batches of 1000 in %.1f s (%.0f MB)", count,
	    now_s() - t0, (double)count * (double)src.bodies[0].len / 1e6);
	if (commit_snapshot(s, &c0) != 0)
		note("no /metrics before row 1");
	size0 = srv_size(s);
	w0 = proc_write_bytes(s->pid);
	perf = perf_start(s->pid, "row1-batched", dur_submit);
	load_run(s->port, 8, dur_submit, gen_from_pool, &src, &res);
	perf_wait(perf);
	w1 = proc_write_bytes(s->pid);
	size1 = srv_size(s);
	check_result("ledgerd, 1000-entry batches", &res);
	if (src.live_sent > 0)
		note("row 1: the pool of %zu batches ran out; %llu more were "
		    "signed as they were sent", count,
		    (unsigned long long)src.live_sent);
	gen_pool_free(src.bodies, count);
	for (k = 0; k < 8; k++)
		buf_free(&src.lbufs[k]);
	memset(&cs, 0, sizeof(cs));
	if (commit_snapshot(s, &c1) == 0)
		commit_delta(&c0, &c1, &cs);
	else
		c1 = c0;
	eps = (double)res.requests * 1000 / (res.seconds > 0 ? res.seconds : 1);
	ncommits = c1.commits - c0.commits;
	group = ncommits > 0 ? (c1.entries - c0.entries) / ncommits : 8000;
	commit_ms = ncommits > 0 ? (c1.seconds - c0.seconds) * 1e3 / ncommits :
	    0;
	leaf = mean_leaf_len(s, size1);
	if (leaf <= 0)
		leaf = 250;
	note("row 1: log %llu -> %llu entries, %.0f entries per group "
	    "commit, mean leaf %.0f bytes, %.0f bytes written per entry",
	    (unsigned long long)size0, (unsigned long long)size1, group, leaf,
	    size1 > size0 ? (double)(w1 - w0) / (double)(size1 - size0) : 0);
	raw_lmdb((size_t)(leaf + 0.5), group < 100 ? 100 : (uint32_t)group,
	    size0, quick ? 1 : 3, &rr);
	sha = sha_rate((size_t)(leaf + 0.5));
	bench_row_lat("batched submit, 8 conns x 1000 entries, fsync",
	    res.p50_ms, res.p99_ms, eps, "entries/s",
	    "raw LMDB, same puts, sync, groups", rr.rate);
	/* The mean from ledger_commit_seconds_sum; p50/p99 are bucket
	 * bounds (log2 buckets). */
	snprintf(text, sizeof(text), "  group commit, mean of %.0f commits "
	    "(%.0f entries; metrics p50 %s%.1f, p99 %s%.1f ms)", ncommits,
	    group, cs.p50_open ? ">" : "<=", cs.p50_open ?
	    c1.le[COMMIT_BUCKETS - 2] * 1e3 : cs.p50_ms, cs.p99_open ? ">" :
	    "<=", cs.p99_open ? c1.le[COMMIT_BUCKETS - 2] * 1e3 : cs.p99_ms);
	snprintf(lim, sizeof(lim), "raw LMDB group txn mean (p99 %.1f ms)",
	    rr.p99_ms);
	bench_row_p(text, commit_ms, "ms", lim, rr.mean_ms, 1);
	bench_row("  bytes written per entry (/proc/PID/io)", size1 > size0 ?
	    (double)(w1 - w0) / (double)(size1 - size0) : 0, "B/entry",
	    "raw LMDB, same puts and groups", rr.wbytes);
	bench_row("  batched submit vs hashing", eps, "entries/s",
	    "raw SHA-256, ledgerd's 5 hashes/entry", sha);
	return eps;
}

/* 7. The largest body from 64 connections: peak RSS beside bytes held. */
struct held_sampler {
	char		 url[64];
	volatile int	 stop;
	uint64_t	 max;
};

static void *
held_sample(void *arg)
{
	static const char	 key[] = "\nledger_http_buffered_bytes ";
	struct held_sampler	*h = arg;
	struct fetch		*f;
	struct fetch_resp	 r;
	const char		*p;
	uint64_t		 v;
	struct timespec		 ts = { 0, 10000000 };

	if (fetch_open(h->url, NULL, 30, NULL, 0, &f) != LD_OK)
		return NULL;
	while (!h->stop) {
		memset(&r, 0, sizeof(r));
		if (fetch_get(f, "/metrics", NULL, &r) == LD_OK) {
			buf_cstr(&r.body);
			p = strstr((char *)r.body.p, key);
			if (p != NULL) {
				v = strtoull(p + strlen(key), NULL, 10);
				if (v > h->max)
					h->max = v;
			}
		}
		fetch_resp_free(&r);
		nanosleep(&ts, NULL);
	}
	fetch_close(f);
	return NULL;
}

static uint64_t
proc_hwm_kb(pid_t pid)
{
	char		path[64], line[256];
	uint64_t	v = 0;
	FILE		*f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if ((f = fopen(path, "r")) == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, "VmHWM:", 6) == 0)
			v = strtoull(line + 6, NULL, 10);
	fclose(f);
	return v;
}

static int
gen_body(void *arg, unsigned conn, struct load_req *r)
{
	const struct buf	*b = arg;

	(void)conn;
	load_head(r, "POST", "/v1/submit", "application/json", NULL, b->len);
	r->body = b->p;
	r->body_len = b->len;
	return 0;
}

static void
row_bodies(void)
{
	struct srv		 s;
	struct held_sampler	 h;
	struct load_result	 res;
	struct buf		 body = { 0 }, ent = { 0 };
	pthread_t		 thr;
	char			 text[200];
	uint64_t		 hwm, refused;
	size_t			 max = 32u << 20, i, k;
	static const char *const fields[] = { "account", "method", "units",
	    "grams", "day", "time", "dedup", "evidence" };

	/* Entries of 8 strings of 1536 bytes (the longest the pre-pass
	 * lets through): Jansson copies every one. */
	buf_adds(&ent, "{\"kind\":\"credit\"");
	for (i = 0; i < 8; i++) {
		buf_printf(&ent, ",\"%s\":\"", fields[i]);
		for (k = 0; k < 1536; k++)
			buf_addc(&ent, 'a');
		buf_addc(&ent, '"');
	}
	buf_addc(&ent, '}');
	buf_adds(&body, "{\"issuer\":\"bench\",\"entries\":[");
	while (body.len + ent.len + 40 < max) {
		if (body.p[body.len - 1] == '}')
			buf_addc(&body, ',');
		buf_add(&body, ent.p, ent.len);
	}
	buf_adds(&body, "],\"signature\":\"x\"}");
	buf_free(&ent);
	if (srv_init(&s, "bodies") != 0 || srv_start(&s, NULL) != 0) {
		failed = 1;
		buf_free(&body);
		return;
	}
	memset(&h, 0, sizeof(h));
	snprintf(h.url, sizeof(h.url), "%s", s.url);
	if (pthread_create(&thr, NULL, held_sample, &h) != 0)
		abort();
	memset(&res, 0, sizeof(res));
	load_run(s.port, 64, quick ? 3 : 10, gen_body, &body, &res);
	h.stop = 1;
	pthread_join(thr, NULL);
	hwm = proc_hwm_kb(s.pid) * 1024;
	refused = srv_metric(&s, "ledger_http_buffered_refusals_total");
	note("bodies: %.1f MB each; %llu parsed in full (400: not a batch), "
	    "%llu refused 503 at the cap; %llu non-2xx or cut in all",
	    (double)body.len / 1e6, (unsigned long long)srv_metric(&s,
	    "ledger_http_requests_total{route=\"submit\",status=\"400\"}"),
	    (unsigned long long)refused, (unsigned long long)res.errors);
	snprintf(text, sizeof(text), "  64 x 32 MiB bodies: bytes held, max");
	bench_row(text, (double)h.max / 1e6, "MB",
	    "--max-buffered (default)", (double)(8ull * max) / 1e6);
	snprintf(text, sizeof(text), "  64 x 32 MiB bodies: ledgerd peak RSS");
	bench_row(text, (double)hwm / 1e6, "MB", "bytes held, max (target 3x)",
	    (double)h.max / 1e6);
	srv_stop(&s);
	buf_free(&body);
}

/* 3. Proofs and tiles beside the null route. */
static void
row_reads(struct srv *s, int nullport)
{
	struct load_result	 nr[MAX_ROUNDS], pr[MAX_ROUNDS], tr[MAX_ROUNDS];
	struct src_read		 src;
	uint64_t		 size = srv_size(s);
	char			 text[120];
	pid_t			 perf;
	int			 r, mn, mp, mt;

	for (r = 0; r < rounds; r++) {
		memset(&src, 0, sizeof(src));
		src.size = size;
		src.rng = 0x9e3779b97f4a7c15ULL + (uint64_t)r;
		src.kind = READ_NULL;
		load_run(nullport, 64, dur_read, gen_read, &src, &nr[r]);
		check_result("null route, GET", &nr[r]);
		src.kind = READ_PROOF;
		perf = r == 0 ? perf_start(s->pid, "row3-proofs", dur_read) : 0;
		load_run(s->port, 64, dur_read, gen_read, &src, &pr[r]);
		perf_wait(perf);
		check_result("GET /v1/proof/inclusion", &pr[r]);
		src.kind = READ_TILE;
		perf = r == 0 ? perf_start(s->pid, "row3-tiles", dur_read) : 0;
		load_run(s->port, 64, dur_read, gen_read, &src, &tr[r]);
		perf_wait(perf);
		check_result("GET /tile/0/N", &tr[r]);
	}
	mn = median_round(nr, rounds);
	mp = median_round(pr, rounds);
	mt = median_round(tr, rounds);
	snprintf(text, sizeof(text), "GET inclusion proof, %.2gM-entry log",
	    (double)size / 1e6);
	bench_row_lat(text, pr[mp].p50_ms, pr[mp].p99_ms, pr[mp].rps, "req/s",
	    "null route GET, 64 conns", nr[mn].rps);
	bench_row_lat("GET /tile/0/N (full tiles, 8 KiB)", tr[mt].p50_ms,
	    tr[mt].p99_ms, tr[mt].rps, "req/s", "null route GET, 64 conns",
	    nr[mn].rps);
	bench_row_lat("  null route itself (GET, 100 B reply)", nr[mn].p50_ms,
	    nr[mn].p99_ms, nr[mn].rps, "req/s", "(the limit itself)",
	    nr[mn].rps);
}

/*
 * The store's bytes per entry by table (ledger_store_table_bytes), and a
 * row for the pages in use: the file less the free pages LMDB keeps for
 * reuse (after the last flush of the deferred indexes).
 */
static void
table_note(struct srv *s, uint64_t size, const char *sz)
{
	static const char *const tables[] = { "leaves", "tiles0", "tail0",
	    "rows", "dedup", "days", "accounts", "leafhash", "ixlog", "free",
	    NULL };
	struct buf	 m = { 0 };
	char		 name[96], text[600], lim[64];
	double		 v, total = 0, fr = 0;
	size_t		 len = 0;
	int		 i;

	if (srv_get(s, "/metrics", &m) != 200) {
		buf_free(&m);
		return;
	}
	buf_addc(&m, '\0');
	len += (size_t)snprintf(text, sizeof(text), "store at %s entries, "
	    "bytes per entry by table:", sz);
	for (i = 0; tables[i] != NULL && len < sizeof(text); i++) {
		snprintf(name, sizeof(name), "ledger_store_table_bytes{table="
		    "\"%s\"}", tables[i]);
		if ((v = metric((const char *)m.p, name)) <= 0)
			continue;
		if (strcmp(tables[i], "free") == 0)
			fr = v;
		else
			total += v;
		len += (size_t)snprintf(text + len, sizeof(text) - len,
		    " %s %.1f", tables[i], v / (double)size);
	}
	buf_free(&m);
	note("%s", text);
	if (total <= 0)
		return;
	snprintf(text, sizeof(text), "  bytes in use per entry, %s (free "
	    "pages %.2f GB left out)", sz, fr / 1e9);
	snprintf(lim, sizeof(lim), "target (issue): 300 B/entry");
	bench_row(text, total / (double)size, "B/entry", lim, 300);
}

/* 5. Restart time, memory and disk of a log of its current size; -1 if
 * the server did not come back. */
static int
row_restart(struct srv *s, double empty_start)
{
	struct load_result	 res;
	struct src_read		 src;
	struct stat		 st;
	char			 path[600], text[160], sz[32];
	uint64_t		 size = srv_size(s), rss, anon, file, rss2,
				 anon2, file2;
	double			 ready = 0, leaf = mean_leaf_len(s, size),
				 disk, crash_ready = 0;
	uint64_t		 deferred;

	if (size >= 1000000 && size % 1000000 < 100000)
		snprintf(sz, sizeof(sz), "%.0fM", (double)size / 1e6);
	else
		snprintf(sz, sizeof(sz), "%.3gM", (double)size / 1e6);
	/*
	 * After kill -9 the deferred index entries of the redo log are
	 * replayed at the start (the worst case); after SIGTERM ledgerd
	 * has written them out, and the start replays nothing.
	 */
	deferred = srv_metric(s, "ledger_store_deferred_entries");
	srv_kill(s);
	if (srv_start(s, &crash_ready) != 0) {
		failed = 1;
		return -1;
	}
	srv_stop(s);
	snprintf(path, sizeof(path), "%s/data.mdb", s->dir);
	if (stat(path, &st) != 0) {
		note("cannot stat %s", path);
		failed = 1;
		return -1;
	}
	disk = (double)st.st_blocks * 512;
	if (srv_start(s, &ready) != 0) {
		failed = 1;
		return -1;
	}
	proc_rss(s->pid, &rss, &anon, &file);
	memset(&src, 0, sizeof(src));
	src.kind = READ_PROOF;
	src.size = size;
	src.rng = 12345;
	load_run(s->port, 64, dur_read, gen_read, &src, &res);
	check_result("GET /v1/proof/inclusion after restart", &res);
	proc_rss(s->pid, &rss2, &anon2, &file2);
	snprintf(text, sizeof(text), "restart to first /checkpoint, %s entries",
	    sz);
	bench_row_p(text, ready * 1e3, "ms", "start on an empty log (same run)",
	    empty_start * 1e3, 1);
	snprintf(text, sizeof(text), "  after kill -9, %s entries (replays "
	    "%llu index entries)", sz, (unsigned long long)deferred);
	bench_row_p(text, crash_ready * 1e3, "ms",
	    "start on an empty log (same run)", empty_start * 1e3, 1);
	snprintf(text, sizeof(text), "  RSS after restart, %s (anon %.1f MiB)",
	    sz, (double)anon / 1024);
	bench_row_p(text, (double)rss / 1024, "MiB", "data.mdb on disk",
	    disk / 1048576, 1);
	snprintf(text, sizeof(text), "  RSS after %g s of proofs, %s (anon "
	    "%.1f)", dur_read, sz, (double)anon2 / 1024);
	bench_row_p(text, (double)rss2 / 1024, "MiB", "data.mdb on disk",
	    disk / 1048576, 1);
	snprintf(text, sizeof(text), "  bytes on disk per entry, %s (%.2f GB)",
	    sz, disk / 1e9);
	bench_row(text, disk / (double)size, "B/entry",
	    "mean leaf bytes (entry bundle)", leaf);
	table_note(s, size, sz);
	return 0;
}

/* JSON Lines credits for ledger submit, with dedup keys of g. */
static int
write_credits(const char *path, struct gen *g, uint64_t n)
{
	FILE		*f = fopen(path, "w");
	char		 hex[65], day[16];
	uint64_t	 i, first = atomic_fetch_add(&g->next, n);

	if (f == NULL)
		return -1;
	for (i = first; i < first + n; i++) {
		gen_dedup_hex(g, i, hex);
		day_format(day, sizeof(day),
		    BENCH_DAY0 + (uint32_t)(i / BENCH_ACCOUNTS % 365));
		fprintf(f, "{\"kind\":\"credit\",\"account\":\"u-%llu\","
		    "\"method\":\"" BENCH_METHOD "\",\"units\":1,\"grams\":80,"
		    "\"day\":\"%s\",\"dedup\":\"%s\"}\n",
		    (unsigned long long)(i % BENCH_ACCOUNTS), day, hex);
	}
	return fclose(f) == 0 ? 0 : -1;
}

/* 6. The CLIs end to end; then row 5 on the log they made. */
static void
row_cli(struct sig_key *key, double batched_eps)
{
	struct srv	 s;
	struct gen	 g;
	struct buf	 out = { 0 };
	char		 bin[600], keyf[600], jsonl[600], rcpt[600], state[600];
	char		*skey, *argv[16], text[160], *p;
	uint64_t	 n = quick ? 20000 : 1000000, size, w0, w1;
	double		 empty_start = 0, secs = 0;
	int		 rc;

	if (srv_init(&s, "cli") != 0 || srv_start(&s, &empty_start) != 0 ||
	    srv_register(&s, key) != 0) {
		failed = 1;
		return;
	}
	gen_init(&g, key, s.origin, "cli");
	snprintf(keyf, sizeof(keyf), "%s/issuer.key", bench_tmpdir());
	snprintf(jsonl, sizeof(jsonl), "%s/credits.jsonl", bench_tmpdir());
	snprintf(rcpt, sizeof(rcpt), "%s/receipts.jsonl", bench_tmpdir());
	snprintf(state, sizeof(state), "%s/audit-state", bench_tmpdir());
	skey = sig_skey(key);
	if (file_write(keyf, skey, strlen(skey), 0600, 0) != LD_OK ||
	    write_credits(jsonl, &g, n) != 0) {
		note("cannot write %s or %s", keyf, jsonl);
		failed = 1;
		free(skey);
		srv_stop(&s);
		return;
	}
	wipe_secure(skey, strlen(skey));
	free(skey);

	snprintf(bin, sizeof(bin), "%s/ledger", bench_bindir());
	argv[0] = bin;
	argv[1] = (char *)"submit";
	argv[2] = (char *)"--server";
	argv[3] = s.url;
	argv[4] = (char *)"--key";
	argv[5] = keyf;
	argv[6] = (char *)"--receipts";
	argv[7] = rcpt;
	argv[8] = (char *)"--quiet";
	argv[9] = (char *)"--json";
	/* As an issuer runs it: every receipt verified with the log key. */
	argv[10] = (char *)"--vkey";
	argv[11] = s.vkey;
	argv[12] = jsonl;
	argv[13] = NULL;
	w0 = proc_write_bytes(s.pid);
	rc = run_cmd(argv, &out, quick ? 120 : 900, &secs);
	w1 = proc_write_bytes(s.pid);
	if (rc != 0 || strstr((char *)out.p, "\"ok\":true") == NULL) {
		note("ledger submit failed (exit %d): %s", rc, (char *)out.p);
		failed = 1;
	}
	snprintf(text, sizeof(text), "ledger submit, %.3gM credits, verified "
	    "receipts (ledgerd wrote %.1f KB/entry)", (double)n / 1e6,
	    (double)(w1 - w0) / (double)n / 1e3);
	bench_row(text, (double)n / secs, "entries/s",
	    "ledgerd batched (row 1, same run)", batched_eps);
	buf_reset(&out);
	unlink(jsonl);		/* large at 10^6: free the space now */
	unlink(rcpt);

	size = srv_size(&s);
	snprintf(bin, sizeof(bin), "%s/ledger-audit", bench_bindir());
	argv[0] = bin;
	argv[1] = (char *)"sync";
	argv[2] = (char *)"--log";
	argv[3] = s.url;
	argv[4] = (char *)"--vkey";
	argv[5] = s.vkey;
	argv[6] = (char *)"--state";
	argv[7] = state;
	argv[8] = (char *)"--json";
	argv[9] = NULL;
	rc = run_cmd(argv, &out, quick ? 120 : 900, &secs);
	if (rc != 0 || strstr((char *)out.p, "\"ok\":true") == NULL) {
		note("ledger-audit sync failed (exit %d): %s", rc,
		    (char *)out.p);
		failed = 1;
	} else if ((p = strstr((char *)out.p, "\"size\":")) != NULL)
		size = strtoull(p + 7, NULL, 10);
	snprintf(text, sizeof(text), "ledger-audit sync, %.3gM entries, fresh "
	    "state", (double)size / 1e6);
	bench_row(text, (double)size / secs, "entries/s",
	    "target (issue): 300,000/s", 300000);
	buf_free(&out);

	/*
	 * 5 on this log: 10^6 (quick 2*10^4), then filled through HTTP to
	 * 10^7 (quick 5*10^4).
	 */
	if (row_restart(&s, empty_start) != 0)
		return;
	fill(&s, &g, quick ? 50000 : 10000000, quick ? 10 : 1200);
	row_restart(&s, empty_start);
	srv_stop(&s);
}

/* Whether to run a group of rows: all, or those BENCH_ONLY names
 * (single, batched, reads, cli, bodies; e.g. BENCH_ONLY=batched). */
/* ---- 9. witnessing ---------------------------------------------------------- */

#define WIT_N		3
#define WIT_PROBES	512

/* The served checkpoints' sizes as they appear, and probes' acks. */
struct wit_watch {
	struct srv		*s;
	struct policy		*policy;
	volatile int		 stop;
	pthread_mutex_t		 mu;
	double			 t[4096];	/* when size[i] was first served */
	uint64_t		 size[4096];
	size_t			 n;
	uint64_t		 bad;		/* served below the quorum */
};

/* Poll /checkpoint every 5 ms: note each new size that meets the quorum. */
static void *
wit_poll(void *arg)
{
	struct wit_watch	*w = arg;
	struct policy_result	 pr;
	struct ld_error		 e;
	struct note		 n;
	struct buf		 b = { 0 };
	uint64_t		 last = 0;

	while (!w->stop) {
		buf_reset(&b);
		if (srv_get(w->s, "/checkpoint", &b) == 200 &&
		    note_parse((const char *)b.p, b.len, &n) == LD_OK) {
			if (policy_check(w->policy, &n, &pr, &e) != LD_OK)
				w->bad++;
			else if (pr.size > last) {
				pthread_mutex_lock(&w->mu);
				if (w->n < 4096) {
					w->t[w->n] = now_s();
					w->size[w->n++] = pr.size;
				}
				pthread_mutex_unlock(&w->mu);
				last = pr.size;
			}
			note_free(&n);
		}
		usleep(5000);
	}
	buf_free(&b);
	return NULL;
}

/* Start witness i (key, policy of the log, state) on a port it picks. */
static pid_t
wit_start(const char *dir, int i, const char *log_vkey, char *vkey,
    size_t vlen, int *port)
{
	char	 bin[600], ledger[600], id[64], key[700], pol[700], st[700];
	char	 logp[700], *text = NULL;
	char	*kargv[] = { ledger, (char *)"keygen", (char *)"--witness",
		    (char *)"--id", id, (char *)"--out", key, NULL };
	char	*argv[] = { bin, (char *)"witness", (char *)"--listen",
		    (char *)"127.0.0.1:0", (char *)"--key", key,
		    (char *)"--policy", pol, (char *)"--state", st, NULL };
	struct buf out = { 0 };
	double	 secs;
	size_t	 len;

	snprintf(ledger, sizeof(ledger), "%s/ledger", bench_bindir());
	snprintf(bin, sizeof(bin), "%s/ledger-audit", bench_bindir());
	snprintf(id, sizeof(id), "bench.witness.example/w%d", i);
	snprintf(key, sizeof(key), "%s/w%d.key", dir, i);
	snprintf(pol, sizeof(pol), "%s/w%d.policy", dir, i);
	snprintf(st, sizeof(st), "%s/w%d.state", dir, i);
	snprintf(logp, sizeof(logp), "%s/w%d.log", dir, i);
	if (run_cmd(kargv, &out, 30, &secs) != 0 || out.len == 0 ||
	    out.len >= vlen) {
		buf_free(&out);
		return -1;
	}
	len = out.len;
	while (len > 0 && out.p[len - 1] == '\n')
		len--;
	memcpy(vkey, out.p, len);
	vkey[len] = '\0';
	buf_free(&out);
	text = xasprintf("log %s\nquorum none\n", log_vkey);
	mkdir(st, 0700);
	if (file_write(pol, text, strlen(text), 0644, 0) != LD_OK) {
		free(text);
		return -1;
	}
	free(text);
	return srv_spawn_listening(argv, logp, port);
}

static int
cmp_dbl2(const void *a, const void *b)
{
	double	x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

struct wit_load {
	int			 port;
	double			 secs;
	struct src_pool		*src;
	struct load_result	*r;
};

static void *
wit_load_main(void *arg)
{
	struct wit_load	*l = arg;

	load_run(l->port, 8, l->secs, gen_from_pool, l->src, l->r);
	return NULL;
}

/* Batched load on s for dur_submit seconds, from a pool of bodies. */
static void
wit_pool(struct src_pool *src, struct gen *g, size_t count)
{
	memset(src, 0, sizeof(*src));
	src->bodies = gen_pool(g, 1000, count, 2);
	src->count = count;
	src->live = g;
	src->live_n = 1000;
}

/*
 * 9. What witnessing costs: the batched append rate of a ledgerd with
 * three witnesses (ledger-audit witness; 2 of 3 in its policy) beside
 * the same load on a ledgerd without; and the time from a submission's
 * acknowledgement to the first /checkpoint that covers it with the
 * quorum's cosignatures (probes of one entry, 5 a second, beside the
 * load), beside a witness's mean round trip (ledgerd's metrics).
 */
static void
row_witness(struct sig_key *key)
{
	struct srv		 a, b;
	struct gen		 ga, gb;
	struct src_pool		 src;
	struct load_result	 ra, rb;
	struct wit_watch	 w;
	struct wit_load		 lb;
	struct ld_error		 e;
	struct client_receipt	 rc;
	struct codec_batch	 cb;
	struct fetch		*f = NULL;
	pthread_t		 pthr, lthr;
	char			 wv[WIT_N][256], pol[700], text[300], name[80];
	struct buf		 pb = { 0 }, m = { 0 };
	double			 tack[WIT_PROBES], lat[WIT_PROBES], t0;
	double			 rt_sum = 0, rt_n = 0, eps_a, eps_b;
	uint64_t		 idx[WIT_PROBES];
	size_t			 count, np = 0, nl = 0, i, k;
	int			 wport[WIT_N], j;

	memset(&w, 0, sizeof(w));
	memset(&e, 0, sizeof(e));
	if (srv_init(&b, "witnessed") != 0)
		goto fail;
	for (j = 0; j < WIT_N; j++)
		if (wit_start(bench_tmpdir(), j + 1, b.vkey, wv[j],
		    sizeof(wv[j]), &wport[j]) < 0)
			goto fail;
	buf_printf(&pb, "log %s\n", b.vkey);
	for (j = 0; j < WIT_N; j++)
		buf_printf(&pb, "witness w%d %s http://127.0.0.1:%d\n", j + 1,
		    wv[j], wport[j]);
	buf_printf(&pb, "group two 2 w1 w2 w3\nquorum two\n");
	snprintf(pol, sizeof(pol), "%s/ledgerd.policy", bench_tmpdir());
	if (file_write(pol, pb.p, pb.len, 0644, 0) != LD_OK ||
	    policy_parse((const char *)pb.p, pb.len, &w.policy, &e) != LD_OK) {
		fprintf(stderr, "bench: the witness policy: %s\n", e.msg);
		goto fail;
	}
	b.witness_policy = pol;
	count = (size_t)(dur_submit * 200) + 16;

	/* Without witnesses. */
	if (srv_init(&a, "unwitnessed") != 0 || srv_start(&a, NULL) != 0 ||
	    srv_register(&a, key) != 0)
		goto fail;
	gen_init(&ga, key, a.origin, "wa");
	wit_pool(&src, &ga, count);
	load_run(a.port, 8, dur_submit, gen_from_pool, &src, &ra);
	check_result("ledgerd without witnesses", &ra);
	gen_pool_free(src.bodies, count);
	srv_stop(&a);

	/* With three, and the probes beside the load. */
	if (srv_start(&b, NULL) != 0 || srv_register(&b, key) != 0 ||
	    fetch_open(b.url, NULL, 30, NULL, 0, &f) != LD_OK)
		goto fail;
	gen_init(&gb, key, b.origin, "wb");
	wit_pool(&src, &gb, count);
	w.s = &b;
	pthread_mutex_init(&w.mu, NULL);
	pthread_create(&pthr, NULL, wit_poll, &w);
	lb.port = b.port;
	lb.secs = dur_submit;
	lb.src = &src;
	lb.r = &rb;
	t0 = now_s();
	pthread_create(&lthr, NULL, wit_load_main, &lb);
	while (now_s() - t0 < dur_submit && np < WIT_PROBES) {
		gen_batch_signed(&gb, atomic_fetch_add(&gb.next, 1), 1, &cb);
		if (client_submit(f, &cb, NULL, &rc, &e) == LD_OK) {
			tack[np] = now_s();
			idx[np++] = rc.index;
			client_receipt_free(&rc);
		}
		codec_batch_free(&cb);
		usleep(200000);
	}
	pthread_join(lthr, NULL);
	check_result("ledgerd with three witnesses", &rb);
	/* Let the last probes be cosigned (a round a second). */
	for (t0 = now_s(); now_s() - t0 < 10;) {
		pthread_mutex_lock(&w.mu);
		k = w.n > 0 && np > 0 && w.size[w.n - 1] > idx[np - 1];
		pthread_mutex_unlock(&w.mu);
		if (k)
			break;
		usleep(50000);
	}
	w.stop = 1;
	pthread_join(pthr, NULL);
	gen_pool_free(src.bodies, count);
	for (i = 0; i < np; i++)
		for (k = 0; k < w.n; k++)
			if (w.size[k] > idx[i]) {
				lat[nl++] = w.t[k] > tack[i] ? w.t[k] - tack[i] :
				    0;
				break;
			}
	if (srv_get(&b, "/metrics", &m) == 200)
		for (j = 0; j < WIT_N; j++) {
			snprintf(name, sizeof(name),
			    "ledger_witness_request_seconds_sum{witness=\"w%d\"}",
			    j + 1);
			rt_sum += metric((const char *)m.p, name) > 0 ?
			    metric((const char *)m.p, name) : 0;
			snprintf(name, sizeof(name),
			    "ledger_witness_request_seconds_count{witness=\"w%d\"}",
			    j + 1);
			rt_n += metric((const char *)m.p, name) > 0 ?
			    metric((const char *)m.p, name) : 0;
		}
	srv_stop(&b);
	eps_a = (double)ra.requests * 1000 / (ra.seconds > 0 ? ra.seconds : 1);
	eps_b = (double)rb.requests * 1000 / (rb.seconds > 0 ? rb.seconds : 1);
	bench_row_lat("batched submit, 3 witnesses (2 of 3)", rb.p50_ms,
	    rb.p99_ms, eps_b, "entries/s", "the same load, no witnesses", eps_a);
	note("row 9: %zu probes acknowledged, %zu covered by a quorum-cosigned "
	    "checkpoint; %llu served checkpoints below the quorum (must be 0); "
	    "target: under 2 s", np, nl, (unsigned long long)w.bad);
	if (w.bad > 0 || nl == 0)
		failed = 1;
	if (nl > 0) {
		qsort(lat, nl, sizeof(lat[0]), cmp_dbl2);
		snprintf(text, sizeof(text), "  ack -> quorum-cosigned "
		    "/checkpoint, median (p99 %.0f ms, %zu probes)",
		    lat[(nl * 99) / 100 < nl ? (nl * 99) / 100 : nl - 1] * 1e3,
		    nl);
		bench_row(text, lat[nl / 2] * 1e3, "ms",
		    "a witness round trip, mean (same run)", rt_n > 0 ?
		    rt_sum / rt_n * 1e3 : 0);
	}
	goto out;
fail:
	fprintf(stderr, "bench: row 9 (witnesses) could not run\n");
	failed = 1;
out:
	fetch_close(f);
	policy_free(w.policy);
	buf_free(&pb);
	buf_free(&m);
}

static int
want(const char *row)
{
	const char	*only = getenv("BENCH_ONLY");

	return only == NULL || *only == '\0' || strstr(only, row) != NULL;
}

int
main(int argc, char **argv)
{
	struct null_srv	*ns = NULL;
	struct sig_key	*key;
	struct srv	 s;
	struct gen	 g;
	double		 eps = 0, t0 = now_s();
	int		 nullport = 0;

	rounds = argc > 1 ? atoi(argv[1]) : 3;
	if (rounds < 1)
		rounds = 1;
	if (rounds > MAX_ROUNDS)
		rounds = MAX_ROUNDS;
	quick = rounds == 1;
	dur_submit = quick ? 1 : 10;
	dur_read = quick ? 0.5 : 5;
	if (getenv("BENCH_SECONDS") != NULL && atof(getenv("BENCH_SECONDS")) > 0)
		dur_submit = atof(getenv("BENCH_SECONDS"));
	setvbuf(stdout, NULL, _IOLBF, 0);
	note("scratch in %s; %s run", bench_tmpdir(), quick ? "quick" :
	    "full");
	if (sig_keygen(BENCH_ISSUER, SIG_TYPE_ED25519, &key) != LD_OK)
		abort();
	if (null_start(&ns, &nullport) != 0)
		return 1;
	if (srv_init(&s, "main") != 0 || srv_start(&s, NULL) != 0 ||
	    srv_register(&s, key) != 0)
		return 1;
	note("ledgerd %d on 127.0.0.1:%d", (int)s.pid, s.port);
	gen_init(&g, key, s.origin, "main");

	if (want("single"))
		row_single(&s, nullport, &g);
	if (want("batched"))
		eps = row_batched(&s, &g);
	if (want("reads")) {
		fill(&s, &g, quick ? 50000 : 200000, quick ? 10 : 120);
		row_reads(&s, nullport);
	}
	srv_stop(&s);
	if (want("bodies"))
		row_bodies();
	if (want("cli"))
		row_cli(key, eps);
	if (want("witness"))
		row_witness(key);

	null_stop(ns);
	sig_key_free(key);
	note("done in %.1f s", now_s() - t0);
	return failed;
}
