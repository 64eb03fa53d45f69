/* t_bounds.c - the submission parsers' pre-pass limits, at their edges. */
/*
 * codec_batch_decode walks a msgpack body before msgpack-c builds it, and
 * json_parse_limited lexes a JSON text before Jansson does (codec.h,
 * json.h, form.h): each limit is checked one under, at and one over, and
 * the largest valid batch of each kind must pass.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "codec.h"
#include "entry.h"
#include "err.h"
#include "form.h"
#include "json.h"
#include "t.h"
#include "xmalloc.h"

/* An array32 of n positive fixints. */
static void
mp_ints(struct buf *b, uint64_t n)
{
	uint8_t	h[5] = { 0xdd, (uint8_t)(n >> 24), (uint8_t)(n >> 16),
		    (uint8_t)(n >> 8), (uint8_t)n };

	buf_reset(b);
	buf_add(b, h, 5);
	buf_reserve(b, n);
	memset(b->p + b->len, 0, n);
	b->len += n;
}

static int
mp_decode(const struct buf *b, const char **why)
{
	struct codec_batch	r;
	long			pos;
	int			rc;

	rc = codec_batch_decode(b->p, b->len, &r, &pos, why);
	if (rc == LD_OK)
		codec_batch_free(&r);
	else
		T_ASSERT(r.n == 0 && r.subs == NULL);
	return rc;
}

static void
test_msgpack_objects(void)
{
	struct buf	b = { 0 };
	const char	*why;

	/* The top array and its children: exactly the limit passes the
	 * pre-pass (then fails on shape), one more is too many. */
	mp_ints(&b, CODEC_BATCH_OBJECTS - 1);
	T_ASSERT_EQ(mp_decode(&b, &why), LD_EINVAL);
	T_ASSERT(strstr(why, "more msgpack objects") == NULL);
	mp_ints(&b, CODEC_BATCH_OBJECTS);
	T_ASSERT_EQ(mp_decode(&b, &why), LD_ETOOBIG);
	T_ASSERT(strstr(why, "more msgpack objects") != NULL);
	mp_ints(&b, 32u << 20);
	T_ASSERT_EQ(mp_decode(&b, &why), LD_ETOOBIG);
	buf_free(&b);
}

static void
test_msgpack_depth_and_shape(void)
{
	struct buf	b = { 0 };
	const char	*why;

	buf_add(&b, "\x91\x91\x91\x00", 4);	/* [[[0]]]: 3 levels below */
	T_ASSERT_EQ(mp_decode(&b, &why), LD_EINVAL);
	T_ASSERT(strstr(why, "nests deeper") == NULL);
	buf_reset(&b);
	buf_add(&b, "\x91\x91\x91\x91\x00", 5);	/* 4 levels below */
	T_ASSERT_EQ(mp_decode(&b, &why), LD_EINVAL);
	T_ASSERT(strstr(why, "nests deeper") != NULL);
	/* Well-formed and within the limits, but not a batch. */
	buf_reset(&b);
	buf_add(&b, "\x93\x00\x00\x00", 4);
	T_ASSERT_EQ(mp_decode(&b, &why), LD_EINVAL);
	buf_reset(&b);
	buf_add(&b, "\x00", 1);
	T_ASSERT_EQ(mp_decode(&b, &why), LD_EINVAL);
	buf_free(&b);
}

/* The largest batch: BATCH_MAX credits with evidence, the longest ids. */
static void
big_batch(struct codec_batch *r)
{
	char		id[ID_MAX];
	uint32_t	i;

	memset(r, 0, sizeof(*r));
	memset(id, 'i', sizeof(id));
	STR_SET(r->issuer, id, ID_MAX);
	r->n = BATCH_MAX;
	r->subs = xcalloc(BATCH_MAX, sizeof(struct entry_sub));
	for (i = 0; i < BATCH_MAX; i++) {
		struct entry_sub	*s = &r->subs[i];
		char		 acct[ACCOUNT_MAX + 1];

		snprintf(acct, sizeof(acct), "%064" PRIu32, i);
		s->kind = KIND_CREDIT;
		STR_SET(s->account, acct, ACCOUNT_MAX);
		STR_SET(s->method, acct, ID_MAX);
		s->units = UINT64_MAX;
		s->grams = UINT64_MAX;
		s->day = 20000;
		memset(s->dedup, (int)i, 32);
		memcpy(s->dedup, &i, sizeof(i));
		s->has_evidence = 1;
		memset(s->evidence, 0xee, 32);
	}
	memset(r->sig, 0x5a, 64);
}

