/* sig.c - Ed25519 keys in the C2SP signed-note formats (via OpenSSL). */
#include <string.h>

#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "err.h"
#include "log.h"
#include "merkle.h"
#include "sig.h"
#include "util.h"

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
 * so x^2 = (y^2 - 1) / (d y^2 + 1) (the divisor is never 0: d is not a
 * square). Doubling needs only x^2 and y (a = -1):
 *	y' = (y^2 + x^2) / (1 - d x^2 y^2),
 *	x'^2 = 4 x^2 y^2 / (1 + d x^2 y^2)^2,
 * and the law is complete, so [8]P is the identity (x^2 = 0, y = 1) exactly
 * when P's order divides 8. Public data: no need for constant time.
 */
static const char *
pub_problem(const uint8_t pub[32], BN_CTX *bc)
{
	BIGNUM		*p, *d, *y, *x2, *t, *u, *v, *w;
	uint8_t		 be[32];
	const char	*why = NULL;
	int		 i, sign = pub[31] >> 7, ok = 0;

	BN_CTX_start(bc);
	p = BN_CTX_get(bc);
	d = BN_CTX_get(bc);
	y = BN_CTX_get(bc);
	x2 = BN_CTX_get(bc);
	t = BN_CTX_get(bc);
	u = BN_CTX_get(bc);
	v = BN_CTX_get(bc);
	w = BN_CTX_get(bc);
	if (w == NULL)
		goto out;
	for (i = 0; i < 32; i++)
		be[i] = pub[31 - i];
	be[0] &= 0x7f;
	/* p = 2^255 - 19; d = -121665 / 121666 mod p */
	BN_zero(p);
	if (BN_bin2bn(be, 32, y) == NULL || !BN_set_bit(p, 255) ||
	    !BN_sub_word(p, 19) ||
	    !BN_set_word(t, 121666) || BN_mod_inverse(d, t, p, bc) == NULL ||
	    !BN_mul_word(d, 121665) || !BN_mod(d, d, p, bc) ||
	    !BN_sub(d, p, d))
		goto out;
	if (BN_cmp(y, p) >= 0) {
		why = "not canonical (y >= 2^255 - 19)";
		ok = 1;
		goto out;
	}
	/* x^2 = (y^2 - 1) / (d y^2 + 1) */
	if (!BN_mod_sqr(t, y, p, bc) || !BN_mod_sub(u, t, BN_value_one(), p,
	    bc) || !BN_mod_mul(v, d, t, p, bc) ||
	    !BN_mod_add(v, v, BN_value_one(), p, bc) ||
	    BN_mod_inverse(v, v, p, bc) == NULL ||
	    !BN_mod_mul(x2, u, v, p, bc))
		goto out;
	if (BN_is_zero(x2)) {
		if (sign) {
			why = "not canonical (x = 0 with the sign bit set)";
			ok = 1;
			goto out;
		}
	} else {
		/* Euler's criterion: x^2 must have a square root. */
		if (!BN_rshift1(t, p) || !BN_mod_exp(w, x2, t, p, bc))
			goto out;
		if (!BN_is_one(w)) {
			why = "not a point of the curve";
			ok = 1;
			goto out;
		}
	}
	for (i = 0; i < 3; i++) {
		/* t = d x^2 y^2; u = y^2 */
		if (!BN_mod_sqr(u, y, p, bc) || !BN_mod_mul(t, x2, u, p, bc) ||
		    !BN_mod_mul(t, t, d, p, bc))
			goto out;
		/* y' = (u + x^2) / (1 - t) */
		if (!BN_mod_sub(v, BN_value_one(), t, p, bc) ||
		    BN_mod_inverse(v, v, p, bc) == NULL ||
		    !BN_mod_add(w, u, x2, p, bc) || !BN_mod_mul(w, w, v, p, bc))
			goto out;
		/* x'^2 = 4 x^2 u / (1 + t)^2 */
		if (!BN_mod_add(v, BN_value_one(), t, p, bc) ||
		    !BN_mod_sqr(v, v, p, bc) ||
		    BN_mod_inverse(v, v, p, bc) == NULL ||
		    !BN_mod_mul(x2, x2, u, p, bc) ||
		    !BN_mod_lshift_quick(x2, x2, 2, p) ||
		    !BN_mod_mul(x2, x2, v, p, bc) || BN_copy(y, w) == NULL)
			goto out;
	}
	if (BN_is_zero(x2) && BN_is_one(y))
		why = "of small order (its order divides 8)";
	ok = 1;
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
	secure_wipe(seed, sizeof(seed));
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
	secure_wipe(raw, sizeof(raw));
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
	secure_wipe(k, sizeof(*k));
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
	secure_wipe(raw, sizeof(raw));
	secure_wipe(b64, sizeof(b64));
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
	secure_wipe(seed, sizeof(seed));
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
