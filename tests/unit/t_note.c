/* t_note.c - unit tests for signed notes, checkpoints and tlog-proof. */
/*
 * Vectors from TLOG.md 1.5, 1.6 and 1.11 (C2SP signed-note, Go
 * sumdb/note, tlog-checkpoint, tlog-cosignature), then round trips with
 * generated keys, every malformation the parsers must refuse, and a
 * receipt built from a real ten-leaf tree in which every single-bit flip
 * of every byte must be caught.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "b64.h"
#include "buf.h"
#include "checkpoint.h"
#include "err.h"
#include "hex.h"
#include "merkle.h"
#include "note.h"
#include "sig.h"
#include "t.h"
#include "tlog_proof.h"
#include "xmalloc.h"

#define EM	"\xe2\x80\x94"		/* U+2014 EM DASH */

/* TLOG.md 1.5: C2SP signed-note.md */
static const char	ex_vkey[] =
    "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k";
static const char	ex_text[] = "This is an example message.\n";
static const char	ex_sig[] = EM " example.com/foo "
    "Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3m"
    "FXmRKuwHjG1Yu72IneyaQM=\n";

/* TLOG.md 1.5: golang/mod sumdb/note */
static const char	pn_vkey[] =
    "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
static const char	pn_skey[] =
    "PRIVATE+KEY+PeterNeumann+c74f20a3+"
    "AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
static const char	pn_text[] =
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n";
static const char	pn_sig[] = EM " PeterNeumann "
    "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfq"
    "dngotpRZb6KE6RyyBwJnAM=\n";

/* TLOG.md 1.6 and 1.11: tlog-checkpoint, tlog-cosignature */
static const char	sofa_text[] =
    "example.com/behind-the-sofa\n"
    "20852163\n"
    "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";
static const char	sofa_sig[] = EM " example.com/behind-the-sofa "
    "Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzG"
    "ku9nTo+zyWE+xeMcTOAYQ8=\n";
static const char	sofa_cosig[] = EM " witness.example.com/w1 "
    "jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrDJsX3b2o"
    "yin1nPZqhf5nNo0xUe+mbIUBkBIfZ+qnA==\n";

/* text + "\n" + the signature lines, as a new buffer. */
static void
make_note(struct buf *b, const char *text, const char *sig1,
    const char *sig2)
{
	buf_reset(b);
	buf_adds(b, text);
	buf_addc(b, '\n');
	if (sig1 != NULL)
		buf_adds(b, sig1);
	if (sig2 != NULL)
		buf_adds(b, sig2);
}

static int
parse_len(const char *s, size_t len)
{
	struct note	n;
	int		rc;

	rc = note_parse(s, len, &n);
	if (rc != LD_OK) {
		/* The output is left empty on failure. */
		T_ASSERT(n.text == NULL && n.sigs == NULL && n.nsigs == 0);
	}
	note_free(&n);
	return rc;
}

/* Parse s and verify it with keys; the note_verify result. */
static int
open_note(const char *s, size_t len, struct sig_key *const *keys,
    size_t nkeys, size_t *nverified)
{
	struct note	n;
	int		rc;

	if ((rc = note_parse(s, len, &n)) != LD_OK)
		return rc;
	rc = note_verify(&n, (const struct sig_key *const *)keys, nkeys, nverified);
	note_free(&n);
	return rc;
}

static struct sig_key *
vkey(const char *s)
{
	struct sig_key	*k = NULL;

	T_ASSERT_EQ(sig_key_from_vkey(s, strlen(s), &k), LD_OK);
	return k;
}

static struct sig_key *
keygen(const char *name, uint8_t type)
{
	struct sig_key	*k = NULL;

	T_ASSERT_EQ(sig_keygen(name, type, &k), LD_OK);
	return k;
}

/* The signature line of a fresh note_sign of text by k. */
static void
sign_line(struct buf *line, const char *text, const struct sig_key *k)
{
	struct buf	b = { 0 };

	T_ASSERT_EQ(note_sign(text, strlen(text), k, &b), LD_OK);
	buf_reset(line);
	if (b.len > strlen(text) + 1)
		buf_add(line, b.p + strlen(text) + 1, b.len - strlen(text) - 1);
	buf_free(&b);
}

static void
test_vector_example(void)
{
	struct sig_key	*k = vkey(ex_vkey);
	struct buf	 b = { 0 };
	struct note	 n;
	size_t		 nv = 0;

	T_ASSERT_EQ(sig_key_id(k), 0x530d903a);
	make_note(&b, ex_text, ex_sig, NULL);
	T_ASSERT_EQ(note_parse((char *)b.p, b.len, &n), LD_OK);
	T_ASSERT_EQ(n.text_len, strlen(ex_text));
	T_ASSERT_STR(n.text, ex_text);
	T_ASSERT_EQ(n.nsigs, 1);
	T_ASSERT_STR(n.sigs[0].name, "example.com/foo");
	T_ASSERT_EQ(n.sigs[0].id, 0x530d903a);
	T_ASSERT_EQ(n.sigs[0].len, 64);
	T_ASSERT_EQ(note_verify(&n, (const struct sig_key *const *)&k, 1, &nv), LD_OK);
	T_ASSERT_EQ(nv, 1);
	/* No keys at all: nothing verified. */
	T_ASSERT_EQ(note_verify(&n, NULL, 0, &nv), LD_EBADSIG);
	note_free(&n);
	T_ASSERT(n.text == NULL && n.sigs == NULL);
	note_free(&n);			/* twice is harmless */
	buf_free(&b);
	sig_key_free(k);
}

static void
test_vector_neumann(void)
{
	struct sig_key	*v = vkey(pn_vkey), *s = NULL;
	struct buf	 b = { 0 }, want = { 0 };
	char		*text;
	size_t		 nv = 0;

	T_ASSERT_EQ(sig_key_id(v), 0xc74f20a3);
	make_note(&want, pn_text, pn_sig, NULL);
	T_ASSERT_EQ(open_note((char *)want.p, want.len, &v, 1, &nv), LD_OK);
	T_ASSERT_EQ(nv, 1);

	/* Ed25519 is deterministic: signing again gives the same line. */
	T_ASSERT_EQ(sig_key_from_skey(pn_skey, strlen(pn_skey), &s), LD_OK);
	T_ASSERT_EQ(sig_key_id(s), 0xc74f20a3);
	text = sig_vkey(s);
	T_ASSERT_STR(text, pn_vkey);
	free(text);
	T_ASSERT_EQ(note_sign(pn_text, strlen(pn_text), s, &b), LD_OK);
	T_ASSERT_EQ(b.len, want.len);
	T_ASSERT_STR(buf_cstr(&b), buf_cstr(&want));
	/* note_sign appends: a second note follows the first verbatim. */
	T_ASSERT_EQ(note_sign(pn_text, strlen(pn_text), s, &b), LD_OK);
	T_ASSERT_EQ(b.len, 2 * want.len);
	T_ASSERT_MEM(b.p + want.len, want.p, want.len);
	/* A public key cannot sign. */
	buf_reset(&b);
	T_ASSERT_EQ(note_sign(pn_text, strlen(pn_text), v, &b), LD_EINVAL);
	T_ASSERT_EQ(b.len, 0);
	/* The other vector's key does not know this note. */
	sig_key_free(v);
	v = vkey(ex_vkey);
	T_ASSERT_EQ(open_note((char *)want.p, want.len, &v, 1, &nv),
	    LD_EBADSIG);
	buf_free(&b);
	buf_free(&want);
	sig_key_free(v);
	sig_key_free(s);
}

static void
test_vkeys(void)
{
	static const char	*bad[] = {
		/* wrong key length, with adjusted key hash */
		"PeterNeumann+cc469956+"
		    "ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==",
		/* unknown algorithm byte, with adjusted key hash */
		"PeterNeumann+173116ae+"
		    "ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
	};
	static const char	 sum[] =
	    "sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8";
	struct sig_key		*k = NULL;
	char			 m[sizeof(pn_vkey)];
	size_t			 i;

	for (i = 0; i < T_NCASES(bad); i++) {
		k = NULL;
		T_ASSERT_EQ(sig_key_from_vkey(bad[i], strlen(bad[i]), &k),
		    LD_EINVAL);
		T_ASSERT(k == NULL);
	}
	k = vkey(sum);
	T_ASSERT_EQ(sig_key_id(k), 0x033de0ae);
	T_ASSERT_STR(sig_key_name(k), "sum.golang.org");
	T_ASSERT_EQ(sig_key_type(k), SIG_TYPE_ED25519);
	sig_key_free(k);
	/* Every byte of a vkey matters (as in Go's TestNewVerifier). */
	for (i = 0; i < strlen(pn_vkey); i++) {
		memcpy(m, pn_vkey, sizeof(m));
		m[i]++;
		k = NULL;
		T_ASSERT(sig_key_from_vkey(m, strlen(m), &k) != LD_OK);
		sig_key_free(k);
	}
}

