/* rcptout.c - the receipts file of ledger submit, written safely. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "err.h"
#include "json.h"
#include "rcptout.h"
#include "xmalloc.h"

/* A receipt line is a few KB; its last one is looked for this far back. */
#define RCPTOUT_TAIL	(1u << 20)

/* The "line" of the last receipt in fd (size bytes), into *line. */
static int
rcptout_last_line(int fd, off_t size, uint64_t *line, char *why,
    size_t whylen, const char *path)
{
	size_t		 n = size > (off_t)RCPTOUT_TAIL ? RCPTOUT_TAIL :
			    (size_t)size;
	char		*p = xmalloc(n + 1), *s;
	struct json	*j = NULL;
	int		 rc = LD_EINVAL;

	if (pread(fd, p, n, size - (off_t)n) != (ssize_t)n) {
		snprintf(why, whylen, "cannot read %s", path);
		rc = LD_ESYS;
		goto out;
	}
	if (p[n - 1] != '\n') {
		snprintf(why, whylen, "%s ends with a partial line (a run "
		    "killed while writing?): delete that line, then resume",
		    path);
		goto out;
	}
	p[n - 1] = '\0';
	s = strrchr(p, '\n');
	s = s == NULL ? p : s + 1;
	if (json_parse(s, strlen(s), &j, NULL, 0) != LD_OK ||
	    json_get_u64(json_get(j, "line"), line) != LD_OK) {
		snprintf(why, whylen, "%s does not end with a receipt line "
		    "of ledger submit: give another --receipts file", path);
		goto out;
	}
	rc = LD_OK;
out:
	json_free(j);
	free(p);
	return rc;
}

static int
rcptout_continue(struct rcptout *o, const char *path, uint64_t skip,
    char *why, size_t whylen)
{
	struct stat	st;

	if ((o->fd = open(o->target, O_RDWR | O_APPEND | O_CLOEXEC)) < 0 ||
	    fstat(o->fd, &st) != 0) {
		snprintf(why, whylen, "cannot write %s: %s", path,
		    strerror(errno));
		return LD_ESYS;
	}
	o->good = st.st_size;
	if (st.st_size == 0)
		return LD_OK;
	if (rcptout_last_line(o->fd, st.st_size, &o->last_line, why, whylen,
	    path) != LD_OK)
		return LD_EINVAL;
	if (o->last_line > skip) {
		snprintf(why, whylen, "%s already holds receipts up to input "
		    "line %llu: --skip %llu would repeat them (resume with "
		    "--skip %llu, or give another --receipts file)", path,
		    (unsigned long long)o->last_line,
		    (unsigned long long)skip,
		    (unsigned long long)o->last_line);
		return LD_EINVAL;
	}
	return LD_OK;
}

static int
rcptout_replace(struct rcptout *o, const char *path, const struct stat *old,
    char *why, size_t whylen)
{
	mode_t	mode;

	o->tmp = xasprintf("%s.tmp.XXXXXX", o->target);
	if ((o->fd = mkstemp(o->tmp)) < 0) {
		snprintf(why, whylen, "cannot write beside %s: %s", path,
		    strerror(errno));
		free(o->tmp);
		o->tmp = NULL;
		return LD_ESYS;
	}
	if (old != NULL)
		mode = old->st_mode & 0777;
	else {
		mode = umask(022);
		umask(mode);
		mode = 0666 & ~mode;
	}
	(void)fchmod(o->fd, mode);
	return LD_OK;
}

int
rcptout_open(struct rcptout *o, const char *path, const struct stat *in_st,
    uint64_t skip, char *why, size_t whylen)
{
	struct stat	 st;
	char		*real;
	int		 exists, rc;

	memset(o, 0, sizeof(*o));
	o->fd = -1;
	exists = stat(path, &st) == 0;
	if (exists && in_st != NULL && st.st_dev == in_st->st_dev &&
	    st.st_ino == in_st->st_ino) {
		snprintf(why, whylen, "--receipts %s is the input file: give "
		    "another file", path);
		return LD_EINVAL;
	}
	if (exists && !S_ISREG(st.st_mode)) {
		snprintf(why, whylen, "--receipts %s is not a regular file",
		    path);
		return LD_EINVAL;
	}
	/* Write where a symlink points, not over the link. */
	real = exists ? realpath(path, NULL) : NULL;
	o->target = real != NULL ? real : xstrdup(path);
	if (exists && skip > 0)
		rc = rcptout_continue(o, path, skip, why, whylen);
	else
		rc = rcptout_replace(o, path, exists ? &st : NULL, why, whylen);
	if (rc != LD_OK) {
		/* Nothing written, nothing left to free. */
		if (o->fd >= 0)
			close(o->fd);
		free(o->target);
		memset(o, 0, sizeof(*o));
		o->fd = -1;
	}
	return rc;
}

int
rcptout_write(struct rcptout *o, const void *p, size_t len, uint64_t n)
{
	const char	*c = p;
	size_t		 done = 0;
	ssize_t		 w;

	while (done < len) {
		w = write(o->fd, c + done, len - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			int	e = w < 0 ? errno : ENOSPC;

			/* Whole lines only: cut back to the last batch. */
			(void)ftruncate(o->fd, o->good);
			errno = e;
			return LD_ESYS;
		}
		done += (size_t)w;
	}
	o->good += (off_t)len;
	o->written += n;
	return LD_OK;
}

int
rcptout_close(struct rcptout *o, int keep)
{
	int	rc = LD_OK;

	if (o->fd >= 0) {
		if (keep && fsync(o->fd) != 0)
			rc = LD_ESYS;
		if (close(o->fd) != 0)
			rc = LD_ESYS;
	}
	if (o->tmp != NULL) {
		if (keep && rc == LD_OK && rename(o->tmp, o->target) != 0)
			rc = LD_ESYS;
		if (!keep)
			(void)unlink(o->tmp);	/* else kept if rename failed */
	}
	free(o->tmp);
	free(o->target);
	memset(o, 0, sizeof(*o));
	o->fd = -1;
	return rc;
}

int
rcptout_continues(const struct rcptout *o)
{
	return o->tmp == NULL;
}
