/* u64.c - strict u64 numbers: canonical decimal, checked sums, little-endian bytes. */
#include "err.h"
#include "u64.h"

void
u64_le_put(uint8_t out[8], uint64_t v)
{
	int	i;

	for (i = 0; i < 8; i++)
		out[i] = (uint8_t)(v >> (8 * i));
}

uint64_t
u64_le_get(const uint8_t p[8])
{
	uint64_t	v = 0;
	int		i;

	for (i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

int
u64_parse(const char *s, size_t len, uint64_t *out)
{
	uint64_t	v = 0;
	size_t		i;

	if (len == 0 || len > 20 || (len > 1 && s[0] == '0'))
		return LD_EINVAL;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return LD_EINVAL;
		if (v > (UINT64_MAX - (uint64_t)(s[i] - '0')) / 10)
			return LD_EINVAL;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	*out = v;
	return LD_OK;
}
