/* t_store.c - unit tests for the store (common/store*.c) and ovl.c. */
/*
 * What a reader sees of the deferred indexes (leaf hash, dedup, daily
 * sums, accounts) while the writer writes, commits and flushes; the redo log
 * replayed after a process dies without closing the store; flushes that
 * move every entry into the B-trees; dedup enumeration without doubles;
 * the overlay's record format.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "err.h"
#include "merkle.h"
#include "ovl.h"
#include "rules_store.h"
#include "store.h"
#include "t.h"
#include "xmalloc.h"

static char	dir[64];

static struct store *
open_fresh(void)
{
	struct store	*s;
	char		 cmd[128];

	if (dir[0] != '\0') {
		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		T_ASSERT(system(cmd) == 0);
	}
	strcpy(dir, "/tmp/t_store.XXXXXX");
	T_ASSERT(mkdtemp(dir) != NULL);
	T_ASSERT_EQ(store_open(&s, dir, 1ULL << 30, 0), LD_OK);
	return s;
}

static void
key(uint8_t k[32], unsigned i)
{
	memset(k, 0, 32);
	k[0] = (uint8_t)(i * 37 + 11);
	k[31] = (uint8_t)i;
}

static int
dedup_get(struct store_txn *t, unsigned i, uint64_t *v)
{
	uint8_t	k[32];

	key(k, i);
	return rules_store_ops.dedup_get(t, k, v);
}

/* One write transaction putting dedup key i -> index i. */
static void
commit_dedup(struct store *s, unsigned i)
{
	struct store_txn	*w;
	uint8_t			 k[32];

	key(k, i);
	T_ASSERT_EQ(store_begin(s, 0, &w), LD_OK);
	T_ASSERT_EQ(rules_store_ops.dedup_put(w, k, i), LD_OK);
	T_ASSERT_EQ(store_commit(w), LD_OK);
}

static void
test_visibility(void)
{
	struct store		*s = open_fresh();
	struct store_txn	*w, *r0, *r1;
	uint64_t		 v = 0;
	uint8_t			 k[32];

	key(k, 1);
	T_ASSERT_EQ(store_begin(s, 1, &r0), LD_OK);
	T_ASSERT_EQ(store_begin(s, 0, &w), LD_OK);
	T_ASSERT_EQ(rules_store_ops.dedup_put(w, k, 100), LD_OK);
	/* The writer sees its own put at once... */
	T_ASSERT_EQ(rules_store_ops.dedup_get(w, k, &v), LD_OK);
	T_ASSERT_EQ(v, 100);
	/* ...a reader not before the commit... */
	T_ASSERT_EQ(rules_store_ops.dedup_get(r0, k, &v), LD_ENOTFOUND);
	T_ASSERT_EQ(store_commit(w), LD_OK);
	/* ...nor after it, if it began before: its snapshot stays. */
	T_ASSERT_EQ(rules_store_ops.dedup_get(r0, k, &v), LD_ENOTFOUND);
	T_ASSERT_EQ(store_begin(s, 1, &r1), LD_OK);
	v = 0;
	T_ASSERT_EQ(rules_store_ops.dedup_get(r1, k, &v), LD_OK);
	T_ASSERT_EQ(v, 100);
	T_ASSERT_EQ(store_deferred(s), 1);
	store_abort(r0);
	store_abort(r1);
	store_close(s);
}

