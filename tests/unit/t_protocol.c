/* t_protocol.c - docs/protocol.md's worked example, byte for byte. */
/*
 * Section 9 of docs/protocol.md shows the method leaf (index 1), a batch of
 * three entries, its root, signed message and signature, the batch leaf
 * (index 4) and the credit leaf (index 5). This builds all of them with the real encoder and the
 * real rules, asserts their exact bytes and hashes, decodes the leaves
 * back, checks that non-canonical variants are refused, and reads the
 * document (run from the repository root) to check that its hex dumps
 * and values are these bytes, so the document and the code cannot drift.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "b64.h"
#include "buf.h"
#include "codec.h"
#include "entry.h"
#include "err.h"
#include "file.h"
#include "hex.h"
#include "merkle.h"
#include "rules.h"
#include "sig.h"
#include "t.h"
#include "xmalloc.h"
#include "fixture/memrules.h"

#define DOC		"docs/protocol.md"
#define ORIGIN		"ledger.example.org/carbon/2024"
#define ISSUER		"luzhou-green"
#define METHOD		"transit.bus.v1"
#define EX_TIME		1721894400u	/* 2024-07-25T08:00:00Z */
#define EX_DAY		19929u		/* 2024-07-25 */

/* The example issuer key: seed H("luzhou-green example key, never use it"). */
static const char	skey_text[] = "PRIVATE+KEY+luzhou-green+87922114+"
    "AQVDbWbMDLg5u/mtww7ug6xZb7c99j/fZg3T/YTxoSJt";
static const char	vkey_text[] = "luzhou-green+87922114+"
    "AdaadU0b8XMOZXoENXA1TkVaZxxSj3UJZuJbXJDKNvP4";
static const char	seed_text[] = "luzhou-green example key, never use it";
static const char	pub_hex[] =
    "d69a754d1bf1730e657a043570354e455a671c528f750966e25b5c90ca36f3f8";
#define EX_KEY_ID	0x87922114u

/* The three submitted entries (section 9.2). */
static const char *const entry_hex[3] = {
	"9804a6752d37663361ae7472616e7369742e6275732e76310150cd4dd9c420f907"
	"685138e75b41605521158e38de8d7b772e05146905a3bb18082d7136484dc0",
	"9804a6752d63343164ae7472616e7369742e6275732e763102cca0cd4dd9c42067"
	"149e688fc92ad0a4913dc6d168a03b4cb0b3ae7e98f3d8d243ddd2c9c1827bc420"
	"50c68519cfe63918888eb66c022ff9720406344b59592b93213c3416629144e8",
	"9605a6752d3766336164bc477265656e2042756420506f696e7473206d61726b65"
	"74706c616365cd4dd9c420775cb1c1ff2418c8dcffdc7bf8f32dd7cd58fd94a46c"
	"474c9bf5a16ef1338ba7",
};
static const char *const entry_hash_hex[3] = {
	"87a2243b6ad7b123543df3d9f1ae407e23bef8cfb91f67ff0c9577606e599e83",
	"aad78f4baa760e2daa67f5f97bd4665c57e79e6aab655cafdca5b6a42b74a6c7",
	"8c95b4581c340f736ce5e8db69d767bd15a7b8f7df8912bd0ff394fa535a2888",
};
static const char	root_hex[] =
    "c7e18cede77abc4979e3e595c62c3adbc0a37d67f2c0750e203fc9278f86fc64";
static const char	root_b64[] =
    "x+GM7ed6vEl54+WVxiw628CjfWfywHUOID/JJ4+G/GQ=";
static const char	message[] =
    "ledger-batch/v1\n"
    "ledger.example.org/carbon/2024\n"
    "luzhou-green\n"
    "3\n"
    "x+GM7ed6vEl54+WVxiw628CjfWfywHUOID/JJ4+G/GQ=\n";
static const char	sig_b64[] =
    "kAX6Yy2G4aGIOISWylf6WKOu495Eh+LChJUkPOx/wMnMOkSVcHYKVC+Mlu265F2l9u9N"
    "bW+e9BV9ANsfF0hWBw==";

/* The method leaf, index 1 (section 9.3). */
static const char	method_leaf_hex[] =
    "97020201ce6681f180c42020e325f06280f9d0d193fed01a0eda5bef79063f2e602d"
    "93e3605cbe825d96ad99ae7472616e7369742e6275732e7631b57075626c69632074"
    "72616e73706f72742072696465a47269646550cca0cd0190cd4d0b1ed92a68747470"
    "733a2f2f6578616d706c652e6f72672f6d6574686f64732f7472616e7369742e6275"
    "732e763199000000010100000000";
static const char	method_hash_hex[] =
    "156609da6b8e5eb85a3e340f21b0ee34d7f1c16dd2a6fc962f10d709ffa71cec";
#define EX_METHOD_TIME	1719792000u	/* 2024-07-01T00:00:00Z */
#define EX_VALID_FROM	19723u		/* 2024-01-01 */
#define EX_MAX_AGE	30u

/* The batch leaf, index 4 (section 9.4). */
static const char	batch_leaf_hex[] =
    "97020304ce66a20600c420ca6e6588d55d58a70e0b4de60c2dab1e4574bb97d68fa8"
    "8679852a5daaa9db0295ac6c757a686f752d677265656e03c420c7e18cede77abc49"
    "79e3e595c62c3adbc0a37d67f2c0750e203fc9278f86fc64c4409005fa632d86e1a1"
    "88388496ca57fa58a3aee3de4487e2c28495243cec7fc0c9cc3a449570760a542f8c"
    "96edbae45da5f6ef4d6d6f9ef4157d00db1f174856079099500000010102010000";
