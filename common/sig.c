/* sig.c - Ed25519 keys in the C2SP signed-note formats (via OpenSSL). */
#include <string.h>

#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "b64.h"
#include "err.h"
#include "hex.h"
#include "log.h"
#include "merkle.h"
#include "sig.h"
#include "wipe.h"
#include "xmalloc.h"

struct sig_key {
	char		 name[SIG_NAME_MAX + 1];
	uint8_t		 type;
	uint32_t	 id;
	uint8_t		 pub[32];
	EVP_PKEY	*pkey;		/* public, or private if has_priv */
	int		 has_priv;
};

int
sig_valid_name(const char *name, size_t len)
{
	size_t	i;

	if (len == 0 || len > SIG_NAME_MAX)
		return 0;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];

		/* No '+', no ASCII spaces or controls, no NUL. */
		if (c == '+' || c <= 0x20 || c == 0x7f)
			return 0;
	}
	return 1;
}

uint32_t
sig_compute_id(const char *name, size_t namelen, uint8_t type,
    const uint8_t pub[32])
{
	uint8_t		buf[SIG_NAME_MAX + 2 + 32], h[32];

	memcpy(buf, name, namelen);
	buf[namelen] = '\n';
	buf[namelen + 1] = type;
	memcpy(buf + namelen + 2, pub, 32);
	merkle_sha256(h, buf, namelen + 2 + 32);
	return (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 |
	    (uint32_t)h[2] << 8 | h[3];
}

/*
 * The Ed25519 point check. y is the low 255 bits (little-endian), the top
 * bit the sign of x. Curve: -x^2 + y^2 = 1 + d x^2 y^2 over p = 2^255 - 19,
 * so x^2 = u / v with u = y^2 - 1, v = d y^2 + 1 (v is never 0: d is not a
 * square). A point exists iff u / v is a square, i.e. (Euler) iff
 * (u v)^((p-1)/2) is 0 or 1; x = 0 iff u = 0. The points of order dividing
 * 8 form a cyclic group of 8: the identity (y = 1), order 2 (y = -1), order
 * 4 (y = 0, x = +-sqrt(-1)) and order 8 (the two y of small_y below, each
 * with both signs of x): so once y < p, a point has small order iff its y
 * is one of those five. Public data: no need for constant time.
 */
static const uint8_t	small_y[2][32] = {	/* little-endian */
	{ 0x26, 0xe8, 0x95, 0x8f, 0xc2, 0xb2, 0x27, 0xb0, 0x45, 0xc3, 0xf4,
	  0x89, 0xf2, 0xef, 0x98, 0xf0, 0xd5, 0xdf, 0xac, 0x05, 0xd3, 0xc6,
	  0x33, 0x39, 0xb1, 0x38, 0x02, 0x88, 0x6d, 0x53, 0xfc, 0x05 },
	{ 0xc7, 0x17, 0x6a, 0x70, 0x3d, 0x4d, 0xd8, 0x4f, 0xba, 0x3c, 0x0b,
	  0x76, 0x0d, 0x10, 0x67, 0x0f, 0x2a, 0x20, 0x53, 0xfa, 0x2c, 0x39,
	  0xcc, 0xc6, 0x4e, 0xc7, 0xfd, 0x77, 0x92, 0xac, 0x03, 0x7a },
};

#define ED25519_D \
	"52036cee2b6ffe738cc740797779e89800700a4d4141d8ab75eb4dca135978a3"

static const char *
pub_problem(const uint8_t pub[32], BN_CTX *bc)
{
	BIGNUM		*p, *d, *y, *t, *u, *v, *w;
	uint8_t		 be[32], le[32];
	const char	*why = NULL;
	int		 i, sign = pub[31] >> 7, ok = 0;

	BN_CTX_start(bc);
	p = BN_CTX_get(bc);
	d = BN_CTX_get(bc);
	y = BN_CTX_get(bc);
	t = BN_CTX_get(bc);
	u = BN_CTX_get(bc);
	v = BN_CTX_get(bc);
	w = BN_CTX_get(bc);
	if (w == NULL)
		goto out;
	memcpy(le, pub, 32);
	le[31] &= 0x7f;
	for (i = 0; i < 32; i++)
		be[i] = le[31 - i];
	/* p = 2^255 - 19; d = -121665 / 121666 mod p (were it wrong, about
	 * half the valid keys would fail: t_note's 200 generated keys) */
	BN_zero(p);
	if (BN_bin2bn(be, 32, y) == NULL || !BN_set_bit(p, 255) ||
	    !BN_sub_word(p, 19) || BN_hex2bn(&d, ED25519_D) == 0)
		goto out;
	ok = 1;
	if (BN_cmp(y, p) >= 0) {
		why = "not canonical (y >= 2^255 - 19)";
		goto out;
	}
	ok = 0;
	/* u = y^2 - 1, v = d y^2 + 1, w = (u v)^((p-1)/2) */
	if (!BN_mod_sqr(t, y, p, bc) ||
	    !BN_mod_sub(u, t, BN_value_one(), p, bc) ||
	    !BN_mod_mul(v, d, t, p, bc) ||
	    !BN_mod_add(v, v, BN_value_one(), p, bc) ||
	    !BN_mod_mul(t, u, v, p, bc) || !BN_rshift1(w, p) ||
	    !BN_mod_exp(w, t, w, p, bc))
		goto out;
	ok = 1;
	if (BN_is_zero(u) && sign)
		why = "not canonical (x = 0 with the sign bit set)";
	else if (!BN_is_zero(u) && !BN_is_one(w))
		why = "not a point of the curve";
	else if (BN_is_zero(u) || BN_is_zero(y) ||	/* y = +-1, 0 */
	    memcmp(le, small_y[0], 32) == 0 || memcmp(le, small_y[1], 32) == 0)
		why = "of small order (its order divides 8)";
out:
	BN_CTX_end(bc);
	if (!ok)
		fatalx("out of memory (Ed25519 point check)");
	return why;
}

int
sig_pub_check(const uint8_t pub[32], const char **why)
{
	BN_CTX		*bc;
	const char	*w;

	if ((bc = BN_CTX_new()) == NULL)
		fatalx("out of memory (BN_CTX_new)");
	w = pub_problem(pub, bc);
	BN_CTX_free(bc);
	if (why != NULL)
		*why = w;
	return w == NULL ? LD_OK : LD_EWEAKKEY;
}

static struct sig_key *
key_new(const char *name, size_t namelen, uint8_t type)
{
	struct sig_key	*k = xcalloc(1, sizeof(*k));

	memcpy(k->name, name, namelen);
	k->name[namelen] = '\0';
	k->type = type;
	return k;
}

/* Fill pub and id from k->pkey. */
static int
key_finish(struct sig_key *k)
{
	size_t	len = 32;

	if (EVP_PKEY_get_raw_public_key(k->pkey, k->pub, &len) != 1 ||
	    len != 32)
		return LD_EINVAL;
	k->id = sig_compute_id(k->name, strlen(k->name), k->type, k->pub);
	return LD_OK;
}

int
sig_keygen(const char *name, uint8_t type, struct sig_key **out)
{
	struct sig_key	*k;
	uint8_t		 seed[32];

	if (!sig_valid_name(name, strlen(name)) ||
	    (type != SIG_TYPE_ED25519 && type != SIG_TYPE_COSIGN))
		return LD_EINVAL;
	k = key_new(name, strlen(name), type);
	sig_random(seed, sizeof(seed));
	k->pkey = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed,
	    sizeof(seed));
	wipe_secure(seed, sizeof(seed));
	if (k->pkey == NULL || key_finish(k) != LD_OK) {
		sig_key_free(k);
		return LD_ESYS;
	}
	k->has_priv = 1;
	*out = k;
	return LD_OK;
}

