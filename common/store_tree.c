/* store_tree.c - the store's tree layout: rows, tiles0, tail0, node cache. */
/*
 * Databases (keys big-endian so LMDB's byte order is numeric order):
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
 * A node of a complete subtree never changes once written, so levels
 * from NCACHE_LEVEL up may be kept in a struct store_ncache.
 */
#include <stdlib.h>
#include <string.h>

#include <lmdb.h>

#include "err.h"
#include "merkle.h"
#include "store_priv.h"
#include "xmalloc.h"

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
		store_be64(kb, index);
		v.mv_size = 32;
		v.mv_data = (void *)h;
		return store_map_err(mdb_put(t->txn, s->dbi[DB_TAIL0], &k, &v,
		    MDB_APPEND));
	}
	if ((rc = mdb_cursor_open(t->txn, s->dbi[DB_TAIL0], &c)) != 0)
		return store_map_err(rc);
	grp = xmalloc(GROUP_W * 32);
	store_be64(kb, first);
	rc = mdb_cursor_get(c, &k, &v, MDB_SET_KEY);
	for (; rc == 0 && i < GROUP_W - 1; i++) {
		if (k.mv_size != 8 || store_get_be64(k.mv_data) != first + i ||
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
	store_be64(kb, index / GROUP_W);
	v.mv_size = GROUP_W * 32;
	v.mv_data = grp;
	rc = mdb_put(t->txn, s->dbi[DB_TILES0], &k, &v, MDB_APPEND);
	free(grp);
	if (rc != 0 || (rc = mdb_drop(t->txn, s->dbi[DB_TAIL0], 0)) != 0)
		return store_map_err(rc);
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
	store_be64(kb, first / GROUP_W);
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
		return store_map_err(rc);
	if ((rc = mdb_cursor_open(t->txn, s->dbi[DB_TAIL0], &c)) != 0)
		return store_map_err(rc);
	store_be64(kb, first);
	rc = mdb_cursor_get(c, &k, &v, MDB_SET_KEY);
	for (i = 0; rc == 0; ) {
		if (k.mv_size != 8 || store_get_be64(k.mv_data) != first + i ||
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
	return rc == 0 || rc == MDB_NOTFOUND ? LD_OK : store_map_err(rc);
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
	store_be64(k + 1, index);
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
		return store_map_err(rc);
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
		return store_map_err(rc);
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
	return store_put(t, DB_ROWS, k, sizeof(k), h, 32, level == ROW_H ?
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
