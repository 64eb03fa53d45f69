/* util.c - allocation, byte buffers, hex and base64, strict numbers, files. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "err.h"
#include "log.h"
#include "util.h"

void *
xmalloc(size_t n)
{
	void	*p = malloc(n ? n : 1);

	if (p == NULL)
		fatalx("out of memory allocating %zu bytes", n);
	return p;
}

void *
xcalloc(size_t n, size_t size)
{
	void	*p = calloc(n ? n : 1, size ? size : 1);

	if (p == NULL)
		fatalx("out of memory allocating %zu x %zu bytes", n, size);
	return p;
}

void *
xrealloc(void *p, size_t n)
{
	void	*q = realloc(p, n ? n : 1);

	if (q == NULL)
		fatalx("out of memory reallocating %zu bytes", n);
	return q;
}

void *
xreallocarray(void *p, size_t n, size_t size)
{
	size_t	total;

	if (__builtin_mul_overflow(n, size, &total))
		fatalx("allocation size overflow: %zu x %zu", n, size);
	return xrealloc(p, total);
}

char *
xstrdup(const char *s)
{
	return xmemdup(s, strlen(s) + 1);
}

char *
xstrndup(const char *s, size_t n)
{
	char	*p = xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

void *
xmemdup(const void *s, size_t n)
{
	void	*p = xmalloc(n);

	if (n)
		memcpy(p, s, n);
	return p;
}

char *
xasprintf(const char *fmt, ...)
{
	va_list	 ap;
	char	*s;
	int	 n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		fatalx("out of memory formatting a string");
	return s;
}

void
buf_reserve(struct buf *b, size_t more)
{
	size_t	need, cap;

	if (__builtin_add_overflow(b->len, more + 1, &need))
		fatalx("buffer size overflow");
	if (need <= b->cap)
		return;
	cap = b->cap ? b->cap : 256;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	b->p = xrealloc(b->p, cap);
	b->cap = cap;
}

void
buf_add(struct buf *b, const void *p, size_t n)
{
	buf_reserve(b, n);
	if (n)
		memcpy(b->p + b->len, p, n);
	b->len += n;
}

void
buf_addc(struct buf *b, int c)
{
	buf_reserve(b, 1);
	b->p[b->len++] = (uint8_t)c;
}

void
buf_adds(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list	ap;
	int	n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		fatalx("buf_printf: bad format");
	buf_reserve(b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf((char *)b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

const char *
buf_cstr(struct buf *b)
{
	buf_reserve(b, 0);
	b->p[b->len] = '\0';
	return (const char *)b->p;
}

void
buf_reset(struct buf *b)
{
	b->len = 0;
}

void
buf_free(struct buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

void
le64_put(uint8_t out[8], uint64_t v)
{
	int	i;

	for (i = 0; i < 8; i++)
		out[i] = (uint8_t)(v >> (8 * i));
}

uint64_t
le64_get(const uint8_t p[8])
{
	uint64_t	v = 0;
	int		i;

	for (i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

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

int
parse_u64(const char *s, size_t len, uint64_t *out)
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

int
file_read(const char *path, size_t max, char **out, size_t *len)
{
	struct buf	b = { 0 };
	char		tmp[65536];
	ssize_t		n;
	int		fd, rc = LD_OK;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return errno == ENOENT ? LD_ENOTFOUND : LD_ESYS;
	for (;;) {
		n = read(fd, tmp, sizeof(tmp));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			rc = LD_ESYS;
			break;
		}
		if (n == 0)
			break;
		if (b.len + (size_t)n > max) {
			rc = LD_ETOOBIG;
			break;
		}
		buf_add(&b, tmp, (size_t)n);
	}
	close(fd);
	secure_wipe(tmp, sizeof(tmp));
	if (rc != LD_OK) {
		if (b.p)
			secure_wipe(b.p, b.cap);
		buf_free(&b);
		return rc;
	}
	buf_cstr(&b);
	*out = (char *)b.p;
	if (len)
		*len = b.len;
	return LD_OK;
}

int
file_write(const char *path, const void *p, size_t len, mode_t mode, int excl)
{
	char		*tmp, *dir, *slash;
	const uint8_t	*q = p;
	size_t		 off = 0;
	ssize_t		 n;
	int		 fd, dfd, rc = LD_ESYS;

	if (excl && access(path, F_OK) == 0)
		return LD_EEXIST;
	tmp = xasprintf("%s.tmp.%ld", path, (long)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0)
		goto done;
	if (fchmod(fd, mode) != 0)
		goto fail;
	while (off < len) {
		n = write(fd, q + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			goto fail;
		off += (size_t)n;
	}
	if (fsync(fd) != 0)
		goto fail;
	close(fd);
	fd = -1;
	if (rename(tmp, path) != 0)
		goto fail;
	dir = xstrdup(path);
	slash = strrchr(dir, '/');
	if (slash == NULL)
		strcpy(dir, ".");
	else if (slash == dir)
		slash[1] = '\0';
	else
		*slash = '\0';
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		(void)fsync(dfd);
		close(dfd);
	}
	free(dir);
	rc = LD_OK;
	goto done;
fail:
	if (errno == ENOSPC || errno == EDQUOT)
		rc = LD_EFULL;
	if (fd >= 0)
		close(fd);
	unlink(tmp);
done:
	free(tmp);
	return rc;
}

int
file_mode_too_open(const char *path, mode_t *mode)
{
	struct stat	st;

	if (stat(path, &st) != 0)
		return 0;
	if (mode)
		*mode = st.st_mode & 07777;
	return (st.st_mode & 077) != 0;
}

void
secure_wipe(void *p, size_t n)
{
	explicit_bzero(p, n);
}

/* Howard Hinnant's days_from_civil, proleptic Gregorian. */
int64_t
days_from_civil(int64_t y, unsigned m, unsigned d)
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
civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
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
parse_utc_day(const char *s, size_t len, uint32_t *day)
{
	unsigned	y, mo, d, hh = 0, mi = 0, ss = 0, oh = 0, om = 0;
	int64_t		days, secs;
	size_t		i;
	int		sign = 0;

	if (len < 10 || digits(s, 4, &y) || s[4] != '-' ||
	    digits(s + 5, 2, &mo) || s[7] != '-' || digits(s + 8, 2, &d))
		return LD_EINVAL;
	if ((days = days_from_civil(y, mo, d)) < 0)
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
	if (days > days_from_civil(9999, 12, 31))
		return LD_EINVAL;
	*day = (uint32_t)days;
	return LD_OK;
}

void
format_day(char *buf, size_t len, uint32_t day)
{
	int64_t		y;
	unsigned	m, d;

	civil_from_days(day, &y, &m, &d);
	snprintf(buf, len, "%04lld-%02u-%02u", (long long)y, m, d);
}