/* A vkey text for pub with a correct key ID. */
static char *
vkey_for(const char *name, const uint8_t pub[32])
{
	uint8_t	raw[33];
	char	b64[64];

	raw[0] = SIG_TYPE_ED25519;
	memcpy(raw + 1, pub, 32);
	b64_encode(b64, raw, sizeof(raw));
	return xasprintf("%s+%08x+%s", name, sig_compute_id(name,
	    strlen(name), SIG_TYPE_ED25519, pub), b64);
}

static void
hex32(uint8_t out[32], const char *s)
{
	T_ASSERT_EQ(hex_decode(out, 32, s, 64), LD_OK);
}

/*
 * Weak Ed25519 keys. The eight points of order dividing 8 (identity, order
 * 2, two of order 4, four of order 8) in their canonical encodings, from
 * the small-order blocklists (libsodium's has_small_order, the "cofactor"
 * literature); their non-canonical twins (y + p < 2^255, and x = 0 with the
 * sign bit set); y >= p in general; a y with no x. All refused by the check
 * and by both key parsers. The RFC 8032 section 7.1 public keys and
 * generated keys pass.
 */
static void
test_weak_keys(void)
{
	static const char *const small[] = {
		/* identity (0, 1) */
		"0100000000000000000000000000000000000000000000000000000000000000",
		/* order 2: (0, -1) */
		"ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
		/* order 4: (+-sqrt(-1), 0) */
		"0000000000000000000000000000000000000000000000000000000000000000",
		"0000000000000000000000000000000000000000000000000000000000000080",
		/* order 8 */
		"26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
		"26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",
		"c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
		"c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
	};
	static const char *const noncanon[] = {
		/* "negative zero": x = 0 with the sign bit set */
		"0100000000000000000000000000000000000000000000000000000000000080",
		"ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
		/* y = p (0 mod p) and p + 1 (1 mod p), both signs */
		"edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
		"edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
		"eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
		"eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
		/* y = p + 18 = 2^255 - 1, and p + 3 */
		"ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
		"f0ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
		/* y = 2: (y^2 - 1) / (d y^2 + 1) has no square root */
		"0200000000000000000000000000000000000000000000000000000000000000",
	};
	static const char *const rfc8032[] = {
		"d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
		"3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
		"fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025",
		"278117fc144c72340f67d0f2316e8386ceffbf2b2428c9c51fef7c597f1d426e",
	};
	struct sig_key	*k;
	uint8_t		 pub[32];
	const char	*why;
	char		*vk;
	size_t		 i;

	for (i = 0; i < T_NCASES(small) + T_NCASES(noncanon); i++) {
		int	is_small = i < T_NCASES(small);

		hex32(pub, is_small ? small[i] : noncanon[i - T_NCASES(small)]);
		why = NULL;
		T_ASSERT_EQ(sig_pub_check(pub, &why), LD_EWEAKKEY);
		T_ASSERT(why != NULL);
		if (why != NULL && is_small)
			T_ASSERT(strstr(why, "small order") != NULL);
		if (why != NULL && !is_small)
			T_ASSERT(strstr(why, "small order") == NULL);
		k = NULL;
		T_ASSERT_EQ(sig_key_from_pub("weak", SIG_TYPE_ED25519, pub,
		    &k), LD_EWEAKKEY);
		T_ASSERT(k == NULL);
		vk = vkey_for("weak", pub);
		T_ASSERT_EQ(sig_key_from_vkey(vk, strlen(vk), &k),
		    LD_EWEAKKEY);
		T_ASSERT(k == NULL);
		free(vk);
	}
	for (i = 0; i < T_NCASES(rfc8032); i++) {
		hex32(pub, rfc8032[i]);
		T_ASSERT_EQ(sig_pub_check(pub, NULL), LD_OK);
		vk = vkey_for("rfc8032", pub);
		k = NULL;
		T_ASSERT_EQ(sig_key_from_vkey(vk, strlen(vk), &k), LD_OK);
		sig_key_free(k);
		free(vk);
	}
	for (i = 0; i < 200; i++) {
		T_ASSERT_EQ(sig_keygen("gen", SIG_TYPE_ED25519, &k), LD_OK);
		why = NULL;
		T_ASSERT_EQ(sig_pub_check(sig_key_pub(k), &why), LD_OK);
		T_ASSERT(why == NULL);
		vk = sig_vkey(k);
		sig_key_free(k);
		T_ASSERT_EQ(sig_key_from_vkey(vk, strlen(vk), &k), LD_OK);
		sig_key_free(k);
		free(vk);
	}
}

static void
test_cosignature_vector(void)
{
	struct sig_key	*k = NULL;
	struct buf	 b = { 0 };
	struct note	 n;
	uint64_t	 t = 0;
	size_t		 i;

	/* Both lines parse; the cosignature decodes as TLOG.md 1.11 says. */
	make_note(&b, sofa_text, sofa_sig, sofa_cosig);
	T_ASSERT_EQ(note_parse((char *)b.p, b.len, &n), LD_OK);
	T_ASSERT_EQ(n.nsigs, 2);
	T_ASSERT_STR(n.text, sofa_text);
	T_ASSERT_STR(n.sigs[0].name, "example.com/behind-the-sofa");
	T_ASSERT_EQ(n.sigs[0].len, 64);
	T_ASSERT_STR(n.sigs[1].name, "witness.example.com/w1");
	T_ASSERT_EQ(n.sigs[1].id, 0x8d66cf3f);
	T_ASSERT_EQ(n.sigs[1].len, 72);
	if (n.nsigs == 2 && n.sigs[1].len == 72)
		for (i = 0; i < 8; i++)
			t = t << 8 | n.sigs[1].sig[i];
	T_ASSERT_EQ(t, 1679315147);
	/* The example gives no keys: a stranger's key verifies nothing. */
	k = keygen("witness.example.com/w1", SIG_TYPE_COSIGN);
	T_ASSERT_EQ(note_verify(&n, (const struct sig_key *const *)&k, 1, NULL), LD_EBADSIG);
	note_free(&n);
	sig_key_free(k);
	buf_free(&b);
}