static void
test_rewritten_since(void)
{
	struct store		*s = open_fresh();
	struct store_txn	*w, *r;
	struct entry_account_ctr	 a = { 10, 0, 0, 5 }, got;
	uint8_t			 day[16] = { 1 };
	uint64_t		 g;

	T_ASSERT_EQ(store_begin(s, 0, &w), LD_OK);
	T_ASSERT_EQ(rules_store_ops.account_put(w, "city", "u-1", &a), LD_OK);
	a.credited = 20;
	a.prev = 6;
	/* Two puts in one transaction: the last one counts. */
	T_ASSERT_EQ(rules_store_ops.account_put(w, "city", "u-1", &a), LD_OK);
	T_ASSERT_EQ(rules_store_ops.day_put(w, day, 7), LD_OK);
	T_ASSERT_EQ(rules_store_ops.day_put(w, day, 9), LD_OK);
	T_ASSERT_EQ(store_commit(w), LD_OK);
	T_ASSERT_EQ(store_begin(s, 1, &r), LD_OK);
	T_ASSERT_EQ(rules_store_account(r, "city", "u-1", &got), LD_OK);
	T_ASSERT_EQ(got.credited, 20);
	T_ASSERT_EQ(got.prev, 6);
	T_ASSERT_EQ(rules_store_ops.day_get(r, day, &g), LD_OK);
	T_ASSERT_EQ(g, 9);
	/* Rewritten after the reader began: it still reads its own value,
	 * while the writer is at it and after its commit. */
	T_ASSERT_EQ(store_begin(s, 0, &w), LD_OK);
	a.credited = 30;
	a.prev = 7;
	T_ASSERT_EQ(rules_store_ops.account_put(w, "city", "u-1", &a), LD_OK);
	T_ASSERT_EQ(rules_store_account(r, "city", "u-1", &got), LD_OK);
	T_ASSERT_EQ(got.credited, 20);
	T_ASSERT_EQ(store_commit(w), LD_OK);
	T_ASSERT_EQ(rules_store_account(r, "city", "u-1", &got), LD_OK);
	T_ASSERT_EQ(got.credited, 20);
	/* Rewritten twice: it cannot tell its old value any more. */
	T_ASSERT_EQ(store_begin(s, 0, &w), LD_OK);
	a.credited = 25;
	T_ASSERT_EQ(rules_store_ops.account_put(w, "city", "u-1", &a), LD_OK);
	T_ASSERT_EQ(store_commit(w), LD_OK);
	T_ASSERT_EQ(rules_store_account(r, "city", "u-1", &got), LD_ERETRY);
	T_ASSERT_EQ(store_begin(s, 0, &w), LD_OK);
	a.credited = 30;
	T_ASSERT_EQ(rules_store_ops.account_put(w, "city", "u-1", &a), LD_OK);
	T_ASSERT_EQ(store_commit(w), LD_OK);
	/* Another account, never in the overlay: not found, no retry. */
	T_ASSERT_EQ(rules_store_account(r, "city", "u-2", &got), LD_ENOTFOUND);
	store_abort(r);
	T_ASSERT_EQ(store_begin(s, 1, &r), LD_OK);
	T_ASSERT_EQ(rules_store_account(r, "city", "u-1", &got), LD_OK);
	T_ASSERT_EQ(got.credited, 30);
	store_abort(r);
	/* An aborted writer leaves nothing behind. */
	T_ASSERT_EQ(store_begin(s, 0, &w), LD_OK);
	a.credited = 99;
	T_ASSERT_EQ(rules_store_ops.account_put(w, "city", "u-1", &a), LD_OK);
	store_abort(w);
	T_ASSERT_EQ(store_begin(s, 1, &r), LD_OK);
	T_ASSERT_EQ(rules_store_account(r, "city", "u-1", &got), LD_OK);
	T_ASSERT_EQ(got.credited, 30);
	store_abort(r);
	store_close(s);
}

