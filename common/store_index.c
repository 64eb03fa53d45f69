/* store_index.c - the store's deferred indexes: overlay, redo log, flush. */
/*
 * Deferred indexes. leafhash, dedup, days and accounts have random keys:
 * written into their B-trees at every commit, each entry would dirty a
 * page of each tree (LMDB copies a page on write and writes every dirty
 * page at commit), tens of KB per entry once the trees are large. So a
 * write transaction writes them into an in-memory overlay instead (s->c,
 * ovl.c), stamped with the commit it will be (s->cseq + 1), and its
 * commit appends what it wrote there to ixlog, one record per commit (a
 * sequential write in the same transaction, so as durable as the leaves).
 * An abort takes the writes back out of s->c.
 *
 * Once s->c holds STORE_FLUSH_N entries it is frozen as s->f (at commit
 * f_start) and a new s->c begins. s->f is sorted by key and written into
 * the B-trees a slice per commit (f_pos marks how far), in the same
 * transactions as the commits, so that no commit stalls for a whole
 * flush; each index page is then written about once per flush instead of
 * once per commit. The commit that writes the last slice also deletes
 * the ixlog records up to f_start. Opening a store replays ixlog into
 * s->c, so a crash loses nothing that was committed; slices written
 * again after a crash rewrite the same values.
 *
 * Lookups see s->c, then s->f, then the B-trees. The writer changes s->c
 * under the write lock of s->mu, one write at a time, so readers never
 * wait long. A read transaction notes the commits done when it began
 * (t->cseq; taken with its snapshot under s->mu) and reads each entry as
 * it was then: the overlay keeps each value's previous version for that.
 * A flushed s->f is kept for readers whose B-tree snapshot predates the
 * end of its flush, until the next freeze drops it. A reader that cannot
 * tell the value it would have seen (the key was rewritten twice since it
 * began, or the overlay it needs was dropped) gets LD_ERETRY and starts a
 * new transaction.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include <lmdb.h>

#include "err.h"
#include "log.h"
#include "ovl.h"
#include "store_priv.h"
#include "u64.h"
#include "xmalloc.h"

/* B-tree answers for deferred keys, looked up ahead (store.h). */
struct hint {
	uint8_t		db, klen, found, vlen;
	uint8_t		key[STORE_HINT_KEY_MAX];
	uint8_t		v[STORE_HINT_VAL_MAX];
};

struct store_hints {
	struct store_txn *rt;		/* while filling */
	uint64_t	  drops;	/* valid while no overlay is dropped */
	struct hint	 *h;
	size_t		  n, cap;
	uint32_t	 *slot;		/* index + 1, open addressing */
	size_t		  nslot;	/* a power of two */
};


/* Replay ixlog into s->c: the deferred puts committed since the last flush. */
int
store_index_replay(struct store *s, MDB_txn *txn)
{
	MDB_cursor	*c;
	MDB_val		 k, v;
	uint64_t	 cseq = 0;
	int		 rc, op = MDB_FIRST;

	if ((rc = mdb_cursor_open(txn, s->dbi[DB_IXLOG], &c)) != 0)
		return rc;
	while ((rc = mdb_cursor_get(c, &k, &v, op)) == 0) {
		op = MDB_NEXT;
		if (k.mv_size != 8 ||
		    (cseq = store_get_be64(k.mv_data)) <= s->cseq ||
		    ovl_apply(&s->c, v.mv_data, v.mv_size, cseq) != LD_OK) {
			log_warnx("%s: ixlog record %llu is corrupt", s->dir,
			    (unsigned long long)cseq);
			rc = MDB_CORRUPTED;
			break;
		}
		s->cseq = cseq;
	}
	mdb_cursor_close(c);
	return rc == MDB_NOTFOUND ? 0 : rc;
}

/* Append this transaction's deferred writes to ixlog as record cseq. */
static int
log_deferred(struct store_txn *t, uint64_t cseq)
{
	uint8_t	 kb[8];
	MDB_val	 k = { 8, kb }, v = { ovl_record_len(&t->s->c), NULL };
	int	 rc;

	store_be64(kb, cseq);
	if ((rc = mdb_put(t->txn, t->s->dbi[DB_IXLOG], &k, &v,
	    MDB_APPEND | MDB_RESERVE)) != 0)
		return rc;
	ovl_record(&t->s->c, v.mv_data);
	return 0;
}