static const char	batch_hash_hex[] =
    "76a41e3763d781eaf8fd29d61ec7a6d4d1ce3eb0ae0fcdd7038771dceeff4d76";

/* The credit leaf, index 5 (section 9.5). */
static const char	credit_leaf_hex[] =
    "9c020405ce66a20600c42076a41e3763d781eaf8fd29d61ec7a6d4d1ce3eb0ae0fcd"
    "d7038771dceeff4d76ac6c757a686f752d677265656e04009804a6752d37663361ae"
    "7472616e7369742e6275732e76310150cd4dd9c420f907685138e75b41605521158e"
    "38de8d7b772e05146905a3bb18082d7136484dc094cca000000394cca000000399cc"
    "a00000010102020000";
static const char	credit_hash_hex[] =
    "c70eecf2b3e60155795bf929dca74346a650f691c5261755df24544134a23270";
static const char	credit_hash_b64[] =
    "xw7s8rPmAVV5W/kp3KdDRqZQ9pHFJhdV3yRUQTSiMnA=";

/* Decode a hex constant into b (which is reset first). */
static void
unhex(const char *hex, struct buf *b)
{
	size_t	n = strlen(hex) / 2;

	buf_reset(b);
	buf_reserve(b, n);
	if (hex_decode(b->p, n, hex, strlen(hex)) != LD_OK) {
		fprintf(stderr, "bad hex constant: %.20s...\n", hex);
		abort();
	}
	b->len = n;
}

static void
sha_str(uint8_t out[32], const char *s)
{
	merkle_sha256(out, s, strlen(s));
}

static int
hash_is(const uint8_t h[32], const char *hex)
{
	char	s[65];

	hex_encode(s, h, 32);
	return strcmp(s, hex) == 0;
}

/* Entry k of the example batch (the table of section 9.2). */
static void
example_sub(struct entry_sub *s, int k)
{
	memset(s, 0, sizeof(*s));
	s->day = EX_DAY;
	switch (k) {
	case 0:
		s->kind = KIND_CREDIT;
		STR_SET(s->account, "u-7f3a", 6);
		STR_SET(s->method, METHOD, strlen(METHOD));
		s->units = 1;
		s->grams = 80;
		sha_str(s->dedup, "luzhou-green:bus-trip:2024-07-25:000871");
		break;
	case 1:
		s->kind = KIND_CREDIT;
		STR_SET(s->account, "u-c41d", 6);
		STR_SET(s->method, METHOD, strlen(METHOD));
		s->units = 2;
		s->grams = 160;
		sha_str(s->dedup, "luzhou-green:bus-trip:2024-07-25:000872");
		s->has_evidence = 1;
		sha_str(s->evidence, "luzhou-green:gate-log:2024-07-25:000872");
		break;
	default:
		s->kind = KIND_RETIRE;
		STR_SET(s->account, "u-7f3a", 6);
		s->grams = 100;
		STR_SET(s->text, "Green Bud Points marketplace", 28);
		sha_str(s->dedup, "luzhou-green:redeem:2024-07-25:order-5521");
		break;
	}
}

static void
example_subs(struct entry_sub subs[3])
{
	int	k;

	for (k = 0; k < 3; k++)
		example_sub(&subs[k], k);
}

static void
example_signature(uint8_t sig[64])
{
	uint8_t	raw[72];
	size_t	len = 0;

	T_ASSERT(b64_decoded_max(strlen(sig_b64)) <= sizeof(raw));
	T_ASSERT(b64_decode(raw, &len, sig_b64, strlen(sig_b64)) == LD_OK);
	T_ASSERT_EQ(len, 64);
	memcpy(sig, raw, 64);
}

/* Replace n bytes at off of src with the m bytes of rep into dst. */
static void
splice_(struct buf *dst, const struct buf *src, size_t off, size_t n,
    const void *rep, size_t m)
{
	buf_reset(dst);
	buf_add(dst, src->p, off);
	buf_add(dst, rep, m);
	buf_add(dst, src->p + off + n, src->len - off - n);
}

/* The methodology of the example, as registered. */
static void
example_method(struct entry_method *m)
{
	static const char	ref[] = "https://example.org/methods/"
	    "transit.bus.v1";

	memset(m, 0, sizeof(*m));
	STR_SET(m->id, METHOD, strlen(METHOD));
	STR_SET(m->activity, "public transport ride", 21);
	STR_SET(m->unit, "ride", 4);
	m->grams_per_unit = 80;
	m->max_event = 160;
	m->max_day = 400;
	m->valid_from = EX_VALID_FROM;
	m->max_age = EX_MAX_AGE;
	STR_SET(m->reference, ref, strlen(ref));
}

/* The method leaf at index 1, by hand. */
static void
example_method_leaf(struct entry_leaf *l)
{
	memset(l, 0, sizeof(*l));
	l->kind = KIND_METHOD;
	l->index = 1;
	l->time = EX_METHOD_TIME;
	sha_str(l->prev, "leaf 0");
	example_method(&l->u.method);
	l->totals.count[KIND_ISSUER] = 1;
	l->totals.count[KIND_METHOD] = 1;
}

