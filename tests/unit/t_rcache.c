/* t_rcache.c - unit tests for ledgerd/rcache.c, the rules' state cache. */
/*
 * An issuer's counters reach the store only at rcache_flush, and an
 * abort forgets them (the store's value is read again); methods are
 * written through; the dedup hint answers one lookup of one key; many
 * registries survive the table growing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "rcache.h"
#include "rules_store.h"
#include "store.h"
#include "t.h"

static char	dir[64];

static struct store *
open_fresh(void)
{
	struct store	*s;

	strcpy(dir, "/tmp/t_rcache.XXXXXX");
	T_ASSERT(mkdtemp(dir) != NULL);
	T_ASSERT_EQ(store_open(&s, dir, 1ULL << 30, 0), LD_OK);
	return s;
}

static void
close_rm(struct store *s)
{
	char	cmd[128];

	store_close(s);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	T_ASSERT(system(cmd) == 0);
}

static void
issuer(struct rules_issuer_state *st, const char *id, uint64_t credited)
{
	memset(st, 0, sizeof(*st));
	STR_SET(st->reg.id, id, strlen(id));
	STR_SET(st->reg.name, "n", 1);
	st->ctr.credited = credited;
	st->ctr.prev = NO_INDEX;
}

/* The issuer's credited grams as the store (not the cache) has them. */
static uint64_t
stored_credited(struct store *s, const char *id)
{
	struct store_txn	*t;
	struct rules_issuer_state	 st;
	uint64_t		 v = UINT64_MAX;

	T_ASSERT_EQ(store_begin(s, 1, &t), LD_OK);
	if (rules_store_ops.issuer_get(t, id, &st) == LD_OK)
		v = st.ctr.credited;
	store_abort(t);
	return v;
}

static void
test_write_back(void)
{
	struct store		*s = open_fresh();
	struct rcache		*c = rcache_new();
	struct store_txn	*t;
	struct rules_issuer_state	 st, got;

	/* A put stays in the cache until the flush. */
	T_ASSERT_EQ(store_begin(s, 0, &t), LD_OK);
	rcache_begin(c, t);
	issuer(&st, "city", 80);
	T_ASSERT_EQ(rcache_ops.issuer_put(c, &st), LD_OK);
	T_ASSERT_EQ(rules_store_ops.issuer_get(t, "city", &got), LD_ENOTFOUND);
	T_ASSERT_EQ(rcache_ops.issuer_get(c, "city", &got), LD_OK);
	T_ASSERT_EQ(got.ctr.credited, 80);
	T_ASSERT_EQ(rcache_flush(c), LD_OK);
	T_ASSERT_EQ(store_commit(t), LD_OK);
	T_ASSERT_EQ(stored_credited(s, "city"), 80);

	/* An aborted transaction's counters are forgotten. */
	T_ASSERT_EQ(store_begin(s, 0, &t), LD_OK);
	rcache_begin(c, t);
	T_ASSERT_EQ(rcache_ops.issuer_get(c, "city", &got), LD_OK);
	got.ctr.credited += 144;
	T_ASSERT_EQ(rcache_ops.issuer_put(c, &got), LD_OK);
	T_ASSERT_EQ(rcache_ops.issuer_get(c, "city", &got), LD_OK);
	T_ASSERT_EQ(got.ctr.credited, 224);
	rcache_abort(c);
	store_abort(t);
	T_ASSERT_EQ(store_begin(s, 0, &t), LD_OK);
	rcache_begin(c, t);
	T_ASSERT_EQ(rcache_ops.issuer_get(c, "city", &got), LD_OK);
	T_ASSERT_EQ(got.ctr.credited, 80);
	/* A flush that its commit never made durable is forgotten too. */
	got.ctr.credited = 1000;
	T_ASSERT_EQ(rcache_ops.issuer_put(c, &got), LD_OK);
	T_ASSERT_EQ(rcache_flush(c), LD_OK);
	rcache_abort(c);
	store_abort(t);
	T_ASSERT_EQ(stored_credited(s, "city"), 80);
	T_ASSERT_EQ(store_begin(s, 0, &t), LD_OK);
	rcache_begin(c, t);
	T_ASSERT_EQ(rcache_ops.issuer_get(c, "city", &got), LD_OK);
	T_ASSERT_EQ(got.ctr.credited, 80);
	T_ASSERT_EQ(rcache_ops.issuer_get(c, "nobody", &got), LD_ENOTFOUND);
	rcache_abort(c);
	store_abort(t);
	rcache_free(c);
	close_rm(s);
}

