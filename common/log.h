/* log.h - diagnostics for programs: log lines to stderr, fatal exits. */
/*
 * One line per call, "TIME PROG LEVEL: message" (UTC), written to stderr
 * under flockfile so lines of different threads never interleave. Any
 * thread may log; nothing allocates and nothing fails (a line that
 * stderr cannot take is lost). log_warn and fatal append strerror(errno)
 * as it was when they were called.
 */
#ifndef LOG_H
#define LOG_H

#include <stdarg.h>

/*
 * Program name and verbosity for the log lines (0 quiet: warnings only,
 * 1 info, 2 debug; default "ledger", 1). Call it once in main before any
 * thread starts: it sets globals without a lock. progname is kept, not
 * copied: it must stay valid for the life of the program.
 */
void	log_init(const char *progname, int verbose);
void	log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A warning (printed at every verbosity), with ": strerror(errno)"
 * appended by log_warn. */
void	log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Log and exit(1), at any verbosity; fatal appends strerror(errno). For
 * start-up and impossible states only: never on a request path. */
void	fatal(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2), noreturn));
void	fatalx(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2), noreturn));

#endif /* LOG_H */
