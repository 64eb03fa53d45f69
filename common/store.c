/* store.c - the store's environment, transactions, leaves and metadata. */
/*
 * One LMDB environment per data directory, its databases listed in
 * store_priv.h. This file opens it (checking the format), runs the
 * transactions (a commit also writes the deferred indexes' redo log and
 * flush slice, store_index.c), and keeps the leaves, the metadata and the
 * rules' state tables, whose values it treats as bytes.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

#include <lmdb.h>

#include "err.h"
#include "log.h"
#include "store_priv.h"
#include "xmalloc.h"

static const char *const db_names[DB_COUNT] = {
	"leaves", "rows", "leafhash", "dedup", "days", "accounts",
	"issuers", "methods", "reversals", "meta", "ixlog", "tiles0", "tail0",
};

/* Map an LMDB or errno code to LD_*. */
int
store_map_err(int rc)
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

void
store_be64(uint8_t out[8], uint64_t v)
{
	int	i;

	for (i = 7; i >= 0; i--) {
		out[i] = (uint8_t)v;
		v >>= 8;
	}
}

uint64_t
store_get_be64(const uint8_t *p)
{
	uint64_t	v = 0;
	int		i;

	for (i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

int
store_table_db(enum store_table table)
{
	switch (table) {
	case STORE_DEDUP:	return DB_DEDUP;
	case STORE_DAYS:	return DB_DAYS;
	case STORE_ACCOUNTS:	return DB_ACCOUNTS;
	case STORE_ISSUERS:	return DB_ISSUERS;
	case STORE_METHODS:	return DB_METHODS;
	case STORE_REVERSALS:	return DB_REVERSALS;
	}
	return -1;
}

/*
 * The layout (store_priv.h, store_tree.c, rules_store.c) is format
 * STORE_FORMAT, kept in meta "store-format". A new store gets it; a store
 * with leaves and another format (or none: written before the deferred
 * indexes) is refused, naming both formats, since it would be read
 * wrongly. 7: the rules' state and head encoded field by field
 * (rules_store.h) instead of as C structs' bytes.
 */
#define STORE_FORMAT	"7"

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
	unsigned		 flags = MDB_NOTLS;
	int			 rc, i;

	if (!rdonly && mkdir(dir, 0700) != 0 && errno != EEXIST) {
		free(s);
		return LD_ESYS;
	}
	s->rdonly = rdonly;
	s->dir = xstrdup(dir);
	store_index_init(s);
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
	    (rc = store_index_replay(s, txn)) != 0)
		goto fail;
	if ((rc = mdb_txn_commit(txn)) != 0) {
		txn = NULL;
		goto fail;
	}
	*out = s;
	return LD_OK;
fail:
	store_index_fini(s);
	free(s->dir);
	if (txn)
		mdb_txn_abort(txn);
	if (s->env)
		mdb_env_close(s->env);
	free(s);
	return store_map_err(rc);
}

void
store_close(struct store *s)
{
	struct store_txn	*t;

	if (s == NULL)
		return;
	/* Write the deferred indexes out, so the next open replays none. */
	if (!s->rdonly && store_index_pending(s) &&
	    store_begin(s, 0, &t) == LD_OK) {
		s->flush_n = 0;	/* store_index_prepare: flush all */
		if (store_commit(t) != LD_OK)
			log_warnx("%s: the deferred indexes stay in ixlog",
			    s->dir);
	}
	store_index_fini(s);
	mdb_env_close(s->env);
	free(s->dir);
	free(s);
}

int
store_sync(struct store *s)
{
	return store_map_err(mdb_env_sync(s->env, 1));
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
		return store_map_err(rc);
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
	return store_map_err(rc);
}

int
store_commit(struct store_txn *t)
{
	struct store			*s = t->s;
	struct store_index_commit	 ic;
	int				 rc = 0;

	if (t->write)
		rc = store_index_prepare(t, &ic);
	if (rc != 0) {
		mdb_txn_abort(t->txn);
		store_index_undo(s);
		free(t);
		return rc > 0 ? commit_err(s, rc) : rc;
	}
	rc = mdb_txn_commit(t->txn);
	if (t->write && rc != 0)
		store_index_undo(s);
	else if (t->write)
		store_index_committed(t, &ic);
	free(t);
	return rc == 0 ? LD_OK : commit_err(s, rc);
}

void
store_abort(struct store_txn *t)
{
	if (t == NULL)
		return;
	mdb_txn_abort(t->txn);
	if (t->write)
		store_index_undo(t->s);
	free(t);
}

int
store_put(struct store_txn *t, int db, const void *k, size_t klen,
    const void *v, size_t vlen, unsigned flags)
{
	MDB_val	key = { klen, (void *)k }, val = { vlen, (void *)v };

	if (DEFERRED(db))
		return store_index_put(t, db, k, klen, v, vlen);
	return store_map_err(mdb_put(t->txn, t->s->dbi[db], &key, &val,
	    flags));
}

