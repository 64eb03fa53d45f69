/* sig.h - Ed25519 keys in the C2SP signed-note formats (via OpenSSL). */
/*
 * A key has a name (the log origin, an issuer id, a witness name), a type
 * byte (0x01 Ed25519 note signer, 0x04 Ed25519 cosigner) and a 4-byte key
 * ID, SHA-256(name || "\n" || type || pubkey)[:4]. Text forms:
 *	vkey:	<name>+<8 hex id>+<base64(type || pubkey)>
 *	skey:	PRIVATE+KEY+<name>+<8 hex id>+<base64(type || seed)>
 * the latter as golang.org/x/mod/sumdb/note writes it.
 *
 * Contract. A struct sig_key from any constructor is the caller's, freed
 * (and wiped) by sig_key_free. It is read-only once made: any number of
 * threads may sign or verify with one key at once (each call makes its
 * own OpenSSL context). Strings and bytes the accessors return are
 * borrowed from the key, valid until sig_key_free. Out of memory exits.
 */
#ifndef SIG_H
#define SIG_H

#include <stddef.h>
#include <stdint.h>

#define SIG_LEN		64
#define SIG_PUB_LEN	32
#define SIG_NAME_MAX	255
#define SIG_TYPE_ED25519	0x01
#define SIG_TYPE_COSIGN		0x04

struct sig_key;		/* opaque: name, type, id, public and maybe private key */

/* Generate a new private key. LD_EINVAL for a name that cannot be a key
 * name or a type other than SIG_TYPE_*; LD_ESYS if OpenSSL fails (not
 * logged). */
int	sig_keygen(const char *name, uint8_t type, struct sig_key **out);
/*
 * LD_OK if pub is a canonical encoding of an Ed25519 point whose order does
 * not divide 8; else LD_EWEAKKEY and, if why is not NULL, a static reason:
 * y >= p, x = 0 with the sign bit set ("negative zero"), no such point, or
 * small order (the identity and the other points of order 2, 4, 8, for
 * which anyone can make signatures that verify). The parsers below refuse
 * such keys with LD_EWEAKKEY.
 */
int	sig_pub_check(const uint8_t pub[32], const char **why);
/* Parse a verifier key (strict; the key ID must match): LD_EINVAL, or
 * LD_EWEAKKEY for a weak public key. */
int	sig_key_from_vkey(const char *s, size_t len, struct sig_key **out);
/* Parse a private key (leading spaces and newlines, trailing spaces, CR
 * and LF allowed, nothing else): LD_EINVAL. The caller wipes s. */
int	sig_key_from_skey(const char *s, size_t len, struct sig_key **out);
/* A public key from its parts (the ID is computed; type is taken as
 * given): LD_EINVAL for a bad name, LD_EWEAKKEY for a weak key. */
int	sig_key_from_pub(const char *name, uint8_t type,
	    const uint8_t pub[32], struct sig_key **out);
/* Wipe and free a key; NULL is a no-op. */
void	sig_key_free(struct sig_key *);

const char	*sig_key_name(const struct sig_key *);
uint32_t	 sig_key_id(const struct sig_key *);
uint8_t		 sig_key_type(const struct sig_key *);
const uint8_t	*sig_key_pub(const struct sig_key *);	/* 32 bytes */
int		 sig_key_has_private(const struct sig_key *);

/* The key ID for name (namelen at most SIG_NAME_MAX: not checked), type
 * and public key. */
uint32_t	sig_compute_id(const char *name, size_t namelen, uint8_t type,
		    const uint8_t pub[32]);
/* 1 if name is a valid note key name (1..SIG_NAME_MAX bytes, no '+', no
 * ASCII space, control or DEL), else 0. */
int		sig_valid_name(const char *name, size_t len);

/* Text forms, NUL-terminated; the caller frees them. sig_skey's result is
 * secret: wipe it; it is NULL for a key without a private part. */
char	*sig_vkey(const struct sig_key *);
char	*sig_skey(const struct sig_key *);

/* Ed25519 over msg. Sign needs a private key: LD_EINVAL without one,
 * LD_ESYS if OpenSSL fails (not logged). */
int	sig_sign(const struct sig_key *, const void *msg, size_t len,
	    uint8_t sig[SIG_LEN]);
/* LD_OK or LD_EBADSIG. */
int	sig_verify(const struct sig_key *, const void *msg, size_t len,
	    const uint8_t sig[SIG_LEN]);

/* Fill p with n cryptographically random bytes (n at most INT_MAX; logs
 * and exits on failure). Any thread. */
void	sig_random(void *p, size_t n);
/* Constant-time comparison: 1 if equal. */
int	sig_ct_equal(const void *a, const void *b, size_t n);

#endif /* SIG_H */
