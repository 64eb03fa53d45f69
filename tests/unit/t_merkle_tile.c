/* t_merkle_tile.c - unit tests for merkle/tile.c: counts, paths, parsing. */
/*
 * Against references written out here (which tiles a tree of a size has,
 * their paths in the tlog-tiles layout), at random 64-bit sizes.
 *
 * Replay a run with: t_merkle_tile SEED
 */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "merkle.h"
#include "t.h"
#include "fixture/merkleref.h"

/* Hashes a tree of size has at tile level level (tree level 8 level). */
static uint64_t
ref_level_hashes(uint64_t size, int level)
{
	if (level < 0)
		level = 0;
	return level >= 8 ? 0 : size >> (8 * level);
}

/* A tile exists at size if it existed, maybe partial, at some size <= size. */
static int
ref_tile_exists(const struct merkle_tile *t, uint64_t size)
{
	uint64_t	h = ref_level_hashes(size, t->level);

	if (t->level < MERKLE_TILE_ENTRIES || t->level > 63 ||
	    t->width < 1 || t->width > 256)
		return 0;
	return t->index <= h / 256 && t->width <= h - t->index * 256;
}

/* Whether every hash of t can exist in a tree of at most 2^64-1 leaves. */
static int
ref_tile_representable(const struct merkle_tile *t)
{
	return ref_tile_exists(t, UINT64_MAX);
}

static void
ref_tile_path(const struct merkle_tile *t, char *buf, size_t len)
{
	unsigned	g[8];
	uint64_t	n = t->index;
	size_t		off;
	int		ng = 0;

	do {
		g[ng++] = (unsigned)(n % 1000);
		n /= 1000;
	} while (n != 0);
	if (t->level == MERKLE_TILE_ENTRIES)
		off = (size_t)snprintf(buf, len, "tile/entries/");
	else
		off = (size_t)snprintf(buf, len, "tile/%d/", t->level);
	while (ng-- > 1)
		off += (size_t)snprintf(buf + off, len - off, "x%03u/", g[ng]);
	off += (size_t)snprintf(buf + off, len - off, "%03u", g[0]);
	if (t->width < 256)
		snprintf(buf + off, len - off, ".p/%u", t->width);
}

/* Parse len bytes from a heap copy with nothing after them (for ASan). */
static int
parse_exact(const char *s, size_t len, struct merkle_tile *t)
{
	char	*copy;
	int	 rc;

	if ((copy = malloc(len ? len : 1)) == NULL)
		abort();
	memcpy(copy, s, len);
	rc = merkle_tile_parse(copy, len, t);
	free(copy);
	return rc;
}

static void
test_tile_count(void)
{
	static const struct {
		uint64_t	size;
		unsigned	levels;
		uint64_t	full[3];
		unsigned	partial[3];
	} cases[] = {
		{ 0, 0, { 0 }, { 0 } },
		{ 1, 1, { 0 }, { 1 } },
		{ 255, 1, { 0 }, { 255 } },
		{ 256, 2, { 1, 0 }, { 0, 1 } },
		{ 257, 2, { 1, 0 }, { 1, 1 } },
		{ 65536, 3, { 256, 1, 0 }, { 0, 0, 1 } },
		{ 70000, 3, { 273, 1, 0 }, { 112, 17, 1 } },
		{ 1000000, 3, { 3906, 15, 0 }, { 64, 66, 15 } },
		{ UINT64_MAX, 8, { UINT64_MAX >> 8, UINT64_MAX >> 16,
		    UINT64_MAX >> 24 }, { 255, 255, 255 } },
	};
	static const unsigned	 high[] = { 64, 100, UINT_MAX };
	uint64_t		 full, size, h;
	unsigned		 partial, l;
	size_t			 i, k;

	for (i = 0; i < T_NCASES(cases); i++) {
		size = cases[i].size;
		CHECK(merkle_tile_levels(size) == cases[i].levels,
		    "levels(%" PRIu64 ") = %u", size, merkle_tile_levels(size));
		for (l = 0; l < 3; l++) {
			full = 99;
			partial = 99;
			merkle_tile_count(size, l, &full, &partial);
			CHECK(full == cases[i].full[l] &&
			    partial == cases[i].partial[l], "count(%" PRIu64
			    ", %u) = (%" PRIu64 ", %u)", size, l, full,
			    partial);
		}
	}
	for (i = 0; i < 5000; i++) {
		size = i < 300 ? i : rand_size64();
		l = size == 0 ? 0 : (bitlen(size) + 7) / 8;
		CHECK(merkle_tile_levels(size) == l, "levels(%" PRIu64 ") = %u",
		    size, merkle_tile_levels(size));
		for (l = 0; l < 64 + T_NCASES(high); l++) {
			k = l < 64 ? l : high[l - 64];
			h = k < 8 ? size >> (8 * k) : 0;
			merkle_tile_count(size, (unsigned)k, &full, &partial);
			CHECK(full == h / 256 && partial == h % 256,
			    "count(%" PRIu64 ", %zu) = (%" PRIu64 ", %u)",
			    size, k, full, partial);
			if (k < merkle_tile_levels(size))
				CHECK(full > 0 || partial > 0, "size %" PRIu64
				    " level %zu is empty", size, k);
			else
				CHECK(full == 0 && partial == 0, "size %"
				    PRIu64 " level %zu beyond", size, k);
		}
	}
}