static void
test_flush(void)
{
	struct store		*s = open_fresh();
	struct store_txn	*r0, *r1, *r2, *r3;
	uint64_t		 v;
	unsigned		 i;

	store_set_flush(s, 2);
	T_ASSERT_EQ(store_begin(s, 1, &r0), LD_OK);
	commit_dedup(s, 1);
	T_ASSERT_EQ(store_deferred(s), 1);
	T_ASSERT_EQ(store_begin(s, 1, &r1), LD_OK);
	commit_dedup(s, 2);		/* 2 entries: frozen, to be flushed */
	T_ASSERT_EQ(store_deferred(s), 2);
	T_ASSERT_EQ(store_begin(s, 1, &r2), LD_OK);
	/* Before the first commit: neither key, though both are written. */
	T_ASSERT_EQ(dedup_get(r0, 1, &v), LD_ENOTFOUND);
	T_ASSERT_EQ(dedup_get(r0, 2, &v), LD_ENOTFOUND);
	/* Between the commits: key 1 from the frozen overlay, not key 2. */
	T_ASSERT_EQ(dedup_get(r1, 1, &v), LD_OK);
	T_ASSERT_EQ(v, 1);
	T_ASSERT_EQ(dedup_get(r1, 2, &v), LD_ENOTFOUND);
	T_ASSERT_EQ(dedup_get(r2, 2, &v), LD_OK);
	T_ASSERT_EQ(v, 2);
	/* The next commit writes the frozen overlay out, in its slice. */
	commit_dedup(s, 3);
	T_ASSERT_EQ(store_deferred(s), 1);
	T_ASSERT_EQ(store_begin(s, 1, &r3), LD_OK);
	for (i = 1; i <= 3; i++) {
		T_ASSERT_EQ(dedup_get(r3, i, &v), LD_OK);
		T_ASSERT_EQ(v, i);
	}
	/* A second freeze drops the first overlay: readers from before its
	 * flush ended retry; r3 began after it and reads on. */
	commit_dedup(s, 4);
	T_ASSERT_EQ(dedup_get(r1, 1, &v), LD_ERETRY);
	T_ASSERT_EQ(dedup_get(r2, 3, &v), LD_ERETRY);
	T_ASSERT_EQ(dedup_get(r3, 1, &v), LD_OK);
	T_ASSERT_EQ(dedup_get(r3, 3, &v), LD_OK);
	T_ASSERT_EQ(v, 3);
	T_ASSERT_EQ(dedup_get(r3, 4, &v), LD_ENOTFOUND);
	store_abort(r0);
	store_abort(r1);
	store_abort(r2);
	store_abort(r3);
	T_ASSERT_EQ(store_begin(s, 1, &r0), LD_OK);
	for (i = 1; i <= 4; i++) {
		T_ASSERT_EQ(dedup_get(r0, i, &v), LD_OK);
		T_ASSERT_EQ(v, i);
	}
	store_abort(r0);
	store_close(s);
	/* Closed: everything written out, nothing to replay. */
	T_ASSERT_EQ(store_open(&s, dir, 1ULL << 30, 0), LD_OK);
	T_ASSERT_EQ(store_deferred(s), 0);
	T_ASSERT_EQ(store_begin(s, 1, &r0), LD_OK);
	for (i = 1; i <= 4; i++) {
		T_ASSERT_EQ(dedup_get(r0, i, &v), LD_OK);
		T_ASSERT_EQ(v, i);
	}
	store_abort(r0);
	store_close(s);
}

/* A process that commits and dies without closing: the redo log. */
static void
test_replay(void)
{
	struct store		*s = open_fresh();
	struct store_txn	*r;
	uint64_t		 v;
	unsigned		 i;
	pid_t			 pid;
	int			 st;

	store_close(s);
	if ((pid = fork()) == 0) {
		if (store_open(&s, dir, 1ULL << 30, 0) != LD_OK)
			_exit(1);
		store_set_flush(s, 5);
		for (i = 1; i <= 7; i++)
			commit_dedup(s, i);	/* 1..5 flushed, 6..7 not */
		_exit(store_deferred(s) == 2 ? 0 : 2);
	}
	T_ASSERT(pid > 0);
	T_ASSERT_EQ(waitpid(pid, &st, 0), pid);
	T_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	T_ASSERT_EQ(store_open(&s, dir, 1ULL << 30, 0), LD_OK);
	T_ASSERT_EQ(store_deferred(s), 2);
	T_ASSERT_EQ(store_begin(s, 1, &r), LD_OK);
	for (i = 1; i <= 7; i++) {
		T_ASSERT_EQ(dedup_get(r, i, &v), LD_OK);
		T_ASSERT_EQ(v, i);
	}
	T_ASSERT_EQ(dedup_get(r, 8, &v), LD_ENOTFOUND);
	store_abort(r);
	/* More commits after the replay continue the redo log. */
	commit_dedup(s, 8);
	T_ASSERT_EQ(store_deferred(s), 3);
	store_close(s);			/* flushes */
	T_ASSERT_EQ(store_open(&s, dir, 1ULL << 30, 1), LD_OK);
	T_ASSERT_EQ(store_deferred(s), 0);
	T_ASSERT_EQ(store_begin(s, 1, &r), LD_OK);
	T_ASSERT_EQ(dedup_get(r, 8, &v), LD_OK);
	T_ASSERT_EQ(v, 8);
	store_abort(r);
	store_close(s);
}

static int
count_key(void *arg, const uint8_t k[32], uint64_t index)
{
	unsigned	*seen = arg;

	if (index < 1 || index > 6 || k[31] != index)
		return LD_EINVAL;
	seen[index]++;
	return LD_OK;
}