static int
fl_cmp(const void *a, const void *b)
{
	const struct fl_ent	*x = a, *y = b;
	size_t			 n;
	int			 c;

	if (x->pre != y->pre)
		return x->pre < y->pre ? -1 : 1;
	n = x->e->klen < y->e->klen ? x->e->klen : y->e->klen;
	if ((c = memcmp(OVL_KEY(x->e), OVL_KEY(y->e), n)) != 0)
		return c;
	return x->e->klen < y->e->klen ? -1 : x->e->klen > y->e->klen;
}

/*
 * Sort by table and key: a radix sort on the 8-byte prefix (passes whose
 * digit is the same everywhere are skipped), then the runs of equal
 * prefixes (keys with a common start, such as one issuer's accounts) by
 * comparison. A million entries take a few tens of milliseconds where
 * qsort took a quarter of a second.
 */
static void
fl_sort(struct fl_ent *a, size_t n)
{
	struct fl_ent	*tmp, *src = a, *dst, *sw;
	size_t		 cnt[8][256], i, j, sum, c;
	unsigned	 d;

	if (n < 2)
		return;
	dst = tmp = xreallocarray(NULL, n, sizeof(*tmp));
	memset(cnt, 0, sizeof(cnt));
	for (i = 0; i < n; i++)
		for (d = 0; d < 8; d++)
			cnt[d][src[i].pre >> (8 * d) & 255]++;
	for (d = 0; d < 8; d++) {
		if (cnt[d][src[0].pre >> (8 * d) & 255] == n)
			continue;
		for (i = 0, sum = 0; i < 256; i++) {
			c = cnt[d][i];
			cnt[d][i] = sum;
			sum += c;
		}
		for (i = 0; i < n; i++)
			dst[cnt[d][src[i].pre >> (8 * d) & 255]++] = src[i];
		sw = src;
		src = dst;
		dst = sw;
	}
	if (src != a)
		memcpy(a, src, n * sizeof(*a));
	free(tmp);
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && a[j].pre == a[i].pre; j++)
			;
		if (j - i > 1)
			qsort(a + i, j - i, sizeof(*a), fl_cmp);
	}
}

static void
fl_add(struct fl_ent *f, const struct ovl_ent *e)
{
	uint64_t	pre = e->db;
	size_t		i;

	for (i = 0; i < 7; i++)
		pre = pre << 8 | (i < e->klen ? OVL_KEY(e)[i] : 0);
	f->pre = pre;
	f->e = e;
}

/* f's entries, sorted by key (the writer, after freezing it). */
static void
sort_frozen(struct store *s)
{
	const struct ovl_ent	*e;
	size_t			 n = 0;

	free(s->f_sorted);
	s->f_sorted = xreallocarray(NULL, s->f.n + 1, sizeof(*s->f_sorted));
	for (e = s->f.head; e != NULL; e = e->next)
		fl_add(&s->f_sorted[n++], e);
	fl_sort(s->f_sorted, n);
	pthread_rwlock_wrlock(&s->mu);
	s->f_n = n;
	s->f_pos = 0;
	pthread_rwlock_unlock(&s->mu);
}

/*
 * Put entries a[0 .. n) into their B-trees, through one cursor per table:
 * in key order most keys land on the leaf page of the one before, and
 * LMDB then skips the descent from the root.
 */
static int
put_sorted(struct store_txn *t, const struct fl_ent *a, size_t n)
{
	MDB_cursor	*cur = NULL;
	size_t		 i;
	unsigned	 cur_db = 0;
	int		 rc = 0;

	for (i = 0; i < n && rc == 0; i++) {
		MDB_val	k = { a[i].e->klen, (void *)OVL_KEY(a[i].e) };
		MDB_val	v = { a[i].e->vlen, (void *)OVL_VAL(a[i].e) };

		if (cur == NULL || a[i].e->db != cur_db) {
			if (cur != NULL)
				mdb_cursor_close(cur);
			cur_db = a[i].e->db;
			if ((rc = mdb_cursor_open(t->txn, t->s->dbi[cur_db],
			    &cur)) != 0) {
				cur = NULL;
				break;
			}
		}
		rc = mdb_cursor_put(cur, &k, &v, 0);
	}
	if (cur != NULL)
		mdb_cursor_close(cur);
	return rc;
}

