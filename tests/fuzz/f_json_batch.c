/* f_json_batch.c - fuzz the JSON submission and registration parsers. */
/*
 * The input is one JSON document (json_parse). Invariants:
 * - any parsed document renders (json_render) to JSON that parses;
 * - form_batch_from_json: an accepted batch goes form_batch_to_json ->
 *   render -> parse -> form_batch_from_json to the same issuer, signature
 *   and entries (compared by their codec_sub_encode bytes), and its
 *   msgpack face (codec_batch_encode) decodes too; a refused one names
 *   bad_pos -1 or an entry that exists;
 * - form_sub_from_json (the document as one entry) round trips the same;
 * - form_issuer_from_json: the key rebuilt from the accepted id and public
 *   key prints (sig_vkey) as exactly the given "vkey";
 * - form_method_from_json: an accepted method round trips through
 *   form_method_to_json to the identical struct.
 * - memory: json_parse_limited within form_batch_limits, then
 *   form_batch_from_json, on the input and on the input repeated in one
 *   array up to 4 MiB (the pre-pass at scale), take at most 3 times the
 *   text plus what the limits allow (128 bytes a token, a batch's
 *   BATCH_MAX entries), whatever they answer.
 */
#include "buf.h"
#include "codec.h"
#include "entry.h"
#include "err.h"
#include "form.h"
#include "fuzz.h"
#include "json.h"
#include "sig.h"

/* Render o, parse it back into a new value. */
static struct json *
reparse(const struct json *o)
{
	struct buf	 b = { 0 };
	struct json	*j = NULL;
	char		 err[160];

	json_render(o, &b);
	if (json_parse((const char *)b.p, b.len, &j, err,
	    sizeof(err)) != LD_OK) {
		fprintf(stderr, "reparse: %s: %.*s\n", err, (int)b.len,
		    (const char *)b.p);
		CHECK(!"a rendered document parses");
	}
	buf_free(&b);
	return j;
}

static void
sub_bytes(const struct entry_sub *s, struct buf *b)
{
	buf_reset(b);
	CHECK(codec_sub_encode(s, b) == LD_OK);
}

static void
check_batch(const struct json *doc)
{
	struct codec_batch	 r, r2, r3;
	struct buf		 a = { 0 }, b = { 0 };
	struct json		*o, *j;
	const char		*why = NULL;
	long			 bad = -2;
	uint32_t		 i;
	int			 rc;

	rc = form_batch_from_json(doc, &r, &bad, &why);
	if (rc != LD_OK) {
		CHECK(rc == LD_EINVAL || rc == LD_ETOOBIG);
		CHECK(why != NULL);
		CHECK(r.subs == NULL && r.n == 0);
		CHECK(bad == -1 || (bad >= 0 &&
		    (size_t)bad < json_len(json_get(doc, "entries"))));
		return;
	}
	CHECK(bad == -1 && r.n >= 1 && r.n <= BATCH_MAX);
	o = form_batch_to_json(&r);
	j = reparse(o);
	rc = form_batch_from_json(j, &r2, &bad, &why);
	if (rc != LD_OK)
		fprintf(stderr, "round trip refused at %ld: %s\n", bad, why);
	CHECK(rc == LD_OK);
	CHECK(r2.n == r.n);
	CHECK(same_bytes(r.issuer.s, r.issuer.len, r2.issuer.s, r2.issuer.len));
	CHECK(memcmp(r.sig, r2.sig, 64) == 0);
	for (i = 0; i < r.n; i++) {
		CHECK(entry_sub_check(&r.subs[i], &why) == LD_OK);
		sub_bytes(&r.subs[i], &a);
		sub_bytes(&r2.subs[i], &b);
		CHECK(same_bytes(a.p, a.len, b.p, b.len));
	}
	/* The msgpack face of the same batch is accepted as well. */
	buf_reset(&a);
	CHECK(codec_batch_encode(&r, &a) == LD_OK);
	CHECK(codec_batch_decode(a.p, a.len, &r3, &bad, &why) == LD_OK);
	CHECK(r3.n == r.n);
	codec_batch_free(&r3);
	codec_batch_free(&r2);
	codec_batch_free(&r);
	json_free(o);
	json_free(j);
	buf_free(&a);
	buf_free(&b);
}