/* A crash after a freeze, before its flush: all replayed, all there. */
static void
test_replay_frozen(void)
{
	struct store		*s = open_fresh();
	struct store_txn	*r;
	uint64_t		 v;
	unsigned		 i;
	pid_t			 pid;
	int			 st;

	store_close(s);
	if ((pid = fork()) == 0) {
		if (store_open(&s, dir, 1ULL << 30, 0) != LD_OK)
			_exit(1);
		store_set_flush(s, 5);
		for (i = 1; i <= 5; i++)
			commit_dedup(s, i);	/* frozen, not yet written */
		_exit(store_deferred(s) == 5 ? 0 : 2);
	}
	T_ASSERT(pid > 0);
	T_ASSERT_EQ(waitpid(pid, &st, 0), pid);
	T_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	T_ASSERT_EQ(store_open(&s, dir, 1ULL << 30, 0), LD_OK);
	T_ASSERT_EQ(store_deferred(s), 5);
	store_set_flush(s, 5);
	commit_dedup(s, 6);		/* freezes 1..6 */
	commit_dedup(s, 7);		/* writes them out */
	T_ASSERT_EQ(store_deferred(s), 1);
	T_ASSERT_EQ(store_begin(s, 1, &r), LD_OK);
	for (i = 1; i <= 7; i++) {
		T_ASSERT_EQ(dedup_get(r, i, &v), LD_OK);
		T_ASSERT_EQ(v, i);
	}
	store_abort(r);
	store_close(s);
}

static void
test_dedup_each(void)
{
	struct store		*s = open_fresh();
	struct store_txn	*r, *w;
	unsigned		 seen[7] = { 0 }, i;
	uint8_t			 k[32];

	store_set_flush(s, 3);
	for (i = 1; i <= 5; i++)
		commit_dedup(s, i);	/* 1..3 in the B-tree, 4..5 not */
	T_ASSERT_EQ(store_begin(s, 1, &r), LD_OK);
	T_ASSERT_EQ(store_dedup_each(r, count_key, seen), LD_OK);
	for (i = 1; i <= 5; i++)
		T_ASSERT_EQ(seen[i], 1);
	T_ASSERT_EQ(seen[6], 0);
	store_abort(r);
	/* A writer lists its own puts too. */
	memset(seen, 0, sizeof(seen));
	T_ASSERT_EQ(store_begin(s, 0, &w), LD_OK);
	key(k, 6);
	T_ASSERT_EQ(rules_store_ops.dedup_put(w, k, 6), LD_OK);
	T_ASSERT_EQ(store_dedup_each(w, count_key, seen), LD_OK);
	for (i = 1; i <= 6; i++)
		T_ASSERT_EQ(seen[i], 1);
	store_abort(w);
	store_close(s);
}

/*
 * Random commits of random writes against a model: a reader at the last
 * commit always reads the model's value, a reader one commit behind reads
 * the value it had then or is told to retry (never a wrong value), and an
 * undone commit leaves the overlay exactly as before it.
 */
#define NK	300

static void
test_ovl_versions(void)
{
	struct ovl		 o;
	const struct ovl_ent	*e;
	const uint8_t		*v;
	uint64_t		 now[NK], before[NK], x, cseq = 0;
	size_t			 n_before;
	unsigned		 round, i, k, wrong = 0, retry = 0, ok1 = 0;
	int			 rc;

	memset(now, 0, sizeof(now));	/* 0: the key has no value */
	ovl_init(&o, t_rand());
	for (round = 0; round < 400; round++) {
		memcpy(before, now, sizeof(now));
		n_before = o.n;
		cseq++;
		for (i = 0; i < 1 + t_rand_below(40); i++) {
			k = (unsigned)t_rand_below(NK);
			x = t_rand() | 1;
			T_ASSERT_EQ(ovl_write(&o, k % 4, &k, sizeof(k), &x, 8,
			    cseq), LD_OK);
			now[k] = x;
		}
		if (t_rand_below(4) == 0) {
			/* Abort: as before, and the number is used again. */
			ovl_undo(&o);
			cseq--;
			memcpy(now, before, sizeof(now));
			T_ASSERT_EQ(o.n, n_before);
		} else
			ovl_done(&o);
		for (k = 0; k < NK; k++) {
			rc = ovl_read(&o, k % 4, &k, sizeof(k), cseq, &e, &v);
			if (now[k] == 0 ? rc != 0 : rc != 1 ||
			    memcmp(v, &now[k], 8) != 0)
				wrong++;
			if (cseq < 2)
				continue;
			rc = ovl_read(&o, k % 4, &k, sizeof(k), cseq - 1, &e,
			    &v);
			if (rc == LD_ERETRY)
				retry++;
			else if (rc == 1)
				ok1++;
		}
	}
	T_ASSERT_EQ(wrong, 0);
	/* Most keys a commit did not touch read fine one commit behind. */
	T_ASSERT(ok1 > retry);
	ovl_clear(&o);
}