/* Delete the ixlog records of commits up to cseq (their writes are all in
 * the B-trees now). */
static int
trim_ixlog(struct store_txn *t, uint64_t cseq)
{
	MDB_cursor	*c;
	MDB_val		 k, v;
	int		 rc;

	if ((rc = mdb_cursor_open(t->txn, t->s->dbi[DB_IXLOG], &c)) != 0)
		return rc;
	while ((rc = mdb_cursor_get(c, &k, &v, MDB_FIRST)) == 0 &&
	    k.mv_size == 8 && store_get_be64(k.mv_data) <= cseq)
		if ((rc = mdb_cursor_del(c, 0)) != 0)
			break;
	mdb_cursor_close(c);
	return rc == MDB_NOTFOUND || rc == 0 ? 0 : rc;
}

/*
 * The next slice of f into the B-trees, in this transaction: at least
 * FLUSH_SLICE entries, and four for each deferred write of this commit,
 * so that f is written out well before c fills up; all of it when c is
 * already full again. *pos gets the position after it; when that is the
 * end, the ixlog records of f are deleted too.
 */
#define FLUSH_SLICE	65536

static int
flush_slice(struct store_txn *t, size_t writes, size_t *pos)
{
	struct store	*s = t->s;
	size_t		 n = FLUSH_SLICE, left = s->f_n - s->f_pos;
	int		 rc;

	if (n < 4 * writes)
		n = 4 * writes;
	if (n > left || s->c.n >= s->flush_n)
		n = left;
	if ((rc = put_sorted(t, s->f_sorted + s->f_pos, n)) != 0)
		return rc;
	*pos = s->f_pos + n;
	if (*pos == s->f_n)
		rc = trim_ixlog(t, s->f_start);
	return rc;
}

/* Everything into the B-trees and ixlog emptied (store_close). */
static int
flush_all(struct store_txn *t)
{
	struct store		*s = t->s;
	struct fl_ent		*all;
	const struct ovl_ent	*e;
	size_t			 n = 0;
	int			 rc = 0;

	if (s->f_live && s->f_end == 0 && (rc = put_sorted(t, s->f_sorted +
	    s->f_pos, s->f_n - s->f_pos)) != 0)
		return rc;
	all = xreallocarray(NULL, s->c.n + 1, sizeof(*all));
	for (e = s->c.head; e != NULL; e = e->next)
		fl_add(&all[n++], e);
	fl_sort(all, n);
	rc = put_sorted(t, all, n);
	free(all);
	if (rc == 0)
		rc = mdb_drop(t->txn, s->dbi[DB_IXLOG], 0);
	return rc;
}

static size_t
hint_hash(unsigned db, const uint8_t *k, size_t klen)
{
	uint64_t	h = 1469598103934665603ULL ^ db;
	size_t		i;

	for (i = 0; i < klen; i++)
		h = (h ^ k[i]) * 1099511628211ULL;
	return (size_t)(h ^ h >> 31);
}

/* The hint slot of (db, k), or the empty one where it would go. */
static size_t
hint_find(const struct store_hints *hs, unsigned db, const void *k,
    size_t klen)
{
	size_t			 i, mask = hs->nslot - 1;
	const struct hint	*h;

	for (i = hint_hash(db, k, klen) & mask; hs->slot[i] != 0;
	    i = (i + 1) & mask) {
		h = &hs->h[hs->slot[i] - 1];
		if (h->db == db && h->klen == klen &&
		    memcmp(h->key, k, klen) == 0)
			break;
	}
	return i;
}

/*
 * The writer's key missed both overlays: a hint answers for the B-tree
 * (LD_OK with the value, LD_ENOTFOUND), if it is still valid; otherwise
 * LD_ENOTFOUND, and the caller reads the B-tree.
 */
