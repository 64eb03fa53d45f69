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
 * gather them into one table. bench_row_p prints prec decimals (for
 * milliseconds and the like); for a time or a size the "limit" is the
 * reference it is compared with, and a ratio over 100% means costlier.
 */
static inline void
bench_row_p(const char *what, double value, const char *unit,
    const char *limit_name, double limit, int prec)
{
	printf("| %-44s | %12.*f %-10s | %-34s | %12.*f | %5.1f%% |\n",
	    what, prec, value, unit, limit_name, prec, limit,
	    limit > 0 ? 100.0 * value / limit : 0.0);
	fflush(stdout);
}

static inline void
bench_row(const char *what, double value, const char *unit,
    const char *limit_name, double limit)
{
	bench_row_p(what, value, unit, limit_name, limit, 0);
}

/* A row whose measurement carries the p50/p99 latencies (milliseconds). */
static inline void
bench_row_lat(const char *what, double p50_ms, double p99_ms, double value,
    const char *unit, const char *limit_name, double limit)
{
	char	text[256];

	snprintf(text, sizeof(text), "%s, p50 %.2f ms, p99 %.2f ms", what,
	    p50_ms, p99_ms);
	bench_row(text, value, unit, limit_name, limit);
}

#endif /* BENCH_H */