static void
test_largest_batches_pass(void)
{
	struct codec_batch	 r, r2;
	struct buf		 b = { 0 };
	struct json		*o, *doc = NULL;
	const char		*why = NULL;
	char			 err[160];
	long			 pos;

	big_batch(&r);
	T_ASSERT_EQ(codec_batch_encode(&r, &b), LD_OK);
	T_ASSERT_EQ(codec_batch_decode(b.p, b.len, &r2, &pos, &why), LD_OK);
	if (r2.n != BATCH_MAX)
		fprintf(stderr, "msgpack: %s (entry %ld)\n", why, pos);
	T_ASSERT_EQ(r2.n, BATCH_MAX);
	codec_batch_free(&r2);
	buf_reset(&b);
	o = form_batch_to_json(&r);
	json_render(o, &b);
	json_free(o);
	T_ASSERT_EQ(json_parse_limited((const char *)b.p, b.len,
	    &form_batch_limits, &doc, err, sizeof(err)), LD_OK);
	T_ASSERT_EQ(form_batch_from_json(doc, &r2, &pos, &why), LD_OK);
	if (r2.n != BATCH_MAX)
		fprintf(stderr, "JSON: %s; %s (entry %ld)\n", err, why, pos);
	T_ASSERT_EQ(r2.n, BATCH_MAX);
	codec_batch_free(&r2);
	json_free(doc);
	codec_batch_free(&r);
	buf_free(&b);
}

static int
json_rc(const struct buf *b, char *err, size_t errlen)
{
	struct json	*doc = NULL;
	int		 rc;

	rc = json_parse_limited((const char *)b->p, b->len, &form_batch_limits,
	    &doc, err, errlen);
	json_free(doc);
	return rc;
}

static void
test_json_tokens(void)
{
	struct buf	b = { 0 };
	char		err[160];
	size_t		i, n = form_batch_limits.tokens;

	/* "[0,...]": the array and n - 1 zeros are n tokens. */
	buf_addc(&b, '[');
	for (i = 0; i + 1 < n; i++)
		buf_adds(&b, i ? ",0" : "0");
	buf_addc(&b, ']');
	T_ASSERT_EQ(json_rc(&b, err, sizeof(err)), LD_OK);
	b.len--;
	buf_adds(&b, ",0]");
	T_ASSERT_EQ(json_rc(&b, err, sizeof(err)), LD_ETOOBIG);
	T_ASSERT(strstr(err, "tokens") != NULL);
	/* Whitespace, commas and colons are not tokens. */
	buf_reset(&b);
	buf_adds(&b, " { \"a\" :\t[ ] ,\n\"b\":null}\r\n");
	T_ASSERT_EQ(json_rc(&b, err, sizeof(err)), LD_OK);
	buf_free(&b);
}

static void
test_json_strings_and_depth(void)
{
	struct buf	b = { 0 };
	char		err[160];
	size_t		i;

	/* 256 escaped bytes (6 each): exactly the limit, then one over. */
	buf_addc(&b, '"');
	for (i = 0; i < TEXT_MAX; i++)
		buf_adds(&b, "\\u00e9");
	buf_addc(&b, '"');
	T_ASSERT_EQ(json_rc(&b, err, sizeof(err)), LD_OK);
	b.len--;
	buf_adds(&b, "a\"");
	T_ASSERT_EQ(json_rc(&b, err, sizeof(err)), LD_ETOOBIG);
	T_ASSERT(strstr(err, "string") != NULL);
	/* An escaped quote does not end the string. */
	buf_reset(&b);
	buf_adds(&b, "[\"\\\"]]]]]\"]");
	T_ASSERT_EQ(json_rc(&b, err, sizeof(err)), LD_OK);
	/* An unterminated long string is refused before Jansson. */
	buf_reset(&b);
	buf_addc(&b, '"');
	for (i = 0; i < 4000; i++)
		buf_addc(&b, 'x');
	T_ASSERT_EQ(json_rc(&b, err, sizeof(err)), LD_ETOOBIG);
	/* Depth 3 (a batch's) passes, 4 does not. */
	buf_reset(&b);
	buf_adds(&b, "{\"a\":[{}]}");
	T_ASSERT_EQ(json_rc(&b, err, sizeof(err)), LD_OK);
	buf_reset(&b);
	buf_adds(&b, "{\"a\":[{\"b\":[]}]}");
	T_ASSERT_EQ(json_rc(&b, err, sizeof(err)), LD_EINVAL);
	T_ASSERT(strstr(err, "deeper") != NULL);
	/* A NUL byte ends nothing: the lexer goes on. */
	buf_reset(&b);
	buf_add(&b, "[0\0 1]", 6);
	T_ASSERT(json_rc(&b, err, sizeof(err)) == LD_EINVAL);
	buf_free(&b);
}

int
main(int argc, char **argv)
{
	static const struct t_case cases[] = {
		T_CASE(test_msgpack_objects),
		T_CASE(test_msgpack_depth_and_shape),
		T_CASE(test_largest_batches_pass),
		T_CASE(test_json_tokens),
		T_CASE(test_json_strings_and_depth),
	};

	return t_main(argc, argv, "t_bounds", cases, T_NCASES(cases));
}