int
sig_key_from_pub(const char *name, uint8_t type, const uint8_t pub[32],
    struct sig_key **out)
{
	struct sig_key	*k;
	int		 rc;

	if (!sig_valid_name(name, strlen(name)))
		return LD_EINVAL;
	if ((rc = sig_pub_check(pub, NULL)) != LD_OK)
		return rc;
	k = key_new(name, strlen(name), type);
	k->pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pub, 32);
	if (k->pkey == NULL || key_finish(k) != LD_OK) {
		sig_key_free(k);
		return LD_EINVAL;
	}
	*out = k;
	return LD_OK;
}

/* Split s at the first '+' from off; return the length of the field. */
static int
next_field(const char *s, size_t len, size_t off, size_t *flen)
{
	const char	*p = memchr(s + off, '+', len - off);

	if (p == NULL)
		return -1;
	*flen = (size_t)(p - (s + off));
	return 0;
}

/* Parse "<name>+<hex id>+<base64 key>" starting at s. */
static int
parse_key_text(const char *s, size_t len, int private, struct sig_key **out)
{
	struct sig_key	*k = NULL;
	uint8_t		 idb[4], raw[40];
	size_t		 namelen, idlen, rawlen, off;
	uint32_t	 id;
	int		 rc = LD_EINVAL;

	if (next_field(s, len, 0, &namelen) != 0 ||
	    !sig_valid_name(s, namelen))
		return LD_EINVAL;
	off = namelen + 1;
	if (next_field(s, len, off, &idlen) != 0 || idlen != 8 ||
	    hex_decode(idb, 4, s + off, 8) != LD_OK)
		return LD_EINVAL;
	/* Lowercase only, as the formats print it. */
	for (size_t i = 0; i < 8; i++)
		if (s[off + i] >= 'A' && s[off + i] <= 'F')
			return LD_EINVAL;
	id = (uint32_t)idb[0] << 24 | (uint32_t)idb[1] << 16 |
	    (uint32_t)idb[2] << 8 | idb[3];
	off += 9;
	if (len - off > 48 ||
	    b64_decode(raw, &rawlen, s + off, len - off) != LD_OK ||
	    rawlen != 33 ||
	    (raw[0] != SIG_TYPE_ED25519 && raw[0] != SIG_TYPE_COSIGN))
		goto done;
	if (!private && (rc = sig_pub_check(raw + 1, NULL)) != LD_OK)
		goto done;
	k = key_new(s, namelen, raw[0]);
	if (private) {
		k->pkey = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL,
		    raw + 1, 32);
		k->has_priv = 1;
	} else
		k->pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL,
		    raw + 1, 32);
	if (k->pkey == NULL || key_finish(k) != LD_OK || k->id != id) {
		rc = LD_EINVAL;
		goto done;
	}
	*out = k;
	k = NULL;
	rc = LD_OK;
