/* hex.c - lowercase hex. */
#include "err.h"
#include "hex.h"

void
hex_encode(char *out, const void *in, size_t len)
{
	static const char	 digits[] = "0123456789abcdef";
	const uint8_t		*p = in;
	size_t			 i;

	for (i = 0; i < len; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 15];
	}
	out[2 * len] = '\0';
}

static int
hex_val(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
hex_decode(uint8_t *out, size_t outlen, const char *s, size_t len)
{
	size_t	i;
	int	hi, lo;

	if (len != 2 * outlen)
		return LD_EINVAL;
	for (i = 0; i < outlen; i++) {
		if ((hi = hex_val(s[2 * i])) < 0 ||
		    (lo = hex_val(s[2 * i + 1])) < 0)
			return LD_EINVAL;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return LD_OK;
}