static void
check_sub(const struct json *doc)
{
	struct entry_sub	 s, s2;
	struct buf	 a = { 0 }, b = { 0 };
	struct json	*o, *j;
	const char	*why = NULL;

	if (form_sub_from_json(doc, &s, &why) != LD_OK) {
		CHECK(why != NULL);
		return;
	}
	CHECK(entry_sub_check(&s, &why) == LD_OK);
	o = form_sub_to_json(&s);
	j = reparse(o);
	CHECK(form_sub_from_json(j, &s2, &why) == LD_OK);
	sub_bytes(&s, &a);
	sub_bytes(&s2, &b);
	CHECK(same_bytes(a.p, a.len, b.p, b.len));
	json_free(o);
	json_free(j);
	buf_free(&a);
	buf_free(&b);
}

static void
check_issuer(const struct json *doc)
{
	struct entry_issuer	 reg;
	struct sig_key		*k;
	const char		*why = NULL, *vk;
	char			*s;
	size_t			 vklen;

	if (form_issuer_from_json(doc, &reg, &why) != LD_OK) {
		CHECK(why != NULL);
		return;
	}
	CHECK(entry_valid_id(reg.id.s, reg.id.len) == LD_OK);
	CHECK(entry_valid_text(reg.name.s, reg.name.len, TEXT_MAX) == LD_OK);
	CHECK(json_get_str(json_get(doc, "vkey"), &vk, &vklen) == LD_OK);
	CHECK(sig_key_from_pub(reg.id.s, SIG_TYPE_ED25519, reg.pub, &k) ==
	    LD_OK);
	s = sig_vkey(k);
	CHECK(same_bytes(s, strlen(s), vk, vklen));
	free(s);
	sig_key_free(k);
}

static void
check_method(const struct json *doc)
{
	struct entry_method	 m, m2;
	struct json		*o, *j;
	const char		*why = NULL;

	if (form_method_from_json(doc, &m, &why) != LD_OK) {
		CHECK(why != NULL);
		return;
	}
	o = form_method_to_json(&m);
	j = reparse(o);
	CHECK(form_method_from_json(j, &m2, &why) == LD_OK);
	CHECK(memcmp(&m, &m2, sizeof(m)) == 0);
	json_free(o);
	json_free(j);
}

#define AMP	(4u << 20)

/* Parse p as a batch within the limits and check the heap it took. */
static void
check_mem(const char *p, size_t len)
{
	struct codec_batch	 r;
	struct json		*doc;
	const char		*why = NULL;
	char			 err[160];
	long			 bad;
	size_t			 peak, bound;

	bound = 3 * len + form_batch_limits.tokens * 128 +
	    BATCH_MAX * sizeof(struct entry_sub) + 65536;
	fuzz_mem_start();
	if (json_parse_limited(p, len, &form_batch_limits, &doc, err,
	    sizeof(err)) == LD_OK) {
		if (form_batch_from_json(doc, &r, &bad, &why) == LD_OK)
			codec_batch_free(&r);
		json_free(doc);
	}
	peak = fuzz_mem_peak();
	if (peak > bound) {
		fprintf(stderr, "%zu-byte text: %zu bytes of heap\n", len, peak);
		CHECK(!"parsing takes at most 3 x the text + the limits");
	}
}

/* "[input,input,...]", about AMP bytes. */
static void
check_amplified(const uint8_t *data, size_t size)
{
	char	*big;
	size_t	 k, i, off = 0;

	if (size == 0 || size > AMP / 4)
		return;
	k = (AMP - 2) / (size + 1);
	if ((big = malloc(k * (size + 1) + 2)) == NULL)
		abort();
	big[off++] = '[';
	for (i = 0; i < k; i++) {
		if (i > 0)
			big[off++] = ',';
		memcpy(big + off, data, size);
		off += size;
	}
	big[off++] = ']';
	check_mem(big, off);
	free(big);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json	*doc, *j;
	char		 err[160];

	check_mem((const char *)data, size);
	check_amplified(data, size);
	if (json_parse((const char *)data, size, &doc, err, sizeof(err)) !=
	    LD_OK)
		return 0;
	j = reparse(doc);
	json_free(j);
	check_batch(doc);
	check_sub(doc);
	check_issuer(doc);
	check_method(doc);
	json_free(doc);
	return 0;
}