static void
test_cosign(void)
{
	struct sig_key	*log = keygen("example.com/log", SIG_TYPE_ED25519);
	struct sig_key	*w = keygen("witness.example/w1", SIG_TYPE_COSIGN);
	struct sig_key	*w2 = keygen("witness.example/w2", SIG_TYPE_COSIGN);
	struct sig_key	*keys[3], *wpub = NULL;
	struct buf	 note = { 0 }, line = { 0 }, line2 = { 0 }, m = { 0 };
	struct note	 n;
	uint8_t		 raw[76];
	size_t		 rawlen = 0, nv = 0, i;
	char		*bad;
	const char	*text = sofa_text;

	T_ASSERT_EQ(note_sign(text, strlen(text), log, &note), LD_OK);
	T_ASSERT_EQ(note_cosign(text, strlen(text), w, 1679315147, &line),
	    LD_OK);
	T_ASSERT_EQ(note_cosign(text, strlen(text), w2, 0, &line2), LD_OK);

	/* The line: "— name base64(id || time || sig)\n", 76 bytes. */
	T_ASSERT(line.len > 4 && memcmp(line.p, EM " ", 4) == 0);
	T_ASSERT(line.len > 24 &&
	    memcmp(line.p + 4, "witness.example/w1 ", 19) == 0);
	T_ASSERT(line.len > 0 && line.p[line.len - 1] == '\n');
	T_ASSERT_EQ(line.len, 4 + 19 + 104 + 1);
	if (line.len == 4 + 19 + 104 + 1) {
		T_ASSERT_EQ(b64_decode(raw, &rawlen, (char *)line.p + 23, 104),
		    LD_OK);
		T_ASSERT_EQ(rawlen, 76);
		T_ASSERT_EQ((uint32_t)raw[0] << 24 | (uint32_t)raw[1] << 16 |
		    (uint32_t)raw[2] << 8 | raw[3], sig_key_id(w));
		T_ASSERT_MEM(raw + 4, "\0\0\0\0\x64\x18\x50\xcb", 8);
		/* The signed message, rebuilt by hand. */
		buf_adds(&m, "cosignature/v1\ntime 1679315147\n");
		buf_adds(&m, text);
		T_ASSERT_EQ(sig_verify(w, m.p, m.len, raw + 12), LD_OK);
	}

	buf_add(&note, line.p, line.len);
	buf_add(&note, line2.p, line2.len);
	keys[0] = log;
	keys[1] = w;
	keys[2] = w2;
	T_ASSERT_EQ(open_note((char *)note.p, note.len, keys, 3, &nv), LD_OK);
	T_ASSERT_EQ(nv, 3);
	T_ASSERT_EQ(open_note((char *)note.p, note.len, keys + 1, 1, &nv),
	    LD_OK);
	T_ASSERT_EQ(nv, 1);
	T_ASSERT_EQ(open_note((char *)note.p, note.len, keys + 2, 1, &nv),
	    LD_OK);
	T_ASSERT_EQ(nv, 1);
	/* Public cosigner key from its vkey works the same. */
	bad = sig_vkey(w);
	wpub = vkey(bad);
	free(bad);
	T_ASSERT_EQ(sig_key_type(wpub), SIG_TYPE_COSIGN);
	T_ASSERT_EQ(open_note((char *)note.p, note.len, &wpub, 1, &nv), LD_OK);

	/* A cosigner key cannot note_sign, a log key cannot cosign. */
	buf_reset(&m);
	T_ASSERT_EQ(note_sign(text, strlen(text), w, &m), LD_EINVAL);
	T_ASSERT_EQ(note_cosign(text, strlen(text), log, 1, &m), LD_EINVAL);
	T_ASSERT_EQ(note_cosign(text, strlen(text), wpub, 1, &m), LD_EINVAL);
	/* Timestamps above 2^63 - 1 are refused; the limit itself works. */
	T_ASSERT_EQ(note_cosign(text, strlen(text), w, (uint64_t)1 << 63, &m),
	    LD_EINVAL);
	T_ASSERT_EQ(note_cosign(text, strlen(text), w, UINT64_MAX, &m),
	    LD_EINVAL);
	T_ASSERT_EQ(note_cosign("no newline", 10, w, 1, &m), LD_EINVAL);
	T_ASSERT_EQ(note_cosign("", 0, w, 1, &m), LD_EINVAL);
	T_ASSERT_EQ(m.len, 0);
	T_ASSERT_EQ(note_cosign(text, strlen(text), w, (uint64_t)INT64_MAX,
	    &m), LD_OK);
	make_note(&note, text, buf_cstr(&m), NULL);
	T_ASSERT_EQ(open_note((char *)note.p, note.len, &w, 1, &nv), LD_OK);

	/*
	 * A cosignature whose time has the top bit set is refused even if
	 * it were signed: build one by hand over that message.
	 */
	if (rawlen == 76) {
		uint8_t	 sig[64];
		char	 b64[128];

		raw[4] = 0x80;
		buf_reset(&m);
		buf_printf(&m, "cosignature/v1\ntime %" PRIu64 "\n",
		    (uint64_t)0x80000000641850cbULL);
		buf_adds(&m, text);
		T_ASSERT_EQ(sig_sign(w, m.p, m.len, sig), LD_OK);
		memcpy(raw + 12, sig, 64);
		b64_encode(b64, raw, 76);
		buf_reset(&line);
		buf_printf(&line, EM " witness.example/w1 %s\n", b64);
		make_note(&note, text, buf_cstr(&line), NULL);
		T_ASSERT_EQ(open_note((char *)note.p, note.len, &w, 1, &nv),
		    LD_EBADSIG);
	}

	/* Every part of a cosignature line is covered. */
	buf_reset(&m);
	T_ASSERT_EQ(note_cosign(text, strlen(text), w, 5, &m), LD_OK);
	make_note(&note, text, buf_cstr(&m), NULL);
	/* Changing the time breaks the signature. */
	bad = xstrndup((char *)note.p, note.len);
	T_ASSERT_EQ(note_parse(bad, strlen(bad), &n), LD_OK);
	T_ASSERT_EQ(n.nsigs, 1);
	if (n.nsigs == 1 && n.sigs[0].len == 72) {
		n.sigs[0].sig[7] ^= 1;
		T_ASSERT_EQ(note_verify(&n, (const struct sig_key *const *)&w, 1, &nv), LD_EBADSIG);
		n.sigs[0].sig[7] ^= 1;
		T_ASSERT_EQ(note_verify(&n, (const struct sig_key *const *)&w, 1, &nv), LD_OK);
		/* Truncated to an Ed25519 length: refused, not read past. */
		n.sigs[0].len = 64;
		T_ASSERT_EQ(note_verify(&n, (const struct sig_key *const *)&w, 1, &nv), LD_EBADSIG);
		n.sigs[0].len = 72;
	}
	note_free(&n);
	for (i = 0; i < strlen(bad); i++) {
		bad[i] ^= 0x01;
		T_ASSERT(open_note(bad, strlen(bad), &w, 1, NULL) != LD_OK);
		bad[i] ^= 0x01;
	}
	free(bad);

	buf_free(&note);
	buf_free(&line);
	buf_free(&line2);
	buf_free(&m);
	sig_key_free(log);
	sig_key_free(w);
	sig_key_free(w2);
	sig_key_free(wpub);
}

static void
test_verify_rules(void)
{
	struct sig_key	*a = keygen("example.com/a", SIG_TYPE_ED25519);
	struct sig_key	*b = keygen("example.com/b", SIG_TYPE_ED25519);
	struct sig_key	*c = keygen("example.com/c", SIG_TYPE_ED25519);
	struct sig_key	*a2 = keygen("example.com/a", SIG_TYPE_ED25519);
	struct sig_key	*keys[4];
	struct buf	 note = { 0 }, la = { 0 }, lb = { 0 }, lc = { 0 };
	struct buf	 lx = { 0 };
	static const char text[] = "hello\nworld\n";
	static const char other[] = "hello\nworld!\n";
	size_t		 nv = 0;

	sign_line(&la, text, a);
	sign_line(&lb, text, b);
	sign_line(&lc, text, c);
	sign_line(&lx, other, b);	/* b's signature of another text */

	/* Known keys only. */
	keys[0] = a;
	keys[1] = b;
	make_note(&note, text, buf_cstr(&la), buf_cstr(&lb));
	T_ASSERT_EQ(open_note((char *)note.p, note.len, keys, 2, &nv), LD_OK);
	T_ASSERT_EQ(nv, 2);
	/* Unknown-key lines are ignored. */
	make_note(&note, text, buf_cstr(&lc), buf_cstr(&la));
	T_ASSERT_EQ(open_note((char *)note.p, note.len, keys, 2, &nv), LD_OK);
	T_ASSERT_EQ(nv, 1);
	/* ... but a note with only unknown keys is refused. */
	make_note(&note, text, buf_cstr(&lc), NULL);
	T_ASSERT_EQ(open_note((char *)note.p, note.len, keys, 2, &nv),
	    LD_EBADSIG);
	/* Same name, other key (other ID): unknown, so nothing verifies. */
	make_note(&note, text, buf_cstr(&la), NULL);
	T_ASSERT_EQ(open_note((char *)note.p, note.len, &a2, 1, &nv),
	    LD_EBADSIG);
	/* A known key failing beside a good one rejects the note. */
	make_note(&note, text, buf_cstr(&la), buf_cstr(&lx));
	T_ASSERT_EQ(open_note((char *)note.p, note.len, keys, 2, &nv),
	    LD_EBADSIG);
	make_note(&note, text, buf_cstr(&lx), buf_cstr(&la));
	T_ASSERT_EQ(open_note((char *)note.p, note.len, keys, 2, &nv),
	    LD_EBADSIG);
	/* ... but the failing line of a key not asked about is ignored. */
	T_ASSERT_EQ(open_note((char *)note.p, note.len, &a, 1, &nv), LD_OK);
	T_ASSERT_EQ(nv, 1);
	/* A key listed twice and a line given twice count once. */
	keys[0] = a;
	keys[1] = a;
	keys[2] = b;
	make_note(&note, text, buf_cstr(&la), buf_cstr(&la));
	T_ASSERT_EQ(open_note((char *)note.p, note.len, keys, 3, &nv), LD_OK);
	T_ASSERT_EQ(nv, 1);
	/* NULL entries in the key list are skipped. */
	keys[0] = NULL;
	keys[1] = a;
	T_ASSERT_EQ(open_note((char *)note.p, note.len, keys, 2, NULL), LD_OK);
	/* An Ed25519 key and a signature of the wrong length. */
	{
		struct note	n;
		char		b64[128];
		uint8_t		raw[40];
		uint32_t	id = sig_key_id(a);

		memset(raw, 0, sizeof(raw));
		raw[0] = (uint8_t)(id >> 24);
		raw[1] = (uint8_t)(id >> 16);
		raw[2] = (uint8_t)(id >> 8);
		raw[3] = (uint8_t)id;
		b64_encode(b64, raw, sizeof(raw));
		buf_reset(&lx);
		buf_printf(&lx, EM " example.com/a %s\n", b64);
		make_note(&note, text, buf_cstr(&lx), NULL);
		T_ASSERT_EQ(note_parse((char *)note.p, note.len, &n), LD_OK);
		T_ASSERT_EQ(n.nsigs, 1);
		T_ASSERT_EQ(n.sigs[0].len, 36);
		T_ASSERT_EQ(note_verify(&n, (const struct sig_key *const *)&a, 1, &nv), LD_EBADSIG);
		note_free(&n);
	}

	buf_free(&note);
	buf_free(&la);
	buf_free(&lb);
	buf_free(&lc);
	buf_free(&lx);
	sig_key_free(a);
	sig_key_free(b);
	sig_key_free(c);
	sig_key_free(a2);
}

