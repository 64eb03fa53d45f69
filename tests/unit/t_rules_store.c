/* t_rules_store.c - unit tests for common/rules_store.c, the stored state. */
/*
 * The rules' state and the chain head are stored field by field, as
 * rules_store.h documents (fixed-width little-endian integers, strings
 * as a u16 length and their bytes), never as a C struct's bytes: the
 * bytes a store holds after a put are checked against hand-written
 * layouts, every encoding round-trips, and a value one byte short or
 * long, or with a string over its limit, is refused as corrupt.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "rules_store.h"
#include "store.h"
#include "t.h"

static char	dir[64];

static struct store *
open_fresh(void)
{
	struct store	*s;
	char		 cmd[128];

	if (dir[0] != '\0') {
		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		T_ASSERT(system(cmd) == 0);
	}
	strcpy(dir, "/tmp/t_rules_store.XXXXXX");
	T_ASSERT(mkdtemp(dir) != NULL);
	T_ASSERT_EQ(store_open(&s, dir, 1ULL << 30, 0), LD_OK);
	return s;
}

/* A little-endian field of width bytes at b[*n], for expected layouts. */
static void
le(uint8_t *b, size_t *n, uint64_t v, unsigned width)
{
	unsigned	i;

	for (i = 0; i < width; i++)
		b[(*n)++] = (uint8_t)(v >> (8 * i));
}

static void
str(uint8_t *b, size_t *n, const char *s)
{
	size_t	len = strlen(s);

	le(b, n, len, 2);
	memcpy(b + *n, s, len);
	*n += len;
}

static void
issuer(struct rules_issuer_state *st)
{
	unsigned	i;

	memset(st, 0, sizeof(*st));
	STR_SET(st->reg.id, "city", 4);
	STR_SET(st->reg.name, "City of X", 9);
	for (i = 0; i < 32; i++)
		st->reg.pub[i] = (uint8_t)i;
	st->reg_index = 0x0102030405060708ULL;
	st->ctr.credited = 1;
	st->ctr.retired = 2;
	st->ctr.reversed = 0x1122334455667788ULL;
	st->ctr.prev = NO_INDEX;
}

static void
method(struct rules_method_state *st)
{
	memset(st, 0, sizeof(*st));
	STR_SET(st->reg.id, "m1", 2);
	STR_SET(st->reg.activity, "trees", 5);
	STR_SET(st->reg.unit, "tree", 4);
	st->reg.grams_per_unit = 25000;
	st->reg.max_event = 1ULL << 40;
	st->reg.max_day = 7;
	st->reg.valid_from = 19000;
	st->reg.max_age = 0xA0B0C0D0u;
	STR_SET(st->reg.reference, "https://example.org/m1", 22);
	st->reg_index = 3;
}

static void
head(struct rules_head *h)
{
	unsigned	i;

	memset(h, 0, sizeof(*h));
	h->size = 1000;
	memset(h->prev, 0xab, 32);
	h->time = 1764979200;
	h->totals.credited = 5;
	h->totals.retired = 6;
	h->totals.reversed = 7;
	for (i = 0; i <= KIND_MAX; i++)
		h->totals.count[i] = 100 + i;
	h->batch_index = 990;
	h->batch_n = 0x01020304u;
	snprintf(h->batch_issuer, sizeof(h->batch_issuer), "city");
}

/* An issuer's stored bytes are the documented layout, and read back. */
static void
test_issuer_layout(void)
{
	struct store		*s = open_fresh();
	struct store_txn	*t;
	struct rules_issuer_state	 st, got;
	uint8_t			 want[RULES_STORE_ISSUER_MAX];
	const uint8_t		*p;
	size_t			 n = 0, len = 0;
	unsigned		 i;

	issuer(&st);
	str(want, &n, "city");
	str(want, &n, "City of X");
	for (i = 0; i < 32; i++)
		want[n++] = (uint8_t)i;
	le(want, &n, 0x0102030405060708ULL, 8);
	le(want, &n, 1, 8);
	le(want, &n, 2, 8);
	le(want, &n, 0x1122334455667788ULL, 8);
	le(want, &n, NO_INDEX, 8);
	T_ASSERT_EQ(n, 89);
	T_ASSERT_EQ(store_begin(s, 0, &t), LD_OK);
	T_ASSERT_EQ(rules_store_ops.issuer_put(t, &st), LD_OK);
	T_ASSERT_EQ(store_commit(t), LD_OK);
	T_ASSERT_EQ(store_begin(s, 1, &t), LD_OK);
	T_ASSERT_EQ(store_state_view(t, STORE_ISSUERS, "city", 4, &p, &len),
	    LD_OK);
	T_ASSERT_EQ(len, n);
	if (len == n)
		T_ASSERT_MEM(p, want, n);
	T_ASSERT_EQ(rules_store_ops.issuer_get(t, "city", &got), LD_OK);
	T_ASSERT_STR(got.reg.id.s, "city");
	T_ASSERT_EQ(got.reg.id.len, 4);
	T_ASSERT_STR(got.reg.name.s, "City of X");
	T_ASSERT_MEM(got.reg.pub, st.reg.pub, 32);
	T_ASSERT_EQ(got.reg_index, st.reg_index);
	T_ASSERT_EQ(got.ctr.reversed, st.ctr.reversed);
	T_ASSERT_EQ(got.ctr.prev, NO_INDEX);
	T_ASSERT_EQ(rules_store_ops.issuer_get(t, "town", &got),
	    LD_ENOTFOUND);
	store_abort(t);
	store_close(s);
}