/* One commit behind, exactly: values as of the commit before. */
static void
test_ovl_old_version(void)
{
	struct ovl		 o;
	const struct ovl_ent	*e;
	const uint8_t		*v;
	uint64_t		 x;
	unsigned		 k = 7, k2 = 8;

	ovl_init(&o, 3);
	x = 100;
	T_ASSERT_EQ(ovl_write(&o, 1, &k, sizeof(k), &x, 8, 1), LD_OK);
	ovl_done(&o);
	x = 200;
	T_ASSERT_EQ(ovl_write(&o, 1, &k, sizeof(k), &x, 8, 2), LD_OK);
	x = 250;			/* twice in one commit: one version */
	T_ASSERT_EQ(ovl_write(&o, 1, &k, sizeof(k), &x, 8, 2), LD_OK);
	T_ASSERT_EQ(ovl_write(&o, 1, &k2, sizeof(k2), &x, 8, 2), LD_OK);
	/* Pending: a reader at commit 1 sees 100, and no k2. */
	T_ASSERT_EQ(ovl_read(&o, 1, &k, sizeof(k), 1, &e, &v), 1);
	memcpy(&x, v, 8);
	T_ASSERT_EQ(x, 100);
	T_ASSERT_EQ(ovl_read(&o, 1, &k2, sizeof(k2), 1, &e, &v), 0);
	T_ASSERT_EQ(ovl_record_len(&o), 2 * (3 + 4 + 8));
	ovl_done(&o);
	T_ASSERT_EQ(ovl_read(&o, 1, &k, sizeof(k), 2, &e, &v), 1);
	memcpy(&x, v, 8);
	T_ASSERT_EQ(x, 250);
	x = 300;
	T_ASSERT_EQ(ovl_write(&o, 1, &k, sizeof(k), &x, 8, 3), LD_OK);
	ovl_done(&o);
	/* Commit 1's value is gone after two rewrites. */
	T_ASSERT_EQ(ovl_read(&o, 1, &k, sizeof(k), 1, &e, &v), LD_ERETRY);
	T_ASSERT_EQ(ovl_read(&o, 1, &k, sizeof(k), 2, &e, &v), 1);
	memcpy(&x, v, 8);
	T_ASSERT_EQ(x, 250);
	/* An undone commit restores the old version too. */
	x = 400;
	T_ASSERT_EQ(ovl_write(&o, 1, &k, sizeof(k), &x, 8, 4), LD_OK);
	ovl_undo(&o);
	T_ASSERT_EQ(ovl_read(&o, 1, &k, sizeof(k), 2, &e, &v), 1);
	memcpy(&x, v, 8);
	T_ASSERT_EQ(x, 250);
	T_ASSERT_EQ(ovl_record_len(&o), 0);
	ovl_clear(&o);
}

#define NLEAF	5000	/* 2 groups of 8 tiles in tiles0, 904 in tail0 */

/* The hash of the complete subtree over leaf hashes h[0 .. n), n = 2^k. */
static void
subtree(const uint8_t (*h)[32], uint64_t n, uint8_t out[32])
{
	uint8_t	l[32], r[32];

	if (n == 1) {
		memcpy(out, h[0], 32);
		return;
	}
	subtree(h, n / 2, l);
	subtree(h + n / 2, n / 2, r);
	merkle_node_hash(out, l, r);
}

/*
 * Leaf hashes and tree nodes, committed in groups of random sizes: every
 * node of every level reads back (only every fourth level is stored, the
 * others are hashed up from it), nodes not yet complete are not found,
 * every hash reads back, single or by tile (full, partial, across tiles, a
 * full tile read at an older width), and the stored tree's root is the
 * root of the tree built in memory.
 */