/* Every single-bit flip of every byte of a signed note is caught. */
static void
test_flips(void)
{
	struct sig_key	*k = keygen("example.com/flip", SIG_TYPE_ED25519);
	struct buf	 b = { 0 };
	static const char text[] = "origin\n\nline with \xc3\xa9 UTF-8\n";
	char		*s;
	size_t		 i, len, ok = 0, tl = strlen(text);
	int		 bit, rc;

	T_ASSERT_EQ(note_sign(text, tl, k, &b), LD_OK);
	s = xstrndup((char *)b.p, b.len);
	len = b.len;
	T_ASSERT_EQ(open_note(s, len, &k, 1, NULL), LD_OK);
	for (i = 0; i < len; i++) {
		for (bit = 0; bit < 8; bit++) {
			s[i] ^= (char)(1 << bit);
			rc = open_note(s, len, &k, 1, NULL);
			if (rc == LD_OK)
				ok++;
			/* In the text or the signature: a bad signature. */
			if (bit == 0 && i < tl && s[i] != '\n' &&
			    text[i] != '\n' && (text[i] & 0x80) == 0 &&
			    (unsigned char)s[i] >= 0x20)
				T_ASSERT_EQ(rc, LD_EBADSIG);
			s[i] ^= (char)(1 << bit);
		}
	}
	T_ASSERT_EQ(ok, 0);
	/* Dropping any one byte is caught too. */
	for (i = 0, ok = 0; i < len; i++) {
		char *t = xmalloc(len);

		memcpy(t, s, i);
		memcpy(t + i, s + i + 1, len - i - 1);
		if (open_note(t, len - 1, &k, 1, NULL) == LD_OK)
			ok++;
		free(t);
	}
	T_ASSERT_EQ(ok, 0);
	free(s);
	buf_free(&b);
	sig_key_free(k);
}

/* A note of exactly total bytes: filler text and the example line. */
static void
note_of_len(struct buf *b, size_t total)
{
	size_t	tail = 1 + strlen(ex_sig);

	buf_reset(b);
	while (b->len + 64 + 1 + tail < total)
		buf_adds(b, "0123456789abcdef0123456789abcdef"
		    "0123456789abcdef0123456789abcde\n");
	while (b->len + 1 + tail < total)
		buf_addc(b, 'x');
	buf_addc(b, '\n');
	buf_addc(b, '\n');
	buf_adds(b, ex_sig);
}

static void
test_parse_good(void)
{
	struct buf	 b = { 0 }, big = { 0 };
	struct note	 n;
	size_t		 i;

	/* The text is split at the last blank line; it may hold others. */
	make_note(&b, "a\n\nb\n\n", ex_sig, NULL);
	T_ASSERT_EQ(note_parse((char *)b.p, b.len, &n), LD_OK);
	T_ASSERT_STR(n.text, "a\n\nb\n\n");
	T_ASSERT_EQ(n.text_len, 6);
	note_free(&n);
	/* A text of just a newline. */
	make_note(&b, "\n", ex_sig, NULL);
	T_ASSERT_EQ(note_parse((char *)b.p, b.len, &n), LD_OK);
	T_ASSERT_STR(n.text, "\n");
	note_free(&n);
	/* UTF-8 up to four bytes, DEL (not a control below U+0020). */
	make_note(&b, "\xc3\xa9\xe2\x82\xac\xf0\x9f\x8c\x8d\xf4\x8f\xbf\xbf"
	    "\x7f\n", ex_sig, NULL);
	T_ASSERT_EQ(parse_len((char *)b.p, b.len), LD_OK);
	/* Names may hold non-space Unicode; 5 signature bytes suffice. */
	make_note(&b, ex_text, EM " caf\xc3\xa9.example AAAAAAA=\n", NULL);
	T_ASSERT_EQ(note_parse((char *)b.p, b.len, &n), LD_OK);
	T_ASSERT_STR(n.sigs[0].name, "caf\xc3\xa9.example");
	T_ASSERT_EQ(n.sigs[0].len, 1);
	T_ASSERT_EQ(n.sigs[0].id, 0);
	note_free(&n);
	/* NOTE_MAX_SIGS lines are fine. */
	buf_reset(&b);
	buf_adds(&b, ex_text);
	buf_addc(&b, '\n');
	for (i = 0; i < NOTE_MAX_SIGS; i++)
		buf_adds(&b, ex_sig);
	T_ASSERT_EQ(note_parse((char *)b.p, b.len, &n), LD_OK);
	T_ASSERT_EQ(n.nsigs, NOTE_MAX_SIGS);
	note_free(&n);
	/* ... one more is not. */
	buf_adds(&b, ex_sig);
	T_ASSERT_EQ(parse_len((char *)b.p, b.len), LD_ETOOBIG);
	/* A note of exactly NOTE_MAX bytes parses, one more does not. */
	note_of_len(&big, NOTE_MAX);
	T_ASSERT_EQ(big.len, NOTE_MAX);
	T_ASSERT_EQ(parse_len((char *)big.p, big.len), LD_OK);
	note_of_len(&big, NOTE_MAX + 1);
	T_ASSERT_EQ(big.len, NOTE_MAX + 1);
	T_ASSERT_EQ(parse_len((char *)big.p, big.len), LD_ETOOBIG);
	/* A signature of NOTE_SIG_MAX bytes parses, one more does not. */
	for (i = NOTE_SIG_MAX; i <= NOTE_SIG_MAX + 1; i++) {
		uint8_t	*raw = xcalloc(4 + i, 1);
		char	*b64 = xmalloc(b64_encoded_len(4 + i) + 1);

		b64_encode(b64, raw, 4 + i);
		buf_reset(&b);
		buf_adds(&b, ex_text);
		buf_adds(&b, "\n" EM " big.example ");
		buf_adds(&b, b64);
		buf_addc(&b, '\n');
		if (i == NOTE_SIG_MAX) {
			T_ASSERT_EQ(note_parse((char *)b.p, b.len, &n), LD_OK);
			T_ASSERT_EQ(n.nsigs, 1);
			T_ASSERT_EQ(n.sigs[0].len, NOTE_SIG_MAX);
			note_free(&n);
		} else
			T_ASSERT(parse_len((char *)b.p, b.len) != LD_OK);
		free(raw);
		free(b64);
	}
	buf_free(&b);
	buf_free(&big);
}

