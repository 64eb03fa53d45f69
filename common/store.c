/* store.c - LMDB persistence: leaves, tree nodes, rule state, metadata. */
/*
 * Databases (keys big-endian so LMDB's byte order is numeric order):
 *	leaves		u64 index -> leaf bytes (appended)
 *	nodes		u64 stored-hash index -> 32-byte hash (appended;
 *			the Crosby-Wallach layout of sumdb/tlog, so a leaf's
 *			hashes are consecutive keys)
 *	leafhash	32-byte leaf hash -> u64 index
 *	dedup		32-byte dedup key -> u64 index
 *	days		16-byte day key -> u64 grams
 *	accounts	issuer NUL account -> struct account_ctr
 *	issuers		id -> struct issuer_state
 *	methods		id -> struct method_state
 *	reversals	u64 credit index -> u64 reversal index
 *	meta		name -> value
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

#include <lmdb.h>

#include "err.h"
#include "log.h"
#include "merkle.h"
#include "store.h"
#include "util.h"

enum {
	DB_LEAVES, DB_NODES, DB_LEAFHASH, DB_DEDUP, DB_DAYS, DB_ACCOUNTS,
	DB_ISSUERS, DB_METHODS, DB_REVERSALS, DB_META, DB_COUNT
};

static const char *const db_names[DB_COUNT] = {
	"leaves", "nodes", "leafhash", "dedup", "days", "accounts",
	"issuers", "methods", "reversals", "meta",
};

struct store {
	MDB_env		*env;
	char		*dir;
	MDB_dbi		 dbi[DB_COUNT];
};

struct store_txn {
	struct store	*s;
	MDB_txn		*txn;
	MDB_cursor	*leaves_cur;	/* reused for appends */
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

int
store_open(struct store **out, const char *dir, uint64_t mapsize, int rdonly)
{
	struct store	*s = xcalloc(1, sizeof(*s));
	MDB_txn		*txn = NULL;
	unsigned	 flags = MDB_NOTLS;
	int		 rc, i;

	if (!rdonly && mkdir(dir, 0700) != 0 && errno != EEXIST) {
		free(s);
		return LD_ESYS;
	}
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
	if ((rc = mdb_txn_commit(txn)) != 0) {
		txn = NULL;
		goto fail;
	}
	s->dir = xstrdup(dir);
	*out = s;
	return LD_OK;
fail:
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
	if (s == NULL)
		return;
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
	if ((rc = mdb_txn_begin(s->env, NULL, rdonly ? MDB_RDONLY : 0,
	    &t->txn)) != 0) {
		free(t);
		return map_err(rc);
	}
	*out = t;
	return LD_OK;
}

int
store_begin_child(struct store_txn *parent, struct store_txn **out)
{
	struct store_txn	*t = xcalloc(1, sizeof(*t));
	int			 rc;

	t->s = parent->s;
	if ((rc = mdb_txn_begin(parent->s->env, parent->txn, 0,
	    &t->txn)) != 0) {
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

int
store_commit(struct store_txn *t)
{
	struct store	*s = t->s;
	int		 rc;

	if (t->leaves_cur)
		mdb_cursor_close(t->leaves_cur);
	rc = mdb_txn_commit(t->txn);
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
	free(t);
}

static int
put(struct store_txn *t, int db, const void *k, size_t klen, const void *v,
    size_t vlen, unsigned flags)
{
	MDB_val	key = { klen, (void *)k }, val = { vlen, (void *)v };

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

/* Crosby-Wallach stored-hash index of node (level, n) (sumdb/tlog). */
static uint64_t
stored_index(unsigned level, uint64_t n)
{
	uint64_t	i = 0;
	unsigned	l;

	for (l = level; l > 0; l--)
		n = 2 * n + 1;
	for (; n > 0; n >>= 1)
		i += n;
	return i + level;
}

int
store_node_put(struct store_txn *t, unsigned level, uint64_t index,
    const uint8_t h[32])
{
	uint8_t	k[8];

	be64(k, stored_index(level, index));
	return put(t, DB_NODES, k, 8, h, 32, MDB_APPEND);
}

int
store_node_get(struct store_txn *t, unsigned level, uint64_t index,
    uint8_t h[32])
{
	uint8_t	k[8];

	if (level >= 64 || index > (UINT64_MAX >> (level + 1)))
		return LD_EINVAL;
	be64(k, stored_index(level, index));
	return get_fixed(t, DB_NODES, k, 8, h, 32);
}

int
store_leaf_hashes(struct store_txn *t, uint64_t first, size_t n,
    uint8_t (*out)[32])
{
	MDB_cursor	*c;
	MDB_val		 k, v;
	uint8_t		 kb[8];
	uint64_t	 want;
	size_t		 i;
	int		 rc;

	if (n == 0)
		return LD_OK;
	if ((rc = mdb_cursor_open(t->txn, t->s->dbi[DB_NODES], &c)) != 0)
		return map_err(rc);
	be64(kb, stored_index(0, first));
	k.mv_size = 8;
	k.mv_data = kb;
	rc = mdb_cursor_get(c, &k, &v, MDB_SET_KEY);
	for (i = 0; rc == 0 && i < n; ) {
		want = stored_index(0, first + i);
		if (k.mv_size != 8 || v.mv_size != 32) {
			rc = LD_ECORRUPT;
			break;
		}
		if (get_be64(k.mv_data) == want) {
			memcpy(out[i], v.mv_data, 32);
			if (++i == n)
				break;
		} else if (get_be64(k.mv_data) > want) {
			rc = MDB_NOTFOUND;
			break;
		}
		/* Parents of the leaf sit between two leaf hashes: skip. */
		rc = mdb_cursor_get(c, &k, &v, MDB_NEXT);
	}
	mdb_cursor_close(c);
	return rc == 0 ? LD_OK : (rc < 0 && rc > -100 ? rc : map_err(rc));
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

int
store_dedup_each(struct store_txn *t,
    int (*fn)(void *, const uint8_t key[32], uint64_t index), void *arg)
{
	MDB_cursor	*c;
	MDB_val		 k, v;
	int		 rc, op = MDB_FIRST;

	if ((rc = mdb_cursor_open(t->txn, t->s->dbi[DB_DEDUP], &c)) != 0)
		return map_err(rc);
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
	return rc == MDB_NOTFOUND ? LD_OK : (rc > 0 ? map_err(rc) : rc);
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