/* A method's encoding: layout, round trip, and strictness. */
static void
test_method_layout(void)
{
	struct rules_method_state	st, got;
	uint8_t			b[RULES_STORE_METHOD_MAX + 1];
	uint8_t			want[RULES_STORE_METHOD_MAX];
	size_t			n = 0, len;

	method(&st);
	str(want, &n, "m1");
	str(want, &n, "trees");
	str(want, &n, "tree");
	le(want, &n, 25000, 8);
	le(want, &n, 1ULL << 40, 8);
	le(want, &n, 7, 8);
	le(want, &n, 19000, 4);
	le(want, &n, 0xA0B0C0D0u, 4);
	str(want, &n, "https://example.org/m1");
	le(want, &n, 3, 8);
	len = rules_store_method_encode(&st, b);
	T_ASSERT_EQ(len, n);
	T_ASSERT_MEM(b, want, n);
	T_ASSERT_EQ(rules_store_method_decode(b, len, &got), LD_OK);
	T_ASSERT_STR(got.reg.reference.s, "https://example.org/m1");
	T_ASSERT_EQ(got.reg.reference.len, 22);
	T_ASSERT_EQ(got.reg.max_event, 1ULL << 40);
	T_ASSERT_EQ(got.reg.valid_from, 19000);
	T_ASSERT_EQ(got.reg.max_age, 0xA0B0C0D0u);
	T_ASSERT_EQ(got.reg_index, 3);
	T_ASSERT_EQ(rules_store_method_decode(b, len - 1, &got), LD_ECORRUPT);
	b[len] = 0;
	T_ASSERT_EQ(rules_store_method_decode(b, len + 1, &got), LD_ECORRUPT);
	/* The id's length over ID_MAX. */
	b[0] = ID_MAX + 1;
	T_ASSERT_EQ(rules_store_method_decode(b, len, &got), LD_ECORRUPT);
}

/* Account counters: 32 bytes, four u64 little-endian, in a deferred
 * table (read back through the overlay and after the flush). */
static void
test_account_layout(void)
{
	struct store		*s = open_fresh();
	struct store_txn	*t;
	struct entry_account_ctr	 a = { 0x0102030405060708ULL, 2, 3, NO_INDEX };
	struct entry_account_ctr	 got;
	uint8_t			 b[RULES_STORE_ACCOUNT_LEN], want[32];
	size_t			 n = 0;
	int			 pass;

	le(want, &n, 0x0102030405060708ULL, 8);
	le(want, &n, 2, 8);
	le(want, &n, 3, 8);
	le(want, &n, NO_INDEX, 8);
	rules_store_account_encode(&a, b);
	T_ASSERT_MEM(b, want, 32);
	T_ASSERT_EQ(rules_store_account_decode(b, 31, &got), LD_ECORRUPT);
	T_ASSERT_EQ(store_begin(s, 0, &t), LD_OK);
	T_ASSERT_EQ(rules_store_ops.account_put(t, "city", "u-1", &a), LD_OK);
	T_ASSERT_EQ(store_commit(t), LD_OK);
	for (pass = 0; pass < 2; pass++) {
		/* Pass 1: after a close wrote the overlay into the B-tree. */
		T_ASSERT_EQ(store_begin(s, 1, &t), LD_OK);
		memset(b, 0, sizeof(b));
		T_ASSERT_EQ(store_state_get(t, STORE_ACCOUNTS, "city\0u-1", 8,
		    b, sizeof(b)), LD_OK);
		T_ASSERT_MEM(b, want, 32);
		T_ASSERT_EQ(rules_store_account(t, "city", "u-1", &got),
		    LD_OK);
		T_ASSERT_EQ(got.credited, a.credited);
		T_ASSERT_EQ(got.prev, NO_INDEX);
		store_abort(t);
		store_close(s);
		if (pass == 0)
			T_ASSERT_EQ(store_open(&s, dir, 1ULL << 30, 0), LD_OK);
	}
}