static void
test_parse_bad(void)
{
	static const char	 b64[] =
	    "Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3m"
	    "FXmRKuwHjG1Yu72IneyaQM=";
	static const struct {
		const char	*what;
		const char	*text;
		const char	*sig;	/* after "\n"; NULL: text is all */
	} bad[] = {
		{ "empty", "", "" },
		{ "blank only", "\n", NULL },
		{ "two newlines", "\n\n", NULL },
		{ "no blank line", "This is an example message.\n" EM
		    " example.com/foo AAAAAAA=\n", NULL },
		{ "no signature line", "This is an example message.\n", "" },
		{ "signature then blank", "a\n", EM " x AAAAAAA=\n\n" },
		{ "no final newline", "a\n", EM " x AAAAAAA=" },
		{ "CRLF", "a\r\n", EM " x AAAAAAA=\n" },
		{ "CR in sig", "a\n", EM " x AAAAAAA=\r\n" },
		{ "tab", "a\tb\n", EM " x AAAAAAA=\n" },
		{ "tab in sig", "a\n", EM "\tx AAAAAAA=\n" },
		{ "escape", "a\x1b[0m\n", EM " x AAAAAAA=\n" },
		{ "form feed", "a\f\n", EM " x AAAAAAA=\n" },
		{ "overlong /", "a\xc0\xaf\n", EM " x AAAAAAA=\n" },
		{ "overlong 3", "a\xe0\x80\xaf\n", EM " x AAAAAAA=\n" },
		{ "overlong 4", "a\xf0\x80\x80\xaf\n", EM " x AAAAAAA=\n" },
		{ "C1 lead", "a\xc1\xbf\n", EM " x AAAAAAA=\n" },
		{ "lone continuation", "a\x80\n", EM " x AAAAAAA=\n" },
		{ "truncated 2", "a\xc3\n", EM " x AAAAAAA=\n" },
		{ "truncated 3", "a\xe2\x82\n", EM " x AAAAAAA=\n" },
		{ "truncated 4", "a\xf0\x9f\x8c\n", EM " x AAAAAAA=\n" },
		{ "surrogate", "a\xed\xa0\x80\n", EM " x AAAAAAA=\n" },
		{ "above 10FFFF", "a\xf4\x90\x80\x80\n", EM " x AAAAAAA=\n" },
		{ "F5", "a\xf5\x80\x80\x80\n", EM " x AAAAAAA=\n" },
		{ "FF", "a\xff\n", EM " x AAAAAAA=\n" },
		{ "bad UTF-8 in sig", "a\n", EM " x\xc3 AAAAAAA=\n" },
		{ "hyphen", "a\n", "- x AAAAAAA=\n" },
		{ "en dash", "a\n", "\xe2\x80\x93 x AAAAAAA=\n" },
		{ "two hyphens", "a\n", "-- x AAAAAAA=\n" },
		{ "no space after dash", "a\n", EM "x AAAAAAA=\n" },
		{ "no space after name", "a\n", EM " xAAAAAAA=\n" },
		{ "two spaces", "a\n", EM " x  AAAAAAA=\n" },
		{ "space before dash", "a\n", " " EM " x AAAAAAA=\n" },
		{ "trailing space", "a\n", EM " x AAAAAAA= \n" },
		{ "empty name", "a\n", EM "  AAAAAAA=\n" },
		{ "plus in name", "a\n", EM " x+y AAAAAAA=\n" },
		{ "NBSP in name", "a\n", EM " x\xc2\xa0y AAAAAAA=\n" },
		{ "ideographic space", "a\n", EM " x\xe3\x80\x80y AAAAAAA=\n" },
		{ "thin space", "a\n", EM " x\xe2\x80\x89y AAAAAAA=\n" },
		{ "empty base64", "a\n", EM " x \n" },
		{ "bad base64 char", "a\n", EM " x AAAA!AA=\n" },
		{ "base64 unpadded", "a\n", EM " x AAAAAAA\n" },
		{ "base64 url", "a\n", EM " x AAAA_-A=\n" },
		{ "base64 trailing bits", "a\n", EM " x AAAAAAB=\n" },
		{ "base64 extra pad", "a\n", EM " x AAAAAAA==\n" },
		{ "4 bytes only", "a\n", EM " x AAAAAA==\n" },
		{ "3 bytes", "a\n", EM " x AAAA\n" },
		{ "1 byte", "a\n", EM " x AA==\n" },
		{ "trailing text", "a\n", EM " x AAAAAAA=\njunk\n" },
		{ "trailing text no newline", "a\n", EM " x AAAAAAA=\njunk" },
		{ "trailing blank and sig", "a\n", EM " x AAAAAAA=\n\n\n" },
		{ "NUL in text", "a\0b\n", EM " x AAAAAAA=\n" },
	};
	struct buf	b = { 0 };
	size_t		i, tl;
	char		line[256];

	/* The valid base line, for reference. */
	make_note(&b, "a\n", EM " x AAAAAAA=\n", NULL);
	T_ASSERT_EQ(parse_len((char *)b.p, b.len), LD_OK);
	for (i = 0; i < T_NCASES(bad); i++) {
		/* The NUL case: the text is "a\0b\n". */
		tl = strcmp(bad[i].what, "NUL in text") == 0 ? 4 :
		    strlen(bad[i].text);
		buf_reset(&b);
		buf_add(&b, bad[i].text, tl);
		if (bad[i].sig != NULL) {
			buf_addc(&b, '\n');
			buf_adds(&b, bad[i].sig);
		}
		if (parse_len((char *)b.p, b.len) != LD_EINVAL) {
			t_failed_checks++;
			fprintf(stderr, "%s:%d: malformed note accepted or "
			    "wrong code: %s\n", __FILE__, __LINE__,
			    bad[i].what);
		}
	}
	/* The real vector, mangled in its signature line. */
	snprintf(line, sizeof(line), "- example.com/foo %s\n", b64);
	make_note(&b, ex_text, line, NULL);
	T_ASSERT_EQ(parse_len((char *)b.p, b.len), LD_EINVAL);
	snprintf(line, sizeof(line), EM "example.com/foo %s\n", b64);
	make_note(&b, ex_text, line, NULL);
	T_ASSERT_EQ(parse_len((char *)b.p, b.len), LD_EINVAL);
	snprintf(line, sizeof(line), EM " example.com/foo %.*s\n", 91, b64);
	make_note(&b, ex_text, line, NULL);
	T_ASSERT_EQ(parse_len((char *)b.p, b.len), LD_EINVAL);
	make_note(&b, "This is an example message.\r\n", ex_sig, NULL);
	T_ASSERT_EQ(parse_len((char *)b.p, b.len), LD_EINVAL);
	buf_free(&b);
}

static void
test_sign_bad(void)
{
	struct sig_key	*k = keygen("example.com/s", SIG_TYPE_ED25519);
	struct buf	 b = { 0 };
	char		*big;

	T_ASSERT_EQ(note_sign("", 0, k, &b), LD_EINVAL);
	T_ASSERT_EQ(note_sign("abc", 3, k, &b), LD_EINVAL);
	T_ASSERT_EQ(note_sign("a\rb\n", 4, k, &b), LD_EINVAL);
	T_ASSERT_EQ(note_sign("a\0b\n", 4, k, &b), LD_EINVAL);
	T_ASSERT_EQ(note_sign("a\xc0\xaf\n", 4, k, &b), LD_EINVAL);
	T_ASSERT_EQ(b.len, 0);
	/* Too long for a note. */
	big = xmalloc(NOTE_MAX);
	memset(big, 'a', NOTE_MAX);
	big[NOTE_MAX - 1] = '\n';
	T_ASSERT_EQ(note_sign(big, NOTE_MAX, k, &b), LD_ETOOBIG);
	T_ASSERT_EQ(b.len, 0);
	free(big);
	/* Texts with blank lines round-trip. */
	T_ASSERT_EQ(note_sign("\n\n\n", 3, k, &b), LD_OK);
	{
		struct note	n;

		T_ASSERT_EQ(note_parse((char *)b.p, b.len, &n), LD_OK);
		T_ASSERT_STR(n.text, "\n\n\n");
		T_ASSERT_EQ(note_verify(&n, (const struct sig_key *const *)&k, 1, NULL), LD_OK);
		note_free(&n);
	}
	buf_free(&b);
	sig_key_free(k);
}

static void
test_checkpoint_vector(void)
{
	struct checkpoint	c;
	struct buf		b = { 0 };
	struct note		n;
	char			root[45];

	make_note(&b, sofa_text, sofa_sig, NULL);
	T_ASSERT_EQ(note_parse((char *)b.p, b.len, &n), LD_OK);
	T_ASSERT_EQ(checkpoint_parse(n.text, n.text_len, &c), LD_OK);
	T_ASSERT_STR(c.origin, "example.com/behind-the-sofa");
	T_ASSERT_EQ(c.size, 20852163);
	T_ASSERT_EQ(c.nextensions, 0);
	b64_encode(root, c.root, 32);
	T_ASSERT_STR(root, "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=");
	buf_reset(&b);
	checkpoint_format(&c, &b);
	T_ASSERT_STR(buf_cstr(&b), sofa_text);
	note_free(&n);
	buf_free(&b);
}

static int
cp_parse(const char *s, struct checkpoint *c)
{
	return checkpoint_parse(s, strlen(s), c);
}

static void
test_checkpoint_parse(void)
{
	static const char	*bad[] = {
		"",
		"\n",
		"origin\n",
		"origin\n1\n",
		"\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
		"o\n020\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
		"o\n00\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
		"o\n-1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
		"o\n+1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
		"o\n 1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
		"o\n1 \nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
		"o\n0x1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
		"o\n\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
		("o\n18446744073709551616\n"
		    "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"),
		/* 31 and 33 bytes, bad characters, trailing bits, no pad */
		"o\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxqw==\n",
		"o\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2IA\n",
		"o\n1\nCsUYapGGPo4dkMgIAUqom_Xajj7h2fB2MPA3j2jxq2I=\n",
		"o\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2J=\n",
		"o\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I\n",
		"o\n1\n CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
		"o\n1\n\n",
		/* no trailing newline */
		"o\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=",
		"o\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\next",
		/* empty lines */
		"o\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n\n",
		"o\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\na\n\nb\n",
		"\no\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
		/* controls */
		"o\r\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
		"o\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\na\tb\n",
	};
	struct checkpoint	 c, d;
	struct buf		 b = { 0 };
	char			 origin[CHECKPOINT_ORIGIN_MAX + 2];
	size_t			 i;

	for (i = 0; i < T_NCASES(bad); i++) {
		memset(&c, 0x5a, sizeof(c));
		if (cp_parse(bad[i], &c) != LD_EINVAL) {
			t_failed_checks++;
			fprintf(stderr, "%s:%d: bad checkpoint %zu accepted\n",
			    __FILE__, __LINE__, i);
		}
	}
	/* Sizes at the edges. */
	T_ASSERT_EQ(cp_parse("o\n0\n"
	    "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n", &c), LD_OK);
	T_ASSERT_EQ(c.size, 0);
	T_ASSERT_EQ(cp_parse("o\n18446744073709551615\n"
	    "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n", &c), LD_OK);
	T_ASSERT_EQ(c.size, UINT64_MAX);
	/* Extension lines are counted. */
	T_ASSERT_EQ(cp_parse("o\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I="
	    "\next one\n\xe2\x80\x94 two\n", &c), LD_OK);
	T_ASSERT_EQ(c.nextensions, 2);
	T_ASSERT_STR(c.origin, "o");
	T_ASSERT_EQ(c.size, 1);

	/* Origins up to CHECKPOINT_ORIGIN_MAX bytes. */
	memset(origin, 'o', sizeof(origin));
	origin[CHECKPOINT_ORIGIN_MAX] = '\0';
	buf_printf(&b, "%s\n7\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
	    origin);
	T_ASSERT_EQ(checkpoint_parse((char *)b.p, b.len, &c), LD_OK);
	T_ASSERT_EQ(strlen(c.origin), CHECKPOINT_ORIGIN_MAX);
	origin[CHECKPOINT_ORIGIN_MAX] = 'o';
	origin[CHECKPOINT_ORIGIN_MAX + 1] = '\0';
	buf_reset(&b);
	buf_printf(&b, "%s\n7\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
	    origin);
	T_ASSERT_EQ(checkpoint_parse((char *)b.p, b.len, &c), LD_EINVAL);

	/* format then parse. */
	for (i = 0; i < 50; i++) {
		memset(&c, 0, sizeof(c));
		snprintf(c.origin, sizeof(c.origin), "log%zu.example/x", i);
		c.size = i < 2 ? i : t_rand() >> (t_rand() % 64);
		for (size_t j = 0; j < 32; j++)
			c.root[j] = (uint8_t)t_rand();
		buf_reset(&b);
		checkpoint_format(&c, &b);
		T_ASSERT_EQ(checkpoint_parse((char *)b.p, b.len, &d), LD_OK);
		T_ASSERT_STR(d.origin, c.origin);
		T_ASSERT_EQ(d.size, c.size);
		T_ASSERT_MEM(d.root, c.root, 32);
		T_ASSERT_EQ(d.nextensions, 0);
	}
	buf_free(&b);
}

