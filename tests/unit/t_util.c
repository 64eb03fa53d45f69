/* t_util.c - unit tests for the small common/ modules: hex.c, b64.c,
 * u64.c, day.c, file.c. */
/*
 * RFC 4648 section 10 vectors for base64 and every strictness rule of the
 * decoder; u64_parse's canonical decimal; the proleptic Gregorian day
 * numbers checked against a naive day-by-day calendar walk; RFC 3339
 * timestamps folded to their UTC day; the growable buffer; atomic file
 * writes with their modes in a temporary directory.
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "b64.h"
#include "buf.h"
#include "day.h"
#include "err.h"
#include "file.h"
#include "hex.h"
#include "t.h"
#include "u64.h"
#include "xmalloc.h"

/* ---- le64: stored counters ---------------------------------------------- */

/* 8 bytes, least significant first, whatever the machine's order. */
static void
test_le64(void)
{
	static const uint8_t	want[8] = { 0x08, 0x07, 0x06, 0x05, 0x04,
				    0x03, 0x02, 0x01 };
	uint8_t			b[8];
	uint64_t		v;
	int			i;

	u64_le_put(b, 0x0102030405060708ULL);
	T_ASSERT_MEM(b, want, 8);
	T_ASSERT_EQ(u64_le_get(want), 0x0102030405060708ULL);
	for (i = 0; i < 1000; i++) {
		v = t_rand();
		u64_le_put(b, v);
		T_ASSERT_EQ(u64_le_get(b), v);
		T_ASSERT_EQ(b[7], v >> 56);
	}
}

/* ---- hex ---------------------------------------------------------------- */

static void
test_hex_encode(void)
{
	static const uint8_t	in[] = { 0x00, 0x01, 0x7f, 0x80, 0xab, 0xff };
	char			out[2 * sizeof(in) + 1];
	char			one[3] = { 'x', 'x', 'x' };

	memset(out, 'x', sizeof(out));
	hex_encode(out, in, sizeof(in));
	T_ASSERT_STR(out, "00017f80abff");
	T_ASSERT_EQ(strlen(out), 12);

	/* Zero bytes: just the NUL. */
	hex_encode(one, in, 0);
	T_ASSERT_EQ(one[0], '\0');
	T_ASSERT_EQ(one[1], 'x');
}

static void
test_hex_decode(void)
{
	uint8_t	out[4];
	int	c;

	memset(out, 0xee, sizeof(out));
	T_ASSERT_EQ(hex_decode(out, 4, "00ff7fAB", 8), LD_OK);
	T_ASSERT_EQ(out[0], 0x00);
	T_ASSERT_EQ(out[1], 0xff);
	T_ASSERT_EQ(out[2], 0x7f);
	T_ASSERT_EQ(out[3], 0xab);
	T_ASSERT_EQ(hex_decode(out, 2, "aBcD", 4), LD_OK);
	T_ASSERT_EQ(out[0], 0xab);
	T_ASSERT_EQ(out[1], 0xcd);
	/* Empty is fine for zero bytes. */
	T_ASSERT_EQ(hex_decode(out, 0, "", 0), LD_OK);

	/* Wrong length: short, long, odd. */
	T_ASSERT_EQ(hex_decode(out, 2, "abc", 3), LD_EINVAL);
	T_ASSERT_EQ(hex_decode(out, 2, "abcdef", 6), LD_EINVAL);
	T_ASSERT_EQ(hex_decode(out, 1, "a", 1), LD_EINVAL);
	T_ASSERT_EQ(hex_decode(out, 0, "ab", 2), LD_EINVAL);
	/* Non-hex characters anywhere. */
	T_ASSERT_EQ(hex_decode(out, 2, "0g00", 4), LD_EINVAL);
	T_ASSERT_EQ(hex_decode(out, 2, "000G", 4), LD_EINVAL);
	T_ASSERT_EQ(hex_decode(out, 2, " 000", 4), LD_EINVAL);
	T_ASSERT_EQ(hex_decode(out, 2, "00 0", 4), LD_EINVAL);
	T_ASSERT_EQ(hex_decode(out, 2, "0x00", 4), LD_EINVAL);
	T_ASSERT_EQ(hex_decode(out, 2, "-1ff", 4), LD_EINVAL);
	T_ASSERT_EQ(hex_decode(out, 2, "00\0" "0", 4), LD_EINVAL);

	/* Every byte value round trips; every non-hex char is refused. */
	for (c = 0; c < 256; c++) {
		uint8_t	b = (uint8_t)c, back = 0;
		char	h[3], bad[2];
		int	ishex;

		hex_encode(h, &b, 1);
		T_ASSERT_EQ(hex_decode(&back, 1, h, 2), LD_OK);
		T_ASSERT_EQ(back, b);
		ishex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
		    (c >= 'A' && c <= 'F');
		bad[0] = '0';
		bad[1] = (char)c;
		T_ASSERT_EQ(hex_decode(&back, 1, bad, 2),
		    ishex ? LD_OK : LD_EINVAL);
	}
}

