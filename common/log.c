/* log.c - diagnostics for programs: log lines to stderr, fatal exits. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"

static const char	*log_prog = "ledger";
static int		 log_verbose = 1;

void
log_init(const char *progname, int verbose)
{
	log_prog = progname;
	log_verbose = verbose;
}

static void
log_vline(const char *level, const char *fmt, va_list ap, const char *suffix)
{
	char		ts[32];
	time_t		now = time(NULL);
	struct tm	tm;

	gmtime_r(&now, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
	flockfile(stderr);
	fprintf(stderr, "%s %s %s: ", ts, log_prog, level);
	vfprintf(stderr, fmt, ap);
	if (suffix != NULL)
		fprintf(stderr, ": %s", suffix);
	fputc('\n', stderr);
	funlockfile(stderr);
}

#define LOG_BODY(lvl, min, suffix) do {				\
	va_list ap;						\
	if (log_verbose < (min))				\
		return;						\
	va_start(ap, fmt);					\
	log_vline(lvl, fmt, ap, suffix);			\
	va_end(ap);						\
} while (0)

void
log_info(const char *fmt, ...)
{
	LOG_BODY("info", 1, NULL);
}

void
log_debug(const char *fmt, ...)
{
	LOG_BODY("debug", 2, NULL);
}

void
log_warn(const char *fmt, ...)
{
	const char	*e = strerror(errno);

	LOG_BODY("warning", 0, e);
}

void
log_warnx(const char *fmt, ...)
{
	LOG_BODY("warning", 0, NULL);
}

void
fatal(const char *fmt, ...)
{
	const char	*e = strerror(errno);
	va_list		 ap;

	va_start(ap, fmt);
	log_vline("fatal", fmt, ap, e);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vline("fatal", fmt, ap, NULL);
	va_end(ap);
	exit(1);
}
