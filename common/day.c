/* day.c - UTC day numbers: calendar dates, parsing and formatting. */
#include <stdio.h>
#include <string.h>

#include "day.h"
#include "err.h"

/* Howard Hinnant's days_from_civil, proleptic Gregorian. */
int64_t
day_from_civil(int64_t y, unsigned m, unsigned d)
{
	static const unsigned	mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31,
	    30, 31, 30, 31 };
	unsigned		dim, yoe, doy, doe;
	int64_t			era;
	int			leap;

	if (m < 1 || m > 12 || d < 1 || y < 0 || y > 9999)
		return -1;
	leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	dim = mdays[m - 1] + (m == 2 && leap);
	if (d > dim)
		return -1;
	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

void
day_to_civil(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	int64_t		era, yy;
	unsigned	doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	yy = (int64_t)yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = yy + (*m <= 2);
}

/* Parse exactly n digits at s into *v. */
static int
digits(const char *s, size_t n, unsigned *v)
{
	size_t	i;

	*v = 0;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		*v = *v * 10 + (unsigned)(s[i] - '0');
	}
	return 0;
}

int
day_parse_utc(const char *s, size_t len, uint32_t *day)
{
	unsigned	y, mo, d, hh = 0, mi = 0, ss = 0, oh = 0, om = 0;
	int64_t		days, secs;
	size_t		i;
	int		sign = 0;

	if (len < 10 || digits(s, 4, &y) || s[4] != '-' ||
	    digits(s + 5, 2, &mo) || s[7] != '-' || digits(s + 8, 2, &d))
		return LD_EINVAL;
	if ((days = day_from_civil(y, mo, d)) < 0)
		return LD_EINVAL;
	if (len > 10) {
		/* RFC 3339 date-time: T hh:mm:ss[.frac] (Z | +hh:mm | -hh:mm) */
		if (len < 20 || (s[10] != 'T' && s[10] != 't') ||
		    digits(s + 11, 2, &hh) || s[13] != ':' ||
		    digits(s + 14, 2, &mi) || s[16] != ':' ||
		    digits(s + 17, 2, &ss) || hh > 23 || mi > 59 || ss > 60)
			return LD_EINVAL;
		i = 19;
		if (s[i] == '.') {
			i++;
			if (i >= len || s[i] < '0' || s[i] > '9')
				return LD_EINVAL;
			while (i < len && s[i] >= '0' && s[i] <= '9')
				i++;
		}
		if (i + 1 == len && (s[i] == 'Z' || s[i] == 'z'))
			sign = 0;
		else if (i + 6 == len && (s[i] == '+' || s[i] == '-') &&
		    !digits(s + i + 1, 2, &oh) && s[i + 3] == ':' &&
		    !digits(s + i + 4, 2, &om) && oh <= 23 && om <= 59)
			sign = s[i] == '+' ? 1 : -1;
		else
			return LD_EINVAL;
		secs = days * 86400 + (int64_t)(hh * 3600 + mi * 60 +
		    (ss > 59 ? 59 : ss));
		secs -= sign * (int64_t)(oh * 3600 + om * 60);
		if (secs < 0)
			return LD_EINVAL;
		days = secs / 86400;
	}
	/* An offset may push 9999-12-31 into year 10000: not a date here. */
	if (days > day_from_civil(9999, 12, 31))
		return LD_EINVAL;
	*day = (uint32_t)days;
	return LD_OK;
}

void
day_format(char *buf, size_t len, uint32_t day)
{
	int64_t		y;
	unsigned	m, d;

	day_to_civil(day, &y, &m, &d);
	snprintf(buf, len, "%04lld-%02u-%02u", (long long)y, m, d);
}