done:
	wipe_secure(raw, sizeof(raw));
	sig_key_free(k);
	return rc;
}

int
sig_key_from_vkey(const char *s, size_t len, struct sig_key **out)
{
	return parse_key_text(s, len, 0, out);
}

int
sig_key_from_skey(const char *s, size_t len, struct sig_key **out)
{
	while (len > 0 && (s[len - 1] == '\n' || s[len - 1] == '\r' ||
	    s[len - 1] == ' '))
		len--;
	while (len > 0 && (*s == ' ' || *s == '\n')) {
		s++;
		len--;
	}
	if (len < 12 || memcmp(s, "PRIVATE+KEY+", 12) != 0)
		return LD_EINVAL;
	return parse_key_text(s + 12, len - 12, 1, out);
}

void
sig_key_free(struct sig_key *k)
{
	if (k == NULL)
		return;
	EVP_PKEY_free(k->pkey);
	wipe_secure(k, sizeof(*k));
	free(k);
}

const char *
sig_key_name(const struct sig_key *k)
{
	return k->name;
}

uint32_t
sig_key_id(const struct sig_key *k)
{
	return k->id;
}

uint8_t
sig_key_type(const struct sig_key *k)
{
	return k->type;
}

const uint8_t *
sig_key_pub(const struct sig_key *k)
{
	return k->pub;
}

int
sig_key_has_private(const struct sig_key *k)
{
	return k->has_priv;
}

/* "<prefix><name>+<id>+<base64(type || key)>" */
static char *
key_text(const struct sig_key *k, const char *prefix, const uint8_t key[32])
{
	uint8_t	raw[33];
	char	b64[64], *s;

	raw[0] = k->type;
	memcpy(raw + 1, key, 32);
	b64_encode(b64, raw, sizeof(raw));
	s = xasprintf("%s%s+%08x+%s", prefix, k->name, k->id, b64);
	wipe_secure(raw, sizeof(raw));
	wipe_secure(b64, sizeof(b64));
	return s;
}

char *
sig_vkey(const struct sig_key *k)
{
	return key_text(k, "", k->pub);
}

char *
sig_skey(const struct sig_key *k)
{
	uint8_t	seed[32];
	size_t	len = sizeof(seed);
	char	*s;

	if (!k->has_priv ||
	    EVP_PKEY_get_raw_private_key(k->pkey, seed, &len) != 1)
		return NULL;
	s = key_text(k, "PRIVATE+KEY+", seed);
	wipe_secure(seed, sizeof(seed));
	return s;
}

int
sig_sign(const struct sig_key *k, const void *msg, size_t len,
    uint8_t sig[SIG_LEN])
{
	EVP_MD_CTX	*ctx;
	size_t		 siglen = SIG_LEN;
	int		 rc = LD_ESYS;

	if (!k->has_priv)
		return LD_EINVAL;
	if ((ctx = EVP_MD_CTX_new()) == NULL)
		fatalx("out of memory (EVP_MD_CTX_new)");
	if (EVP_DigestSignInit(ctx, NULL, NULL, NULL, k->pkey) == 1 &&
	    EVP_DigestSign(ctx, sig, &siglen, msg, len) == 1 &&
	    siglen == SIG_LEN)
		rc = LD_OK;
	EVP_MD_CTX_free(ctx);
	return rc;
}

int
sig_verify(const struct sig_key *k, const void *msg, size_t len,
    const uint8_t sig[SIG_LEN])
{
	EVP_MD_CTX	*ctx;
	int		 rc = LD_EBADSIG;

	if ((ctx = EVP_MD_CTX_new()) == NULL)
		fatalx("out of memory (EVP_MD_CTX_new)");
	if (EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, k->pkey) == 1 &&
	    EVP_DigestVerify(ctx, sig, SIG_LEN, msg, len) == 1)
		rc = LD_OK;
	EVP_MD_CTX_free(ctx);
	return rc;
}

void
sig_random(void *p, size_t n)
{
	if (RAND_bytes(p, (int)n) != 1)
		fatalx("RAND_bytes failed");
}

int
sig_ct_equal(const void *a, const void *b, size_t n)
{
	return CRYPTO_memcmp(a, b, n) == 0;
}