static void
test_tile_path(void)
{
	static const struct {
		struct merkle_tile	 t;
		const char		*path;
	} cases[] = {
		{ { 0, 1234067, 256 }, "tile/0/x001/x234/067" },
		{ { 0, 0, 256 }, "tile/0/000" },
		{ { 0, 999, 256 }, "tile/0/999" },
		{ { 0, 1000, 256 }, "tile/0/x001/000" },
		{ { 0, 1000000, 256 }, "tile/0/x001/x000/000" },
		{ { 2, 5, 17 }, "tile/2/005.p/17" },
		{ { MERKLE_TILE_ENTRIES, 0, 7 }, "tile/entries/000.p/7" },
		{ { MERKLE_TILE_ENTRIES, 0, 256 }, "tile/entries/000" },
		{ { MERKLE_TILE_ENTRIES, 1234067, 255 },
		    "tile/entries/x001/x234/067.p/255" },
		{ { 0, 273, 112 }, "tile/0/273.p/112" },
		{ { 1, 1, 17 }, "tile/1/001.p/17" },
		{ { 1, 0, 1 }, "tile/1/000.p/1" },
		{ { 7, 0, 255 }, "tile/7/000.p/255" },
		{ { 0, 72057594037927935ULL, 255 },
		    "tile/0/x072/x057/x594/x037/x927/935.p/255" },
	};
	static const struct merkle_tile	bad[] = {
		{ 64, 0, 256 }, { -2, 0, 256 }, { INT_MIN, 0, 1 },
		{ INT_MAX, 0, 1 }, { 0, 0, 0 }, { 0, 0, 257 },
		{ MERKLE_TILE_ENTRIES, 0, 0 }, { 1, 5, UINT_MAX },
	};
	struct merkle_tile	t, u;
	char			buf[MERKLE_TILE_PATH_MAX + 16];
	char			want[MERKLE_TILE_PATH_MAX + 16];
	size_t			i, len, k;
	uint64_t		unrep = 0;
	int			rc, prc;

	for (i = 0; i < T_NCASES(cases); i++) {
		len = strlen(cases[i].path);
		memset(buf, 'Z', sizeof(buf));
		rc = merkle_tile_path(&cases[i].t, buf, MERKLE_TILE_PATH_MAX);
		CHECK(rc == MERKLE_OK && strcmp(buf, cases[i].path) == 0,
		    "path: %d \"%.*s\", want \"%s\"", rc,
		    MERKLE_TILE_PATH_MAX, buf, cases[i].path);
		memset(&u, 0xee, sizeof(u));
		rc = parse_exact(cases[i].path, len, &u);
		CHECK(rc == MERKLE_OK && u.level == cases[i].t.level &&
		    u.index == cases[i].t.index &&
		    u.width == cases[i].t.width, "parse \"%s\": %d (%d, %"
		    PRIu64 ", %u)", cases[i].path, rc, u.level, u.index,
		    u.width);
		/* exactly len + 1 bytes are needed, nothing written beyond */
		for (k = 0; k <= len + 1; k++) {
			memset(buf, 'Z', sizeof(buf));
			rc = merkle_tile_path(&cases[i].t, buf, k);
			CHECK(k <= len ? rc == MERKLE_EINVAL : rc == MERKLE_OK,
			    "\"%s\" into %zu bytes: %d", cases[i].path, k, rc);
			CHECK(buf[k] == 'Z' && buf[len + 1] == 'Z',
			    "\"%s\" into %zu bytes: wrote past the end",
			    cases[i].path, k);
		}
		CHECK(strcmp(buf, cases[i].path) == 0, "\"%s\"", cases[i].path);
	}
	for (i = 0; i < T_NCASES(bad); i++) {
		rc = merkle_tile_path(&bad[i], buf, sizeof(buf));
		CHECK(rc == MERKLE_EINVAL, "tile (%d, %" PRIu64 ", %u): %d",
		    bad[i].level, bad[i].index, bad[i].width, rc);
		for (k = 0; k < 3; k++)
			CHECK(merkle_tile_check(&bad[i], k == 0 ? 0 : k == 1 ?
			    70000 : UINT64_MAX) == MERKLE_EINVAL,
			    "check (%d, %" PRIu64 ", %u)", bad[i].level,
			    bad[i].index, bad[i].width);
	}
	/* the longest path fits MERKLE_TILE_PATH_MAX */
	t.level = MERKLE_TILE_ENTRIES;
	t.index = UINT64_MAX;
	t.width = 255;
	ref_tile_path(&t, want, sizeof(want));
	T_ASSERT(strlen(want) < MERKLE_TILE_PATH_MAX);
	t.level = 63;
	ref_tile_path(&t, want, sizeof(want));
	T_ASSERT(strlen(want) < MERKLE_TILE_PATH_MAX);

	/*
	 * Round trips. Tiles whose hashes can all exist in a 64-bit tree
	 * must round-trip. merkle.h does not say whether a tile beyond any
	 * 64-bit tree (level >= 8, huge index) has a path: path and parse
	 * must then at least agree.
	 */
	for (i = 0; i < 20000; i++) {
		t.level = (int)t_rand_below(65) - 1;
		if (i % 2 == 0 && t.level > 7)
			t.level = (int)t_rand_below(8);
		t.width = 1 + (unsigned)t_rand_below(256);
		if (i % 4 == 0)
			t.width = 256;
		switch (t_rand_below(4)) {
		case 0:
			t.index = t_rand_below(2000);
			break;
		case 1:
			t.index = t_rand() >> t_rand_below(64);
			break;
		case 2:
			/* the last tiles of a 64-bit tree, and just beyond */
			t.index = ref_level_hashes(UINT64_MAX, t.level) / 256 +
			    1 - t_rand_below(3);
			break;
		default:
			t.index = t_rand();
			break;
		}
		ref_tile_path(&t, want, sizeof(want));
		memset(buf, 'Z', sizeof(buf));
		rc = merkle_tile_path(&t, buf, MERKLE_TILE_PATH_MAX);
		memset(&u, 0xee, sizeof(u));
		prc = parse_exact(want, strlen(want), &u);
		if (ref_tile_representable(&t))
			CHECK(rc == MERKLE_OK, "path of (%d, %" PRIu64 ", %u): "
			    "%d", t.level, t.index, t.width, rc);
		else if (rc == MERKLE_OK)
			unrep++;
		if (rc == MERKLE_OK) {
			CHECK(strcmp(buf, want) == 0, "path \"%s\", want "
			    "\"%s\"", buf, want);
			CHECK(prc == MERKLE_OK && u.level == t.level &&
			    u.index == t.index && u.width == t.width,
			    "parse \"%s\": %d (%d, %" PRIu64 ", %u)", want,
			    prc, u.level, u.index, u.width);
		} else
			CHECK(prc != MERKLE_OK, "\"%s\": path refuses the "
			    "tile (%d) but parse accepts it", want, rc);
	}
	printf("# tiles: %" PRIu64 " round-tripped tiles lie beyond any "
	    "64-bit tree (level >= 8 or index too large); path and parse "
	    "accept them\n", unrep);
}

