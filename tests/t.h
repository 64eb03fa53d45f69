/* t.h - the whole unit-test harness: checks, a table of tests, TAP-ish output. */
/*
 * Each test is a void function that uses T_ASSERT*. A failing check prints
 * file:line and the expression and marks the current test failed; the test
 * goes on (so one run shows every failure). t_main runs the table, prints
 * "ok"/"not ok" per test and the closing line "N passed, N failed", and
 * returns the exit status. A seed for property tests comes from argv[1] or
 * the clock, and is always printed so a failure can be replayed.
 */
#ifndef T_H
#define T_H

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct t_case {
	const char	*name;
	void		(*fn)(void);
};

static int	t_failed_checks;
static uint64_t	t_seed;

#define T_ASSERT(e) do {						\
	if (!(e)) {							\
		t_failed_checks++;					\
		fprintf(stderr, "%s:%d: check failed: %s\n",		\
		    __FILE__, __LINE__, #e);				\
	}								\
} while (0)

#define T_ASSERT_EQ(a, b) do {						\
	uint64_t t_a_ = (uint64_t)(a), t_b_ = (uint64_t)(b);		\
	if (t_a_ != t_b_) {						\
		t_failed_checks++;					\
		fprintf(stderr, "%s:%d: %s == %s: %" PRIu64		\
		    " != %" PRIu64 "\n", __FILE__, __LINE__, #a, #b,	\
		    t_a_, t_b_);					\
	}								\
} while (0)

#define T_ASSERT_MEM(a, b, n) do {					\
	if (memcmp((a), (b), (n)) != 0) {				\
		t_failed_checks++;					\
		fprintf(stderr, "%s:%d: bytes differ: %s vs %s\n",	\
		    __FILE__, __LINE__, #a, #b);			\
	}								\
} while (0)

#define T_ASSERT_STR(a, b) do {						\
	const char *t_a_ = (a), *t_b_ = (b);				\
	if (t_a_ == NULL || t_b_ == NULL || strcmp(t_a_, t_b_) != 0) {	\
		t_failed_checks++;					\
		fprintf(stderr, "%s:%d: \"%s\" != \"%s\"\n", __FILE__,	\
		    __LINE__, t_a_ ? t_a_ : "(null)",			\
		    t_b_ ? t_b_ : "(null)");				\
	}								\
} while (0)

/* splitmix64: a small seeded PRNG for property tests. */
static inline uint64_t
t_rand(void)
{
	uint64_t z = (t_seed += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Uniform-ish value in [0, n), n > 0. */
static inline uint64_t
t_rand_below(uint64_t n)
{
	return t_rand() % n;
}

static inline int
t_main(int argc, char **argv, const char *suite, const struct t_case *cases,
    size_t ncases)
{
	size_t	 i, passed = 0, failed = 0;
	int	 before;

	if (argc > 1)
		t_seed = strtoull(argv[1], NULL, 0);
	else
		t_seed = (uint64_t)time(NULL);
	printf("# %s: seed %" PRIu64 " (replay: %s %" PRIu64 ")\n", suite,
	    t_seed, argv[0], t_seed);
	for (i = 0; i < ncases; i++) {
		before = t_failed_checks;
		cases[i].fn();
		if (t_failed_checks == before) {
			passed++;
			printf("ok %zu - %s\n", i + 1, cases[i].name);
		} else {
			failed++;
			printf("not ok %zu - %s\n", i + 1, cases[i].name);
		}
	}
	printf("%s: %zu passed, %zu failed\n", suite, passed, failed);
	return failed ? 1 : 0;
}

#define T_CASE(f)	{ #f, f }
#define T_NCASES(a)	(sizeof(a) / sizeof((a)[0]))

#endif /* T_H */