static void
test_leaf_hashes(void)
{
	struct store		*s = open_fresh();
	struct store_txn	*w, *r;
	struct merkle_tree	 mt, st;
	struct merkle_node	 nodes[MERKLE_MAX_LEVELS];
	uint8_t			(*h)[32], got[32], out[600][32], a[32], b[32];
	struct store_ncache	*nc;
	uint64_t		 i = 0, end;
	size_t			 n, k;
	unsigned		 bad = 0, pass;

	h = xcalloc(NLEAF, 32);
	merkle_tree_init(&mt);
	while (i < NLEAF) {
		end = i + 1 + t_rand_below(300);
		if (end > NLEAF)
			end = NLEAF;
		T_ASSERT_EQ(store_begin(s, 0, &w), LD_OK);
		for (; i < end; i++) {
			memset(h[i], (int)(i % 251), 32);
			memcpy(h[i], &i, sizeof(i));
			merkle_tree_append(&mt, h[i], nodes, &n);
			for (k = 0; k < n; k++)
				if (store_node_put(w, nodes[k].level,
				    nodes[k].index, nodes[k].hash) != LD_OK)
					bad++;
		}
		T_ASSERT_EQ(store_commit(w), LD_OK);
	}
	T_ASSERT_EQ(bad, 0);
	T_ASSERT_EQ(store_begin(s, 1, &r), LD_OK);
	for (i = 0; i < NLEAF; i++)
		if (store_node_get(r, 0, i, got) != LD_OK ||
		    memcmp(got, h[i], 32) != 0)
			bad++;
	T_ASSERT_EQ(bad, 0);
	T_ASSERT_EQ(store_node_get(r, 0, NLEAF, got), LD_ENOTFOUND);
	/* Twice more with a node cache: filled, then answering. */
	nc = store_ncache_new();
	for (pass = 0; pass < 3; pass++)
	for (k = 1; k <= 12; k++) {
		if (pass > 0)
			store_txn_ncache(r, nc);
		for (i = 0; (i + 1) << k <= NLEAF; i++) {
			subtree((const uint8_t (*)[32])h + (i << k),
			    (uint64_t)1 << k, a);
			if (store_node_get(r, (unsigned)k, i, got) != LD_OK ||
			    memcmp(got, a, 32) != 0)
				bad++;
		}
		/* The first incomplete node of the level. */
		if (store_node_get(r, (unsigned)k, i, got) != LD_ENOTFOUND)
			bad++;
	}
	T_ASSERT_EQ(bad, 0);
	store_txn_ncache(r, NULL);
	store_ncache_free(nc);
	/* Proofs from the store verify, for every index at a few sizes. */
	{
		static const uint64_t sizes[] = { 1, 2, 17, 255, 256, 257,
		    777, 2047, 2048, 2049, 4097, NLEAF };
		struct merkle_proof	p;
		size_t			z;

		for (z = 0; z < sizeof(sizes) / sizeof(sizes[0]); z++) {
			T_ASSERT_EQ(store_tree(r, sizes[z], &st), LD_OK);
			merkle_tree_root(&st, a);
			for (i = 0; i < sizes[z]; i++)
				if (merkle_prove_inclusion(store_node_fn, r, i,
				    sizes[z], &p) != MERKLE_OK ||
				    merkle_verify_inclusion(i, sizes[z], h[i],
				    &p, a) != MERKLE_OK)
					bad++;
		}
		T_ASSERT_EQ(bad, 0);
	}
	T_ASSERT_EQ(store_leaf_hashes(r, 0, 256, out), LD_OK);
	T_ASSERT_MEM(out, h, 256 * 32);
	T_ASSERT_EQ(store_leaf_hashes(r, 512, 100, out), LD_OK);
	T_ASSERT_MEM(out, h + 512, 100 * 32);	/* an older, partial width */
	T_ASSERT_EQ(store_leaf_hashes(r, 4352, 256, out), LD_OK);
	T_ASSERT_MEM(out, h + 4352, 256 * 32);	/* a full tile in tail0 */
	T_ASSERT_EQ(store_leaf_hashes(r, 4864, 136, out), LD_OK);
	T_ASSERT_MEM(out, h + 4864, 136 * 32);	/* the incomplete last tile */
	T_ASSERT_EQ(store_leaf_hashes(r, 1900, 600, out), LD_OK);
	T_ASSERT_MEM(out, h + 1900, 600 * 32);	/* across two groups */
	T_ASSERT(store_leaf_hashes(r, 4864, 137, out) != LD_OK);
	T_ASSERT_EQ(store_tree(r, NLEAF, &st), LD_OK);
	merkle_tree_root(&st, a);
	merkle_tree_root(&mt, b);
	T_ASSERT_MEM(a, b, 32);
	T_ASSERT_EQ(store_tree(r, 777, &st), LD_OK);
	store_abort(r);
	store_close(s);
	free(h);
}

/*
 * Hints made in a read transaction answer the writer's B-tree lookups;
 * keys written since are found in the overlay first; once an overlay is
 * dropped the hints are ignored (a key may have left the overlay since).
 */
