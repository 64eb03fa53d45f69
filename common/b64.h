/* b64.h - standard base64 with padding (RFC 4648 section 4), strict. */
/*
 * Contract: no state, any thread. Error codes are those of err.h.
 */
#ifndef B64_H
#define B64_H

#include <stddef.h>
#include <stdint.h>

/* Standard base64 with padding (RFC 4648 section 4). */
size_t	b64_encoded_len(size_t len);		/* without the NUL */
void	b64_encode(char *out, const void *in, size_t len); /* adds NUL */
/*
 * Strict decode: only the standard alphabet, exact padding, no spaces, no
 * non-zero trailing bits. *outlen gets the length; out (the caller's) must
 * hold b64_decoded_max(len) bytes. LD_EINVAL on anything else, with out
 * possibly written in part and *outlen untouched.
 */
size_t	b64_decoded_max(size_t len);
int	b64_decode(uint8_t *out, size_t *outlen, const char *s, size_t len);

#endif /* B64_H */
