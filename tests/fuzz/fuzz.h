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

#endif /* FUZZ_H */