static void
test_checkpoint_open(void)
{
	struct sig_key		*log = keygen("example.com/log", SIG_TYPE_ED25519);
	struct sig_key		*other = keygen("example.com/other",
				    SIG_TYPE_ED25519);
	struct sig_key		*w = keygen("w.example", SIG_TYPE_COSIGN);
	struct checkpoint	 c, d;
	struct buf		 text = { 0 }, b = { 0 }, line = { 0 };

	memset(&c, 0, sizeof(c));
	strcpy(c.origin, "example.com/log");
	c.size = 12345;
	memset(c.root, 0xab, 32);
	checkpoint_format(&c, &text);
	T_ASSERT_EQ(note_sign(buf_cstr(&text), text.len, log, &b), LD_OK);
	memset(&d, 0, sizeof(d));
	T_ASSERT_EQ(checkpoint_open((char *)b.p, b.len, log, &d), LD_OK);
	T_ASSERT_STR(d.origin, "example.com/log");
	T_ASSERT_EQ(d.size, 12345);
	T_ASSERT_MEM(d.root, c.root, 32);
	/* A witness cosignature beside it changes nothing. */
	T_ASSERT_EQ(note_cosign(buf_cstr(&text), text.len, w, 99, &line),
	    LD_OK);
	buf_add(&b, line.p, line.len);
	T_ASSERT_EQ(checkpoint_open((char *)b.p, b.len, log, &d), LD_OK);
	/* Another log's key, or only the witness's: bad signature. */
	T_ASSERT_EQ(checkpoint_open((char *)b.p, b.len, other, &d),
	    LD_EBADSIG);
	T_ASSERT_EQ(checkpoint_open((char *)b.p, b.len, w, &d), LD_EBADSIG);
	/* Signed by the log but for another origin. */
	buf_reset(&b);
	buf_reset(&text);
	strcpy(c.origin, "example.com/other-log");
	checkpoint_format(&c, &text);
	T_ASSERT_EQ(note_sign(buf_cstr(&text), text.len, log, &b), LD_OK);
	T_ASSERT_EQ(checkpoint_open((char *)b.p, b.len, log, &d), LD_EBADSIG);
	/* Signed, but not a checkpoint. */
	buf_reset(&b);
	T_ASSERT_EQ(note_sign("example.com/log\n12\n", 19, log, &b), LD_OK);
	T_ASSERT_EQ(checkpoint_open((char *)b.p, b.len, log, &d), LD_EINVAL);
	/* Not a note. */
	T_ASSERT_EQ(checkpoint_open("example.com/log\n", 16, log, &d),
	    LD_EINVAL);
	T_ASSERT_EQ(checkpoint_open("", 0, log, &d), LD_EINVAL);
	/* Signed by the log, with extension lines: refused (LD_ERULE);
	 * with another key, the signature fails first. And a receipt of a
	 * one-leaf tree carrying it. */
	{
		static const uint8_t	leaf[] = "a leaf";
		struct tlog_proof	tp;
		struct merkle_proof	none = { 0 };
		struct buf		r = { 0 };
		int			k;

		strcpy(c.origin, "example.com/log");
		c.size = 1;
		merkle_leaf_hash(c.root, leaf, sizeof(leaf));
		for (k = 1; k <= 2; k++) {
			buf_reset(&b);
			buf_reset(&text);
			checkpoint_format(&c, &text);
			buf_printf(&text, "ext one\n");
			if (k == 2)
				buf_printf(&text, "ext two\n");
			T_ASSERT_EQ(note_sign(buf_cstr(&text), text.len, log,
			    &b), LD_OK);
			T_ASSERT_EQ(checkpoint_parse(buf_cstr(&text), text.len,
			    &d), LD_OK);
			T_ASSERT_EQ(d.nextensions, (size_t)k);
			T_ASSERT_EQ(checkpoint_open((char *)b.p, b.len, log,
			    &d), LD_ERULE);
			T_ASSERT_EQ(checkpoint_open((char *)b.p, b.len, other,
			    &d), LD_EBADSIG);
			buf_reset(&r);
			tlog_proof_format(leaf, sizeof(leaf), 0, &none,
			    (char *)b.p, b.len, &r);
			T_ASSERT_EQ(tlog_proof_parse((char *)r.p, r.len, &tp),
			    LD_OK);
			T_ASSERT_EQ(tlog_proof_verify(&tp, log, &d), LD_ERULE);
			tlog_proof_free(&tp);
		}
		/* The same receipt without the extension line verifies. */
		buf_reset(&b);
		buf_reset(&text);
		checkpoint_format(&c, &text);
		T_ASSERT_EQ(note_sign(buf_cstr(&text), text.len, log, &b),
		    LD_OK);
		buf_reset(&r);
		tlog_proof_format(leaf, sizeof(leaf), 0, &none, (char *)b.p,
		    b.len, &r);
		T_ASSERT_EQ(tlog_proof_parse((char *)r.p, r.len, &tp), LD_OK);
		T_ASSERT_EQ(tlog_proof_verify(&tp, log, &d), LD_OK);
		tlog_proof_free(&tp);
		buf_free(&r);
	}
	buf_free(&text);
	buf_free(&b);
	buf_free(&line);
	sig_key_free(log);
	sig_key_free(other);
	sig_key_free(w);
}

/* A node store for a little tree: (level, index) -> hash. */
#define TREE_N	10
struct nodes {
	uint8_t	h[5][TREE_N][32];
	int	have[5][TREE_N];
};

static int
nodes_get(void *arg, unsigned level, uint64_t index, uint8_t out[32])
{
	struct nodes	*s = arg;

	if (level >= 5 || index >= TREE_N || !s->have[level][index])
		return -1;
	memcpy(out, s->h[level][index], 32);
	return 0;
}

/* A log of TREE_N leaves "leaf N", its signed checkpoint and key. */
struct fixture {
	struct sig_key		*log;
	struct nodes		 nodes;
	uint8_t			 root[32];
	struct buf		 cp;		/* the signed checkpoint */
};

static void
fixture_init(struct fixture *f)
{
	struct merkle_tree	t;
	struct merkle_node	out[MERKLE_MAX_LEVELS];
	struct checkpoint	c;
	struct buf		text = { 0 };
	uint8_t			leaf[32];
	char			data[32];
	size_t			i, j, n;

	memset(f, 0, sizeof(*f));
	f->log = keygen("example.com/ledger", SIG_TYPE_ED25519);
	merkle_tree_init(&t);
	for (i = 0; i < TREE_N; i++) {
		snprintf(data, sizeof(data), "leaf %zu", i);
		merkle_leaf_hash(leaf, data, strlen(data));
		T_ASSERT_EQ(merkle_tree_append(&t, leaf, out, &n), MERKLE_OK);
		for (j = 0; j < n; j++) {
			T_ASSERT(out[j].level < 5 && out[j].index < TREE_N);
			if (out[j].level >= 5 || out[j].index >= TREE_N)
				continue;
			memcpy(f->nodes.h[out[j].level][out[j].index],
			    out[j].hash, 32);
			f->nodes.have[out[j].level][out[j].index] = 1;
		}
	}
	merkle_tree_root(&t, f->root);
	memset(&c, 0, sizeof(c));
	strcpy(c.origin, "example.com/ledger");
	c.size = TREE_N;
	memcpy(c.root, f->root, 32);
	checkpoint_format(&c, &text);
	T_ASSERT_EQ(note_sign(buf_cstr(&text), text.len, f->log, &f->cp),
	    LD_OK);
	buf_free(&text);
}

static void
fixture_free(struct fixture *f)
{
	sig_key_free(f->log);
	buf_free(&f->cp);
}