static int
hint_get(struct store_txn *t, int db, const void *k, size_t klen, void *out,
    size_t n)
{
	const struct store_hints	*hs = t->hints;
	const struct hint		*h;
	uint32_t			 x;

	if (hs == NULL || hs->drops != t->s->drops || hs->n == 0 ||
	    (x = hs->slot[hint_find(hs, (unsigned)db, k, klen)]) == 0)
		return LD_ENOTFOUND;
	h = &hs->h[x - 1];
	if (!h->found)
		return LD_EEXIST;	/* known absent: skip the B-tree */
	if (h->vlen != n)
		return LD_ECORRUPT;
	memcpy(out, h->v, n);
	return LD_OK;
}

struct store_hints *
store_hints_new(struct store_txn *rt, size_t n)
{
	struct store_hints	*hs = xcalloc(1, sizeof(*hs));

	hs->rt = rt;
	hs->drops = rt->drops;
	hs->cap = n ? n : 1;
	hs->h = xreallocarray(NULL, hs->cap, sizeof(*hs->h));
	for (hs->nslot = 16; hs->nslot < 2 * hs->cap; hs->nslot *= 2)
		;
	hs->slot = xcalloc(hs->nslot, sizeof(*hs->slot));
	return hs;
}

void
store_hints_free(struct store_hints *hs)
{
	if (hs == NULL)
		return;
	free(hs->h);
	free(hs->slot);
	free(hs);
}

/* Look (table, k) up in rt's B-tree and keep the answer. */
int
store_hint(struct store_hints *hs, enum store_table table, const void *k,
    size_t klen)
{
	struct store_txn	*rt = hs->rt;
	MDB_val			 key = { klen, (void *)k }, val;
	struct hint		*h;
	size_t			 i;
	int			 rc, db = store_table_db(table);

	if (db < 0 || !DEFERRED(db))
		return LD_EINVAL;
	if (rt == NULL || hs->n == hs->cap || klen > STORE_HINT_KEY_MAX)
		return LD_ETOOBIG;
	if (hs->slot[i = hint_find(hs, (unsigned)db, k, klen)] != 0)
		return LD_OK;			/* asked already */
	rc = mdb_get(rt->txn, rt->s->dbi[db], &key, &val);
	if (rc != 0 && rc != MDB_NOTFOUND)
		return store_map_err(rc);
	if (rc == 0 && val.mv_size > sizeof(h->v))
		return LD_ECORRUPT;
	h = &hs->h[hs->n];
	h->db = (uint8_t)db;
	h->klen = (uint8_t)klen;
	memcpy(h->key, k, klen);
	h->found = rc == 0;
	h->vlen = rc == 0 ? (uint8_t)val.mv_size : 0;
	if (rc == 0)
		memcpy(h->v, val.mv_data, val.mv_size);
	hs->slot[i] = (uint32_t)++hs->n;
	return LD_OK;
}

void
store_hints_done(struct store_hints *hs)
{
	hs->rt = NULL;
}

void
store_txn_hints(struct store_txn *t, const struct store_hints *hs)
{
	t->hints = hs;
}

/* A deferred table's value (store_priv.h). */
int
store_index_get(struct store_txn *t, int db, const void *k, size_t klen,
    void *out, size_t n)
{
	struct store		*s = t->s;
	const struct ovl_ent	*e = NULL;
	const uint8_t		*v = NULL;
	int			 rc = 0;

	if (t->write) {
		/* Only the writer changes the overlays: no lock to read. */
		if ((e = ovl_get(&s->c, (unsigned)db, k, klen)) == NULL &&
		    (!s->f_live || (e = ovl_get(&s->f, (unsigned)db, k,
		    klen)) == NULL))
			return hint_get(t, db, k, klen, out, n);
		if (e->vlen != n)
			return LD_ECORRUPT;
		memcpy(out, OVL_VAL(e), n);
		return LD_OK;
	}
	pthread_rwlock_rdlock(&s->mu);
	if (t->cseq < s->drop_end)
		rc = LD_ERETRY;		/* the overlay it needs is gone */
	else if ((rc = ovl_read(&s->c, (unsigned)db, k, klen, t->cseq, &e,
	    &v)) == 0 && s->f_live)
		rc = ovl_read(&s->f, (unsigned)db, k, klen, t->cseq, &e, &v);
	if (rc == 1) {
		rc = e->vlen == n ? LD_OK : LD_ECORRUPT;
		if (rc == LD_OK)
			memcpy(out, v, n);
	} else if (rc == 0)
		rc = LD_ENOTFOUND;
	pthread_rwlock_unlock(&s->mu);
	return rc;
}

