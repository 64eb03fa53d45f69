/* f_b64.c - fuzz b64_decode, day_parse_utc and u64_parse (common/b64.c,
 * day.c, u64.c). */
/*
 * Invariants: strict base64 is canonical, so an accepted input re-encodes
 * (b64_encode) to exactly itself, within b64_decoded_max bytes; an
 * accepted "YYYY-MM-DD" formats (day_format) back to itself; an accepted
 * RFC 3339 time falls on its calendar date or a day either side (the
 * offset is under 24 hours); an accepted decimal prints back as itself.
 */
#include <inttypes.h>

#include "b64.h"
#include "day.h"
#include "err.h"
#include "fuzz.h"
#include "u64.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char	*s = (const char *)data;
	uint8_t		*out;
	char		*enc, day[16], num[24];
	size_t		 outlen = 0, max = b64_decoded_max(size);
	uint32_t	 d;
	uint64_t	 u;
	int64_t		 civil;

	out = malloc(max);
	CHECK(out != NULL);
	if (b64_decode(out, &outlen, s, size) == LD_OK) {
		CHECK(outlen <= max);
		CHECK(b64_encoded_len(outlen) == size);
		enc = malloc(size + 1);
		CHECK(enc != NULL);
		b64_encode(enc, out, outlen);
		CHECK(same_bytes(enc, strlen(enc), data, size));
		free(enc);
	}
	free(out);

	if (day_parse_utc(s, size, &d) == LD_OK) {
		CHECK(size >= 10);
		day_format(day, sizeof(day), d);
		if (size == 10)
			CHECK(same_bytes(day, strlen(day), data, size));
		else {
			civil = day_from_civil((s[0] - '0') * 1000 +
			    (s[1] - '0') * 100 + (s[2] - '0') * 10 +
			    (s[3] - '0'), (unsigned)((s[5] - '0') * 10 +
			    (s[6] - '0')), (unsigned)((s[8] - '0') * 10 +
			    (s[9] - '0')));
			CHECK(civil >= 0);
			CHECK((int64_t)d >= civil - 1 && (int64_t)d <= civil + 1);
		}
	}

	if (u64_parse(s, size, &u) == LD_OK) {
		snprintf(num, sizeof(num), "%" PRIu64, u);
		CHECK(same_bytes(num, strlen(num), data, size));
	}
	return 0;
}