static void
test_methods_and_growth(void)
{
	struct store		*s = open_fresh();
	struct rcache		*c = rcache_new();
	struct store_txn	*t;
	struct rules_method_state	 m, got;
	struct rules_issuer_state	 st;
	char			 id[32];
	int			 i, bad = 0;

	T_ASSERT_EQ(store_begin(s, 0, &t), LD_OK);
	rcache_begin(c, t);
	for (i = 0; i < 300; i++) {
		memset(&m, 0, sizeof(m));
		snprintf(id, sizeof(id), "m%d", i);
		STR_SET(m.reg.id, id, strlen(id));
		m.reg.grams_per_unit = (uint64_t)i + 1;
		m.reg_index = (uint64_t)i;
		T_ASSERT_EQ(rcache_ops.method_put(c, &m), LD_OK);
		snprintf(id, sizeof(id), "i%d", i);
		issuer(&st, id, (uint64_t)i);
		T_ASSERT_EQ(rcache_ops.issuer_put(c, &st), LD_OK);
	}
	/* Written through: the store has it before any flush. */
	T_ASSERT_EQ(rules_store_ops.method_get(t, "m17", &got), LD_OK);
	T_ASSERT_EQ(got.reg.grams_per_unit, 18);
	T_ASSERT_EQ(rcache_flush(c), LD_OK);
	T_ASSERT_EQ(store_commit(t), LD_OK);
	rcache_begin(c, NULL);		/* every answer now from memory */
	for (i = 0; i < 300; i++) {
		snprintf(id, sizeof(id), "m%d", i);
		if (rcache_ops.method_get(c, id, &got) != LD_OK ||
		    got.reg.grams_per_unit != (uint64_t)i + 1)
			bad++;
		snprintf(id, sizeof(id), "i%d", i);
		if (rcache_ops.issuer_get(c, id, &st) != LD_OK ||
		    st.ctr.credited != (uint64_t)i)
			bad++;
	}
	T_ASSERT_EQ(bad, 0);
	T_ASSERT_EQ(stored_credited(s, "i299"), 299);
	rcache_free(c);
	close_rm(s);
}

static void
test_dedup_absent(void)
{
	struct store		*s = open_fresh();
	struct rcache		*c = rcache_new();
	struct store_txn	*t;
	uint8_t			 k[32], other[32];
	uint64_t		 idx;

	memset(k, 7, sizeof(k));
	memset(other, 9, sizeof(other));
	T_ASSERT_EQ(store_begin(s, 0, &t), LD_OK);
	rcache_begin(c, t);
	T_ASSERT_EQ(rcache_ops.dedup_put(c, other, 5), LD_OK);
	/* The hint answers for its key, once. */
	rcache_dedup_absent(c, k);
	T_ASSERT_EQ(rcache_ops.dedup_get(c, other, &idx), LD_OK);
	T_ASSERT_EQ(idx, 5);
	T_ASSERT_EQ(rcache_ops.dedup_get(c, k, &idx), LD_ENOTFOUND);
	T_ASSERT_EQ(rcache_ops.dedup_put(c, k, 6), LD_OK);
	T_ASSERT_EQ(rcache_ops.dedup_get(c, k, &idx), LD_OK);
	T_ASSERT_EQ(idx, 6);
	/* A put of any key ends the hint. */
	rcache_dedup_absent(c, k);
	T_ASSERT_EQ(rcache_ops.dedup_put(c, other, 8), LD_OK);
	T_ASSERT_EQ(rcache_ops.dedup_get(c, k, &idx), LD_OK);
	T_ASSERT_EQ(idx, 6);
	rcache_abort(c);
	store_abort(t);
	rcache_free(c);
	close_rm(s);
}

int
main(int argc, char **argv)
{
	static const struct t_case	cases[] = {
		T_CASE(test_write_back),
		T_CASE(test_methods_and_growth),
		T_CASE(test_dedup_absent),
	};

	return t_main(argc, argv, "t_rcache", cases, T_NCASES(cases));
}