static void
test_hints(void)
{
	struct store		*s = open_fresh();
	struct store_txn	*rt, *w;
	struct store_hints	*hs;
	struct entry_account_ctr	 a = { 80, 0, 0, 3 }, got;
	uint8_t			 k[32];
	uint64_t		 v;
	unsigned		 i;

	store_set_flush(s, 2);
	for (i = 1; i <= 3; i++)
		commit_dedup(s, i);	/* 1 and 2 flushed into the B-tree */
	T_ASSERT_EQ(store_begin(s, 0, &w), LD_OK);
	T_ASSERT_EQ(rules_store_ops.account_put(w, "city", "u-1", &a), LD_OK);
	T_ASSERT_EQ(store_commit(w), LD_OK);
	T_ASSERT_EQ(store_begin(s, 1, &rt), LD_OK);
	hs = store_hints_new(rt, 4);
	key(k, 1);
	T_ASSERT_EQ(store_hint(hs, STORE_DEDUP, k, 32), LD_OK);
	key(k, 5);
	T_ASSERT_EQ(store_hint(hs, STORE_DEDUP, k, 32), LD_OK);	/* absent */
	T_ASSERT_EQ(rules_store_hint_account(hs, "city", "u-9"), LD_OK);
	T_ASSERT_EQ(rules_store_hint_account(hs, "city", "u-1"), LD_OK);
	key(k, 6);
	T_ASSERT_EQ(store_hint(hs, STORE_DEDUP, k, 32), LD_ETOOBIG);	/* past n */
	store_hints_done(hs);
	store_abort(rt);
	T_ASSERT_EQ(store_begin(s, 0, &w), LD_OK);
	store_txn_hints(w, hs);
	T_ASSERT_EQ(dedup_get(w, 1, &v), LD_OK);
	T_ASSERT_EQ(v, 1);
	T_ASSERT_EQ(dedup_get(w, 5, &v), LD_ENOTFOUND);
	T_ASSERT_EQ(rules_store_ops.account_get(w, "city", "u-9", &got),
	    LD_ENOTFOUND);
	T_ASSERT_EQ(rules_store_ops.account_get(w, "city", "u-1", &got),
	    LD_OK);
	T_ASSERT_EQ(got.credited, 80);
	T_ASSERT_EQ(dedup_get(w, 3, &v), LD_OK);	/* not hinted */
	T_ASSERT_EQ(v, 3);
	store_abort(w);
	/* Written since: the overlay answers before the hint. */
	commit_dedup(s, 5);
	T_ASSERT_EQ(store_begin(s, 0, &w), LD_OK);
	store_txn_hints(w, hs);
	T_ASSERT_EQ(dedup_get(w, 5, &v), LD_OK);
	T_ASSERT_EQ(v, 5);
	store_abort(w);
	/* Then frozen, written out and dropped: only the B-tree has it,
	 * and the stale hint must not say it is absent. */
	for (i = 6; i <= 9; i++)
		commit_dedup(s, i);
	T_ASSERT_EQ(store_begin(s, 0, &w), LD_OK);
	store_txn_hints(w, hs);
	T_ASSERT_EQ(dedup_get(w, 5, &v), LD_OK);
	T_ASSERT_EQ(v, 5);
	store_txn_hints(w, NULL);
	store_abort(w);
	store_hints_free(hs);
	store_close(s);
}

/* store_open's log lines while it runs, into buf (NUL-terminated). */
static int
open_logged(struct store **s, int rdonly, char *buf, size_t n)
{
	FILE	*f = tmpfile();
	size_t	 got;
	int	 rc, fd = dup(2);

	T_ASSERT(f != NULL && fd >= 0);
	fflush(stderr);
	dup2(fileno(f), 2);
	rc = store_open(s, dir, 1ULL << 30, rdonly);
	fflush(stderr);
	dup2(fd, 2);
	close(fd);
	rewind(f);
	got = fread(buf, 1, n - 1, f);
	buf[got] = '\0';
	fclose(f);
	return rc;
}

/*
 * A store written in another layout is refused, not misread, and the
 * refusal names both formats: format 6 held the rules' state as C
 * structs' bytes, format 7 encodes it field by field (rules_store.h).
 */
