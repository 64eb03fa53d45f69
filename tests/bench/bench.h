/* bench.h - timing and the one table format every benchmark prints. */
#ifndef BENCH_H
#define BENCH_H

#include <stdint.h>
#include <stdio.h>
#include <time.h>

static inline uint64_t
bench_now_ns(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/*
 * One row: what was measured, its rate, the limit measured in the same
 * run and the ratio. Rows are "|"-separated so tests/bench/run.sh can
 * gather them into one table.
 */
static inline void
bench_row(const char *what, double value, const char *unit,
    const char *limit_name, double limit)
{
	printf("| %-44s | %12.0f %-10s | %-34s | %12.0f | %5.1f%% |\n",
	    what, value, unit, limit_name, limit,
	    limit > 0 ? 100.0 * value / limit : 0.0);
	fflush(stdout);
}

#endif /* BENCH_H */