/* ---- base64 ------------------------------------------------------------- */

static const struct {
	const char	*raw;
	const char	*b64;
} rfc4648[] = {
	{ "", "" },
	{ "f", "Zg==" },
	{ "fo", "Zm8=" },
	{ "foo", "Zm9v" },
	{ "foob", "Zm9vYg==" },
	{ "fooba", "Zm9vYmE=" },
	{ "foobar", "Zm9vYmFy" },
};

/* Decode s; LD_* result, bytes into out/outlen. */
static int
b64d(const char *s, uint8_t *out, size_t *outlen)
{
	size_t	len = strlen(s);

	T_ASSERT(b64_decoded_max(len) <= 64);
	return b64_decode(out, outlen, s, len);
}

static void
test_b64_rfc4648(void)
{
	uint8_t	out[64];
	char	enc[64];
	size_t	i, n, rl;

	for (i = 0; i < T_NCASES(rfc4648); i++) {
		rl = strlen(rfc4648[i].raw);
		T_ASSERT_EQ(b64_encoded_len(rl), strlen(rfc4648[i].b64));
		memset(enc, 'x', sizeof(enc));
		b64_encode(enc, rfc4648[i].raw, rl);
		T_ASSERT_STR(enc, rfc4648[i].b64);
		n = 999;
		T_ASSERT_EQ(b64d(rfc4648[i].b64, out, &n), LD_OK);
		T_ASSERT_EQ(n, rl);
		T_ASSERT_MEM(out, rfc4648[i].raw, rl);
		T_ASSERT(b64_decoded_max(strlen(rfc4648[i].b64)) >= rl);
	}
}

static void
test_b64_binary_roundtrip(void)
{
	uint8_t	in[100], out[160];
	char	enc[160];
	size_t	len, n, i;

	for (i = 0; i < sizeof(in); i++)
		in[i] = (uint8_t)(255 - i * 7);
	for (len = 0; len <= sizeof(in); len++) {
		b64_encode(enc, in, len);
		T_ASSERT_EQ(strlen(enc), b64_encoded_len(len));
		T_ASSERT(b64_decoded_max(strlen(enc)) <= sizeof(out));
		T_ASSERT_EQ(b64_decode(out, &n, enc, strlen(enc)), LD_OK);
		T_ASSERT_EQ(n, len);
		T_ASSERT_MEM(out, in, len);
	}
	/* All 64 symbols and both special ones in the standard alphabet. */
	{
		static const uint8_t	all[] = { 0xfb, 0xff, 0xbf, 0x00, 0x10,
		    0x83 };

		b64_encode(enc, all, sizeof(all));
		T_ASSERT_STR(enc, "+/+/ABCD");
	}
}

static void
test_b64_strict(void)
{
	static const char *const	bad[] = {
		/* Non-zero trailing bits (only "Zg==" and "Zm8=" are canonical). */
		"Zh==", "Zv==", "Zm9=", "Zm+=", "Zm9vYh==", "Zm9vYmF=",
		/* Bad or misplaced padding. */
		"Zg=", "Zg", "Z===", "====", "Zg=A", "=Zg=", "Zm=v",
		"Zg==Zg==", "Zm9=Zm9v", "Zg===", "Z=g=",
		/* Wrong length. */
		"Z", "Zm", "Zm9", "Zm9vY", "Zm9vYm", "Zm9vYmF",
		/* Whitespace. */
		"Zm9v\n", " Zm9v", "Zm9v ", "Zm 9v", "Zm9v\r\n", "Zm\t9",
		"Zm9vYmFy\n",
		/* URL-safe alphabet and other symbols. */
		"-_-_", "Zm9-", "Zm9_", "ab.c", "ab*c", "ab\x80" "c",
	};
	uint8_t	out[64];
	size_t	n, i;

	for (i = 0; i < T_NCASES(bad); i++) {
		n = 12345;
		if (b64d(bad[i], out, &n) != LD_EINVAL) {
			fprintf(stderr, "b64 accepted \"%s\"\n", bad[i]);
			T_ASSERT(0);
		}
	}
	/* The canonical neighbours are accepted. */
	T_ASSERT_EQ(b64d("Zg==", out, &n), LD_OK);
	T_ASSERT_EQ(n, 1);
	T_ASSERT_EQ(out[0], 'f');
	T_ASSERT_EQ(b64d("+/+/", out, &n), LD_OK);
	T_ASSERT_EQ(n, 3);
	T_ASSERT_EQ(out[0], 0xfb);
	T_ASSERT_EQ(out[1], 0xff);
	T_ASSERT_EQ(out[2], 0xbf);
	/* An embedded NUL within len is refused. */
	T_ASSERT_EQ(b64_decode(out, &n, "Zm\0v", 4), LD_EINVAL);
	/* len bounds the input: a valid text cut short is refused. */
	for (i = 1; i < 8; i++)
		if (i != 4)
			T_ASSERT_EQ(b64_decode(out, &n, "Zm9vYg==", i), LD_EINVAL);
	T_ASSERT_EQ(b64_decode(out, &n, "Zm9vYg==", 4), LD_OK);
	T_ASSERT_EQ(n, 3);
}