static void
test_tile_parse_bad(void)
{
	static const char *const bad[] = {
		"", "t", "tile", "tile/", "tile/0", "tile/0/", "tile/00/000",
		"tile/01/000", "tile/64/000", "tile/100/000", "tile/1000/000",
		"tile/-1/000", "tile/+1/000", "tile/0/00", "tile/0/0",
		"tile/0/0000", "tile/0/x000/001", "tile/0/x000/000",
		"tile/0/x001", "tile/0/x001/", "tile/0/x001/x002",
		"tile/0/001/002", "tile/0/x1/000", "tile/0/x0001/000",
		"tile/0/x001//000", "tile/0/X001/000", "tile/0/x001/x234/67",
		"tile/0/x001/x234/0670", "tile/0/000.p/0", "tile/0/000.p/256",
		"tile/0/000.p/300", "tile/0/000.p/07", "tile/0/000.p/007",
		"tile/0/000.p/", "tile/0/000.p", "tile/0/000.", "tile/0/000/",
		"tile/0/000?x", "tile/0/000.p/1/", "tile/0/000.p/1x",
		"tile/0/000.p/+1", "tile/0/000.p/-1", "tile/0/000.P/7",
		"tile/0/000.q/7", "tile/0/000p/7", "tile/0/000.p/1.p/1",
		"tile/0/000.p/7 ", "tile/0/000 ", " tile/0/000", "/tile/0/000",
		"TILE/0/000", "tile//000", "tile/0//000", "tile/ 0/000",
		"tile/0/ 000", "tile/0/abc", "tile/0/+00", "tile/0/-01",
		"tile/0/0x1", "tile/0/1e3", "tile/0/000\n", "tile/entries",
		"tile/entries/", "tile/entries/000.p/0",
		"tile/entries/000.p/256", "tile/entries/000.p/300",
		"tile/entries/000.p/07", "tile/entries/x000/001",
		"tile/entry/000", "tile/Entries/000", "tile/data/000",
		"tile/8/0/000", "tile/8/data/000",
		"tile/0/x018/x446/x744/x073/x709/x551/616",
		"tile/0/x019/x000/x000/x000/x000/x000/000",
		"tile/0/x001/x000/x000/x000/x000/x000/x000/000",
		"tile/0/x999/x999/x999/x999/x999/x999/x999/999",
		"tile/entries/x999/x999/x999/x999/x999/x999/x999/999.p/1",
	};
	static const struct {
		const char	*s;
		size_t		 len;
	} nul[] = {
		{ "tile/0/000\0", 11 }, { "tile/0\0/000", 11 },
		{ "tile/0/000.p/7\0", 15 }, { "tile/0/0\0000", 11 },
		{ "\0tile/0/000", 11 },
	};
	struct merkle_tile	t;
	size_t			i;
	int			rc;

	for (i = 0; i < T_NCASES(bad); i++) {
		rc = parse_exact(bad[i], strlen(bad[i]), &t);
		CHECK(rc == MERKLE_EINVAL, "parse \"%s\": %d", bad[i], rc);
	}
	for (i = 0; i < T_NCASES(nul); i++) {
		rc = parse_exact(nul[i].s, nul[i].len, &t);
		CHECK(rc == MERKLE_EINVAL, "parse with a NUL, case %zu: %d", i,
		    rc);
	}
	/* len, not the NUL, ends the path */
	rc = parse_exact("tile/0/0001", 10, &t);
	CHECK(rc == MERKLE_OK && t.level == 0 && t.index == 0 &&
	    t.width == 256, "prefix of tile/0/0001: %d", rc);
	rc = parse_exact("tile/0/000.p/12", 14, &t);
	CHECK(rc == MERKLE_OK && t.width == 1, "prefix of .p/12: %d", rc);
	rc = parse_exact("tile/63/000", 11, &t);
	CHECK(rc == MERKLE_OK && t.level == 63, "tile/63/000: %d", rc);
	rc = parse_exact("tile/0/x018/x446/x744/x073/x709/x551/615", 40, &t);
	CHECK(rc == MERKLE_OK ? t.index == UINT64_MAX : 1, "index 2^64-1");
	printf("# tiles: tile/0/<2^64-1> (beyond any tree) %s\n",
	    rc == MERKLE_OK ? "parses" : "is refused");
	for (i = 0; i < 1000; i++) {
		char	buf[24];
		size_t	k, len = 1 + (size_t)t_rand_below(sizeof(buf));

		for (k = 0; k < len; k++)
			buf[k] = "tile/entries0123456789x.p"[t_rand_below(25)];
		/* whatever the garbage, no crash and no overread */
		rc = parse_exact(buf, len, &t);
		CHECK(rc == MERKLE_OK || rc == MERKLE_EINVAL, "garbage: %d",
		    rc);
	}
}

