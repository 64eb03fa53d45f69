/* u64.h - strict u64 numbers: canonical decimal, checked sums,
 * little-endian bytes. */
/*
 * Contract: no state, any thread. Error codes are those of err.h.
 */
#ifndef U64_H
#define U64_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

/*
 * Parse a canonical unsigned decimal of len bytes: digits only, no sign,
 * no leading zeros (except "0"), no overflow. LD_EINVAL otherwise.
 */
int	u64_parse(const char *s, size_t len, uint64_t *out);

/* a + b into *out, LD_EOVERFLOW if it does not fit (*out is then the
 * wrapped sum: do not use it). */
static inline int
u64_add(uint64_t a, uint64_t b, uint64_t *out)
{
	return __builtin_add_overflow(a, b, out) ? LD_EOVERFLOW : LD_OK;
}

/* A u64 as 8 bytes little-endian, as stored counters are kept. */
void	u64_le_put(uint8_t out[8], uint64_t v);
uint64_t u64_le_get(const uint8_t p[8]);

#endif /* U64_H */