/* ---- numbers ------------------------------------------------------------ */

static int
pu(const char *s, uint64_t *v)
{
	return u64_parse(s, strlen(s), v);
}

static void
test_parse_u64(void)
{
	static const char *const	bad[] = {
		"18446744073709551616", "18446744073709551617",
		"18446744073709551620", "99999999999999999999",
		"184467440737095516150", "100000000000000000000",
		"01", "00", "007", "", "+1", "-1", "-0", " 1", "1 ", "1a",
		"a1", "0x10", "1.0", "1e3", "1,000", "\t1",
	};
	uint64_t	v;
	size_t		i;

	v = 7;
	T_ASSERT_EQ(pu("0", &v), LD_OK);
	T_ASSERT_EQ(v, 0);
	T_ASSERT_EQ(pu("1", &v), LD_OK);
	T_ASSERT_EQ(v, 1);
	T_ASSERT_EQ(pu("10", &v), LD_OK);
	T_ASSERT_EQ(v, 10);
	T_ASSERT_EQ(pu("4294967296", &v), LD_OK);
	T_ASSERT_EQ(v, 4294967296ULL);
	T_ASSERT_EQ(pu("18446744073709551615", &v), LD_OK);
	T_ASSERT_EQ(v, UINT64_MAX);
	T_ASSERT_EQ(pu("18446744073709551614", &v), LD_OK);
	T_ASSERT_EQ(v, UINT64_MAX - 1);
	T_ASSERT_EQ(pu("10000000000000000000", &v), LD_OK);
	T_ASSERT_EQ(v, 10000000000000000000ULL);
	for (i = 0; i < T_NCASES(bad); i++) {
		v = 4242;
		if (pu(bad[i], &v) != LD_EINVAL) {
			fprintf(stderr, "u64_parse accepted \"%s\"\n", bad[i]);
			T_ASSERT(0);
		}
		/* The output is untouched on failure. */
		T_ASSERT_EQ(v, 4242);
	}
	/* len bounds the input: "123" with len 2 is 12. */
	T_ASSERT_EQ(u64_parse("123", 2, &v), LD_OK);
	T_ASSERT_EQ(v, 12);
	T_ASSERT_EQ(u64_parse("12\0", 3, &v), LD_EINVAL);
}

static void
test_add_u64(void)
{
	uint64_t	v = 99;

	T_ASSERT_EQ(u64_add(1, 2, &v), LD_OK);
	T_ASSERT_EQ(v, 3);
	T_ASSERT_EQ(u64_add(UINT64_MAX - 1, 1, &v), LD_OK);
	T_ASSERT_EQ(v, UINT64_MAX);
	T_ASSERT_EQ(u64_add(UINT64_MAX, 0, &v), LD_OK);
	T_ASSERT_EQ(v, UINT64_MAX);
	T_ASSERT_EQ(u64_add(UINT64_MAX, 1, &v), LD_EOVERFLOW);
	T_ASSERT_EQ(u64_add(1, UINT64_MAX, &v), LD_EOVERFLOW);
	T_ASSERT_EQ(u64_add(UINT64_MAX, UINT64_MAX, &v), LD_EOVERFLOW);
	T_ASSERT_EQ(u64_add(1ULL << 63, 1ULL << 63, &v), LD_EOVERFLOW);
	T_ASSERT_EQ(u64_add((1ULL << 63) - 1, 1ULL << 63, &v), LD_OK);
	T_ASSERT_EQ(v, UINT64_MAX);
}

/* ---- calendar ----------------------------------------------------------- */

static int
is_leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned
month_days(int64_t y, unsigned m)
{
	static const unsigned	md[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30,
	    31, 30, 31 };

	return md[m - 1] + (m == 2 && is_leap(y));
}