static void
test_tile_check(void)
{
	static const struct {
		uint64_t		size;
		struct merkle_tile	t;
		int			ok;
	} cases[] = {
		{ 70000, { 0, 0, 256 }, 1 },
		{ 70000, { 0, 272, 256 }, 1 },
		{ 70000, { 0, 273, 256 }, 0 },
		{ 70000, { 0, 273, 112 }, 1 },
		{ 70000, { 0, 273, 113 }, 0 },
		{ 70000, { 0, 273, 100 }, 1 },	/* partial of an older size */
		{ 70000, { 0, 273, 1 }, 1 },
		{ 70000, { 0, 272, 5 }, 1 },	/* full now, partial once */
		{ 70000, { 0, 274, 1 }, 0 },
		{ 70000, { MERKLE_TILE_ENTRIES, 272, 256 }, 1 },
		{ 70000, { MERKLE_TILE_ENTRIES, 273, 112 }, 1 },
		{ 70000, { MERKLE_TILE_ENTRIES, 273, 113 }, 0 },
		{ 70000, { MERKLE_TILE_ENTRIES, 273, 256 }, 0 },
		{ 70000, { 1, 0, 256 }, 1 },
		{ 70000, { 1, 1, 17 }, 1 },
		{ 70000, { 1, 1, 18 }, 0 },
		{ 70000, { 1, 1, 256 }, 0 },
		{ 70000, { 1, 2, 1 }, 0 },
		{ 70000, { 2, 0, 1 }, 1 },
		{ 70000, { 2, 0, 2 }, 0 },
		{ 70000, { 2, 0, 256 }, 0 },
		{ 70000, { 3, 0, 1 }, 0 },
		{ 70000, { 63, 0, 1 }, 0 },
		{ 70000, { 0, UINT64_MAX, 256 }, 0 },
		{ 70000, { 0, UINT64_MAX, 1 }, 0 },
		{ 70000, { 0, 0, 0 }, 0 },
		{ 70000, { 0, 0, 257 }, 0 },
		{ 70000, { 64, 0, 1 }, 0 },
		{ 70000, { -2, 0, 1 }, 0 },
		{ 256, { 0, 0, 256 }, 1 },
		{ 256, { 1, 0, 1 }, 1 },
		{ 256, { 1, 0, 2 }, 0 },
		{ 256, { 0, 1, 1 }, 0 },
		{ 255, { 0, 0, 256 }, 0 },
		{ 255, { 0, 0, 255 }, 1 },
		{ 255, { 1, 0, 1 }, 0 },
		{ 1, { 0, 0, 1 }, 1 },
		{ 1, { MERKLE_TILE_ENTRIES, 0, 1 }, 1 },
		{ 1, { 0, 0, 2 }, 0 },
		{ UINT64_MAX, { 7, 0, 255 }, 1 },
		{ UINT64_MAX, { 7, 0, 256 }, 0 },
		{ UINT64_MAX, { 8, 0, 1 }, 0 },
		{ UINT64_MAX, { 63, 0, 1 }, 0 },
		{ UINT64_MAX, { 0, 72057594037927934ULL, 256 }, 1 },
		{ UINT64_MAX, { 0, 72057594037927935ULL, 255 }, 1 },
		{ UINT64_MAX, { 0, 72057594037927935ULL, 256 }, 0 },
		{ UINT64_MAX, { 0, UINT64_MAX, 1 }, 0 },
		{ UINT64_MAX, { 1, 281474976710655ULL, 255 }, 1 },
		{ UINT64_MAX, { 1, 281474976710655ULL, 256 }, 0 },
	};
	struct merkle_tile	t;
	uint64_t		size, h, full;
	unsigned		partial, l;
	size_t			i;
	int			rc, want;

	for (i = 0; i < T_NCASES(cases); i++) {
		rc = merkle_tile_check(&cases[i].t, cases[i].size);
		CHECK(cases[i].ok ? rc == MERKLE_OK : rc == MERKLE_EINVAL,
		    "size %" PRIu64 " tile (%d, %" PRIu64 ", %u): %d",
		    cases[i].size, cases[i].t.level, cases[i].t.index,
		    cases[i].t.width, rc);
		CHECK(ref_tile_exists(&cases[i].t, cases[i].size) ==
		    cases[i].ok, "reference, case %zu", i);
		rc = merkle_tile_check(&cases[i].t, 0);
		CHECK(rc == MERKLE_EINVAL, "size 0 tile (%d, %" PRIu64
		    ", %u): %d", cases[i].t.level, cases[i].t.index,
		    cases[i].t.width, rc);
	}
	/* every tile merkle_tile_count lists exists, the next ones do not */
	for (i = 0; i < 3000; i++) {
		size = i < 600 ? i : rand_size64();
		for (l = 0; l <= merkle_tile_levels(size) && l < 64; l++) {
			merkle_tile_count(size, l, &full, &partial);
			t.level = i % 3 == 0 && l == 0 ? MERKLE_TILE_ENTRIES :
			    (int)l;
			t.width = 256;
			t.index = full - 1;
			if (full > 0)
				CHECK(merkle_tile_check(&t, size) == MERKLE_OK,
				    "size %" PRIu64 " full tile %u/%" PRIu64,
				    size, l, t.index);
			t.index = full;
			CHECK(merkle_tile_check(&t, size) == MERKLE_EINVAL,
			    "size %" PRIu64 " full tile %u/%" PRIu64, size, l,
			    t.index);
			t.width = partial + 1;
			CHECK(merkle_tile_check(&t, size) == MERKLE_EINVAL,
			    "size %" PRIu64 " tile %u/%" PRIu64 ".p/%u", size,
			    l, t.index, t.width);
			if (partial == 0)
				continue;
			t.width = partial;
			CHECK(merkle_tile_check(&t, size) == MERKLE_OK,
			    "size %" PRIu64 " tile %u/%" PRIu64 ".p/%u", size,
			    l, t.index, t.width);
		}
	}
	/* random tiles near the edge of random trees */
	for (i = 0; i < 20000; i++) {
		size = i < 1000 ? t_rand_below(70000) : rand_size64();
		t.level = (int)t_rand_below(10) - 1;
		h = ref_level_hashes(size, t.level);
		t.index = h / 256 + t_rand_below(3) - 1;
		if (t_rand_below(8) == 0)
			t.index = t_rand();
		switch (t_rand_below(4)) {
		case 0:
			t.width = 256;
			break;
		case 1:
			t.width = (unsigned)(h % 256) +
			    (unsigned)t_rand_below(3);
			break;
		default:
			t.width = 1 + (unsigned)t_rand_below(256);
			break;
		}
		if (t.width == 0)
			t.width = 1;
		want = ref_tile_exists(&t, size);
		rc = merkle_tile_check(&t, size);
		CHECK(want ? rc == MERKLE_OK : rc == MERKLE_EINVAL, "size %"
		    PRIu64 " tile (%d, %" PRIu64 ", %u): %d", size, t.level,
		    t.index, t.width, rc);
	}
}

int
main(int argc, char **argv)
{
	static const struct t_case	cases[] = {
		T_CASE(test_tile_count),
		T_CASE(test_tile_path),
		T_CASE(test_tile_parse_bad),
		T_CASE(test_tile_check),
	};
	int				rc;

	merkleref_init(&t_failed_checks);
	rc = t_main(argc, argv, "t_merkle_tile", cases, T_NCASES(cases));
	merkleref_free();
	return rc;
}
