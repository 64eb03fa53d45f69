/* tiles.c - reading a log through its C2SP tiles only (works on a mirror). */
/*
 * A node (level, index) lives in the hash tile at tile level level / 8:
 * it is the subtree hash of 2^(level % 8) consecutive hashes of that
 * tile, recomputed here. Tiles are fetched at the width the tree size
 * implies (full, or the partial right edge) and kept in a small cache.
 * Nothing fetched is trusted: every root and proof built from tiles is
 * checked against a signed checkpoint by the caller.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "err.h"
#include "fetch.h"
#include "merkle.h"
#include "tiles.h"
#include "xmalloc.h"

#define CACHE	128

struct tile_ent {
	int		 level;
	uint64_t	 index;
	unsigned	 width;
	uint8_t		*data;		/* width * 32 bytes */
};

struct tiles {
	struct fetch	*f;
	uint64_t	 size;
	struct tile_ent	 cache[CACHE];
	unsigned	 next;
	char		 err[512];
};

struct tiles *
tiles_new(struct fetch *f, uint64_t size)
{
	struct tiles	*t = xcalloc(1, sizeof(*t));

	t->f = f;
	t->size = size;
	return t;
}

void
tiles_free(struct tiles *t)
{
	unsigned	i;

	if (t == NULL)
		return;
	for (i = 0; i < CACHE; i++)
		free(t->cache[i].data);
	free(t);
}

const char *
tiles_error(struct tiles *t)
{
	return t->err;
}

static int
fetch_tile(struct tiles *t, int level, uint64_t index, unsigned width,
    struct buf *out)
{
	struct merkle_tile	 tile = { level, index, width };
	struct fetch_resp	 resp;
	char			 path[MERKLE_TILE_PATH_MAX + 1];
	int			 rc;

	path[0] = '/';
	if (merkle_tile_path(&tile, path + 1, sizeof(path) - 1) != MERKLE_OK)
		return LD_EINVAL;
	rc = fetch_get(t->f, path, NULL, &resp);
	if (rc != LD_OK || resp.status != 200) {
		snprintf(t->err, sizeof(t->err), "GET %s: %s", path,
		    rc != LD_OK ? resp.error : "HTTP error");
		if (rc == LD_OK)
			snprintf(t->err, sizeof(t->err), "GET %s: HTTP %d",
			    path, resp.status);
		fetch_resp_free(&resp);
		return rc != LD_OK ? LD_ENET : (resp.status == 404 ?
		    LD_ENOTFOUND : LD_ENET);
	}
	buf_free(out);
	*out = resp.body;
	memset(&resp.body, 0, sizeof(resp.body));
	fetch_resp_free(&resp);
	return LD_OK;
}

/* The hashes of tile (L, n) at the width the tree size gives it. */
static const uint8_t *
hash_tile(struct tiles *t, unsigned L, uint64_t n, unsigned *width)
{
	struct tile_ent	*e;
	struct buf	 b = { 0 };
	uint64_t	 full;
	unsigned	 partial, w, i;

	merkle_tile_count(t->size, L, &full, &partial);
	w = n < full ? MERKLE_TILE_WIDTH : (n == full ? partial : 0);
	if (w == 0) {
		snprintf(t->err, sizeof(t->err), "tile %u/%llu is beyond the "
		    "tree", L, (unsigned long long)n);
		return NULL;
	}
	for (i = 0; i < CACHE; i++) {
		e = &t->cache[i];
		if (e->data && e->level == (int)L && e->index == n &&
		    e->width == w) {
			*width = w;
			return e->data;
		}
	}
	if (fetch_tile(t, (int)L, n, w, &b) != LD_OK)
		return NULL;
	if (b.len != (size_t)w * 32) {
		snprintf(t->err, sizeof(t->err), "tile %u/%llu has %zu bytes, "
		    "not %u", L, (unsigned long long)n, b.len, w * 32);
		buf_free(&b);
		return NULL;
	}
	e = &t->cache[t->next];
	t->next = (t->next + 1) % CACHE;
	free(e->data);
	e->level = (int)L;
	e->index = n;
	e->width = w;
	e->data = b.p;
	*width = w;
	return e->data;
}

int
tiles_node(void *arg, unsigned level, uint64_t index, uint8_t out[32])
{
	struct tiles	*t = arg;
	const uint8_t	*tile;
	unsigned	 L = level / 8, r = level % 8, width;
	uint64_t	 first;

	if (level >= 64 || index > (UINT64_MAX >> level) ||
	    ((index + 1) << level) - 1 >= t->size)
		return -1;
	first = index << r;		/* index among the level-8L hashes */
	tile = hash_tile(t, L, first / MERKLE_TILE_WIDTH, &width);
	if (tile == NULL || first % MERKLE_TILE_WIDTH + (1u << r) > width)
		return -1;
	return merkle_subtree_hash((const uint8_t (*)[32])tile +
	    first % MERKLE_TILE_WIDTH, (size_t)1 << r, out) == MERKLE_OK ?
	    0 : -1;
}

int
tiles_verify(struct tiles *t)
{
	struct { int level; uint64_t index; } full[CACHE];
	const uint8_t	*p;
	uint8_t		 top[32];
	uint64_t	 n;
	unsigned	 i, nfull = 0, L, w;

	for (i = 0; i < CACHE; i++)
		if (t->cache[i].data != NULL &&
		    t->cache[i].width == MERKLE_TILE_WIDTH) {
			full[nfull].level = t->cache[i].level;
			full[nfull++].index = t->cache[i].index;
		}
	for (i = 0; i < nfull; i++) {
		L = (unsigned)full[i].level;
		n = full[i].index;
		if ((p = hash_tile(t, L, n, &w)) == NULL)
			return LD_ENET;
		/* Up the tree while the tile is full: the top one is not. */
		while (w == MERKLE_TILE_WIDTH) {
			merkle_subtree_hash((const uint8_t (*)[32])p,
			    MERKLE_TILE_WIDTH, top);
			if ((p = hash_tile(t, L + 1, n / MERKLE_TILE_WIDTH,
			    &w)) == NULL)
				return LD_ENET;
			if (n % MERKLE_TILE_WIDTH >= w || memcmp(p + (n %
			    MERKLE_TILE_WIDTH) * 32, top, 32) != 0) {
				snprintf(t->err, sizeof(t->err), "hash tile "
				    "%u/%llu does not hash to its entry in tile "
				    "%u/%llu", L, (unsigned long long)n, L + 1,
				    (unsigned long long)(n / MERKLE_TILE_WIDTH));
				return LD_EBADPROOF;
			}
			L++;
			n /= MERKLE_TILE_WIDTH;
		}
	}
	return LD_OK;
}

/* Verify with tiles that the tree of size a with root ra extends to the
 * signed tree (size b, root rb). */
int
tiles_consistent(struct tiles *tl, uint64_t a, const uint8_t ra[32],
    uint64_t b, const uint8_t rb[32])
{
	struct merkle_proof	p;

	if (a == b)
		return memcmp(ra, rb, 32) == 0 ? LD_OK : LD_EBADPROOF;
	if (a == 0)
		return LD_OK;
	if (merkle_prove_consistency(tiles_node, tl, a, b, &p) != MERKLE_OK)
		return LD_ENET;
	return merkle_verify_consistency(a, b, ra, rb, &p) == MERKLE_OK ?
	    LD_OK : LD_EBADPROOF;
}
