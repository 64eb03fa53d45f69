/* f_tile.c - fuzz merkle_tile_parse and merkle_tile_path (C2SP tile paths). */
/*
 * Invariants: an accepted path is canonical, so merkle_tile_path of the
 * parsed tile gives exactly the input; and the other way round, any tile
 * built from the input's first 13 bytes that merkle_tile_path writes
 * parses back to the same tile.
 */
#include "fuzz.h"
#include "merkle.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct merkle_tile	t, u;
	char			buf[MERKLE_TILE_PATH_MAX];
	size_t			i;

	memset(&t, 0, sizeof(t));
	if (merkle_tile_parse((const char *)data, size, &t) == MERKLE_OK) {
		CHECK(t.level >= MERKLE_TILE_ENTRIES &&
		    t.level <= MERKLE_TILE_MAX_LEVEL);
		CHECK(t.width >= 1 && t.width <= MERKLE_TILE_WIDTH);
		CHECK(merkle_tile_path(&t, buf, sizeof(buf)) == MERKLE_OK);
		CHECK(same_bytes(buf, strlen(buf), data, size));
	}
	if (size >= 13) {
		memset(&t, 0, sizeof(t));
		t.level = (int8_t)data[0];
		for (i = 0; i < 8; i++)
			t.index = t.index << 8 | data[1 + i];
		t.width = (unsigned)data[9] | (unsigned)data[10] << 8;
		if (merkle_tile_path(&t, buf, sizeof(buf)) == MERKLE_OK) {
			CHECK(t.level >= MERKLE_TILE_ENTRIES &&
			    t.level <= MERKLE_TILE_MAX_LEVEL);
			CHECK(t.width >= 1 && t.width <= MERKLE_TILE_WIDTH);
			CHECK(merkle_tile_parse(buf, strlen(buf), &u) ==
			    MERKLE_OK);
			CHECK(u.level == t.level && u.index == t.index &&
			    u.width == t.width);
		}
	}
	return 0;
}
