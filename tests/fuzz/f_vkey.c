/* f_vkey.c - fuzz sig_key_from_vkey and sig_key_from_skey (note key text). */
/*
 * Invariants: an accepted verifier key prints (sig_vkey) as exactly the
 * input, has a valid name and no private part. An accepted private key
 * prints (sig_skey) as exactly the input less the surrounding whitespace
 * sig_key_from_skey allows, prints a vkey that parses to the same key,
 * and signs a message that its own public key verifies.
 */
#include "err.h"
#include "fuzz.h"
#include "sig.h"
#include "wipe.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sig_key	*k, *v;
	const char	*s = (const char *)data;
	char		*t, *vk;
	uint8_t		 sig[SIG_LEN];
	size_t		 len = size;

	if (sig_key_from_vkey(s, size, &k) == LD_OK) {
		t = sig_vkey(k);
		CHECK(same_bytes(t, strlen(t), data, size));
		CHECK(!sig_key_has_private(k));
		CHECK(sig_valid_name(sig_key_name(k),
		    strlen(sig_key_name(k))));
		CHECK(sig_key_type(k) == SIG_TYPE_ED25519 ||
		    sig_key_type(k) == SIG_TYPE_COSIGN);
		free(t);
		sig_key_free(k);
	}
	if (sig_key_from_skey(s, size, &k) == LD_OK) {
		while (len > 0 && (s[len - 1] == '\n' || s[len - 1] == '\r' ||
		    s[len - 1] == ' '))
			len--;
		while (len > 0 && (*s == ' ' || *s == '\n')) {
			s++;
			len--;
		}
		CHECK(sig_key_has_private(k));
		t = sig_skey(k);
		CHECK(t != NULL && same_bytes(t, strlen(t), s, len));
		vk = sig_vkey(k);
		CHECK(sig_key_from_vkey(vk, strlen(vk), &v) == LD_OK);
		CHECK(sig_key_id(v) == sig_key_id(k) &&
		    memcmp(sig_key_pub(v), sig_key_pub(k), 32) == 0);
		CHECK(sig_sign(k, data, size, sig) == LD_OK);
		CHECK(sig_verify(v, data, size, sig) == LD_OK);
		wipe_secure(t, strlen(t));
		free(t);
		free(vk);
		sig_key_free(v);
		sig_key_free(k);
	}
	return 0;
}