/* The receipt for leaf i (with its data as extra unless noextra). */
static void
receipt(struct fixture *f, uint64_t i, int noextra, struct buf *b)
{
	struct merkle_proof	p;
	char			data[32];

	snprintf(data, sizeof(data), "leaf %" PRIu64, i);
	memset(&p, 0, sizeof(p));
	T_ASSERT_EQ(merkle_prove_inclusion(nodes_get, &f->nodes, i, TREE_N,
	    &p), MERKLE_OK);
	buf_reset(b);
	tlog_proof_format(noextra ? NULL : (uint8_t *)data,
	    noextra ? 0 : strlen(data), i, &p, (char *)f->cp.p, f->cp.len, b);
}

static int
receipt_check(const char *s, size_t len, const struct sig_key *log)
{
	struct tlog_proof	p;
	int			rc;

	if ((rc = tlog_proof_parse(s, len, &p)) != LD_OK) {
		T_ASSERT(p.extra == NULL && p.checkpoint == NULL);
		return rc;
	}
	rc = tlog_proof_verify(&p, log, NULL);
	tlog_proof_free(&p);
	return rc;
}

/*
 * Receipts verified with a tlog_proof_seen: the checkpoint's signature is
 * skipped only for the very bytes verified before with the same key;
 * other bytes or another key are checked again, the inclusion always.
 */
static void
test_tlog_proof_seen(void)
{
	struct fixture		 f;
	struct tlog_proof	 p;
	struct checkpoint	 c;
	struct tlog_proof_seen	 seen;
	struct buf		 b = { 0 };
	struct sig_key		*other = keygen("example.com/ledger",
				    SIG_TYPE_ED25519);
	uint64_t		 i;
	unsigned		 bad = 0;

	fixture_init(&f);
	memset(&seen, 0, sizeof(seen));
	for (i = 0; i < TREE_N; i++) {
		receipt(&f, i, 0, &b);
		T_ASSERT_EQ(tlog_proof_parse((char *)b.p, b.len, &p), LD_OK);
		memset(&c, 0, sizeof(c));
		if (tlog_proof_verify_seen(&p, f.log, &seen, &c) != LD_OK ||
		    c.size != TREE_N || memcmp(c.root, f.root, 32) != 0)
			bad++;
		/* The cached checkpoint still checks the inclusion. */
		p.index ^= 1;
		if (tlog_proof_verify_seen(&p, f.log, &seen, NULL) !=
		    LD_EBADPROOF)
			bad++;
		p.index ^= 1;
		tlog_proof_free(&p);
	}
	T_ASSERT_EQ(bad, 0);
	T_ASSERT_EQ(seen.text.len, f.cp.len);
	T_ASSERT_MEM(seen.text.p, f.cp.p, f.cp.len);
	receipt(&f, 1, 0, &b);
	T_ASSERT_EQ(tlog_proof_parse((char *)b.p, b.len, &p), LD_OK);
	/* Another key of the same name: checked again, refused. */
	T_ASSERT_EQ(tlog_proof_verify_seen(&p, other, &seen, NULL),
	    LD_EBADSIG);
	/* A changed signature byte: other bytes, checked, refused. */
	p.checkpoint[p.checkpoint_len - 6] ^= 1;
	T_ASSERT(tlog_proof_verify_seen(&p, f.log, &seen, NULL) != LD_OK);
	p.checkpoint[p.checkpoint_len - 6] ^= 1;
	T_ASSERT_EQ(tlog_proof_verify_seen(&p, f.log, &seen, NULL), LD_OK);
	tlog_proof_free(&p);
	tlog_proof_seen_free(&seen);
	sig_key_free(other);
	fixture_free(&f);
	buf_free(&b);
}

static void
test_tlog_proof(void)
{
	struct fixture		 f;
	struct tlog_proof	 p;
	struct checkpoint	 c;
	struct merkle_proof	 mp;
	struct buf		 b = { 0 }, b2 = { 0 };
	struct sig_key		*other = keygen("example.com/ledger",
				    SIG_TYPE_ED25519);
	char			 data[32];
	uint64_t		 i;

	fixture_init(&f);
	for (i = 0; i < TREE_N; i++) {
		receipt(&f, i, 0, &b);
		T_ASSERT(b.len > 23 &&
		    memcmp(b.p, "c2sp.org/tlog-proof@v1\nextra ", 29) == 0);
		T_ASSERT_EQ(tlog_proof_parse((char *)b.p, b.len, &p), LD_OK);
		snprintf(data, sizeof(data), "leaf %" PRIu64, i);
		T_ASSERT_EQ(p.extra_len, strlen(data));
		if (p.extra != NULL)
			T_ASSERT_MEM(p.extra, data, strlen(data));
		T_ASSERT_EQ(p.index, i);
		T_ASSERT_EQ(p.proof.n, merkle_inclusion_len(i, TREE_N));
		T_ASSERT_EQ(p.checkpoint_len, f.cp.len);
		T_ASSERT_STR(p.checkpoint, buf_cstr(&f.cp));
		memset(&c, 0, sizeof(c));
		T_ASSERT_EQ(tlog_proof_verify(&p, f.log, &c), LD_OK);
		T_ASSERT_STR(c.origin, "example.com/ledger");
		T_ASSERT_EQ(c.size, TREE_N);
		T_ASSERT_MEM(c.root, f.root, 32);
		T_ASSERT_EQ(tlog_proof_verify(&p, f.log, NULL), LD_OK);
		/* format(parse(x)) == x */
		buf_reset(&b2);
		tlog_proof_format(p.extra, p.extra_len, p.index, &p.proof,
		    p.checkpoint, p.checkpoint_len, &b2);
		T_ASSERT_EQ(b2.len, b.len);
		T_ASSERT_STR(buf_cstr(&b2), buf_cstr(&b));
		/* A key of the same name but not the log's. */
		T_ASSERT_EQ(tlog_proof_verify(&p, other, NULL), LD_EBADSIG);
		/* The receipt of one leaf does not prove another. */
		if (p.extra != NULL && p.extra_len > 5) {
			p.extra[5] ^= 1;
			T_ASSERT_EQ(tlog_proof_verify(&p, f.log, NULL),
			    LD_EBADPROOF);
			p.extra[5] ^= 1;
		}
		p.index ^= 1;
		T_ASSERT_EQ(tlog_proof_verify(&p, f.log, NULL), LD_EBADPROOF);
		p.index ^= 1;
		tlog_proof_free(&p);
		T_ASSERT(p.extra == NULL && p.checkpoint == NULL);
		tlog_proof_free(&p);
	}
	/* Without the extra line: parses, but proves nothing. */
	receipt(&f, 3, 1, &b);
	T_ASSERT(b.len > 29 &&
	    memcmp(b.p, "c2sp.org/tlog-proof@v1\nindex 3\n", 31) == 0);
	T_ASSERT_EQ(tlog_proof_parse((char *)b.p, b.len, &p), LD_OK);
	T_ASSERT(p.extra == NULL);
	T_ASSERT_EQ(p.extra_len, 0);
	T_ASSERT(tlog_proof_verify(&p, f.log, NULL) != LD_OK);
	tlog_proof_free(&p);
	/* Index beyond the tree, with an empty proof. */
	memset(&mp, 0, sizeof(mp));
	buf_reset(&b);
	tlog_proof_format((const uint8_t *)"leaf 10", 7, TREE_N, &mp,
	    (char *)f.cp.p, f.cp.len, &b);
	T_ASSERT_EQ(receipt_check((char *)b.p, b.len, f.log), LD_EBADPROOF);
	/* A tree of one leaf has an empty proof. */
	{
		struct fixture	 g;
		struct checkpoint cc;
		struct buf	 t = { 0 }, want = { 0 };
		uint8_t		 leaf[32];
		char		 root[45];

		memset(&g, 0, sizeof(g));
		g.log = f.log;
		merkle_leaf_hash(leaf, "only", 4);
		memset(&cc, 0, sizeof(cc));
		strcpy(cc.origin, "example.com/ledger");
		cc.size = 1;
		memcpy(cc.root, leaf, 32);
		checkpoint_format(&cc, &t);
		T_ASSERT_EQ(note_sign(buf_cstr(&t), t.len, f.log, &g.cp),
		    LD_OK);
		buf_reset(&b);
		tlog_proof_format((const uint8_t *)"only", 4, 0, &mp,
		    (char *)g.cp.p, g.cp.len, &b);
		b64_encode(root, leaf, 32);
		buf_printf(&want, "c2sp.org/tlog-proof@v1\nextra b25seQ==\n"
		    "index 0\n\nexample.com/ledger\n1\n%s\n\n"
		    EM " example.com/ledger ", root);
		T_ASSERT(b.len > want.len);
		T_ASSERT_MEM(b.p, want.p, want.len);
		T_ASSERT_EQ(receipt_check((char *)b.p, b.len, f.log), LD_OK);
		buf_free(&g.cp);
		buf_free(&t);
		buf_free(&want);
	}
	buf_free(&b);
	buf_free(&b2);
	sig_key_free(other);
	fixture_free(&f);
}

