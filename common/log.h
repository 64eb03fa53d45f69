/* log.h - diagnostics for programs: log lines to stderr, fatal exits. */
#ifndef LOG_H
#define LOG_H

#include <stdarg.h>

/* Program name and verbosity for the log lines (0 quiet, 1 info, 2 debug). */
void	log_init(const char *progname, int verbose);
void	log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A warning, with ": strerror(errno)" appended by log_warn. */
void	log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Log and exit(1); fatal appends strerror(errno). */
void	fatal(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2), noreturn));
void	fatalx(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2), noreturn));

#endif /* LOG_H */