/* The batch leaf at index 4, by hand. */
static void
example_batch_leaf(struct entry_leaf *l)
{
	struct entry_sub	subs[3];

	memset(l, 0, sizeof(*l));
	example_subs(subs);
	l->kind = KIND_BATCH;
	l->index = 4;
	l->time = EX_TIME;
	sha_str(l->prev, "leaf 3");
	STR_SET(l->u.batch.issuer, ISSUER, strlen(ISSUER));
	l->u.batch.n = 3;
	rules_batch_root(subs, 3, l->u.batch.root);
	example_signature(l->u.batch.sig);
	l->totals.credited = 80;
	l->totals.count[KIND_ISSUER] = 1;
	l->totals.count[KIND_METHOD] = 1;
	l->totals.count[KIND_BATCH] = 2;
	l->totals.count[KIND_CREDIT] = 1;
}

/* The credit leaf at index 5, by hand. */
static void
example_credit_leaf(struct entry_leaf *l)
{
	struct buf	b = { 0 };

	memset(l, 0, sizeof(*l));
	l->kind = KIND_CREDIT;
	l->index = 5;
	l->time = EX_TIME;
	unhex(batch_hash_hex, &b);
	memcpy(l->prev, b.p, 32);
	STR_SET(l->u.e.issuer, ISSUER, strlen(ISSUER));
	l->u.e.batch = 4;
	l->u.e.pos = 0;
	example_sub(&l->u.e.sub, 0);
	l->u.e.acct.credited = 160;
	l->u.e.acct.prev = 3;
	l->u.e.iss.credited = 160;
	l->u.e.iss.prev = 3;
	l->totals.credited = 160;
	l->totals.count[KIND_ISSUER] = 1;
	l->totals.count[KIND_METHOD] = 1;
	l->totals.count[KIND_BATCH] = 2;
	l->totals.count[KIND_CREDIT] = 2;
	buf_free(&b);
}

static void
test_entries(void)
{
	struct entry_sub	subs[3];
	struct buf	b = { 0 }, want = { 0 };
	uint8_t		h[32];
	int		k;

	example_subs(subs);
	for (k = 0; k < 3; k++) {
		buf_reset(&b);
		T_ASSERT(codec_sub_encode(&subs[k], &b) == LD_OK);
		unhex(entry_hex[k], &want);
		T_ASSERT_EQ(b.len, want.len);
		T_ASSERT(b.len == want.len && memcmp(b.p, want.p, b.len) == 0);
		merkle_leaf_hash(h, b.p, b.len);
		T_ASSERT(hash_is(h, entry_hash_hex[k]));
	}
	buf_free(&b);
	buf_free(&want);
}

static void
test_batch_root_and_message(void)
{
	struct entry_sub	subs[3];
	struct buf	m = { 0 }, e = { 0 };
	uint8_t		root[32], h[3][32], n01[32], manual[32];
	char		b64[48];
	int		k;

	example_subs(subs);
	rules_batch_root(subs, 3, root);
	T_ASSERT(hash_is(root, root_hex));
	b64_encode(b64, root, 32);
	T_ASSERT_STR(b64, root_b64);
	/* MTH of three: H(0x01 || H(0x01 || h0 || h1) || h2). */
	for (k = 0; k < 3; k++) {
		buf_reset(&e);
		codec_sub_encode(&subs[k], &e);
		merkle_leaf_hash(h[k], e.p, e.len);
	}
	merkle_node_hash(n01, h[0], h[1]);
	merkle_node_hash(manual, n01, h[2]);
	T_ASSERT_MEM(manual, root, 32);
	/* One entry: the root is its leaf hash. */
	rules_batch_root(subs, 1, root);
	T_ASSERT_MEM(root, h[0], 32);

	rules_batch_root(subs, 3, root);
	rules_batch_message(ORIGIN, ISSUER, 3, root, &m);
	T_ASSERT_EQ(m.len, strlen(message));
	T_ASSERT(m.len == strlen(message) &&
	    memcmp(m.p, message, m.len) == 0);
	T_ASSERT_EQ(m.len, 107);
	buf_free(&m);
	buf_free(&e);
}

