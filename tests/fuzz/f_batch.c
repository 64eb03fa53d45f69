/* f_batch.c - fuzz codec_batch_decode (a msgpack submission) and codec_tree_parse. */
/*
 * Invariants: a batch that decodes re-encodes (codec_batch_encode) to
 * bytes that decode again to a batch that re-encodes to the same bytes
 * (decoding is not required to be canonical, encoding is a fixed point);
 * every entry passes entry_sub_check; on failure bad_pos is -1 or names an
 * entry the body could hold, and why is set. The generic reply reader
 * (codec_tree_parse) must accept every valid batch and walk any tree it accepts.
 * Memory: decoding the input, and the input repeated in one array up to
 * 512 KiB (the pre-pass at scale), takes at most 3 times the body plus
 * what the pre-pass limits allow (CODEC_BATCH_OBJECTS msgpack objects of
 * 24 bytes, counted as 32, and a batch's BATCH_MAX entries), whatever
 * the decoder answers.
 */
#include "buf.h"
#include "codec.h"
#include "entry.h"
#include "err.h"
#include "fuzz.h"

/* Visit every node of a cr tree through its accessors. */
static void
walk(const struct codec_obj *o, int depth)
{
	const uint8_t	*p;
	size_t		 i, n, len;
	uint64_t	 v;
	int		 bv;

	CHECK(depth <= 16);
	(void)codec_get_u64(o, &v);
	(void)codec_get_bool(o, &bv);
	(void)codec_is_nil(o);
	if (codec_get_bytes(o, &p, &len) == LD_OK && len > 0)
		CHECK(p != NULL);
	n = codec_len(o);
	for (i = 0; i < n; i++) {
		const struct codec_obj *c = codec_at(o, i);

		if (c != NULL)
			walk(c, depth + 1);
	}
	CHECK(codec_at(o, n) == NULL);
	(void)codec_get(o, "issuer");
}

#define AMP	(512u << 10)

static size_t
mem_bound(size_t len)
{
	return 3 * len + CODEC_BATCH_OBJECTS * 32 +
	    BATCH_MAX * sizeof(struct entry_sub) + 65536;
}

/* Decode p and check the heap it took. */
static void
check_mem(const uint8_t *p, size_t len)
{
	struct codec_batch	 r;
	const char		*why = NULL;
	long			 bad;
	size_t			 peak;

	fuzz_mem_start();
	if (codec_batch_decode(p, len, &r, &bad, &why) == LD_OK)
		codec_batch_free(&r);
	peak = fuzz_mem_peak();
	if (peak > mem_bound(len)) {
		fprintf(stderr, "%zu-byte body: %zu bytes of heap\n", len,
		    peak);
		CHECK(!"decoding takes at most 3 x the body + the limits");
	}
}

/* The input k times in one array32 of k elements, about AMP bytes. */
static void
check_amplified(const uint8_t *data, size_t size)
{
	uint8_t		*big;
	size_t		 k, i;

	if (size == 0 || size > AMP / 4)
		return;
	k = (AMP - 5) / size;
	if ((big = malloc(5 + k * size)) == NULL)
		abort();
	big[0] = 0xdd;
	big[1] = (uint8_t)(k >> 24);
	big[2] = (uint8_t)(k >> 16);
	big[3] = (uint8_t)(k >> 8);
	big[4] = (uint8_t)k;
	for (i = 0; i < k; i++)
		memcpy(big + 5 + i * size, data, size);
	check_mem(big, 5 + k * size);
	free(big);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct codec_batch	 r, r2;
	struct buf		 b = { 0 }, b2 = { 0 };
	struct codec_tree		*c;
	const struct codec_obj	*root;
	const char		*why = NULL, *why2 = NULL;
	long			 bad = -2, bad2 = -2;
	uint32_t		 i;
	int			 rc, crc;

	check_mem(data, size);
	check_amplified(data, size);
	crc = codec_tree_parse(data, size, &c, &root);
	if (crc == LD_OK) {
		walk(root, 0);
		codec_tree_free(c);
	}

	rc = codec_batch_decode(data, size, &r, &bad, &why);
	if (rc != LD_OK) {
		CHECK(rc == LD_EINVAL || rc == LD_ETOOBIG);
		CHECK(why != NULL);
		CHECK(bad == -1 || (bad >= 0 && bad < BATCH_MAX &&
		    (size_t)bad < size));
		CHECK(r.subs == NULL && r.n == 0);
		return 0;
	}
	CHECK(crc == LD_OK);
	CHECK(bad == -1);
	CHECK(r.n >= 1 && r.n <= BATCH_MAX && r.subs != NULL);
	CHECK(entry_valid_id(r.issuer.s, r.issuer.len) == LD_OK);
	for (i = 0; i < r.n; i++)
		CHECK(entry_sub_check(&r.subs[i], &why) == LD_OK);
	CHECK(codec_batch_encode(&r, &b) == LD_OK);
	CHECK(b.len <= size);	/* the encoding is the shortest form */
	rc = codec_batch_decode(b.p, b.len, &r2, &bad2, &why2);
	CHECK(rc == LD_OK);
	CHECK(r2.n == r.n);
	CHECK(same_bytes(r2.issuer.s, r2.issuer.len, r.issuer.s, r.issuer.len));
	CHECK(memcmp(r2.sig, r.sig, 64) == 0);
	CHECK(codec_batch_encode(&r2, &b2) == LD_OK);
	CHECK(same_bytes(b2.p, b2.len, b.p, b.len));
	codec_batch_free(&r2);
	codec_batch_free(&r);
	buf_free(&b);
	buf_free(&b2);
	return 0;
}
