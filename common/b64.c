/* b64.c - standard base64 with padding (RFC 4648 section 4), strict. */
#include <string.h>

#include "b64.h"
#include "err.h"

static const char	b64_alpha[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

size_t
b64_encoded_len(size_t len)
{
	return (len + 2) / 3 * 4;
}

void
b64_encode(char *out, const void *in, size_t len)
{
	const uint8_t	*p = in;
	size_t		 i, o = 0;
	uint32_t	 v;

	for (i = 0; i + 2 < len; i += 3) {
		v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
		out[o++] = b64_alpha[v >> 18];
		out[o++] = b64_alpha[v >> 12 & 63];
		out[o++] = b64_alpha[v >> 6 & 63];
		out[o++] = b64_alpha[v & 63];
	}
	if (len - i == 1) {
		v = (uint32_t)p[i] << 16;
		out[o++] = b64_alpha[v >> 18];
		out[o++] = b64_alpha[v >> 12 & 63];
		out[o++] = '=';
		out[o++] = '=';
	} else if (len - i == 2) {
		v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8;
		out[o++] = b64_alpha[v >> 18];
		out[o++] = b64_alpha[v >> 12 & 63];
		out[o++] = b64_alpha[v >> 6 & 63];
		out[o++] = '=';
	}
	out[o] = '\0';
}

size_t
b64_decoded_max(size_t len)
{
	return len / 4 * 3 + 3;
}

static int
b64_val(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

int
b64_decode(uint8_t *out, size_t *outlen, const char *s, size_t len)
{
	size_t		i, o = 0, pad = 0;
	uint32_t	v;
	int		k, j, d;

	if (len % 4 != 0)
		return LD_EINVAL;
	if (len >= 1 && s[len - 1] == '=')
		pad++;
	if (len >= 2 && s[len - 2] == '=')
		pad++;
	for (i = 0; i < len; i += 4) {
		v = 0;
		k = (i + 4 == len) ? 4 - (int)pad : 4;
		for (j = 0; j < 4; j++) {
			if (j < k) {
				if ((d = b64_val(s[i + (size_t)j])) < 0)
					return LD_EINVAL;
			} else {
				if (s[i + (size_t)j] != '=')
					return LD_EINVAL;
				d = 0;
			}
			v = v << 6 | (uint32_t)d;
		}
		out[o++] = (uint8_t)(v >> 16);
		if (k > 2)
			out[o++] = (uint8_t)(v >> 8);
		if (k > 3)
			out[o++] = (uint8_t)v;
		/* Canonical: the bits the padding drops must be zero. */
		if ((k == 2 && (v & 0xffff)) || (k == 3 && (v & 0xff)))
			return LD_EINVAL;
		if (k < 2)
			return LD_EINVAL;
	}
	*outlen = o;
	return LD_OK;
}
