/* day.h - UTC day numbers: calendar dates, parsing and formatting. */
/*
 * Contract: no state, any thread. Error codes are those of err.h.
 */
#ifndef DAY_H
#define DAY_H

#include <stddef.h>
#include <stdint.h>

/* Days since 1970-01-01 for a UTC calendar date (proleptic Gregorian):
 * -1 if invalid (month, day of month, or a year outside 0..9999). Days
 * before 1970 are negative (1969-12-31 is -1 too: callers check >= 0). */
int64_t	day_from_civil(int64_t y, unsigned m, unsigned d);
/* Inverse: calendar date of a day number. */
void	day_to_civil(int64_t z, int64_t *y, unsigned *m, unsigned *d);
/*
 * Parse "YYYY-MM-DD" or an RFC 3339 timestamp (with Z or +hh:mm offset)
 * into the UTC day number. LD_EINVAL on anything else.
 */
int	day_parse_utc(const char *s, size_t len, uint32_t *day);
/* Format a day number as "YYYY-MM-DD" into buf (>= 11 bytes). */
void	day_format(char *buf, size_t len, uint32_t day);

#endif /* DAY_H */