static void
test_issuer_key_and_signature(void)
{
	struct sig_key		*k = NULL;
	struct entry_issuer	 reg;
	struct buf		 pub = { 0 };
	uint8_t			 seed[32], sig[64], root[32], idin[64], h[32];
	char			*v, b64[100];

	T_ASSERT(sig_key_from_skey(skey_text, strlen(skey_text), &k) ==
	    LD_OK);
	if (k == NULL)
		return;
	v = sig_vkey(k);
	T_ASSERT_STR(v, vkey_text);
	free(v);
	unhex(pub_hex, &pub);
	T_ASSERT_MEM(sig_key_pub(k), pub.p, 32);
	T_ASSERT_EQ(sig_key_id(k), EX_KEY_ID);
	T_ASSERT_EQ(sig_compute_id(ISSUER, strlen(ISSUER), SIG_TYPE_ED25519,
	    pub.p), EX_KEY_ID);
	/* The ID by hand: H(name || 0x0a || 0x01 || pub)[:4]. */
	memcpy(idin, ISSUER "\n\x01", 14);
	memcpy(idin + 14, pub.p, 32);
	merkle_sha256(h, idin, 46);
	T_ASSERT_EQ((uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 |
	    (uint32_t)h[2] << 8 | h[3], EX_KEY_ID);
	/* The seed is the stated hash. */
	sha_str(seed, seed_text);
	b64[0] = '\0';
	{
		uint8_t	raw[33];
		char	want[200];

		raw[0] = SIG_TYPE_ED25519;
		memcpy(raw + 1, seed, 32);
		b64_encode(b64, raw, 33);
		snprintf(want, sizeof(want), "PRIVATE+KEY+%s+%08x+%s", ISSUER,
		    EX_KEY_ID, b64);
		T_ASSERT_STR(want, skey_text);
	}
	/* Ed25519 is deterministic: the signature is the stated one. */
	T_ASSERT(sig_sign(k, message, strlen(message), sig) == LD_OK);
	b64_encode(b64, sig, 64);
	T_ASSERT_STR(b64, sig_b64);

	memset(&reg, 0, sizeof(reg));
	STR_SET(reg.id, ISSUER, strlen(ISSUER));
	memcpy(reg.pub, pub.p, 32);
	unhex(root_hex, &pub);
	memcpy(root, pub.p, 32);
	T_ASSERT(rules_batch_verify(ORIGIN, &reg, 3, root, sig) == LD_OK);
	T_ASSERT(rules_batch_verify("ledger.example.org/other", &reg, 3, root,
	    sig) == LD_EBADSIG);
	T_ASSERT(rules_batch_verify(ORIGIN, &reg, 2, root, sig) ==
	    LD_EBADSIG);
	root[31] ^= 1;
	T_ASSERT(rules_batch_verify(ORIGIN, &reg, 3, root, sig) ==
	    LD_EBADSIG);
	sig_key_free(k);
	buf_free(&pub);
}

static void
test_method_leaf(void)
{
	struct entry_leaf	l, d;
	struct buf	b = { 0 }, want = { 0 }, v = { 0 };
	uint8_t		h[32];
	uint64_t	ver;

	example_method_leaf(&l);
	T_ASSERT(codec_leaf_encode(&l, &b) == LD_OK);
	unhex(method_leaf_hex, &want);
	T_ASSERT_EQ(b.len, 150);
	T_ASSERT(b.len == want.len && memcmp(b.p, want.p, b.len) == 0);
	merkle_leaf_hash(h, b.p, b.len);
	T_ASSERT(hash_is(h, method_hash_hex));
	T_ASSERT(codec_leaf_decode(want.p, want.len, &d) == LD_OK);
	T_ASSERT_EQ(d.kind, KIND_METHOD);
	T_ASSERT_STR(d.u.method.id.s, METHOD);
	T_ASSERT_EQ(d.u.method.max_event, 160);
	T_ASSERT_EQ(d.u.method.max_day, 400);
	T_ASSERT_EQ(d.u.method.valid_from, EX_VALID_FROM);
	T_ASSERT_EQ(d.u.method.max_age, EX_MAX_AGE);
	entry_leaf_free(&d);
	/* Version 1 in front of this body, or this version without the
	 * dates (array(7) registration), is refused. */
	splice_(&v, &want, 1, 1, "\x01", 1);
	T_ASSERT(codec_leaf_decode(v.p, v.len, &d) == LD_EINVAL);
	T_ASSERT(codec_leaf_version(v.p, v.len, &ver) == LD_OK && ver == 1);
	buf_free(&b);
	buf_free(&want);
	buf_free(&v);
}

static void
test_batch_leaf(void)
{
	struct entry_leaf	l, d;
	struct buf	b = { 0 }, want = { 0 }, again = { 0 };
	uint8_t		h[32];

	example_batch_leaf(&l);
	T_ASSERT(codec_leaf_encode(&l, &b) == LD_OK);
	unhex(batch_leaf_hex, &want);
	T_ASSERT_EQ(b.len, 169);
	T_ASSERT(b.len == want.len && memcmp(b.p, want.p, b.len) == 0);
	merkle_leaf_hash(h, b.p, b.len);
	T_ASSERT(hash_is(h, batch_hash_hex));

	T_ASSERT(codec_leaf_decode(want.p, want.len, &d) == LD_OK);
	T_ASSERT_EQ(d.kind, KIND_BATCH);
	T_ASSERT_EQ(d.index, 4);
	T_ASSERT_EQ(d.time, EX_TIME);
	T_ASSERT_MEM(d.prev, l.prev, 32);
	T_ASSERT_STR(d.u.batch.issuer.s, ISSUER);
	T_ASSERT_EQ(d.u.batch.n, 3);
	T_ASSERT_MEM(d.u.batch.root, l.u.batch.root, 32);
	T_ASSERT_MEM(d.u.batch.sig, l.u.batch.sig, 64);
	T_ASSERT_EQ(d.u.batch.nruns, 0);
	T_ASSERT_EQ(d.totals.credited, 80);
	T_ASSERT_EQ(d.totals.count[KIND_BATCH], 2);
	T_ASSERT(codec_leaf_encode(&d, &again) == LD_OK);
	T_ASSERT(again.len == want.len &&
	    memcmp(again.p, want.p, want.len) == 0);
	entry_leaf_free(&d);

	/* The run [[1, 2, 17]] of section 9.4 is 91 93 01 02 11. */
	{
		struct entry_dup_run	run = { 1, 2, 17 };
		static const uint8_t runs[] = { 0x91, 0x93, 0x01, 0x02, 0x11 };
		uint8_t		*p;

		l.u.batch.n = 5;
		l.u.batch.nruns = 1;
		l.u.batch.runs = &run;
		buf_reset(&again);
		T_ASSERT(codec_leaf_encode(&l, &again) == LD_OK);
		p = memmem(again.p, again.len, runs, sizeof(runs));
		T_ASSERT(p != NULL);
		l.u.batch.runs = NULL;
		l.u.batch.nruns = 0;
	}
	buf_free(&b);
	buf_free(&want);
	buf_free(&again);
}

static void
test_credit_leaf(void)
{
	struct entry_leaf	l, d;
	struct entry_sub	s;
	struct buf	b = { 0 }, want = { 0 }, again = { 0 }, bl = { 0 };
	uint8_t		h[32];
	char		b64[48];

	example_credit_leaf(&l);
	T_ASSERT(codec_leaf_encode(&l, &b) == LD_OK);
	unhex(credit_leaf_hex, &want);
	T_ASSERT_EQ(b.len, 145);
	T_ASSERT(b.len == want.len && memcmp(b.p, want.p, b.len) == 0);
	merkle_leaf_hash(h, b.p, b.len);
	T_ASSERT(hash_is(h, credit_hash_hex));
	b64_encode(b64, h, 32);
	T_ASSERT_STR(b64, credit_hash_b64);

	/* prev is the leaf hash of the batch leaf. */
	unhex(batch_leaf_hex, &bl);
	merkle_leaf_hash(h, bl.p, bl.len);
	T_ASSERT_MEM(l.prev, h, 32);

	/* The entry array inside the leaf is entry 0's encoding, verbatim. */
	unhex(entry_hex[0], &bl);
	T_ASSERT(memmem(want.p, want.len, bl.p, bl.len) != NULL);

	T_ASSERT(codec_leaf_decode(want.p, want.len, &d) == LD_OK);
	T_ASSERT_EQ(d.kind, KIND_CREDIT);
	T_ASSERT_EQ(d.index, 5);
	T_ASSERT_EQ(d.time, EX_TIME);
	T_ASSERT_MEM(d.prev, l.prev, 32);
	T_ASSERT_STR(d.u.e.issuer.s, ISSUER);
	T_ASSERT_EQ(d.u.e.batch, 4);
	T_ASSERT_EQ(d.u.e.pos, 0);
	example_sub(&s, 0);
	T_ASSERT_EQ(d.u.e.sub.kind, KIND_CREDIT);
	T_ASSERT_STR(d.u.e.sub.account.s, "u-7f3a");
	T_ASSERT_STR(d.u.e.sub.method.s, METHOD);
	T_ASSERT_EQ(d.u.e.sub.units, 1);
	T_ASSERT_EQ(d.u.e.sub.grams, 80);
	T_ASSERT_EQ(d.u.e.sub.day, EX_DAY);
	T_ASSERT_MEM(d.u.e.sub.dedup, s.dedup, 32);
	T_ASSERT_EQ(d.u.e.sub.has_evidence, 0);
	T_ASSERT_EQ(d.u.e.acct.credited, 160);
	T_ASSERT_EQ(d.u.e.acct.retired, 0);
	T_ASSERT_EQ(d.u.e.acct.reversed, 0);
	T_ASSERT_EQ(d.u.e.acct.prev, 3);
	T_ASSERT_EQ(d.u.e.iss.credited, 160);
	T_ASSERT_EQ(d.u.e.iss.prev, 3);
	T_ASSERT_EQ(d.totals.credited, 160);
	T_ASSERT_EQ(d.totals.retired, 0);
	T_ASSERT_EQ(d.totals.reversed, 0);
	T_ASSERT_EQ(d.totals.count[KIND_ISSUER], 1);
	T_ASSERT_EQ(d.totals.count[KIND_METHOD], 1);
	T_ASSERT_EQ(d.totals.count[KIND_BATCH], 2);
	T_ASSERT_EQ(d.totals.count[KIND_CREDIT], 2);
	T_ASSERT_EQ(d.totals.count[KIND_RETIRE], 0);
	T_ASSERT_EQ(d.totals.count[KIND_REVERSE], 0);
	T_ASSERT(codec_leaf_encode(&d, &again) == LD_OK);
	T_ASSERT(again.len == want.len &&
	    memcmp(again.p, want.p, want.len) == 0);
	entry_leaf_free(&d);
	buf_free(&b);
	buf_free(&want);
	buf_free(&again);
	buf_free(&bl);
}

/* Section 3.1: one content, one encoding; every other is refused. */
static void
test_canonical(void)
{
	struct buf	want = { 0 }, v = { 0 };
	struct entry_leaf	d;
	static const uint8_t	idx8[] = { 0xcc, 0x05 };
	static const uint8_t	str8[] = { 0xd9, 0x0c };
	static const uint8_t	strprev[] = { 0xd9, 0x20 };
	static const uint8_t	one[] = { 0x01 };
	static const uint8_t	three[] = { 0x03 };
	static const uint8_t	nul[] = { 0x00 };

	unhex(credit_leaf_hex, &want);
	T_ASSERT(codec_leaf_decode(want.p, want.len, &d) == LD_OK);
	entry_leaf_free(&d);
	/* index 5 as uint8 (cc 05) instead of fixint 05 */
	splice_(&v, &want, 3, 1, idx8, 2);
	T_ASSERT(codec_leaf_decode(v.p, v.len, &d) == LD_EINVAL);
	/* the issuer as str8 (d9 0c) instead of fixstr (ac) */
	splice_(&v, &want, 43, 1, str8, 2);
	T_ASSERT(codec_leaf_decode(v.p, v.len, &d) == LD_EINVAL);
	/* prev as str instead of bin */
	splice_(&v, &want, 9, 2, strprev, 2);
	T_ASSERT(codec_leaf_decode(v.p, v.len, &d) == LD_EINVAL);
	/* version 1 (the layout before methods had event dates), and 3 */
	splice_(&v, &want, 1, 1, one, 1);
	T_ASSERT(codec_leaf_decode(v.p, v.len, &d) == LD_EINVAL);
	splice_(&v, &want, 1, 1, three, 1);
	T_ASSERT(codec_leaf_decode(v.p, v.len, &d) == LD_EINVAL);
	/* a trailing byte */
	splice_(&v, &want, want.len, 0, nul, 1);
	T_ASSERT(codec_leaf_decode(v.p, v.len, &d) == LD_EINVAL);
	/* the leaf's kind and its entry's kind disagree (retire vs credit) */
	{
		static const uint8_t	five[] = { 0x05 };

		splice_(&v, &want, 2, 1, five, 1);
		T_ASSERT(codec_leaf_decode(v.p, v.len, &d) == LD_EINVAL);
	}
	buf_free(&want);
	buf_free(&v);
}

/* ---- the rules produce the same leaves -------------------------------- */

/* The in-memory state behind struct rules_ops: tests/fixture/memrules.[ch]. */

/*
 * The state of section 9 after leaf 3: the issuer (leaf 0), the method
 * (leaf 1), a batch (leaf 2) and one 80 g credit to u-7f3a (leaf 3) the
 * same day; leaf 3's hash stands in as H("leaf 3").
 */
static void
example_state(struct memrules *m, struct rules *r)
{
	struct rules_head	 head;
	struct buf		 pub = { 0 };
	struct rules_issuer_state	*is;
	struct rules_method_state	*ms;
	uint8_t			 key[32], dkey[16];

	memset(m, 0, sizeof(*m));
	is = &m->st.iss[m->st.niss++];
	STR_SET(is->reg.id, ISSUER, strlen(ISSUER));
	STR_SET(is->reg.name, "Luzhou Green Bud Points", 23);
	unhex(pub_hex, &pub);
	memcpy(is->reg.pub, pub.p, 32);
	is->reg_index = 0;
	is->ctr.credited = 80;
	is->ctr.prev = 3;
	ms = &m->st.meth[m->st.nmeth++];
	example_method(&ms->reg);
	ms->reg_index = 1;
	snprintf(m->st.acct[0].issuer, sizeof(m->st.acct[0].issuer), ISSUER);
	snprintf(m->st.acct[0].account, sizeof(m->st.acct[0].account),
	    "u-7f3a");
	m->st.acct[0].ctr.credited = 80;
	m->st.acct[0].ctr.prev = 3;
	m->st.nacct = 1;
	sha_str(key, "luzhou-green:bus-trip:2024-07-25:000870");
	memrules_ops.dedup_put(m, key, 3);
	rules_day_key(ISSUER, "u-7f3a", METHOD, EX_DAY, dkey);
	memrules_ops.day_put(m, dkey, 80);

	memset(&head, 0, sizeof(head));
	head.size = 4;
	sha_str(head.prev, "leaf 3");
	head.time = EX_TIME - 3600;
	head.totals.credited = 80;
	head.totals.count[KIND_ISSUER] = 1;
	head.totals.count[KIND_METHOD] = 1;
	head.totals.count[KIND_BATCH] = 1;
	head.totals.count[KIND_CREDIT] = 1;
	head.batch_index = NO_INDEX;
	rules_init(r, &memrules_ops, m, &head);
	buf_free(&pub);
}

/* Append one entry of the open batch; its leaf is kept in m. */
static int
mem_entry(struct memrules *m, struct rules *r, uint64_t batch, uint32_t pos,
    const struct entry_sub *s, struct ld_error *e)
{
	uint64_t	index = r->head.size;
	uint8_t		h[32];
	int		rc;

	buf_reset(&m->leaf[index]);
	rc = rules_entry(r, EX_TIME, ISSUER, batch, pos, s, &m->leaf[index],
	    h, e);
	if (rc != LD_OK)
		buf_reset(&m->leaf[index]);
	return rc;
}

static void
check_ctr(const struct buf *leaf, const uint64_t acct[3], uint64_t aprev,
    const uint64_t iss[3], uint64_t iprev)
{
	struct entry_leaf	d;

	T_ASSERT(codec_leaf_decode(leaf->p, leaf->len, &d) == LD_OK);
	T_ASSERT_EQ(d.u.e.acct.credited, acct[0]);
	T_ASSERT_EQ(d.u.e.acct.retired, acct[1]);
	T_ASSERT_EQ(d.u.e.acct.reversed, acct[2]);
	T_ASSERT_EQ(d.u.e.acct.prev, aprev);
	T_ASSERT_EQ(d.u.e.iss.credited, iss[0]);
	T_ASSERT_EQ(d.u.e.iss.retired, iss[1]);
	T_ASSERT_EQ(d.u.e.iss.reversed, iss[2]);
	T_ASSERT_EQ(d.u.e.iss.prev, iprev);
	entry_leaf_free(&d);
}

static void
test_rules_reproduce(void)
{
	static struct memrules	 m;
	struct rules		 r;
	struct ld_error	 e;
	struct entry_batch	 br;
	struct entry_sub		 subs[3];
	struct buf		 want = { 0 };
	struct entry_leaf		 d;
	uint8_t			 h[32];

	example_state(&m, &r);
	example_subs(subs);
	memset(&br, 0, sizeof(br));
	STR_SET(br.issuer, ISSUER, strlen(ISSUER));
	br.n = 3;
	rules_batch_root(subs, 3, br.root);
	example_signature(br.sig);
	T_ASSERT(rules_batch(&r, EX_TIME, &br, &m.leaf[4], h, &e) == LD_OK);
	unhex(batch_leaf_hex, &want);
	T_ASSERT(m.leaf[4].len == want.len &&
	    memcmp(m.leaf[4].p, want.p, want.len) == 0);
	T_ASSERT(hash_is(h, batch_hash_hex));

	T_ASSERT(mem_entry(&m, &r, 4, 0, &subs[0], &e) == LD_OK);
	unhex(credit_leaf_hex, &want);
	T_ASSERT(m.leaf[5].len == want.len &&
	    memcmp(m.leaf[5].p, want.p, want.len) == 0);
	T_ASSERT(hash_is(r.head.prev, credit_hash_hex));

	/* Leaves 6 and 7 as the end of section 9 states. */
	T_ASSERT(mem_entry(&m, &r, 4, 1, &subs[1], &e) == LD_OK);
	T_ASSERT(mem_entry(&m, &r, 4, 2, &subs[2], &e) == LD_OK);
	T_ASSERT_EQ(r.head.size, 8);
	check_ctr(&m.leaf[6], (const uint64_t[3]){ 160, 0, 0 }, NO_INDEX,
	    (const uint64_t[3]){ 320, 0, 0 }, 5);
	check_ctr(&m.leaf[7], (const uint64_t[3]){ 160, 100, 0 }, 5,
	    (const uint64_t[3]){ 320, 100, 0 }, 6);
	T_ASSERT(codec_leaf_decode(m.leaf[7].p, m.leaf[7].len, &d) == LD_OK);
	T_ASSERT_EQ(d.totals.credited, 320);
	T_ASSERT_EQ(d.totals.retired, 100);
	T_ASSERT_EQ(d.totals.reversed, 0);
	T_ASSERT_EQ(d.totals.count[KIND_CREDIT], 3);
	T_ASSERT_EQ(d.totals.count[KIND_RETIRE], 1);
	entry_leaf_free(&d);

	/* A second batch (leaf 8) to try the rules of section 5.4 on. */
	br.n = 10;
	T_ASSERT(rules_batch(&r, EX_TIME, &br, &m.leaf[8], h, &e) == LD_OK);
	{
		struct entry_sub	s;

		/* the same dedup key again */
		T_ASSERT(mem_entry(&m, &r, 8, 0, &subs[0], &e) == LD_EEXIST);
		T_ASSERT_STR(e.rule, "duplicate-dedup");
		T_ASSERT_EQ(e.index, 5);
		/* not the open batch */
		s = subs[0];
		s.dedup[0] ^= 1;
		T_ASSERT(mem_entry(&m, &r, 4, 0, &s, &e) == LD_EINVAL);
		T_ASSERT_STR(e.rule, "batch-order");
		/* tomorrow */
		s.day = EX_DAY + 1;
		T_ASSERT(mem_entry(&m, &r, 8, 0, &s, &e) == LD_ERULE);
		T_ASSERT_STR(e.rule, "future-day");
		/* 31 days old, and before valid_from (2024-01-01) */
		s.day = EX_DAY - EX_MAX_AGE - 1;
		T_ASSERT(mem_entry(&m, &r, 8, 0, &s, &e) == LD_ERULE);
		T_ASSERT_STR(e.rule, "event-too-old");
		s.day = EX_VALID_FROM - 1;
		T_ASSERT(mem_entry(&m, &r, 8, 0, &s, &e) == LD_ERULE);
		T_ASSERT_STR(e.rule, "before-method");
		s.day = EX_DAY;
		STR_SET(s.method, "food.plate.v1", 13);
		T_ASSERT(mem_entry(&m, &r, 8, 0, &s, &e) == LD_ERULE);
		T_ASSERT_STR(e.rule, "unknown-method");
		STR_SET(s.method, METHOD, strlen(METHOD));
		s.grams = 81;
		T_ASSERT(mem_entry(&m, &r, 8, 0, &s, &e) == LD_ERULE);
		T_ASSERT_STR(e.rule, "factor-mismatch");
		s.units = 3;
		s.grams = 240;
		T_ASSERT(mem_entry(&m, &r, 8, 0, &s, &e) == LD_ERULE);
		T_ASSERT_STR(e.rule, "over-cap-event");
		/* u-7f3a has 160 g that day; 2 x 160 more is 480 > 400 */
		s.units = 2;
		s.grams = 160;
		T_ASSERT(mem_entry(&m, &r, 8, 0, &s, &e) == LD_OK);
		s.dedup[1] ^= 1;
		T_ASSERT(mem_entry(&m, &r, 8, 1, &s, &e) == LD_ERULE);
		T_ASSERT_STR(e.rule, "over-cap-day");
		/* u-7f3a: 320 credited, 100 retired: 221 is too much */
		s = subs[2];
		s.dedup[0] ^= 1;
		s.grams = 221;
		T_ASSERT(mem_entry(&m, &r, 8, 1, &s, &e) == LD_ERULE);
		T_ASSERT_STR(e.rule, "overspent");
		T_ASSERT_EQ(e.index, 9);
		/* reversals: only a credit, once */
		memset(&s, 0, sizeof(s));
		s.kind = KIND_REVERSE;
		s.day = EX_DAY;
		STR_SET(s.text, "duplicate ticket", 16);
		sha_str(s.dedup, "luzhou-green:reverse:000872");
		s.target = 4;
		T_ASSERT(mem_entry(&m, &r, 8, 1, &s, &e) == LD_ERULE);
		T_ASSERT_STR(e.rule, "bad-reversal");
		s.target = 99;
		T_ASSERT(mem_entry(&m, &r, 8, 1, &s, &e) == LD_ERULE);
		T_ASSERT_STR(e.rule, "bad-reversal");
		s.target = 6;
		T_ASSERT(mem_entry(&m, &r, 8, 1, &s, &e) == LD_OK);
		/* the reversal counts on the credit's account, u-c41d */
		check_ctr(&m.leaf[10], (const uint64_t[3]){ 160, 0, 160 }, 6,
		    (const uint64_t[3]){ 480, 100, 160 }, 9);
		s.dedup[0] ^= 1;
		T_ASSERT(mem_entry(&m, &r, 8, 2, &s, &e) == LD_ERULE);
		T_ASSERT_STR(e.rule, "bad-reversal");
		T_ASSERT_EQ(e.index, 10);
	}
	memrules_free(&m);
	buf_free(&want);
}

/* ---- the document ------------------------------------------------------ */

/*
 * The fenced block after the line "<!-- t_protocol:NAME -->": its lang
 * must be lang. For "hex", '#' starts a comment and the remaining hex
 * digit pairs, concatenated, go to out; for "text" the lines themselves.
 */
static int
doc_block(const char *doc, const char *name, const char *lang,
    struct buf *out)
{
	char		 marker[96], fence[32];
	const char	*p, *nl, *q;
	int		 hi;

	buf_reset(out);
	snprintf(marker, sizeof(marker), "<!-- t_protocol:%s -->\n", name);
	snprintf(fence, sizeof(fence), "```%s\n", lang);
	if ((p = strstr(doc, marker)) == NULL)
		return -1;
	p += strlen(marker);
	if (strncmp(p, fence, strlen(fence)) != 0)
		return -1;
	p += strlen(fence);
	for (;;) {
		if ((nl = strchr(p, '\n')) == NULL)
			return -1;
		if (strncmp(p, "```\n", 4) == 0)
			return 0;
		if (strcmp(lang, "text") == 0) {
			buf_add(out, p, (size_t)(nl - p) + 1);
			p = nl + 1;
			continue;
		}
		for (q = p, hi = -1; q < nl && *q != '#'; q++) {
			int	v;

			if (*q == ' ')
				continue;
			if (*q >= '0' && *q <= '9')
				v = *q - '0';
			else if (*q >= 'a' && *q <= 'f')
				v = *q - 'a' + 10;
			else
				return -1;
			if (hi < 0)
				hi = v;
			else {
				buf_addc(out, hi << 4 | v);
				hi = -1;
			}
		}
		if (hi >= 0)
			return -1;
		p = nl + 1;
	}
}

static void
test_doc_matches_code(void)
{
	static const struct {
		const char	*name;
		const char	*hex;
	} blocks[] = {
		{ "entry-0", NULL },
		{ "entry-1", NULL },
		{ "entry-2", NULL },
		{ "method-leaf", method_leaf_hex },
		{ "batch-leaf", batch_leaf_hex },
		{ "credit-leaf", credit_leaf_hex },
	};
	struct entry_leaf	 l;
	struct buf	 got = { 0 }, enc = { 0 };
	char		*doc = NULL, *b64;
	size_t		 len, i;
	const char	*want[] = { method_hash_hex, credit_hash_hex, credit_hash_b64,
	    batch_hash_hex, root_hex, root_b64, sig_b64, vkey_text, skey_text,
	    pub_hex, entry_hash_hex[0], entry_hash_hex[1], entry_hash_hex[2] };

	if (file_read(DOC, 1 << 20, &doc, &len) != LD_OK) {
		T_ASSERT(!"cannot read " DOC " (run from the repository root)");
		return;
	}
	for (i = 0; i < T_NCASES(blocks); i++) {
		buf_reset(&enc);
		if (i < 3) {
			struct entry_sub	s;

			example_sub(&s, (int)i);
			codec_sub_encode(&s, &enc);
		} else {
			if (i == 3)
				example_method_leaf(&l);
			else if (i == 4)
				example_batch_leaf(&l);
			else
				example_credit_leaf(&l);
			T_ASSERT(codec_leaf_encode(&l, &enc) == LD_OK);
			unhex(blocks[i].hex, &got);
			T_ASSERT(enc.len == got.len &&
			    memcmp(enc.p, got.p, got.len) == 0);
		}
		if (doc_block(doc, blocks[i].name, "hex", &got) != 0) {
			fprintf(stderr, "%s: no clean ```hex block for %s\n",
			    DOC, blocks[i].name);
			T_ASSERT(!"hex block missing or malformed");
			continue;
		}
		if (got.len != enc.len || memcmp(got.p, enc.p, enc.len) != 0) {
			fprintf(stderr, "%s: block %s differs from the "
			    "encoder's %zu bytes\n", DOC, blocks[i].name,
			    enc.len);
			T_ASSERT(!"document and encoder disagree");
		}
	}
	T_ASSERT(doc_block(doc, "batch-message", "text", &got) == 0);
	T_ASSERT(got.len == strlen(message) &&
	    memcmp(got.p, message, got.len) == 0);
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		if (strstr(doc, want[i]) == NULL) {
			fprintf(stderr, "%s lacks %s\n", DOC, want[i]);
			T_ASSERT(!"a value of the example is missing");
		}
	/* The receipt's extra line: the credit leaf in base64. */
	unhex(credit_leaf_hex, &got);
	b64 = xmalloc(b64_encoded_len(got.len) + 8);
	memcpy(b64, "extra ", 6);
	b64_encode(b64 + 6, got.p, got.len);
	T_ASSERT(strstr(doc, b64) != NULL);
	free(b64);
	free(doc);
	buf_free(&got);
	buf_free(&enc);
}

int
main(int argc, char **argv)
{
	static const struct t_case cases[] = {
		T_CASE(test_entries),
		T_CASE(test_batch_root_and_message),
		T_CASE(test_issuer_key_and_signature),
		T_CASE(test_method_leaf),
		T_CASE(test_batch_leaf),
		T_CASE(test_credit_leaf),
		T_CASE(test_canonical),
		T_CASE(test_rules_reproduce),
		T_CASE(test_doc_matches_code),
	};

	return t_main(argc, argv, "t_protocol", cases, T_NCASES(cases));
}