int
store_get(struct store_txn *t, int db, const void *k, size_t klen,
    const uint8_t **v, size_t *vlen)
{
	MDB_val	key = { klen, (void *)k }, val;
	int	rc;

	if ((rc = mdb_get(t->txn, t->s->dbi[db], &key, &val)) != 0)
		return store_map_err(rc);
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

	if (DEFERRED(db) && (rc = store_index_get(t, db, k, klen, out,
	    n)) != LD_ENOTFOUND)
		return rc == LD_EEXIST ? LD_ENOTFOUND : rc;
	if ((rc = store_get(t, db, k, klen, &v, &vlen)) != LD_OK)
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
	*out = store_get_be64(v);
	return LD_OK;
}

static int
put_u64v(struct store_txn *t, int db, const void *k, size_t klen, uint64_t x,
    unsigned flags)
{
	uint8_t	v[8];

	store_be64(v, x);
	return store_put(t, db, k, klen, v, 8, flags);
}

int
store_leaf_put(struct store_txn *t, uint64_t index, const void *p, size_t len)
{
	uint8_t	k[8];

	store_be64(k, index);
	return store_put(t, DB_LEAVES, k, 8, p, len, MDB_APPEND);
}

int
store_leaf_get(struct store_txn *t, uint64_t index, const uint8_t **p,
    size_t *len)
{
	uint8_t	k[8];

	store_be64(k, index);
	return store_get(t, DB_LEAVES, k, 8, p, len);
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
		return store_map_err(rc);
	store_be64(kb, first);
	k.mv_size = 8;
	k.mv_data = kb;
	rc = mdb_cursor_get(c, &k, &v, MDB_SET_KEY);
	for (i = 0; rc == 0; ) {
		if (k.mv_size != 8 || store_get_be64(k.mv_data) != first + i) {
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
	return rc == 0 ? LD_OK : (rc < 0 && rc > -100 ? rc :
	    store_map_err(rc));
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
	return store_put(t, DB_META, key, strlen(key), p, len, 0);
}

int
store_meta_get(struct store_txn *t, const char *key, const uint8_t **p,
    size_t *len)
{
	return store_get(t, DB_META, key, strlen(key), p, len);
}

int
store_state_get(struct store_txn *t, enum store_table table, const void *k,
    size_t klen, void *out, size_t n)
{
	int	db = store_table_db(table);

	if (db < 0)
		return LD_EINVAL;
	return get_fixed(t, db, k, klen, out, n);
}

int
store_state_view(struct store_txn *t, enum store_table table, const void *k,
    size_t klen, const uint8_t **p, size_t *len)
{
	int	db = store_table_db(table);

	if (db < 0 || DEFERRED(db))
		return LD_EINVAL;
	return store_get(t, db, k, klen, p, len);
}

int
store_state_put(struct store_txn *t, enum store_table table, const void *k,
    size_t klen, const void *v, size_t vlen)
{
	int	db = store_table_db(table);

	if (db < 0)
		return LD_EINVAL;
	if (DEFERRED(db) && (klen > STORE_HINT_KEY_MAX ||
	    vlen > STORE_HINT_VAL_MAX))
		return LD_ETOOBIG;
	return store_put(t, db, k, klen, v, vlen, 0);
}

int
store_state_get_u64(struct store_txn *t, enum store_table table,
    const void *k, size_t klen, uint64_t *out)
{
	int	db = store_table_db(table);

	if (db < 0)
		return LD_EINVAL;
	return get_u64v(t, db, k, klen, out);
}

int
store_state_put_u64(struct store_txn *t, enum store_table table,
    const void *k, size_t klen, uint64_t x)
{
	int	db = store_table_db(table);

	if (db < 0)
		return LD_EINVAL;
	return put_u64v(t, db, k, klen, x, 0);
}

int
store_state_each(struct store_txn *t, enum store_table table,
    int (*fn)(void *, const uint8_t *k, size_t klen, const uint8_t *v,
    size_t vlen), void *arg)
{
	MDB_cursor	*c;
	MDB_val		 k, v;
	int		 rc, op = MDB_FIRST, db = store_table_db(table);

	if (db < 0 || DEFERRED(db))
		return LD_EINVAL;
	if ((rc = mdb_cursor_open(t->txn, t->s->dbi[db], &c)) != 0)
		return store_map_err(rc);
	while ((rc = mdb_cursor_get(c, &k, &v, op)) == 0) {
		op = MDB_NEXT;
		if ((rc = fn(arg, k.mv_data, k.mv_size, v.mv_data,
		    v.mv_size)) != 0)
			break;
	}
	mdb_cursor_close(c);
	return rc == MDB_NOTFOUND ? LD_OK : (rc > 0 ? store_map_err(rc) : rc);
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
		return store_map_err(rc);
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
	    (rc > 0 ? store_map_err(rc) : rc);
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
		return store_map_err(rc);
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
