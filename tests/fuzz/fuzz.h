/* fuzz.h - shared by the libFuzzer targets in tests/fuzz (docs/fuzzing.md). */
/*
 * Each f_NAME.c defines LLVMFuzzerTestOneInput for one parser of outside
 * input and checks invariants, not only the absence of a crash. A broken
 * invariant prints what broke and aborts, so libFuzzer keeps the input
 * as a crash artifact.
 */
#ifndef FUZZ_H
#define FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "%s:%d: invariant broken: %s\n",	\
		    __FILE__, __LINE__, #cond);				\
		abort();						\
	}								\
} while (0)

/* Whether a and b hold the same bytes. */
static inline int
same_bytes(const void *a, size_t alen, const void *b, size_t blen)
{
	return alen == blen && (alen == 0 || memcmp(a, b, alen) == 0);
}

/* A NUL-terminated copy of the input (parsers that want C strings). */
static inline char *
fuzz_strdup(const uint8_t *data, size_t size)
{
	char	*s = malloc(size + 1);

	if (s == NULL)
		abort();
	if (size > 0)
		memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/*
 * Heap bytes allocated between fuzz_mem_start and fuzz_mem_peak, at
 * their highest (the sanitizer's malloc and free hooks), for invariants
 * on how much memory a parser may take.
 */
#include <sanitizer/allocator_interface.h>

static size_t	fuzz_mem_cur, fuzz_mem_top;
static int	fuzz_mem_on;

static inline void
fuzz_mem_malloc(const volatile void *p, size_t n)
{
	(void)p;
	if (!fuzz_mem_on)
		return;
	fuzz_mem_cur += n;
	if (fuzz_mem_cur > fuzz_mem_top)
		fuzz_mem_top = fuzz_mem_cur;
}

static inline void
fuzz_mem_free(const volatile void *p)
{
	size_t	n;

	if (!fuzz_mem_on || p == NULL)
		return;
	n = __sanitizer_get_allocated_size((const void *)p);
	fuzz_mem_cur = n < fuzz_mem_cur ? fuzz_mem_cur - n : 0;
}

static inline void
fuzz_mem_start(void)
{
	static int	installed;

	if (!installed) {
		__sanitizer_install_malloc_and_free_hooks(fuzz_mem_malloc,
		    fuzz_mem_free);
		installed = 1;
	}
	fuzz_mem_cur = fuzz_mem_top = 0;
	fuzz_mem_on = 1;
}

static inline size_t
fuzz_mem_peak(void)
{
	fuzz_mem_on = 0;
	return fuzz_mem_top;
}

#endif /* FUZZ_H */