/* The chain head in meta "head": layout, round trip, strictness. */
static void
test_head_layout(void)
{
	struct store		*s = open_fresh();
	struct store_txn	*t;
	struct rules_head	 h, got;
	uint8_t			 want[RULES_STORE_HEAD_MAX];
	const uint8_t		*p;
	size_t			 n = 0, len = 0;
	unsigned		 i;

	head(&h);
	le(want, &n, 1000, 8);
	memset(want + n, 0xab, 32);
	n += 32;
	le(want, &n, 1764979200, 8);
	le(want, &n, 5, 8);
	le(want, &n, 6, 8);
	le(want, &n, 7, 8);
	for (i = 0; i <= KIND_MAX; i++)
		le(want, &n, 100 + i, 8);
	le(want, &n, 990, 8);
	le(want, &n, 0x01020304u, 4);
	str(want, &n, "city");
	T_ASSERT_EQ(n, 8 + 32 + 8 + 3 * 8 + 7 * 8 + 8 + 4 + 2 + 4);
	T_ASSERT_EQ(store_begin(s, 1, &t), LD_OK);
	T_ASSERT_EQ(rules_store_head_get(t, &got), LD_ENOTFOUND);
	store_abort(t);
	T_ASSERT_EQ(store_begin(s, 0, &t), LD_OK);
	T_ASSERT_EQ(rules_store_head_put(t, &h), LD_OK);
	T_ASSERT_EQ(store_commit(t), LD_OK);
	T_ASSERT_EQ(store_begin(s, 0, &t), LD_OK);
	T_ASSERT_EQ(store_meta_get(t, "head", &p, &len), LD_OK);
	T_ASSERT_EQ(len, n);
	if (len == n)
		T_ASSERT_MEM(p, want, n);
	T_ASSERT_EQ(rules_store_head_get(t, &got), LD_OK);
	T_ASSERT_EQ(got.size, 1000);
	T_ASSERT_MEM(got.prev, h.prev, 32);
	T_ASSERT_EQ(got.totals.count[KIND_MAX], 100 + KIND_MAX);
	T_ASSERT_EQ(got.batch_index, 990);
	T_ASSERT_EQ(got.batch_n, 0x01020304u);
	T_ASSERT_STR(got.batch_issuer, "city");
	/* A head one byte short (as a struct of another layout would be)
	 * is corrupt, not misread. */
	T_ASSERT_EQ(store_meta_put(t, "head", want, n - 1), LD_OK);
	T_ASSERT_EQ(rules_store_head_get(t, &got), LD_ECORRUPT);
	T_ASSERT_EQ(rules_store_head_decode(want, n, &got), LD_OK);
	T_ASSERT_EQ(rules_store_head_decode(want, n - 1, &got), LD_ECORRUPT);
	store_abort(t);
	store_close(s);
}

/* The walks decode every entry, in id order. */
static int
count_issuer(void *arg, const struct rules_issuer_state *st)
{
	(*(unsigned *)arg) += st->reg.id.s[1] == '2' ? 10 : 1;
	return 0;
}

static void
test_walks(void)
{
	struct store		*s = open_fresh();
	struct store_txn	*t;
	struct rules_issuer_state	 st;
	unsigned		 n = 0;

	issuer(&st);
	T_ASSERT_EQ(store_begin(s, 0, &t), LD_OK);
	STR_SET(st.reg.id, "i1", 2);
	T_ASSERT_EQ(rules_store_ops.issuer_put(t, &st), LD_OK);
	STR_SET(st.reg.id, "i2", 2);
	T_ASSERT_EQ(rules_store_ops.issuer_put(t, &st), LD_OK);
	T_ASSERT_EQ(rules_store_issuers(t, count_issuer, &n), LD_OK);
	T_ASSERT_EQ(n, 11);
	/* A stored issuer of another layout stops the walk as corrupt. */
	T_ASSERT_EQ(store_state_put(t, STORE_ISSUERS, "i3", 2, "xyz", 3),
	    LD_OK);
	T_ASSERT_EQ(rules_store_issuers(t, count_issuer, &n), LD_ECORRUPT);
	store_abort(t);
	store_close(s);
}

int
main(int argc, char **argv)
{
	static const struct t_case	cases[] = {
		T_CASE(test_issuer_layout),
		T_CASE(test_method_layout),
		T_CASE(test_account_layout),
		T_CASE(test_head_layout),
		T_CASE(test_walks),
	};
	char	cmd[128];
	int	rc = t_main(argc, argv, "t_rules_store", cases,
	    T_NCASES(cases));

	if (dir[0] != '\0') {
		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		if (system(cmd) != 0)
			rc = 1;
	}
	return rc;
}