static void
test_days_known(void)
{
	int64_t		y;
	unsigned	m, d;

	T_ASSERT_EQ(day_from_civil(1970, 1, 1), 0);
	T_ASSERT_EQ(day_from_civil(1970, 1, 2), 1);
	T_ASSERT_EQ(day_from_civil(1971, 1, 1), 365);
	T_ASSERT_EQ(day_from_civil(2000, 1, 1), 10957);
	T_ASSERT_EQ(day_from_civil(2000, 2, 29), 11016);
	T_ASSERT_EQ(day_from_civil(2000, 3, 1), 11017);
	T_ASSERT_EQ(day_from_civil(2024, 2, 29), 19782);
	T_ASSERT_EQ(day_from_civil(2024, 7, 25), 19929);
	T_ASSERT_EQ(day_from_civil(2038, 1, 19), 24855);
	T_ASSERT_EQ(day_from_civil(9999, 12, 31), 2932896);
	T_ASSERT_EQ((uint64_t)day_from_civil(1900, 1, 1), (uint64_t)-25567);
	T_ASSERT_EQ((uint64_t)day_from_civil(1600, 3, 1), (uint64_t)-135080);
	/* Year 0 (1 BC) is in range: 0000-01-01 is day -719528. */
	T_ASSERT_EQ((uint64_t)day_from_civil(0, 1, 1), (uint64_t)-719528);
	T_ASSERT_EQ((uint64_t)day_from_civil(0, 2, 29), (uint64_t)-719469);
	T_ASSERT_EQ((uint64_t)day_from_civil(0, 3, 1), (uint64_t)-719468);

	/* Invalid dates. */
	T_ASSERT_EQ((uint64_t)day_from_civil(1900, 2, 29), (uint64_t)-1);
	T_ASSERT_EQ((uint64_t)day_from_civil(2023, 2, 29), (uint64_t)-1);
	T_ASSERT_EQ((uint64_t)day_from_civil(2100, 2, 29), (uint64_t)-1);
	T_ASSERT_EQ((uint64_t)day_from_civil(2024, 2, 30), (uint64_t)-1);
	T_ASSERT_EQ((uint64_t)day_from_civil(2024, 4, 31), (uint64_t)-1);
	T_ASSERT_EQ((uint64_t)day_from_civil(2024, 13, 1), (uint64_t)-1);
	T_ASSERT_EQ((uint64_t)day_from_civil(2024, 0, 1), (uint64_t)-1);
	T_ASSERT_EQ((uint64_t)day_from_civil(2024, 1, 0), (uint64_t)-1);
	T_ASSERT_EQ((uint64_t)day_from_civil(2024, 1, 32), (uint64_t)-1);
	T_ASSERT_EQ((uint64_t)day_from_civil(10000, 1, 1), (uint64_t)-1);
	T_ASSERT_EQ((uint64_t)day_from_civil(-1, 1, 1), (uint64_t)-1);

	day_to_civil(0, &y, &m, &d);
	T_ASSERT(y == 1970 && m == 1 && d == 1);
	day_to_civil(19929, &y, &m, &d);
	T_ASSERT(y == 2024 && m == 7 && d == 25);
	day_to_civil(11016, &y, &m, &d);
	T_ASSERT(y == 2000 && m == 2 && d == 29);
	day_to_civil(-1, &y, &m, &d);
	T_ASSERT(y == 1969 && m == 12 && d == 31);
	day_to_civil(-719528, &y, &m, &d);
	T_ASSERT(y == 0 && m == 1 && d == 1);
	day_to_civil(UINT32_MAX, &y, &m, &d);
	T_ASSERT(y == 11761191 && m == 1 && d == 20);
}

/*
 * Walk the calendar one day at a time from 0000-01-01 to 9999-12-31 and
 * check both directions against the running day number.
 */
static void
test_days_walk(void)
{
	int64_t		y, z = -719528, yy, bad = 0;
	unsigned	m, d, mm, dd;

	for (y = 0; y <= 9999; y++)
		for (m = 1; m <= 12; m++)
			for (d = 1; d <= month_days(y, m); d++, z++) {
				if (day_from_civil(y, m, d) != z) {
					if (bad++ < 5)
						fprintf(stderr,
						    "day_from_civil("
						    "%04" PRId64 "-%02u-%02u) = %"
						    PRId64 ", want %" PRId64 "\n",
						    y, m, d,
						    day_from_civil(y, m, d), z);
				}
				day_to_civil(z, &yy, &mm, &dd);
				if (yy != y || mm != m || dd != d) {
					if (bad++ < 5)
						fprintf(stderr, "day_to_civil("
						    "%" PRId64 ") = %04" PRId64
						    "-%02u-%02u\n", z, yy, mm, dd);
				}
				/* The day after the month's last is invalid. */
				if (d == month_days(y, m) &&
				    day_from_civil(y, m, d + 1) != -1 &&
				    bad++ < 5)
					fprintf(stderr, "%04" PRId64 "-%02u-%02u "
					    "accepted\n", y, m, d + 1);
			}
	T_ASSERT_EQ(bad, 0);
	T_ASSERT_EQ(z, 2932897);
}

