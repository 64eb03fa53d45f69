/* store.c - LMDB persistence: leaves, tree nodes, rule state, metadata. */
/*
 * Databases (keys big-endian so LMDB's byte order is numeric order):
 *	leaves		u64 index -> leaf bytes (appended)
 *	rows		(255 - k, u64 i) -> the hash at height 4k, k >= 1,
 *			of leaves [i * 16^k, (i + 1) * 16^k): every fourth
 *			level of the tree. A node at height 4k + r (r < 4) is
 *			hashed up from 2^r <= 8 consecutive hashes of row k
 *			(row 0: the leaf hashes of tiles0 and tail0), all
 *			under one node of row k + 1, so a proof reads one
 *			group of at most 16 hashes per row. Row 1, by far the
 *			largest (a hash per 16 leaves), has the largest keys:
 *			its puts are appends.
 *	tiles0		u64 group G -> the 2,048 leaf hashes of leaves
 *			2048G .. 2048G+2047: 8 full level-0 tiles
 *	tail0		u64 leaf index -> leaf hash, for the leaves after
 *			the last full group (emptied when a group fills)
 *	leafhash	32-byte leaf hash -> u64 index
 *	dedup		32-byte dedup key -> u64 index
 *	days		16-byte day key -> u64 grams
 *	accounts	issuer NUL account -> struct account_ctr
 *	issuers		id -> struct issuer_state
 *	methods		id -> struct method_state
 *	reversals	u64 credit index -> u64 reversal index
 *	meta		name -> value
 *	ixlog		u64 commit number -> the deferred puts of that commit
 *
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
#include <sys/stat.h>
#include <sys/random.h>
#include <sys/statvfs.h>
#include <time.h>

#include <lmdb.h>

#include "err.h"
#include "log.h"
#include "merkle.h"
#include "ovl.h"
#include "store.h"
#include "util.h"

enum {
	DB_LEAVES, DB_ROWS, DB_LEAFHASH, DB_DEDUP, DB_DAYS, DB_ACCOUNTS,
	DB_ISSUERS, DB_METHODS, DB_REVERSALS, DB_META, DB_IXLOG, DB_TILES0,
	DB_TAIL0, DB_COUNT
};

#define DEFERRED(db)	((db) == DB_LEAFHASH || (db) == DB_DEDUP || \
			 (db) == DB_DAYS || (db) == DB_ACCOUNTS)

static const char *const db_names[DB_COUNT] = {
	"leaves", "rows", "leafhash", "dedup", "days", "accounts",
	"issuers", "methods", "reversals", "meta", "ixlog", "tiles0", "tail0",
};

/* A flush entry: the table and the key's first 7 bytes, big-endian,
 * so that most comparisons are one integer comparison. */
struct fl_ent {
	uint64_t		 pre;
	const struct ovl_ent	*e;
};

struct store {
	MDB_env		*env;
	char		*dir;
	MDB_dbi		 dbi[DB_COUNT];
	int		 rdonly;
	size_t		 flush_n;	/* flush s->c at this many entries */

	/* The deferred indexes (above); the writer changes them under mu. */
	pthread_rwlock_t mu;
	struct ovl	 c;		/* written since f_start */
	struct ovl	 f;		/* frozen at f_start, being flushed */
	uint64_t	 cseq;		/* commits done so far */
	int		 f_live;	/* f holds entries */
	uint64_t	 f_start;	/* f holds the writes up to this commit */
	uint64_t	 f_end;		/* its flush ended here (0: not yet) */
	uint64_t	 drop_end;	/* readers before this need a dropped f */
	uint64_t	 drops;		/* overlays dropped so far (hints) */
	/* The writer's own: f sorted by key, and how much is written. */
	struct fl_ent	*f_sorted;
	size_t		 f_n, f_pos;
};

#define ROW_H	4	/* a stored row every ROW_H levels */
#define ROW_G	16	/* 2^ROW_H: a row's hashes under one node of the next */

struct store_txn {
	struct store	*s;
	MDB_txn		*txn;
	MDB_cursor	*leaves_cur;	/* reused for appends */
	int		 write;
	uint64_t	 cseq;		/* readers: commits done at begin */
	uint64_t	 drops;		/* s->drops at begin */
	const struct store_hints *hints; /* writers: B-tree answers */
	struct store_ncache *ncache;	/* or NULL */
	struct {			/* the last group of a row read */
		unsigned	 row;
		uint64_t	 first;	/* a multiple of ROW_G */
		size_t		 n;	/* 0: none */
		uint8_t		 h[ROW_G][32];
	}		 grp;
};

/* B-tree answers for deferred keys, looked up ahead (store.h). */
#define HINT_KEY_MAX	(ID_MAX + 1 + ACCOUNT_MAX)

struct hint {
	uint8_t		db, klen, found, vlen;
	uint8_t		key[HINT_KEY_MAX];
	uint8_t		v[32];
};

struct store_hints {
	struct store_txn *rt;		/* while filling */
	uint64_t	  drops;	/* valid while no overlay is dropped */
	struct hint	 *h;
	size_t		  n, cap;
	uint32_t	 *slot;		/* index + 1, open addressing */
	size_t		  nslot;	/* a power of two */
};

