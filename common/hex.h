/* hex.h - lowercase hex. */
/*
 * Contract: no state, any thread. Error codes are those of err.h.
 */
#ifndef HEX_H
#define HEX_H

#include <stddef.h>
#include <stdint.h>

/* Lowercase hex. hex_encode writes 2*len chars and a NUL. */
void	hex_encode(char *out, const void *in, size_t len);
/*
 * Decode exactly outlen bytes from 2*outlen hex chars of s (len given;
 * either case). LD_EINVAL if len is not 2*outlen or a char is not hex;
 * out may then hold part of the bytes.
 */
int	hex_decode(uint8_t *out, size_t outlen, const char *s, size_t len);

#endif /* HEX_H */