/* ---- day_parse_utc / day_format ----------------------------------------- */

static int
pd(const char *s, uint32_t *day)
{
	return day_parse_utc(s, strlen(s), day);
}

static void
test_parse_utc_day_ok(void)
{
	static const struct {
		const char	*s;
		uint32_t	 day;
	} ok[] = {
		{ "2024-07-25", 19929 },
		{ "1970-01-01", 0 },
		{ "2000-02-29", 11016 },
		{ "9999-12-31", 2932896 },
		{ "2024-07-25T08:01:13Z", 19929 },
		{ "2024-07-25t08:01:13z", 19929 },
		{ "2024-07-25T00:00:00Z", 19929 },
		{ "2024-07-25T23:59:59Z", 19929 },
		{ "2024-07-25T23:59:60Z", 19929 },	/* leap second */
		{ "2024-07-25T23:30:00-02:00", 19930 },
		{ "2024-07-25T00:30:00+08:00", 19928 },
		{ "2024-07-25T08:00:00+08:00", 19929 },
		{ "2024-07-25T07:59:59+08:00", 19928 },
		{ "2024-07-25T21:59:59-02:00", 19929 },
		{ "2024-07-25T22:00:00-02:00", 19930 },
		{ "2024-07-25T12:00:00+00:00", 19929 },
		{ "2024-07-25T12:00:00-00:00", 19929 },
		{ "2024-07-25T00:00:00+23:59", 19928 },
		{ "2024-12-31T23:00:00-01:00", 20089 },	/* into 2025 */
		{ "2024-02-28T23:00:00-01:00", 19782 },	/* into Feb 29 */
		{ "2024-07-25T08:01:13.5Z", 19929 },
		{ "2024-07-25T08:01:13.123456789Z", 19929 },
		{ "2024-07-25T23:59:59.999+00:00", 19929 },
		{ "2024-07-25T23:59:59.999-00:01", 19930 },
		{ "1970-01-01T00:00:00Z", 0 },
	};
	uint32_t	day;
	size_t		i;

	for (i = 0; i < T_NCASES(ok); i++) {
		day = 0xdeadbeef;
		if (pd(ok[i].s, &day) != LD_OK || day != ok[i].day) {
			fprintf(stderr, "day_parse_utc(\"%s\") = %u, want %u\n",
			    ok[i].s, day, ok[i].day);
			T_ASSERT(0);
		}
	}
	/* len bounds the input: a date followed by anything not counted. */
	T_ASSERT_EQ(day_parse_utc("2024-07-25junk", 10, &day), LD_OK);
	T_ASSERT_EQ(day, 19929);
}

static void
test_parse_utc_day_refused(void)
{
	static const char *const	bad[] = {
		"2024-7-25", "2024-07-5", "24-07-25", "2024/07/25",
		"20240725", "2024-07-25T08:01Z", "2024-07-25 08:01:13Z",
		"2024-07-25T08:01:13", "2024-07-25T8:01:13Z",
		"2024-07-25T08:1:13Z", "2024-07-25T08:01:1Z",
		"2024-13-01", "2024-00-01", "2024-02-30", "2023-02-29",
		"9999-12-31T23:00:00-05:00",	/* year 10000 in UTC (fuzz) */
		"1900-02-29", "2024-04-31", "2024-07-00", "2024-07-32",
		"2024-07-25x", "2024-07-25 ", " 2024-07-25", "2024-07-25Z",
		"2024-07-25T", "2024-07-25T08:01:13Zjunk",
		"2024-07-25T08:01:13Z ", "2024-07-25T08:01:13+08:00x",
		"2024-07-25T24:00:00Z", "2024-07-25T23:60:00Z",
		"2024-07-25T23:59:61Z", "2024-07-25T08:01:13+24:00",
		"2024-07-25T08:01:13+08:60", "2024-07-25T08:01:13+0800",
		"2024-07-25T08:01:13+08", "2024-07-25T08:01:13+8:00",
		"2024-07-25T08:01:13 +08:00", "2024-07-25T08:01:13.Z",
		"2024-07-25T08:01:13.", "2024-07-25T08:01:13,5Z",
		"2024-07-25T08:01:13.5", "2024-07-25T08:01:13.5.5Z",
		"2024-07-25T08:01:13UTC", "2024-07-25T08:01:13GMT",
		"-2024-07-25", "+2024-07-25", "2024-07-25\n",
		"1969-12-31", "1970-01-01T00:30:00+01:00",
		/* Year 0 is before 1970, whichever month. */
		"0000-01-15", "0000-02-29", "0000-06-01",
		"", "2024", "2024-07", "2024-07-2",
		"\xef\xbc\x92" "024-07-25",
	};
	uint32_t	day;
	size_t		i;

	for (i = 0; i < T_NCASES(bad); i++) {
		day = 4242;
		if (pd(bad[i], &day) != LD_EINVAL) {
			fprintf(stderr, "day_parse_utc accepted \"%s\" as %u\n",
			    bad[i], day);
			T_ASSERT(0);
		}
		T_ASSERT_EQ(day, 4242);
	}
	/* Short len cuts a valid timestamp into an invalid one. */
	T_ASSERT_EQ(day_parse_utc("2024-07-25T08:01:13Z", 19, &day),
	    LD_EINVAL);
	T_ASSERT_EQ(day_parse_utc("2024-07-25", 9, &day), LD_EINVAL);
	/* An embedded NUL is not a terminator. */
	T_ASSERT_EQ(day_parse_utc("2024-07-25\0T08:01:13Z", 21, &day),
	    LD_EINVAL);
}