static void
test_tlog_proof_flips(void)
{
	struct fixture	 f;
	struct buf	 b = { 0 };
	char		*s;
	size_t		 pos, len, bad = 0, tries = 0;
	uint64_t	 idx;
	int		 bit;

	fixture_init(&f);
	for (idx = 0; idx < TREE_N; idx += 3) {
		receipt(&f, idx, 0, &b);
		len = b.len;
		s = xstrndup((char *)b.p, len);
		T_ASSERT_EQ(receipt_check(s, len, f.log), LD_OK);
		for (pos = 0; pos < len; pos++) {
			for (bit = 0; bit < 8; bit++) {
				s[pos] ^= (char)(1 << bit);
				tries++;
				if (receipt_check(s, len, f.log) == LD_OK) {
					bad++;
					fprintf(stderr, "flip undetected: "
					    "index %" PRIu64 " byte %zu "
					    "bit %d\n", idx, pos, bit);
				}
				s[pos] ^= (char)(1 << bit);
			}
		}
		/* Cut anywhere: refused too. */
		for (pos = 0; pos < len; pos++)
			if (receipt_check(s, pos, f.log) == LD_OK)
				bad++;
		free(s);
	}
	T_ASSERT(tries > 1000);
	T_ASSERT_EQ(bad, 0);
	buf_free(&b);
	fixture_free(&f);
}

static void
test_tlog_proof_parse_bad(void)
{
	struct fixture		 f;
	struct buf		 b = { 0 };
	struct tlog_proof	 p;
	static const char	 h[] =
	    "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n";
	static const struct {
		const char	*what;
		const char	*head;	/* before the checkpoint */
	} bad[] = {
		{ "no header", "extra AA==\nindex 0\n\n" },
		{ "old header", "c2sp.org/tlog-proof@v0\nextra AA==\nindex 0\n\n" },
		{ "CRLF header", "c2sp.org/tlog-proof@v1\r\nindex 0\n\n" },
		{ "empty extra", "c2sp.org/tlog-proof@v1\nextra \nindex 0\n\n" },
		{ "extra no space", "c2sp.org/tlog-proof@v1\nextraAA==\n"
		    "index 0\n\n" },
		{ "extra bad b64", "c2sp.org/tlog-proof@v1\nextra AA=\n"
		    "index 0\n\n" },
		{ "extra trailing bits", "c2sp.org/tlog-proof@v1\nextra AB==\n"
		    "index 0\n\n" },
		{ "two extras", "c2sp.org/tlog-proof@v1\nextra AA==\n"
		    "extra AA==\nindex 0\n\n" },
		{ "no index", "c2sp.org/tlog-proof@v1\nextra AA==\n\n" },
		{ "index 01", "c2sp.org/tlog-proof@v1\nindex 01\n\n" },
		{ "index -1", "c2sp.org/tlog-proof@v1\nindex -1\n\n" },
		{ "index empty", "c2sp.org/tlog-proof@v1\nindex \n\n" },
		{ "index two spaces", "c2sp.org/tlog-proof@v1\nindex  1\n\n" },
		{ "index overflow", "c2sp.org/tlog-proof@v1\n"
		    "index 18446744073709551616\n\n" },
		{ "index before extra", "c2sp.org/tlog-proof@v1\nindex 0\n"
		    "extra AA==\n\n" },
		{ "short hash", "c2sp.org/tlog-proof@v1\nindex 0\n"
		    "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuA==\n\n" },
		{ "long hash", "c2sp.org/tlog-proof@v1\nindex 0\n"
		    "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFUA\n\n" },
		{ "hash with space", "c2sp.org/tlog-proof@v1\nindex 0\n"
		    "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU= \n\n" },
		{ "no empty line", "c2sp.org/tlog-proof@v1\nindex 0\n" },
	};
	size_t			 i;

	fixture_init(&f);
	for (i = 0; i < T_NCASES(bad); i++) {
		buf_reset(&b);
		buf_adds(&b, bad[i].head);
		buf_add(&b, f.cp.p, f.cp.len);
		if (tlog_proof_parse((char *)b.p, b.len, &p) == LD_OK) {
			t_failed_checks++;
			fprintf(stderr, "%s:%d: bad receipt accepted: %s\n",
			    __FILE__, __LINE__, bad[i].what);
			tlog_proof_free(&p);
		}
		T_ASSERT(p.extra == NULL && p.checkpoint == NULL);
	}
	/* Valid heads for reference: extra and zero or more hashes. */
	buf_reset(&b);
	buf_adds(&b, "c2sp.org/tlog-proof@v1\nextra AA==\nindex 18446744073709551615\n");
	buf_adds(&b, h);
	buf_adds(&b, h);
	buf_addc(&b, '\n');
	buf_add(&b, f.cp.p, f.cp.len);
	T_ASSERT_EQ(tlog_proof_parse((char *)b.p, b.len, &p), LD_OK);
	T_ASSERT_EQ(p.extra_len, 1);
	T_ASSERT_EQ(p.index, UINT64_MAX);
	T_ASSERT_EQ(p.proof.n, 2);
	T_ASSERT_EQ(tlog_proof_verify(&p, f.log, NULL), LD_EBADPROOF);
	tlog_proof_free(&p);
	/* MERKLE_MAX_PROOF hashes parse; one more does not. */
	buf_reset(&b);
	buf_adds(&b, "c2sp.org/tlog-proof@v1\nindex 0\n");
	for (i = 0; i < MERKLE_MAX_PROOF; i++)
		buf_adds(&b, h);
	buf_addc(&b, '\n');
	buf_add(&b, f.cp.p, f.cp.len);
	T_ASSERT_EQ(tlog_proof_parse((char *)b.p, b.len, &p), LD_OK);
	T_ASSERT_EQ(p.proof.n, MERKLE_MAX_PROOF);
	tlog_proof_free(&p);
	buf_reset(&b);
	buf_adds(&b, "c2sp.org/tlog-proof@v1\nindex 0\n");
	for (i = 0; i < MERKLE_MAX_PROOF + 1; i++)
		buf_adds(&b, h);
	buf_addc(&b, '\n');
	buf_add(&b, f.cp.p, f.cp.len);
	T_ASSERT(tlog_proof_parse((char *)b.p, b.len, &p) != LD_OK);
	/* The checkpoint must be a note: missing, cut, or with junk. */
	buf_reset(&b);
	buf_adds(&b, "c2sp.org/tlog-proof@v1\nindex 0\n\n");
	T_ASSERT(tlog_proof_parse((char *)b.p, b.len, &p) != LD_OK);
	buf_add(&b, f.cp.p, f.cp.len - 1);
	T_ASSERT(tlog_proof_parse((char *)b.p, b.len, &p) != LD_OK);
	buf_reset(&b);
	buf_adds(&b, "c2sp.org/tlog-proof@v1\nindex 0\n\n");
	buf_add(&b, f.cp.p, f.cp.len);
	buf_adds(&b, "junk\n");
	T_ASSERT(tlog_proof_parse((char *)b.p, b.len, &p) != LD_OK);
	/* An empty line too many before the checkpoint. */
	buf_reset(&b);
	buf_adds(&b, "c2sp.org/tlog-proof@v1\nindex 0\n\n\n");
	buf_add(&b, f.cp.p, f.cp.len);
	if (tlog_proof_parse((char *)b.p, b.len, &p) == LD_OK) {
		T_ASSERT(tlog_proof_verify(&p, f.log, NULL) != LD_OK);
		tlog_proof_free(&p);
	}
	/* Extra data of 65535 bytes is accepted, 65536 is not. */
	for (i = 65535; i <= 65536; i++) {
		uint8_t	*x = xcalloc(i, 1);

		buf_reset(&b);
		tlog_proof_format(x, i, 0, NULL, (char *)f.cp.p, f.cp.len, &b);
		if (i == 65535) {
			T_ASSERT_EQ(tlog_proof_parse((char *)b.p, b.len, &p),
			    LD_OK);
			T_ASSERT_EQ(p.extra_len, 65535);
			tlog_proof_free(&p);
		} else
			T_ASSERT(tlog_proof_parse((char *)b.p, b.len, &p) !=
			    LD_OK);
		free(x);
	}
	T_ASSERT_EQ(tlog_proof_parse("", 0, &p), LD_EINVAL);
	buf_free(&b);
	fixture_free(&f);
}

int
main(int argc, char **argv)
{
	static const struct t_case	cases[] = {
		T_CASE(test_vector_example),
		T_CASE(test_vector_neumann),
		T_CASE(test_vkeys),
		T_CASE(test_weak_keys),
		T_CASE(test_cosignature_vector),
		T_CASE(test_cosign),
		T_CASE(test_verify_rules),
		T_CASE(test_flips),
		T_CASE(test_parse_good),
		T_CASE(test_parse_bad),
		T_CASE(test_sign_bad),
		T_CASE(test_checkpoint_vector),
		T_CASE(test_checkpoint_parse),
		T_CASE(test_checkpoint_open),
		T_CASE(test_tlog_proof),
		T_CASE(test_tlog_proof_seen),
		T_CASE(test_tlog_proof_flips),
		T_CASE(test_tlog_proof_parse_bad),
	};

	return t_main(argc, argv, "t_note", cases, T_NCASES(cases));
}
