/* util.h - allocation, byte buffers, hex and base64, strict numbers, files. */
/*
 * Contract: no global state; every function may be called from any thread
 * on its own arguments (a struct buf is not locked: one thread at a time).
 * The x* allocators and the buf_* growers never fail: on out of memory
 * they log and exit(1) (fatalx), so their callers need no error path.
 * Memory they return is the caller's, released with free() (buf_free for
 * a struct buf). Error codes are those of err.h.
 */
#ifndef UTIL_H
#define UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "err.h"

/*
 * Allocators that never return NULL: on failure (or a size that overflows)
 * they log and exit(1). A size of 0 allocates 1 byte, so the result is a
 * unique pointer. The caller owns the result and frees it with free().
 */
void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xrealloc(void *, size_t);
void	*xreallocarray(void *, size_t, size_t);
char	*xstrdup(const char *);
char	*xstrndup(const char *, size_t);
void	*xmemdup(const void *, size_t);
/* printf into a new NUL-terminated string (the caller frees it). */
char	*xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * A growable byte buffer. Zero-initialise, then append; buf_free at end.
 * The buffer owns p; any append may move it, so a pointer into p is valid
 * only until the next append, buf_reserve or buf_free. len counts the
 * bytes; p[len] is not a NUL unless buf_cstr put it there. Appends never
 * fail (out of memory exits, as the x* allocators do).
 */
struct buf {
	uint8_t	*p;
	size_t	 len;
	size_t	 cap;
};
void	 buf_reserve(struct buf *, size_t more);
void	 buf_add(struct buf *, const void *, size_t);
void	 buf_addc(struct buf *, int c);
void	 buf_adds(struct buf *, const char *s);
void	 buf_printf(struct buf *, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* Return a NUL-terminated view (the NUL is not counted in len), owned by
 * the buffer and valid until its next append or buf_free. */
const char *buf_cstr(struct buf *);
/* Empty it, keeping the memory for reuse. */
void	 buf_reset(struct buf *);
/* Free p and zero the struct (it can be used again); safe on a zeroed buf. */
void	 buf_free(struct buf *);

/* Lowercase hex. hex_encode writes 2*len chars and a NUL. */
void	hex_encode(char *out, const void *in, size_t len);
/*
 * Decode exactly outlen bytes from 2*outlen hex chars of s (len given;
 * either case). LD_EINVAL if len is not 2*outlen or a char is not hex;
 * out may then hold part of the bytes.
 */
int	hex_decode(uint8_t *out, size_t outlen, const char *s, size_t len);

/* A u64 as 8 bytes little-endian, as stored counters are kept. */
void	le64_put(uint8_t out[8], uint64_t v);
uint64_t le64_get(const uint8_t p[8]);

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

/*
 * Parse a canonical unsigned decimal of len bytes: digits only, no sign,
 * no leading zeros (except "0"), no overflow. LD_EINVAL otherwise.
 */
int	parse_u64(const char *s, size_t len, uint64_t *out);

/* a + b into *out, LD_EOVERFLOW if it does not fit (*out is then the
 * wrapped sum: do not use it). */
static inline int
add_u64(uint64_t a, uint64_t b, uint64_t *out)
{
	return __builtin_add_overflow(a, b, out) ? LD_EOVERFLOW : LD_OK;
}

/*
 * Read a whole file (at most max bytes) into a new NUL-terminated buffer:
 * *out is the caller's (free()), *len (if len is not NULL) its length
 * without the NUL. LD_ENOTFOUND if path does not exist, LD_ETOOBIG over
 * max, LD_ESYS for any other open or read error (not logged; errno may
 * be stale). On failure nothing is allocated and the bytes read so far
 * are wiped (files may hold secret keys).
 */
int	file_read(const char *path, size_t max, char **out, size_t *len);
/*
 * Write a file atomically (PATH.tmp.PID, fsync, rename, fsync dir) with
 * the given mode. LD_EEXIST if excl and the file exists (checked before
 * writing, not atomically), LD_EFULL on ENOSPC or EDQUOT, LD_ESYS on any
 * other failure (not logged). On failure path is unchanged and the temp
 * file removed. Not for two writers of one path at once.
 */
int	file_write(const char *path, const void *p, size_t len, mode_t mode,
	    int excl);
/* 1 if path's mode gives group or others any permission (*mode, if not
 * NULL, gets the permission bits), else 0, also when stat fails. */
int	file_mode_too_open(const char *path, mode_t *mode);

/* Wipe memory that held a secret (explicit_bzero: not optimised away). */
void	secure_wipe(void *, size_t);

/* Days since 1970-01-01 for a UTC calendar date (proleptic Gregorian):
 * -1 if invalid (month, day of month, or a year outside 0..9999). Days
 * before 1970 are negative (1969-12-31 is -1 too: callers check >= 0). */
int64_t	days_from_civil(int64_t y, unsigned m, unsigned d);
/* Inverse: calendar date of a day number. */
void	civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d);
/*
 * Parse "YYYY-MM-DD" or an RFC 3339 timestamp (with Z or +hh:mm offset)
 * into the UTC day number. LD_EINVAL on anything else.
 */
int	parse_utc_day(const char *s, size_t len, uint32_t *day);
/* Format a day number as "YYYY-MM-DD" into buf (>= 11 bytes). */
void	format_day(char *buf, size_t len, uint32_t day);

#endif /* UTIL_H */