static void
test_format_day(void)
{
	char		buf[16];
	uint32_t	day, back;
	uint64_t	i;

	day_format(buf, sizeof(buf), 19929);
	T_ASSERT_STR(buf, "2024-07-25");
	day_format(buf, sizeof(buf), 0);
	T_ASSERT_STR(buf, "1970-01-01");
	day_format(buf, sizeof(buf), 11016);
	T_ASSERT_STR(buf, "2000-02-29");
	day_format(buf, sizeof(buf), 2932896);
	T_ASSERT_STR(buf, "9999-12-31");
	/* Exactly 11 bytes is enough. */
	memset(buf, 'x', sizeof(buf));
	day_format(buf, 11, 19930);
	T_ASSERT_STR(buf, "2024-07-26");
	/* format then parse gives the day back, across 1970..9999. */
	for (i = 0; i <= 2932896; i += 997) {
		day = (uint32_t)i;
		day_format(buf, sizeof(buf), day);
		T_ASSERT_EQ(strlen(buf), 10);
		back = 0;
		T_ASSERT_EQ(pd(buf, &back), LD_OK);
		T_ASSERT_EQ(back, day);
	}
}

/* ---- struct buf ----------------------------------------------------------- */

static void
test_buf(void)
{
	struct buf	b = { 0 };
	size_t		i;
	char		big[1000];

	/* An empty buffer still gives an empty C string. */
	T_ASSERT_STR(buf_cstr(&b), "");
	T_ASSERT_EQ(b.len, 0);
	buf_free(&b);
	T_ASSERT(b.p == NULL && b.len == 0 && b.cap == 0);

	buf_add(&b, "ab", 2);
	buf_addc(&b, 'c');
	buf_adds(&b, "def");
	buf_add(&b, NULL, 0);
	buf_printf(&b, "-%d-%s-%05u", 42, "x", 7u);
	T_ASSERT_EQ(b.len, 17);
	T_ASSERT_STR(buf_cstr(&b), "abcdef-42-x-00007");
	/* buf_cstr does not count the NUL. */
	T_ASSERT_EQ(b.len, 17);
	T_ASSERT(b.cap > b.len);

	/* Binary with NULs. */
	buf_reset(&b);
	T_ASSERT_EQ(b.len, 0);
	buf_addc(&b, 0);
	buf_addc(&b, 0xff);
	buf_addc(&b, 0x100 + 'A');	/* truncated to a byte */
	T_ASSERT_EQ(b.len, 3);
	T_ASSERT_EQ(b.p[0], 0);
	T_ASSERT_EQ(b.p[1], 0xff);
	T_ASSERT_EQ(b.p[2], 'A');

	/* Growth keeps the content. */
	buf_reset(&b);
	for (i = 0; i < 100000; i++)
		buf_addc(&b, (int)(i % 251));
	T_ASSERT_EQ(b.len, 100000);
	for (i = 0; i < 100000; i++)
		if (b.p[i] != i % 251)
			break;
	T_ASSERT_EQ(i, 100000);

	/* A long printf. */
	buf_reset(&b);
	memset(big, 'z', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	buf_printf(&b, "<%s>", big);
	T_ASSERT_EQ(b.len, sizeof(big) + 1);
	T_ASSERT_EQ(b.p[0], '<');
	T_ASSERT_EQ(b.p[sizeof(big)], '>');
	T_ASSERT_EQ(buf_cstr(&b)[sizeof(big) + 1], '\0');

	/* buf_reserve makes room for more and a NUL without changing len. */
	buf_reset(&b);
	buf_reserve(&b, 5000);
	T_ASSERT_EQ(b.len, 0);
	T_ASSERT(b.cap >= 5001);
	buf_free(&b);
	T_ASSERT(b.p == NULL && b.len == 0 && b.cap == 0);
}

/* ---- files ---------------------------------------------------------------- */

static char	t_dir[64];

static char *
tpath(const char *name)
{
	return xasprintf("%s/%s", t_dir, name);
}

/* The number of entries in t_dir (not . and ..). */
static int
dir_entries(void)
{
	DIR		*d = opendir(t_dir);
	struct dirent	*de;
	int		 n = 0;

	if (d == NULL)
		return -1;
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

static void
test_files(void)
{
	struct stat	 st;
	char		*p, *q, *r, *s, *data = NULL;
	size_t		 len = 0;
	mode_t		 mode = 0;
	uint8_t		 bin[300];
	size_t		 i;

	snprintf(t_dir, sizeof(t_dir), "/tmp/t_util.XXXXXX");
	if (mkdtemp(t_dir) == NULL) {
		T_ASSERT(!"mkdtemp");
		return;
	}
	p = tpath("secret.key");
	q = tpath("public.txt");
	r = tpath("missing/child");
	s = tpath("bin");

	/* Write 0600, read back. */
	T_ASSERT_EQ(file_write(p, "hello\n", 6, 0600, 1), LD_OK);
	T_ASSERT_EQ(stat(p, &st), 0);
	T_ASSERT_EQ(st.st_mode & 07777, 0600);
	T_ASSERT(S_ISREG(st.st_mode));
	T_ASSERT_EQ(file_mode_too_open(p, &mode), 0);
	T_ASSERT_EQ(mode, 0600);
	T_ASSERT_EQ(file_read(p, 100, &data, &len), LD_OK);
	T_ASSERT_EQ(len, 6);
	T_ASSERT(data != NULL && memcmp(data, "hello\n", 7) == 0);
	free(data);
	data = NULL;
	/* No temporary file is left behind. */
	T_ASSERT_EQ(dir_entries(), 1);

	/* excl refuses an existing file and leaves it alone. */
	T_ASSERT_EQ(file_write(p, "other", 5, 0600, 1), LD_EEXIST);
	T_ASSERT_EQ(file_read(p, 100, &data, &len), LD_OK);
	T_ASSERT_EQ(len, 6);
	T_ASSERT(data != NULL && memcmp(data, "hello\n", 6) == 0);
	free(data);
	data = NULL;
	T_ASSERT_EQ(dir_entries(), 1);

	/* Without excl it replaces the file, and the mode follows. */
	T_ASSERT_EQ(file_write(p, "bye", 3, 0640, 0), LD_OK);
	T_ASSERT_EQ(stat(p, &st), 0);
	T_ASSERT_EQ(st.st_mode & 07777, 0640);
	T_ASSERT_EQ(file_mode_too_open(p, &mode), 1);
	T_ASSERT_EQ(mode, 0640);
	T_ASSERT_EQ(file_read(p, 100, &data, &len), LD_OK);
	T_ASSERT_EQ(len, 3);
	T_ASSERT(data != NULL && strcmp(data, "bye") == 0);
	free(data);
	data = NULL;

	/* A world-readable file is too open; the mode is reported. */
	T_ASSERT_EQ(file_write(q, "pub", 3, 0644, 0), LD_OK);
	T_ASSERT_EQ(stat(q, &st), 0);
	T_ASSERT_EQ(st.st_mode & 07777, 0644);
	T_ASSERT_EQ(file_mode_too_open(q, &mode), 1);
	T_ASSERT_EQ(mode, 0644);
	T_ASSERT_EQ(file_mode_too_open(q, NULL), 1);
	T_ASSERT_EQ(chmod(q, 0604), 0);
	T_ASSERT_EQ(file_mode_too_open(q, &mode), 1);
	T_ASSERT_EQ(mode, 0604);
	T_ASSERT_EQ(chmod(q, 0400), 0);
	T_ASSERT_EQ(file_mode_too_open(q, &mode), 0);
	T_ASSERT_EQ(mode, 0400);
	T_ASSERT_EQ(chmod(q, 0600), 0);
	/* The mode is honoured whatever the umask. */
	{
		mode_t	old = umask(0077);

		T_ASSERT_EQ(file_write(q, "pub2", 4, 0644, 0), LD_OK);
		T_ASSERT_EQ(stat(q, &st), 0);
		T_ASSERT_EQ(st.st_mode & 07777, 0644);
		umask(0);
		T_ASSERT_EQ(file_write(q, "pub", 3, 0600, 0), LD_OK);
		T_ASSERT_EQ(stat(q, &st), 0);
		T_ASSERT_EQ(st.st_mode & 07777, 0600);
		umask(old);
	}
	/* A file that is not there is not "too open". */
	T_ASSERT_EQ(file_mode_too_open(r, NULL), 0);

	/* A write that cannot rename over a directory leaves nothing. */
	{
		char	*sub = tpath("sub");

		T_ASSERT_EQ(mkdir(sub, 0700), 0);
		T_ASSERT_EQ(dir_entries(), 3);
		T_ASSERT_EQ(file_write(sub, "x", 1, 0600, 0), LD_ESYS);
		T_ASSERT_EQ(dir_entries(), 3);
		T_ASSERT_EQ(rmdir(sub), 0);
		free(sub);
	}

	/* Missing files and directories. */
	T_ASSERT_EQ(file_read(r, 100, &data, &len), LD_ENOTFOUND);
	T_ASSERT_EQ(file_write(r, "x", 1, 0600, 0), LD_ESYS);
	T_ASSERT_EQ(file_write(r, "x", 1, 0600, 1), LD_ESYS);

	/* Binary content, empty files and the size limit. */
	for (i = 0; i < sizeof(bin); i++)
		bin[i] = (uint8_t)i;
	T_ASSERT_EQ(file_write(s, bin, sizeof(bin), 0600, 0), LD_OK);
	T_ASSERT_EQ(file_read(s, sizeof(bin), &data, &len), LD_OK);
	T_ASSERT_EQ(len, sizeof(bin));
	T_ASSERT(data != NULL && memcmp(data, bin, sizeof(bin)) == 0);
	T_ASSERT(data != NULL && data[sizeof(bin)] == '\0');
	free(data);
	data = (char *)0x1;
	T_ASSERT_EQ(file_read(s, sizeof(bin) - 1, &data, &len), LD_ETOOBIG);
	T_ASSERT(data == (char *)0x1);	/* untouched on failure */
	data = NULL;
	T_ASSERT_EQ(file_write(s, "", 0, 0600, 0), LD_OK);
	T_ASSERT_EQ(file_read(s, 0, &data, &len), LD_OK);
	T_ASSERT_EQ(len, 0);
	T_ASSERT(data != NULL && data[0] == '\0');
	free(data);
	data = NULL;
	/* len may be NULL. */
	T_ASSERT_EQ(file_read(q, 10, &data, NULL), LD_OK);
	T_ASSERT(data != NULL && strcmp(data, "pub") == 0);
	free(data);
	data = NULL;
	T_ASSERT_EQ(dir_entries(), 3);

	unlink(p);
	unlink(q);
	unlink(s);
	T_ASSERT_EQ(rmdir(t_dir), 0);
	free(p);
	free(q);
	free(r);
	free(s);
}

static void
test_xalloc(void)
{
	char	*s;
	void	*p;

	s = xstrdup("carbon");
	T_ASSERT_STR(s, "carbon");
	free(s);
	s = xstrndup("carbonate", 6);
	T_ASSERT_STR(s, "carbon");
	free(s);
	p = xmemdup("\0\1\2", 3);
	T_ASSERT_MEM(p, "\0\1\2", 3);
	free(p);
	s = xasprintf("%s-%u", "g", 80u);
	T_ASSERT_STR(s, "g-80");
	free(s);
	p = xcalloc(4, 8);
	T_ASSERT_MEM(p, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0"
	    "\0\0\0\0\0\0\0\0", 32);
	p = xreallocarray(p, 8, 8);
	T_ASSERT_MEM(p, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0"
	    "\0\0\0\0\0\0\0\0", 32);	/* kept across the resize */
	free(p);
}

int
main(int argc, char **argv)
{
	static const struct t_case	cases[] = {
		T_CASE(test_le64),
		T_CASE(test_hex_encode),
		T_CASE(test_hex_decode),
		T_CASE(test_b64_rfc4648),
		T_CASE(test_b64_binary_roundtrip),
		T_CASE(test_b64_strict),
		T_CASE(test_parse_u64),
		T_CASE(test_add_u64),
		T_CASE(test_days_known),
		T_CASE(test_days_walk),
		T_CASE(test_parse_utc_day_ok),
		T_CASE(test_parse_utc_day_refused),
		T_CASE(test_format_day),
		T_CASE(test_buf),
		T_CASE(test_files),
		T_CASE(test_xalloc),
	};

	return t_main(argc, argv, "t_util", cases, T_NCASES(cases));
}
