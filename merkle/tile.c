/* tile.c - C2SP tlog-tiles arithmetic and path encoding. */
/*
 * A tile at level L holds hashes of tree level 8L: a full tile 256 of
 * them, a partial tile 1..255. Paths are "tile/<L>/<N>[.p/<W>]" and
 * "tile/entries/<N>[.p/<W>]", N written in 3-digit groups, every group
 * but the last prefixed with "x": 1234067 -> x001/x234/067.
 */
#include <stdio.h>
#include <string.h>

#include "merkle.h"

/* Hashes at tile level `level` (tree level 8 * level) in a tree of size. */
static uint64_t
level_hashes(uint64_t size, unsigned level)
{
	return level >= 8 ? 0 : size >> (8 * level);
}

unsigned
merkle_tile_levels(uint64_t size)
{
	unsigned	n = 0;

	for (; size != 0; size >>= 8)
		n++;
	return n;
}

void
merkle_tile_count(uint64_t size, unsigned level, uint64_t *full,
    unsigned *partial)
{
	uint64_t	h = level_hashes(size, level);

	*full = h / MERKLE_TILE_WIDTH;
	*partial = (unsigned)(h % MERKLE_TILE_WIDTH);
}

/* Whether t is well formed, whatever the tree. */
static int
tile_valid(const struct merkle_tile *t)
{
	if (t->level < MERKLE_TILE_ENTRIES || t->level > MERKLE_TILE_MAX_LEVEL)
		return 0;
	return t->width >= 1 && t->width <= MERKLE_TILE_WIDTH;
}

int
merkle_tile_check(const struct merkle_tile *t, uint64_t size)
{
	uint64_t	h;

	if (!tile_valid(t))
		return MERKLE_EINVAL;
	h = level_hashes(size, t->level < 0 ? 0 : (unsigned)t->level);
	if (h < t->width || t->index > (h - t->width) / MERKLE_TILE_WIDTH)
		return MERKLE_EINVAL;
	return MERKLE_OK;
}

int
merkle_tile_path(const struct merkle_tile *t, char *buf, size_t len)
{
	unsigned	groups[8];
	uint64_t	n = t->index;
	size_t		off;
	int		ng = 0, i, w;

	if (!tile_valid(t) || len == 0)
		return MERKLE_EINVAL;
	do {
		groups[ng++] = (unsigned)(n % 1000);
		n /= 1000;
	} while (n != 0);
	if (t->level == MERKLE_TILE_ENTRIES)
		w = snprintf(buf, len, "tile/entries/");
	else
		w = snprintf(buf, len, "tile/%d/", t->level);
	if (w < 0 || (size_t)w >= len)
		return MERKLE_EINVAL;
	off = (size_t)w;
	for (i = ng - 1; i >= 0; i--) {
		w = snprintf(buf + off, len - off, i ? "x%03u/" : "%03u",
		    groups[i]);
		if (w < 0 || (size_t)w >= len - off)
			return MERKLE_EINVAL;
		off += (size_t)w;
	}
	if (t->width < MERKLE_TILE_WIDTH) {
		w = snprintf(buf + off, len - off, ".p/%u", t->width);
		if (w < 0 || (size_t)w >= len - off)
			return MERKLE_EINVAL;
	}
	return MERKLE_OK;
}

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Parse a canonical decimal (no leading zero) of at most 3 digits. */
static int
parse_small(const char **s, const char *end, unsigned *out)
{
	const char	*p = *s;
	unsigned	 v = 0;
	int		 n = 0;

	while (p < end && is_digit(*p) && n < 4) {
		v = v * 10 + (unsigned)(*p - '0');
		p++;
		n++;
	}
	if (n == 0 || n > 3 || (n > 1 && **s == '0'))
		return MERKLE_EINVAL;
	*s = p;
	*out = v;
	return MERKLE_OK;
}

/* Parse exactly three digits. */
static int
parse_group(const char **s, const char *end, unsigned *out)
{
	const char	*p = *s;

	if (end - p < 3 || !is_digit(p[0]) || !is_digit(p[1]) ||
	    !is_digit(p[2]))
		return MERKLE_EINVAL;
	*out = (unsigned)((p[0] - '0') * 100 + (p[1] - '0') * 10 +
	    (p[2] - '0'));
	*s = p + 3;
	return MERKLE_OK;
}

int
merkle_tile_parse(const char *path, size_t len, struct merkle_tile *t)
{
	const char	*p = path, *end = path + len;
	uint64_t	 n = 0;
	unsigned	 v, g;
	int		 first = 1;

	if (len < 5 || memcmp(p, "tile/", 5) != 0)
		return MERKLE_EINVAL;
	p += 5;
	if ((size_t)(end - p) >= 8 && memcmp(p, "entries/", 8) == 0) {
		t->level = MERKLE_TILE_ENTRIES;
		p += 8;
	} else {
		if (parse_small(&p, end, &v) != MERKLE_OK ||
		    v > MERKLE_TILE_MAX_LEVEL || p == end || *p != '/')
			return MERKLE_EINVAL;
		t->level = (int)v;
		p++;
	}
	/* Groups "xDDD/" then a final "DDD". */
	for (;;) {
		int	x = (p < end && *p == 'x');

		if (x)
			p++;
		if (parse_group(&p, end, &g) != MERKLE_OK)
			return MERKLE_EINVAL;
		if (first && x && g == 0)
			return MERKLE_EINVAL;	/* a leading x000 group */
		first = 0;
		if (n > (UINT64_MAX - g) / 1000)
			return MERKLE_EINVAL;	/* N overflows 64 bits */
		n = n * 1000 + g;
		if (!x)
			break;
		if (p == end || *p != '/')
			return MERKLE_EINVAL;
		p++;
	}
	t->index = n;
	t->width = MERKLE_TILE_WIDTH;
	if (p < end) {
		if (end - p < 4 || memcmp(p, ".p/", 3) != 0)
			return MERKLE_EINVAL;
		p += 3;
		if (parse_small(&p, end, &v) != MERKLE_OK || v == 0 ||
		    v >= MERKLE_TILE_WIDTH)
			return MERKLE_EINVAL;
		t->width = v;
	}
	return p == end ? MERKLE_OK : MERKLE_EINVAL;
}