void
store_set_flush(struct store *s, size_t n)
{
	s->flush_n = n;
}

size_t
store_deferred(struct store *s)
{
	size_t	n;

	pthread_rwlock_rdlock(&s->mu);
	n = s->c.n + (s->f_live && s->f_end == 0 ? s->f_n - s->f_pos : 0);
	pthread_rwlock_unlock(&s->mu);
	return n;
}

int
store_index_pending(struct store *s)
{
	return s->c.n > 0 || (s->f_live && s->f_end == 0);
}

void
store_index_init(struct store *s)
{
	pthread_rwlockattr_t	 ra;
	const char		*env;
	uint64_t		 v, seed;

	s->flush_n = STORE_FLUSH_N;
	if ((env = getenv("LEDGER_INDEX_FLUSH")) != NULL &&
	    u64_parse(env, strlen(env), &v) == LD_OK && v > 0 && v <= SIZE_MAX)
		s->flush_n = (size_t)v;
	/* The hash seed: issuers choose keys, they must not know it. */
	if (getrandom(&seed, sizeof(seed), 0) != sizeof(seed))
		seed = (uint64_t)time(NULL) ^ (uint64_t)(uintptr_t)s;
	ovl_init(&s->c, seed);
	ovl_init(&s->f, seed);
	/* The writer's merge must not wait behind a stream of readers. */
	pthread_rwlockattr_init(&ra);
	pthread_rwlockattr_setkind_np(&ra,
	    PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
	pthread_rwlock_init(&s->mu, &ra);
	pthread_rwlockattr_destroy(&ra);
}

void
store_index_fini(struct store *s)
{
	ovl_clear(&s->c);
	ovl_clear(&s->f);
	free(s->f_sorted);
	s->f_sorted = NULL;
	pthread_rwlock_destroy(&s->mu);
}

int
store_index_put(struct store_txn *t, int db, const void *k, size_t klen,
    const void *v, size_t vlen)
{
	struct store	*s = t->s;
	int		 rc;

	if (!t->write)
		return LD_EINVAL;
	pthread_rwlock_wrlock(&s->mu);
	rc = ovl_write(&s->c, (unsigned)db, k, klen, v, vlen, s->cseq + 1);
	pthread_rwlock_unlock(&s->mu);
	return rc;
}

/* Take a failed write transaction's deferred writes back out of s->c. */
void
store_index_undo(struct store *s)
{
	pthread_rwlock_wrlock(&s->mu);
	ovl_undo(&s->c);
	pthread_rwlock_unlock(&s->mu);
}

/* After the commit of cseq: freeze c as f (dropping the f before it,
 * flushed by now) and sort it. The writer, under no lock but for the
 * swap. */
static void
freeze(struct store *s, uint64_t cseq)
{
	pthread_rwlock_wrlock(&s->mu);
	if (s->f_live) {
		s->drop_end = s->f_end;
		s->drops++;
	}
	ovl_swap(&s->c, &s->f);
	ovl_reset(&s->c);		/* the old f's memory, reused */
	s->f_live = 1;
	s->f_start = cseq;
	s->f_end = 0;
	pthread_rwlock_unlock(&s->mu);
	sort_frozen(s);
}

int
store_index_prepare(struct store_txn *t, struct store_index_commit *ic)
{
	struct store	*s = t->s;
	uint64_t	 cseq = s->cseq + 1;
	size_t		 writes;
	int		 rc = 0;

	writes = s->c.pend == cseq ? s->c.nundo + (s->c.n - s->c.pend_n) : 0;
	ic->all = s->flush_n == 0;
	ic->slice = !ic->all && s->f_live && s->f_end == 0;
	ic->pos = 0;
	if (ic->all)
		return flush_all(t);
	if (writes > 0)
		rc = log_deferred(t, cseq);
	if (rc == 0 && ic->slice)
		rc = flush_slice(t, writes, &ic->pos);
	return rc;
}

void
store_index_committed(struct store_txn *t, const struct store_index_commit *ic)
{
	struct store	*s = t->s;
	uint64_t	 cseq = s->cseq + 1;

	pthread_rwlock_wrlock(&s->mu);
	ovl_done(&s->c);
	s->cseq = cseq;
	if (ic->all) {
		/* Everything is in the B-trees: no overlay needed, but
		 * readers from before have lost theirs. */
		s->drop_end = cseq;
		s->drops++;
		ovl_reset(&s->c);
		ovl_reset(&s->f);
		s->f_live = 0;
		s->f_n = s->f_pos = 0;
	} else if (ic->slice) {
		s->f_pos = ic->pos;
		if (ic->pos == s->f_n)
			s->f_end = cseq;
	}
	pthread_rwlock_unlock(&s->mu);
	/* Freeze when c is full and f is out (or there is none). */
	if (!ic->all && s->c.n >= s->flush_n && (!s->f_live || s->f_end != 0))
		freeze(s, cseq);
}

/* The deferred dedup keys t sees that its B-tree snapshot lacks. */
static int
dedup_deferred(struct store_txn *t, uint8_t (**keys)[40], size_t *n)
{
	struct store		*s = t->s;
	const struct ovl	*o[2] = { &s->c, s->f_live ? &s->f : NULL };
	const struct ovl_ent	*e, *v;
	const uint8_t		*val;
	size_t			 cap = 0, i;
	int			 rc = LD_OK;

	*keys = NULL;
	*n = 0;
	if (!t->write) {
		pthread_rwlock_rdlock(&s->mu);
		o[1] = s->f_live ? &s->f : NULL;
		if (t->cseq < s->drop_end)
			rc = LD_ERETRY;
	}
	for (i = 0; i < 2 && rc == LD_OK; i++)
		for (e = o[i] ? o[i]->head : NULL; e != NULL && rc == LD_OK;
		    e = e->next) {
			MDB_val	k = { 32, (void *)OVL_KEY(e) }, bv;

			if (e->db != DB_DEDUP || e->vlen != 8 || e->klen != 32)
				continue;
			if (i == 1 && ovl_get(&s->c, DB_DEDUP, OVL_KEY(e),
			    32) != NULL)
				continue;	/* listed from c */
			val = OVL_VAL(e);
			if (!t->write && (rc = ovl_read(o[i], DB_DEDUP,
			    OVL_KEY(e), 32, t->cseq, &v, &val)) != 1) {
				if (rc == 0)
					continue;	/* newer than t */
				break;
			}
			rc = LD_OK;
			if (mdb_get(t->txn, s->dbi[DB_DEDUP], &k, &bv) == 0)
				continue;	/* also in the B-tree */
			if (*n == cap) {
				cap = cap ? cap * 2 : 256;
				*keys = xreallocarray(*keys, cap,
				    sizeof(**keys));
			}
			memcpy((*keys)[*n], OVL_KEY(e), 32);
			memcpy((*keys)[*n] + 32, val, 8);
			(*n)++;
		}
	if (!t->write)
		pthread_rwlock_unlock(&s->mu);
	return rc;
}

int
store_dedup_each(struct store_txn *t,
    int (*fn)(void *, const uint8_t key[32], uint64_t index), void *arg)
{
	MDB_cursor	*c;
	MDB_val		 k, v;
	uint8_t		(*keys)[40];
	size_t		 n, i;
	int		 rc, op = MDB_FIRST;

	if ((rc = dedup_deferred(t, &keys, &n)) != LD_OK)
		return rc;
	if ((rc = mdb_cursor_open(t->txn, t->s->dbi[DB_DEDUP], &c)) != 0) {
		free(keys);
		return store_map_err(rc);
	}
	while ((rc = mdb_cursor_get(c, &k, &v, op)) == 0) {
		op = MDB_NEXT;
		if (k.mv_size != 32 || v.mv_size != 8) {
			rc = LD_ECORRUPT;
			break;
		}
		if ((rc = fn(arg, k.mv_data, store_get_be64(v.mv_data))) != 0)
			break;
	}
	mdb_cursor_close(c);
	rc = rc == MDB_NOTFOUND ? LD_OK : (rc > 0 ? store_map_err(rc) : rc);
	for (i = 0; i < n && rc == LD_OK; i++)
		rc = fn(arg, keys[i], store_get_be64(keys[i] + 32));
	free(keys);
	return rc;
}