static void
test_format(void)
{
	struct store		*s = open_fresh(), *s2 = NULL;
	struct store_txn	*w;
	const uint8_t		*p;
	size_t			 len;
	char			 log[1024];

	T_ASSERT_EQ(store_begin(s, 1, &w), LD_OK);
	T_ASSERT_EQ(store_meta_get(w, "store-format", &p, &len), LD_OK);
	T_ASSERT(len == 1 && p[0] == '7');
	store_abort(w);
	T_ASSERT_EQ(store_begin(s, 0, &w), LD_OK);
	T_ASSERT_EQ(store_leaf_put(w, 0, "leaf", 4), LD_OK);
	T_ASSERT_EQ(store_meta_put(w, "store-format", "6", 1), LD_OK);
	T_ASSERT_EQ(store_commit(w), LD_OK);
	store_close(s);
	T_ASSERT_EQ(open_logged(&s2, 0, log, sizeof(log)), LD_ECORRUPT);
	T_ASSERT(strstr(log, "holds a store of format 6;") != NULL);
	T_ASSERT(strstr(log, "reads format 7 only") != NULL);
	T_ASSERT_EQ(open_logged(&s2, 1, log, sizeof(log)), LD_ECORRUPT);
	T_ASSERT(strstr(log, "format 6") != NULL &&
	    strstr(log, "format 7") != NULL);
	/* Format 5: leaves of version 1, methods without event dates. */
	T_ASSERT_EQ(store_open(&s2, dir, 1ULL << 30, 1), LD_ECORRUPT);
	s = open_fresh();
	T_ASSERT_EQ(store_begin(s, 0, &w), LD_OK);
	T_ASSERT_EQ(store_leaf_put(w, 0, "leaf", 4), LD_OK);
	T_ASSERT_EQ(store_meta_put(w, "store-format", "5", 1), LD_OK);
	T_ASSERT_EQ(store_commit(w), LD_OK);
	store_close(s);
	T_ASSERT_EQ(open_logged(&s2, 0, log, sizeof(log)), LD_ECORRUPT);
	T_ASSERT(strstr(log, "format 5;") != NULL);
}

static void
test_ovl_record(void)
{
	struct ovl	a, b;
	uint8_t		*rec, v8[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	struct ovl_ent	*e;
	size_t		 len;
	unsigned	 i;

	ovl_init(&a, 1);
	ovl_init(&b, 1);
	for (i = 0; i < 5000; i++) {
		v8[0] = (uint8_t)i;
		T_ASSERT_EQ(ovl_write(&a, i % 3, &i, sizeof(i), v8, 8, 1),
		    LD_OK);
	}
	T_ASSERT_EQ(ovl_write(&a, 0, &i, sizeof(i), v8, 7, 1), LD_OK);
	T_ASSERT_EQ(ovl_write(&a, 0, &i, sizeof(i), v8, 8, 1), LD_EINVAL);
	len = ovl_record_len(&a);
	rec = xmalloc(len);
	ovl_record(&a, rec);
	T_ASSERT_EQ(ovl_apply(&b, rec, len, 9), LD_OK);
	T_ASSERT_EQ(b.n, 5001);
	i = 4321;
	T_ASSERT((e = ovl_get(&b, 4321 % 3, &i, sizeof(i))) != NULL);
	T_ASSERT_EQ(OVL_VAL(e)[0], 4321 & 0xff);
	T_ASSERT_EQ(e->cseq, 9);
	T_ASSERT(ovl_get(&b, (4321 + 1) % 3, &i, sizeof(i)) == NULL);
	/* A cut record does not parse. */
	ovl_clear(&b);
	T_ASSERT_EQ(ovl_apply(&b, rec, len - 1, 9), LD_ECORRUPT);
	free(rec);
	ovl_clear(&a);
	ovl_clear(&b);
}

int
main(int argc, char **argv)
{
	static const struct t_case	cases[] = {
		T_CASE(test_visibility),
		T_CASE(test_rewritten_since),
		T_CASE(test_flush),
		T_CASE(test_replay),
		T_CASE(test_replay_frozen),
		T_CASE(test_dedup_each),
		T_CASE(test_leaf_hashes),
		T_CASE(test_hints),
		T_CASE(test_format),
		T_CASE(test_ovl_record),
		T_CASE(test_ovl_versions),
		T_CASE(test_ovl_old_version),
	};
	char	cmd[128];
	int	rc = t_main(argc, argv, "t_store", cases, T_NCASES(cases));

	if (dir[0] != '\0') {
		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		if (system(cmd) != 0)
			rc = 1;
	}
	return rc;
}
