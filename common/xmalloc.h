/* xmalloc.h - allocators that never return NULL (out of memory exits). */
/*
 * Contract: no global state, any thread. The x* allocators never fail: on
 * out of memory (or a size that overflows) they log and exit(1) (fatalx),
 * so their callers need no error path. Memory they return is the
 * caller's, released with free().
 */
#ifndef XMALLOC_H
#define XMALLOC_H

#include <stddef.h>

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

#endif /* XMALLOC_H */