/* Map an LMDB or errno code to LD_*. */
static int
map_err(int rc)
{
	switch (rc) {
	case MDB_SUCCESS:
		return LD_OK;
	case MDB_NOTFOUND:
		return LD_ENOTFOUND;
	case MDB_MAP_FULL:
	case ENOSPC:
	case EDQUOT:
		return LD_EFULL;
	case MDB_CORRUPTED:
	case MDB_PAGE_NOTFOUND:
	case MDB_INVALID:
		return LD_ECORRUPT;
	case MDB_KEYEXIST:
		return LD_EEXIST;
	default:
		log_warnx("lmdb: %s", mdb_strerror(rc));
		return LD_ESYS;
	}
}

static void
be64(uint8_t out[8], uint64_t v)
{
	int	i;

	for (i = 7; i >= 0; i--) {
		out[i] = (uint8_t)v;
		v >>= 8;
	}
}

static uint64_t
get_be64(const uint8_t *p)
{
	uint64_t	v = 0;
	int		i;

	for (i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

/* ---- deferred indexes (see the top of the file) -------------------------- */

/* Replay ixlog into s->c: the deferred puts committed since the last flush. */
static int
replay_ixlog(struct store *s, MDB_txn *txn)
{
	MDB_cursor	*c;
	MDB_val		 k, v;
	uint64_t	 cseq = 0;
	int		 rc, op = MDB_FIRST;

	if ((rc = mdb_cursor_open(txn, s->dbi[DB_IXLOG], &c)) != 0)
		return rc;
	while ((rc = mdb_cursor_get(c, &k, &v, op)) == 0) {
		op = MDB_NEXT;
		if (k.mv_size != 8 || (cseq = get_be64(k.mv_data)) <= s->cseq ||
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

	be64(kb, cseq);
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
	    k.mv_size == 8 && get_be64(k.mv_data) <= cseq)
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

/* Look (db, k) up in rt's B-tree and keep the answer. */
static int
hint_add(struct store_hints *hs, int db, const void *k, size_t klen)
{
	struct store_txn	*rt = hs->rt;
	MDB_val			 key = { klen, (void *)k }, val;
	struct hint		*h;
	size_t			 i;
	int			 rc;

	if (rt == NULL || hs->n == hs->cap || klen > HINT_KEY_MAX)
		return LD_ETOOBIG;
	if (hs->slot[i = hint_find(hs, (unsigned)db, k, klen)] != 0)
		return LD_OK;			/* asked already */
	rc = mdb_get(rt->txn, rt->s->dbi[db], &key, &val);
	if (rc != 0 && rc != MDB_NOTFOUND)
		return map_err(rc);
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

int
store_hint_dedup(struct store_hints *hs, const uint8_t key[32])
{
	return hint_add(hs, DB_DEDUP, key, 32);
}

int
store_hint_day(struct store_hints *hs, const uint8_t key[16])
{
	return hint_add(hs, DB_DAYS, key, 16);
}

static size_t	account_key(char k[ID_MAX + 1 + ACCOUNT_MAX],
		    const char *issuer, const char *account);

int
store_hint_account(struct store_hints *hs, const char *issuer,
    const char *account)
{
	char	k[ID_MAX + 1 + ACCOUNT_MAX];

	return hint_add(hs, DB_ACCOUNTS, k, account_key(k, issuer, account));
}

int
store_hint_sub(struct store_hints *hs, const char *issuer,
    const struct sub *sub)
{
	uint8_t	dk[16];
	int	rc;

	if ((rc = store_hint_dedup(hs, sub->dedup)) != LD_OK)
		return rc;
	if (sub->kind == KIND_CREDIT) {
		rules_day_key(issuer, sub->account.s, sub->method.s, sub->day,
		    dk);
		if ((rc = store_hint_day(hs, dk)) != LD_OK)
			return rc;
	}
	/* A reversal's account is its target's, looked up by index. */
	if (sub->kind != KIND_REVERSE)
		rc = store_hint_account(hs, issuer, sub->account.s);
	return rc;
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

/*
 * A deferred index value, copied into out (n bytes): LD_OK, LD_ENOTFOUND
 * to look in the B-tree, LD_EEXIST when a hint says the B-tree has none,
 * LD_ERETRY, or LD_ECORRUPT for a wrong size.
 */
static int
deferred_get(struct store_txn *t, int db, const void *k, size_t klen,
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

/*
 * The layout above is format STORE_FORMAT, kept in meta "store-format". A
 * new store gets it; a store with leaves and another format (or none:
 * written before the deferred indexes) is refused, since its indexes
 * would be read wrongly.
 */
#define STORE_FORMAT	"6"

static int
check_format(struct store *s, MDB_txn *txn)
{
	MDB_val		k = { 12, (void *)"store-format" }, v;
	MDB_stat	st;
	int		rc, found;

	rc = mdb_get(txn, s->dbi[DB_META], &k, &v);
	if (rc != 0 && rc != MDB_NOTFOUND)
		return rc;
	found = rc == 0;
	if (found && v.mv_size == strlen(STORE_FORMAT) &&
	    memcmp(v.mv_data, STORE_FORMAT, v.mv_size) == 0)
		return 0;
	if ((rc = mdb_stat(txn, s->dbi[DB_LEAVES], &st)) != 0)
		return rc;
	if (st.ms_entries == 0) {
		if (s->rdonly)
			return 0;	/* empty: nothing to read wrongly */
		v.mv_size = strlen(STORE_FORMAT);
		v.mv_data = (void *)STORE_FORMAT;
		return mdb_put(txn, s->dbi[DB_META], &k, &v, 0);
	}
	log_warnx("%s holds a store of format %.*s; this program reads "
	    "format %s only: replay the log into a new directory (for an "
	    "auditor's mirror: ledger-audit sync --state NEWDIR)", s->dir,
	    found ? (int)v.mv_size : 1, found ? (char *)v.mv_data : "1",
	    STORE_FORMAT);
	return MDB_INVALID;
}

int
store_open(struct store **out, const char *dir, uint64_t mapsize, int rdonly)
{
	struct store		*s = xcalloc(1, sizeof(*s));
	MDB_txn			*txn = NULL;
	pthread_rwlockattr_t	 ra;
	const char		*env;
	uint64_t		 v, seed;
	unsigned		 flags = MDB_NOTLS;
	int			 rc, i;

	if (!rdonly && mkdir(dir, 0700) != 0 && errno != EEXIST) {
		free(s);
		return LD_ESYS;
	}
	s->rdonly = rdonly;
	s->dir = xstrdup(dir);
	s->flush_n = STORE_FLUSH_N;
	if ((env = getenv("LEDGER_INDEX_FLUSH")) != NULL &&
	    parse_u64(env, strlen(env), &v) == LD_OK && v > 0 && v <= SIZE_MAX)
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
	if ((rc = mdb_env_create(&s->env)) != 0)
		goto fail;
	if ((rc = mdb_env_set_maxdbs(s->env, DB_COUNT)) != 0 ||
	    (rc = mdb_env_set_mapsize(s->env, mapsize ? mapsize :
	    STORE_MAPSIZE_DEFAULT)) != 0 ||
	    (rc = mdb_env_set_maxreaders(s->env, 254)) != 0)
		goto fail;
	if (rdonly)
		flags |= MDB_RDONLY;
	if ((rc = mdb_env_open(s->env, dir, flags, 0600)) != 0) {
		log_warnx("lmdb: %s: %s", dir, mdb_strerror(rc));
		goto fail;
	}
	if ((rc = mdb_txn_begin(s->env, NULL, rdonly ? MDB_RDONLY : 0,
	    &txn)) != 0)
		goto fail;
	for (i = 0; i < DB_COUNT; i++)
		if ((rc = mdb_dbi_open(txn, db_names[i],
		    rdonly ? 0 : MDB_CREATE, &s->dbi[i])) != 0)
			goto fail;
	if ((rc = check_format(s, txn)) != 0 ||
	    (rc = replay_ixlog(s, txn)) != 0)
		goto fail;
	if ((rc = mdb_txn_commit(txn)) != 0) {
		txn = NULL;
		goto fail;
	}
	*out = s;
	return LD_OK;
fail:
	ovl_clear(&s->c);
	free(s->dir);
	pthread_rwlock_destroy(&s->mu);
	if (txn)
		mdb_txn_abort(txn);
	if (s->env)
		mdb_env_close(s->env);
	free(s);
	return map_err(rc);
}

void
store_close(struct store *s)
{
	struct store_txn	*t;

	if (s == NULL)
		return;
	/* Write the deferred indexes out, so the next open replays none. */
	if (!s->rdonly && (s->c.n > 0 || (s->f_live && s->f_end == 0)) &&
	    store_begin(s, 0, &t) == LD_OK) {
		s->flush_n = 0;		/* store_commit: flush_all */
		if (store_commit(t) != LD_OK)
			log_warnx("%s: the deferred indexes stay in ixlog",
			    s->dir);
	}
	ovl_clear(&s->c);
	ovl_clear(&s->f);
	free(s->f_sorted);
	pthread_rwlock_destroy(&s->mu);
	mdb_env_close(s->env);
	free(s->dir);
	free(s);
}

int
store_sync(struct store *s)
{
	return map_err(mdb_env_sync(s->env, 1));
}

int
store_begin(struct store *s, int rdonly, struct store_txn **out)
{
	struct store_txn	*t = xcalloc(1, sizeof(*t));
	int			 rc;

	t->s = s;
	t->write = !rdonly;
	/* A reader's snapshot and t->cseq are taken together (above). */
	if (rdonly)
		pthread_rwlock_rdlock(&s->mu);
	t->cseq = s->cseq;
	t->drops = s->drops;
	rc = mdb_txn_begin(s->env, NULL, rdonly ? MDB_RDONLY : 0, &t->txn);
	if (rdonly)
		pthread_rwlock_unlock(&s->mu);
	if (rc != 0) {
		free(t);
		return map_err(rc);
	}
	*out = t;
	return LD_OK;
}

/*
 * LMDB reports a short write as EIO; when the filesystem is (nearly)
 * out of space that is a full disk, which the caller answers with 507.
 */
static int
commit_err(struct store *s, int rc)
{
	struct statvfs	sv;

	if (rc == EIO && statvfs(s->dir, &sv) == 0 &&
	    (uint64_t)sv.f_bavail * sv.f_frsize < (64ULL << 20))
		return LD_EFULL;
	return map_err(rc);
}

/* Take a failed write transaction's deferred writes back out of s->c. */
static void
undo_deferred(struct store *s)
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
store_commit(struct store_txn *t)
{
	struct store	*s = t->s;
	uint64_t	 cseq = s->cseq + 1;
	size_t		 pos = 0, writes;
	int		 rc = 0, all = 0, slice = 0;

	if (t->leaves_cur)
		mdb_cursor_close(t->leaves_cur);
	if (t->write) {
		writes = s->c.pend == cseq ? s->c.nundo + (s->c.n -
		    s->c.pend_n) : 0;
		all = s->flush_n == 0;
		slice = !all && s->f_live && s->f_end == 0;
		if (all)
			rc = flush_all(t);
		else {
			if (writes > 0)
				rc = log_deferred(t, cseq);
			if (rc == 0 && slice)
				rc = flush_slice(t, writes, &pos);
		}
	}
	if (rc != 0) {
		mdb_txn_abort(t->txn);
		undo_deferred(s);
		free(t);
		return rc > 0 ? commit_err(s, rc) : rc;
	}
	rc = mdb_txn_commit(t->txn);
	if (t->write && rc != 0)
		undo_deferred(s);
	else if (t->write) {
		pthread_rwlock_wrlock(&s->mu);
		ovl_done(&s->c);
		s->cseq = cseq;
		if (all) {
			/* Everything is in the B-trees: no overlay needed,
			 * but readers from before have lost theirs. */
			s->drop_end = cseq;
			s->drops++;
			ovl_reset(&s->c);
			ovl_reset(&s->f);
			s->f_live = 0;
			s->f_n = s->f_pos = 0;
		} else if (slice) {
			s->f_pos = pos;
			if (pos == s->f_n)
				s->f_end = cseq;
		}
		pthread_rwlock_unlock(&s->mu);
		/* Freeze when c is full and f is out (or there is none). */
		if (!all && s->c.n >= s->flush_n && (!s->f_live ||
		    s->f_end != 0))
			freeze(s, cseq);
	}
	free(t);
	return rc == 0 ? LD_OK : commit_err(s, rc);
}

void
store_abort(struct store_txn *t)
{
	if (t == NULL)
		return;
	if (t->leaves_cur)
		mdb_cursor_close(t->leaves_cur);
	mdb_txn_abort(t->txn);
	if (t->write)
		undo_deferred(t->s);
	free(t);
}

static int
put(struct store_txn *t, int db, const void *k, size_t klen, const void *v,
    size_t vlen, unsigned flags)
{
	MDB_val	key = { klen, (void *)k }, val = { vlen, (void *)v };

	if (DEFERRED(db)) {
		struct store	*s = t->s;
		int		 rc;

		if (!t->write)
			return LD_EINVAL;
		pthread_rwlock_wrlock(&s->mu);
		rc = ovl_write(&s->c, (unsigned)db, k, klen, v, vlen,
		    s->cseq + 1);
		pthread_rwlock_unlock(&s->mu);
		return rc;
	}
	return map_err(mdb_put(t->txn, t->s->dbi[db], &key, &val, flags));
}

static int
get(struct store_txn *t, int db, const void *k, size_t klen,
    const uint8_t **v, size_t *vlen)
{
	MDB_val	key = { klen, (void *)k }, val;
	int	rc;

	if ((rc = mdb_get(t->txn, t->s->dbi[db], &key, &val)) != 0)
		return map_err(rc);
	*v = val.mv_data;
	*vlen = val.mv_size;
	return LD_OK;
}

/* Get a value that must be exactly n bytes, copied out. */
static int
get_fixed(struct store_txn *t, int db, const void *k, size_t klen, void *out,
    size_t n)
{
	const uint8_t	*v = NULL;
	size_t		 vlen = 0;
	int		 rc;

	if (DEFERRED(db) && (rc = deferred_get(t, db, k, klen, out, n)) !=
	    LD_ENOTFOUND)
		return rc == LD_EEXIST ? LD_ENOTFOUND : rc;
	if ((rc = get(t, db, k, klen, &v, &vlen)) != LD_OK)
		return rc;
	if (vlen != n)
		return LD_ECORRUPT;
	memcpy(out, v, n);
	return LD_OK;
}

static int
get_u64v(struct store_txn *t, int db, const void *k, size_t klen,
    uint64_t *out)
{
	uint8_t	v[8];
	int	rc;

	if ((rc = get_fixed(t, db, k, klen, v, 8)) != LD_OK)
		return rc;
	*out = get_be64(v);
	return LD_OK;
}

static int
put_u64v(struct store_txn *t, int db, const void *k, size_t klen, uint64_t x,
    unsigned flags)
{
	uint8_t	v[8];

	be64(v, x);
	return put(t, db, k, klen, v, 8, flags);
}

int
store_leaf_put(struct store_txn *t, uint64_t index, const void *p, size_t len)
{
	uint8_t	k[8];

	be64(k, index);
	return put(t, DB_LEAVES, k, 8, p, len, MDB_APPEND);
}

int
store_leaf_get(struct store_txn *t, uint64_t index, const uint8_t **p,
    size_t *len)
{
	uint8_t	k[8];

	be64(k, index);
	return get(t, DB_LEAVES, k, 8, p, len);
}

#define TILE_W	MERKLE_TILE_WIDTH
/*
 * Hashes in one tiles0 value: 8 full tiles. A value over a page goes to
 * overflow pages after a 16-byte header, so one tile (8,192 bytes) would
 * take 3 pages; 8 take 17 (34 bytes a leaf instead of 48).
 */
#define GROUP_W	(8 * TILE_W)

/*
 * A leaf hash: into tail0, or, for the last leaf of a group of 8 tiles,
 * the whole group into tiles0 (the others from tail0, then emptied).
 */
static int
leafhash0_put(struct store_txn *t, uint64_t index, const uint8_t h[32])
{
	struct store	*s = t->s;
	MDB_cursor	*c;
	MDB_val		 k, v;
	uint8_t		 kb[8], *grp;
	uint64_t	 first = index - index % GROUP_W;
	size_t		 i = 0;
	int		 rc;

	k.mv_size = 8;
	k.mv_data = kb;
	if (index % GROUP_W != GROUP_W - 1) {
		be64(kb, index);
		v.mv_size = 32;
		v.mv_data = (void *)h;
		return map_err(mdb_put(t->txn, s->dbi[DB_TAIL0], &k, &v,
		    MDB_APPEND));
	}
	if ((rc = mdb_cursor_open(t->txn, s->dbi[DB_TAIL0], &c)) != 0)
		return map_err(rc);
	grp = xmalloc(GROUP_W * 32);
	be64(kb, first);
	rc = mdb_cursor_get(c, &k, &v, MDB_SET_KEY);
	for (; rc == 0 && i < GROUP_W - 1; i++) {
		if (k.mv_size != 8 || get_be64(k.mv_data) != first + i ||
		    v.mv_size != 32)
			break;
		memcpy(grp + 32 * i, v.mv_data, 32);
		rc = mdb_cursor_get(c, &k, &v, MDB_NEXT);
	}
	mdb_cursor_close(c);
	if (i != GROUP_W - 1) {
		free(grp);
		return LD_ECORRUPT;	/* the group's other hashes are gone */
	}
	memcpy(grp + 32 * i, h, 32);
	k.mv_size = 8;
	k.mv_data = kb;
	be64(kb, index / GROUP_W);
	v.mv_size = GROUP_W * 32;
	v.mv_data = grp;
	rc = mdb_put(t->txn, s->dbi[DB_TILES0], &k, &v, MDB_APPEND);
	free(grp);
	if (rc != 0 || (rc = mdb_drop(t->txn, s->dbi[DB_TAIL0], 0)) != 0)
		return map_err(rc);
	return LD_OK;
}

/*
 * Leaf hashes [first, first + n) of one tile, from tiles0 or tail0; *got
 * says how many there are (fewer when the tail ends before).
 */
static int
leafhash0_read(struct store_txn *t, uint64_t first, size_t n,
    uint8_t (*out)[32], size_t *got)
{
	struct store	*s = t->s;
	MDB_cursor	*c;
	MDB_val		 k, v;
	uint8_t		 kb[8];
	size_t		 i;
	int		 rc;

	k.mv_size = 8;
	k.mv_data = kb;
	be64(kb, first / GROUP_W);
	rc = mdb_get(t->txn, s->dbi[DB_TILES0], &k, &v);
	if (rc == 0) {
		if (v.mv_size != GROUP_W * 32)
			return LD_ECORRUPT;
		memcpy(out, (uint8_t *)v.mv_data + 32 * (first % GROUP_W),
		    32 * n);
		*got = n;
		return LD_OK;
	}
	if (rc != MDB_NOTFOUND)
		return map_err(rc);
	if ((rc = mdb_cursor_open(t->txn, s->dbi[DB_TAIL0], &c)) != 0)
		return map_err(rc);
	be64(kb, first);
	rc = mdb_cursor_get(c, &k, &v, MDB_SET_KEY);
	for (i = 0; rc == 0; ) {
		if (k.mv_size != 8 || get_be64(k.mv_data) != first + i ||
		    v.mv_size != 32) {
			rc = MDB_NOTFOUND;
			break;
		}
		memcpy(out[i], v.mv_data, 32);
		if (++i == n)
			break;
		rc = mdb_cursor_get(c, &k, &v, MDB_NEXT);
	}
	mdb_cursor_close(c);
	*got = i;
	return rc == 0 || rc == MDB_NOTFOUND ? LD_OK : map_err(rc);
}

static int
leafhash0_get(struct store_txn *t, uint64_t first, size_t n,
    uint8_t (*out)[32])
{
	size_t	got;
	int	rc;

	if ((rc = leafhash0_read(t, first, n, out, &got)) != LD_OK)
		return rc;
	return got == n ? LD_OK : LD_ENOTFOUND;
}

static void
row_key(uint8_t k[9], unsigned row, uint64_t index)
{
	k[0] = (uint8_t)(255 - row);
	be64(k + 1, index);
}

/*
 * Up to n (<= ROW_G) consecutive hashes of row row from first, within one
 * group: *got says how many there are (fewer at the right edge).
 */
static int
row_read(struct store_txn *t, unsigned row, uint64_t first, size_t n,
    uint8_t (*out)[32], size_t *got)
{
	MDB_cursor	*c;
	MDB_val		 k, v;
	uint8_t		 kb[9];
	size_t		 i = 0;
	int		 rc;

	*got = 0;
	if (row == 0)
		return leafhash0_read(t, first, n, out, got);
	if ((rc = mdb_cursor_open(t->txn, t->s->dbi[DB_ROWS], &c)) != 0)
		return map_err(rc);
	row_key(kb, row, first);
	k.mv_size = sizeof(kb);
	k.mv_data = kb;
	rc = mdb_cursor_get(c, &k, &v, MDB_SET_KEY);
	for (; rc == 0 && i < n; i++) {
		row_key(kb, row, first + i);
		if (k.mv_size != sizeof(kb) || memcmp(k.mv_data, kb,
		    sizeof(kb)) != 0)
			break;
		if (v.mv_size != 32) {
			rc = MDB_CORRUPTED;
			break;
		}
		memcpy(out[i], v.mv_data, 32);
		rc = mdb_cursor_get(c, &k, &v, MDB_NEXT);
	}
	mdb_cursor_close(c);
	if (rc != 0 && rc != MDB_NOTFOUND)
		return map_err(rc);
	*got = i;
	return LD_OK;
}

int
store_node_put(struct store_txn *t, unsigned level, uint64_t index,
    const uint8_t h[32])
{
	uint8_t	k[9];

	if (level == 0)
		return leafhash0_put(t, index, h);
	if (level % ROW_H != 0)
		return LD_OK;	/* hashed up from the row below when asked */
	row_key(k, level / ROW_H, index);
	return put(t, DB_ROWS, k, sizeof(k), h, 32, level == ROW_H ?
	    MDB_APPEND : 0);
}

#define NCACHE_LEVEL	8	/* cached from this level up */

struct store_ncache {
	struct {
		uint64_t	key;	/* level << 56 | index, + 1; 0: empty */
		uint8_t		h[32];
	} slot[STORE_NCACHE];
};

struct store_ncache *
store_ncache_new(void)
{
	return xcalloc(1, sizeof(struct store_ncache));
}

void
store_ncache_free(struct store_ncache *c)
{
	free(c);
}

void
store_txn_ncache(struct store_txn *t, struct store_ncache *c)
{
	t->ncache = c;
}

static int node_read(struct store_txn *, unsigned, uint64_t, uint8_t [32]);

int
store_node_get(struct store_txn *t, unsigned level, uint64_t index,
    uint8_t h[32])
{
	uint64_t	key;
	size_t		i;
	int		rc;

	if (level >= 64 || index > (UINT64_MAX >> (level + 1)))
		return LD_EINVAL;
	if (t->ncache == NULL || level < NCACHE_LEVEL)
		return node_read(t, level, index, h);
	/* index < 2^(64 - level - 1) <= 2^55 here. */
	key = ((uint64_t)level << 56 | index) + 1;
	i = (size_t)((key * 0x9e3779b97f4a7c15ULL) >> 48) % STORE_NCACHE;
	if (t->ncache->slot[i].key == key) {
		memcpy(h, t->ncache->slot[i].h, 32);
		return LD_OK;
	}
	if ((rc = node_read(t, level, index, h)) == LD_OK) {
		t->ncache->slot[i].key = key;
		memcpy(t->ncache->slot[i].h, h, 32);
	}
	return rc;
}

/* Node (level, index) hashed up from its row's group (store_node_get). */
static int
node_read(struct store_txn *t, unsigned level, uint64_t index, uint8_t h[32])
{
	unsigned	row = level / ROW_H, r = level % ROW_H;
	uint64_t	first, g;
	size_t		n, m;
	int		rc;

	first = index << r;
	n = (size_t)1 << r;
	g = first - first % ROW_G;
	if (t->grp.n == 0 || t->grp.row != row || t->grp.first != g ||
	    first + n > g + t->grp.n) {
		t->grp.n = 0;
		if ((rc = row_read(t, row, g, ROW_G, t->grp.h, &m)) != LD_OK)
			return rc;
		t->grp.row = row;
		t->grp.first = g;
		t->grp.n = m;
		if (first + n > g + m)
			return LD_ENOTFOUND;
	}
	return merkle_subtree_hash((const uint8_t (*)[32])t->grp.h + (first -
	    g), n, h) == MERKLE_OK ? LD_OK : LD_ECORRUPT;
}

int
store_leaf_hashes(struct store_txn *t, uint64_t first, size_t n,
    uint8_t (*out)[32])
{
	size_t	m;
	int	rc;

	for (; n > 0; first += m, out += m, n -= m) {
		m = TILE_W - first % TILE_W;
		if (m > n)
			m = n;
		if ((rc = leafhash0_get(t, first, m, out)) != LD_OK)
			return rc;
	}
	return LD_OK;
}

int
store_leaves(struct store_txn *t, uint64_t first, size_t n,
    int (*fn)(void *, uint64_t, const uint8_t *, size_t), void *arg)
{
	MDB_cursor	*c;
	MDB_val		 k, v;
	uint8_t		 kb[8];
	size_t		 i;
	int		 rc;

	if (n == 0)
		return LD_OK;
	if ((rc = mdb_cursor_open(t->txn, t->s->dbi[DB_LEAVES], &c)) != 0)
		return map_err(rc);
	be64(kb, first);
	k.mv_size = 8;
	k.mv_data = kb;
	rc = mdb_cursor_get(c, &k, &v, MDB_SET_KEY);
	for (i = 0; rc == 0; ) {
		if (k.mv_size != 8 || get_be64(k.mv_data) != first + i) {
			rc = LD_ECORRUPT;
			break;
		}
		if ((rc = fn(arg, first + i, v.mv_data, v.mv_size)) != 0)
			break;
		if (++i == n)
			break;
		rc = mdb_cursor_get(c, &k, &v, MDB_NEXT);
	}
	mdb_cursor_close(c);
	return rc == 0 ? LD_OK : (rc < 0 && rc > -100 ? rc : map_err(rc));
}

int
store_node_fn(void *txn, unsigned level, uint64_t index, uint8_t out[32])
{
	return store_node_get(txn, level, index, out) == LD_OK ? 0 : -1;
}

int
store_tree(struct store_txn *t, uint64_t size, struct merkle_tree *tree)
{
	uint64_t	pos = 0;
	int		l, rc;

	merkle_tree_init(tree);
	tree->size = size;
	for (l = 63; l >= 0; l--) {
		if (!(size >> l & 1))
			continue;
		if ((rc = store_node_get(t, (unsigned)l, pos >> l,
		    tree->sub[l])) != LD_OK)
			return rc == LD_ENOTFOUND ? LD_ECORRUPT : rc;
		pos += 1ULL << l;
	}
	return LD_OK;
}

int
store_leafhash_put(struct store_txn *t, const uint8_t h[32], uint64_t index)
{
	return put_u64v(t, DB_LEAFHASH, h, 32, index, 0);
}

int
store_leafhash_get(struct store_txn *t, const uint8_t h[32], uint64_t *index)
{
	return get_u64v(t, DB_LEAFHASH, h, 32, index);
}

int
store_meta_put(struct store_txn *t, const char *key, const void *p, size_t len)
{
	return put(t, DB_META, key, strlen(key), p, len, 0);
}

int
store_meta_get(struct store_txn *t, const char *key, const uint8_t **p,
    size_t *len)
{
	return get(t, DB_META, key, strlen(key), p, len);
}

/* ---- rule state ----------------------------------------------------------- */

static int
st_issuer_get(void *arg, const char *id, struct issuer_state *out)
{
	return get_fixed(arg, DB_ISSUERS, id, strlen(id), out, sizeof(*out));
}

static int
st_issuer_put(void *arg, const struct issuer_state *st)
{
	return put(arg, DB_ISSUERS, st->reg.id.s, st->reg.id.len, st,
	    sizeof(*st), 0);
}

static int
st_method_get(void *arg, const char *id, struct method_state *out)
{
	return get_fixed(arg, DB_METHODS, id, strlen(id), out, sizeof(*out));
}

static int
st_method_put(void *arg, const struct method_state *st)
{
	return put(arg, DB_METHODS, st->reg.id.s, st->reg.id.len, st,
	    sizeof(*st), 0);
}

/* Account key: issuer NUL account. */
static size_t
account_key(char k[ID_MAX + 1 + ACCOUNT_MAX], const char *issuer,
    const char *account)
{
	size_t	il = strlen(issuer), al = strlen(account);

	if (il > ID_MAX)
		il = ID_MAX;
	if (al > ACCOUNT_MAX)
		al = ACCOUNT_MAX;
	memcpy(k, issuer, il);
	k[il] = '\0';
	memcpy(k + il + 1, account, al);
	return il + 1 + al;
}

static int
st_account_get(void *arg, const char *issuer, const char *account,
    struct account_ctr *out)
{
	char	k[ID_MAX + 1 + ACCOUNT_MAX];
	size_t	n = account_key(k, issuer, account);

	return get_fixed(arg, DB_ACCOUNTS, k, n, out, sizeof(*out));
}

static int
st_account_put(void *arg, const char *issuer, const char *account,
    const struct account_ctr *a)
{
	char	k[ID_MAX + 1 + ACCOUNT_MAX];
	size_t	n = account_key(k, issuer, account);

	return put(arg, DB_ACCOUNTS, k, n, a, sizeof(*a), 0);
}

static int
st_dedup_get(void *arg, const uint8_t key[32], uint64_t *index)
{
	return get_u64v(arg, DB_DEDUP, key, 32, index);
}

static int
st_dedup_put(void *arg, const uint8_t key[32], uint64_t index)
{
	return put_u64v(arg, DB_DEDUP, key, 32, index, 0);
}

static int
st_day_get(void *arg, const uint8_t key[16], uint64_t *grams)
{
	return get_u64v(arg, DB_DAYS, key, 16, grams);
}

static int
st_day_put(void *arg, const uint8_t key[16], uint64_t grams)
{
	return put_u64v(arg, DB_DAYS, key, 16, grams, 0);
}

static int
st_leaf_get(void *arg, uint64_t index, const uint8_t **p, size_t *len)
{
	return store_leaf_get(arg, index, p, len);
}

static int
st_reversal_get(void *arg, uint64_t credit, uint64_t *by)
{
	uint8_t	k[8];

	be64(k, credit);
	return get_u64v(arg, DB_REVERSALS, k, 8, by);
}

static int
st_reversal_put(void *arg, uint64_t credit, uint64_t by)
{
	uint8_t	k[8];

	be64(k, credit);
	return put_u64v(arg, DB_REVERSALS, k, 8, by, 0);
}

const struct rules_ops store_rules_ops = {
	.issuer_get = st_issuer_get,
	.issuer_put = st_issuer_put,
	.method_get = st_method_get,
	.method_put = st_method_put,
	.account_get = st_account_get,
	.account_put = st_account_put,
	.dedup_get = st_dedup_get,
	.dedup_put = st_dedup_put,
	.day_get = st_day_get,
	.day_put = st_day_put,
	.leaf_get = st_leaf_get,
	.reversal_get = st_reversal_get,
	.reversal_put = st_reversal_put,
};

/* Visit every value of db (each vsize bytes) with visit(fn, arg, value). */
static int
iterate(struct store_txn *t, int db, size_t vsize,
    int (*visit)(void *, void *, const void *), void *fn, void *arg)
{
	MDB_cursor	*c;
	MDB_val		 k, v;
	int		 rc, op = MDB_FIRST;

	if ((rc = mdb_cursor_open(t->txn, t->s->dbi[db], &c)) != 0)
		return map_err(rc);
	while ((rc = mdb_cursor_get(c, &k, &v, op)) == 0) {
		op = MDB_NEXT;
		if (v.mv_size != vsize) {
			rc = LD_ECORRUPT;
			break;
		}
		if ((rc = visit(fn, arg, v.mv_data)) != 0)
			break;
	}
	mdb_cursor_close(c);
	return rc == MDB_NOTFOUND ? LD_OK : (rc > 0 ? map_err(rc) : rc);
}

struct issuer_visit {
	int	(*fn)(void *, const struct issuer_state *);
};

struct method_visit {
	int	(*fn)(void *, const struct method_state *);
};

static int
visit_issuer(void *fn, void *arg, const void *v)
{
	struct issuer_state	st;

	memcpy(&st, v, sizeof(st));	/* LMDB values need not be aligned */
	return ((struct issuer_visit *)fn)->fn(arg, &st);
}

static int
visit_method(void *fn, void *arg, const void *v)
{
	struct method_state	st;

	memcpy(&st, v, sizeof(st));
	return ((struct method_visit *)fn)->fn(arg, &st);
}

int
store_issuers(struct store_txn *t,
    int (*fn)(void *, const struct issuer_state *), void *arg)
{
	struct issuer_visit	v = { fn };

	return iterate(t, DB_ISSUERS, sizeof(struct issuer_state),
	    visit_issuer, &v, arg);
}

int
store_methods(struct store_txn *t,
    int (*fn)(void *, const struct method_state *), void *arg)
{
	struct method_visit	v = { fn };

	return iterate(t, DB_METHODS, sizeof(struct method_state),
	    visit_method, &v, arg);
}

int
store_account(struct store_txn *t, const char *issuer, const char *account,
    struct account_ctr *out)
{
	return st_account_get(t, issuer, account, out);
}

int
store_meta_each(struct store_txn *t, const char *prefix,
    int (*fn)(void *, const char *, size_t, const uint8_t *, size_t),
    void *arg)
{
	MDB_cursor	*c;
	MDB_val		 k = { strlen(prefix), (void *)prefix }, v;
	size_t		 plen = strlen(prefix);
	int		 rc;

	if ((rc = mdb_cursor_open(t->txn, t->s->dbi[DB_META], &c)) != 0)
		return map_err(rc);
	rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE);
	while (rc == 0 && k.mv_size >= plen &&
	    memcmp(k.mv_data, prefix, plen) == 0) {
		if ((rc = fn(arg, k.mv_data, k.mv_size, v.mv_data,
		    v.mv_size)) != 0)
			break;
		rc = mdb_cursor_get(c, &k, &v, MDB_NEXT);
	}
	mdb_cursor_close(c);
	return rc == MDB_NOTFOUND || rc == 0 ? LD_OK :
	    (rc > 0 ? map_err(rc) : rc);
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
		return map_err(rc);
	}
	while ((rc = mdb_cursor_get(c, &k, &v, op)) == 0) {
		op = MDB_NEXT;
		if (k.mv_size != 32 || v.mv_size != 8) {
			rc = LD_ECORRUPT;
			break;
		}
		if ((rc = fn(arg, k.mv_data, get_be64(v.mv_data))) != 0)
			break;
	}
	mdb_cursor_close(c);
	rc = rc == MDB_NOTFOUND ? LD_OK : (rc > 0 ? map_err(rc) : rc);
	for (i = 0; i < n && rc == LD_OK; i++)
		rc = fn(arg, keys[i], get_be64(keys[i] + 32));
	free(keys);
	return rc;
}

int
store_tables(struct store *s, void (*fn)(void *, const char *table,
    uint64_t bytes), void *arg)
{
	MDB_txn		*txn;
	MDB_cursor	*c;
	MDB_stat	 st;
	MDB_val		 k, v;
	uint64_t	 nfree = 0;
	size_t		 w;
	int		 i, rc;

	if ((rc = mdb_txn_begin(s->env, NULL, MDB_RDONLY, &txn)) != 0)
		return map_err(rc);
	for (i = 0; i < DB_COUNT; i++)
		if (mdb_stat(txn, s->dbi[i], &st) == 0)
			fn(arg, db_names[i], (uint64_t)(st.ms_branch_pages +
			    st.ms_leaf_pages + st.ms_overflow_pages) *
			    st.ms_psize);
	/* LMDB's free list (database 0): each record starts with the
	 * number of free page numbers it holds. */
	if (mdb_stat(txn, 0, &st) == 0 && mdb_cursor_open(txn, 0, &c) == 0) {
		while (mdb_cursor_get(c, &k, &v, MDB_NEXT) == 0)
			if (v.mv_size >= sizeof(w)) {
				memcpy(&w, v.mv_data, sizeof(w));
				nfree += w;
			}
		mdb_cursor_close(c);
		fn(arg, "free", nfree * st.ms_psize);
	}
	mdb_txn_abort(txn);
	return LD_OK;
}

int
store_stat(struct store *s, uint64_t *bytes)
{
	MDB_envinfo	info;
	MDB_stat	st;

	if (mdb_env_info(s->env, &info) != 0 || mdb_env_stat(s->env, &st) != 0)
		return LD_ESYS;
	*bytes = (uint64_t)(info.me_last_pgno + 1) * st.ms_psize;
	return LD_OK;
}
