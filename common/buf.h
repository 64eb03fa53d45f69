/* buf.h - a growable byte buffer. */
/*
 * Contract: no global state; a struct buf is not locked (one thread at a
 * time). The buf_* growers never fail: on out of memory they log and
 * exit(1) (fatalx). The buffer's memory is released with buf_free.
 */
#ifndef BUF_H
#define BUF_H

#include <stddef.h>
#include <stdint.h>

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

#endif /* BUF_H */
